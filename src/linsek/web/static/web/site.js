/* Small behaviours of every page (no inline script: a strict CSP applies).
 * The search results of the header close on Escape or on a click elsewhere; ArrowDown moves into them. */
(function () {
  "use strict";
  function results() { return document.getElementById("search-results"); }
  function close() { var r = results(); if (r) r.textContent = ""; }
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".searchbar")) close();
  });
  document.addEventListener("keydown", function (event) {
    var input = document.getElementById("site-search");
    if (!input) return;
    if (event.key === "Escape" && input.closest(".searchbar").contains(document.activeElement)) {
      close();
      input.focus();
    } else if (event.key === "ArrowDown" && document.activeElement === input) {
      var first = results() && results().querySelector("a");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
})();
