// Draw every chart on the page from its JSON (rendered by Django's json_script).
// Loaded with `defer` after plotly-basic.min.js, so Plotly exists by now.
(function () {
  "use strict";

  var config = {
    displayModeBar: false, // no unlabelled icon buttons
    responsive: true,
    scrollZoom: false,
  };

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data || [], figure.layout || {}, config).then(
      function () {
        element.setAttribute("data-chart-drawn", "true");
      },
    );
  }

  function drawAll() {
    if (!window.Plotly) {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
