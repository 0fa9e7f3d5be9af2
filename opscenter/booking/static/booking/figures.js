/* The appointment figures' chart: bookings per day, stacked by what became of them. */
(function () {
  "use strict";
  var el = document.getElementById("chart-days");
  var data = JSON.parse(document.getElementById("figures-chart").textContent);
  if (!el || !window.OpsCharts) { return; }
  var names = ["came", "waiting", "no_show", "cancelled"];
  // Came: the department's blue; still to come: pale (nothing wrong with it); did not come: red; cancelled: grey.
  var colours = { came: "#2f6fdf", waiting: "#a9c4f0", no_show: "#d62e2e", cancelled: "#9aa3ad" };
  var series = names.map(function (name) {
    return { name: data.labels[name], type: "bar", stack: "bookings", data: data.series[name],
             itemStyle: { color: colours[name] } };
  });
  if (!OpsCharts.hasData(series)) { OpsCharts.empty(el, data.labels.noData); return; }
  OpsCharts.make(el, OpsCharts.base({
    xAxis: { type: "category", data: data.days.map(OpsCharts.shortDate) },
    yAxis: { type: "value", minInterval: 1 },
    series: series
  }));
})();
