// The open-task badge in the sidebar: filled after the page loads so that
// no page waits for the count.
(function () {
  "use strict";
  var badge = document.getElementById("task-badge");
  if (!badge || !window.fetch) { return; }
  fetch("/tasks/count", { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) {
      if (d && d.open > 0) {
        badge.textContent = d.open > 99 ? "99+" : String(d.open);
        badge.hidden = false;
      }
    })
    .catch(function () {});
})();
