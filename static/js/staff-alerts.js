// Live SLA alerts on every staff page: a WebSocket to /ws/staff/alerts/ that
// reconnects with backoff; each alert shows as a card with a link to the item.
(function () {
  "use strict";
  const region = document.getElementById("staff-alerts");
  if (!region || !window.WebSocket) return;
  const labels = {
    warned: "Deadline soon",
    breached: "SLA breached",
    escalated: "Escalated",
    overdue: "Overdue against target",
  };
  let delay = 1000;

  function show(message) {
    message.alerts.forEach(function (alert) {
      const card = document.createElement("div");
      card.className = "staff-alert staff-alert-" + alert.step;
      const title = document.createElement("strong");
      title.textContent =
        (labels[alert.step] || alert.step) + (alert.level ? " · level " + alert.level : "");
      const link = document.createElement("a");
      link.href = alert.url;
      link.textContent = "#" + alert.id + " " + alert.subject; // text, never HTML
      const close = document.createElement("button");
      close.type = "button";
      close.className = "staff-alert-close";
      close.setAttribute("aria-label", "Dismiss");
      close.textContent = "×";
      close.addEventListener("click", function () { card.remove(); });
      card.append(title, document.createElement("br"), link, close);
      region.prepend(card);
    });
    if (message.total > message.alerts.length) {
      const more = document.createElement("div");
      more.className = "staff-alert";
      more.textContent = "…and " + (message.total - message.alerts.length) + " more";
      region.append(more);
    }
  }

  // A queue page (the callback changelist) reloads itself when its queue changes,
  // unless the specialist is typing in it.
  // The chat console shows the callback queue as a server-rendered panel.
  function refreshCallbackPanel() {
    const panel = document.getElementById("callback-queue");
    if (!panel) return;
    fetch(panel.dataset.url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) { if (html) panel.innerHTML = html; });
  }
  refreshCallbackPanel();
  setInterval(refreshCallbackPanel, 30000); // time waited keeps growing

  function refreshQueue(queue) {
    if (queue === "callback") refreshCallbackPanel();
    const onQueue = queue === "callback" && /\/admin\/callbacks\/callbackrequest\/$/.test(location.pathname);
    const typing = document.activeElement && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
    if (onQueue && !typing) location.reload();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + "/ws/staff/alerts/");
    socket.addEventListener("open", function () {
      delay = 1000;
      document.documentElement.dataset.staffAlerts = "connected";
    });
    socket.addEventListener("message", function (event) {
      const message = JSON.parse(event.data);
      if (message.type === "sla.alert") show(message);
      if (message.type === "queue.changed") refreshQueue(message.queue);
    });
    socket.addEventListener("close", function (event) {
      document.documentElement.dataset.staffAlerts = "disconnected";
      // Signed out or no longer allowed: reconnecting would be refused again.
      if (event.code === 4401 || event.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
