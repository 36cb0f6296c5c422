// Premium chat, customer side: one message's bubble (who, when, what, all as text) and
// its tick (Sending, Sent, Delivered, Seen, Not sent with Retry). A message that carries
// a file shows the file's part (chat-files.js) in place of its text. Used by chat-log.js.
(function () {
  "use strict";

  window.PremiumDeskChatBubbles = function (T, retry) {
    function timeOf(iso) {
      const d = iso ? new Date(iso) : new Date();
      // The page's language and the profile's time zone, as the server writes times.
      const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      try {
        return d.toLocaleTimeString(document.documentElement.lang || [], Object.assign({ timeZone: T.time_zone }, options));
      } catch (e) { return d.toLocaleTimeString([], options); }
    }

    function bubble(role, name, body, iso, file) {
      const li = document.createElement("li");
      li.className = "chat-msg chat-msg-" + role;
      const meta = document.createElement("div");
      meta.className = "chat-meta";
      const who = document.createElement("span");
      who.className = "chat-who";
      who.textContent = role === "customer" ? T.you : name;
      const when = document.createElement("time");
      when.textContent = timeOf(iso);
      meta.append(who, when);
      const text = document.createElement("p");
      text.className = "chat-body";
      text.textContent = body;
      li.append(meta, file || text);
      if (role === "customer") {
        const tick = document.createElement("span");
        tick.className = "chat-tick";
        li.append(tick);
      }
      return li;
    }

    function setTick(li, state) {
      const tick = li.querySelector(".chat-tick");
      if (!tick) return;
      li.dataset.state = state;
      tick.textContent = { sending: "🕓 " + T.sending, stored: "✓ " + T.stored,
        delivered: "✓✓ " + T.delivered, seen: "✓✓ " + T.seen, failed: "⚠ " + T.not_sent }[state];
      if (state === "failed" && !li.querySelector(".chat-retry")) {
        const again = document.createElement("button");
        again.type = "button";
        again.className = "link-button chat-retry";
        again.textContent = T.retry;
        again.addEventListener("click", function () {
          again.remove();
          retry(li);
        });
        li.append(again);
      }
    }

    return { bubble: bubble, setTick: setTick, timeOf: timeOf };
  };
})();
