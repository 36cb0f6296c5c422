// Live SLA alerts and notifications on every staff page (admin and console): a
// WebSocket to /ws/staff/alerts/ that reconnects with backoff. Each SLA warning or
// breach shows as a card with a link to the item; new tickets, waiting chats and
// callbacks, SLA warnings and breaches, and customer messages in a held chat while the
// tab is in the background beep (unless switched off), raise a desktop notification
// (once permission is given with the button) and update the count in the tab title.
(function () {
  "use strict";
  const region = document.getElementById("staff-alerts");
  if (!region || !window.WebSocket) return;
  const stringsNode = document.getElementById("staff-alert-strings");
  const T = stringsNode ? JSON.parse(stringsNode.textContent) : {};
  const labels = {
    warned: T.warned || "Deadline soon",
    breached: T.breached || "SLA breached",
    escalated: T.escalated || "Escalated",
    overdue: T.overdue || "Overdue against target",
  };
  const root = document.documentElement;
  let delay = 1000;

  function fmt(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // --- Notifications -----------------------------------------------------------------
  const SOUND_KEY = "premiumdesk.staff.sound";
  const controls = document.getElementById("staff-notify-controls");
  const soundButton = controls && controls.querySelector("[data-staff-sound]");
  const desktopButton = controls && controls.querySelector("[data-staff-desktop]");
  let audio = null;

  function soundOn() {
    try { return localStorage.getItem(SOUND_KEY) !== "off"; } catch (e) { return true; }
  }
  function showSound() {
    if (!soundButton) return;
    const on = soundOn();
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
    soundButton.textContent = on ? T.sound_on : T.sound_off;
  }
  function beep() {
    if (!soundOn()) return;
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      const osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.2, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.3);
      root.dataset.staffBeeps = String((parseInt(root.dataset.staffBeeps || "0", 10) || 0) + 1);
    } catch (e) { /* no sound device: the title and the card still say it */ }
  }
  function showDesktop() {
    if (!desktopButton) return;
    if (!("Notification" in window)) { desktopButton.hidden = true; return; }
    desktopButton.hidden = Notification.permission === "granted";
    desktopButton.disabled = Notification.permission === "denied";
    desktopButton.textContent = Notification.permission === "denied" ? T.desktop_blocked : T.desktop;
  }
  if (controls) {
    controls.hidden = false;
    showSound();
    showDesktop();
    soundButton.addEventListener("click", function () {
      try { localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on"); } catch (e) { /* private mode */ }
      showSound();
      beep(); // a click is a user gesture: it also unlocks the audio for later
    });
    desktopButton.addEventListener("click", function () {
      // Asked once, when the specialist chooses to; never on page load.
      Notification.requestPermission().then(showDesktop);
    });
  }

  function notify(title, body, url, options) {
    const background = document.visibilityState !== "visible";
    if (options && options.onlyInBackground && !background) return;
    root.dataset.staffLastNotice = title + (body ? ": " + body : "");
    beep();
    if ("Notification" in window && Notification.permission === "granted" && background) {
      try {
        const n = new Notification(title, { body: body || "", tag: (options && options.tag) || undefined });
        n.onclick = function () { window.focus(); if (url) location.href = url; n.close(); };
      } catch (e) { /* some browsers only notify from a service worker */ }
    }
  }

  // --- The count of what waits for this specialist, in the tab title ------------------
  const baseTitle = document.title.replace(/^\(\d+\) /, "");
  let countPending = null;
  function showCount(n) {
    root.dataset.staffWaiting = String(n);
    document.title = (n > 0 ? "(" + n + ") " : "") + baseTitle;
  }
  function refreshCount() {
    const url = region.dataset.countUrl;
    if (!url || countPending) return;
    countPending = setTimeout(function () {
      countPending = null;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (answer) { if (answer) showCount(answer.waiting); })
        .catch(function () { /* next event tries again */ });
    }, 300);
  }
  document.addEventListener("staff:waiting-count", function (e) { showCount(e.detail.waiting); });
  // The console tells about customer messages in its chats (static/js/chat-console.js).
  document.addEventListener("staff:customer-message", function (e) {
    notify(T.message, e.detail.topic, e.detail.url, { onlyInBackground: true, tag: "chat-" + e.detail.id });
  });

  // --- SLA alert cards -------------------------------------------------------------
  function show(message) {
    message.alerts.forEach(function (alert) {
      const card = document.createElement("div");
      card.className = "staff-alert staff-alert-" + alert.step;
      const title = document.createElement("strong");
      title.textContent =
        (labels[alert.step] || alert.step) + (alert.level ? " · " + fmt(T.level || "level {level}", { level: alert.level }) : "");
      const link = document.createElement("a");
      link.href = alert.url;
      link.textContent = "#" + alert.id + " " + alert.subject; // text, never HTML
      const close = document.createElement("button");
      close.type = "button";
      close.className = "staff-alert-close";
      close.setAttribute("aria-label", T.dismiss || "Dismiss");
      close.textContent = "×";
      close.addEventListener("click", function () { card.remove(); });
      card.append(title, document.createElement("br"), link, close);
      region.prepend(card);
    });
    if (message.total > message.alerts.length) {
      const more = document.createElement("div");
      more.className = "staff-alert";
      more.textContent = fmt(T.more || "…and {count} more", { count: message.total - message.alerts.length });
      region.append(more);
    }
    const first = message.alerts[0];
    if (first) notify(labels[first.step] || first.step, first.subject, first.url, { tag: "sla-" + first.kind + "-" + first.id });
    inboxChanged({ type: "sla.alert" });
  }

  function inboxChanged(message) {
    document.dispatchEvent(new CustomEvent("staff:inbox-changed", { detail: message }));
    refreshCount();
  }
  const NEW_LABELS = { ticket: "new_ticket", chat: "new_chat", callback: "new_callback" };
  function onInbox(message) {
    if (message.change === "new" && NEW_LABELS[message.kind]) {
      notify(T[NEW_LABELS[message.kind]], message.title, null, { tag: message.kind + "-" + message.id });
    }
    inboxChanged(message);
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
      root.dataset.staffAlerts = "connected";
      // What changed while the socket was away.
      document.dispatchEvent(new CustomEvent("staff:socket-open"));
      refreshCount();
    });
    socket.addEventListener("message", function (event) {
      const message = JSON.parse(event.data);
      if (message.type === "sla.alert") show(message);
      if (message.type === "queue.changed") refreshQueue(message.queue);
      if (message.type === "inbox.changed") onInbox(message);
    });
    socket.addEventListener("close", function (event) {
      root.dataset.staffAlerts = "disconnected";
      // Signed out or no longer allowed: reconnecting would be refused again.
      if (event.code === 4401 || event.code === 4403) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  refreshCount();
  connect();
})();
