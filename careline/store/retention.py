"""Retention: raw platform payloads, closed conversations and audit events are kept only as long as the
policy says (``[retention]`` settings), then purged by a daily job in small batches.

Each call of :func:`purge_batch` is one short write transaction that handles at most ``batch`` items
of each kind, so the service's writer (ingest, replies) never waits long behind it; the job calls it
until a batch finds nothing. Every step is idempotent, so a killed purge resumes next time.

* raw payloads (``mentions.raw``, ``brand_posts.raw``) older than ``raw_payload_days`` are emptied to
  ``{}``: the text, URL and scores a person reads stay, the platform's full JSON goes;
* resolved and dismissed conversations whose last change is older than ``closed_conversation_days``
  are deleted with their thread's mentions and everything hanging off them (as an erasure does);
* audit events older than ``audit_event_days`` are deleted (the append-only guard is lifted for
  that statement only, inside the same transaction).

0 days means "keep for ever" for that kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from careline.domain import to_iso
from careline.settings import RetentionSettings
from careline.store.customers import CONVERSATION_TABLES, EVENT_TRIGGERS, SEARCH_TABLES
from careline.store.records import keep_ids_unused


@dataclass(frozen=True, slots=True)
class Purged:
    """What one batch removed; ``total`` is 0 when there was nothing left to do."""

    raw_payloads: int = 0
    conversations: int = 0
    events: int = 0

    @property
    def total(self) -> int:
        return self.raw_payloads + self.conversations + self.events

    def __add__(self, other: Purged) -> Purged:
        return Purged(self.raw_payloads + other.raw_payloads, self.conversations + other.conversations,
                      self.events + other.events)


def _cutoff(now: datetime, days: int) -> str | None:
    return to_iso(now - timedelta(days=days)) if days > 0 else None


#: What each kind's purge selects (``?``: the cutoff); one definition for the purge and for :func:`pending_purge`.
RAW_TABLES = ("mentions", "brand_posts")
RAW_WHERE = "fetched_at < ? AND raw != '{}'"
CLOSED_WHERE = ("status IN ('resolved', 'dismissed') AND updated_at < ? AND NOT EXISTS (SELECT 1 FROM mentions m "
                "WHERE m.thread_key = c.thread_key AND m.stage IN ('new', 'classified'))")
EVENTS_WHERE = ("e.at < ? AND NOT (e.subject LIKE 'conversation:%' AND EXISTS (SELECT 1 FROM conversations c2 "
                "WHERE c2.id = CAST(substr(e.subject, 14) AS INTEGER)))")


def pending_purge(db: Database, policy: RetentionSettings, now: datetime) -> Purged:
    """What a purge under ``policy`` would remove now, counted and not removed (``careline purge --dry-run``)."""
    raw, closed, events = (_cutoff(now, policy.raw_payload_days), _cutoff(now, policy.closed_conversation_days),
                           _cutoff(now, policy.audit_event_days))

    def count(sql: str, cutoff: str | None) -> int:
        return int(db.conn.execute(sql, (cutoff,)).fetchone()[0]) if cutoff else 0

    return Purged(sum(count(f"SELECT count(*) FROM {t} WHERE {RAW_WHERE}", raw) for t in RAW_TABLES),
                  count(f"SELECT count(*) FROM conversations c WHERE {CLOSED_WHERE}", closed),
                  count(f"SELECT count(*) FROM events e WHERE {EVENTS_WHERE}", events))


def _raw_payloads(db: Database, before: str, batch: int) -> int:
    done = 0
    for table in RAW_TABLES:
        done += db.conn.execute(
            f"UPDATE {table} SET raw = '{{}}' WHERE rowid IN (SELECT rowid FROM {table} "
            f"WHERE {RAW_WHERE} LIMIT ?)", (before, batch)).rowcount
    return done


def _closed_conversations(db: Database, before: str, batch: int) -> int:
    """Closed conversations untouched since ``before``, with their threads' posts; never one whose thread has
    a post still on its way through the classifier and the router: that is the customer writing again, and
    routing it reopens the conversation (deleting the thread lost the message). The listener's insert and
    this purge are both write transactions, so a post stored after this check waits for the next batch."""
    ids = tuple(r[0] for r in db.conn.execute(f"SELECT id FROM conversations c WHERE {CLOSED_WHERE} LIMIT ?",
                                              (before, batch)).fetchall())
    if not ids:
        return 0
    marks = ", ".join("?" * len(ids))
    threads = f"SELECT thread_key FROM conversations WHERE id IN ({marks})"
    keep_ids_unused(db)
    _without_event_guard(db)
    for table, where in CONVERSATION_TABLES:
        db.conn.execute(f"DELETE FROM {table} WHERE {where.format(ids=marks)}", ids * where.count("{ids}"))
    for table in SEARCH_TABLES:  # the whole thread goes, so do its posts' index rows: their text, handles and
        # names stayed for good, and the customer could no longer be found to export or erase them
        db.conn.execute(f"DELETE FROM {table} WHERE kind = 'message' AND thread_key IN ({threads})", ids)
    db.conn.execute(f"DELETE FROM classifications WHERE mention_key IN (SELECT key FROM mentions "
                    f"WHERE thread_key IN ({threads}))", ids)
    db.conn.execute(f"DELETE FROM mentions WHERE thread_key IN ({threads})", ids)
    db.conn.execute(f"DELETE FROM conversations WHERE id IN ({marks})", ids)
    db.conn.execute("DELETE FROM authors WHERE key NOT IN (SELECT author_key FROM mentions) "
                    "AND key NOT IN (SELECT author_key FROM conversations)")
    _restore_event_guard(db)
    return len(ids)


def _events(db: Database, before: str, batch: int) -> int:
    """Audit events older than ``before``, but never a conversation's while it is kept: its SLA is replayed from its
    status events (``responder.history``) and a person's escalation read from them, so a conversation 40 days open
    and paused turned "missed" and was resolved with a 40-day clock. They go with the conversation
    (``closed_conversation_days``)."""
    _without_event_guard(db)
    done = db.conn.execute(f"DELETE FROM events WHERE id IN (SELECT e.id FROM events e WHERE {EVENTS_WHERE} "
                           "ORDER BY e.id LIMIT ?)", (before, batch)).rowcount
    _restore_event_guard(db)
    return int(done)


def _without_event_guard(db: Database) -> None:
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_delete")


def _restore_event_guard(db: Database) -> None:
    for trigger in EVENT_TRIGGERS:
        db.conn.execute(trigger)


def purge_batch(db: Database, policy: RetentionSettings, now: datetime) -> Purged:
    """One batch of each kind past its retention; runs inside the caller's write transaction."""
    raw, closed, events = (_cutoff(now, policy.raw_payload_days), _cutoff(now, policy.closed_conversation_days),
                           _cutoff(now, policy.audit_event_days))
    return Purged(_raw_payloads(db, raw, policy.batch_size) if raw else 0,
                  _closed_conversations(db, closed, policy.batch_size) if closed else 0,
                  _events(db, events, policy.batch_size) if events else 0)
