// How every page redraws: at most once per frame, and without taking away what the person is
// doing. Page scripts draw whole containers from the state (simple, and always right); these two
// functions make that cheap and calm.
//
//   schedule(key, draw)   Asks for draw() on the next animation frame. Every request made for the
//                         same key before that frame gives one call (the latest draw wins), so a
//                         burst of events costs one redraw per frame, not one per event. A hidden
//                         tab gets no animation frames: it draws on a timeout instead, so a
//                         background tab still catches up.
//
//   keep(container, draw) Replaces the container's children with what draw() returns, keeping:
//                         - focus, found again by the element's id or data-key, or by its place
//                           among the focusable elements of its nearest ancestor with one
//                           (restored without scrolling);
//                         - values of inputs, text areas and selects that the person changed
//                           (a value that differs from the one drawn), found by id or data-key;
//                         - which <details> and <dialog> are open, and open disclosure buttons
//                           (aria-expanded with aria-controls, as the glossary's "?");
//                         - the container's own scroll position, and that of the elements in it
//                           marked data-keep-scroll (found by id or data-key: a list that scrolls
//                           within itself). The page's does not move: the swap is one synchronous
//                           step and focus comes back without scrolling.
//                         An element marked data-fresh acts at once when changed (a select that
//                         sends its command on change): it always shows what was drawn.
//
// The one rule for fields someone is typing in: a container that holds the focused text field
// (input, textarea, select) is not redrawn until focus leaves it; then it catches up once, with
// the state as it is by then. Replacing a field under the person's fingers cannot be made
// harmless: it breaks a word being composed (phone keyboards compose while autocorrecting,
// IMEs always do), iOS closes the on-screen keyboard and will not reopen it for a focus() that
// no tap caused, and screen readers announce the field afresh. The other parts of the page keep
// updating, so containers are kept small around their forms. A person's own action that ends
// the typing (Enter saves, Escape cancels) passes { force: true }.
//
// And one rule for a press: a container with a mouse button or a finger held down on something in
// it is not redrawn until that press is let go (and its click has been delivered). A button
// replaced between press and release gets no click: the browser sends it to what the old and the
// new tree have in common, so a tap on "Overnemen" or a vote in a busy room would silently do
// nothing. A container whose own script redraws on purpose during a press (the board's lists, as a
// drag starts) passes { whilePressed: true }, or a test of what is pressed ({ whilePressed: (el)
// => … }: the board's lists redraw under a press on a tile, which may become a drag, but not
// under one on a button beside it, such as a card's "→ cluster").
//
// Test hook: `testing` counts requests and draws per key, and can hold frames back so that a
// test can show that many requests in one frame give one draw.

import { replace } from "./dom.js";

const TEXT_TYPES = new Set(["text", "search", "email", "url", "tel", "password", "number", "date", "time", "datetime-local", "month", "week"]);
const FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]";

// ---------------------------------------------------------------- one draw per frame

const pending = new Map(); // key -> draw, in order of first request
const counts = new Map(); // key -> {requested, drawn}
let frame = null; // {raf} or {timer}: the frame asked for
let held = false;
let released = []; // resolvers of testing.release(), answered after the next frame

function count(key) {
  if (!counts.has(key)) counts.set(key, { requested: 0, drawn: 0 });
  return counts.get(key);
}

/** Draw `draw()` on the next frame; requests for the same key until then give one call. */
export function schedule(key, draw) {
  pending.set(key, draw);
  count(key).requested += 1;
  ask();
}

function ask() {
  if (frame || held || !pending.size) return;
  frame = document.visibilityState === "hidden" ? { timer: setTimeout(run, 0) } : { raf: requestAnimationFrame(run) };
}

function run() {
  if (frame) {
    if (frame.raf) cancelAnimationFrame(frame.raf);
    clearTimeout(frame.timer);
  }
  frame = null;
  const batch = [...pending];
  pending.clear(); // what a draw asks for now goes to the next frame
  for (const [key, draw] of batch) {
    count(key).drawn += 1;
    try {
      draw();
    } catch (error) {
      queueMicrotask(() => { throw error; }); // reported as any uncaught error; the other draws still run
    }
  }
  for (const resolve of released.splice(0)) resolve(testing.counts());
}

// A frame asked for just before the tab went to the background would wait until it came back.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState !== "hidden" || !frame || !frame.raf) return;
  cancelAnimationFrame(frame.raf);
  frame = null;
  ask();
});

// ---------------------------------------------------------------- keeping what the person does

const deferred = new Map(); // container -> the latest draw it was asked for while someone typed or pressed
let pressed = null; // what a mouse button or a finger is held down on, until it is let go

document.addEventListener("pointerdown", (e) => { pressed = e.target; }, true);
function letGo() {
  if (pressed === null) return;
  pressed = null;
  // After this input task, so the click that follows the release reaches the old tree first.
  if (deferred.size) setTimeout(() => schedule("view:deferred", catchUp), 0);
}
document.addEventListener("pointerup", letGo, true);
document.addEventListener("pointercancel", letGo, true); // a finger that scrolls instead
window.addEventListener("blur", letGo); // released outside the window: no pointerup reaches us

/** True for a field someone types in or chooses from with the keyboard. */
export function isTyping(el) {
  if (!el) return false;
  if (el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable) return true;
  return el.tagName === "INPUT" && TEXT_TYPES.has(el.type);
}

/**
 * Replace `container`'s children with what `draw()` returns (nodes, arrays of them, null), keeping
 * what the person is doing (see the top of this module). Returns false when the redraw waits for
 * focus to leave a field in the container, or for a press in it to be let go.
 */
export function keep(container, draw, { force = false, whilePressed = false } = {}) {
  const active = document.activeElement;
  const inside = active && active !== container && container.contains(active);
  const allowed = typeof whilePressed === "function" ? pressed !== null && whilePressed(pressed) : whilePressed;
  const held = !allowed && pressed !== null && container.contains(pressed);
  if (((inside && isTyping(active)) || held) && !force) {
    deferred.set(container, draw);
    return false;
  }
  deferred.delete(container);
  const saved = remember(container, inside ? active : null);
  replace(container, [draw()].flat(Infinity)); // nodes, or (nested) arrays of them
  restore(container, saved);
  return true;
}

// Containers that waited catch up once focus has left their field (on the next frame, when focus
// has arrived where it went; into another field of the same container, they wait on).
document.addEventListener("focusout", () => {
  if (deferred.size) schedule("view:deferred", catchUp);
});

function catchUp() {
  for (const [container, draw] of [...deferred]) keep(container, draw);
}

// A selector that finds the element again in the new drawing: its id or its data-key.
function selectorOf(el) {
  if (el.id) return `#${CSS.escape(el.id)}`;
  if (el.dataset && el.dataset.key) return `[data-key="${CSS.escape(el.dataset.key)}"]`;
  return null;
}

// Where the focused element is: its own selector, or its nearest ancestor's and its place among
// that ancestor's focusable elements (a row's third button).
function placeOf(el, container) {
  const own = selectorOf(el);
  if (own) return { selector: own, index: -1 };
  for (let up = el.parentElement; up && up !== container; up = up.parentElement) {
    const selector = selectorOf(up);
    if (selector) return { selector, index: [...up.querySelectorAll(FOCUSABLE)].indexOf(el) };
  }
  return null;
}

function find(container, place) {
  const el = container.querySelector(place.selector);
  if (!el || place.index < 0) return el;
  return el.querySelectorAll(FOCUSABLE)[place.index] || null;
}

function drawnValue(field) {
  if (field.tagName === "SELECT") {
    const option = [...field.options].find((o) => o.defaultSelected) || field.options[0];
    return option ? option.value : "";
  }
  if (field.type === "checkbox" || field.type === "radio") return field.defaultChecked;
  return field.defaultValue;
}

const currentValue = (field) => (field.type === "checkbox" || field.type === "radio" ? field.checked : field.value);

// Elements in `container` matching `query` that have a selector, each selector once (the first
// element with it, as querySelector finds it again).
function keyed(container, query) {
  const found = new Map();
  for (const el of container.querySelectorAll(query)) {
    const selector = selectorOf(el);
    if (selector && !found.has(selector)) found.set(selector, el);
  }
  return [...found];
}

function remember(container, active) {
  const values = [];
  for (const [selector, field] of keyed(container, "input, textarea, select")) {
    if (field.dataset.fresh !== undefined || field.type === "file") continue;
    const value = currentValue(field);
    if (value !== drawnValue(field)) values.push([selector, value]);
  }
  const open = keyed(container, "details, dialog").map(([selector, el]) => [selector, el.open, el.tagName === "DIALOG" && isModal(el)]);
  const expanded = keyed(container, "[aria-expanded][aria-controls]").map(([selector, el]) => [selector, el.getAttribute("aria-expanded") === "true"]);
  const focus = active ? placeOf(active, container) : null;
  const caret = active && "selectionStart" in active && isTyping(active) ? safeSelection(active) : null;
  const scrolled = keyed(container, "[data-keep-scroll]").filter(([, el]) => el.scrollTop || el.scrollLeft).map(([selector, el]) => [selector, el.scrollTop, el.scrollLeft]);
  return { values, open, expanded, focus, caret, scrolled, scroll: [container.scrollTop, container.scrollLeft] };
}

function isModal(dialog) {
  try {
    return dialog.matches(":modal");
  } catch {
    return false; // a browser without :modal
  }
}

// Inputs such as type=number have no selection; asking throws.
function safeSelection(field) {
  try {
    return field.selectionStart === null ? null : [field.selectionStart, field.selectionEnd, field.selectionDirection];
  } catch {
    return null;
  }
}

function restore(container, saved) {
  for (const [selector, value] of saved.values) {
    const field = container.querySelector(selector);
    if (!field) continue;
    if (field.type === "checkbox" || field.type === "radio") field.checked = value;
    else field.value = value;
  }
  for (const [selector, open, modal] of saved.open) {
    const el = container.querySelector(selector);
    if (!el || el.open === open) continue;
    if (el.tagName === "DIALOG") {
      if (!open) el.close();
      else if (modal) el.showModal();
      else el.show();
    } else el.open = open;
  }
  for (const [selector, open] of saved.expanded) {
    const button = container.querySelector(selector);
    if (!button) continue;
    button.setAttribute("aria-expanded", String(open));
    for (const id of button.getAttribute("aria-controls").split(/\s+/)) {
      const controlled = document.getElementById(id);
      if (controlled) controlled.hidden = !open;
    }
  }
  for (const [selector, innerTop, innerLeft] of saved.scrolled) {
    const el = container.querySelector(selector);
    if (el) { el.scrollTop = innerTop; el.scrollLeft = innerLeft; }
  }
  const [top, left] = saved.scroll;
  if (container.scrollTop !== top) container.scrollTop = top;
  if (container.scrollLeft !== left) container.scrollLeft = left;
  if (!saved.focus) return;
  const target = find(container, saved.focus);
  if (!target || document.activeElement === target) return;
  target.focus({ preventScroll: true });
  if (saved.caret && target.value !== undefined) {
    try { target.setSelectionRange(...saved.caret); } catch { /* a field without a caret */ }
  }
}

// ---------------------------------------------------------------- for tests

export const testing = {
  /** Requests and draws per key since the page loaded: {key: {requested, drawn}}. */
  counts: () => Object.fromEntries([...counts].map(([key, value]) => [key, { ...value }])),
  /** Hold frames back: requests pile up as they would during one long frame. */
  hold() { held = true; if (frame) { if (frame.raf) cancelAnimationFrame(frame.raf); clearTimeout(frame.timer); frame = null; } },
  /** Let the next frame come: everything requested meanwhile is drawn in it. Resolves with the
   * counts right after that frame (at once when nothing was requested). */
  release() {
    held = false;
    if (!pending.size) return Promise.resolve(testing.counts());
    const answered = new Promise((resolve) => released.push(resolve));
    ask();
    return answered;
  },
};
