/* The Django admin on the portal: names for the controls Django's widgets draw without one,
   so that a screen reader (and axe) can tell what each is for.
   - select2 (autocomplete fields): the field's own label names the box and its search field;
     the mouse-only "clear all" cross is hidden from assistive technology (it sits among the
     list of chosen items, where only items belong; Backspace clears by keyboard).
   - tabular inlines: each cell's control is named by its column heading.
   Widgets are redrawn as people choose and add rows, so the names are given again on change. */
(function () {
  "use strict";

  function labelOf(id) {
    if (!id) { return null; }
    return document.querySelector('label[for="' + CSS.escape(id) + '"]');
  }

  function nameSelect2(select) {
    var container = select.nextElementSibling;
    var label = labelOf(select.id);
    if (!container || !container.classList.contains("select2") || !label) { return; }
    if (!label.id) { label.id = select.id + "-label"; }
    var box = container.querySelector(".select2-selection");
    if (box) {
      var rendered = (box.getAttribute("aria-labelledby") || "").split(" ")
        .filter(function (id) { return id && id !== label.id; });
      box.setAttribute("aria-labelledby", [label.id].concat(rendered).join(" "));
    }
    // the single box's text of the chosen item is a read-only textbox of its own
    container.querySelectorAll(".select2-search__field, .select2-selection__rendered[role=textbox]")
      .forEach(function (field) { field.setAttribute("aria-labelledby", label.id); });
    container.querySelectorAll(".select2-selection__clear").forEach(function (cross) {
      cross.setAttribute("aria-hidden", "true");
    });
  }

  function nameTabularCells(table) {
    var headings = Array.prototype.map.call(
      table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr.form-row").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        var heading = headings[index];
        if (!heading) { return; }
        cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(
          function (control) {
            if (labelOf(control.id) || control.hasAttribute("aria-label")) { return; }
            control.setAttribute("aria-label", heading);
          });
      });
    });
  }

  function nameAll() {
    document.querySelectorAll("select.admin-autocomplete").forEach(nameSelect2);
    document.querySelectorAll(".tabular table").forEach(nameTabularCells);
  }

  function start() {
    nameAll();
    var pending = false;
    new MutationObserver(function () {
      if (pending) { return; }
      pending = true;
      window.requestAnimationFrame(function () { pending = false; nameAll(); });
    }).observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
