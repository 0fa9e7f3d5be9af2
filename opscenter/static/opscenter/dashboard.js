/* The overview: map, KPI tiles, facility table, trends, and the live feed fed by Server-Sent Events. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("dashboard-config").textContent);
  var T = cfg.labels;
  var Live = window.OpsLive, debounce = Live.debounce, esc = Live.esc, getJSON = Live.getJSON;
  var HCMC = [10.7769, 106.7009];

  function pct(x) { return x === null || x === undefined ? "—" : Math.round(x * 100) + "%"; }
  function dash(x) { return x === null || x === undefined ? "—" : x; }
  function facilityUrl(code) { return cfg.facilityUrl.replace("__code__", encodeURIComponent(code)); }
  function freeBeds(f) {
    var keys = Object.keys(f.beds || {});
    if (!keys.length) { return null; }
    return keys.reduce(function (sum, k) { return sum + (f.beds[k].available || 0); }, 0);
  }
  function totalBeds(f) {
    return Object.keys(f.beds || {}).reduce(function (sum, k) { return sum + (f.beds[k].total || 0); }, 0);
  }

  /* ---- KPI tiles ---------------------------------------------------------------------- */
  function setText(tile, selector, value) {
    var el = tile.querySelector(selector);
    if (!el) { return false; }
    var text = String(value);
    if (el.textContent === text) { return false; }
    el.textContent = text;
    return true;
  }
  function flash(tile) {
    tile.classList.add("flash");
    setTimeout(function () { tile.classList.remove("flash"); }, 900);
  }
  function setKpi(name, value, extra) {
    var tile = document.querySelector('[data-kpi="' + name + '"]');
    if (!tile) { return; }
    var changed = setText(tile, "[data-value]", value);
    if (extra) {
      Object.keys(extra).forEach(function (sel) { changed = setText(tile, sel, extra[sel]) || changed; });
    }
    if (changed) { flash(tile); }
  }
  function renderKpis(k) {
    setKpi("beds_free_all", k.beds_free_all);
    setKpi("er_waiting", k.er_waiting);
    setKpi("er_visits_today", k.er_visits_today);
    setKpi("reports_today", k.reports_today, { "[data-expected]": k.reports_expected });
    var bar = document.querySelector('[data-kpi="reports_today"] [data-bar]');
    if (bar) { bar.style.width = (k.reports_expected ? Math.round(100 * k.reports_today / k.reports_expected) : 0) + "%"; }
    setKpi("open_alerts", k.open_alerts);
    Object.keys(k.beds_free || {}).forEach(function (type) {
      setKpi("beds_free_" + type, k.beds_free[type], { "[data-total]": k.beds_total[type] });
    });
  }

  /* ---- map ------------------------------------------------------------------------------ */
  var mapEl = document.getElementById("map");
  var map = L.map(mapEl, { preferCanvas: true, zoomSnap: 0.5 }).setView(HCMC, 11);
  var markers = {};
  var fitted = false;

  var base = window.OpsMap.basemap(map, mapEl);
  window.OpsMap.legend(map, mapEl, [{
    title: T.legend,
    items: ["low", "medium", "high", "critical", "unknown"].map(function (level) {
      return { key: level, colour: cfg.levelColours[level], border: "#ffffff", label: T.levels[level] };
    }).concat([{ key: "size", colour: "#c3ccd6", border: "#ffffff", size: 15, label: T.sizeBeds }])
  }], base);

  // What the cameras see now at a hospital's places (emergency waiting room, entrance...): counts only.
  function crowdingHtml(places) {
    if (!places || !places.length) { return ""; }
    return '<div class="popup-cameras"><div class="muted">' + esc(T.camerasNow) + "</div>" + places.map(function (p) {
      var level = p.load === null ? "unknown" : p.load >= 1 ? "critical" : p.load >= 0.85 ? "high" : p.load >= 0.7 ? "medium" : "low";
      return '<div data-place="' + esc(p.location_kind) + '">' + esc(p.location_label) + ": <strong>" + esc(p.count) +
        "</strong> " + esc(T.people) + (p.max_people ? ' <span class="level level-' + level + '">' + pct(p.load) + "</span>" : "") +
        "</div>";
    }).join("") + "</div>";
  }

  function popupHtml(f) {
    var rows = Object.keys(cfg.bedTypes).filter(function (t) { return f.beds && f.beds[t]; }).map(function (t) {
      var b = f.beds[t];
      return "<tr><td>" + esc(cfg.bedTypes[t]) + '</td><td class="num"><strong>' + esc(b.available) +
        '</strong></td><td class="num">/ ' + esc(b.total) + "</td></tr>";
    }).join("");
    return '<div class="popup"><h3>' + esc(f.name) + "</h3>" +
      "<div>" + esc(T.occupancy) + ": <strong>" + pct(f.occupancy) + "</strong> · " + esc(T.free) + ": <strong>" +
      esc(dash(freeBeds(f))) + "</strong></div>" +
      (rows ? "<table><tr><td></td><td class=\"num\">" + esc(T.available) + "</td><td class=\"num\">" +
        esc(T.total) + "</td></tr>" + rows + "</table>" : "<div>" + esc(T.noReport) + "</div>") +
      "<div>" + esc(T.erWaiting) + ": <strong>" + esc(dash(f.er_waiting)) + "</strong></div>" +
      "<div>" + esc(T.reportedToday) + ": " + (f.reported_today ? esc(T.yes) : esc(T.no)) + "</div>" +
      crowdingHtml(crowdingByUnit[f.code]) +
      '<div><a href="' + esc(facilityUrl(f.code)) + '">' + esc(T.open) + " →</a></div></div>";
  }

  function renderMap(facilities) {
    var seen = {}, bounds = [];
    facilities.forEach(function (f) {
      if (f.latitude === null || f.longitude === null) { return; }
      seen[f.code] = true;
      var latlng = [f.latitude, f.longitude];
      bounds.push({ latlng: latlng, name: f.short_name || f.name });
      var style = {
        radius: Math.max(6, Math.min(20, 5 + Math.sqrt(totalBeds(f)) / 2.2)),
        color: "#ffffff", weight: 1.5, fillColor: cfg.levelColours[f.level] || cfg.levelColours.unknown,
        fillOpacity: 0.9
      };
      var m = markers[f.code];
      if (m) {
        m.setStyle(style);
        m.setRadius(style.radius);
        m.setPopupContent(popupHtml(f));
      } else {
        m = L.circleMarker(latlng, style).bindPopup(popupHtml(f), { maxWidth: 320 })
          .bindTooltip(esc(f.name) + " · " + pct(f.occupancy));
        m.addTo(map);
        markers[f.code] = m;
      }
      m.setTooltipContent(esc(f.name) + " · " + pct(f.occupancy));
    });
    Object.keys(markers).forEach(function (code) {
      if (!seen[code]) { map.removeLayer(markers[code]); delete markers[code]; }
    });
    // Markers are drawn on a canvas; say which facilities are shown, for assistive tech and tests.
    mapEl.dataset.facilities = Object.keys(markers).sort().join(" ");
    if (!fitted && bounds.length) {
      fitted = true;
      window.OpsMap.fit(map, mapEl, bounds, { padding: [28, 28], maxZoom: 14 });
    }
  }

  /* ---- facility table --------------------------------------------------------------------- */
  function renderTable(facilities) {
    var tbody = document.querySelector("#facility-table tbody");
    if (!tbody || !facilities.length) { return; }
    var sorted = facilities.slice().sort(function (a, b) {
      if ((a.occupancy === null) !== (b.occupancy === null)) { return a.occupancy === null ? 1 : -1; }
      return (b.occupancy || 0) - (a.occupancy || 0) || String(a.name).localeCompare(String(b.name));
    });
    tbody.innerHTML = sorted.map(function (f) {
      return '<tr data-code="' + esc(f.code) + '"><td><a href="' + esc(facilityUrl(f.code)) + '">' + esc(f.code) +
        "</a></td><td>" + esc(f.name) + '</td><td class="num"><span class="level level-' + esc(f.level) + '">' +
        pct(f.occupancy) + '</span></td><td class="num">' + esc(dash(freeBeds(f))) + '</td><td class="num">' +
        esc(dash(f.er_waiting)) + '</td><td class="center">' +
        (f.reported_today ? '<span class="ok" title="' + esc(T.yes) + '">✓</span>'
          : '<span class="bad" title="' + esc(T.no) + '">✗</span>') + "</td></tr>";
    }).join("");
  }

  // A row of the table (outside its link) shows that facility on the map, with its popup.
  var table = document.querySelector("#facility-table tbody");
  if (table) {
    table.addEventListener("click", function (e) {
      var row = e.target.closest("tr[data-code]"), marker = row && markers[row.dataset.code];
      if (!marker || e.target.closest("a")) { return; }
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 13));
      marker.openPopup();
    });
  }

  function stamp() {
    var el = document.getElementById("updated-at");
    if (!el) { return; }
    el.textContent = window.OpsLive.clock(new Date().toISOString(), true);
  }

  var crowdingByUnit = {};
  function refreshCrowding() {
    if (!cfg.crowdingUrl) { return Promise.resolve(); }
    return getJSON(cfg.crowdingUrl).then(function (places) {
      crowdingByUnit = {};
      places.forEach(function (p) { (crowdingByUnit[p.unit] = crowdingByUnit[p.unit] || []).push(p); });
    }).catch(function () { /* cameras are an extra: the map stands without them */ });
  }

  function refreshOverview() {
    return Promise.all([getJSON(cfg.overviewUrl), refreshCrowding()])
      .then(function (res) {
        var data = res[0];
        renderKpis(data.kpis);
        renderMap(data.facilities);
        renderTable(data.facilities);
        stamp();
      })
      .catch(function () { /* keep what is shown; the next event or poll tries again */ });
  }
  var refreshOverviewSoon = debounce(refreshOverview, 300);

  /* ---- live alert feed -------------------------------------------------------------------- */
  function feedIds() {
    var ids = {};
    document.querySelectorAll("#alert-feed [data-alert-id]").forEach(function (li) { ids[li.dataset.alertId] = true; });
    return ids;
  }
  var knownAlerts = feedIds();
  function refreshFeed() {
    if (typeof htmx === "undefined") { return; }
    htmx.ajax("GET", cfg.feedUrl, { target: "#alert-feed", swap: "outerHTML" }).then(function () {
      var feed = document.getElementById("alert-feed");
      if (!feed) { return; }
      feed.querySelectorAll("[data-alert-id]").forEach(function (li) {
        if (!knownAlerts[li.dataset.alertId]) {
          li.classList.add("is-new");
          setTimeout(function () { li.classList.remove("is-new"); }, 4000);
        }
      });
      knownAlerts = feedIds();
      if (feed.dataset.openCount !== undefined) { setKpi("open_alerts", feed.dataset.openCount); }
    });
  }
  var refreshFeedSoon = debounce(refreshFeed, 100);

  /* ---- trends ------------------------------------------------------------------------------ */
  function loadTrends() {
    var C = window.OpsCharts;
    getJSON(cfg.trendsUrl)
      .then(function (data) {
        var s = data.series, dates = data.dates.map(C.shortDate);
        var toPct = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
        var icu = s.icu_occupied.map(function (o, i) {
          var t = s.icu_total[i];
          return o === null || !t ? null : Math.round(1000 * o / t) / 10;
        });
        var charts = [
          ["chart-occupancy", [
            { name: T.occupancy, type: "line", data: s.occupancy.map(toPct), showSymbol: false, areaStyle: { opacity: 0.08 } },
            { name: "ICU", type: "line", data: icu, showSymbol: false }
          ], { type: "value", axisLabel: { formatter: "{value}%" }, min: function (v) { return Math.max(0, Math.floor(v.min / 10) * 10); }, max: 100 }],
          ["chart-er", [
            { name: T.erVisits, type: "bar", data: s.er_visits, barMaxWidth: 8, itemStyle: { color: "#9db9e6" } },
            { name: T.erWaiting, type: "line", data: s.er_waiting, yAxisIndex: 1, showSymbol: false, itemStyle: { color: "#d62e2e" } }
          ], [{ type: "value" }, { type: "value", splitLine: { show: false } }]],
          ["chart-cases", [
            { name: T.ari, type: "line", data: s.cases_ari, showSymbol: false },
            { name: T.dengue, type: "line", data: s.cases_dengue, showSymbol: false, itemStyle: { color: "#d62e2e" } }
          ], { type: "value" }]
        ];
        charts.forEach(function (spec) {
          var el = document.getElementById(spec[0]);
          if (!C.hasData(spec[1])) { C.empty(el, T.noData); return; }
          C.make(el, C.base({
            xAxis: { type: "category", data: dates, boundaryGap: spec[0] === "chart-er" },
            yAxis: spec[2], series: spec[1]
          }));
        });
      })
      .catch(function () {
        ["chart-occupancy", "chart-er", "chart-cases"].forEach(function (id) {
          window.OpsCharts.empty(document.getElementById(id), T.noData);
        });
      });
  }

  /* ---- Server-Sent Events ---------------------------------------------------------------- */
  var ALERT_KINDS = Live.kinds("alert");
  var REPORT_KINDS = Live.kinds("report");
  function onEvent(kind) {
    if (ALERT_KINDS.indexOf(kind) >= 0) { refreshFeedSoon(); }
    refreshOverviewSoon();
  }

  refreshOverview();
  loadTrends();
  Live.connect(cfg.streamUrl, ALERT_KINDS.concat(REPORT_KINDS), onEvent, function () {
    refreshFeedSoon();
    refreshOverviewSoon();
  });
  // A safety net when events are lost (proxy restarts, sleeping laptops): poll once a minute.
  setInterval(function () { refreshOverview(); refreshFeed(); }, 60000);
})();
