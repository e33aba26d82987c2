"""Turn classified mentions into queued conversations: one per platform thread.

Runs as one pipeline step after classification. Each batch is one transaction: mentions move from
``classified`` to ``routed`` in the same commit that creates or updates their conversation, so a
crash can neither drop a mention from the queue nor count it twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import Event, from_iso, to_iso
from careline.store.records import append_event, next_id_sql, rows
from responder.queue import ESCALATED_PRIORITY, implied, manual_escalation
from responder.sla import due_times, policy_from_dict
from responder.transitions import Action, transition_event

#: ``(policy name, first response due, resolution due, next response due)`` for a conversation.
DueFn = Callable[[dict[str, Any], datetime], "Deadlines"]
#: ``(priority score, reasons)`` from a mention row joined with its classification.
PriorityFn = Callable[[dict[str, Any], datetime], tuple[float, list[str]]]


@dataclass(frozen=True)
class Deadlines:
    policy: str | None
    first_response: datetime | None
    next_response: datetime | None
    resolution: datetime | None
    snapshot: str | None = None


#: A mention joined with what its priority reads (``PriorityFn``); the WHERE clause follows.
_SIGNALS_SQL = """
SELECT m.key, m.platform, m.brand, m.thread_key, m.author_key, m.created_at, m.text,
       a.followers, a.handle,
       c.sentiment, c.complaint, c.detractor, c.intent, c.urgency, c.reasons, c.effort,
       c.severity, c.language, c.language_covered
FROM mentions m
JOIN classifications c ON c.mention_key = m.key
JOIN authors a ON a.key = m.author_key
"""
PENDING_SQL = _SIGNALS_SQL + "WHERE m.stage = 'classified' ORDER BY m.created_at LIMIT ?"
THREAD_SQL = _SIGNALS_SQL + "WHERE m.thread_key = ? AND m.stage = 'routed' ORDER BY m.created_at"


def route_classified(db: Database, *, now: datetime, due: DueFn, priority: PriorityFn, limit: int = 500,
                     track_only: frozenset[str] = frozenset()) -> int:
    """Queue up to ``limit`` classified mentions inside the caller's transaction; returns how many.

    Mentions of ``track_only`` brands (competitors) are marked ``tracked`` instead: trends and share
    of voice count them, but they never become conversations, so no agent is asked to answer them."""
    pending = rows(db, PENDING_SQL, (limit,))
    for mention in pending:
        if mention["brand"] in track_only:
            db.conn.execute("UPDATE mentions SET stage = 'tracked' WHERE key = ?", (mention["key"],))
        else:
            _route_one(db, mention, now, due, priority)
    return len(pending)


def _route_one(db: Database, m: dict[str, Any], now: datetime, due: DueFn, priority: PriorityFn) -> None:
    conv = db.conn.execute(
        "SELECT id, status, priority, first_responded_at, last_customer_at, sla_snapshot "
        "FROM conversations WHERE thread_key = ?", (m["thread_key"],)).fetchone()
    score, reasons = priority(m, now)
    created = from_iso(m["created_at"]) or now
    if conv is None:
        _create(db, m, created, now, score, reasons, due)
    else:
        _update(db, conv, m, created, now, score, reasons, due)
    db.conn.execute("UPDATE mentions SET stage = 'routed' WHERE key = ?", (m["key"],))


def _create(db: Database, m: dict[str, Any], created: datetime, now: datetime, score: float,
            reasons: list[str], due: DueFn) -> None:
    d = due({**m, "priority": score}, created)
    cur = db.conn.execute(
        f"""INSERT INTO conversations (id, thread_key, platform, brand, author_key, status, priority,
               priority_reasons, created_at, updated_at, last_customer_at, first_response_due,
               resolution_due, sla_policy, sla_snapshot)
           VALUES ({next_id_sql("conversations")}, ?, ?, ?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (m["thread_key"], m["platform"], m["brand"], m["author_key"], score, json.dumps(reasons),
         to_iso(created), to_iso(now), to_iso(created), to_iso(d.first_response), to_iso(d.resolution),
         d.policy, d.snapshot),
    )
    append_event(db, Event(now, "system", "conversation.created", f"conversation:{cur.lastrowid}",
                           {"mention": m["key"], "priority": score, "sla_policy": d.policy}))


def _update(db: Database, conv: tuple[Any, ...], m: dict[str, Any], created: datetime, now: datetime,
            score: float, reasons: list[str], due: DueFn) -> None:
    """A new customer message in a known thread: it may reopen the conversation and starts the
    next-response clock under the policy the conversation already has (not retroactive)."""
    conv_id, status, old_score, responded, last_customer, snapshot = conv
    last = max(created, from_iso(last_customer) or created)
    next_due = None
    if responded:
        policy = policy_from_dict(json.loads(snapshot)) if snapshot else None
        next_due = due_times(policy, created).next_response if policy else \
            due({**m, "priority": max(score, old_score)}, created).next_response
    new_status, event = transition_event(conv_id, status, Action.CUSTOMER_MESSAGE, actor="system", now=now,
                                         data={"mention": m["key"]})
    sets = implied(Action.CUSTOMER_MESSAGE, now)  # what any customer message sets, as queue.act would
    assignments = "".join(f", {column} = ?" for column in sets)  # column names are ours, never input
    db.conn.execute(
        f"""UPDATE conversations SET status = ?, priority = MAX(priority, ?),
               priority_reasons = CASE WHEN ? > priority THEN ? ELSE priority_reasons END,
               updated_at = ?, last_customer_at = ?,
               next_response_due = COALESCE(?, next_response_due), sla_next_check = NULL{assignments}
           WHERE id = ?""",
        (new_status.value, score, score, json.dumps(reasons), to_iso(now), to_iso(last), to_iso(next_due),
         *sets.values(), conv_id),
    )
    append_event(db, event)


def reprioritise(db: Database, conv_id: int, *, now: datetime, priority: PriorityFn) -> tuple[float, float]:
    """Score the conversation again from its customer messages as they are now read, inside the caller's
    transaction; returns (before, after). Why: a person corrected a message's reading, and routing
    keeps the highest score any message gave, so a complaint marked "not a complaint" would otherwise
    stay at the top. The SLA policy stays the one matched when the conversation opened (policies are
    not retroactive)."""
    conv = db.conn.execute("SELECT thread_key, priority, priority_reasons FROM conversations WHERE id = ?",
                           (conv_id,)).fetchone()
    if conv is None:
        return 0.0, 0.0
    scored = [priority(m, now) for m in rows(db, THREAD_SQL, (conv[0],))]
    if not scored:
        return float(conv[1]), float(conv[1])
    score, reasons = max(scored, key=lambda s: s[0])
    if manual_escalation(db, conv_id):  # a person escalated it: the top band and their reason stay
        kept = [r for r in json.loads(conv[2] or "[]") if str(r).startswith("escalated by")]
        score, reasons = max(score, ESCALATED_PRIORITY), [*kept, *reasons][:6]
    db.conn.execute("UPDATE conversations SET priority = ?, priority_reasons = ?, updated_at = ? WHERE id = ?",
                    (score, json.dumps(reasons), to_iso(now), conv_id))
    return float(conv[1]), score
