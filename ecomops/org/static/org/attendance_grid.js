// The attendance month grid (org/attendance_grid.html), by keyboard: the arrow keys and Enter move
// between the day cells (left/right only at the text's edge), a focused cell has its text selected so
// typing replaces it, changed cells are marked and counted, Ctrl+S saves, and "空白工作日填为正常"
// fills the empty working-day cells with √ (saved only when the form is).
(function () {
  "use strict";
  var form = document.getElementById("attendance-grid");
  if (!form) return;
  var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr"), function (tr) {
    return Array.prototype.slice.call(tr.querySelectorAll("td"));
  });
  var counter = form.querySelector("[data-grid-changed]");

  function cellInput(r, c) {
    var row = rows[r];
    var td = row && row[c];
    return td ? td.querySelector("input.eo-cell") : null;
  }
  function position(input) {
    var td = input.closest("td");
    var tr = td.parentElement;
    var r = rows.findIndex(function (row) { return row.length && row[0].parentElement === tr; });
    return [r, rows[r].indexOf(td)];
  }
  function move(input, dr, dc) {
    var p = position(input), r = p[0] + dr, c = p[1] + dc;
    while (r >= 0 && r < rows.length && c >= 0 && c < rows[r].length) {
      var next = cellInput(r, c);
      if (next) { next.focus(); next.select(); return; }
      r += dr; c += dc;
    }
  }
  function refresh() {
    var changed = 0;
    form.querySelectorAll("input.eo-cell").forEach(function (input) {
      var differs = input.value.trim() !== (input.dataset.original || "");
      input.classList.toggle("eo-changed", differs);
      if (differs) changed += 1;
    });
    if (counter) counter.textContent = changed ? "已修改 " + changed + " 格，尚未保存" : "";
  }

  form.addEventListener("focusin", function (event) {
    if (event.target.matches("input.eo-cell")) event.target.select();
  });
  form.addEventListener("input", refresh);
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (!input.matches("input.eo-cell")) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) { event.preventDefault(); move(input, 1, 0); }
    else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) { event.preventDefault(); move(input, -1, 0); }
    else if (event.key === "ArrowRight" && (atEnd || whole)) { event.preventDefault(); move(input, 0, 1); }
    else if (event.key === "ArrowLeft" && (atStart || whole)) { event.preventDefault(); move(input, 0, -1); }
  });
  var fill = form.querySelector("[data-grid-fill]");
  if (fill) {
    fill.addEventListener("click", function () {
      form.querySelectorAll("input.eo-cell").forEach(function (input) {
        if (!input.readOnly && input.dataset.working === "1" && !input.value.trim()) input.value = "√";
      });
      refresh();
    });
  }
  refresh();
})();
