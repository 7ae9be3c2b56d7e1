// Drag and drop on the board with Pointer Events, so mouse, pen and touch all work (HTML5 drag
// and drop does not on touch screens). The board is redrawn on every change in the room, so the
// drag lives here, not in the tiles: listeners sit on the document and the ghost in <body>, and a
// tile that is replaced mid-drag does not end it.
//
// A mouse or pen drags a tile from anywhere on it; a finger from its grip (⠿), so that swiping
// over the board still scrolls the page. Drop zones carry data-drop="pool" | "cluster:ID" |
// "card:ID" (an unclustered card: a new cluster with both).

import { h } from "./dom.js";

const THRESHOLD = 6; // px of movement before a press becomes a drag (else it is a click)
const EDGE = 48; // px from the window's top or bottom edge where the page scrolls along

export function enableDrag(root, { cardsFor, describe, onChange, onDrop }) {
  let press = null; // {pointerId, x, y, cardId}
  let drag = null; // {ids, ghost, over}
  let swallowClick = false;

  root.addEventListener("pointerdown", (e) => {
    const tile = e.target.closest(".board-tile");
    if (!tile || e.button !== 0 || press) return;
    if (e.pointerType === "touch" && !e.target.closest(".board-grip")) return;
    press = { pointerId: e.pointerId, x: e.clientX, y: e.clientY, cardId: Number(tile.dataset.cardId) };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
    document.addEventListener("pointercancel", cancel);
    document.addEventListener("keydown", escape, true);
  });

  // A drag ends in pointerup, which is followed by a click on the tile: that click is not a toggle.
  root.addEventListener("click", (e) => {
    if (swallowClick) { e.stopPropagation(); e.preventDefault(); swallowClick = false; }
  }, true);

  function move(e) {
    if (!press || e.pointerId !== press.pointerId) return;
    if (!drag) {
      if (Math.hypot(e.clientX - press.x, e.clientY - press.y) < THRESHOLD) return;
      const ids = cardsFor(press.cardId);
      drag = { ids, over: null, ghost: h("div", { class: "board-ghost", "aria-hidden": "true" }, describe(ids)) };
      document.body.append(drag.ghost);
      document.body.classList.add("board-dragging");
      onChange({ ids, over: null });
    }
    e.preventDefault();
    drag.x = e.clientX;
    drag.y = e.clientY;
    drag.ghost.style.transform = `translate(${e.clientX + 12}px, ${e.clientY + 12}px)`;
    track();
    if (!drag.scrolling) scroll();
  }

  function track() {
    const over = zoneAt(drag.x, drag.y, drag.ids);
    if (over !== drag.over) {
      drag.over = over;
      onChange({ ids: drag.ids, over });
    }
  }

  // Near the window's top or bottom edge the page scrolls, for as long as the pointer stays there.
  function scroll() {
    if (!drag) return;
    const step = drag.y < EDGE ? -1 : drag.y > window.innerHeight - EDGE ? 1 : 0;
    drag.scrolling = step !== 0;
    if (!step) return;
    window.scrollBy(0, step * 18);
    track();
    requestAnimationFrame(scroll);
  }

  function up(e) {
    if (!press || e.pointerId !== press.pointerId) return;
    const done = drag;
    if (done) {
      swallowClick = true;
      setTimeout(() => { swallowClick = false; }, 0);
    }
    finish();
    if (done) {
      const over = zoneAt(e.clientX, e.clientY, done.ids);
      if (over) onDrop(done.ids, over);
    }
  }

  function cancel(e) {
    if (press && e.pointerId === press.pointerId) finish();
  }

  function escape(e) {
    if (e.key === "Escape" && drag) { e.stopPropagation(); e.preventDefault(); finish(); }
  }

  function finish() {
    const dragged = drag;
    press = null;
    drag = null;
    document.removeEventListener("pointermove", move);
    document.removeEventListener("pointerup", up);
    document.removeEventListener("pointercancel", cancel);
    document.removeEventListener("keydown", escape, true);
    if (dragged) {
      dragged.ghost.remove();
      document.body.classList.remove("board-dragging");
      onChange(null);
    }
  }
}

// The drop zone under the pointer. A card being dragged is no target for itself: its zone is the
// one around it.
function zoneAt(x, y, ids) {
  let zone = document.elementFromPoint(x, y)?.closest("[data-drop]");
  while (zone && zone.dataset.drop.startsWith("card:") && ids.includes(Number(zone.dataset.drop.slice(5)))) {
    zone = zone.parentElement?.closest("[data-drop]");
  }
  return zone ? zone.dataset.drop : null;
}
