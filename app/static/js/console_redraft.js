// The console's redraft controls (app/workshops/redrafts.py): start a redraft on a proposal that
// did not converge, write two to four versions that answer its objections, open the ranking, and
// close it (Schulze picks the winner, which replaces the proposal for the next round) — or cancel.
// The console never sees anyone's ranking: only how many ranked, and the result.
import { $, h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { currentRedraft, latestRound, openRound } from "./state.js";

const short = (text) => (text.length > 60 ? text.slice(0, 57) + "…" : text);

/** A redraft of this kind is being written or ranked: no agreement round until it is done. */
export function rewriting(state, kind) {
  const redraft = currentRedraft(state, kind);
  return Boolean(redraft && redraft.stage !== "closed");
}

/** The "rewrite" control under a proposal that did not converge in its latest round. */
export function redraftStart(state, p, figures, ctx) {
  const busy = currentRedraft(state, p.kind);
  if (!figures || figures.converged || p.status !== "open" || openRound(state, p.kind)) return null;
  if (busy && busy.stage !== "closed") return null;
  const id = `redraft-phones-${p.id}`;
  return h("details", { id: `redraft-box-${p.id}` }, h("summary", {}, t("Rewrite as versions to rank")),
    h("div", { class: "stack" },
      h("p", { class: "hint" }, t("Write two to four versions that answer the objections; the room puts them in order and the preferred one goes to the next round.")),
      h("span", { class: "check" }, h("input", { type: "checkbox", id }), h("label", { for: id }, t("Phones may write versions too"))),
      h("button", { type: "button", onclick: () => ctx.command("redraft.open", { proposal_id: p.id, phones_write: $(`#${id}`).checked }, t("Rewriting started")) }, t("Start rewriting"))));
}

/** The redraft of this kind being written or ranked, with its controls; else nothing. */
export function redraftControls(state, kind, ctx) {
  const redraft = currentRedraft(state, kind);
  if (!redraft) return null;
  if (redraft.stage === "closed") return closed(state, redraft);
  const original = state.proposals[redraft.proposal_id];
  const answered = (v) => (v.answers.length ? tn("answers objection %(list)s", "answers objections %(list)s", v.answers.length, { list: v.answers.map((a) => a + 1).join(", ") }) : "");
  const variants = redraft.variants.length ?
    h("ol", { class: "variants" }, redraft.variants.map((v) => h("li", { dataset: { key: `variant:${v.id}` } },
      h("p", { class: "statement" }, v.text), h("p", { class: "meta" }, answered(v)),
      redraft.stage === "writing" ? h("button", { type: "button", class: "secondary small", "aria-label": t("Remove version: %(text)s", { text: short(v.text) }), onclick: () => ctx.command("variant.withdraw", { variant_id: v.id }, t("Version removed")) }, t("Remove")) : null))) :
    h("p", { class: "hint" }, t("No versions yet."));
  const parts = [
    h("h3", {}, t("Rewriting proposal #%(id)s", { id: redraft.proposal_id })),
    original ? h("p", { class: "statement" }, original.text) : null,
    redraft.objections.length ? h("ol", { class: "objections" }, redraft.objections.map((o) => h("li", {}, o))) : h("p", { class: "hint" }, t("No objections: too few agreed.")),
    h("h4", {}, t("Versions")), variants,
  ];
  if (redraft.stage === "writing") {
    if (redraft.variants.length < 4) parts.push(writeForm(redraft, ctx));
    parts.push(h("div", { class: "row" },
      h("button", { type: "button", dataset: { key: "ranking-open" }, disabled: redraft.variants.length < 2, onclick: () => ctx.command("ranking.open", { redraft_id: redraft.id }, t("Ranking opened")) }, t("Let the room rank")),
      cancel(redraft, ctx)));
  } else {
    parts.push(h("p", { class: "round-status" }, tn("%(n)s person has given an order.", "%(n)s people have given an order.", redraft.rankers)));
    parts.push(h("div", { class: "row" },
      h("button", { type: "button", dataset: { key: "redraft-close" }, disabled: !redraft.rankers, onclick: () => ctx.command("redraft.close", { redraft_id: redraft.id }, t("Ranking closed")) }, t("Close the ranking")),
      cancel(redraft, ctx)));
  }
  return h("section", { class: "redraft", id: `redraft-${kind}` }, parts);
}

function cancel(redraft, ctx) {
  return h("button", { type: "button", class: "secondary", onclick: () => { if (confirm(t("Stop rewriting? The versions and orders are dropped."))) ctx.command("redraft.cancel", { redraft_id: redraft.id }, t("Rewriting stopped")); } }, t("Stop rewriting"));
}

function writeForm(redraft, ctx) {
  const prefix = `variant-${redraft.id}`;
  const form = h("form", { class: "stack" },
    h("label", { for: `${prefix}-text` }, t("New version")),
    h("textarea", { id: `${prefix}-text`, rows: 3 }),
    redraft.objections.length ? h("fieldset", { class: "answers" }, h("legend", {}, t("It answers objection")),
      redraft.objections.map((o, i) => h("span", { class: "check" }, h("input", { type: "checkbox", id: `${prefix}-a${i}`, value: i }), h("label", { for: `${prefix}-a${i}` }, `${i + 1}. ${short(o)}`)))) : null,
    h("button", { type: "submit" }, t("Add version")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $(`#${prefix}-text`).value.trim();
    const answers = [...form.querySelectorAll(".answers input:checked")].map((i) => Number(i.value));
    if (!text) { ctx.feedback(t("Write something first."), true); return; }
    if (redraft.objections.length && !answers.length) { ctx.feedback(t("Choose the objection it answers."), true); return; }
    ctx.command("variant.create", { redraft_id: redraft.id, text, answers }, t("Version added"));
    $(`#${prefix}-text`).value = "";
  });
  return form;
}

function closed(state, redraft) {
  const result = redraft.result;
  const latest = latestRound(state, redraft.kind);
  if (!result || (latest && latest.id !== redraft.round_id)) return null; // measured since
  const winner = redraft.variants.find((v) => v.id === result.winner_id);
  return h("section", { class: "redraft", id: `redraft-${redraft.kind}` },
    h("h3", {}, t("The room chose a new version")),
    winner ? h("p", { class: "statement" }, winner.text) : null,
    h("p", { class: "meta" }, tn("%(n)s person gave an order.", "%(n)s people gave an order.", result.rankers),
      result.ties_broken ? " " + t("A tie was broken: more first places, then the version written first.") : ""),
    h("p", { class: "hint" }, t("Open an agreement round to measure it.")));
}
