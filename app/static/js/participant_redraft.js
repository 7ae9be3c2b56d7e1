// The phone's part in a redraft (app/workshops/redrafts.py): a proposal that did not converge is
// rewritten as two to four variants, each answering objections of the round; the phones may help
// write them when the facilitator allows it, then each person puts the variants in order.
//
// The order is made with "Omhoog"/"Omlaag" buttons, not by dragging: a keyboard, a switch and a
// screen reader can do it, and a thumb too. The order being made lives here (per redraft), so a
// live update (someone else ranked) never undoes a move; what was sent is the state's
// my_rankings, which only this phone receives.
import { $, announce, h } from "./dom.js";
import { t, tn } from "./i18n.js";
import { currentRedraft, latestRound } from "./state.js";
import { keep } from "./view.js";

const orders = new Map(); // redraft id -> variant ids in the order being made on this phone
const short = (text) => (text.length > 60 ? text.slice(0, 57) + "…" : text);

function objectionList(redraft) {
  if (!redraft.objections.length) return h("p", {}, t("Nobody objected, but too few people agreed."));
  return [
    h("p", {}, t("These objections were given:")),
    h("ol", { class: "objections" }, redraft.objections.map((o) => h("li", {}, o))),
  ];
}

function answers(redraft, variant) {
  if (!variant.answers.length) return null;
  const numbers = variant.answers.map((a) => a + 1).join(", ");
  return h("p", { class: "meta" }, tn("Answers objection %(list)s", "Answers objections %(list)s", variant.answers.length, { list: numbers }));
}

function orderOf(state, redraft) {
  const ids = redraft.variants.map((v) => v.id);
  const same = (order) => order && order.length === ids.length && ids.every((id) => order.includes(id));
  if (!same(orders.get(redraft.id))) {
    const given = state.my_rankings[redraft.id];
    orders.set(redraft.id, same(given) ? [...given] : ids);
  }
  return orders.get(redraft.id);
}

export class RedraftPanel {
  /** `send(type, fields, errorEl)` sends a command and shows a refusal in `errorEl`. */
  constructor({ el, send, redraw, contentLang }) {
    this.el = el;
    this.send = send;
    this.redraw = redraw;
    this.lang = contentLang;
  }

  render(state, kind) {
    const redraft = currentRedraft(state, kind);
    const latest = redraft && redraft.stage === "closed" ? null : redraft;
    keep(this.el, () => (latest ? this.draw(state, latest) : this.result(state, redraft)));
  }

  // A closed redraft is shown until the winner's round: what the room chose.
  result(state, redraft) {
    if (!redraft || !redraft.result) return null;
    const winner = redraft.variants.find((v) => v.id === redraft.result.winner_id);
    const proposal = state.proposals[redraft.winner_proposal_id];
    const latest = latestRound(state, redraft.kind);
    if (!winner || !proposal || proposal.status !== "open" || (latest && latest.id !== redraft.round_id)) return null; // measured since
    return h("section", { class: "redraft", "aria-labelledby": "redraft-title" },
      h("h2", { id: "redraft-title" }, t("The room chose a new version")),
      h("p", { class: "statement", lang: this.lang }, winner.text),
      h("p", { class: "meta" }, t("It goes to the next agreement round.")));
  }

  draw(state, redraft) {
    const original = state.proposals[redraft.proposal_id];
    return h("section", { class: "redraft", "aria-labelledby": "redraft-title" },
      h("h2", { id: "redraft-title" }, t("A new version of a proposal")),
      h("p", {}, t("This proposal did not get enough agreement:")),
      original ? h("p", { class: "statement", lang: this.lang }, original.text) : null,
      objectionList(redraft),
      redraft.stage === "writing" ? this.writing(redraft) : this.ranking(state, redraft));
  }

  writing(redraft) {
    const list = redraft.variants.length ?
      h("ol", { class: "variants" }, redraft.variants.map((v) => h("li", {}, h("p", { lang: this.lang }, v.text), answers(redraft, v)))) :
      h("p", { class: "muted" }, t("No new versions yet."));
    const parts = [h("h3", {}, t("New versions so far")), list];
    if (!redraft.phones_write) {
      parts.push(h("p", {}, t("The facilitator writes the new versions. Then you put them in order.")));
      return parts;
    }
    if (redraft.variants.length >= 4) return [...parts, h("p", {}, t("There are four versions: that is the most."))];
    const error = h("p", { class: "error", id: "variant-error", hidden: true });
    const choices = redraft.objections.length ? h("fieldset", {},
      h("legend", {}, t("Which objection does it answer?")),
      redraft.objections.map((o, i) => h("div", { class: "check" },
        h("input", { type: "checkbox", id: `variant-answers-${i}`, value: i }),
        h("label", { for: `variant-answers-${i}` }, `${i + 1}. ${short(o)}`)))) : null;
    const form = h("form", { class: "stack", id: "variant-form", novalidate: true },
      h("label", { for: "variant-text" }, t("Write a new version")),
      h("textarea", { id: "variant-text", rows: 3, maxlength: 2000 }),
      choices, error,
      h("button", { type: "submit" }, t("Add this version")));
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const text = $("#variant-text").value.trim();
      const chosen = [...form.querySelectorAll("fieldset input:checked")].map((i) => Number(i.value));
      const refuse = (message) => { error.hidden = false; error.textContent = message; announce(message); };
      if (!text) return refuse(t("Write something first."));
      if (redraft.objections.length && !chosen.length) return refuse(t("Choose the objection it answers."));
      this.send("variant.create", { redraft_id: redraft.id, text, answers: chosen }, error)
        .then(() => { $("#variant-text").value = ""; this.redraw(); }, () => {});
    });
    return [...parts, form];
  }

  ranking(state, redraft) {
    const order = orderOf(state, redraft);
    const given = state.my_rankings[redraft.id];
    const sent = given && given.join() === order.join();
    const byId = new Map(redraft.variants.map((v) => [v.id, v]));
    const move = (index, by) => {
      const to = index + by;
      if (to < 0 || to >= order.length) return;
      [order[index], order[to]] = [order[to], order[index]];
      announce(t("%(text)s: place %(n)s of %(m)s", { text: short(byId.get(order[to]).text), n: to + 1, m: order.length }));
      this.redraw();
    };
    const error = h("p", { class: "error", id: "ranking-error", hidden: true });
    const items = order.map((id, index) => {
      const variant = byId.get(id);
      const name = short(variant.text);
      return h("li", { class: "ranked", dataset: { variantId: id } },
        h("p", { class: "place", "aria-hidden": "true" }, String(index + 1)),
        h("div", { class: "ranked-text" }, h("p", { lang: this.lang }, variant.text), answers(redraft, variant)),
        h("div", { class: "ranked-moves" },
          h("button", { type: "button", class: "secondary small", dataset: { key: `up:${id}` }, "aria-disabled": index === 0 ? "true" : null,
            "aria-label": t("Move up: %(text)s", { text: name }), onclick: () => move(index, -1) }, t("Up")),
          h("button", { type: "button", class: "secondary small", dataset: { key: `down:${id}` }, "aria-disabled": index === order.length - 1 ? "true" : null,
            "aria-label": t("Move down: %(text)s", { text: name }), onclick: () => move(index, 1) }, t("Down"))));
    });
    return [
      h("h3", { id: "ranking-title" }, t("Put the versions in order")),
      h("p", {}, t("The one you like best at the top. Nobody sees your order; the room sees only the result.")),
      h("ol", { class: "ranking", "aria-labelledby": "ranking-title" }, items),
      error,
      h("button", { type: "button", id: "ranking-give", onclick: () => this.send("ranking.give", { redraft_id: redraft.id, order: [...order] }, error) },
        given ? t("Give my new order") : t("Give my order")),
      h("p", { class: "ok", id: "ranking-sent" }, given ? (sent ? t("Your order is in.") : t("You changed your order: give it again to count it.")) : ""),
      h("p", { class: "meta" }, tn("%(n)s person has given an order so far.", "%(n)s people have given an order so far.", redraft.rankers)),
    ];
  }
}
