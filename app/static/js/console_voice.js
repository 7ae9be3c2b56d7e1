// Equal voice on the console: who has not shared anything yet, per group (counted by the server,
// with the names of those who took part with a name: presence.not_yet_ids; someone anonymous is
// only counted), and the check-out question "Voelde je je gehoord?" — ask it, see how many
// answered, close it, and read its figures per group (pooled by the server, never one answer).
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { groupName } from "./labels.js";
import { checkOutQuestion, checkOutTable } from "./wall_voice.js";

export class EqualVoice {
  /** `command(type, fields, done)`: the console's command, which says the outcome. */
  constructor({ command }) {
    this.command = command;
  }

  render(state, presence) {
    return [this.notYet(state, presence), this.checkOut(state, presence)];
  }

  notYet(state, presence) {
    const counts = presence.not_yet || {};
    const groups = Object.keys(counts);
    const named = (presence.not_yet_ids || []).map((id) => state.participants[id]).filter((p) => p && p.display_name);
    const byGroup = new Map();
    for (const p of named) {
      if (!byGroup.has(p.stakeholder_group)) byGroup.set(p.stakeholder_group, []);
      byGroup.get(p.stakeholder_group).push(p.display_name);
    }
    return h("div", { id: "not-yet" },
      h("h4", {}, t("Not shared anything yet")),
      groups.length ? h("ul", { class: "plain" }, groups.map((g) => h("li", {}, h("strong", {}, groupName(g)), ": ", tn("%(n)s person", "%(n)s people", counts[g])))) :
        h("p", { class: "hint" }, t("Counted per group once the room has moved on from the lobby.")),
      // By their own group: a pooled group's people are named under it, not under the pool.
      byGroup.size ? h("ul", { class: "plain not-yet-names", "aria-label": t("Names") }, [...byGroup].map(([g, names]) => h("li", {}, groupName(g), ": ", names.sort().join(", ")))) : null,
      h("p", { class: "hint" }, t("Only you see the names. People who take part anonymously are only counted.")));
  }

  checkOut(state, presence) {
    const check = state.check_out;
    const title = h("h4", {}, t("Check-out: “%(question)s”", { question: checkOutQuestion() }));
    if (!check) {
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
