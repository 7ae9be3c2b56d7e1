// The facilitator's console: steer the phases, moderate, cluster (no drag and drop), run votes
// and agreement rounds, adopt, and save the vertrekpunt. Every command shows its outcome.
// Changes in the room redraw the page once per frame (view.js), each part kept as it was for the
// facilitator: focus, open boxes, a half-written proposal or setting.
import { Room } from "./socket.js";
import { byId, lastClosedVote, openVote, visibleCards } from "./state.js";
import { $, announce, h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CARD_KINDS, TAGS, WORLDS, groupName, label, phaseName, postingKind, tagsIn } from "./labels.js";
import { keep, schedule } from "./view.js";
import { representationBlock } from "./representation.js";
import { Countdown, endsAt } from "./timer.js";
import { showDriver } from "./cofacilitation.js";
import { mountBoard } from "./board.js";
import { proposals } from "./console_proposals.js";
import { AtTable } from "./at_table.js";
import { EqualVoice } from "./console_voice.js";
import { errorText } from "./errors.js";
import { AgendaEditor, duration, totalMinutes } from "./agenda_editor.js";
import { startingPointBlock } from "./starting_point.js";
import { People } from "./console_people.js";
import { screensChanged } from "./pairing.js";
import { windowControls } from "./console_window.js";
import { elsewhereLine } from "./console_elsewhere.js";
import { beforePanel, windowFields, windowValues } from "./console_before.js";
import { mountHelperCodes } from "./console_helper.js";

const workshopId = Number(document.body.dataset.workshopId);
mountHelperCodes(workshopId);
const trajectoryId = Number(document.body.dataset.trajectoryId);
const room = new Room({ workshopId, storageKey: "console" });
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
let presence = { participants: 0, by_group: {}, participant_ids: [] };
let tally = null;
const atTable = new AtTable($("#at-table"), { workshopId, command });
const equalVoice = new EqualVoice({ command });
const agendaEditor = new AgendaEditor($("#agenda-dialog"), { command, state: () => room.state });
const people = new People({ waiting: $("#waiting"), list: $("#participants"), actions: $("#people-actions") }, { command });
$("#edit-agenda").addEventListener("click", () => { if (room.state) agendaEditor.open(); });
// "Aan tafel" is below the columns, past a long list of participants: one button takes you there.
$("#go-at-table").addEventListener("click", () => {
  const panel = $("#at-table");
  panel.open = true;
  panel.scrollIntoView({ block: "start" });
  panel.querySelector("summary").focus();
});

room.on("status", (status) => {
  const el = $("#status");
  el.dataset.status = status;
  el.textContent = { connected: t("Connected"), "catching-up": t("Catching up…"), offline: t("Offline"), unauthorised: t("Signed out: log in again") }[status] || t("Reconnecting…");
});
room.on("presence", (message) => { presence = message; screensChanged(message); schedule("console:room", () => { if (room.state) renderRoom(room.state); }); });
room.on("tally", (message) => { tally = message; schedule("console", draw); });
room.on("state", () => schedule("console", draw));
// Each command says its own outcome (command() below); these are the answers no promise on this
// page waits for: commands sent before a reload, and refusals that answer no command.
room.on("ack", (ack) => { if (!room.awaits(ack.cid)) feedback(t("Done"), false); });
// With the admit step on, someone new waits in the lobby: say so, as the list is out of sight.
room.on("event:participant.joined", (event) => {
  if (!event.participant.waiting || room.status !== "connected") return;
  const name = event.participant.display_name || t("Anonymous");
  announce(t("%(name)s is waiting to be let in", { name }));
});
room.on("error", (error) => { if (!room.awaits(error.cid)) feedback(errorText(error), true); });

function draw() {
  if (room.state) render(room.state);
}

function feedback(text, isError) {
  const el = $("#feedback");
  el.className = isError ? "feedback error" : "feedback ok";
  el.setAttribute("role", isError ? "alert" : "status");
  el.textContent = text;
  if (!isError) announce(text);
}

// Send a command and say its outcome: `done` when the server confirms it, the reason when it
// refuses. Resolves with what the command made (the ack's result); a refusal rejects too, for a
// caller that waits on it (the board's undo), and is already said here.
function command(type, fields, done) {
  const answer = room.send(type, fields).then(
    (ack) => { feedback(done || t("Done"), false); return ack.result || {}; },
    (error) => { feedback(errorText(error), true); throw error; });
  answer.catch(() => { /* said above */ });
  return answer;
}

// ---------------------------------------------------------------- the whole page

function render(state) {
  const w = state.workshop;
  $("#title").textContent = w.title;
  $("#code").textContent = `${w.join_code.slice(0, 3)}-${w.join_code.slice(3)}`;
  renderAgenda(w);
  renderTimer(w.timer_ends_at);
  keep($("#screen-steer"), () => renderScreen(state));
  if (w.phase === "clusteren") mountBoard(state, { socket: room, command }); // board.js: the board keeps its own selection and drag
  keep($("#controls"), () => controls(state, w.phase));
  keep($("#after-window"), () => (["waarom", "opgave", "afronding"].includes(w.phase) || byId(state.rounds).some((r) => r.after_round_id) ? windowControls(state, command) : null));
  renderRoom(state);
  atTable.render(state);
  keep($("#settings-form"), () => settingsFields(w));
}

// Each step with its planned minutes (outside the button, so its name stays the phase's name).
function renderAgenda(w) {
  const minutes = w.phase_minutes || [];
  keep($("#agenda"), () => w.agenda.map((phase, index) => h("li", { "aria-current": index === w.phase_index ? "step" : null, class: index === w.phase_index ? "current" : "", dataset: { key: `step:${index}` } },
    index === w.phase_index ? h("span", {}, phaseName(phase), " ", h("strong", {}, t("(now)"))) :
      h("button", { type: "button", class: "link", onclick: () => goTo(index) }, phaseName(phase)),
    minutes[index] ? h("span", { class: "minutes" }, t("%(n)s min", { n: minutes[index] })) : null)));
  const total = totalMinutes(w);
  $("#agenda-total").textContent = total ? t("Planned: %(time)s", { time: duration(total) }) : "";
  $("#prev").disabled = w.phase_index === 0;
  $("#next").disabled = w.phase_index === w.agenda.length - 1;
}
$("#prev").addEventListener("click", () => goTo(room.state.workshop.phase_index - 1));
$("#next").addEventListener("click", () => goTo(room.state.workshop.phase_index + 1));

// Leaving a phase with a vote or round still open asks first: count it (close) or not (cancel).
function goTo(index) {
  const state = room.state;
  const phase = state.workshop.agenda[index];
  const done = t("Moved to %(phase)s", { phase: phaseName(phase) });
  const vote = openVote(state);
  const round = byId(state.rounds).find((r) => r.is_open && !r.after_round_id); // a window stays open
  if (!vote && !round) { command("phase.set", { index }, done); return; }
  const dialog = $("#leave-dialog");
  $("#leave-text").textContent = vote ?
    t("The dot vote is still open. Close it and count the dots, or cancel it, before going to %(phase)s?", { phase: phaseName(phase) }) :
    t("Agreement round %(n)s is still open. Close it and keep its ratings, or cancel it, before going to %(phase)s?", { n: round.number, phase: phaseName(phase) });
  dialog.onclose = () => {
    const choice = dialog.returnValue;
    if (choice === "close" || choice === "cancel") command("phase.set", { index, open_items: choice }, done);
  };
  dialog.returnValue = "";
  dialog.showModal();
}

// ---------------------------------------------------------------- the projector, from here

function renderScreen(state) {
  const w = state.workshop;
  const screen = w.screen || { page: null, focus: null };
  const send = (fields, done) => command("screen.view", fields, done);
  const page = screen.page;
  const items = focusable(state, w.phase);
  const current = screen.focus ? items.find((i) => i.kind === screen.focus.kind && i.id === screen.focus.id) : null;
  const select = h("select", { id: "screen-focus", dataset: { fresh: "" } },
    h("option", { value: "" }, t("Everything (no focus)")),
    items.map((i) => h("option", { value: `${i.kind}:${i.id}`, selected: current === i }, i.label)));
  select.addEventListener("change", () => {
    const [kind, id] = select.value.split(":");
    send({ page, focus: select.value ? { kind, id: Number(id) } : null }, select.value ? t("Shown large on the projector") : t("The projector shows everything again"));
  });
  const status = screen.heard ? t("The projector shows who gets heard (see “At the table”).") :
    screen.focus ? t("The projector shows one item large.") :
    page === null ? t("The projector turns its pages by itself.") : t("The projector holds page %(n)s.", { n: page + 1 });
  return [
    h("h3", {}, t("Projector")),
    h("p", { class: "hint", id: "screen-status" }, status),
    screen.heard ? h("div", { class: "row" }, h("button", { type: "button", id: "screen-heard-back", onclick: () => send({ page, focus: screen.focus || null }, t("The projector shows the wall again")) }, t("Back"))) : null,
    h("div", { class: "row" },
      h("button", { type: "button", class: "secondary", dataset: { key: "screen-previous" }, onclick: () => send({ page: Math.max(0, (page ?? 0) - 1), focus: null }, t("Previous page on the projector")) }, t("Previous page")),
      h("button", { type: "button", class: "secondary", dataset: { key: "screen-next" }, onclick: () => send({ page: (page ?? 0) + 1, focus: null }, t("Next page on the projector")) }, t("Next page")),
      h("button", { type: "button", class: "secondary", dataset: { key: "screen-auto" }, disabled: page === null && !screen.focus, onclick: () => send({ page: null, focus: null }, t("The projector turns its pages by itself")) }, t("Turn pages by itself"))),
    h("label", { for: "screen-focus" }, t("Show one item large")), select,
    overviewSteps(state, screen, send)];
}

// Clusteren and prioriteren: the projector shows the overview; a cluster chosen under "Show one
// item large" fills it with all its cards, and one button goes back (screen.view with focus, and
// without). One control for the choice, not a button per cluster: with 200 cards the console's
// side column must stay short (issue 23's board fits the screen).
function overviewSteps(state, screen, send) {
  const phase = state.workshop.phase;
  if (phase !== "clusteren" && phase !== "prioriteren") return null;
  const focused = screen.focus && screen.focus.kind === "cluster" ? screen.focus.id : null;
  return focused !== null ? h("div", { class: "screen-overview" },
    h("button", { type: "button", id: "screen-overview-back", onclick: () => send({ page: null, focus: null }, t("The projector shows the overview again")) }, t("Back to the overview"))) : null;
}

function focusable(state, phase) {
  const short = (text) => (text.length > 60 ? text.slice(0, 57) + "…" : text);
  const clusters = byId(state.clusters).map((c) => ({ kind: "cluster", id: c.id, label: t("Cluster: %(title)s", { title: short(c.title) }) }));
  const proposals = byId(state.proposals).filter((p) => p.status === "open" || p.status === "adopted")
    .map((p) => ({ kind: "proposal", id: p.id, label: `${p.kind === "waarom" ? t("Why") : t("Mission")}: ${short(p.text)}` }));
  const kind = postingKind(phase);
  const cards = kind ? visibleCards(state, kind).map((c) => ({ kind: "card", id: c.id, label: short(c.text) })) : [];
  if (phase === "waarom" || phase === "opgave") return [...proposals.filter((p) => state.proposals[p.id].kind === phase), ...clusters];
  if (phase === "clusteren" || phase === "prioriteren") return [...clusters, ...cards];
  return [...cards, ...clusters, ...proposals];
}

$("#timer-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const minutes = Number($("#minutes").value);
  if (minutes > 0) command("timer.start", { seconds: Math.round(minutes * 60) }, t("Timer started"));
});
$("#timer-stop").addEventListener("click", () => command("timer.stop", {}, t("Timer stopped")));

const countdown = new Countdown($("#timer"), endsAt);
function renderTimer(ends) {
  countdown.set(ends);
  $("#timer-stop").hidden = !ends;
}

$("#open-screen").addEventListener("click", async () => {
  const screen = window.open("", "_blank");
  const response = await fetch(`/api/workshops/${workshopId}/screen-token`, { method: "POST", headers: { "X-CSRF-Token": csrf() } });
  if (!response.ok) { if (screen) screen.close(); feedback(t("Could not open the projector."), true); return; }
  const { screen_token: token } = await response.json();
  const url = `/screen/${workshopId}#token=${encodeURIComponent(token)}`;
  if (screen) screen.location = url; else location.href = url;
});

// ---------------------------------------------------------------- phase controls

function controls(state, phase) {
  if (postingKind(phase)) return moderation(state, postingKind(phase), phase);
  // The board (board.js, above the columns) moderates on its tiles: hide and spotlight under ⋯.
  if (phase === "clusteren") return h("p", { class: "hint" }, t("Hide a card or put it in the spotlight with ⋯ on its tile on the board."));
  if (phase === "prioriteren") return voting(state);
  if (phase === "waarom" || phase === "opgave") return proposals(state, phase, { command, feedback });
  if (phase === "afronding") return wrapUp(state);
  return lobby(state);
}

// A reframing workshop re-checks the table before it starts: the starting point, and who was
// (not) at the table or (not) heard in the trajectory's workshops so far, with the room's question.
function lobby(state) {
  const start = [h("p", { class: "hint" }, t("Participants join with the code. Move to the next phase to start.")),
    state.workshop.settings.admit ? h("p", { class: "hint" }, t("Whoever joins waits until you let them in, under “In the room”.")) : null,
    beforePanel(state, { command, feedback })];
  if (!state.starts_from) return start;
  const check = h("div", { id: "lobby-check" });
  const fill = () => keep(check, () => atTable.trajectoryPanel(() => { if (check.isConnected) fill(); }));
  fill();
  return [...start,
    startingPointBlock(state.starts_from, { heading: "h3", lead: false, id: "console-start-title" }),
    h("section", { class: "reframe-check", "aria-labelledby": "reframe-check-title" },
      h("h3", { id: "reframe-check-title" }, t("Reframing: who is at the table?")),
      check,
      h("button", { type: "button", class: "secondary", onclick: () => atTable.refresh() }, t("Refresh")))];
}

function cardText(card) {
  return card.text.length > 80 ? card.text.slice(0, 77) + "…" : card.text;
}

function tagBoxes(prefix, tags, onChange) {
  return h("fieldset", { class: "tags" }, h("legend", {}, t("Tags")),
    Object.keys(TAGS).map((tag) => {
      const id = `${prefix}-${tag}`;
      return h("span", { class: "check" },
        h("input", { type: "checkbox", id, checked: tags.includes(tag), dataset: { fresh: "" }, onchange: (e) => {
          const next = e.target.checked ? [...tags, tag] : tags.filter((x) => x !== tag);
          onChange(next);
        } }),
        h("label", { for: id }, label(TAGS, tag)));
    }));
}

function moderation(state, kind, phase) {
  const cards = byId(state.cards).filter((c) => (kind ? c.kind === kind : true));
  return h("section", { "aria-labelledby": "cards-title" },
    h("h3", { id: "cards-title" }, kind ? t("Cards: %(kind)s (%(n)s)", { kind: label(CARD_KINDS, kind), n: cards.length }) : t("All cards (%(n)s)", { n: cards.length })),
    mergeForm(cards),
    // Scrolls within itself (facilitator.css); keep() keeps its place through live updates.
    cards.length ? h("ul", { class: "cards cards-scroll", id: "moderation-cards", dataset: { keepScroll: "" } }, cards.map((card) => cardRow(state, card, phase))) : h("p", { class: "hint" }, t("No cards yet.")));
}

// Two cards that say the same, merged from one form above the list: a "Duplicate of" choice on
// every row listed every other card again (96 factoren drew 9,000 options on each update).
function mergeForm(cards) {
  const open = cards.filter((c) => c.merged_into_id === null && !c.hidden);
  if (open.length < 2) return null;
  const options = () => [h("option", { value: "" }, t("Choose…")), ...open.map((c) => h("option", { value: c.id }, cardText(c)))];
  return h("form", { class: "row merge-cards", id: "merge-form", onsubmit: (e) => {
    e.preventDefault();
    const [gone, into] = [Number($("#merge-card").value), Number($("#merge-into").value)];
    if (!gone || !into || gone === into) { feedback(t("Choose two different cards."), true); return; }
    command("card.merge", { card_id: gone, into_id: into }, t("Duplicate merged"));
  } },
  h("label", { for: "merge-card" }, t("Duplicate card")), h("select", { id: "merge-card" }, options()),
  h("label", { for: "merge-into" }, t("Duplicate of")), h("select", { id: "merge-into" }, options()),
  h("button", { type: "submit", class: "secondary small" }, t("Merge")));
}

function cardRow(state, card, phase) {
  const author = state.participants[card.author_id];
  return h("li", { class: `card ${card.hidden ? "is-hidden" : ""}`, dataset: { key: `moderate:${card.id}` } },
    card.image ? h("img", { src: card.image.thumb_url, alt: card.text, width: 64, height: 64 }) : null,
    h("p", {}, h("span", { class: "kind" }, label(CARD_KINDS, card.kind)), " ", card.text,
      card.world ? h("span", { class: "badge" }, label(WORLDS, card.world)) : null,
      card.channel === "before" ? h("span", { class: "badge" }, t("sent in beforehand")) : null,
      author && author.display_name ? h("span", { class: "muted" }, ` — ${author.display_name}`) : null),
    card.hidden ? h("p", { class: "muted" }, t("Hidden from the walls")) : null,
    card.merged_into_id ? h("p", { class: "muted" }, t("Merged into: %(text)s", { text: cardText(state.cards[card.merged_into_id] || { text: "?" }) })) : null,
    h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary small", onclick: () => command("card.hide", { card_id: card.id, hidden: !card.hidden }, card.hidden ? t("Card shown") : t("Card hidden")) }, card.hidden ? t("Show") : t("Hide")),
      h("button", { type: "button", class: "secondary small", onclick: () => command("card.spotlight", { card_id: state.workshop.spotlight_card_id === card.id ? null : card.id }, t("Projector updated")) },
        state.workshop.spotlight_card_id === card.id ? t("End spotlight") : t("Spotlight"))),
    tagsIn(phase) ? tagBoxes(`tag-${card.id}`, card.tags, (tags) => command("card.tag", { card_id: card.id, tags }, t("Tags saved"))) : null);
}

function voting(state) {
  const vote = openVote(state);
  const closed = lastClosedVote(state);
  const parts = [];
  if (vote) {
    const progress = tally && tally.vote_id === vote.id ? tally : { voters: 0, dots: 0 };
    parts.push(h("p", { class: "big" }, t("%(voters)s of %(present)s voted · %(dots)s dots", { voters: progress.voters, present: presence.participants, dots: progress.dots })),
      h("p", { class: "hint" }, t("What was voted for stays hidden until you close the vote.")),
      h("button", { type: "button", onclick: () => command("vote.close", {}, t("Vote closed")) }, t("Close the vote")));
  } else {
    const form = h("form", { class: "row" },
      h("label", { for: "budget" }, t("Dots per person")),
      h("input", { id: "budget", type: "number", min: 1, max: 50, value: state.workshop.settings.dot_budget }),
      h("button", { type: "submit" }, t("Open a dot vote")));
    form.addEventListener("submit", (e) => { e.preventDefault(); command("vote.open", { budget: Number($("#budget").value) }, t("Vote opened")); });
    parts.push(form);
  }
  if (closed) {
    parts.push(h("h3", {}, t("Result")), h("ol", { class: "results" }, (closed.results || []).map((line) => {
      const target = line.target_type === "cluster" ? state.clusters[line.target_id] : state.cards[line.target_id];
      return h("li", {}, target ? target.title || target.text : "—", " — ", tn("%(n)s dot", "%(n)s dots", line.dots));
    })));
  }
  return h("section", {}, h("h3", {}, t("Dot vote")), parts);
}

function wrapUp(state) {
  const adopted = byId(state.proposals).filter((p) => p.status === "adopted");
  const waarom = adopted.find((p) => p.kind === "waarom");
  const opgave = adopted.find((p) => p.kind === "opgave");
  return h("section", {},
    h("h3", {}, t("The result")),
    h("p", {}, h("strong", {}, t("Why"), ": "), waarom ? waarom.text : t("not adopted yet")),
    h("p", {}, h("strong", {}, t("Mission"), ": "), opgave ? opgave.text : t("not adopted yet")),
    savedState(state, waarom && opgave),
    h("h3", {}, t("Download the summary")),
    // Every export format, labelled in the page's language: the server lists them from its
    // registry (app/exports/registry.py) in the page's #downloads block, so none is named here.
    h("ul", { class: "plain downloads" }, JSON.parse($("#downloads").textContent)
      .map(({ path, label }) => h("li", {}, h("a", { href: path, download: "" }, label)))));
}

// A workshop saves its vertrekpunt once: afterwards the button gives way to what happened. An
// older workshop saving after a newer one, or after a choice with a reason, does not become
// current (an explicit act elsewhere: app/workshops/history.py).
function savedState(state, ready) {
  if (!state.vertrekpunt_id) {
    return h("button", { type: "button", id: "save-vertrekpunt", disabled: !ready, onclick: () => command("vertrekpunt.save", {}, t("Starting point saved")) }, t("Save as starting point"));
  }
  const trajectory = `/trajectories/${trajectoryId}`;
  return h("div", { class: "saved-state", id: "saved-state" },
    h("p", { class: "ok" }, "✓ ", t("Starting point saved")),
    state.vertrekpunt_current ?
      h("p", {}, t("Saved as the starting point of the trajectory."), " ", h("a", { href: trajectory }, t("Open the trajectory"))) :
      h("p", { class: "warn" }, t("Saved, but not the current starting point: a newer workshop already has one, or a choice with a written reason came after this workshop was made."), " ",
        h("a", { href: trajectory }, t("Make it current on the trajectory page."))));
}

// ---------------------------------------------------------------- the room

function renderRoom(state) {
  const expected = state.workshop.expected_groups;
  const groups = [...new Set([...expected, ...Object.keys(presence.by_group)])];
  const missing = expected.filter((g) => !presence.by_group[g]);
  keep($("#presence"), () => [
    h("p", {}, t("%(n)s connected", { n: presence.participants })),
    h("ul", { class: "plain" }, groups.map((g) => h("li", {}, groupName(g), ": ", String(presence.by_group[g] || 0), expected.includes(g) ? "" : " " + t("(not expected)")))),
    missing.length ? h("p", { class: "warn" }, t("Missing at the table: %(groups)s", { groups: missing.map(groupName).join(", ") })) : null,
    elsewhereLine(presence.from_elsewhere),
    representationBlock(state)]);
  people.render(state, new Set(presence.participant_ids || []));
  keep($("#equal-voice-body"), () => equalVoice.render(state, presence));
}

// The settings as drawn from the room; what the facilitator changed and has not saved yet stays
// (keep() in render()), the rest follows the room, also while the box is open.
function settingsFields(w) {
  const s = w.settings;
  const field = (id, text, input) => [h("label", { for: id }, text), input];
  return [
    ...field("set-title", t("Title"), h("input", { id: "set-title", value: w.title, maxlength: 200 })),
    ...field("set-question", t("Theme question"), h("textarea", { id: "set-question", rows: 2 }, w.theme_question)),
    ...field("set-budget", t("Dots per person"), h("input", { id: "set-budget", type: "number", min: 1, max: 50, value: s.dot_budget })),
    ...field("set-agree", t("Agreement needed (share of 4s and 5s, %)"), h("input", { id: "set-agree", type: "number", min: 1, max: 100, value: Math.round(s.agree_share * 100) })),
    ...field("set-part", t("Participation needed (share of those present, %)"), h("input", { id: "set-part", type: "number", min: 1, max: 100, value: Math.round(s.min_participation * 100) })),
    ...field("set-objections", t("Objections allowed"), h("input", { id: "set-objections", type: "number", min: 0, max: 20, value: s.allow_objections })),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "set-every-group", checked: s.carried_by_every_group, "aria-describedby": "set-every-group-hint" }), h("label", { for: "set-every-group" }, t("Every group must carry it"))),
    h("p", { class: "hint", id: "set-every-group-hint" }, t("A proposal then only converges when each group agrees enough and nobody in it objects. Groups too small to show on their own count together.")),
    ...field("set-group-agree", t("Agreement needed in each group (share of 4s and 5s, %)"), h("input", { id: "set-group-agree", type: "number", min: 1, max: 100, value: Math.round(s.group_agree_share * 100) })),
    ...field("set-language", t("Language"), h("select", { id: "set-language" }, h("option", { value: "nl", selected: s.language === "nl" }, "Nederlands"), h("option", { value: "en", selected: s.language === "en" }, "English"))),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "set-anonymous", checked: s.anonymous }), h("label", { for: "set-anonymous" }, t("Anonymous (only before anyone joins)"))),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "set-cluster", checked: s.participants_cluster }), h("label", { for: "set-cluster" }, t("Phones may suggest where cards belong, and tag them"))),
    h("div", { class: "check" }, h("input", { type: "checkbox", id: "set-admit", checked: s.admit }), h("label", { for: "set-admit" }, t("Let people in from the lobby"))),
    ...field("set-nudge", t("Ask someone who has shared nothing, after … minutes of a phase (empty: never)"), h("input", { id: "set-nudge", type: "number", min: 1, max: 60, value: s.nudge_minutes ?? "", "aria-describedby": "set-nudge-hint" })),
    h("p", { class: "hint", id: "set-nudge-hint" }, t("Only their own phone shows “Would you like to share something too?”, once per phase; they can close it.")),
    ...field("set-window-objection", t("An objection given afterwards"), h("select", { id: "set-window-objection" }, h("option", { value: "counts", selected: s.window_objection !== "reported" }, t("counts as in the room")), h("option", { value: "reported", selected: s.window_objection === "reported" }, t("is reported, without blocking")))),
    windowFields(s),
    h("button", { type: "submit" }, t("Save settings"))];
}

$("#settings-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const w = room.state.workshop;
  command("workshop.configure", {
    title: $("#set-title").value.trim() || w.title,
    theme_question: $("#set-question").value.trim(),
    settings: {
      ...w.settings,
      dot_budget: Number($("#set-budget").value),
      agree_share: Number($("#set-agree").value) / 100,
      min_participation: Number($("#set-part").value) / 100,
      allow_objections: Number($("#set-objections").value),
      carried_by_every_group: $("#set-every-group").checked,
      group_agree_share: Number($("#set-group-agree").value) / 100,
      language: $("#set-language").value,
      anonymous: $("#set-anonymous").checked,
      participants_cluster: $("#set-cluster").checked,
      admit: $("#set-admit").checked,
      nudge_minutes: $("#set-nudge").value ? Number($("#set-nudge").value) : null,
      window_objection: $("#set-window-objection").value,
      ...windowValues(),
    },
  }, t("Settings saved"));
});

showDriver(room, { command });
room.connect();
