// "Who gets heard?" on the projector, while the console shows it (screen.view with heard: true;
// the figures as of that moment travel in workshop.screen.heard). Per stakeholder group its share
// of the people against its share of the cards, proposals, dots and objections, as a table with
// a bar in each cell: the numbers are the text alternative, and a group that mostly listened is
// marked in words, not only by colour. Groups are pooled by the server (k), never one person;
// the shares, who mostly listened and the pooled group's key come from the server too
// (app/workshops/heard.py): nothing is divided here.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { groupName } from "./labels.js";

export const FIGURES = ["people", "cards", "proposals", "dots", "objections"];

export const figureName = (figure) => ({
  people: () => t("People"),
  cards: () => t("Cards"),
  proposals: () => t("Proposals"),
  dots: () => t("Dots"),
  objections: () => t("Objections"),
})[figure]();

export const heardGroupName = (group) => groupName(group); // the pooled groups' name included
export const tablePrompt = () => t("Who are we still missing at the table? Do the usual suspects dominate?");

// Nothing of this kind yet (no dots before a vote): a dash, and no empty bar to misread.
function cell(group, figure) {
  const pct = group.shares[figure];
  if (pct === null) return h("td", { class: `fig fig-${figure}` }, h("span", { class: "pct" }, "–"));
  const bar = h("span", { class: "bar" });
  bar.style.width = `${pct}%`;
  return h("td", { class: `fig fig-${figure}` },
    h("span", { class: "pct" }, `${pct}%`),
    h("span", { class: "track", "aria-hidden": "true" }, bar));
}

/** The whole view: title, the table and the question for the room. */
export function heardView(heard) {
  const total = heard.total;
  return h("section", { class: "heard", "aria-labelledby": "heard-title" },
    h("h2", { id: "heard-title" }, t("Who gets heard?")),
    h("p", { class: "meta" }, t("Per group: its share of the people, and its share of what was said and chosen.")),
    heard.groups.length ? h("table", { class: "heard-table" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Group")), FIGURES.map((f) => h("th", { scope: "col", class: `fig-${f}` }, figureName(f))))),
      h("tbody", {}, heard.groups.map((g) => h("tr", { class: g.under_heard ? "under" : null },
        h("th", { scope: "row" }, heardGroupName(g.group), g.under_heard ? h("span", { class: "marker under" }, t("Mostly listened")) : null),
        FIGURES.map((f) => cell(g, f))))),
      h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, t("Everyone")), FIGURES.map((f) => h("td", { class: "fig" }, String(total[f])))))) :
      h("p", { class: "empty" }, t("Too few people per group to show without identifying anyone.")),
    h("p", { class: "meta" }, t("Groups with fewer than %(k)s people are counted together, so nobody can be picked out.", { k: heard.min_group_size })),
    h("p", { class: "prompt" }, tablePrompt()));
}
