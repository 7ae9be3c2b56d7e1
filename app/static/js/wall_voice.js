// Equal voice as the projector and the console show it: who has not shared anything yet per group
// (presence.not_yet, counted and pooled by the server: app/workshops/voice.py) and the check-out
// question's figures once it is closed (state.check_out.figures). Nothing is divided or pooled
// here: every figure comes from the server, per group, never one person's answer.
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { groupName } from "./labels.js";

export const checkOutQuestion = () => t("Did you feel heard?");

// The five answers, 1 to 5, as the phone offers them and the tables head them.
export const checkOutAnswers = () => [t("Not at all"), t("Hardly"), t("Partly"), t("Mostly"), t("Fully")];

// A decimal in the page's language: 3,5 in Dutch.
const decimal = (n) => n.toLocaleString(document.documentElement.lang || "nl", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "Not shared anything yet" per group, as one line; null before the server counts per group. */
export function notYetLine(notYet) {
  // Groups where everyone shared are left out: a row of zeros tells the room nothing.
  const groups = Object.keys(notYet || {}).filter((g) => notYet[g] > 0);
  if (!groups.length) return null;
  return groups.map((g) => `${groupName(g)} ${notYet[g]}`).join(" · ");
}

/** The check-out's figures: overall and per group, a table with the average and the count of
 * each answer; "too few answers" below k. `caption`: false on the projector's small aside. */
export function checkOutTable(figures, { id = "check-out-figures", compact = false } = {}) {
  if (!figures.total) {
    return h("p", { class: "hint", id }, tn("%(n)s answer: too few to show without identifying anyone.", "%(n)s answers: too few to show without identifying anyone.", figures.answers));
  }
  const answers = checkOutAnswers();
  const lines = [...figures.groups, { ...figures.total, group: "" }];
  const name = (g) => (g.group ? groupName(g.group) : t("Everyone"));
  if (compact) {
    return h("ul", { class: "plain check-out-lines", id }, lines.map((g) => h("li", {},
      h("span", { class: "group" }, name(g)), " ",
      t("%(average)s on average (%(n)s)", { average: decimal(g.average), n: g.answers }))));
  }
  return h("table", { class: "check-out-table", id },
    h("caption", {}, t("“%(question)s” from 1 (not at all) to 5 (fully): the average, and how many gave each answer", { question: checkOutQuestion() })),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Group")), h("th", { scope: "col" }, t("Answers")), h("th", { scope: "col" }, t("Average")),
      answers.map((a, i) => h("th", { scope: "col" }, `${i + 1} ${a.toLowerCase()}`)))),
    h("tbody", {}, lines.map((g) => h("tr", { class: g.group ? null : "total" },
      h("th", { scope: "row" }, name(g)), h("td", {}, String(g.answers)), h("td", {}, decimal(g.average)),
      g.counts.map((n) => h("td", {}, String(n)))))));
}

/** The projector's lines about equal voice, for its "at the table" aside. */
export function voiceAside(state, presence) {
  const line = notYetLine(presence.not_yet);
  const check = state.check_out;
  const parts = [];
  if (line) parts.push(h("p", { class: "meta not-yet" }, t("Not shared anything yet: %(groups)s", { groups: line })));
  if (check && !check.open && check.figures) {
    parts.push(h("h2", { class: "meta" }, checkOutQuestion()), checkOutTable(check.figures, { id: "projector-check-out", compact: true }));
  }
  return parts.length ? h("div", { class: "voice" }, parts) : null;
}

/** While the check-out question is open it takes the projector's view: the question, and how
 * many answered (counted by the server, never who). */
export function checkOutView(presence) {
  const answered = presence.checked_out ?? 0;
  return h("section", { class: "check-out-view", "aria-labelledby": "check-out-title" },
    h("h2", { id: "check-out-title" }, checkOutQuestion()),
    h("p", {}, t("Answer on your phone, from 1 (not at all) to 5 (fully). Nobody sees your own answer.")),
    h("p", { class: "count" }, tn("%(n)s answer so far", "%(n)s answers so far", answered)));
}
