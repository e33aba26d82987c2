"""Read and write functions for conversations, replies, notes and brand posts, as typed rows.

The use cases in ``responder.workflow`` hold the rules and call these; the SQL lives here, so a second
database engine can be added behind the same functions without touching a rule. Each function runs
inside the caller's transaction (``store.write(lambda db: ...)`` or ``store.read``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import (
    ANSWERING_STATES,
    Conversation,
    ConversationStatus,
    Event,
    Note,
    Reply,
    ReplyState,
    from_iso,
    to_iso,
)
from careline.errors import NotFound
from careline.store.records import append_event, next_id_sql, rows


def _time(value: Any) -> datetime | None:
    return from_iso(value) if value else None


def conversation_from_row(row: Mapping[str, Any]) -> Conversation:
    """A ``conversations`` row (extra columns ignored) as the typed :class:`Conversation`."""
    reasons = row.get("priority_reasons") or "[]"
    return Conversation(
        id=int(row["id"]), thread_key=row["thread_key"], platform=row["platform"], brand=row["brand"],
        author_key=row["author_key"], status=ConversationStatus(row["status"]),
        priority=float(row["priority"] or 0.0), created_at=_time(row["created_at"]),  # type: ignore[arg-type]
        updated_at=_time(row["updated_at"]),  # type: ignore[arg-type]
        last_customer_at=_time(row.get("last_customer_at")), assignee=row.get("assignee"),
        assigned_at=_time(row.get("assigned_at")), first_response_due=_time(row.get("first_response_due")),
        first_responded_at=_time(row.get("first_responded_at")),
        next_response_due=_time(row.get("next_response_due")), resolution_due=_time(row.get("resolution_due")),
        resolved_at=_time(row.get("resolved_at")), snoozed_until=_time(row.get("snoozed_until")),
        sla_policy=row.get("sla_policy"), escalation_level=int(row.get("escalation_level") or 0),
        priority_reasons=tuple(json.loads(reasons) if isinstance(reasons, str) else reasons),
        team=row.get("team"),
    )


def load_conversation(db: Database, conv_id: int) -> Conversation:
    found = rows(db, "SELECT * FROM conversations WHERE id = ?", (conv_id,))
    if not found:
        raise NotFound(f"conversation {conv_id} does not exist")
    return conversation_from_row(found[0])


def reply_from_row(row: Mapping[str, Any]) -> Reply:
    return Reply(
        id=int(row["id"]), conversation_id=int(row["conversation_id"]), text=row["text"],
        state=ReplyState(row["state"]), created_by=row["created_by"],
        created_at=_time(row["created_at"]), updated_at=_time(row["updated_at"]),  # type: ignore[arg-type]
        idempotency_key=row["idempotency_key"], in_reply_to=row.get("in_reply_to"),
        platform_id=row.get("platform_id"), error=row.get("error"), attempts=int(row.get("attempts") or 0),
        sent_at=_time(row.get("sent_at")), reviewed_by=row.get("reviewed_by"), review_note=row.get("review_note"),
        superseded_by=row.get("superseded_by"),
    )


def load_reply(db: Database, reply_id: int) -> Reply:
    found = rows(db, "SELECT * FROM replies WHERE id = ?", (reply_id,))
    if not found:
        raise NotFound(f"reply {reply_id} does not exist")
    return reply_from_row(found[0])


def reply_by_key(db: Database, idempotency_key: str) -> Reply | None:
    found = rows(db, "SELECT * FROM replies WHERE idempotency_key = ?", (idempotency_key,))
    return reply_from_row(found[0]) if found else None


def answering_reply(db: Database, conv_id: int, mention_key: str) -> Reply | None:
    """The reply that already answers the customer message ``mention_key`` (held, queued or out)."""
    marks = ",".join("?" * len(ANSWERING_STATES))
    found = rows(db, f"SELECT * FROM replies WHERE conversation_id = ? AND in_reply_to = ? AND state IN ({marks}) "
                     "ORDER BY id LIMIT 1", (conv_id, mention_key, *ANSWERING_STATES))
    return reply_from_row(found[0]) if found else None


def later_answer(db: Database, reply: Reply) -> Reply | None:
    """A reply written after ``reply`` that answers the same customer message (held, queued or out): what
    makes ``reply`` a second answer if it were resubmitted or retried now. One written before it is not:
    ``reply`` was then a deliberate "send another"."""
    marks = ",".join("?" * len(ANSWERING_STATES))
    found = rows(db, f"SELECT * FROM replies WHERE conversation_id = ? AND in_reply_to = ? AND id > ? "
                     f"AND state IN ({marks}) ORDER BY id LIMIT 1",
                 (reply.conversation_id, reply.in_reply_to, reply.id, *ANSWERING_STATES))
    return reply_from_row(found[0]) if found else None


def unsent_replies(db: Database, conv_id: int) -> list[Reply]:
    """Replies not yet posted that an answer from elsewhere makes redundant (never ``sending``: that one
    may already be out, and only its own reconciliation can tell)."""
    found = rows(db, "SELECT * FROM replies WHERE conversation_id = ? AND state IN ('draft', 'awaiting_approval', "
                     "'approved', 'failed') ORDER BY id", (conv_id,))
    return [reply_from_row(r) for r in found]


def set_reply_state(db: Database, reply_id: int, state: ReplyState, now: datetime, **columns: Any) -> None:
    """Move a reply to ``state`` with extra columns; names are ours (callers pass keywords), values bound."""
    sets = {"state": state.value, "updated_at": to_iso(now), **columns}
    assignments = ", ".join(f"{name} = ?" for name in sets)
    db.conn.execute(f"UPDATE replies SET {assignments} WHERE id = ?", (*sets.values(), reply_id))


def supersede(db: Database, reply_id: int, conv_id: int, by: str, *, actor: str, now: datetime) -> None:
    """Retire an unsent reply for good, audited: ``by`` is what answered its message instead (a brand post's
    key, or ``reply:N``), which ``replies.where_it_is`` puts in words."""
    set_reply_state(db, reply_id, ReplyState.SUPERSEDED, now, superseded_by=by)
    append_event(db, Event(now, actor, "reply.superseded", f"conversation:{conv_id}", {"reply": reply_id, "by": by}))


def latest_customer_key(db: Database, thread_key: str) -> str | None:
    """The key of the customer's newest message in the thread (what a reply answers)."""
    row = db.conn.execute("SELECT key FROM mentions WHERE thread_key = ? ORDER BY created_at DESC, key DESC LIMIT 1",
                          (thread_key,)).fetchone()
    return row[0] if row else None


def note_from_row(row: Mapping[str, Any]) -> Note:
    return Note(id=int(row["id"]), conversation_id=int(row["conversation_id"]), author=row["author"],
                text=row["text"], created_at=_time(row["created_at"]),  # type: ignore[arg-type]
                kind=row["kind"], reply_id=row.get("reply_id"))


def add_note(db: Database, conv_id: int, author: str, text: str, now: datetime, *, kind: str = "note",
             reply_id: int | None = None) -> Note:
    cur = db.conn.execute(f"INSERT INTO notes (id, conversation_id, author, kind, text, reply_id, created_at) "
                          f"VALUES ({next_id_sql('notes')}, ?, ?, ?, ?, ?, ?)",
                          (conv_id, author, kind, text, reply_id, to_iso(now)))
    return Note(int(cur.lastrowid or 0), conv_id, author, text, now, kind, reply_id)


def notes_of(db: Database, conv_id: int) -> list[Note]:
    return [note_from_row(r) for r in rows(db, "SELECT * FROM notes WHERE conversation_id = ? ORDER BY id",
                                           (conv_id,))]


def latest_send_back(db: Database, reply_id: int) -> Note | None:
    found = rows(db, "SELECT * FROM notes WHERE reply_id = ? AND kind = 'send_back' ORDER BY id DESC LIMIT 1",
                 (reply_id,))
    return note_from_row(found[0]) if found else None


# -- brand posts ----------------------------------------------------------------------------------------
def waiting_brand_posts(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """Brand posts not yet placed, each with its thread's conversation id (``None`` while untracked)."""
    return rows(db, """SELECT b.key, b.platform, b.platform_id, b.handle, b.created_at, b.fetched_at,
                              b.in_reply_to_id, b.text, c.thread_key, c.id AS conversation_id
                       FROM brand_posts b LEFT JOIN conversations c ON c.thread_key = b.thread_key
                       WHERE b.state = 'waiting' ORDER BY b.created_at LIMIT ?""", (limit,))


def place_brand_post(db: Database, key: str, state: str, conv_id: int | None) -> None:
    db.conn.execute("UPDATE brand_posts SET state = ?, conversation_id = ? WHERE key = ?", (state, conv_id, key))


def by_the_brand(db: Database, platform: str, platform_id: str | None) -> bool:
    """Whether the post ``platform_id`` is the brand's own: a brand post we read, or a reply Careline posted."""
    if not platform_id:
        return False
    return db.conn.execute(
        "SELECT 1 FROM brand_posts WHERE platform = ? AND platform_id = ? UNION ALL "
        "SELECT 1 FROM replies r JOIN conversations c ON c.id = r.conversation_id "
        "WHERE c.platform = ? AND r.platform_id = ? LIMIT 1", (platform, platform_id, platform, platform_id)
    ).fetchone() is not None


def replies_in_doubt(db: Database, conv_id: int, answering: str) -> list[Reply]:
    """The conversation's replies to the customer message ``answering`` (a mention key) that may be out without our
    knowing: being posted now, or failed with an unknown outcome."""
    found = rows(db, "SELECT * FROM replies WHERE conversation_id = ? AND in_reply_to = ? AND (state = 'sending' "
                     "OR (state = 'failed' AND error LIKE 'outcome unknown%')) ORDER BY id", (conv_id, answering))
    return [reply_from_row(r) for r in found]


def reply_with_platform_id(db: Database, platform_id: str, conv_id: int) -> Reply | None:
    found = rows(db, "SELECT * FROM replies WHERE conversation_id = ? AND platform_id = ?", (conv_id, platform_id))
    return reply_from_row(found[0]) if found else None


def outside_posts(db: Database, conv_id: int) -> list[dict[str, Any]]:
    """The brand's answers made outside Careline, for the thread view."""
    return rows(db, "SELECT key, platform_id, handle, text, url, created_at FROM brand_posts "
                    "WHERE conversation_id = ? AND state = 'outside' ORDER BY created_at", (conv_id,))


def latest_outside_post(db: Database, conv_id: int) -> dict[str, Any] | None:
    found = rows(db, "SELECT key, handle, created_at FROM brand_posts WHERE conversation_id = ? AND state = 'outside' "
                     "ORDER BY created_at DESC LIMIT 1", (conv_id,))
    return found[0] if found else None


def mark_answered(db: Database, conv_id: int, at: str, *, clock_stops: bool = True) -> None:
    """The customer got an answer at ``at``: the first response is kept if there was one, the
    next-response clock stops (unless ``clock_stops`` is false: the customer wrote again since the message
    it answered, and that message's clock runs on), and the sweep looks again."""
    stop = "next_response_due = NULL, " if clock_stops else ""
    db.conn.execute(f"UPDATE conversations SET first_responded_at = COALESCE(first_responded_at, ?), {stop}"
                    "sla_next_check = NULL WHERE id = ?", (at, conv_id))
