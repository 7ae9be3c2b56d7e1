// "This card belongs with that one": how a phone takes part in clustering when the workshop lets
// participants cluster (settings.participants_cluster). The phone never moves cards itself; it
// sends suggestion.make and the facilitator accepts or declines. Who suggested is not kept.
// Two short searchable lists (the card, then where it belongs) work by tap, keyboard and screen
// reader alike; the form is built once per clustering phase and only its lists are refreshed, so a
// live update never wipes what someone is choosing or typing.
import { byId } from "./state.js";
import { h, replace } from "./dom.js";
import { t } from "./i18n.js";

const onWall = (card) => !card.hidden && card.merged_into_id === null;
const matches = (text, query) => text.toLocaleLowerCase().includes(query.trim().toLocaleLowerCase());

function choiceList({ name, legend, search, empty }) {
  const list = h("ul", { class: "choices", id: `${name}-list` });
  const input = h("input", { type: "search", id: `${name}-search`, autocomplete: "off", "aria-controls": `${name}-list` });
  const none = h("p", { class: "muted", hidden: true }, empty);
  const fieldset = h("fieldset", { class: "choice" }, h("legend", {}, legend),
    h("label", { for: `${name}-search` }, search), input, list, none);
  const filter = () => {
    let shown = 0;
    for (const item of list.children) {
      item.hidden = !matches(item.dataset.text, input.value);
      if (!item.hidden) shown += 1;
    }
    none.hidden = shown > 0;
  };
  input.addEventListener("input", filter);
  // options: [{value, text, label}] — keeps the current choice when the list is redrawn.
  const fill = (options) => {
    const chosen = (list.querySelector("input:checked") || {}).value;
    replace(list, options.map((option, i) => h("li", { class: "check", dataset: { text: option.text } },
      h("input", { type: "radio", name, id: `${name}-${i}`, value: option.value, checked: option.value === chosen }),
      h("label", { for: `${name}-${i}` }, option.label))));
    filter();
  };
  const value = () => (list.querySelector("input:checked") || {}).value || null;
  return { fieldset, fill, value, list };
}

export class SuggestBox {
  constructor(el, { send }) {
    this.el = el;
    this.send = send;
    this.form = null;
    this.listsKey = "";
    this.cid = null;
  }

  render(state) {
    const on = state.workshop.phase === "clusteren" && Boolean(state.workshop.settings.participants_cluster);
    this.el.hidden = !on;
    if (!on) {
      replace(this.el);
      this.form = null;
      this.listsKey = "";
      return;
    }
    if (!this.form) this.build();
    const cards = byId(state.cards).filter(onWall);
    const clusters = byId(state.clusters);
    const key = JSON.stringify([cards.map((c) => [c.id, c.text, c.cluster_id]), clusters.map((c) => [c.id, c.title])]);
    if (key === this.listsKey) return;
    this.listsKey = key;
    const cardLabel = (c) => c.text;
    this.cardList.fill(cards.map((c) => ({ value: String(c.id), text: c.text, label: cardLabel(c) })));
    this.targetList.fill([
      ...clusters.map((c) => ({ value: `cluster:${c.id}`, text: c.title, label: t("Theme: %(title)s", { title: c.title }) })),
      ...cards.map((c) => ({ value: `card:${c.id}`, text: c.text, label: t("Card: %(text)s", { text: c.text }) })),
    ]);
  }

  build() {
    this.cardList = choiceList({
      name: "suggest-card", legend: t("1. Which card?"), search: t("Search the cards"), empty: t("No card matches."),
    });
    this.targetList = choiceList({
      name: "suggest-target", legend: t("2. Where does it belong?"), search: t("Search the themes and cards"), empty: t("Nothing matches."),
    });
    this.error = h("p", { class: "error", role: "alert", hidden: true });
    this.sent = h("p", { class: "ok", id: "suggest-sent", role: "status" });
    this.form = h("form", { class: "stack", novalidate: true },
      this.cardList.fieldset, this.targetList.fieldset, this.error, this.sent,
      h("button", { type: "submit" }, t("Send suggestion")));
    this.form.addEventListener("submit", (event) => this.submit(event));
    replace(this.el, h("section", { class: "suggest", "aria-labelledby": "suggest-title" },
      h("h2", { id: "suggest-title" }, t("Suggest where a card belongs")),
      h("p", { class: "hint" }, t("The facilitator decides. Nobody sees who suggested it.")),
      this.form));
  }

  submit(event) {
    event.preventDefault();
    this.sent.textContent = "";
    const card = this.cardList.value();
    const target = this.targetList.value();
    if (!card) return this.fail(t("Choose a card first."));
    if (!target) return this.fail(t("Choose where the card belongs."));
    const [kind, id] = target.split(":");
    if (kind === "card" && id === card) return this.fail(t("Choose another card or a theme to put it with."));
    this.error.hidden = true;
    this.cid = this.send("suggestion.make", { card_id: Number(card), target: { kind, id: Number(id) } }, this.error);
  }

  fail(message) {
    this.error.hidden = false;
    this.error.textContent = message;
  }

  // The phone's ack handler passes every ack; ours says the suggestion reached the facilitator.
  acked(ack) {
    if (!this.form || ack.cid !== this.cid) return false;
    this.cid = null;
    this.sent.textContent = t("Sent to the facilitator. Thank you!");
    for (const input of this.form.querySelectorAll("input[type=radio]")) input.checked = false;
    return true;
  }
}
