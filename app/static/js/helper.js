// The tafelhulp's phone: help someone without a phone. Pick or add the person (their group, their
// consent for the record, a name if they like), then enter a card or a rating for them. Every
// entry is an ordinary command sent on their behalf (`on_behalf_of`); the server checks that this
// helper added them. The list of people and their entries comes from /api/workshops/{id}/hulp:
// this phone never sees anyone else's entries, and the room never sees who helped whom.
import { Room } from "./socket.js";
import { openRound } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { t, tn } from "./i18n.js";
import { SCORES, SCORE_KEYS, groupName, label, postingKind } from "./labels.js";
import { keep, schedule } from "./view.js";
import { shrink, uploadBeeld } from "./upload.js";

const workshopId = Number(document.body.dataset.workshopId);
const contentLang = document.body.dataset.contentLang || null;
const initialNode = document.getElementById("initial-state");
const room = new Room({ workshopId, storageKey: "helper", initial: initialNode ? JSON.parse(initialNode.textContent) : null });
let people = [];
let chosen = null; // the id of the person entries are made for
let loaded = false;

const STATUS = {
  connecting: () => t("Connecting…"), "catching-up": () => t("Catching up…"),
  connected: () => t("Connected"), reconnecting: () => t("Reconnecting…"),
};
room.on("status", (status) => {
  const el = $("#status");
  el.dataset.status = status;
  el.textContent = (STATUS[status] || STATUS.connecting)();
  if (status === "unauthorised") location.href = "/hulp";
});
room.on("outbox", (outbox) => {
  const el = $("#pending");
  el.hidden = outbox.length === 0;
  el.textContent = tn("%(n)s message not yet sent", "%(n)s messages not yet sent", outbox.length);
});
room.on("state", () => redraw());

// The people this helper added, with their entries; read again after every entry.
async function refresh() {
  const response = await fetch(`/api/workshops/${workshopId}/hulp`, { credentials: "same-origin" });
  if (!response.ok) return;
  const body = await response.json();
  people = body.people;
  if (!loaded) {
    const select = $("#person-group");
    replace(select, h("option", { value: "" }, t("Choose a group")), ...body.groups.map((g) => h("option", { value: g }, groupName(g))));
    $("#person-name").closest("form").dataset.anonymous = body.anonymous ? "1" : "";
    if (body.anonymous) { $("#person-name").disabled = true; $("#person-consent").disabled = true; }
    loaded = true;
  }
  if (chosen === null && people.length) chosen = people[people.length - 1].id;
  redraw();
}

function personName(person, index) {
  return person.display_name || t("Person %(n)s", { n: index + 1 });
}

function redraw() {
  schedule("helper", () => { if (room.state) render(room.state); });
}

function render(state) {
  renderPeople();
  renderEntry(state);
}

function renderPeople() {
  keep($("#people"), () => {
    if (!people.length) return h("p", { class: "hint" }, t("Nobody added yet. Add the person you help below."));
    return h("fieldset", { class: "people" },
      h("legend", {}, t("Who are you entering for?")),
      ...people.map((person, index) => {
        const id = `person-${person.id}`;
        const entries = [
          ...person.cards.map((c) => h("li", {}, c.text, c.image ? ` (${t("photo")})` : "")),
          ...person.ratings.map((r) => h("li", {}, t("Rating: %(score)s", { score: label(SCORES, String(r.score)) }))),
        ];
        return h("div", { class: "person" },
          h("div", { class: "check" },
            h("input", { type: "radio", name: "person", id, value: person.id, checked: person.id === chosen,
              onchange: () => { chosen = person.id; redraw(); } }),
            h("label", { for: id }, `${personName(person, index)} — ${groupName(person.stakeholder_group)}`)),
          h("p", { class: "hint" }, tn("%(n)s entry", "%(n)s entries", entries.length)),
          entries.length ? h("ul", { class: "entries", lang: contentLang }, ...entries) : null);
      }));
  });
}

function renderEntry(state) {
  const phase = state.workshop.phase;
  const kind = postingKind(phase);
  const round = phase === "waarom" || phase === "opgave" ? openRound(state, phase) : null;
  const person = people.find((p) => p.id === chosen) || null;
  $("#enter-none").hidden = person !== null;
  $("#enter-card").hidden = !person || !kind;
  $("#enter-rating").hidden = !person || !round;
  $("#enter-nothing").hidden = !person || Boolean(kind || round);
  if (kind) {
    $("#card-label").textContent = { beeld: t("Describe the image"), factor: t("The factor"), consequentie: t("The consequence") }[kind];
    $("#card-submit").textContent = t("Post for %(name)s", { name: person ? personName(person, people.indexOf(person)) : "" });
    $("#card-photo-field").hidden = kind !== "beeld";
    $("#card-world").hidden = kind !== "consequentie";
  }
  if (person && round) renderRating(state, round, person);
}

function renderRating(state, round, person) {
  keep($("#enter-rating"), () => h("div", {},
    h("h3", {}, t("Rating for %(name)s", { name: personName(person, people.indexOf(person)) })),
    ...round.proposal_ids.map((pid) => state.proposals[String(pid)]).filter(Boolean).map((proposal) => ratingForm(round, proposal, person))));
}

function ratingForm(round, proposal, person) {
  const name = `score-${round.id}-${proposal.id}`;
  const given = person.ratings.find((r) => r.round_id === round.id && r.proposal_id === proposal.id);
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const reason = h("textarea", { id: `${name}-reason`, rows: 2, maxlength: 1000 });
  const form = h("form", { class: "stack rating" },
    h("p", { class: "proposal", lang: contentLang }, proposal.text),
    h("fieldset", {}, h("legend", {}, t("How far do they agree?")),
      ...SCORE_KEYS.map((key) => h("div", { class: "check" },
        h("input", { type: "radio", name, id: `${name}-${key}`, value: key, checked: Boolean(given) && String(given.score) === String(key) }),
        h("label", { for: `${name}-${key}` }, label(SCORES, key))))),
    h("label", { for: `${name}-reason` }, t("Why (needed with a 1)")),
    reason,
    error,
    given ? h("p", { class: "ok" }, t("Entered: %(score)s", { score: label(SCORES, String(given.score)) })) : null,
    h("button", { type: "submit" }, t("Give rating")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const choice = form.querySelector(`input[name="${name}"]:checked`);
    error.hidden = true;
    if (!choice) return fail(error, t("Choose a rating first."));
    const score = Number(choice.value);
    if (score === 1 && !reason.value.trim()) return fail(error, t("A 1 is an objection: say why, so it can be heard."));
    room.send("rating.give", { round_id: round.id, proposal_id: proposal.id, score, reason: reason.value.trim(), on_behalf_of: person.id })
      .then(() => { announce(t("Received")); refresh(); }, (refused) => fail(error, refused.message));
  });
  return form;
}

function fail(el, message) {
  el.hidden = false;
  el.textContent = message;
  announce(message);
}

$("#add-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const group = $("#person-group").value;
  const error = $("#add-error");
  error.hidden = true;
  if (!group) return fail(error, t("Choose their group first."));
  const name = $("#person-name").value.trim();
  room.send("assisted.add", { stakeholder_group: group, display_name: name || null, name_in_verslag: Boolean(name) && $("#person-consent").checked })
    .then((ack) => {
      chosen = ack.result.participant_id;
      $("#add-form").reset();
      $("#add-person").open = false;
      announce(t("Added. You can now enter for them."));
      refresh();
    }, (refused) => fail(error, refused.message));
});

$("#card-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const state = room.state;
  const kind = postingKind(state.workshop.phase);
  const person = people.find((p) => p.id === chosen);
  const error = $("#card-error");
  error.hidden = true;
  const text = $("#card-text").value.trim();
  if (!person || !kind) return;
  if (!text) return fail(error, t("Write something first."));
  const photo = $("#card-photo").files[0];
  try {
    if (kind === "beeld" && photo) {
      await uploadBeeld({ workshopId, blob: await shrink(photo), caption: text, onBehalfOf: person.id });
    } else {
      const fields = { kind, text, on_behalf_of: person.id };
      const world = document.querySelector('input[name="hworld"]:checked');
      if (kind === "consequentie" && world) fields.world = world.value;
      await room.send("card.post", fields);
    }
    $("#card-form").reset();
    announce(t("Received"));
    refresh();
  } catch (refused) {
    fail(error, refused.message);
  }
});

room.connect();
refresh();
