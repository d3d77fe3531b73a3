// Draws the dashboard's charts with Apache ECharts from the page's JSON data
// block (#dashboard-data). Every word comes from the data's labels; money
// comes formatted. Tooltips are drawn on the canvas ("richText"): HTML
// tooltips would carry inline styles, which the page's CSP refuses.
(function () {
  "use strict";

  var block = document.getElementById("dashboard-data");
  if (!block || !window.echarts) { return; }
  var data = JSON.parse(block.textContent);
  var L = data.labels || {};

  var font = window.getComputedStyle(document.body).fontFamily;
  var ink = "#1c2521";
  var muted = "#6b7772";
  var line = "#e3e8e5";

  var stageColors = {
    none: "#b8c4bf", "new": "#5b8ff9", first_order: "#5ad8a6",
    repeat: "#0f8a5f", silent: "#f6bd16", churned: "#e8684a"
  };
  var segmentColors = {
    champions: "#0b6e4b", loyal: "#0f8a5f", potential_loyalists: "#2fb482",
    new_customers: "#5ad8a6", promising: "#9bdcbc", need_attention: "#f6bd16",
    about_to_sleep: "#f3a952", at_risk: "#e8845a", cant_lose: "#c2410c", hibernating: "#9aa5a0"
  };
  var seriesColors = {
    touched: "#9aa5a0", retained: "#5b8ff9", engaged: "#5ad8a6", ordered: "#0f8a5f", delete_rate: "#e8684a"
  };

  // fmt fills the %s and %d of a message in order.
  function fmt(pattern) {
    var args = Array.prototype.slice.call(arguments, 1);
    var i = 0;
    return String(pattern || "").replace(/%[sd]/g, function () {
      return i < args.length ? String(args[i++]) : "";
    });
  }
  function pair(name, value) { return fmt(L.pair, name, value); }

  // textWidth measures a label as the charts draw it (12px in the page's
  // font), to make room for it.
  var measure = document.createElement("canvas").getContext("2d");
  function textWidth(s) {
    measure.font = "12px " + font;
    return measure.measureText(String(s)).width;
  }
  function widest(names) {
    var w = 0;
    names.forEach(function (s) { w = Math.max(w, textWidth(s)); });
    return w;
  }

  var base = {
    animationDuration: 500,
    textStyle: { fontFamily: font, color: ink },
    tooltip: { renderMode: "richText", confine: true, textStyle: { fontFamily: font, color: ink } }
  };
  // merge copies the options of from into into, deeply, so that shared
  // defaults are never changed by one chart's options.
  function isPlain(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function merge(into, from) {
    Object.keys(from).forEach(function (k) {
      var v = from[k];
      if (isPlain(v)) {
        into[k] = merge(isPlain(into[k]) ? into[k] : {}, v);
      } else {
        into[k] = v;
      }
    });
    return into;
  }

  var charts = [];
  function mount(id, option, height) {
    var el = document.getElementById(id);
    if (!el) { return; }
    if (height) { el.style.height = height + "px"; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.rendered = "1"; });
    chart.setOption(merge(merge({}, base), option));
    charts.push(chart);
    if (window.ResizeObserver) {
      new window.ResizeObserver(function () { chart.resize(); }).observe(el);
    }
  }
  if (!window.ResizeObserver) {
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  var valueAxis = { type: "value", axisLabel: { color: muted }, splitLine: { lineStyle: { color: line } } };
  function categoryAxis(names, extra) {
    return merge({ type: "category", data: names, axisLabel: { color: muted }, axisLine: { lineStyle: { color: line } }, axisTick: { show: false } }, extra || {});
  }

  // 1. RFM: customers per R and F score.
  if (data.rfm) {
    var cells = [];
    var most = 1;
    data.rfm.cells.forEach(function (row, r) {
      row.forEach(function (c, f) {
        cells.push([f, r, c.customers]);
        most = Math.max(most, c.customers);
      });
    });
    var scores = ["1", "2", "3", "4", "5"];
    mount("chart-rfm-grid", {
      tooltip: {
        formatter: function (p) {
          var r = p.value[1] + 1, f = p.value[0] + 1;
          var c = data.rfm.cells[r - 1][f - 1];
          return [fmt(L.cell, r, f), pair(L.segment, c.segment), pair(L.customers, c.customers), pair(L.monetary, c.monetary)].join("\n");
        }
      },
      grid: { left: 56, right: 16, top: 8, bottom: 72 },
      xAxis: categoryAxis(scores, { name: L.frequency, nameLocation: "middle", nameGap: 26, splitArea: { show: true } }),
      yAxis: categoryAxis(scores, { name: L.recency, nameLocation: "middle", nameGap: 30, splitArea: { show: true } }),
      visualMap: {
        min: 0, max: most, calculable: false, orient: "horizontal", left: "center", bottom: 0,
        itemHeight: 160, itemWidth: 10, text: [String(most), "0"], textStyle: { color: muted },
        inRange: { color: ["#f1f8f4", "#8fd3b2", "#0f8a5f", "#0b4f37"] }
      },
      series: [{
        type: "heatmap", data: cells,
        label: { show: true, fontSize: 12 },
        itemStyle: { borderColor: "#fff", borderWidth: 2 },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: "rgba(0,0,0,.2)" } }
      }]
    });
  }

  // 2. RFM segments, best first, from the top.
  if (data.segments) {
    var segs = data.segments;
    mount("chart-segments", {
      tooltip: {
        formatter: function (p) {
          var s = segs[p.dataIndex];
          return [s.label, pair(L.customers, s.customers), pair(L.share, s.share), pair(L.monetary, s.monetary)].join("\n");
        }
      },
      grid: { left: widest(segs.map(function (s) { return s.label; })) + 16, right: 72, top: 8, bottom: 24 },
      xAxis: merge({}, valueAxis),
      yAxis: categoryAxis(segs.map(function (s) { return s.label; }), { inverse: true, axisLabel: { color: ink } }),
      series: [{
        type: "bar", barMaxWidth: 18,
        data: segs.map(function (s) { return { value: s.customers, itemStyle: { color: segmentColors[s.code] || "#2fb482", borderRadius: [0, 3, 3, 0] } }; }),
        label: { show: true, position: "right", color: muted, formatter: function (p) { return segs[p.dataIndex].customers + " · " + segs[p.dataIndex].share; } }
      }]
    });
  }

  // 3. Lifecycle: stages today, the flow of the last full month, and the
  // stages month by month.
  if (data.stages) {
    var stages = data.stages;
    mount("chart-stages", {
      tooltip: { formatter: function (p) { return pair(stages[p.dataIndex].label, stages[p.dataIndex].customers); } },
      grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
      xAxis: categoryAxis(stages.map(function (s) { return s.label; }), { axisLabel: { color: ink, interval: 0 } }),
      yAxis: merge({}, valueAxis),
      series: [{
        type: "bar", barMaxWidth: 44,
        data: stages.map(function (s) { return { value: s.customers, itemStyle: { color: stageColors[s.code], borderRadius: [3, 3, 0, 0] } }; }),
        label: { show: true, position: "top", color: ink }
      }]
    });
  }

  if (data.flow) {
    var nodeLabel = {};
    var room = { open: 0, close: 0 };
    data.flow.nodes.forEach(function (n) {
      nodeLabel[n.id] = n.label;
      var side = n.close ? "close" : "open";
      room[side] = Math.max(room[side], textWidth(n.label + " 00000") + 12);
    });
    mount("chart-flow", {
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") {
            return fmt(L.flow_link, nodeLabel[p.data.source], nodeLabel[p.data.target]) + "\n" + pair(L.customers, p.data.value);
          }
          return pair(nodeLabel[p.name], p.value);
        }
      },
      series: [{
        type: "sankey", left: room.open, right: room.close, top: 8, bottom: 8, nodeWidth: 14, nodeGap: 10,
        nodeAlign: "justify", layoutIterations: 0,
        emphasis: { focus: "adjacency" },
        lineStyle: { color: "gradient", opacity: 0.35, curveness: 0.5 },
        data: data.flow.nodes.map(function (n) {
          return {
            name: n.id,
            itemStyle: { color: stageColors[n.stage] || "#9aa5a0", borderWidth: 0 },
            label: { position: n.close ? "right" : "left" }
          };
        }),
        links: data.flow.links.map(function (l) { return { source: l.source, target: l.target, value: l.customers }; }),
        label: { color: ink, formatter: function (p) { return nodeLabel[p.name] + " " + p.value; } }
      }]
    });
  }

  if (data.trend) {
    mount("chart-trend", {
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { color: muted } },
      grid: { left: 8, right: 32, top: 36, bottom: 8, containLabel: true },
      xAxis: categoryAxis(data.trend.months, { boundaryGap: false }),
      yAxis: merge({}, valueAxis),
      series: data.trend.series.map(function (s) {
        return {
          name: s.label, type: "line", stack: "stages", symbol: "none",
          areaStyle: { opacity: 0.85 }, lineStyle: { width: 1 },
          itemStyle: { color: stageColors[s.code] }, data: s.customers
        };
      })
    });
  }

  // 4. Cohorts: the share of each first-order month's customers who ordered
  // again k months later.
  if (data.cohorts) {
    var co = data.cohorts;
    var months = [];
    for (var k = 1; k <= co.columns; k++) { months.push(fmt(L.month_after, k)); }
    var rowNames = co.rows.map(function (r) { return fmt(L.cohort_row, r.month, r.customers); });
    var best = 1;
    co.cells.forEach(function (c) { best = Math.max(best, c.retention); });
    mount("chart-cohorts", {
      tooltip: {
        formatter: function (p) {
          var c = co.cells[p.dataIndex];
          return [rowNames[c.row] + " · " + months[c.month - 1], pair(L.retention, c.retention.toFixed(1) + "%"),
            pair(L.active, c.active), pair(L.revenue_per_customer, c.revenue)].join("\n");
        }
      },
      grid: { left: 8, right: 16, top: 8, bottom: 48, containLabel: true },
      xAxis: categoryAxis(months, { position: "top", axisLabel: { interval: 0 } }),
      yAxis: categoryAxis(rowNames, { inverse: true, axisLabel: { color: ink } }),
      visualMap: {
        min: 0, max: best, calculable: false, orient: "horizontal", left: "center", bottom: 0,
        itemHeight: 160, itemWidth: 10, text: [best + "%", "0%"], textStyle: { color: muted },
        inRange: { color: ["#f7fbf9", "#8fd3b2", "#0f8a5f", "#0b4f37"] }
      },
      series: [{
        type: "heatmap",
        data: co.cells.map(function (c) { return [c.month - 1, c.row, c.retention]; }),
        label: { show: true, fontSize: 10, formatter: function (p) { return p.value[2] ? p.value[2].toFixed(1) + "%" : ""; } },
        itemStyle: { borderColor: "#fff", borderWidth: 1 }
      }]
    }, Math.max(220, co.rows.length * 26 + 80));
  }

  // axisLabels lets category labels share the width of a chart (less
  // margin, the room of its value axes): side by side, cut to fit, when
  // there is room for 64 pixels or the widest name, else slanted.
  function axisLabels(id, names, margin) {
    var el = document.getElementById(id);
    var slot = el ? (el.clientWidth - margin) / Math.max(names.length, 1) : 0;
    if (slot >= Math.min(64, widest(names) + 8)) {
      return { color: ink, interval: 0, width: Math.floor(slot - 6), overflow: "truncate" };
    }
    return { color: ink, interval: 0, width: 96, overflow: "truncate", rotate: 30 };
  }

  // 5, 6. Funnels: by channel code (with the deletion rate on its own
  // axis) and by the channel of the first order.
  var funnelNames = { touched: L.buyers, retained: L.retained, engaged: L.engaged, ordered: L.ordered };
  function funnel(id, rows, bars, withDeleteRate) {
    var names = rows.map(function (r) { return r.name; });
    var series = bars.map(function (b) {
      return {
        name: funnelNames[b], type: "bar", barMaxWidth: 22,
        itemStyle: { color: seriesColors[b], borderRadius: [3, 3, 0, 0] },
        data: rows.map(function (r) { return r[b]; })
      };
    });
    var yAxis = [merge(merge({}, valueAxis), { name: L.customers, nameTextStyle: { color: muted } })];
    if (withDeleteRate) {
      yAxis.push({
        type: "value", name: L.delete_rate, min: 0, max: 100, nameTextStyle: { color: muted },
        axisLabel: { color: muted, formatter: "{value}%" }, splitLine: { show: false }
      });
      series.push({
        name: L.delete_rate, type: "line", yAxisIndex: 1, symbolSize: 7,
        itemStyle: { color: seriesColors.delete_rate }, lineStyle: { width: 2 },
        data: rows.map(function (r) { return r.delete_rate; }),
        tooltip: { valueFormatter: function (v) { return v + "%"; } }
      });
    }
    mount(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, textStyle: { color: muted } },
      grid: { left: 8, right: 8, top: 56, bottom: 8, containLabel: true },
      xAxis: categoryAxis(names, { axisLabel: axisLabels(id, names, withDeleteRate ? 110 : 60) }),
      yAxis: yAxis,
      series: series
    });
  }
  if (data.by_code) { funnel("chart-by-code", data.by_code, ["retained", "engaged", "ordered"], true); }
  if (data.by_source) { funnel("chart-by-source", data.by_source, ["touched", "retained", "engaged", "ordered"], false); }

  // 7. CLV: customers per value band.
  if (data.clv) {
    var bands = data.clv.map(function (b) { return b.label; });
    mount("chart-clv", {
      tooltip: { formatter: function (p) { return pair(p.name, p.value); } },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: categoryAxis(bands, { axisLabel: axisLabels("chart-clv", bands, 60) }),
      yAxis: merge(merge({}, valueAxis), { name: L.customers, nameTextStyle: { color: muted } }),
      series: [{
        type: "bar", barMaxWidth: 36, itemStyle: { color: "#2fb482", borderRadius: [3, 3, 0, 0] },
        data: data.clv.map(function (b) { return b.customers; })
      }]
    });
  }
})();
