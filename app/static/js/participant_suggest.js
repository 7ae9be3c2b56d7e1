// "This card belongs with that one": how a phone takes part in clustering when the workshop lets
// participants cluster (settings.participants_cluster). The phone never moves cards itself; it
// sends suggestion.make and the facilitator accepts or declines. Who suggested is not kept.
// Two short searchable lists (the card, then where it belongs) work by tap, keyboard and screen
// reader alike; the form is built once per clustering phase and only its lists are redrawn (keep(),
// view.js, which keeps the choice and the focus), so a live update never wipes what someone is
// choosing or typing.
import { byId } from "./state.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { keep } from "./view.js";

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
  // options: [{value, text, label}]. Each radio's id comes from its value (not its place in the
  // list), so the choice keep() restores is the same card or theme when others come and go.
  const fill = (options) => {
    keep(list, () => options.map((option) => {
      const id = `${name}-${option.value.replace(":", "-")}`;
      return h("li", { class: "check", dataset: { text: option.text } },
        h("input", { type: "radio", name, id, value: option.value }),
        h("label", { for: id }, option.label));
    }));
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
    this.sending = null; // the suggestion waiting for its answer
  }

  render(state) {
    const on = state.workshop.phase === "clusteren" && Boolean(state.workshop.settings.participants_cluster);
    this.el.hidden = !on;
    if (!on) {
      this.el.replaceChildren();
      this.form = null;
      return;
    }
    if (!this.form) this.build();
    const cards = byId(state.cards).filter(onWall);
    const clusters = byId(state.clusters);
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
    this.sentNote = h("p", { class: "ok", id: "suggest-sent", role: "status" });
    this.form = h("form", { class: "stack", novalidate: true },
      this.cardList.fieldset, this.targetList.fieldset, this.error, this.sentNote,
      h("button", { type: "submit" }, t("Send suggestion")));
    this.form.addEventListener("submit", (event) => this.submit(event));
    this.el.replaceChildren(h("section", { class: "suggest", "aria-labelledby": "suggest-title" },
      h("h2", { id: "suggest-title" }, t("Suggest where a card belongs")),
      h("p", { class: "hint" }, t("The facilitator decides. Nobody sees who suggested it.")),
      this.form));
  }

  submit(event) {
    event.preventDefault();
    this.sentNote.textContent = "";
    const card = this.cardList.value();
    const target = this.targetList.value();
    if (!card) return this.fail(t("Choose a card first."));
    if (!target) return this.fail(t("Choose where the card belongs."));
    const [kind, id] = target.split(":");
    if (kind === "card" && id === card) return this.fail(t("Choose another card or a theme to put it with."));
    this.error.hidden = true;
    this.sending = this.send("suggestion.make", { card_id: Number(card), target: { kind, id: Number(id) } }, this.error);
    this.sending.then(() => this.sent(), () => {}); // a refusal is shown in the form by send()
  }

  fail(message) {
    this.error.hidden = false;
    this.error.textContent = message;
  }

  // The suggestion reached the facilitator: say so, and clear the choice for the next one.
  sent() {
    this.sending = null;
    if (!this.form) return;
    this.sentNote.textContent = t("Sent to the facilitator. Thank you!");
    for (const input of this.form.querySelectorAll("input[type=radio]")) input.checked = false;
  }
}
