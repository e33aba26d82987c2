/* Conversation page: live length and tone check of the reply, SLA countdown, keyboard shortcuts,
   a draft that survives reloads, presence (who views and types here) and live changes by colleagues. */
"use strict";
(function () {
  var C = window.Careline, data = C.island("conv-data");
  C.setServerNow(data.now);
  C.tickBadges();
  setInterval(function () { C.tickBadges(); }, 1000);
  C.helpKey();
  /* What the last action did ("Claimed.", or why Send was refused) is in the page as it loads, where a screen
     reader does not announce it, and the focus was back at the top: it goes to that line, which is read. A refusal
     that a box below settles ("tick 'send another'") is tied to that box too. */
  var outcome = document.getElementById("flash");
  var placed = Array.prototype.some.call(document.querySelectorAll("[autofocus]"),
                                         function (el) { return !el.closest("dialog"); });
  if (outcome && !outcome.hidden && !placed) {
    outcome.tabIndex = -1;
    outcome.focus({preventScroll: false});
    var another = document.getElementById("another");
    if (another && outcome.classList.contains("error")) { another.setAttribute("aria-describedby", "flash"); }
  }

  var box = document.getElementById("reply"), count = document.getElementById("count");
  if (box && count) { count.textContent = estimate(box.value) + " / " + data.limit; }
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
  /* A report in a language the guard does not check says so (report.checked false, with its note):
     an empty report there means little, and the agent must read the reply themselves. */
  var toneSaid = null;  /* what the tone area says now: redrawn only when that changes, since the area is a live
                          region and a screen reader read "Tone guard: no findings." again after every key */
  function renderTone(report, text) {
    var saying = text.trim() ? JSON.stringify([report.findings, report.checked, report.note]) : "";
    if (saying === toneSaid) { return; }
    toneSaid = saying;
    tone.textContent = "";
    if (!text.trim()) { return; }  /* an empty reply box has no tone to speak of */
    if (!report.findings.length) {
      if (report.checked !== false) {
        var p = document.createElement("p"); p.className = "ok"; p.textContent = "Tone guard: no findings.";
        tone.appendChild(p);
      }
    } else {
      tone.appendChild(findingsList(report.findings));
    }
    if (report.checked === false) {  /* under the findings, as the page first draws it */
      var u = document.createElement("p"); u.className = "unchecked"; u.id = "tone-unchecked";
      u.textContent = report.note.charAt(0).toUpperCase() + report.note.slice(1) + ".";
      tone.appendChild(u);
    }
  }
  function findingsList(findings) {
    var ul = document.createElement("ul");
    findings.forEach(function (f) {
      var li = document.createElement("li"), b = document.createElement("b");
      li.className = f.category; b.textContent = f.category.replace("_", " ");
      li.appendChild(b);
      li.appendChild(document.createTextNode(": \u201c" + f.phrase + "\u201d \u2014 " + f.why + " Try instead: \u201c" + f.suggestion + "\u201d"));  /* a phrase to write in its place */
      ul.appendChild(li);
    });
    return ul;
  }
  /* What Send would refuse whatever the length (a pasted control character), said under the count as it is typed. */
  function showRefused(why) {
    var p = document.getElementById("draft-refused"), count = document.getElementById("count");
    if (!p && why && count) {
      p = document.createElement("p"); p.id = "draft-refused"; p.className = "error"; p.setAttribute("role", "status");
      count.parentNode.insertBefore(p, count.nextSibling);
    }
    if (p) { p.textContent = why ? why.charAt(0).toUpperCase() + why.slice(1) + "." : ""; p.hidden = !why; }
  }
  var timer = null;
  if (box) {
    box.addEventListener("input", function () {
      showCount(estimate(box.value), data.limit);
      clearTimeout(timer);
      timer = setTimeout(function () {
        C.postJSON("/api/drafts/check", {text: box.value, platform: data.platform, brand: data.brand,
                                          author: data.author || "",
                                          language: data.language || "en"}).then(function (r) {
          if (r.error) { return; }
          showCount(r.length, r.limit);
          showRefused(r.refused);
          renderTone(r.tone, box.value);
        });
      }, 250);
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); box.form.requestSubmit(); }
      if (e.key === "Escape") { box.blur(); }
    });
  }
  /* Saved replies: a template, filled in for this customer, replaces the editor's text (and is then
     counted and tone-checked like anything typed). */
  document.querySelectorAll(".use-template").forEach(function (b) {
    b.addEventListener("click", function () {
      if (!box) { return; }
      if (box.value.trim() && box.value !== b.getAttribute("data-text") &&
          !window.confirm("Replace what you have written with this saved reply?")) { return; }
      box.value = b.getAttribute("data-text");
      box.dispatchEvent(new Event("input"));
      box.focus();
    });
  });

  /* When the agent's own reply was sent back, the resubmit editor is the way on; a new reply is behind
     "Write a new reply instead" (closed), which the link under the resubmit editor and the e key open. */
  function openEditor() {
    var wrap = document.getElementById("new-reply");
    if (wrap) { wrap.open = true; }
    box.focus();
  }
  document.querySelectorAll("a.open-new-reply").forEach(function (a) {
    a.addEventListener("click", function (e) {
      if (!box) { return; }
      e.preventDefault();
      openEditor();
      box.scrollIntoView({block: "center"});
    });
  });
  /* Destructive actions ask first (the button and its key alike); undo stays available afterwards. */
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
  var keys = {c: "act-claim", r: "act-resolve", s: "act-snooze", w: "act-wait", d: "act-dismiss", x: "act-escalate",
              l: "act-release", t: "act-take_over", o: "act-reopen"};
  document.addEventListener("keydown", function (e) {
    if (C.keysOff(e)) { return; }
    if (e.key === "e" && box) { openEditor(); e.preventDefault(); return; }
    if (e.key === "u") { window.location.href = "/"; return; }
    if (e.key === "j" || e.key === "k") { step(e.key === "j" ? 1 : -1); e.preventDefault(); return; }
    var btn = keys[e.key] && document.getElementById(keys[e.key]);
    if (btn) { e.preventDefault(); btn.form.requestSubmit(btn); }
  });
  /* j / k walk the thread's messages, as on the queue. */
  var current = -1;
  function step(by) {
    var msgs = document.querySelectorAll(".messages > li");
    if (!msgs.length) { return; }
    current = Math.max(0, Math.min(msgs.length - 1, current + by));
    msgs.forEach(function (m, i) { m.classList.toggle("current", i === current); });
    msgs[current].scrollIntoView({block: "nearest"});
  }

  /* The draft survives a reload (or a live update the agent chose to show): kept per conversation in
     this browser until it is sent or held for approval. */
  var draftKey = "careline-draft-" + data.id;
  /* No reply box on this page (a colleague holds it, a refused Claim came back): the text typed here before is
     shown to copy, not lost from sight. */
  var keptBox = document.getElementById("kept-draft");
  if (!box && keptBox && keptBox.hidden) {
    var typed = window.localStorage.getItem(draftKey);
    if (typed) {
      document.getElementById("kept-text").value = typed;
      keptBox.hidden = false;
    }
  }
  if (box) {
    /* Saved as a reply (posted, failed with its Retry under it, held for a lead with "Withdraw to edit" under
       it, or withdrawn into its own editor above): this editor must not offer the same words again (a second
       Send would post them twice; after a resubmit it showed the words before the lead's change). */
    if (["send", "send_resolve", "resubmit", "retry", "not_sent", "not_sent_resolve", "sending",
         "withdraw", "held"].indexOf(data.done) >= 0) {
      window.localStorage.removeItem(draftKey);
    } else if (!data.error) {
      var kept = window.localStorage.getItem(draftKey);
      if (kept && kept !== box.value) {
        box.value = kept;
        box.dispatchEvent(new Event("input"));
      }
    }
    box.addEventListener("input", function () { window.localStorage.setItem(draftKey, box.value); });
    /* A box set right to left for an Arabic (Hebrew, ...) customer follows what is typed in it: an English
       reply there showed its full stop at the wrong end. The first strong letter decides, @handles skipped
       (a reply may open with the customer's Latin handle). */
    if (box.dir === "rtl") {
      var leftToRight = "A-Za-z\u00C0-\u024F\u0370-\u052F", rightToLeft = "\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF";
      var strong = new RegExp("[" + leftToRight + rightToLeft + "]"), latin = new RegExp("[" + leftToRight + "]");
      var followDirection = function () {
        var first = box.value.replace(/^(\s*@\S+)+/, "").match(strong);
        if (first) { box.dir = latin.test(first[0]) ? "ltr" : "rtl"; }
      };
      box.addEventListener("input", followDirection);
      followDirection();
    }
  }

  /* A note on its way is kept in this tab until the page says "Note added": refused (a control character pasted
     from a PDF) or posted after the session ended (back here after logging in), it was gone from the box. */
  var noteBox = document.getElementById("note-text"), noteKey = "careline-note-" + data.id;
  if (noteBox) {
    var waiting = C.unstash(noteKey);
    if (waiting && data.done !== "note" && !noteBox.value) { noteBox.value = waiting; }
    noteBox.form.addEventListener("submit", function () { C.stash(noteKey, noteBox.value); });
  }

  /* Back to this page from the browser's cache (the back button after a send): it shows the text and state of
     before; load it afresh instead. */
  window.addEventListener("pageshow", function (e) { if (e.persisted) { window.location.reload(); } });

  /* Presence: say this page is open every few seconds, and whether its editor is typing. Once the answer is
     401 or 403 (signed out, here or by "Log out everywhere"; access changed) it stops: it went on posting every
     6 s to be refused, while the live status already said so. */
  var typingUntil = 0, lastTyping = false, presenceTimer = null, presenceOff = false;
  function report() {
    if (presenceOff) { return; }
    var typing = Date.now() < typingUntil;
    lastTyping = typing;
    C.post("/api/conversations/" + data.id + "/presence", {typing: typing}).then(function (r) {
      if (r.status === 401 || r.status === 403) { presenceOff = true; clearInterval(presenceTimer); return null; }
      return r.ok ? r.json() : null;
    }).then(showPresence, function () {});
  }
  if (box) {
    box.addEventListener("input", function () {
      typingUntil = Date.now() + 4000;
      if (!lastTyping) { report(); }
    });
  }
  report();
  presenceTimer = setInterval(report, 6000);
  function showPresence(p) {
    if (!p || !p.viewing) { return; }
    var el = document.getElementById("presence"), others = p.viewing.filter(function (w) { return w !== data.me; });
    var typers = p.typing.filter(function (w) { return w !== data.me; });
    el.textContent = (others.length ? " \u00b7 viewing: " + others.join(", ") : "") +
                     (typers.length ? " \u00b7 typing: " + typers.join(", ") : "");
    el.className = typers.length ? "typing" : "";
  }

  /* Live: a colleague's change, a customer's new message or a lead's review shows without a reload.
     Nothing moves under the agent's cursor: a note offers to show it, and the draft is kept. #live-state says
     when the page is not live. */
  var note = document.getElementById("live-note");
  document.getElementById("live-show").addEventListener("click", function () {
    if (box) { window.localStorage.setItem(draftKey, box.value); }
    window.location.reload();
  });
  function tell(text) { note.querySelector("span").textContent = text; note.hidden = false; }
  /* The SLA badge and its line follow a colleague's change: marked waiting on the customer by a lead, the badge
     kept counting down to the old due time (and would have said "breached") while the clock stood. */
  function showSla(sla) {
    var badge = document.getElementById("sla-badge"), detail = document.getElementById("sla-detail");
    if (!sla || !badge) { return; }
    badge.setAttribute("data-due", sla.due || "");
    if (sla.due) { C.tickBadges(badge.parentNode); }
    else {
      badge.textContent = sla.state.replace("_", " ");
      badge.className = "badge " + sla.state;
      badge.setAttribute("data-state", sla.state);
    }
    if (detail) { detail.textContent = sla.words || ""; }
  }
  C.liveStream("/api/conversations/" + data.id + "/stream", "conversation", function (s) {
    var said = [];
    showPresence(s.presence);
    document.getElementById("conv-status").textContent = s.status;
    var until = document.getElementById("snoozed-until");
    if (until && s.status !== "snoozed") { until.hidden = true; }  /* woken, or moved on by a colleague */
    showSla(s.sla);
    document.getElementById("conv-assignee").textContent = s.assignee || "\u2014";
    /* The line under the title too: it said "You are working on this." after a colleague took it over. */
    var owner = document.getElementById("owner");
    if (s.assignee === data.me) { owner.textContent = "You are working on this."; }
    else if (s.assignee) {
      owner.textContent = "";
      var who = document.createElement("b");
      who.textContent = s.assignee;
      owner.append(who, " is working on this.");
    } else { owner.textContent = "Nobody has claimed this yet."; }
    if (s.last_customer_at !== data.last_customer_at) { said.push("The customer wrote again."); }
    if (s.outside !== data.outside) { said.push("The brand replied outside Careline."); }
    var states = s.replies.map(function (r) { return r.state; });
    states.forEach(function (st, i) {
      var before = data.replies[i];
      if (before === st) { return; }
      if (before === "awaiting_approval" && st === "draft") { said.push("A lead sent your reply back with a note."); }
      else if (before === "awaiting_approval") { said.push("A lead approved the reply (" + st.replace("_", " ") + ")."); }
      else if (before !== undefined) { said.push("A reply is now " + st.replace("_", " ") + "."); }
    });
    if (states.length > data.replies.length) { said.push("A colleague added a reply."); }
    if (s.assignee !== data.assignee) { said.push(s.assignee ? s.assignee + " now holds this conversation." : "It was released."); }
    else if (s.status !== data.status) { said.push("It is now " + s.status + "."); }
    if (said.length) {
      tell(said.join(" "));
      /* The page's own outcome ("Claimed.", "Waiting for approval by a lead") is the past now: it stood above the
         live note that contradicted it ("A lead approved the reply", "lead is working on this"). */
      var flash = document.getElementById("flash");
      if (flash) { flash.hidden = true; }
    }
  }, document.getElementById("live-state"));
})();
