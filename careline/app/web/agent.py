"""The agent's reply queue and conversation pages, and the one place agent actions are dispatched.

The pages post plain forms (so the common path works without script and a browser test can drive
it); ``static/queue.js`` and ``static/conversation.js`` add live SLA countdowns, the live length and
tone check and keyboard shortcuts on top. ``api.py`` calls the same :func:`perform` and
:func:`load_detail`, so the JSON API and the pages cannot disagree.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from careline.app.web import actions, schemas
from careline.app.web.actions import plain
from careline.app.web.auth import allow, user_of
from careline.app.web.fields import digits
from careline.app.web.keys import DESK, PRESENCE, STORE, TEMPLATES, settings_now
from careline.app.web.pages import render
from careline.app.web.security import opened_message
from careline.domain import ACTIVE_STATUSES, ANSWERING_STATES, ConversationStatus, Platform, Role, utcnow
from careline.errors import CarelineError, Invalid, NotFound
from careline.languages import NAMES, language_code, looks_like_code
from careline.settings import Settings
from careline.store import Store, workspace
from careline.store.conversations import notes_of, outside_posts
from careline.store.records import rows
from careline.views import (
    QueueCursor,
    author_history,
    conversation,
    conversation_events,
    counts,
    queue_rows,
    replies,
    search_rows,
    thread,
    thread_length,
    users,
)
from responder import workflow
from responder.policy import effort_of
from responder.replies import Voices, draft_for, known_language, suggestion
from responder.slastate import sla_state, sla_words
from responder.surveys import link_in_reply, service_url, survey_url
from responder.textlimits import LIMITS, PLATFORM_CHOICES, announced_limit
from responder.transitions import allowed_actions

STATUSES = ("new", "open", "pending", "snoozed", "resolved", "dismissed")
ACTIONS = actions.ACTIONS
#: The actions posted to ``/api/conversations/{id}/{action}``; sending has its own ``/replies`` route.
ROUTED_ACTIONS = tuple(a for a in ACTIONS if a != "send")
FILTER_NAMES = ("platform", "brand", "intent", "status", "tag", "team", "language")
#: Rows per queue page (the API takes ``limit``); ``dense=1`` fits about twice as many on a screen.
PAGE_ROWS = 50


#: The filters whose values are a closed set: anything else is a 400 naming them, not an empty queue that
#: reads as "nothing to do" (brands, intents, tags, teams and languages stay open: old ones still filter).
CLOSED_FILTERS = {"status": tuple(s.value for s in ConversationStatus), "platform": tuple(p.value for p in Platform)}
#: A checkbox filter's values: ticked (what a browser sends, and ``1`` from scripts), or not.
TICKED, UNTICKED = ("1", "true", "on"), ("0", "false", "off")
TICKS = TICKED + UNTICKED


def queue_filters(request: web.Request) -> dict[str, str | None]:
    """Filters from the query string; ``mine=1`` means assigned to the caller."""
    filters: dict[str, str | None] = {}
    for name in FILTER_NAMES:
        value = request.query.get(name) or None
        if value is not None and len(value) > 64:
            raise web.HTTPBadRequest(text=f"{name} is too long")
        if value is not None and name in CLOSED_FILTERS and value not in CLOSED_FILTERS[name]:
            raise web.HTTPBadRequest(text=f"{name} must be one of {', '.join(CLOSED_FILTERS[name])}")
        filters[name] = language_code(value) if name == "language" and value else value
    for name in ("mine", "corrected"):
        if request.query.get(name, "") not in ("", *TICKS):
            raise web.HTTPBadRequest(text=f"{name} must be 1 or 0")
    filters["assignee"] = user_of(request).username if _ticked(request, "mine") else None
    filters["corrected"] = "1" if _ticked(request, "corrected") else None
    return filters


def _ticked(request: web.Request, name: str) -> bool:
    """A checkbox filter is ticked (``1``, ``true`` or ``on``: what a browser sends); queue_filters refuses
    values that are neither ticked nor unticked."""
    return request.query.get(name) in TICKED


def present_row(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    row["reasons"] = json.loads(row.get("priority_reasons") or "[]")
    row["sla"] = sla_state(row, now)
    return row


@dataclass
class QueuePage:
    """One page of the queue (or of a search), and the token that fetches the next one."""

    rows: list[dict[str, Any]]
    next: str | None


def search_text(request: web.Request) -> str:
    q = request.query.get("q", "").strip()
    if len(q) > 200:
        raise web.HTTPBadRequest(text="q must be at most 200 characters")
    return q


async def load_queue(store: Store, filters: dict[str, str | None], *, limit: int, offset: int = 0,
                     after: str | None = None, q: str = "", now: datetime) -> QueuePage:
    """The queue in priority order, or, with ``q``, the conversations that match it, newest match first.

    ``after`` is the previous page's ``next``: a keyset cursor, so deep pages cost what the first does.
    """
    if q:
        before = _search_cursor(after)
        found, more = await store.read(lambda db: search_rows(db, q, limit=limit, before=before, **filters))
        return QueuePage([present_row(r, now) for r in found], f"s{more}" if more else None)
    cursor = _queue_cursor(after)
    found = await store.read(lambda db: queue_rows(db, limit=limit, offset=offset, after=cursor, **filters))
    nxt = QueueCursor.after_row(found[-1]).encode() if len(found) == limit else None
    return QueuePage([present_row(r, now) for r in found], nxt)


def _queue_cursor(after: str | None) -> QueueCursor | None:
    if not after:
        return None
    try:
        return QueueCursor.decode(after)
    except ValueError:
        raise web.HTTPBadRequest(text="after must be the next value of an earlier page") from None


def _search_cursor(after: str | None) -> int | None:
    if not after:
        return None
    if not (after.startswith("s") and digits(after[1:]) and len(after) < 20):
        raise web.HTTPBadRequest(text="after must be the next value of an earlier page")
    return int(after[1:])


@allow(Role.AGENT)
async def queue_page(request: web.Request) -> web.Response:
    store, settings, now = request.app[STORE], settings_now(request.app), utcnow()
    filters = queue_filters(request)
    dense = request.query.get("dense") == "1"
    q = search_text(request)
    page = await load_queue(store, filters, limit=PAGE_ROWS * (2 if dense else 1), after=request.query.get("after"),
                            q=q, now=now)
    me = user_of(request)
    numbers = await store.read(counts)
    side: dict[str, Any] = await store.read(lambda db: {
        "tags": workspace.all_tags(db), "teams": list(workspace.teams(db)),
                                        "views": workspace.views_of(db, me.username),
        "mentions": workspace.unseen_mentions(db, me.username),
                                        "agents": [u["username"] for u in users(db) if u["role"] != "marketing"]})
    here = [(k, v) for k, v in request.query.items() if k not in ("after", "bulk", "bsig", "undo", "restore")]
    return render(request, "queue.html", title="Search" if q else "Reply queue", rows=page.rows, counts=numbers,
                  filters=filters, mine=bool(filters["assignee"]), now=now.isoformat(), brands=settings.brands,
                  platforms=PLATFORM_CHOICES, intents=workflow.intent_choices(settings, None),
                  statuses=STATUSES,
                  me=me.username, is_lead=me.role in ("lead", "admin"), q=q, dense=dense, next=page.next,
                  next_query=urlencode([*here, ("after", page.next or "")]), query_string=urlencode(here),
                  bulk=opened_message(me.csrf, request.query.get("bulk", "")[:400],
                                              request.query.get("bsig", "")),
                  undo=actions.open_undo(me.csrf, request.query.get("undo", "")[:5000]),
                  restore=actions.open_deleted_view(me.csrf, request.query.get("restore", "")[:2000]),
                  unknown_language=_unknown_language(filters.get("language")),
                  wordless=bool(q) and not re.search(r"\w", q), **side)


def _unknown_language(language: str | None) -> str:
    """A language filter that is neither a language's English name nor a code ("Klingon", "pt-BR"): the empty queue
    says so, instead of "0 match", which reads as "no such posts". A code stays quiet: the identifier knows more
    languages than have names here."""
    return language if language and language not in NAMES and not looks_like_code(language) else ""


def _loads(value: str | None, default: Any) -> Any:
    try:
        return json.loads(value) if value else default
    except ValueError:
        return default


def suggest(settings: Settings, conv: dict[str, Any], messages: Sequence[Mapping[str, Any]],
            limit: int | None = None) -> dict[str, Any]:
    """The suggested reply to the thread's ``messages`` (``replies.suggestion``), in the brand's voice (templates
    included), with its length, tone findings and a note when it could not be localised, is not the intent's own
    template or answers an earlier message: as the page and the API show it."""
    d = suggestion(conv, messages, conv.get("author_name") or "", Voices.from_settings(settings),
                   limit=limit)
    return {"text": d.text, "intent": d.intent, "length": d.length.length, "limit": d.length.limit,
            "tone": d.tone.as_dict(), "tone_language": d.tone.language, "source": d.source, "language": d.language,
            "note": d.note}


def saved_replies(settings: Settings, conv: dict[str, Any], language: str | None = None,
                  limit: int | None = None) -> list[dict[str, Any]]:
    """Every template of the conversation's brand, one per intent, in the customer's language where one
    exists, filled in for this customer and checked (tone and the platform's length): the picker."""
    voices = Voices.from_settings(settings)
    out = []
    for intent in workflow.intent_choices(settings, conv["brand"]):
        d = draft_for(conv, intent, conv.get("author_name") or "", voices, language=language,
                      limit=limit)
        if d.intent != intent:  # the brand's own intent, with no template of its own yet
            continue
        out.append({"intent": intent, "text": d.text, "length": d.length.length, "limit": d.length.limit,
                    "ok": d.length.ok and not d.tone.defensive, "source": d.source, "language": d.language})
    return out


def surveys_of(db: Any, conv_id: int) -> list[dict[str, Any]]:
    return rows(db, "SELECT token, kind, created_at, answered_at, score FROM surveys WHERE conversation_id = ? "
                    "ORDER BY created_at", (conv_id,))


def _notes(db: Any, conv_id: int, shown: list[dict[str, Any]], outside: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation's notes, each with the ``@name``s that told nobody (``workspace.untold_names``): the handles
    the thread shows (its customers', the brand's, those its messages name) are not counted as such."""
    handles = {str(m["handle"]).lower() for m in [*shown, *outside] if m.get("handle")}
    handles |= {m.group(1).rstrip(".").lower() for t in shown for m in workspace.MENTION.finditer(t["text"] or "")}
    return [{**plain(n), "untold": workspace.untold_names(db, n.text, handles) if n.kind == "note" else []}
            for n in notes_of(db, conv_id)]


def _detail(db: Any, conv_id: int) -> dict[str, Any]:
    conv = conversation(db, conv_id)
    if conv is None:
        raise NotFound(f"no conversation {conv_id}")
    shown, outside = thread(db, conv["thread_key"]), outside_posts(db, conv_id)
    return {"conversation": conv, "thread": shown, "replies": replies(db, conv_id),
            "earlier": thread_length(db, conv["thread_key"]) - len(shown),
            "outside": outside, "notes": _notes(db, conv_id, shown, outside),
            "tags": workspace.tags_of(db, conv_id), "teams": list(workspace.teams(db)),
            "people": [u["username"] for u in users(db) if u["role"] != "marketing"],
            "history": author_history(db, conv["author_key"], exclude=conv_id),
            "events": conversation_events(db, conv_id), "surveys": surveys_of(db, conv_id)}


def timeline(d: dict[str, Any]) -> list[dict[str, Any]]:
    """Customer messages, our replies and the brand's answers from elsewhere, in the order they happened."""
    items = [{"kind": "customer", "at": m["created_at"], **m} for m in d["thread"]]
    items += [{"kind": "reply", "at": r.get("sent_at") or r["created_at"], **r} for r in d["replies"]]
    items += [{"kind": "outside", "at": o["created_at"], **o} for o in d["outside"]]
    return sorted(items, key=lambda item: item["at"] or "")


def answered_by(d: dict[str, Any]) -> str | None:
    """Why a new reply would be a second answer to the customer's latest message, in words (else None)."""
    latest = d["thread"][-1] if d["thread"] else None
    if latest is None:
        return None
    for r in d["replies"]:
        if r["in_reply_to"] == latest["key"] and r["state"] in ANSWERING_STATES:
            return f"{r['created_by']}'s reply is {r['state'].replace('_', ' ')}"
    for o in d["outside"]:
        if o["created_at"] >= latest["created_at"]:
            return f"@{o['handle']} already replied on {d['conversation']['platform']} outside Careline"
    return None


#: A status change's action in the audit log's words ("conversation.status → open" said nothing of a claim).
_ACTED = {"claim": "claimed it", "release": "released it to the queue", "resolve": "resolved it",
          "snooze": "snoozed it", "wait": "marked it waiting on the customer", "dismiss": "dismissed it",
          "reopen": "reopened it", "customer_message": "the customer wrote"}
#: Other events, by kind, with the data they name.
_EVENT_WORDS: dict[str, Callable[[dict[str, Any]], str]] = {
    "conversation.created": lambda d: "opened the conversation",
    "conversation.taken_over": lambda d: f"took it over from {d.get('from')}",
    "conversation.reassigned": lambda d: f"handed it back to the queue from {d.get('from')}"
                                         + (" (disabled)" if d.get("disabled") else
                                            f" (now {d['role']})" if d.get("role") else ""),
    "conversation.escalated": lambda d: f"escalated it (level {d.get('level')})"
                                        + (f": {d['note']}" if d.get("note") else ""),
    "conversation.tagged": lambda d: f"tagged it #{d.get('tag')}",
    "conversation.untagged": lambda d: f"took #{d.get('tag')} off",
    "conversation.team": lambda d: f"gave it to team {d['to']}" if d.get("to") else "took it off its team",
    "conversation.undone": lambda d: f"undid the {d.get('action') or 'last action'}",
    "conversation.dismissed": lambda d: "dismissed it",
    "conversation.reopened": lambda d: "reopened it",
    "note.added": lambda d: "added a note",
    "reply.created": lambda d: "wrote a reply" + (" (held for approval)" if d.get("state") == "awaiting_approval"
                                                  else ""),
    "reply.sending": lambda d: "started posting the reply",
    "reply.sent": lambda d: "posted the reply",
    "reply.failed": lambda d: "could not post the reply: " + str(d.get("error") or "")[:80],
    "reply.outside": lambda d: f"@{d.get('handle')} replied on the platform, outside Careline",
    "survey.offered": lambda d: "survey offered", "survey.created": lambda d: "survey made",
    "survey.answered": lambda d: f"survey answered ({d.get('kind', '').upper()} {d.get('score')})",
}


def event_words(e: Mapping[str, Any]) -> str:
    """One audit event as the conversation page's log says it: who did what, in words (assigning and claiming both
    read "conversation.status → open", and a tag did not say which)."""
    raw = e.get("data")
    data: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kind = str(e.get("kind", ""))
    if kind == "conversation.status":
        action, agent = str(data.get("action") or ""), data.get("agent")
        if action == "claim" and agent and agent != e.get("actor"):
            return f"assigned it to {agent}"
        moved = f"{data.get('from')} → {data.get('to')}"
        if action == "customer_message":
            return "the customer wrote" + (f" ({moved})" if data.get("from") != data.get("to") else "")
        return _ACTED.get(action, f"status {moved}")
    words = _EVENT_WORDS.get(kind)
    try:
        return words(data) if words else kind
    except (KeyError, TypeError):
        return kind


def send_backs(d: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The lead's latest send-back note for each reply, keyed by reply id."""
    return {n["reply_id"]: n for n in d["notes"] if n["kind"] == "send_back" and n["reply_id"]}


async def load_detail(store: Store, settings: Settings, conv_id: int, now: datetime, *,
                      limits: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Conversation, thread with scores, author history, effort, suggested reply, legal actions.
    ``limits``: reply length limits the senders announced (a Mastodon server's own), counted in the editor."""
    d = await store.read(lambda db: _detail(db, conv_id))
    conv = present_row(d["conversation"], now)
    for m in d["thread"]:
        for key in ("sentiment_scores", "intent_scores"):
            m[key] = _loads(m.get(key), {})
        m["effort"] = effort_of(m)  # the classifier's recorded effort, as the priority uses it
        m["reasons"] = _loads(m.get("reasons"), [])
    for e in d["events"]:
        e["data"] = _loads(e.get("data"), {})
    classified = [m for m in d["thread"] if m.get("intent")]
    latest = classified[-1] if classified else None
    d["classification"] = latest
    d["effort"] = {"repeat_contacts": len(d["history"]["conversations"]),
                   "messages_in_thread": len(d["thread"]),
                   "max_text_effort": max((m["effort"] for m in d["thread"]), default=0.0)}
    limit = announced_limit(limits, conv["platform"], conv["brand"])
    language = known_language(d["thread"])  # a wordless follow-up ("؟؟", tagged und) keeps the thread's language
    d["draft"] = suggest(settings, conv, d["thread"], limit)
    d["answered"] = answered_by(d)
    d["saved_replies"] = saved_replies(settings, conv, language, limit)
    d["send_backs"] = send_backs(d)
    d["timeline"] = timeline(d)
    d["actions"] = [a.value for a in allowed_actions(conv["status"]) if a.value in ACTIONS
                    and (a.value != "wait" or workflow.may_wait(conv.get("first_responded_at")))]
    if conv["status"] in ACTIVE_STATUSES:
        d["actions"] += ["send", "escalate"]
    if conv["assignee"]:
        d["actions"] = [a for a in d["actions"] if a != "claim"] + ["take_over"]
    d["limit"] = limit or LIMITS.get(conv["platform"], 10_000)
    posted = [r["text"] for r in d["replies"] if r["state"] == "sent"]
    for survey in d["surveys"]:  # the agent pastes this link into the closing message or DM, unless it went
        token = survey.pop("token")  # with the closing reply already (the brand's survey_in_reply)
        survey["url"] = survey_url(settings, token, service_url(settings))
        survey["in_reply"] = any(f"/s/{token}" in text for text in posted)
    return d


def _page(request: web.Request, d: dict[str, Any], *, status: int = 200, **extra: Any) -> web.Response:
    c = d["conversation"]
    me = user_of(request).username
    is_lead = user_of(request).role in ("lead", "admin")
    held_by_other = bool(c["assignee"] and c["assignee"] != me)
    if held_by_other:  # only the buttons that work: an agent's Resolve under "theirs until you take it over" was a 409
        d = {**d, "actions": [a for a in d["actions"] if a in workflow.ON_HELD[is_lead]]}
    extra.setdefault("survey_in_reply", link_in_reply(settings_now(request.app), c["brand"]))
    extra["sla_line"] = sla_words(c["sla"], request.app[TEMPLATES].filters["team_time"],
                                  settings_now(request.app).service.timezone)
    extra.setdefault("not_done", False)
    return render(request, "conversation.html", status=status, title=f"Conversation {c['id']}", d=d, c=c,
                  page_at=f"/conversations/{int(c['id'])}", me=me, is_lead=is_lead,
                  intent_choices=workflow.intent_choices(settings_now(request.app), c["brand"]),
                  held_by_other=held_by_other,
                  presence=request.app[PRESENCE].of(int(c["id"])), now=utcnow().isoformat(),
                  idempotency_key=secrets.token_urlsafe(16), **extra)


#: What the page says after each action; a send's own outcome message replaces it.
DONE = {"claim": "Claimed.", "take_over": "Taken over.", "release": "Released to the queue.", "send": "Sent.",
        "resolve": "Resolved.", "snooze": "Snoozed.",
        "wait": "Waiting on the customer: the SLA clock is paused until they write.", "dismiss": "Dismissed.",
        "escalate": "Escalated.",
        "reopen": "Reopened.",
        "undo": "Undone: the conversation is back as it was (a reply already posted stays posted).",
        "retry": "Sent on retry.", "resubmit": "Submitted again and sent.",
        "held": "Waiting for approval by a lead.", "assign": "Assigned.", "send_resolve": "Sent and resolved.",
        "reading": "Correction saved: the queue's priority, the trends and the suggested reply follow it.",
        "reading_restored": "The model's reading is back.",
        "not_sent": "Not sent: the platform did not take the reply (why is under it below). Retry it, or write "
                    "another.",
        "not_sent_resolve": "Not sent, so not resolved: the platform did not take the reply (why is under it "
                            "below). Retry it, then resolve.",
        "sending": "Sending: the platform has not confirmed it yet. Careline checks again, and never posts it twice.",
        "saved": "Saved as a draft.", "note": "Note added.",
        "withdraw": "Withdrawn from approval: edit it below and submit it again."}

#: Of ``DONE``: the outcomes that are not what the person asked for, shown as an alert rather than a green note.
NOT_DONE = frozenset({"not_sent", "not_sent_resolve", "sending"})


def after_sending(action: str, reply: dict[str, Any], resolve: bool = False) -> dict[str, str]:
    """The page's ``?done=`` after a send, a resubmit or a retry: what became of the reply, not what was asked
    (a reply the platform refused said "Sent." in green, and a refused "send and resolve" too)."""
    state, status = reply["state"], reply["conversation"]["status"]
    if state == "awaiting_approval":
        return {"done": "held", "held": "; ".join(reply.get("held") or [])}
    if state == "failed":
        return {"done": "not_sent_resolve" if resolve else "not_sent"}
    if state in ("sending", "approved"):  # approved: taken by the scheduler's send a moment before
        return {"done": "sending"}
    if state == "draft":
        return {"done": "saved"}
    return {"done": "send_resolve" if resolve and status == "resolved" else action}


#: The page's words for each of ``actions.MOVED_REPLIES``.
MOVED_WORDS = {"withdrawn": "not yet posted withdrawn: Undo puts {it} back.",
               "restored": "withdrawn by the close back as before.",
               "kept_withdrawn": "left withdrawn: the customer's message was answered meanwhile."}


def _moved(request: web.Request) -> str:
    """Words for the replies a close withdrew or its undo put back (``?withdrawn=N`` / ``?restored=N``): "Resolved."
    alone hid that the agent's reply waiting for a lead would now never go out."""
    said = []
    for key in actions.MOVED_REPLIES:
        raw, words = request.query.get(key, ""), MOVED_WORDS[key]
        if digits(raw) and 0 < len(raw) < 4:
            n = int(raw)
            said.append(f"{n} repl{'y' if n == 1 else 'ies'} " + words.format(it="it" if n == 1 else "them"))
    return " ".join(said)


@allow(Role.AGENT)
async def conversation_page(request: web.Request) -> web.Response:
    conv_id = int(request.match_info["id"])
    d = await load_detail(request.app[STORE], settings_now(request.app), conv_id, utcnow(),
                          limits=request.app[DESK].length_limits)
    done = request.query.get("done", "")
    held = request.query.get("held", "")  # set after a send that a lead must approve first
    said = DONE.get(done, "")
    if done == "snooze" and d["conversation"].get("status") == "snoozed" and d["conversation"].get("snoozed_until"):
        # it said "Snoozed." and nowhere until when
        until = request.app[TEMPLATES].filters["team_time"](d["conversation"]["snoozed_until"])
        said = f"Snoozed until {until} ({settings_now(request.app).service.timezone}): it comes back to the queue then."
    return _page(request, d, flash=" ".join(filter(None, [said, _moved(request)])),
                 done=done if done in DONE else "", held=held[:500],
                 not_done=done in NOT_DONE,
                 undoable=done in ("resolve", "dismiss", "snooze", "send_resolve"))


@allow(Role.AGENT)
async def action_form(request: web.Request) -> web.Response:
    """Form post from the conversation page: do it, then back to the page (errors shown there)."""
    conv_id, action = int(request.match_info["id"]), request.match_info["action"]
    raw = await schemas.form_of(request)
    try:
        form = schemas.validate_text(schemas.ReplyForm, raw).params()
        result = await actions.perform(request.app, action, conv_id, actions.actor_of(user_of(request)), form)
    except CarelineError as exc:
        d = await load_detail(request.app[STORE], settings_now(request.app), conv_id, utcnow(),
                              limits=request.app[DESK].length_limits)
        status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, Invalid) else 409
        return _page(request, d, status=status, flash="", done="", held="", undoable=False, error=str(exc),
                     draft_text=str(raw.get("text", ""))[:schemas.MAX_TEXT])
    query = after_sending(action, result, form.get("resolve") in TICKED) if action == "send" else {"done": action}
    query.update({moved: str(result[moved]) for moved in actions.MOVED_REPLIES if result.get(moved)})
    raise web.HTTPSeeOther(f"/conversations/{conv_id}?{urlencode(query)}")


@allow(Role.AGENT)
async def reading_form(request: web.Request) -> web.Response:
    """The classifier panel's correction (or, at ``/reading/restore``, its undo); back to the page."""
    conv_id, restore = int(request.match_info["id"]), request.path.endswith("/restore")
    desk, who = request.app[DESK], actions.actor_of(user_of(request))
    try:
        form = await schemas.read_form(request, schemas.ReadingForm)
        complaint, sentiment, intent, key = form.reading()
        if restore:
            out = await workflow.restore_reading(desk, who, conv_id, now=utcnow(), mention_key=key)
        else:
            out = await workflow.correct_reading(desk, who, conv_id, complaint=complaint, sentiment=sentiment,
                                                 now=utcnow(), mention_key=key, intent=intent)
    except CarelineError as exc:
        d = await load_detail(request.app[STORE], settings_now(request.app), conv_id, utcnow(),
                              limits=desk.length_limits)
        status = 404 if isinstance(exc, NotFound) else 422
        return _page(request, d, status=status, flash="", done="", held="", undoable=False, error=str(exc))
    done = "reading_restored" if restore and out.message.startswith("The model") else "reading" if not restore else ""
    # back to the message corrected: an earlier one's form names its anchor, the latest's is the panel
    raise web.HTTPSeeOther(f"/conversations/{conv_id}?done={done}#{form.back or 'classifier'}")


@allow(Role.AGENT)
async def retry_form(request: web.Request) -> web.Response:
    reply = await actions.deliver(request.app, int(request.match_info["id"]), actions.actor_of(user_of(request)),
                                  retry=True)
    raise web.HTTPSeeOther(f"/conversations/{reply['conversation_id']}?{urlencode(after_sending('retry', reply))}")


@allow(Role.AGENT)
async def withdraw_form(request: web.Request) -> web.Response:
    """The author's "Withdraw to edit" on a held reply: back to the page, the draft's editor open."""
    reply = await actions.withdraw(request.app, int(request.match_info["id"]), actions.actor_of(user_of(request)))
    raise web.HTTPSeeOther(f"/conversations/{reply['conversation_id']}?done=withdraw#reply-{reply['id']}")


@allow(Role.AGENT)
async def resubmit_form(request: web.Request) -> web.Response:
    """The author's edited draft after a lead sent it back: checked and submitted again."""
    form = (await schemas.read_form(request, schemas.Resubmit)).params()
    reply = await actions.resubmit(request.app, int(request.match_info["id"]), actions.actor_of(user_of(request)),
                                   form)
    query = after_sending("resubmit", reply)
    raise web.HTTPSeeOther(f"/conversations/{reply['conversation_id']}?{urlencode(query)}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue_page, name="queue")
    app.router.add_get(r"/conversations/{id:\d{1,12}}", conversation_page, name="conversation")
    app.router.add_post(r"/conversations/{id:\d{1,12}}/{action:" + "|".join(ACTIONS) + "}", action_form)
    app.router.add_post(r"/conversations/{id:\d{1,12}}/reading", reading_form)
    app.router.add_post(r"/conversations/{id:\d{1,12}}/reading/restore", reading_form)
    app.router.add_post(r"/replies/{id:\d{1,12}}/retry", retry_form)
    app.router.add_post(r"/replies/{id:\d{1,12}}/resubmit", resubmit_form)
    app.router.add_post(r"/replies/{id:\d{1,12}}/withdraw", withdraw_form)
