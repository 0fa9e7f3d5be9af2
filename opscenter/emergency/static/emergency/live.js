/* Shared by the 115 pages: the Server-Sent Events connection and its status badge. */
window.EmergencyLive = (function () {
  "use strict";
  function debounce(fn, ms) {
    var timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }
  function connect(cfg, kinds, onEvent) {
    var statusEl = document.getElementById("live-status");
    function setStatus(state) {
      if (!statusEl) { return; }
      statusEl.dataset.state = state;
      statusEl.querySelector(".live-text").textContent = cfg.labels[state] || state;
    }
    var source = null;
    function open() {
      if (typeof EventSource === "undefined") { setStatus("offline"); return; }
      source = new EventSource(cfg.streamUrl);
      source.onopen = function () { setStatus("live"); };
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) { setStatus("offline"); setTimeout(open, 5000); }
        else { setStatus("reconnecting"); }
      };
      kinds.forEach(function (kind) {
        source.addEventListener(kind, function (e) { onEvent(kind, JSON.parse(e.data)); });
      });
    }
    open();
    window.addEventListener("beforeunload", function () { if (source) { source.close(); } });
  }
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }
  return { connect: connect, debounce: debounce, esc: esc, getJson: getJson };
})();
