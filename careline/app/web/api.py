"""JSON API for the agent's work: the same read models and actions the pages use.

Errors have one shape (``error_body``). The OpenAPI document (``openapi.py``) describes every
route here; ``tests/test_web_schema.py`` runs Schemathesis against it on a live server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from careline.app.web import actions, schemas
from careline.app.web.actions import actor_of
from careline.app.web.agent import ROUTED_ACTIONS, load_detail, load_queue, queue_filters, search_text
from careline.app.web.auth import USER_KEY, allow, public, still_signed_in, user_of
from careline.app.web.keys import DESK, PRESENCE, STOPPING, STORE, TEMPLATES, settings_now
from careline.app.web.openapi import document
from careline.app.web.presence import StreamSlots
from careline.domain import CONTROL, Role, utcnow
from careline.errors import Invalid, NotFound
from careline.store.conversations import load_conversation
from careline.views import counts, source_health
from platforms.registry import mark_unpolled
from responder import replies, workflow
from responder.slastate import sla_state, sla_words
from responder.textlimits import announced_limit, check_length
from responder.tone import check_tone

STREAM_SECONDS = 5.0
#: An open conversation page hears about a colleague's change within this many seconds.
CONVERSATION_STREAM_SECONDS = 2.0
STREAM_LIFETIME = 600.0
#: How long one event may wait for a client that stopped reading before its stream is dropped.
STALLED_WRITE = 30.0
#: Live streams one sign-in (a browser session or an API token) may hold at once: a browser opens at most six
#: connections to a host over HTTP/1.1, so this leaves room to spare.
MAX_STREAMS_PER_SIGN_IN = 12
#: Live streams one person may hold over all their sign-ins: a second device, a script, and a token that
#: leaked and is misused still leave the person's own browser its slots until the token is revoked.
MAX_STREAMS_PER_PERSON = 36
#: What a refused stream is told to wait: a closed tab's slot is free within ``CLIENT_CHECK``.
STREAM_RETRY_AFTER = 5
#: How often a stream between two events looks whether its client has gone.
CLIENT_CHECK = 0.5
#: The open streams per sign-in and person (see ``presence.StreamSlots``), made with the routes that use them.
STREAMS: web.AppKey[StreamSlots] = web.AppKey("streams", StreamSlots)


async def json_body(request: web.Request) -> dict[str, Any]:
    """A JSON object body, or a 400 in the one error shape."""
    if not request.can_read_body:
        return {}
    raw = await schemas.body_of(request)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise web.HTTPBadRequest(text="the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    schemas.refuse_surrogates(body)
    return body


def error_body(status: int, code: str, message: str) -> dict[str, dict[str, object]]:
    """The one JSON error shape of the API."""
    return {"error": {"status": status, "code": code, "message": message}}


def _conv_id(request: web.Request) -> int:
    return int(request.match_info["id"])


@allow(Role.AGENT)
async def get_queue(request: web.Request) -> web.Response:
    query = schemas.read_query(request, schemas.QueueQuery)
    limit, offset = query.limit, query.offset
    page = await load_queue(request.app[STORE], queue_filters(request), limit=limit, offset=offset,
                            after=request.query.get("after"), q=search_text(request), now=utcnow())
    return web.json_response({"items": page.rows, "limit": limit, "offset": offset, "next": page.next,
                              "now": utcnow().isoformat()})


@allow(Role.AGENT)
async def get_conversation(request: web.Request) -> web.Response:
    d = await load_detail(request.app[STORE], settings_now(request.app), _conv_id(request), utcnow(),
                          limits=request.app[DESK].length_limits)
    return web.json_response(d)


@allow(Role.AGENT)
async def post_action(request: web.Request) -> web.Response:
    action = request.match_info["action"]
    body = (await schemas.read_json(request, schemas.ActionBody, required=False)).params()
    result = await actions.perform(request.app, action, _conv_id(request), actor_of(user_of(request)), body)
    return web.json_response(result)


@allow(Role.AGENT)
async def post_reply(request: web.Request) -> web.Response:
    body = (await schemas.read_json(request, schemas.NewReply)).params()
    reply = await actions.perform(request.app, "send", _conv_id(request), actor_of(user_of(request)), body)
    return web.json_response(reply, status=201)


@allow(Role.LEAD)
async def assign(request: web.Request) -> web.Response:
    """A lead hands the conversation to a named agent (an audited claim on their behalf)."""
    agent = (await schemas.read_json(request, schemas.Assign)).agent
    out = await workflow.assign(request.app[DESK], actor_of(user_of(request)), _conv_id(request), agent, now=utcnow())
    return web.json_response(actions.conversation_json(out))


@allow(Role.AGENT)
async def retry_reply(request: web.Request) -> web.Response:
    """A person retries a failed reply (X first looks for an earlier post, so it cannot double-post)."""
    reply_id = int(request.match_info["id"])
    return web.json_response(await actions.deliver(request.app, reply_id, actor_of(user_of(request)), retry=True))


@allow(Role.AGENT)
async def check_draft(request: web.Request) -> web.Response:
    """Live length and tone check of the editor's text (the editor calls this as the agent types)."""
    body = await schemas.read_json(request, schemas.DraftCheck)
    text, platform = body.text, body.platform
    length = check_length(platform, text, announced_limit(request.app[DESK].length_limits, platform, body.brand),
                          author=body.author or None)
    refused = replies.UNPOSTABLE if CONTROL.search(text) else None  # what Send would refuse, said while typing
    return web.json_response({"length": length.length, "limit": length.limit, "over": length.over,
                              "ok": length.ok and refused is None, "refused": refused,
                              "tone": check_tone(text, body.language, every_language=True).as_dict()})


async def event_stream(request: web.Request, event: str, payload: Callable[[], Awaitable[dict[str, Any]]],
                       every: float) -> web.StreamResponse:
    """Server-sent events in one of the sign-in's and the person's stream slots: a 429 with Retry-After when the
    sign-in holds ``MAX_STREAMS_PER_SIGN_IN`` or the person ``MAX_STREAMS_PER_PERSON`` already; the slot is given
    back however the stream ends (the page went away, it stalled, its lifetime passed, the person logged out or
    lost access, shutdown, an error)."""
    slots, user = request.app[STREAMS], user_of(request)
    full = slots.take(user.username, user.credential)
    if full:
        raise web.HTTPTooManyRequests(text=f"{full}; close one, or retry after the Retry-After seconds",
                                      headers={"Retry-After": str(STREAM_RETRY_AFTER)})
    try:
        return await _pump(request, event, payload, every)
    finally:
        slots.give_back(user.username, user.credential)


async def _pump(request: web.Request, event: str, payload: Callable[[], Awaitable[dict[str, Any]]],
                every: float) -> web.StreamResponse:
    """``payload()`` as one ``event`` every ``every`` seconds until the page goes away (or ``STREAM_LIFETIME``
    passes; the page's stream, common.js liveStream, then reconnects by itself), or the server shuts down:
    aiohttp waits for running handlers (60 s) before it cancels them, so an open page would hold it."""
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store",
                                           "X-Accel-Buffering": "no"})
    await response.prepare(request)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_LIFETIME
    stopping = request.app[STOPPING]
    while loop.time() < deadline and not stopping.is_set() and not _gone(request) and await still_signed_in(request):
        data = await payload()
        try:
            # a client that stops reading would hold the handler in drain() for ever (and shutdown with it)
            async with asyncio.timeout(max(2 * every, STALLED_WRITE)):
                await response.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
        except ConnectionResetError:  # the page went away; aiohttp's ClientConnectionResetError subclasses it
            return response
        except TimeoutError:
            if request.transport is not None:
                request.transport.close()
            return response
        await _rest(request, every)
    return response


def _gone(request: web.Request) -> bool:
    return request.transport is None or request.transport.is_closing()


async def _rest(request: web.Request, every: float) -> None:
    """Wait ``every`` seconds, less when the server stops or the client goes away. Why look: the service's
    runner does not cancel a handler whose client left, so a closed tab held its stream slot until its next
    event, and a person reloading pages quickly could be refused a stream by their own closed ones."""
    loop, stopping = asyncio.get_running_loop(), request.app[STOPPING]
    until = loop.time() + every
    while not stopping.is_set() and not _gone(request) and (left := until - loop.time()) > 0:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(left, CLIENT_CHECK)):
                await stopping.wait()


@allow(Role.AGENT)
async def stream(request: web.Request) -> web.StreamResponse:
    """The queue's rows, SLA states and presence every few seconds (``queue.js`` listens)."""
    filters = queue_filters(request)

    async def payload() -> dict[str, Any]:
        now = utcnow()
        rows = (await load_queue(request.app[STORE], filters, limit=100, now=now)).rows
        numbers = await request.app[STORE].read(counts)
        seen = request.app[PRESENCE].many(r["id"] for r in rows)
        return {"now": now.isoformat(), "counts": numbers,
                "items": [{**{k: r[k] for k in ("id", "status", "assignee", "priority", "sla", "updated_at",
                                                "held", "sent_back")},
                           "presence": seen.get(r["id"])} for r in rows]}

    return await event_stream(request, "queue", payload, STREAM_SECONDS)


@allow(Role.AGENT)
async def resubmit_reply(request: web.Request) -> web.Response:
    """The author's edited draft after a send-back: checked, then approved or held again."""
    body = (await schemas.read_json(request, schemas.Resubmit)).params()
    reply_id = int(request.match_info["id"])
    return web.json_response(await actions.resubmit(request.app, reply_id, actor_of(user_of(request)), body))


@allow(Role.AGENT)
async def withdraw_reply(request: web.Request) -> web.Response:
    """The author takes a held reply back from approval to edit it."""
    reply_id = int(request.match_info["id"])
    return web.json_response(await actions.withdraw(request.app, reply_id, actor_of(user_of(request))))


@allow(Role.AGENT)
async def post_note(request: web.Request) -> web.Response:
    """An internal note on the conversation: never posted to the platform."""
    text = (await schemas.read_json(request, schemas.NewNote)).text
    if replies.is_blank(text):
        raise Invalid("text: a note cannot be blank")
    note = await workflow.add_internal_note(request.app[DESK], actor_of(user_of(request)), _conv_id(request), text,
                                            now=utcnow())
    return web.json_response(actions.plain(note), status=201)


@allow(Role.AGENT)
async def post_reading(request: web.Request) -> web.Response:
    """Correct the model's reading of a customer message: complaint or not, its sentiment, its intent."""
    body = await schemas.read_json(request, schemas.ReadingBody)
    out = await workflow.correct_reading(request.app[DESK], actor_of(user_of(request)), _conv_id(request),
                                         complaint=body.complaint, sentiment=body.sentiment, now=utcnow(),
                                         mention_key=body.mention_key, intent=body.intent)
    return web.json_response(actions.conversation_json(out))


@allow(Role.AGENT)
async def restore_reading(request: web.Request) -> web.Response:
    """Take a correction back: the model's reading stands again."""
    body = await schemas.read_json(request, schemas.RestoreReading, required=False)
    out = await workflow.restore_reading(request.app[DESK], actor_of(user_of(request)), _conv_id(request),
                                         now=utcnow(), mention_key=body.mention_key)
    return web.json_response(actions.conversation_json(out))


@allow(Role.AGENT)
async def presence(request: web.Request) -> web.Response:
    """The conversation page says it is open (and whether its editor is typing); answers who else is there."""
    body = await schemas.read_json(request, schemas.Presence, required=False)
    typing, leaving = body.typing, body.leaving
    conv_id, who = _conv_id(request), user_of(request).username
    # an id that is no conversation is a 404 (load_conversation's NotFound) and takes no place in memory
    await request.app[STORE].read(lambda db: load_conversation(db, conv_id))
    if leaving:
        request.app[PRESENCE].leave(conv_id, who)
    else:
        request.app[PRESENCE].report(conv_id, who, typing=typing)
    return web.json_response(request.app[PRESENCE].of(conv_id))


#: The columns ``sla_state`` reads, which ``_conversation_state`` selects.
SLA_COLUMNS = ("status", "first_response_due", "first_responded_at", "next_response_due", "sla_snapshot")


def _conversation_state(db: Any, conv_id: int) -> dict[str, Any]:
    """What a colleague's change looks like from an open page: status, owner, its SLA, and counters that move."""
    c = db.conn.execute(f"SELECT assignee, last_customer_at, updated_at, {', '.join(SLA_COLUMNS)} FROM conversations "
                        "WHERE id = ?", (conv_id,)).fetchone()
    if c is None:
        raise NotFound(f"no conversation {conv_id}")
    row = dict(zip(SLA_COLUMNS, c[3:], strict=True))
    sent = [{"id": r[0], "state": r[1]} for r in db.conn.execute(
        "SELECT id, state FROM replies WHERE conversation_id = ? ORDER BY id", (conv_id,))]
    outside = db.conn.execute("SELECT count(*) FROM brand_posts WHERE conversation_id = ? AND state = 'outside'",
                              (conv_id,)).fetchone()[0]
    return {"status": row["status"], "assignee": c[0], "last_customer_at": c[1], "updated_at": c[2], "replies": sent,
            "outside": outside, "sla": sla_state(row, utcnow())}


@allow(Role.AGENT)
async def conversation_stream(request: web.Request) -> web.StreamResponse:
    """One open conversation page's state and who is viewing or typing (``conversation.js`` listens)."""
    conv_id = _conv_id(request)
    await request.app[STORE].read(lambda db: _conversation_state(db, conv_id))  # 404 before the stream starts

    shown, zone = request.app[TEMPLATES].filters["team_time"], settings_now(request.app).service.timezone

    async def payload() -> dict[str, Any]:
        state = await request.app[STORE].read(lambda db: _conversation_state(db, conv_id))
        state["sla"]["words"] = sla_words(state["sla"], shown, zone)  # the page's line under the badge, live
        return {**state, "presence": request.app[PRESENCE].of(conv_id)}

    return await event_stream(request, "conversation", payload, CONVERSATION_STREAM_SECONDS)


@public
async def health(request: web.Request) -> web.Response:
    """Status for probes; source errors and counts only for signed-in callers (errors can name accounts)."""
    store = request.app[STORE]
    sources = mark_unpolled(await store.read(source_health), settings_now(request.app))
    status = "degraded" if any(s["status"] == "degraded" for s in sources) else "ok"
    if request.get(USER_KEY) is None:
        return web.json_response({"status": status})
    return web.json_response({"status": status, "sources": sources, **await store.read(counts)})


@public
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document())


def add_routes(app: web.Application) -> None:
    # the streams' own state, before the app is frozen
    app[STREAMS] = StreamSlots(MAX_STREAMS_PER_SIGN_IN, MAX_STREAMS_PER_PERSON)
    app.router.add_get("/api/queue", get_queue)
    app.router.add_get("/api/stream", stream)
    app.router.add_get(r"/api/conversations/{id:\d{1,12}}", get_conversation)
    actions = "|".join(ROUTED_ACTIONS)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/{action:" + actions + "}", post_action)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/replies", post_reply)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/retry", retry_reply)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/assign", assign)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/resubmit", resubmit_reply)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/withdraw", withdraw_reply)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/notes", post_note)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/presence", presence)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/reading", post_reading)
    app.router.add_post(r"/api/conversations/{id:\d{1,12}}/reading/restore", restore_reading)
    app.router.add_get(r"/api/conversations/{id:\d{1,12}}/stream", conversation_stream)
    app.router.add_post("/api/drafts/check", check_draft)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/health", health)
