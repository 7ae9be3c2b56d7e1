// Plain-language help for the method's words (leefwereld, angel, kernthema, …), one tap away.
// Residents meet these words on the phone and the wall; the help says what they mean in everyday
// Dutch, so nobody has to ask aloud. Every screen takes its wording from here, so it stays one text.
//
//   GLOSSARY[term]()          the explanation (translated), e.g. GLOSSARY.angel()
//   explain(term)             the same, "" for an unknown term
//   termName(term)            the word itself as the interface shows it ("Leefwereld" / "Lived world")
//   helpToggle(term)          [button, note]: a "?" button (aria-expanded) and the note it shows
//   withHelp(term, content?)  <span class="term">content (default the term's name) ? note</span>
//
// The button carries data-key "help:term" (or the `key` given, where a term's "?" appears more
// than once in a part of the page), so a redraw keeps it open (keep() in view.js).
//   enhanceGlossary(root)     adds a "?" after every [data-glossary="term"] element in root
//
// The help is a disclosure button, not a tooltip: it works by tap, by keyboard (Enter/Space,
// Escape closes) and for screen readers (aria-expanded, the note follows the button). Styles are
// in /static/glossary.css (classes glossary-toggle, glossary-note, term).
import { h } from "./dom.js";
import { t } from "./i18n.js";
import { CARD_KINDS, GROUPS, PHASES, TAGS, WORLDS, label } from "./labels.js";

export const GLOSSARY = {
  leefwereld: () => t("Everyday life as people experience it themselves: at home, at work, in the neighbourhood."),
  systeemwereld: () => t("The organisations, rules, money and procedures around people: what institutions do."),
  kernthema: () => t("One of the few main topics we start with, so that a big challenge becomes workable."),
  angel: () => t("The real core of the problem: where it hurts most."),
  kiem: () => t("A place where change is already happening: something small that already works."),
  hefboom: () => t("Something that can make a big difference with relatively little effort."),
  ketenpartner: () => t("An organisation that works with others for the same people or the same problem, such as a care provider, a housing association or the municipality."),
  beeld: () => t("A photo, a picture or a description in words that shows something about the theme."),
  factor: () => t("Something that causes or influences the theme."),
  consequentie: () => t("What it leads to: for people in their daily life, or for organisations."),
  waarom: () => t("The shared reason why we work on this together."),
  opgave: () => t("What we take on together, and what we leave out for now."),
};

// Each term's name, from the vocabulary the server sent where the term is one of its words.
const NAMES = {
  leefwereld: () => label(WORLDS, "leefwereld"),
  systeemwereld: () => label(WORLDS, "systeemwereld"),
  kernthema: () => t("Core theme"),
  angel: () => label(TAGS, "angel"),
  kiem: () => label(TAGS, "kiem"),
  hefboom: () => label(TAGS, "hefboom"),
  ketenpartner: () => label(GROUPS, "ketenpartner"),
  beeld: () => label(CARD_KINDS, "beeld"),
  factor: () => label(CARD_KINDS, "factor"),
  consequentie: () => label(CARD_KINDS, "consequentie"),
  waarom: () => label(PHASES, "waarom"),
  opgave: () => label(PHASES, "opgave"),
};

export function explain(term) {
  return GLOSSARY[term] ? GLOSSARY[term]() : "";
}

export function termName(term) {
  return NAMES[term] ? NAMES[term]() : term;
}

let counter = 0;

// A "?" disclosure button and the note it opens; the caller places both (the note right after the
// button in reading order, so a screen reader reaches it next).
export function helpToggle(term, { name = termName(term), key = `help:${term}` } = {}) {
  const id = `glossary-${term}-${++counter}`;
  const note = h("span", { class: "glossary-note", id, hidden: true }, explain(term));
  const button = h("button", {
    type: "button", class: "glossary-toggle", "aria-expanded": "false", "aria-controls": id,
    "aria-label": t("What does “%(term)s” mean?", { term: name }), dataset: { term, key },
  }, "?");
  const setOpen = (open) => {
    button.setAttribute("aria-expanded", String(open));
    note.hidden = !open;
  };
  button.addEventListener("click", (event) => {
    event.preventDefault(); // inside a <label> or <summary>, the tap only opens the help
    event.stopPropagation();
    setOpen(button.getAttribute("aria-expanded") !== "true");
  });
  button.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      event.stopPropagation();
      setOpen(false);
    }
  });
  return [button, note];
}

// The term (or `content`) with its help right behind it, as one inline element.
export function withHelp(term, content = termName(term), { key } = {}) {
  return h("span", { class: "term" }, content, " ", ...helpToggle(term, key ? { key } : {}));
}

// Server-rendered pages mark words with data-glossary="term"; this adds their "?" after them.
export function enhanceGlossary(root = document) {
  for (const el of root.querySelectorAll("[data-glossary]:not([data-glossary-ready])")) {
    if (!GLOSSARY[el.dataset.glossary]) continue;
    el.dataset.glossaryReady = "";
    const [button, note] = helpToggle(el.dataset.glossary);
    note.classList.add("glossary-block");
    el.after(button, note);
  }
}
