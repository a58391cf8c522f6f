/* Daily P10/P50/P90 bands with Chart.js: every <canvas class="band-chart"> names the
 * <script type="application/json"> block holding its series (data-source). The band is
 * the area between the P10 and P90 lines; P50 is drawn on top. Chart.js draws text on
 * the canvas, so labels are never parsed as HTML. */
(function () {
  "use strict";

  if (!window.Chart) {
    return;
  }
  var BAND = "rgba(215, 48, 31, 0.18)";
  var EDGE = "rgba(215, 48, 31, 0.45)";
  var LINE = "#a50f15";

  function number(value) {
    return Number(value).toLocaleString("en", { maximumFractionDigits: 2 });
  }

  document.querySelectorAll("canvas.band-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.getAttribute("data-source"));
    if (!source) {
      return;
    }
    var band = JSON.parse(source.textContent);
    var chart = new window.Chart(canvas, {
      type: "line",
      data: {
        labels: band.dates,
        datasets: [
          { label: "P10", data: band.p10, borderColor: EDGE, borderWidth: 1, pointRadius: 0, fill: false },
          { label: "P90", data: band.p90, borderColor: EDGE, borderWidth: 1, pointRadius: 0, backgroundColor: BAND, fill: "-1" },
          { label: "P50", data: band.p50, borderColor: LINE, backgroundColor: LINE, borderWidth: 2, pointRadius: 0, fill: false }
        ]
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 8, maxRotation: 0 }, grid: { display: false } },
          y: { beginAtZero: true, title: { display: true, text: band.unit } }
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              // One entry for the band (drawn by the P90 dataset), one for the P50 line.
              filter: function (item) { return item.datasetIndex !== 0; },
              generateLabels: function (chart) {
                var items = window.Chart.defaults.plugins.legend.labels.generateLabels(chart);
                items.forEach(function (item) {
                  if (item.datasetIndex === 1) {
                    item.text = "P10–P90";
                  }
                });
                return items;
              }
            }
          },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + number(item.parsed.y);
              }
            }
          }
        }
      }
    });
    canvas.setAttribute("data-ready", "true");
    canvas.chart = chart;
  });
})();
