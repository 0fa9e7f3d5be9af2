// The unit picker of the work forms (templates/work/_unit_picker.html): a search box that filters the units by
// the beginnings of the words of their name, code, ward or district, without regard to diacritics ("cho ray" and
// "ch ra" find "Chợ Rẫy"), "select all" per group and area (the units the search shows), the count, and the
// selected units as removable chips. The checkboxes stay the form's field: without this script the picker is a
// plain grouped list of them.
(function () {
  "use strict";

  var MAX_CHIPS = 24;

  // As opscenter/work/textsearch.py fold(): lower case, no diacritics, đ as d, words split on anything else.
  function fold(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^0-9a-z]+/g, " ").trim();
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function init(picker) {
    var search = picker.querySelector("[data-picker-search]");
    var count = picker.querySelector("[data-picker-count]");
    var shown = picker.querySelector("[data-picker-shown]");
    var chips = picker.querySelector("[data-picker-chips]");
    var none = picker.querySelector("[data-picker-none]");
    var items = Array.prototype.slice.call(picker.querySelectorAll(".picker-item"));
    var text = picker.dataset;
    if (!search || !items.length) {
      return;
    }
    picker.classList.add("picker-live");
    picker.querySelector("[data-picker-bar]").hidden = false;
    picker.querySelectorAll("[data-picker-all]").forEach(function (b) { b.hidden = false; });

    function boxOf(item) { return item.querySelector("input[type=checkbox]"); }
    function nameOf(item) { return item.querySelector(".picker-name").firstChild.textContent.trim(); }
    function visible(scope) {
      return Array.prototype.filter.call(scope.querySelectorAll(".picker-item"), function (i) { return !i.hidden; });
    }

    function filter() {
      var words = fold(search.value).split(" ").filter(Boolean);
      var matches = 0;
      items.forEach(function (item) {
        var hay = " " + item.dataset.search;  // each word of the search begins a word of the unit's text
        item.hidden = !words.every(function (w) { return hay.indexOf(" " + w) !== -1; });
        if (!item.hidden) { matches += 1; }
      });
      picker.querySelectorAll("[data-picker-area], [data-picker-group]").forEach(function (block) {
        var n = visible(block).length;
        block.hidden = n === 0;
        var head = block.querySelector(".picker-head .picker-n, .picker-subhead .picker-n");
        if (head && head.closest("[data-picker-area], [data-picker-group]") === block) {
          head.textContent = words.length ? n + "/" + block.querySelectorAll(".picker-item").length
            : String(block.querySelectorAll(".picker-item").length);
        }
      });
      none.hidden = matches > 0;
      shown.textContent = words.length ? fill(text.textShown, {shown: matches, total: items.length}) : "";
      refresh();
    }

    function refresh() {
      var picked = items.filter(function (item) { return boxOf(item).checked; });
      count.textContent = fill(text.textCount, {count: picked.length});
      chips.textContent = "";
      picked.slice(0, MAX_CHIPS).forEach(function (item) {
        var chip = document.createElement("li");
        var label = document.createElement("span");
        var remove = document.createElement("button");
        label.textContent = nameOf(item);
        remove.type = "button";
        remove.className = "picker-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", fill(text.textRemove, {unit: nameOf(item)}));
        remove.dataset.code = boxOf(item).value;
        chip.appendChild(label);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      if (picked.length > MAX_CHIPS) {
        var more = document.createElement("li");
        more.className = "picker-more";
        more.textContent = fill(text.textMore, {count: picked.length - MAX_CHIPS});
        chips.appendChild(more);
      }
      chips.hidden = picked.length === 0;
      picker.querySelectorAll("[data-picker-all]").forEach(function (button) {
        var block = button.closest("[data-picker-area], [data-picker-group]");
        var open = visible(block);
        var all = open.length > 0 && open.every(function (i) { return boxOf(i).checked; });
        button.textContent = all ? text.textNone : text.textAll;
        button.setAttribute("aria-pressed", all ? "true" : "false");
      });
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {  // not the form's submit: tick the one unit found, if only one is
        event.preventDefault();
        var open = items.filter(function (i) { return !i.hidden; });
        if (open.length === 1) {
          boxOf(open[0]).checked = true;
          refresh();
        }
      } else if (event.key === "Escape" && search.value) {
        event.preventDefault();
        search.value = "";
        filter();
      }
    });
    picker.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox]")) { refresh(); }
    });
    picker.addEventListener("click", function (event) {
      var target = event.target;
      if (target.matches("[data-picker-all]")) {
        var open = visible(target.closest("[data-picker-area], [data-picker-group]"));
        var all = open.every(function (i) { return boxOf(i).checked; });
        open.forEach(function (i) { boxOf(i).checked = !all; });
        refresh();
      } else if (target.matches("[data-picker-clear]")) {
        items.forEach(function (i) { boxOf(i).checked = false; });
        refresh();
      } else if (target.matches(".picker-remove")) {
        var box = picker.querySelector("input[type=checkbox][value=\"" + CSS.escape(target.dataset.code) + "\"]");
        if (box) { box.checked = false; }
        refresh();
        search.focus();
      }
    });
    filter();
  }

  document.querySelectorAll("[data-unit-picker]").forEach(init);
})();
