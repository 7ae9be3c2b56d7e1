// The console's after-window ("na afloop meewegen"): open the last round's proposals for rating
// until a date and time, close it early, and see how many gave their view afterwards — never the
// figures while it is open (the server sends none, to the console neither). The date field keeps
// what the facilitator typed across live updates (keep() in facilitator.js).
import { h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { byId } from "./state.js";
import { latestWindow, when } from "./participant_window.js";

const DAY = 24 * 60 * 60 * 1000;

// A week from now at 17:00, as a datetime-local value (the facilitator's own time zone).
function suggested() {
  const d = new Date(Date.now() + 7 * DAY);
  d.setHours(17, 0, 0, 0);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The section's content; `command(type, fields, done)` sends one and says the outcome. */
export function windowControls(state, command) {
  const win = latestWindow(state);
  const rooms = byId(state.rounds).filter((r) => !r.after_round_id);
  const last = rooms.pop();
  const title = h("h3", { id: "window-title" }, t("Weigh in afterwards"));
  const count = (n) => tn("%(n)s person gave their view afterwards", "%(n)s people gave their view afterwards", n);
  if (win && win.is_open) {
    return [title,
      h("p", { class: "window-count", id: "window-count" }, count(win.raters || 0)),
      h("p", { class: "hint" }, t("Open until %(date)s. The results stay hidden until the window closes, here too.", { date: when(win.window_until) })),
      h("button", { type: "button", id: "window-close", class: "secondary", onclick: () => command("window.close", {}, t("The window is closed.")) }, t("Close the window now"))];
  }
  if (win && win.after_round_id === (last && last.id)) {
    return [title, h("p", { id: "window-count" }, count(win.raters || 0)),
      h("p", { class: "hint" }, t("The window closed on %(date)s. Its figures are in the record and every export.", { date: when(win.closed_at || win.window_until) }))];
  }
  if (!last || last.is_open) {
    return [title, h("p", { class: "hint" }, t("After the last agreement round you can open its proposals to people who were not there."))];
  }
  const form = h("form", { class: "row", id: "window-form" },
    h("label", { for: "window-until" }, t("Open until")),
    h("input", { id: "window-until", type: "datetime-local", required: true, value: suggested() }),
    h("button", { type: "submit" }, t("Open the window")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = form.querySelector("#window-until").value;
    if (!value) return;
    command("window.open", { until: new Date(value).toISOString() }, t("The window is open."));
  });
  return [title,
    h("p", { class: "hint" }, t("People who were not in the room, or left before they rated, can rate the proposals of round %(n)s with the same code until then.", { n: last.number })),
    form];
}
