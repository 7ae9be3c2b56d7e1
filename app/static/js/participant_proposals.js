// The phone's proposal form, for a new waarom or opgave and for amending one's own: the text, for
// an opgave its scope and core themes, and what it grew from (cite_picker.js). One form serves
// both: "Aanpassen" on one of your proposals fills it with that proposal, its citations chosen,
// and sends proposal.amend instead of proposal.create. The form lives in the page (not redrawn),
// so a live update never wipes what someone is typing or choosing.
import { $ } from "./dom.js";
import { t } from "./i18n.js";
import { CitePicker } from "./cite_picker.js";

const FIELDS = ["#proposal-text", "#in-scope", "#out-scope", "#themes"];
const lines = (id) => $(id).value.split("\n").map((l) => l.trim()).filter(Boolean);

export class ProposalForm {
  /** `send(type, fields, errorEl)` sends a command and shows its refusal in `errorEl`. */
  constructor({ send, state, showError }) {
    this.send = send;
    this.state = state;
    this.showError = showError;
    this.kind = null;
    this.amending = null; // the proposal being amended, or null for a new one
    this.picker = new CitePicker({ id: "cite" });
    $("#cite-slot").replaceWith(this.picker.el);
    $("#proposal-form").addEventListener("submit", (event) => this.submit(event));
    $("#proposal-cancel").addEventListener("click", () => {
      this.reset();
      $("#propose-summary").focus();
    });
  }

  /** The room entered a waarom or opgave phase. */
  setup(kind) {
    this.kind = kind;
    $("#proposal-label").textContent = kind === "waarom" ? t("Why: what do we do this for?") : t("Mission: what do we take on?");
    $("#scope-fields").hidden = kind !== "opgave";
    this.reset();
  }

  update(state) {
    this.picker.update(state);
    // The proposal being amended was replaced, withdrawn or adopted meanwhile: start afresh.
    if (this.amending) {
      const now = state.proposals[this.amending.id];
      if (!now || now.status !== "open") this.reset();
    }
  }

  /** Fill the form with one of your own proposals, its citations chosen, to amend it. */
  amend(proposal) {
    this.amending = proposal;
    $("#proposal-text").value = proposal.text;
    $("#in-scope").value = proposal.in_scope.join("\n");
    $("#out-scope").value = proposal.out_of_scope.join("\n");
    $("#themes").value = proposal.core_themes.join("\n");
    this.picker.set(proposal);
    $("#propose-summary").textContent = t("Amend your proposal");
    $("#proposal-submit").textContent = t("Save amendment");
    $("#proposal-cancel").hidden = false;
    $("#proposal-error").hidden = true;
    $("#propose").open = true;
    $("#proposal-text").focus();
  }

  reset() {
    this.amending = null;
    for (const id of FIELDS) $(id).value = "";
    this.picker.clear();
    $("#propose-summary").textContent = t("Make a proposal");
    $("#proposal-submit").textContent = t("Propose");
    $("#proposal-cancel").hidden = true;
  }

  submit(event) {
    event.preventDefault();
    const state = this.state();
    const kind = state && state.workshop.phase;
    const error = $("#proposal-error");
    const text = $("#proposal-text").value.trim();
    if (kind !== "waarom" && kind !== "opgave") return;
    if (!text) return this.showError(error, t("Write something first."));
    const fields = { text, ...this.picker.value() };
    if (kind === "opgave") Object.assign(fields, { in_scope: lines("#in-scope"), out_of_scope: lines("#out-scope"), core_themes: lines("#themes") });
    const sent = this.amending
      ? this.send("proposal.amend", { proposal_id: this.amending.id, ...fields }, error)
      : this.send("proposal.create", { kind, ...fields }, error);
    // Emptied on the ack, unless the person typed on meanwhile: until then what was typed stays
    // (a command the server could not take yet goes again); a refusal is shown in the open form.
    const typed = this.typed();
    sent.then(() => { if (this.typed() === typed) this.reset(); }, () => {});
  }

  typed() {
    return FIELDS.map((id) => $(id).value).join("\n");
  }
}
