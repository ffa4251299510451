/* Issue 15, the order list in bulk: select all rows of the page, count the selection, and keep the
   batch buttons off while nothing is selected (a static file: the Content-Security-Policy allows no
   inline script). Without script the form still works: the server refuses an empty selection. */
(function () {
  var form = document.getElementById("bulk-form");
  var all = document.getElementById("select-all");
  if (!form) return;
  var count = form.querySelector("[data-testid=bulk-count]");
  var idle = count ? count.textContent : "";
  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("input.eo-row-check")); }
  function update() {
    var checked = boxes().filter(function (box) { return box.checked; }).length;
    if (count) count.textContent = checked ? count.dataset.template.replace("__n__", checked) : idle;
    form.querySelectorAll("button[name=act]").forEach(function (button) { button.disabled = !checked; });
    if (all) {
      all.checked = checked > 0 && checked === boxes().length;
      all.indeterminate = checked > 0 && checked < boxes().length;
    }
  }
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("eo-row-check")) update();
  });
  update();
})();
