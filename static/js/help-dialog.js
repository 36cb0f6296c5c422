// The help dialog: a native modal <dialog> opened from the "Help" button in the nav bar.
// showModal() traps focus and makes the page inert; Esc closes it (the browser's
// "cancel" event); focus always returns to the Help button.
//
// Steps: the body holds <section class="help-step" data-step="..."> panels, one visible.
// PremiumDeskHelp.showStep(name, data) switches panel, moves focus into it and fires
// "help:step" on the dialog with {step, data}, so a channel's script can initialise or
// pre-fill its form (e.g. chat falling back to email with what the customer wrote).
(function () {
  "use strict";
  const button = document.getElementById("help-button");
  const dialog = document.getElementById("help-dialog");
  if (!button || !dialog) return;
  const backButton = dialog.querySelector("[data-help-back]");
  const history = [];

  function steps() {
    return Array.from(dialog.querySelectorAll(".help-step"));
  }

  function currentStep() {
    const visible = steps().find(function (s) { return !s.hidden; });
    return visible ? visible.dataset.step : "search";
  }

  function focusInto(section) {
    const target = section.querySelector(
      "[autofocus], input:not([type=hidden]), textarea, select, button, a[href]"
    );
    (target || section).focus();
  }

  function showStep(name, data, options) {
    const section = dialog.querySelector('.help-step[data-step="' + name + '"]');
    if (!section) return false;
    const from = currentStep();
    if (from !== name && !(options && options.replace)) history.push(from);
    steps().forEach(function (s) { s.hidden = s !== section; });
    if (backButton) backButton.hidden = history.length === 0;
    dialog.dispatchEvent(new CustomEvent("help:step", { detail: { step: name, data: data || {} } }));
    focusInto(section);
    return true;
  }

  function back() {
    const previous = history.pop();
    if (previous) showStep(previous, {}, { replace: true });
    if (backButton) backButton.hidden = history.length === 0;
  }

  function open(step, data) {
    if (!dialog.open) {
      dialog.showModal();
      button.setAttribute("aria-expanded", "true");
    }
    history.length = 0;
    showStep(step || "search", data, { replace: true });
    dialog.dispatchEvent(new CustomEvent("help:open"));
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  button.setAttribute("aria-expanded", "false");
  button.addEventListener("click", function () { open(); });
  if (backButton) backButton.addEventListener("click", back);
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
  window.PremiumDeskHelp = { open: open, close: close, showStep: showStep, back: back, dialog: dialog };
})();
