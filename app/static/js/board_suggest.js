// Suggestions from the model on this server, on the console's board: clusters for the cards not
// yet in one, where each loose card goes among the facilitator's own clusters, and possible
// duplicates. The model never decides: each suggested cluster is taken over ("Overnemen", one
// ordinary cluster.create through the board, so it is in the log and undoable like any board
// step), edited or ignored, its most central cards first with a "kern" badge; a loose card's
// suggested cluster is one tap on its tile ("→ Bus en vervoer", a cluster.move), and "Plaats alle
// zekere" places every confident one in one cluster.place (one undo); a possible duplicate opens
// the board's merge dialog, or is dismissed for this browser session.
//
// Placements follow the board: when a card or cluster changes they are asked again, DEBOUNCE_MS
// after the last change and at most every PLACE_GAP_MS, so a facilitator sorting fast stays well
// under the server's per-minute limit (30 suggestion requests, duplicates included).
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
const BUSY_RETRY_MS = 10_000; // after a 503 (the model timed out on a busy server)
export const PLACE_GAP_MS = 4000; // placements at most this often (15 a minute)

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
  // newCluster(cards, title, core) and mergePair(first, second): the board's own undoable steps;
  // redraw(): redraw the board (duplicate marks sit on its tiles).
  // placeMany([{card, clusterId}]): the board's one undoable step for many placements.
  constructor({ workshopId, room, state, cards, newCluster, mergePair, placeMany, redraw }) {
    this.workshopId = workshopId;
    this.state = state;
    this.cards = cards;
    this.newCluster = newCluster;
    this.mergePair = mergePair;
    this.placeMany = placeMany;
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
    this.placements = new Map(); // loose card id -> {cluster_id, confidence}
    this.confident = 1; // from the answer: the confidence from which a placement is sure
    this.boardKey = null; // what the placements were asked for (cards' clusters, cluster titles)
    this.placeTimer = null;
    this.placeAsked = 0; // when placements were last asked for (ms)
    this.placeFetching = false;
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
      h("div", { id: "board-suggest-place", class: "board-suggest-place", hidden: true },
        h("p", { id: "board-place-info" }),
        h("button", { type: "button", id: "board-place-sure", class: "small", "aria-describedby": "board-place-info" }, t("Place all sure ones"))),
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
      else if (button.id === "board-place-sure") this.placeSure();
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
      this.suggestions = answer.clusters.map((c, i) => ({ key: `${this.runs}-${i}`, name: c.name, cardIds: c.card_ids.slice(), core: new Set(c.representatives) }));
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
    this._followBoard();
    this._placeBar();
  }

  _list() {
    if (!this.suggestions.length && !this.ungrouped.length) return null;
    const cards = this.state().cards;
    const item = (id, extra, core = false) => {
      const card = cards[id];
      if (!card) return null;
      return h("li", { class: `board-suggest-card kind-${card.kind}` },
        core ? h("span", { class: "board-suggest-core", title: t("One of the cards that show best what this suggestion is about") }, t("core")) : null,
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
          h("ul", { class: "board-suggest-cards" }, this._coreFirst(s).map((id) => item(id,
            h("button", { type: "button", class: "secondary small", id: `board-suggest-drop-${s.key}-${id}`, dataset: { suggestion: s.key, drop: id } },
              t("Take out"), h("span", { class: "visually-hidden" }, " " + t("from this suggestion: %(card)s", { card: quote(cards[id] ? cards[id].text : "?") }))), s.core.has(id)))),
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
    const at = this._coreFirst(s).indexOf(cardId); // as shown: the core cards first
    s.cardIds = s.cardIds.filter((id) => id !== cardId);
    const shown = this._coreFirst(s);
    const then = shown.length
      ? [`board-suggest-drop-${key}-${shown[Math.min(at, shown.length - 1)]}`]
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
    const core = cards.filter((c) => s.core.has(c.id)).map((c) => c.id);
    if (cards.length) this.newCluster(cards, name.slice(0, 200), core);
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

  // A suggestion's cards with its most central ones (the model's representatives) first.
  _coreFirst(s) {
    return [...s.cardIds.filter((id) => s.core.has(id)), ...s.cardIds.filter((id) => !s.core.has(id))];
  }

  // ------------------------------------------------------------ placements

  // Ask again when the board changed: which cards are in which cluster, and the clusters' titles.
  _followBoard() {
    const state = this.state();
    const cards = this.cards();
    const key = [
      cards.map((c) => `${c.id}:${c.cluster_id}`).join(","),
      Object.values(state.clusters).map((cl) => `${cl.id}:${cl.title}`).sort().join("|"),
    ].join("/");
    if (key === this.boardKey) return;
    const first = this.boardKey === null;
    this.boardKey = key;
    const seeded = cards.some((c) => c.cluster_id !== null);
    const loose = cards.some((c) => c.cluster_id === null);
    if (!seeded || !loose) { clearTimeout(this.placeTimer); this.placements = new Map(); return; }
    this.lookForPlacements(first ? 0 : DEBOUNCE_MS);
  }

  lookForPlacements(delay) {
    clearTimeout(this.placeTimer);
    if (this.available === false) return;
    const wait = Math.max(delay, this.placeAsked + PLACE_GAP_MS - Date.now());
    this.placeTimer = setTimeout(() => this._fetchPlacements(), wait);
  }

  async _fetchPlacements() {
    this.placeTimer = null;
    if (this.placeFetching) { this.lookForPlacements(DEBOUNCE_MS); return; } // one at a time
    const asked = this.boardKey;
    this.placeFetching = true;
    this.placeAsked = Date.now();
    try {
      const answer = await this._get("placements");
      if (!answer.available) { this.placements = new Map(); return; }
      this.confident = answer.confident;
      this.placements = new Map(answer.placements.map((p) => [p.card_id, p]));
      this.element.dataset.placements = String(this.placements.size); // when they are known
      this._placeBar();
      this.redraw();
    } catch (error) {
      // A help, not a must: the next change asks again; refused as too many or while the model
      // still works for this workshop (429), try again when told to.
      if (error.message === "429") this.lookForPlacements(Math.max(DEBOUNCE_MS, error.retryAfter * 1000));
    } finally {
      this.placeFetching = false;
      if (asked !== this.boardKey && this.placeTimer === null) this.lookForPlacements(DEBOUNCE_MS);
    }
  }

  // The placement still meant for `card`: it is loose, and the cluster is still on the board.
  _placementOf(card) {
    const p = card.cluster_id === null ? this.placements.get(card.id) : null;
    const cluster = p ? this.state().clusters[p.cluster_id] : null;
    return cluster ? { cluster, sure: p.confidence >= this.confident } : null;
  }

  _sure() {
    return this.cards().map((card) => ({ card, placement: this._placementOf(card) }))
      .filter(({ placement }) => placement && placement.sure)
      .map(({ card, placement }) => ({ card, clusterId: placement.cluster.id }));
  }

  // Under a loose tile: "→ Bus en vervoer", the facilitator's own title; the board moves the card.
  placeButton(card) {
    const placement = this._placementOf(card);
    if (!placement) return null;
    const { cluster, sure } = placement;
    return h("button", {
      type: "button", class: `board-place${sure ? " is-sure" : ""}`, id: `board-place-${card.id}`,
      "aria-label": sure ? t("Place in %(title)s (sure)", { title: cluster.title }) : t("Place in %(title)s", { title: cluster.title }),
      dataset: { place: card.id, placeTo: cluster.id },
    }, "→ " + short(cluster.title));
  }

  _placeBar() {
    const bar = $("#board-suggest-place", this.element);
    const shown = this.cards().filter((card) => this._placementOf(card)).length;
    const sure = this._sure().length;
    bar.hidden = !shown && !bar.contains(document.activeElement); // not from under the focus
    const info = shown ? tn("The model suggests a cluster for %(n)s loose card (→ under the card).", "The model suggests a cluster for %(n)s loose cards (→ under each card).", shown) +
      " " + tn("%(n)s of them is sure.", "%(n)s of them are sure.", sure) : "";
    const text = $("#board-place-info", this.element);
    if (text.textContent !== info) text.textContent = info;
    // aria-disabled, not disabled: the button keeps the focus after it placed the last sure card.
    const button = $("#board-place-sure", this.element);
    if (button.getAttribute("aria-disabled") !== String(!sure)) button.setAttribute("aria-disabled", String(!sure));
  }

  placeSure() {
    const sure = this._sure();
    if (!sure.length) { announce(t("No placement is sure enough: place the cards one by one.")); return; }
    this.placeMany(sure);
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
      // The model took too long on a busy server (503): its vectors are kept, so asking again
      // in a while costs only what is new.
      else if (error.message === "503") this.lookForDuplicates(BUSY_RETRY_MS);
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
