// Polls an account import's status and shows what was imported (no inline script: CSP).
(function () {
  "use strict";
  var box = document.getElementById("import-job");
  if (!box) { return; }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-status");
  var list = document.getElementById("import-counts");
  var labels = { queued: "Waiting to start…", checking: "Checking the backup… ", importing: "Importing… " };
  function showCounts(counts) {
    list.textContent = "";
    Object.keys(counts).forEach(function (what) {
      if (!counts[what]) { return; }
      var item = document.createElement("li");
      item.textContent = counts[what] + " " + what;
      list.appendChild(item);
    });
    if (!list.children.length) {
      var none = document.createElement("li");
      none.textContent = "Nothing new to import: everything in the file is already in your account.";
      list.appendChild(none);
    }
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.max = Math.max(job.total, 1);
        if (job.state === "done") {
          bar.value = bar.max;
          text.textContent = "Imported." + (job.message ? " " + job.message : "");
          showCounts(job.counts);
        } else if (job.state === "failed") {
          text.textContent = job.message;
        } else {
          bar.value = Math.min(job.done, bar.max);
          var count = job.total ? job.done + " of " + job.total : "";
          text.textContent = (labels[job.state] || "Working… ") + count;
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (["done", "failed"].indexOf(box.dataset.state) === -1) { poll(); }
})();
