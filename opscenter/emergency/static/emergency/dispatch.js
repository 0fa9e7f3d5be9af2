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

  function addTiles() {
    var url = mapEl.dataset.tileUrl;
    if (!url) { mapEl.classList.add("tiles-failed"); return; }
    var loaded = 0, failed = 0;
    var layer = L.tileLayer(url, { attribution: mapEl.dataset.tileAttribution || "", maxZoom: 19 });
    layer.on("tileload", function () { loaded += 1; });
    layer.on("tileerror", function () {
      failed += 1;
      if (loaded === 0 && failed === 4) { map.removeLayer(layer); mapEl.classList.add("tiles-failed"); }
    });
    layer.addTo(map);
  }
  if (document.readyState === "complete") { setTimeout(addTiles, 0); } else { window.addEventListener("load", addTiles); }

  function statusLabel(s) { return cfg.statuses[s] || s; }
  function incidentUrl(code) { return cfg.incidentUrl.replace("__code__", encodeURIComponent(code)); }

  function render(data) {
    layers.incidents.clearLayers();
    layers.ambulances.clearLayers();
    var bounds = [];
    data.incidents.forEach(function (i) {
      bounds.push([i.latitude, i.longitude]);
      L.circleMarker([i.latitude, i.longitude], {
        radius: 9, color: "#ffffff", weight: 2, fillColor: PRIORITY_COLOURS[i.priority], fillOpacity: 0.95
      }).bindPopup('<div class="popup"><h3><a href="' + esc(incidentUrl(i.code)) + '">' + esc(i.code) + "</a> P" +
        esc(i.priority) + "</h3><div>" + esc(i.chief_complaint) + "</div><div>" + esc(statusLabel(i.status)) +
        "</div></div>").addTo(layers.incidents);
    });
    data.ambulances.forEach(function (a) {
      if (a.latitude === null) { return; }
      bounds.push([a.latitude, a.longitude]);
      L.circleMarker([a.latitude, a.longitude], {
        radius: 5, color: "#1f3b5c", weight: 1.5, fillColor: AMBULANCE_COLOURS[a.status] || "#2f6fd6", fillOpacity: 0.9
      }).bindTooltip(esc(a.code) + " · " + esc(statusLabel(a.status)) + (a.incident ? " · " + esc(a.incident) : ""))
        .addTo(layers.ambulances);
    });
    if (!fitted && bounds.length > 1) { fitted = true; map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14 }); }
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

  Live.connect(cfg.streamUrl, Live.kinds("incident", "fleet"), refreshSoon);
  refresh();
  setInterval(refresh, 30000);  // a safety net when events are lost
})();
