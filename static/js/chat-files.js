// Files in a chat, shared by the customer's chat and the specialists' console: a message
// that carries a file shows it (a thumbnail for images) with a download link; a file is
// sent over HTTP and comes back as the chat's next stored message.
(function () {
  "use strict";
  function size(bytes) {
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return Math.round(bytes / 1024) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  // The file part of a message, or null for a text message.
  function render(message) {
    const file = message.attachment;
    if (!file) return null;
    const link = document.createElement("a");
    link.className = "chat-file";
    link.href = file.url;
    link.setAttribute("download", file.name);
    if (file.thumbnail_url) {
      const img = document.createElement("img");
      img.src = file.thumbnail_url;
      img.alt = file.name;
      // Its height is known only once loaded: a log scrolled to its end stays there.
      img.addEventListener("load", function () {
        const log = link.closest("ol, ul");
        if (log && log.scrollHeight - log.scrollTop - log.clientHeight < img.height + 120) log.scrollTop = log.scrollHeight;
      });
      link.append(img);
    }
    const label = document.createElement("span");
    label.className = "chat-file-name";
    label.textContent = file.name + " · " + size(file.size);
    link.append(label);
    return link;
  }

  // POST one file; resolves {message} once stored, or {error} with the server's reason.
  function upload(conversationId, file, clientId, csrfToken) {
    const body = new FormData();
    body.append("file", file);
    body.append("client_id", clientId);
    return fetch("/chat/" + conversationId + "/attachments/", {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken || "" },
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.message) return { message: data.message };
        const errors = (data.errors && (data.errors.file || data.errors.__all__)) || [response.statusText];
        return { error: errors.join(" ") };
      });
    }, function () { return { error: "" }; });
  }

  window.PremiumDeskChatFiles = { render: render, upload: upload };
})();
