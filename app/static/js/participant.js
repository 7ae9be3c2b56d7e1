// The participant's phone: shows only what the current phase asks, confirms every post and vote.
import { Room } from "./socket.js";
import { byId, lastClosedVote, openRound, openVote, visibleCards } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { pageLanguage, t, tn } from "./i18n.js";
import { SCORES, SCORE_KEYS, TAGS, WORLDS, groupName, label, phaseName, postingKind } from "./labels.js";
import { shrink, uploadBeeld } from "./upload.js";
import { Countdown, endsAt } from "./timer.js";
import { GLOSSARY, enhanceGlossary, helpToggle, withHelp } from "./glossary.js";
import { SuggestBox } from "./participant_suggest.js";
import { MergeNotices } from "./participant_notices.js";
import { ProposalForm } from "./participant_proposals.js";
import { citationText, isSeeded, seededLabel } from "./citations.js";
import { startingPointBlock } from "./starting_point.js";

const workshopId = Number(document.body.dataset.workshopId);
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
const forms = new Map(); // cid -> error element of the form that sent it
let lastPhase = null;
let ratingKey = "";
const suggestBox = new SuggestBox($("#suggest"), { send: (type, fields, errorEl) => send(type, fields, errorEl) });
const notices = new MergeNotices($("#notices"), workshopId);
const proposalForm = new ProposalForm({ send: (type, fields, errorEl) => send(type, fields, errorEl), state: () => room.state, showError: (el, message) => showError(el, message) });
let startKey = "";
enhanceGlossary(document);
collapseThemeQuestion();

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
  if (room.state) render(room.state);
});

room.on("ack", (ack) => {
  forms.delete(ack.cid);
  if (suggestBox.acked(ack)) return;
  if (ack.result && ack.result.card_id) received.add(ack.result.card_id);
  announce(t("Received"));
  if (room.state) render(room.state);
});

room.on("error", (error) => {
  const target = forms.get(error.cid);
  forms.delete(error.cid);
  if (target) {
    target.hidden = false;
    target.textContent = error.message;
  }
  announce(error.message);
});

room.on("state", (state) => render(state));
room.on("event:phase.changed", (event) => announce(t("Now: %(phase)s", { phase: phaseName(event.phase) })));

function send(type, fields, errorEl) {
  if (errorEl) errorEl.hidden = true;
  const cid = room.send(type, fields);
  if (errorEl) forms.set(cid, errorEl);
  return cid;
}

// ---------------------------------------------------------------- rendering

function render(state) {
  const w = state.workshop;
  const phase = w.phase;
  $("#phase-title").textContent = phaseName(phase);
  $("#question").textContent = w.theme_question;
  $("#question-box").hidden = !w.theme_question;
  for (const panel of document.querySelectorAll("#main > .panel")) panel.hidden = panelOf(phase) !== panel.id;
  if (phase !== lastPhase) {
    if (lastPhase !== null) $("#question-box").open = false; // seen once; the phase asks now
    replace($("#phase-help"), phaseTerm(phase) ? helpToggle(phaseTerm(phase)) : null);
    setupPhase(phase);
  }
  lastPhase = phase;
  renderTimer(w.timer_ends_at);
  notices.update(state);
  if (phase === "lobby") renderLobby(state);
  else if (postingKind(phase)) renderPosting(state, postingKind(phase));
  else if (phase === "clusteren") renderClusters(state);
  else if (phase === "prioriteren") renderVote(state);
  else if (phase === "waarom" || phase === "opgave") renderProposals(state, phase);
  else if (phase === "afronding") renderResult(state);
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

function renderLobby(state) {
  renderStartingPoint(state.starts_from || null);
  const self = me(state);
  if (!self) return;
  // Not a t() call inside another t() call: Babel's extractor would miss the inner string.
  const name = self.display_name || t("anonymously");
  const text = t("You take part as %(group)s, %(name)s.", { group: groupName(self.stakeholder_group), name });
  const key = `${self.stakeholder_group}:${text}`;
  const el = $("#me");
  if (el.dataset.key === key) return;
  el.dataset.key = key;
  replace(el, text, self.stakeholder_group === "ketenpartner" ? helpToggle("ketenpartner") : null);
}

// A reframing workshop starts from the trajectory's vertrekpunt: the lobby shows it.
function renderStartingPoint(start) {
  const key = JSON.stringify(start);
  if (key === startKey) return;
  startKey = key;
  replace($("#starting-point"), startingPointBlock(start, { heading: "h2" }));
}

function setupPhase(phase) {
  const kind = postingKind(phase);
  if (kind) {
    $("#post-title-text").textContent = { beeld: t("Share an image"), factor: t("Add a factor"), consequentie: t("Add a consequence") }[kind];
    $("#post-label").textContent = { beeld: t("What does it show about the theme? (caption)"), factor: t("Factor: what drives or shapes the theme?"), consequentie: t("Consequence: what does it lead to?") }[kind];
    $("#photo-field").hidden = kind !== "beeld";
    $("#world-field").hidden = kind !== "consequentie";
    $("#links-field").hidden = kind !== "consequentie";
    $("#post-error").hidden = true;
  }
  if (phase === "waarom" || phase === "opgave") {
    proposalForm.setup(phase);
    ratingKey = "";
  }
}

function cardItem(state, card, mine) {
  const extra = [];
  if (card.world) extra.push(h("span", { class: "badge" }, label(WORLDS, card.world)));
  const factors = card.factor_ids.map((id) => state.cards[id]).filter(Boolean);
  if (factors.length) extra.push(h("span", { class: "links" }, t("from: %(factors)s", { factors: factors.map((f) => f.text).join("; ") })));
  const image = card.image ? h("img", { src: card.image.thumb_url, alt: card.text, width: 96, height: Math.round((96 * card.image.height) / card.image.width) || 96, loading: "lazy" }) : null;
  if (card.hidden) return h("li", { class: "card is-hidden", dataset: { cardId: card.id } }, h("p", { class: "muted" }, t("Hidden by the facilitator")));
  const into = card.merged_into_id !== null ? state.cards[card.merged_into_id] : null;
  if (into) extra.push(h("p", { class: "merged" }, t("Combined with: %(text)s", { text: into.text })));
  const item = h("li", { class: "card", dataset: { cardId: card.id } }, image, h("p", {}, card.text), ...extra);
  if (mine) {
    if (received.has(card.id)) item.append(h("span", { class: "ok" }, "✓ ", t("Received")));
    item.append(h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary small", onclick: () => editCard(card, item) }, t("Edit")),
      h("button", { type: "button", class: "secondary small", onclick: () => withdrawCard(card) }, t("Withdraw"))));
  }
  return item;
}

function renderPosting(state, kind) {
  const mine = byId(state.cards).filter((c) => c.kind === kind && c.mine);
  const editing = document.activeElement && document.activeElement.closest("#my-cards .editing");
  if (!editing) {
    const waiting = room.pending().filter((m) => m.type === "card.post" && m.kind === kind)
      .map((m) => h("li", { class: "card waiting" }, h("p", {}, m.text), h("span", { class: "wait" }, t("Waiting to be sent"))));
    replace($("#my-cards"), mine.map((c) => cardItem(state, c, true)), waiting);
  }
  const others = visibleCards(state, kind).filter((c) => !c.mine);
  replace($("#room-cards"), others.length ? others.map((c) => cardItem(state, c, false)) : h("li", { class: "muted" }, t("Nothing yet.")));
  if (kind === "consequentie") {
    const checked = new Set([...document.querySelectorAll("#factor-links input:checked")].map((i) => Number(i.value)));
    replace($("#factor-links"), visibleCards(state, "factor").map((f) => h("div", { class: "check" },
      h("input", { type: "checkbox", id: `link-${f.id}`, value: f.id, checked: checked.has(f.id) }),
      h("label", { for: `link-${f.id}` }, f.text))));
  }
}

function editCard(card, item) {
  const area = h("textarea", { rows: 3, maxlength: 1000, "aria-label": t("Edit your card") });
  area.value = card.text;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "stack editing" }, area, error,
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("Save")),
      h("button", { type: "button", class: "secondary", onclick: () => render(room.state) }, t("Cancel"))));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (!area.value.trim()) return;
    send("card.edit", { card_id: card.id, text: area.value.trim() }, error);
    render(room.state);
  });
  replace(item, form);
  area.focus();
}

function withdrawCard(card) {
  if (confirm(t("Withdraw this card? It disappears for everyone."))) send("card.withdraw", { card_id: card.id });
}

$("#post-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const kind = room.state && postingKind(room.state.workshop.phase);
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
    fields.factor_ids = [...document.querySelectorAll("#factor-links input:checked")].map((i) => Number(i.value));
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
      render(room.state); // the card may have arrived over the socket before this answer
    } catch (failure) {
      progress.hidden = true;
      return showError(error, failure.message);
    }
    progress.hidden = true;
    $("#photo").value = "";
  } else {
    send("card.post", fields, error);
  }
  $("#post-text").value = "";
  for (const input of document.querySelectorAll("#post-form input[type=radio], #factor-links input")) input.checked = false;
});

function showError(el, message) {
  el.hidden = false;
  el.textContent = message;
  announce(message);
}

let clustersKey = "";

function renderClusters(state) {
  suggestBox.render(state);
  const clusters = byId(state.clusters);
  const cards = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null);
  const key = JSON.stringify([clusters, cards.map((c) => [c.id, c.text, c.cluster_id, c.mine])]);
  if (key === clustersKey) return; // an open "?" stays open while nothing on the wall changed
  clustersKey = key;
  const explained = new Set(); // each tag's "?" once, at its first appearance
  const tagOf = (tag) => {
    const badge = h("span", { class: `tag tag-${tag}` }, label(TAGS, tag));
    if (explained.has(tag)) return badge;
    explained.add(tag);
    return h("span", { class: "tag-help" }, badge, ...helpToggle(tag));
  };
  const item = (c) => h("li", { class: c.mine ? "card mine" : "card" }, c.text, c.mine ? h("span", { class: "badge" }, t("yours")) : null);
  replace($("#clusters"), clusters.length ? clusters.map((cluster) => h("section", { class: "cluster" },
    h("h2", {}, cluster.title),
    cluster.tags.length ? h("p", { class: "tags" }, cluster.tags.map(tagOf)) : null,
    h("ul", { class: "cards" }, cards.filter((c) => c.cluster_id === cluster.id).map(item)))) :
    h("p", { class: "muted" }, t("No clusters yet.")));
  const loose = cards.filter((c) => c.cluster_id === null);
  replace($("#loose"), loose.length && clusters.length ? [h("h2", {}, t("Not in a theme yet")), h("ul", { class: "cards" }, loose.map(item))] : null);
}

function targetsOf(state) {
  const clusters = byId(state.clusters).map((c) => ({ type: "cluster", id: c.id, text: c.title }));
  const loose = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null && c.cluster_id === null)
    .map((c) => ({ type: "card", id: c.id, text: c.text }));
  return [...clusters, ...loose];
}

function renderVote(state) {
  const vote = openVote(state);
  const closed = lastClosedVote(state);
  $("#targets").hidden = !vote;
  if (!vote) {
    $("#budget").textContent = closed ? t("The vote is closed.") : t("Waiting for the facilitator to open the vote.");
    replace($("#vote-results"), closed ? resultsList(state, closed) : null);
    return;
  }
  replace($("#vote-results"));
  const mine = state.my_dots[vote.id] || [];
  const pending = room.pending().filter((m) => m.type === "vote.cast" || m.type === "vote.retract");
  const countOf = (target) => (mine.find((d) => d.target_type === target.type && d.target_id === target.id) || { count: 0 }).count;
  const used = mine.reduce((sum, d) => sum + d.count, 0);
  $("#budget").textContent = tn("%(left)s of %(n)s dot left", "%(left)s of %(n)s dots left", vote.budget, { left: vote.budget - used }) +
    (pending.length ? " · " + tn("%(n)s message not yet sent", "%(n)s messages not yet sent", pending.length) : "");
  replace($("#targets"), targetsOf(state).map((target) => {
    const count = countOf(target);
    return h("li", { class: "target" },
      h("p", {}, target.text),
      h("div", { class: "dots" },
        h("button", { type: "button", class: "secondary small", disabled: count === 0, "aria-label": t("Take a dot from: %(text)s", { text: target.text }),
          onclick: () => send("vote.retract", { target_type: target.type, target_id: target.id }) }, "−"),
        h("span", { class: "count", "aria-label": tn("%(n)s dot", "%(n)s dots", count) }, String(count)),
        h("button", { type: "button", class: "small", disabled: used >= vote.budget, "aria-label": t("Give a dot to: %(text)s", { text: target.text }),
          onclick: () => send("vote.cast", { target_type: target.type, target_id: target.id }) }, "+")));
  }));
}

function resultsList(state, vote) {
  return h("ol", { class: "results" }, (vote.results || []).map((line) => {
    const target = line.target_type === "cluster" ? state.clusters[line.target_id] : state.cards[line.target_id];
    const text = target ? target.title || target.text : "—";
    return h("li", {}, text, " — ", tn("%(n)s dot", "%(n)s dots", line.dots));
  }));
}

const STATUS_TEXT = { open: () => t("open"), superseded: () => t("replaced"), adopted: () => t("adopted"), withdrawn: () => t("withdrawn") };

// The whole proposal: its text and, for an opgave, what is in and out of scope and its core themes.
function proposalBody(p, { help = false } = {}) {
  const parts = [h("p", { class: "statement" }, p.text)];
  const list = (title, lines) => lines.length ? [h("h4", {}, title), h("ul", {}, lines.map((l) => h("li", {}, l)))] : [];
  const themes = help ? withHelp("kernthema", t("Core themes")) : t("Core themes");
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
  return byId(state.rounds).filter((r) => r.kind === kind && !r.is_open).pop() || null;
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
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary small", "aria-label": t("Amend: %(text)s", { text: p.text.slice(0, 60) }), onclick: () => proposalForm.amend(p) }, t("Amend"))) : null);
  const cites = (p) => {
    const text = citationText(state, p);
    return text ? h("p", { class: "cites meta" }, text) : null;
  };
  replace($("#proposals"), proposals.length ? proposals.map((p) => h("li", { class: `proposal status-${p.status}`, dataset: { proposalId: p.id } },
    isSeeded(p) ? h("p", { class: "seeded" }, h("span", { class: "badge" }, seededLabel())) : null,
    ...proposalBody(p),
    cites(p),
    h("p", { class: "meta" }, (STATUS_TEXT[p.status] || (() => p.status))(), p.amends_id ? " · " + t("replaces #%(id)s", { id: p.amends_id }) : "", p.mine ? " · " + t("yours") : ""),
    result(p),
    amend(p))) :
    h("li", { class: "muted" }, t("No proposals yet.")));
  renderRating(state, kind);
}

function renderRating(state, kind) {
  const round = openRound(state, kind);
  const holder = $("#rating");
  if (!round) { replace(holder); ratingKey = ""; return; }
  const key = `${round.id}:${round.proposal_ids.join(",")}`;
  if (key !== ratingKey) {
    ratingKey = key;
    replace(holder, h("h2", {}, t("Round %(n)s: how far do you agree?", { n: round.number })),
      h("p", { class: "round-status", id: "round-status" }),
      round.proposal_ids.map((pid) => ratingForm(state, round, state.proposals[pid])));
  }
  // The count of raters is always shown; the figures only when the round reveals them live
  // (at_close: the phones get no figures until it closes, and say so).
  const rated = tn("%(n)s person has rated so far.", "%(n)s people have rated so far.", round.raters || 0);
  const later = round.reveal === "live" ? "" : t("The results are shown when the round closes.");
  $("#round-status").textContent = [rated, later].filter(Boolean).join(" ");
  for (const pid of round.proposal_ids) {
    const mine = state.my_ratings[`${round.id}:${pid}`];
    const out = holder.querySelector(`[data-mine="${pid}"]`);
    if (out) out.textContent = mine ? t("Your rating: %(score)s", { score: label(SCORES, mine.score) }) : "";
    const fig = round.reveal === "live" && round.figures ? round.figures[String(pid)] : null;
    const live = holder.querySelector(`[data-figures="${pid}"]`);
    if (live) { live.hidden = !fig; live.textContent = fig ? figuresText(fig) : ""; }
  }
}

function ratingForm(state, round, proposal) {
  const name = `score-${round.id}-${proposal.id}`;
  const mine = state.my_ratings[`${round.id}:${proposal.id}`];
  const reason = h("textarea", { id: `reason-${name}`, rows: 2, maxlength: 1000 });
  if (mine) reason.value = mine.reason;
  const error = h("p", { class: "error", role: "alert", hidden: true });
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
    h("label", { for: `reason-${name}` }, t("Reason (required for a 1)")), reason, error,
    h("p", { class: "figures", "data-figures": proposal.id, hidden: true }),
    h("p", { class: "ok", "data-mine": proposal.id }),
    h("button", { type: "submit" }, t("Give rating")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const choice = form.querySelector(`input[name="${name}"]:checked`);
    if (!choice) return showError(error, t("Choose a rating first."));
    const score = Number(choice.value);
    if (score === 1 && !reason.value.trim()) return showError(error, t("A 1 is an objection: say why, so it can be heard."));
    send("rating.give", { round_id: round.id, proposal_id: proposal.id, score, reason: reason.value.trim() }, error);
  });
  return form;
}

function renderResult(state) {
  const adopted = byId(state.proposals).filter((p) => p.status === "adopted");
  replace($("#result"), adopted.length ? adopted.map((p) => h("article", {},
    h("h3", {}, p.kind === "waarom" ? t("Why") : t("Mission")), ...proposalBody(p))) :
    h("p", { class: "muted" }, t("The facilitator is wrapping up.")));
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
