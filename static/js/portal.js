// Behaviour every portal page shares. No inline handlers: the Content-Security-Policy
// allows scripts from the portal's own files only.
(function () {
  "use strict";
  // The browser's time zone, saved on the profile once (the server keeps a chosen one).
  var detect = document.body.dataset.tzDetectUrl;
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  var help = document.getElementById("help-dialog");
  var token = (help && help.dataset.csrfToken) || "";
  if (detect && zone) {
    var body = new FormData();
    body.append("time_zone", zone);
    body.append("csrfmiddlewaretoken", token);
    fetch(detect, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token },
    }).then(function (response) {
      document.body.dataset.tzDetected = response.ok ? zone : "refused";
    }).catch(function () { /* next page tries again */ });
  }
  var language = document.getElementById("language-select");
  if (language) {
    language.addEventListener("change", function () { language.form.requestSubmit(); });
  }
})();
