/* The facility page: its history as charts (occupancy by bed type, ER, admissions/discharges), with the
   latest forecasts drawn after it: admissions on the flow chart, occupied beds against capacity per bed type.
   It follows the hospital live: a new report, alert or camera count refreshes what it changes. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("facility-config").textContent);
  var T = cfg.labels;
  var C = window.OpsCharts;
  var ids = ["chart-beds", "chart-er", "chart-flow"];
  var DEMAND_DAYS = 56;  // history shown before a bed-demand forecast

  var Live = window.OpsLive, getJSON = Live.getJSON;
  function isoDays(first, last) {
    var out = [], d = new Date(first + "T00:00:00Z"), end = new Date(last + "T00:00:00Z");
    while (d <= end) { out.push(d.toISOString().slice(0, 10)); d.setUTCDate(d.getUTCDate() + 1); }
    return out;
  }

  // One category per day from the first report to the last forecast day, gaps left empty.
  var days = [], byDay = {};
  function index(history, forecasts) {
    history.forEach(function (r) { byDay[r.period] = r; });
    var last = history[history.length - 1].period;
    forecasts.forEach(function (f) { var end = f.dates[f.dates.length - 1]; if (end > last) { last = end; } });
    days = isoDays(history[0].period, last);
  }
  function series(fn, within) {
    return (within || days).map(function (day) { var r = byDay[day]; return r ? fn(r) : null; });
  }
  function value(column) { return function (r) { return r[column] === undefined ? null : r[column]; }; }
  function bed(type, measure) { return function (r) { return r.beds[type] ? r.beds[type][measure] : null; }; }
  function ratio(o, t) { return o === undefined || o === null || !t ? null : Math.round(1000 * o / t) / 10; }
  function startOf(fc, axisDays) { var i = axisDays.indexOf(fc.dates[0]); return i < 0 ? axisDays.length : i; }

  function drawBeds(history) {
    var types = Object.keys(cfg.bedTypes).filter(function (t) {
      return history.some(function (r) { return r.beds[t]; });
    });
    var beds = types.map(function (t) {
      return {
        name: cfg.bedTypes[t], type: "line", showSymbol: false,
        data: series(function (r) { return ratio(bed(t, "occupied")(r), bed(t, "total")(r)); })
      };
    });
    beds.unshift({
      name: T.all, type: "line", showSymbol: false, lineStyle: { width: 3 }, itemStyle: { color: "#17202b" },
      data: series(function (r) { return ratio(r.beds_occupied, r.beds_total); })
    });
    C.make(document.getElementById("chart-beds"), C.base({
      grid: { left: 46, right: 16, top: 58, bottom: 26 },
      xAxis: { type: "category", data: days.map(C.shortDate) }, yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      series: beds
    }));
  }

  function drawER() {
    C.make(document.getElementById("chart-er"), C.base({
      xAxis: { type: "category", data: days.map(C.shortDate), boundaryGap: true },
      yAxis: [{ type: "value" }, { type: "value", splitLine: { show: false } }],
      series: [
        { name: T.erVisits, type: "bar", barMaxWidth: 6, itemStyle: { color: "#9db9e6" }, data: series(value("er_visits")) },
        { name: T.erWaiting, type: "line", yAxisIndex: 1, showSymbol: false, itemStyle: { color: "#d62e2e" },
          data: series(value("er_waiting_for_bed")) }
      ]
    }));
  }

  function drawFlow(forecasts) {
    var list = [
      { name: T.admissions, type: "line", showSymbol: false, itemStyle: { color: "#1769e0" }, data: series(value("admissions")) },
      { name: T.discharges, type: "line", showSymbol: false, itemStyle: { color: "#2e9d4f" }, data: series(value("discharges")) }
    ];
    var fc = forecasts.filter(function (f) { return f.target === "admissions"; })[0];
    if (fc) { list = list.concat(C.forecastSeries(fc, startOf(fc, days), T)); }
    C.make(document.getElementById("chart-flow"), C.base({
      grid: { left: 46, right: 16, top: fc ? 58 : 34, bottom: 26 },
      legend: { top: 0, data: [T.admissions, T.discharges].concat(fc ? [T.forecast, T.band80, T.band95] : []) },
      xAxis: { type: "category", data: days.map(C.shortDate) }, yAxis: { type: "value" }, series: list
    }));
  }

  // Occupied beds of one type: the last weeks reported, then the forecast with its bands, against capacity.
  function drawDemand(forecasts, bedType) {
    var el = document.getElementById("chart-demand");
    var fc = forecasts.filter(function (f) { return f.target === "beds" && f.bed_type === bedType; })[0];
    if (!el || !fc) { return; }
    var reported = days.filter(function (d) { return d < fc.dates[0]; }).slice(-DEMAND_DAYS);
    var axisDays = reported.concat(fc.dates);
    var list = [{ name: T.occupied, type: "line", showSymbol: false, itemStyle: { color: "#17202b" },
                  data: series(bed(bedType, "occupied"), reported) }];
    list = list.concat(C.forecastSeries(fc, reported.length, T));
    if (fc.capacity) {
      list.push({ name: T.capacity, type: "line", showSymbol: false, itemStyle: { color: "#a61c1c" },
                  lineStyle: { type: "dotted", width: 2 }, data: axisDays.map(function () { return fc.capacity; }) });
    }
    C.make(el, C.base({
      xAxis: { type: "category", data: axisDays.map(C.shortDate) }, yAxis: { type: "value", scale: true }, series: list,
      legend: { top: 0, data: [T.occupied, T.forecast, T.band80, T.band95, T.capacity] }
    }));
  }

  var picker = document.getElementById("demand-type"), latestForecasts = [];
  if (picker) { picker.addEventListener("change", function () { drawDemand(latestForecasts, picker.value); }); }

  function draw(history, forecasts) {
    if (!history.length) { ids.forEach(function (id) { C.empty(document.getElementById(id), T.noData); }); return; }
    latestForecasts = forecasts;
    index(history, forecasts);
    drawBeds(history);
    drawER();
    drawFlow(forecasts);
    if (picker) { drawDemand(forecasts, picker.value); }
  }

  function load() {
    var forecasts = cfg.forecastUrl ? getJSON(cfg.forecastUrl).catch(function () { return []; }) : Promise.resolve([]);
    return Promise.all([getJSON(cfg.historyUrl), forecasts])
      .then(function (res) { draw(res[0], res[1]); })
      .catch(function () { ids.forEach(function (id) { C.empty(document.getElementById(id), T.noData); }); });
  }
  load();

  var refreshReport = Live.debounce(function () { Live.refreshParts(["latest-report"]); load(); }, 500);
  var refreshAlerts = Live.debounce(function () { Live.refreshParts(["facility-alerts"]); }, 300);
  var refreshCameras = Live.debounce(function () { Live.refreshParts(["cameras-now"]); }, 5000);
  Live.connect(cfg.streamUrl, Live.kinds("alert", "report.submitted", "crowd.count"), function (kind, e) {
    if (e.unit !== cfg.unit) { return; }
    if (kind === "report.submitted") { refreshReport(); }
    else if (kind === "crowd.count") { refreshCameras(); }
    else { refreshAlerts(); }
  }, function (reopened) {
    if (reopened) { refreshReport(); refreshAlerts(); refreshCameras(); }
  });
})();
