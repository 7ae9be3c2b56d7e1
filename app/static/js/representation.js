// Each expected group against what the trajectory hoped for: "Bewoners: 4 van 6", "Jongeren: nog
// niemand". Counted as the server counts it for adopting (app/workshops/targets.py): people let
// in and not left. Who is present per group is not pooled (app/privacy.py: the room sees who is
// there); nothing here says what anyone did or answered.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { groupName } from "./labels.js";

const key = (name) => name.split(/\s+/).filter(Boolean).join(" ").toLowerCase();

/** Per expected group: {group, here, target (or null), oftenMissing, short}. */
export function standings(state) {
  const here = {};
  for (const p of Object.values(state.participants)) {
    if (!p.left && !p.waiting && !p.helper) here[key(p.stakeholder_group)] = (here[key(p.stakeholder_group)] || 0) + 1;
  }
  const targets = {};
  for (const [g, n] of Object.entries(state.workshop.group_targets || {})) targets[key(g)] = n;
  const often = new Set((state.workshop.often_missing || []).map(key));
  return state.workshop.expected_groups.map((group) => {
    const n = here[key(group)] || 0;
    const target = targets[key(group)] ?? null;
    return { group, here: n, target, oftenMissing: often.has(key(group)), short: n === 0 || (target !== null && n < target) };
  });
}

/** Whether the trajectory said what it intended (a target or an "often missing" mark). */
const statesIntent = (state) => Object.keys(state.workshop.group_targets || {}).length > 0 || (state.workshop.often_missing || []).length > 0;

/** The expected groups absent or below target now: adopting asks the facilitator first
 * (only when the trajectory stated its intent, as app/workshops/targets.py decides). */
export const shortfalls = (state) => (statesIntent(state) ? standings(state).filter((s) => s.short) : []);

/** "4 of 6", "nobody yet", "4" (no target). */
export function distance(s) {
  if (s.here === 0) return s.target === null ? t("nobody yet") : t("nobody yet (of %(target)s)", { target: s.target });
  return s.target === null ? String(s.here) : t("%(here)s of %(target)s", { here: s.here, target: s.target });
}

/** "Jongeren (0 of 4), Ondernemers (1 of 3)": for the question before adopting, as the record
 * words it (a group without a target is short only when nobody is there). */
export const shortText = (short) => short.map((s) => {
  const figure = s.target === null ? t("nobody yet") : t("%(here)s of %(target)s", { here: s.here, target: s.target });
  return `${groupName(s.group)} (${figure})`;
}).join(", ");

/** The block the lobby, the console and each round show; null without targets or marks. */
export function representationBlock(state, { heading = "h3", cls = "" } = {}) {
  const rows = standings(state);
  if (!rows.length || !statesIntent(state)) return null;
  return h("div", { class: `targets ${cls}`.trim() },
    h(heading, {}, t("Against what we hoped for")),
    h("ul", { class: "plain" }, rows.map((s) => h("li", { class: s.short ? "short" : "met" },
      h("span", { class: "group" }, groupName(s.group)), ": ", distance(s),
      s.oftenMissing ? h("span", { class: "often" }, " · ", t("often not at the table")) : null))));
}
