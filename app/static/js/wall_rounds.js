// Proposals and agreement rounds on the projector: the whole proposal, its place in the history
// (amended, merged, replaced), the meter or only the participation while a round keeps its
// figures for the close, the comparison with the round before, and agreement per group.
import { byId, latestRound } from "./state.js";
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { groupName } from "./labels.js";
import { citationPhrase, growsFrom, isSeeded, seededLabel } from "./citations.js";

const percent = (share) => `${Math.round(share * 100)}%`;
const continuation = (part) => (part > 0 ? "… " : "");

function ordinal(state, proposal) {
  return byId(state.proposals).filter((p) => p.kind === proposal.kind).findIndex((p) => p.id === proposal.id) + 1;
}

const numbered = (state, ids) => ids.map((id) => state.proposals[id]).filter(Boolean).map((p) => ordinal(state, p)).join(", ");

// What became of a proposal, or where it came from: said in words, not only by colour.
function markers(state, p) {
  const out = [];
  if (isSeeded(p)) out.push(h("span", { class: "marker seeded" }, seededLabel()));
  if (p.status === "adopted") out.push(h("span", { class: "marker adopted" }, t("Adopted")));
  if (p.amends_id && state.proposals[p.amends_id]) out.push(h("span", { class: "marker" }, t("Amended version of proposal %(n)s", { n: numbered(state, [p.amends_id]) })));
  if (p.merged_from.length) out.push(h("span", { class: "marker" }, t("Merged from proposals %(list)s", { list: numbered(state, p.merged_from) })));
  if (p.status === "superseded") {
    const next = byId(state.proposals).filter((q) => q.amends_id === p.id || q.merged_from.includes(p.id));
    out.push(h("span", { class: "marker replaced" }, next.length ? t("Replaced by proposal %(n)s", { n: numbered(state, next.map((q) => q.id)) }) : t("Replaced")));
  }
  if (p.status === "withdrawn") out.push(h("span", { class: "marker replaced" }, t("Withdrawn")));
  return out;
}

// Every proposal this one grew out of, nearest first (amended from, merged from, and theirs).
function ancestors(state, p) {
  const found = [];
  const todo = [p];
  while (todo.length) {
    const q = todo.shift();
    for (const id of [q.amends_id, ...q.merged_from]) {
      if (id && !found.includes(id) && state.proposals[id]) { found.push(id); todo.push(state.proposals[id]); }
    }
  }
  return found;
}

// The latest round of this kind that had the proposal on it.
function roundOf(state, p) {
  return byId(state.rounds).filter((r) => r.kind === p.kind && r.proposal_ids.includes(p.id)).pop() || null;
}

/** The figures of the round before `round` for this proposal or what it grew from. */
export function previousFigures(state, p, round) {
  const lineage = [p.id, ...ancestors(state, p)];
  const earlier = byId(state.rounds).filter((r) => r.kind === round.kind && !r.is_open && r.number < round.number).reverse();
  for (const r of earlier) {
    for (const id of lineage) if (r.figures[id]) return { round: r, proposalId: id, figures: r.figures[id] };
  }
  return null;
}

function textItem(key, cls, text, prefix = null) {
  return {
    key,
    text,
    build: (chunk = text, part) => h("li", { class: cls }, prefix && !part ? h("span", { class: "label" }, prefix, ": ") : null, continuation(part || 0), chunk),
  };
}

function meter(state, figures, round) {
  const need = state.workshop.settings.agree_share;
  const fill = h("span", { class: "fill" });
  fill.style.width = percent(figures.agree_share);
  const mark = h("span", { class: "mark" });
  mark.style.left = percent(need);
  return h("li", { class: `meter ${figures.converged ? "converged" : ""}` },
    h("div", { class: "gauge", role: "img", "aria-label": t("%(agree)s agree", { agree: percent(figures.agree_share) }) }, fill, mark),
    h("p", { class: "figures" },
      h("strong", {}, figures.converged ? t("Converged") : t("Not yet")), " · ",
      t("%(agree)s agree (needs %(need)s)", { agree: percent(figures.agree_share), need: percent(need) }), " · ",
      t("%(raters)s of %(eligible)s rated", { raters: figures.raters, eligible: round.eligible }), " · ",
      tn("%(n)s objection", "%(n)s objections", figures.objections)));
}

/** With "every group must carry it": which groups do not yet, as `{cls, text}` (null when the
 * rule is off or nothing can be said per group). The server lists only groups the figures per
 * group show (small groups pooled), so nothing here can name a group below k. */
export function carried(state, figures) {
  if (!state.workshop.settings.carried_by_every_group) return null;
  const missing = figures.not_carried || [];
  if (missing.length) return { cls: "not-carried", text: t("Not yet carried by: %(groups)s", { groups: missing.map(groupName).join(", ") }) };
  return figures.by_group && figures.by_group.length ? { cls: "carried", text: t("Carried by every group") } : null;
}

function comparison(state, p, round, figures) {
  const before = previousFigures(state, p, round);
  if (!before) return null;
  const points = Math.round(figures.agree_share * 100) - Math.round(before.figures.agree_share * 100);
  return {
    key: `compare:${p.id}`,
    build: () => h("li", { class: "compare" },
      h("p", { class: "compare-title" }, t("Compared with round %(n)s", { n: before.round.number }),
        before.proposalId !== p.id ? thenProposal(state, before.proposalId) : "", ":"),
      h("ul", { class: "compare-lines" },
        h("li", {}, t("Agreement %(before)s → %(after)s", { before: percent(before.figures.agree_share), after: percent(figures.agree_share) }),
          " ", h("span", { class: "meta" }, `(${points > 0 ? "+" : ""}${points})`)),
        h("li", {}, t("Objections %(before)s → %(after)s", { before: before.figures.objections, after: figures.objections })),
        h("li", {}, t("Rated %(before)s → %(after)s", { before: `${before.figures.raters}/${before.round.eligible}`, after: `${figures.raters}/${round.eligible}` })))),
  };
}

function byGroup(p, figures) {
  if (!figures.by_group || !figures.by_group.length) return null;
  return {
    key: `groups:${p.id}`,
    build: () => h("li", { class: "by-group" },
      h("p", { class: "by-group-title" }, t("Agreement per group")),
      h("ul", {}, figures.by_group.map((g) => h("li", {},
        h("span", { class: "group" }, groupName(g.group)), ": ",
        t("%(agree)s agree", { agree: percent(g.agree_share) }), " ",
        h("span", { class: "meta" }, "· ", tn("%(n)s person rated", "%(n)s people rated", g.raters), " · ", tn("%(n)s objection", "%(n)s objections", g.objections)))))),
  };
}

function figureItems(state, p) {
  const round = roundOf(state, p);
  if (!round) return [];
  const figures = round.figures[p.id];
  if (!figures) return []; // an open round that reveals at close: the line above the wall says so
  const items = [{ key: `meter:${p.id}`, build: () => meter(state, figures, round) }];
  // Lines of their own (with text, so the pager may split them), not inside the meter or the
  // list per group: those cannot be split and must stay within one column.
  const line = carried(state, figures);
  if (line) items.push(textItem(`carried:${p.id}`, line.cls, line.text));
  if (figures.objection_reasons.length) {
    const reasons = figures.objection_reasons;
    items.push({
      key: `reasons:${p.id}`,
      text: reasons.join(" · "),
      build: (chunk, part) => h("li", { class: "objections" },
        h("p", { class: "objections-title meta" }, t("Reasons given with objections")),
        part === undefined ? h("ul", {}, reasons.map((reason) => h("li", {}, reason))) : h("p", {}, continuation(part), chunk)),
    });
  }
  if (!round.is_open) {
    const compared = comparison(state, p, round, figures);
    if (compared) items.push(compared);
  }
  const groups = byGroup(p, figures);
  if (groups) items.push(groups);
  if (figures.lowest_group_share != null) {
    items.push(textItem(`lowest:${p.id}`, "by-group-lowest meta", t("Lowest agreement in a group: %(share)s", { share: percent(figures.lowest_group_share) })));
  }
  return items;
}

/** One proposal as a section: its number and history, the whole text and scope, its figures. */
export function proposalSection(state, p, { title = null, figures = true } = {}) {
  const n = ordinal(state, p);
  const items = [textItem(`statement:${p.id}`, "statement", p.text)];
  if (p.in_scope.length) items.push(textItem(`in:${p.id}`, "scope", p.in_scope.join("; "), t("In scope")));
  if (p.out_of_scope.length) items.push(textItem(`out:${p.id}`, "scope", p.out_of_scope.join("; "), t("Out of scope")));
  if (p.core_themes.length) items.push(textItem(`themes:${p.id}`, "scope", p.core_themes.join("; "), t("Core themes")));
  // What it grew from: the cited clusters by name, the cited cards counted (a meta line).
  const cites = citationPhrase(state, p);
  if (cites) items.push(textItem(`cites:${p.id}`, "cites meta", cites, growsFrom()));
  if (figures) items.push(...figureItems(state, p));
  return {
    key: `proposal:${p.id}`,
    tag: "article",
    cls: `proposal status-${p.status}`,
    header: (continued) => h("h2", { class: "proposal-title" },
      title || t("Proposal %(n)s", { n }),
      continued ? h("span", { class: "meta" }, " ", t("(continued)")) : null,
      " ", h("span", { class: "markers meta" }, markers(state, p))),
    items,
  };
}

/** The proposals the room is working on: open and adopted ones, and those of the latest round. */
export function agreementWall(state, kind) {
  const round = latestRound(state, kind);
  const proposals = byId(state.proposals).filter((p) => p.kind === kind && (p.status === "open" || p.status === "adopted" || (round && round.proposal_ids.includes(p.id))));
  if (!proposals.length) return null;
  return { cls: "proposals", minColumnEm: 18, maxColumns: 3, sections: proposals.map((p) => proposalSection(state, p)) };
}

/** Above the proposals: which round, and how many have rated (always visible). */
export function roundHead(state, kind) {
  const round = latestRound(state, kind);
  if (!round) return null;
  const status = round.is_open ? t("Round %(n)s is open", { n: round.number }) : t("Round %(n)s is closed", { n: round.number });
  return h("div", { class: "round-head" },
    h("p", { class: "round" }, status, " · ", t("%(raters)s of %(eligible)s have rated", { raters: round.raters, eligible: round.eligible })),
    round.is_open && round.reveal !== "live" ? h("p", { class: "meta" }, t("The figures are shown when the round closes.")) : null);
}

// Kept out of a template literal: the string extractor does not look inside `${…}`.
function thenProposal(state, proposalId) {
  const text = t("then proposal %(n)s", { n: numbered(state, [proposalId]) });
  return " (" + text + ")";
}
