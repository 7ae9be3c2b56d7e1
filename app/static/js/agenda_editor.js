// The agenda with its planned minutes: shown under the console's agenda, and edited in a dialog
// where steps are moved up and down, repeated, added and removed, with minutes per step and the
// total as one goes. Saving sends `workshop.configure` with `agenda` and `phase_minutes` together
// (minutes belong to steps: sent apart, a new agenda would get typical minutes instead).
// Every control is a button or a field with a name that says which step it is about, and focus
// stays on the control one used, on the step's new row, so the keyboard never loses its place.
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { PHASES, phaseName, typicalMinutes } from "./labels.js";

/** "45 min", "2 h", "1 h 30 min" (Dutch: "1 u 30 min"). */
export function duration(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return t("%(n)s min", { n: rest });
  if (!rest) return t("%(h)s h", { h: hours });
  return t("%(h)s h %(m)s min", { h: hours, m: rest });
}

export const totalMinutes = (workshop) => (workshop.phase_minutes || []).reduce((a, b) => a + b, 0);

export class AgendaEditor {
  /** `command(type, fields, done)` sends; `state()` gives the room state when the dialog opens. */
  constructor(dialog, { command, state }) {
    this.dialog = dialog;
    this.command = command;
    this.state = state;
    this.steps = [];
  }

  open() {
    const w = this.state().workshop;
    this.steps = w.agenda.map((phase, i) => ({ phase, minutes: (w.phase_minutes || [])[i] || typicalMinutes(phase) || 10, current: i === w.phase_index }));
    this.draw();
    this.dialog.showModal();
    this.dialog.querySelector("#agenda-min-0").focus();
  }

  draw(focus = null) {
    this.error = h("p", { class: "error", role: "alert", hidden: true });
    this.total = h("p", { class: "agenda-total", id: "agenda-dialog-total" });
    const addSelect = h("select", { id: "agenda-add-phase" }, Object.keys(PHASES).map((phase) => h("option", { value: phase }, phaseName(phase))));
    const form = h("form", { method: "dialog", class: "stack", novalidate: true },
      h("h2", { id: "agenda-dialog-title" }, t("Edit the agenda")),
      h("p", { class: "hint" }, t("Move, repeat, add or remove steps, and plan the minutes of each. The step the room is in now stays.")),
      h("ol", { class: "agenda-steps" }, this.steps.map((step, i) => this.row(step, i))),
      this.total,
      h("div", { class: "row" },
        h("label", { for: "agenda-add-phase" }, t("Add a step")), addSelect,
        h("button", { type: "button", class: "secondary", onclick: () => this.add(addSelect.value) }, t("Add"))),
      this.error,
      h("div", { class: "row" },
        h("button", { type: "submit", value: "save" }, t("Save agenda")),
        h("button", { type: "button", class: "secondary", onclick: () => this.dialog.close("cancel") }, t("Cancel"))));
    form.addEventListener("submit", (event) => { event.preventDefault(); this.save(); });
    replace(this.dialog, form);
    this.showTotal();
    if (focus) this.focus(focus);
  }

  row(step, i) {
    const name = phaseName(step.phase);
    const which = t("step %(n)s, %(phase)s", { n: i + 1, phase: name });
    const button = (action, text, onclick, disabled = false) => h("button", { type: "button", class: "secondary small", dataset: { action }, disabled, onclick },
      text, h("span", { class: "visually-hidden" }, ` ${which}`));
    const minutes = h("input", { type: "number", id: `agenda-min-${i}`, min: 1, max: 240, value: step.minutes, inputmode: "numeric", class: "minutes-input" });
    minutes.addEventListener("input", () => { step.minutes = Number(minutes.value); this.showTotal(); });
    const last = i === this.steps.length - 1;
    return h("li", { class: step.current ? "current" : null, dataset: { index: i } },
      h("span", { class: "step-name" }, name, step.current ? h("strong", {}, " ", t("(now)")) : null),
      h("span", { class: "inline" },
        h("label", { for: `agenda-min-${i}` }, h("span", { class: "visually-hidden" }, t("Minutes for %(step)s", { step: which }))),
        minutes, h("span", { "aria-hidden": "true" }, t("min"))),
      h("span", { class: "step-actions" },
        button("up", t("Up"), () => this.move(i, -1, "up"), i === 0),
        button("down", t("Down"), () => this.move(i, 1, "down"), last),
        button("repeat", t("Repeat"), () => this.repeat(i)),
        button("remove", t("Remove"), () => this.remove(i), step.current)));
  }

  showTotal() {
    const sum = this.steps.reduce((a, s) => a + (Number.isFinite(s.minutes) ? s.minutes : 0), 0);
    this.total.textContent = t("Total: %(time)s", { time: duration(sum) });
  }

  // After a move the control keeps focus on the step's new row; at the top or bottom (where that
  // button is disabled) the other direction takes it.
  focus({ index, action }) {
    const row = this.dialog.querySelector(`li[data-index="${index}"]`);
    if (!row) return;
    let target = row.querySelector(`button[data-action="${action}"]`);
    if (target && target.disabled) target = row.querySelector(`button[data-action="${action === "up" ? "down" : "up"}"]`);
    (target && !target.disabled ? target : row.querySelector("input")).focus();
  }

  move(i, delta, action) {
    const j = i + delta;
    if (j < 0 || j >= this.steps.length) return;
    [this.steps[i], this.steps[j]] = [this.steps[j], this.steps[i]];
    this.draw({ index: j, action });
  }

  repeat(i) {
    this.steps.splice(i + 1, 0, { ...this.steps[i], current: false });
    this.draw({ index: i + 1, action: "repeat" });
  }

  remove(i) {
    if (this.steps[i].current) return;
    this.steps.splice(i, 1);
    this.draw({ index: Math.min(i, this.steps.length - 1), action: "remove" });
  }

  add(phase) {
    this.steps.push({ phase, minutes: typicalMinutes(phase) || 10, current: false });
    this.draw();
    this.dialog.querySelector(`#agenda-min-${this.steps.length - 1}`).focus();
  }

  save() {
    const bad = this.steps.findIndex((s) => !Number.isInteger(s.minutes) || s.minutes < 1 || s.minutes > 240);
    if (bad >= 0) {
      this.error.hidden = false;
      this.error.textContent = t("Plan between 1 and 240 minutes for step %(n)s.", { n: bad + 1 });
      this.dialog.querySelector(`#agenda-min-${bad}`).focus();
      return;
    }
    if (this.steps.length > 30) {
      this.error.hidden = false;
      this.error.textContent = t("An agenda has at most 30 steps.");
      return;
    }
    this.command("workshop.configure", { agenda: this.steps.map((s) => s.phase), phase_minutes: this.steps.map((s) => s.minutes) }, t("Agenda saved"));
    this.dialog.close("save");
  }
}
