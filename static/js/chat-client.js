// Premium chat, customer side (the "chat" step of the help dialog).
//
// Every message is stored by the server before anyone hears of it; this client only has
// to never lose what it sent and never show a message twice:
//  - each message carries a client_id; unsent ones wait in an outbox (kept in
//    sessionStorage across reloads) and are re-sent after a reconnect; the server stores
//    a re-sent message once;
//  - on every (re)connect it asks for everything after the last sequence number it has;
//    the answer comes in pages, and while the server says "more" it asks for the next
//    one, so however far behind it was it gets every message; messages are keyed by
//    sequence number, so a message heard twice shows once, in its place;
//  - a long chat opens with its newest page; "Show earlier messages" asks for the one
//    before, as often as the customer likes;
//  - a resume also says if the chat ended meanwhile, and by whom (the live "ended"
//    event may never have reached this page);
//  - it reconnects by itself with exponential backoff, and at once when a hidden tab
//    becomes visible again.
// All text goes into the page with textContent, never as HTML.
// By concern: this file (the connection, the outbox, frames from the server); chat-log.js
// (the log, keyed by sequence number); chat-bubbles.js (a message and its tick);
// chat-compose.js (what the customer does); chat-attach.js (sending a file); chat-files.js
// (a file in a message, shared with the console); chat-wait.js (the queue, the expected
// wait, the email offer); chat-unread.js (badge and preview while the dialog is closed).
(function () {
  "use strict";
  const root = document.querySelector("[data-chat]");
  if (!root) return;
  const T = JSON.parse(document.getElementById("chat-strings").textContent);
  const $ = function (sel) { return root.querySelector(sel); };
  const ui = {
    alert: $("[data-chat-alert]"),
    offer: $("[data-chat-offer]"),
    email: $("[data-chat-email]"),
    start: $("[data-chat-start]"),
    live: $("[data-chat-live]"),
    status: $("[data-chat-status]"),
    log: $("[data-chat-log]"),
    typing: $("[data-chat-typing]"),
    compose: $("[data-chat-compose]"),
    input: root.querySelector("#chat-input"),
    conn: $("[data-chat-conn]"),
    end: $("[data-chat-end]"),
    ended: $("[data-chat-ended]"),
    endedBy: $("[data-chat-ended-by]"),
    again: $("[data-chat-new]"),
  };
  const OUTBOX_KEY = "premiumdesk.chat.outbox";
  const wait = window.PremiumDeskChatWait(root, T, function (frame) { return send(frame); });
  const CLOSE_NO_RETRY = [4401, 4403];

  let ws = null;
  let retry = 0;
  let retryTimer = null;
  let pingTimer = null;
  let stopped = false;
  let conversation = null;
  let deliveredSent = 0;
  let seenSent = 0;
  const dialog = document.getElementById("help-dialog");
  let paging = false; // a page of history is on its way
  const outbox = loadOutbox(); // [{client_id, type, body, topic}]

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function loadOutbox() {
    try { return JSON.parse(sessionStorage.getItem(OUTBOX_KEY)) || []; } catch (e) { return []; }
  }
  function saveOutbox() {
    try { sessionStorage.setItem(OUTBOX_KEY, JSON.stringify(outbox)); } catch (e) { /* private mode */ }
  }
  function showAlert(text) {
    ui.alert.textContent = text || "";
    ui.alert.hidden = !text;
  }
  function setConn(text) { ui.conn.textContent = text || ""; }

  // ---- connection -------------------------------------------------------------------
  function connected() { return ws && ws.readyState === WebSocket.OPEN; }

  function connect() {
    if (stopped || (ws && ws.readyState <= WebSocket.OPEN)) return;
    clearTimeout(retryTimer);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(scheme + location.host + root.dataset.wsPath);
    root.dataset.connection = "connecting";
    ws.onopen = function () {
      retry = 0;
      root.dataset.connection = "open";
      setConn("");
      resume();
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 25000);
    };
    ws.onmessage = function (event) {
      let frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      const handler = handlers[frame.type];
      if (handler) handler(frame);
    };
    ws.onclose = function (event) {
      clearInterval(pingTimer);
      paging = false; // what was asked on this socket will not come
      root.dataset.connection = "closed";
      if (CLOSE_NO_RETRY.indexOf(event.code) !== -1) {
        stopped = true;
        showAlert(event.code === 4401 ? T.signed_out : showAlert.last || T.signed_out);
        setConn("");
        return;
      }
      if (!ui.live.hidden) setConn(T.reconnecting + " " + T.offline_note);
      // 1 s, 2 s, 4 s … capped at 30 s, with jitter so a restarted server is not stampeded.
      const delay = Math.min(30000, 1000 * Math.pow(2, retry++)) * (0.7 + Math.random() * 0.6);
      retryTimer = setTimeout(connect, delay);
    };
  }

  // Ask for what this page lacks of the chat it shows (the server starts a different,
  // newer chat from its first message).
  function resume() {
    send({ type: "resume", after_seq: log.heldThrough(), conversation: conversation ? conversation.id : null });
  }

  // Ask for the page after what this page holds (unless one is on its way, or it holds
  // `last` already).
  function catchUp(last) {
    if (paging || !conversation) return;
    if (last !== undefined && last <= log.heldThrough()) return;
    paging = send({ type: "history", conversation: conversation.id, after_seq: log.heldThrough() });
  }

  function send(frame) {
    if (!connected()) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function flushOutbox() {
    outbox.forEach(function (item) {
      if (item.type === "start") {
        send({ type: "start", topic: item.topic, body: item.body, client_id: item.client_id });
      } else if (conversation) {
        send({ type: "message", body: item.body, client_id: item.client_id });
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      if (!connected() && !stopped && wanted()) { retry = 0; connect(); }
      ackDelivery();
      ackSeen();
    }
  });
  window.addEventListener("online", function () { if (!connected() && wanted()) { retry = 0; connect(); } });

  function wanted() {
    return root.hasAttribute("data-resume") || conversation !== null || outbox.length > 0 ||
      !root.closest(".help-step").hidden;
  }

  // ---- rendering ----------------------------------------------------------------------
  function show(panel) {
    ui.start.hidden = panel !== "start";
    ui.live.hidden = panel !== "live";
    ui.ended.hidden = panel !== "ended";
    if (panel !== "start") ui.offer.hidden = true;
  }

  // One message's bubble and its tick (chat-bubbles.js); a failed one offers Retry.
  const bubbles = window.PremiumDeskChatBubbles(T, function (li) {
    const item = { client_id: li.dataset.clientId, type: "message", body: li.querySelector(".chat-body").textContent };
    outbox.push(item);
    saveOutbox();
    bubbles.setTick(li, "sending");
    send({ type: "message", body: item.body, client_id: item.client_id });
  });
  // The log (chat-log.js): messages by sequence number, pending ones below.
  const log = window.PremiumDeskChatLog(ui.log, T, bubbles, {
    conversation: function () { return conversation; },
    earlier: function (before) {
      return Boolean(conversation) && send({ type: "history", conversation: conversation.id, before_seq: before });
    },
    other: function () { hideTyping(); },
  });

  // Seen: the chat was on the customer's screen (dialog open on it, tab visible).
  function onScreen() {
    return document.visibilityState === "visible" && dialog && dialog.open && dialog.dataset.step === "chat";
  }
  function ackSeen() {
    if (!conversation || !onScreen()) return;
    const top = log.newestOther();
    if (top > seenSent && send({ type: "seen", seq: top })) seenSent = top;
  }

  function ackDelivery() {
    if (document.visibilityState !== "visible" || !conversation) return;
    const top = log.newestOther();
    if (top > deliveredSent && send({ type: "delivered", seq: top })) deliveredSent = top;
  }

  function hideTyping() { ui.typing.hidden = true; clearTimeout(hideTyping.timer); }

  function renderStatus() {
    if (!conversation) return;
    root.dataset.status = conversation.status;
    if (conversation.status === "active" && conversation.specialist_name) {
      ui.status.textContent = fmt(T.with, { name: conversation.specialist_name });
      ui.status.className = "chat-status chat-status-active";
    }
  }

  // The wait, its estimate and the email offer: chat-wait.js.
  function renderQueue(q) {
    if (!q || !conversation || conversation.status !== "waiting") return;
    wait.queue(q);
  }

  function renderAvailability(a) {
    // A new chat's outlook, shown with the start form only (not over an ended chat).
    if (!conversation && !ui.start.hidden) wait.availability(a);
  }

  function enterConversation(c) {
    const fresh = !conversation || conversation.id !== c.id;
    if (fresh) {
      log.reset();
      deliveredSent = 0;
      outbox.filter(function (o) { return o.type === "message"; }).forEach(log.addPending);
    }
    conversation = c;
    if (dialog) dialog.dataset.openOn = "chat"; // Help opens on the live chat
    root.setAttribute("data-resume", "");
    show("live");
    renderStatus();
  }

  function endConversation(by, ticket) {
    // The rating form (csat-form.js) asks about a chat a specialist took part in.
    if (conversation) {
      root.dispatchEvent(new CustomEvent("chat:ended", {
        detail: { id: conversation.id, rated: Boolean(conversation.specialist_name) },
      }));
    }
    conversation = null;
    if (dialog) delete dialog.dataset.openOn;
    root.removeAttribute("data-resume");
    wait.done();
    if (by === "email") {
      // Nobody joined in time: it became an email ticket (or could not: no entitlement).
      wait.endedByEmail(ui.endedBy, ticket && ticket.ticket, ticket && ticket.ticket_url);
    } else {
      ui.endedBy.textContent = by === "specialist" ? T.ended_by_specialist : T.ended_by_customer;
    }
    hideTyping();
    show("ended");
  }

  function ticketOf(c) { return { ticket: c.ticket_id, ticket_url: c.ticket_url }; }

  // ---- frames from the server -----------------------------------------------------------
  const handlers = {
    history: function (f) {
      if (f.conversation && f.conversation.status === "ended") {
        // It ended while this page was away: show what it missed, and who ended it.
        if (conversation && conversation.id === f.conversation.id) {
          log.addMessages(f.messages);
          endConversation(f.conversation.ended_by, ticketOf(f.conversation));
        }
        renderAvailability(f.availability);
        flushOutbox();
      } else if (f.conversation) {
        enterConversation(f.conversation);
        if (f.from_seq) log.showEarlier(f.from_seq, true); // a long chat opens with its newest page
        log.addMessages(f.messages);
        log.markDelivered(f.conversation.specialist_delivered_seq);
        log.markDelivered(f.conversation.specialist_seen_seq, "seen");
        if (f.queue) renderQueue(f.queue);
        ackDelivery();
        ackSeen();
        paging = false;
        if (f.more) catchUp(f.conversation.last_seq);
      } else {
        if (conversation) endConversation("specialist");
        renderAvailability(f.availability);
      }
      flushOutbox();
    },
    ack: function (f) {
      const i = outbox.findIndex(function (o) { return o.client_id === f.client_id; });
      if (i !== -1) outbox.splice(i, 1);
      saveOutbox();
      // The server does not broadcast our own message back to this page: the ack has it.
      if (!log.acknowledged(f) && f.message && conversation && f.message.conversation === conversation.id) log.addMessage(f.message);
    },
    page: function (f) {
      paging = false;
      if (!conversation || f.conversation.id !== conversation.id) return;
      log.addMessages(f.messages);
      if (f.conversation.status === "ended") { endConversation(f.conversation.ended_by, ticketOf(f.conversation)); return; }
      ackDelivery();
      if (f.more) catchUp(f.conversation.last_seq);
    },
    earlier: function (f) {
      if (!conversation || f.conversation.id !== conversation.id) return;
      log.addMessages(f.messages, true);
      log.showEarlier(f.from_seq);
    },
    message: function (f) {
      log.addMessage(f.message);
      ackDelivery();
      if (f.message.sender_role !== "customer") {
        root.dispatchEvent(new CustomEvent("chat:message", { detail: { message: f.message, seen: onScreen() } }));
      }
      ackSeen();
    },
    seen: function (f) {
      if (f.role !== "specialist") return;
      if (conversation) conversation.specialist_seen_seq = f.seq;
      log.markDelivered(f.seq, "seen");
    },
    queue: function (f) { renderQueue(f); },
    availability: function (f) { renderAvailability(f); },
    joined: function (f) {
      conversation = Object.assign({}, conversation, f.conversation);
      renderStatus();
      wait.done();
      log.note(fmt(T.joined, { name: f.conversation.specialist_name }));
    },
    typing: function (f) {
      if (!f.typing) { hideTyping(); return; }
      ui.typing.textContent = fmt(T.typing, { name: f.name });
      ui.typing.hidden = false;
      clearTimeout(hideTyping.timer);
      hideTyping.timer = setTimeout(hideTyping, 6000);
    },
    delivery: function (f) {
      if (f.role !== "specialist") return;
      if (conversation) conversation.specialist_delivered_seq = f.seq;
      log.markDelivered(f.seq);
    },
    ended: function (f) { endConversation(f.by, f); },
    pong: function (f) {
      // The server says how far the conversation goes: fetch anything this page missed.
      const last = conversation && f.seqs ? f.seqs[String(conversation.id)] || 0 : 0;
      catchUp(last);
    },
    error: function (f) {
      paging = false;
      log.earlierAgain();
      showAlert(f.message);
      showAlert.last = f.message;
      if (f.client_id) {
        const i = outbox.findIndex(function (o) { return o.client_id === f.client_id; });
        if (i !== -1) {
          const item = outbox.splice(i, 1)[0];
          saveOutbox();
          if (item.type === "start") { ui.start.hidden = false; ui.live.hidden = true; }
        }
        const li = log.byClientId(f.client_id);
        if (li) bubbles.setTick(li, "failed");
      }
    },
  };

  // ---- what the customer does (chat-compose.js, chat-attach.js) ----------------------
  const api = {
    send: send, connect: connect, show: show, setConn: setConn, showAlert: showAlert,
    newId: newId, fmt: fmt, log: log,
    conversation: function () { return conversation; },
    queue: function (item) { outbox.push(item); saveOutbox(); log.addPending(item); },
    fresh: function () { conversation = null; log.reset(); },
  };
  window.PremiumDeskChatCompose(root, ui, T, api);
  window.PremiumDeskChatAttach(root, T, api);

  if (dialog) {
    dialog.addEventListener("help:step", function (event) {
      if (event.detail.step === "chat") { stopped = false; connect(); ackSeen(); }
    });
  }

  // A chat in progress resumes on every page: reopen the dialog on the chat step.
  document.addEventListener("DOMContentLoaded", function () {
    if (root.hasAttribute("data-resume") || outbox.length) {
      if (window.PremiumDeskHelp) window.PremiumDeskHelp.open("chat");
      connect();
    }
  });
  window.PremiumDeskChat = { connect: connect, state: function () { return { conversation: conversation, lastSeq: log.lastSeq(), outbox: outbox.slice() }; } };
})();
