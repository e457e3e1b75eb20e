// Enrollment page: hold countdown and the Stripe card form (progressive enhancement).
(function () {
  "use strict";
  var countdown = document.querySelector(".countdown[data-deadline]");
  if (countdown) {
    var deadline = new Date(countdown.getAttribute("data-deadline")).getTime();
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      countdown.textContent = " (" + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + ")";
      if (left > 0) { window.setTimeout(tick, 1000); }
    };
    tick();
  }
  var form = document.getElementById("stripe-pay");
  if (!form || typeof window.Stripe !== "function") { return; }
  var stripe = window.Stripe(form.getAttribute("data-publishable-key"));
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    stripe.confirmCardPayment(form.getAttribute("data-client-secret"), { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) {
          errors.textContent = result.error.message;
          button.disabled = false;
          return;
        }
        // The webhook, not this page, marks the payment paid: wait for it and reload.
        errors.textContent = form.getAttribute("data-processing");
        window.setTimeout(function () { window.location.reload(); }, 3000);
      });
  });
})();
