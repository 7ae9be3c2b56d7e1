// The clustering board on the console: unclustered cards in a pool, each cluster a box of tiles.
// Cards move by drag and drop (board_drag.js) or, without dragging, by selecting them and choosing
// "Move to…"; a search box with "Select all shown" and "New cluster from selection" clusters many
// cards in three steps. Every step can be undone (board_undo.js). Suggestions from the phones wait
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
const ui = { selected: new Set(), anchor: null, filter: "", renaming: null, drag: null };
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

function matches(card) {
  const words = fold(ui.filter).split(/\s+/).filter(Boolean);
  const text = fold(card.text);
  return words.every((w) => text.includes(w));
}

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
    socket.on("state", () => schedule("board:shown", () => { root.hidden = socket.state.workshop.phase !== "clusteren"; }));
  }
  if (!root.isConnected) document.getElementById("controls").before(root);
  root.hidden = false;
  const visible = new Set(boardCards(state).map((c) => c.id));
  for (const id of ui.selected) if (!visible.has(id)) ui.selected.delete(id);
  if (ui.renaming !== null && !state.clusters[ui.renaming]) ui.renaming = null;
  suggest.update();
  draw();
  return null;
}

function build(socket) {
  suggest = new SuggestPanel({
    workshopId: socket.workshopId, room: socket, state: () => state, cards: () => boardCards(state),
    newCluster, mergePair, redraw: () => draw(),
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
    h("h3", { id: "board-title" }, t("Clustering board")),
    h("p", { class: "hint", id: "board-how" }, t("Drag cards onto a cluster, onto the pool or onto another card (a new cluster with both). Or select cards (click, shift-click for a range, Space on the keyboard) and choose where they go. Ctrl+Z undoes.")),
    h("div", { class: "board-toolbar", role: "group", "aria-label": t("Board tools") },
      h("div", { class: "board-find" },
        h("label", { for: "board-filter" }, t("Find cards")),
        h("input", { id: "board-filter", type: "search", autocomplete: "off", "aria-describedby": "board-shown" }),
        h("button", { type: "button", class: "secondary", id: "board-select-shown" }, t("Select all shown")),
        h("p", { id: "board-shown", class: "board-shown" })),
      h("div", { class: "board-act" },
        h("p", { id: "board-selection", class: "board-selection" }),
        h("button", { type: "button", id: "board-new" }, t("New cluster from selection")),
        h("span", { class: "board-move" },
          h("label", { for: "board-move-to" }, t("Move selection to")),
          h("select", { id: "board-move-to" }),
          h("button", { type: "button", class: "secondary", id: "board-move-go" }, t("Move"))),
        h("button", { type: "button", class: "secondary", id: "board-merge" }, t("Merge duplicates")),
        h("button", { type: "button", class: "secondary", id: "board-clear" }, t("Clear selection")),
        h("button", { type: "button", class: "secondary", id: "board-undo", "aria-describedby": "board-undo-what" }, t("Undo")),
        h("span", { id: "board-undo-what", class: "visually-hidden" })),
      h("p", { id: "board-note", class: "board-note" })),
    suggest.element,
    h("div", { id: "board-inbox" }),
    h("div", { class: "board-legend" }, h("span", {}, t("Tags:")), tagHelp, tagNotes),
    h("div", { id: "board-lists" }));
  listen();
  enableDrag(root, {
    cardsFor: (id) => (ui.selected.has(id) ? ordered().filter((c) => ui.selected.has(c.id)).map((c) => c.id) : [id]),
    describe: (ids) => (ids.length === 1 ? short(state.cards[ids[0]].text) : tn("%(n)s card", "%(n)s cards", ids.length)),
    onChange: (drag) => { ui.drag = drag; draw(); },
    onDrop: (ids, zone) => drop(ids, zone),
  });
}

// ---------------------------------------------------------------- drawing

// `force`: the facilitator ended the renaming (Enter, Escape): its field goes, though focused.
function draw({ force = false } = {}) {
  if (!root) return;
  const cards = boardCards(state);
  const shown = cards.filter(matches);
  keep($("#board-lists", root), () => [pool(cards), clusterBoxes(cards)], { force });
  keep($("#board-inbox", root), () => inbox());
  $("#board-shown", root).textContent = ui.filter.trim() ? tn("%(n)s card shown", "%(n)s cards shown", shown.length) : "";
  $("#board-selection", root).textContent = tn("%(n)s card selected", "%(n)s cards selected", ui.selected.size);
  moveOptions();
  const step = history.last;
  $("#board-undo", root).disabled = !step;
  $("#board-undo-what", root).textContent = step ? step.label : "";
  // Opening the title field takes the keyboard there, once.
  const renaming = ui.renaming !== null && document.getElementById(`board-rename-${ui.renaming}`);
  if (renaming && document.activeElement !== renaming) { renaming.focus(); renaming.select(); }
}

function tile(card) {
  const selected = ui.selected.has(card.id);
  const dragging = ui.drag && ui.drag.ids.includes(card.id);
  const loose = card.cluster_id === null;
  const over = ui.drag && ui.drag.over === `card:${card.id}`;
  return h("li", {},
    h("button", {
      type: "button", id: `board-card-${card.id}`, "aria-pressed": String(selected),
      class: `board-tile kind-${card.kind}${selected ? " is-selected" : ""}${dragging ? " is-dragging" : ""}${over ? " is-over" : ""}`,
      dataset: loose ? { cardId: card.id, drop: `card:${card.id}` } : { cardId: card.id },
    },
    h("span", { class: "board-grip", "aria-hidden": "true" }, "⠿"),
    card.image ? h("img", { src: card.image.thumb_url, alt: "", width: 48, height: 48 }) : null,
    h("span", { class: "board-text" }, card.text),
    h("span", { class: "board-kind" }, label(CARD_KINDS, card.kind), card.world ? ` · ${label(WORLDS, card.world)}` : "")),
  suggest.duplicateMark(card));
}

function hiddenNote(total, shown) {
  return total > shown ? h("p", { class: "board-more" }, tn("%(n)s more card hidden by the search", "%(n)s more cards hidden by the search", total - shown)) : null;
}

function pool(cards) {
  const loose = cards.filter((c) => c.cluster_id === null);
  const shown = loose.filter(matches);
  const over = ui.drag && ui.drag.over === "pool";
  return h("div", { class: `board-pool${over ? " is-over" : ""}`, dataset: { drop: "pool" }, role: "group", "aria-labelledby": "board-pool-title" },
    h("h4", { id: "board-pool-title" }, tn("Not in a cluster (%(n)s card)", "Not in a cluster (%(n)s cards)", loose.length)),
    shown.length ? h("ul", { class: "board-tiles" }, shown.map(tile)) :
      h("p", { class: "hint" }, loose.length ? t("No card here matches the search.") : t("Every card is in a cluster. Drop a card here to take it out.")),
    hiddenNote(loose.length, shown.length));
}

function clusterBoxes(cards) {
  const clusters = byId(state.clusters);
  if (!clusters.length) return h("p", { class: "hint board-empty" }, t("No clusters yet. Select cards and choose “New cluster from selection”, or drag one card onto another."));
  return h("div", { class: "board-clusters" }, clusters.map((cluster) => {
    const own = cards.filter((c) => c.cluster_id === cluster.id);
    const shown = own.filter(matches);
    const over = ui.drag && ui.drag.over === `cluster:${cluster.id}`;
    return h("div", {
      class: `board-cluster${over ? " is-over" : ""}`, id: `board-cluster-${cluster.id}`, role: "group",
      "aria-label": t("Cluster: %(title)s", { title: cluster.title }), dataset: { drop: `cluster:${cluster.id}` },
    },
    h("div", { class: "board-cluster-head" }, clusterTitle(cluster),
      h("span", { class: "board-count" }, tn("%(n)s card", "%(n)s cards", own.length))),
    h("div", { class: "board-tags", role: "group", "aria-label": t("Tags of %(title)s", { title: cluster.title }) },
      Object.keys(TAGS).map((tag) => h("button", {
        type: "button", id: `board-tag-${cluster.id}-${tag}`, class: `board-tag tag-${tag}`,
        "aria-pressed": String(cluster.tags.includes(tag)), "aria-describedby": `board-help-${tag}`,
        dataset: { tag, cluster: cluster.id },
      }, label(TAGS, tag)))),
    shown.length ? h("ul", { class: "board-tiles" }, shown.map(tile)) : (own.length ? null : h("p", { class: "hint" }, t("Drop cards here."))),
    hiddenNote(own.length, shown.length),
    h("div", { class: "board-cluster-actions" },
      h("button", { type: "button", class: "secondary small", id: `board-pick-${cluster.id}`, dataset: { pick: cluster.id }, disabled: !own.length }, t("Select its cards")),
      h("button", { type: "button", class: "secondary small", id: `board-dissolve-${cluster.id}`, dataset: { dissolve: cluster.id } }, t("Dissolve"))));
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
  note(done, false);
  ui.selected.clear();
  draw();
}

async function moveBack(previous) {
  for (const [clusterId, cardIds] of byPrevious(previous)) {
    await command("cluster.move", { card_ids: cardIds, cluster_id: history.cluster(clusterId) }, t("Undone"));
  }
}

function newCluster(cards, title) {
  if (!cards.length) { note(t("Select one or more cards first.")); return; }
  const previous = new Map(cards.map((c) => [c.id, c.cluster_id]));
  const done = t("New cluster “%(title)s”", { title });
  const sent = command("cluster.create", { title, card_ids: cards.map((c) => c.id) }, done);
  history.record(done, async () => {
    const { cluster_id: made } = await sent;
    await moveBack(new Map([...previous].filter(([, was]) => was !== null)));
    await command("cluster.delete", { cluster_id: history.cluster(made) }, t("Undone"));
  }, sent);
  note(done, false);
  ui.selected.clear();
  draw();
}

function titleForSelection(cards) {
  const word = ui.filter.trim();
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

function drop(ids, zone) {
  const cards = ids.map((id) => state.cards[id]).filter(Boolean);
  const [kind, id] = zone.split(":");
  if (kind === "pool") moveCards(cards, null);
  else if (kind === "cluster") moveCards(cards, Number(id));
  else if (kind === "card") {
    const target = state.cards[Number(id)];
    newCluster([target, ...cards], titleFrom(target.text));
  }
}

function moveSelection() {
  const cards = selection();
  const where = $("#board-move-to", root).value;
  if (!cards.length) { note(t("Select one or more cards first.")); return; }
  if (!where) { note(t("Choose where the cards go.")); $("#board-move-to", root).focus(); return; }
  if (where === "new") newCluster(cards, titleForSelection(cards));
  else moveCards(cards, where === "pool" ? null : Number(where.split(":")[1]));
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
    else if (data.accept) decide(Number(data.accept), true);
    else if (data.decline) decide(Number(data.decline), false);
    else if (target.id === "board-select-shown") select(boardCards(state).filter(matches).map((c) => c.id));
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
    if (e.target.id === "board-filter" && e.key === "Enter") { e.preventDefault(); select(boardCards(state).filter(matches).map((c) => c.id)); return; }
    if (e.target.classList.contains("board-tile") && (e.key === "m" || e.key === "M") && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      if (!ui.selected.size) toggle(Number(e.target.dataset.cardId), false);
      $("#board-move-to", root).focus();
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
    else if (e.key === "Escape" && !typing && ui.selected.size) clearSelection();
  });
}
