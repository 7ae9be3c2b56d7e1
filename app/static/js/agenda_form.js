// The agenda editor of the "new workshop" form (trajectory page), as progressive enhancement.
//
// Without this script the agenda is a list of steps, each with its minutes, and empty rows to add
// steps. With it, each step can be moved up or down, repeated (a copy right after it) or removed,
// a step can be added, the planned total is shown, and choosing a template fills the list with the
// template's steps. Editing the list makes it the facilitator's own agenda: the "Own agenda" choice
// is then selected (and announced), because the server uses the list only with that choice.
import { $, announce, h, replace } from "./dom.js";
import { t, tn } from "./i18n.js";
import { PHASES, phaseName, typicalMinutes } from "./labels.js";

const form = document.getElementById("workshop-form");
if (form) enhance(form);

function enhance(form) {
  const list = $("#agenda-rows", form);
  const own = $("#preset-custom", form);
  let rows = [...list.querySelectorAll(".agenda-row")]
    .map((li) => ({ phase: $("select", li).value, minutes: $("input", li).value }))
    .filter((row) => row.phase);

  const total = h("p", { class: "agenda-total", id: "agenda-total", "aria-live": "polite" });
  const add = h("button", { type: "button", class: "secondary", id: "agenda-add" }, t("Add a step"));
  add.addEventListener("click", () => {
    rows.push({ phase: "", minutes: "" });
    edited(t("A step was added at the end."));
    draw(rows.length - 1, "select");
  });
  list.after(add, total);

  function ownAgenda() {
    if (own && !own.checked) {
      own.checked = true;
      return true;
    }
    return false;
  }

  // After any change by hand: the list is now the facilitator's own agenda.
  function edited(message) {
    const switched = ownAgenda();
    const note = t("This is now your own agenda.");
    announce(switched ? `${message} ${note}` : message);
  }

  function move(index, to) {
    const [row] = rows.splice(index, 1);
    rows.splice(to, 0, row);
    edited(t("Step %(from)s is now step %(to)s.", { from: index + 1, to: to + 1 }));
    draw(to, to < index ? "up" : "down");
  }

  function button(text, label, onclick, disabled) {
    return h("button", { type: "button", class: "secondary small", "aria-label": label, disabled, onclick }, text);
  }

  function rowElement(row, index) {
    const n = index + 1;
    const select = h("select", { id: `agenda-${n}-phase`, name: "step_phase" },
      h("option", { value: "" }, t("— no step —")),
      Object.keys(PHASES).map((key) => h("option", { value: key, selected: row.phase === key }, phaseName(key))));
    select.addEventListener("change", () => {
      row.phase = select.value;
      if (!row.minutes && typicalMinutes(row.phase)) {
        row.minutes = String(typicalMinutes(row.phase));
        minutes.value = row.minutes;
      }
      edited(t("Step %(n)s changed.", { n }));
      showTotal();
    });
    const minutes = h("input", { id: `agenda-${n}-minutes`, name: "step_minutes", type: "number", min: 1, max: 240, inputmode: "numeric", value: row.minutes });
    minutes.addEventListener("input", () => {
      row.minutes = minutes.value;
      if (ownAgenda()) announce(t("This is now your own agenda."));
      showTotal();
    });
    const last = index === rows.length - 1;
    const stepName = t("Step %(n)s", { n });
    return h("li", { class: "agenda-row", dataset: { index } },
      h("div", {}, h("label", { for: select.id }, stepName), select),
      h("div", {}, h("label", { for: minutes.id }, t("Minutes"), h("span", { class: "visually-hidden" }, " ", stepName)), minutes),
      h("div", { class: "agenda-actions" },
        button(t("Up"), t("Move step %(n)s up", { n }), () => move(index, index - 1), index === 0),
        button(t("Down"), t("Move step %(n)s down", { n }), () => move(index, index + 1), last),
        button(t("Repeat"), t("Repeat step %(n)s", { n }), () => {
          rows.splice(index + 1, 0, { ...row });
          edited(t("Step %(n)s was repeated as step %(m)s.", { n, m: n + 1 }));
          draw(index + 1, "repeat");
        }),
        button(t("Remove"), t("Remove step %(n)s", { n }), () => {
          rows.splice(index, 1);
          edited(t("Step %(n)s was removed.", { n }));
          draw(Math.min(index, rows.length - 1), "remove");
        })));
  }

  // Redraw the list; keep the keyboard where the person was working.
  function draw(focusIndex, what) {
    replace(list, rows.map(rowElement));
    showTotal();
    if (focusIndex === undefined) return;
    const li = list.children[focusIndex];
    if (!li) {
      add.focus();
      return;
    }
    const pick = { up: 0, down: 1, repeat: 2, remove: 3 }[what];
    const buttons = li.querySelectorAll(".agenda-actions button");
    const target = pick === undefined ? $("select", li) : buttons[pick];
    (target && !target.disabled ? target : $("select", li)).focus();
  }

  function showTotal() {
    const minutes = rows.filter((r) => r.phase).reduce((sum, r) => sum + (Number(r.minutes) || typicalMinutes(r.phase) || 0), 0);
    const steps = rows.filter((r) => r.phase).length;
    const stepCount = tn("%(n)s step", "%(n)s steps", steps);
    const length = tn("%(n)s minute in total", "%(n)s minutes in total", minutes);
    total.textContent = `${stepCount}, ${length}`;
  }

  // Choosing a template puts its steps in the list (choosing "Own agenda" keeps the list).
  for (const radio of form.querySelectorAll('input[name="preset"][data-steps]')) {
    radio.addEventListener("change", () => {
      if (!radio.checked) return;
      rows = JSON.parse(radio.dataset.steps).map(([phase, minutes]) => ({ phase, minutes: String(minutes) }));
      draw();
      announce(t("The list shows this template's agenda."));
    });
  }

  draw();
}
