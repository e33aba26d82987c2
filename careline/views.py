"""Read models shared by the CLI, the JSON API and the pages: plain SQL, parameterised, dict rows."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from careline.store.records import rows

OPEN_STATUSES = ("new", "open", "pending", "snoozed")

QUEUE_SQL = """
SELECT c.id, c.thread_key, c.platform, c.brand, c.status, c.priority, c.priority_reasons, c.assignee,
       c.created_at, c.updated_at, c.last_customer_at, c.first_response_due, c.first_responded_at,
       c.next_response_due, c.resolution_due, c.sla_policy,
       a.handle, a.name AS author_name, a.followers,
       m.key AS mention_key, m.text, m.url,
       cl.sentiment, cl.complaint, cl.detractor, cl.intent, cl.urgency
FROM conversations c
JOIN authors a ON a.key = c.author_key
JOIN mentions m ON m.key = (
    SELECT key FROM mentions WHERE thread_key = c.thread_key ORDER BY created_at DESC LIMIT 1)
LEFT JOIN classifications cl ON cl.mention_key = m.key
WHERE {where}
ORDER BY c.priority DESC, COALESCE(c.next_response_due, c.first_response_due) ASC, c.id ASC
LIMIT :limit OFFSET :offset
"""

FILTERS = {
    "platform": "c.platform = :platform",
    "brand": "c.brand = :brand",
    "status": "c.status = :status",
    "assignee": "c.assignee = :assignee",
    "intent": "cl.intent = :intent",
}


def queue_rows(db: Database, *, limit: int = 50, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """Open conversations, most urgent first; each filter is a bound parameter, never spliced SQL."""
    clauses = []
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    for name, value in filters.items():
        if value in (None, ""):
            continue
        if name not in FILTERS:
            raise ValueError(f"unknown filter {name!r}")
        clauses.append(FILTERS[name])
        params[name] = value
    if "status" not in filters or not filters.get("status"):
        clauses.append("c.status IN ('new', 'open', 'pending', 'snoozed')")
    return rows(db, QUEUE_SQL.format(where=" AND ".join(clauses) or "1"), params)


def counts(db: Database) -> dict[str, int]:
    """Headline numbers for the status line and /health."""
    one = db.conn.execute
    return {
        "mentions": one("SELECT count(*) FROM mentions").fetchone()[0],
        "unclassified": one("SELECT count(*) FROM mentions WHERE stage = 'new'").fetchone()[0],
        "open_conversations": one(
            "SELECT count(*) FROM conversations WHERE status IN ('new','open','pending','snoozed')").fetchone()[0],
    }


def source_health(db: Database) -> list[dict[str, Any]]:
    return rows(db, """
        SELECT h.source, h.brand, h.status, h.consecutive_failures, h.last_error, h.last_success_at,
               h.next_attempt_at, u.posts_read AS posts_today, u.cost_usd AS cost_today
        FROM source_health h
        LEFT JOIN source_usage u ON u.source = h.source AND u.brand = h.brand AND u.day = date('now')
        ORDER BY h.source, h.brand""")
