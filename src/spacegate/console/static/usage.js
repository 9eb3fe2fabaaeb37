/* Usage charts: draws every <canvas data-chart="..."> from the JSON in #usage-data.
   The same numbers are in the tables beneath each chart, so the page works without this. */
(function () {
  "use strict";
  var CHART_SRC = "/console/static/vendor/chart.umd.min.js";
  var PALETTE = ["#2f5bd3", "#e07b39", "#1f7a3d", "#b42318", "#7a4cc2", "#0e8a9a",
                 "#c29d0b", "#5b6470", "#d6478f", "#3d8b37"];

  function color(i) { return PALETTE[i % PALETTE.length]; }

  function stacked(data, path) {
    var parts = path.split(".");
    var series = data[parts[0]] || [];
    return {
      type: "bar",
      data: {
        labels: data.days,
        datasets: series.map(function (s, i) {
          return { label: s.label, data: s[parts[1]], backgroundColor: color(i) };
        })
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    };
  }

  function bars(rows, field, horizontal) {
    return {
      type: "bar",
      data: {
        labels: rows.map(function (r) { return r.label; }),
        datasets: [{
          label: field === "cost" ? "Cost" : "Tokens",
          data: rows.map(function (r) { return r[field]; }),
          backgroundColor: rows.map(function (_, i) { return color(i); })
        }]
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
      }
    };
  }

  function config(data, name, kind) {
    if (kind === "stacked") return stacked(data, name);
    if (name === "cost_by_space") return bars(data.cost_by_space || [], "cost", false);
    return bars(data.top_keys || [], "tokens", kind === "hbar");
  }

  function draw() {
    var source = document.getElementById("usage-data");
    if (!source || !window.Chart) return;
    var data = JSON.parse(source.textContent);
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var existing = window.Chart.getChart(canvas);
      if (existing) existing.destroy();
      var cfg = config(data, canvas.getAttribute("data-chart"), canvas.getAttribute("data-kind"));
      cfg.options.responsive = true;
      cfg.options.maintainAspectRatio = false;
      cfg.options.animation = still ? false : { duration: 300 };
      new window.Chart(canvas, cfg);
    });
  }

  function start() {
    if (window.Chart) { draw(); return; }
    // A page reached through htmx navigation has not loaded the chart library yet.
    var tag = document.querySelector('script[data-chart-library]');
    if (!tag) {
      tag = document.createElement("script");
      tag.src = CHART_SRC;
      tag.setAttribute("data-chart-library", "");
      document.head.appendChild(tag);
    }
    tag.addEventListener("load", draw, { once: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, { once: true });
  } else {
    start();
  }
})();
