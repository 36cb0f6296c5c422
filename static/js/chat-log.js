// Premium chat, customer side: the conversation's log. Stored messages are keyed by
// sequence number, so a message heard twice (a resume, a page, a broadcast and an ack)
// shows once, in its place; messages still on their way (Sending, Not sent) stay below
// the stored ones; a long chat opened from its newest page starts with "Show earlier
// messages". A message that carries a file shows it through chat-files.js (a thumbnail
// or a link), never its name as HTML. Used by chat-client.js.
(function () {
  "use strict";

  // hooks: conversation() the chat shown (or null), earlier(beforeSeq) asks for the page
  // before (true when asked), other() a message from the specialist arrived.
  window.PremiumDeskChatLog = function (log, T, bubbles, hooks) {
    const items = new Map(); // seq -> <li>
    let lastSeq = 0;
    // Messages before this one were not sent (a long chat's resume is its newest
    // messages): they count as held, so the heartbeat does not ask for them again.
    let shownFrom = 1;

    function reset() {
      items.clear();
      log.textContent = "";
      lastSeq = 0;
      shownFrom = 1;
    }

    // The highest n such that messages 1..n are all here. Resuming after the highest
    // number seen instead would skip a message whose broadcast was lost while a later one
    // (our own, acknowledged) arrived.
    function heldThrough() {
      let n = shownFrom - 1;
      while (items.has(n + 1)) n++;
      return n;
    }

    function scrollDown() { log.scrollTop = log.scrollHeight; }

    function byClientId(clientId) {
      return clientId ? log.querySelector('[data-client-id="' + CSS.escape(clientId) + '"]') : null;
    }

    function bubbleOf(m) {
      const file = window.PremiumDeskChatFiles && window.PremiumDeskChatFiles.render(m);
      return bubbles.bubble(m.sender_role, m.sender_name, m.body, m.created_at, file);
    }

    function addMessages(list, keepPlace) {
      const fromBottom = log.scrollHeight - log.scrollTop;
      list.forEach(function (m) { addMessage(m, true); });
      // Earlier messages went in above: keep what the customer was reading in view.
      log.scrollTop = keepPlace ? log.scrollHeight - fromBottom : log.scrollHeight;
    }

    function addMessage(m, quiet) {
      if (items.has(m.seq)) return;
      let li = byClientId(m.client_id);
      // A file on its way shows as its name: the stored message brings the file itself.
      if (li && m.attachment && !li.querySelector(".chat-file")) { li.remove(); li = null; }
      if (!li) {
        li = bubbleOf(m);
        // Keep the log in sequence order even if frames arrive out of order.
        const after = m.seq > lastSeq ? undefined : Array.from(items.keys()).filter(function (s) { return s > m.seq; }).sort(function (a, b) { return a - b; })[0];
        const pending = log.querySelector(".chat-msg[data-state=sending], .chat-msg[data-state=failed]");
        log.insertBefore(li, after ? items.get(after) : pending);
      }
      li.dataset.seq = m.seq;
      if (m.client_id) li.dataset.clientId = m.client_id;
      items.set(m.seq, li);
      lastSeq = Math.max(lastSeq, m.seq);
      if (m.sender_role === "customer") {
        const c = hooks.conversation();
        const delivered = c && c.specialist_delivered_seq >= m.seq;
        const seen = c && c.specialist_seen_seq >= m.seq;
        bubbles.setTick(li, seen ? "seen" : delivered ? "delivered" : "stored");
      } else {
        hooks.other();
      }
      if (!quiet) scrollDown();
    }

    // The acknowledgement of one of ours: its tick, and its place by sequence number.
    // False when this page does not show it (sent from another tab).
    function acknowledged(f) {
      const li = byClientId(f.client_id || "");
      if (!li) return false;
      if (li.dataset.state !== "delivered") bubbles.setTick(li, "stored");
      if (!li.dataset.seq) { li.dataset.seq = f.seq; items.set(f.seq, li); lastSeq = Math.max(lastSeq, f.seq); }
      return true;
    }

    // The first line of a long chat shown from its newest page: a button for the page
    // before, until the chat is shown from its first message.
    function showEarlier(from, atLeast) {
      shownFrom = atLeast ? Math.max(shownFrom, from) : from || 1;
      let note = log.querySelector(".chat-earlier");
      if (shownFrom <= 1) { if (note) note.remove(); return; }
      if (!note) {
        note = document.createElement("li");
        note.className = "chat-note chat-earlier";
        const more = document.createElement("button");
        more.type = "button";
        more.className = "link-button";
        more.textContent = T.earlier;
        more.addEventListener("click", function () { more.disabled = hooks.earlier(shownFrom); });
        note.append(more);
        log.prepend(note);
      }
      note.querySelector("button").disabled = false;
    }

    function earlierAgain() {
      const earlier = log.querySelector(".chat-earlier button");
      if (earlier) earlier.disabled = false;
    }

    function addPending(item) {
      const li = bubbles.bubble("customer", "", item.body, null);
      li.dataset.clientId = item.client_id;
      log.append(li);
      bubbles.setTick(li, "sending");
      scrollDown();
      return li;
    }

    function markDelivered(seq, state) {
      items.forEach(function (li, s) {
        if (s <= seq && li.classList.contains("chat-msg-customer") && li.dataset.state !== "seen") bubbles.setTick(li, state || "delivered");
      });
    }

    // The newest message from the specialist (what Delivered and Seen acknowledge).
    function newestOther() {
      let top = 0;
      items.forEach(function (li, s) { if (!li.classList.contains("chat-msg-customer")) top = Math.max(top, s); });
      return top;
    }

    function note(text) {
      const li = document.createElement("li");
      li.className = "chat-system";
      li.textContent = text;
      log.append(li);
      scrollDown();
    }

    return {
      reset: reset, heldThrough: heldThrough, addMessages: addMessages, addMessage: addMessage,
      acknowledged: acknowledged, showEarlier: showEarlier, earlierAgain: earlierAgain,
      addPending: addPending, markDelivered: markDelivered, newestOther: newestOther,
      byClientId: byClientId, note: note, scrollDown: scrollDown,
      lastSeq: function () { return lastSeq; },
    };
  };
})();
