// Premium chat, the wait (issue 17, "honest waits"), used by chat-client.js:
//  - before sending, with no specialist online, the email offer comes first and the
//    form says plainly that an unanswered chat goes to email after N minutes;
//  - while waiting: the place in the queue, the expected wait (from the server, which
//    learns it from recent waits and the queue), refreshed every REFRESH_MS, and the
//    time at which the chat will go to email; past the wait target the offer comes back;
//  - when nobody joined in time: which ticket the chat became, with a link.
(function () {
  "use strict";
  const REFRESH_MS = 20000;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  window.PremiumDeskChatWait = function (root, T, ask) {
    const $ = function (sel) { return root.querySelector(sel); };
    const offer = $("[data-chat-offer]");
    const offerReason = $("[data-chat-offer-reason]");
    const offerText = $("[data-chat-offer-text]");
    const emailButton = $("[data-chat-email]");
    const start = $("[data-chat-start]");
    const availability = $("[data-chat-availability]");
    const promise = $("[data-chat-promise]");
    const status = $("[data-chat-status]");
    const waitNote = $("[data-chat-wait-note]");
    let timer = null;

    function clock(secondsFromNow) {
      const at = new Date(Date.now() + secondsFromNow * 1000);
      const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
      try {
        return at.toLocaleTimeString(document.documentElement.lang || [], Object.assign({ timeZone: T.time_zone }, options));
      } catch (e) { return at.toLocaleTimeString([], options); }
    }

    function showOffer(a, waiting) {
      const shown = Boolean(a && a.offer_email);
      offer.hidden = !shown;
      // Nobody online and nothing sent yet: email is the first choice, chat the second.
      const first = shown && !waiting && !a.specialists_online;
      root.classList.toggle("chat-email-first", first);
      emailButton.classList.toggle("primary", first || (shown && waiting));
      const send = start.querySelector("button[type=submit]");
      send.classList.toggle("primary", !first);
      send.textContent = first ? T.send_anyway : T.send;
      if (!shown) return;
      offerReason.textContent = waiting && a.past_target ? T.past_target
        : a.specialists_online ? T.long_wait : T.no_specialist;
      offerText.textContent = T.offer_email;
    }

    function stopRefresh() { clearInterval(timer); timer = null; }

    return {
      // A new chat's outlook (nothing sent yet).
      availability: function (a) {
        if (!a) return;
        availability.textContent = a.specialists_online ? fmt(T.online, { count: a.specialists_online }) : "";
        promise.textContent = T.to_email_promise;
        showOffer(a, false);
      },
      // A waiting chat's place and expected wait; asks again every REFRESH_MS.
      queue: function (q) {
        let text = fmt(T.queue, { position: q.position }) + " ";
        if (q.expected_wait_seconds === null || q.expected_wait_seconds === undefined) {
          text += q.specialists_online ? T.wait_unknown : T.waiting;
        } else if (q.expected_wait_seconds < 60) {
          text += T.wait_short;
        } else {
          text += fmt(T.wait, { minutes: Math.round(q.expected_wait_seconds / 60) });
        }
        status.textContent = text;
        status.className = "chat-status chat-status-waiting";
        if (waitNote) {
          waitNote.hidden = q.to_email_in_seconds === undefined;
          if (!waitNote.hidden) waitNote.textContent = fmt(T.to_email_at, { time: clock(q.to_email_in_seconds) });
        }
        showOffer(q, true);
        if (!timer) timer = setInterval(function () { ask({ type: "queue" }); }, REFRESH_MS);
      },
      // Someone joined, or the chat ended: no more waiting.
      done: function () {
        stopRefresh();
        offer.hidden = true;
        root.classList.remove("chat-email-first");
        if (waitNote) waitNote.hidden = true;
      },
      // "Ended" because nobody joined in time: the ticket it became.
      endedByEmail: function (target, ticketId, ticketUrl) {
        target.textContent = ticketId ? fmt(T.ended_to_email, { id: ticketId }) : T.ended_no_ticket;
        if (ticketUrl) {
          target.append(" ");
          const link = document.createElement("a");
          link.href = ticketUrl;
          link.textContent = T.view_ticket;
          target.append(link);
        }
      },
    };
  };
})();
