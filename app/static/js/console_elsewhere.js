// The console's line on who takes part from elsewhere ("Ik ben er niet bij in de zaal"): counted
// per group by the server with the k rule (app/workshops/remote.py), for the facilitator only,
// in the presence message. Never per person: no screen learns who is elsewhere.
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { groupName } from "./labels.js";

/** "Van elders: Inwoner 3, Overige groepen 2" — or the total alone when no group may be shown. */
export function elsewhereLine(figures) {
  if (!figures || !figures.total) return null;
  const groups = Object.entries(figures.by_group).map(([group, n]) => `${groupName(group)} ${n}`);
  const text = groups.length
    ? t("From elsewhere: %(groups)s", { groups: groups.join(", ") })
    : t("From elsewhere: %(n)s in total", { n: figures.total });
  return h("p", { class: "elsewhere", id: "from-elsewhere" }, text);
}
