"""The agent's reply queue and conversation pages, and the one place agent actions are dispatched.

The pages post plain forms (so the common path works without script and a browser test can drive
it); ``static/queue.js`` and ``static/conversation.js`` add live SLA countdowns, the live length and
tone check and keyboard shortcuts on top. ``api.py`` calls the same :func:`perform` and
:func:`load_detail`, so the JSON API and the pages cannot disagree.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from careline.app.web import actions
from careline.app.web.actions import plain
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import PRESENCE, SETTINGS, STORE
from careline.app.web.pages import render
from careline.domain import ACTIVE_STATUSES, ANSWERING_STATES, Role, utcnow
from careline.errors import CarelineError, NotFound
from careline.settings import Settings
from careline.store import Store
from careline.store.conversations import notes_of, outside_posts
from careline.store.records import rows
from careline.views import author_history, conversation, conversation_events, counts, queue_rows, replies, thread
from classifiers.abc import INTENTS
from responder.policy import effort_of
from responder.replies import Voices, draft_for
from responder.slastate import sla_state
from responder.surveys import service_url, survey_url
from responder.textlimits import LIMITS
from responder.transitions import allowed_actions

STATUSES = ("new", "open", "pending", "snoozed", "resolved", "dismissed")
ACTIONS = actions.ACTIONS
#: The actions posted to ``/api/conversations/{id}/{action}``; sending has its own ``/replies`` route.
ROUTED_ACTIONS = tuple(a for a in ACTIONS if a != "send")
FILTER_NAMES = ("platform", "brand", "intent", "status")


def queue_filters(request: web.Request) -> dict[str, str | None]:
    """Filters from the query string; ``mine=1`` means assigned to the caller."""
    filters: dict[str, str | None] = {}
    for name in FILTER_NAMES:
        value = request.query.get(name) or None
        if value is not None and len(value) > 64:
            raise web.HTTPBadRequest(text=f"{name} is too long")
        filters[name] = value
    filters["assignee"] = user_of(request).username if request.query.get("mine") in ("1", "true", "on") else None
    return filters


def present_row(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    row["reasons"] = json.loads(row.get("priority_reasons") or "[]")
    row["sla"] = sla_state(row, now)
    return row


async def load_queue(store: Store, filters: dict[str, str | None], *, limit: int, offset: int = 0,
                     now: datetime) -> list[dict[str, Any]]:
    found = await store.read(lambda db: queue_rows(db, limit=limit, offset=offset, **filters))
    return [present_row(r, now) for r in found]


@allow(Role.AGENT)
async def queue_page(request: web.Request) -> web.Response:
    store, settings, now = request.app[STORE], request.app[SETTINGS], utcnow()
    filters = queue_filters(request)
    rows = await load_queue(store, filters, limit=100, now=now)
    numbers = await store.read(counts)
    return render(request, "queue.html", title="Reply queue", rows=rows, counts=numbers, filters=filters,
                  mine=bool(filters["assignee"]), now=now.isoformat(), brands=settings.brands,
                  platforms=sorted(LIMITS.keys() - {"twitter"}), intents=INTENTS, statuses=STATUSES,
                  me=user_of(request).username)


def _loads(value: str | None, default: Any) -> Any:
    try:
        return json.loads(value) if value else default
    except ValueError:
        return default


def suggest(settings: Settings, conv: dict[str, Any], intent: str | None) -> dict[str, Any]:
    """The suggested reply in the brand's voice (templates included), with its length and tone findings."""
    d = draft_for(conv, intent, conv.get("author_name") or conv["handle"], Voices.from_settings(settings))
    return {"text": d.text, "intent": d.intent, "length": d.length.length, "limit": d.length.limit,
            "tone": d.tone.as_dict(), "source": d.source}


def surveys_of(db: Any, conv_id: int) -> list[dict[str, Any]]:
    return rows(db, "SELECT token, kind, created_at, answered_at, score FROM surveys WHERE conversation_id = ? "
                    "ORDER BY created_at", (conv_id,))


def _detail(db: Any, conv_id: int) -> dict[str, Any]:
    conv = conversation(db, conv_id)
    if conv is None:
        raise NotFound(f"no conversation {conv_id}")
    return {"conversation": conv, "thread": thread(db, conv["thread_key"]), "replies": replies(db, conv_id),
            "outside": outside_posts(db, conv_id), "notes": [plain(n) for n in notes_of(db, conv_id)],
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


def send_backs(d: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """The lead's latest send-back note for each reply, keyed by reply id."""
    return {n["reply_id"]: n for n in d["notes"] if n["kind"] == "send_back" and n["reply_id"]}


async def load_detail(store: Store, settings: Settings, conv_id: int, now: datetime) -> dict[str, Any]:
    """Conversation, thread with scores, author history, effort, suggested reply, legal actions."""
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
    d["draft"] = suggest(settings, conv, latest["intent"] if latest else None)
    d["answered"] = answered_by(d)
    d["send_backs"] = send_backs(d)
    d["timeline"] = timeline(d)
    d["actions"] = [a.value for a in allowed_actions(conv["status"]) if a.value in ACTIONS]
    if conv["status"] in ACTIVE_STATUSES:
        d["actions"] += ["send", "escalate"]
    if conv["assignee"]:
        d["actions"] = [a for a in d["actions"] if a != "claim"] + ["take_over"]
    d["limit"] = LIMITS.get(conv["platform"], 10_000)
    for survey in d["surveys"]:  # the agent pastes this link into the closing message or DM
        survey["url"] = survey_url(settings, survey.pop("token"), service_url(settings))
    return d


def _page(request: web.Request, d: dict[str, Any], *, status: int = 200, **extra: Any) -> web.Response:
    c = d["conversation"]
    me = user_of(request).username
    return render(request, "conversation.html", status=status, title=f"Conversation {c['id']}", d=d, c=c,
                  me=me, held_by_other=bool(c["assignee"] and c["assignee"] != me),
                  presence=request.app[PRESENCE].of(int(c["id"])), now=utcnow().isoformat(),
                  idempotency_key=secrets.token_urlsafe(16), **extra)


#: What the page says after each action; a send's own outcome message replaces it.
DONE = {"claim": "Claimed.", "take_over": "Taken over.", "release": "Released to the queue.", "send": "Sent.",
        "resolve": "Resolved.", "snooze": "Snoozed.", "dismiss": "Dismissed.", "escalate": "Escalated.",
        "reopen": "Reopened.", "undo": "Undone.", "retry": "Retried.", "resubmit": "Resubmitted.",
        "held": "Waiting for approval by a lead."}


@allow(Role.AGENT)
async def conversation_page(request: web.Request) -> web.Response:
    conv_id = int(request.match_info["id"])
    d = await load_detail(request.app[STORE], request.app[SETTINGS], conv_id, utcnow())
    done = request.query.get("done", "")
    held = request.query.get("held", "")  # set after a send that a lead must approve first
    return _page(request, d, flash=DONE.get(done, ""), done=done if done in DONE else "", held=held[:500],
                 undoable=done in ("resolve", "dismiss", "snooze"))


@allow(Role.AGENT)
async def action_form(request: web.Request) -> web.Response:
    """Form post from the conversation page: do it, then back to the page (errors shown there)."""
    conv_id, action = int(request.match_info["id"]), request.match_info["action"]
    form = dict(await request.post())
    try:
        result = await actions.perform(request.app, action, conv_id, actions.actor_of(user_of(request)), form)
    except CarelineError as exc:
        d = await load_detail(request.app[STORE], request.app[SETTINGS], conv_id, utcnow())
        status = 404 if isinstance(exc, NotFound) else 409
        return _page(request, d, status=status, flash="", done="", held="", undoable=False, error=str(exc),
                     draft_text=str(form.get("text", "")))
    query = {"done": action}
    if action == "send" and result.get("state") == "awaiting_approval":
        query = {"done": "held", "held": "; ".join(result.get("held") or [])}
    raise web.HTTPSeeOther(f"/conversations/{conv_id}?{urlencode(query)}")


@allow(Role.AGENT)
async def retry_form(request: web.Request) -> web.Response:
    reply = await actions.deliver(request.app, int(request.match_info["id"]), actions.actor_of(user_of(request)),
                                  retry=True)
    raise web.HTTPSeeOther(f"/conversations/{reply['conversation_id']}?done=retry")


@allow(Role.AGENT)
async def resubmit_form(request: web.Request) -> web.Response:
    """The author's edited draft after a lead sent it back: checked and submitted again."""
    form = dict(await request.post())
    reply = await actions.resubmit(request.app, int(request.match_info["id"]), actions.actor_of(user_of(request)),
                                   form)
    query = {"done": "resubmit"} if reply["state"] != "awaiting_approval" else \
        {"done": "held", "held": "; ".join(reply.get("held") or [])}
    raise web.HTTPSeeOther(f"/conversations/{reply['conversation_id']}?{urlencode(query)}")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue_page, name="queue")
    app.router.add_get(r"/conversations/{id:\d{1,12}}", conversation_page, name="conversation")
    app.router.add_post(r"/conversations/{id:\d{1,12}}/{action:" + "|".join(ACTIONS) + "}", action_form)
    app.router.add_post(r"/replies/{id:\d{1,12}}/retry", retry_form)
    app.router.add_post(r"/replies/{id:\d{1,12}}/resubmit", resubmit_form)
