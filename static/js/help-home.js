// The help dialog's home and articles (issue 17), on top of help-dialog.js:
//  - under Ask a question, the customer's own open and recent conversations (tickets,
//    chats, callbacks) from help/conversations/, refreshed each time the dialog opens;
//    each opens where it belongs (a ticket's page, the live chat in the dialog, the
//    callback's row in My tickets);
//  - a suggested article opens inside the dialog (the "article" step; Back returns to the
//    question as typed), with a link to its own page; its vote is sent with fetch and
//    acknowledged neutrally; "No" offers Contact us;
//  - the question typed is carried to the channel forms (ticket subject, chat topic).
(function () {
  "use strict";
  const dialog = document.getElementById("help-dialog");
  if (!dialog || !window.PremiumDeskHelp) return;
  const Help = window.PremiumDeskHelp;
  const home = dialog.querySelector("[data-help-home]");
  const list = dialog.querySelector("[data-help-home-list]");
  const articleSlot = dialog.querySelector("[data-help-article]");
  const question = dialog.querySelector("#help-question");

  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // ---- conversations --------------------------------------------------------------
  function relative(iso) {
    const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
    const lang = document.documentElement.lang || undefined;
    const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    const steps = [[60, "second"], [3600, "minute"], [86400, "hour"], [604800, "day"], [Infinity, "week"]];
    const units = { second: 1, minute: 60, hour: 3600, day: 86400, week: 604800 };
    for (let i = 0; i < steps.length; i++) {
      if (Math.abs(seconds) < steps[i][0]) {
        const unit = steps[i][1];
        return rtf.format(Math.round(seconds / units[unit]), unit);
      }
    }
    return "";
  }

  function item(c) {
    const li = document.createElement("li");
    li.className = "help-home-item" + (c.is_open ? " help-home-open" : "");
    li.dataset.kind = c.kind;
    const label = c.kind === "ticket" ? fmt(home.dataset.kindTicket, { id: c.id }) : home.dataset["kind" + c.kind.charAt(0).toUpperCase() + c.kind.slice(1)];
    let target;
    if (c.kind === "chat" && c.is_open) {
      target = document.createElement("button");
      target.type = "button";
      target.addEventListener("click", function () { Help.showStep("chat"); });
    } else if (c.url) {
      target = document.createElement("a");
      target.href = c.url;
    } else {
      target = document.createElement("div");
    }
    target.className = "help-home-target";
    const kind = document.createElement("span");
    kind.className = "help-home-kind";
    kind.textContent = label;
    const title = document.createElement("span");
    title.className = "help-home-subject";
    title.textContent = c.title;
    const meta = document.createElement("span");
    meta.className = "help-home-meta";
    const status = document.createElement("span");
    status.className = "badge help-home-status status-" + c.status;
    status.textContent = c.kind === "chat" && c.is_open ? home.dataset.openChat : c.status_label;
    const when = document.createElement("time");
    when.dateTime = c.last_activity;
    when.textContent = fmt(home.dataset.activity, { when: relative(c.last_activity) });
    meta.append(status, " ", when);
    target.append(kind, title, meta);
    li.append(target);
    return li;
  }

  function loadConversations() {
    const url = dialog.dataset.conversationsUrl;
    if (!url || !home) return;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) {
        list.replaceChildren.apply(list, (data.items || []).map(item));
        home.hidden = !list.children.length;
      })
      .catch(function () { /* offline: the home keeps what it showed */ });
  }
  dialog.addEventListener("help:open", loadConversations);

  // ---- articles inside the dialog ------------------------------------------------
  function openArticle(slug) {
    if (!articleSlot || !dialog.dataset.articleUrl) return false;
    const url = dialog.dataset.articleUrl.replace("__slug__", encodeURIComponent(slug));
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        // A fragment the server rendered (markdown sanitised by nh3, the rest escaped).
        articleSlot.innerHTML = html;
        Help.showStep("article");
        const heading = articleSlot.querySelector(".help-step-title");
        if (heading) heading.focus();
      })
      .catch(function () { window.location.assign(url.replace(/^\/help\/articles\//, "/kb/")); });
    return true;
  }
  Help.openArticle = openArticle;

  // The vote inside the dialog: posted with fetch, answered with a neutral note.
  dialog.addEventListener("submit", function (event) {
    const form = event.target.closest("[data-kb-feedback]");
    if (!form) return;
    event.preventDefault();
    const body = new FormData(form);
    if (event.submitter && event.submitter.name) body.append(event.submitter.name, event.submitter.value);
    const ack = articleSlot.querySelector("[data-kb-feedback-ack]");
    const error = articleSlot.querySelector("[data-kb-feedback-error]");
    const notHelpful = articleSlot.querySelector("[data-kb-not-helpful]");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (result) {
        error.hidden = result.ok;
        if (!result.ok) { error.textContent = (result.data.errors || []).join(" "); return; }
        ack.textContent = result.data.message;
        ack.hidden = false;
        form.querySelectorAll(".kb-vote").forEach(function (b) {
          b.classList.toggle("kb-vote-chosen", b.value === (result.data.helpful ? "yes" : "no"));
        });
        const current = articleSlot.querySelector(".kb-feedback-current");
        if (current) current.hidden = true;
        notHelpful.hidden = result.data.helpful;
        if (!result.data.helpful) notHelpful.querySelector("button").focus();
      })
      .catch(function () { error.hidden = false; error.textContent = form.dataset.offline || ""; });
  });

  // Contact us from anywhere in the dialog (the article's "No"), and from a page's own
  // button (the article page after a "No" vote: data-help-open="channels").
  dialog.addEventListener("click", function (event) {
    const contact = event.target.closest("[data-help-contact]");
    if (contact && contact.closest("[data-help-article]")) Help.contact();
  });
  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-help-open]");
    if (opener && !opener.closest("#help-dialog")) Help.open(opener.dataset.helpOpen);
  });

  // ---- the question carried to the channels ------------------------------------------
  dialog.addEventListener("help:step", function (event) {
    const step = event.detail.step;
    const asked = question ? question.value.trim().slice(0, 200) : "";
    if (!asked || (step !== "email" && step !== "chat" && step !== "phone")) return;
    // Pre-filled, still editable; never over what the customer wrote there already.
    const field = {
      email: dialog.querySelector("#ticket-form [name=subject]"),
      chat: dialog.querySelector("#chat-topic"),
      phone: dialog.querySelector("#callback-topic"),
    }[step];
    if (field && !field.value.trim()) field.value = asked;
  });
})();
