// A redraft on the projector (app/workshops/redrafts.py): the objections and the versions that
// answer them while they are written; while the room ranks, how many have given an order (never
// who, nor anyone's order); once closed, the version the room chose, until it is measured.
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { currentRedraft, latestRound } from "./state.js";

const continuation = (part) => (part > 0 ? "… " : "");

function textItem(key, cls, text) {
  return { key, text, build: (chunk = text, part) => h("li", { class: cls }, continuation(part || 0), chunk) };
}

/** The redraft being written or ranked, or null: the projector shows it instead of the proposals. */
export function activeRedraft(state, kind) {
  const redraft = currentRedraft(state, kind);
  return redraft && redraft.stage !== "closed" ? redraft : null;
}

/** The line above the wall: what the room is doing with the redraft, or what it chose. */
export function redraftHead(state, kind) {
  const redraft = currentRedraft(state, kind);
  if (!redraft) return null;
  if (redraft.stage === "writing") return h("p", { class: "round" }, t("New versions of a proposal are being written"));
  if (redraft.stage === "ranking") {
    return h("p", { class: "round" }, t("Put the versions in order on your phone"), " · ",
      tn("%(n)s person has given an order", "%(n)s people have given an order", redraft.rankers));
  }
  const latest = latestRound(state, kind);
  if (!redraft.result || (latest && latest.id !== redraft.round_id)) return null;
  const place = redraft.variants.findIndex((v) => v.id === redraft.result.winner_id) + 1;
  return h("p", { class: "round" }, t("The room chose version %(n)s; it goes to the next agreement round.", { n: place }));
}

/** The objections and the versions, as a wall of sections (wall_pages.js paginates it). */
export function redraftWall(state, redraft) {
  const original = state.proposals[redraft.proposal_id];
  const sections = [{
    key: `redraft:${redraft.id}:objections`,
    tag: "article",
    cls: "proposal",
    header: () => h("h2", { class: "proposal-title" }, t("Did not get enough agreement")),
    items: [
      ...(original ? [textItem(`redraft-original:${redraft.id}`, "statement", original.text)] : []),
      ...redraft.objections.map((o, i) => textItem(`objection:${redraft.id}:${i}`, "objection", `${i + 1}. ${o}`)),
    ],
  }];
  redraft.variants.forEach((v, i) => {
    const answers = v.answers.length ? tn("Answers objection %(list)s", "Answers objections %(list)s", v.answers.length, { list: v.answers.map((a) => a + 1).join(", ") }) : "";
    sections.push({
      key: `variant:${v.id}`,
      tag: "article",
      cls: "proposal",
      header: () => h("h2", { class: "proposal-title" }, t("Version %(n)s", { n: i + 1 })),
      items: [textItem(`variant-text:${v.id}`, "statement", v.text), ...(answers ? [textItem(`variant-answers:${v.id}`, "meta", answers)] : [])],
    });
  });
  return { cls: "proposals", minColumnEm: 18, maxColumns: 3, sections };
}
