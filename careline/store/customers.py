"""One customer's data: export everything held about an author, or erase it everywhere (GDPR art. 15, 17).

A customer is named by platform and handle; every author row with that handle on that platform is
theirs (a handle can be re-used by a new account id after a rename, and both are the same request).

What belongs to them: their ``authors`` rows; their ``mentions`` (text, URL and the raw platform
payload) and the ``classifications`` of those; the ``conversations`` they started, with everything
hanging off those (``replies``, ``notes``, ``surveys``, ``sla_events``, ``webhook_deliveries``,
``brand_posts`` answering them, audit ``events`` about them).

Erasure deletes all of that in one write transaction with ``secure_delete`` on (freed pages are
zeroed, so the file does not keep the text, and the full-text index is merged so its segments drop
the deleted words), then scrubs the handle and the full name out of the free-text columns that remain
(``FREE_TEXT``: another customer quoting "@dana" in their own post), and records one audit event that
names no one. Keys, statuses and brand names are never scrubbed: a customer whose handle is "new" or
whose display name is a brand's must not rewrite the queue's statuses or the brand column. The
append-only triggers on ``events`` are dropped and re-created inside that same transaction: erasure
is the one exception the audit log allows.
"""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import Event, to_iso
from careline.errors import Conflict, NotFound
from careline.store.records import append_event, author_hash, like_anywhere, rows

ERASED = "[erased]"
#: Row sets that hang off the customer's conversations, in the order they must be deleted (foreign keys).
CONVERSATION_TABLES = (
    ("webhook_deliveries", "sla_event_id IN (SELECT id FROM sla_events WHERE conversation_id IN ({ids}))"),
    ("sla_events", "conversation_id IN ({ids})"),
    ("surveys", "conversation_id IN ({ids})"),
    ("notes", "conversation_id IN ({ids})"),
    ("conversation_tags", "conversation_id IN ({ids})"),
    # their conversations' notes and tags; messages go by author (``_own_search_rows``): another customer's
    # post in the thread is theirs
    ("search", "kind <> 'message' AND thread_key IN (SELECT thread_key FROM conversations WHERE id IN ({ids}))"),
    ("search_unspaced", "kind <> 'message' AND thread_key IN (SELECT thread_key FROM conversations "
                        "WHERE id IN ({ids}))"),
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
    """The author rows for a handle (case-insensitive, a leading @ ignored); NotFound when none.

    A handle stored with an invisible character ("dana\\u200bk") or in fullwidth letters is shown as the plain one
    is, so the admin types the plain one: with no exact match, the one handle that reads the same is taken
    (:func:`_alike`)."""
    wanted = unescaped(handle.strip().lstrip("@"))
    found = rows(db, "SELECT key, name, handle FROM authors WHERE platform = ? AND lower(handle) = lower(?) "
                     "ORDER BY handle = ? DESC, key", (platform, wanted, wanted)) if wanted else []
    if wanted and not found:
        found = _alike(db, platform, wanted)
    if not wanted or not found:
        raise NotFound(f"no {platform} author with the handle {wanted!r}")
    # the handle as the platform spells it ("DANA_K" typed finds dana_k, and the export and question say dana_k)
    return Customer(platform, str(found[0]["handle"]), tuple(r["key"] for r in found),
                    tuple(sorted({r["name"] for r in found if r["name"]})))


def handle_read(handle: str) -> str:
    """A handle as a person reads it: invisible format characters dropped, compatibility forms (fullwidth) folded,
    any case."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKC", handle) if unicodedata.category(ch) != "Cf")
    return plain.casefold()


def shown(handle: str) -> str:
    """A handle with what cannot be seen in it spelt out (``dana\\u200bk``), so two that look alike can be told
    apart, and typed back: :func:`find_customer` reads the escapes."""
    return "".join(ch if ch.isprintable() and unicodedata.category(ch) != "Cf" else f"\\u{ord(ch):04x}"
                   for ch in handle)


def unescaped(typed: str) -> str:
    """``\\u200b`` as typed, read as the character (what :func:`shown` writes)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), typed)


def _alike(db: Database, platform: str, wanted: str) -> list[dict[str, Any]]:
    """The author rows whose handle reads as ``wanted`` does, when they are one handle. Two different handles that
    read alike are two accounts (one may be impersonating the other): neither is taken, and both are named."""
    read = handle_read(wanted)
    found = [r for r in rows(db, "SELECT key, name, handle FROM authors WHERE platform = ? ORDER BY key", (platform,))
             if handle_read(str(r["handle"])) == read]
    handles = sorted({str(r["handle"]).lower() for r in found})
    if len(handles) > 1:
        raise Conflict(f"{len(handles)} {platform} authors have a handle that reads {wanted!r}: "
                       f"{', '.join(shown(h) for h in handles)}; give one as written here")
    return found


def _marks(values: tuple[Any, ...]) -> str:
    return ", ".join("?" * len(values))


def holdings(db: Database, who: Customer) -> tuple[int, int]:
    """(mentions, conversations) held about ``who``: what an erasure's question names before it is asked."""
    keys = who.author_keys
    mentions = db.conn.execute(f"SELECT count(*) FROM mentions WHERE author_key IN ({_marks(keys)})", keys).fetchone()
    return int(mentions[0]), len(_conversation_ids(db, who))


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
        "mention_topics": rows(db, "SELECT t.* FROM mention_topics t JOIN mentions m ON m.key = t.mention_key "
                                   f"WHERE m.author_key IN ({_marks(keys)})", keys),
        "conversations": rows(db, f"SELECT * FROM conversations WHERE id IN ({_marks(ids)})", ids) if ids else [],
    }
    for table, where in CONVERSATION_TABLES:
        tables[table] = rows(db, f"SELECT * FROM {table} WHERE {where.format(ids=_marks(ids))}",
                             ids * where.count("{ids}")) if ids else []
    return CustomerExport(who.platform, who.handle, now.isoformat(),
                          {name: [_parsed(r) for r in found] for name, found in tables.items()})


def _delete(db: Database, table: str, where: str, params: tuple[Any, ...]) -> int:
    return int(db.conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount)


#: The columns that hold what people wrote or what a platform sent: the only places a customer's name can
#: sit in someone else's row. The scrub never touches any other column (keys, statuses, brands).
FREE_TEXT = (("mentions", "text"), ("mentions", "raw"), ("brand_posts", "text"), ("brand_posts", "raw"),
             ("replies", "text"), ("notes", "text"), ("surveys", "comment"), ("events", "data"),
             ("webhook_deliveries", "payload"), ("search", "body"), ("search_unspaced", "body"))
#: A bare handle shorter than this ("new", "x") is scrubbed only as "@handle": as a word it is anyone's word.
MIN_BARE_HANDLE = 4


def _needles(who: Customer) -> list[str]:
    """What the scrub looks for: "@handle"; the bare handle when long enough to be theirs; full names
    (two words or more; a one-word display name such as "Skylark" is too often someone else's word)."""
    full = [n for n in who.names if len(n.split()) >= 2]
    bare = [who.handle] if len(who.handle) >= MIN_BARE_HANDLE else []
    return [f"@{who.handle}", *bare, *full, *(json.dumps(n)[1:-1] for n in full if json.dumps(n)[1:-1] != n)]


def _pattern(who: Customer) -> re.Pattern[str]:
    """The needles as whole words, any case."""
    words = sorted(set(_needles(who)), key=len, reverse=True)
    return re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(w) for w in words if w) + r")(?!\w)", re.IGNORECASE)


def _text_columns(db: Database) -> list[tuple[str, str]]:
    """``FREE_TEXT`` as this database has it."""
    have = set(db.table_names())
    return [(table, column) for table, column in FREE_TEXT if table in have]


LIKE_ANY = "\"{column}\" LIKE ? ESCAPE '\\'"


def _scrub(db: Database, who: Customer) -> int:
    """Replace the customer's handle and names in every remaining text field; returns fields changed."""
    pattern, changed = _pattern(who), 0
    needles = sorted(set(_needles(who)))
    likes = [like_anywhere(n) for n in needles]
    for table, column in _text_columns(db):
        where = " OR ".join(LIKE_ANY.format(column=column) for _ in needles)
        found = db.conn.execute(f'SELECT rowid, "{column}" FROM "{table}" WHERE {where}', likes).fetchall()
        for rowid, value in found:
            new = pattern.sub(ERASED, value) if isinstance(value, str) else value
            if new != value:
                db.conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (new, rowid))
                changed += 1
    return changed


#: The search indexes, each a row per message, note and tag (``search_unspaced``: those in scripts without spaces).
SEARCH_TABLES = ("search", "search_unspaced")


def _own_search_rows(db: Database, threads: str, keys: tuple[str, ...], signatures: list[str]) -> int:
    """Delete the index rows of the customer's own posts: in the threads they wrote in, the message rows
    that end with their handle and name (each row is ``text @handle name``); others' posts stay findable."""
    deleted = 0
    for table in SEARCH_TABLES:
        found = db.conn.execute(f"SELECT rowid, body FROM {table} WHERE kind = 'message' AND thread_key IN "
                                f"({threads})", keys).fetchall()
        own = tuple(rowid for rowid, body in found if any(str(body).endswith(s) for s in signatures))
        deleted += _delete(db, table, f"rowid IN ({_marks(own)})", own) if own else 0
    return deleted


def erase_customer(db: Database, platform: str, handle: str, *, actor: str, now: datetime) -> Erasure:
    """Delete the customer's rows and scrub their name everywhere else; one audit event without their name.

    Runs inside the caller's write transaction, so it happens entirely or not at all.
    """
    who = find_customer(db, platform, handle)
    keys, ids = who.author_keys, _conversation_ids(db, who)
    if ids and db.conn.execute(f"SELECT 1 FROM replies WHERE state = 'sending' AND conversation_id IN "
                               f"({_marks(ids)})", ids).fetchone():
        raise Conflict("a reply to this customer is being posted right now; erase once it is out")
    signatures = [f" @{h} {n or ''}" for h, n in db.conn.execute(
        f"SELECT handle, name FROM authors WHERE key IN ({_marks(keys)})", keys)]
    db.execute("PRAGMA secure_delete = ON")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    deleted = 0
    if ids:
        for table, where in CONVERSATION_TABLES:
            deleted += _delete(db, table, where.format(ids=_marks(ids)), ids * where.count("{ids}"))
    mention_keys = f"SELECT key FROM mentions WHERE author_key IN ({_marks(keys)})"
    threads = f"SELECT thread_key FROM mentions WHERE author_key IN ({_marks(keys)})"
    deleted += _own_search_rows(db, threads, keys, signatures)
    deleted += _delete(db, "mention_topics", f"mention_key IN ({mention_keys})", keys)
    db.conn.execute(f"UPDATE replies SET in_reply_to = NULL WHERE in_reply_to IN ({mention_keys})", keys)
    deleted += _delete(db, "classifications", f"mention_key IN ({mention_keys})", keys)
    mentions = _delete(db, "mentions", f"author_key IN ({_marks(keys)})", keys)
    conversations = _delete(db, "conversations", f"id IN ({_marks(ids)})", ids) if ids else 0
    authors = _delete(db, "authors", f"key IN ({_marks(keys)})", keys)
    scrubbed = _scrub(db, who)
    db.conn.executemany("""INSERT INTO erased_authors (author_hash, erased_at) VALUES (?, ?)
        ON CONFLICT (author_hash) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)""",
                        [(author_hash(k), to_iso(now)) for k in keys])
    for table in SEARCH_TABLES:  # merged: no segment keeps their words
        db.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    for trigger in EVENT_TRIGGERS:
        db.conn.execute(trigger)
    result = Erasure(authors, mentions, conversations, deleted + mentions + conversations + authors, scrubbed)
    append_event(db, Event(now, actor, "customer.erased", "customer:erased",
                           {"platform": platform, "authors": authors, "mentions": mentions,
                            "conversations": conversations, "fields_scrubbed": scrubbed}))
    return result
