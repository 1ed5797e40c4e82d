// 政策测算 chart: monthly budget before and after, per township (data from json_script).
(function () {
  var box = document.getElementById("sim-chart");
  var source = document.getElementById("sim-chart-data");
  if (!box || !source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: ["调整前（元/月）", "调整后（元/月）"] },
    grid: { left: 80, right: 20, bottom: 60 },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 8 ? 30 : 0 } },
    yAxis: { type: "value", name: "元/月" },
    series: [
      { name: "调整前（元/月）", type: "bar", data: data.before, itemStyle: { color: "#9fb3c8" } },
      { name: "调整后（元/月）", type: "bar", data: data.after, itemStyle: { color: "#175cd3" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); });
})();
