// Tiny DOM helpers: build elements, replace children, announce to screen readers.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function replace(el, ...children) {
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

// Polite announcements: one live region per page (#announcer), text set after a tick so
// screen readers notice a repeat of the same message.
let pending = null;
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  clearTimeout(pending);
  region.textContent = "";
  pending = setTimeout(() => { region.textContent = text; }, 50);
}

export const $ = (selector, root = document) => root.querySelector(selector);
