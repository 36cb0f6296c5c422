// The help dialog: a native modal <dialog> opened from the "Help" button in the nav bar.
// showModal() traps focus and makes the page inert; Esc closes it (the browser's
// "cancel" event); focus always returns to the Help button.
//
// Steps: the body holds <section class="help-step" data-step="..."> panels, one visible.
// PremiumDeskHelp.showStep(name, data) switches panel, moves focus into it and fires
// "help:step" on the dialog with {step, data}, so a channel's script can initialise or
// pre-fill its form (e.g. chat falling back to email with what the customer wrote).
//
// The "search" step is an ARIA combobox: suggestions come from the JSON endpoint as the
// user types (debounced), arrow keys move through them, Enter opens one, and a polite
// live region announces how many there are. "Contact us" opens the "channels" step.
(function () {
  "use strict";
  const button = document.getElementById("help-button");
  const dialog = document.getElementById("help-dialog");
  if (!button || !dialog) return;
  const backButton = dialog.querySelector("[data-help-back]");
  const contactBar = dialog.querySelector("[data-help-contact-bar]");
  const history = [];
  const DEBOUNCE_MS = 180;

  // A random id per dialog visit: the server counts one question per visit, and whether
  // it led to an article or to Contact us (no personal data).
  let visitKey = newKey();

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function steps() {
    return Array.from(dialog.querySelectorAll(".help-step"));
  }

  function currentStep() {
    const visible = steps().find(function (s) { return !s.hidden; });
    return visible ? visible.dataset.step : "search";
  }

  // Focus lands on the new step's first field (or channel) or, with none, on its heading
  // (a screen reader then reads where it is; a link first would skip the explanation).
  function focusInto(section) {
    const field = Array.from(
      section.querySelectorAll("[autofocus], input:not([type=hidden]), textarea, select")
    ).find(function (el) { return !el.closest("[hidden]"); });
    const first = field || section.querySelector("[data-help-channel]");
    const heading = section.querySelector(".help-step-title, h3");
    if (first) { first.focus(); return; }
    if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); return; }
    section.focus();
  }

  function showStep(name, data, options) {
    const section = dialog.querySelector('.help-step[data-step="' + name + '"]');
    if (!section) return false;
    const from = currentStep();
    if (from !== name && !(options && options.replace)) history.push(from);
    steps().forEach(function (s) { s.hidden = s !== section; });
    if (backButton) backButton.hidden = history.length === 0;
    if (contactBar) contactBar.hidden = name !== "search" && name !== "article";
    dialog.dataset.step = name;
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
      visitKey = newKey();
      search.reset();
    }
    history.length = 0;
    showStep(step || "search", data, { replace: true });
    dialog.dispatchEvent(new CustomEvent("help:open"));
  }

  function close() {
    if (dialog.open) dialog.close();
  }

  // ---- Ask a question -------------------------------------------------------------
  const search = (function () {
    const input = dialog.querySelector("#help-question");
    const list = dialog.querySelector("#help-suggestions");
    const status = dialog.querySelector("[data-help-status]");
    const url = dialog.dataset.suggestUrl;
    let timer = null;
    let controller = null;
    let sequence = 0;
    let results = [];
    let active = -1;
    let lastQuery = "";
    if (!input || !list || !url) return { reset: function () {} };

    function setActive(index) {
      const options = list.querySelectorAll("[role=option]");
      active = options.length ? (index + options.length) % options.length : -1;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(items, announcement) {
      results = items;
      list.replaceChildren();
      items.forEach(function (item, i) {
        const option = document.createElement("li");
        option.id = "help-suggestion-" + i;
        option.className = "help-suggestion";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.href = item.url;
        if (item.language) option.lang = item.language;
        const title = document.createElement("span");
        title.className = "help-suggestion-title";
        title.textContent = item.title;
        const summary = document.createElement("span");
        summary.className = "help-suggestion-summary";
        summary.textContent = item.summary;
        option.append(title, summary);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { openResult(i); });
        option.addEventListener("mousemove", function () { if (active !== i) setActive(i); });
        list.append(option);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      status.textContent = announcement || "";
      status.classList.toggle("help-status-empty", !items.length && !!announcement);
    }

    function fetchSuggestions(query) {
      if (controller) controller.abort();
      controller = new AbortController();
      const mine = ++sequence;
      // POST, so the question is counted for the deflection report; GET only reads.
      const body = new FormData();
      body.append("q", query);
      body.append("key", visitKey);
      body.append("csrfmiddlewaretoken", dialog.dataset.csrfToken || "");
      dialog.classList.add("help-loading");
      fetch(url, {
        method: "POST",
        body: body,
        headers: { Accept: "application/json", "X-CSRFToken": dialog.dataset.csrfToken || "" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          // 429 (asking too fast) and 400 (a question the input rule refuses) carry an
          // announcement to show; other errors: nothing.
          const told = response.ok || response.status === 429 || response.status === 400;
          return told ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (mine !== sequence) return; // an older answer arriving late
          if (data.retry) lastQuery = ""; // refused (too fast): typing the same again retries
          render(data.results || [], data.announcement || "");
        })
        .catch(function () { /* aborted or offline: keep what is shown */ })
        .finally(function () { if (mine === sequence) dialog.classList.remove("help-loading"); });
    }

    function onInput() {
      const query = input.value.trim();
      clearTimeout(timer);
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 2) {
        sequence++;
        if (controller) controller.abort();
        render([], "");
        return;
      }
      timer = setTimeout(function () { fetchSuggestions(query); }, DEBOUNCE_MS);
    }

    function openResult(index) {
      const item = results[index];
      if (!item) return;
      if (dialog.dataset.openedUrl && navigator.sendBeacon) {
        // Counted for the deflection report; the beacon survives the page change.
        const body = new FormData();
        body.append("key", visitKey);
        body.append("slug", item.slug);
        body.append("csrfmiddlewaretoken", dialog.dataset.csrfToken || "");
        navigator.sendBeacon(dialog.dataset.openedUrl, body);
      }
      // Inside the dialog (help-home.js), with Back to this list; else its own page.
      const Help = window.PremiumDeskHelp;
      if (!(Help && Help.openArticle && Help.openArticle(item.slug))) window.location.assign(item.url);
    }

    input.addEventListener("input", onInput);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!results.length) return;
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        setActive(active < 0 && step < 0 ? results.length - 1 : active + step);
      } else if (event.key === "Enter") {
        event.preventDefault();
        if (active >= 0) {
          openResult(active);
        } else if (input.value.trim().length >= 2) {
          const params = new URLSearchParams({ q: input.value.trim() });
          window.location.assign(dialog.dataset.kbUrl + "?" + params.toString());
        }
      } else if (event.key === "Escape" && !list.hidden) {
        // Esc closes the suggestion list first; the next Esc closes the dialog.
        event.preventDefault();
        setActive(-1);
        list.hidden = true;
        input.setAttribute("aria-expanded", "false");
      } else if (event.key === "Home" || event.key === "End") {
        if (active >= 0) {
          event.preventDefault();
          setActive(event.key === "Home" ? 0 : results.length - 1);
        }
      }
    });
    input.addEventListener("blur", function () { setActive(-1); });

    return {
      reset: function () {
        clearTimeout(timer);
        sequence++;
        input.value = "";
        lastQuery = "";
        render([], "");
      },
    };
  })();

  // ---- Contact us and the channel chooser ------------------------------------------
  function countContactReached() {
    const body = new FormData();
    body.append("key", visitKey);
    body.append("csrfmiddlewaretoken", dialog.dataset.csrfToken || "");
    fetch(dialog.dataset.contactUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: true,
      headers: { "X-CSRFToken": dialog.dataset.csrfToken || "" },
    }).catch(function () { /* the measure is best effort */ });
  }

  function contact() {
    if (dialog.dataset.contactUrl) countContactReached();
    showStep("channels");
  }
  dialog.querySelectorAll("[data-help-contact]").forEach(function (el) {
    el.addEventListener("click", contact);
  });
  dialog.querySelectorAll("[data-help-back-to-search]").forEach(function (el) {
    el.addEventListener("click", function () { showStep("search"); });
  });
  dialog.querySelectorAll("[data-help-channel]").forEach(function (el) {
    el.addEventListener("click", function () { showStep(el.dataset.helpChannel); });
  });

  button.setAttribute("aria-expanded", "false");
  // While a chat is open (chat-client.js sets data-open-on), Help opens on it.
  button.addEventListener("click", function () { open(dialog.dataset.openOn); });
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
  window.PremiumDeskHelp = { open: open, close: close, showStep: showStep, back: back, contact: contact, dialog: dialog };
})();
