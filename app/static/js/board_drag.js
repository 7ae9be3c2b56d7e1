// Drag and drop on the board with Pointer Events, so mouse, pen and touch all work (HTML5 drag
// and drop does not on touch screens). The board is redrawn on every change in the room, so the
// drag lives here, not in the tiles: listeners sit on the document and the ghost in <body>, and a
// tile that is replaced mid-drag does not end it.
//
// A press that does not move is a tap, and it is reported from pointerup (onTap), not from the
// click that follows: when a live update redraws the tile between press and release, the browser
// sends that click to the tiles' common ancestor and it would be lost. The click after a tap or a
// drag is swallowed; a click without a press before it (Space or Enter on the tile, a screen
// reader) reaches the board as usual.
//
// A mouse or pen drags a tile from anywhere on it; a finger from its grip (⠿), so that swiping
// over the board still scrolls it (a finger's tap elsewhere on the tile is a tap). Drop zones
// carry data-zone="pool" | "cluster:ID" | "new" (a new cluster). A drop anywhere else does
// nothing: the cards stay where they were. While the pointer crosses the board, only the zones'
// marks change (onOver); the board is not redrawn on every move.
//
// Auto-scroll: the board's lists scroll within themselves (elements marked data-autoscroll).
// With the pointer near the top or bottom edge of one of them (or of the window) it scrolls along,
// faster the closer the pointer is to the edge: from MIN_SPEED to MAX_SPEED px/s, measured in
// time, not frames, so a slow machine scrolls as far.

import { h } from "./dom.js";

const THRESHOLD = 6; // px of movement before a press becomes a drag (else it is a click)
const EDGE = 72; // px from a list's edge where it starts to scroll along
const WINDOW_EDGE = 40; // the same for the window
const MIN_SPEED = 240; // px/s at the start of the edge band
const MAX_SPEED = 2400; // px/s at the edge (and beyond it)

export function enableDrag(root, { cardsFor, describe, target, onChange, onOver, onDrop, onTap }) {
  let press = null; // {pointerId, x, y, cardId, canDrag}
  let drag = null; // {ids, ghost, where, over, x, y, frame, last}
  let swallowClick = false;

  root.addEventListener("pointerdown", (e) => {
    const tile = e.target.closest(".board-tile");
    if (!tile || e.button !== 0 || !e.isPrimary) return;
    if (press) finish(); // its release went elsewhere (outside the window): a new press begins
    const canDrag = e.pointerType !== "touch" || Boolean(e.target.closest(".board-grip"));
    press = { pointerId: e.pointerId, x: e.clientX, y: e.clientY, cardId: Number(tile.dataset.cardId), canDrag };
    document.addEventListener("pointermove", move);
    document.addEventListener("pointerup", up);
    document.addEventListener("pointercancel", cancel);
    document.addEventListener("keydown", escape, true);
  });

  // The click the browser sends after a release (in the same task) belongs to that release.
  function swallowNextClick() {
    swallowClick = true;
    setTimeout(() => { swallowClick = false; }, 0);
  }

  // A tap or a drag ends in pointerup, followed by a click on the tile: that click is not a toggle.
  root.addEventListener("click", (e) => {
    if (swallowClick) { e.stopPropagation(); e.preventDefault(); swallowClick = false; }
  }, true);

  function move(e) {
    if (!press || e.pointerId !== press.pointerId) return;
    if (!drag) {
      if (!press.canDrag) return; // a finger on the tile's text: the page scrolls (pointercancel)
      if (Math.hypot(e.clientX - press.x, e.clientY - press.y) < THRESHOLD) return;
      const ids = cardsFor(press.cardId);
      const where = h("span", { class: "board-ghost-where" });
      drag = { ids, over: null, where, ghost: h("div", { class: "board-ghost", "aria-hidden": "true" }, h("span", {}, describe(ids)), where) };
      document.body.append(drag.ghost);
      document.body.classList.add("board-dragging");
      onChange({ ids, over: null });
      drag.last = performance.now();
      drag.frame = requestAnimationFrame(tick);
    }
    e.preventDefault();
    drag.x = e.clientX;
    drag.y = e.clientY;
    drag.ghost.style.transform = `translate(${e.clientX + 12}px, ${e.clientY + 12}px)`;
    drag.edges = edgesAt(drag.x, drag.y);
    track();
  }

  // The lists (and the window) whose scrolling band the pointer moved into. Only the pointer's own
  // movement starts auto-scroll: a live update that shifts the board under a resting pointer does
  // not.
  function edgesAt(x, y) {
    const areas = [...document.querySelectorAll("[data-autoscroll]")].filter((area) => {
      const box = area.getBoundingClientRect();
      return x >= box.left && x <= box.right && y >= box.top - EDGE && y <= box.bottom + EDGE && speed(y - box.top, box.bottom - y, EDGE) !== 0;
    });
    return { areas, page: speed(y, window.innerHeight - y, WINDOW_EDGE) !== 0 };
  }

  function track() {
    const over = zoneAt(drag.x, drag.y);
    if (over === drag.over) return;
    drag.over = over;
    drag.where.textContent = target(over);
    drag.ghost.classList.toggle("is-nowhere", !over);
    onOver(over);
  }

  // Every frame of a drag: scroll the list (or the window) the pointer is near the edge of.
  function tick(now) {
    if (!drag) return;
    const seconds = Math.min(0.05, (now - drag.last) / 1000);
    drag.last = now;
    let moved = false;
    const edges = drag.edges || { areas: [], page: false };
    for (const area of edges.areas) {
      if (!area.isConnected) continue;
      const box = area.getBoundingClientRect();
      if (drag.x < box.left || drag.x > box.right || drag.y < box.top - EDGE || drag.y > box.bottom + EDGE) continue;
      const step = speed(drag.y - box.top, box.bottom - drag.y, EDGE) * seconds;
      if (step && canScroll(area, step)) { area.scrollTop += step; moved = true; }
    }
    const page = edges.page ? speed(drag.y, window.innerHeight - drag.y, WINDOW_EDGE) * seconds : 0;
    if (page && !moved) { window.scrollBy(0, page); moved = true; }
    if (moved) track();
    drag.frame = requestAnimationFrame(tick);
  }

  function up(e) {
    if (!press || e.pointerId !== press.pointerId) return;
    const [done, tapped] = [drag, press.cardId];
    swallowNextClick();
    finish();
    if (done) onDrop(done.ids, zoneAt(e.clientX, e.clientY));
    else onTap(tapped, e);
  }

  function cancel(e) {
    if (press && e.pointerId === press.pointerId) finish();
  }

  // Escape ends the drag where it began; the release that follows is not a tap or a click.
  function escape(e) {
    if (e.key !== "Escape" || !drag) return;
    e.stopPropagation();
    e.preventDefault();
    finish();
    document.addEventListener("pointerup", swallowNextClick, { once: true, capture: true });
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
      cancelAnimationFrame(dragged.frame);
      dragged.ghost.remove();
      document.body.classList.remove("board-dragging");
      onChange(null);
    }
  }
}

// px/s to scroll, given the pointer's distance to the top and bottom edge (negative: beyond it):
// 0 outside the band, growing with the square of how deep into the band the pointer is.
export function speed(fromTop, fromBottom, edge) {
  const depth = (distance) => Math.min(1, Math.max(0, (edge - distance) / edge));
  const up = depth(fromTop);
  const down = depth(fromBottom);
  if (!up && !down) return 0;
  const grow = (d) => MIN_SPEED + (MAX_SPEED - MIN_SPEED) * d * d;
  return down >= up ? grow(down) : -grow(up);
}

function canScroll(area, step) {
  return step < 0 ? area.scrollTop > 0 : area.scrollTop + area.clientHeight < area.scrollHeight - 1;
}

// The drop zone under the pointer, or null: a drop there does nothing.
function zoneAt(x, y) {
  const zone = document.elementFromPoint(x, y)?.closest("[data-zone]");
  return zone ? zone.dataset.zone : null;
}
