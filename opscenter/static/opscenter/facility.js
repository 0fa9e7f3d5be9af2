/* The facility page: its history as charts (occupancy by bed type, ER, admissions/discharges). */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("facility-config").textContent);
  var T = cfg.labels;
  var C = window.OpsCharts;
  var ids = ["chart-beds", "chart-er", "chart-flow"];

  // One category per day from the first report to the last, gaps left empty.
  var days = [], byDay = {};
  function index(history) {
    history.forEach(function (r) { byDay[r.period] = r; });
    if (!history.length) { return; }
    var d = new Date(history[0].period + "T00:00:00Z"), end = new Date(history[history.length - 1].period + "T00:00:00Z");
    while (d <= end) { days.push(d.toISOString().slice(0, 10)); d.setUTCDate(d.getUTCDate() + 1); }
  }
  function series(history, fn) {
    return days.map(function (day) { var r = byDay[day]; return r ? fn(r.values) : null; });
  }
  function ratio(o, t) { return o === undefined || o === null || !t ? null : Math.round(1000 * o / t) / 10; }

  function draw(history) {
    if (!history.length) { ids.forEach(function (id) { C.empty(document.getElementById(id), T.noData); }); return; }
    index(history);
    var timeAxis = { type: "category", data: days.map(C.shortDate) };
    var types = Object.keys(cfg.bedTypes).filter(function (t) {
      return history.some(function (r) { return r.values["beds_" + t + "_total"]; });
    });
    var beds = types.map(function (t) {
      return {
        name: cfg.bedTypes[t], type: "line", showSymbol: false,
        data: series(history, function (v) { return ratio(v["beds_" + t + "_occupied"], v["beds_" + t + "_total"]); })
      };
    });
    beds.unshift({
      name: T.all, type: "line", showSymbol: false, lineStyle: { width: 3 }, itemStyle: { color: "#17202b" },
      data: series(history, function (v) {
        var o = 0, t = 0;
        types.forEach(function (b) { o += v["beds_" + b + "_occupied"] || 0; t += v["beds_" + b + "_total"] || 0; });
        return ratio(o, t);
      })
    });
    C.make(document.getElementById("chart-beds"), C.base({
      grid: { left: 46, right: 16, top: 58, bottom: 26 },
      xAxis: timeAxis, yAxis: { type: "value", axisLabel: { formatter: "{value}%" } }, series: beds
    }));
    C.make(document.getElementById("chart-er"), C.base({
      xAxis: { type: "category", data: days.map(C.shortDate), boundaryGap: true }, yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: T.erVisits, type: "bar", barMaxWidth: 6, itemStyle: { color: "#9db9e6" },
          data: series(history, function (v) { return v.er_visits === undefined ? null : v.er_visits; }) },
        { name: T.erWaiting, type: "line", yAxisIndex: 1, showSymbol: false, itemStyle: { color: "#d62e2e" },
          data: series(history, function (v) { return v.er_waiting_for_bed === undefined ? null : v.er_waiting_for_bed; }) }
      ]
    }));
    C.make(document.getElementById("chart-flow"), C.base({
      xAxis: timeAxis, yAxis: { type: "value" },
      series: [
        { name: T.admissions, type: "line", showSymbol: false,
          data: series(history, function (v) { return v.admissions === undefined ? null : v.admissions; }) },
        { name: T.discharges, type: "line", showSymbol: false,
          data: series(history, function (v) { return v.discharges === undefined ? null : v.discharges; }) }
      ]
    }));
  }

  fetch(cfg.historyUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(draw)
    .catch(function () { ids.forEach(function (id) { C.empty(document.getElementById(id), T.noData); }); });
})();
