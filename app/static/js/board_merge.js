// "Merge duplicates": a confirmation dialog that shows both cards and, where the workshop is
// named, who wrote them, and lets the facilitator choose which one stays. The dialog lives in
// <body>, outside the console's live-redrawn controls, so a change in the room cannot close it.

import { h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { CARD_KINDS, label } from "./labels.js";

let dialog = null;
let confirmed = null;

function ensureDialog() {
  if (dialog) return dialog;
  dialog = h("dialog", { id: "board-merge-dialog", class: "board-dialog", "aria-labelledby": "board-merge-title" });
  dialog.addEventListener("close", () => {
    const keep = dialog.querySelector("input[name=board-keep]:checked");
    if (dialog.returnValue === "merge" && keep && confirmed) confirmed(Number(keep.value));
    confirmed = null;
  });
  document.body.append(dialog);
  return dialog;
}

function author(state, card) {
  if (card.author_id === null || card.author_id === undefined) {
    return card.author_named ? t("Author not shown") : t("Anonymous author");
  }
  const person = state.participants[card.author_id];
  return person && person.display_name ? t("by %(name)s", { name: person.display_name }) : t("Anonymous author");
}

// Ask; on "Merge", call onMerge(keepId, goneId). The older card is kept unless chosen otherwise.
export function confirmMerge(state, first, second, onMerge) {
  const box = ensureDialog();
  const [a, b] = first.id < second.id ? [first, second] : [second, first];
  const option = (card, checked) => h("div", { class: "board-merge-option" },
    h("input", { type: "radio", name: "board-keep", id: `board-keep-${card.id}`, value: card.id, checked }),
    h("label", { for: `board-keep-${card.id}` },
      h("span", { class: "board-merge-text" }, card.text),
      h("span", { class: "board-merge-meta" }, label(CARD_KINDS, card.kind), " · ", author(state, card))));
  replace(box, h("form", { method: "dialog", class: "stack" },
    h("h2", { id: "board-merge-title" }, t("Merge these two cards?")),
    h("p", {}, t("They say the same thing. The card you keep stays on the board; the other is folded into it. Its author sees this on their phone. You can undo it.")),
    h("fieldset", {}, h("legend", {}, t("Which card stays?")), option(a, true), option(b, false)),
    h("div", { class: "row" },
      h("button", { type: "submit", value: "merge" }, t("Merge")),
      h("button", { type: "submit", value: "cancel", class: "secondary" }, t("Cancel")))));
  box.returnValue = "";
  confirmed = (keepId) => onMerge(keepId, keepId === a.id ? b.id : a.id);
  box.showModal();
}
