// The clustering board on the console: unclustered cards in a pool, each cluster a box of tiles.
// It fits the laptop's screen: the pool and the clusters sit side by side, each scrolling within
// itself, so every drop target is in reach without scrolling the page (board.css); clusters fold
// to their name and count, and a compact density holds 200 cards. Cards move by drag and drop
// (board_drag.js: onto a cluster, the pool, or "new cluster"; anywhere else does nothing) or,
// without dragging, by selecting them and choosing "Move to…"; a search box (alternatives
// separated by commas) with "Select all shown" and "New cluster from selection" clusters many
// cards in three steps. Each tile has its own small menu to hide or spotlight the card. Every step can be undone (board_undo.js). Suggestions from the phones wait
// in an inbox to be accepted or declined; suggestions from the model on this server, and marks on
// possible duplicates, come from board_suggest.js.
//
// The board is one element kept just before the console's #controls, never replaced:
// mountBoard() updates it in place on every change in the room (once per frame, view.js), and it
// hides itself outside the Clusteren phase. Its lists are redrawn with keep() (view.js), so focus
// and a title being typed survive; what the facilitator is doing (selection, search, renaming, a
// drag) lives in `ui` here, so a live update never loses it. The facilitator's own actions draw at
// once, so the next key press finds what it expects.

import { byId } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CARD_KINDS, TAGS, WORLDS, label } from "./labels.js";
import { keep, schedule } from "./view.js";
import { helpToggle } from "./glossary.js";
import { enableDrag } from "./board_drag.js";
import { confirmMerge } from "./board_merge.js";
import { History, byPrevious } from "./board_undo.js";
import { SuggestPanel } from "./board_suggest.js";

const KINDS = new Set(Object.keys(CARD_KINDS));
const ui = {
  selected: new Set(), anchor: null, filter: "", renaming: null, drag: null,
  collapsed: new Set(), compact: null, menu: null, reveal: null, returnTo: null,
};
const COMPACT_FROM = 60; // cards on the board from which the compact density is the default
let state = null;
let root = null;
let command = null; // the console's: sends, says the outcome, resolves with the ack's result
let suggest = null;
const history = new History();

// ---------------------------------------------------------------- what the board shows

export function boardCards(snapshot) {
  return byId(snapshot.cards).filter((c) => KINDS.has(c.kind) && !c.hidden && c.merged_into_id === null);
}

const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

// The search: alternatives separated by commas, each a few words that must all occur
// ("bus, regiotaxi, halte": cards with any of the three). Parts of words count, so "zorg" finds
// "mantelzorgers" too.
function matches(card) {
  const alternatives = fold(ui.filter).split(",").map((a) => a.split(/\s+/).filter(Boolean)).filter((a) => a.length);
  if (!alternatives.length) return true;
  const text = fold(card.text);
  return alternatives.some((words) => words.every((w) => text.includes(w)));
}

// "Select all shown" takes the loose cards the search shows (a search also shows the cards already
// in clusters, which stay there); only when none is loose, every card shown.
function shownToSelect() {
  const shown = boardCards(state).filter(matches);
  const loose = shown.filter((c) => c.cluster_id === null);
  return (loose.length ? loose : shown).map((c) => c.id);
}

const compact = () => (ui.compact === null ? boardCards(state).length >= COMPACT_FROM : ui.compact);

// The cards in reading order (pool first, then cluster by cluster): the order of a shift-click range.
function ordered() {
  const cards = boardCards(state);
  const pool = cards.filter((c) => c.cluster_id === null);
  const inClusters = byId(state.clusters).flatMap((cl) => cards.filter((c) => c.cluster_id === cl.id));
  return [...pool, ...inClusters];
}

export function titleFrom(text, limit = 60) {
  const clean = text.split(/\s+/).filter(Boolean).join(" ");
  if (clean.length <= limit) return clean || t("Cluster");
  return `${clean.slice(0, limit).replace(/\s+\S*$/, "")}…`;
}

const short = (text) => (text.length > 70 ? `${text.slice(0, 67)}…` : text);
// Kept out of t()'s arguments: the message extractor does not read template literals.
const quote = (text) => "“" + short(text) + "”";

// ---------------------------------------------------------------- mounting

// Called by the console on every redraw in the Clusteren phase (the board sits before #controls).
export function mountBoard(room, { socket, command: send }) {
  state = room;
  if (!root) {
    command = send;
    build(socket);
    socket.on("state", () => schedule("board:shown", () => {
      root.hidden = socket.state.workshop.phase !== "clusteren";
      document.body.classList.toggle("is-clustering", !root.hidden);
    }));
  }
  // Full width, above the console's columns: the board is what this phase is about.
  if (!root.isConnected) document.querySelector(".columns").before(root);
  root.hidden = false;
  document.body.classList.add("is-clustering");
  fitToWindow();
  const visible = new Set(boardCards(state).map((c) => c.id));
  for (const id of ui.selected) if (!visible.has(id)) ui.selected.delete(id);
  if (ui.renaming !== null && !state.clusters[ui.renaming]) ui.renaming = null;
  suggest.update();
  draw();
  return null;
}

// The board is as tall as the window below where it starts (board.css), measured as the console's
// head above it wraps differently on each width.
// When the tools above the lists grow (the model's suggestions, the phones'), the board grows with
// them rather than squeeze the lists below 14rem.
function fitToWindow() {
  const box = root.getBoundingClientRect();
  const top = `${Math.round(box.top + window.scrollY)}px`;
  const above = `${Math.round($("#board-lists", root).getBoundingClientRect().top - box.top)}px`;
  if (root.style.getPropertyValue("--board-top") !== top) root.style.setProperty("--board-top", top);
  if (root.style.getPropertyValue("--board-above") !== above) root.style.setProperty("--board-above", above);
}
window.addEventListener("resize", () => { if (root && !root.hidden) fitToWindow(); });

function build(socket) {
  suggest = new SuggestPanel({
    workshopId: socket.workshopId, room: socket, state: () => state, cards: () => boardCards(state),
    newCluster, mergePair, placeMany, redraw: () => draw(),
  });
  const [tagHelp, tagNotes] = [[], []];
  for (const tag of Object.keys(TAGS)) {
    const [button, note] = helpToggle(tag);
    note.id = `board-help-${tag}`;
    button.setAttribute("aria-controls", note.id);
    tagHelp.push(h("span", { class: "board-legend-term" }, h("span", { class: `tag tag-${tag}` }, label(TAGS, tag)), button));
    tagNotes.push(note);
  }
  root = h("section", { id: "board", class: "board", "aria-labelledby": "board-title" },
    h("div", { class: "board-head" },
      h("h3", { id: "board-title" }, t("Clustering board")),
      h("details", { class: "board-how", id: "board-how-box" }, h("summary", {}, t("How it works")), h("p", { class: "hint", id: "board-how" }, t("Drag cards onto a cluster, onto the pool or onto “New cluster”; a drop anywhere else does nothing. Or select cards (click, shift-click for a range, Space on the keyboard; arrow keys go from card to card) and choose where they go. / goes to the search, Ctrl+Z undoes."))),
      h("div", { class: "board-legend" }, h("span", {}, t("Tags:")), tagHelp, tagNotes),
      h("div", { class: "board-view", role: "group", "aria-label": t("Board view") },
        h("button", { type: "button", class: "secondary small", id: "board-compact", "aria-pressed": "false" }, t("Compact")),
        h("button", { type: "button", class: "secondary small", id: "board-fold-all" }, t("Fold all clusters")),
        h("button", { type: "button", class: "secondary small", id: "board-undo", "aria-describedby": "board-undo-what" }, t("Undo")),
        h("span", { id: "board-undo-what", class: "visually-hidden" }))),
    h("div", { class: "board-toolbar", role: "group", "aria-label": t("Board tools") },
      h("div", { class: "board-find" },
        h("label", { for: "board-filter" }, t("Find cards")),
        h("input", { id: "board-filter", type: "search", autocomplete: "off", "aria-describedby": "board-shown board-find-how" }),
        h("button", { type: "button", class: "secondary", id: "board-select-shown" }, t("Select all shown")),
        h("p", { id: "board-shown", class: "board-shown" }),
        h("p", { id: "board-find-how", class: "visually-hidden" }, t("Separate alternatives with commas. Enter selects the loose cards shown; the down arrow goes to the first card."))),
      h("div", { class: "board-act" },
        h("p", { id: "board-selection", class: "board-selection" }),
        h("button", { type: "button", id: "board-new" }, t("New cluster from selection")),
        h("span", { class: "board-move" },
          h("label", { for: "board-move-to" }, t("Move selection to")),
          h("select", { id: "board-move-to" }),
          h("button", { type: "button", class: "secondary", id: "board-move-go" }, t("Move")))),
      // Drawn at the end of the search's row (board.css), after the move in the keyboard's order.
      h("div", { class: "board-also" },
        h("button", { type: "button", class: "secondary", id: "board-merge" }, t("Merge duplicates")),
        h("button", { type: "button", class: "secondary", id: "board-clear" }, t("Clear selection"))),
      h("p", { id: "board-note", class: "board-note" })),
    suggest.element,
    h("div", { id: "board-inbox" }),
    h("div", { id: "board-lists", class: "board-lists" },
      h("section", { class: "board-pool", id: "board-pool", dataset: { zone: "pool" }, "aria-labelledby": "board-pool-title" },
        h("h4", { id: "board-pool-title" }),
        h("div", { id: "board-pool-body", class: "board-scroll", dataset: { autoscroll: "" } })),
      h("section", { class: "board-side", "aria-labelledby": "board-clusters-title" },
        h("div", { class: "board-side-head" },
          h("h4", { id: "board-clusters-title" }),
          h("div", { id: "board-new-zone", class: "board-new-zone", dataset: { zone: "new" } }, t("Drop here: new cluster"))),
        h("div", { id: "board-clusters-body", class: "board-scroll", dataset: { autoscroll: "" } }))));
  listen();
  enableDrag(root, {
    cardsFor: (id) => (ui.selected.has(id) ? ordered().filter((c) => ui.selected.has(c.id)).map((c) => c.id) : [id]),
    describe: (ids) => (ids.length === 1 ? short(state.cards[ids[0]].text) : tn("%(n)s card", "%(n)s cards", ids.length)),
    target: (zone) => where(zone),
    onChange: (drag) => { ui.drag = drag; draw(); },
    onOver: (over) => { ui.drag.over = over; markOver(); },
    onDrop: (ids, zone) => drop(ids, zone),
    onTap: (id, e) => toggle(id, e.shiftKey),
  });
}

// What a drop on `zone` does, for the ghost under the pointer.
function where(zone) {
  if (!zone) return t("Drop here: nothing happens");
  if (zone === "pool") return "→ " + t("Not in a cluster");
  if (zone === "new") return "→ " + t("A new cluster");
  const cluster = state.clusters[Number(zone.split(":")[1])];
  return cluster ? "→ " + short(cluster.title) : "";
}

// ---------------------------------------------------------------- drawing

// The drop zone under a dragged card is marked in place: a pointer crossing the board does not
// redraw its 200 tiles on every zone it passes (draw() marks the same from ui.drag).
function markOver() {
  const over = ui.drag ? ui.drag.over : null;
  for (const zone of root.querySelectorAll("[data-zone]")) zone.classList.toggle("is-over", zone.dataset.zone === over);
}

// `force`: the facilitator ended the renaming (Enter, Escape): its field goes, though focused.
function draw({ force = false } = {}) {
  if (!root) return;
  const cards = boardCards(state);
  const shown = cards.filter(matches);
  const loose = cards.filter((c) => c.cluster_id === null);
  root.classList.toggle("is-compact", compact());
  root.classList.toggle("has-few-loose", loose.length <= 12); // the clusters take the room
  $("#board-compact", root).setAttribute("aria-pressed", String(compact()));
  $("#board-fold-all", root).textContent = allFolded() ? t("Unfold all clusters") : t("Fold all clusters");
  $("#board-pool-title", root).textContent = tn("Not in a cluster (%(n)s card)", "Not in a cluster (%(n)s cards)", loose.length);
  $("#board-clusters-title", root).textContent = tn("Clusters (%(n)s)", "Clusters (%(n)s)", byId(state.clusters).length);
  $("#board-pool", root).classList.toggle("is-over", Boolean(ui.drag && ui.drag.over === "pool"));
  $("#board-new-zone", root).classList.toggle("is-over", Boolean(ui.drag && ui.drag.over === "new"));
  $("#board-new-zone", root).classList.toggle("is-ready", Boolean(ui.drag));
  // The lists redraw during a press on a tile on purpose (a drag starts, zones are marked); its
  // tap is told from a drag by board_drag.js, which finds the pressed card again after a redraw.
  // A press on any other button in them (a card's "→ cluster", its menu) holds the redraw.
  const onTile = (el) => Boolean(el.closest && el.closest(".board-tile"));
  keep($("#board-pool-body", root), () => pool(cards, loose), { force, whilePressed: onTile });
  keep($("#board-clusters-body", root), () => clusterBoxes(cards), { force, whilePressed: onTile });
  keep($("#board-inbox", root), () => inbox());
  fitToWindow();
  $("#board-shown", root).textContent = ui.filter.trim() ? tn("%(n)s card shown", "%(n)s cards shown", shown.length) : "";
  $("#board-selection", root).textContent = tn("%(n)s card selected", "%(n)s cards selected", ui.selected.size);
  moveOptions();
  const step = history.last;
  $("#board-undo", root).disabled = !step;
  $("#board-undo-what", root).textContent = step ? step.label : "";
  // Opening the title field takes the keyboard there, once.
  const renaming = ui.renaming !== null && document.getElementById(`board-rename-${ui.renaming}`);
  if (renaming && document.activeElement !== renaming) { renaming.focus(); renaming.select(); }
  // A cluster the facilitator just made comes into view in its column.
  const made = ui.reveal !== null && document.getElementById(`board-cluster-${ui.reveal}`);
  if (made) { ui.reveal = null; scrollWithin($("#board-clusters-body", root), made); }
}

// Scroll `area` (not the page) so that `el` is in it.
function scrollWithin(area, el) {
  const [box, inner] = [area.getBoundingClientRect(), el.getBoundingClientRect()];
  if (inner.top < box.top) area.scrollTop -= box.top - inner.top + 8;
  else if (inner.bottom > box.bottom) area.scrollTop += Math.min(inner.bottom - box.bottom + 8, inner.top - box.top - 8);
}

function tile(card) {
  const selected = ui.selected.has(card.id);
  const dragging = ui.drag && ui.drag.ids.includes(card.id);
  const spotlit = state.workshop.spotlight_card_id === card.id;
  const open = ui.menu === card.id;
  const cluster = card.cluster_id !== null ? state.clusters[card.cluster_id] : null;
  const core = !!cluster && (cluster.core_card_ids || []).includes(card.id);
  return h("li", { class: "board-item", dataset: { key: `item:${card.id}` } },
    h("button", {
      type: "button", id: `board-card-${card.id}`, "aria-pressed": String(selected),
      class: `board-tile kind-${card.kind}${selected ? " is-selected" : ""}${dragging ? " is-dragging" : ""}${spotlit ? " is-spotlit" : ""}`,
      dataset: { cardId: card.id },
    },
    h("span", { class: "board-grip", "aria-hidden": "true" }, "⠿"),
    card.image ? h("img", { src: card.image.thumb_url, alt: "", width: 48, height: 48 }) : null,
    h("span", { class: "board-text", lang: "nl" }, card.text),
    h("span", { class: "board-kind" }, label(CARD_KINDS, card.kind), card.world ? ` · ${label(WORLDS, card.world)}` : "",
      spotlit ? ` · ${t("on the projector")}` : "", core ? ` · ${t("core")}` : "",
      card.channel === "before" ? ` · ${t("sent in beforehand")}` : "",
      card.assisted ? ` · ${t("entered by a table helper")}` : "")),
    suggest.duplicateMark(card), // right after its tile (board_suggest.js finds it there)
    suggest.placeButton(card), // a loose card: the model's cluster for it, one tap
    h("button", {
      type: "button", class: "board-tile-menu", id: `board-menu-${card.id}`, "aria-expanded": String(open),
      "aria-label": t("More for: %(card)s", { card: short(card.text) }), dataset: { menu: card.id },
    }, "⋯"),
    h("div", { class: "board-tile-actions", id: `board-menu-list-${card.id}`, hidden: !open },
      h("button", { type: "button", class: "secondary small", id: `board-hide-${card.id}`, dataset: { hide: card.id } }, t("Hide")),
      h("button", { type: "button", class: "secondary small", id: `board-spot-${card.id}`, dataset: { spotlight: card.id } },
        spotlit ? t("End spotlight") : t("Spotlight"))));
}

function hiddenNote(total, shown) {
  return total > shown ? h("p", { class: "board-more" }, tn("%(n)s more card hidden by the search", "%(n)s more cards hidden by the search", total - shown)) : null;
}

function pool(cards, loose) {
  const shown = loose.filter(matches);
  const hidden = byId(state.cards).filter((c) => KINDS.has(c.kind) && c.hidden && c.merged_into_id === null);
  return [
    shown.length ? h("ul", { class: "board-tiles" }, shown.map(tile)) :
      h("p", { class: "hint" }, loose.length ? t("No card here matches the search.") : t("Every card is in a cluster. Drop a card here to take it out.")),
    hiddenNote(loose.length, shown.length),
    hidden.length ? h("details", { id: "board-hidden", class: "board-hidden" },
      h("summary", {}, tn("%(n)s hidden card", "%(n)s hidden cards", hidden.length)),
      h("ul", { class: "plain" }, hidden.map((c) => h("li", { dataset: { key: `hidden:${c.id}` } },
        h("span", { lang: "nl" }, short(c.text)), " ",
        h("button", { type: "button", class: "secondary small", id: `board-unhide-${c.id}`, dataset: { unhide: c.id } }, t("Show")))))) : null];
}

function clusterBoxes(cards) {
  const clusters = byId(state.clusters);
  if (!clusters.length) return h("p", { class: "hint board-empty" }, t("No clusters yet. Select cards and choose “New cluster from selection”, or drag cards onto “New cluster”."));
  return h("div", { class: "board-clusters" }, clusters.map((cluster) => {
    const own = cards.filter((c) => c.cluster_id === cluster.id);
    const shown = own.filter(matches);
    const over = ui.drag && ui.drag.over === `cluster:${cluster.id}`;
    const folded = ui.collapsed.has(cluster.id);
    return h("div", {
      class: `board-cluster${over ? " is-over" : ""}${folded ? " is-folded" : ""}`, id: `board-cluster-${cluster.id}`, role: "group",
      "aria-label": t("Cluster: %(title)s", { title: cluster.title }), dataset: { zone: `cluster:${cluster.id}` },
    },
    h("div", { class: "board-cluster-head" },
      h("button", {
        type: "button", class: "board-fold", id: `board-fold-${cluster.id}`, "aria-expanded": String(!folded),
        "aria-label": folded ? t("Unfold %(title)s", { title: cluster.title }) : t("Fold %(title)s", { title: cluster.title }), dataset: { fold: cluster.id },
      }, folded ? "▸" : "▾"),
      clusterTitle(cluster),
      h("span", { class: "board-count" }, tn("%(n)s card", "%(n)s cards", own.length))),
    folded ? null : [
      h("div", { class: "board-tags", role: "group", "aria-label": t("Tags of %(title)s", { title: cluster.title }) },
        Object.keys(TAGS).map((tag) => h("button", {
          type: "button", id: `board-tag-${cluster.id}-${tag}`, class: `board-tag tag-${tag}`,
          "aria-pressed": String(cluster.tags.includes(tag)), "aria-describedby": `board-help-${tag}`,
          dataset: { tag, cluster: cluster.id },
        }, label(TAGS, tag)))),
      shown.length ? h("ul", { class: "board-tiles", id: `board-tiles-${cluster.id}`, dataset: { keepScroll: "" } }, shown.map(tile)) :
        (own.length ? null : h("p", { class: "hint" }, t("Drop cards here."))),
      hiddenNote(own.length, shown.length),
      h("div", { class: "board-cluster-actions" },
        h("button", { type: "button", class: "secondary small", id: `board-pick-${cluster.id}`, dataset: { pick: cluster.id }, disabled: !own.length }, t("Select its cards")),
        h("button", { type: "button", class: "secondary small", id: `board-dissolve-${cluster.id}`, dataset: { dissolve: cluster.id } }, t("Dissolve")))]);
  }));
}

function clusterTitle(cluster) {
  if (ui.renaming === cluster.id) {
    return h("span", { class: "board-rename" },
      h("label", { for: `board-rename-${cluster.id}`, class: "visually-hidden" }, t("New title for %(title)s", { title: cluster.title })),
      h("input", { id: `board-rename-${cluster.id}`, value: cluster.title, maxlength: 200, dataset: { cluster: cluster.id, fresh: "" } }),
      h("span", { class: "hint" }, t("Enter saves, Escape cancels")));
  }
  return h("h4", { class: "board-cluster-title" },
    h("button", { type: "button", class: "board-title", id: `board-title-${cluster.id}`, dataset: { rename: cluster.id }, title: t("Click to rename") },
      cluster.title, h("span", { class: "visually-hidden" }, " (" + t("rename") + ")")));
}

function inbox() {
  const open = byId(state.suggestions || {}).filter((s) => s.status === "open");
  if (!open.length) return null;
  const what = (kind, id) => {
    const item = kind === "cluster" ? state.clusters[id] : state.cards[id];
    if (!item) return "?";
    return kind === "cluster" ? t("cluster “%(title)s”", { title: item.title }) : quote(item.text);
  };
  return h("div", { class: "board-inbox", role: "group", "aria-labelledby": "board-inbox-title" },
    h("h4", { id: "board-inbox-title" }, tn("Suggestion from the phones (%(n)s)", "Suggestions from the phones (%(n)s)", open.length)),
    h("ul", { class: "board-suggestions" }, open.map((s) => {
      const card = state.cards[s.card_id];
      return h("li", {},
        h("p", {}, t("%(card)s belongs with %(target)s", { card: card ? quote(card.text) : "?", target: what(s.target_kind, s.target_id) }), " ",
          h("span", { class: "muted" }, tn("(%(n)s phone)", "(%(n)s phones)", s.count))),
        h("button", { type: "button", class: "small", id: `board-accept-${s.id}`, dataset: { accept: s.id } }, t("Accept")),
        h("button", { type: "button", class: "secondary small", id: `board-decline-${s.id}`, dataset: { decline: s.id } }, t("Decline")));
    })));
}

function moveOptions() {
  const select = $("#board-move-to", root);
  const value = select.value;
  replace(select,
    h("option", { value: "" }, t("Choose…")),
    byId(state.clusters).map((cl) => h("option", { value: `cluster:${cl.id}` }, short(cl.title))),
    h("option", { value: "new" }, t("A new cluster")),
    h("option", { value: "pool" }, t("Not in a cluster")));
  select.value = [...select.options].some((o) => o.value === value) ? value : "";
}

// The board's own line under its tools: what just happened, or why nothing did. Results of
// commands are also announced by the console when the server confirms them, so only hints speak.
function note(text, speak = true) {
  $("#board-note", root).textContent = text;
  if (speak) announce(text);
}

// ---------------------------------------------------------------- selecting

function toggle(id, range) {
  if (range && ui.anchor !== null) {
    const order = ordered().filter(matches).map((c) => c.id);
    const [from, to] = [order.indexOf(ui.anchor), order.indexOf(id)].sort((a, b) => a - b);
    if (from >= 0) for (const other of order.slice(from, to + 1)) ui.selected.add(other);
    else ui.selected.add(id);
  } else if (ui.selected.has(id)) ui.selected.delete(id);
  else ui.selected.add(id);
  ui.anchor = id;
  draw();
  announce(tn("%(n)s card selected", "%(n)s cards selected", ui.selected.size));
}

function select(ids) {
  for (const id of ids) ui.selected.add(id);
  draw();
  announce(tn("%(n)s card selected", "%(n)s cards selected", ui.selected.size));
}

function clearSelection() {
  if (!ui.selected.size) return;
  ui.selected.clear();
  ui.anchor = null;
  draw();
  announce(t("Selection cleared"));
}

function selection() {
  return ordered().filter((c) => ui.selected.has(c.id));
}

// ---------------------------------------------------------------- the actions (each undoable)

function moveCards(cards, clusterId) {
  const moving = cards.filter((c) => c.cluster_id !== clusterId);
  if (!moving.length) { note(t("Those cards are already there.")); return; }
  const previous = new Map(moving.map((c) => [c.id, c.cluster_id]));
  const where = clusterId === null ? t("out of their cluster") : t("to “%(title)s”", { title: state.clusters[clusterId].title });
  const done = tn("Moved %(n)s card %(where)s", "Moved %(n)s cards %(where)s", moving.length, { where });
  const sent = command("cluster.move", { card_ids: moving.map((c) => c.id), cluster_id: clusterId }, done);
  history.record(done, () => moveBack(previous), sent);
  note("", false); // the console says what was done (#feedback); the note is for why nothing was
  ui.selected.clear();
  draw();
}

async function moveBack(previous) {
  for (const [clusterId, cardIds] of byPrevious(previous)) {
    await command("cluster.move", { card_ids: cardIds, cluster_id: history.cluster(clusterId) }, t("Undone"));
  }
}

// core: the cards that stand for the cluster best (a taken-over suggestion's "kern").
function newCluster(cards, title, core = []) {
  if (!cards.length) { note(t("Select one or more cards first.")); return; }
  const previous = new Map(cards.map((c) => [c.id, c.cluster_id]));
  const done = t("New cluster “%(title)s”", { title });
  const body = { title, card_ids: cards.map((c) => c.id) };
  if (core.length) body.core_card_ids = core.slice(0, 3);
  const sent = command("cluster.create", body, done);
  sent.then(({ cluster_id: made }) => { ui.reveal = made ?? null; draw(); }, () => {});
  history.record(done, async () => {
    const { cluster_id: made } = await sent;
    await moveBack(new Map([...previous].filter(([, was]) => was !== null)));
    await command("cluster.delete", { cluster_id: history.cluster(made) }, t("Undone"));
  }, sent);
  note("", false); // the console says what was done (#feedback); the note is for why nothing was
  ui.selected.clear();
  draw();
}

// One tap on a loose card's "→ cluster": the cluster that button showed, as any move. The keyboard
// goes on to the next loose card's button (or tile), as this one leaves the pool.
function placeOne(cardId, clusterId) {
  const card = state.cards[cardId];
  if (!card || !state.clusters[clusterId]) { note(t("That cluster or card is no longer on the board.")); return; }
  const tiles = [...root.querySelectorAll("#board-pool-body .board-tile")];
  const here = tiles.findIndex((el) => Number(el.dataset.cardId) === cardId);
  const next = tiles[here + 1] || tiles[here - 1];
  moveCards([card], clusterId);
  if (!next) return;
  const id = Number(next.dataset.cardId);
  (document.getElementById(`board-place-${id}`) || next).focus();
}

// "Plaats alle zekere": every confident placement in one command, so one undo takes all back.
function placeMany(placements) {
  const moving = placements.filter(({ card, clusterId }) => card.cluster_id !== clusterId && state.clusters[clusterId]);
  if (!moving.length) { note(t("Those cards are already there.")); return; }
  const previous = new Map(moving.map(({ card }) => [card.id, card.cluster_id]));
  const done = tn("Placed %(n)s card in its suggested cluster", "Placed %(n)s cards in their suggested clusters", moving.length);
  const sent = command("cluster.place", { placements: moving.map(({ card, clusterId }) => ({ card_id: card.id, cluster_id: clusterId })) }, done);
  history.record(done, () => moveBack(previous), sent);
  note("", false);
  for (const { card } of moving) ui.selected.delete(card.id);
  draw();
}

function titleForSelection(cards) {
  const word = ui.filter.split(",")[0].trim(); // the first alternative searched for
  if (word && cards.every(matches)) return word.charAt(0).toUpperCase() + word.slice(1);
  return titleFrom(cards[0].text);
}

function rename(clusterId, title, refocus = true) {
  const cluster = state.clusters[clusterId];
  ui.renaming = null;
  if (!cluster || !title || title === cluster.title) { draw({ force: true }); if (refocus) focusTitle(clusterId); return; }
  const before = cluster.title;
  const done = t("Renamed to “%(title)s”", { title });
  const sent = command("cluster.rename", { cluster_id: clusterId, title }, done);
  history.record(done, () => command("cluster.rename", { cluster_id: history.cluster(clusterId), title: before }, t("Undone")), sent);
  draw({ force: true });
  if (refocus) focusTitle(clusterId);
}

function focusTitle(clusterId) {
  const button = document.getElementById(`board-title-${clusterId}`);
  if (button) button.focus();
}

function retag(clusterId, tag) {
  const cluster = state.clusters[clusterId];
  const before = cluster.tags.slice();
  const tags = before.includes(tag) ? before.filter((x) => x !== tag) : [...before, tag];
  const done = t("Tags of “%(title)s” saved", { title: cluster.title });
  const sent = command("cluster.tag", { cluster_id: clusterId, tags }, done);
  history.record(done, () => command("cluster.tag", { cluster_id: history.cluster(clusterId), tags: before }, t("Undone")), sent);
  draw();
}

function dissolve(clusterId) {
  const cluster = state.clusters[clusterId];
  const cardIds = Object.values(state.cards).filter((c) => c.cluster_id === clusterId).map((c) => c.id);
  const { title, tags } = cluster;
  const done = t("Cluster “%(title)s” dissolved", { title });
  const sent = command("cluster.delete", { cluster_id: clusterId }, done);
  history.record(done, async () => {
    const { cluster_id: again } = await command("cluster.create", { title, card_ids: cardIds }, t("Undone"));
    history.aliases.set(clusterId, again);
    if (tags.length) await command("cluster.tag", { cluster_id: again, tags }, t("Undone"));
  }, sent);
}

function merge() {
  const cards = selection();
  if (cards.length !== 2 || cards[0].kind !== cards[1].kind) {
    note(t("Select exactly two cards of the same kind to merge them."));
    return;
  }
  mergePair(cards[0], cards[1]);
}

function mergePair(first, second) {
  confirmMerge(state, first, second, (keepId, goneId) => {
    const gone = state.cards[goneId];
    const keep = state.cards[keepId];
    const previous = gone.cluster_id;
    const done = t("Duplicate merged");
    const sent = command("card.merge", { card_id: goneId, into_id: keepId }, done);
    history.record(done, async () => {
      await command("card.unmerge", { card_id: goneId }, t("Undone"));
      if (previous !== keep.cluster_id) await command("cluster.move", { card_ids: [goneId], cluster_id: history.cluster(previous) }, t("Undone"));
    }, sent);
    ui.selected.clear();
    draw();
  });
}

function decide(suggestionId, accept) {
  const suggestion = state.suggestions[suggestionId];
  const done = accept ? t("Suggestion accepted") : t("Suggestion declined");
  const sent = command("suggestion.decide", { suggestion_id: suggestionId, accept }, done);
  if (!accept || !suggestion) return;
  const ids = [suggestion.card_id, ...(suggestion.target_kind === "card" ? [suggestion.target_id] : [])];
  const previous = new Map(ids.filter((id) => state.cards[id]).map((id) => [id, state.cards[id].cluster_id]));
  const madeNew = suggestion.target_kind === "card" && previous.get(suggestion.target_id) === null;
  history.record(done, async () => {
    const { cluster_id: cluster } = await sent;
    if (!madeNew) { await moveBack(previous); return; }
    await moveBack(new Map([...previous].filter(([, was]) => was !== null)));
    await command("cluster.delete", { cluster_id: history.cluster(cluster) }, t("Undone"));
  }, sent);
}

function undo() {
  const step = history.undoLast();
  note(step ? t("Undoing: %(what)s", { what: step.label }) : t("Nothing to undo."));
  draw();
}

// A drop outside the pool, a cluster or "New cluster" does nothing but say so.
function drop(ids, zone) {
  const cards = ids.map((id) => state.cards[id]).filter(Boolean);
  const [kind, id] = (zone || "").split(":");
  if (kind === "pool") moveCards(cards, null);
  else if (kind === "cluster" && state.clusters[Number(id)]) moveCards(cards, Number(id));
  else if (kind === "new" && cards.length) newCluster(cards, titleForSelection(cards));
  else note(t("Dropped outside the board's places: nothing moved."));
}

function moveSelection() {
  const cards = selection();
  const where = $("#board-move-to", root).value;
  if (!cards.length) { note(t("Select one or more cards first.")); return; }
  if (!where) { note(t("Choose where the cards go.")); $("#board-move-to", root).focus(); return; }
  if (where === "new") newCluster(cards, titleForSelection(cards));
  else moveCards(cards, where === "pool" ? null : Number(where.split(":")[1]));
  // Started with "m" on a card: the keyboard goes back to the card after the ones that moved.
  if (ui.returnTo !== null) focusCard(ui.returnTo);
}

// ---------------------------------------------------------------- the keyboard among the tiles

const ARROWS = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1, Home: -Infinity, End: Infinity };

// Move focus from `tile` (null: from the search box) `by` tiles in reading order (pool first).
function step(tile, by) {
  const tiles = [...root.querySelectorAll("#board-lists .board-tile")];
  if (!tiles.length) return;
  const here = tile ? tiles.indexOf(tile) : -1;
  const next = by === Infinity ? tiles.length - 1 : by === -Infinity ? 0 : Math.min(tiles.length - 1, Math.max(0, here + by));
  tiles[next].focus();
}

// The first tile after `tile` that is not selected (it stays when the selection moves), else before.
function nextUnselected(tile) {
  const tiles = [...root.querySelectorAll("#board-lists .board-tile")];
  const here = tiles.indexOf(tile);
  const free = (el) => !ui.selected.has(Number(el.dataset.cardId));
  const after = tiles.slice(here + 1).find(free) || tiles.slice(0, here).reverse().find(free);
  return after ? Number(after.dataset.cardId) : null;
}

function focusCard(id) {
  ui.returnTo = null;
  const tile = id === null ? null : document.getElementById(`board-card-${id}`);
  if (tile) tile.focus();
}

// ---------------------------------------------------------------- a card's own menu, folding

function hide(cardId, hidden) {
  const tile = document.getElementById(`board-card-${cardId}`);
  const next = hidden && tile ? nextUnselected(tile) : null;
  ui.menu = null;
  ui.selected.delete(cardId);
  const done = hidden ? t("Card hidden") : t("Card shown");
  const sent = command("card.hide", { card_id: cardId, hidden }, done);
  history.record(done, () => command("card.hide", { card_id: cardId, hidden: !hidden }, t("Undone")), sent);
  draw();
  if (next !== null) focusCard(next); // the hidden card's tile is gone: the keyboard goes on
}

function spotlight(cardId) {
  const on = state.workshop.spotlight_card_id === cardId;
  ui.menu = null;
  command("card.spotlight", { card_id: on ? null : cardId }, t("Projector updated"));
  draw();
  focusCard(cardId);
}

// One button folds every cluster; when all are folded, it unfolds them.
const allFolded = () => byId(state.clusters).length > 0 && byId(state.clusters).every((cl) => ui.collapsed.has(cl.id));
function foldAll() {
  if (allFolded()) ui.collapsed.clear();
  else for (const cl of byId(state.clusters)) ui.collapsed.add(cl.id);
  draw();
}

function toggleFold(clusterId) {
  if (ui.collapsed.has(clusterId)) ui.collapsed.delete(clusterId);
  else ui.collapsed.add(clusterId);
  draw();
}

// ---------------------------------------------------------------- events (delegated: tiles are redrawn)

function listen() {
  root.addEventListener("click", (e) => {
    const target = e.target.closest("button");
    if (!target || !root.contains(target)) return;
    const data = target.dataset;
    if (target.classList.contains("board-tile")) toggle(Number(data.cardId), e.shiftKey);
    else if (data.rename) { ui.renaming = Number(data.rename); draw(); }
    else if (data.tag) retag(Number(data.cluster), data.tag);
    else if (data.pick) select(Object.values(state.cards).filter((c) => c.cluster_id === Number(data.pick) && KINDS.has(c.kind) && !c.hidden && c.merged_into_id === null).map((c) => c.id));
    else if (data.dissolve) dissolve(Number(data.dissolve));
    else if (data.place) placeOne(Number(data.place), Number(data.placeTo));
    else if (data.accept) decide(Number(data.accept), true);
    else if (data.decline) decide(Number(data.decline), false);
    else if (target.id === "board-select-shown") select(shownToSelect());
    else if (data.menu) { ui.menu = ui.menu === Number(data.menu) ? null : Number(data.menu); draw(); }
    else if (data.hide) hide(Number(data.hide), true);
    else if (data.unhide) hide(Number(data.unhide), false);
    else if (data.spotlight) spotlight(Number(data.spotlight));
    else if (data.fold) toggleFold(Number(data.fold));
    else if (target.id === "board-compact") { ui.compact = !compact(); draw(); }
    else if (target.id === "board-fold-all") foldAll();
    else if (target.id === "board-new") { const cards = selection(); newCluster(cards, cards.length ? titleForSelection(cards) : ""); }
    else if (target.id === "board-move-go") moveSelection();
    else if (target.id === "board-merge") merge();
    else if (target.id === "board-clear") clearSelection();
    else if (target.id === "board-undo") undo();
  });
  root.addEventListener("input", (e) => {
    if (e.target.id === "board-filter") { ui.filter = e.target.value; draw(); }
  });
  root.addEventListener("keydown", (e) => {
    const input = e.target.closest("input[data-cluster]");
    if (input) {
      if (e.key === "Enter") { e.preventDefault(); rename(Number(input.dataset.cluster), input.value.trim()); }
      else if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); const id = ui.renaming; ui.renaming = null; draw({ force: true }); focusTitle(id); }
      return;
    }
    if (e.target.id === "board-filter" && e.key === "Enter") { e.preventDefault(); select(shownToSelect()); return; }
    if (e.target.id === "board-filter" && e.key === "ArrowDown") { e.preventDefault(); step(null, 1); return; }
    if (e.target.id === "board-move-to" && e.key === "Enter") { e.preventDefault(); moveSelection(); return; }
    if (e.target.id === "board-move-to" && e.key === "Escape" && ui.returnTo !== null) { e.preventDefault(); e.stopPropagation(); focusCard(ui.returnTo); return; }
    const tileKeys = e.target.classList.contains("board-tile") && !e.ctrlKey && !e.metaKey && !e.altKey;
    if (tileKeys && (e.key === "m" || e.key === "M")) {
      e.preventDefault();
      if (!ui.selected.size) toggle(Number(e.target.dataset.cardId), false);
      ui.returnTo = nextUnselected(e.target);
      $("#board-move-to", root).focus();
    } else if (tileKeys && ARROWS[e.key] !== undefined) {
      e.preventDefault();
      step(e.target, ARROWS[e.key]);
    }
  });
  // Leaving the title field saves it, as Enter does (Escape has already cancelled).
  root.addEventListener("focusout", (e) => {
    const input = e.target.closest && e.target.closest("input[data-cluster]");
    if (input && ui.renaming === Number(input.dataset.cluster)) rename(Number(input.dataset.cluster), input.value.trim(), false);
  });
  document.addEventListener("keydown", (e) => {
    if (root.hidden || !root.isConnected || document.querySelector("dialog[open]")) return;
    const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
    if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === "z" && !typing) { e.preventDefault(); undo(); }
    else if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); const box = $("#board-filter", root); box.focus(); box.select(); }
    else if (e.key === "Escape" && !typing && ui.selected.size) clearSelection();
  });
}
