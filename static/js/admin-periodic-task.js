// The admin's periodic task form (django-celery-beat): shows the chosen crontab in words under
// the field, as the package's own inline script did before the CSP forbade inline scripts.
(function () {
  "use strict";
  var data = document.getElementById("readable-crontabs");
  var select = document.getElementById("id_crontab");
  var help = document.querySelector(".field-crontab .help");
  if (!data || !select || !help) return;
  var readable = JSON.parse(data.textContent);
  var original = help.textContent;
  var translation = document.querySelector(".field-crontab_translation");
  if (translation) translation.hidden = true;
  select.addEventListener("change", function () {
    help.textContent = original;
    var words = readable[select.value];
    if (words) {
      help.appendChild(document.createElement("br"));
      help.appendChild(document.createTextNode("Translation: " + words));
    }
  });
})();
