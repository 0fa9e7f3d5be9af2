/* The dispatcher's screen: live map of incidents and ambulances, the queue, and map clicks into the call form. */
(function () {
  "use strict";
  var Live = window.OpsLive, esc = Live.esc;
  var cfg = JSON.parse(document.getElementById("emergency-config").textContent);
  var T = cfg.labels;
  var PRIORITY_COLOURS = { 1: "#d62e2e", 2: "#f08a24", 3: "#e3c21b", 4: "#2e9d4f" };
  var AMBULANCE_COLOURS = { available: "#2e9d4f", out_of_service: "#9aa3ad" };
  var mapEl = document.getElementById("map");
  var map = L.map(mapEl, { preferCanvas: true, zoomSnap: 0.5 }).setView([10.7769, 106.7009], 11);
  var layers = { incidents: L.layerGroup().addTo(map), ambulances: L.layerGroup().addTo(map) };
  var fitted = false;

  var base = window.OpsMap.basemap(map, mapEl);
  var ON_MISSION = "#2f6fd6";
  window.OpsMap.legend(map, mapEl, [
    { title: T.incidents, items: [1, 2, 3, 4].map(function (p) {
      return { key: "P" + p, colour: PRIORITY_COLOURS[p], border: "#ffffff", size: 13, label: "P" + T.priorities[p] };
    }) },
    { title: T.ambulances, items: [
      { key: "available", colour: AMBULANCE_COLOURS.available, border: "#1f3b5c", size: 9, label: statusLabel("available") },
      { key: "on_mission", colour: ON_MISSION, border: "#1f3b5c", size: 9, label: T.onMission },
      { key: "out_of_service", colour: AMBULANCE_COLOURS.out_of_service, border: "#1f3b5c", size: 9,
        label: statusLabel("out_of_service") }
    ] }
  ], base);

  function statusLabel(s) { return cfg.statuses[s] || s; }
  function incidentUrl(code) { return cfg.incidentUrl.replace("__code__", encodeURIComponent(code)); }

  function render(data) {
    layers.incidents.clearLayers();
    layers.ambulances.clearLayers();
    var bounds = [];
    data.incidents.forEach(function (i) {
      bounds.push({ latlng: [i.latitude, i.longitude], name: i.code });
      L.circleMarker([i.latitude, i.longitude], {
        radius: 9, color: "#ffffff", weight: 2, fillColor: PRIORITY_COLOURS[i.priority], fillOpacity: 0.95
      }).bindPopup('<div class="popup"><h3><a href="' + esc(incidentUrl(i.code)) + '">' + esc(i.code) + "</a> P" +
        esc(i.priority) + "</h3><div>" + esc(i.chief_complaint) + "</div><div>" + esc(statusLabel(i.status)) +
        "</div></div>").addTo(layers.incidents);
    });
    data.ambulances.forEach(function (a) {
      if (a.latitude === null) { return; }
      bounds.push({ latlng: [a.latitude, a.longitude], name: a.code });
      L.circleMarker([a.latitude, a.longitude], {
        radius: 5, color: "#1f3b5c", weight: 1.5, fillColor: AMBULANCE_COLOURS[a.status] || ON_MISSION, fillOpacity: 0.9
      }).bindTooltip(esc(a.code) + " · " + esc(statusLabel(a.status)) + (a.incident ? " · " + esc(a.incident) : ""))
        .addTo(layers.ambulances);
    });
    if (!fitted && bounds.length > 1) { fitted = true; window.OpsMap.fit(map, mapEl, bounds, { padding: [24, 24], maxZoom: 14 }); }
    renderQueue(data.incidents);
    var waiting = data.incidents.filter(function (i) { return i.status === "received"; }).length;
    var available = data.ambulances.filter(function (a) { return a.status === "available"; }).length;
    setText("kpi-waiting", waiting);
    setText("kpi-open", data.incidents.length);
    setText("kpi-available", available);
  }
  function setText(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value; } }

  function renderQueue(incidents) {
    var tbody = document.querySelector("#queue tbody");
    if (!incidents.length) { tbody.innerHTML = '<tr><td colspan="7" class="muted">' + esc(T.noIncident) + "</td></tr>"; return; }
    tbody.innerHTML = incidents.map(function (i) {
      var sev = i.priority === 1 ? "critical" : i.priority === 2 ? "warning" : "info";
      var time = Live.clock(i.received_at);
      return '<tr data-code="' + esc(i.code) + '"><td><span class="sev-badge sev-' + sev + '">P' + esc(i.priority) +
        '</span></td><td><a href="' + esc(incidentUrl(i.code)) + '">' + esc(i.code) + "</a></td><td>" +
        esc(i.chief_complaint) + "</td><td>" + esc(i.address || i.ward) + "</td><td>" + esc(statusLabel(i.status)) +
        '</td><td class="nowrap">' + esc(time) + "</td><td>" + esc(i.destination_name) + "</td></tr>";
    }).join("");
  }

  function refresh() { Live.getJSON(cfg.liveUrl).then(render).catch(function () { /* the next event retries */ }); }
  var refreshSoon = Live.debounce(refresh, 400);

  // A click on the map places the call: the coordinates go into the form.
  var pin = null;
  map.on("click", function (e) {
    var lat = document.getElementById("id_latitude"), lon = document.getElementById("id_longitude");
    if (!lat || !lon) { return; }
    lat.value = e.latlng.lat.toFixed(6);
    lon.value = e.latlng.lng.toFixed(6);
    if (pin) { map.removeLayer(pin); }
    pin = L.marker(e.latlng).addTo(map);
  });

  refresh();
  Live.connect(cfg.streamUrl, Live.kinds("incident", "fleet"), refreshSoon, refreshSoon);
  setInterval(refresh, 30000);  // a safety net when events are lost
})();
