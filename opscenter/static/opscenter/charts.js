/* Small helpers around ECharts shared by the overview and the facility page. */
(function () {
  "use strict";
  var charts = [];
  var PALETTE = ["#1769e0", "#d62e2e", "#2e9d4f", "#f08a24", "#8e44ad", "#16a2b8", "#7a6500", "#5f6b7a"];

  function shortDate(iso) {
    // "2025-07-01" -> "01/07"
    var p = String(iso).slice(0, 10).split("-");
    return p.length === 3 ? p[2] + "/" + p[1] : iso;
  }

  function empty(el, text) {
    el.innerHTML = '<div class="chart-empty"></div>';
    el.firstChild.textContent = text || "—";
  }

  var LEGEND = { top: 0, left: "center", itemWidth: 14, itemHeight: 8, textStyle: { fontSize: 11 } };

  function base(extra) {
    var option = {
      color: PALETTE,
      animation: false,
      grid: { left: 46, right: 46, top: 34, bottom: 26 },
      tooltip: { trigger: "axis", confine: true },
      legend: LEGEND,
      textStyle: { fontFamily: "inherit" }
    };
    for (var k in extra) { if (Object.prototype.hasOwnProperty.call(extra, k)) { option[k] = extra[k]; } }
    if (extra.legend) { option.legend = Object.assign({}, LEGEND, extra.legend); }  // e.g. only its data
    return option;
  }

  function make(el, option) {
    if (!el || typeof echarts === "undefined") { return null; }
    var existing = echarts.getInstanceByDom(el);
    var chart = existing || echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option, true);
    if (!existing) { charts.push(chart); }
    return chart;
  }

  function hasData(seriesList) {
    return seriesList.some(function (s) {
      return (s.data || []).some(function (v) {
        var y = Array.isArray(v) ? v[1] : v;
        return y !== null && y !== undefined;
      });
    });
  }

  function band(name, lower, upper, colour) {
    // a stacked pair: an invisible lower line, and the width above it filled
    return [
      { name: name, type: "line", stack: name, data: lower, lineStyle: { opacity: 0 }, symbol: "none",
        itemStyle: { color: colour }, tooltip: { show: false } },
      { name: name, type: "line", stack: name, data: upper.map(function (u, i) { return u === null || lower[i] === null ? null : u - lower[i]; }),
        lineStyle: { opacity: 0 }, symbol: "none", areaStyle: { color: colour }, itemStyle: { color: colour },
        tooltip: { show: false } }
    ];
  }

  function pad(values, before) { return new Array(before).fill(null).concat(values); }

  // A forecast drawn after `before` days of history: its 95% and 80% bands and its dashed mean.
  // labels: { forecast, band80, band95 }; scale (optional) maps each value (e.g. beds to a share of capacity).
  function forecastSeries(fc, before, labels, colour, scale) {
    var f = scale || function (v) { return v; };
    function col(name) { return pad(fc[name].map(f), before); }
    return band(labels.band95, col("lower95"), col("upper95"), "rgba(214,46,46,.12)")
      .concat(band(labels.band80, col("lower80"), col("upper80"), "rgba(214,46,46,.22)"))
      .concat([{ name: labels.forecast, type: "line", data: col("mean"), showSymbol: false,
                 lineStyle: { type: "dashed" }, itemStyle: { color: colour || "#d62e2e" } }]);
  }

  var resizing = false;  // at most one resize of the charts a frame
  window.addEventListener("resize", function () {
    if (resizing) { return; }
    resizing = true;
    window.requestAnimationFrame(function () { resizing = false; charts.forEach(function (c) { c.resize(); }); });
  });

  window.OpsCharts = { make: make, base: base, empty: empty, shortDate: shortDate, hasData: hasData,
                      band: band, forecastSeries: forecastSeries };
})();
