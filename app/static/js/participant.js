// The participant's phone: shows only what the current phase asks, confirms every post and vote.
import { Room } from "./socket.js";
import { byId, lastClosedVote, openRound, openVote, visibleCards } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { SCORES, TAGS, WORLDS, groupName, label, phaseName } from "./labels.js";
import { shrink, uploadBeeld } from "./upload.js";
import { Countdown, endsAt } from "./timer.js";

const workshopId = Number(document.body.dataset.workshopId);
const initialNode = document.getElementById("initial-state");
const room = new Room({ workshopId, storageKey: "phone", initial: initialNode ? JSON.parse(initialNode.textContent) : null });
const POST_KIND = { beelden: "beeld", factoren: "factor", consequenties: "consequentie" };
const PANELS = {
  lobby: "panel-lobby", beelden: "panel-post", factoren: "panel-post", consequenties: "panel-post",
  clusteren: "panel-clusters", prioriteren: "panel-vote", waarom: "panel-proposals",
  opgave: "panel-proposals", afronding: "panel-result",
};
const received = new Set(); // ids of my cards whose post was acknowledged in this session
const forms = new Map(); // cid -> error element of the form that sent it
let lastPhase = null;
let ratingKey = "";

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
  el.textContent = t("%(n)s not yet sent", { n: outbox.length });
  if (room.state) render(room.state);
});

room.on("ack", (ack) => {
  forms.delete(ack.cid);
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
  for (const id of new Set(Object.values(PANELS))) $(`#${id}`).hidden = PANELS[phase] !== id;
  if (phase !== lastPhase) setupPhase(phase);
  lastPhase = phase;
  renderTimer(w.timer_ends_at);
  if (phase === "lobby") renderLobby(state);
  else if (POST_KIND[phase]) renderPosting(state, POST_KIND[phase]);
  else if (phase === "clusteren") renderClusters(state);
  else if (phase === "prioriteren") renderVote(state);
  else if (phase === "waarom" || phase === "opgave") renderProposals(state, phase);
  else if (phase === "afronding") renderResult(state);
}

function me(state) {
  return state.participants[room.participantId] || null;
}

function renderLobby(state) {
  const self = me(state);
  if (!self) return;
  $("#me").textContent = t("You take part as %(group)s, %(name)s.", {
    group: groupName(self.stakeholder_group),
    name: self.display_name || t("anonymously"),
  });
}

function setupPhase(phase) {
  const kind = POST_KIND[phase];
  if (kind) {
    $("#post-title").textContent = { beeld: t("Share an image"), factor: t("Add a factor"), consequentie: t("Add a consequence") }[kind];
    $("#post-label").textContent = { beeld: t("What does it show about the theme? (caption)"), factor: t("Factor: what drives or shapes the theme?"), consequentie: t("Consequence: what does it lead to?") }[kind];
    $("#photo-field").hidden = kind !== "beeld";
    $("#world-field").hidden = kind !== "consequentie";
    $("#links-field").hidden = kind !== "consequentie";
    $("#post-error").hidden = true;
  }
  if (phase === "waarom" || phase === "opgave") {
    $("#proposal-label").textContent = phase === "waarom" ? t("Why: what do we do this for?") : t("Mission: what do we take on?");
    $("#scope-fields").hidden = phase !== "opgave";
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
  const kind = POST_KIND[room.state && room.state.workshop.phase];
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

function renderClusters(state) {
  const clusters = byId(state.clusters);
  replace($("#clusters"), clusters.length ? clusters.map((cluster) => h("section", { class: "cluster" },
    h("h2", {}, cluster.title, ...cluster.tags.map((tag) => h("span", { class: `tag tag-${tag}` }, label(TAGS, tag)))),
    h("ul", { class: "cards" }, byId(state.cards).filter((c) => c.cluster_id === cluster.id && !c.hidden).map((c) => h("li", { class: "card" }, c.text))))) :
    h("p", { class: "muted" }, t("No clusters yet.")));
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
  $("#budget").textContent = t("%(left)s of %(budget)s dots left", { left: vote.budget - used, budget: vote.budget }) +
    (pending.length ? " · " + t("%(n)s not yet sent", { n: pending.length }) : "");
  replace($("#targets"), targetsOf(state).map((target) => {
    const count = countOf(target);
    return h("li", { class: "target" },
      h("p", {}, target.text),
      h("div", { class: "dots" },
        h("button", { type: "button", class: "secondary small", disabled: count === 0, "aria-label": t("Take a dot from: %(text)s", { text: target.text }),
          onclick: () => send("vote.retract", { target_type: target.type, target_id: target.id }) }, "−"),
        h("span", { class: "count", "aria-label": t("%(n)s dots", { n: count }) }, String(count)),
        h("button", { type: "button", class: "small", disabled: used >= vote.budget, "aria-label": t("Give a dot to: %(text)s", { text: target.text }),
          onclick: () => send("vote.cast", { target_type: target.type, target_id: target.id }) }, "+")));
  }));
}

function resultsList(state, vote) {
  return h("ol", { class: "results" }, (vote.results || []).map((line) => {
    const target = line.target_type === "cluster" ? state.clusters[line.target_id] : state.cards[line.target_id];
    const text = target ? target.title || target.text : "—";
    return h("li", {}, text, " — ", t("%(n)s dots", { n: line.dots }));
  }));
}

const STATUS_TEXT = { open: () => t("open"), superseded: () => t("replaced"), adopted: () => t("adopted"), withdrawn: () => t("withdrawn") };

function proposalBody(p) {
  const parts = [h("p", { class: "statement" }, p.text)];
  const list = (title, lines) => lines.length ? [h("h4", {}, title), h("ul", {}, lines.map((l) => h("li", {}, l)))] : [];
  parts.push(...list(t("In scope"), p.in_scope), ...list(t("Out of scope"), p.out_of_scope), ...list(t("Core themes"), p.core_themes));
  return parts;
}

function renderProposals(state, kind) {
  const proposals = byId(state.proposals).filter((p) => p.kind === kind);
  replace($("#proposals"), proposals.length ? proposals.map((p) => h("li", { class: `proposal status-${p.status}` },
    ...proposalBody(p),
    h("p", { class: "meta" }, (STATUS_TEXT[p.status] || (() => p.status))(), p.amends_id ? " · " + t("replaces #%(id)s", { id: p.amends_id }) : ""))) :
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
      round.proposal_ids.map((pid) => ratingForm(state, round, state.proposals[pid])));
  }
  for (const pid of round.proposal_ids) {
    const mine = state.my_ratings[`${round.id}:${pid}`];
    const out = holder.querySelector(`[data-mine="${pid}"]`);
    if (out) out.textContent = mine ? t("Your rating: %(score)s", { score: label(SCORES, mine.score) }) : "";
  }
}

function ratingForm(state, round, proposal) {
  const name = `score-${round.id}-${proposal.id}`;
  const mine = state.my_ratings[`${round.id}:${proposal.id}`];
  const reason = h("textarea", { id: `reason-${name}`, rows: 2, maxlength: 1000 });
  if (mine) reason.value = mine.reason;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const form = h("form", { class: "rating stack" },
    h("fieldset", {}, h("legend", {}, proposal.text),
      [5, 4, 3, 2, 1].map((score) => h("div", { class: "check" },
        h("input", { type: "radio", name, id: `${name}-${score}`, value: score, checked: mine && mine.score === score }),
        h("label", { for: `${name}-${score}` }, label(SCORES, score))))),
    h("label", { for: `reason-${name}` }, t("Reason (required for a 1)")), reason, error,
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

$("#proposal-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const kind = room.state && room.state.workshop.phase;
  const error = $("#proposal-error");
  const text = $("#proposal-text").value.trim();
  if (!text) return showError(error, t("Write something first."));
  const lines = (id) => $(id).value.split("\n").map((l) => l.trim()).filter(Boolean);
  const fields = { kind, text };
  if (kind === "opgave") Object.assign(fields, { in_scope: lines("#in-scope"), out_of_scope: lines("#out-scope"), core_themes: lines("#themes") });
  send("proposal.create", fields, error);
  for (const id of ["#proposal-text", "#in-scope", "#out-scope", "#themes"]) $(id).value = "";
});

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
