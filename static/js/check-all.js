// "Select all" for tables of checkboxes.
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (box) {
    box.addEventListener("change", function () {
      box.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach(function (b) {
        b.checked = box.checked;
      });
    });
  });
})();
