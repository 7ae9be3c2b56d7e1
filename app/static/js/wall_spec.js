// What the projector's view holds now, phase by phase: which wall (wall_views.js, wall_overview.js,
// wall_rounds.js, wall_redraft.js), the line above it and what it says while empty. Shared by the
// projector (projector.js), which fits it onto the big screen, and a phone that follows the
// screen (participant_follow.js), which lays the same walls out for a phone.
import { byId, lastClosedVote, openVote } from "./state.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { TAGS, label, postingKind } from "./labels.js";
import { explain, termName } from "./glossary.js";
import { adoptedWall, cardWall, focusWall, voteProgress, worldWalls } from "./wall_views.js";
import { overviewWall } from "./wall_overview.js";
import { agreementWall, roundHead } from "./wall_rounds.js";
import { activeRedraft, redraftHead, redraftWall } from "./wall_redraft.js";

export const help = (text) => (text ? h("p", { class: "wall-help meta" }, text) : null);

// What the view shows now: a wall (or two side by side), with an optional line above it.
// `tally`: the dot vote's progress, which only the staff's screens receive; a phone following
// the screen (`phone`) says the vote is on without figures it does not have.
export function viewOf(state, { tally = null, phone = false } = {}) {
  const w = state.workshop;
  const focus = w.screen && w.screen.focus;
  const focused = focusWall(state, focus);
  if (focused) {
    const proposal = focus.kind === "proposal" ? state.proposals[focus.id] : null;
    return { key: `focus:${focus.kind}:${focus.id}`, head: proposal ? roundHead(state, proposal.kind) : null, parts: [{ wall: focused }] };
  }
  const phase = w.phase;
  const kind = postingKind(phase);
  // Consequences are posted per world: two walls side by side.
  if (kind && kind !== "consequentie") {
    return { key: phase, parts: [{ wall: cardWall(state, kind) }], empty: t("Waiting for the first cards…") };
  }
  if (kind === "consequentie") {
    const walls = worldWalls(state);
    return {
      key: phase,
      cls: "wall wall-worlds", // one wall, two halves
      parts: walls ? walls.map((w2) => ({ title: w2.title, help: explain(w2.world), wall: w2.wall })) : [],
      empty: t("Waiting for the first cards…"),
    };
  }
  // Clusteren and prioriteren: the overview, every cluster on one screen (wall_overview.js);
  // the facilitator focuses one cluster for all its cards.
  if (phase === "clusteren") {
    const used = [...new Set(byId(state.clusters).flatMap((c) => c.tags))];
    const line = Object.keys(TAGS).filter((tag) => used.includes(tag)).map((tag) => `${label(TAGS, tag)}: ${explain(tag)}`).join(" ");
    // The tags explained only while the room is small enough to leave them the room.
    const roomy = byId(state.clusters).length <= 6;
    return { key: phase, head: roomy ? help(line) : null, parts: [{ wall: overviewWall(state) }], empty: t("Clusters appear here.") };
  }
  if (phase === "prioriteren") {
    const progress = phone ? (openVote(state) ? help(t("The vote is on: the results are shown when it closes.")) : null) : voteProgress(state, tally);
    const closed = lastClosedVote(state);
    const key = progress ? "vote:open" : closed ? `vote:results:${closed.id}` : "vote:none";
    return { key, head: progress || (closed ? help(t("Ranked by dots; under each cluster the cards with the most dots.")) : null), parts: [{ wall: overviewWall(state) }], empty: t("The vote opens soon.") };
  }
  if (phase === "waarom" || phase === "opgave") {
    const redraft = activeRedraft(state, phase);
    if (redraft) return { key: `redraft:${redraft.id}`, head: h("div", { class: "wall-lines" }, redraftHead(state, phase)), parts: [{ wall: redraftWall(state, redraft) }] };
    const wall = agreementWall(state, phase);
    const themes = phase === "opgave" && byId(state.proposals).some((p) => p.kind === "opgave" && p.core_themes.length);
    const head = h("div", { class: "wall-lines" }, roundHead(state, phase), redraftHead(state, phase), themes ? help(`${termName("kernthema")}: ${explain("kernthema")}`) : null);
    return { key: phase, head, parts: [{ wall }], empty: t("Proposals are being written…") };
  }
  return { key: phase, parts: [{ wall: adoptedWall(state) }], empty: t("The facilitator is wrapping up.") };
}
