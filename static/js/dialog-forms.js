// Forms inside the help dialog (email ticket, callback request): posted with fetch,
// errors shown next to their fields, the server's confirmation replacing the form.
(function () {
  "use strict";
  if (window.PremiumDeskDialogForms) return; // included by more than one step
  window.PremiumDeskDialogForms = true;
  const dialog = document.getElementById("help-dialog");

  function setup(form) {
    const confirmation = document.getElementById(form.dataset.confirmation);
    const step = form.closest(".help-step");

    function clearErrors() {
      form.querySelectorAll("[data-error-for]").forEach(function (el) {
        el.textContent = "";
        if (el.dataset.errorFor === "__all__") el.hidden = true;
      });
      form.querySelectorAll("[aria-invalid]").forEach(function (el) {
        el.removeAttribute("aria-invalid");
      });
    }

    function showErrors(errors) {
      let first = null;
      Object.keys(errors).forEach(function (field) {
        let slot = form.querySelector('[data-error-for="' + field + '"]');
        if (!slot) slot = form.querySelector('[data-error-for="__all__"]');
        slot.textContent = errors[field].join(" ");
        slot.hidden = false;
        const input = form.querySelector('[name="' + field + '"]');
        if (input) {
          input.setAttribute("aria-invalid", "true");
          first = first || input;
        }
      });
      (first || form.querySelector('[data-error-for="__all__"]')).focus();
    }

    // Coming back to the step shows the form again; data pre-fills it (the chat falls
    // back to email with what the customer wrote).
    if (dialog && step) {
      dialog.addEventListener("help:step", function (event) {
        if (event.detail.step !== step.dataset.step) return;
        if (confirmation && !confirmation.hidden) {
          confirmation.hidden = true;
          form.hidden = false;
        }
        const data = event.detail.data || {};
        Object.keys(data).forEach(function (name) {
          if (form.elements[name] && data[name]) form.elements[name].value = data[name];
        });
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.json().then(function (body) { return { ok: response.ok, body: body }; });
        })
        .then(function (result) {
          if (!result.ok) {
            showErrors(result.body.errors || { __all__: ["Something went wrong. Please try again."] });
            return;
          }
          form.hidden = true;
          form.reset();
          confirmation.innerHTML = result.body.confirmation_html;
          confirmation.hidden = false;
          confirmation.focus();
        })
        .catch(function () {
          showErrors({ __all__: ["The connection failed and nothing was sent. Please try again."] });
        })
        .finally(function () { button.disabled = false; });
    });
  }

  document.querySelectorAll("form.dialog-form").forEach(setup);
})();
