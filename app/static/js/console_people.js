// The console's people: who waits in the lobby to be let in (the workshop's admit step) and who
// is in the room. One tap lets someone in or takes them out; "Let everyone in" lets in all who
// wait; several people are taken out at once by ticking them and removing them with one
// confirmation (a flood of joins from a script, a table that went home).
//
// Which people are ticked lives here, not in the checkboxes: the lists are redrawn from the room
// whenever it changes (keep() in view.js), and each box is drawn from this selection.
import { byId } from "./state.js";
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { groupName } from "./labels.js";
import { keep } from "./view.js";

export class People {
  constructor({ waiting, list, actions }, { command }) {
    this.waiting = waiting;
    this.list = list;
    this.actions = actions;
    this.command = command;
    this.selected = new Set(); // participant ids ticked for removal
    this.state = null;
    this.connected = new Set();
  }

  render(state, connected) {
    this.state = state;
    this.connected = connected;
    for (const id of [...this.selected]) {
      const person = state.participants[id];
      if (!person || person.left) this.selected.delete(id); // gone meanwhile: nothing to remove
    }
    const people = byId(state.participants);
    const waiting = people.filter((p) => p.waiting && !p.left);
    keep(this.waiting, () => this.waitingList(waiting));
    keep(this.list, () => people.filter((p) => !waiting.includes(p)).map((p) => this.row(p)));
    this.drawActions();
  }

  drawActions() {
    keep(this.actions, () => this.removeSelected());
  }

  // Someone ticked or unticked: only the button's count changes.
  pick(id, ticked) {
    if (ticked) this.selected.add(id);
    else this.selected.delete(id);
    this.drawActions();
  }

  tick(person, name) {
    return h("input", {
      type: "checkbox", id: `pick-${person.id}`, checked: this.selected.has(person.id), dataset: { fresh: "" },
      "aria-label": t("Select %(name)s", { name }), onchange: (e) => this.pick(person.id, e.target.checked),
    });
  }

  waitingList(waiting) {
    if (!waiting.length) return null;
    const everyone = waiting.map((p) => p.id);
    return h("section", { class: "waiting-list", "aria-labelledby": "waiting-title" },
      h("h3", { id: "waiting-title" }, t("Waiting to be let in (%(n)s)", { n: waiting.length })),
      h("ul", { class: "plain" }, waiting.map((p) => {
        const name = p.display_name || t("Anonymous");
        return h("li", { dataset: { key: `waiting:${p.id}` } },
          this.tick(p, name), " ", name, " · ", groupName(p.stakeholder_group), " ",
          h("button", {
            type: "button", class: "small", "aria-label": t("Let %(name)s in", { name }),
            onclick: () => this.command("participant.admit", { participant_ids: [p.id] }, t("%(name)s is in", { name })),
          }, t("Let in")));
      })),
      h("button", {
        type: "button", id: "admit-all",
        onclick: () => this.command("participant.admit", { participant_ids: everyone },
          tn("%(n)s person let in", "%(n)s people let in", everyone.length)),
      }, t("Let everyone in")));
  }

  row(person) {
    // A tafelhulp is a helper, not a participant; a person without a phone is entered for.
    const name = person.helper ? t("Table helper") : person.display_name || t("Anonymous");
    const status = person.left ? t("left") : person.assisted ? t("entered by a table helper")
      : this.connected.has(person.id) ? t("online") : t("offline");
    return h("li", { dataset: { key: `participant:${person.id}` } },
      person.left ? null : [this.tick(person, name), " "],
      name, person.helper ? null : [" · ", groupName(person.stakeholder_group)], " · ", status,
      person.left ? null : h("button", {
        type: "button", class: "danger small", "aria-label": t("Remove %(name)s from the workshop", { name }),
        onclick: () => {
          if (confirm(t("Remove %(name)s? Their phone is disconnected at once; what they posted stays.", { name }))) {
            this.command("participant.remove", { participant_id: person.id }, t("Participant removed"));
          }
        },
      }, t("Remove")));
  }

  removeSelected() {
    const n = this.selected.size;
    return h("button", {
      type: "button", id: "remove-selected", class: "danger small", disabled: n === 0,
      onclick: () => {
        const ids = [...this.selected];
        if (!ids.length) return;
        const question = tn("Remove %(n)s participant? Their phone is disconnected at once; what they posted stays.",
          "Remove %(n)s participants? Their phones are disconnected at once; what they posted stays.", ids.length);
        if (!confirm(question)) return;
        this.command("participant.remove_many", { participant_ids: ids },
          tn("%(n)s participant removed", "%(n)s participants removed", ids.length))
          .then(() => { for (const id of ids) this.selected.delete(id); this.drawActions(); }, () => { /* said by command() */ });
      },
    }, n ? tn("Remove %(n)s selected participant", "Remove %(n)s selected participants", n) : t("Remove the selected participants"));
  }
}
