// The chart of a region's public page, drawn with Chart.js from data the page puts in <script type="application/json">:
// - #years-chart-data: per school year, the schools on the list (ШНОР, ШНСУ) and those with an accepted programme, as
//   bars on #years-chart. (The results dynamics are drawn by monitoring_charts.js, as on the dashboards.)
(function () {
  "use strict";
  var source = document.getElementById("years-chart-data");
  var canvas = document.getElementById("years-chart");
  if (typeof Chart === "undefined" || !source || !canvas) {
    return;
  }
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (error) {
    return;
  }
  var colours = { shnor: "#dc3545", shnsu: "#fd7e14", accepted: "#198754" };
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.series.map(function (series) {
        return { label: series.label, data: series.data, backgroundColor: colours[series.key] || "#0d6efd" };
      })
    },
    options: {
      responsive: true,
      aspectRatio: 1.6,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "школ" } } }
    }
  });
})();
