// Behaviour shared by every page of the portal.

// A form marked data-busy-form shows its spinner ([data-busy-spinner], [data-busy-text]) while the server works,
// hides [data-busy-icon], and its [data-busy-button] cannot be pressed twice.
document.querySelectorAll("form[data-busy-form]").forEach(function (form) {
  form.addEventListener("submit", function () {
    form.querySelectorAll("[data-busy-button]").forEach(function (button) {
      button.disabled = true;
      button.querySelectorAll("[data-busy-spinner]").forEach(function (el) { el.classList.remove("d-none"); });
      button.querySelectorAll("[data-busy-icon]").forEach(function (el) { el.classList.add("d-none"); });
    });
    form.querySelectorAll("[data-busy-text]").forEach(function (el) { el.classList.remove("d-none"); });
  });
});

// A plan item chosen in the session form (partnerships.forms.PlanItemSelect, select[data-plan-fills]) fills the
// session's format, topic and risk factor from the plan — those left empty or filled by an earlier choice, never
// what the curator typed — and proposes the planned date when it has come; a later or month-only one is named.
document.querySelectorAll("select[data-plan-fills]").forEach(function (select) {
  var form = select.form;
  var held = form.elements.held_on;
  var hint = document.createElement("div");
  hint.className = "form-text";
  hint.setAttribute("aria-live", "polite");
  hint.setAttribute("data-plan-date-hint", "");
  if (held) { held.insertAdjacentElement("afterend", hint); }
  function localToday() {
    var now = new Date();
    return [now.getFullYear(), String(now.getMonth() + 1).padStart(2, "0"), String(now.getDate()).padStart(2, "0")].join("-");
  }
  function fill(field, value) {
    if (!field || value === undefined || value === "") { return; }
    if (field.value === "" || field.value === field.dataset.planFilled) {
      field.value = value;
      field.dataset.planFilled = value;
    }
  }
  select.addEventListener("change", function () {
    var option = select.selectedOptions[0];
    if (!option || !option.value) { hint.textContent = ""; return; }
    fill(form.elements.format, option.dataset.format);
    fill(form.elements.topic, option.dataset.topic);
    fill(form.elements.risk_factor, option.dataset.riskFactor);
    var planned = option.dataset.plannedOn;
    if (held && planned && planned <= localToday()) {
      held.value = planned;
      hint.textContent = "Подставлена плановая дата (" + option.dataset.when + "); исправьте, если занятие прошло в другой день.";
    } else {
      hint.textContent = "По плану: " + option.dataset.when + ". Укажите фактическую дату занятия.";
    }
  });
});
