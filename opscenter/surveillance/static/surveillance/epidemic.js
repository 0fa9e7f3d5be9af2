/* The epidemic page: epidemic curve with forecast bands, Rt with its credible interval, and a ward map
   shaded by incidence per 100,000 (circles at ward centroids). New signals reload the page's table. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("epidemic-config").textContent);
  var T = cfg.labels, C = window.OpsCharts;
  function get(url, params) {
    var q = new URLSearchParams(params).toString();
    return fetch(url + "?" + q, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  function iso(d) { return d.toISOString().slice(0, 10); }
  var today = new Date(cfg.today + "T00:00:00Z"), from = new Date(today.getTime() - 179 * 864e5);
  var area = cfg.area === "CITY" ? {} : { area: cfg.area };

  Promise.all([
    get(cfg.urls.counts, Object.assign({ date_from: iso(from), date_to: iso(today), disease: cfg.disease },
                                        cfg.area === "CITY" ? {} : { group: "ward" })),
    get(cfg.urls.forecasts, Object.assign({ target: "cases", disease: cfg.disease, area: cfg.area }))
  ]).then(function (res) {
    var counts = res[0].filter(function (c) { return cfg.area === "CITY" || c.group === cfg.area; });
    var fc = res[1][0];
    var byDay = {};
    counts.forEach(function (c) { byDay[c.period] = (byDay[c.period] || 0) + c.count; });
    var days = [];
    for (var d = new Date(from); d <= today; d = new Date(d.getTime() + 864e5)) { days.push(iso(d)); }
    var observed = days.map(function (day) { return byDay[day] || 0; });
    var avg = observed.map(function (_v, i) {
      if (i < 6) { return null; }
      var s = 0; for (var k = i - 6; k <= i; k++) { s += observed[k]; } return Math.round(s / 0.7) / 10;
    });
    var future = fc ? fc.dates : [];
    var series = [
      { name: T.cases, type: "bar", data: observed.concat(new Array(future.length).fill(null)), itemStyle: { color: "#9db9e6" }, barMaxWidth: 6 },
      { name: T.average, type: "line", data: avg, showSymbol: false, itemStyle: { color: "#1769e0" } }
    ];
    if (fc) {
      series = series.concat(C.forecastSeries(fc, days.length, T));
    }
    var el = document.getElementById("chart-curve");
    if (!C.hasData(series)) { C.empty(el, T.noData); return; }
    C.make(el, C.base({ grid: { left: 46, right: 16, top: 58, bottom: 26 }, xAxis: { type: "category", data: days.concat(future).map(C.shortDate) }, yAxis: { type: "value" }, series: series,
      legend: { top: 0, data: [T.cases, T.average, T.forecast, T.band80, T.band95] } }));
  }).catch(function () { C.empty(document.getElementById("chart-curve"), T.noData); });

  get(cfg.urls.rt, Object.assign({ disease: cfg.disease, days: 120 }, area)).then(function (r) {
    var el = document.getElementById("chart-rt");
    if (!r.dates.length) { C.empty(el, T.noData); return; }
    var series = C.band(T.ci, r.lower, r.upper, "rgba(23,105,224,.15)");
    series.push({ name: T.rt, type: "line", data: r.mean, showSymbol: false, itemStyle: { color: "#1769e0" },
      markLine: { silent: true, symbol: "none", data: [{ yAxis: 1 }], lineStyle: { color: "#d62e2e" } } });
    C.make(el, C.base({ xAxis: { type: "category", data: r.dates.map(C.shortDate) }, yAxis: { type: "value", min: 0 }, series: series }));
  }).catch(function () { C.empty(document.getElementById("chart-rt"), T.noData); });

  var mapEl = document.getElementById("ward-map");
  var map = L.map(mapEl, { preferCanvas: true }).setView([10.7769, 106.7009], 10);
  var base = window.OpsMap.basemap(map, mapEl);
  // Incidence per 100,000 over 28 days: the classes of the circles' colour, highest first.
  var RATE_CLASSES = [
    { key: "r50", min: 50, colour: "#a61c1c" }, { key: "r20", min: 20, colour: "#e0561f" },
    { key: "r5", min: 5, colour: "#f0a830" }, { key: "r0", min: 0, above: true, colour: "#f6dd6b" },
    { key: "zero", min: 0, colour: "#cfe8d5" }
  ];
  var NO_RATE = "#b0b8c3";
  function colour(rate) {
    if (rate === null) { return NO_RATE; }
    for (var i = 0; i < RATE_CLASSES.length; i++) {
      var c = RATE_CLASSES[i];
      if (c.above ? rate > c.min : rate >= c.min) { return c.colour; }
    }
    return NO_RATE;
  }
  var sizeItems = [{ key: "size", colour: "#c3ccd6", border: "#ffffff", size: 15, label: T.sizeCases }];
  if (cfg.area !== "CITY") {
    sizeItems.push({ key: "selected", colour: "#ffffff", border: "#17202b", size: 13, label: T.selectedWard });
  }
  window.OpsMap.legend(map, mapEl, [
    { title: T.rateTitle, items: RATE_CLASSES.map(function (c) {
      return { key: c.key, colour: c.colour, border: "#ffffff", label: T.rates[c.key] };
    }).concat([{ key: "unknown", colour: NO_RATE, border: "#ffffff", label: T.rates.unknown }]) },
    { items: sizeItems }
  ], base);
  get(cfg.urls.incidence, { disease: cfg.disease, days: 28 }).then(function (rows) {
    var bounds = [];
    rows.forEach(function (w) {
      if (w.latitude === null || w.longitude === null) { return; }
      bounds.push({ latlng: [w.latitude, w.longitude], name: w.name });
      L.circleMarker([w.latitude, w.longitude], {
        radius: 6 + Math.min(14, Math.sqrt(w.cases) * 2), color: w.ward === cfg.area ? "#17202b" : "#fff", weight: 1.5,
        fillColor: colour(w.per_100k), fillOpacity: 0.85
      }).bindTooltip(window.OpsLive.esc(w.name) + ": " + w.cases + " · " + (w.per_100k === null ? "—" : w.per_100k) + " " + T.per100k).addTo(map);
    });
    if (bounds.length > 1) { window.OpsMap.fit(map, mapEl, bounds, { padding: [20, 20], maxZoom: 12 }); }
    mapEl.dataset.wards = String(bounds.length);
  });

  // A new signal or case elsewhere: reload the page's server-rendered signal table (cheap and simple).
  var refreshSignals = function () { window.OpsLive.refreshParts(["signals"]); };
  window.OpsLive.connect(cfg.urls.stream, window.OpsLive.kinds("alert.raised"), refreshSignals, function (reopened) {
    if (reopened) { refreshSignals(); }
  });
})();
