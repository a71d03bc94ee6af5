// Charts of monitoring pages, drawn with Chart.js from data the page puts in <script type="application/json">:
// - #indicator-chart-data: an indicator's plan (with its baseline) and actual values by school year;
// - #risk-chart-data: a school's risk levels (1–3) per factor, this year against last year;
// - #dynamics-chart-data: results dynamics (mean scores by school year), ШНОР against the other schools, one chart
//   per measure, drawn on the canvases .dynamics-chart[data-chart=<index>];
// - #regions-chart-data: the regions side by side (ШНОР, ШНСУ, accepted programmes per region), drawn on #regions-chart;
// - #years-chart-data: a region's public page, the same counts per school year, drawn on #years-chart.
(function () {
  "use strict";
  if (typeof Chart === "undefined") {
    return;
  }
  var number = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 2 });

  function read(id) {
    var source = document.getElementById(id);
    if (!source) {
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      return null;
    }
  }

  var indicator = read("indicator-chart-data");
  var indicatorCanvas = document.getElementById("indicator-chart");
  if (indicator && indicatorCanvas) {
    var styles = {
      plan: { borderColor: "#6c757d", backgroundColor: "#6c757d", borderDash: [6, 4], pointStyle: "rectRot" },
      actual: { borderColor: "#0d6efd", backgroundColor: "#0d6efd", borderDash: [], pointStyle: "circle" }
    };
    new Chart(indicatorCanvas, {
      type: "line",
      data: {
        labels: indicator.labels,
        datasets: indicator.series.map(function (series) {
          var style = styles[series.kind] || styles.actual;
          return {
            label: series.label,
            data: series.data,
            borderColor: style.borderColor,
            backgroundColor: style.backgroundColor,
            borderDash: style.borderDash,
            pointStyle: style.pointStyle,
            pointRadius: 4,
            tension: 0.2,
            spanGaps: true
          };
        })
      },
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
                return context.dataset.label + ": " + number.format(value) + " " + indicator.unit;
              }
            }
          }
        },
        scales: {
          y: {
            suggestedMin: 0,
            suggestedMax: indicator.unit === "%" ? 100 : undefined,
            title: { display: true, text: indicator.unit + (indicator.higher_is_better ? " (чем больше, тем лучше)" : " (чем меньше, тем лучше)") }
          }
        }
      }
    });
  }

  var risk = read("risk-chart-data");
  var riskCanvas = document.getElementById("risk-chart");
  if (risk && riskCanvas) {
    var colours = ["#adb5bd", "#dc3545"];
    new Chart(riskCanvas, {
      type: "bar",
      data: {
        labels: risk.labels.map(function (label) { return label.length > 40 ? label.slice(0, 38) + "…" : label; }),
        datasets: risk.series.map(function (series, index) {
          var colour = colours[(index + colours.length - risk.series.length) % colours.length];
          return { label: series.label, data: series.data, backgroundColor: colour };
        })
      },
      options: {
        indexAxis: "y",
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { min: 0, max: 3, ticks: { stepSize: 1 }, title: { display: true, text: "Уровень риска: 1 — низкий, 3 — высокий" } }
        }
      }
    });
  }

  // Schools counted per group (ШНОР, ШНСУ, with an accepted programme) as bars: the regions of the «Регионы» page,
  // the school years of a region's public page.
  function schoolBars(dataId, canvasId, aspectRatio) {
    var data = read(dataId);
    var canvas = document.getElementById(canvasId);
    if (!data || !canvas) {
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
        aspectRatio: aspectRatio,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "школ" } } }
      }
    });
  }
  schoolBars("regions-chart-data", "regions-chart", 2.5);
  schoolBars("years-chart-data", "years-chart", 1.6);

  var dynamics = read("dynamics-chart-data");
  if (dynamics) {
    var groupStyles = {
      shnor: { colour: "#dc3545", dash: [], point: "circle" },
      other: { colour: "#0d6efd", dash: [6, 4], point: "rectRot" }
    };
    var canvases = document.querySelectorAll("canvas.dynamics-chart");
    for (var i = 0; i < canvases.length; i++) {
      var chart = dynamics[parseInt(canvases[i].getAttribute("data-chart"), 10)];
      if (!chart) {
        continue;
      }
      new Chart(canvases[i], {
        type: "line",
        data: {
          labels: chart.labels,
          datasets: chart.series.map(function (series) {
            var style = groupStyles[series.kind] || groupStyles.other;
            return {
              label: series.label,
              data: series.data,
              borderColor: style.colour,
              backgroundColor: style.colour,
              borderDash: style.dash,
              pointStyle: style.point,
              pointRadius: 4,
              tension: 0.2,
              spanGaps: true
            };
          })
        },
        options: {
          responsive: true,
          aspectRatio: 2,
          interaction: { mode: "index", intersect: false },
          plugins: {
            title: { display: true, text: chart.title },
            legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
            tooltip: {
              callbacks: {
                label: function (context) {
                  var value = context.parsed.y;
                  return context.dataset.label + ": " + (value === null || value === undefined ? "нет данных" : number.format(value));
                }
              }
            }
          },
          scales: { y: { title: { display: true, text: "средний балл" } } }
        }
      });
    }
  }
})();
