/* Shared helpers for Careline pages. No inline script anywhere: the CSP is script-src 'self'. */
"use strict";
window.Careline = (function () {
  function island(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }
  function csrf() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute("content") : "";
  }
  function postJSON(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: JSON.stringify(body)
    }).then(function (r) { return r.json(); });
  }
  /* Server time minus browser time, so countdowns follow the server's clock. */
  var skew = 0;
  function setServerNow(iso) { if (iso) { skew = Date.parse(iso) - Date.now(); } }
  function now() { return Date.now() + skew; }
  /* Seconds only matter in the last hour; past two days, days and hours read better than "299h". */
  function countdown(ms) {
    var neg = ms < 0, s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var text = h >= 48 ? d + "d " + (h % 24) + "h" : (h ? h + "h " + m + "m" : (m ? m + "m " : "") + sec + "s");
    return neg ? text + " over" : text + " left";
  }
  /* Update every [data-due] badge: text, state class (on track / at risk / breached). "At risk" starts
     data-warn seconds before the due time: the conversation's own policy, as the server's sweep warns. */
  function tickBadges(root) {
    (root || document).querySelectorAll("[data-due]").forEach(function (el) {
      var due = el.getAttribute("data-due");
      if (!due) { return; }
      var left = Date.parse(due) - now(), warn = parseInt(el.getAttribute("data-warn") || "900", 10) * 1000;
      var state = left <= 0 ? "breached" : (left <= warn ? "at_risk" : "on_track");
      el.textContent = countdown(left);
      el.className = "badge " + state;
      el.setAttribute("data-state", state);
      var row = el.closest("tr");
      if (row) { row.className = row.className.replace(/sla-\S+/, "sla-" + state); }
    });
  }
  function isTyping(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  /* A page's one-key shortcuts stand down while the person types, holds a modifier, or has a modal
     dialog open (the keyboard help): a key pressed there must not claim, resolve or leave the page behind it. */
  function keysOff(e) {
    return isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]") !== null;
  }
  function helpKey() {
    document.addEventListener("keydown", function (e) {
      if (e.key === "?" && !keysOff(e)) {
        var d = document.getElementById("help");
        if (d && d.showModal) { d.showModal(); }
      }
    });
  }
  return {island: island, csrf: csrf, postJSON: postJSON, setServerNow: setServerNow, now: now,
          countdown: countdown, tickBadges: tickBadges, isTyping: isTyping, keysOff: keysOff, helpKey: helpKey};
})();
