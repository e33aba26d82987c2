/* Conversation page: live length and tone check of the reply, SLA countdown, keyboard shortcuts. */
"use strict";
(function () {
  var C = window.Careline, data = C.island("conv-data");
  C.setServerNow(data.now);
  C.tickBadges();
  setInterval(function () { C.tickBadges(); }, 1000);
  C.helpKey();

  var box = document.getElementById("reply"), count = document.getElementById("count");
  var tone = document.getElementById("tone");
  /* Instant estimate (X weighs URLs 23 and most non-Latin characters 2); the server's count follows. */
  function estimate(text) {
    var n = 0, noUrls = text.replace(/https?:\/\/\S+/g, function () { n += 23; return ""; });
    Array.from(noUrls.normalize("NFC")).forEach(function (ch) {
      var cp = ch.codePointAt(0);
      n += (data.platform !== "x" || cp <= 4351 || (cp >= 8192 && cp <= 8205) ||
            (cp >= 8208 && cp <= 8223) || (cp >= 8242 && cp <= 8247)) ? 1 : 2;
    });
    return n;
  }
  function showCount(n, limit) {
    count.textContent = n + " / " + limit;
    count.className = "count" + (n > limit ? " over" : "");
  }
  function renderTone(report) {
    tone.textContent = "";
    if (!report.findings.length) {
      var p = document.createElement("p"); p.className = "ok"; p.textContent = "Tone guard: no findings.";
      tone.appendChild(p); return;
    }
    var ul = document.createElement("ul");
    report.findings.forEach(function (f) {
      var li = document.createElement("li"), b = document.createElement("b");
      li.className = f.category; b.textContent = f.category.replace("_", " ");
      li.appendChild(b);
      li.appendChild(document.createTextNode(": \u201c" + f.phrase + "\u201d \u2014 " + f.why + " Try: " + f.suggestion));
      ul.appendChild(li);
    });
    tone.appendChild(ul);
  }
  var timer = null;
  if (box) {
    box.addEventListener("input", function () {
      showCount(estimate(box.value), data.limit);
      clearTimeout(timer);
      timer = setTimeout(function () {
        C.postJSON("/api/drafts/check", {text: box.value, platform: data.platform}).then(function (r) {
          if (r.error) { return; }
          showCount(r.length, r.limit);
          renderTone(r.tone);
        });
      }, 250);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); box.form.requestSubmit(); }
      if (e.key === "Escape") { box.blur(); }
    });
  }
  var keys = {c: "act-claim", r: "act-resolve", s: "act-snooze", d: "act-dismiss", x: "act-escalate", l: "act-release"};
  document.addEventListener("keydown", function (e) {
    if (C.isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "e" && box) { box.focus(); e.preventDefault(); return; }
    if (e.key === "u") { window.location.href = "/"; return; }
    var btn = keys[e.key] && document.getElementById(keys[e.key]);
    if (btn) { e.preventDefault(); btn.form.requestSubmit(btn); }
  });
})();
