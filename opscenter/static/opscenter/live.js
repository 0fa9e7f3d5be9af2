/* What every live page shares: the Server-Sent Events connection with its status badge (#live-status, whose
   data-label-* attributes carry the words), reconnection, and small helpers for fetching and escaping. */
window.OpsLive = (function () {
  "use strict";
  var RETRY_MS = 5000;
  // The event catalogue, sent by the server with the page (includes/live_js.html): every kind, and the kinds of
  // each live group ("alert", "incident", ...), as the apps declare them in their events.py.
  var CATALOGUE = (function () {
    var el = document.getElementById("ops-event-kinds");
    return el ? JSON.parse(el.textContent) : { all: [], groups: {} };
  })();

  // The kinds named, each a group or a kind; an unknown name is a mistake in the page's script: fail loudly.
  function kinds() {
    var out = [];
    Array.prototype.forEach.call(arguments, function (name) {
      var found = CATALOGUE.groups[name] || (CATALOGUE.all.indexOf(name) >= 0 ? [name] : null);
      if (!found) { throw new Error("OpsLive: no event kind or group named " + name); }
      found.forEach(function (kind) { if (out.indexOf(kind) < 0) { out.push(kind); } });
    });
    return out;
  }

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      clearTimeout(timer);
      timer = setTimeout(function () { fn.apply(self, args); }, ms);
    };
  }

  function setStatus(state) {
    var badge = document.getElementById("live-status");
    if (!badge) { return; }
    badge.dataset.state = state;
    badge.querySelector(".live-text").textContent = badge.getAttribute("data-label-" + state) || state;
  }

  // Calls onEvent(kind, event) for each event of these kinds the server sends (it sends only the user's scope).
  // Events sent while the stream was not open (before it first opened, or while it was down) are not replayed:
  // onOpen(reopened), if given, runs each time the stream opens, for the page to fetch what it may have missed.
  function connect(url, kinds, onEvent, onOpen) {
    var source = null, retry = null, opened = false;
    function open() {
      if (typeof EventSource === "undefined") { setStatus("offline"); return; }
      source = new EventSource(url);
      source.onopen = function () {
        setStatus("live");
        if (onOpen) { onOpen(opened); }
        opened = true;
      };
      source.onerror = function () {
        if (source.readyState === EventSource.CLOSED) {
          setStatus("offline");  // refused (e.g. logged out) or the server went away: try again later
          clearTimeout(retry);
          retry = setTimeout(open, RETRY_MS);
        } else {
          setStatus("reconnecting");
        }
      };
      kinds.forEach(function (kind) {
        source.addEventListener(kind, function (message) { onEvent(kind, JSON.parse(message.data)); });
      });
    }
    open();
    window.addEventListener("beforeunload", function () { if (source) { source.close(); } });
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
  }

  // Replace the elements with these ids by their fresh copies from the page's own URL (server-rendered parts).
  function refreshParts(ids) {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ids.forEach(function (id) {
          var now = document.getElementById(id), next = fresh.getElementById(id);
          if (now && next) { now.replaceWith(next); }
        });
      });
  }

  // Times are shown on the centre's clock (Asia/Ho_Chi_Minh, from <body data-time-zone>), whatever the browser's.
  var TIME_ZONE = document.body ? document.body.getAttribute("data-time-zone") : null;
  function clock(iso, seconds) {
    if (!iso) { return ""; }
    var options = { hour: "2-digit", minute: "2-digit", hour12: false };
    if (seconds) { options.second = "2-digit"; }
    if (TIME_ZONE) { options.timeZone = TIME_ZONE; }
    try {
      return new Date(iso).toLocaleTimeString("en-GB", options);
    } catch (e) {  // a browser without that time zone's data
      delete options.timeZone;
      return new Date(iso).toLocaleTimeString("en-GB", options);
    }
  }

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  return { kinds: kinds, connect: connect, debounce: debounce, getJSON: getJSON, refreshParts: refreshParts, esc: esc,
           setStatus: setStatus, clock: clock };
})();
