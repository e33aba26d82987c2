"""Read models shared by the CLI, the JSON API and the pages: plain SQL, parameterised, dict rows."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from careline.domain import ACTIVE_STATUSES
from careline.languages import UNSPACED_CLASS
from careline.store.records import rows

OPEN_STATUSES = ACTIVE_STATUSES

#: A conversation's language: its newest customer message's whose language is known. A wordless follow-up ("؟؟",
#: "🙏🙏", tagged und) took an urgent Arabic complaint out of the Arabic queue, and the row read "und".
CONVERSATION_LANGUAGE = """(SELECT m3.language FROM mentions m3 WHERE m3.thread_key = c.thread_key
        AND m3.language IS NOT NULL AND m3.language <> 'und' ORDER BY m3.created_at DESC LIMIT 1)"""

QUEUE_COLUMNS = """
       c.id, c.thread_key, c.platform, c.brand, c.status, c.priority, c.priority_reasons, c.assignee,
       c.created_at, c.updated_at, c.last_customer_at, c.first_response_due, c.first_responded_at,
       c.next_response_due, c.resolution_due, c.sla_policy, c.team, c.snoozed_until,
       (SELECT group_concat(t.tag, ',') FROM conversation_tags t WHERE t.conversation_id = c.id) AS tags,
       json_extract(c.sla_snapshot, '$.warn_before_minutes') AS warn_before_minutes,
       a.handle, a.name AS author_name, a.followers,
       m.key AS mention_key, m.text, m.url, coalesce(""" + CONVERSATION_LANGUAGE + """, m.language) AS language,
       cl.language_covered, cl.severity,
       cl.sentiment, cl.complaint, cl.detractor, cl.intent, cl.urgency,
       (SELECT rc.corrected_by FROM reading_corrections rc WHERE rc.mention_key = m.key) AS corrected_by,
       (SELECT count(*) FROM replies r WHERE r.conversation_id = c.id AND r.state = 'awaiting_approval') AS held,
       (SELECT count(*) FROM replies r WHERE r.conversation_id = c.id AND r.state = 'draft'
            AND r.reviewed_by IS NOT NULL) AS sent_back"""

# The page of conversation ids is chosen first, on ``conversations`` alone, so the joins (author,
# latest message, its classification) run for the 50 rows shown rather than for every open
# conversation. With the partial index ``conversations_open_queue`` the inner query walks the index
# in queue order and stops after ``limit`` rows. ``INDEXED BY`` pins that plan: without ANALYZE
# statistics SQLite prefers ``conversations_queue`` and sorts every open row (200+ ms at 100k).
QUEUE_SQL = """
WITH page AS (
    SELECT c.id, c.priority, COALESCE(c.next_response_due, c.first_response_due) AS due
    FROM conversations c {indexed}
    WHERE {where}
    ORDER BY c.priority DESC, COALESCE(c.next_response_due, c.first_response_due) ASC, c.id ASC
    LIMIT :limit OFFSET :offset
)
SELECT""" + QUEUE_COLUMNS + """
FROM page
JOIN conversations c ON c.id = page.id
JOIN authors a ON a.key = c.author_key
JOIN mentions m ON m.key = (
    SELECT key FROM mentions WHERE thread_key = c.thread_key ORDER BY created_at DESC, key DESC LIMIT 1)
LEFT JOIN classifications cl ON cl.mention_key = m.key
ORDER BY page.priority DESC, page.due ASC, page.id ASC
"""

LATEST_INTENT = """(SELECT cl2.intent FROM mentions m2 JOIN classifications cl2 ON cl2.mention_key = m2.key
    WHERE m2.thread_key = c.thread_key ORDER BY m2.created_at DESC LIMIT 1)"""

FILTERS = {
    "platform": "c.platform = :platform",
    "brand": "c.brand = :brand",
    "status": "c.status = :status",
    "assignee": "c.assignee = :assignee",
    "intent": LATEST_INTENT + " = :intent",
    "language": "coalesce(" + CONVERSATION_LANGUAGE + ", 'und') = :language",
    "tag": "EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag = :tag)",
    "team": "c.team = :team",
    # a person corrected the model's reading of some message of the thread (a lead reviewing them)
    "corrected": """EXISTS (SELECT 1 FROM mentions m4 JOIN reading_corrections rc ON rc.mention_key = m4.key
        WHERE m4.thread_key = c.thread_key)""",
}
#: Must stay textually the same as the WHERE of the partial index, or SQLite will not use the index.
OPEN_CLAUSE = "c.status IN ('new', 'open', 'pending', 'snoozed')"
HIDE_SNOOZED = "c.status != 'snoozed'"


def queue_rows(db: Database, *, limit: int = 50, offset: int = 0, after: QueueCursor | None = None,
               **filters: Any) -> list[dict[str, Any]]:
    """Open conversations, most urgent first; each filter is a bound parameter, never spliced SQL.

    ``after`` pages by keyset (the last row's priority, due time and id), so page 1,000 costs what
    page 1 costs; ``offset`` stays for old API callers.
    """
    clauses, params = _filter_clauses(filters)
    params.update({"limit": limit, "offset": offset})
    indexed = ""
    if not filters.get("status") or filters["status"] in OPEN_STATUSES:
        clauses.append(OPEN_CLAUSE)
        indexed = "INDEXED BY conversations_open_queue"
    if not filters.get("status"):  # the working view: a snoozed conversation is out of sight until it wakes
        clauses.append(HIDE_SNOOZED)
    if after is not None:
        clauses.append(after.clause())
        params.update(after.params())
    return rows(db, QUEUE_SQL.format(where=" AND ".join(clauses) or "1", indexed=indexed), params)


def _filter_clauses(filters: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        clauses.append(FILTERS[name])
        params[name] = value
    return clauses, params


@dataclass(frozen=True, slots=True)
class QueueCursor:
    """Where a queue page ended: the last row's sort key (priority, due time, id)."""

    priority: float
    due: str | None
    id: int

    @classmethod
    def after_row(cls, row: dict[str, Any]) -> QueueCursor:
        return cls(float(row["priority"]), row.get("next_response_due") or row.get("first_response_due"),
                   int(row["id"]))

    def encode(self) -> str:
        raw = json.dumps([self.priority, self.due, self.id], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> QueueCursor:
        """Raises ``ValueError`` for anything that is not a cursor this module made."""
        try:
            p, d, i = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (ValueError, TypeError, binascii.Error) as exc:
            raise ValueError("after is not a queue cursor") from exc
        if not (isinstance(p, int | float) and not isinstance(p, bool) and (d is None or isinstance(d, str))
                and isinstance(i, int) and not isinstance(i, bool)):
            raise ValueError("after is not a queue cursor")
        # what SQLite can bind: a float that is finite (no 10**400), an id within 64 bits, a short time
        if not (-1e300 < p < 1e300 and 0 <= i < 2**63 and len(d or "") <= 40):
            raise ValueError("after is not a queue cursor")
        return cls(float(p), d, i)

    def clause(self) -> str:
        """Rows after this one in queue order (priority DESC, due ASC with no due first, id ASC)."""
        due = "COALESCE(c.next_response_due, c.first_response_due)"
        later_due = f"{due} IS NOT NULL" if self.due is None else f"{due} > :after_due"
        same_due = f"{due} IS NULL" if self.due is None else f"{due} = :after_due"
        return (f"(c.priority < :after_priority OR (c.priority = :after_priority AND ({later_due} OR "
                f"({same_due} AND c.id > :after_id))))")

    def params(self) -> dict[str, Any]:
        return {"after_priority": self.priority, "after_due": self.due, "after_id": self.id}


def search_rows(db: Database, text: str, *, limit: int = 50, before: int | None = None,
                **filters: Any) -> tuple[list[dict[str, Any]], int | None]:
    """Conversations whose messages, author, notes or tags match ``text``, newest match first, with the
    rowid to page from next (``None`` on the last page). Every status unless ``status`` is given.

    The full-text index is walked newest-first and stops once ``limit`` conversations are found, so a
    common word costs no more than a rare one.
    """
    words = re.findall(r"\w+", text)[:12]
    if not words:
        return [], None
    clauses, params = _filter_clauses(filters)
    if any(UNSPACED.search(w) for w in words):  # Chinese, Japanese, Thai ...: words inside runs (m138)
        table, matching = "search_unspaced", _unspaced_clauses(words, params)
    else:
        table, matching = "search", ["search MATCH :match"]
        params["match"] = _fts_words(words)
    where = " AND ".join([*matching, "s.rowid < :before", *clauses])
    params["scan"] = limit * 4
    order: list[int] = []
    seen: set[int] = set()
    cursor = before or 2**62
    while len(order) < limit:
        params["before"] = cursor
        batch = db.conn.execute(f"SELECT s.rowid, c.id FROM {table} s JOIN conversations c "
                                f"ON c.thread_key = s.thread_key WHERE {where} ORDER BY s.rowid DESC LIMIT :scan",
                                params).fetchall()
        for hit, conv_id in batch:
            cursor = hit
            if conv_id not in seen:
                seen.add(conv_id)
                order.append(conv_id)
                if len(order) == limit:
                    break
        if len(batch) < params["scan"]:
            cursor = 0 if len(order) < limit else cursor
            break
    found = {r["id"]: r for r in rows_for(db, order)}
    return [found[i] for i in order if i in found], (cursor or None) if len(order) == limit else None


#: A letter of the scripts written without spaces between words (``careline.languages.UNSPACED_RANGES``).
UNSPACED = re.compile(UNSPACED_CLASS)


def _unspaced_clauses(words: list[str], params: dict[str, Any]) -> list[str]:
    """``search_unspaced``'s conditions for ``words``: the trigram index for a word of three characters or more
    (anywhere in a post, any case), a scan of that index's rows (only the posts in those scripts) for a shorter one
    ("网络": a trigram needs three)."""
    long = [w for w in words if len(w) >= 3]
    out = []
    if long:
        params["match"] = " AND ".join('"' + w.replace('"', '""') + '"' for w in long)
        out.append("search_unspaced MATCH :match")
    for i, w in enumerate(w for w in words if len(w) < 3):
        params[f"short{i}"] = w.lower()
        out.append(f"instr(lower(s.body), :short{i}) > 0")
    return out


def rows_for(db: Database, ids: list[int]) -> list[dict[str, Any]]:
    """Queue rows (same columns as :func:`queue_rows`) for the given conversation ids."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    sql = QUEUE_SQL.replace(":limit OFFSET :offset", str(len(ids))).format(
        where=f"c.id IN ({marks})", indexed="")
    return rows(db, sql, ids)


def fts_query(text: str) -> str | None:
    """The person's words as a safe FTS5 query: every word must match, the last one as a prefix.
    Operators and quotes typed by a person are words, never syntax."""
    words = re.findall(r"\w+", text)[:12]
    return _fts_words(words) if words else None


def _fts_words(words: list[str]) -> str:
    """:func:`fts_query` of words already split out of the text."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def counts(db: Database) -> dict[str, int]:
    """Headline numbers for the status line and /health."""
    one = db.conn.execute
    return {
        "mentions": one("SELECT count(*) FROM mentions").fetchone()[0],
        "unclassified": one("SELECT count(*) FROM mentions WHERE stage = 'new'").fetchone()[0],
        "open_conversations": one(
            f"SELECT count(*) FROM conversations WHERE {OPEN_CLAUSE.replace('c.', '')}").fetchone()[0],
    }


def source_health(db: Database) -> list[dict[str, Any]]:
    return rows(db, """
        SELECT h.source, h.brand, h.status, h.consecutive_failures, h.last_error, h.last_success_at,
               h.next_attempt_at, h.last_warning, h.last_warning_at, u.posts_read AS posts_today,
               u.cost_usd AS cost_today
        FROM source_health h
        LEFT JOIN source_usage u ON u.source = h.source AND u.brand = h.brand AND u.day = date('now')
        ORDER BY h.source, h.brand""")


# -- one conversation, for the agent's conversation page -----------------------------------------
def conversation(db: Database, conv_id: int) -> dict[str, Any] | None:
    found = rows(db, """
        SELECT c.*, a.handle, a.name AS author_name, a.followers, a.verified, a.first_seen AS author_first_seen
        FROM conversations c JOIN authors a ON a.key = c.author_key WHERE c.id = ?""", (conv_id,))
    return found[0] if found else None


#: How many of a thread's customer messages a conversation shows: the newest ones.
THREAD_SHOWN = 200


def thread(db: Database, thread_key: str) -> list[dict[str, Any]]:
    """The customer's newest :data:`THREAD_SHOWN` messages in order, each with the model's scores and reasons.
    The newest, not the first: a thread past 200 messages showed its oldest, and the message to answer was not
    on the page."""
    return rows(db, """
        SELECT * FROM (SELECT m.key, m.text, m.url, m.created_at, m.language, a.handle, a.name AS author_name,
               cl.model_version, cl.sentiment, cl.sentiment_scores, cl.complaint, cl.detractor, cl.intent,
               cl.intent_scores, cl.urgency, cl.reasons, cl.effort, cl.language_covered, cl.language_path,
               cl.severity, cl.sarcasm, rc.corrected_by, rc.corrected_at, rc.model_complaint, rc.model_sentiment,
               rc.complaint AS corrected_complaint, rc.sentiment AS corrected_sentiment,
               rc.intent AS corrected_intent, rc.model_intent
        FROM mentions m JOIN authors a ON a.key = m.author_key
        LEFT JOIN classifications cl ON cl.mention_key = m.key
        LEFT JOIN reading_corrections rc ON rc.mention_key = m.key
        WHERE m.thread_key = ? ORDER BY m.created_at DESC, m.key DESC LIMIT ?) ORDER BY created_at, key""",
                (thread_key, THREAD_SHOWN))


def thread_length(db: Database, thread_key: str) -> int:
    return int(db.conn.execute("SELECT count(*) FROM mentions WHERE thread_key = ?", (thread_key,)).fetchone()[0])


def replies(db: Database, conv_id: int) -> list[dict[str, Any]]:
    return rows(db, """SELECT id, text, state, created_by, created_at, updated_at, error, in_reply_to, reviewed_by,
                              review_note, superseded_by, sent_at
                       FROM replies WHERE conversation_id = ? ORDER BY id""", (conv_id,))


def author_history(db: Database, author_key: str, *, exclude: int | None = None) -> dict[str, Any]:
    """Earlier contacts of the same person: repeat contact is the strongest effort signal we have."""
    convs = rows(db, """
        SELECT id, brand, platform, status, created_at, resolved_at FROM conversations
        WHERE author_key = ? AND id IS NOT ? ORDER BY created_at DESC LIMIT 20""", (author_key, exclude))
    stats = db.conn.execute("""
        SELECT count(*), min(m.created_at), sum(cl.complaint >= 0.5), sum(cl.sentiment = 'negative')
        FROM mentions m LEFT JOIN classifications cl ON cl.mention_key = m.key
        WHERE m.author_key = ?""", (author_key,)).fetchone()
    return {"conversations": convs, "mentions": stats[0], "first_mention_at": stats[1],
            "complaints": stats[2] or 0, "negative": stats[3] or 0}


def conversation_events(db: Database, conv_id: int) -> list[dict[str, Any]]:
    return rows(db, "SELECT at, actor, kind, data FROM events WHERE subject = ? ORDER BY id DESC LIMIT 50",
                (f"conversation:{conv_id}",))


def users(db: Database) -> list[dict[str, Any]]:
    return rows(db, "SELECT username, role, display_name, available FROM users ORDER BY username")


def source_status(db: Database, day: str) -> list[dict[str, Any]]:
    """Every source seen in health, cursor or today's usage rows: health, posts and cost on ``day``,
    and when its cursor last moved (``careline status``)."""
    return rows(db, """
        WITH keys AS (SELECT source, brand FROM source_health
                      UNION SELECT source, brand FROM cursors
                      UNION SELECT source, brand FROM source_usage WHERE day = :day)
        SELECT k.source, k.brand, COALESCE(h.status, 'unknown') AS status, h.consecutive_failures,
               h.last_error, h.last_success_at, h.next_attempt_at, h.last_warning, h.last_warning_at,
               COALESCE(u.requests, 0) AS requests_today, COALESCE(u.posts_read, 0) AS posts_today,
               COALESCE(u.cost_usd, 0.0) AS cost_today, c.updated_at AS cursor_updated_at
        FROM keys k
        LEFT JOIN source_health h ON h.source = k.source AND h.brand = k.brand
        LEFT JOIN source_usage u ON u.source = k.source AND u.brand = k.brand AND u.day = :day
        LEFT JOIN cursors c ON c.source = k.source AND c.brand = k.brand
        ORDER BY k.brand, k.source""", {"day": day})
