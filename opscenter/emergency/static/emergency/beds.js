/* The emergency beds board follows diversions, reports and camera counts as they happen. */
(function () {
  "use strict";
  var Live = window.OpsLive;
  var cfg = JSON.parse(document.getElementById("emergency-config").textContent);
  // The board is server-rendered with its forms; a change reloads it (at most every few seconds).
  var reload = Live.debounce(function () {
    if (document.activeElement && document.activeElement.tagName === "INPUT") { return; }  // someone is typing
    window.location.reload();
  }, 3000);
  Live.connect(cfg.streamUrl, Live.kinds("diversion", "report.submitted"), reload,
    function (reopened) { if (reopened) { reload(); } });
  setInterval(reload, 120000);
})();
