// The help dialog: a native modal <dialog> opened from the "Help" button in the nav bar.
// showModal() traps focus and makes the page inert; Esc closes it (the browser's
// "cancel" event); focus always returns to the Help button.
(function () {
  "use strict";
  const button = document.getElementById("help-button");
  const dialog = document.getElementById("help-dialog");
  if (!button || !dialog) return;

  function open() {
    if (dialog.open) return;
    dialog.showModal();
    button.setAttribute("aria-expanded", "true");
    const first = dialog.querySelector("[autofocus], input, textarea, select, button:not([data-help-close])");
    (first || dialog).focus();
    dialog.dispatchEvent(new CustomEvent("help:open"));
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", open);
  dialog.addEventListener("close", function () {
    button.setAttribute("aria-expanded", "false");
    button.focus();
  });
  dialog.querySelectorAll("[data-help-close]").forEach(function (el) {
    el.addEventListener("click", close);
  });
  // A click on the backdrop (outside the panel) closes too.
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) close();
  });
  window.PremiumDeskHelp = { open: open, close: close, dialog: dialog };
})();
