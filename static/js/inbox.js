// The staff inbox (/admin/inbox/): re-fetches its list when staff-alerts.js hears an
// `inbox.changed` event (or the socket comes back), counts the time left down, and
// claims without leaving the page. Without JavaScript the links and forms still work.
(function () {
  "use strict";
  var list = document.getElementById("inbox-list");
  if (!list) return;
  var strings = JSON.parse((document.getElementById("inbox-strings") || {}).textContent || "{}");
  var pending = null;

  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }
  function tick() {
    var now = Date.now();
    list.querySelectorAll("[data-due-at]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due-at"));
      if (isNaN(due)) return;
      var left = Math.floor((due - now) / 1000);
      var row = el.closest("tr");
      if (left < 0) {
        el.textContent = (strings.over || "{time} over").replace("{time}", clock(-left));
        if (row) row.classList.add("inbox-overdue");
      } else {
        el.textContent = clock(left);
      }
    });
  }

  function refresh() {
    if (pending) return;
    // Several events in a burst (a sweep, a claim) make one fetch.
    pending = setTimeout(function () {
      pending = null;
      fetch(list.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          list.innerHTML = html;
          tick();
          var summary = list.querySelector("[data-inbox-waiting]");
          if (summary) {
            document.dispatchEvent(new CustomEvent("staff:waiting-count", {
              detail: { waiting: parseInt(summary.getAttribute("data-inbox-waiting"), 10) || 0 },
            }));
          }
          list.dataset.refreshed = String(Date.now());
        });
    }, 250);
  }

  list.addEventListener("submit", function (event) {
    var form = event.target.closest("form.inbox-claim");
    if (!form) return;
    event.preventDefault();
    var button = form.querySelector("button");
    if (button) button.disabled = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      body: new FormData(form),
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (!answer.ok) {
          var note = document.createElement("span");
          note.className = "inbox-error";
          note.setAttribute("role", "alert");
          note.textContent = answer.error; // text, never HTML
          form.replaceWith(note);
        }
        refresh();
      })
      .catch(function () { if (button) button.disabled = false; });
  });

  document.addEventListener("staff:inbox-changed", refresh);
  document.addEventListener("staff:socket-open", refresh);
  tick();
  setInterval(tick, 1000);
})();
