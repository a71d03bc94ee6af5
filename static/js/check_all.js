// A checkbox marked data-check-all ticks or clears every input[name="ids"] of the page (the queue's bulk actions).
document.querySelectorAll("[data-check-all]").forEach(function (box) {
  box.addEventListener("change", function () {
    document.querySelectorAll('input[name="ids"]').forEach(function (item) { item.checked = box.checked; });
  });
});
