// The Nafath waiting page asks again every few seconds, so the person need not press anything
// after approving in the app. Without JavaScript the "continue" button does the same.
(function () {
  "use strict";
  var number = document.querySelector("[data-poll]");
  if (!number) { return; }
  var seconds = parseInt(number.getAttribute("data-poll"), 10) || 5;
  window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
})();
