// Live preview of a segment rule: as the user types, the rule is posted
// (debounced) to /segments/preview, which answers how many customers match
// and a few of them, or where the rule is wrong.
(function () {
  "use strict";
  var rule = document.getElementById("segment-rule");
  var out = document.getElementById("segment-preview");
  var sample = document.getElementById("segment-sample");
  if (!rule || !out || !sample || !window.fetch) { return; }
  var timer = null;
  var seq = 0;

  function fill(text) { out.textContent = text; }

  function show(res) {
    sample.textContent = "";
    if (res.error) {
      fill(out.getAttribute("data-error").replace("%s", res.error.message));
      out.classList.add("alert");
      return;
    }
    out.classList.remove("alert");
    fill(out.getAttribute("data-count").replace("%d", String(res.count)));
    res.sample.forEach(function (c) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "/customers/" + c.id;
      a.textContent = (c.name || ("#" + c.id)) + (c.city ? " · " + c.city : "") + " · " + c.total_paid;
      li.appendChild(a);
      sample.appendChild(li);
    });
  }

  function preview() {
    var mine = ++seq;
    var body = new URLSearchParams();
    body.set("rule", rule.value);
    fetch(rule.getAttribute("data-preview"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": rule.getAttribute("data-csrf") },
      body: body
    }).then(function (resp) {
      return resp.json();
    }).then(function (res) {
      if (mine === seq) { show(res); }
    }).catch(function () {
      if (mine === seq) { fill(out.getAttribute("data-failed")); }
    });
  }

  rule.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(preview, 400);
  });
  if (rule.value.trim() !== "") { preview(); }
})();
