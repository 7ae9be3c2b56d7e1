// "Aan tafel" on the console, in any phase: who is here per stakeholder group, their drijfveren
// (marked when the person agreed to have it in the record, without name), how people want to
// contribute, and who gets heard — per group its share of the people against its share of the
// cards, proposals, dots and objections (GET /api/workshops/{id}/table, pooled by the server so
// no figure is about one person) — with the check across the trajectory's workshops and the
// question for the room. "Toon op scherm" puts the heard figures on the projector (screen.view
// with heard: true); "Terug" gives the projector its wall back.
import { byId } from "./state.js";
import { h, replace } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CONTRIBUTIONS, groupName, label } from "./labels.js";
import { FIGURES, figureName, heardGroupName, tablePrompt } from "./wall_heard.js";

const contributionName = (key) => label(CONTRIBUTIONS, key);
const groupsText = (groups) => groups.map(heardGroupName).join(", ");

function section(id, title) {
  const body = h("div", { id: `${id}-body` });
  return { el: h("section", { class: "at-table-part", id, "aria-labelledby": `${id}-title` }, h("h3", { id: `${id}-title` }, title), body), body };
}

export class AtTable {
  /** `root`: the <details id="at-table"> of the console; `command(type, fields, done)`. */
  constructor(root, { workshopId, command }) {
    this.root = root;
    this.workshopId = workshopId;
    this.command = command;
    this.data = null; // the last answer of /table
    this.status = "idle"; // idle | loading | failed | ready
    this.keys = {};
    this.onFigures = null; // a redraw that depends on the figures (the lobby's check)
    this.groups = section("at-table-groups", t("Who is here"));
    this.drijfveren = section("at-table-drijfveren", t("Drijfveren"));
    this.contributions = section("at-table-contributions", t("How people want to contribute"));
    this.heard = section("at-table-heard", t("Who gets heard"));
    this.trajectory = section("at-table-trajectory", t("Across the trajectory"));
    this.refreshButton = h("button", { type: "button", class: "secondary", id: "at-table-refresh", onclick: () => this.refresh() }, t("Refresh"));
    this.showButton = h("button", { type: "button", id: "at-table-show", "aria-describedby": "at-table-show-hint" });
    this.showHint = h("p", { class: "hint", id: "at-table-show-hint" });
    this.loadStatus = h("p", { class: "hint", id: "at-table-status", role: "status" });
    this.heardTable = h("div", { id: "at-table-figures" });
    replace(this.heard.body, h("div", { class: "row" }, this.refreshButton, this.showButton), this.showHint, this.loadStatus, this.heardTable);
    replace(root.querySelector("#at-table-body"),
      h("div", { class: "at-table-grid" }, this.groups.el, this.drijfveren.el, this.contributions.el),
      this.heard.el, this.trajectory.el);
    root.addEventListener("toggle", () => { if (root.open && this.status === "idle") this.refresh(); });
  }

  /** Redraw what comes from the room state (cheap when nothing changed). */
  render(state) {
    const people = byId(state.participants).filter((p) => !p.left && !p.waiting); // not waiting to be let in
    this.once("groups", [people.map((p) => p.stakeholder_group), state.workshop.expected_groups], () => this.drawGroups(people, state.workshop.expected_groups));
    this.once("drijfveren", people.map((p) => [p.stakeholder_group, p.drijfveer, p.drijfveer_use]), () => this.drawDrijfveren(people));
    this.once("contributions", people.map((p) => [p.contribution, p.contribution_use]), () => this.drawContributions(people));
    const onScreen = Boolean(state.workshop.screen && state.workshop.screen.heard);
    const screen = state.workshop.screen || {};
    this.showButton.textContent = onScreen ? t("Back") : t("Show on screen");
    this.showButton.className = onScreen ? "secondary" : "";
    this.showButton.onclick = onScreen ?
      () => this.command("screen.view", { page: screen.page ?? null, focus: screen.focus ?? null }, t("The projector shows the wall again")) :
      () => { this.command("screen.view", { page: null, focus: null, heard: true }, t("The projector shows who gets heard")); this.refresh(); };
    this.showHint.textContent = onScreen ? t("The projector now shows who gets heard. “Back” gives it its wall again.") : t("Shows these figures, per group, to the room on the projector.");
  }

  once(name, value, draw) {
    const key = JSON.stringify(value);
    if (this.keys[name] === key) return;
    this.keys[name] = key;
    draw();
  }

  drawGroups(people, expected) {
    const count = {};
    for (const p of people) count[p.stakeholder_group] = (count[p.stakeholder_group] || 0) + 1;
    const groups = [...new Set([...expected, ...Object.keys(count)])];
    replace(this.groups.body, groups.length ? h("ul", { class: "plain" }, groups.map((g) => h("li", {},
      h("strong", {}, groupName(g)), ": ", tn("%(n)s person", "%(n)s people", count[g] || 0),
      !count[g] ? h("span", { class: "warn" }, " — ", t("not here")) : null,
      count[g] && !expected.includes(g) ? " " + t("(not expected)") : null))) :
      h("p", { class: "hint" }, t("Nobody has joined yet.")));
  }

  drawDrijfveren(people) {
    const byGroup = new Map();
    for (const p of people) {
      if (!p.drijfveer || !p.drijfveer.trim()) continue;
      if (!byGroup.has(p.stakeholder_group)) byGroup.set(p.stakeholder_group, []);
      byGroup.get(p.stakeholder_group).push(p);
    }
    if (!byGroup.size) { replace(this.drijfveren.body, h("p", { class: "hint" }, t("No drijfveren shared yet."))); return; }
    replace(this.drijfveren.body,
      h("p", { class: "hint" }, t("Only you see these. Those marked “may be in the record” go into the record without a name.")),
      [...byGroup].sort(([a], [b]) => groupName(a).localeCompare(groupName(b))).flatMap(([group, list]) => [
        h("h4", {}, groupName(group)),
        h("ul", { class: "drijfveren" }, list.map((p) => h("li", { class: p.drijfveer_use === "record" ? "record" : null },
          p.drijfveer, " ",
          h("span", { class: p.drijfveer_use === "record" ? "consent ok" : "consent meta" },
            p.drijfveer_use === "record" ? t("(✓ may be in the record)") : t("(only for you)"))))),
      ]));
  }

  drawContributions(people) {
    const wanted = {};
    const shared = {};
    for (const p of people) {
      if (!p.contribution) continue;
      wanted[p.contribution] = (wanted[p.contribution] || 0) + 1;
      if (p.contribution_use === "record") shared[p.contribution] = (shared[p.contribution] || 0) + 1;
    }
    const kinds = [...new Set([...Object.keys(CONTRIBUTIONS), ...Object.keys(wanted)])];
    replace(this.contributions.body, h("ul", { class: "plain" }, kinds.map((kind) => h("li", {},
      h("strong", {}, contributionName(kind)), ": ", tn("%(n)s person", "%(n)s people", wanted[kind] || 0),
      shared[kind] ? h("span", { class: "meta" }, " ", t("(%(n)s may be in the record)", { n: shared[kind] })) : null))));
  }

  async refresh() {
    this.status = "loading";
    this.loadStatus.textContent = t("Fetching the figures…");
    try {
      const response = await fetch(`/api/workshops/${this.workshopId}/table`, { headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      this.data = await response.json();
      this.status = "ready";
      const time = new Date().toLocaleTimeString(document.documentElement.lang || "nl", { hour: "2-digit", minute: "2-digit" });
      this.loadStatus.textContent = t("Figures as of %(time)s.", { time });
    } catch {
      this.status = "failed";
      this.loadStatus.textContent = t("Could not fetch the figures. Try “Refresh” again.");
    }
    this.drawHeard();
    replace(this.trajectory.body, this.data ? trajectoryCheck(this.data.trajectory) : null);
    const redraw = this.onFigures;
    if (redraw) redraw();
  }

  drawHeard() {
    if (!this.data) { replace(this.heardTable); return; }
    replace(this.heardTable, heardTable(this.data.heard));
  }

  /** The trajectory check for the lobby of a reframing workshop (fetched once if needed). */
  trajectoryPanel(onChange) {
    this.onFigures = onChange;
    if (this.status === "idle") this.refresh();
    if (!this.data) return h("p", { class: "hint" }, this.status === "failed" ? t("Could not fetch the figures. Try “Refresh” again.") : t("Fetching the figures…"));
    return trajectoryCheck(this.data.trajectory);
  }
}

/** Per group: its share of the people against its share of what it put in, as a table (the
 * shares as the server worked them out; none where nothing of that kind was put in). */
export function heardTable(heard) {
  const total = heard.total;
  const figure = (g, f) => (g.shares[f] !== null ? `${g.shares[f]}% (${g[f]})` : String(g[f]));
  return h("div", {},
    heard.groups.length ? h("table", { class: "heard-table" },
      h("caption", {}, t("Share of the people against share of cards, proposals, dots and objections")),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("Group")), FIGURES.map((f) => h("th", { scope: "col" }, figureName(f))))),
      h("tbody", {}, heard.groups.map((g) => h("tr", { class: g.under_heard ? "under" : null },
        h("th", { scope: "row" }, heardGroupName(g.group), g.under_heard ? h("strong", { class: "warn" }, " — ", t("under-heard: mostly listened")) : null),
        FIGURES.map((f) => h("td", {}, figure(g, f)))))),
      h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, t("Everyone")), FIGURES.map((f) => h("td", {}, String(total[f])))))) :
      h("p", { class: "hint" }, t("Too few people per group to show without identifying anyone.")),
    h("p", { class: "hint" }, t("Groups with fewer than %(k)s people are counted together, so nobody can be picked out.", { k: heard.min_group_size })),
    heard.under_heard.length ?
      h("p", { class: "warn" }, t("Under-heard: %(groups)s. They were here, but their share of cards and proposals is less than half their share of the people.", { groups: groupsText(heard.under_heard) })) :
      h("p", {}, t("No group is under-heard.")));
}

/** Expected against present groups across the trajectory's workshops, and the room's question
 */
export function trajectoryCheck(check) {
  const names = groupsText;
  const line = (title, groups, cls) => (groups.length ? h("li", { class: cls }, h("strong", {}, title, ": "), names(groups)) : null);
  const clear = !check.never_present.length && !check.often_missing.length && !check.often_under_heard.length;
  return h("div", { class: "trajectory-check" },
    check.workshops.length ? h("table", { class: "table-check" },
      h("caption", {}, t("Workshops of this trajectory that were held")),
      h("thead", {}, h("tr", {}, [t("Workshop"), t("Present"), t("Missing"), t("Under-heard")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, check.workshops.map((w) => h("tr", {},
        h("th", { scope: "row" }, w.title), h("td", {}, names(w.present) || "—"), h("td", {}, names(w.missing) || "—"), h("td", {}, names(w.under_heard) || "—"))))) :
      h("p", { class: "hint" }, t("No workshop of this trajectory has been held yet.")),
    h("ul", { class: "plain check-lines" },
      line(t("Never present"), check.never_present, "warn"),
      line(t("Often missing"), check.often_missing, "warn"),
      line(t("Often under-heard"), check.often_under_heard, "warn"),
      clear ? h("li", {}, t("Every expected group has been at the table, and none was under-heard more than once.")) : null),
    h("p", { class: "prompt" }, tablePrompt()));
}
