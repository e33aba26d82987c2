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
  /* POST ``body`` as JSON with the CSRF header; the Response itself, for a caller that reads its status. */
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf()},
      body: JSON.stringify(body)
    });
  }
  function postJSON(url, body) { return post(url, body).then(function (r) { return r.json(); }); }
  /* Something a page keeps for the next one in this tab (a message, a choice to put back), as JSON; taken once.
     Storage may be off: then nothing is kept, and the page behaves as it did without it. */
  function stash(key, value) {
    try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (err) { /* storage off */ }
  }
  function unstash(key) {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(key) || "null");
      window.sessionStorage.removeItem(key);
      return value;
    } catch (err) { return null; }
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
  function standDown(e) {
    return isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector("dialog[open]") !== null;
  }
  /* One-key shortcuts can be turned off in the keyboard help (this browser remembers it): a bare "r" resolved the
     conversation, which speech input or a screen reader's own keys can send by accident (WCAG 2.1.4). "?", the
     way to the switch, stays. */
  var SINGLE_KEYS = "careline-single-keys";
  function singleKeysOn() {
    try { return window.localStorage.getItem(SINGLE_KEYS) !== "off"; } catch (err) { return true; }
  }
  function keysOff(e) { return !singleKeysOn() || standDown(e); }
  function helpKey() {
    document.addEventListener("keydown", function (e) {
      if (e.key === "?" && !standDown(e)) {
        var d = document.getElementById("help");
        if (d && d.showModal) { d.showModal(); }
      }
    });
    var box = document.getElementById("single-keys");
    if (!box) { return; }
    box.checked = singleKeysOn();
    box.addEventListener("change", function () {
      try { window.localStorage.setItem(SINGLE_KEYS, box.checked ? "on" : "off"); } catch (err) { /* private mode */ }
    });
  }
  /* Live updates that say when they are not live, and come back by themselves. Why not EventSource: it gives up
     for good on any answer but 200 and never says which, so a page refused a stream (429: too many open with its
     sign-in, or with every tab, device and token of the person) or whose person was signed out went stale without
     a word. Here a 429 waits its Retry-After, a dropped network, a restarting server or a silent one (a dead
     connection often says nothing) retries with growing waits, and 401/403 stop with a link to sign in.
     ``onEvent`` gets the JSON of each ``event`` message; ``status`` (role=status, hidden while live) says what
     is wrong. */
  var LIVE_SILENCE_MS = 30000, LIVE_LONGEST_WAIT = 30;
  var LIVE_WORDS = {paused: "Live updates paused: too many open tabs \u2014 close some or reload.",
                    reconnecting: "Reconnecting\u2026", signedOut: "Live updates stopped: you are signed out.",
                    forbidden: "Live updates stopped: your access changed."};
  function liveStream(url, event, onEvent, status) {
    if (!window.fetch || !window.ReadableStream || !window.AbortController || !status) { return; }
    /* One attempt at a time: ``attempt`` numbers them, and what an older one hears (its abort) is ignored. */
    var failures = 0, timer = null, leaving = false, attempt = 0, running = null;
    function stop() { attempt += 1; clearTimeout(timer); if (running) { running.abort(); } }
    /* A page put away (closed, or kept in the back-forward cache) gives its stream slot back at once. */
    window.addEventListener("pagehide", function () { leaving = true; stop(); });
    window.addEventListener("pageshow", function (e) { if (e.persisted) { leaving = false; connect(); } });
    /* The network went: an open connection can hang for minutes without an error, so say it now; and try at
       once when it is back instead of at the end of a long wait. */
    window.addEventListener("offline", function () {
      if (!leaving) { stop(); later(backoff(), LIVE_WORDS.reconnecting); }
    });
    window.addEventListener("online", function () { if (!leaving) { failures = 0; connect(); } });
    function say(text, signIn) {
      status.textContent = text;
      status.hidden = !text;
      if (signIn) {
        var a = document.createElement("a");
        a.href = "/login?next=" + encodeURIComponent(window.location.pathname + window.location.search);
        a.textContent = "Sign in again";
        status.appendChild(document.createTextNode(" "));
        status.appendChild(a);
      }
    }
    function backoff() {
      failures += 1;
      return Math.min(LIVE_LONGEST_WAIT, Math.pow(2, failures - 1)) * (0.8 + 0.4 * Math.random());
    }
    function later(seconds, text) {
      if (text !== undefined) { say(text); }
      clearTimeout(timer);
      timer = setTimeout(connect, seconds * 1000);
    }
    function connect() {
      stop();
      var mine = attempt, abort = new AbortController();
      running = abort;
      function current() { return mine === attempt && !leaving; }
      fetch(url, {credentials: "same-origin", cache: "no-store", headers: {Accept: "text/event-stream"},
                  signal: abort.signal})
        .then(function (r) { return current() ? answered(r, abort, current) : undefined; })
        .catch(function () { if (current()) { later(backoff(), LIVE_WORDS.reconnecting); } });
    }
    function answered(r, abort, current) {
      var streaming = r.ok && /^text\/event-stream/.test(r.headers.get("Content-Type") || "");
      if (!streaming && r.body) { r.body.cancel().catch(function () {}); }  /* its connection goes back to the pool */
      if (r.status === 401 || r.status === 403) {
        say(r.status === 401 ? LIVE_WORDS.signedOut : LIVE_WORDS.forbidden, true); return undefined;
      }
      if (r.status === 429) {
        var after = parseInt(r.headers.get("Retry-After") || "", 10);
        later(Math.max(after > 0 ? after : 5, backoff()), LIVE_WORDS.paused); return undefined;
      }
      if (r.status >= 400 && r.status < 500) {
        say("Live updates stopped (the server answered " + r.status + "): reload the page."); return undefined;
      }
      if (!streaming) { later(backoff(), LIVE_WORDS.reconnecting); return undefined; }
      return read(r.body.getReader(), abort, current);
    }
    /* Messages as the server writes them ("event: NAME", "data: JSON", a blank line). The first one heard says
       the page is live again; a stream that ends after some (its lifetime passed) is opened again at once. */
    function read(reader, abort, current) {
      var decoder = new TextDecoder(), buffer = "", heard = false, quiet = null;
      function pump() {
        clearTimeout(quiet);
        quiet = setTimeout(function () { abort.abort(); }, LIVE_SILENCE_MS);
        return reader.read().then(function (part) {
          if (!current()) { clearTimeout(quiet); return undefined; }
          if (part.done) {
            clearTimeout(quiet);
            if (heard) { later(1); } else { later(backoff(), LIVE_WORDS.reconnecting); }
            return undefined;
          }
          buffer += decoder.decode(part.value, {stream: true}).replace(/\r\n?/g, "\n");
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (b) { if (deliver(b)) { heard = true; failures = 0; say(""); } });
          return pump();
        }, function (err) { clearTimeout(quiet); throw err; });
      }
      return pump();
    }
    function deliver(block) {
      var name = "message", data = [];
      block.split("\n").forEach(function (line) {
        if (line.indexOf("event:") === 0) { name = line.slice(6).trim(); }
        else if (line.indexOf("data:") === 0) { data.push(line.slice(5).replace(/^ /, "")); }
      });
      if (name !== event || !data.length) { return false; }
      try { onEvent(JSON.parse(data.join("\n"))); }
      catch (e) { setTimeout(function () { throw e; }); }  /* the page's bug shows in the console; the stream goes on */
      return true;
    }
    connect();
  }
  return {island: island, csrf: csrf, post: post, postJSON: postJSON, stash: stash, unstash: unstash, setServerNow: setServerNow, now: now,
          countdown: countdown, tickBadges: tickBadges, isTyping: isTyping, keysOff: keysOff, helpKey: helpKey,
          liveStream: liveStream};
})();
