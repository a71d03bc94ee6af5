// The department's dashboard shows its municipality table one group of columns at a time
// (templates/monitoring/dashboard.html). Each tab is a link that works without scripts; here it switches the
// hidden cells at once, keeps the address and the pages' links on the chosen group.
document.addEventListener("click", function (event) {
  var tab = event.target.closest("[data-column-group]");
  if (!tab) { return; }
  var table = document.getElementById(tab.getAttribute("aria-controls"));
  if (!table) { return; }
  event.preventDefault();
  var group = tab.getAttribute("data-column-group");
  table.querySelectorAll("[data-group]").forEach(function (cell) {
    cell.hidden = cell.getAttribute("data-group") !== group;
  });
  tab.closest("[role=tablist]").querySelectorAll("[data-column-group]").forEach(function (other) {
    var chosen = other === tab;
    other.classList.toggle("active", chosen);
    other.setAttribute("aria-selected", chosen ? "true" : "false");
  });
  var section = tab.closest("section") || document;
  section.querySelectorAll(".pagination a[href], input[name=columns]").forEach(function (element) {
    if (element.tagName === "INPUT") { element.value = group; return; }
    var url = new URL(element.href);
    url.searchParams.set("columns", group);
    element.href = url.toString();
  });
  history.replaceState(null, "", tab.href);
});
