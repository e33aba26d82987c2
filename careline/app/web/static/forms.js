/* Forms that talk to the JSON API: <form data-api="/api/..."> posts its fields as JSON with the CSRF
   header, shows the answer's message (or the one error shape's message) in its [role=status] element,
   and reloads the page after a change. data-confirm asks first (destructive actions); a one-time
   secret in the answer (token, link) is shown in the form's <output> and the page is not reloaded
   (nor with data-stay, where the answer's message is the point).
   No inline script anywhere: the CSP is script-src 'self'. */
"use strict";
(function () {
  function fields(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) { return; }
      if (el.type === "checkbox") { body[el.name] = el.checked; }
      else if (el.dataset.bool !== undefined) { body[el.name] = el.value === "true"; }
      else { body[el.name] = el.value; }
    });
    return body;
  }
  function say(form, text, bad) {
    var out = form.querySelector("[role=status]");
    if (out) { out.textContent = text; out.className = bad ? "result error" : "result"; }
  }
  /* The field a refusal names ("name: use 1-40 lower-case letters ...") is marked and focused, so the admin
     does not hunt for it in a long form; the mark goes at the next answer. */
  function mark(form, field, text) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (el) { el.remove(); });
    var el = field && form.elements.namedItem(field);
    if (!el || !el.focus) { return; }
    /* the words beside the field too: on a phone the form's own status line is a screen below the focus */
    var said = document.createElement("small");
    said.className = "field-error"; said.id = "field-error-" + field; said.textContent = text || "";
    el.insertAdjacentElement("afterend", said);
    el.setAttribute("aria-invalid", "true"); el.setAttribute("aria-describedby", said.id); el.focus();
  }
  function reveal(form, secret) {
    var out = form.querySelector("output");
    if (!out) { return; }
    out.hidden = false;
    out.querySelector("code").textContent = secret;
  }
  /* What a change said outlives the reload that shows the change: "Added nadia." flashed for 400 ms and was
     gone, so adding a person seemed to do nothing but reload. Shown once, on top of the page. */
  var SAID = "careline-said", UNDO = "careline-undo", C = window.Careline;
  function carry(text, undo) {
    C.stash(SAID, text);
    if (undo) { C.stash(UNDO, undo); }
  }
  function showCarried() {
    var text = C.unstash(SAID), undo = C.unstash(UNDO);
    var main = document.getElementById("main");
    if (!text || !main) { return; }
    var p = document.createElement("p");
    p.className = "flash"; p.id = "said"; p.setAttribute("role", "status"); p.textContent = text;
    if (undo && undo.api) { p.appendChild(document.createTextNode(" ")); p.appendChild(undoButton(p, undo)); }
    main.insertBefore(p, main.firstChild);
  }
  /* The JSON API's answer to a POST: ok, status and its body (the one error shape where it sent none). */
  function answer(api, body) {
    return C.post(api, body).then(function (r) {
      return r.json().catch(function () { return {error: {message: "unexpected answer (" + r.status + ")"}}; })
        .then(function (data) { return {ok: r.ok, status: r.status, data: data}; });
    });
  }
  /* A deletion's Undo: the item's values as they were, saved again (a brand from the settings file came back only
     through a script before: its form, re-filled by hand, was refused for the fields it left empty). */
  function undoButton(p, undo) {
    var button = document.createElement("button");
    button.type = "button"; button.className = "link"; button.id = "undo-delete";
    button.textContent = undo.label || "Undo";
    button.addEventListener("click", function () {
      button.disabled = true;
      answer(undo.api, undo.body).then(function (res) {
        if (res.ok) { carry(res.data.message || "Put back."); window.location.reload(); return; }
        button.disabled = false;
        p.textContent = "Not put back: " + (res.data.error ? res.data.error.message : "the server refused it");
      }, function () { button.disabled = false; p.textContent = "The server could not be reached; nothing was put back."; });
    });
    return button;
  }
  showCarried();

  /* Settings someone else saved since this page was opened are refused (409) and must be reloaded: the
     admin's own edits were lost with the reload. A button reloads and puts back the fields this admin changed,
     over the newest values and version, to check and save again. */
  var KEPT = "careline-kept-edits";
  function changed(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "version" || el.type === "hidden") { return; }
      if (el.type === "checkbox") { if (el.checked !== el.defaultChecked) { out[el.name] = el.checked; } }
      else if (el.tagName === "SELECT") {
        var first = Array.prototype.filter.call(el.options, function (o) { return o.defaultSelected; })[0];
        if (!first || first.value !== el.value) { out[el.name] = el.value; }
      } else if (el.value !== el.defaultValue) { out[el.name] = el.value; }
    });
    return out;
  }
  function offerKeep(form) {
    var out = form.querySelector("[role=status]");
    if (!out || out.querySelector("button")) { return; }
    var keep = document.createElement("button");
    keep.type = "button"; keep.className = "link"; keep.textContent = "Reload, keeping my changes";
    keep.addEventListener("click", function () {
      C.stash(KEPT, {api: form.dataset.api, values: changed(form)});
      window.location.reload();
    });
    out.appendChild(document.createTextNode(" "));
    out.appendChild(keep);
  }
  function restoreKept() {
    var kept = C.unstash(KEPT);
    if (!kept) { return; }
    var form = Array.prototype.filter.call(document.querySelectorAll("form[data-api]"), function (f) {
      return f.dataset.api === kept.api;
    })[0];
    if (!form) { return; }
    Object.keys(kept.values).forEach(function (name) {
      var el = form.elements[name];
      if (!el) { return; }
      if (el.type === "checkbox") { el.checked = kept.values[name]; } else { el.value = kept.values[name]; }
    });
    var folded = form.closest("details");
    if (folded) { folded.open = true; }
    say(form, "Your changes are back, over the newest settings: check them, then save.", false);
    form.scrollIntoView({block: "center"});
  }
  restoreKept();
  function submit(e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.api) { return; }
    e.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { return; }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    answer(form.dataset.api, fields(form)).then(function (res) {
      if (button) { button.disabled = false; }
      if (!res.ok) {
        say(form, res.data.error ? res.data.error.message : "failed", true);
        mark(form, res.data.error && res.data.error.field, res.data.error && res.data.error.message);
        if (res.status === 409 && form.querySelector("input[name=version]")) { offerKeep(form); }
        return;
      }
      say(form, res.data.message || "Done.", false);
      mark(form, "");
      var handler = form.dataset.then && window.CarelineForms[form.dataset.then];
      if (handler) { handler(form, res.data); return; }
      if (res.data.current) { window.location.href = "/login"; return; }
      /* data-ends-sessions: the change logged the person out everywhere (a password reset), and the page, kept
         for the link, still counted their sessions */
      var row = form.dataset.endsSessions !== undefined && form.closest("tr");
      var sessions = row && row.querySelector("td.sessions");
      if (sessions) { sessions.textContent = "0"; }
      if (res.data.token || res.data.link) { reveal(form, res.data.token || res.data.link); return; }
      if (form.dataset.stay !== undefined) { return; }
      carry(res.data.message || "Done.", res.data.undo);
      window.location.reload();
    }).catch(function () {
      if (button) { button.disabled = false; }
      say(form, "The server could not be reached; nothing was changed.", true);
    });
  }
  window.CarelineForms = {
    /* Recovery codes: shown once, in the form's list, as text; the page is not reloaded (they would be lost). */
    codes: function (form, data) {
      var list = form.querySelector("ol.codes");
      list.textContent = "";
      (data.recovery_codes || []).forEach(function (code) {
        var item = document.createElement("li");
        item.textContent = code;
        list.appendChild(item);
      });
      list.hidden = false;
    },
    /* Two-factor set-up: show the new secret and the code field that proves the app has it. */
    totp: function (form, data) {
      var next = document.getElementById("totp-enable");
      next.hidden = false;
      next.querySelector("input[name=secret]").value = data.secret;
      document.getElementById("totp-secret").textContent = data.secret.replace(/(.{4})/g, "$1 ").trim();
      document.getElementById("totp-uri").textContent = data.uri;
      next.querySelector("input[name=code]").focus();
    }
  };
  document.addEventListener("submit", submit);
})();
