// What the projector says when it cannot show the room: a screen link that is missing or no
// longer valid (the server refused it, or it was replaced by a new pairing), a projector opened a
// second time elsewhere, or a network that stays away. Each says what is wrong and what to do;
// none of them is an endless "Reconnecting…".
import { $, h, replace } from "./dom.js";
import { t } from "./i18n.js";

// After this long without a connection the banner says more than "Reconnecting…".
const PATIENCE = 20_000;

const pairUrl = () => `${location.origin}/screen`;

const PROBLEMS = {
  unauthorised: () => [
    h("h2", {}, t("This screen link is missing or no longer valid")),
    h("p", {}, t("Open %(url)s on this computer and type the pairing code shown on the facilitator's console.", { url: pairUrl() })),
    h("p", {}, h("a", { href: "/screen", class: "button" }, t("Pair this screen"))),
    h("p", { class: "meta" }, t("Or open the projector again from the facilitator's console.")),
  ],
  replaced: () => [
    h("h2", {}, t("The projector is open in another window")),
    h("p", {}, t("This window has stopped showing the room. Close it, or reload it to show the projector here.")),
  ],
};

/** Replace the room with a plain explanation of what is wrong (kind: "unauthorised", "replaced"). */
export function showProblem(kind) {
  const panel = $("#problem");
  const status = $("#status");
  status.dataset.status = kind;
  status.textContent = kind === "replaced" ? t("Stopped") : t("This screen link is no longer valid");
  $("#banner").hidden = true;
  replace(panel, h("div", { class: "problem-box" }, PROBLEMS[kind] ? PROBLEMS[kind]() : PROBLEMS.unauthorised()));
  panel.hidden = false;
}

/** Keeps the corner status, the banner and the problem panel in step with the socket. */
export function watchConnection(room) {
  let lostSince = null;
  let patience = null;
  const banner = $("#banner");
  const longBanner = () => {
    banner.textContent = t("No connection to the server for a while. Check this computer's network connection; the screen reconnects by itself.");
  };
  room.on("status", (status) => {
    const el = $("#status");
    if (status === "unauthorised" || status === "replaced" || status === "removed" || status === "left") {
      clearTimeout(patience);
      showProblem(status === "replaced" ? "replaced" : "unauthorised");
      return;
    }
    el.dataset.status = status;
    el.textContent = status === "connected" ? t("Connected") : status === "offline" ? t("Offline") : t("Reconnecting…");
    $("#problem").hidden = true;
    const ok = status === "connected" || status === "connecting" || status === "catching-up";
    banner.hidden = ok;
    if (ok) {
      lostSince = null;
      clearTimeout(patience);
      return;
    }
    if (lostSince === null) {
      lostSince = Date.now();
      banner.textContent = t("Reconnecting…");
      clearTimeout(patience);
      patience = setTimeout(longBanner, PATIENCE);
    } else if (Date.now() - lostSince >= PATIENCE) longBanner();
  });
}
