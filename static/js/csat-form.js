// The help dialog's rating of an ended chat: shown when chat-client.js says a chat a
// specialist took part in has ended, posted with fetch (the server says thanks or why not).
(function () {
  "use strict";
  const root = document.querySelector("[data-chat]");
  const form = root && root.querySelector("[data-csat-chat]");
  if (!form) return;
  const dialog = document.getElementById("help-dialog");
  const error = root.querySelector("[data-csat-error]");
  const thanks = root.querySelector("[data-csat-thanks]");
  const template = form.dataset.actionTemplate;

  root.addEventListener("chat:ended", function (event) {
    form.reset();
    error.hidden = true;
    thanks.hidden = true;
    form.hidden = !event.detail.rated;
    form.action = template.replace(/0\/$/, event.detail.id + "/");
  });
  // A new chat hides the last one's form.
  root.querySelector("[data-chat-new]").addEventListener("click", function () {
    form.hidden = true;
    thanks.hidden = true;
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const body = new FormData(form);
    body.append("csrfmiddlewaretoken", (dialog && dialog.dataset.csrfToken) || "");
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": (dialog && dialog.dataset.csrfToken) || "" },
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        form.hidden = true;
        thanks.textContent = result.data.message;
        thanks.hidden = false;
        thanks.setAttribute("tabindex", "-1");
        thanks.focus();
        return;
      }
      const errors = result.data.errors || {};
      error.textContent = Object.keys(errors).map(function (k) { return errors[k].join(" "); }).join(" ");
      error.hidden = false;
    }).catch(function () {
      error.textContent = form.dataset.offline || "";
      error.hidden = !error.textContent;
    });
  });
})();
