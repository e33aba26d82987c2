/* Lead's SLA page: refresh the headline numbers every 15 s without a reload. */
"use strict";
(function () {
  function pct(v) { return v === null || v === undefined ? "\u2014" : v + "%"; }
  function refresh() {
    fetch("/api/sla/summary", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      if (!s.periods) { return; }
      document.querySelectorAll("[data-period]").forEach(function (el) {
        el.textContent = pct(s.periods[el.getAttribute("data-period")].attainment_pct);
      });
      document.getElementById("breach-count").textContent = s.breach_count;
      var t = document.getElementById("sla-now");
      t.textContent = s.now.slice(11, 19) + " UTC";
    });
  }
  setInterval(refresh, 15000);
})();
