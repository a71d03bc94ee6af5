// A button marked data-print opens the browser's print dialog (printable documents such as agreements).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
