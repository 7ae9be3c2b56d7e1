// The phase timer on every screen: remaining minutes and the end time as text (never only a
// countdown), refreshed every few seconds, and announced once at one minute and at the end.
import { announce } from "./dom.js";
import { pageLanguage, t } from "./i18n.js";

// The clock in the interface's language (<html lang>), always 24-hour: "14:05", never "2:05 PM".
// The rooms are Dutch; an English interface there still reads the room's clock (en-GB).
const LOCALES = { nl: "nl-NL", en: "en-GB" };
export function clockTime(date, language = pageLanguage()) {
  return new Intl.DateTimeFormat(LOCALES[language] || language, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(date);
}

export class Countdown {
  // format(minutesLeft, clockTime, msLeft) -> text; shown in `el`, which is hidden when no timer runs.
  constructor(el, format, { every = 15_000 } = {}) {
    this.el = el;
    this.format = format;
    this.end = null;
    this.warned = false;
    setInterval(() => this.tick(), every);
  }

  set(endsAt) {
    const end = endsAt ? new Date(endsAt) : null;
    if ((end && end.getTime()) !== (this.end && this.end.getTime())) this.warned = false;
    this.end = end;
    this.tick();
  }

  tick() {
    if (!this.end) { this.el.hidden = true; this.el.textContent = ""; return; }
    const ms = this.end - Date.now();
    const clock = clockTime(this.end);
    this.el.hidden = false;
    this.el.textContent = this.format(Math.max(0, Math.ceil(ms / 60000)), clock, ms);
    if (!this.warned && ms < 60_000) {
      this.warned = true;
      announce(ms > 0 ? t("One minute left") : t("Time is up"));
    }
  }
}

export const endsAt = (left, clock, ms) =>
  ms > 0 ? t("Ends at %(time)s (%(n)s min left)", { time: clock, n: left }) : t("Time is up (%(time)s)", { time: clock });
