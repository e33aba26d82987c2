/* Reply queue: live SLA countdowns, server-sent updates, keyboard navigation. */
"use strict";
(function () {
  var C = window.Careline, data = C.island("queue-data");
  C.setServerNow(data.now);
  C.tickBadges();
  setInterval(function () { C.tickBadges(); }, 1000);
  C.helpKey();
  /* The filters beyond search fold on a phone (careline.css); one button shows and hides them. */
  var filters = document.getElementById("queue-filters"), more = filters && filters.querySelector(".more-toggle");
  if (more) {
    filters.classList.add("folding");
    more.hidden = false;
    more.addEventListener("click", function () {
      var open = filters.classList.toggle("open");
      more.setAttribute("aria-expanded", open ? "true" : "false");
      more.textContent = open ? "Fewer options" : "More options";
    });
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.conv")); }
  var current = -1;
  function select(i) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r) { r.removeAttribute("aria-selected"); });
    all[current].setAttribute("aria-selected", "true");
    all[current].focus();
  }
  /* Enter opens the selected row only from the row itself (or nowhere): on a focused link or button it is
     that control's own Enter (a link elsewhere, Filter, Apply, Show new). */
  function onRow(e) { return e.target === document.body || (e.target.matches && e.target.matches("tr.conv")); }
  document.addEventListener("keydown", function (e) {
    if (C.keysOff(e)) { return; }
    if (e.key === "j") { select(current + 1); e.preventDefault(); }
    else if (e.key === "k") { select(current - 1); e.preventDefault(); }
    else if ((e.key === "o" || (e.key === "Enter" && onRow(e))) && current >= 0) {
      window.location.href = rows()[current].getAttribute("data-href");
    } else if (e.key === "/") {
      var f = document.getElementById("q"); if (f) { f.focus(); e.preventDefault(); }
    } else if (e.key === "x" && current >= 0) {
      var box = rows()[current].querySelector("td.pick input");
      box.checked = !box.checked; counted(); e.preventDefault();
    }
  });
  rows().forEach(function (r, i) { r.addEventListener("click", function () { current = i; }); });

  /* Bulk: select rows (click, x, or the header box), pick an action, confirm. Undo is offered after. */
  var form = document.getElementById("bulk-form");
  function picked() { return Array.prototype.slice.call(document.querySelectorAll("td.pick input:checked")); }
  function counted() {
    var n = picked().length, label = document.getElementById("selected-count");
    if (label) { label.textContent = n + " selected"; }
    if (form) { form.classList.toggle("active", n > 0); }
  }
  /* A refused bulk action (a tag the rules refuse) comes back to this page with the reason on top: the rows,
     the action and what was typed come back too, so a second try is not a fresh selection with "Resolve"
     chosen, one confirmation away from resolving them. Kept for this address only, and only until the next
     page. */
  var KEPT = "careline-bulk-choice";
  function keepChoice() {
    C.stash(KEPT, {
      at: window.location.pathname, ids: picked().map(function (b) { return b.value; }),
      fields: ["bulk-action", "bulk-tag", "bulk-agent", "bulk-team"].map(function (id) {
        var f = document.getElementById(id); return [id, f ? f.value : ""];
      })});
  }
  function restoreChoice() {
    var kept = C.unstash(KEPT);
    if (!kept || kept.at !== window.location.pathname || !document.getElementById("refused")) { return; }
    document.querySelectorAll("td.pick input").forEach(function (b) { b.checked = kept.ids.indexOf(b.value) >= 0; });
    kept.fields.forEach(function (pair) {
      var f = document.getElementById(pair[0]);
      if (f) { f.value = pair[1]; }
    });
    counted();
  }
  if (form) {
    form.addEventListener("change", counted);
    var all = document.getElementById("select-all");
    all.addEventListener("change", function () {
      document.querySelectorAll("td.pick input").forEach(function (b) { b.checked = all.checked; });
      counted();
    });
    /* What an action needs besides the rows: asked for before the confirmation, not refused after it (an
       assignment to nobody was confirmed, then "2 refused: no agent called ''"). */
    var NEEDS = {tag: ["bulk-tag", "Type the tag to add."], untag: ["bulk-tag", "Type the tag to remove."],
                 assign: ["bulk-agent", "Choose the person to assign them to."],
                 assign_team: ["bulk-team", "Choose the team to assign them to."]};
    var NEEDED = ["bulk-tag", "bulk-agent", "bulk-team"];
    function unasked() {  /* a field asked for stops blocking the form once anything changes */
      NEEDED.forEach(function (id) { var f = document.getElementById(id); if (f) { f.setCustomValidity(""); } });
    }
    form.addEventListener("input", unasked);
    form.addEventListener("change", unasked);
    form.addEventListener("submit", function (e) {
      var n = picked().length, action = document.getElementById("bulk-action");
      if (!n) { e.preventDefault(); window.alert("Select at least one conversation."); return; }
      var need = NEEDS[action.value], field = need && document.getElementById(need[0]);
      if (field && !field.value.trim()) {
        e.preventDefault();
        field.setCustomValidity(need[1]);
        field.reportValidity();
        return;
      }
      var words = action.options[action.selectedIndex].text.toLowerCase();
      if (!window.confirm(words.charAt(0).toUpperCase() + words.slice(1) + ": " + n + " conversation" +
                          (n === 1 ? "" : "s") + "? You can undo it afterwards.")) { e.preventDefault(); return; }
      keepChoice();
    });
    restoreChoice();
    /* The whole cell is the checkbox's target (a finger misses a 16 px box): a tap anywhere in it toggles. */
    document.querySelectorAll("td.pick").forEach(function (td) {
      td.addEventListener("click", function (e) {
        e.stopPropagation();
        var box = td.querySelector("input");
        if (box && e.target !== box) { box.checked = !box.checked; counted(); }
      });
    });
  }
  counted();

  /* Live updates: the server pushes status, assignee and SLA state of the rows every few seconds (#live-state
     says when it cannot). A search result is a snapshot: it is not re-ranked under the person's eyes. */
  if (data.search) { return; }
  var params = new URLSearchParams(window.location.search);
  var live = document.getElementById("live");
  /* New rows are announced, not inserted: rows never move under the agent's cursor or keyboard
     selection. The button is updated in place, so it keeps focus across pushes. A row counts as new
     when something happened to it after this page was rendered (it arrived, or the customer wrote
     again); an old row that merely slid into the first 100 because one above was resolved does not. */
  var renderedAt = Date.parse(data.now);
  function showNew(fresh) {
    var button = live.querySelector("button.show-new");
    if (!fresh) { live.textContent = ""; return; }
    if (!button) {
      live.textContent = "";
      button = document.createElement("button");
      button.type = "button";
      button.className = "show-new";
      button.addEventListener("click", function () { window.location.reload(); });
      live.appendChild(button);
    }
    button.textContent = "Show " + fresh + " new conversation" + (fresh === 1 ? "" : "s");
  }
  C.liveStream("/api/stream?" + params.toString(), "queue", function (msg) {
    var known = {}, fresh = 0;
    C.setServerNow(msg.now);
    rows().forEach(function (r) { known[r.getAttribute("data-id")] = r; });
    msg.items.forEach(function (it) {
      var row = known[String(it.id)];
      if (!row) {
        if (Date.parse(it.updated_at) > renderedAt) { fresh += 1; }
        return;
      }
      row.querySelector("td.status .st").textContent = it.status + (it.assignee ? " · @" + it.assignee : "");
      var until = row.querySelector("td.status .until");  /* the snooze's end, while it is snoozed */
      if (until) { until.hidden = it.status !== "snoozed"; }
      var here = it.presence || {viewing: [], typing: []}, who = row.querySelector(".presence");
      var others = function (names) { return names.filter(function (n) { return n !== data.me; }); };
      var typing = others(here.typing), viewing = others(here.viewing);
      who.textContent = typing.length ? "typing: " + typing.join(", ") : (viewing.length ? "viewing: " + viewing.join(", ") : "");
      who.className = "presence" + (typing.length ? " typing" : "");
      var badge = row.querySelector(".sla .badge");
      badge.setAttribute("data-due", it.sla.due || "");
      badge.setAttribute("data-warn", String(it.sla.warn_seconds || 900));
      if (!it.sla.due) {
        badge.textContent = it.sla.state.replace("_", " ");
        badge.className = "badge " + it.sla.state;
        row.className = row.className.replace(/sla-\S+/, "sla-" + it.sla.state);
      }
    });
    var open = document.getElementById("open-count");
    if (open) { open.textContent = msg.counts.open_conversations; }
    showNew(fresh);
    C.tickBadges();
  }, document.getElementById("live-state"));
})();
