// Premium chat, customer side: attach a file. The 📎 button (a labelled file input, so
// it is reached with Tab and opened with Enter or Space) sends the file over HTTP
// (chat-files.js); while it travels it shows as its name with "Sending…"; once stored it
// is the chat's next message, in order, shown to both sides and in every resume like
// text. A refused file (type not allowed, too big, content that does not match its name)
// leaves nothing in the chat: the server's reason shows in the dialog's alert.
(function () {
  "use strict";

  // chat: the client's API (conversation, showAlert, newId, fmt, log).
  window.PremiumDeskChatAttach = function (root, T, chat) {
    const input = root.querySelector("[data-chat-attach]");
    if (!input || !window.PremiumDeskChatFiles) return;

    input.addEventListener("change", function () {
      const file = input.files && input.files[0];
      input.value = "";
      if (!file) return;
      const conversation = chat.conversation();
      if (!conversation) {
        chat.showAlert(chat.fmt(T.upload_failed, { name: file.name, reason: T.upload_later }));
        return;
      }
      chat.showAlert("");
      const clientId = chat.newId();
      const li = chat.log.addPending({ body: file.name, client_id: clientId });
      window.PremiumDeskChatFiles.upload(conversation.id, file, clientId, root.dataset.csrfToken).then(function (result) {
        if (result.message) {
          const shown = chat.conversation();
          if (shown && shown.id === result.message.conversation) chat.log.addMessage(result.message);
          else li.remove();
          return;
        }
        li.remove();
        chat.showAlert(chat.fmt(T.upload_failed, { name: file.name, reason: result.error || T.not_sent }));
        input.focus();
      });
    });
  };
})();
