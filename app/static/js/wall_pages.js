// Fitting a wall onto the projector: measures real layout, picks the largest legible type that
// fits, and beyond that splits the wall into pages of columns. Nothing is cut off: what does not
// fit on a page goes to the next one, and the page shows "Page 2 of 3".
//
// A wall is a list of sections; a section is a box (a cluster, a proposal, or just a run of
// tiles) with an optional header and a list of items. A section too long for a column continues
// in the next column (its header repeated, marked as continued); an item too tall for a whole
// column is split into parts by words.
import { h } from "./dom.js";

// Type scales tried from large to small: few cards get big tiles, many get the legible minimum.
export const SCALES = [1.6, 1.35, 1.15, 1];

/**
 * @typedef {{key: string, text?: string, build: (text?: string, part?: number) => HTMLElement}} Item
 * @typedef {{key: string, tag?: string, cls?: string, list?: string, header?: (continued: boolean) => HTMLElement|null,
 *   items: Item[]}} Section
 * @typedef {{sections: Section[], minColumnEm?: number, maxColumns?: number, scales?: number[], cls?: string}} Wall
 */

function px(value) { return parseFloat(value) || 0; }

// Sizes of one section's parts at the given column width, measured from the DOM.
function measureSection(host, section) {
  const box = h(section.tag || "section", { class: `piece ${section.cls || ""}` });
  const header = section.header ? section.header(false) : null;
  const list = h(section.list || "ul", { class: "items" });
  if (header) box.append(header);
  box.append(list);
  const nodes = section.items.map((item) => item.build());
  list.append(...nodes);
  host.append(box);
  const listStyle = getComputedStyle(list);
  const boxStyle = getComputedStyle(box);
  const gap = px(listStyle.rowGap);
  const itemHeights = nodes.map((n) => n.getBoundingClientRect().height);
  const headerHeight = header ? header.getBoundingClientRect().height + px(getComputedStyle(header).marginBottom) + px(boxStyle.rowGap) : 0;
  const chrome = box.getBoundingClientRect().height - list.getBoundingClientRect().height - headerHeight;
  // A continued piece repeats the header with "(continued)", which may wrap to one more line.
  let continuedHeight = headerHeight;
  if (header) {
    const again = section.header(true);
    header.replaceWith(again);
    continuedHeight = again.getBoundingClientRect().height + px(getComputedStyle(again).marginBottom) + px(boxStyle.rowGap);
  }
  box.remove();
  return { chrome: Math.max(0, chrome), headerHeight: Math.max(headerHeight, continuedHeight), gap, itemHeights };
}

// Splits an item's text by words into enough parts that each fits in `room` pixels; the parts
// are measured again afterwards like any item.
function splitItem(item, height, room) {
  const words = (item.text || "").split(/\s+/).filter(Boolean);
  if (words.length < 2) return [item];
  const parts = Math.min(words.length, Math.ceil(height / Math.max(1, room)) + 1);
  const size = Math.ceil(words.length / parts);
  const out = [];
  for (let i = 0; i < words.length; i += size) {
    const text = words.slice(i, i + size).join(" ");
    const part = out.length;
    out.push({ key: `${item.key}:${part}`, text, build: () => item.build(text, part) });
  }
  return out;
}

// Places pieces of sections into columns of `height` pixels: a list of pages, each a list of
// columns, each a list of {section, from, to, continued}.
function pack(measured, height, columns, columnGap, start = 0, full = height) {
  const pages = [];
  let page = [[]];
  let used = 0;
  const nextColumn = () => {
    used = 0;
    if (page.length === columns) { pages.push(page); page = [[]]; } else page.push([]);
  };
  for (let s = start; s < measured.length; s += 1) {
    const { section, sizes } = measured[s];
    const n = sizes.itemHeights.length;
    const whole = sizes.chrome + sizes.headerHeight + sizes.itemHeights.reduce((a, b) => a + b, 0) + sizes.gap * Math.max(0, n - 1);
    let i = 0;
    for (;;) {
      const base = sizes.chrome + sizes.headerHeight;
      const room = height - used - (used > 0 ? columnGap : 0);
      // A boxed section (a cluster, a proposal) that fits in a whole column is never split: it
      // starts a new column instead. Only runs of tiles flow freely from column to column.
      if (i === 0 && section.header && whole <= full + 0.5) {
        if (whole > room + 0.5 && used > 0) { nextColumn(); continue; }
        page[page.length - 1].push({ section, from: 0, to: n, continued: false });
        used += (used > 0 ? columnGap : 0) + whole;
        break;
      }
      let taken = 0;
      let total = base;
      while (i + taken < n) {
        const add = sizes.itemHeights[i + taken] + (taken > 0 ? sizes.gap : 0);
        if (total + add > room + 0.5) break;
        total += add;
        taken += 1;
      }
      const fits = taken > 0 || (n === 0 && base <= room + 0.5);
      if (!fits) {
        if (used > 0) { nextColumn(); continue; }
        taken = Math.min(1, n); // an empty column and still too tall: it goes alone
        total = base + (n ? sizes.itemHeights[i] : 0);
      }
      page[page.length - 1].push({ section, from: i, to: i + taken, continued: i > 0 });
      used += (used > 0 ? columnGap : 0) + total;
      i += taken;
      if (i >= n) break;
      nextColumn();
    }
  }
  if (page.some((column) => column.length)) pages.push(page);
  return pages.length ? pages : [[[]]];
}

// The lowest column height at which the pieces still fit in `columns` columns: even columns.
function balance(measured, height, columns, columnGap, start = 0) {
  let low = 0;
  let high = height;
  for (let step = 0; step < 12; step += 1) {
    const mid = (low + high) / 2;
    if (pack(measured, mid, columns, columnGap, start, height).length === 1) high = mid; else low = mid;
  }
  return pack(measured, high, columns, columnGap, start, height);
}

function build(piece) {
  const { section, from, to, continued } = piece;
  const box = h(section.tag || "section", { class: `piece ${section.cls || ""}`, dataset: { key: section.key } });
  const header = section.header ? section.header(continued) : null;
  if (header) box.append(header);
  const items = section.items.slice(from, to);
  const list = h(section.list || "ul", { class: "items" }, items.map((item) => {
    const node = item.build(item.text);
    node.dataset.key = item.key;
    return node;
  }));
  box.append(list);
  return box;
}

/**
 * Lays the wall out in `host` (whose box sets the space): returns the pages as elements and the
 * keys on each page, so the caller can show one and keep its place when the wall changes.
 * @param {HTMLElement} host
 * @param {Wall} wall
 */
export function paginate(host, wall) {
  const width = host.clientWidth;
  const height = host.clientHeight - 2; // room for sub-pixel rounding
  const scales = wall.scales || SCALES;
  const measureRoot = h("div", { class: "wall-measure", "aria-hidden": "true" });
  host.append(measureRoot);
  let result = null;
  let onePage = null;
  for (const [index, scale] of scales.entries()) {
    measureRoot.style.setProperty("--scale", String(scale));
    const font = px(getComputedStyle(measureRoot).fontSize);
    const columnGap = px(getComputedStyle(measureRoot).columnGap) || font * 0.6;
    const fit = Math.floor((width + columnGap) / ((wall.minColumnEm || 11) * font + columnGap));
    const columns = Math.max(1, Math.min(wall.maxColumns || 6, fit));
    const columnWidth = (width - columnGap * (columns - 1)) / columns;
    const column = h("div", { class: "wall-column" });
    column.style.width = `${columnWidth}px`;
    measureRoot.replaceChildren(column);
    let measured = wall.sections.map((section) => ({ section, sizes: measureSection(column, section) }));
    const last = index === scales.length - 1;
    if (last) {
      // Items taller than a whole column are split, so nothing is ever cut off.
      measured = measured.map((m) => {
        const room = height - m.sizes.chrome - m.sizes.headerHeight;
        if (!m.sizes.itemHeights.some((hgt) => hgt > room)) return m;
        const items = m.section.items.flatMap((item, i) => (m.sizes.itemHeights[i] > room ? splitItem(item, m.sizes.itemHeights[i], room) : [item]));
        const section = { ...m.section, items };
        return { section, sizes: measureSection(column, section) };
      });
    }
    let pages = pack(measured, height, columns, columnGap);
    if (pages.length === 1) pages = balance(measured, height, columns, columnGap);
    else if (last) {
      // The last page holds what is left: even out its columns when it starts a section afresh.
      const first = pages[pages.length - 1].flat()[0];
      const from = first && first.from === 0 ? measured.findIndex((m) => m.section === first.section) : -1;
      if (from > 0) {
        const tail = balance(measured, height, columns, columnGap, from);
        if (tail.length === 1) pages[pages.length - 1] = tail[0];
      }
    }
    // Take the largest type at which the wall fits on one page without breaking a box (a
    // cluster, a proposal) over two columns; failing that, the largest that fits on one page.
    const candidate = { pages, scale, columns, columnWidth, columnGap };
    const whole = !pages.flat(2).some((piece) => piece.continued);
    if (pages.length === 1 && !whole && !onePage) onePage = candidate;
    if (pages.length === 1 && whole) { result = candidate; break; }
    if (last) { result = onePage || candidate; break; }
  }
  measureRoot.remove();
  return result.pages.map((page) => {
    const el = h("div", { class: "wall-page" });
    el.style.setProperty("--scale", String(result.scale));
    el.style.setProperty("--columns", String(result.columns));
    el.append(...page.map((pieces) => h("div", { class: "wall-column" }, pieces.map(build))));
    // Item keys only: a section (a long cluster) spans pages, an item is on exactly one.
    const keys = page.flat().flatMap((piece) => piece.section.items.slice(piece.from, piece.to).map((item) => item.key));
    return { el, keys };
  });
}

/**
 * Which page to show: held by the facilitator (modulo the page count), or turning by itself at a
 * calm pace. Keeps its place across re-renders by the first key of the page it shows.
 *
 * A wall comes round within `cycle` (60 s): a wall of many pages turns faster than the calm
 * `every` (12 s), down to `least` (5 s) a page. A wall that would need less than that does not
 * turn by itself at all (`stepped`): the facilitator steps through it from the console, since
 * a page gone before anyone read it helps nobody.
 */
export class Pager {
  constructor({ every = 12_000, least = 5_000, cycle = 60_000, onTurn }) {
    this.every = every;
    this.least = least;
    this.cycle = cycle;
    this.onTurn = onTurn;
    this.index = 0;
    this.anchor = null;
    this.count = 1;
    this.held = null;
    this.timer = null;
    this.wallKey = null;
    this.revealed = 0;
  }

  /** How long this wall shows each page when it turns by itself. */
  get pageTime() {
    return Math.min(this.every, Math.floor(this.cycle / Math.max(1, this.count)));
  }

  /** Too many pages to come round in `cycle`: the console steps through them. */
  get stepped() {
    return this.count > 1 && this.pageTime < this.least;
  }

  // A new layout: find the page that holds what we showed, or the one the facilitator holds.
  place(wallKey, pages, held) {
    const sameWall = wallKey === this.wallKey;
    this.wallKey = wallKey;
    this.count = pages.length;
    this.held = held;
    if (held !== null && held !== undefined) this.index = ((held % this.count) + this.count) % this.count;
    else if (!sameWall) this.index = 0;
    else if (this.anchor !== null) {
      const found = pages.findIndex((p) => p.keys.includes(this.anchor));
      this.index = found >= 0 ? found : Math.min(this.index, this.count - 1);
    } else this.index = Math.min(this.index, this.count - 1);
    this.anchor = pages[this.index].keys[0] ?? null;
    this._schedule();
    return this.index;
  }

  // Show the page that holds `key` now (a card that just arrived), when the pager runs itself.
  // At most once per two turns, so a busy room does not keep the wall on its last page.
  reveal(pages, key) {
    if (this.held !== null && this.held !== undefined) return this.index;
    if (Date.now() - this.revealed < 2 * this.every) return this.index;
    const found = pages.findIndex((p) => p.keys.includes(key));
    if (found >= 0 && found !== this.index) {
      this.revealed = Date.now();
      this.index = found;
      this.anchor = pages[found].keys[0] ?? null;
      this._schedule(true);
    }
    return this.index;
  }

  _schedule(restart = false) {
    const auto = (this.held === null || this.held === undefined) && this.count > 1 && !this.stepped;
    if (!auto) { clearTimeout(this.timer); this.timer = null; return; }
    if (this.timer && !restart) return; // keep the calm rhythm: state changes do not reset it
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.index = (this.index + 1) % this.count;
      this.anchor = null;
      this.onTurn(this.index);
    }, this.pageTime);
  }

  // After a turn the caller re-renders; this keeps the new page's anchor.
  anchorTo(pages) {
    this.anchor = pages[this.index] ? pages[this.index].keys[0] ?? null : null;
    this._schedule();
  }
}
