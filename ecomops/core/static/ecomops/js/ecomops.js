/* EcomOps: small behaviours shared by every page (no framework besides htmx and Bootstrap). */
(function () {
  "use strict";

  // Elements with data-eo-submit-on-change submit their form when changed (filters, language).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("[data-eo-submit-on-change]") && target.form) {
      target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
    }
  });

  // Forms with data-eo-confirm ask before they are sent (publishing, irreversible acts).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.eoConfirm && !window.confirm(form.dataset.eoConfirm)) {
      event.preventDefault();
    }
  });

  // Bars sized by data: data-eo-width="40" is 40 % (the Content-Security-Policy allows no inline style
  // attribute; a width set from script is allowed). Also in content htmx swaps in.
  function applyWidths(root) {
    var found = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll("[data-eo-width]") : []);
    if (root.matches && root.matches("[data-eo-width]")) found.push(root);
    found.forEach(function (element) {
      var percent = parseFloat(element.dataset.eoWidth);
      element.style.width = (isNaN(percent) ? 0 : Math.max(0, Math.min(100, percent))) + "%";
    });
  }
  applyWidths(document);
  document.body.addEventListener("htmx:load", function (event) { applyWidths(event.detail.elt); });

  // A server error answered to an htmx request is shown instead of silently ignored.
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("messages");
    if (!box) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-danger py-2";
    alert.setAttribute("role", "alert");
    alert.textContent = box.dataset.errorText || "Error " + event.detail.xhr.status;
    box.appendChild(alert);
  });
})();

/* Tier-table editor (policy change page): "add a row" copies the last row, empty, with the next index.
   Without scripts the page still works: it always offers blank rows, and a row left blank is ignored. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-eo-add-tier-row]");
    if (!button) return;
    var form = button.closest("form");
    var grid = form && form.querySelector("[data-eo-tier-grid] tbody");
    var counter = form && form.querySelector("[data-eo-tier-count]");
    if (!grid || !counter) return;
    var rows = grid.querySelectorAll("[data-eo-tier-row]");
    var last = rows[rows.length - 1];
    if (!last) return;
    var index = parseInt(counter.value, 10) || rows.length;
    var copy = last.cloneNode(true);
    copy.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/^tier-\d+-/, "tier-" + index + "-");
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
    var number = copy.querySelector("[data-eo-row-number]");
    if (number) number.textContent = String(index + 1);
    grid.appendChild(copy);
    counter.value = String(index + 1);
    var first = copy.querySelector("input:not([type=checkbox])");
    if (first) first.focus();
  });
})();
