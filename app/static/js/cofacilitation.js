// Co-facilitation on the console: a banner that says whose console leads the room and whether
// this one leads or watches, with "Take over". One console drives at a time; the server refuses
// commands from the others (not_driver), and this module turns that refusal into plain words.
// The page gives the trajectory's facilitators (id → name) and who is looking, in data-*; the
// console's script hands over its room and its command() (showDriver), so this module never
// touches the socket. The banner is redrawn once per frame with the rest of the page (view.js).
import { $, announce } from "./dom.js";
import { t } from "./i18n.js";
import { schedule } from "./view.js";

export function showDriver(room, { command }) {
  const banner = $("#cofacilitation");
  if (!banner) return;
  const names = JSON.parse(banner.dataset.facilitators || "{}");
  const me = Number(banner.dataset.me);
  const who = $("#cofac-who");
  const button = $("#take-over");
  const warning = $("#cofac-warning");
  let consolesOnline = null; // from presence: facilitator sockets open now, this one included
  let lastDriver;

  const leaderName = (id) => names[id] || t("another facilitator");

  function draw(state) {
    const driver = state ? state.driver_id : null;
    if (driver === null || driver === undefined) return; // not known yet
    const leading = driver === me;
    banner.hidden = leading && Object.keys(names).length < 2;
    banner.classList.toggle("leading", leading);
    banner.classList.toggle("watching", !leading);
    document.body.classList.toggle("watching", !leading);
    button.hidden = leading;
    if (leading) {
      who.textContent = t("Your console is leading this workshop.");
      warning.hidden = true;
    } else if (consolesOnline === 1) {
      // Only this console is connected: the leader is not here, so taking over is the way on.
      who.textContent = t("%(name)s is leading but is not connected now; you are watching. Take over to run the workshop.", { name: leaderName(driver) });
    } else {
      who.textContent = t("%(name)s is leading; you are watching.", { name: leaderName(driver) });
    }
    if (lastDriver !== undefined && lastDriver !== driver) {
      announce(leading ? t("Your console is leading this workshop.") : t("%(name)s has taken over; you are watching.", { name: leaderName(driver) }));
    }
    lastDriver = driver;
  }

  const redraw = () => schedule("cofacilitation", () => draw(room.state));
  room.on("state", redraw);
  room.on("presence", (message) => {
    consolesOnline = message.facilitators;
    redraw();
  });
  room.on("error", (error) => {
    if (error.code !== "not_driver") return;
    warning.textContent = t("Not done: another console is leading. Choose “Take over” first if you want to steer the room.");
    warning.hidden = false;
  });
  room.on("ack", () => { warning.hidden = true; });
  button.addEventListener("click", () => {
    warning.hidden = true;
    command("console.take_over", {});
  });
}
