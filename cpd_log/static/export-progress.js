// Polls a background export's status and offers the file when it is ready (no inline script: CSP).
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-progress");
  var text = document.getElementById("export-status");
  var link = document.getElementById("export-file");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        if (job.state === "done") {
          bar.value = bar.max;
          text.textContent = "Ready: " + job.pages + " pages.";
          link.classList.remove("d-none");
          window.location.assign(job.file);
        } else if (job.state === "stale") {
          // The portfolio changed: the page itself now says so and offers a new export.
          window.location.reload();
        } else if (job.state === "failed") {
          text.textContent = job.message;
        } else if (job.state === "queued") {
          text.textContent = "Waiting for a worker…";
          window.setTimeout(poll, 1000);
        } else {
          bar.value = Math.min(job.pages, bar.max);
          text.textContent = "Working… " + job.pages + " pages so far.";
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
})();
