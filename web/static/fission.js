// Draws a fission activity's referral tree with ECharts (a tree series)
// from the page's JSON block (#fission-data). Node colours follow the
// status of the invite that brought the person; flagged participants get a
// red ring. Tooltips are drawn on the canvas ("richText") because the
// page's CSP refuses the inline styles of HTML tooltips.
(function () {
  "use strict";

  var block = document.getElementById("fission-data");
  var el = document.getElementById("fission-tree");
  if (!block || !el || !window.echarts) { return; }
  var root = JSON.parse(block.textContent);

  var colors = {
    counted: "#0f8a5f", pending: "#f6bd16", left: "#e8845a", void: "#9aa5a0", flagged: "#e8684a"
  };
  var font = window.getComputedStyle(document.body).fontFamily;

  // decorate turns the server's nodes into ECharts items, counting leaves
  // to size the chart.
  var leaves = 0;
  function decorate(n, depth) {
    var color = n.kind === "activity" ? "#1c2521" : (colors[n.status] || "#5b8ff9");
    n.itemStyle = { color: color, borderColor: n.flagged ? "#c2410c" : color, borderWidth: n.flagged ? 3 : 1 };
    n.symbolSize = n.kind === "participant" || n.kind === "activity" ? 12 : 7;
    if (n.kind === "participant" && n.counted) { n.name = n.name + " (" + n.counted + ")"; }
    if (depth > 2) { n.collapsed = true; }
    if (!n.children || !n.children.length) { leaves++; }
    (n.children || []).forEach(function (c) { decorate(c, depth + 1); });
    return n;
  }
  decorate(root, 0);
  el.style.height = Math.max(320, Math.min(2400, leaves * 22)) + "px";

  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.on("finished", function () { el.dataset.rendered = "1"; });
  chart.setOption({
    animationDuration: 400,
    textStyle: { fontFamily: font },
    tooltip: {
      trigger: "item", renderMode: "richText", confine: true,
      formatter: function (p) {
        var d = p.data || {};
        var parts = [d.name];
        if (d.status) { parts.push(d.status + (d.reasons ? " · " + d.reasons.join(", ") : "")); }
        if (d.at) { parts.push(d.at.replace("T", " ").slice(0, 16) + " UTC"); }
        return parts.join("\n");
      }
    },
    series: [{
      type: "tree", data: [root], top: 20, bottom: 20, left: 90, right: 160,
      orient: "LR", expandAndCollapse: true, initialTreeDepth: 3, roam: true,
      label: { position: "left", verticalAlign: "middle", align: "right", fontSize: 12 },
      leaves: { label: { position: "right", align: "left" } }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
