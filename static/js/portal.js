// Behaviour every portal page shares. No inline handlers: the Content-Security-Policy
// allows scripts from the portal's own files only.
(function () {
  "use strict";
  var language = document.getElementById("language-select");
  if (language) {
    language.addEventListener("change", function () { language.form.requestSubmit(); });
  }
})();
