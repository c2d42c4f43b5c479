// Draw every chart on the page from its JSON (rendered by Django's json_script).
// Loaded with `defer` after plotly-basic.min.js, so Plotly exists by now.
//
// Once every chart has drawn (or failed to), <body> gets data-charts-ready="true"
// and a "charts:ready" event fires on document: printing (the board pack's
// button, the PDF publisher's page.pdf) waits for it, so paper has the charts.
// Without plotly.js the attribute is "unavailable": the charts' summaries and
// tables still print.
(function () {
  "use strict";

  var config = {
    displayModeBar: false, // no unlabelled icon buttons
    responsive: true,
    scrollZoom: false,
  };

  function ready(state) {
    document.body.setAttribute("data-charts-ready", state);
    document.dispatchEvent(new CustomEvent("charts:ready", { detail: { state: state } }));
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return Promise.resolve();
    }
    var figure = JSON.parse(source.textContent);
    return window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, config).then(
      function () {
        element.setAttribute("data-chart-drawn", "true");
      },
    );
  }

  function drawAll() {
    if (!window.Plotly) {
      ready("unavailable");
      return;
    }
    var drawing = Array.prototype.map.call(document.querySelectorAll("[data-chart]"), draw);
    Promise.allSettled(drawing).then(function () {
      ready("true");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
