// The vertrekpunt a reframing workshop starts from (snapshot `starts_from`), as the phone's lobby
// and the projector's lobby show it: the waarom, the opgave with what is in and out of scope, the
// core themes, and where it was agreed. The room sees the framing it is about to re-check.
import { h } from "./dom.js";
import { pageLanguage, t } from "./i18n.js";

function agreedIn(start) {
  const date = start.saved_at ? new Date(start.saved_at) : null;
  if (!date || Number.isNaN(date.getTime())) return t("Agreed in %(title)s", { title: start.workshop_title });
  const day = new Intl.DateTimeFormat(pageLanguage(), { day: "numeric", month: "long", year: "numeric" }).format(date);
  return t("Agreed in %(title)s on %(date)s", { title: start.workshop_title, date: day });
}

/**
 * The starting point as a section. `heading` is the heading element's tag (h2 on the phone and
 * the projector); `lead` adds the sentence that says the room will look at it again.
 */
export function startingPointBlock(start, { heading = "h2", lead = true, id = "starting-point-title" } = {}) {
  if (!start) return null;
  const lines = (title, items, cls) => (items.length ? [h("dt", {}, title), h("dd", { class: cls }, items.length > 1 ? h("ul", {}, items.map((i) => h("li", {}, i))) : items[0])] : []);
  return h("section", { class: "starting-point", "aria-labelledby": id },
    h(heading, { id }, t("The current starting point")),
    h("p", { class: "agreed meta" }, agreedIn(start)),
    lead ? h("p", { class: "lead" }, t("Today we look at it again: does it still fit?")) : null,
    h("dl", {},
      h("dt", {}, t("Why")), h("dd", { class: "statement" }, start.waarom),
      h("dt", {}, t("Mission")), h("dd", { class: "statement" }, start.opgave),
      ...lines(t("In scope"), start.in_scope, "scope"),
      ...lines(t("Out of scope"), start.out_of_scope, "scope"),
      ...lines(t("Core themes"), start.core_themes, "scope")));
}
