// Keyboard shortcuts of the inbox and the document lists (documented on /help, "Phím tắt").
// No key does anything while the person types in a field, and no single key changes anything:
// keys move, open, tick a box or go to a page; every action is still a button the person presses
// (and the irreversible ones ask first). Loaded only by the pages that list things and /help.
(function () {
  "use strict";

  var GO = { i: "/", d: "/documents", o: "/outgoing", h: "/help" };
  var pendingG = false;
  var current = -1;

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function rows() {
    var table = document.querySelector("table[data-keyboard-list], table.doc-list");
    return table ? Array.prototype.slice.call(table.querySelectorAll("tbody tr")) : [];
  }

  function openLink(row) {
    return row ? row.querySelector("a[data-open]") || row.querySelector("a[href]") : null;
  }

  function move(step) {
    var list = rows();
    if (!list.length) { return; }
    list.forEach(function (row) { row.classList.remove("kbd-current"); });
    current = Math.max(0, Math.min(list.length - 1, current + step));
    var row = list[current];
    row.classList.add("kbd-current");
    var link = openLink(row);
    // Focusing the row's link shows where the cursor is and lets Enter open it as any link does.
    if (link) { link.focus(); } else { row.scrollIntoView({ block: "nearest" }); }
  }

  function currentRow() {
    var list = rows();
    return current >= 0 && current < list.length ? list[current] : null;
  }

  function countTicked() {
    var label = document.getElementById("bulk-count");
    if (!label) { return; }
    var ticked = document.querySelectorAll("input[name=task_id][form=bulk-form]:checked").length;
    if (!label.hasAttribute("data-hint")) { label.setAttribute("data-hint", label.textContent); }
    label.textContent = ticked ? "Đã chọn " + ticked + " công việc:" : label.getAttribute("data-hint");
  }

  function follow(selector) {
    var link = document.querySelector(selector);
    if (link) { link.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (GO[key]) { event.preventDefault(); window.location.assign(GO[key]); }
      return;
    }
    if (key === "g") { pendingG = true; window.setTimeout(function () { pendingG = false; }, 1500); return; }
    if (key === "j") { event.preventDefault(); move(1); return; }
    if (key === "k") { event.preventDefault(); move(-1); return; }
    if (key === "o" || (key === "Enter" && event.target === document.body)) {
      var link = openLink(currentRow());
      if (link) { event.preventDefault(); link.click(); }
      return;
    }
    if (key === "x") {
      var box = currentRow() && currentRow().querySelector("input[type=checkbox]");
      if (box) { event.preventDefault(); box.click(); }
      return;
    }
    if (key === "n") { follow("[data-page-link=next]"); return; }
    if (key === "p") { follow("[data-page-link=prev]"); return; }
    if (key === "/") {
      var search = document.getElementById("quick-search") ||
        document.querySelector("input[type=search], .list-filters input[type=text]");
      if (search) { event.preventDefault(); search.focus(); }
      return;
    }
    if (key === "?") { event.preventDefault(); window.location.assign("/help#phim-tat"); }
  });

  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "task_id") { countTicked(); }
  });

  // The inbox refreshes itself every 30 seconds; while rows are ticked that refresh waits, so
  // it never drops what the person is choosing.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.id === "rows" && element.hasAttribute("data-poll") &&
        document.querySelector("input[name=task_id][form=bulk-form]:checked")) {
      event.preventDefault();
    }
  });

  // New rows (a filter, a page, a refresh): the cursor starts again from the top.
  document.addEventListener("htmx:afterSwap", function () { current = -1; countTicked(); });
})();
