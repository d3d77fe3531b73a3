// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Ask before a destructive form is sent.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        ev.preventDefault();
      }
    });
  });

  // Submit the workspace switch as soon as a workspace is picked.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (sel) {
    sel.addEventListener("change", function () { sel.form.submit(); });
    var btn = sel.form.querySelector(".js-hide");
    if (btn) { btn.hidden = true; }
  });

  // Copy a secret to the clipboard.
  document.querySelectorAll("[data-copy]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var el = document.getElementById(btn.getAttribute("data-copy"));
      if (!el || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(el.textContent.trim()).then(function () {
        btn.textContent = btn.getAttribute("data-copied");
      });
    });
  });
})();
