// Translations for scripts: the page embeds the catalog of every string passed to t().
let catalog = null;

function load() {
  if (catalog === null) {
    const node = document.getElementById("i18n-catalog");
    catalog = node ? JSON.parse(node.textContent) : {};
  }
  return catalog;
}

// t("%(n)s joined", {n: 3}) — gettext-style named placeholders, like the templates.
export function t(message, params) {
  const text = load()[message] || message;
  if (!params) return text;
  return text.replace(/%\((\w+)\)s/g, (_m, key) => (key in params ? String(params[key]) : ""));
}
