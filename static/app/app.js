// Progressive enhancement only: every form works without this file.
// Nothing typed is put in the browser's storage: drafts go to the server.
(function () {
  "use strict";

  var body = null;
  var csrf = function () {
    var token = document.querySelector("[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  };
  // Every request of the script says so: the server then answers a redirect
  // (a session that ended, say) with 204 and X-Scripted-Location instead of
  // a sign-in page that fetch would follow and hand back as the answer.
  function post(url, data) {
    var headers = { "X-CSRFToken": csrf(), "X-Scripted-Submit": "1" };
    return fetch(url, {
      method: "POST",
      body: data,
      headers: headers,
      credentials: "same-origin",
      cache: "no-store",
    });
  }

  // Warn at once when a typed contact handle is known or flagged. The handle
  // goes in a POST body, never in a URL.
  function setUpHandleCheck(form) {
    var url = form.getAttribute("data-handle-check");
    var input = form.querySelector("[name=contact_handle]");
    var target = document.getElementById("handle-matches");
    if (!url || !input || !target) return;
    var timer = null;
    var last = null;
    function check() {
      var value = input.value.trim();
      if (value === last) return;
      last = value;
      if (!value) { target.innerHTML = ""; return; }
      var data = new FormData();
      data.append("contact_handle", value);
      post(url, data).then(function (r) { return r.status === 200 ? r.text() : ""; })
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
  // Typing is activity: a keystroke tells the server, at most once a minute.
  var idle = { warnTimer: null, endTimer: null, banner: null, lastHeard: Date.now() };
  function keepAliveEvery() {
    return Number(body.getAttribute("data-keep-alive-seconds")) * 1000;
  }

  function heard(seconds) {
    // The server's idle clock was restarted (a keep-alive, a saved draft) or
    // told us what is left of it (a page): count from now.
    idle.lastHeard = Date.now();
    arm(seconds);
  }
  function end() {
    document.body.replaceChildren();
    window.location.reload();
  }
  function stay() {
    idle.lastHeard = Date.now();
    post(body.getAttribute("data-alive-url"), null).then(function (r) {
      // Signed out meanwhile (the server names the sign-in page): close now.
      if (r.headers.get("X-Scripted-Location") !== null) { end(); return; }
      if (r.status === 204) heard();
      // A server that failed to answer has not ended the session: the
      // countdown goes on from the last answer, and the limit still applies.
    }, function () { /* offline: likewise */ });
  }
  function warn() {
    idle.banner = document.createElement("div");
    idle.banner.className = "idle-warning";
    idle.banner.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = body.getAttribute("data-idle-warning");
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = body.getAttribute("data-idle-stay");
    button.addEventListener("click", stay);
    idle.banner.append(text, button);
    document.body.prepend(idle.banner);
    button.focus();
  }
  function arm(left) {
    // What the server said was left of the session, or the whole limit again.
    var seconds = left || Number(body && body.getAttribute("data-idle-limit"));
    clearTimeout(idle.warnTimer);
    clearTimeout(idle.endTimer);
    if (idle.banner) { idle.banner.remove(); idle.banner = null; }
    if (!seconds) return;
    var warnBefore = Math.min(60, seconds / 2);
    idle.warnTimer = setTimeout(warn, (seconds - warnBefore) * 1000);
    idle.endTimer = setTimeout(end, (seconds + 2) * 1000);
  }
  function typing(event) {
    var inForm = event.target && event.target.closest && event.target.closest("form");
    if (!inForm || !body.getAttribute("data-alive-url")) return;
    if (Date.now() - idle.lastHeard >= keepAliveEvery() || idle.banner) stay();
  }

  // While a form with a draft slot is typed into, its text is kept on the
  // server (encrypted) every few seconds, so neither a lost connection nor
  // the idle limit loses it. The server restores it when the form reopens.
  var DRAFT_EVERY = 3000;
  function setUpDraft(form) {
    var url = body.getAttribute("data-draft-url");
    if (!url) return;
    var notice = document.querySelector('[data-draft-notice="' + form.getAttribute("data-draft") + '"]');
    var status = notice && notice.querySelector("[data-draft-status]");
    var timer = null;
    var stopped = false;
    form.pendingDraft = Promise.resolve();
    function say(line) {
      if (!status) return;
      notice.hidden = !line;
      status.textContent = line;
    }
    function save() {
      timer = null;
      var data = new FormData(form);
      // Text only: a file would be uploaded again with every keystroke.
      Array.from(data.entries()).forEach(function (entry) {
        if (typeof entry[1] !== "string") data.delete(entry[0]);
      });
      data.set("_draft", form.getAttribute("data-draft"));
      data.set("_draft_scope", form.getAttribute("data-draft-scope"));
      form.pendingDraft = post(url, data).then(function (r) {
        if (r.headers.get("X-Scripted-Location") !== null) {
          // Signed out meanwhile: nothing more is kept, and the page says so.
          stopped = true;
          say(body.getAttribute("data-draft-signed-out"));
          return;
        }
        if (r.status !== 200) return;
        heard();  // the server counts a saved draft as activity, to the second
        return r.text().then(say);
      }, function () { /* offline: the next keystroke tries again */ });
    }
    form.addEventListener("input", function () {
      if (!timer && !stopped && !form.scriptedSending) timer = setTimeout(save, DRAFT_EVERY);
    });
    form.stopDraft = function () { clearTimeout(timer); timer = null; };
  }

  // A submit that fails must not lose the page. The form goes by fetch; the
  // page changes only when the server answered: a redirect is followed, a
  // refused form replaces the page as a normal submit would. No network or a
  // server error leaves the form as typed, with the reason by its button.
  function setUpKeptSubmit(form) {
    // The server's answer, summarised at the top of the page, says what is
    // missing in both languages; the browser's own bubble vanishes on a phone.
    form.noValidate = true;
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      event.preventDefault();
      if (form.scriptedSending) return;
      var submitter = event.submitter;
      var data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      form.scriptedSending = true;
      // The form whose draft this submit sends or discards: its saving stops,
      // and a save still on its way must not land after the submit deleted it
      // (waited for a few seconds at most: a stalled save must not stall this).
      var owner = form.hasAttribute("data-draft") ? form
        : document.querySelector('form[data-draft="' + form.getAttribute("data-draft-discard") + '"]');
      if (owner && owner.stopDraft) owner.stopDraft();
      var pending = (owner && owner.pendingDraft) || Promise.resolve();
      var patience = new Promise(function (resolve) { setTimeout(resolve, 5000); });
      setBusy(form, submitter, true);
      Promise.race([pending, patience]).then(function () {
        // getAttribute: a field named "action" would shadow form.action.
        return post(form.getAttribute("action") || window.location.href, data);
      }).then(function (r) {
        var target = r.headers.get("X-Scripted-Location");
        if (target !== null) { go(target || window.location.href); return; }
        var html = (r.headers.get("Content-Type") || "").indexOf("text/html") === 0;
        // A page that answers the form (accepted, or refused with its reasons)
        // replaces this one; anything else keeps what was typed.
        if (!html) { failed(form, submitter, "data-not-saved-server"); return; }
        if ([200, 400, 403].indexOf(r.status) < 0) {
          // An error page that says why (the key is wrong, the database is
          // out of reach) says it here, beside what was typed.
          return r.text().then(function (text) {
            var page = new DOMParser().parseFromString(text, "text/html");
            var reason = page.querySelector("[data-not-saved-reason]");
            failed(form, submitter, "data-not-saved-server", reason && reason.textContent);
          });
        }
        return r.text().then(show);
      }, function () {
        failed(form, submitter, "data-not-saved-network");
      });
    });
  }
  // Where a scripted submit's answer redirects. The same page with only another
  // #fragment would not load again (a reply redirected to the case page's
  // conversation): it is loaded afresh, at that fragment.
  function go(target) {
    var next = new URL(target, window.location.href);
    var here = window.location;
    if (next.pathname === here.pathname && next.search === here.search) {
      if (next.hash) here.hash = next.hash;
      here.reload();
      return;
    }
    here.assign(next.href);
  }

  function setBusy(form, submitter, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    if (submitter) submitter.disabled = busy;
  }
  function failed(form, submitter, message, reason) {
    form.scriptedSending = false;
    setBusy(form, submitter, false);
    var note = form.querySelector(".submit-failed");
    if (!note) {
      note = document.createElement("p");
      note.className = "submit-failed";
      note.setAttribute("role", "alert");
      note.tabIndex = -1;
      var anchor = submitter || form.querySelector("[type=submit]");
      if (anchor) anchor.before(note); else form.append(note);
    }
    note.textContent = reason || body.getAttribute(message);
    note.focus();
  }
  function show(html) {
    // The answer is a whole page (a refused form with its errors): put it in
    // place of this one, as a normal submit would, and set it up again.
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.body.replaceWith(document.adoptNode(page.body));
    window.scrollTo(0, 0);
    setUp();
    document.dispatchEvent(new CustomEvent("page:replaced"));
  }

  // A key to type into an app: copy it whole, without the spaces shown.
  function setUpCopy(button) {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  }

  // "/" goes to the case search from any page: the box itself where the page
  // has it, else the case list opened at it. Not while typing: a "/" in a
  // note is a "/". The key where a US keyboard has "/" counts in any layout
  // (on a Russian one it types "."; "/" itself needs Shift there).
  function searchBox() {
    return document.querySelector("form#search input[name=q]");
  }
  function searchKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key !== "/" && !(event.code === "Slash" && !event.shiftKey)) return;
    var target = event.target;
    if (target && (target.isContentEditable ||
        (target.closest && target.closest("input, textarea, select")))) return;
    var box = searchBox();
    var link = document.querySelector("a[data-search-link]");
    if (!box && !link) return;
    event.preventDefault();
    if (box) { box.focus(); box.select(); } else { window.location.assign(link.href); }
  }
  function setUpSearchLink(link) {
    // On the list itself the box is right here: the link (in the folded
    // menu on a phone) closes the menu and puts the focus in it.
    link.addEventListener("click", function (event) {
      var box = searchBox();
      if (!box) return;
      event.preventDefault();
      var menu = link.closest("details");
      if (menu) menu.open = false;
      box.focus();
      box.select();
    });
  }
  function focusSearchFromLink() {
    // Arrived by the header's link or the key (#search): the box has the focus.
    // After the load: scrolling to the fragment would take the focus away again.
    var box = searchBox();
    if (!box || window.location.hash !== "#search") return;
    if (document.readyState === "complete") { box.focus(); return; }
    window.addEventListener("load", function () { setTimeout(function () { box.focus(); }, 0); });
  }

  function setUp() {
    body = document.body;
    heard(Number(body.getAttribute("data-idle-seconds")));
    document.querySelectorAll("select[name=to]").forEach(setUpClosureReason);
    document.querySelectorAll("form[data-handle-check]").forEach(setUpHandleCheck);
    document.querySelectorAll("form[data-confirm]").forEach(setUpConfirm);
    document.querySelectorAll("form[data-draft]").forEach(setUpDraft);
    document.querySelectorAll("button[data-copy]").forEach(setUpCopy);
    // Forms in the page itself. Sign-out, the language switch and the sign-in
    // forms (data-native) stay native: a password is never worth keeping, and
    // password managers and Clear-Site-Data expect a real navigation.
    document.querySelectorAll("main form[method=post]:not([data-native])").forEach(setUpKeptSubmit);
    document.querySelectorAll("a[data-search-link]").forEach(setUpSearchLink);
    focusSearchFromLink();
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUp();
    // On the document, so they survive the page being replaced.
    document.addEventListener("input", typing);
    document.addEventListener("keydown", typing);
    document.addEventListener("keydown", searchKey);
  });
})();
