// Catalog search box: suggestions as you type from GET /api/v1/search/suggest (progressive
// enhancement: without JavaScript the form still searches).
(function () {
  "use strict";
  var input = document.querySelector("input[data-suggest-url]");
  var list = document.getElementById("suggestions");
  if (!input || !list || !window.fetch) { return; }
  var url = input.getAttribute("data-suggest-url");
  var kinds = { synonym: list.getAttribute("data-synonym-label") };
  var timer = null, active = -1, last = null, controller = null;

  function close() {
    list.hidden = true; list.innerHTML = ""; active = -1;
    input.setAttribute("aria-expanded", "false");
  }

  function item(text, href, hint) {
    var li = document.createElement("li");
    li.setAttribute("role", "option");
    var a = document.createElement("a");
    a.href = href;
    var label = document.createElement("span");
    label.textContent = text;
    a.appendChild(label);
    if (hint) {
      var h = document.createElement("span");
      h.className = "hint"; h.textContent = hint;
      a.appendChild(h);
    }
    li.appendChild(a);
    return li;
  }

  function heading(text) {
    var li = document.createElement("li");
    li.className = "heading"; li.textContent = text;
    return li;
  }

  function show(body) {
    list.innerHTML = "";
    body.items.forEach(function (s) {
      var hint = s.kind === "synonym" ? (kinds.synonym + " " + s.hint) : "";
      list.appendChild(item(s.text, s.url, hint));
    });
    if (!body.items.length && body.popular.length) {
      list.appendChild(heading(list.getAttribute("data-popular-label")));
      body.popular.forEach(function (word) {
        list.appendChild(item(word, input.form.action + "?q=" + encodeURIComponent(word), ""));
      });
    }
    list.hidden = !list.children.length;
    input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
  }

  function fetchSuggestions() {
    var q = input.value.trim();
    if (q === last) { return; }
    last = q;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" },
                                                  signal: controller ? controller.signal : undefined })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body && input.value.trim() === q) { show(body); } })
      .catch(function () { /* offline or aborted: the form still works */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchSuggestions, 150);
  });
  input.addEventListener("focus", function () { if (!input.value.trim()) { last = null; fetchSuggestions(); } });
  input.addEventListener("keydown", function (event) {
    var links = list.querySelectorAll("li a");
    if (list.hidden || !links.length) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : links.length - 1)) % links.length;
      Array.prototype.forEach.call(links, function (a, i) { a.parentNode.classList.toggle("active", i === active); });
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = links[active].href;
    } else if (event.key === "Escape") {
      close();
    }
  });
  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) { close(); }
  });
})();
