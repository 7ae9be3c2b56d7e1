// The console's "Pair a projector": asks the server for a short code to type at /screen on the
// beamer computer. The texts are in the page (rendered in the console's language); this module
// only fills in the code, and takes it away again when it expires or once a projector used it
// (a spent code left on a shared laptop's screen only invites a second try).
import { $, announce } from "./dom.js";

const workshopId = Number(document.body.dataset.workshopId);
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const button = $("#pair-screen");
const box = $("#pairing");
let expiry = null;
let live = false; // a code is on screen
let asking = false;

function show(part) {
  for (const id of ["#pair-note", "#pair-expired", "#pair-failed", "#pair-done"]) $(id).hidden = id !== part;
  $("#pair-live").hidden = part !== "#pair-note";
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
}

function takeAway(part) {
  clearTimeout(expiry);
  live = false;
  $("#pair-code").textContent = "";
  show(part);
}

button.addEventListener("click", async () => {
  clearTimeout(expiry);
  button.disabled = true;
  let pairing = null;
  try {
    const response = await fetch(`/api/workshops/${workshopId}/screen-pairing`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf() },
    });
    if (response.ok) pairing = await response.json();
  } catch {
    pairing = null; // offline: said below
  } finally {
    button.disabled = false;
  }
  if (!pairing) {
    takeAway("#pair-failed");
    announce($("#pair-failed").textContent);
    return;
  }
  $("#pair-code").textContent = pairing.code;
  live = true;
  show("#pair-note");
  announce([box.querySelector("#pair-live p").textContent, pairing.code, $("#pair-note").textContent].join(" "));
  expiry = setTimeout(() => takeAway("#pair-expired"), pairing.valid_seconds * 1000);
});

/**
 * The room's presence changed (a screen connected, say): while a code is shown, ask whether a
 * projector used it, and if so take it off the console. Asked on presence rather than polled:
 * a paired projector connects, and every connection changes presence, in any process.
 * @param {{screens?: number}} presence
 */
export async function screensChanged(presence) {
  if (!live || asking || !presence.screens) return;
  asking = true;
  try {
    const response = await fetch(`/api/workshops/${workshopId}/screen-pairing`);
    const answer = response.ok ? await response.json() : null;
    if (live && answer && answer.status === "used") {
      takeAway("#pair-done");
      announce($("#pair-done").textContent);
    }
  } catch {
    // offline: the code stays until the next change or its expiry
  } finally {
    asking = false;
  }
}
