// The console's waarom and opgave controls: the proposals with what each grew from, rounds,
// amending, merging, adopting. Each form that writes a proposal (new, amend, merge) has its own
// citation picker (cite_picker.js). The console redraws its controls on every change, so the
// pickers live here, one per form, and their elements are moved into each new drawing: what the
// facilitator chose survives live updates. Amending starts from the original's citations.
import { byId, latestRound, openRound } from "./state.js";
import { $, h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CitePicker } from "./cite_picker.js";
import { representationBlock, shortText, shortfalls } from "./representation.js";
import { citationText, isSeeded, seededLabel } from "./citations.js";
import { groupName } from "./labels.js";
import { carried } from "./wall_rounds.js";
import { redraftControls, redraftStart, rewriting } from "./console_redraft.js";

const pickers = new Map(); // form prefix -> its CitePicker
const STATUS = { open: () => t("open"), superseded: () => t("replaced"), adopted: () => t("adopted"), withdrawn: () => t("withdrawn") };
const short = (text) => (text.length > 80 ? text.slice(0, 77) + "…" : text);

function pickerFor(prefix, state, proposal = null) {
  let picker = pickers.get(prefix);
  if (!picker) {
    picker = new CitePicker({ id: `cite-${prefix}`, console: true });
    picker.update(state);
    if (proposal) picker.set(proposal);
    pickers.set(prefix, picker);
  }
  picker.update(state);
  return picker;
}

// Pickers of forms that are gone (an amended proposal, another phase) are dropped.
function keepOnly(prefixes) {
  for (const prefix of [...pickers.keys()]) if (!prefixes.has(prefix)) pickers.delete(prefix);
}

function proposalFields(prefix, kind, proposal) {
  const lines = (x) => (x || []).join("\n");
  const area = (id, text, value, rows) => [h("label", { for: `${prefix}-${id}` }, text), h("textarea", { id: `${prefix}-${id}`, rows }, value)];
  return [
    ...area("text", kind === "waarom" ? t("Why") : t("Mission"), proposal ? proposal.text : "", 3),
    ...(kind === "opgave" ? [
      ...area("in", t("In scope (one per line)"), lines(proposal && proposal.in_scope), 3),
      ...area("out", t("Out of scope (one per line)"), lines(proposal && proposal.out_of_scope), 2),
      ...area("themes", t("Core themes (one per line)"), lines(proposal && proposal.core_themes), 2),
    ] : []),
  ];
}

function readFields(prefix, kind, picker) {
  const value = (id) => { const el = document.getElementById(`${prefix}-${id}`); return el ? el.value : ""; };
  const lines = (id) => value(id).split("\n").map((l) => l.trim()).filter(Boolean);
  const fields = { text: value("text").trim(), ...picker.value() };
  if (kind === "opgave") Object.assign(fields, { in_scope: lines("in"), out_of_scope: lines("out"), core_themes: lines("themes") });
  return fields;
}

/** What a proposal grew from and whether it restates the vertrekpunt, for lists of proposals. */
export function proposalMarks(state, p) {
  const cites = citationText(state, p);
  return [
    isSeeded(p) ? h("p", { class: "seeded" }, h("span", { class: "badge" }, seededLabel()), " ", t("the starting point this workshop re-checks")) : null,
    h("p", { class: "cites meta" }, cites || t("Cites nothing yet.")),
  ];
}

/** The controls of the waarom or opgave phase. `ctx`: {command, feedback}. */
export function proposals(state, kind, ctx) {
  const round = openRound(state, kind);
  const latest = latestRound(state, kind);
  const list = byId(state.proposals).filter((p) => p.kind === kind);
  const open = list.filter((p) => p.status === "open");
  const used = new Set([`new-${kind}`]);
  const newPicker = pickerFor(`new-${kind}`, state);
  const create = h("form", { class: "stack" }, ...proposalFields(`new-${kind}`, kind, null), newPicker.el, h("button", { type: "submit" }, t("Add proposal")));
  create.addEventListener("submit", (e) => {
    e.preventDefault();
    const fields = readFields(`new-${kind}`, kind, newPicker);
    if (!fields.text) return;
    ctx.command("proposal.create", { kind, ...fields }, t("Proposal added"));
    for (const el of create.querySelectorAll("textarea")) el.value = "";
    newPicker.clear();
  });
  const liveId = `round-live-${kind}`;
  const roundControls = round ?
    [h("button", { type: "button", dataset: { key: `round-close-${kind}` }, onclick: () => ctx.command("round.close", { round_id: round.id }, t("Round closed")) }, t("Close round %(n)s", { n: round.number })),
      h("p", { class: "hint" }, round.reveal === "live" ? t("The room sees the figures as they come in.") : t("The room sees the figures when you close the round."))] :
    [h("button", { type: "button", dataset: { key: `round-open-${kind}` }, disabled: !open.length || rewriting(state, kind), onclick: () => ctx.command("round.open", { kind, reveal: $(`#${liveId}`).checked ? "live" : "at_close" }, t("Round opened")) }, t("Open an agreement round")),
      h("span", { class: "check" }, h("input", { type: "checkbox", id: liveId }), h("label", { for: liveId }, t("Show the figures live (otherwise: when the round closes)")))];
  if (open.length > 1 && !round) used.add(`merge-${kind}`);
  for (const p of open) if (!round) used.add(`amend-${p.id}`);
  const rows = list.map((p) => proposalRow(state, p, kind, round, latest, ctx));
  const mergeForm = open.length > 1 && !round ? mergeProposals(state, kind, open, ctx) : null;
  keepOnly(used);
  return h("section", {},
    h("h3", {}, kind === "waarom" ? t("Proposals for the why") : t("Proposals for the mission")),
    h("div", { class: "row" }, roundControls),
    representationBlock(state, { heading: "h4" }),
    redraftControls(state, kind, ctx),
    list.length ? h("ul", { class: "proposals" }, rows) : h("p", { class: "hint" }, t("No proposals yet.")),
    mergeForm,
    h("details", { id: `new-proposal-${kind}` }, h("summary", {}, t("Add a proposal on behalf of the room")), create));
}

function proposalRow(state, p, kind, round, latest, ctx) {
  const figures = latest && latest.figures[p.id];
  const parts = [h("p", { class: "statement" }, p.text)];
  for (const [title, lines] of [[t("In scope"), p.in_scope], [t("Out of scope"), p.out_of_scope], [t("Core themes"), p.core_themes]]) {
    if (lines.length) parts.push(h("p", { class: "scope" }, title, ": ", lines.join("; ")));
  }
  parts.push(...proposalMarks(state, p));
  parts.push(h("p", { class: "meta" }, (STATUS[p.status] || (() => p.status))(),
    p.amends_id ? " · " + t("replaces #%(id)s", { id: p.amends_id }) : "", " · #", String(p.id)));
  if (figures) {
    parts.push(h("p", { class: figures.converged ? "ok" : "warn" },
      figures.converged ? t("Converged") : t("Not converged"), " · ",
      t("%(agree)s agree, %(raters)s of %(eligible)s rated", { agree: `${Math.round(figures.agree_share * 100)}%`, raters: figures.raters, eligible: latest.eligible }), ", ",
      tn("%(n)s objection", "%(n)s objections", figures.objections)));
    if (figures.objection_reasons.length) parts.push(h("ul", { class: "objections" }, figures.objection_reasons.map((r) => h("li", {}, r))));
    parts.push(...perGroup(state, figures));
  }
  if (p.status === "adopted" && p.adopted_reason) parts.push(h("p", { class: "muted" }, t("Adopted without converging, because: %(reason)s", { reason: p.adopted_reason })));
  if (p.status === "adopted" && p.adopted_short && p.adopted_short.length) parts.push(h("p", { class: "warn" }, t("Adopted while these groups were below target: %(groups)s", { groups: shortText(p.adopted_short) })));
  if (p.status === "open" && !round) {
    const picker = pickerFor(`amend-${p.id}`, state, p);
    const amend = h("form", { class: "stack" }, ...proposalFields(`amend-${p.id}`, kind, p), picker.el, h("button", { type: "submit" }, t("Save amendment")));
    amend.addEventListener("submit", (e) => {
      e.preventDefault();
      const fields = readFields(`amend-${p.id}`, kind, picker);
      if (fields.text) ctx.command("proposal.amend", { proposal_id: p.id, ...fields }, t("Amendment saved"));
    });
    const converged = figures && figures.converged;
    const reasonId = `adopt-reason-${p.id}`;
    // An expected group absent or below target: the facilitator confirms, the record says so.
    const short = shortfalls(state);
    const confirmId = `adopt-confirm-${p.id}`;
    const adopt = h("form", { class: "stack" },
      converged ? h("p", { class: "ok" }, t("This proposal converged in its latest round.")) :
        h("p", { class: "warn" }, t("This proposal has not converged. Adopting it anyway needs a written reason, which the record keeps.")),
      converged ? null : h("label", { for: reasonId }, t("Reason for adopting")),
      converged ? null : h("textarea", { id: reasonId, rows: 2, required: true }),
      short.length ? h("p", { class: "warn", id: `${confirmId}-why` }, t("Not everyone we hoped for is at the table: %(groups)s.", { groups: shortText(short) })) : null,
      short.length ? h("div", { class: "check" },
        h("input", { type: "checkbox", id: confirmId, "aria-describedby": `${confirmId}-why` }),
        h("label", { for: confirmId }, t("Adopt anyway; the record says which groups were short"))) : null,
      h("button", { type: "submit" }, kind === "waarom" ? t("Adopt as the room's why") : t("Adopt as the room's mission")));
    adopt.addEventListener("submit", (e) => {
      e.preventDefault();
      const reason = converged ? "" : $(`#${reasonId}`).value.trim();
      if (!converged && !reason) { ctx.feedback(t("Write the reason for adopting first."), true); return; }
      const confirmed = short.length ? $(`#${confirmId}`).checked : false;
      if (short.length && !confirmed) { ctx.feedback(t("Tick “adopt anyway” first: not every expected group is at the table."), true); return; }
      ctx.command("proposal.adopt", { proposal_id: p.id, reason, representation_confirmed: confirmed }, t("Adopted"));
    });
    parts.push(h("div", { class: "actions" },
      h("details", { id: `amend-box-${p.id}` }, h("summary", {}, t("Amend")), amend),
      h("details", { id: `adopt-box-${p.id}` }, h("summary", {}, t("Adopt")), adopt),
      redraftStart(state, p, figures, ctx),
      h("button", { type: "button", class: "secondary small", onclick: () => { if (confirm(t("Withdraw this proposal?"))) ctx.command("proposal.withdraw", { proposal_id: p.id }, t("Proposal withdrawn")); } }, t("Withdraw"))));
  }
  return h("li", { class: `proposal status-${p.status}`, dataset: { proposalId: p.id, key: `proposal:${p.id}` } }, parts);
}

// Agreement per group as the room may see it (small groups pooled by the server), the
// group-aware figure, and, with "every group must carry it", which groups do not yet.
function perGroup(state, figures) {
  const out = [];
  if (figures.by_group && figures.by_group.length) {
    out.push(h("p", { class: "meta" }, t("Per group: %(groups)s", {
      groups: figures.by_group.map((g) => `${groupName(g.group)} ${Math.round(g.agree_share * 100)}% (${g.raters}, ${g.objections}×1)`).join(" · "),
    })));
    out.push(h("p", { class: "meta" }, t("Lowest agreement in a group: %(share)s", { share: `${Math.round(figures.lowest_group_share * 100)}%` })));
  }
  const line = carried(state, figures);
  if (line) out.push(h("p", { class: `${line.cls} ${line.cls === "carried" ? "ok" : "warn"}` }, line.text));
  return out;
}

function mergeProposals(state, kind, open, ctx) {
  const picker = pickerFor(`merge-${kind}`, state);
  const form = h("form", { class: "stack" },
    h("fieldset", { class: "merge-choice" }, h("legend", {}, t("Merge these proposals")),
      open.map((p) => h("div", { class: "check" }, h("input", { type: "checkbox", id: `mp-${p.id}`, value: p.id }), h("label", { for: `mp-${p.id}` }, `#${p.id} ${short(p.text)}`)))),
    ...proposalFields(`merge-${kind}`, kind, null),
    picker.el,
    h("p", { class: "hint" }, t("Choose nothing to keep what the merged proposals cite.")),
    h("button", { type: "submit" }, t("Merge")));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const ids = [...form.querySelectorAll(".merge-choice input:checked")].map((i) => Number(i.value));
    const fields = readFields(`merge-${kind}`, kind, picker);
    if (ids.length < 2 || !fields.text) { ctx.feedback(t("Choose two or more proposals and write the merged text."), true); return; }
    ctx.command("proposal.merge", { proposal_ids: ids, ...fields }, t("Proposals merged"));
  });
  return h("details", { id: `merge-box-${kind}` }, h("summary", {}, t("Merge proposals")), form);
}
