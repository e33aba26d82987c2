/* A page that says what just happened ("Resolved.", "Tag refused: ...") is reached by a redirect whose query
   carries it (?done=, ?bulk=, ?oops=): once shown, those keys leave the address bar, so a reload or a Back
   later does not say it again over a state that has moved on ("Waiting for approval" above a reply a lead had
   since sent back; an Undo link for a bulk action already undone). The keys are the server's OUTCOME_KEYS,
   given on the body. */
"use strict";
/* A page rendered as the answer to a form's POST (an action refused, the person's draft kept) sat at the POST's
   address (/conversations/75/snooze): a reload asked to send the form again. The server names the page's own
   address on the body; showing it turns the entry into that page, so a reload fetches the page. */
(function () {
  var at = document.body.getAttribute("data-page-at");
  if (at && at.charAt(0) === "/" && at.charAt(1) !== "/" && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", at + window.location.hash);
  }
})();
(function () {
  var keys = (document.body.getAttribute("data-outcome-keys") || "").split(" ").filter(Boolean);
  if (!keys.length || !window.history || !window.URLSearchParams) { return; }
  var params = new URLSearchParams(window.location.search), said = false;
  keys.forEach(function (k) { if (params.has(k)) { params.delete(k); said = true; } });
  if (!said) { return; }
  document.body.setAttribute("data-said", window.location.href);  /* what was said, for a script that waits on it */
  var rest = params.toString();
  window.history.replaceState(window.history.state, "", window.location.pathname + (rest ? "?" + rest : "") +
                              window.location.hash);
  /* Back to this page from the browser's memory shows the words again as they were: load it afresh. */
  window.addEventListener("pageshow", function (e) { if (e.persisted) { window.location.reload(); } });
})();
