"""The team lead's numbers: SLA state of one conversation, attainment per period, FRT, backlog, CSV.

Attainment counts *decided* targets only (Chatwoot's hit/missed): a first-response target is hit
when the first reply came at or before its due time, missed when the reply came later or the due
time passed unanswered. A target belongs to the period in which it was decided (the reply time for a
hit, the due time for a miss), so "today" moves the moment an agent answers.

Durations come twice. Wall-clock seconds are what the customer waited. SLA clock seconds (business
hours, pauses excluded) are what the targets are measured in; the responder stores them when a
first reply is sent or a conversation resolved (``responder.history.record_clock``), and they are
NULL for those decided before that existed, so the clock figures carry their own count.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from careline.app.web.security import csv_cell
from careline.domain import ACTIVE_STATUSES, from_iso
from careline.store.records import rows
from responder.metrics import ConversationRecord, TeamMetrics, metrics_by, summarise, team_metrics
from responder.slastate import sla_state
from responder.tone import check_tone

AGE_BUCKETS = ((timedelta(hours=1), "< 1 h"), (timedelta(hours=4), "1-4 h"), (timedelta(hours=24), "4-24 h"),
               (timedelta(days=3), "1-3 days"), (timedelta.max, "> 3 days"))


def _decide(due: datetime | None, done: datetime | None, now: datetime) -> tuple[str, datetime] | None:
    """``("hit"|"missed", decided_at)`` for one target, or None while it is still running."""
    if due is None:
        return None
    if done is not None and done <= due:
        return "hit", done
    if done is not None or due <= now:
        return "missed", due
    return None


CONV_SQL = """
SELECT c.id, c.platform, c.brand, c.assignee, c.status, c.created_at, c.first_response_due,
       c.first_responded_at, c.resolution_due, c.resolved_at, c.next_response_due, c.last_customer_at,
       c.first_response_clock_s, c.resolution_clock_s
FROM conversations c WHERE c.created_at >= ? OR c.status IN ('new', 'open', 'pending', 'snoozed')
"""


@dataclass(frozen=True, slots=True)
class _Decided:
    """One conversation parsed once for every period: its decided targets and its durations."""

    agent: str | None
    platform: str
    brand: str
    decisions: tuple[tuple[bool, datetime], ...]  # (hit?, when it was decided)
    responded: datetime | None
    frt: float | None  # wall-clock seconds
    resolved: datetime | None
    res: float | None
    frt_clock: float | None  # SLA clock seconds, stored when decided
    res_clock: float | None


def _decided(c: dict[str, Any], now: datetime) -> _Decided:
    created, responded = from_iso(c["created_at"]), from_iso(c["first_responded_at"])
    resolved = from_iso(c["resolved_at"]) if c["status"] == "resolved" else None
    decisions = []
    for due, done in ((from_iso(c["first_response_due"]), responded), (from_iso(c["resolution_due"]), resolved)):
        decided = _decide(due, done, now)
        if decided is not None:
            decisions.append((decided[0] == "hit", decided[1]))
    return _Decided(c["assignee"], c["platform"], c["brand"], tuple(decisions),
                    responded, (responded - created).total_seconds() if responded and created else None,
                    resolved, (resolved - created).total_seconds() if resolved and created else None,
                    c["first_response_clock_s"], c["resolution_clock_s"])


def _records(d: _Decided, since: datetime) -> tuple[ConversationRecord, ConversationRecord] | None:
    """The conversation's share of the period from ``since``: (wall-clock, SLA clock) records.

    Runs once per conversation and period (300,000 times for the benchmark's lead page), hence the
    plain loops."""
    hits = misses = 0
    for hit, at in d.decisions:
        if at >= since:
            if hit:
                hits += 1
            else:
                misses += 1
    frt_in = d.frt is not None and d.responded is not None and d.responded >= since
    res_in = d.res is not None and d.resolved is not None and d.resolved >= since
    if not (hits or misses or frt_in or res_in):
        return None
    return (ConversationRecord(d.agent, d.platform, d.brand, d.frt if frt_in else None, (),
                               d.res if res_in else None, hits, misses),
            ConversationRecord(d.agent, d.platform, d.brand, d.frt_clock if frt_in else None, (),
                               d.res_clock if res_in else None, hits, misses))


def period_starts(now: datetime, tz: str) -> dict[str, datetime]:
    local = now.astimezone(ZoneInfo(tz))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"today": midnight.astimezone(now.tzinfo), "7d": now - timedelta(days=7), "30d": now - timedelta(days=30)}


def _metrics_dict(m: TeamMetrics, clock: TeamMetrics) -> dict[str, Any]:
    """One period's (or group's) figures; ``clock`` is the same records with SLA clock durations."""
    return {"conversations": m.conversations, "attainment_pct": m.attainment_pct, "targets_hit": m.targets_hit,
            "targets_missed": m.targets_missed, "frt_median_s": m.first_response.median,
            "frt_p90_s": m.first_response.p90, "resolution_median_s": m.resolution.median,
            "frt_clock_median_s": clock.first_response.median, "frt_clock_p90_s": clock.first_response.p90,
            "frt_clock_count": clock.first_response.count, "resolution_clock_median_s": clock.resolution.median,
            "resolution_clock_count": clock.resolution.count}


def _grouped(recs: list[ConversationRecord], clock: list[ConversationRecord], key: str) -> dict[str, Any]:
    """Per agent or platform; the clock records pair one to one with the wall-clock ones, so the
    groups are the same."""
    walls, clocks = metrics_by(recs, key), metrics_by(clock, key)
    return {k: _metrics_dict(v, clocks[k]) for k, v in walls.items()}


def sla_summary(db: Database, now: datetime, tz: str = "UTC", approvals: bool = True) -> dict[str, Any]:
    """Everything on the lead's page, as JSON-ready data (``approvals=False``: all but the replies
    waiting for approval, which the app reads fresh beside a held summary)."""
    starts = period_starts(now, tz)
    convs = rows(db, CONV_SQL, ((now - timedelta(days=30)).isoformat(),))
    periods = {}
    decided = [_decided(c, now) for c in convs]
    for name, since in starts.items():
        pairs = [p for d in decided if (p := _records(d, since)) is not None]
        recs, clock = [wall for wall, _ in pairs], [sla for _, sla in pairs]
        periods[name] = _metrics_dict(team_metrics(recs), team_metrics(clock))
        if name == "7d":
            by_agent, by_platform = _grouped(recs, clock, "agent"), _grouped(recs, clock, "platform")
    active = [c for c in convs if c["status"] in ACTIVE_STATUSES]
    states = [(c, sla_state(c, now)) for c in active]
    return {
        "now": now.isoformat(), "periods": periods, "by_agent": by_agent, "by_platform": by_platform,
        "breaches": [_brief(c, s) for c, s in states if s["state"] == "breached"][:50],
        "near_breaches": [_brief(c, s) for c, s in states if s["state"] == "at_risk"][:50],
        "breach_count": sum(s["state"] == "breached" for _, s in states),
        "near_breach_count": sum(s["state"] == "at_risk" for _, s in states),
        "backlog": backlog_by_age(active, now),
        **({"approvals": approvals_waiting(db)} if approvals else {}),
    }


def _brief(c: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    return {"id": c["id"], "platform": c["platform"], "brand": c["brand"], "assignee": c["assignee"],
            "status": c["status"], **state}


def backlog_by_age(active: Iterable[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    for c in active:
        age = now - (from_iso(c["created_at"]) or now)
        counts[next(label for limit, label in AGE_BUCKETS if age < limit)] += 1
    return [{"age": label, "count": counts[label]} for _, label in AGE_BUCKETS]


def approvals_waiting(db: Database) -> list[dict[str, Any]]:
    """Held replies with what a lead needs to decide: the customer's message, the draft, the tone findings,
    and what changed since the lead last sent it back (the author's revision)."""
    held = rows(db, """SELECT r.id, r.conversation_id, r.text, r.created_by, r.created_at, c.brand, c.platform,
                              m.text AS customer_text, a.handle AS customer_handle,
                              (SELECT e.data FROM events e WHERE e.subject = 'conversation:' || r.conversation_id
                                   AND e.kind = 'reply.revised' AND json_extract(e.data, '$.reply') = r.id
                               ORDER BY e.id DESC LIMIT 1) AS revision
                       FROM replies r JOIN conversations c ON c.id = r.conversation_id
                       LEFT JOIN mentions m ON m.key = r.in_reply_to
                       LEFT JOIN authors a ON a.key = m.author_key
                       WHERE r.state = 'awaiting_approval' ORDER BY r.created_at LIMIT 100""")
    for h in held:
        h["tone"] = check_tone(h["text"]).as_dict()["findings"]
        h["diff"] = json.loads(h.pop("revision"))["diff"] if h.get("revision") else None
    return held


def frt_summary(values: Iterable[float]) -> dict[str, float | None]:
    s = summarise(values)
    return {"count": s.count, "median": s.median, "p90": s.p90}


EXPORT_SQL = """
SELECT c.id, c.platform, c.brand, c.status, c.assignee, a.handle AS author, c.priority, c.sla_policy,
       c.created_at, c.first_response_due, c.first_responded_at, c.resolution_due, c.resolved_at,
       c.first_response_clock_s, c.resolution_clock_s, cl.intent, cl.sentiment, m.text AS latest_message,
       m.url AS post_url, r.text AS reply_text, r.created_by AS replied_by, r.sent_at AS replied_at
FROM conversations c JOIN authors a ON a.key = c.author_key
JOIN mentions m ON m.key = (SELECT key FROM mentions WHERE thread_key = c.thread_key ORDER BY created_at DESC LIMIT 1)
LEFT JOIN classifications cl ON cl.mention_key = m.key
LEFT JOIN replies r ON r.id = (SELECT id FROM replies WHERE conversation_id = c.id AND state = 'sent'
                               ORDER BY sent_at DESC LIMIT 1)
WHERE c.created_at >= ? ORDER BY c.id
"""
EXPORT_COLUMNS = ("id", "platform", "brand", "status", "assignee", "author", "priority", "sla_policy",
                  "created_at", "first_response_due", "first_responded_at", "first_response_seconds",
                  "first_response_clock_seconds", "first_response_sla", "resolution_due", "resolved_at",
                  "resolution_clock_seconds", "resolution_sla", "intent", "sentiment", "latest_message",
                  "post_url", "reply_text", "replied_by", "replied_at")


def export_rows(db: Database, since: datetime, now: datetime) -> list[dict[str, Any]]:
    out = []
    for r in rows(db, EXPORT_SQL, (since.isoformat(),)):
        created, responded = from_iso(r["created_at"]), from_iso(r["first_responded_at"])
        first = _decide(from_iso(r["first_response_due"]), responded, now)
        resolved = from_iso(r["resolved_at"]) if r["status"] == "resolved" else None
        res = _decide(from_iso(r["resolution_due"]), resolved, now)
        r["first_response_seconds"] = round((responded - created).total_seconds()) if responded and created else None
        r["first_response_clock_seconds"] = _whole(r.pop("first_response_clock_s"))
        r["resolution_clock_seconds"] = _whole(r.pop("resolution_clock_s"))
        r["first_response_sla"] = first[0] if first else ("running" if r["first_response_due"] else "")
        r["resolution_sla"] = res[0] if res else ("running" if r["resolution_due"] else "")
        out.append(r)
    return out


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
