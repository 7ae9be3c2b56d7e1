// Display names of the method's words for scripts. Same ids and message ids as app/labels.py.
import { t } from "./i18n.js";

export const PHASES = {
  lobby: () => t("Lobby"),
  beelden: () => t("Images"),
  factoren: () => t("Factors"),
  consequenties: () => t("Consequences"),
  clusteren: () => t("Clustering"),
  prioriteren: () => t("Prioritising"),
  waarom: () => t("Why"),
  opgave: () => t("Mission"),
  afronding: () => t("Wrap-up"),
};

export const GROUPS = {
  inwoner: () => t("Resident"),
  ervaringsdeskundige: () => t("Expert by experience"),
  ketenpartner: () => t("Partner organisation"),
  uitvoering: () => t("Front-line service"),
  beleid: () => t("Policy"),
  bestuur: () => t("Governance"),
};

export const CARD_KINDS = { beeld: () => t("Image"), factor: () => t("Factor"), consequentie: () => t("Consequence") };
export const WORLDS = { leefwereld: () => t("Lived world"), systeemwereld: () => t("System world") };
export const TAGS = { angel: () => t("Sting"), kiem: () => t("Seed"), hefboom: () => t("Lever") };
export const SCORES = {
  5: () => t("5 — fully agree"),
  4: () => t("4 — agree"),
  3: () => t("3 — can live with it"),
  2: () => t("2 — doubts"),
  1: () => t("1 — objection (block)"),
};

export const label = (table, key) => (table[key] ? table[key]() : key);
export const phaseName = (key) => label(PHASES, key);
export const groupName = (key) => label(GROUPS, key);
