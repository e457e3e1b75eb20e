/* Enterprise orders: the roster import's progress bar (polls the upload until it is done), the print button. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var box = document.querySelector(".upload-report[data-poll]");
  if (!box) { return; }
  var status = box.getAttribute("data-status");
  if (status === "done" || status === "failed") { return; }
  var bar = box.querySelector("progress"), processed = box.querySelector(".processed");
  function poll() {
    fetch(box.getAttribute("data-poll"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        bar.max = data.total_rows || 1;
        bar.value = data.processed_rows;
        processed.textContent = data.processed_rows;
        if (data.status === "done" || data.status === "failed") { window.location.reload(); }
        else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();
