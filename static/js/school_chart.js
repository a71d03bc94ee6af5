// The school page's chart of results: mean ЕГЭ scores (left axis) and the share below the minimum (right axis).
// Data come from the page in <script type="application/json" id="school-results-data">.
(function () {
  "use strict";
  var source = document.getElementById("school-results-data");
  var canvas = document.getElementById("school-results-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var colours = { russian: "#0d6efd", math_profile: "#d63384" };
  var datasets = data.series.map(function (series) {
    var colour = colours[series.subject] || "#6c757d";
    var share = series.axis === "share";
    return {
      label: series.label,
      data: series.data,
      yAxisID: share ? "share" : "score",
      borderColor: colour,
      backgroundColor: colour,
      borderDash: share ? [6, 4] : [],
      pointStyle: share ? "rectRot" : "circle",
      pointRadius: 4,
      tension: 0.25,
      spanGaps: true
    };
  });
  var hasShare = data.series.some(function (s) { return s.axis === "share"; });
  var number = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 2 });
  new Chart(canvas, {
    type: "line",
    data: { labels: data.years, datasets: datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
        tooltip: {
          callbacks: {
            label: function (context) {
              var value = context.parsed.y;
              if (value === null || value === undefined) {
                return context.dataset.label + ": нет данных";
              }
              return context.dataset.label + ": " + number.format(value);
            }
          }
        }
      },
      scales: {
        score: {
          type: "linear",
          position: "left",
          suggestedMin: 0,
          suggestedMax: 100,
          title: { display: true, text: "Средний балл" }
        },
        share: {
          type: "linear",
          position: "right",
          display: hasShare,
          suggestedMin: 0,
          suggestedMax: 20,
          grid: { drawOnChartArea: false },
          title: { display: true, text: "Не преодолели минимум, %" }
        }
      }
    }
  });
})();
