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
