// Equal voice on the console: who has not shared anything yet, per group (counted by the server,
// with the names of those who took part with a name: presence.not_yet_ids; someone anonymous is
// only counted), and the check-out question "Voelde je je gehoord?" — ask it, see how many
// answered, close it, and read its figures per group (pooled by the server, never one answer).
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { groupName } from "./labels.js";
import { checkOutQuestion, checkOutTable, notYetLine } from "./wall_voice.js";

/** The phases in which the console offers the check-out question (near the end). */
const CLOSING = new Set(["waarom", "opgave", "afronding"]);

export class EqualVoice {
  /** `command(type, fields, done)`: the console's command, which says the outcome. */
  constructor({ command }) {
    this.command = command;
  }

  render(state, presence) {
    return [this.notYet(state, presence), this.checkOut(state, presence)];
  }

  // One line per figure, names only where there are some: the console's side column must stay
  // short beside a board of 200 cards (the page at most twice the screen's height).
  notYet(state, presence) {
    const named = (presence.not_yet_ids || []).map((id) => state.participants[id]).filter((p) => p && p.display_name);
    const byGroup = new Map();
    for (const p of named) {
      if (!byGroup.has(p.stakeholder_group)) byGroup.set(p.stakeholder_group, []);
      byGroup.get(p.stakeholder_group).push(p.display_name);
    }
    const counted = presence.not_yet !== undefined && presence.not_yet !== null && state.workshop.phase !== "lobby";
    const line = !counted ? t("Counted per group once the room has moved on from the lobby.")
      : notYetLine(presence.not_yet) || t("Everyone has shared something.");
    // The names follow on the same line, by their own group (a pooled group's people are named
    // under their group, not under the pool); only the console gets them (presence.not_yet_ids).
    const names = [...byGroup].map(([g, list]) => `${list.sort().join(", ")} (${groupName(g)})`).join("; ");
    return h("div", { id: "not-yet" },
      h("p", { class: "not-yet-line" }, h("strong", {}, t("Not shared anything yet")), ": ", line,
        names ? [" — ", h("span", { class: "not-yet-names" }, names)] : null));
  }

  checkOut(state, presence) {
    const check = state.check_out;
    const title = h("h4", {}, t("Check-out: “%(question)s”", { question: checkOutQuestion() }));
    if (!check) {
      // A closing question: offered from the waarom on, not beside the board of 200 cards.
      if (!CLOSING.has(state.workshop.phase)) return null;
      return h("div", { id: "check-out" }, title,
        h("p", { class: "hint" }, t("Every phone asks it, answered from 1 to 5. Ask it once, near the end; the figures appear per group when you close it.")),
        h("button", { type: "button", id: "check-out-open", onclick: () => this.command("checkout.open", {}, t("The phones ask the check-out question")) }, t("Ask the check-out question")));
    }
    if (check.open) {
      return h("div", { id: "check-out" }, title,
        h("p", { role: "status" }, tn("%(n)s answer so far", "%(n)s answers so far", presence.checked_out ?? 0)),
        h("button", { type: "button", id: "check-out-close", onclick: () => this.command("checkout.close", {}, t("The check-out question is closed")) }, t("Close the check-out question")));
    }
    return h("div", { id: "check-out" }, title, checkOutTable(check.figures, { id: "console-check-out" }));
  }
}
