/* The maps' shared base and legend (overview, 115 dispatch, epidemic), window.OpsMap.

   OpsMap.basemap(map, el) draws the offline base map under the page's markers: the city outline and the former
   districts (static opscenter/map/basemap.geojson, from dvhcvn, GPL-3.0) and the wards' names at their centres
   (/api/org/wards), thinned so that no two names overlap. When a tile server is configured (data-tile-url) its
   tiles go underneath; once one has loaded, the base keeps only the city outline (the tiles carry their own
   streets and names) and, if none loads, the tiles are dropped and the offline base stays, with a note.

   OpsMap.legend(map, el, sections) adds a collapsible legend (closed on small screens) listing the page's
   marker styles and the base map's lines.

   OpsMap.fit(map, el, points, options) fits the map to the page's markers but those far off the rest (Côn Đảo
   lies 180 km out at sea): a button goes to them and another comes back.

   Settings come from data attributes of the map element (templates/includes/map_attrs.html). */
(function () {
  "use strict";
  var SMALL_SCREEN = "(max-width: 700px)";
  var WARD_LABEL_MIN_ZOOM = 12;
  var STYLE = {
    offline: {
      city: { color: "#5b6b7c", weight: 1.6, opacity: 0.85, fillColor: "#ffffff", fillOpacity: 0.55 },
      district: { color: "#8795a5", weight: 0.8, opacity: 0.7, dashArray: "3 3", fill: false }
    },
    online: { city: { color: "#3f5670", weight: 1.6, opacity: 0.55, fill: false } }
  };

  function text(el, name) { return el.getAttribute("data-" + name) || ""; }
  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  function basemap(map, el) {
    var mode = "offline";
    map.createPane("basemap").style.zIndex = 250;        // above the tiles (200), under the markers (400)
    map.createPane("basemapLabels").style.zIndex = 350;
    map.getPane("basemap").style.pointerEvents = "none";
    map.getPane("basemapLabels").style.pointerEvents = "none";
    var renderer = L.svg({ pane: "basemap", padding: 0.5 });
    var city = L.layerGroup(), districts = L.layerGroup(), labels = L.layerGroup();
    var wards = [];
    el.classList.add("basemap-offline");

    map.attributionControl.addAttribution('<a href="' + escapeHtml(text(el, "basemap-source")) + '" target="_blank" rel="noopener">' +
      escapeHtml(text(el, "basemap-credit")) + "</a>");

    getJSON(text(el, "basemap-url")).then(function (data) {
      function outlines(kind, style) {
        return L.geoJSON(data, { renderer: renderer, interactive: false, style: style,
                                 filter: function (f) { return f.properties.kind === kind; } });
      }
      outlines("city", function () { return STYLE[mode].city; }).addTo(city);
      outlines("former_district", STYLE.offline.district).addTo(districts);
      city.addTo(map);
      if (mode === "offline") { districts.addTo(map); }
      el.dataset.basemap = mode;
    }).catch(function () { el.dataset.basemap = "unavailable"; });

    if (text(el, "wards-url")) {
      getJSON(text(el, "wards-url")).then(function (rows) {
        wards = rows.filter(function (w) { return w.latitude !== null && w.longitude !== null; })
          .sort(function (a, b) { return (b.population || 0) - (a.population || 0); })
          .map(function (w) {
            return { name: w.name, marker: L.marker([w.latitude, w.longitude], {
              pane: "basemapLabels", interactive: false, keyboard: false,
              icon: L.divIcon({ className: "ward-label", html: "<span>" + escapeHtml(w.name) + "</span>", iconSize: null })
            }) };
          });
        placeLabels();
      }).catch(function () { /* no names: the outlines still show */ });
    }

    // Names at the zoom levels where they fit: the most populous first, then any that overlaps none of them.
    function placeLabels() {
      labels.clearLayers();
      if (mode !== "offline" || map.getZoom() < WARD_LABEL_MIN_ZOOM) { el.dataset.wardLabels = "0"; return; }
      var size = map.getSize(), taken = [];
      wards.forEach(function (w) {
        var p = map.latLngToContainerPoint(w.marker.getLatLng());
        var width = 7 + w.name.length * 6.3, box = [p.x - width / 2, p.y - 2, p.x + width / 2, p.y + 16];
        if (box[2] < 0 || box[0] > size.x || box[3] < 0 || box[1] > size.y) { return; }
        var clash = taken.some(function (t) { return box[0] < t[2] + 6 && box[2] + 6 > t[0] && box[1] < t[3] && box[3] > t[1]; });
        if (!clash) { taken.push(box); labels.addLayer(w.marker); }
      });
      labels.addTo(map);
      el.dataset.wardLabels = String(taken.length);
    }
    map.on("zoomend moveend resize", debounce(placeLabels, 120));

    function setMode(next) {
      if (mode === next) { return; }
      mode = next;
      el.classList.toggle("basemap-offline", mode === "offline");
      city.eachLayer(function (layer) { layer.setStyle(STYLE[mode].city); });
      if (mode === "offline") { districts.addTo(map); } else { map.removeLayer(districts); }
      placeLabels();
      if (el.dataset.basemap !== undefined) { el.dataset.basemap = mode; }
      map.fire("opsbasemap", { mode: mode });
    }

    // Tiles load after the page, so a slow or absent tile server never holds it up; the offline base shows meanwhile.
    function addTiles() {
      var url = text(el, "tile-url");
      if (!url) { return; }
      var loaded = 0, failed = 0, gaveUp = false;
      var layer = L.tileLayer(url, { attribution: text(el, "tile-attribution"), maxZoom: 19 });
      layer.on("tileload", function () { loaded += 1; if (loaded === 1 && !gaveUp) { setMode("online"); } });
      layer.on("tileerror", function () {
        failed += 1;
        if (!gaveUp && loaded === 0 && failed >= 4) {
          gaveUp = true;
          map.removeLayer(layer);
          el.dataset.tiles = "unavailable";
          var note = L.control({ position: "bottomright" });
          note.onAdd = function () {
            var div = L.DomUtil.create("div", "map-note");
            div.textContent = text(el, "label-tiles-unavailable");
            return div;
          };
          note.addTo(map);
        }
      });
      layer.addTo(map);
    }
    if (document.readyState === "complete") { setTimeout(addTiles, 0); } else { window.addEventListener("load", addTiles); }

    return {
      mode: function () { return mode; },
      // What the base map adds to a legend, in the current mode.
      legendItems: function () {
        var items = [{ key: "city", shape: "area", colour: STYLE[mode].city.color, label: text(el, "label-city") }];
        if (mode === "offline") {
          items.push({ key: "former_districts", shape: "dash", colour: STYLE.offline.district.color,
                       label: text(el, "label-districts") });
        }
        return items;
      }
    };
  }

  function swatch(item) {
    var colour = escapeHtml(item.colour || "#999");
    var border = escapeHtml(item.border || "rgba(0, 0, 0, .3)");
    if (item.shape === "dash" || item.shape === "area") {
      return '<i class="lg-' + item.shape + '" style="border-color:' + colour + '"></i>';
    }
    var size = item.size || 11;
    return '<i class="lg-dot" style="background:' + colour + ";border-color:" + border + ";width:" + size + "px;height:" +
      size + "px;margin:0 " + (15 - size) / 2 + 'px"></i>';
  }

  /* sections: [{ title, items: [{ label, colour, border, shape: "dot"|"dash"|"area", size }] }];
     the base map's items follow as a last section when base is given. */
  function legend(map, el, sections, base) {
    var control = L.control({ position: "bottomleft" });
    var details;
    function render() {
      var all = sections.slice();
      if (base) { all.push({ title: text(el, "label-base"), items: base.legendItems() }); }
      var html = "<summary>" + escapeHtml(text(el, "label-legend")) + "</summary>";
      all.forEach(function (s) {
        html += '<div class="lg-section">' + (s.title ? '<div class="lg-title">' + escapeHtml(s.title) + "</div>" : "") +
          "<ul>" + s.items.map(function (item) {
            return '<li data-legend-item="' + escapeHtml(item.key || item.label) + '">' + swatch(item) +
              "<span>" + escapeHtml(item.label) + "</span></li>";
          }).join("") + "</ul></div>";
      });
      var open = details.open;
      details.innerHTML = html;
      details.open = open;
    }
    control.onAdd = function () {
      details = L.DomUtil.create("details", "map-legend");
      details.open = !window.matchMedia(SMALL_SCREEN).matches;
      L.DomEvent.disableClickPropagation(details);
      L.DomEvent.disableScrollPropagation(details);
      render();
      return details;
    };
    control.addTo(map);
    map.on("opsbasemap", render);
    return { update: function (next) { sections = next; render(); } };
  }

  var FAR_KM = 150;
  /* points: [{ latlng: [lat, lon], name }]; options: Leaflet's fitBounds options. */
  function fit(map, el, points, options) {
    if (!points.length) { return; }
    var lats = points.map(function (p) { return p.latlng[0]; }).sort(function (a, b) { return a - b; });
    var lons = points.map(function (p) { return p.latlng[1]; }).sort(function (a, b) { return a - b; });
    var middle = L.latLng(lats[Math.floor(lats.length / 2)], lons[Math.floor(lons.length / 2)]);
    var near = [], far = [];
    points.forEach(function (p) { (map.distance(middle, p.latlng) > FAR_KM * 1000 ? far : near).push(p); });
    if (near.length < 2) { near = points; far = []; }
    function home() {
      if (near.length === 1) { map.setView(near[0].latlng, options.maxZoom || 14); } else { map.fitBounds(near.map(function (p) { return p.latlng; }), options); }
    }
    home();
    if (!far.length) { return; }
    // The far points by place (half a degree), each named after its first point.
    var places = {};
    far.forEach(function (p) {
      var key = Math.round(p.latlng[0] * 2) + ":" + Math.round(p.latlng[1] * 2);
      (places[key] = places[key] || []).push(p);
    });
    var control = L.control({ position: "topright" });
    control.onAdd = function () {
      var div = L.DomUtil.create("div", "map-jump");
      L.DomEvent.disableClickPropagation(div);
      var back = L.DomUtil.create("button", "btn btn-sm", div);
      back.type = "button";
      back.textContent = text(el, "label-whole-city");
      back.style.display = "none";  // until the map goes to a far place
      L.DomEvent.on(back, "click", function () { home(); back.style.display = "none"; });
      Object.keys(places).forEach(function (key) {
        var group = places[key], button = L.DomUtil.create("button", "btn btn-sm", div);
        button.type = "button";
        button.dataset.place = key;
        button.textContent = group[0].name + (group.length > 1 ? " (" + group.length + ")" : "") + " →";
        L.DomEvent.on(button, "click", function () {
          map.fitBounds(group.map(function (p) { return p.latlng; }), { maxZoom: 11, padding: [40, 40] });
          back.style.display = "";
        });
      });
      return div;
    };
    control.addTo(map);
  }

  function escapeHtml(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function debounce(fn, ms) {
    var t = null;
    return function () { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  window.OpsMap = { basemap: basemap, legend: legend, fit: fit };
})();
