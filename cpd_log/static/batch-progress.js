// Polls a large import's job (no inline script: CSP): a calendar being read, a spreadsheet's rows
// being checked or imported. Moves on to the preview once the file is read or its rows checked,
// or the job failed (the preview says why); says what was imported once done.
(function () {
  "use strict";
  var box = document.getElementById("sheet-job");
  if (!box) { return; }
  var bar = document.getElementById("sheet-progress");
  var text = document.getElementById("sheet-status");
  var labels = {
    queued: "Waiting to start…", reading: "Reading events…", staging: "Checking rows… ",
    importing: "Importing… "
  };
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.max = Math.max(job.total, 1);
        if (job.state === "staged" || job.state === "failed") {
          window.location.assign(job.next);  // the preview (it shows a failure's message)
        } else if (job.state === "done") {
          bar.value = bar.max;
          text.textContent = job.message;
        } else {
          bar.value = Math.min(job.done, bar.max);
          var count = job.state === "staging" && job.total ? job.done + " of " + job.total : "";
          text.textContent = (labels[job.state] || "Working… ") + count;
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (["done", "failed"].indexOf(box.dataset.state) === -1) { poll(); }
})();
