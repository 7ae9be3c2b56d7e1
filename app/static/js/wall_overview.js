// The overview of clusteren and prioriteren: every cluster at once on one screen, with its name,
// tags, number of cards and its few most telling cards, so the room takes in the whole picture
// from the back row. The detail (one cluster with all its cards) is the facilitator's focus.
//
// "Most telling", a rule simple enough to explain to the room:
//   1. after a dot vote: the cards with the most dots in the last closed vote;
//   2. then the cluster's core cards: those the model found most central when the facilitator
//      took its suggested cluster over (the board marks them "kern");
//   3. then the cards that stand for the most people: most duplicates merged into them;
//   4. then the longest-standing: posted first.
// Clusters keep the board's order; after a vote they are ranked by their dots (their own, then
// their cards'). Cards not in a cluster are one more box, "Not in a cluster yet".
//
// Fitting: the richest layout that fits on one page wins — three cards per cluster at twelve
// words each, down to one card of three words, then none — each tried by wall_pages.js at the largest legible type. Only
// when even the cluster names alone do not fit (dozens of clusters) does the overview page.
import { byId, lastClosedVote } from "./state.js";
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { TAGS, label } from "./labels.js";
import { paginate } from "./wall_pages.js";

/** Cards per cluster and words per card, richest first. */
export const LAYOUTS = [[3, 12], [2, 10], [2, 7], [1, 10], [1, 7], [1, 5], [1, 3], [0, 0]];

const cardCount = (n) => tn("%(n)s card", "%(n)s cards", n);
const dotCount = (n) => tn("%(n)s dot", "%(n)s dots", n);
const shown = (c) => !c.hidden && c.merged_into_id === null;

// The opening words of a card: the whole card is on the focused cluster's wall.
function opening(text, words) {
  const all = text.split(/\s+/).filter(Boolean);
  return all.length > words ? `${all.slice(0, words).join(" ")}…` : all.join(" ");
}

/** Dots per "type:id" in the last closed vote (empty before any vote closed). */
export function dotsByTarget(state) {
  const closed = lastClosedVote(state);
  const dots = new Map();
  for (const line of (closed && closed.results) || []) dots.set(`${line.target_type}:${line.target_id}`, line.dots);
  return dots;
}

/** A cluster's cards, most telling first (the rule at the top of this module). */
export function telling(state, cards, dots, core = []) {
  const merged = new Map();
  for (const c of Object.values(state.cards)) {
    if (c.merged_into_id !== null && !c.hidden) merged.set(c.merged_into_id, (merged.get(c.merged_into_id) || 0) + 1);
  }
  const central = new Set(core);
  const score = (c) => [dots.get(`card:${c.id}`) || 0, central.has(c.id) ? 1 : 0, merged.get(c.id) || 0, -c.id];
  return [...cards].sort((a, b) => {
    const [x, y] = [score(a), score(b)];
    return y[0] - x[0] || y[1] - x[1] || y[2] - x[2] || y[3] - x[3];
  });
}

function header(title, count, tags, dots, cls) {
  return () => h("h2", { class: `cluster-title ${cls}` },
    h("span", { class: "name" }, title), " ",
    h("span", { class: "meta count" }, cardCount(count)),
    dots !== null ? [" ", h("span", { class: "meta dots" }, dotCount(dots))] : null,
    tags.length ? " " : null, tags.map((tag) => h("span", { class: `tag tag-${tag}` }, label(TAGS, tag))));
}

function cardLine(card, words, dots) {
  const n = dots.get(`card:${card.id}`) || 0;
  const text = opening(card.text, words);
  return {
    key: `card:${card.id}`,
    text,
    build: () => h("li", { class: `card-line kind-${card.kind}`, dataset: { cardId: card.id } },
      h("span", { class: "text" }, text),
      n ? h("span", { class: "meta dots" }, " · ", dotCount(n)) : null),
  };
}

/**
 * The overview as a wall of sections (one per cluster, and the loose cards), with `perCluster`
 * cards of `words` words each.
 */
export function overviewSections(state, perCluster, words) {
  const dots = dotsByTarget(state);
  const voted = lastClosedVote(state) !== null;
  const cards = byId(state.cards).filter(shown);
  const of = (id) => cards.filter((c) => c.cluster_id === id);
  let clusters = byId(state.clusters);
  if (voted) {
    const weight = (c) => [dots.get(`cluster:${c.id}`) || 0, of(c.id).reduce((sum, x) => sum + (dots.get(`card:${x.id}`) || 0), 0)];
    clusters = [...clusters].sort((a, b) => weight(b)[0] - weight(a)[0] || weight(b)[1] - weight(a)[1] || a.id - b.id);
  }
  const sections = clusters.map((cluster) => {
    const mine = of(cluster.id);
    return {
      key: `cluster:${cluster.id}`,
      cls: "cluster overview-box",
      header: header(cluster.title, mine.length, cluster.tags, voted ? dots.get(`cluster:${cluster.id}`) || 0 : null, ""),
      items: telling(state, mine, dots, cluster.core_card_ids || []).slice(0, perCluster).map((c) => cardLine(c, words, dots)),
    };
  });
  const loose = of(null);
  if (loose.length) {
    sections.push({
      key: "cluster:loose",
      cls: "cluster loose overview-box",
      header: header(t("Not in a cluster yet"), loose.length, [], null, "loose-title"),
      items: telling(state, loose, dots).slice(0, perCluster).map((c) => cardLine(c, words, dots)),
    });
  }
  return sections;
}

/** The overview wall: `fit(host)` finds the richest layout that fits on one page. */
export function overviewWall(state) {
  if (!Object.keys(state.clusters).length && !byId(state.cards).some(shown)) return null;
  const wall = (perCluster, words) => ({ cls: "clusters overview", minColumnEm: 11, maxColumns: 4, sections: overviewSections(state, perCluster, words) });
  return {
    cls: "clusters overview",
    fit(host) {
      let pages = null;
      for (const [perCluster, words] of LAYOUTS) {
        pages = paginate(host, wall(perCluster, words));
        if (pages.length === 1) break;
      }
      return pages;
    },
  };
}
