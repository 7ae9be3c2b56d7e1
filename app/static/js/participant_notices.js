// Calm notices on the phone when the facilitator combines duplicate cards (card.merge): the
// author of a merged card is told what it was combined with, and the author of the card that
// absorbed one is told too. Worked out from the state (card.mine, merged_into_id), so a phone
// that was offline at the time still hears it; a notice stays until its reader dismisses it
// (remembered per workshop for this browser tab) and goes away by itself if the merge is undone.
import { announce, h } from "./dom.js";
import { t } from "./i18n.js";
import { keep } from "./view.js";

const quoted = (text) => (text ? `“${text}”` : "—");

export class MergeNotices {
  constructor(el, workshopId) {
    this.el = el;
    this.storageKey = `atelier-merge-notices-${workshopId}`;
    this.dismissed = new Set(this.load());
    this.announced = new Set();
  }

  load() {
    try {
      return JSON.parse(sessionStorage.getItem(this.storageKey) || "[]");
    } catch {
      return [];
    }
  }

  dismiss(key) {
    this.dismissed.add(key);
    try {
      sessionStorage.setItem(this.storageKey, JSON.stringify([...this.dismissed]));
    } catch {
      // private mode: the notice just comes back after a reload
    }
  }

  // The merges that concern me now: key "merged>into" -> the sentence to show.
  merges(state) {
    const found = new Map();
    for (const card of Object.values(state.cards)) {
      if (card.merged_into_id === null || card.merged_into_id === undefined) continue;
      const into = state.cards[card.merged_into_id];
      const key = `${card.id}>${card.merged_into_id}`;
      if (card.mine) {
        found.set(key, t("Your card %(mine)s was combined with a similar card: %(other)s.", {
          mine: quoted(card.text), other: quoted(into && into.text),
        }));
      } else if (into && into.mine) {
        found.set(key, t("A similar card was combined with your card %(mine)s: %(other)s.", {
          mine: quoted(into.text), other: quoted(card.text),
        }));
      }
    }
    return found;
  }

  update(state) {
    const open = [...this.merges(state)].filter(([key]) => !this.dismissed.has(key));
    for (const [key, text] of open) {
      if (!this.announced.has(key)) {
        this.announced.add(key);
        announce(text);
      }
    }
    this.state = state;
    // Focus on a "Got it" stays there across live updates (keep(), by the button's data-key).
    keep(this.el, () => open.map(([key, text]) => h("div", { class: "notice", dataset: { merge: key } },
      h("p", {}, text),
      h("button", { type: "button", class: "secondary small", dataset: { key: `notice:${key}` }, onclick: () => this.close(key) }, t("Got it")))));
  }

  // The notice goes; the keyboard goes to the next notice's button, or to the page's main part.
  close(key) {
    this.dismiss(key);
    const next = this.el.querySelector(".notice:not([data-merge='" + key + "']) button");
    this.update(this.state);
    const again = next && this.el.querySelector(`[data-key="${CSS.escape(next.dataset.key)}"]`);
    (again || document.getElementById("main")).focus();
  }
}
