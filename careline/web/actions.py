"""Agent actions on a conversation: each is one status transition plus its audit event, in ONE write.

A thin stand-in until the responder services exist: the legal moves come from
``responder.transitions`` (the one transition table) and every function here runs inside the
caller's ``Store.write``, so the new status and the event that explains it commit together.

Sending: no platform sender exists yet (``responder/sending.py``), so a reply the agent sends is
stored as ``approved``, i.e. handed over for sending, never marked ``sent`` here. The agent has
answered at that moment, so ``first_responded_at`` is set and the conversation moves to ``pending``
(waiting on the customer), which stops the response clock. A draft the tone guard finds defensive
is stored as ``awaiting_approval`` instead and changes nothing until a lead approves it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.domain import ConversationStatus, Event, ReplyState, to_iso
from careline.errors import CarelineError, Conflict, NotFound
from careline.store.records import append_event
from responder.textlimits import check_length
from responder.tone import check_tone
from responder.transitions import Action, transition_event

MAX_SNOOZE = timedelta(days=30)
ESCALATED_PRIORITY = 95.0


def _conversation(db: Database, conv_id: int) -> dict[str, Any]:
    cur = db.conn.execute("SELECT * FROM conversations WHERE id = ?", (conv_id,))
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"no conversation {conv_id}")
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def _move(db: Database, conv: dict[str, Any], action: Action, actor: str, now: datetime,
          sets: dict[str, Any] | None = None, data: dict[str, Any] | None = None) -> str:
    """Apply ``action`` to ``conv`` (raises Conflict when illegal), update the row, write the event."""
    new, event = transition_event(conv["id"], conv["status"], action, actor=actor, now=now, data=data)
    fields = {"status": new.value, "updated_at": to_iso(now), **(sets or {})}
    assignments = ", ".join(f"{name} = ?" for name in fields)
    db.conn.execute(f"UPDATE conversations SET {assignments} WHERE id = ?", (*fields.values(), conv["id"]))
    append_event(db, event)
    conv.update(fields)
    return new.value


def claim(db: Database, conv_id: int, actor: str, now: datetime) -> dict[str, Any]:
    conv = _conversation(db, conv_id)
    _move(db, conv, Action.CLAIM, actor, now, {"assignee": actor}, {"previous_assignee": conv["assignee"]})
    return conv


def release(db: Database, conv_id: int, actor: str, now: datetime) -> dict[str, Any]:
    conv = _conversation(db, conv_id)
    _move(db, conv, Action.RELEASE, actor, now, {"assignee": None})
    return conv


def resolve(db: Database, conv_id: int, actor: str, now: datetime) -> dict[str, Any]:
    conv = _conversation(db, conv_id)
    _move(db, conv, Action.RESOLVE, actor, now, {"resolved_at": to_iso(now)})
    return conv


def dismiss(db: Database, conv_id: int, actor: str, now: datetime, reason: str = "") -> dict[str, Any]:
    conv = _conversation(db, conv_id)
    _move(db, conv, Action.DISMISS, actor, now, {"resolved_at": to_iso(now)}, {"reason": reason[:200]})
    return conv


def snooze(db: Database, conv_id: int, actor: str, now: datetime, until: datetime) -> dict[str, Any]:
    if not now < until <= now + MAX_SNOOZE:
        raise CarelineError("snooze until must be in the future and at most 30 days away")
    conv = _conversation(db, conv_id)
    _move(db, conv, Action.SNOOZE, actor, now, {"snoozed_until": to_iso(until)}, {"until": to_iso(until)})
    return conv


def escalate(db: Database, conv_id: int, actor: str, now: datetime, note: str = "") -> dict[str, Any]:
    """Not a status change: raise the priority to the top band and say who escalated it and why."""
    conv = _conversation(db, conv_id)
    if conv["status"] not in ("new", "open", "pending", "snoozed"):
        raise Conflict(f"cannot escalate a {conv['status']} conversation")
    reasons = [f"escalated by {actor}" + (f": {note[:120]}" if note else ""), *json.loads(conv["priority_reasons"])]
    priority = max(float(conv["priority"]), ESCALATED_PRIORITY)
    db.conn.execute("UPDATE conversations SET priority = ?, priority_reasons = ?, updated_at = ? WHERE id = ?",
                    (priority, json.dumps(reasons[:6]), to_iso(now), conv_id))
    append_event(db, Event(now, actor, "conversation.escalated", f"conversation:{conv_id}",
                           {"note": note[:500], "priority": priority}))
    conv.update(priority=priority, priority_reasons=json.dumps(reasons[:6]))
    return conv


def send_reply(db: Database, conv_id: int, actor: str, now: datetime, text: str,
               idempotency_key: str) -> dict[str, Any]:
    """Store the agent's reply; a retried request with the same key returns the first reply unchanged."""
    text = text.strip()
    if not text:
        raise CarelineError("the reply is empty")
    if not 8 <= len(idempotency_key) <= 100:
        raise CarelineError("idempotency_key must be 8-100 characters")
    existing = _reply_by_key(db, idempotency_key)
    if existing is not None:
        if existing["conversation_id"] != conv_id:
            raise Conflict("idempotency_key was already used for another conversation")
        return existing
    conv = _conversation(db, conv_id)
    length = check_length(conv["platform"], text)
    if not length.ok:
        raise CarelineError(f"the reply is {length.over} characters over the {conv['platform']} limit")
    if conv["status"] != ConversationStatus.OPEN.value or conv["assignee"] != actor:
        _move(db, conv, Action.CLAIM, actor, now, {"assignee": actor}, {"previous_assignee": conv["assignee"]})
    tone = check_tone(text)
    state = ReplyState.AWAITING_APPROVAL if tone.defensive else ReplyState.APPROVED
    cur = db.conn.execute(
        "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)", (conv_id, text, state.value, actor, to_iso(now), to_iso(now), idempotency_key))
    reply_id = int(cur.lastrowid or 0)
    append_event(db, Event(now, actor, "reply.created", f"conversation:{conv_id}",
                           {"reply": reply_id, "state": state.value,
                            "tone": [f.category for f in tone.findings]}))
    if state is ReplyState.APPROVED:
        _answered(db, conv, actor, now, reply_id)
    return _reply(db, reply_id)


def approve_reply(db: Database, reply_id: int, actor: str, now: datetime) -> dict[str, Any]:
    """A lead releases a reply the tone guard held back; it then counts as the agent's answer."""
    reply = _reply(db, reply_id)
    if reply["state"] != ReplyState.AWAITING_APPROVAL.value:
        raise Conflict(f"reply {reply_id} is {reply['state']}, not awaiting approval")
    db.conn.execute("UPDATE replies SET state = ?, updated_at = ? WHERE id = ?",
                    (ReplyState.APPROVED.value, to_iso(now), reply_id))
    append_event(db, Event(now, actor, "reply.approved", f"conversation:{reply['conversation_id']}",
                           {"reply": reply_id}))
    conv = _conversation(db, reply["conversation_id"])
    if conv["status"] in ("open", "new", "snoozed"):
        if conv["status"] != "open":
            _move(db, conv, Action.CLAIM, reply["created_by"], now, {"assignee": reply["created_by"]})
        _answered(db, conv, actor, now, reply_id)
    return _reply(db, reply_id)


def _answered(db: Database, conv: dict[str, Any], actor: str, now: datetime, reply_id: int) -> None:
    """The customer has an answer: first response recorded once, next-response clock stopped."""
    sets: dict[str, Any] = {"next_response_due": None}
    if not conv["first_responded_at"]:
        sets["first_responded_at"] = to_iso(now)
    _move(db, conv, Action.WAIT, actor, now, sets, {"reply": reply_id})


def _reply_by_key(db: Database, key: str) -> dict[str, Any] | None:
    row = db.conn.execute("SELECT id FROM replies WHERE idempotency_key = ?", (key,)).fetchone()
    return _reply(db, row[0]) if row else None


def _reply(db: Database, reply_id: int) -> dict[str, Any]:
    cur = db.conn.execute("SELECT id, conversation_id, text, state, created_by, created_at, updated_at, "
                          "idempotency_key, platform_id, error FROM replies WHERE id = ?", (reply_id,))
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"no reply {reply_id}")
    return dict(zip([d[0] for d in cur.description], row, strict=True))
