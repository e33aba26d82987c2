"""The team lead's numbers: SLA state of one conversation, attainment per period, FRT, backlog, CSV.

Attainment counts *decided* targets only (Chatwoot's hit/missed): a first-response target is hit
when the first reply came at or before its due time, missed when the reply came later or the due
time passed unanswered. A target belongs to the period in which it was decided (the reply time for a
hit, the due time for a miss), so "today" moves the moment an agent answers.

The resolution target is decided once, by the first resolution (Zendesk's "first resolution time"): a
customer's "thanks" or any later message reopens the conversation, and an agent may reopen it, but a
resolution met within its target stays met and is never turned into a miss afterwards; the follow-up
runs on the next-response clock. Only an undo takes a resolution back (it never happened), and a
dismissal takes out the targets not done yet (a target answered or resolved before it stays as decided).
The reopen rate counts, among the resolutions of a range, those whose conversation was reopened after.
Resolving an unanswered conversation before its first response was due cancels that target, as the SLA
engine does (``responder.sla``): no reply was needed, so no miss.

Durations come twice. Wall-clock seconds are what the customer waited. SLA clock seconds (business
hours, pauses excluded) are what the targets are measured in; the responder stores them when a
first reply is sent or a conversation resolved (``responder.history.record_clock``), and they are
NULL for those decided before that existed, so the clock figures carry their own count.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from careline.app.web.security import csv_cell
from careline.app.web.slareport import ReportRange, ReportRow, lead_report
from careline.domain import from_iso, to_iso
from careline.store.records import rows
from careline.store.reporting import ACTIVE_WHERE, RUNNING_DUE
from responder.metrics import summarise
from responder.slastate import DEFAULT_WARN, PAUSED, sla_state
from responder.tone import check_tone

AGE_BUCKETS = ((timedelta(hours=1), "< 1 h"), (timedelta(hours=4), "1-4 h"), (timedelta(hours=24), "4-24 h"),
               (timedelta(days=3), "1-3 days"), (timedelta.max, "> 3 days"))


#: Pinned to the running-due index (``INDEXED BY`` fails loudly if the expression ever stops matching it).
_ACTIVE = f"FROM conversations INDEXED BY conversations_active_due WHERE {ACTIVE_WHERE}"
#: At risk: due within the policy's warning lead (``responder.slastate``'s rule); the snapshot is parsed
#: only for rows due within a week, read from the index on the running due time.
#: A clock that stands (waiting on the customer) is neither at risk nor breached, whatever its old due time says.
_TICKING = f"status NOT IN ({', '.join(repr(s) for s in sorted(PAUSED))})"
_AT_RISK = (f"{RUNNING_DUE} > :now AND {RUNNING_DUE} <= :week AND {_TICKING} AND "
            f"(julianday({RUNNING_DUE}) - julianday(:now)) * 1440 <= "
            "coalesce(json_extract(sla_snapshot, '$.warn_before_minutes'), :warn)")
_BREACHED = f"{RUNNING_DUE} <= :now AND {_TICKING}"


def _params(now: datetime) -> dict[str, Any]:
    return {"now": to_iso(now), "week": to_iso(now + timedelta(days=7)), "warn": DEFAULT_WARN.total_seconds() / 60}


def _active_counts(db: Database, now: datetime) -> tuple[int, int, list[dict[str, Any]]]:
    """Breached and at-risk counts and the backlog by age, from the partial indexes of migration m095."""
    params = _params(now)
    breached = db.conn.execute(f"SELECT count(*) {_ACTIVE} AND {_BREACHED}", params).fetchone()[0]
    at_risk = db.conn.execute(f"SELECT count(*) {_ACTIVE} AND {_AT_RISK}", params).fetchone()[0]
    bounds = {f"b{i}": to_iso(now - limit) for i, (limit, _) in enumerate(AGE_BUCKETS) if limit != timedelta.max}
    newer = db.conn.execute("SELECT count(*), " + ", ".join(f"coalesce(sum(created_at > :{b}), 0)" for b in bounds)
                            + f" FROM conversations INDEXED BY conversations_active_created WHERE {ACTIVE_WHERE}",
                            bounds).fetchone()  # newer[i + 1]: younger than bucket i's limit; one covering scan
    cumulative = [*newer[1:], newer[0]]
    backlog = [{"age": label, "count": cumulative[i] - (cumulative[i - 1] if i else 0)}
               for i, (_, label) in enumerate(AGE_BUCKETS)]
    return breached, at_risk, backlog


def _active_listed(db: Database, now: datetime, where: str) -> list[dict[str, Any]]:
    """Up to 50 active conversations matching ``where``, soonest due first, with their SLA state."""
    found = rows(db, f"""SELECT id, platform, brand, assignee, status, created_at, first_response_due,
                               first_responded_at, next_response_due, sla_snapshot
                        {_ACTIVE} AND {where} ORDER BY {RUNNING_DUE} LIMIT 50""", _params(now))
    return [_brief(c, sla_state(c, now)) for c in found]


def period_starts(now: datetime, tz: str) -> dict[str, datetime]:
    local = now.astimezone(ZoneInfo(tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"today": midnight.astimezone(now.tzinfo), "7d": now - timedelta(days=7), "30d": now - timedelta(days=30)}


def _figures(row: ReportRow) -> dict[str, Any]:
    """One period's (or group's) figures for the cards and tables, from the SQL report's row."""
    return {"replies_sent": row.replies_sent, "attainment_pct": row.attainment_pct,
            "targets_hit": row.targets_hit, "targets_missed": row.targets_missed,
            "frt_median_s": row.first_response.median, "frt_p90_s": row.first_response.p90,
            "resolution_median_s": row.resolution.median,
            "frt_clock_median_s": row.first_response_clock.median, "frt_clock_p90_s": row.first_response_clock.p90,
            "frt_clock_count": row.first_response_clock.count,
            "resolution_clock_median_s": row.resolution_clock.median,
            "resolution_clock_count": row.resolution_clock.count}


def sla_summary(db: Database, now: datetime, tz: str = "UTC", approvals: bool = True) -> dict[str, Any]:
    """Everything on the lead's page, as JSON-ready data (``approvals=False``: all but the replies
    waiting for approval, which the app reads fresh beside a held summary).

    The period cards and the 7-day tables are the SQL report (``slareport.lead_report``) over the
    trigger-kept aggregates, so they cost the same at 100 or 100,000 conversations; breaches and the
    backlog are counted in SQL over the active conversations, and only the 50 listed of each are
    read as rows."""
    zone = ZoneInfo(tz)
    ranges = {name: ReportRange(since.astimezone(zone).date(), now.astimezone(zone).date(), since, now)
              for name, since in period_starts(now, tz).items()}
    by_platform = {name: lead_report(db, rng, "platform", now) for name, rng in ranges.items()}
    periods = {name: _figures(report.total) for name, report in by_platform.items()}
    by_agent = lead_report(db, ranges["7d"], "agent", now)
    breached, at_risk, backlog = _active_counts(db, now)
    return {
        "now": now.isoformat(), "periods": periods,
        "by_agent": {r.group: _figures(r) for r in by_agent.rows},
        "by_platform": {r.group: _figures(r) for r in by_platform["7d"].rows},
        "breaches": _active_listed(db, now, _BREACHED),
        "near_breaches": _active_listed(db, now, _AT_RISK),
        "breach_count": breached, "near_breach_count": at_risk, "backlog": backlog,
        **({"approvals": approvals_waiting(db)} if approvals else {}),
    }


def _brief(c: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    return {"id": c["id"], "platform": c["platform"], "brand": c["brand"], "assignee": c["assignee"],
            "status": c["status"], **state}


def approvals_waiting(db: Database) -> list[dict[str, Any]]:
    """Held replies with what a lead needs to decide: the customer's message, the draft, the tone findings,
    and what changed since the lead last sent it back (the author's revision)."""
    held = rows(db, """SELECT r.id, r.conversation_id, r.text, r.created_by, r.created_at, r.updated_at, c.brand,
                              c.platform,
                              m.text AS customer_text, a.handle AS customer_handle,
                              (SELECT e.data FROM events e WHERE e.subject = 'conversation:' || r.conversation_id
                                   AND e.kind = 'reply.revised' AND json_extract(e.data, '$.reply') = r.id
                               ORDER BY e.id DESC LIMIT 1) AS revision
                       FROM replies r JOIN conversations c ON c.id = r.conversation_id
                       LEFT JOIN mentions m ON m.key = r.in_reply_to
                       LEFT JOIN authors a ON a.key = m.author_key
                       WHERE r.state = 'awaiting_approval' ORDER BY r.created_at LIMIT 100""")
    for h in held:
        h["tone"] = check_tone(h["text"], every_language=True).as_dict()["findings"]
        h["diff"] = json.loads(h.pop("revision"))["diff"] if h.get("revision") else None
        h.update(_context(db, h["conversation_id"], h.get("customer_text")))
    return held


#: Earlier customer messages an approval shows under the one the reply answers.
EARLIER_SHOWN = 3


def _context(db: Database, conv_id: int, answered: str | None) -> dict[str, Any]:
    """What a lead needs besides the message answered: the customer's earlier messages (an escalated €400 claim sat
    two messages up, and the card showed only the latest, about something else) and the last escalation's note."""
    said = [str(r[0]) for r in db.conn.execute(
        "SELECT m.text FROM mentions m JOIN conversations c ON c.thread_key = m.thread_key AND c.author_key = "
        "m.author_key WHERE c.id = ? ORDER BY m.created_at DESC LIMIT ?", (conv_id, EARLIER_SHOWN + 1))]
    earlier = [t for t in said if t != answered][:EARLIER_SHOWN]
    note = db.conn.execute("SELECT actor, CASE WHEN json_valid(data) THEN json_extract(data, '$.note') END FROM events "
                           "WHERE subject = ? AND kind = 'conversation.escalated' ORDER BY id DESC LIMIT 1",
                           (f"conversation:{conv_id}",)).fetchone()
    return {"earlier": list(reversed(earlier)),
            "escalation": {"by": note[0], "note": note[1]} if note and note[1] else None}


def frt_summary(values: Iterable[float]) -> dict[str, float | None]:
    s = summarise(values)
    return {"count": s.count, "median": s.median, "p90": s.p90}


EXPORT_SQL = """
SELECT c.id, c.platform, c.brand, c.status, c.assignee, a.handle AS author, c.priority, c.sla_policy,
       c.created_at, c.first_response_due, c.first_responded_at, c.resolution_due, c.resolved_at,
       c.first_response_clock_s, c.resolution_clock_s, cl.intent, cl.sentiment, m.text AS latest_message,
       m.url AS post_url, r.text AS reply_text, r.created_by AS replied_by, r.sent_at AS replied_at,
       tf.decided_at AS first_decided_at, tf.hit AS first_hit, tr.decided_at AS resolution_decided_at,
       tr.hit AS resolution_hit, tr.done_at AS first_resolved_at, tr.reopened AS reopened_after_resolution
FROM conversations c JOIN authors a ON a.key = c.author_key
JOIN mentions m ON m.key = (SELECT key FROM mentions WHERE thread_key = c.thread_key ORDER BY created_at DESC LIMIT 1)
LEFT JOIN classifications cl ON cl.mention_key = m.key
LEFT JOIN replies r ON r.id = (SELECT id FROM replies WHERE conversation_id = c.id AND state = 'sent'
                               ORDER BY sent_at DESC LIMIT 1)
LEFT JOIN report_targets tf ON tf.conversation_id = c.id AND tf.target = 'first_response'
LEFT JOIN report_targets tr ON tr.conversation_id = c.id AND tr.target = 'resolution'
WHERE c.created_at >= ? ORDER BY c.id
"""
EXPORT_COLUMNS = ("id", "platform", "brand", "status", "assignee", "author", "priority", "sla_policy",
                  "created_at", "first_response_due", "first_responded_at", "first_response_seconds",
                  "first_response_clock_seconds", "first_response_sla", "resolution_due", "resolved_at",
                  "first_resolved_at", "resolution_clock_seconds", "resolution_sla", "reopened_after_resolution",
                  "intent", "sentiment",
                  "latest_message", "post_url", "reply_text", "replied_by", "replied_at")


def export_rows(db: Database, since: datetime, now: datetime) -> list[dict[str, Any]]:
    """One row per conversation; each target's outcome is the report's own row (``report_targets``), so
    the file and the report agree: a resolution reopened since stays as it was first decided
    (``first_resolved_at``, and whether it was reopened after), and a target a dismissal or an early
    resolution cancelled reads empty."""
    out = []
    for r in rows(db, EXPORT_SQL, (since.isoformat(),)):
        created, responded = from_iso(r["created_at"]), from_iso(r["first_responded_at"])
        r["first_response_seconds"] = round((responded - created).total_seconds()) if responded and created else None
        r["first_response_clock_seconds"] = _whole(r.pop("first_response_clock_s"))
        r["resolution_clock_seconds"] = _whole(r.pop("resolution_clock_s"))
        r["first_response_sla"] = _outcome(r.pop("first_decided_at"), r.pop("first_hit"), now)
        r["resolution_sla"] = _outcome(r.pop("resolution_decided_at"), r.pop("resolution_hit"), now)
        reopened = r.pop("reopened_after_resolution")
        r["reopened_after_resolution"] = "" if r["first_resolved_at"] is None else ("yes" if reopened else "no")
        out.append(r)
    return out


def _outcome(decided_at: str | None, hit: int | None, now: datetime) -> str:
    """``hit``, ``missed`` or ``running`` for one target's report row (the rule the triggers of
    ``careline.store.reporting`` keep); empty without a row or a due time (no target, or none decided)."""
    if decided_at is None or hit is None:
        return ""
    if hit:
        return "hit"
    decided = from_iso(decided_at)
    return "missed" if decided is not None and decided <= now else "running"


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


def to_csv(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    """CSV text, one line at a time; every cell is formula-safe (``security.csv_cell``)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(EXPORT_COLUMNS)
    for r in records:
        writer.writerow([csv_cell(r.get(col)) for col in EXPORT_COLUMNS])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()
