"""What happens when a person acts on a conversation in the web app: the responder services, in order.

Status changes (``responder.queue``), reply checks and approval (``responder.replies``), sending
(``responder.sending``) and surveys (``responder.surveys``) hold the rules; this module only sequences
them for one request, with the senders the app was started with. Each step commits with its audit
event; sending happens between commits, because a platform call must never sit inside a database
transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlite_utils import Database

from careline.domain import Event, ReplyState, utcnow
from careline.errors import CarelineError, NotFound
from careline.store.records import append_event, rows
from careline.web.keys import SENDERS, SETTINGS, STORE
from responder import queue, replies, sending, surveys
from responder.transitions import Action

MAX_SNOOZE = timedelta(days=30)
SIMPLE = {"claim": Action.CLAIM, "release": Action.RELEASE, "reopen": Action.REOPEN, "wait": Action.WAIT}


async def perform(app: web.Application, action: str, conv_id: int, actor: str,
                  params: dict[str, Any]) -> dict[str, Any]:
    """Run one agent action; returns the conversation row, or the reply for ``send``."""
    store, now = app[STORE], utcnow()
    if action in SIMPLE:
        return await store.write(lambda db: queue.act(db, conv_id, SIMPLE[action], actor=actor, now=now))
    if action == "resolve":
        return await store.write(lambda db: resolve(db, app, conv_id, actor, now))
    if action == "dismiss":
        reason = str(params.get("reason") or "")[:200]
        return await store.write(lambda db: dismiss(db, conv_id, actor, now, reason))
    if action == "snooze":
        until = params["until"]
        if not now < until <= now + MAX_SNOOZE:
            raise CarelineError("snooze until must be in the future and at most 30 days away")
        return await store.write(lambda db: queue.act(db, conv_id, Action.SNOOZE, actor=actor, now=now, until=until))
    if action == "escalate":
        note = str(params.get("note") or "")
        return await store.write(lambda db: queue.escalate(db, conv_id, actor=actor, now=now, note=note))
    if action == "send":
        return await send(app, conv_id, actor, str(params.get("text") or ""), str(params.get("idempotency_key") or ""))
    raise NotFound(f"no action {action!r}")


def resolve(db: Database, app: web.Application, conv_id: int, actor: str, now: datetime) -> dict[str, Any]:
    """Resolve, and open the one-question survey the settings ask for (its link is in the event)."""
    conv = queue.act(db, conv_id, Action.RESOLVE, actor=actor, now=now)
    kind = app[SETTINGS].responder.survey
    if kind != "none":
        token = surveys.create_survey(db, conv_id, kind, now=now)
        append_event(db, Event(now, actor, "survey.offered", f"conversation:{conv_id}",
                               {"kind": kind, "path": f"/s/{token}"}))
        conv["survey_path"] = f"/s/{token}"
    return conv


def dismiss(db: Database, conv_id: int, actor: str, now: datetime, reason: str) -> dict[str, Any]:
    conv = queue.act(db, conv_id, Action.DISMISS, actor=actor, now=now)
    if reason:
        append_event(db, Event(now, actor, "conversation.dismissed", f"conversation:{conv_id}", {"reason": reason}))
    return conv


async def send(app: web.Application, conv_id: int, actor: str, text: str, key: str) -> dict[str, Any]:
    """Save the reply (claiming the conversation if needed), then post it unless a lead must approve it.

    A retried request with the same idempotency key returns the first reply and posts nothing.
    """
    if not 8 <= len(key) <= 100:
        raise CarelineError("idempotency_key must be 8-100 characters")
    settings, now = app[SETTINGS], utcnow()

    def save(db: Database) -> dict[str, Any]:
        existing = rows(db, "SELECT * FROM replies WHERE idempotency_key = ?", (key,))
        if existing:
            if existing[0]["conversation_id"] != conv_id:
                raise CarelineError("idempotency_key was already used for another conversation")
            return {**existing[0], "repeat": True}
        conv = queue.load(db, conv_id)
        if conv["status"] != "open" or conv["assignee"] != actor:
            queue.act(db, conv_id, Action.CLAIM, actor=actor, now=now)
        return replies.save_reply(db, conv_id, text, actor=actor, now=now, settings=settings, idempotency_key=key)

    reply = await app[STORE].write(save)
    if reply.pop("repeat", False) or reply["state"] != ReplyState.APPROVED.value:
        return reply
    return await deliver(app, reply["id"], actor)


async def deliver(app: web.Application, reply_id: int, actor: str, *, retry: bool = False) -> dict[str, Any]:
    """Post an approved reply; once it is out, the conversation waits on the customer (SLA paused)."""
    store, now = app[STORE], utcnow()
    post = sending.retry_reply if retry else sending.send_reply
    senders: dict[str, Any] = app[SENDERS]
    reply = await post(store, reply_id, senders, actor=actor, now=now)
    if reply["state"] == ReplyState.SENT.value:
        await store.write(lambda db: answered(db, reply["conversation_id"], actor, now))
    return reply


def answered(db: Database, conv_id: int, actor: str, now: datetime) -> None:
    conv = queue.load(db, conv_id)
    if conv["status"] in ("new", "snoozed"):
        queue.act(db, conv_id, Action.CLAIM, actor=actor, now=now)
        conv["status"] = "open"
    if conv["status"] == "open":
        queue.act(db, conv_id, Action.WAIT, actor=actor, now=now)


async def approve(app: web.Application, reply_id: int, reviewer: str, role: str) -> dict[str, Any]:
    """A lead approves a held reply; it is posted at once."""
    now = utcnow()
    await app[STORE].write(lambda db: replies.review(db, reply_id, approve=True, reviewer=reviewer, role=role,
                                                     now=now))
    return await deliver(app, reply_id, reviewer)
