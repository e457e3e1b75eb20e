/* records/: the talent pool's consent text follows the member's choices */
(function () {
  // Keep the consent text (and what it names) in step with the boxes, so the member agrees to what is recorded.
  var form = document.querySelector("[data-test=pool-form]");
  if (!form) return;
  var texts = JSON.parse(document.getElementById("consent-wordings").textContent);
  var fields = ["trades", "certificates", "city", "experience"];
  function update() {
    var chosen = fields.filter(function (f) { var box = form.querySelector("#show_" + f); return box && box.checked; });
    var key = chosen.join(",");
    if (texts[key] === undefined) return;
    var shown = form.querySelector("input[name=consent_fields]");
    if (shown.value !== key) { form.querySelector("#agree").checked = false; }
    shown.value = key;
    form.querySelector("[data-test=consent-text]").textContent = texts[key];
  }
  form.addEventListener("change", function (e) { if (e.target.id && e.target.id.indexOf("show_") === 0) update(); });
})();
