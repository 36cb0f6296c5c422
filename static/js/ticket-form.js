// Premium email support in the help dialog: posts the form with fetch, shows field
// errors next to their fields, and replaces the form by the server's confirmation.
(function () {
  "use strict";
  const form = document.getElementById("ticket-form");
  const confirmation = document.getElementById("ticket-confirmation");
  if (!form || !confirmation) return;
  const dialog = document.getElementById("help-dialog");

  function clearErrors() {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      el.textContent = "";
      if (el.dataset.errorFor === "__all__") el.hidden = true;
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
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

  // The chat can fall back to email with what the customer wrote.
  if (dialog) {
    dialog.addEventListener("help:step", function (event) {
      if (event.detail.step !== "email") return;
      if (!confirmation.hidden) {
        confirmation.hidden = true;
        form.hidden = false;
      }
      const data = event.detail.data || {};
      if (data.subject) form.elements.subject.value = data.subject;
      if (data.description) form.elements.description.value = data.description;
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
        showErrors({ __all__: ["The connection failed. Your ticket was not sent; please try again."] });
      })
      .finally(function () { button.disabled = false; });
  });
})();
