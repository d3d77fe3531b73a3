// Draws an activity's members over time with ECharts from the page's JSON
// block (#groups-data): members at the end of each day as a line, joins
// and leaves as bars. Tooltips are drawn on the canvas ("richText")
// because the page's CSP refuses the inline styles of HTML tooltips.
(function () {
  "use strict";

  var block = document.getElementById("groups-data");
  var el = document.getElementById("groups-chart");
  if (!block || !el || !window.echarts) { return; }
  var d = JSON.parse(block.textContent);
  var L = d.labels || {};
  var font = window.getComputedStyle(document.body).fontFamily;

  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animationDuration: 500,
    textStyle: { fontFamily: font, color: "#1c2521" },
    tooltip: { trigger: "axis", renderMode: "richText", confine: true },
    legend: { data: [L.Members, L.Joined, L.Left, L.Messages], bottom: 0 },
    grid: { left: 40, right: 40, top: 20, bottom: 50 },
    xAxis: { type: "category", data: d.days || [] },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", minInterval: 1, splitLine: { show: false } }],
    series: [
      { name: L.Members, type: "line", data: d.members || [], smooth: true, itemStyle: { color: "#0f8a5f" }, areaStyle: { opacity: 0.08 } },
      { name: L.Joined, type: "bar", data: d.joined || [], itemStyle: { color: "#5b8ff9" } },
      { name: L.Left, type: "bar", data: d.left || [], itemStyle: { color: "#e8684a" } },
      { name: L.Messages, type: "line", yAxisIndex: 1, data: d.messages || [], itemStyle: { color: "#f6bd16" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
