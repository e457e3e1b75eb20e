// The exam page: autosave with sequence numbers (newest wins on the server), time left from the
// server's clock, unanswered count, confirmation before submit, submit at the deadline.
(function () {
  "use strict";
  var form = document.getElementById("exam-form");
  if (!form) { return; }
  var attempt = form.getAttribute("data-attempt");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content;
  if (form.getAttribute("data-overdue") === "yes") { form.submit(); return; }
  var bar = document.getElementById("exam-bar");
  var state = document.getElementById("save-state");
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  var pending = {};
  var submitting = false;

  function responseOf(fs) {
    var kind = fs.getAttribute("data-kind");
    if (kind === "single" || kind === "multiple" || kind === "true_false") {
      return Array.prototype.map.call(fs.querySelectorAll("input:checked"), function (i) { return i.value; });
    }
    var values = Array.prototype.map.call(fs.querySelectorAll("input[type=text], textarea"), function (i) { return i.value; });
    return values.some(function (v) { return v.trim() !== ""; }) ? values : [];
  }
  function countUnanswered() {
    var n = questions.filter(function (fs) { return responseOf(fs).length === 0; }).length;
    var el = document.getElementById("unanswered");
    if (el) { el.textContent = n; }
    return n;
  }
  function flush() {
    var items = Object.keys(pending).map(function (k) { return pending[k]; });
    if (!items.length) { return; }
    pending = {};
    fetch("/api/v1/attempts/" + attempt + "/answers", {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ answers: items })
    }).then(function (r) {
      if (r.status === 409) { submitting = true; window.location.reload(); return; }
      if (!r.ok) { throw new Error(r.status); }
      state.textContent = form.getAttribute("data-saved-text");
    }).catch(function () {
      items.forEach(function (item) {   // keep the newest per question and retry
        var current = pending[item.position];
        if (!current || current.seq < item.seq) { pending[item.position] = item; }
      });
      state.textContent = form.getAttribute("data-offline-text");
      window.setTimeout(flush, 3000);
    });
  }
  var timer = null;
  questions.forEach(function (fs) {
    fs.addEventListener("input", function () {
      var seq = parseInt(fs.getAttribute("data-seq"), 10) + 1;
      fs.setAttribute("data-seq", seq);
      pending[fs.getAttribute("data-position")] = {
        position: parseInt(fs.getAttribute("data-position"), 10), response: responseOf(fs), seq: seq };
      countUnanswered();
      window.clearTimeout(timer);
      timer = window.setTimeout(flush, 600);
    });
  });
  form.addEventListener("submit", function (event) {
    if (submitting) { return; }
    var text = form.getAttribute("data-confirm-text").replace("{n}", countUnanswered());
    if (!window.confirm(text)) { event.preventDefault(); return; }
    submitting = true;
  });
  var left = bar && parseInt(bar.getAttribute("data-left"), 10);
  if (left >= 0) {
    var deadline = Date.now() + left * 1000;
    var clock = document.getElementById("time-left");
    var tick = function () {
      var s = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      clock.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      if (s <= 300) { bar.classList.add("hurry"); }
      if (s === 0) { flush(); submitting = true; window.setTimeout(function () { form.submit(); }, 800); return; }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
  window.addEventListener("beforeunload", flush);
})();
