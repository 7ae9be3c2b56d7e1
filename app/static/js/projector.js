// The projector: large, live, no scrolling. Read-only; its token comes in the URL fragment.
import { Room } from "./socket.js";
import { byId, lastClosedVote, latestRound, openVote, visibleCards } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { TAGS, WORLDS, groupName, label, phaseName } from "./labels.js";
import { Countdown } from "./timer.js";

const workshopId = Number(document.body.dataset.workshopId);
const joinBase = document.body.dataset.joinBase;
const tokenKey = `atelier:${workshopId}:screen-token`;
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) {
  sessionStorage.setItem(tokenKey, fromHash);
  history.replaceState(null, "", location.pathname + location.search); // keep it out of sight
}
const token = sessionStorage.getItem(tokenKey);
const MAX_CARDS = { beeld: 6, factor: 12, consequentie: 10 };
const CARD_PHASE = { beelden: "beeld", factoren: "factor", consequenties: "consequentie" };
let presence = { participants: 0, by_group: {} };
let tally = null;
let lastAnnounced = 0;

// Images are requested by <img>, which cannot carry the token: trade it for a cookie first.
if (token) {
  fetch(`/api/workshops/${workshopId}/screen-session`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
}

const room = new Room({ workshopId, token, storageKey: "screen" });
room.on("status", (status) => {
  const el = $("#status");
  el.dataset.status = status;
  el.textContent = status === "connected" ? t("Connected") : status === "unauthorised" ? t("This screen link is no longer valid") : t("Reconnecting…");
  $("#banner").hidden = status === "connected" || status === "connecting";
});
room.on("presence", (message) => { presence = message; if (room.state) render(room.state); });
room.on("tally", (message) => { tally = message; if (room.state) render(room.state); });
room.on("state", (state) => render(state));
room.on("event:card.posted", (event) => {
  if (Date.now() - lastAnnounced > 5000 && !event.card.hidden) {
    lastAnnounced = Date.now();
    announce(t("New card: %(text)s", { text: event.card.text }));
  }
});
room.on("event:phase.changed", (event) => announce(phaseName(event.phase)));

function render(state) {
  const w = state.workshop;
  $("#phase-title").textContent = phaseName(w.phase);
  $("#question").textContent = w.theme_question;
  $("#question").hidden = !w.theme_question || w.phase === "lobby";
  renderTimer(w.timer_ends_at);
  const view = $("#view");
  view.dataset.phase = w.phase;
  if (w.phase === "lobby") replace(view, lobby(state));
  else if (CARD_PHASE[w.phase]) replace(view, wall(state, CARD_PHASE[w.phase]));
  else if (w.phase === "clusteren") replace(view, clusters(state));
  else if (w.phase === "prioriteren") replace(view, voting(state));
  else if (w.phase === "waarom" || w.phase === "opgave") replace(view, agreement(state, w.phase));
  else replace(view, result(state));
  replace($("#representation"), representation(state, w.phase === "lobby"));
  renderSpotlight(state);
}

function lobby(state) {
  const code = state.workshop.join_code;
  const shown = `${code.slice(0, 3)}-${code.slice(3)}`;
  const joined = byId(state.participants).filter((p) => !p.left).length;
  return h("div", { class: "lobby" },
    h("div", { class: "join" },
      h("p", { class: "how" }, t("Join on your phone")),
      h("p", { class: "url" }, `${joinBase}/${code}`),
      h("p", { class: "code", "aria-label": t("Code %(code)s", { code: shown.split("").join(" ") }) }, shown),
      h("p", { class: "count" }, t("%(n)s joined", { n: joined }))),
    h("img", { class: "qr", src: `/join/${code}/qr.svg`, alt: t("QR code to join: %(url)s", { url: `${joinBase}/${code}` }), width: 480, height: 480 }),
    state.workshop.theme_question ? h("p", { class: "lobby-question" }, state.workshop.theme_question) : null);
}

function cardTile(state, card) {
  const links = card.factor_ids.map((id) => state.cards[id]).filter(Boolean);
  return h("li", { class: `tile kind-${card.kind}` },
    card.image ? h("img", { src: card.image.display_url, alt: card.text, width: card.image.width, height: card.image.height }) : null,
    h("p", {}, card.text),
    card.world ? h("p", { class: "world" }, label(WORLDS, card.world)) : null,
    links.length ? h("p", { class: "from" }, t("from: %(factors)s", { factors: links.map((f) => f.text).join("; ") })) : null,
    card.tags.length ? h("p", {}, card.tags.map((tag) => h("span", { class: `tag tag-${tag}` }, label(TAGS, tag)))) : null);
}

function wall(state, kind) {
  const cards = visibleCards(state, kind);
  const shown = cards.slice(-MAX_CARDS[kind]);
  const more = cards.length - shown.length;
  if (!cards.length) return h("p", { class: "empty" }, t("Waiting for the first cards…"));
  return h("div", {},
    h("ul", { class: `wall wall-${kind}` }, shown.map((card) => cardTile(state, card))),
    more > 0 ? h("p", { class: "more" }, t("+ %(n)s more", { n: more })) : null);
}

function clusters(state) {
  const list = byId(state.clusters);
  const loose = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null && c.cluster_id === null).length;
  return h("div", {},
    h("ul", { class: "clusters" }, list.map((cluster) => {
      const cards = byId(state.cards).filter((c) => c.cluster_id === cluster.id && !c.hidden);
      return h("li", { class: "cluster" },
        h("h2", {}, cluster.title, " ", cluster.tags.map((tag) => h("span", { class: `tag tag-${tag}` }, label(TAGS, tag)))),
        h("ul", {}, cards.slice(0, 4).map((c) => h("li", {}, c.text))),
        cards.length > 4 ? h("p", { class: "more" }, t("+ %(n)s more", { n: cards.length - 4 })) : null);
    })),
    h("p", { class: "more" }, t("%(n)s cards not in a cluster", { n: loose })));
}

function targetName(state, line) {
  const target = line.target_type === "cluster" ? state.clusters[line.target_id] : state.cards[line.target_id];
  return target ? target.title || target.text : "—";
}

function voting(state) {
  const vote = openVote(state);
  if (vote) {
    const voters = tally && tally.vote_id === vote.id ? tally.voters : 0;
    const dots = tally && tally.vote_id === vote.id ? tally.dots : 0;
    return h("div", { class: "voting" },
      h("p", { class: "big" }, t("%(n)s people voted", { n: voters })),
      h("p", {}, t("%(n)s dots placed — results when the vote closes", { n: dots })));
  }
  const closed = lastClosedVote(state);
  if (!closed) return h("p", { class: "empty" }, t("The vote opens soon."));
  const lines = (closed.results || []).slice(0, 8);
  const most = Math.max(1, ...lines.map((l) => l.dots));
  return h("ol", { class: "results" }, lines.map((line) => {
    const bar = h("span", { class: "bar" });
    bar.style.width = `${Math.round((100 * line.dots) / most)}%`;
    return h("li", {}, h("span", { class: "name" }, targetName(state, line)), h("span", { class: "track" }, bar), h("span", { class: "n" }, t("%(n)s dots", { n: line.dots })));
  }));
}

function meter(state, figures, round) {
  const s = state.workshop.settings;
  const agree = Math.round(figures.agree_share * 100);
  const fill = h("span", { class: "fill" });
  fill.style.width = `${agree}%`;
  const mark = h("span", { class: "mark" });
  mark.style.left = `${Math.round(s.agree_share * 100)}%`;
  return h("div", { class: `meter ${figures.converged ? "converged" : ""}` },
    h("div", { class: "gauge", role: "img", "aria-label": t("%(agree)s agree", { agree: `${agree}%` }) }, fill, mark),
    h("p", { class: "figures" },
      h("strong", {}, figures.converged ? t("Converged") : t("Not yet")), " · ",
      t("%(agree)s agree (needs %(need)s)", { agree: `${agree}%`, need: `${Math.round(s.agree_share * 100)}%` }), " · ",
      t("%(raters)s of %(eligible)s rated", { raters: figures.raters, eligible: round.eligible }), " · ",
      t("%(n)s objections", { n: figures.objections })),
    figures.objection_reasons.length ? h("ul", { class: "objections", "aria-label": t("Reasons given with objections") },
      figures.objection_reasons.map((reason) => h("li", {}, reason))) : null);
}

function agreement(state, kind) {
  const round = latestRound(state, kind);
  const proposals = byId(state.proposals).filter((p) => p.kind === kind && (p.status === "open" || p.status === "adopted" || (round && round.proposal_ids.includes(p.id))));
  if (!proposals.length) return h("p", { class: "empty" }, t("Proposals are being written…"));
  return h("div", {},
    round ? h("p", { class: "round" }, round.is_open ? t("Round %(n)s is open", { n: round.number }) : t("Round %(n)s is closed", { n: round.number })) : null,
    h("ul", { class: "proposals" }, proposals.slice(-3).map((p) => h("li", { class: `proposal status-${p.status}` },
      p.status === "adopted" ? h("p", { class: "adopted" }, t("Adopted")) : null,
      h("p", { class: "statement" }, p.text),
      p.in_scope.length ? h("p", { class: "scope" }, t("In scope"), ": ", p.in_scope.join("; ")) : null,
      p.out_of_scope.length ? h("p", { class: "scope" }, t("Out of scope"), ": ", p.out_of_scope.join("; ")) : null,
      round && round.figures[p.id] ? meter(state, round.figures[p.id], round) : null))));
}

function result(state) {
  const adopted = byId(state.proposals).filter((p) => p.status === "adopted");
  if (!adopted.length) return h("p", { class: "empty" }, t("The facilitator is wrapping up."));
  return h("div", { class: "result" }, adopted.map((p) => h("section", {},
    h("h2", {}, p.kind === "waarom" ? t("Why") : t("Mission")),
    h("p", { class: "statement" }, p.text),
    p.in_scope.length ? h("p", { class: "scope" }, t("In scope"), ": ", p.in_scope.join("; ")) : null,
    p.out_of_scope.length ? h("p", { class: "scope" }, t("Out of scope"), ": ", p.out_of_scope.join("; ")) : null,
    p.core_themes.length ? h("p", { class: "scope" }, t("Core themes"), ": ", p.core_themes.join("; ")) : null)));
}

function representation(state, full) {
  const expected = state.workshop.expected_groups;
  const joined = {};
  for (const p of Object.values(state.participants)) if (!p.left) joined[p.stakeholder_group] = (joined[p.stakeholder_group] || 0) + 1;
  // Counted by the server, with groups too small to stay anonymous merged or left out.
  const contributing = presence.contributing || {};
  const groups = [...new Set([...expected, ...Object.keys(joined)])];
  const missing = expected.filter((g) => !presence.by_group[g]);
  return h("div", { class: full ? "rep full" : "rep" },
    h("h2", {}, t("At the table")),
    h("ul", {}, groups.map((g) => h("li", { class: presence.by_group[g] ? "here" : "away" },
      h("span", { class: "group" }, groupName(g)), " ",
      h("span", {}, t("%(here)s here · %(contributing)s contributing", { here: presence.by_group[g] || 0, contributing: contributing[g] || 0 }))))),
    missing.length ? h("p", { class: "missing" }, t("Missing: %(groups)s", { groups: missing.map(groupName).join(", ") })) : null);
}

function renderSpotlight(state) {
  const card = state.cards[state.workshop.spotlight_card_id];
  const el = $("#spotlight");
  el.hidden = !card;
  if (card) replace(el, h("figure", {}, card.image ? h("img", { src: card.image.display_url, alt: "" }) : null, h("figcaption", {}, card.text)));
}

const countdown = new Countdown($("#timer"), (left, clock, ms) =>
  ms > 0 ? t("%(n)s min · until %(time)s", { n: left, time: clock }) : t("Time is up (%(time)s)", { time: clock }), { every: 5000 });
function renderTimer(ends) { countdown.set(ends); }

room.connect();
