// The ticket page for working (admin): composer tabs, Ctrl+Enter, the macro picker,
// the live SLA clock and who else is viewing or typing (WebSocket /ws/staff/tickets/<id>/).
// Every text from the server is inserted as text, never as HTML.
(function () {
  "use strict";
  const root = document.getElementById("ticket-workspace");
  if (!root) return;
  const t = root.dataset;
  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return String(values[key]); });
  }
  function duration(seconds) {
    const minutes = Math.floor(Math.abs(seconds) / 60);
    if (minutes < 60) return fmt(t.tMinutes, { m: minutes });
    const rest = String(minutes % 60).padStart(2, "0");
    return fmt(t.tHours, { h: Math.floor(minutes / 60), m: rest });
  }

  // --- SLA clock: time left, or how long ago it was breached, counting live.
  const sla = document.getElementById("ws-sla");
  const left = document.getElementById("ws-sla-left");
  function tick() {
    if (!sla || !left) return;
    const state = sla.dataset.state;
    if (state !== "running" && state !== "breached") return;
    const seconds = (Date.parse(sla.dataset.dueAt) - Date.now()) / 1000;
    sla.classList.remove("ws-sla-running", "ws-sla-soon", "ws-sla-breached");
    if (seconds <= 0) {
      sla.classList.add("ws-sla-breached");
      left.textContent = fmt(t.tBreached, { time: duration(seconds) });
    } else {
      sla.classList.add(seconds <= 15 * 60 ? "ws-sla-soon" : "ws-sla-running");
      left.textContent = fmt(t.tTimeLeft, { time: duration(seconds) });
    }
  }
  tick();
  setInterval(tick, 15000);

  const composer = document.getElementById("ws-composer");
  const form = document.getElementById("ws-compose-form");
  let socket = null;

  if (composer && form) {
    const tabs = Array.prototype.slice.call(composer.querySelectorAll('[role="tab"]'));
    const visibility = document.getElementById("ws-visibility");
    const effect = document.getElementById("ws-effect");
    const label = document.getElementById("ws-body-label");
    const send = document.getElementById("ws-send");
    const body = document.getElementById("ws-body");
    const errors = document.getElementById("ws-errors");
    const macroInput = document.getElementById("ws-macro");

    function select(tab, focus) {
      tabs.forEach(function (other) {
        const on = other === tab;
        other.setAttribute("aria-selected", on ? "true" : "false");
        other.tabIndex = on ? 0 : -1;
      });
      const mode = tab.dataset.visibility;
      visibility.value = mode;
      composer.classList.toggle("ws-mode-internal", mode === "internal");
      composer.classList.toggle("ws-mode-public", mode === "public");
      form.setAttribute("aria-labelledby", tab.id);
      effect.textContent = effect.dataset[mode];
      label.textContent = label.dataset[mode];
      send.textContent = send.dataset[mode];
      if (focus) tab.focus();
    }
    tabs.forEach(function (tab, index) {
      tab.addEventListener("click", function () { select(tab, false); body.focus(); });
      tab.addEventListener("keydown", function (event) {
        let next = null;
        if (event.key === "ArrowRight") next = tabs[(index + 1) % tabs.length];
        if (event.key === "ArrowLeft") next = tabs[(index - 1 + tabs.length) % tabs.length];
        if (event.key === "Home") next = tabs[0];
        if (event.key === "End") next = tabs[tabs.length - 1];
        if (next) { event.preventDefault(); select(next, true); }
      });
    });

    let sending = false;
    function submit() {
      if (sending) return;
      sending = true;
      errors.textContent = "";
      send.disabled = true;
      const label = send.textContent;
      send.textContent = t.tSending;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (data.ok) {
            location.assign(data.redirect);
            return;
          }
          const lines = [];
          Object.keys(data.errors || {}).forEach(function (key) {
            data.errors[key].forEach(function (line) { lines.push(line); });
          });
          errors.textContent = lines.join(" ");
          // A refused file marks the file field; anything else, the message.
          const files = form.querySelector("[name=attachments]");
          if (files && data.errors && data.errors.attachments) files.setAttribute("aria-invalid", "true");
          if (!data.errors || Object.keys(data.errors).some(function (key) { return key !== "attachments"; })) body.setAttribute("aria-invalid", "true");
        })
        .catch(function () { errors.textContent = t.tFailed; })
        .finally(function () {
          sending = false;
          send.disabled = false;
          send.textContent = label;
        });
    }
    form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
    const fileInput = form.querySelector("[name=attachments]");
    if (fileInput) fileInput.addEventListener("change", function () { fileInput.removeAttribute("aria-invalid"); });
    body.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submit();
      }
    });
    let lastTyping = 0;
    body.addEventListener("input", function () {
      body.removeAttribute("aria-invalid");
      if (!body.value.trim()) { // emptied: the macro (and its status change) goes too
        macroInput.value = "";
        document.getElementById("ws-macro-note").hidden = true;
      }
      const now = Date.now();
      if (socket && socket.readyState === 1 && now - lastTyping > 2000) {
        lastTyping = now;
        socket.send(JSON.stringify({ type: "typing" }));
      }
    });

    // --- Macro picker: search, pick with the mouse or the arrow keys and Enter.
    const search = document.getElementById("ws-macro-search");
    const list = document.getElementById("ws-macro-list");
    const note = document.getElementById("ws-macro-note");
    let found = [];
    let active = -1;
    let timer = null;
    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        search.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      }
    }
    function insert(macro) {
      const start = body.selectionStart || 0;
      const end = body.selectionEnd || 0;
      const before = body.value.slice(0, start);
      const after = body.value.slice(end);
      body.value = before + macro.text + after;
      const caret = before.length + macro.text.length;
      macroInput.value = String(macro.id);
      if (macro.status) {
        note.textContent = fmt(t.tMacroStatus, { status: macro.status_label });
        note.hidden = false;
      } else {
        note.hidden = true;
      }
      search.value = "";
      close();
      body.focus();
      body.setSelectionRange(caret, caret);
    }
    function show(macros) {
      found = macros;
      list.textContent = "";
      if (!macros.length) {
        const empty = document.createElement("li");
        empty.textContent = t.tNoMacros;
        empty.setAttribute("aria-disabled", "true");
        list.append(empty);
      }
      macros.forEach(function (macro, index) {
        const item = document.createElement("li");
        item.id = "ws-macro-option-" + macro.id;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        const name = document.createElement("strong");
        name.textContent = macro.name;
        const preview = document.createElement("small");
        preview.textContent = macro.text;
        item.append(name, preview);
        item.addEventListener("mousedown", function (event) { event.preventDefault(); insert(macro); });
        item.addEventListener("mouseenter", function () { highlight(index); });
        list.append(item);
      });
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      highlight(macros.length ? 0 : -1);
    }
    function load() {
      const url = search.dataset.url + "?q=" + encodeURIComponent(search.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (data.ok) show(data.macros); });
    }
    search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(load, 150); });
    search.addEventListener("focus", load);
    search.addEventListener("blur", function () { setTimeout(close, 100); });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && found.length) { event.preventDefault(); highlight((active + 1) % found.length); }
      else if (event.key === "ArrowUp" && found.length) { event.preventDefault(); highlight((active - 1 + found.length) % found.length); }
      else if (event.key === "Enter") { event.preventDefault(); if (active >= 0 && found[active]) insert(found[active]); }
      else if (event.key === "Escape") { close(); }
    });
  }

  // --- Who else is on this ticket: viewers by user, each with their open pages.
  const notice = document.getElementById("ws-collision");
  if (!notice || !window.WebSocket) return;
  const me = t.user;
  const viewers = new Map(); // user id -> {name, channels: Set, typingUntil}
  function render() {
    notice.textContent = "";
    const now = Date.now();
    viewers.forEach(function (viewer) {
      const line = document.createElement("p");
      const typing = viewer.typingUntil > now;
      line.textContent = fmt(typing ? t.tTyping : t.tViewing, { name: viewer.name });
      line.className = typing ? "ws-collision-typing" : "ws-collision-viewing";
      notice.append(line);
    });
    notice.hidden = viewers.size === 0;
  }
  setInterval(render, 2000); // "typing" fades after a few seconds
  function seen(frame) {
    if (String(frame.user_id) === me) return null;
    let viewer = viewers.get(frame.user_id);
    if (!viewer) {
      viewer = { name: frame.name, channels: new Set(), typingUntil: 0 };
      viewers.set(frame.user_id, viewer);
    }
    viewer.channels.add(frame.peer);
    return viewer;
  }
  let delay = 1000;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + t.socketPath);
    socket.addEventListener("open", function () { delay = 1000; });
    socket.addEventListener("message", function (event) {
      const frame = JSON.parse(event.data);
      if (frame.type === "presence.join" || frame.type === "presence.here") {
        seen(frame);
      } else if (frame.type === "presence.typing") {
        const viewer = seen(frame);
        if (viewer) viewer.typingUntil = Date.now() + 6000;
      } else if (frame.type === "presence.leave") {
        const viewer = viewers.get(frame.user_id);
        if (viewer) {
          viewer.channels.delete(frame.peer);
          if (!viewer.channels.size) viewers.delete(frame.user_id);
        }
      }
      render();
    });
    socket.addEventListener("close", function (event) {
      viewers.clear();
      render();
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) return;
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }
  connect();
})();
