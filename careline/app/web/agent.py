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

from aiohttp import web

from careline.app.web import actions, schemas
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import SETTINGS, STORE
from careline.app.web.pages import render
from careline.app.web.reports import sla_state
from careline.domain import Role, utcnow
from careline.errors import CarelineError, Invalid, NotFound
from careline.settings import Settings
from careline.store import Store
from careline.store.records import rows
from careline.views import author_history, conversation, conversation_events, counts, queue_rows, replies, thread
from classifiers.abc import INTENTS
from responder.policy import effort_of
from responder.replies import Voices, draft_for
from responder.surveys import survey_url
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
                  platforms=sorted(LIMITS.keys() - {"twitter"}), intents=INTENTS, statuses=STATUSES)


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
            "history": author_history(db, conv["author_key"], exclude=conv_id),
            "events": conversation_events(db, conv_id), "surveys": surveys_of(db, conv_id)}


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
    d["actions"] = [a.value for a in allowed_actions(conv["status"]) if a.value in ACTIONS]
    if conv["status"] in ("new", "open", "pending", "snoozed"):
        d["actions"] += ["send", "escalate"]
    d["limit"] = LIMITS.get(conv["platform"], 10_000)
    for survey in d["surveys"]:  # the agent pastes this link into the closing message or DM
        survey["url"] = survey_url(settings, survey.pop("token"), "")
    return d


@allow(Role.AGENT)
async def conversation_page(request: web.Request) -> web.Response:
    conv_id = int(request.match_info["id"])
    d = await load_detail(request.app[STORE], request.app[SETTINGS], conv_id, utcnow())
    return render(request, "conversation.html", title=f"Conversation {conv_id}", d=d, c=d["conversation"],
                  now=utcnow().isoformat(), idempotency_key=secrets.token_urlsafe(16),
                  flash=request.query.get("done", ""))


@allow(Role.AGENT)
async def action_form(request: web.Request) -> web.Response:
    """Form post from the conversation page: do it, then back to the page (errors shown there)."""
    conv_id, action = int(request.match_info["id"]), request.match_info["action"]
    raw = await schemas.form_of(request)
    try:
        form = schemas.validate_text(schemas.ReplyForm, raw).params()
        await actions.perform(request.app, action, conv_id, actions.actor_of(user_of(request)), form)
    except CarelineError as exc:
        d = await load_detail(request.app[STORE], request.app[SETTINGS], conv_id, utcnow())
        status = 404 if isinstance(exc, NotFound) else 422 if isinstance(exc, Invalid) else 409
        return render(request, "conversation.html", status=status, title=f"Conversation {conv_id}", d=d,
                      c=d["conversation"], now=utcnow().isoformat(), idempotency_key=secrets.token_urlsafe(16),
                      flash="", error=str(exc), draft_text=str(raw.get("text", ""))[:schemas.MAX_TEXT])
    raise web.HTTPSeeOther(f"/conversations/{conv_id}?done={action}")


@allow(Role.AGENT)
async def retry_form(request: web.Request) -> web.Response:
    reply = await actions.deliver(request.app, int(request.match_info["id"]), actions.actor_of(user_of(request)),
                                  retry=True)
    raise web.HTTPSeeOther(f"/conversations/{reply['conversation_id']}?done=retry")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue_page, name="queue")
    app.router.add_get(r"/conversations/{id:\d{1,12}}", conversation_page, name="conversation")
    app.router.add_post(r"/conversations/{id:\d{1,12}}/{action:" + "|".join(ACTIONS) + "}", action_form)
    app.router.add_post(r"/replies/{id:\d{1,12}}/retry", retry_form)
