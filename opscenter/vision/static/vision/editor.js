/* The zone editor: zones, lines and motion masks drawn on the camera's newest frame, written into the camera
   JSON (coordinates are fractions of the frame). The JSON stays editable by hand; the server checks it. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("editor-config").textContent);
  var L = cfg.labels;
  var textarea = document.getElementById("id_analytics");
  var stage = document.getElementById("editor-stage");
  var svg = stage.querySelector("svg");
  var list = document.getElementById("editor-list");
  var finishBtn = document.querySelector("[data-finish]");
  var hint = document.querySelector("[data-hint]");
  var NS = "http://www.w3.org/2000/svg";
  var config = {}, drawing = null;  // drawing: {kind, points}
  var badFields = Array.prototype.map.call(document.querySelectorAll("[data-error-field]"), function (el) {
    return el.dataset.errorField;
  });

  function load() {
    try { config = JSON.parse(textarea.value.trim() || "{}"); hint.textContent = ""; }
    catch (e) { hint.textContent = L.badJson; return false; }
    ["zones", "lines", "masks"].forEach(function (k) { if (!Array.isArray(config[k])) { config[k] = []; } });
    return true;
  }
  function save() {
    var out = {};
    Object.keys(config).forEach(function (k) {
      if (!(Array.isArray(config[k]) && config[k].length === 0)) { out[k] = config[k]; }
    });
    textarea.value = JSON.stringify(out, null, 1);
  }
  function round(v) { return Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000; }
  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function pts(points) { return points.map(function (p) { return p[0] + "," + p[1]; }).join(" "); }
  function hasError(prefix) {
    return badFields.some(function (f) { return f === prefix || f.indexOf(prefix + ".") === 0 || f.indexOf(prefix + "[") === 0; });
  }

  function render() {
    while (svg.firstChild) { svg.removeChild(svg.firstChild); }
    config.masks.forEach(function (m, i) {
      if (Array.isArray(m)) { svg.appendChild(el("polygon", { "class": "shape-mask" + (hasError("masks[" + i + "]") ? " shape-error" : ""), points: pts(m) })); }
    });
    config.zones.forEach(function (z, i) {
      if (Array.isArray(z.polygon)) { svg.appendChild(el("polygon", { "class": "shape-zone" + (hasError("zones[" + i + "]") ? " shape-error" : ""), points: pts(z.polygon) })); }
    });
    config.lines.forEach(function (l, i) {
      if (Array.isArray(l.points)) { svg.appendChild(el("polyline", { "class": "shape-line" + (hasError("lines[" + i + "]") ? " shape-error" : ""), points: pts(l.points) })); }
    });
    if (drawing) {
      svg.appendChild(el("polyline", { "class": drawing.kind === "line" ? "shape-line" : "shape-zone", points: pts(drawing.points) }));
      drawing.points.forEach(function (p) { svg.appendChild(el("circle", { "class": "vertex", cx: p[0], cy: p[1], r: 0.006 })); });
    }
    renderList();
  }

  function input(value, onChange, label) {
    var node = document.createElement("input");
    node.type = "text";
    node.value = value;
    node.setAttribute("aria-label", label);
    node.addEventListener("change", function () { onChange(node.value); save(); render(); });
    return node;
  }
  function item(title, prefix, remove) {
    var li = document.createElement("li");
    if (hasError(prefix)) { li.classList.add("has-error"); }
    var head = document.createElement("div");
    head.className = "filters";
    var strong = document.createElement("strong");
    strong.textContent = title;
    var del = document.createElement("button");
    del.type = "button";
    del.className = "btn btn-xs";
    del.textContent = L.remove;
    del.addEventListener("click", function () { remove(); save(); render(); });
    head.appendChild(strong);
    head.appendChild(del);
    li.appendChild(head);
    list.appendChild(li);
    return li;
  }
  function renderList() {
    list.innerHTML = "";
    config.zones.forEach(function (z, i) {
      var li = item(L.zone + " " + (i + 1), "zones[" + i + "]", function () { config.zones.splice(i, 1); });
      li.appendChild(input(z.name || "", function (v) { z.name = v; }, L.name));
      li.appendChild(input(JSON.stringify(z.rules || []), function (v) {
        try { z.rules = JSON.parse(v); hint.textContent = ""; } catch (e) { hint.textContent = L.badJson; }
      }, L.rules));
    });
    config.lines.forEach(function (l, i) {
      var li = item(L.line + " " + (i + 1), "lines[" + i + "]", function () { config.lines.splice(i, 1); });
      li.appendChild(input(l.name || "", function (v) { l.name = v; }, L.name));
      var select = document.createElement("select");
      select.setAttribute("aria-label", L.direction);
      Object.keys(L.directions).forEach(function (d) {
        var o = document.createElement("option");
        o.value = d; o.textContent = L.directions[d]; o.selected = (l.direction || "both") === d;
        select.appendChild(o);
      });
      select.addEventListener("change", function () { l.direction = select.value; save(); });
      li.appendChild(select);
    });
    config.masks.forEach(function (m, i) { item(L.mask + " " + (i + 1), "masks[" + i + "]", function () { config.masks.splice(i, 1); }); });
  }

  function finish() {
    if (!drawing) { return; }
    var d = drawing;
    drawing = null;
    finishBtn.hidden = true;
    hint.textContent = "";
    if (d.kind === "zone" && d.points.length >= 3) {
      config.zones.push({ name: "zone" + (config.zones.length + 1), polygon: d.points, rules: [{ type: "count" }] });
    } else if (d.kind === "mask" && d.points.length >= 3) {
      config.masks.push(d.points);
    } else if (d.kind === "line" && d.points.length === 2) {
      config.lines.push({ name: "line" + (config.lines.length + 1), points: d.points, direction: "both", rules: [{ type: "crossing" }] });
    }
    save();
    render();
  }

  document.querySelectorAll("[data-draw]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      if (!load()) { return; }
      drawing = { kind: btn.dataset.draw, points: [] };
      finishBtn.hidden = drawing.kind === "line";
      hint.textContent = L.drawing;
      render();
    });
  });
  finishBtn.addEventListener("click", finish);
  stage.addEventListener("click", function (e) {
    if (!drawing) { return; }
    var r = stage.getBoundingClientRect();
    drawing.points.push([round((e.clientX - r.left) / r.width), round((e.clientY - r.top) / r.height)]);
    if (drawing.kind === "line" && drawing.points.length === 2) { finish(); return; }
    render();
  });
  stage.addEventListener("dblclick", function (e) { e.preventDefault(); finish(); });
  textarea.addEventListener("change", function () { if (load()) { render(); } });
  if (load()) { render(); }
})();
