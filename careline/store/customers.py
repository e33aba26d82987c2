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
names no one. "Their name" is every handle and display name their posts came under (the search index keeps
each post's, so a rename leaves nothing behind), in any case and as JSON escapes it. Keys, statuses and
brand names are never scrubbed: a customer whose handle is "new" or
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
from careline.store.records import (
    append_event,
    author_hash,
    keep_ids_unused,
    like_anywhere,
    record_erasures,
    rows,
    snapshot,
)
from careline.store.trending import ask_topic_rename

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
    """Everything held about the customer (their own rows and every row hanging off their conversations), as one
    moment of the database (:func:`snapshot`)."""
    with snapshot(db):
        return _export(db, platform, handle, now)


def _export(db: Database, platform: str, handle: str, now: datetime) -> CustomerExport:
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
    tables["replies"] += rows(db, "SELECT * FROM replies WHERE in_reply_to IN (SELECT key FROM mentions WHERE "
                                  f"author_key IN ({_marks(keys)})) AND conversation_id NOT IN ({_marks(ids)}) "
                                  "ORDER BY id", keys + ids)  # the brand's answers to them in others' threads
    for table in ("trend_people", "trend_latest"):
        tables[table] = rows(db, f"SELECT * FROM {table} WHERE author_key IN ({_marks(keys)})", keys)
    # what an erasure would scrub: their handles and names in others' posts, notes and replies
    needles = _needles(_called(who, _own_search_rows(db, keys)))
    tables["named_elsewhere"] = [{"table": table, "column": column, "rowid": rowid, "text": value}
                                 for table, column, rowid, value, _ in _naming(db, needles)
                                 if not _theirs(db, table, rowid, keys, ids)]
    return CustomerExport(who.platform, who.handle, now.isoformat(),
                          {name: [_parsed(r) for r in found] for name, found in tables.items()})


def _theirs(db: Database, table: str, rowid: int, keys: tuple[str, ...], ids: tuple[int, ...]) -> bool:
    """Whether a row that names the customer is already in their export (their own post, or a row of their own
    conversations), so "named elsewhere" lists only the rest."""
    if table == "mentions":
        return db.conn.execute(f"SELECT 1 FROM mentions WHERE rowid = ? AND author_key IN ({_marks(keys)})",
                               (rowid, *keys)).fetchone() is not None
    if table in ("replies", "notes", "surveys", "brand_posts") and ids:
        return db.conn.execute(f"SELECT 1 FROM {table} WHERE rowid = ? AND conversation_id IN ({_marks(ids)})",
                               (rowid, *ids)).fetchone() is not None
    return table in SEARCH_TABLES or table == "events"


def _delete(db: Database, table: str, where: str, params: tuple[Any, ...]) -> int:
    return int(db.conn.execute(f"DELETE FROM {table} WHERE {where}", params).rowcount)


#: The columns that hold what people wrote or what a platform sent: the only places a customer's name can
#: sit in someone else's row. The scrub never touches any other column (keys, statuses, brands).
FREE_TEXT = (("mentions", "text"), ("mentions", "raw"), ("brand_posts", "text"), ("brand_posts", "raw"),
             ("replies", "text"), ("notes", "text"), ("surveys", "comment"), ("events", "data"),
             ("webhook_deliveries", "payload"), ("search", "body"), ("search_unspaced", "body"),
             ("topics", "label"), ("topics", "words"))
#: A bare handle shorter than this ("new", "x") is scrubbed only as "@handle": as a word it is anyone's word.
MIN_BARE_HANDLE = 4


@dataclass(frozen=True)
class Called:
    """What a customer has been called here: their handles and display names now, and the ones their earlier posts
    carried (a search row keeps the handle and name its post was written under; a rename left those behind)."""

    handles: frozenset[str]
    names: frozenset[str]


def _called(who: Customer, own: list[tuple[str, int, str, str]]) -> Called:
    """The customer's handles and names, from their author rows and the index rows of their own posts."""
    handles, names = {who.handle}, set(who.names)
    for _, _, handle, name in own:
        handles.add(handle)
        names.update([name] if name else [])
    return Called(frozenset(h for h in handles if h), frozenset(n for n in names if n.strip()))


def _needles(called: Called) -> list[str]:
    """What the scrub looks for: each "@handle", and the handle as it reads ("@zaraq" for a handle stored with a
    zero-width space in it); a bare handle when long enough to be theirs; full names (two words or more; a
    one-word display name such as "Skylark" is too often someone else's word)."""
    handles = {h for each in called.handles for h in (each, handle_read(each))}
    full = [n for n in called.names if len(n.split()) >= 2]
    return sorted({*(f"@{h}" for h in handles), *(h for h in handles if len(h) >= MIN_BARE_HANDLE), *full})


def _pattern(needles: list[str]) -> re.Pattern[str]:
    """The needles as whole words, any case."""
    words = sorted(set(needles), key=len, reverse=True)
    return re.compile(r"(?<![\w@])(?:" + "|".join(re.escape(w) for w in words if w) + r")(?!\w)", re.IGNORECASE)


def _text_columns(db: Database) -> list[tuple[str, str]]:
    """``FREE_TEXT`` as this database has it."""
    have = set(db.table_names())
    return [(table, column) for table, column in FREE_TEXT if table in have]


LIKE_ANY = "\"{column}\" LIKE ? ESCAPE '\\'"
#: The pre-filter of a needle keeps its ASCII letters and reads any other run as "%": SQLite's LIKE folds only
#: ASCII case, and a raw payload spells "Sofía" as "Sof\\u00eda" (or "SOF\\u00cdA"), so the exact name found
#: neither "SOFÍA RODRÍGUEZ" nor its escapes. Below this many ASCII letters the pattern would match nearly
#: every row: such a name is looked for as written and as JSON escapes it, in its three usual cases.
MIN_SKELETON = 3


def _prefilters(needle: str) -> list[str]:
    """LIKE patterns that every field holding ``needle`` (any case, raw or JSON-escaped) matches."""
    skeleton = re.sub(r"[^\x00-\x7f]+", "%", needle)
    if sum(ch.isalnum() for ch in skeleton) >= MIN_SKELETON:
        return [like_anywhere(skeleton).replace("\\%", "%")]
    cases = {needle, needle.lower(), needle.upper(), needle.title()}
    return sorted({like_anywhere(form) for case in cases for form in (case, json.dumps(case)[1:-1])})


def _scrubbed(value: str, pattern: re.Pattern[str]) -> str:
    """``value`` with the pattern's matches replaced; a JSON document is read, scrubbed string by string and
    written back (its escapes hid a non-ASCII name from the pattern)."""
    if value[:1] in "{[":
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            new = _walk(parsed, pattern)
            return value if new == parsed else json.dumps(new, ensure_ascii="\\u" in value)
    return pattern.sub(ERASED, value)


def _walk(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_walk(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, pattern) for k, v in value.items()}
    return value


def _naming(db: Database, needles: list[str]) -> list[tuple[str, str, int, str, str]]:
    """(table, column, rowid, value, value scrubbed) of every free-text field that names the customer."""
    pattern = _pattern(needles)
    likes = [p for n in needles for p in _prefilters(n)]
    found = []
    for table, column in _text_columns(db):
        where = " OR ".join(LIKE_ANY.format(column=column) for _ in likes)
        for rowid, value in db.conn.execute(f'SELECT rowid, "{column}" FROM "{table}" WHERE {where}', likes):
            if isinstance(value, str) and (scrubbed := _scrubbed(value, pattern)) != value:
                found.append((table, column, rowid, value, scrubbed))
    return found


def _scrub(db: Database, needles: list[str]) -> int:
    """Replace the customer's handles and names in every remaining text field; returns fields changed."""
    found = _naming(db, needles)
    for table, column, rowid, _, scrubbed in found:
        db.conn.execute(f'UPDATE "{table}" SET "{column}" = ? WHERE rowid = ?', (scrubbed, rowid))
    return len(found)


#: The search indexes, each a row per message, note and tag (``search_unspaced``: those in scripts without spaces).
SEARCH_TABLES = ("search", "search_unspaced")


def _own_search_rows(db: Database, keys: tuple[str, ...]) -> list[tuple[str, int, str, str]]:
    """(table, rowid, handle, name) of the index rows of the customer's own posts. Each row is ``text @handle
    name`` as they were when the post came, so a row is theirs when it starts with one of their posts' text in
    that post's thread, unless the handle after it is another author's who wrote the same words there ("+1")."""
    posts = db.conn.execute(f"SELECT thread_key, text FROM mentions WHERE author_key IN ({_marks(keys)})",
                            keys).fetchall()
    texts: dict[str, set[str]] = {}
    for thread, text in posts:
        texts.setdefault(str(thread), set()).add(f"{text} @")
    threads = tuple(texts)
    if not threads:
        return []
    theirs = {str(h) for (h,) in db.conn.execute(f"SELECT handle FROM authors WHERE key IN ({_marks(keys)})", keys)}
    others = {str(h) for (h,) in db.conn.execute(
        f"SELECT DISTINCT a.handle FROM mentions m JOIN authors a ON a.key = m.author_key WHERE m.thread_key IN "
        f"({_marks(threads)}) AND m.author_key NOT IN ({_marks(keys)})", threads + keys)} - theirs
    own = []
    for table in SEARCH_TABLES:
        for rowid, thread, body in db.conn.execute(f"SELECT rowid, thread_key, body FROM {table} WHERE kind = "
                                                   f"'message' AND thread_key IN ({_marks(threads)})", threads):
            start = next((t for t in texts[str(thread)] if str(body).startswith(t)), None)
            if start is None:
                continue
            handle, _, name = str(body)[len(start):].partition(" ")
            if handle not in others:
                own.append((table, int(rowid), handle, name))
    return own


def _delete_own_search_rows(db: Database, own: list[tuple[str, int, str, str]]) -> int:
    deleted = 0
    for table in SEARCH_TABLES:
        rowids = tuple(rowid for t, rowid, _, _ in own if t == table)
        deleted += _delete(db, table, f"rowid IN ({_marks(rowids)})", rowids) if rowids else 0
    return deleted


def _forget_conversation_ids(db: Database, ids: tuple[int, ...]) -> int:
    """Leave nothing that points at the erased conversations' ids: SQLite gives the highest ids out again, and a
    lead's "@lead" note event for an erased conversation showed the next customer's private note as theirs. The
    events that name them go; survey scores and SLA results stay, anonymous (a survey answer loses its
    conversation; a result moves to an id below zero, which no conversation has), so the team's figures do not
    change."""
    deleted = _delete(db, "events", f"json_valid(data) AND json_extract(data, '$.conversation') IN ({_marks(ids)})",
                      ids)
    have = set(db.table_names())
    if "survey_answers" in have:
        db.conn.execute(f"UPDATE survey_answers SET conversation_id = NULL WHERE conversation_id IN ({_marks(ids)})",
                        ids)
    for conv in ids if "report_targets" in have else ():
        db.conn.execute("UPDATE report_targets SET conversation_id = (SELECT min(0, coalesce(min(conversation_id), 0))"
                        " - 1 FROM report_targets) WHERE conversation_id = ?", (conv,))
    return deleted


def erase_customer(db: Database, platform: str, handle: str, *, actor: str, now: datetime,
                   restored: bool = False) -> Erasure:
    """Delete the customer's rows and scrub their name everywhere else; one audit event without their name.

    Runs inside the caller's write transaction, so it happens entirely or not at all.
    """
    who = find_customer(db, platform, handle)
    keys, ids = who.author_keys, _conversation_ids(db, who)
    mention_keys = f"SELECT key FROM mentions WHERE author_key IN ({_marks(keys)})"
    # ``restored``: a backup caught the reply mid-post, but nothing posts from a file just restored
    if not restored and db.conn.execute(
            f"SELECT 1 FROM replies WHERE state = 'sending' AND (conversation_id IN ({_marks(ids)}) OR "
            f"in_reply_to IN ({mention_keys}))", ids + keys).fetchone():
        raise Conflict("a reply to this customer is being posted right now; erase once it is out")
    own = _own_search_rows(db, keys)
    needles = _needles(_called(who, own))
    db.execute("PRAGMA secure_delete = ON")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    db.conn.execute("DROP TRIGGER IF EXISTS events_no_delete")
    keep_ids_unused(db)  # a page still open on their conversation must not reach the next customer's
    record_erasures(db, "threads", [(author_hash(str(t)), to_iso(now) or "") for (t,) in db.conn.execute(
        f"SELECT thread_key FROM conversations WHERE id IN ({_marks(ids)})", ids)])
    deleted = _delete_own_search_rows(db, own)
    if ids:
        for table, where in CONVERSATION_TABLES:
            deleted += _delete(db, table, where.format(ids=_marks(ids)), ids * where.count("{ids}"))
        deleted += _forget_conversation_ids(db, ids)
    placed = _delete(db, "mention_topics", f"mention_key IN ({mention_keys})", keys)
    if placed:  # their words may be in those topics' names: named again from the posts left, at the job's next run
        ask_topic_rename(db, now)
    deleted += placed
    # the brand's answers to their posts in others' threads: the reply stays in that thread, its words go
    db.conn.execute(f"UPDATE replies SET text = ?, in_reply_to = NULL WHERE in_reply_to IN ({mention_keys})",
                    (ERASED, *keys))
    deleted += _delete(db, "classifications", f"mention_key IN ({mention_keys})", keys)
    mentions = _delete(db, "mentions", f"author_key IN ({_marks(keys)})", keys)
    conversations = _delete(db, "conversations", f"id IN ({_marks(ids)})", ids) if ids else 0
    authors = _delete(db, "authors", f"key IN ({_marks(keys)})", keys)
    scrubbed = _scrub(db, needles)
    record_erasures(db, "authors", [(author_hash(k), to_iso(now) or "") for k in keys])
    for table in SEARCH_TABLES:  # merged: no segment keeps their words
        db.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
    for trigger in EVENT_TRIGGERS:
        db.conn.execute(trigger)
    result = Erasure(authors, mentions, conversations, deleted + mentions + conversations + authors, scrubbed)
    append_event(db, Event(now, actor, "customer.erased", "customer:erased",
                           {"platform": platform, "authors": authors, "mentions": mentions,
                            "conversations": conversations, "fields_scrubbed": scrubbed}))
    return result


@dataclass(frozen=True)
class Erased:
    """One line of ``erased_authors`` (who: a digest of the platform id) or of ``erased_threads`` (``kind``
    "threads": a digest of one of their threads, whose brand posts stay out), and when."""

    author_hash: str
    erased_at: str
    kind: str = "authors"


def erasures(db: Database) -> list[Erased]:
    """Every erasure this database records (none before m134 made the table)."""
    tables = db.table_names()
    if "erased_authors" not in tables:
        return []
    found = [Erased(h, at) for h, at in db.conn.execute("SELECT author_hash, erased_at FROM erased_authors")]
    if "erased_threads" in tables:  # a restore dropped them: the brand's replies naming the customer came back
        found += [Erased(h, at, "threads") for h, at in db.conn.execute(
            "SELECT thread_hash, erased_at FROM erased_threads")]
    return found


def erase_again(db: Database, erased: list[Erased], *, now: datetime) -> int:
    """After a restore: the erasures the replaced database had, applied to the restored one, which may be older
    than some of them (a backup taken before the customer asked). Their digests are kept, so the pollers drop
    their old posts again, and every customer among them that the backup still holds is erased again. Returns
    how many were."""
    for kind in ("authors", "threads"):
        record_erasures(db, kind, [(e.author_hash, e.erased_at) for e in erased if e.kind == kind])
    wanted = {e.author_hash for e in erased if e.kind == "authors"}
    found = [(str(platform), str(handle)) for key, platform, handle in
             db.conn.execute("SELECT key, platform, handle FROM authors") if author_hash(str(key)) in wanted]
    done = 0
    for platform, handle in dict.fromkeys(found):
        with contextlib.suppress(NotFound):  # gone with an earlier one of the same handle
            erase_customer(db, platform, handle, actor="restore", now=now, restored=True)
            done += 1
    return done
