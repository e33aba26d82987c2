/* The navigation, on every page. A lead's Approvals entry follows the replies waiting for them while the page stays
   open: it showed the count of when the page loaded ("0" while an agent's reply waited). Every 20 s while the tab
   is in view, and when it comes back into view: one small count. */
"use strict";
(function () {
  var entry = document.getElementById("nav-approvals");
  var count = entry && entry.querySelector(".nav-count");
  if (!count) { return; }
  function show(n) {
    count.firstChild.nodeValue = String(n);
    count.classList.toggle("none", !n);
    count.title = n + (n === 1 ? " reply" : " replies") + " waiting for approval";
  }
  function refresh() {
    if (document.visibilityState !== "visible") { return; }
    fetch("/api/approvals/count", {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { if (b && typeof b.waiting === "number") { show(b.waiting); } })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }
  setInterval(refresh, 20000);
  document.addEventListener("visibilitychange", refresh);
})();
