// Copy buttons for the biller code and bill number. Without this script the numbers are still
// selectable in one tap (CSS user-select: all) and a hint says so; with it, the buttons appear.
(function () {
  "use strict";
  var buttons = document.querySelectorAll(".copy-button[data-copy-target]");
  if (!buttons.length) return;
  document.documentElement.classList.add("js-copy");

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copied(button) {
    var label = button.textContent;
    button.classList.add("copied");
    button.textContent = button.getAttribute("data-copied-label") || "\u2713";
    window.setTimeout(function () {
      button.classList.remove("copied");
      button.textContent = label;
    }, 1500);
  }

  buttons.forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var target = document.getElementById(button.getAttribute("data-copy-target"));
      if (!target) return;
      var text = target.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button); },
          function () { selectText(target); });
      } else {
        // Plain http (a local demo): select the number so the citizen can copy it by hand.
        selectText(target);
        try { if (document.execCommand("copy")) copied(button); } catch (e) { /* selected */ }
      }
    });
  });
})();
