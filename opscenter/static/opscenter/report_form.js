/* The report form: reload stored values when the unit, period or data set changes (unless something was
   typed), and suggest "available" beds as total minus occupied. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) { return; }
  // After a refused save (a newer version was stored meanwhile) the form holds values not yet saved.
  var dirty = !!document.getElementById("edit-conflict");
  form.querySelectorAll("input.num, textarea").forEach(function (el) {
    el.addEventListener("input", function () { dirty = true; });
  });

  function reload(extra) {
    var params = new URLSearchParams();
    params.set("data_set", form.querySelector('[name="data_set"]').value);
    var unit = form.querySelector('[name="unit"]');
    var period = form.querySelector('[name="period"]');
    if (unit && unit.value) { params.set("unit", unit.value); }
    if (period && period.value) { params.set("period", period.value); }
    Object.keys(extra || {}).forEach(function (k) { params.set(k, extra[k]); });
    window.location.search = params.toString();
  }
  ["unit", "period"].forEach(function (name) {
    var el = form.querySelector('[name="' + name + '"]');
    if (el) {
      el.addEventListener("change", function () {
        if (!dirty || window.confirm(form.dataset.confirmReload || "Discard the values typed in?")) { reload(); }
      });
    }
  });
  var dsChoice = form.querySelector('[data-reload="data_set"]');
  if (dsChoice) { dsChoice.addEventListener("change", function () { reload({ data_set: dsChoice.value }); }); }
  var loadButton = document.getElementById("load-button");
  if (loadButton) { loadButton.addEventListener("click", function (e) { e.preventDefault(); reload(); }); }

  function suggest(row) {
    var total = row.querySelector('[data-measure="total"]');
    var occupied = row.querySelector('[data-measure="occupied"]');
    var available = row.querySelector('[data-measure="available"]');
    if (!total || !occupied || !available) { return; }
    var t = parseInt(total.value, 10), o = parseInt(occupied.value, 10);
    available.placeholder = isNaN(t) || isNaN(o) ? "" : String(Math.max(t - o, 0));
    row.classList.toggle("has-warning", !isNaN(t) && !isNaN(o) && o > t);
  }
  form.querySelectorAll(".bed-grid tbody tr").forEach(function (row) {
    row.addEventListener("input", function () { suggest(row); });
    suggest(row);
  });
})();
