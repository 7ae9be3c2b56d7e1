// Equal voice on the phone. The check-out question "Voelde je je gehoord?" while the facilitator
// has it open: five answers, changeable until it closes; the answer goes to the server only
// (checkout.answer), and only this phone ever gets it back. And, when the workshop asks for it
// (settings.nudge_minutes), a gentle "Would you like to share something too?" on the phone of
// someone who has posted nothing after that many minutes of a posting phase: worked out here,
// from this phone's own cards, sent nowhere, shown once per phase and closed with one tap.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { postingKind } from "./labels.js";
import { checkOutAnswers, checkOutQuestion } from "./wall_voice.js";

export class CheckOutBox {
  /** `send(type, fields, errorEl)`: the phone's send, which says a refusal beside the form. */
  constructor({ send }) {
    this.send = send;
    this.error = h("p", { class: "error", id: "check-out-error", role: "alert", hidden: true });
  }

  render(state) {
    const check = state.check_out;
    if (!check) return [];
    if (!check.open) {
      return state.my_check_out ? [h("section", { class: "check-out done", "aria-labelledby": "check-out-title" },
        h("h2", { id: "check-out-title" }, checkOutQuestion()),
        h("p", {}, t("Thank you for answering. The figures per group are on the big screen.")))] : [];
    }
    const mine = state.my_check_out;
    const answers = checkOutAnswers();
    return [h("section", { class: "check-out", "aria-labelledby": "check-out-title" },
      h("h2", { id: "check-out-title" }, checkOutQuestion()),
      h("p", { class: "hint", id: "check-out-hint" }, t("From 1 (not at all) to 5 (fully). Nobody sees your own answer: only counts per group, once the question closes.")),
      h("div", { class: "scale", role: "group", "aria-labelledby": "check-out-title", "aria-describedby": "check-out-hint" },
        answers.map((text, i) => h("button", {
          type: "button", id: `check-out-${i + 1}`, class: mine === i + 1 ? "chosen" : "secondary",
          "aria-pressed": mine === i + 1 ? "true" : "false",
          onclick: () => this.send("checkout.answer", { score: i + 1 }, this.error),
        }, h("span", { class: "score" }, String(i + 1)), " ", text))),
      mine ? h("p", { role: "status" }, t("Your answer: %(score)s. You can change it while the question is open.", { score: mine })) : null,
      this.error)];
  }
}

export class Nudge {
  constructor(workshopId) {
    this.key = `atelier-nudge-${workshopId}`;
    this.timer = null;
    this.onChange = null; // set by the page: redraw when the time has come
  }

  read() {
    try {
      return JSON.parse(sessionStorage.getItem(this.key) || "{}");
    } catch {
      return {};
    }
  }

  write(data) {
    try {
      sessionStorage.setItem(this.key, JSON.stringify(data));
    } catch {
      // private mode: the phase's clock starts again after a reload, that is all
    }
  }

  /** The note to show now, or nothing; starts the phase's clock the first time it is seen. */
  render(state) {
    const minutes = state.workshop.settings.nudge_minutes;
    const phase = state.workshop.phase;
    const kind = postingKind(phase);
    if (!minutes || !kind) return [];
    const mine = Object.values(state.cards).some((c) => c.mine) || Object.values(state.proposals).some((p) => p.mine);
    if (mine) return [];
    const data = this.read();
    const at = `${state.workshop.phase_index}:${phase}`;
    if (!data[at]) { data[at] = { since: Date.now(), closed: false }; this.write(data); }
    if (data[at].closed) return [];
    const due = data[at].since + minutes * 60000 - Date.now();
    if (due > 0) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => { if (this.onChange) this.onChange(); }, due + 50);
      return [];
    }
    return [h("aside", { class: "nudge", "aria-labelledby": "nudge-title" },
      h("p", { id: "nudge-title" }, h("strong", {}, t("Would you like to share something too?"))),
      h("p", {}, t("Every card counts, also a short one. Write it below.")),
      h("button", { type: "button", class: "secondary", id: "nudge-close", onclick: () => {
        const now = this.read();
        now[at] = { ...(now[at] || { since: Date.now() }), closed: true };
        this.write(now);
        if (this.onChange) this.onChange();
      } }, t("Not now")))];
  }
}
