// The board pack's "Print or save as PDF" button (no inline handlers: CSP), and its
// running header on paper.
(function () {
  "use strict";

  // The quarter in every printed page's header: an @page margin box can only show a
  // string, and CSP (style-src 'self') forbids an inline <style>, so the rule is added
  // through the CSSOM, which CSP does not govern, to the print stylesheet's own sheet.
  var paper = document.querySelector("[data-running-header]");
  if (paper) {
    var header = paper.getAttribute("data-running-header");
    var sheet = Array.prototype.find.call(document.styleSheets, function (each) {
      return each.href && /\/css\/print(\.[0-9a-f]+)?\.css$/.test(each.href.split("?")[0]);
    });
    if (sheet) {
      sheet.insertRule(
        "@page { @top-left { content: " + JSON.stringify(header) + "; } }",
        sheet.cssRules.length,
      );
    }
  }

  // Print once the charts have drawn (charts.js sets data-charts-ready on <body>).
  function whenChartsReady(callback) {
    if (document.body.hasAttribute("data-charts-ready") || !document.querySelector("[data-chart]")) {
      callback();
    } else {
      document.addEventListener("charts:ready", callback, { once: true });
    }
  }

  document.querySelectorAll("[data-print-page]").forEach(function (button) {
    button.addEventListener("click", function () {
      whenChartsReady(function () {
        window.print();
      });
    });
  });
})();
