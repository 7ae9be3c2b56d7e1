// The console's part of the before-window ("vooraf inbrengen"): in the lobby, whether the window
// is open and what came in, to hide or merge (the same card.hide / card.merge commands as in the
// room); and the two moments in the settings form. The cards stay with their authors and the
// facilitator until the room starts (the server holds them back from everyone else).
import { byId } from "./state.js";
import { $, h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { CARD_KINDS, label } from "./labels.js";
import { beforeWindow, spoken } from "./participant_before.js";

const short = (text) => (text.length > 80 ? text.slice(0, 77) + "…" : text);

/** The cards sent in beforehand. */
export function beforeCards(state) {
  return byId(state.cards).filter((c) => c.channel === "before");
}

function status(win) {
  if (win.state === "not_yet") return t("Phones can send in from %(opens)s until %(closes)s.", { opens: spoken(win.opens), closes: spoken(win.closes) });
  if (win.state === "open") return t("Open: phones can send in until %(closes)s.", { closes: spoken(win.closes) });
  return t("Closed since %(closes)s.", { closes: spoken(win.closes) });
}

/** The lobby's panel: the window's state, and what came in with hide and merge. */
export function beforePanel(state, { command, feedback }) {
  const win = beforeWindow(state.workshop);
  const cards = beforeCards(state);
  if (win.state === "none" && !cards.length) {
    return h("p", { class: "hint", id: "before-none" }, t("To let people send in images, factors and consequences before the meeting, set “Sending in beforehand” under Workshop settings."));
  }
  const open = cards.filter((c) => c.merged_into_id === null && !c.hidden);
  const options = () => [h("option", { value: "" }, t("Choose…")), ...open.map((c) => h("option", { value: c.id }, `${label(CARD_KINDS, c.kind)}: ${short(c.text)}`))];
  const merge = open.length < 2 ? null : h("form", { class: "row merge-cards", id: "before-merge-form", onsubmit: (e) => {
    e.preventDefault();
    const [gone, into] = [Number($("#before-merge-card").value), Number($("#before-merge-into").value)];
    if (!gone || !into || gone === into) { feedback(t("Choose two different cards."), true); return; }
    command("card.merge", { card_id: gone, into_id: into }, t("Duplicate merged"));
  } },
  h("label", { for: "before-merge-card" }, t("Duplicate card")), h("select", { id: "before-merge-card" }, options()),
  h("label", { for: "before-merge-into" }, t("Duplicate of")), h("select", { id: "before-merge-into" }, options()),
  h("button", { type: "submit", class: "secondary small" }, t("Merge")));
  return h("section", { class: "before-panel", "aria-labelledby": "before-panel-title" },
    h("h3", { id: "before-panel-title" }, t("Sent in beforehand"), " ", h("span", { class: "muted" }, `(${cards.length})`)),
    win.state !== "none" ? h("p", { id: "before-status" }, status(win)) : null,
    h("p", { class: "hint" }, tn("%(n)s card waits for the room: only you and its author see it until you start.", "%(n)s cards wait for the room: only you and their authors see them until you start.", cards.filter((c) => c.held).length)),
    merge,
    cards.length ? h("ul", { class: "cards cards-scroll", id: "before-cards", dataset: { keepScroll: "" } }, cards.map((card) => h("li", { class: `card ${card.hidden ? "is-hidden" : ""}`, dataset: { key: `before:${card.id}` } },
      card.image ? h("img", { src: card.image.thumb_url, alt: card.text, width: 64, height: 64 }) : null,
      h("p", {}, h("span", { class: "kind" }, label(CARD_KINDS, card.kind)), " ", card.text),
      card.hidden ? h("p", { class: "muted" }, t("Hidden from the walls")) : null,
      card.merged_into_id ? h("p", { class: "muted" }, t("Merged into: %(text)s", { text: short((state.cards[card.merged_into_id] || { text: "?" }).text) })) : null,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary small", onclick: () => command("card.hide", { card_id: card.id, hidden: !card.hidden }, card.hidden ? t("Card shown") : t("Card hidden")) }, card.hidden ? t("Show") : t("Hide")),
        card.merged_into_id ? h("button", { type: "button", class: "secondary small", onclick: () => command("card.unmerge", { card_id: card.id }, t("Cards separated")) }, t("Separate")) : null)))) :
      h("p", { class: "hint" }, t("Nothing has come in yet.")));
}

// A moment as the value of <input type="datetime-local">, in this computer's time (the
// facilitator's: in the Netherlands, Dutch time), and back to an ISO moment for the server.
export function localInput(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

/** The settings form's fields for the window. */
export function windowFields(settings) {
  return h("fieldset", { class: "before-fields", "aria-describedby": "set-before-hint" },
    h("legend", {}, t("Sending in beforehand")),
    h("label", { for: "set-before-opens" }, t("Opens at")),
    h("input", { id: "set-before-opens", type: "datetime-local", value: localInput(settings.before_opens_at) }),
    h("label", { for: "set-before-closes" }, t("Closes at")),
    h("input", { id: "set-before-closes", type: "datetime-local", value: localInput(settings.before_closes_at) }),
    h("p", { class: "hint", id: "set-before-hint" }, t("With the same code and link, phones send in images, factors and consequences from the lobby in this period. Leave both empty for none.")));
}

/** The two settings from the form. */
export function windowValues() {
  return { before_opens_at: fromLocalInput($("#set-before-opens").value), before_closes_at: fromLocalInput($("#set-before-closes").value) };
}
