/* policydiff history report: clicking a mark opens its details panel. No network, no eval. */
(function () {
  "use strict";
  var doc = document;
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id ? doc.getElementById(id) : null;
    if (!el || el.tagName !== "DETAILS") { return; }
    el.open = true;
    var s = el.querySelector("summary");
    if (s) { s.focus({ preventScroll: true }); }
    el.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", openTarget);
  if (location.hash) { openTarget(); }
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.slice.call(doc.querySelectorAll("details:not([open])"));
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
