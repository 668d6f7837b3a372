// Sortable tables, and a mark on each chart once the browser has laid it out. No network, no library.
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    return cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
  }
  function isNumber(text) {
    return text !== "" && !isNaN(Number(text));
  }
  function sortTable(table, index, button) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var th = button.closest("th");
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var numeric = rows.every(function (r) { var v = cellValue(r, index); return v === "" || isNumber(v); });
    var collator = new Intl.Collator(document.documentElement.lang || "fr", { sensitivity: "base", numeric: true });
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (x === "" && y !== "") return 1;
      if (y === "" && x !== "") return -1;
      var order = numeric ? Number(x) - Number(y) : collator.compare(x, y);
      return ascending ? order : -order;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.tHead.querySelectorAll("th button").forEach(function (button) {
      button.addEventListener("click", function () {
        sortTable(table, button.closest("th").cellIndex, button);
      });
    });
  });
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var svg = figure.querySelector("svg");
    var box = svg && svg.getBoundingClientRect();
    var drawn = svg && svg.querySelectorAll("path, rect, use").length;
    figure.setAttribute("data-rendered", box && box.width > 0 && box.height > 0 && drawn > 0 ? "yes" : "no");
  });
})();
