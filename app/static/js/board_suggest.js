// Suggestions from the model on this server, on the console's board: clusters for the cards not
// yet in one, and possible duplicates. The model never decides: each suggested cluster is taken
// over ("Overnemen", one ordinary cluster.create through the board, so it is in the log and
// undoable like any board step), edited or ignored; a possible duplicate opens the board's merge
// dialog, or is dismissed for this browser session.
//
// The API answers ids and names only (app/suggest/routes.py): the texts shown here are the room's
// own, from the console's state. Nothing is sent anywhere but this server.
//
// The board redraws on every change in the room, and this panel with it (keep(), view.js): never
// under a name being typed (it catches up when the field is left), focus and names kept.

import { $, announce, h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CARD_KINDS, label } from "./labels.js";
import { keep } from "./view.js";

export const DEBOUNCE_MS = 2000; // after the last card.posted, look for duplicates again

// The reasons the server gives (in English) that the interface can say in its own language; any
// other reason is shown as the server wrote it.
function knownReason(reason) {
  const known = {
    "Suggestions are switched off on this server. The operator can switch them on with ATELIER_SUGGESTIONS=true.":
      () => t("Suggestions are switched off on this server. The operator can switch them on with ATELIER_SUGGESTIONS=true."),
    "The suggestion model is not installed on this server. The operator can enable it by installing the 'suggest' extra (pip install 'opgave-atelier[suggest]') and restarting.":
      () => t("The suggestion model is not installed on this server. The operator can enable it by installing the 'suggest' extra (pip install 'opgave-atelier[suggest]') and restarting."),
  };
  return known[reason] ? known[reason]() : reason;
}

const short = (text) => (text.length > 70 ? `${text.slice(0, 67)}…` : text);
const quote = (text) => "“" + short(text) + "”";
const brief = (text) => "“" + (text.length > 34 ? `${text.slice(0, 32)}…` : text) + "”";
const pairKey = (a, b) => (a < b ? `${a}-${b}` : `${b}-${a}`);

export class SuggestPanel {
  // room: the console's socket (for card.posted); cards(): the board's visible cards;
  // newCluster(cards, title) and mergePair(first, second): the board's own undoable steps;
  // redraw(): redraw the board (duplicate marks sit on its tiles).
  constructor({ workshopId, room, state, cards, newCluster, mergePair, redraw }) {
    this.workshopId = workshopId;
    this.state = state;
    this.cards = cards;
    this.newCluster = newCluster;
    this.mergePair = mergePair;
    this.redraw = redraw;
    this.available = null; // null: not known yet
    this.reason = "";
    this.busy = false;
    this.model = "";
    this.suggestions = []; // {key, name, cardIds}
    this.ungrouped = [];
    this.runs = 0;
    this.pairs = []; // {card_id, other_id, similarity}
    this.dismissed = this._loadDismissed();
    this.marks = new Map(); // card id -> the older cards it may duplicate
    this.timer = null;
    this.element = this._build();
    room.on("event:card.posted", () => this.lookForDuplicates(DEBOUNCE_MS));
    this.lookForDuplicates(0); // on load: marks, and whether the model is there
  }

  // ------------------------------------------------------------ clusters

  _build() {
    // Compact (one row, one line), so the clusters below stay where the facilitator expects them.
    const root = h("section", { id: "board-suggest", class: "board-suggest", "aria-labelledby": "board-suggest-title" },
      h("div", { class: "board-suggest-run" },
        h("h4", { id: "board-suggest-title" }, t("Suggestions from the model")),
        h("button", { type: "button", id: "board-suggest-run", class: "small", "aria-describedby": "board-suggest-how board-suggest-why" }, t("Suggest clusters")),
        h("p", { id: "board-suggest-status", class: "board-suggest-status", role: "status", "aria-live": "polite" })),
      h("p", { id: "board-suggest-how", class: "hint" }, t("A model on this server groups the cards not yet in a cluster by meaning. No text leaves the server, and the room decides.")),
      h("p", { id: "board-suggest-why", class: "board-suggest-why", hidden: true }),
      h("div", { id: "board-suggest-list" }));
    root.addEventListener("click", (e) => {
      const button = e.target.closest("button");
      if (!button || !root.contains(button)) return;
      const { suggestion, drop, take, ignore } = button.dataset;
      if (button.id === "board-suggest-run") this.run();
      else if (button.id === "board-suggest-all") this.takeAll();
      else if (button.id === "board-suggest-clear") this.ignoreAll();
      else if (drop) this.dropCard(suggestion, Number(drop));
      else if (take) this.take(take);
      else if (ignore) this.ignore(ignore);
    });
    root.addEventListener("input", (e) => {
      const key = e.target.dataset && e.target.dataset.name;
      const found = key && this.suggestions.find((s) => s.key === key);
      if (found) found.name = e.target.value;
    });
    return root;
  }

  _status(text) {
    $("#board-suggest-status", this.element).textContent = text;
  }

  _setAvailable(available, reason = "") {
    this.available = available;
    this.reason = available ? "" : knownReason(reason);
    const button = $("#board-suggest-run", this.element);
    const why = $("#board-suggest-why", this.element);
    button.disabled = !available;
    why.hidden = available;
    why.textContent = this.reason;
  }

  async _get(what) {
    const response = await fetch(`/api/workshops/${this.workshopId}/suggestions/${what}`, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      const error = new Error(String(response.status));
      error.retryAfter = Number(response.headers.get("Retry-After")) || 0; // seconds, on 429
      throw error;
    }
    const answer = await response.json();
    this._setAvailable(answer.available, answer.reason);
    return answer;
  }

  async run() {
    if (this.busy || this.available === false) return;
    const loose = this.cards().filter((c) => c.cluster_id === null);
    if (!loose.length) { this._status(t("Every card is in a cluster: there is nothing to suggest.")); return; }
    this.busy = true;
    const button = $("#board-suggest-run", this.element);
    button.setAttribute("aria-disabled", "true"); // stays focusable while it works
    button.classList.add("is-busy");
    this._status(tn("Suggesting clusters for %(n)s card…", "Suggesting clusters for %(n)s cards…", loose.length));
    try {
      const answer = await this._get("clusters");
      if (!answer.available) { this._status(""); announce(this.reason); return; }
      this.runs += 1;
      this.model = answer.model;
      this.suggestions = answer.clusters.map((c, i) => ({ key: `${this.runs}-${i}`, name: c.name, cardIds: c.card_ids.slice() }));
      this.ungrouped = answer.ungrouped.slice();
      this.update();
      this._status(this.suggestions.length
        ? tn("%(n)s cluster suggested. Take over, edit or ignore it.", "%(n)s clusters suggested. Take over, edit or ignore each.", this.suggestions.length)
        : t("The model found no clusters among these cards."));
    } catch (error) {
      this._status(error.message === "401" ? t("Signed out: log in again") : t("The suggestions could not be made. Try again."));
    } finally {
      this.busy = false;
      button.removeAttribute("aria-disabled");
      button.classList.remove("is-busy");
    }
  }

  // The room moved on (cards clustered, merged, hidden): suggestions keep only the cards still
  // loose on the board, and a suggestion with none left goes.
  _prune() {
    const loose = new Set(this.cards().filter((c) => c.cluster_id === null).map((c) => c.id));
    for (const s of this.suggestions) s.cardIds = s.cardIds.filter((id) => loose.has(id));
    this.suggestions = this.suggestions.filter((s) => s.cardIds.length);
    this.ungrouped = this.ungrouped.filter((id) => loose.has(id));
  }

  // Called by the board on every change in the room.
  update() {
    this._index();
    this._prune();
    keep($("#board-suggest-list", this.element), () => this._list());
  }

  _list() {
    if (!this.suggestions.length && !this.ungrouped.length) return null;
    const cards = this.state().cards;
    const item = (id, extra) => {
      const card = cards[id];
      if (!card) return null;
      return h("li", { class: `board-suggest-card kind-${card.kind}` },
        h("span", { class: "board-suggest-text" }, card.text),
        h("span", { class: "board-kind" }, label(CARD_KINDS, card.kind)),
        extra);
    };
    return [
      this.suggestions.length ? h("div", { class: "board-suggest-bar" },
        h("p", {}, tn("%(n)s suggested cluster", "%(n)s suggested clusters", this.suggestions.length),
          this.model ? h("span", { class: "muted" }, " · " + t("model: %(model)s", { model: this.model })) : null),
        h("button", { type: "button", id: "board-suggest-all", class: "small" }, t("Take over all")),
        h("button", { type: "button", id: "board-suggest-clear", class: "secondary small" }, t("Ignore all"))) : null,
      this.suggestions.length ? h("ol", { class: "board-suggest-items" }, this.suggestions.map((s, index) => {
        const nameId = `board-suggest-name-${s.key}`;
        return h("li", {}, h("div", { class: "board-suggest-item", id: `board-suggest-${s.key}`, role: "group", "aria-label": t("Suggestion %(n)s", { n: index + 1 }) },
          h("label", { for: nameId }, t("Name of suggestion %(n)s", { n: index + 1 })),
          h("input", { id: nameId, value: s.name, maxlength: 200, autocomplete: "off", dataset: { name: s.key } }),
          h("ul", { class: "board-suggest-cards" }, s.cardIds.map((id) => item(id,
            h("button", { type: "button", class: "secondary small", id: `board-suggest-drop-${s.key}-${id}`, dataset: { suggestion: s.key, drop: id } },
              t("Take out"), h("span", { class: "visually-hidden" }, " " + t("from this suggestion: %(card)s", { card: quote(cards[id] ? cards[id].text : "?") })))))),
          h("div", { class: "board-suggest-actions" },
            h("button", { type: "button", class: "small", id: `board-suggest-take-${s.key}`, dataset: { take: s.key } },
              t("Take over"), h("span", { class: "visually-hidden" }, " " + tn("(%(n)s card)", "(%(n)s cards)", s.cardIds.length))),
            h("button", { type: "button", class: "secondary small", id: `board-suggest-ignore-${s.key}`, dataset: { ignore: s.key } }, t("Ignore")))));
      })) : null,
      this.ungrouped.length ? h("div", { class: "board-suggest-ungrouped", role: "group", "aria-labelledby": "board-suggest-ungrouped-title" },
        h("h5", { id: "board-suggest-ungrouped-title" }, tn("Fits nowhere (%(n)s card)", "Fits nowhere (%(n)s cards)", this.ungrouped.length)),
        h("p", { class: "hint" }, t("The model put these cards in no suggestion. They stay in the pool for the room to place.")),
        h("ul", { class: "board-suggest-cards" }, this.ungrouped.map((id) => item(id, null)))) : null,
    ];
  }

  // After a suggestion or card leaves the list, focus goes to its neighbour, else to the button.
  _focusAfter(ids) {
    for (const id of ids) {
      const el = id && document.getElementById(id);
      if (el) { el.focus(); return; }
    }
    $("#board-suggest-run", this.element).focus();
  }

  _neighbours(key) {
    const index = this.suggestions.findIndex((s) => s.key === key);
    const next = this.suggestions[index + 1] || this.suggestions[index - 1];
    return next ? [`board-suggest-name-${next.key}`] : [];
  }

  dropCard(key, cardId) {
    const s = this.suggestions.find((x) => x.key === key);
    if (!s) return;
    const at = s.cardIds.indexOf(cardId);
    s.cardIds = s.cardIds.filter((id) => id !== cardId);
    const then = s.cardIds.length
      ? [`board-suggest-drop-${key}-${s.cardIds[Math.min(at, s.cardIds.length - 1)]}`]
      : this._neighbours(key);
    const card = this.state().cards[cardId];
    if (!s.cardIds.length) this.suggestions = this.suggestions.filter((x) => x !== s);
    this.update();
    this._focusAfter(then);
    announce(t("%(card)s taken out of the suggestion", { card: quote(card ? card.text : "?") }));
  }

  take(key) {
    const s = this.suggestions.find((x) => x.key === key);
    if (!s) return;
    const then = this._neighbours(key);
    this._send(s);
    this.suggestions = this.suggestions.filter((x) => x !== s);
    this.update();
    this._focusAfter(then);
  }

  _send(s) {
    const cards = s.cardIds.map((id) => this.state().cards[id]).filter(Boolean);
    const name = s.name.trim() || t("Cluster");
    if (cards.length) this.newCluster(cards, name.slice(0, 200));
  }

  takeAll() {
    const all = this.suggestions;
    this.suggestions = [];
    for (const s of all) this._send(s);
    this.update();
    this._focusAfter([]);
    announce(tn("%(n)s suggested cluster taken over", "%(n)s suggested clusters taken over", all.length));
  }

  ignore(key) {
    const then = this._neighbours(key);
    this.suggestions = this.suggestions.filter((x) => x.key !== key);
    this.update();
    this._focusAfter(then);
    announce(t("Suggestion ignored"));
  }

  ignoreAll() {
    this.suggestions = [];
    this.ungrouped = [];
    this.update();
    this._focusAfter([]);
    announce(t("Suggestions ignored"));
  }

  // ------------------------------------------------------------ possible duplicates

  lookForDuplicates(delay) {
    clearTimeout(this.timer);
    if (this.available === false) return;
    this.timer = setTimeout(() => this._fetchDuplicates(), delay);
  }

  async _fetchDuplicates() {
    try {
      const answer = await this._get("duplicates");
      this.pairs = answer.available ? answer.pairs : [];
      this.element.dataset.pairs = String(this.pairs.length); // when the marks are known
      this._index();
      this.redraw();
    } catch (error) {
      // Marks are a help, not a must: the next card posted tries again. Refused as too many
      // or while the model still works for this workshop (429): try again when told to.
      if (error.message === "429") this.lookForDuplicates(Math.max(DEBOUNCE_MS, error.retryAfter * 1000));
    }
  }

  _dismissKey() {
    return `atelier:${this.workshopId}:not-duplicates`;
  }

  _loadDismissed() {
    try {
      return new Set(JSON.parse(sessionStorage.getItem(this._dismissKey()) || "[]"));
    } catch {
      return new Set();
    }
  }

  dismiss(a, b) {
    this.dismissed.add(pairKey(a, b));
    try {
      sessionStorage.setItem(this._dismissKey(), JSON.stringify([...this.dismissed]));
    } catch { /* private mode: kept for this page only */ }
    this._index();
    this.redraw();
    const tile = document.getElementById(`board-card-${Math.max(a, b)}`);
    if (tile) tile.focus();
    announce(t("Marked as not a duplicate"));
  }

  // Each possible duplicate still on the board is marked on the newer card of the pair (the one
  // most likely still in the pool), naming the older one. Worked out once per change, not per tile.
  _index() {
    const onBoard = new Map(this.cards().map((c) => [c.id, c]));
    this.marks = new Map();
    for (const p of this.pairs) {
      const [older, newer] = [onBoard.get(Math.min(p.card_id, p.other_id)), onBoard.get(Math.max(p.card_id, p.other_id))];
      if (!older || !newer || older.kind !== newer.kind || this.dismissed.has(pairKey(older.id, newer.id))) continue;
      if (!this.marks.has(newer.id)) this.marks.set(newer.id, []);
      this.marks.get(newer.id).push(older.id);
    }
  }

  duplicateMark(card) {
    const cards = this.state().cards;
    const others = (this.marks.get(card.id) || []).map((id) => cards[id]).filter(Boolean);
    if (!others.length) return null;
    return h("div", { class: "board-dup", role: "group", "aria-label": t("Possible duplicate") },
      others.map((other) => h("div", { class: "board-dup-pair" },
        h("p", {}, t("Possibly a duplicate of: %(card)s", { card: brief(other.text) })),
        h("button", { type: "button", class: "secondary small", id: `board-dup-merge-${card.id}-${other.id}`, onclick: () => this.mergePair(card, other) },
          t("Merge"), h("span", { class: "visually-hidden" }, " " + t("with %(card)s", { card: quote(other.text) }))),
        h("button", { type: "button", class: "link", id: `board-dup-not-${card.id}-${other.id}`, onclick: () => this.dismiss(card.id, other.id) },
          t("Not a duplicate"), h("span", { class: "visually-hidden" }, " " + t("of %(card)s", { card: quote(other.text) }))))));
  }
}
