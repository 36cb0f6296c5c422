// The staff user's browser time zone, saved on their profile once (as portal.js does for
// customers), so the admin writes times (transcripts, tickets, reports) in their zone.
(function () {
  "use strict";
  var marker = document.getElementById("staff-time-zone");
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!marker || !zone) return;
  var token = marker.dataset.csrfToken || "";
  var body = new FormData();
  body.append("time_zone", zone);
  body.append("csrfmiddlewaretoken", token);
  fetch(marker.dataset.url, {
    method: "POST",
    body: body,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": token },
  }).then(function (response) {
    marker.dataset.detected = response.ok ? zone : "refused";
  }).catch(function () { /* the next page tries again */ });
})();
