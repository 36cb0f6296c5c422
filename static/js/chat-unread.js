// What a customer sees of a live chat while the help dialog is closed (or the tab hidden):
// a count on the Help button and in the tab title, and a dismissible preview of the
// specialist's message near the button, in a polite live region. chat-client.js fires
// "chat:message" for each specialist message; opening the dialog on the chat clears it.
(function () {
  "use strict";
  const root = document.querySelector("[data-chat]");
  const button = document.getElementById("help-button");
  const dialog = document.getElementById("help-dialog");
  if (!root || !button || !dialog) return;
  const T = JSON.parse(document.getElementById("chat-strings").textContent);
  const baseTitle = document.title;
  const baseLabel = button.getAttribute("aria-label");
  let unread = 0;

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  const badge = document.createElement("span");
  badge.className = "help-badge";
  badge.setAttribute("aria-hidden", "true"); // the button's label says it
  badge.hidden = true;
  button.append(badge);

  // The live region exists from the start, so what is put in it later is announced.
  const region = document.createElement("div");
  region.className = "chat-preview-region";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  document.body.append(region);

  function viewing() {
    return document.visibilityState === "visible" && dialog.open && dialog.dataset.step === "chat";
  }

  function render() {
    badge.hidden = unread === 0;
    badge.textContent = unread > 99 ? "99+" : String(unread);
    document.title = unread ? "(" + unread + ") " + baseTitle : baseTitle;
    button.setAttribute("aria-label", unread ? fmt(T.unread, { count: unread }) : baseLabel);
  }

  function dismiss() { region.replaceChildren(); }

  function preview(message) {
    const card = document.createElement("div");
    card.className = "chat-preview";
    const head = document.createElement("p");
    head.className = "chat-preview-from";
    head.textContent = fmt(T.preview_from, { name: message.sender_name });
    const body = document.createElement("p");
    body.className = "chat-preview-body";
    body.textContent = message.body.length > 140 ? message.body.slice(0, 139) + "…" : message.body;
    const open = document.createElement("button");
    open.type = "button";
    open.className = "button primary small-button";
    open.textContent = T.preview_open;
    open.addEventListener("click", function () { window.PremiumDeskHelp.open("chat"); });
    const close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button chat-preview-dismiss";
    close.setAttribute("aria-label", T.preview_dismiss);
    close.textContent = "×";
    close.addEventListener("click", function () { dismiss(); button.focus(); });
    const actions = document.createElement("div");
    actions.className = "chat-preview-actions";
    actions.append(open);
    card.append(close, head, body, actions);
    region.replaceChildren(card);
  }

  function clear() {
    if (!viewing()) return;
    unread = 0;
    render();
    dismiss();
  }

  root.addEventListener("chat:message", function (event) {
    if (event.detail.seen || viewing()) return;
    unread += 1;
    render();
    if (!dialog.open) preview(event.detail.message);
  });
  root.addEventListener("chat:ended", function () { unread = 0; render(); });
  dialog.addEventListener("help:step", function () { setTimeout(clear, 0); });
  dialog.addEventListener("help:open", function () { dismiss(); setTimeout(clear, 0); });
  document.addEventListener("visibilitychange", clear);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && region.firstChild && !dialog.open) dismiss();
  });
})();
