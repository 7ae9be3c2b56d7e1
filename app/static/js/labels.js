// The workshop's vocabulary for scripts, as the server sends it once per page: card kinds and the
// phase each is posted in, phases with their typical minutes, worlds, tags, stakeholder groups,
// scores, contributions and the pooled groups' name, translated into the page's language.
// app/web/vocabulary.py builds it from the Python sources and the page embeds it as
// <script type="application/json" id="vocabulary">; nothing here declares it again.

const EMPTY = { phases: [], kinds: [], worlds: [], tags: [], groups: [], pooled_group: { key: null, name: "" }, scores: [], contributions: [] };
const node = document.getElementById("vocabulary");
const vocabulary = node ? JSON.parse(node.textContent) : EMPTY;

const names = (entries) => Object.fromEntries(entries.map((entry) => [entry.key, entry.name]));

// key -> display name, each table in the server's order (Object.keys) but SCORES, whose numeric
// keys an object sorts: SCORE_KEYS has their order.
export const PHASES = names(vocabulary.phases);
export const GROUPS = names(vocabulary.groups);
export const CARD_KINDS = names(vocabulary.kinds);
export const WORLDS = names(vocabulary.worlds);
export const TAGS = names(vocabulary.tags);
export const SCORES = names(vocabulary.scores);
export const CONTRIBUTIONS = names(vocabulary.contributions);
export const SCORE_KEYS = vocabulary.scores.map((score) => score.key);

/** The name under which groups too small to show on their own are pooled (app/privacy.py). */
export const OTHER_GROUPS = vocabulary.pooled_group.key;

export const label = (table, key) => table[key] ?? key;
export const phaseName = (key) => label(PHASES, key);
// A stakeholder group's name; the pooled groups have one too, and groups a trajectory invents
// itself are shown as typed.
export const groupName = (key) => (key === OTHER_GROUPS ? vocabulary.pooled_group.name : label(GROUPS, key));

const KIND_OF_PHASE = Object.fromEntries(vocabulary.phases.map((phase) => [phase.key, phase.kind]));
const MINUTES = Object.fromEntries(vocabulary.phases.map((phase) => [phase.key, phase.minutes]));

/** The kind of card posted in `phase` ("beeld" in "beelden"), or null in a phase without posting. */
export const postingKind = (phase) => KIND_OF_PHASE[phase] ?? null;

const TAGGING = new Set(vocabulary.phases.filter((phase) => phase.tagging).map((phase) => phase.key));

/** Whether cards and clusters get their tags (angel, kiem, hefboom) in `phase`. */
export const tagsIn = (phase) => TAGGING.has(phase);

/** Minutes a step of this phase typically takes, for a step added by hand (presets.py). */
export const typicalMinutes = (phase) => MINUTES[phase] ?? null;
