"""A conversation's SLA, evaluated from what the store holds about it.

The SLA sweep, the reply sender and the queue's resolve action all need the same answer: which
targets ran, and how much SLA clock (business hours, pauses excluded) each used. The inputs are
the conversation's frozen policy (``sla_snapshot``), its status events, its mentions (customer
messages) and its sent replies (agent messages).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import ConversationStatus, from_iso, to_iso
from responder.sla import Message, SLAEvaluation, StatusChange, TargetKind, TargetState, evaluate_sla, policy_from_dict

log = logging.getLogger(__name__)

STATUS_EVENTS = ("conversation.created", "conversation.status", "conversation.reopened")


def history_inputs(
    events: Iterable[tuple[str, str, str]], mention_times: Iterable[str], sent_times: Iterable[str]
) -> tuple[list[Message], list[StatusChange]]:
    """SLA inputs from stored rows: mentions are customer messages, sent replies agent messages."""
    messages = [Message(t, True) for t in map(from_iso, mention_times) if t is not None]
    messages += [Message(t, False) for t in map(from_iso, sent_times) if t is not None]
    changes = [c for c in (_status_change(*e) for e in events) if c is not None]
    return messages, changes


def _status_change(at: str, kind: str, data: str) -> StatusChange | None:
    when = from_iso(at)
    if when is None:
        return None
    if kind == "conversation.created":
        return StatusChange(when, ConversationStatus.NEW)
    try:
        return StatusChange(when, ConversationStatus(json.loads(data)["to"]))
    except (KeyError, ValueError, TypeError):
        log.warning("ignoring %s event without a valid 'to' status at %s", kind, at)
        return None


#: The brand's answers made outside Careline (in the platform's own app) count as agent messages, as they stop the
#: clocks (``responder.outside``), but not one that goes on from the brand's own post: the engine ignored them all,
#: so an answered conversation breached and escalated while its customer's next message got no due time.
OUTSIDE_ANSWERS = """SELECT b.created_at FROM brand_posts b WHERE b.conversation_id = ? AND b.state = 'outside'
    AND NOT EXISTS (SELECT 1 FROM brand_posts p WHERE p.platform = b.platform AND p.platform_id = b.in_reply_to_id)
    AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.platform_id = b.in_reply_to_id)"""


def stored_evaluation(db: Database, conv: Mapping[str, Any], now: datetime) -> SLAEvaluation | None:
    """Evaluate ``conv`` (a conversations row with id, thread_key, created_at, sla_snapshot) at ``now``.

    None when the conversation has no snapshot (created before SLAs were snapshotted, or seeded).
    Raises ``ValueError``/``KeyError``/``TypeError`` on a snapshot or timestamp it cannot read.
    """
    if not conv.get("sla_snapshot"):
        return None
    events = db.conn.execute(
        f"SELECT at, kind, data FROM events WHERE subject = ? AND kind IN ({', '.join('?' * len(STATUS_EVENTS))}) "
        "ORDER BY id", (f"conversation:{conv['id']}", *STATUS_EVENTS)).fetchall()
    mentions = [r[0] for r in db.conn.execute("SELECT created_at FROM mentions WHERE thread_key = ?",
                                              (conv["thread_key"],))]
    sent = [r[0] for r in db.conn.execute("SELECT sent_at FROM replies WHERE conversation_id = ? AND state = 'sent'",
                                          (conv["id"],))]
    sent += [r[0] for r in db.conn.execute(OUTSIDE_ANSWERS, (conv["id"],))]
    messages, changes = history_inputs(events, mentions, sent)
    policy = policy_from_dict(json.loads(conv["sla_snapshot"]))
    created = from_iso(conv["created_at"])
    if created is None:
        raise ValueError("conversation has no created_at")
    return evaluate_sla(policy, created_at=created, messages=messages, status_changes=changes, now=now)


def clock_seconds(evaluation: SLAEvaluation | None, kind: TargetKind) -> float | None:
    """SLA clock seconds the first completed ``kind`` target used: the business-hours duration a
    lead compares with the target. None when it is not completed, or was cancelled (dismissed)."""
    if evaluation is None:
        return None
    for t in evaluation.targets:
        if t.kind is kind and t.completed_at is not None and t.state is not TargetState.CANCELLED:
            return t.used.total_seconds()
    return None


COLUMN = {TargetKind.FIRST_RESPONSE: "first_response_clock_s", TargetKind.RESOLUTION: "resolution_clock_s"}


def record_clock(db: Database, conv_id: int, kind: TargetKind, now: datetime) -> float | None:
    """Store the business-hours duration of ``kind`` (first response or resolution) on the
    conversation, as the moment it is decided. A conversation whose SLA cannot be read keeps NULL
    and a log line: the reply or resolution that triggered this must not fail because of it."""
    return record_clocks(db, conv_id, (kind,), now)[kind]


def record_clocks(db: Database, conv_id: int, kinds: Iterable[TargetKind], now: datetime
                  ) -> dict[TargetKind, float | None]:
    """``record_clock`` for several targets from one evaluation of the conversation's SLA."""
    kinds = tuple(kinds)
    row = db.conn.execute("SELECT id, thread_key, created_at, sla_snapshot FROM conversations WHERE id = ?",
                          (conv_id,)).fetchone()
    if row is None:
        return dict.fromkeys(kinds)
    conv = dict(zip(("id", "thread_key", "created_at", "sla_snapshot"), row, strict=True))
    try:
        evaluation = stored_evaluation(db, conv, now)
    except (ValueError, KeyError, TypeError):
        log.exception("conversation %s: cannot evaluate its SLA snapshot; %s left empty", conv_id,
                      ", ".join(COLUMN[k] for k in kinds))
        return dict.fromkeys(kinds)
    out = {kind: clock_seconds(evaluation, kind) for kind in kinds}
    for kind, seconds in out.items():
        db.conn.execute(f"UPDATE conversations SET {COLUMN[kind]} = ? WHERE id = ?", (seconds, conv_id))  # ours
    _decided_dues(db, conv_id, evaluation, kinds)
    return out


#: Where each decided target's due time is stored (what the report's rows and the queue's badge read).
DUE = {TargetKind.FIRST_RESPONSE: "first_response_due", TargetKind.RESOLUTION: "resolution_due"}


def _decided_dues(db: Database, conv_id: int, evaluation: SLAEvaluation | None, kinds: tuple[TargetKind, ...]) -> None:
    """Store the engine's due time of each target just decided, and clear a first response the resolution
    cancelled. Why: the stored due time was the one from before any pause (waiting on the customer), so the
    report counted a resolution 27 hours after a reply as missed while its SLA clock had used 10 minutes; and a
    first response cancelled by a resolution came back as "breached" when the customer wrote again."""
    if evaluation is None:
        return
    for kind in kinds:
        done = next((t for t in evaluation.targets if t.kind is kind and t.completed_at is not None
                     and t.state is not TargetState.CANCELLED), None)
        if done is not None and done.due_at is not None:
            db.conn.execute(f"UPDATE conversations SET {DUE[kind]} = ? WHERE id = ?", (to_iso(done.due_at), conv_id))
    if TargetKind.RESOLUTION in kinds and any(t.kind is TargetKind.FIRST_RESPONSE and t.state is TargetState.CANCELLED
                                              for t in evaluation.targets):
        db.conn.execute("UPDATE conversations SET first_response_due = NULL WHERE id = ? AND first_responded_at IS "
                        "NULL", (conv_id,))


# What a decided conversation should hold and may lack: rows decided before migration m006 added
# the columns, or while their snapshot could not be read.
MISSING_CLOCK = {
    TargetKind.FIRST_RESPONSE: "first_responded_at IS NOT NULL AND first_response_clock_s IS NULL",
    TargetKind.RESOLUTION: "status = 'resolved' AND resolution_clock_s IS NULL",
}


def missing_clock_ids(db: Database, after_id: int = 0, limit: int = 500) -> list[int]:
    """Conversations with a snapshot and a decided target whose clock duration is empty, by id."""
    where = " OR ".join(f"({cond})" for cond in MISSING_CLOCK.values())
    return [r[0] for r in db.conn.execute(
        f"SELECT id FROM conversations WHERE id > ? AND sla_snapshot IS NOT NULL AND ({where}) "
        "ORDER BY id LIMIT ?", (after_id, limit))]


def backfill_clock(db: Database, ids: Iterable[int], now: datetime) -> dict[str, int]:
    """Record the missing durations of ``ids`` (``record_clock``'s rules); counts per column filled.

    Why a command and not part of the migration: the duration needs the responder's SLA evaluation,
    and ``careline.store`` migrations do not import the responder. What is missing is checked again
    here, inside the write, since the service may have reopened a conversation since it was listed;
    each conversation's SLA is evaluated once for both columns. A row whose target ended cancelled
    (a dismissed conversation) or whose snapshot cannot be read stays NULL, so a second run does the
    same work and fills nothing new.
    """
    filled = dict.fromkeys(COLUMN.values(), 0)
    checks = ", ".join(f"({cond})" for cond in MISSING_CLOCK.values())
    for conv_id in ids:
        lacking = db.conn.execute(f"SELECT {checks} FROM conversations WHERE id = ?", (conv_id,)).fetchone()
        kinds = [kind for kind, lacks in zip(MISSING_CLOCK, lacking, strict=True) if lacks] if lacking else []
        if not kinds:
            continue
        for kind, seconds in record_clocks(db, conv_id, kinds, now).items():
            if seconds is not None:
                filled[COLUMN[kind]] += 1
    return filled
