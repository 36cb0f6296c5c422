// Premium chat, customer side: what the customer does. Start a chat, write (Enter sends,
// Shift+Enter a new line; typing is announced at most every 3 s), end the chat through the
// dialog's own confirmation, start a new one, or hand what was written to the email step.
// Every message goes through chat-client.js's outbox, so none is lost on a reconnect.
(function () {
  "use strict";

  // chat: the client's API (send, connect, show, setConn, showAlert, newId, queue, fresh,
  // conversation).
  window.PremiumDeskChatCompose = function (root, ui, T, chat) {
    let typingTimer = null;
    let typingSentAt = 0;

    ui.start.addEventListener("submit", function (event) {
      event.preventDefault();
      const topic = ui.start.elements.topic.value.trim();
      const body = ui.start.elements.body.value.trim();
      if (!topic) { ui.start.elements.topic.focus(); return; }
      if (!body) { ui.start.elements.body.focus(); return; }
      chat.showAlert("");
      const item = { type: "start", topic: topic, body: body, client_id: chat.newId() };
      chat.fresh();
      chat.show("live");
      ui.status.textContent = T.waiting;
      chat.queue(item);
      if (!chat.send({ type: "start", topic: topic, body: body, client_id: item.client_id })) {
        chat.setConn(T.connecting);
        chat.connect();
      }
    });

    ui.compose.addEventListener("submit", function (event) {
      event.preventDefault();
      const body = ui.input.value.trim();
      if (!body) return;
      chat.showAlert("");
      const item = { type: "message", body: body, client_id: chat.newId() };
      chat.queue(item);
      ui.input.value = "";
      typingSentAt = 0;
      if (chat.conversation()) chat.send({ type: "message", body: body, client_id: item.client_id });
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        ui.compose.requestSubmit();
      }
    });
    ui.input.addEventListener("input", function () {
      const now = Date.now();
      if (now - typingSentAt > 3000) {
        typingSentAt = now;
        chat.send({ type: "typing", typing: true });
      }
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { typingSentAt = 0; chat.send({ type: "typing", typing: false }); }, 4000);
    });

    // The dialog's own confirmation (not the browser's confirm box).
    const endConfirm = root.querySelector("[data-chat-end-confirm]");
    ui.end.addEventListener("click", function () {
      endConfirm.hidden = false;
      endConfirm.querySelector("[data-chat-end-no]").focus();
    });
    endConfirm.querySelector("[data-chat-end-yes]").addEventListener("click", function () {
      endConfirm.hidden = true;
      chat.send({ type: "end" });
    });
    endConfirm.querySelector("[data-chat-end-no]").addEventListener("click", function () {
      endConfirm.hidden = true;
      ui.end.focus();
    });
    ui.again.addEventListener("click", function () {
      chat.show("start");
      chat.send({ type: "queue" }); // the outlook for the new chat (answered with "availability")
      ui.start.reset();
      ui.start.elements.topic.focus();
    });

    // Email instead: hand what the customer wrote to the email step, and leave the queue.
    ui.email.addEventListener("click", function () {
      let subject = ui.start.elements.topic.value.trim();
      let description = ui.start.elements.body.value.trim();
      const conversation = chat.conversation();
      if (conversation) {
        subject = conversation.topic;
        description = Array.from(ui.log.querySelectorAll(".chat-msg-customer .chat-body"))
          .map(function (p) { return p.textContent; }).join("\n\n");
        if (conversation.status === "waiting") chat.send({ type: "end" });
      }
      window.PremiumDeskHelp.showStep("email", { subject: subject, description: description });
    });
  };
})();
