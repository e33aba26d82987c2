"""One customer's data: export everything held about an author, or erase it everywhere (GDPR art. 15, 17).

A customer is named by platform and handle; every author row with that handle on that platform is
theirs (a handle can be re-used by a new account id after a rename, and both are the same request).

What belongs to them: their ``authors`` rows; their ``mentions`` (text, URL and the raw platform
payload) and the ``classifications`` of those; the ``conversations`` they started, with everything
hanging off those (``replies``, ``notes``, ``surveys``, ``sla_events``, ``webhook_deliveries``,
``brand_posts`` answering them, audit ``events`` about them).

Erasure deletes all of that in one write transaction with ``secure_delete`` on (freed pages are
zeroed, so the file does not keep the text), then scrubs the handle and the display name out of every
text column of every remaining table (another customer quoting "@dana" in their own post), and
records one audit event that names no one. The append-only triggers on ``events`` are dropped and
re-created inside that same transaction: erasure is the one exception the audit log allows.
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import Event
from careline.errors import NotFound
from careline.store.records import append_event, rows

ERASED = "[erased]"
#: Row sets that hang off the customer's conversations, in the order they must be deleted (foreign keys).
CONVERSATION_TABLES = (
    ("webhook_deliveries", "sla_event_id IN (SELECT id FROM sla_events WHERE conversation_id IN ({ids}))"),
    ("sla_events", "conversation_id IN ({ids})"),
    ("surveys", "conversation_id IN ({ids})"),
    ("notes", "conversation_id IN ({ids})"),
    ("conversation_tags", "conversation_id IN ({ids})"),
    ("search", "thread_key IN (SELECT thread_key FROM conversations WHERE id IN ({ids}))"),
    ("replies", "conversation_id IN ({ids})"),
    ("brand_posts", "conversation_id IN ({ids}) OR thread_key IN (SELECT thread_key FROM conversations "
                    "WHERE id IN ({ids}))"),
    ("events", "subject IN (SELECT 'conversation:' || id FROM conversations WHERE id IN ({ids}))"),
)
#: The append-only guards of ``events`` (as m001 creates them), put back at the end of an erasure.
EVENT_TRIGGERS = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
)


@dataclass(frozen=True)
class Customer:
    """Who a request is about: the author keys found for ``platform`` and ``handle``."""

    platform: str
    handle: str
    author_keys: tuple[str, ...]
    names: tuple[str, ...]


@dataclass(frozen=True)
class CustomerExport:
    """Everything held about one customer, table by table, as stored (raw payloads parsed back to JSON)."""

    platform: str
    handle: str
    exported_at: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"platform": self.platform, "handle": self.handle, "exported_at": self.exported_at,
                "tables": self.tables}


@dataclass(frozen=True)
class Erasure:
    """What an erasure removed (counts only: the record itself must hold no personal data)."""

    authors: int
    mentions: int
    conversations: int
    rows_deleted: int
    fields_scrubbed: int


def find_customer(db: Database, platform: str, handle: str) -> Customer:
    """The author rows for a handle (case-insensitive, a leading @ ignored); NotFound when none."""
    wanted = handle.strip().lstrip("@")
    found = rows(db, "SELECT key, name FROM authors WHERE platform = ? AND lower(handle) = lower(?)",
                 (platform, wanted))
    if not wanted or not found:
        raise NotFound(f"no {platform} author with the handle {wanted!r}")
    return Customer(platform, wanted, tuple(r["key"] for r in found),
                    tuple(sorted({r["name"] for r in found if r["name"]})))


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


def _conversation_ids(db: Database, who: Customer) -> tuple[int, ...]:
    sql = f"SELECT id FROM conversations WHERE author_key IN ({_marks(who.author_keys)}) ORDER BY id"
    return tuple(r[0] for r in db.conn.execute(sql, who.author_keys).fetchall())


def _parsed(row: dict[str, Any]) -> dict[str, Any]:
    """Raw payloads and JSON columns as JSON, not as strings inside strings."""
    out = dict(row)
    for key in ("raw", "data", "payload", "sentiment_scores", "intent_scores", "reasons", "priority_reasons"):
        if isinstance(out.get(key), str):
            with contextlib.suppress(ValueError):
                out[key] = json.loads(out[key])
    return out


def export_customer(db: Database, platform: str, handle: str, *, now: datetime) -> CustomerExport:
    """Everything held about the customer (their own rows and every row hanging off their conversations)."""
    who = find_customer(db, platform, handle)
    keys, ids = who.author_keys, _conversation_ids(db, who)
    tables: dict[str, list[dict[str, Any]]] = {
        "authors": rows(db, f"SELECT * FROM authors WHERE key IN ({_marks(keys)})", keys),
        "mentions": rows(db, f"SELECT * FROM mentions WHERE author_key IN ({_marks(keys)}) ORDER BY created_at", keys),
        "classifications": rows(db, "SELECT c.* FROM classifications c JOIN mentions m ON m.key = c.mention_key "
                                    f"WHERE m.author_key IN ({_marks(keys)})", keys),
        "reading_corrections": rows(db, "SELECT r.* FROM reading_corrections r JOIN mentions m ON m.key = "
                                        f"r.mention_key WHERE m.author_key IN ({_marks(keys)})", keys),
        "conversations": rows(db, f"SELECT * FROM conversations WHERE id IN ({_marks(ids)})", ids) if ids else [],
    }
    for table, where in CONVERSATION_TABLES:
        tables[table] = rows(db, f"SELECT * FROM {table} WHERE {where.format(ids=_marks(ids))}",
                             ids * where.count("{ids}")) if ids else []
    return CustomerExport(who.platform, who.handle, now.isoformat(),
                          {name: [_parsed(r) for r in found] for name, found in tables.items()})


def _delete(db: Database, table: str, where: str, params: tuple[Any, ...]) -> int:
    return int(db.conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount)


def _pattern(who: Customer) -> re.Pattern[str]:
    """The handle (with or without @) and the display names, as whole words, any case."""
    words = sorted({who.handle, *who.names, *(json.dumps(n)[1:-1] for n in who.names)}, key=len, reverse=True)
    return re.compile(r"(?<!\w)@?(?:" + "|".join(re.escape(w) for w in words if w) + r")(?!\w)", re.IGNORECASE)


#: Tables SQLite keeps for the full-text index (``search``): scrubbing and deleting ``search`` itself
#: updates them, and they are WITHOUT ROWID or hold the index's binary pages.
FTS_SHADOWS = ("search_data", "search_idx", "search_content", "search_docsize", "search_config")


def _text_columns(db: Database) -> list[tuple[str, str]]:
    """Every text column of every table that has rows to scrub (a WITHOUT ROWID table, such as the
    report aggregates, holds numbers and keys only)."""
    out = []
    without_rowid = {r[0] for r in db.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID%'")}
    for table in db.table_names():
        if table.startswith(("sqlite_", "_")) or table in FTS_SHADOWS or table in without_rowid:
            continue
        out += [(table, c.name) for c in db[table].columns if c.type.upper() in ("TEXT", "")]
    return out


def _like(text: str) -> str:
    """A LIKE pattern (escape ``\\``) matching ``text`` anywhere; LIKE is case-insensitive for ASCII."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


LIKE_ANY = "\"{column}\" LIKE ? ESCAPE '\\'"


def _scrub(db: Database, who: Customer) -> int:
    """Replace the customer's handle and names in every remaining text field; returns fields changed."""
    pattern, changed = _pattern(who), 0
    needles = [who.handle, *who.names]
    likes = [_like(n) for n in needles]
    for table, column in _text_columns(db):
        where = " OR ".join(LIKE_ANY.format(column=column) for _ in needles)
        found = db.conn.execute(f'SELECT rowid, "{column}" FROM "{table}" WHERE {where}', likes).fetchall()
        for rowid, value in found:
            new = pattern.sub(ERASED, value) if isinstance(value, str) else value
            if new != value:
                db.conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (new, rowid))
                changed += 1
    return changed


def erase_customer(db: Database, platform: str, handle: str, *, actor: str, now: datetime) -> Erasure:
    """Delete the customer's rows and scrub their name everywhere else; one audit event without their name.

    Runs inside the caller's write transaction, so it happens entirely or not at all.
    """
    who = find_customer(db, platform, handle)
    keys, ids = who.author_keys, _conversation_ids(db, who)
    db.execute("PRAGMA secure_delete = ON")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    deleted = 0
    if ids:
        for table, where in CONVERSATION_TABLES:
            deleted += _delete(db, table, where.format(ids=_marks(ids)), ids * where.count("{ids}"))
    mention_keys = f"SELECT key FROM mentions WHERE author_key IN ({_marks(keys)})"
    threads = f"SELECT thread_key FROM mentions WHERE author_key IN ({_marks(keys)})"
    deleted += _delete(db, "search", f"kind = 'message' AND thread_key IN ({threads})", keys)
    deleted += _delete(db, "classifications", f"mention_key IN ({mention_keys})", keys)
    mentions = _delete(db, "mentions", f"author_key IN ({_marks(keys)})", keys)
    conversations = _delete(db, "conversations", f"id IN ({_marks(ids)})", ids) if ids else 0
    authors = _delete(db, "authors", f"key IN ({_marks(keys)})", keys)
    scrubbed = _scrub(db, who)
    for trigger in EVENT_TRIGGERS:
        db.conn.execute(trigger)
    result = Erasure(authors, mentions, conversations, deleted + mentions + conversations + authors, scrubbed)
    append_event(db, Event(now, actor, "customer.erased", "customer:erased",
                           {"platform": platform, "authors": authors, "mentions": mentions,
                            "conversations": conversations, "fields_scrubbed": scrubbed}))
    return result
