// A button marked data-set-all="VALUE" selects every radio button with that value (the import preview's
// "create all" / "match all" choices).
document.querySelectorAll("[data-set-all]").forEach(function (button) {
  button.addEventListener("click", function () {
    var value = button.getAttribute("data-set-all");
    document.querySelectorAll('input[type="radio"][value="' + value + '"]').forEach(function (radio) { radio.checked = true; });
  });
});
