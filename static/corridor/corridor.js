// Progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  // Warn at once when a typed contact handle is known or flagged. The handle
  // goes in a POST body, never in a URL.
  function setUpHandleCheck(form) {
    var url = form.getAttribute("data-handle-check");
    var input = form.querySelector("[name=contact_handle]");
    var target = document.getElementById("handle-matches");
    if (!url || !input || !target) return;
    var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
    var timer = null;
    var last = null;
    function check() {
      var value = input.value.trim();
      if (value === last) return;
      last = value;
      if (!value) { target.innerHTML = ""; return; }
      var body = new FormData();
      body.append("contact_handle", value);
      fetch(url, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
        cache: "no-store",
      }).then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (input.value.trim() === value) target.innerHTML = html; });
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    input.addEventListener("blur", check);
  }

  function setUpConfirm(form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  }

  // The closure reason matters only when closing: show it only then.
  function setUpClosureReason(select) {
    var reason = select.form.querySelector("[name=closure_reason]");
    if (!reason) return;
    var field = reason.closest(".field");
    function sync() { field.hidden = select.value !== "closed"; }
    select.addEventListener("change", sync);
    sync();
  }

  // The server ends a session left idle; an open page would still show what
  // it showed. Warn before the limit (a button keeps the session), and at the
  // limit empty the page and reload it: the server answers with sign-in.
  function setUpIdleLimit(body) {
    var idle = Number(body.getAttribute("data-idle-seconds"));
    if (!idle) return;
    var warnBefore = Math.min(60, idle / 2);
    var warnTimer = null;
    var endTimer = null;
    var banner = null;
    function end() {
      body.replaceChildren();
      window.location.reload();
    }
    function stay() {
      var token = document.querySelector("[name=csrfmiddlewaretoken]");
      fetch(body.getAttribute("data-alive-url"), {
        method: "POST",
        headers: { "X-CSRFToken": token ? token.value : "" },
        credentials: "same-origin",
        cache: "no-store",
      }).then(function (r) { if (r.status === 204) arm(); else end(); }, end);
    }
    function warn() {
      banner = document.createElement("div");
      banner.className = "idle-warning";
      banner.setAttribute("role", "alert");
      var text = document.createElement("p");
      text.textContent = body.getAttribute("data-idle-warning");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = body.getAttribute("data-idle-stay");
      button.addEventListener("click", stay);
      banner.append(text, button);
      body.prepend(banner);
      button.focus();
    }
    function arm() {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      if (banner) { banner.remove(); banner = null; }
      warnTimer = setTimeout(warn, (idle - warnBefore) * 1000);
      endTimer = setTimeout(end, (idle + 2) * 1000);
    }
    arm();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpIdleLimit(document.body);
    document.querySelectorAll("select[name=to]").forEach(setUpClosureReason);
    document.querySelectorAll("form[data-handle-check]").forEach(setUpHandleCheck);
    document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
  });
})();
