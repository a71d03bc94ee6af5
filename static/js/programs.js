// Programme pages: small helpers around htmx; no inline scripts.

// A button with data-clear="#selector" empties that element (closes an in-place panel).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-clear]");
  if (button) {
    var target = document.querySelector(button.getAttribute("data-clear"));
    if (target) { target.innerHTML = ""; }
  }
  var print = event.target.closest("[data-print]");
  if (print) { window.print(); }
});

// htmx does not swap error answers: say in Russian why nothing happened.
document.body.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var text = status === 403 ? "Это действие вам недоступно."
    : status === 404 ? "Запись не найдена: возможно, её уже удалили. Обновите страницу."
    : "Не удалось сохранить: ошибка на сервере (" + status + "). Обновите страницу и попробуйте ещё раз.";
  showAlert(text);
});
document.body.addEventListener("htmx:sendError", function () {
  showAlert("Нет связи с сервером: изменения не сохранены. Проверьте подключение и попробуйте ещё раз.");
});

function showAlert(text) {
  var main = document.querySelector("main");
  if (!main) { return; }
  var alert = document.createElement("div");
  alert.className = "alert alert-danger alert-dismissible fade show";
  alert.setAttribute("role", "alert");
  alert.textContent = text;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.setAttribute("data-bs-dismiss", "alert");
  close.setAttribute("aria-label", "Закрыть");
  alert.appendChild(close);
  main.insertBefore(alert, main.firstChild);
  window.scrollTo({ top: 0, behavior: "smooth" });
}

// The roadmap's tasks fold (issue 19, item 7): a task's button hides or shows its rows — a class on its <tbody>,
// since Bootstrap's collapse animates a height that table rows do not have. «Свернуть все задачи» folds them all.
function foldSection(section, folded) {
  section.classList.toggle("folded", folded);
  var button = section.querySelector(".roadmap-fold");
  if (!button) { return; }
  button.setAttribute("aria-expanded", folded ? "false" : "true");
  button.setAttribute("aria-label", button.getAttribute(folded ? "data-label-unfold" : "data-label-fold"));
  button.title = folded ? "Развернуть задачу" : "Свернуть задачу";
}
document.addEventListener("click", function (event) {
  var fold = event.target.closest("[data-fold]");
  if (fold) {
    var section = document.querySelector(fold.getAttribute("data-fold"));
    if (section) { foldSection(section, !section.classList.contains("folded")); }
  }
  var all = event.target.closest("[data-fold-all]");
  if (all) {
    document.querySelectorAll("tbody.roadmap-section").forEach(function (section) {
      foldSection(section, all.getAttribute("data-fold-all") === "fold");
    });
  }
});

// The table's header stays in view just under the roadmap's own sticky title and totals, whatever their height.
(function () {
  var head = document.querySelector(".roadmap-head");
  var card = head && head.closest(".roadmap-card");
  if (!card || !window.ResizeObserver) { return; }
  new ResizeObserver(function () {
    card.style.setProperty("--roadmap-head-height", head.offsetHeight + "px");
  }).observe(head);
})();
