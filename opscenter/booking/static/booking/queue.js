/* The clinic's queue screen on a TV: asks the server every few seconds what the queue is (a small JSON answer,
   numbers only) and draws it; keeps asking through a network loss, so the screen recovers by itself; the clock
   runs on the centre's time zone. No inline script: the CSP allows none. */
(function () {
  "use strict";
  var root = document.getElementById("queue-screen");
  if (!root) { return; }
  var feed = root.getAttribute("data-feed");
  var interval = parseInt(root.getAttribute("data-interval"), 10) || 5000;
  var MAX_WAIT = 30000;
  var timeZone = document.body.getAttribute("data-time-zone") || undefined;
  var lastCalled = text("queue-called-number") + "|" + text("queue-called-detail");
  var failures = 0;

  function el(id) { return document.getElementById(id); }
  function text(id) { return el(id) ? el(id).textContent.trim() : ""; }

  function tick() {
    var options = { hour: "2-digit", minute: "2-digit", hour12: false };
    try {
      el("queue-clock").textContent = new Date().toLocaleTimeString("en-GB", Object.assign({ timeZone: timeZone }, options));
    } catch (e) {  // a browser without that time zone's data
      el("queue-clock").textContent = new Date().toLocaleTimeString("en-GB", options);
    }
  }

  function draw(queue) {
    var detail = el("queue-called-detail");
    var called = queue.called;
    el("queue-called-number").textContent = called ? String(called.number) : "—";
    detail.textContent = called ? detail.getAttribute("data-label-time") + " " + called.time +
      (called.room ? " · " + detail.getAttribute("data-label-room") + " " + called.room : "") : "";
    var now = text("queue-called-number") + "|" + text("queue-called-detail");
    if (now !== lastCalled) {  // a new number: catch the eye of the room
      var box = document.querySelector(".queue-called");
      box.classList.remove("just-called");
      void box.offsetWidth;  // restart the animation
      box.classList.add("just-called");
      lastCalled = now;
    }
    el("queue-waiting").textContent = String(queue.waiting);
    var list = el("queue-next");
    list.textContent = "";
    if (!queue.next.length) {
      var empty = document.createElement("li");
      empty.className = "queue-empty";
      empty.textContent = list.getAttribute("data-label-empty");
      list.appendChild(empty);
    }
    queue.next.forEach(function (t) {
      var item = document.createElement("li"), number = document.createElement("span"),
        time = document.createElement("span");
      number.className = "queue-next-number";
      number.textContent = String(t.number);
      time.className = "queue-next-time";
      time.textContent = t.time;
      item.appendChild(number);
      item.appendChild(time);
      list.appendChild(item);
    });
  }

  function setOnline(online) {
    root.setAttribute("data-state", online ? "live" : "offline");
    el("queue-offline").hidden = online;
  }

  function poll() {
    fetch(feed, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (queue) { failures = 0; setOnline(true); draw(queue); })
      .catch(function () { failures += 1; setOnline(false); })
      .then(function () {  // the next question, a little later after each failure
        setTimeout(poll, Math.min(interval * Math.pow(2, Math.min(failures, 3)), MAX_WAIT));
      });
  }

  tick();
  setInterval(tick, 1000);
  setTimeout(poll, interval);
})();
