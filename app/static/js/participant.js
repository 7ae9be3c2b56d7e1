// The participant's phone: shows only what the current phase asks, confirms every post and vote.
// Changes in the room redraw the phone once per frame (view.js); each part is drawn whole from the
// state and kept as the person left it (focus, a chosen rating, a half-written reason or edit).
import { Room } from "./socket.js";
import { byId, lastClosedVote, openRound, openVote, visibleCards } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { pageLanguage, t, tn } from "./i18n.js";
import { SCORES, SCORE_KEYS, TAGS, WORLDS, groupName, label, phaseName, postingKind } from "./labels.js";
import { keep, schedule } from "./view.js";
import { shrink, uploadBeeld } from "./upload.js";
import { Countdown, endsAt } from "./timer.js";
import { GLOSSARY, enhanceGlossary, helpToggle, withHelp } from "./glossary.js";
import { SuggestBox } from "./participant_suggest.js";
import { MergeNotices } from "./participant_notices.js";
import { ProposalForm } from "./participant_proposals.js";
import { RedraftPanel } from "./participant_redraft.js";
import { CheckOutBox, Nudge } from "./participant_voice.js";
import { citationText, isSeeded, seededLabel } from "./citations.js";
import { startingPointBlock } from "./starting_point.js";
import { CitePicker } from "./cite_picker.js";
import { rankByLikeness } from "./likeness.js";
import { latestWindow, windowBlock } from "./participant_window.js";
import { Follow } from "./participant_follow.js";
import { beforeBlock, beforeWindow, nextChange } from "./participant_before.js";

const workshopId = Number(document.body.dataset.workshopId);
// The language the room writes in (the workshop's), on its texts: Dutch compounds hyphenate as
// Dutch, and a screen reader reads them as Dutch, also on a phone set to English.
const contentLang = document.body.dataset.contentLang || null;
const initialNode = document.getElementById("initial-state");
const room = new Room({ workshopId, storageKey: "phone", initial: initialNode ? JSON.parse(initialNode.textContent) : null });
// The method word each phase is about, explained by the "?" next to the phase title: the kind of
// card posted in it, or the phase itself when the glossary explains it (waarom, opgave).
const phaseTerm = (phase) => postingKind(phase) || (GLOSSARY[phase] ? phase : null);
// The panel of each phase; every posting phase has the one posting panel.
const PANELS = {
  lobby: "panel-lobby", clusteren: "panel-clusters", prioriteren: "panel-vote", waarom: "panel-proposals",
  opgave: "panel-proposals", afronding: "panel-result",
};
const panelOf = (phase) => (postingKind(phase) ? "panel-post" : PANELS[phase]);
const received = new Set(); // ids of my cards whose post was acknowledged in this session
const problems = new Map(); // form key -> what is wrong with it (rating forms are redrawn)
let editing = null; // the id of my card being edited; its text is kept in its field by keep()
let editProblem = null; // {cardId, message}: why the last save of the card being edited was refused
let lastPhase = null;
// The before-window (participant_before.js): what this phone sends in from the lobby, and the
// kind the posting form is set up for (null: set up by a phase, or not at all).
let beforeKind = "beeld";
let formKind = null;
let beforeTimer = null;
// The suggestion form says itself that its suggestion arrived.
const suggestBox = new SuggestBox($("#suggest"), { send: (type, fields, errorEl) => send(type, fields, errorEl, { quiet: true }) });
const notices = new MergeNotices($("#notices"), workshopId);
const redraftPanel = new RedraftPanel({ el: $("#redraft"), send: (type, fields, errorEl) => send(type, fields, errorEl), redraw: () => redraw(), contentLang });
const checkOut = new CheckOutBox({ send: (type, fields, errorEl) => send(type, fields, errorEl) });
const nudge = new Nudge(workshopId);
nudge.onChange = () => redraw();
const proposalForm = new ProposalForm({ send: (type, fields, errorEl) => send(type, fields, errorEl), state: () => room.state, showError: (el, message) => showError(el, message) });
// The factoren a consequentie comes from: searched, not scrolled (100 factoren are 100 check
// boxes), those most like the text being written first, then the newest (likeness.js).
let alike = new Set();
const factorPicker = new CitePicker({
  id: "link", clusters: false, kinds: ["factor"],
  order: (cards) => {
    const ranked = rankByLikeness(cards, $("#post-text").value);
    alike = ranked.alike;
    return ranked.cards;
  },
  note: (card) => (alike.has(card.id) ? t("like your text") : null),
  words: {
    legend: t("Which factors lead to it? (optional)"), hint: null,
    summary: t("Choose factors"), chosen: (n) => tn("Choose factors (%(n)s chosen)", "Choose factors (%(n)s chosen)", n),
    search: t("Search the factors"), cards: t("Most alike first, then the newest"),
  },
});
$("#factor-links").replaceWith(factorPicker.el);
factorPicker.el.id = "factor-links";
let rankLater = null; // the order follows the text as it is written, a moment after typing stops
$("#post-text").addEventListener("input", () => {
  clearTimeout(rankLater);
  rankLater = setTimeout(() => { if (room.state && !$("#links-field").hidden) factorPicker.update(room.state); }, 300);
});
enhanceGlossary(document);
collapseThemeQuestion();
const follow = new Follow({ workshopId, me: () => (room.state ? me(room.state) : null) });
follow.onChange = () => redraw();

const STATUS = {
  connecting: () => t("Connecting…"), "catching-up": () => t("Catching up…"),
  connected: () => t("Connected"), reconnecting: () => t("Reconnecting…"),
  offline: () => t("Offline — what you send is kept"), unauthorised: () => t("Not joined"),
  left: () => t("You left this workshop"),
  removed: () => t("The facilitator has taken you out of this workshop"),
  replaced: () => t("This workshop is open in another window; continue there"),
};

room.on("status", (status) => {
  const el = $("#status");
  el.dataset.status = status;
  el.textContent = (STATUS[status] || STATUS.connecting)();
  if (status === "unauthorised") location.href = "/join";
});

room.on("outbox", (outbox) => {
  const el = $("#pending");
  el.hidden = outbox.length === 0;
  el.textContent = tn("%(n)s message not yet sent", "%(n)s messages not yet sent", outbox.length);
  redraw();
});

// Answers to what was sent before a reload (still in the outbox then) come without a promise.
room.on("ack", (ack) => { if (!room.awaits(ack.cid)) acknowledged(ack); });
room.on("error", (error) => announce(error.message));

function acknowledged(ack) {
  if (ack.result && ack.result.card_id) received.add(ack.result.card_id);
  announce(t("Received"));
  redraw();
}

room.on("state", () => redraw());
// Let in from the lobby (the admit step): only this phone's own admission reaches it.
room.on("event:participant.admitted", () => announce(t("You are in. Welcome!")));

function redraw() {
  schedule("phone", () => { if (room.state) render(room.state); });
}

// Send a command: its arrival is announced ("Received") unless `quiet`, a refusal is shown in
// `errorEl` (the form that sent it) and announced. Returns the answer (socket.js).
function send(type, fields, errorEl = null, { quiet = false } = {}) {
  if (errorEl) errorEl.hidden = true;
  const answer = room.send(type, fields);
  answer.then((ack) => { if (!quiet) acknowledged(ack); }, (error) => {
    if (!errorEl) return;
    errorEl.hidden = false;
    errorEl.textContent = error.message;
  });
  return answer;
}

// ---------------------------------------------------------------- rendering

function render(state) {
  const w = state.workshop;
  const phase = w.phase;
  $("#question").textContent = w.theme_question;
  $("#question-box").hidden = !w.theme_question;
  const self = me(state);
  if (self && self.waiting) { // the admit step: nothing to do but wait, calmly
    $("#phase-title").textContent = w.title;
    for (const panel of document.querySelectorAll("#main > .panel")) panel.hidden = panel.id !== "panel-waiting";
    follow.render(state, { waiting: true });
    keep($("#waiting-me"), () => youTakePart(self));
    return;
  }
  if ($("#waiting-me").firstChild) replace($("#waiting-me")); // let in: one copy of its help only
  $("#phase-title").textContent = phaseName(phase);
  const win = phase === "lobby" ? beforeWindow(w) : { state: "none" };
  const sending = win.state === "open"; // the lobby shows the posting form too
  // Following the screen shows the projector's wall instead of the phase's panel (participant_follow.js).
  // Before the room, while the before-window is still to come or open, there is no screen to
  // follow yet: the toggle waits for the meeting.
  const beforeRoom = win.state === "not_yet" || sending;
  const following = !beforeRoom && follow.following();
  for (const panel of document.querySelectorAll("#main > .panel")) panel.hidden = following || (panelOf(phase) !== panel.id && !(sending && panel.id === "panel-post"));
  follow.render(state, { waiting: beforeRoom });
  const changed = phase !== lastPhase && lastPhase !== null;
  if (phase !== lastPhase) {
    if (lastPhase !== null) $("#question-box").open = false; // seen once; the phase asks now
    replace($("#phase-help"), phaseTerm(phase) ? helpToggle(phaseTerm(phase)) : null);
    setupPhase(phase);
  }
  lastPhase = phase;
  renderTimer(w.timer_ends_at);
  notices.update(state);
  keep($("#check-out"), () => checkOut.render(state));
  keep($("#nudge"), () => nudge.render(state));
  keep($("#window"), () => windowBlock(state, ratingForm));
  if (phase === "lobby") renderLobby(state, win);
  else if (postingKind(phase)) renderPosting(state, postingKind(phase));
  else if (phase === "clusteren") renderClusters(state);
  else if (phase === "prioriteren") renderVote(state);
  else if (phase === "waarom" || phase === "opgave") renderProposals(state, phase);
  else if (phase === "afronding") renderResult(state);
  if (changed) showNewPhase(phase);
}

// A new phase is a new page: the phone goes to its top, the keyboard (and a screen reader's
// reading point) to its heading, and the change is said in the live region, so a resident who was
// halfway down the last phase sees that something changed. Also after a reconnect that skipped
// the phase.changed event: it follows the state, not the event.
function showNewPhase(phase) {
  window.scrollTo({ top: 0, left: 0, behavior: "instant" });
  $("#phase-title").focus({ preventScroll: true });
  announce(t("Now: %(phase)s", { phase: phaseName(phase) }));
}

function me(state) {
  return state.participants[room.participantId] || null;
}

// The theme question is open on the first view of this workshop in this tab, then folded away
// (one tap opens it again): on a phone it would push the work of every phase below the fold.
function collapseThemeQuestion() {
  const key = `atelier-theme-seen-${workshopId}`;
  try {
    if (sessionStorage.getItem(key)) $("#question-box").open = false;
    else sessionStorage.setItem(key, "1");
  } catch {
    // no storage (private mode): it simply stays open
  }
}

function renderLobby(state, win) {
  renderStartingPoint(state.starts_from || null);
  $("#lobby-welcome").hidden = win.state !== "none"; // "the facilitator will start soon": not days before
  const mine = byId(state.cards).filter((c) => c.mine);
  keep($("#before"), () => beforeBlock(win, { kind: beforeKind, mine, onKind: (kind) => { beforeKind = kind; redraw(); } }));
  if (win.state === "open") {
    if (formKind !== beforeKind) setupKind(beforeKind);
    renderPosting(state, beforeKind, { before: true });
  }
  clearTimeout(beforeTimer); // draw the phone again when the window opens or closes
  const wait = nextChange(win);
  if (wait !== null) beforeTimer = setTimeout(redraw, Math.min(Math.max(wait, 0) + 500, 6 * 3600 * 1000));
  const self = me(state);
  if (!self) return;
  keep($("#me"), () => youTakePart(self));
}

function youTakePart(self) {
  // Not a t() call inside another t() call: Babel's extractor would miss the inner string.
  const name = self.display_name || t("anonymously");
  const text = t("You take part as %(group)s, %(name)s.", { group: groupName(self.stakeholder_group), name });
  return [text, self.stakeholder_group === "ketenpartner" ? helpToggle("ketenpartner") : null];
}

// A reframing workshop starts from the trajectory's vertrekpunt: the lobby shows it.
function renderStartingPoint(start) {
  keep($("#starting-point"), () => startingPointBlock(start, { heading: "h2" }));
}

function setupPhase(phase) {
  editing = null;
  problems.clear();
  setupKind(postingKind(phase));
  if (phase === "waarom" || phase === "opgave") proposalForm.setup(phase);
}

// The posting form for one kind of card: in its phase, or chosen in the before-window.
function setupKind(kind) {
  formKind = kind;
  if (kind === "consequentie") factorPicker.clear();
  if (kind) {
    $("#post-title-text").textContent = { beeld: t("Share an image"), factor: t("Add a factor"), consequentie: t("Add a consequence") }[kind];
    $("#post-label").textContent = { beeld: t("What does it show about the theme? (caption)"), factor: t("Factor: what drives or shapes the theme?"), consequentie: t("Consequence: what does it lead to?") }[kind];
    $("#photo-field").hidden = kind !== "beeld";
    $("#world-field").hidden = kind !== "consequentie";
    $("#links-field").hidden = kind !== "consequentie";
    $("#post-error").hidden = true;
  }
}

function cardItem(state, card, mine) {
  const extra = [];
  if (card.world) extra.push(h("span", { class: "badge" }, label(WORLDS, card.world)));
  if (card.channel === "before") extra.push(h("span", { class: "badge before-mark" }, t("sent in beforehand")));
  if (card.assisted) extra.push(h("span", { class: "badge" }, t("entered by a table helper")));
  const factors = card.factor_ids.map((id) => state.cards[id]).filter(Boolean);
  if (factors.length) extra.push(h("span", { class: "links" }, t("from: %(factors)s", { factors: factors.map((f) => f.text).join("; ") })));
  const image = card.image ? h("img", { src: card.image.thumb_url, alt: card.text, width: 96, height: Math.round((96 * card.image.height) / card.image.width) || 96, loading: "lazy" }) : null;
  const dataset = { cardId: card.id, key: `card:${card.id}` }; // the key finds its buttons again after a redraw
  if (card.hidden) return h("li", { class: "card is-hidden", dataset }, h("p", { class: "muted" }, t("Hidden by the facilitator")));
  if (mine && editing === card.id) return h("li", { class: "card", dataset }, editForm(card));
  const into = card.merged_into_id !== null ? state.cards[card.merged_into_id] : null;
  if (into) extra.push(h("p", { class: "merged" }, t("Combined with: %(text)s", { text: into.text })));
  const item = h("li", { class: "card", dataset }, image, h("p", { lang: contentLang }, card.text), ...extra);
  if (mine) {
    if (received.has(card.id)) item.append(h("span", { class: "ok" }, "✓ ", t("Received")));
    item.append(h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary small", dataset: { key: `edit:${card.id}` }, onclick: () => editCard(card.id) }, t("Edit")),
      h("button", { type: "button", class: "secondary small", dataset: { key: `withdraw:${card.id}` }, onclick: () => withdrawCard(card) }, t("Withdraw"))));
  }
  return item;
}

// `before`: in the before-window, all of one's own cards (any kind), and nobody else's to show.
function renderPosting(state, kind, { before = false } = {}) {
  const mine = byId(state.cards).filter((c) => (before || c.kind === kind) && c.mine);
  if (editing !== null && !mine.some((c) => c.id === editing)) editing = null; // withdrawn, or hidden
  $("#room-title").hidden = before;
  $("#room-cards").hidden = before;
  const waiting = room.pending().filter((m) => m.type === "card.post" && (before || m.kind === kind))
    .map((m) => h("li", { class: "card waiting" }, h("p", {}, m.text), h("span", { class: "wait" }, t("Waiting to be sent"))));
  keep($("#my-cards"), () => [mine.map((c) => cardItem(state, c, true)), waiting]);
  // Newest first, in a box that scrolls within itself: 100 cards from the room would make the
  // phone 8,000 px long, with the form at the top and one's own cards lost below them.
  const others = visibleCards(state, kind).filter((c) => !c.mine).reverse();
  $("#room-count").textContent = others.length ? `(${others.length})` : "";
  keep($("#room-cards"), () => (others.length ? others.map((c) => cardItem(state, c, false)) : h("li", { class: "muted" }, t("Nothing yet."))));
  if (kind === "consequentie") factorPicker.update(state);
}

// Editing one of my cards: the card shows a form instead of its text until the server has the
// new text (the ack) or the edit is cancelled; live updates draw it again with what was typed
// (keep(), by the field's id). As with a new card, what was typed stays until the ack: a save the
// server could not take yet goes again from the outbox, a refusal is shown beside the text.
function editForm(card) {
  const area = h("textarea", { id: `edit-${card.id}`, rows: 3, maxlength: 1000, "aria-label": t("Edit your card") }, card.text);
  const problem = editProblem && editProblem.cardId === card.id ? editProblem.message : null;
  const form = h("form", { class: "stack editing" }, area,
    h("p", { class: "error", role: "alert", id: `edit-error-${card.id}`, hidden: !problem }, problem || ""),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("Save")),
      h("button", { type: "button", class: "secondary", onclick: () => stopEditing(card.id) }, t("Cancel"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = area.value.trim();
    if (!text) return;
    editProblem = null;
    send("card.edit", { card_id: card.id, text }).then(() => {
      if (editing === card.id) stopEditing(card.id);
    }, (error) => {
      editProblem = { cardId: card.id, message: error.message }; // kept through redraws
      const shown = document.getElementById(`edit-error-${card.id}`); // also while the list waits
      if (shown) { shown.textContent = error.message; shown.hidden = false; }
    });
  });
  return form;
}

function editCard(cardId) {
  editing = cardId;
  render(room.state);
  const area = document.getElementById(`edit-${cardId}`);
  if (area) area.focus();
}

// Saved or cancelled: the form goes (let go of its field first, or the redraw would wait for
// that), and the keyboard is back on the card's "Edit".
function stopEditing(cardId) {
  editing = null;
  editProblem = null;
  const area = document.getElementById(`edit-${cardId}`);
  if (area && document.activeElement === area) area.blur();
  render(room.state);
  const edit = document.querySelector(`#my-cards [data-key="edit:${cardId}"]`);
  if (edit) edit.focus();
}

function withdrawCard(card) {
  if (confirm(t("Withdraw this card? It disappears for everyone."))) send("card.withdraw", { card_id: card.id });
}

$("#post-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const kind = room.state && (postingKind(room.state.workshop.phase) || (beforeWindow(room.state.workshop).state === "open" ? beforeKind : null));
  const error = $("#post-error");
  const text = $("#post-text").value.trim();
  error.hidden = true;
  if (!kind) return;
  if (!text) return showError(error, kind === "beeld" ? t("Write a caption: it says what the image shows.") : t("Write something first."));
  const fields = { kind, text };
  if (kind === "consequentie") {
    const world = document.querySelector("input[name=world]:checked");
    if (!world) return showError(error, t("Choose lived world or system world."));
    fields.world = world.value;
    fields.factor_ids = factorPicker.value().cited_card_ids;
  }
  const file = kind === "beeld" ? $("#photo").files[0] : null;
  if (file) {
    if (!navigator.onLine) return showError(error, t("Photos need a connection. Try again when you are online."));
    const progress = $("#photo-progress");
    progress.hidden = false;
    progress.value = 0;
    try {
      const blob = await shrink(file);
      const ack = await uploadBeeld({ workshopId, blob, caption: text, onProgress: (f) => { progress.value = f; } });
      if (ack.result && ack.result.card_id) received.add(ack.result.card_id);
      announce(t("Received"));
      redraw(); // the card may have arrived over the socket before this answer
    } catch (failure) {
      progress.hidden = true;
      return showError(error, failure.message);
    }
    progress.hidden = true;
    $("#photo").value = "";
    clearPostForm(kind);
    return;
  }
  // What was typed stays in the box until the ack: a post the server could not take yet (its
  // database was away: "internal") goes again from the outbox, and a refusal is shown beside
  // the text to correct. The same text twice while the first still waits is sent once.
  const waiting = room.pending().some((m) => m.type === "card.post" && m.kind === kind && m.text === text);
  if (waiting) return announce(t("Waiting to be sent"));
  const typed = $("#post-text").value;
  send("card.post", fields, error).then(() => { if ($("#post-text").value === typed) clearPostForm(kind); }, () => {});
});

// After the ack (or an uploaded photo): the form is empty for the next card.
function clearPostForm(kind) {
  $("#post-text").value = "";
  for (const input of document.querySelectorAll("#post-form input[type=radio]")) input.checked = false;
  if (kind === "consequentie") factorPicker.clear();
}

function showError(el, message) {
  el.hidden = false;
  el.textContent = message;
  announce(message);
}

function renderClusters(state) {
  suggestBox.render(state);
  const clusters = byId(state.clusters);
  const cards = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null);
  const explained = new Set(); // each tag's "?" once, at its first appearance
  const tagOf = (tag) => {
    const badge = h("span", { class: `tag tag-${tag}` }, label(TAGS, tag));
    if (explained.has(tag)) return badge;
    explained.add(tag);
    return h("span", { class: "tag-help" }, badge, ...helpToggle(tag));
  };
  const item = (c) => h("li", { class: c.mine ? "card mine" : "card" }, h("span", { lang: contentLang }, c.text), c.mine ? h("span", { class: "badge" }, t("yours")) : null);
  // Each cluster folds to its name, tags and count (200 cards would make the page 12,000 px); one
  // with a card of yours says so. An open cluster and an open "?" stay open across live updates:
  // keep() opens them again (by their data-key).
  keep($("#clusters"), () => (clusters.length ? clusters.map((cluster) => {
    const inside = cards.filter((c) => c.cluster_id === cluster.id);
    const yours = inside.filter((c) => c.mine).length;
    return h("section", { class: "cluster" },
      h("details", { class: "fold", dataset: { key: `cluster:${cluster.id}` } },
        h("summary", {}, h("h2", { lang: contentLang }, cluster.title),
          h("span", { class: "count-line" }, tn("%(n)s card", "%(n)s cards", inside.length), yours ? " · " + tn("%(n)s of yours", "%(n)s of yours", yours) : "")),
        h("ul", { class: "cards" }, inside.map(item))),
      cluster.tags.length ? h("p", { class: "tags" }, cluster.tags.map(tagOf)) : null);
  }) :
    h("p", { class: "muted" }, t("No clusters yet."))));
  const loose = cards.filter((c) => c.cluster_id === null);
  keep($("#loose"), () => (loose.length && clusters.length ? h("details", { class: "fold loose", dataset: { key: "loose" } },
    h("summary", {}, h("h2", {}, t("Not in a theme yet"), ` (${loose.length})`)), h("ul", { class: "cards" }, loose.map(item))) : null));
}

// What one can give dots to: the clusters, each with its cards to read (folded), and the cards in
// no cluster, folded together under "Losse kaarten" when there are clusters too.
function targetsOf(state) {
  const shown = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null);
  const clusters = byId(state.clusters).map((c) => ({ type: "cluster", id: c.id, text: c.title, cards: shown.filter((card) => card.cluster_id === c.id) }));
  const loose = shown.filter((c) => c.cluster_id === null).map((c) => ({ type: "card", id: c.id, text: c.text, cards: [] }));
  return { clusters, loose };
}

function renderVote(state) {
  const vote = openVote(state);
  const closed = lastClosedVote(state);
  $("#targets").hidden = !vote;
  if (!vote) {
    $("#budget").textContent = closed ? t("The vote is closed.") : t("Waiting for the facilitator to open the vote.");
    keep($("#vote-results"), () => (closed ? resultsList(state, closed) : null));
    keep($("#targets"), () => null);
    return;
  }
  keep($("#vote-results"), () => null);
  const mine = state.my_dots[vote.id] || [];
  const pending = room.pending().filter((m) => m.type === "vote.cast" || m.type === "vote.retract");
  const countOf = (target) => (mine.find((d) => d.target_type === target.type && d.target_id === target.id) || { count: 0 }).count;
  const used = mine.reduce((sum, d) => sum + d.count, 0);
  $("#budget").textContent = tn("%(left)s of %(n)s dot left", "%(left)s of %(n)s dots left", vote.budget, { left: vote.budget - used }) +
    (pending.length ? " · " + tn("%(n)s message not yet sent", "%(n)s messages not yet sent", pending.length) : "");
  const targetItem = (target) => {
    const count = countOf(target);
    const key = `${target.type}:${target.id}`;
    const cardsOf = target.cards.length ? h("details", { class: "fold target-cards", dataset: { key: `read:${key}` } },
      h("summary", {}, tn("%(n)s card", "%(n)s cards", target.cards.length)),
      h("ul", {}, target.cards.map((c) => h("li", { lang: contentLang }, c.text)))) : null;
    return h("li", { class: "target" },
      h("p", { lang: contentLang }, target.text),
      h("div", { class: "target-row" }, cardsOf || h("span"), h("div", { class: "dots" },
        h("button", { type: "button", class: "secondary small", disabled: count === 0, "aria-label": t("Take a dot from: %(text)s", { text: target.text }), dataset: { key: `take:${key}` },
          onclick: () => send("vote.retract", { target_type: target.type, target_id: target.id }) }, "−"),
        h("span", { class: "count", "aria-label": tn("%(n)s dot", "%(n)s dots", count) }, String(count)),
        h("button", { type: "button", class: "small", disabled: used >= vote.budget, "aria-label": t("Give a dot to: %(text)s", { text: target.text }), dataset: { key: `give:${key}` },
          onclick: () => send("vote.cast", { target_type: target.type, target_id: target.id }) }, "+"))));
  };
  const { clusters, loose } = targetsOf(state);
  const onLoose = loose.some((target) => countOf(target) > 0); // your dots there: it opens
  keep($("#targets"), () => [
    clusters.map(targetItem),
    clusters.length && loose.length ? h("li", { class: "loose-targets" }, h("details", { class: "fold", open: onLoose, dataset: { key: "loose-targets" } },
      h("summary", {}, t("Loose cards"), ` (${loose.length})`),
      h("ul", { class: "targets" }, loose.map(targetItem)))) : loose.map(targetItem),
  ]);
}

function resultsList(state, vote) {
  return h("ol", { class: "results" }, (vote.results || []).map((line) => {
    const target = line.target_type === "cluster" ? state.clusters[line.target_id] : state.cards[line.target_id];
    const text = target ? target.title || target.text : "—";
    return h("li", {}, h("span", { lang: contentLang }, text), " — ", tn("%(n)s dot", "%(n)s dots", line.dots));
  }));
}

const STATUS_TEXT = { open: () => t("open"), superseded: () => t("replaced"), adopted: () => t("adopted"), withdrawn: () => t("withdrawn") };

// The whole proposal: its text and, for an opgave, what is in and out of scope and its core themes.
function proposalBody(p, { help = false } = {}) {
  const parts = [h("p", { class: "statement", lang: contentLang }, p.text)];
  const list = (title, lines) => lines.length ? [h("h4", {}, title), h("ul", {}, lines.map((l) => h("li", {}, l)))] : [];
  const themes = help ? withHelp("kernthema", t("Core themes"), { key: `help:kernthema:${p.id}` }) : t("Core themes");
  parts.push(...list(t("In scope"), p.in_scope), ...list(t("Out of scope"), p.out_of_scope), ...list(themes, p.core_themes));
  return parts;
}

const percent = (share) => new Intl.NumberFormat(pageLanguage(), { style: "percent", maximumFractionDigits: 0 }).format(share);

// "80% agree · 1 objection · 7 people rated": the room's figures, when the round shows them.
function figuresText(fig) {
  return [
    t("%(share)s agree", { share: percent(fig.agree_share) }),
    tn("%(n)s objection", "%(n)s objections", fig.objections),
    tn("%(n)s person rated", "%(n)s people rated", fig.raters),
  ].join(" · ");
}

function lastClosedRound(state, kind) {
  return byId(state.rounds).filter((r) => r.kind === kind && !r.is_open && !r.after_round_id).pop() || null;
}

function renderProposals(state, kind) {
  const proposals = byId(state.proposals).filter((p) => p.kind === kind);
  const closed = lastClosedRound(state, kind);
  const roundOpen = Boolean(openRound(state, kind));
  proposalForm.update(state);
  const result = (p) => {
    const fig = closed && closed.figures[String(p.id)];
    return fig ? h("p", { class: "figures" }, t("Round %(n)s:", { n: closed.number }), " ", figuresText(fig)) : null;
  };
  // Your own open proposal can be amended between rounds (its citations come along).
  const amend = (p) => (p.mine && p.status === "open" && !roundOpen ?
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary small", "aria-label": t("Amend: %(text)s", { text: p.text.slice(0, 60) }), dataset: { key: `amend:${p.id}` }, onclick: () => proposalForm.amend(p) }, t("Amend"))) : null);
  const cites = (p) => {
    const text = citationText(state, p);
    return text ? h("p", { class: "cites meta" }, text) : null;
  };
  // A proposal in the open round is shown whole in its rating form above: the list names it only.
  const open = openRound(state, kind);
  const rated = new Set(open ? open.proposal_ids : []);
  keep($("#proposals"), () => (proposals.length ? proposals.map((p) => h("li", { class: `proposal status-${p.status}`, dataset: { proposalId: p.id } },
    isSeeded(p) ? h("p", { class: "seeded" }, h("span", { class: "badge" }, seededLabel())) : null,
    ...(rated.has(p.id) ? [h("p", { class: "statement", lang: contentLang }, p.text)] : proposalBody(p)),
    cites(p),
    h("p", { class: "meta" }, (STATUS_TEXT[p.status] || (() => p.status))(), p.amends_id ? " · " + t("replaces #%(id)s", { id: p.amends_id }) : "", p.mine ? " · " + t("yours") : ""),
    result(p),
    amend(p))) :
    h("li", { class: "muted" }, t("No proposals yet."))));
  redraftPanel.render(state, kind);
  renderRating(state, kind);
}

// The open round's rating forms, drawn whole from the state each time: a rating chosen but not
// yet given and a reason being written are kept by keep() (by their ids), a form's problem in
// `problems`, so a live update (someone else rated) never takes them away.
function renderRating(state, kind) {
  const round = openRound(state, kind);
  keep($("#rating"), () => {
    if (!round) return null;
    // The count of raters is always shown; the figures only when the round reveals them live
    // (at_close: the phones get no figures until it closes, and say so).
    const rated = tn("%(n)s person has rated so far.", "%(n)s people have rated so far.", round.raters || 0);
    const later = round.reveal === "live" ? "" : t("The results are shown when the round closes.");
    return [
      h("h2", {}, t("Round %(n)s: how far do you agree?", { n: round.number })),
      h("p", { class: "round-status", id: "round-status" }, [rated, later].filter(Boolean).join(" ")),
      round.proposal_ids.map((pid) => ratingForm(state, round, state.proposals[pid])),
    ];
  });
}

function ratingForm(state, round, proposal) {
  const name = `score-${round.id}-${proposal.id}`;
  const mine = state.my_ratings[`${round.id}:${proposal.id}`];
  const fig = round.reveal === "live" && round.figures ? round.figures[String(proposal.id)] : null;
  const problem = problems.get(name);
  const reason = h("textarea", { id: `reason-${name}`, rows: 2, maxlength: 1000 }, mine ? mine.reason : "");
  const form = h("form", { class: "rating stack", "aria-labelledby": `${name}-title` },
    h("h3", { id: `${name}-title`, class: "visually-hidden" }, t("Proposal %(n)s", { n: round.proposal_ids.indexOf(proposal.id) + 1 })),
    h("div", { class: "proposal-full" },
      isSeeded(proposal) ? h("p", { class: "seeded" }, h("span", { class: "badge" }, seededLabel())) : null,
      ...proposalBody(proposal, { help: true }),
      citationText(state, proposal) ? h("p", { class: "cites meta" }, citationText(state, proposal)) : null),
    h("fieldset", {}, h("legend", {}, t("How far do you agree with this proposal?")),
      SCORE_KEYS.map((score) => h("div", { class: "check" },
        h("input", { type: "radio", name, id: `${name}-${score}`, value: score, checked: mine && mine.score === score }),
        h("label", { for: `${name}-${score}` }, label(SCORES, score))))),
    h("label", { for: `reason-${name}` }, t("Reason (required for a 1)")), reason,
    // Said by announce() when it happens, so no alert role: the form is drawn again on every update.
    h("p", { class: "error", hidden: !problem }, problem || ""),
    h("p", { class: "figures", "data-figures": proposal.id, hidden: !fig }, fig ? figuresText(fig) : ""),
    h("p", { class: "ok", "data-mine": proposal.id }, mine ? t("Your rating: %(score)s", { score: label(SCORES, mine.score) }) : ""),
    h("button", { type: "submit" }, t("Give rating")));
  const refuse = (message) => {
    problems.set(name, message);
    announce(message);
    render(room.state);
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const choice = form.querySelector(`input[name="${name}"]:checked`);
    if (!choice) return refuse(t("Choose a rating first."));
    const score = Number(choice.value);
    if (score === 1 && !reason.value.trim()) return refuse(t("A 1 is an objection: say why, so it can be heard."));
    problems.delete(name);
    render(room.state);
    send("rating.give", { round_id: round.id, proposal_id: proposal.id, score, reason: reason.value.trim() })
      .catch((error) => { problems.set(name, error.message); redraw(); }); // announced by the error handler
  });
  return form;
}

function renderResult(state) {
  const adopted = byId(state.proposals).filter((p) => p.status === "adopted");
  keep($("#result"), () => (adopted.length ? adopted.map((p) => h("article", {},
    h("h3", {}, p.kind === "waarom" ? t("Why") : t("Mission")), ...proposalBody(p))) :
    // With an after-window the proposals are still being weighed (#window says until when).
    latestWindow(state) ? null : h("p", { class: "muted" }, t("The facilitator is wrapping up."))));
}

// ---------------------------------------------------------------- timer

const countdown = new Countdown($("#timer"), endsAt);
function renderTimer(ends) { countdown.set(ends); }

// ---------------------------------------------------------------- leaving

$("#leave").addEventListener("click", async () => {
  if (!confirm(t("Leave this workshop? What you posted stays."))) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const response = await fetch(`/api/workshops/${workshopId}/leave`, { method: "POST", headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" }, body: JSON.stringify({ cid: "leave" }) });
  if (response.ok) {
    room.forget();
    replace($("#main"), h("h1", {}, t("You left the workshop")), h("p", {}, t("Thank you for taking part.")), h("p", {}, h("a", { href: "/join" }, t("Join a workshop with a code"))));
  }
});

room.connect();
