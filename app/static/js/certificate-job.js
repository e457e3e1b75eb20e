// certificates: the issuance job page polls the job's progress (done/total) until it ends.
(function () {
  var box = document.getElementById("job");
  if (!box) { return; }
  var labels = JSON.parse(box.dataset.labels || "{}");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        document.getElementById("job-done").textContent = job.done;
        document.getElementById("job-total").textContent = job.total;
        var bar = document.getElementById("job-progress");
        bar.max = job.total || 1;
        bar.value = job.done;
        document.getElementById("job-state").textContent = labels[job.state] || job.state;
        if (job.state === "queued" || job.state === "running") { setTimeout(poll, 1500); }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (box.dataset.state === "queued" || box.dataset.state === "running") { setTimeout(poll, 1000); }
})();
