// The phone's after-window ("na afloop meewegen"): after the live session the facilitator opens
// the last round's proposals for rating until a date, for people who were not in the room or
// left before they rated. While it is open the phone shows the proposals with the closing date
// and the rating forms (drawn by participant.js's ratingForm, so the outbox and a half-written
// reason work as in the room); someone who rated in the room is thanked instead. After it closes,
// the phone says when it closed and that the verslag follows. No figures while it is open: the
// server sends none (app/realtime/audience.py).
import { h } from "./dom.js";
import { pageLanguage, t, tn } from "./i18n.js";
import { byId } from "./state.js";

/** The workshop's newest after-window (open or closed), or null. */
export function latestWindow(state) {
  return byId(state.rounds).filter((r) => r.after_round_id).pop() || null;
}

export function when(iso) {
  if (!iso) return "";
  return new Intl.DateTimeFormat(pageLanguage(), { dateStyle: "long", timeStyle: "short" }).format(new Date(iso));
}

function ratedInRoom(state, win) {
  return Object.values(state.my_ratings || {}).some((r) => r.round_id === win.after_round_id);
}

/** The window's part of the phone page; `ratingForm(state, round, proposal)` draws one form. */
export function windowBlock(state, ratingForm) {
  const win = latestWindow(state);
  if (!win) return null;
  const title = h("h2", { id: "window-title" }, t("Weigh in afterwards"));
  if (!win.is_open) {
    return [title,
      h("p", {}, t("The window to weigh in closed on %(date)s.", { date: when(win.closed_at || win.window_until) })),
      h("p", {}, t("Thank you. The facilitator sends the report (verslag) round when it is ready; it shows what the room and everyone afterwards thought."))];
  }
  const intro = [title,
    h("p", { class: "window-until" }, t("You can give your view on these proposals until %(date)s.", { date: when(win.window_until) })),
    h("p", { class: "hint" }, t("Give each proposal a score from 1 to 5. A 1 means you object: then say why. You see the results when the window has closed.")),
    h("p", { class: "round-status", id: "window-status" }, tn("%(n)s person has given their view afterwards so far.", "%(n)s people have given their view afterwards so far.", win.raters || 0))];
  if (ratedInRoom(state, win)) return [...intro, h("p", { class: "ok" }, t("You already gave your view in the room. Thank you!"))];
  return [...intro, win.proposal_ids.filter((pid) => state.proposals[pid]).map((pid) => ratingForm(state, win, state.proposals[pid]))];
}
