// The yearly report's progress bar: its width comes from data-progress (no inline style, for a strict CSP),
// set on load and after every htmx swap of the polled block.
(function () {
  "use strict";
  function paint(root) {
    var bars = (root || document).querySelectorAll(".progress-bar[data-progress]");
    for (var i = 0; i < bars.length; i++) {
      var value = parseInt(bars[i].getAttribute("data-progress"), 10);
      bars[i].style.width = (isNaN(value) ? 0 : Math.max(0, Math.min(100, value))) + "%";
    }
  }
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.body.addEventListener("htmx:afterSwap", function () { paint(document); });
  paint(document);
})();
