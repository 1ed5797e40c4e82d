// 驾驶舱: loads the numbers (JSON, scoped to the user's region) and draws each chart with the
// locally served ECharts. No inline script (the Content-Security-Policy forbids it).
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  var status = document.getElementById("dashboard-status");
  if (!root || typeof window.echarts === "undefined") {
    if (status) status.textContent = "图表组件未能加载";
    return;
  }
  var narrow = function () { return window.innerWidth < 600; };
  var instances = [];

  function option(chart) {
    var legend = { type: "scroll", top: 0, textStyle: { fontSize: narrow() ? 10 : 12 } };
    var grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };
    if (chart.type === "pie") {
      var data = chart.x.map(function (name, i) { return { name: name, value: chart.series[0].data[i] }; });
      return { tooltip: { trigger: "item" }, legend: legend,
               series: [{ type: "pie", radius: narrow() ? ["30%", "60%"] : ["35%", "65%"], top: 30, data: data,
                          label: { show: !narrow() } }] };
    }
    var twoAxes = chart.series.some(function (s) { return s.axis === 1; });
    var yAxis = [{ type: "value" }];
    if (twoAxes) yAxis.push({ type: "value", splitLine: { show: false } });
    var series = chart.series.map(function (s) {
      var type = chart.type === "line" || s.axis === 1 ? "line" : "bar";
      var out = { name: s.name, type: type, data: s.data, yAxisIndex: s.axis || 0 };
      if (chart.type === "stack") out.stack = "all";
      return out;
    });
    return { tooltip: { trigger: "axis" }, legend: legend, grid: grid,
             xAxis: { type: "category", data: chart.x, axisLabel: { hideOverlap: true, fontSize: narrow() ? 10 : 12 } },
             yAxis: yAxis, series: series };
  }

  function draw(payload) {
    payload.charts.forEach(function (chart) {
      var box = root.querySelector('[data-chart="' + chart.id + '"]');
      if (!box) return;
      var note = root.querySelector('[data-note="' + chart.id + '"]');
      if (note && chart.note) note.textContent = chart.note;
      var instance = window.echarts.init(box, null, { renderer: "canvas" });
      instance.setOption(option(chart));
      box.setAttribute("data-drawn", "1");
      instances.push(instance);
    });
    if (status) status.textContent = "数据截至 " + payload.as_of + "（" + payload.region.name + "）";
    root.setAttribute("data-ready", "1");
  }

  window.addEventListener("resize", function () {
    instances.forEach(function (instance) { instance.resize(); });
  });

  fetch(root.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    })
    .then(draw)
    .catch(function () { if (status) status.textContent = "数据加载失败，请刷新页面"; });
})();
