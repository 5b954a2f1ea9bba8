/* policydiff comparison report: filters, keyboard navigation, print. No network, no eval. */
(function () {
  "use strict";
  var doc = document;
  function all(sel, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(sel)); }
  function openAncestors(el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      if (p.tagName === "DETAILS") { p.open = true; }
    }
  }

  /* filters: a finding is shown when both its flag and its severity are ticked */
  var boxes = all("input[data-filter]");
  var status = doc.getElementById("filter-status");
  function applyFilters() {
    var on = { flag: {}, severity: {} };
    boxes.forEach(function (b) { if (b.checked) { on[b.getAttribute("data-filter")][b.value] = true; } });
    var shown = 0, total = 0;
    all(".filterable").forEach(function (el) {
      var visible = !!on.flag[el.getAttribute("data-flag")] && !!on.severity[el.getAttribute("data-severity")];
      el.hidden = !visible;
      if (el.classList.contains("finding")) { total += 1; if (visible) { shown += 1; } }
    });
    if (status) { status.textContent = shown + " of " + total + " findings shown"; }
  }
  boxes.forEach(function (b) { b.addEventListener("change", applyFilters); });
  var showAll = doc.getElementById("show-all");
  if (showAll) {
    showAll.addEventListener("click", function () {
      boxes.forEach(function (b) { b.checked = true; });
      applyFilters();
    });
  }
  if (boxes.length) { applyFilters(); }

  /* keyboard: j/k next/previous visible finding, n/p next/previous changed row */
  function move(selector, step) {
    var items = all(selector).filter(function (el) { return !el.hidden && el.offsetParent !== null; });
    if (!items.length) { return; }
    var active = doc.activeElement, idx = -1;
    for (var i = 0; i < items.length; i++) {
      if (items[i] === active || items[i].contains(active)) { idx = i; break; }
    }
    if (idx < 0) {
      var y = window.scrollY;
      idx = step > 0 ? -1 : items.length;
      for (var j = 0; j < items.length; j++) {
        var top = items[j].getBoundingClientRect().top + y;
        if (top > y + 60) { idx = step > 0 ? j - 1 : j; break; }
      }
    }
    var next = items[Math.max(0, Math.min(items.length - 1, idx + step))];
    if (!next.hasAttribute("tabindex")) { next.setAttribute("tabindex", "-1"); }
    next.focus({ preventScroll: true });
    next.scrollIntoView({ block: "center" });
  }
  doc.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target && e.target.tagName;
    if (t === "INPUT" || t === "TEXTAREA" || t === "SELECT" || t === "BUTTON") { return; }
    if (e.key === "j") { move(".finding", 1); e.preventDefault(); }
    else if (e.key === "k") { move(".finding", -1); e.preventDefault(); }
    else if (e.key === "n") { move(".row:not(.k-unchanged)", 1); e.preventDefault(); }
    else if (e.key === "p") { move(".row:not(.k-unchanged)", -1); e.preventDefault(); }
  });

  /* following a link to a finding or clause: open collapsed runs, move focus there */
  function followHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) { return; }
    var el = doc.getElementById(id);
    if (!el) { return; }
    openAncestors(el);
    if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "-1"); }
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", followHash);
  if (location.hash) { followHash(); }

  /* clicking highlighted evidence jumps to its finding */
  doc.addEventListener("click", function (e) {
    var m = e.target && e.target.closest ? e.target.closest("mark.ev") : null;
    if (!m) { return; }
    var first = (m.getAttribute("data-findings") || "").split(" ")[0];
    if (first) { location.hash = "#" + first; }
  });

  /* print everything: open the collapsed runs, close them again afterwards */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = all("details:not([open])");
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
