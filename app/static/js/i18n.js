// Translations for scripts: the page embeds the catalog of every string passed to t() and tn().
// A plural entry is keyed by its English singular and holds [one, other] (app/i18n.py).
let catalog = null;

function load() {
  if (catalog === null) {
    const node = document.getElementById("i18n-catalog");
    catalog = node ? JSON.parse(node.textContent) : {};
  }
  return catalog;
}

function fill(text, params) {
  if (!params) return text;
  return text.replace(/%\((\w+)\)s/g, (_m, key) => (key in params ? String(params[key]) : ""));
}

// t("%(n)s joined", {n: 3}) — gettext-style named placeholders, like the templates.
export function t(message, params) {
  const entry = load()[message];
  return fill(typeof entry === "string" ? entry : message, params);
}

// tn("%(n)s objection", "%(n)s objections", n, params) — an ngettext: picks the form for n
// (Dutch and English: one for exactly 1, the other for everything else) and fills %(n)s with n
// unless params give their own n. Both English strings must be literals, so extraction sees them.
export function tn(singular, plural, n, params) {
  const entry = load()[singular];
  const one = Number(n) === 1;
  const text = Array.isArray(entry) ? entry[one ? 0 : 1] : one ? singular : plural;
  return fill(text, { n, ...(params || {}) });
}

// The interface's language (<html lang>), for Intl formatting: "nl" or "en".
export function pageLanguage() {
  return (document.documentElement.lang || "nl").split("-")[0].toLowerCase();
}
