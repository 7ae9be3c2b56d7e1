// The phone in the lobby of a workshop with a before-window ("vooraf inbrengen"): before the
// window opens, while it is open, and after it closes it says in plain words when, and what comes
// next. While it is open the phone sends in beelden, factoren and consequenties with the same
// posting form as the room (participant.js), and sees only its own: the server sends nobody
// else's until the room starts (app/realtime/audience.py, "held").
// The times are the workshop's (Netherlands), whatever zone the phone is set to.
import { h } from "./dom.js";
import { pageLanguage, t } from "./i18n.js";

const ZONE = "Europe/Amsterdam";
const KINDS = ["beeld", "factor", "consequentie"];

/** The window as this phone sees it now: `none`, `not_yet`, `open` or `closed`. */
export function beforeWindow(workshop, now = new Date()) {
  const s = workshop.settings || {};
  if (!s.before_opens_at || !s.before_closes_at) return { state: "none" };
  const opens = new Date(s.before_opens_at);
  const closes = new Date(s.before_closes_at);
  const startsAt = workshop.starts_at ? new Date(workshop.starts_at) : null;
  const state = workshop.phase !== "lobby" || now >= closes ? "closed" : now < opens ? "not_yet" : "open";
  return { state, opens, closes, startsAt };
}

/** When the window's state changes next (ms from now), to draw the phone again then. */
export function nextChange(win, now = new Date()) {
  if (win.state === "not_yet") return win.opens - now;
  if (win.state === "open") return win.closes - now;
  return null;
}

// "dinsdag 12 mei 9.00 uur" / "Tuesday 12 May, 9:00": the way a letter from the municipality
// says a moment, not a timestamp.
export function spoken(date) {
  const language = pageLanguage();
  const locale = language === "en" ? "en-GB" : "nl-NL";
  const day = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: ZONE }).format(date);
  const parts = new Intl.DateTimeFormat("en-GB", { hour: "numeric", minute: "2-digit", hourCycle: "h23", timeZone: ZONE }).formatToParts(date);
  const hour = String(Number(parts.find((p) => p.type === "hour").value));
  const minute = parts.find((p) => p.type === "minute").value;
  return language === "en" ? `${day}, ${hour}:${minute}` : `${day} ${hour}.${minute} uur`;
}

function meeting(win) {
  return win.startsAt ? h("p", { id: "before-meeting" }, t("The meeting is on %(when)s.", { when: spoken(win.startsAt) })) : null;
}

/** The lobby's words about the window (and, while open, the choice of what to send in). */
export function beforeBlock(win, { kind, onKind, mine }) {
  if (win.state === "none") return null;
  if (win.state === "not_yet") {
    return h("div", { class: "before-window", dataset: { state: "not_yet" } },
      h("h2", { id: "before-title" }, t("Sending in beforehand")),
      h("p", {}, t("From %(when)s you can send in images, factors and consequences for this meeting.", { when: spoken(win.opens) })),
      h("p", {}, t("You can do that until %(when)s. Keep this link or the code: it works then.", { when: spoken(win.closes) })),
      meeting(win));
  }
  if (win.state === "closed") {
    return h("div", { class: "before-window", dataset: { state: "closed" } },
      h("h2", { id: "before-title" }, t("Sending in beforehand is closed")),
      h("p", {}, t("You could send in until %(when)s. Thank you!", { when: spoken(win.closes) })),
      mine.length ? h("p", {}, t("What you sent in goes on the wall when the meeting starts.")) : null,
      meeting(win),
      mine.length ? h("h3", {}, t("What you sent in")) : null,
      mine.length ? h("ul", { class: "cards", id: "before-mine" }, mine.map((c) => h("li", { class: "card", dataset: { key: `before:${c.id}` } },
        c.image ? h("img", { src: c.image.thumb_url, alt: c.text, width: 96, height: Math.round((96 * c.image.height) / c.image.width) || 96 }) : null,
        h("p", {}, c.hidden ? t("Hidden by the facilitator") : c.text)))) : null);
  }
  const names = { beeld: t("An image (photo or description)"), factor: t("A factor: what drives or shapes the theme"), consequentie: t("A consequence: what it leads to") };
  return h("div", { class: "before-window", dataset: { state: "open" } },
    h("h2", { id: "before-title" }, t("Send in beforehand")),
    h("p", {}, t("Until %(when)s you can send in images, factors and consequences.", { when: spoken(win.closes) })),
    h("p", { class: "hint" }, t("Only you and the facilitator see them until the meeting starts. Then they go on the wall, marked “sent in beforehand”.")),
    meeting(win),
    h("fieldset", { class: "before-kinds" }, h("legend", {}, t("What do you want to send in?")),
      KINDS.map((k) => h("div", { class: "check" },
        h("input", { type: "radio", name: "before-kind", id: `before-kind-${k}`, value: k, checked: k === kind, dataset: { fresh: "" }, onchange: () => onKind(k) }),
        h("label", { for: `before-kind-${k}` }, names[k])))));
}
