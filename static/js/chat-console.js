// The specialists' live chat console. Same rules as the customer client: messages are
// keyed by sequence number, sends carry a client_id and wait in an outbox until the
// server acknowledges them, and the socket reconnects with backoff and on visibility.
// A chat opens with its newest page ("Show earlier messages" asks for the one before);
// after a reconnect each chat asks for the pages after the last message it holds
// without a gap, one at a time while the server says "more", so however far behind it
// was it ends up holding every message once, in order.
// All text is inserted with textContent.
(function () {
  "use strict";
  // A message's time as the server writes times: the page's language, 24 h, and the staff
  // user's own zone (the profile's; the browser's if that is unknown).
  function clock(iso) {
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    const zone = (document.getElementById("chat-console") || {}).dataset;
    try {
      return new Date(iso).toLocaleTimeString(document.documentElement.lang || [], Object.assign({ timeZone: zone && zone.timeZone }, options));
    } catch (e) { return new Date(iso).toLocaleTimeString([], options); }
  }

  const root = document.getElementById("chat-console");
  if (!root) return;
  const T = JSON.parse(document.getElementById("console-strings").textContent);
  const $ = function (sel) { return root.querySelector(sel); };
  const ui = {
    presence: $("[data-console-presence]"),
    conn: $("[data-console-conn]"),
    queue: $("[data-console-queue]"),
    queueCount: $("[data-console-queue-count]"),
    queueEmpty: $("[data-console-queue-empty]"),
    held: $("[data-console-held]"),
    heldEmpty: $("[data-console-held-empty]"),
    placeholder: $("[data-console-placeholder]"),
    chat: $("[data-console-chat]"),
    topic: $("[data-console-topic]"),
    with: $("[data-console-with]"),
    end: $("[data-console-end]"),
    ticket: $("[data-console-ticket]"),
    ticketLink: $("[data-console-ticket-link]"),
    log: $("[data-console-log]"),
    typing: $("[data-console-typing]"),
    alert: $("[data-console-alert]"),
    compose: $("[data-console-compose]"),
    input: root.querySelector("#console-input"),
    customer: $("[data-console-customer]"),
  };
  const chats = new Map(); // id -> {data, messages: Map(seq -> message), lastSeq, unread, ended}
  const outbox = []; // {conversation, body, client_id}
  let current = null;
  let ws = null;
  let retry = 0;
  let retryTimer = null;
  let pingTimer = null;
  let typingSentAt = 0;
  let typingTimer = null;

  function fmt(text, values) { return text.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; }); }
  function newId() { return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random(); }
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function connected() { return ws && ws.readyState === WebSocket.OPEN; }
  function send(frame) { if (!connected()) return false; ws.send(JSON.stringify(frame)); return true; }

  function connect() {
    if (ws && ws.readyState <= WebSocket.OPEN) return;
    clearTimeout(retryTimer);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + root.dataset.wsPath);
    ws.onopen = function () {
      retry = 0;
      root.dataset.connection = "open";
      ui.conn.textContent = T.connected;
      send({ type: "presence", status: ui.presence.value });
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 20000);
    };
    ws.onmessage = function (event) {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      if (handlers[frame.type]) handlers[frame.type](frame);
    };
    ws.onclose = function (event) {
      clearInterval(pingTimer);
      // Pages asked for on this socket will not come: ask again on the next one.
      chats.forEach(function (chat) { chat.paging = false; chat.loadingEarlier = false; });
      root.dataset.connection = "closed";
      if (event.code === 4401 || event.code === 4403) { ui.conn.textContent = ""; return; }
      ui.conn.textContent = T.reconnecting;
      const delay = Math.min(30000, 1000 * Math.pow(2, retry++)) * (0.7 + Math.random() * 0.6);
      retryTimer = setTimeout(connect, delay);
    };
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (!connected()) { retry = 0; connect(); }
      ackDelivery();
    }
  });

  // ---- state ---------------------------------------------------------------------------
  function upsert(c) {
    let chat = chats.get(c.id);
    // A chat this page already holds keeps where it began: the gap between what it holds
    // and this newest page is fetched by catchUp, not skipped.
    const from = chat && chat.messages.size ? chat.data.from_seq || 1 : c.from_seq || 1;
    if (!chat) {
      chat = { data: c, messages: new Map(), lastSeq: 0, unread: 0, ended: false, delivered: 0, paging: false };
      chats.set(c.id, chat);
    }
    chat.data = Object.assign(chat.data, c);
    chat.data.from_seq = from;
    (c.messages || []).forEach(function (m) { addMessage(chat, m); });
    return chat;
  }
  // The last sequence number this page holds of a chat with nothing missing before it.
  function heldThrough(chat) {
    let held = (chat.data.from_seq || 1) - 1;
    while (chat.messages.has(held + 1)) held++;
    return held;
  }
  // Ask for the next page after what this page holds, unless a page is on its way.
  function catchUp(chat, last) {
    if (chat.paging || chat.ended) return;
    const held = heldThrough(chat);
    if (last !== undefined && last <= held) return;
    chat.paging = send({ type: "history", conversation: chat.data.id, after_seq: held });
  }
  function addMessage(chat, m) {
    const have = chat.messages.get(m.seq);
    if (have) {
      // The server's copy replaces the one made on the ack (its time and name are right).
      if (have.local && !m.local) chat.messages.set(m.seq, m);
      return;
    }
    chat.messages.set(m.seq, m);
    chat.lastSeq = Math.max(chat.lastSeq, m.seq);
    if (m.sender_role === "customer" && (current !== chat.data.id || document.visibilityState !== "visible")) chat.unread += 1;
  }

  function waited(iso) {
    const minutes = Math.floor((Date.now() - new Date(iso).getTime()) / 60000);
    return minutes < 1 ? T.just_now : fmt(T.waiting_since, { minutes: minutes });
  }

  function renderQueue(queue) {
    ui.queue.textContent = "";
    queue.forEach(function (q) {
      const li = el("li", "console-item");
      const text = el("div", "console-item-text");
      text.append(el("strong", "", q.topic), el("span", "muted", q.customer_name + " · " + q.account_name + " · " + waited(q.created_at)));
      const accept = el("button", "button primary small", T.accept);
      accept.type = "button";
      accept.addEventListener("click", function () { accept.disabled = true; send({ type: "accept", conversation: q.id }); });
      li.append(text, accept);
      ui.queue.append(li);
    });
    ui.queueCount.textContent = queue.length;
    ui.queueEmpty.hidden = queue.length > 0;
  }

  function renderHeld() {
    ui.held.textContent = "";
    chats.forEach(function (chat, id) {
      const li = el("li", "console-item console-held" + (id === current ? " is-current" : "") + (chat.ended ? " is-ended" : ""));
      const button = el("button", "console-open");
      button.type = "button";
      button.append(el("strong", "", chat.data.topic), el("span", "muted", chat.data.customer_name));
      if (chat.unread) button.append(el("span", "badge danger", String(chat.unread)));
      button.addEventListener("click", function () { select(id); });
      li.append(button);
      ui.held.append(li);
    });
    ui.heldEmpty.hidden = chats.size > 0;
  }

  function tick(chat, m) {
    if (m.sender_role !== "specialist") return "";
    if (chat.data.customer_seen_seq >= m.seq) return "✓✓ " + T.seen;
    return chat.data.customer_delivered_seq >= m.seq ? "✓✓ " + T.delivered : "✓ " + T.stored;
  }

  function renderChat() {
    const chat = chats.get(current);
    ui.placeholder.hidden = !!chat;
    ui.chat.hidden = !chat;
    ui.customer.hidden = !chat;
    if (!chat) return;
    const c = chat.data;
    ui.topic.textContent = c.topic;
    ui.with.textContent = fmt(T.with, { customer: c.customer.name, account: c.customer.account });
    ui.end.hidden = chat.ended;
    ui.ticket.hidden = !!c.ticket;
    ui.ticket.disabled = false;
    ui.ticketLink.hidden = !c.ticket;
    if (c.ticket) {
      ui.ticketLink.href = c.ticket.url;
      ui.ticketLink.textContent = fmt(T.ticket, { id: c.ticket.id });
    }
    ui.compose.hidden = chat.ended;
    const keep = ui.log.scrollHeight - ui.log.scrollTop; // distance from the bottom
    ui.log.textContent = "";
    if (c.from_seq > 1) {
      const note = el("li", "chat-note chat-earlier");
      const more = el("button", "link-button", T.earlier);
      more.type = "button";
      more.disabled = !!chat.loadingEarlier;
      more.addEventListener("click", function () {
        more.disabled = chat.loadingEarlier = send({ type: "history", conversation: c.id, before_seq: c.from_seq });
      });
      note.append(more);
      ui.log.appendChild(note);
    }
    Array.from(chat.messages.values()).sort(function (a, b) { return a.seq - b.seq; }).forEach(function (m) {
      const li = el("li", "chat-msg chat-msg-" + (m.sender_role === "specialist" ? "mine" : "theirs"));
      li.dataset.seq = m.seq;
      const meta = el("div", "chat-meta");
      meta.append(el("span", "chat-who", m.sender_name), el("time", "", clock(m.created_at)));
      const file = window.PremiumDeskChatFiles && window.PremiumDeskChatFiles.render(m);
      li.append(meta, file || el("p", "chat-body", m.body));
      const t = tick(chat, m);
      if (t) li.append(el("span", "chat-tick", t));
      ui.log.append(li);
    });
    outbox.filter(function (o) { return o.conversation === current; }).forEach(function (o) {
      const li = el("li", "chat-msg chat-msg-mine");
      li.dataset.state = o.failed ? "failed" : "sending";
      li.append(el("p", "chat-body", o.body), el("span", "chat-tick", o.failed ? "⚠ " + T.not_sent : "🕓 " + T.sending));
      ui.log.append(li);
    });
    if (chat.ended) ui.log.append(el("li", "chat-system", chat.ended === "customer" ? T.ended_by_customer : T.ended_by_specialist));
    // Earlier messages went in above: keep what the specialist was reading in view.
    ui.log.scrollTop = renderChat.keepPlace ? ui.log.scrollHeight - keep : ui.log.scrollHeight;
    renderChat.keepPlace = false;
    // Customer card.
    root.querySelector("[data-customer-name]").textContent = c.customer.name;
    root.querySelector("[data-customer-email]").textContent = c.customer.email;
    root.querySelector("[data-customer-account]").textContent = c.customer.account;
    root.querySelector("[data-customer-role]").textContent = c.customer.role;
    const tickets = root.querySelector("[data-customer-tickets]");
    tickets.textContent = "";
    (c.customer.open_tickets || []).forEach(function (t) {
      tickets.append(el("li", "", "#" + t.id + " " + t.subject + " (" + t.status + ")"));
    });
    root.querySelector("[data-customer-no-tickets]").hidden = (c.customer.open_tickets || []).length > 0;
  }

  function select(id) {
    if (current !== id) { ui.typing.hidden = true; ui.alert.hidden = true; }
    current = id;
    const chat = chats.get(id);
    if (chat) chat.unread = 0;
    renderHeld();
    renderChat();
    ackDelivery();
    if (chat && !chat.ended) ui.input.focus();
  }

  function ackDelivery() {
    if (document.visibilityState !== "visible") return;
    chats.forEach(function (chat, id) {
      if (chat.ended) return;
      let top = 0;
      chat.messages.forEach(function (m) { if (m.sender_role === "customer") top = Math.max(top, m.seq); });
      if (top > chat.delivered && send({ type: "delivered", conversation: id, seq: top })) chat.delivered = top;
      // The chat on screen is also seen (the customer reads "Seen").
      if (id === current && top > (chat.seen || 0) && send({ type: "seen", conversation: id, seq: top })) chat.seen = top;
    });
  }

  function flushOutbox() {
    outbox.forEach(function (o) {
      if (!o.failed) send({ type: "message", conversation: o.conversation, body: o.body, client_id: o.client_id });
    });
  }

  // ---- frames --------------------------------------------------------------------------
  const handlers = {
    state: function (f) {
      renderQueue(f.queue);
      const held = new Set();
      f.held.forEach(function (c) {
        const chat = upsert(c);
        held.add(c.id);
        chat.paging = false; // a new socket: nothing is on its way
        catchUp(chat, c.last_seq);
      });
      // A chat this page shows that is no longer held ended while it was away: its page
      // says so (and who ended it), with any messages it missed.
      chats.forEach(function (chat, id) {
        if (held.has(id) || chat.ended) return;
        chat.paging = false;
        catchUp(chat);
      });
      if (current === null && f.held.length) current = f.held[0].id;
      renderHeld();
      renderChat();
      flushOutbox();
      ackDelivery();
    },
    queue: function (f) { renderQueue(f.queue); },
    conversation: function (f) {
      const chat = upsert(f.conversation);
      chat.ended = false;
      catchUp(chat, f.conversation.last_seq);
      select(chat.data.id);
    },
    page: function (f) {
      // Messages this console missed: merged into their chat, which stays where it is
      // (not selected, not reopened), so the composer keeps addressing the current chat.
      const chat = chats.get(f.conversation.id);
      if (!chat) return;
      f.messages.forEach(function (m) { addMessage(chat, m); });
      chat.data.last_seq = f.conversation.last_seq;
      chat.data.customer_delivered_seq = f.conversation.customer_delivered_seq;
      chat.data.customer_seen_seq = f.conversation.customer_seen_seq;
      if (f.conversation.status === "ended") chat.ended = f.conversation.ended_by;
      chat.paging = false;
      if (f.more) catchUp(chat, f.conversation.last_seq);
      renderHeld();
      if (chat.data.id === current) renderChat();
      ackDelivery();
    },
    earlier: function (f) {
      const chat = chats.get(f.conversation.id);
      if (!chat) return;
      f.messages.forEach(function (m) { addMessage(chat, m); });
      chat.data.from_seq = f.from_seq || 1;
      chat.loadingEarlier = false;
      if (chat.data.id === current) { renderChat.keepPlace = true; renderChat(); }
    },
    message: function (f) {
      const chat = chats.get(f.message.conversation);
      if (!chat) return;
      const fresh = !chat.messages.has(f.message.seq);
      addMessage(chat, f.message);
      if (f.message.sender_role === "customer" && f.message.conversation === current) ui.typing.hidden = true;
      if (fresh && f.message.sender_role === "customer") {
        // staff-alerts.js beeps and notifies when this tab is in the background.
        document.dispatchEvent(new CustomEvent("staff:customer-message", {
          detail: { id: chat.data.id, topic: chat.data.topic, url: location.href },
        }));
      }
      renderHeld();
      if (f.message.conversation === current) renderChat();
      ackDelivery();
    },
    ack: function (f) {
      const i = outbox.findIndex(function (o) { return o.client_id === f.client_id; });
      const chat = chats.get(f.conversation);
      if (i !== -1 && chat) {
        // Stored: the ack carries the stored message (its time and name); the server does
        // not broadcast it back to this socket.
        addMessage(chat, f.message || {
          seq: f.seq, body: outbox[i].body, client_id: f.client_id, sender_role: "specialist",
          sender_name: root.dataset.me || "", created_at: new Date().toISOString(), local: true,
        });
      } else if (chat && f.message) {
        addMessage(chat, f.message); // a resend from an earlier page: not in this outbox
      }
      if (i !== -1) outbox.splice(i, 1);
      if (f.conversation === current) renderChat();
    },
    typing: function (f) {
      if (f.conversation !== current) return;
      ui.typing.textContent = fmt(T.typing, { name: f.name });
      ui.typing.hidden = !f.typing;
      clearTimeout(handlers.typing.timer);
      handlers.typing.timer = setTimeout(function () { ui.typing.hidden = true; }, 6000);
    },
    delivery: function (f) {
      const chat = chats.get(f.conversation);
      if (!chat || f.role !== "customer") return;
      chat.data.customer_delivered_seq = f.seq;
      if (f.conversation === current) renderChat();
    },
    seen: function (f) {
      const chat = chats.get(f.conversation);
      if (!chat || f.role !== "customer") return;
      chat.data.customer_seen_seq = f.seq;
      if (f.conversation === current) renderChat();
    },
    ended: function (f) {
      const chat = chats.get(f.conversation);
      if (!chat) return;
      chat.ended = f.by;
      renderHeld();
      if (f.conversation === current) renderChat();
    },
    ticket: function (f) {
      const chat = chats.get(f.conversation);
      if (!chat) return;
      chat.data.ticket = f.ticket;
      if (f.conversation === current) renderChat();
    },
    pong: function (f) {
      // Available / Away, as stored (the admin header may have changed it).
      if (f.presence === "online" || f.presence === "away") ui.presence.value = f.presence;
      // Messages whose broadcast this console missed (a Redis restart, a dropped event):
      // ask for everything after the last one it holds without a gap.
      Object.keys(f.seqs || {}).forEach(function (key) {
        const chat = chats.get(Number(key));
        if (chat) catchUp(chat, f.seqs[key]);
      });
    },
    error: function (f) {
      ui.ticket.disabled = false;
      chats.forEach(function (chat) { chat.paging = false; chat.loadingEarlier = false; });
      ui.alert.textContent = f.message;
      ui.alert.hidden = false;
      if (f.client_id) {
        outbox.forEach(function (o) { if (o.client_id === f.client_id) o.failed = true; });
        renderChat();
      }
      ui.queue.querySelectorAll("button:disabled").forEach(function (b) { b.disabled = false; });
    },
  };

  // ---- what the specialist does ----------------------------------------------------------
  ui.compose.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = ui.input.value.trim();
    if (!body || current === null) return;
    ui.alert.hidden = true;
    const item = { conversation: current, body: body, client_id: newId() };
    outbox.push(item);
    ui.input.value = "";
    typingSentAt = 0;
    renderChat();
    send({ type: "message", conversation: current, body: body, client_id: item.client_id });
  });
  ui.input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      ui.compose.requestSubmit();
    }
  });
  ui.input.addEventListener("input", function () {
    const now = Date.now();
    const id = current;
    if (now - typingSentAt > 3000) { typingSentAt = now; send({ type: "typing", conversation: id, typing: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typingSentAt = 0; send({ type: "typing", conversation: id, typing: false }); }, 4000);
  });
  ui.end.addEventListener("click", function () {
    if (current !== null && window.confirm(T.confirm_end)) send({ type: "end", conversation: current });
  });
  ui.ticket.addEventListener("click", function () {
    if (current !== null && window.confirm(T.confirm_ticket)) {
      ui.ticket.disabled = true;
      send({ type: "ticket", conversation: current });
    }
  });
  ui.presence.addEventListener("change", function () { send({ type: "presence", status: ui.presence.value }); });
  // A file: sent over HTTP, it arrives back as the chat's next message (for this console
  // and the customer alike, over the sockets; the answer adds it here at once).
  const attach = $("[data-console-attach]");
  if (attach) attach.addEventListener("change", function () {
    const file = attach.files && attach.files[0];
    const id = current;
    attach.value = "";
    if (!file || id === null) return;
    ui.alert.textContent = fmt(T.uploading, { name: file.name });
    ui.alert.hidden = false;
    window.PremiumDeskChatFiles.upload(id, file, newId(), root.dataset.csrfToken).then(function (result) {
      const chat = chats.get(id);
      if (result.message && chat) {
        ui.alert.hidden = true;
        addMessage(chat, result.message);
        if (id === current) renderChat();
      } else {
        ui.alert.textContent = fmt(T.upload_failed, { name: file.name, reason: result.error || T.not_sent });
      }
    });
  });

  connect();
  window.PremiumDeskConsole = { chats: chats, select: select };
})();
