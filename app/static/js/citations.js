// What a proposal grew from, said in one short line on every screen: "Groeit uit: Vervoer;
// Ontmoeten · 3 kaarten". Clusters are named (they are few and carry the room's own words); cards
// are counted (their texts are on the wall already, and a hidden card's text is not for the room).
// Also the mark of a reframing's first proposal, the vertrekpunt "zoals het nu is".
import { t, tn } from "./i18n.js";

/** Titles of the clusters a proposal cites that still exist, in the order cited. */
export function citedClusterTitles(state, proposal) {
  return (proposal.cited_cluster_ids || []).map((id) => state.clusters[id]).filter(Boolean).map((c) => c.title);
}

/** The cited clusters and cards as one phrase, or "" when the proposal cites nothing. */
export function citationPhrase(state, proposal) {
  const parts = citedClusterTitles(state, proposal);
  const cards = (proposal.cited_card_ids || []).length;
  const line = parts.join("; ");
  if (!cards) return line;
  const counted = tn("%(n)s card", "%(n)s cards", cards);
  return line ? `${line} · ${counted}` : counted;
}

/** "Grows from: …" as a whole sentence, or "" when it cites nothing. */
export function citationText(state, proposal) {
  const what = citationPhrase(state, proposal);
  return what ? t("Grows from: %(what)s", { what }) : "";
}

/** The label for citations, when a screen sets it in bold before the phrase. */
export const growsFrom = () => t("Grows from");

/** A reframing's proposal that restates the vertrekpunt it starts from. */
export const isSeeded = (proposal) => proposal.seeded_from_id !== null && proposal.seeded_from_id !== undefined;
export const seededLabel = () => t("As it is now");
