// What each projector wall holds, as sections of items for wall_pages.js to fit: the card walls,
// the dot vote's progress, the adopted result, and one item in focus (a cluster with all its
// cards). The overview of clusteren and prioriteren is wall_overview.js.
// Every item is built whole: nothing here cuts a list short; the pager makes room.
import { byId, openVote, visibleCards } from "./state.js";
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { TAGS, WORLDS, label } from "./labels.js";
import { proposalSection } from "./wall_rounds.js";

// Cards that just arrived (id → time), so their tile animates in once.
const arrivals = new Map();
export function arrived(cardId) { arrivals.set(cardId, Date.now()); }
function fresh(cardId) {
  const at = arrivals.get(cardId);
  if (at === undefined) return false;
  arrivals.delete(cardId); // animate on the first drawing only
  return Date.now() - at < 4000;
}

const tags = (list) => (list.length ? h("p", { class: "tags meta" }, list.map((tag) => h("span", { class: `tag tag-${tag}` }, label(TAGS, tag)))) : null);
const continuation = (part) => (part > 0 ? "… " : "");
// A linked factor is named by its opening words: the factor itself is whole on its own wall.
const reference = (text) => {
  const words = text.split(/\s+/);
  return words.length > 8 ? `${words.slice(0, 8).join(" ")}…` : text;
};
const cardCount = (n) => tn("%(n)s card", "%(n)s cards", n);

export function cardTile(state, card, text = card.text, part = 0, big = false) {
  const links = card.factor_ids.map((id) => state.cards[id]).filter(Boolean);
  const image = card.image && part === 0
    ? h("img", { src: card.image.display_url, alt: card.text, width: card.image.width, height: card.image.height, class: big ? "big" : null })
    : null;
  return h("li", { class: `tile kind-${card.kind}${fresh(card.id) ? " arrive" : ""}`, dataset: { cardId: card.id } },
    image,
    h("p", { class: "text" }, continuation(part), text),
    links.length && part === 0 ? h("p", { class: "from meta" }, t("from: %(factors)s", { factors: links.map((f) => reference(f.text)).join("; ") })) : null,
    card.channel === "before" && part === 0 ? h("p", { class: "before-mark meta" }, t("sent in beforehand")) : null,
    part === 0 ? tags(card.tags) : null,
    // Entered by a tafelhulp for someone without a phone: a small mark, never by whom.
    part === 0 && card.assisted ? h("p", { class: "assisted meta" }, t("entered by a table helper")) : null);
}

const cardItem = (state, card, big = false) => ({ key: `card:${card.id}`, text: card.text, build: (text, part) => cardTile(state, card, text ?? card.text, part || 0, big) });

/** A wall of one kind of card (beelden, factoren). */
export function cardWall(state, kind) {
  const cards = visibleCards(state, kind);
  if (!cards.length) return null;
  const wide = kind === "beeld";
  return {
    cls: `wall wall-${kind}`,
    minColumnEm: wide ? 12 : 10,
    maxColumns: 6,
    sections: [{ key: `wall:${kind}`, tag: "div", cls: "tiles", items: cards.map((c) => cardItem(state, c)) }],
  };
}

/** Consequenties side by side: one wall per world; cards without a world join the life world. */
export function worldWalls(state) {
  const cards = visibleCards(state, "consequentie");
  if (!cards.length) return null;
  const worlds = Object.keys(WORLDS); // the life world first: it takes cards without a world
  const worldOf = (card) => (card.world in WORLDS ? card.world : worlds[0]);
  return worlds.map((world) => {
    const mine = cards.filter((c) => worldOf(c) === world);
    return {
      world,
      title: label(WORLDS, world),
      wall: {
        cls: `wall-consequentie world-${world}`,
        minColumnEm: 10,
        maxColumns: 3,
        sections: [{ key: `world:${world}`, tag: "div", cls: "tiles", items: mine.length ? mine.map((c) => cardItem(state, c)) : [placeholder(`none:${world}`, t("No cards yet."))] }],
      },
    };
  });
}

function placeholder(key, text) {
  return { key, build: () => h("li", { class: "placeholder meta" }, text) };
}

const clusterCards = (state, id) => byId(state.cards).filter((c) => c.cluster_id === id && !c.hidden && c.merged_into_id === null);
const mergedCount = (state, card) => Object.values(state.cards).filter((c) => c.merged_into_id === card.id && !c.hidden).length;

function clusterCardItem(state, card) {
  const merged = mergedCount(state, card);
  return {
    key: `card:${card.id}`,
    text: card.text,
    build: (text = card.text, part = 0) => h("li", { class: `card-line kind-${card.kind}${fresh(card.id) ? " arrive" : ""}`, dataset: { cardId: card.id } },
      h("span", { class: "text" }, continuation(part), text),
      merged && part === 0 ? h("span", { class: "meta merged" }, " ", t("(+%(n)s merged)", { n: merged })) : null),
  };
}

function clusterSection(state, cluster, big = false) {
  const cards = clusterCards(state, cluster.id);
  return {
    key: `cluster:${cluster.id}`,
    cls: `cluster${big ? " big" : ""}`,
    header: (continued) => h("h2", { class: "cluster-title" },
      cluster.title, continued ? h("span", { class: "meta" }, " ", t("(continued)")) : null, " ",
      h("span", { class: "meta count" }, cardCount(cards.length)),
      cluster.tags.length ? " " : null, cluster.tags.map((tag) => h("span", { class: `tag tag-${tag}` }, label(TAGS, tag)))),
    items: cards.length ? cards.map((c) => clusterCardItem(state, c)) : [placeholder(`empty:${cluster.id}`, t("No cards yet."))],
  };
}

export function voteProgress(state, tally) {
  const vote = openVote(state);
  if (!vote) return null;
  const voters = tally && tally.vote_id === vote.id ? tally.voters : 0;
  const dots = tally && tally.vote_id === vote.id ? tally.dots : 0;
  return h("div", { class: "voting" },
    h("p", { class: "big" }, tn("%(n)s person voted", "%(n)s people voted", voters)),
    h("p", { class: "meta" }, tn("%(n)s dot placed — results when the vote closes", "%(n)s dots placed — results when the vote closes", dots)));
}

/** Afronding: the adopted why and opgave, large. */
export function adoptedWall(state) {
  const adopted = byId(state.proposals).filter((p) => p.status === "adopted");
  if (!adopted.length) return null;
  return {
    cls: "result",
    minColumnEm: 22,
    maxColumns: 2,
    scales: [2, 1.6, 1.35, 1.15, 1],
    sections: adopted.map((p) => proposalSection(state, p, { title: p.kind === "waarom" ? t("Why") : t("Mission"), figures: false })),
  };
}

/** One card, cluster or proposal on its own, large (the facilitator's "focus"). */
export function focusWall(state, focus) {
  if (!focus) return null;
  const scales = [2.4, 2, 1.6, 1.35, 1.15, 1];
  if (focus.kind === "card") {
    const card = state.cards[focus.id];
    if (!card || card.hidden) return null;
    return { cls: "wall focus", minColumnEm: 30, maxColumns: 1, scales, sections: [{ key: `focus:card:${card.id}`, tag: "div", cls: "tiles", items: [cardItem(state, card, true)] }] };
  }
  if (focus.kind === "cluster") {
    const cluster = state.clusters[focus.id];
    if (!cluster) return null;
    return { cls: "clusters focus", minColumnEm: 14, maxColumns: 3, scales, sections: [clusterSection(state, cluster, true)] };
  }
  const proposal = state.proposals[focus.id];
  if (!proposal) return null;
  return { cls: "proposals focus", minColumnEm: 24, maxColumns: 2, scales, sections: [proposalSection(state, proposal, { figures: true })] };
}
