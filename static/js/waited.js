// Counts up the time waited on every element with data-waiting-since (an ISO time):
// the callback list and page, and the console's callback queue, loaded later by fetch.
(function () {
  "use strict";
  function clock(seconds) {
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var ss = (s < 10 ? "0" : "") + s;
    if (h) return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss;
    return m + ":" + ss;
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-waiting-since]").forEach(function (el) {
      var since = Date.parse(el.getAttribute("data-waiting-since"));
      if (!isNaN(since)) el.textContent = clock(Math.max(0, Math.floor((now - since) / 1000)));
    });
  }
  tick();
  setInterval(tick, 1000);
})();
