// The console's "Pair a projector": asks the server for a short code to type at /screen on the
// beamer computer. The texts are in the page (rendered in the console's language); this module
// only fills in the code, and takes it away again when it expires.
import { $, announce } from "./dom.js";

const workshopId = Number(document.body.dataset.workshopId);
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
const button = $("#pair-screen");
const box = $("#pairing");
let expiry = null;

function show(part) {
  for (const id of ["#pair-note", "#pair-expired", "#pair-failed"]) $(id).hidden = id !== part;
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
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
    $("#pair-code").textContent = "";
    show("#pair-failed");
    announce($("#pair-failed").textContent);
    return;
  }
  $("#pair-code").textContent = pairing.code;
  show("#pair-note");
  announce([box.querySelector("p").textContent, pairing.code, $("#pair-note").textContent].join(" "));
  expiry = setTimeout(() => {
    $("#pair-code").textContent = "";
    show("#pair-expired");
  }, pairing.valid_seconds * 1000);
});
