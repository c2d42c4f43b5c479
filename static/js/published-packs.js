// The board pack page's published versions: while one is publishing, ask its
// status every few seconds and say the result (no inline script: CSP).
(function () {
  var status = document.querySelector("[data-publish-status]");
  document.querySelectorAll("[data-poll-url]").forEach(function (tag) {
    var url = tag.getAttribute("data-poll-url");
    var cell = tag.closest("[data-pack-cell]");
    var row = tag.closest("tr");
    var tries = 0;
    function ask() {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          if (answer.status === "publishing") {
            if (tries < 100) { window.setTimeout(ask, 3000); }
            return;
          }
          if (row) { row.setAttribute("data-pack-status", answer.status); }
          cell.textContent = "";
          if (answer.status === "published") {
            var when = row && row.querySelector("[data-pack-published]");
            if (when) { when.textContent = answer.published_at; }
            var link = document.createElement("a");
            link.href = answer.download_url;
            link.setAttribute("download", "");
            link.textContent = answer.download_label;
            cell.appendChild(link);
          } else {
            var failed = document.createElement("strong");
            failed.className = "nhsuk-tag nhsuk-tag--red";
            failed.textContent = answer.label || "Failed";
            var why = document.createElement("span");
            why.className = "nhsuk-body-s";
            why.textContent = " " + (answer.message || "");
            cell.appendChild(failed);
            cell.appendChild(why);
          }
          if (status) { status.textContent = answer.message || answer.label; }
        })
        .catch(function () {
          if (tries < 100) { window.setTimeout(ask, 5000); }
        });
    }
    window.setTimeout(ask, 2000);
  });
})();
