"""Row-level helpers for the shared tables; each takes a ``Database`` inside the caller's transaction.

They are plain functions, not methods on ``Store``, so a caller can compose several (a batch of
mentions plus its cursor, a status change plus its audit event) into one atomic ``Store.write``.
Every statement is parameterised: mention text is hostile input.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import Event, Mention, SourceCursor, from_iso, to_iso


@dataclass(frozen=True, slots=True)
class IngestResult:
    inserted: int
    duplicates: int
    inserted_keys: tuple[str, ...] = ()
    erased: int = 0  # posts of erased customers written before their erasure, not stored again


def author_hash(author_key: str) -> str:
    """How ``erased_authors`` names an erased customer: a digest of their platform id, never the id itself."""
    return hashlib.sha256(author_key.encode("utf-8", "surrogatepass")).hexdigest()


#: The erasure records: per kind, the table and its digest column (``author_hash`` of the author or thread key).
ERASED = {"authors": ("erased_authors", "author_hash"), "threads": ("erased_threads", "thread_hash")}


def record_erasures(db: Database, kind: str, erased: Sequence[tuple[str, str]]) -> None:
    """Keep (digest, erased at) of erased authors or threads (:data:`ERASED`); a digest kept already keeps its
    latest time."""
    table, column = ERASED[kind]
    db.conn.executemany(f"""INSERT INTO {table} ({column}, erased_at) VALUES (?, ?)
        ON CONFLICT ({column}) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)""", erased)


def _written_after_erasure(db: Database, posts: Sequence[Mention], kind: str,
                           key_of: Callable[[Mention], str]) -> list[Mention]:
    """``posts`` without those whose author or thread (``key_of``) was erased after they were written."""
    hashes = {key_of(m): author_hash(key_of(m)) for m in posts}
    if not hashes:
        return list(posts)
    table, column = ERASED[kind]
    marks = ", ".join("?" * len(hashes))
    erased = dict(db.conn.execute(f"SELECT {column}, erased_at FROM {table} WHERE {column} IN ({marks})",
                                  list(hashes.values())).fetchall())
    if not erased:
        return list(posts)
    return [m for m in posts if (at := erased.get(hashes[key_of(m)])) is None or (to_iso(m.created_at) or "") > at]


def _not_erased(db: Database, mentions: Sequence[Mention]) -> list[Mention]:
    """``mentions`` without the posts of erased customers written before their erasure.

    Why: the pollers read each feed again (a search window, a restart, a cursor reset), so an erased
    customer's old posts came back within seconds of the erasure. Their later posts are new contact
    and are stored as any other."""
    return _written_after_erasure(db, mentions, "authors", lambda m: m.author.key)


def _author_rows(mentions: Sequence[Mention], now: str) -> list[tuple[Any, ...]]:
    seen: dict[str, tuple[Any, ...]] = {}
    for m in mentions:
        a = m.author
        seen[a.key] = (a.key, a.platform, a.platform_id, a.handle, a.name, a.followers, int(a.verified), now, now)
    return list(seen.values())


def store_mentions(
    db: Database, mentions: Sequence[Mention], cursor: SourceCursor | None, now: datetime
) -> IngestResult:
    """Insert new mentions (ignoring ones already stored) and move the cursor, in the caller's txn.

    ``(platform, platform_id)`` is unique, so re-ingesting a page after a crash or an overlapping
    poll is a no-op for the rows that are already there. Posts by the brand's own account
    (``Mention.from_brand``) go to ``brand_posts`` in the same transaction, never to ``mentions``; an
    erased customer's posts from before their erasure go nowhere (``_not_erased``).
    """
    store_brand_posts(db, [m for m in mentions if m.from_brand], now)
    customers = [m for m in mentions if not m.from_brand]
    mentions = _not_erased(db, customers)
    stamp = to_iso(now)
    db.conn.executemany(
        """INSERT INTO authors (key, platform, platform_id, handle, name, followers, verified,
                                first_seen, last_seen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(key) DO UPDATE SET handle = excluded.handle, name = excluded.name,
               followers = excluded.followers, verified = excluded.verified,
               last_seen = excluded.last_seen""",
        _author_rows(mentions, stamp or ""),
    )
    inserted: list[str] = []
    for m in mentions:
        cur = db.conn.execute(
            """INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url,
                   created_at, fetched_at, conversation_id, thread_key, in_reply_to_id, language, raw)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(platform, platform_id) DO NOTHING""",
            (
                m.key, m.platform, m.platform_id, m.brand, m.source, m.author.key, m.text, m.url,
                to_iso(m.created_at), to_iso(m.fetched_at), m.conversation_id, m.thread_key,
                m.in_reply_to_id, m.language, m.raw_json(),
            ),
        )
        if cur.rowcount == 1:
            inserted.append(m.key)
    if cursor is not None:
        save_cursor(db, cursor, now)
    return IngestResult(len(inserted), len(mentions) - len(inserted), tuple(inserted), len(customers) - len(mentions))


def _not_in_erased_threads(db: Database, posts: Sequence[Mention]) -> list[Mention]:
    """``posts`` without the brand's own posts, from before the erasure, in an erased customer's threads: read
    again by the pollers, the brand's replies to them ("Hello @maria_travels, ...") were stored again."""
    return _written_after_erasure(db, posts, "threads", lambda m: m.thread_key)


def store_brand_posts(db: Database, posts: Sequence[Mention], now: datetime) -> int:
    """Insert brand-account posts found in threads as ``waiting``; a post stored before is left alone, and so is
    one in an erased customer's thread (:func:`_not_in_erased_threads`)."""
    inserted = 0
    for m in _not_in_erased_threads(db, posts):
        cur = db.conn.execute(
            """INSERT INTO brand_posts (key, platform, platform_id, brand, thread_key, handle, text, url,
                   created_at, fetched_at, in_reply_to_id, raw)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(platform, platform_id) DO NOTHING""",
            (m.key, m.platform, m.platform_id, m.brand, m.thread_key, m.author.handle, m.text, m.url,
             to_iso(m.created_at), to_iso(now), m.in_reply_to_id, m.raw_json()))
        inserted += cur.rowcount == 1
    return inserted


def save_cursor(db: Database, cursor: SourceCursor, now: datetime) -> None:
    db.conn.execute(
        """INSERT INTO cursors (source, brand, value, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT(source, brand) DO UPDATE SET value = excluded.value,
               updated_at = excluded.updated_at""",
        (cursor.source, cursor.brand, cursor.value, to_iso(now)),
    )


def load_cursor(db: Database, source: str, brand: str) -> SourceCursor:
    row = db.conn.execute(
        "SELECT value, updated_at FROM cursors WHERE source = ? AND brand = ?", (source, brand)
    ).fetchone()
    if row is None:
        return SourceCursor(source, brand, None, None)
    return SourceCursor(source, brand, row[0], from_iso(row[1]))


def append_event(db: Database, event: Event) -> int:
    """Write ``event``, never stamped before the subject's previous one. Why: an action's time is taken when its
    request arrives, and its write waits its turn; a dismiss that arrived just before the claim it depended on
    was written after it, and its trail read "dismissed" before "claimed". The ids give the order the writes took
    effect; the times now agree with them."""
    cur = db.conn.execute(
        """INSERT INTO events (at, actor, kind, subject, data) VALUES (max(?1, coalesce((SELECT at FROM events
            WHERE subject = ?4 ORDER BY id DESC LIMIT 1), ?1)), ?2, ?3, ?4, ?5)""",
        (to_iso(event.at), event.actor, event.kind, event.subject, json.dumps(dict(event.data), default=str)),
    )
    return int(cur.lastrowid or 0)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An audit event read back, with its id."""

    id: int
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]


def last_status_event(db: Database, conv_id: int) -> StoredEvent | None:
    """The conversation's newest status change (``conversation.status`` or an undo of one)."""
    row = db.conn.execute("SELECT id, at, actor, kind, data FROM events WHERE subject = ? "
                          "AND kind IN ('conversation.status', 'conversation.undone') ORDER BY id DESC LIMIT 1",
                          (f"conversation:{conv_id}",)).fetchone()
    if row is None:
        return None
    return StoredEvent(row[0], from_iso(row[1]), row[2], row[3], json.loads(row[4]))  # type: ignore[arg-type]


def events_for(db: Database, subject: str) -> list[Event]:
    rows = db.conn.execute(
        "SELECT at, actor, kind, subject, data FROM events WHERE subject = ? ORDER BY id", (subject,)
    ).fetchall()
    return [Event(from_iso(r[0]), r[1], r[2], r[3], json.loads(r[4])) for r in rows]  # type: ignore[arg-type]


def rows(db: Database, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
    """Run a parameterised query and return dict rows (the shape the web layer wants)."""
    cur = db.conn.execute(sql, params)
    names = [d[0] for d in cur.description or ()]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def like_anywhere(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its ``%``, ``_`` and ``\\`` literal: use with ``ESCAPE '\\'``.
    SQLite's LIKE folds ASCII case only."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: The tables whose ids a page or a link holds on to: a conversation, a reply, a note. SQLite gives a plain
#: ``INTEGER PRIMARY KEY``'s highest id out again once its row is deleted, and an agent's page still open on an
#: erased conversation posted its reply to the next customer's conversation, which had that id.
KEPT_IDS = ("conversations", "replies", "notes")


def next_id_sql(table: str) -> str:
    """SQL for the id a new row of ``table`` takes: past every id it has given, deleted or not
    (:func:`keep_ids_unused`)."""
    return (f"(SELECT max(coalesce((SELECT max(id) FROM {table}), 0), "
            f"coalesce((SELECT last FROM id_floors WHERE name = '{table}'), 0)) + 1)")


def keep_ids_unused(db: Database) -> None:
    """Before rows of :data:`KEPT_IDS` are deleted (an erasure, the retention purge): no later row takes an id
    they had."""
    for table in KEPT_IDS:
        db.conn.execute(f"""INSERT INTO id_floors (name, last) SELECT '{table}', coalesce(max(id), 0) FROM {table}
            WHERE true ON CONFLICT (name) DO UPDATE SET last = max(last, excluded.last)""")


@contextlib.contextmanager
def snapshot(db: Database) -> Iterator[Database]:
    """Every read inside sees the database as one moment: a read connection outside a transaction gives each
    statement its own, and an export that ran while an erasure committed held the customer's author row but none
    of their posts. Inside a caller's transaction, that one."""
    if db.conn.in_transaction:
        yield db
        return
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        db.conn.execute("COMMIT")
