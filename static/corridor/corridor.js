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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[name=to]").forEach(setUpClosureReason);
    document.querySelectorAll("form[data-handle-check]").forEach(setUpHandleCheck);
    document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
  });
})();
