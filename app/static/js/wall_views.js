// What each projector wall holds, as sections of items for wall_pages.js to fit: the card walls,
// the clusters, the dot vote's options and results, the adopted result, and one item in focus.
// Every item is built whole: nothing here cuts a list short; the pager makes room.
import { byId, lastClosedVote, openVote, visibleCards } from "./state.js";
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
    part === 0 ? tags(card.tags) : null);
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

/** Clusters with all their cards, and the cards not yet in a cluster. */
export function clusterWall(state) {
  const clusters = byId(state.clusters);
  const loose = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null && c.cluster_id === null);
  const sections = clusters.map((c) => clusterSection(state, c));
  if (loose.length) {
    sections.push({
      key: "cluster:loose",
      cls: "cluster loose",
      header: (continued) => h("h2", { class: "cluster-title" }, t("Not in a cluster yet"), continued ? h("span", { class: "meta" }, " ", t("(continued)")) : null, " ",
        h("span", { class: "meta count" }, cardCount(loose.length))),
      items: loose.map((c) => clusterCardItem(state, c)),
    });
  }
  if (!sections.length) return null;
  return { cls: "clusters", minColumnEm: 12, maxColumns: 5, sections };
}

const targetOf = (state, type, id) => (type === "cluster" ? state.clusters[id] : state.cards[id]);
const targetName = (target) => (target ? target.title || target.text : "—");

/** While a dot vote is open: what the room can vote on (never the dots so far). */
export function voteOptions(state) {
  const clusters = byId(state.clusters);
  const loose = byId(state.cards).filter((c) => !c.hidden && c.merged_into_id === null && c.cluster_id === null);
  const sections = [];
  if (clusters.length) {
    sections.push({
      key: "options:clusters",
      cls: "options",
      list: "ul",
      header: (continued) => h("h2", { class: "options-title" }, t("Clusters"), continued ? h("span", { class: "meta" }, " ", t("(continued)")) : null),
      items: clusters.map((cluster) => ({
        key: `cluster:${cluster.id}`,
        text: cluster.title,
        build: (text = cluster.title, part = 0) => h("li", { class: "option" },
          h("span", { class: "text" }, continuation(part), text), " ",
          h("span", { class: "meta count" }, cardCount(clusterCards(state, cluster.id).length))),
      })),
    });
  }
  if (loose.length) {
    sections.push({
      key: "options:cards",
      cls: "options",
      header: (continued) => h("h2", { class: "options-title" }, t("Cards on their own"), continued ? h("span", { class: "meta" }, " ", t("(continued)")) : null),
      items: loose.map((card) => ({
        key: `card:${card.id}`,
        text: card.text,
        build: (text = card.text, part = 0) => h("li", { class: "option" }, h("span", { class: "text" }, continuation(part), text)),
      })),
    });
  }
  return { cls: "vote-options", minColumnEm: 13, maxColumns: 4, sections };
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

/** After the vote: every target that got dots, most first, with a bar. */
export function voteResults(state) {
  const closed = lastClosedVote(state);
  if (!closed) return null;
  const lines = closed.results || [];
  const most = Math.max(1, ...lines.map((l) => l.dots));
  return {
    cls: "results",
    minColumnEm: 20,
    maxColumns: 2,
    sections: [{
      key: `results:${closed.id}`,
      tag: "div",
      cls: "result-list",
      list: "ol",
      items: lines.length ? lines.map((line, index) => {
        const name = targetName(targetOf(state, line.target_type, line.target_id));
        return {
          key: `${line.target_type}:${line.target_id}`,
          text: name,
          build: (text = name, part = 0) => {
            const bar = h("span", { class: "bar" });
            bar.style.width = `${Math.round((100 * line.dots) / most)}%`;
            return h("li", { class: "result-line", value: index + 1 },
              h("span", { class: "name" }, continuation(part), text),
              part === 0 ? h("span", { class: "track", "aria-hidden": "true" }, bar) : null,
              part === 0 ? h("span", { class: "n" }, tn("%(n)s dot", "%(n)s dots", line.dots)) : null);
          },
        };
      }) : [placeholder("results:none", t("No dots were given."))],
    }],
  };
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
