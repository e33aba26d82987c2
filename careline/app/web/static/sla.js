/* Lead's SLA page: refresh the headline numbers every 15 s without a reload; approving a reply the tone
   guard flagged asks first (form[data-confirm], as on the conversation page). */
"use strict";
(function () {
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  function pct(v) { return v === null || v === undefined ? "\u2014" : v + "%"; }
  function refresh() {
    fetch("/api/sla/summary", {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (s) {
      if (!s.periods) { return; }
      document.querySelectorAll("[data-period]").forEach(function (el) {
        el.textContent = pct(s.periods[el.getAttribute("data-period")].attainment_pct);
      });
      document.getElementById("breach-count").textContent = s.breach_count;
      var t = document.getElementById("sla-now"), zone = t.getAttribute("data-zone") || "UTC";
      t.setAttribute("datetime", s.now);  /* the team's zone, as every other time on the pages (it said UTC here) */
      t.textContent = new Intl.DateTimeFormat("en-GB", {timeZone: zone, hour: "2-digit", minute: "2-digit",
                                                        second: "2-digit", hourCycle: "h23"}).format(new Date(s.now))
        + " (" + zone + ")";
    });
  }
  setInterval(refresh, 15000);
})();
