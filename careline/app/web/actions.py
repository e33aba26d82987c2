"""HTTP to use cases and back: the web's only way to act on a conversation.

The rules live in ``responder.workflow``; this module parses what a form or a JSON body said into a
use-case call (validating types at the edge: a wrong type is a 400, never coerced) and turns the
``Outcome`` into the JSON the API returns and the pages read.
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import re
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from aiohttp import web

from careline.app.web.fields import digits
from careline.app.web.keys import DESK
from careline.app.web.security import session_mac
from careline.domain import Reply, Role, from_iso, to_iso, utcnow
from careline.errors import CarelineError, NotFound
from responder import workflow
from responder.transitions import Action
from responder.workflow import Actor, Outcome

#: Status actions a person may post by name to ``/conversations/{id}/{action}``.
STATUS_ACTIONS = {"resolve": Action.RESOLVE, "dismiss": Action.DISMISS, "snooze": Action.SNOOZE,
                  "reopen": Action.REOPEN, "wait": Action.WAIT}
#: Every action a conversation page or the API can post (``send`` goes to ``/replies`` on the API).
ACTIONS = ("claim", "take_over", "release", "send", "resolve", "snooze", "wait", "dismiss", "escalate", "reopen",
           "undo")
MAX_SNOOZE_MINUTES = 30 * 24 * 60


def plain(value: Any) -> Any:
    """A dataclass (typed row) as JSON-ready data: datetimes as ISO text, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


#: What a close or its undo did to the replies not yet posted (``Outcome`` counts): in the API's answer, and
#: carried to the conversation page's words as query keys.
MOVED_REPLIES = ("withdrawn", "restored", "kept_withdrawn")


def conversation_json(out: Outcome) -> dict[str, Any]:
    body: dict[str, Any] = {**plain(out.conversation), "message": out.message, "undoable": out.undoable}
    if out.survey_url:
        body["survey_path"] = out.survey_url
    for moved in MOVED_REPLIES:
        if getattr(out, moved):
            body[moved] = getattr(out, moved)
    return body


def reply_json(out: Outcome) -> dict[str, Any]:
    reply: Reply | None = out.reply
    if reply is None:
        raise NotFound("no reply")
    body = {**plain(reply), "message": out.message, "held": list(out.held),
            "tone": out.tone.as_dict() if out.tone else None,
            "conversation": plain(out.conversation)}
    if out.survey_url:
        body["survey_path"] = out.survey_url
    return body


def text_field(params: dict[str, Any], name: str, *, limit: int, required: bool = False) -> str:
    value = params.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CarelineError(f"{name} must be a string")
    if len(value) > limit:
        raise CarelineError(f"{name} must be at most {limit} characters")
    if required and not value.strip():
        raise CarelineError(f"{name} is required")
    return value


def _flag(params: dict[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in ("", "0", "1", "on", "true", "false"):
        return value in ("1", "on", "true")
    raise CarelineError(f"{name} must be true or false")


def snooze_until(params: dict[str, Any], now: datetime) -> datetime:
    """``until`` (ISO 8601 with a zone) or ``minutes`` (a whole number, 1 to 30 days' worth)."""
    until = params.get("until")
    if until not in (None, ""):
        if not isinstance(until, str):
            raise CarelineError("until must be an ISO 8601 time")
        try:
            parsed = from_iso(until)
        except ValueError:
            raise CarelineError("until must be an ISO 8601 time, e.g. 2026-12-04T17:00:00Z") from None
        if parsed is None:
            raise CarelineError("until must be an ISO 8601 time")
        return parsed
    minutes = params.get("minutes", 60)
    if isinstance(minutes, str) and digits(minutes.strip()):
        minutes = int(minutes.strip())
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_SNOOZE_MINUTES:
        raise CarelineError(f"minutes must be a whole number from 1 to {MAX_SNOOZE_MINUTES}")
    return now + timedelta(minutes=minutes)


async def perform(app: web.Application, action: str, conv_id: int, actor: Actor,
                  params: dict[str, Any]) -> dict[str, Any]:
    """Run one person's action; returns the conversation's JSON, or the reply's for ``send``."""
    desk, now = app[DESK], utcnow()
    if action == "send":
        key = params.get("idempotency_key")
        if not isinstance(key, str) or not 8 <= len(key) <= 100:
            raise CarelineError("idempotency_key must be a string of 8-100 characters")
        text = text_field(params, "text", limit=20_000)
        return reply_json(await workflow.send(desk, actor, conv_id, text, key, now=now,
                                              another=_flag(params, "another"), resolve=_flag(params, "resolve")))
    if action in STATUS_ACTIONS:
        until = snooze_until(params, now) if action == "snooze" else None
        reason = text_field(params, "reason", limit=200) if action == "dismiss" else ""
        seen = text_field(params, "seen", limit=300) or None  # the customer's newest message the person saw
        return conversation_json(await workflow.change_status(desk, actor, conv_id, STATUS_ACTIONS[action], now=now,
                                                              until=until, reason=reason, seen=seen))
    simple = {"claim": workflow.claim, "take_over": workflow.take_over, "release": workflow.release,
              "undo": workflow.undo}
    if action in simple:
        return conversation_json(await simple[action](desk, actor, conv_id, now=now))
    if action == "escalate":
        note = text_field(params, "note", limit=500)
        return conversation_json(await workflow.escalate(desk, actor, conv_id, now=now, note=note))
    raise NotFound(f"no action {action!r}")


async def deliver(app: web.Application, reply_id: int, actor: Actor, *, retry: bool = False) -> dict[str, Any]:
    return reply_json(await workflow.deliver(app[DESK], actor, reply_id, now=utcnow(), retry=retry))


async def review(app: web.Application, reply_id: int, actor: Actor, *, approve: bool, note: str = "",
                 seen: str = "") -> dict[str, Any]:
    desk, now = app[DESK], utcnow()
    if approve:
        return reply_json(await workflow.approve(desk, actor, reply_id, now=now, seen=seen))
    return reply_json(await workflow.send_back(desk, actor, reply_id, note, now=now))


async def withdraw(app: web.Application, reply_id: int, actor: Actor) -> dict[str, Any]:
    return reply_json(await workflow.withdraw(app[DESK], actor, reply_id, now=utcnow()))


async def resubmit(app: web.Application, reply_id: int, actor: Actor, params: dict[str, Any]) -> dict[str, Any]:
    text = text_field(params, "text", limit=20_000, required=True)
    return reply_json(await workflow.resubmit(app[DESK], actor, reply_id, text, now=utcnow()))


def actor_of(user: Any) -> Actor:
    return Actor(user.username, Role(user.role))



@dataclasses.dataclass(frozen=True)
class BulkUndo:
    """What the queue's "Undo" button posts back to ``/bulk`` after a bulk action."""

    action: str
    tag: str
    ids: tuple[int, ...]


_UNDO = re.compile(r"(?P<action>[a-z_]{1,20}):(?P<tag>[^:]{0,40}):(?P<ids>\d{1,18}(?:,\d{1,18}){0,199})")


def seal_undo(secret: str, undo: BulkUndo) -> str:
    """The ``undo`` query value for the page after a bulk action, signed with the session's CSRF secret.

    Why signed: the page turns the value into a form that posts a bulk action with the viewer's own CSRF
    token, so an unsigned value would let anyone's link ("/?bulk=Done&undo=dismiss::1,2,3") put a button
    labelled "Undo" on an agent's queue that dismisses conversations of the link writer's choosing."""
    return _sealed(secret, f"{undo.action}:{undo.tag}:{','.join(map(str, undo.ids))}")


def _sealed(secret: str, payload: str) -> str:
    """``payload`` with this session's MAC, as a query value (``payload~mac``)."""
    return f"{payload}~{session_mac(secret, payload)}"


def _unsealed(secret: str | None, value: str) -> str | None:
    """The payload of a value :func:`_sealed` made for this session; None for anything else."""
    payload, _, mac = value.rpartition("~")
    if not secret or not payload or not hmac.compare_digest(mac, session_mac(secret, payload)):
        return None
    return payload


@dataclasses.dataclass(frozen=True)
class DeletedView:
    """A saved view just deleted: what the queue's "Undo" posts back to ``/views`` to save it again."""

    name: str
    query: str


def seal_deleted_view(secret: str, view: DeletedView) -> str:
    """The ``restore`` query value after a view is deleted, signed for the session as ``seal_undo`` is (the page
    turns it into a form that saves a view in the viewer's name)."""
    return _sealed(secret, json.dumps([view.name, view.query]))


def open_deleted_view(secret: str | None, value: str) -> DeletedView | None:
    """The deleted view that ``seal_deleted_view`` signed for this session; None for anything else."""
    payload = _unsealed(secret, value)
    if payload is None:
        return None
    name, query = json.loads(payload)
    return DeletedView(str(name), str(query))


def open_undo(secret: str | None, value: str) -> BulkUndo | None:
    """The bulk undo that ``seal_undo`` signed for this session; None for anything else (no button)."""
    payload = _unsealed(secret, value)
    found = _UNDO.fullmatch(payload) if payload is not None else None
    if found is None or found["action"] not in workflow.BULK_UNDO:
        return None
    return BulkUndo(found["action"], found["tag"], tuple(int(i) for i in found["ids"].split(",")))


