/* ORD-03 review batch page: keyboard work through the batch (a static file: the Content-Security-Policy
   allows no inline script). */
(function () {
  // ORD-03 keyboard: J/↓ and K/↑ move, A approves, H holds (asks the reason), C cancels, Enter opens.
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#batch-orders tbody tr")); }
  function focus(i) {
    var all = rows();
    if (!all.length) return;
    all.forEach(function (r) { r.classList.remove("table-active"); });
    current = Math.max(0, Math.min(all.length - 1, i));
    all[current].classList.add("table-active");
    all[current].focus({preventScroll: true});
    all[current].scrollIntoView({block: "nearest"});
  }
  function nextOpen(from) {
    var all = rows();
    for (var i = from; i < all.length; i++) { if (all[i].querySelector("[data-key=a]")) return i; }
    for (var j = 0; j < from && j < all.length; j++) { if (all[j].querySelector("[data-key=a]")) return j; }
    return Math.min(from, all.length - 1);
  }
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select, summary") || event.ctrlKey || event.metaKey || event.altKey) return;
    var all = rows();
    if (!all.length) return;
    var key = event.key.toLowerCase();
    if (key === "j" || key === "arrowdown") { focus(current + 1); event.preventDefault(); }
    else if (key === "k" || key === "arrowup") { focus(current - 1); event.preventDefault(); }
    else if (key === "a" || key === "h" || key === "c") {
      var button = all[current] && all[current].querySelector("[data-key=" + key + "]");
      if (button) { event.preventDefault(); button.click(); }
    } else if (key === "enter" && all[current]) { window.location = all[current].dataset.href; }
  });
  // After htmx swapped a row back in, go on with the next order still waiting.
  document.body.addEventListener("htmx:afterSettle", function () { focus(nextOpen(Math.max(current, 0))); });
  focus(nextOpen(0));
})();
