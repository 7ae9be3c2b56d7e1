// The console's "Tafelhulp" box: make a one-time helper code (shown once, here only), see where
// each code stands, revoke one. Revoking a used code also takes its helper out of the room (the
// server sends participant.remove); the people they entered for stay. The printable join handout
// (A4, A5) links sit beside it.
import { $, announce, h, replace } from "./dom.js";
import { t } from "./i18n.js";

const STATES = {
  open: () => t("not used yet"), used: () => t("used"), expired: () => t("expired"),
  revoked: () => t("revoked"), ended: () => t("ended: the join code changed"),
};

export function mountHelperCodes(workshopId) {
  const box = $("#tafelhulp");
  if (!box) return;
  const csrf = () => document.querySelector('meta[name="csrf-token"]').content;
  const shown = $("#helper-code-shown");
  const list = $("#helper-codes");

  async function load() {
    const response = await fetch(`/api/workshops/${workshopId}/helper-codes`, { credentials: "same-origin" });
    if (!response.ok) return;
    const codes = await response.json();
    replace(list, ...codes.map((code, index) => h("li", {},
      t("Code %(n)s", { n: index + 1 }), " · ", (STATES[code.state] || STATES.open)(),
      code.state === "open" || code.state === "used" ? [" ", h("button", {
        type: "button", class: "secondary small",
        onclick: () => revoke(code.id),
      }, t("Revoke"))] : null)));
  }

  async function revoke(id) {
    const response = await fetch(`/api/workshops/${workshopId}/helper-codes/${id}/revoke`, { method: "POST", headers: { "X-CSRF-Token": csrf() } });
    if (response.ok) {
      const revoked = await response.json();
      // A used code's helper is taken out of the room with it (the participants list shows it).
      announce(revoked.helper_id ? t("Helper code revoked: the table helper can no longer enter anything.") : t("Helper code revoked"));
      load();
    }
  }

  $("#make-helper-code").addEventListener("click", async () => {
    const response = await fetch(`/api/workshops/${workshopId}/helper-codes`, { method: "POST", headers: { "X-CSRF-Token": csrf() } });
    if (!response.ok) {
      replace(shown, h("p", { class: "error", role: "alert" }, t("Could not make a helper code. Try again.")));
      return;
    }
    const made = await response.json();
    replace(shown,
      h("p", {}, t("Helper code:"), " ", h("strong", { class: "code" }, made.code)),
      h("p", { class: "hint" }, t("Shown once. The helper opens %(url)s on their phone and types it. It works once, for 12 hours.", { url: `${location.origin}/hulp` })));
    announce(t("Helper code made"));
    load();
  });
  box.addEventListener("toggle", () => { if (box.open) load(); });
}
