// Choosing what a proposal grew from: clusters first, then cards, from a list that is searched as
// one types. Used on the phone's proposal form and in the console's (new, amend, merge).
//
// The picker is a fieldset of check boxes (keyboard and screen reader work as for any form), with
// a search field that hides what does not match, and the chosen items shown above the list as
// chips that remove themselves when tapped. It keeps the choice itself (not in the DOM), so a live
// update that redraws the list, or the console redrawing its whole form, never loses it. The lists
// are rebuilt (with keep(), view.js: focus stays on the box one was at) only when the clusters or
// cards changed: with five proposals the console has seven pickers of 150 cards each, and most
// updates in a waarom phase change no card. With 150 cards a phone filters, not scrolls.
//
//   const picker = new CitePicker({ id: "cite", console: false });
//   form.append(picker.el);  picker.update(state);  picker.value();  picker.set(proposal);  picker.clear();
//
// The phone's consequentie form uses it for the factoren a consequentie comes from: cards only
// (`clusters: false`), of the kinds in `kinds`, in the order `order(cards)` gives (most similar to
// what is being written, then most recent: participant.js), with its own words (`words`) and a
// note beside an option (`note(card)`, "lijkt op je tekst").
import { byId } from "./state.js";
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CARD_KINDS, TAGS, label } from "./labels.js";
import { keep } from "./view.js";

const fold = (text) => text.toLocaleLowerCase();
// The language people write the room's texts in (the workshop's), for hyphenation and speech.
const contentLanguage = () => document.body.dataset.contentLang || null;
const short = (text, max = 60) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export class CitePicker {
  /**
   * @param {{id: string, console?: boolean}} options  `id` prefixes every element id; on the
   *   console hidden and merged cards are offered too (marked), phones never get them.
   * @param {{clusters?: boolean, kinds?: string[]|null, order?: Function|null, note?: Function|null, words?: object|null}} [more]
   *   `clusters: false` offers cards only; `kinds` limits the cards to those kinds; `order(cards)`
   *   returns them in the order to offer; `note(card)` a short text shown beside one (or null);
   *   `words` replaces the picker's texts ({legend, hint, summary, chosen(n), search, cards}).
   */
  constructor({ id, console = false, clusters = true, kinds = null, order = null, note = null, words = null }) {
    this.id = id;
    this.forConsole = console;
    this.offersClusters = clusters;
    this.kinds = kinds;
    this.order = order;
    this.note = note;
    this.words = words || {
      legend: t("What does it grow from? (optional)"),
      hint: t("Choose the clusters, and if you like the cards, that this proposal builds on."),
      summary: t("Choose clusters and cards"),
      chosen: (n) => tn("Choose clusters and cards (%(n)s chosen)", "Choose clusters and cards (%(n)s chosen)", n),
      search: t("Search clusters and cards"),
      cards: t("Cards"),
    };
    this.clusters = new Set();
    this.cards = new Set();
    this.names = new Map(); // "cluster:1" -> the chip's text
    this.inputs = new Map(); // "cluster:1" -> its check box
    this.key = "";
    this.shownText = "";
    this.build();
  }

  build() {
    const id = this.id;
    this.chips = h("ul", { class: "cite-chips", id: `${id}-chips`, "aria-label": t("Chosen") });
    this.nothing = h("p", { class: "hint cite-none" }, t("Nothing chosen yet."));
    this.search = h("input", { type: "search", id: `${id}-search`, autocomplete: "off", "aria-describedby": `${id}-count` });
    this.count = h("p", { class: "hint cite-count", id: `${id}-count`, "aria-live": "polite" });
    this.clusterList = h("ul", { class: "cite-list", id: `${id}-clusters` });
    this.cardList = h("ul", { class: "cite-list", id: `${id}-cards` });
    this.noClusters = h("p", { class: "hint" }, t("No clusters match."));
    this.noCards = h("p", { class: "hint" }, t("No cards match."));
    const words = this.words;
    this.details = h("details", { class: "cite-choose", id: `${id}-choose` },
      h("summary", {}, words.summary),
      h("label", { for: `${id}-search` }, words.search),
      this.search, this.count,
      this.offersClusters ? h("fieldset", { class: "cite-group" }, h("legend", {}, t("Clusters")), this.clusterList, this.noClusters) : null,
      h("fieldset", { class: "cite-group" }, h("legend", {}, words.cards), this.cardList, this.noCards));
    this.el = h("fieldset", { class: "cite-picker", id: `${id}-picker`, "aria-describedby": words.hint ? `${id}-hint` : null },
      h("legend", {}, words.legend),
      words.hint ? h("p", { class: "hint", id: `${id}-hint` }, words.hint) : null,
      this.nothing, this.chips, this.details);
    this.search.addEventListener("input", () => this.filter());
    this.search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault(); // Enter in the search never sends the form
    });
    this.renderChips();
  }

  /** What the room offers to cite now. Cheap when nothing changed. */
  update(state) {
    const clusters = this.offersClusters ? byId(state.clusters) : [];
    let cards = byId(state.cards).filter((c) => (this.forConsole || (!c.hidden && c.merged_into_id === null)) &&
      (!this.kinds || this.kinds.includes(c.kind)));
    if (this.order) cards = this.order(cards);
    const counts = new Map();
    for (const card of byId(state.cards)) {
      if (card.cluster_id !== null && !card.hidden && card.merged_into_id === null) counts.set(card.cluster_id, (counts.get(card.cluster_id) || 0) + 1);
    }
    const key = JSON.stringify([
      clusters.map((c) => [c.id, c.title, c.tags, counts.get(c.id) || 0]),
      cards.map((c) => [c.id, c.kind, c.text, c.hidden, c.merged_into_id, this.note ? this.note(c) : null]),
    ]);
    if (key === this.key) return;
    this.key = key;
    this.inputs.clear();
    this.names.clear();
    keep(this.clusterList, () => clusters.map((c) => {
      const tags = c.tags.map((tag) => label(TAGS, tag)).join(", ");
      const cardCount = tn("%(n)s card", "%(n)s cards", counts.get(c.id) || 0);
      const name = t("Cluster: %(title)s", { title: c.title });
      return this.option("cluster", c.id, name, [c.title, tags, cardCount].join(" "),
        h("span", { class: "cite-title" }, c.title), " ",
        tags ? h("span", { class: "cite-meta" }, tags, " · ") : null,
        h("span", { class: "cite-meta" }, cardCount));
    }));
    keep(this.cardList, () => cards.map((c) => {
      const kind = label(CARD_KINDS, c.kind);
      const text = c.text || t("(no text)");
      const marks = [c.hidden ? t("hidden") : null, c.merged_into_id !== null ? t("merged") : null].filter(Boolean);
      const name = t("Card: %(text)s", { text: short(text) });
      const oneKind = this.kinds && this.kinds.length === 1; // no "Factor:" before every factor
      const note = this.note ? this.note(c) : null;
      return this.option("card", c.id, oneKind ? short(text) : name, [kind, text].join(" "),
        oneKind ? null : h("span", { class: "cite-meta" }, kind, ": "), h("span", { class: "cite-text", lang: contentLanguage() }, text),
        marks.length ? h("span", { class: "cite-meta" }, ` (${marks.join(", ")})`) : null,
        note ? h("span", { class: "cite-note" }, note) : null);
    }));
    // What is no longer offered (a withdrawn card, a dissolved cluster, a card hidden from the
    // phones) cannot be cited: it leaves the choice.
    for (const [set, kind] of [[this.clusters, "cluster"], [this.cards, "card"]]) {
      for (const value of [...set]) if (!this.inputs.has(`${kind}:${value}`)) set.delete(value);
    }
    this.renderChips();
    this.filter();
  }

  option(kind, value, name, searchText, ...content) {
    const key = `${kind}:${value}`;
    const inputId = `${this.id}-${kind}-${value}`;
    const chosen = (kind === "cluster" ? this.clusters : this.cards).has(value);
    const input = h("input", { type: "checkbox", id: inputId, value, checked: chosen });
    input.addEventListener("change", () => {
      const set = kind === "cluster" ? this.clusters : this.cards;
      if (input.checked) set.add(value); else set.delete(value);
      this.renderChips();
    });
    this.inputs.set(key, input);
    this.names.set(key, name);
    return h("li", { class: "check", dataset: { search: fold(searchText) } }, input, h("label", { for: inputId }, ...content));
  }

  filter() {
    const query = fold(this.search.value.trim());
    let shown = 0;
    let total = 0;
    for (const [list, none] of [[this.clusterList, this.noClusters], [this.cardList, this.noCards]]) {
      let here = 0;
      for (const item of list.children) {
        item.hidden = Boolean(query) && !item.dataset.search.includes(query);
        if (!item.hidden) here += 1;
        total += 1;
      }
      none.hidden = here > 0;
      shown += here;
    }
    const text = query ? t("%(shown)s of %(total)s shown", { shown, total }) : tn("%(n)s to choose from", "%(n)s to choose from", total);
    if (text !== this.shownText) {
      this.shownText = text;
      this.count.textContent = text;
    }
  }

  renderChips() {
    const chosen = [
      ...[...this.clusters].map((v) => `cluster:${v}`),
      ...[...this.cards].map((v) => `card:${v}`),
    ];
    this.nothing.hidden = chosen.length > 0;
    this.chips.hidden = chosen.length === 0;
    keep(this.chips, () => chosen.map((key) => {
      const name = this.names.get(key) || key;
      return h("li", {}, h("button", {
        type: "button", class: "chip", dataset: { key }, "aria-label": t("Remove: %(name)s", { name }),
        onclick: () => this.remove(key),
      }, h("span", {}, short(name, 48)), h("span", { "aria-hidden": "true", class: "chip-x" }, "✕")));
    }));
    this.details.querySelector("summary").textContent = chosen.length ? this.words.chosen(chosen.length) : this.words.summary;
  }

  // Tapping a chip takes it out; focus goes to the next chip (or the list's opener), not lost.
  remove(key) {
    const [kind, raw] = key.split(":");
    (kind === "cluster" ? this.clusters : this.cards).delete(Number(raw));
    const input = this.inputs.get(key);
    if (input) input.checked = false;
    const buttons = [...this.chips.querySelectorAll("button")];
    const index = buttons.findIndex((b) => b.dataset.key === key);
    this.renderChips();
    const rest = [...this.chips.querySelectorAll("button")];
    const next = rest[Math.min(index, rest.length - 1)];
    (next || this.details.querySelector("summary")).focus();
  }

  /** The ids to send with proposal.create, proposal.amend or proposal.merge. */
  value() {
    return { cited_cluster_ids: [...this.clusters], cited_card_ids: [...this.cards] };
  }

  /** Choose exactly what a proposal cites (when amending: the original's citations). */
  set(proposal) {
    this.clusters = new Set(proposal.cited_cluster_ids || []);
    this.cards = new Set(proposal.cited_card_ids || []);
    for (const [key, input] of this.inputs) {
      const [kind, raw] = key.split(":");
      input.checked = (kind === "cluster" ? this.clusters : this.cards).has(Number(raw));
    }
    this.renderChips();
  }

  clear() {
    this.set({});
    this.search.value = "";
    this.details.open = false;
    this.filter();
  }
}
