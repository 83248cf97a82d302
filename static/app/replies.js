// Progressive enhancement of the reply box (templates/conversations/_reply.html):
// "Insert" puts the chosen template's text after what was typed, in place.
// Without this file the button submits and the page comes back the same way.
(function () {
  "use strict";

  function setUp(form) {
    var button = form.querySelector("[data-insert-template]");
    var select = form.querySelector("select[name=template]");
    var box = form.querySelector("textarea[name=body]");
    if (!button || !select || !box) return;
    button.addEventListener("click", function (event) {
      var option = select.options[select.selectedIndex];
      if (!option || !option.value) return; // the server says "choose one"
      event.preventDefault();
      var typed = box.value.replace(/\s+$/, "");
      box.value = (typed ? typed + "\n\n" : "") + option.getAttribute("data-body");
      select.selectedIndex = 0;
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-reply-form]"), setUp);
  });
})();
