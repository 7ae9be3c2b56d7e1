// "Volg het scherm": the phone shows what the projector in the room shows — the same wall, the
// item in focus, the spotlight, the round's head — laid out for a phone, one column, in pages
// of a few items; and a toggle back to "Meedoen" (the phase's own panel) on the same page.
// Someone who joined with "Ik ben er niet bij in de zaal" gets "Volg het scherm" first.
//
// The walls are the projector's own (wall_spec.js and the wall_*.js modules it uses), drawn from
// the phone's state: what a phone may see (app/realtime/audience.py). The projector also gets
// presence (who is here per group, contributing, answers to the check-out) and the dot vote's
// progress; a phone gets neither, so here those lines are left out or said without figures,
// rather than widening what a phone receives.
import { $, announce, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { phaseName } from "./labels.js";
import { keep } from "./view.js";
import { help, viewOf } from "./wall_spec.js";
import { heardView } from "./wall_heard.js";
import { checkOutQuestion } from "./wall_voice.js";
import { startingPointBlock } from "./starting_point.js";

// Items on one page of the phone: a screenful to read, then "Next".
export const PAGE_ITEMS = 8;

const FOLLOW = "follow";
const TAKE_PART = "take-part";

/** A wall's sections cut into pages of at most PAGE_ITEMS items; a longer section goes on in
 * the next page with its header marked "(continued)", as on the projector. */
export function phonePages(wall) {
  const pages = [];
  let page = [];
  let used = 0;
  for (const section of wall.sections) {
    let from = 0;
    do {
      if (used >= PAGE_ITEMS) { pages.push(page); page = []; used = 0; }
      const to = Math.min(section.items.length, from + PAGE_ITEMS - used);
      page.push({ section, from, to, continued: from > 0 });
      used += Math.max(1, to - from);
      from = to;
    } while (from < section.items.length);
  }
  if (page.length) pages.push(page);
  return pages;
}

function piece({ section, from, to, continued }) {
  const list = h(section.list || "ul", { class: "items" }, section.items.slice(from, to).map((item) => item.build()));
  return h(section.tag || "section", { class: `piece ${section.cls || ""}` }, section.header ? section.header(continued) : null, list);
}

export class Follow {
  constructor({ workshopId, me }) {
    this.key = `atelier:${workshopId}:mode`;
    this.me = me; // () => this phone's own participant (its `remote` is only ever its own)
    this.page = 0;
    this.shownKey = null;
    this.saidKey = null;
    this.onChange = () => {};
    $("#mode-take-part").addEventListener("click", () => this.choose(TAKE_PART));
    $("#mode-follow").addEventListener("click", () => this.choose(FOLLOW));
  }

  /** The mode chosen in this tab, else "Volg het scherm" for someone from elsewhere. */
  mode() {
    let chosen = null;
    try { chosen = sessionStorage.getItem(this.key); } catch { /* no storage: the default */ }
    if (chosen === FOLLOW || chosen === TAKE_PART) return chosen;
    const self = this.me();
    return self && self.remote ? FOLLOW : TAKE_PART;
  }

  following() { return this.mode() === FOLLOW; }

  choose(mode) {
    try { sessionStorage.setItem(this.key, mode); } catch { /* it lasts until the page reloads */ }
    this.onChange();
    $(mode === FOLLOW ? "#follow" : "#phase-title").focus({ preventScroll: true });
  }

  /** Draws the toggle, and the screen's view while following. `waiting`: not let in yet, or the
   * room has not begun (its before-window is still to come or open): nothing to follow. */
  render(state, { waiting = false } = {}) {
    const following = !waiting && this.following();
    $("#mode-tabs").hidden = waiting;
    $("#mode-take-part").setAttribute("aria-pressed", String(!following));
    $("#mode-follow").setAttribute("aria-pressed", String(following));
    document.body.dataset.mode = following ? FOLLOW : TAKE_PART;
    $("#follow").hidden = !following;
    if (!following) { this.shownKey = null; return; }
    this.draw(state);
  }

  draw(state) {
    const w = state.workshop;
    const screen = w.screen || {};
    const focused = screen.focus || null;
    let spec;
    const shows = (what) => t("The screen shows: %(what)s", { what });
    if (screen.heard) spec = { key: "heard", now: shows(t("Who gets heard?")), body: () => wide(heardView(screen.heard)) };
    else if (state.check_out && state.check_out.open && !focused) {
      spec = { key: "check-out", now: shows(checkOutQuestion()), body: () => h("p", {}, t("Answer the question above, from 1 (not at all) to 5 (fully). Nobody sees your own answer.")) };
    } else if (w.phase === "lobby" && !focused) {
      spec = { key: "lobby", now: shows(phaseName("lobby")), body: () => [h("p", {}, t("The screen shows the code to join. The session starts soon.")), startingPointBlock(state.starts_from || null, { heading: "h2" })] };
    } else {
      const view = viewOf(state, { phone: true });
      const parts = view.parts.filter((part) => part.wall);
      const pages = parts.flatMap((part) => phonePages(part.wall).map((page) => ({ part, page })));
      const now = focused ? t("The screen shows one item large") : t("The screen shows: %(what)s", { what: phaseName(w.phase) });
      spec = { key: view.key, now, head: view.head || null, pages, empty: view.empty };
    }
    if (spec.key !== this.shownKey) { this.page = 0; this.shownKey = spec.key; }
    const nowText = spec.now;
    keep($("#follow-now"), () => nowText);
    if (this.saidKey !== null && this.saidKey !== spec.key) announce(nowText);
    this.saidKey = spec.key;
    keep($("#follow-spotlight"), () => spotlight(state));
    if (spec.body) {
      keep($("#follow-view"), spec.body);
      replace($("#follow-pages"));
      return;
    }
    const total = spec.pages.length;
    this.page = Math.min(this.page, Math.max(0, total - 1));
    const current = spec.pages[this.page];
    keep($("#follow-view"), () => [
      spec.head,
      current ? [current.part.title ? h("h2", { class: "part-title" }, current.part.title) : null, help(current.part.help),
        h("div", { class: `follow-wall ${current.part.wall.cls || ""}` }, current.page.map(piece))]
        : h("p", { class: "empty" }, spec.empty || ""),
    ]);
    keep($("#follow-pages"), () => (total > 1 ? this.pager(total) : null));
  }

  pager(total) {
    const turn = (by) => { this.page = Math.max(0, Math.min(total - 1, this.page + by)); this.onChange(); };
    return [
      h("button", { type: "button", class: "secondary small", id: "follow-prev", disabled: this.page === 0, onclick: () => turn(-1) }, t("Previous")),
      h("span", { class: "follow-page", id: "follow-page", dataset: { page: String(this.page + 1), pages: String(total) } }, t("Page %(n)s of %(total)s", { n: this.page + 1, total })),
      h("button", { type: "button", class: "secondary small", id: "follow-next", disabled: this.page >= total - 1, onclick: () => turn(1) }, t("Next")),
    ];
  }
}

// A table wider than a phone (who gets heard: a column per figure) scrolls sideways in its own
// box, reachable by keyboard, with its words whole; the page itself never scrolls sideways.
function wide(content) {
  return h("div", { class: "follow-scroll", tabindex: "0", role: "region", "aria-label": t("Who gets heard?") }, content);
}

// The card in the spotlight, as the projector shows it over the wall.
function spotlight(state) {
  const card = state.cards[state.workshop.spotlight_card_id];
  if (!card || card.hidden) return null;
  return h("figure", { class: "follow-spotlight" },
    card.image ? h("img", { src: card.image.display_url, alt: "", width: card.image.width, height: card.image.height }) : null,
    h("figcaption", {}, h("span", { class: "meta" }, t("In the spotlight"), ": "), card.text));
}
