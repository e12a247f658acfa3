/* The developers' page "try it" form: builds a request URL of the tourism API from the
 * chosen endpoint, an id and query parameters, and shows the live answer. Same-origin
 * requests only; no inline script (CSP), no third-party code. */
(function () {
  "use strict";
  var LIMIT = 20000;

  function build(form) {
    var path = form.querySelector("[data-try-endpoint]").value;
    var id = form.querySelector("[data-try-id]").value.trim();
    var query = form.querySelector("[data-try-query]").value.trim().replace(/^\?/, "");
    if (path.indexOf("{id}") !== -1) {
      path = path.replace("{id}", encodeURIComponent(id || "khach-san-bien-xanh"));
    }
    var url = new URL(path, window.location.origin);
    if (query) {
      new URLSearchParams(query).forEach(function (value, key) { url.searchParams.append(key, value); });
    }
    return url.pathname + url.search;
  }

  function setUp(form) {
    var section = form.closest("section") || document;
    var link = section.querySelector("[data-try-url]");
    var status = section.querySelector("[data-try-status]");
    var output = section.querySelector("[data-try-response]");
    var select = form.querySelector("[data-try-endpoint]");
    var queryBox = form.querySelector("[data-try-query]");

    function show() {
      var url = build(form);
      link.href = url;
      link.querySelector("code").textContent = url;
      return url;
    }
    function example() {
      var option = select.options[select.selectedIndex];
      var sample = option ? option.getAttribute("data-example") || "" : "";
      var at = sample.indexOf("?");
      queryBox.value = at === -1 ? "" : decodeURIComponent(sample.slice(at + 1).replace(/\+/g, " "));
      show();
    }
    select.addEventListener("change", example);
    form.addEventListener("input", show);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = show();
      status.textContent = "…";
      output.textContent = "";
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.text().then(function (text) {
            status.textContent = response.status + " " + (response.headers.get("Content-Type") || "");
            var shown = text;
            try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (e) { /* not JSON */ }
            output.textContent = shown.length > LIMIT ? shown.slice(0, LIMIT) + "\n…" : shown;
            output.setAttribute("data-status", String(response.status));
          });
        })
        .catch(function (error) { status.textContent = String(error); });
    });
    example();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-khtourism-try]"), setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
