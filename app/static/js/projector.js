// The projector: large, live, no scrolling. Read-only; its token comes in the URL fragment.
// Each phase's wall is fitted by wall_pages.js: everything is shown, paged when it must be.
// A burst of events (a room posting at once) is drawn once per frame (view.js).
import { Room } from "./socket.js";
import { byId } from "./state.js";
import { $, announce, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { OTHER_GROUPS, groupName, phaseName } from "./labels.js";
import { keep, schedule } from "./view.js";
import { Countdown } from "./timer.js";
import { Pager, paginate } from "./wall_pages.js";
import { arrived } from "./wall_views.js";
import { help, viewOf } from "./wall_spec.js";
import { showProblem, watchConnection } from "./wall_connection.js";
import { heardView } from "./wall_heard.js";
import { checkOutView, voiceAside } from "./wall_voice.js";
import { startingPointBlock } from "./starting_point.js";
import { representationBlock } from "./representation.js";

const workshopId = Number(document.body.dataset.workshopId);
const joinBase = document.body.dataset.joinBase;
const tokenKey = `atelier:${workshopId}:screen-token`;
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) {
  sessionStorage.setItem(tokenKey, fromHash);
  history.replaceState(null, "", location.pathname + location.search); // keep it out of sight
}
const token = sessionStorage.getItem(tokenKey);
let presence = { participants: 0, by_group: {} };
let tally = null;
let lastAnnounced = 0;
let shown = null; // the wall on screen: its parts (host and pages) and the pages' keys
let newest = null; // the key of a card that just arrived, to bring its page into view

const pager = new Pager({ onTurn: (index) => schedule("projector:page", () => { if (shown) { mount(index); pager.anchorTo(shown.pages); } }) });

// Images are requested by <img>, which cannot carry the token: trade it for a cookie first.
if (token) {
  fetch(`/api/workshops/${workshopId}/screen-session`, { method: "POST", headers: { Authorization: `Bearer ${token}` } });
}

const room = new Room({ workshopId, token, storageKey: "screen" });
watchConnection(room);
room.on("presence", (message) => { presence = message; redraw(); });
room.on("tally", (message) => { tally = message; redraw(); });
room.on("state", () => redraw());
room.on("event:card.posted", (event) => {
  if (event.card.hidden) return;
  arrived(event.card.id);
  newest = `card:${event.card.id}`;
  if (Date.now() - lastAnnounced > 5000) {
    lastAnnounced = Date.now();
    announce(t("New card: %(text)s", { text: event.card.text }));
  }
});
room.on("event:phase.changed", (event) => announce(phaseName(event.phase)));
window.addEventListener("resize", () => redraw());

// Many events can arrive in one burst: draw once per frame, with the state as it is then.
function redraw() {
  schedule("projector", () => { if (room.state) render(room.state); });
}

function render(state) {
  const w = state.workshop;
  $("#phase-title").textContent = phaseName(w.phase);
  $("#question").textContent = w.theme_question;
  $("#question").hidden = !w.theme_question || w.phase === "lobby";
  countdown.set(w.timer_ends_at);
  const view = $("#view");
  view.dataset.phase = w.phase;
  const heard = w.screen && w.screen.heard;
  const focused = w.screen && w.screen.focus;
  const inLobby = w.phase === "lobby" && !focused && !heard;
  $(".stage").dataset.layout = inLobby ? "lobby" : "wall";
  keep($("#representation"), () => representation(state, inLobby));
  renderSpotlight(state);
  if (heard) {
    // The console shows the room who was heard: it takes the whole view until "Terug".
    shown = null;
    keep(view, () => heardView(heard));
    pageIndicator(0, 1);
    pager.place("heard", [{ keys: [] }], null);
    return;
  }
  if (state.check_out && state.check_out.open && !focused) {
    // The check-out question is on every phone: the view asks it too, with how many answered.
    shown = null;
    keep(view, () => checkOutView(presence));
    pageIndicator(0, 1);
    pager.place("check-out", [{ keys: [] }], null);
    return;
  }
  if (inLobby) {
    shown = null;
    keep(view, () => lobby(state));
    pageIndicator(0, 1);
    pager.place("lobby", [{ keys: [] }], null);
    return;
  }
  const spec = viewOf(state, { tally });
  const parts = spec.parts.filter((part) => part.wall);
  if (!parts.length) {
    shown = null;
    keep(view, () => [spec.head || null, h("p", { class: "empty" }, spec.empty)]);
    pageIndicator(0, 1);
    pager.place(spec.key, [{ keys: [] }], null);
    return;
  }
  const body = h("div", { class: `wall-body parts-${parts.length} ${spec.cls || ""}` });
  const laid = parts.map((part) => {
    const host = h("div", { class: `wall-host ${part.wall.cls || ""}` });
    body.append(h("section", { class: "wall-part", "aria-label": part.title || null },
      part.title ? h("h2", { class: "part-title" }, part.title) : null, help(part.help), host));
    return { host, wall: part.wall };
  });
  keep(view, () => [spec.head || null, body]); // laid out in place: paginate() measures the page
  for (const part of laid) part.pages = part.wall.fit ? part.wall.fit(part.host) : paginate(part.host, part.wall);
  const count = Math.max(...laid.map((part) => part.pages.length));
  const pages = Array.from({ length: count }, (_, i) => ({ keys: laid.flatMap((part) => (part.pages[i] ? part.pages[i].keys : [])) }));
  shown = { parts: laid, pages };
  let index = pager.place(spec.key, pages, w.screen ? w.screen.page : null);
  if (newest) index = pager.reveal(pages, newest);
  newest = null;
  mount(index);
}

function mount(index) {
  for (const part of shown.parts) {
    const page = part.pages[index];
    replace(part.host, page ? page.el : h("p", { class: "empty meta" }, t("Nothing more here.")));
  }
  pageIndicator(index, shown.pages.length);
}

// Also in data attributes (page, pages, held), so a test can tell which page is up without parsing text.
function pageIndicator(index, total) {
  const el = $("#page");
  const screen = room.state && room.state.workshop.screen;
  el.dataset.page = String(index + 1);
  el.dataset.pages = String(total);
  el.dataset.held = screen && screen.page !== null && screen.page !== undefined ? String(screen.page) : "auto";
  el.dataset.every = String(pager.pageTime); // pages × every: how long the wall takes to come round
  el.dataset.stepped = String(pager.stepped);
  el.hidden = total < 2;
  const auto = el.dataset.held === "auto";
  el.textContent = total < 2 ? "" : auto && pager.stepped
    ? t("Page %(n)s of %(total)s · the facilitator turns the pages", { n: index + 1, total })
    : t("Page %(n)s of %(total)s", { n: index + 1, total });
}

function lobby(state) {
  const code = state.workshop.join_code;
  const shownCode = `${code.slice(0, 3)}-${code.slice(3)}`;
  const joined = byId(state.participants).filter((p) => !p.left && !p.waiting && !p.helper).length; // let in; a tafelhulp is no participant
  const start = state.starts_from || null;
  return h("div", { class: start ? "lobby with-start" : "lobby" },
    h("div", { class: "join" },
      h("p", { class: "how" }, t("Join on your phone")),
      joinUrl(joinBase, code),
      h("p", { class: "code", "aria-label": t("Code %(code)s", { code: shownCode.split("").join(" ") }) }, shownCode),
      h("p", { class: "count" }, t("%(n)s joined", { n: joined }))),
    h("img", { class: "qr", src: `/join/${code}/qr.svg`, alt: t("QR code to join: %(url)s", { url: `${joinBase}/${code}` }), width: 480, height: 480 }),
    state.workshop.theme_question ? h("p", { class: "lobby-question" }, state.workshop.theme_question) : null,
    startingPoint(start));
}

// The join URL may wrap only after a slash or a dot of the address, never inside the code:
// half a code on the next line is typed wrong from the back row.
function joinUrl(base, code) {
  const parts = `${base}/`.split(/(?<=[/.])/);
  return h("p", { class: "url" },
    parts.flatMap((part) => [part, h("wbr")]),
    h("span", { class: "url-code" }, code));
}

// The starting point in the lobby, in the wall's smaller (meta) type: the code stays the largest.
function startingPoint(start) {
  const block = startingPointBlock(start, { heading: "h2", lead: false, id: "start-title" });
  if (block) block.classList.add("meta");
  return block;
}

function representation(state, full) {
  const expected = state.workshop.expected_groups;
  const joined = {};
  for (const p of Object.values(state.participants)) if (!p.left && !p.waiting && !p.helper) joined[p.stakeholder_group] = (joined[p.stakeholder_group] || 0) + 1;
  const groups = [...new Set([...expected, ...Object.keys(joined), ...Object.keys(presence.by_group)])].filter((g) => g !== OTHER_GROUPS);
  const missing = expected.filter((g) => !presence.by_group[g]);
  const pooled = groups.filter((g) => countedAs(g) === OTHER_GROUPS);
  const line = (cls, name, counts) => h("li", { class: cls }, h("span", { class: "group" }, name), counts ? [" ", h("span", { class: "counts" }, counts)] : null);
  return h("div", { class: full ? "rep full" : "rep" },
    h("h2", { class: full ? null : "meta" }, t("At the table")),
    h("ul", { class: "meta" },
      groups.map((g) => line(presence.by_group[g] ? "here" : "away", groupName(g), groupCounts(g))),
      pooled.length || OTHER_GROUPS in (presence.contributing || {}) ? line("pooled", groupName(OTHER_GROUPS), pooledCounts(pooled)) : null),
    missing.length ? h("p", { class: "missing meta" }, t("Missing: %(groups)s", { groups: missing.map(groupName).join(", ") })) : null,
    representationBlock(state, { heading: "h3", cls: "meta" }),
    voiceAside(state, presence));
}

// Counted by the server, with groups too small to stay anonymous pooled (under OTHER_GROUPS) or
// left out (see app/workshops/pooling.py). A pooled group's contributors are in the pooled row:
// beside its own name it says so, never "0 contributing".
const countedAs = (group) => (presence.counted_as || {})[group];
function pooledCounts(pooled) {
  const contributing = (presence.contributing || {})[OTHER_GROUPS] || 0;
  return pooled.length ? t("(%(groups)s) %(contributing)s contributing", { contributing, groups: pooled.map(groupName).join(", ") })
    : t("%(contributing)s contributing", { contributing });
}
function groupCounts(group) {
  const here = presence.by_group[group] || 0;
  const label = countedAs(group);
  if (label === group) return t("%(here)s here · %(contributing)s contributing", { here, contributing: (presence.contributing || {})[group] || 0 });
  return t("%(here)s here", { here }); // pooled: its contributors are in the pooled row
}

function renderSpotlight(state) {
  const card = state.cards[state.workshop.spotlight_card_id];
  const el = $("#spotlight");
  el.hidden = !card;
  if (card) keep(el, () => h("figure", {}, card.image ? h("img", { src: card.image.display_url, alt: "" }) : null, h("figcaption", {}, card.text)));
}

const countdown = new Countdown($("#timer"), (left, clock, ms) =>
  ms > 0 ? t("%(n)s min · until %(time)s", { n: left, time: clock }) : t("Time is up (%(time)s)", { time: clock }), { every: 5000 });

if (token) room.connect();
else showProblem("unauthorised");
