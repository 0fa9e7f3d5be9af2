/* The camera wall: newest frames every few seconds, health and zone counts as the event stream reports them. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("vision-config").textContent);
  var FRAME_EVERY = 3000, HEALTH_EVERY = 15000;
  var Live = window.OpsLive, esc = Live.esc;
  function tile(code) { return document.querySelector('.camera-tile[data-camera="' + CSS.escape(code) + '"]'); }
  function field(el, name) { return el.querySelector('[data-field="' + name + '"]'); }
  function clock(iso) { return Live.clock(iso, true); }
  function zoneLabel(name) { return cfg.zoneLabels[name] || name; }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key] !== undefined ? values[key] : ""; });
  }
  // The one figure that says most, as the server writes it (crowding: people and capacity).
  function summary(p) {
    var d = p.data || {};
    if (p.kind === "crowding" && d.count !== undefined && d.max_people) {
      return fill(cfg.labels.crowding, {count: d.count, capacity: d.max_people});
    }
    return "";
  }

  function showHealth(c) {
    var el = tile(c.camera || c.code);
    if (!el) { return; }
    el.dataset.status = c.status;
    var badge = field(el, "status");
    badge.className = "cam-status cam-" + c.status;
    badge.textContent = cfg.labels[c.status] || c.status;
    field(el, "reason").textContent = c.reason !== undefined ? c.reason : (c.status_reason || "");
    var fps = c.fps !== undefined ? c.fps : c.measured_fps;
    field(el, "fps").textContent = fps ? fps.toFixed(1) + " fps" : "";
    field(el, "last-frame").textContent = clock(c.last_frame_at);
  }
  function showCount(p) {
    var el = tile(p.camera);
    if (!el) { return; }
    var box = field(el, "counts");
    var none = box.querySelector('[data-field="no-counts"]');
    if (none) { none.remove(); }
    var tag = box.querySelector('[data-zone="' + CSS.escape(p.zone) + '"]');
    if (!tag) {
      tag = document.createElement("span");
      tag.className = "tag";
      tag.dataset.zone = p.zone;
      box.appendChild(tag);
    }
    tag.innerHTML = esc(zoneLabel(p.zone)) + ": <b>" + esc(p.count) + "</b>";
    tag.classList.add("flash");
    setTimeout(function () { tag.classList.remove("flash"); }, 1500);
  }
  function showEvent(e) {
    var p = e.payload, feed = document.getElementById("vision-feed");
    if (!feed || p.type !== "new") { return; }
    var empty = feed.querySelector(".feed-empty");
    if (empty) { empty.remove(); }
    var li = document.createElement("li");
    li.className = "feed-item is-new";
    var figure = summary(p);
    li.innerHTML = '<a class="feed-title" href="' + cfg.eventUrl.replace("/0/", "/" + p.id + "/") + '">' +
      esc(cfg.kindLabels[p.kind] || p.kind) + (figure ? ": " + esc(figure) : "") + "</a>" +
      '<div class="feed-meta">' + esc(p.camera_name) + (p.zone ? " · " + esc(zoneLabel(p.zone)) : "") + " · " +
      esc(clock(e.time)) + "</div>" +
      ((p.data || {}).simulated ? '<div class="feed-tags"><span class="tag tag-simulated">' +
        esc(cfg.labels.simulated) + "</span></div>" : "");
    feed.insertBefore(li, feed.firstChild);
    while (feed.children.length > 30) { feed.removeChild(feed.lastChild); }
  }

  // Newest frames: a fresh URL each time; a tile whose picture fails keeps the last one.
  setInterval(function () {
    if (document.hidden) { return; }
    document.querySelectorAll(".camera-frame img[data-src]").forEach(function (img) {
      var next = new Image();
      next.onload = function () { img.src = next.src; };
      next.src = img.dataset.src + "?t=" + Date.now();
    });
  }, FRAME_EVERY);
  // fps and last frame change without a status change: ask now and then.
  setInterval(function () {
    if (document.hidden) { return; }
    Live.getJSON(cfg.camerasUrl)
      .then(function (cameras) { cameras.forEach(showHealth); })
      .catch(function () {});
  }, HEALTH_EVERY);

  Live.connect(cfg.streamUrl, Live.kinds("camera"), function (kind, e) {
    if (kind === "crowd.count") { showCount(e.payload); }
    else if (kind.indexOf("camera.") === 0) { showHealth(e.payload); }
    else { showEvent(e); }
  });
})();
