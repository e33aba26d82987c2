"""The lead's report on any date range, split by brand, platform, intent, team or agent, in SQL.

It reads the tables ``careline.store.reporting`` keeps current by triggers (migration m090):
whole UTC days from the daily totals and duration histograms (a few thousand rows for a month,
however many conversations), and the rest of the range (the hours a local time zone adds at either
end, and today up to now) from ``report_targets`` through its ``decided_at`` index. A target counts
in the range where it was decided (``careline.store.reporting``'s rule): a hit at its reply or (first) resolution,
a miss at its due time once that has passed.

Medians and 90th percentiles come from the histograms: the order statistics on either side of the
rank ``responder.metrics.percentile`` takes are each read as their bucket's mean and interpolated
as it does (buckets are 10 % wide, so within 10 %; exact where a bucket holds one value).
Handle time is the seconds from the agent's claim (``assigned_at``) to the resolution.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from careline.app.web.fields import beyond_calendar
from careline.domain import to_iso
from careline.errors import CarelineError
from careline.store.reporting import MEASURES
from responder import metrics

SPLITS = ("brand", "platform", "intent", "team", "agent")
MAX_DAYS = 366
NONE_LABEL = "(none)"
_INTENT_OF = ("(SELECT cl.intent FROM mentions m JOIN classifications cl ON cl.mention_key = m.key "
              "WHERE m.thread_key = c.thread_key ORDER BY m.created_at LIMIT 1)")
#: How a sent reply is split: by its author, or by its conversation's key.
_REPLY_KEY = {"brand": "c.brand", "platform": "c.platform", "agent": "r.created_by", "intent": _INTENT_OF}


class ReportError(CarelineError):
    """A report request that cannot be answered as asked (a 400, in words)."""


@dataclass(frozen=True, slots=True)
class ReportRange:
    """Whole local days ``first`` .. ``last`` (inclusive) as UTC instants ``[start, end)``."""

    first: date
    last: date
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Durations:
    """Median and p90 of one duration in seconds, and how many values they come from."""

    count: int = 0
    median: float | None = None
    p90: float | None = None


@dataclass(frozen=True, slots=True)
class SurveyScore:
    """One survey kind's score for a group: NPS -100..100, CSAT % satisfied, CES mean 1-7."""

    answers: int
    score: float


@dataclass(frozen=True, slots=True)
class SurveyComment:
    kind: str
    score: int
    comment: str
    answered_at: str
    conversation_id: int


@dataclass(slots=True)
class ReportRow:
    """One group's figures (or the total, ``group`` = ``"all"``)."""

    group: str
    targets_hit: int = 0
    targets_missed: int = 0
    first_response: Durations = field(default_factory=Durations)
    first_response_clock: Durations = field(default_factory=Durations)
    resolution: Durations = field(default_factory=Durations)
    resolution_clock: Durations = field(default_factory=Durations)
    handle: Durations = field(default_factory=Durations)
    replies_sent: int = 0
    reopened: int = 0  # of the resolutions counted in ``resolution``: those whose conversation was reopened after
    nps: SurveyScore | None = None
    csat: SurveyScore | None = None
    ces: SurveyScore | None = None
    comments: list[SurveyComment] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing in the range (a group whose only rows were taken away again)."""
        return not (self.targets_hit or self.targets_missed or self.replies_sent or self.first_response.count
                    or self.resolution.count or self.nps or self.csat or self.ces or self.comments)

    @property
    def attainment_pct(self) -> float | None:
        decided = self.targets_hit + self.targets_missed
        return round(100 * self.targets_hit / decided, 1) if decided else None

    @property
    def reopened_pct(self) -> float | None:
        """Of the resolutions in the range, the share reopened afterwards (the customer wrote again or an agent
        reopened): the lead's check that "resolved" meant solved."""
        return round(100 * self.reopened / self.resolution.count, 1) if self.resolution.count else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "attainment_pct": self.attainment_pct, "reopened_pct": self.reopened_pct}


@dataclass(frozen=True, slots=True)
class Report:
    range: ReportRange
    by: str
    total: ReportRow
    rows: list[ReportRow]

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.range.first.isoformat(), "to": self.range.last.isoformat(), "by": self.by,
                "total": self.total.as_dict(), "rows": [r.as_dict() for r in self.rows]}


def parse_range(raw_from: str | None, raw_to: str | None, tz: str, today: date) -> ReportRange:
    """``from``/``to`` as ``YYYY-MM-DD`` local days (default: the 30 days up to today)."""
    last = _day(raw_to, "to") if raw_to else today
    first = _day(raw_from, "from") if raw_from else _days_before(last, 29)
    if first > last:
        raise ReportError("from must be on or before to")
    if (last - first).days + 1 > MAX_DAYS:
        raise ReportError(f"a report covers at most {MAX_DAYS} days")
    zone, utc = ZoneInfo(tz), ZoneInfo("UTC")
    start = datetime.combine(first, time(), zone).astimezone(utc)  # years 2-9998 (``_day``): no overflow
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(utc)
    return ReportRange(first, last, start, end)


def _days_before(last: date, days: int) -> date:
    """The default ``from``: a ``to`` from year 2 on leaves a year 1 date at the earliest (``days`` < 366)."""
    return last - timedelta(days=days)


def _day(raw: str, name: str) -> date:
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        day = date.fromisoformat(raw)
    except ValueError:
        raise ReportError(f"{name} must be a date as YYYY-MM-DD") from None
    problem = beyond_calendar(name, day)
    if problem:
        raise ReportError(problem)
    return day


def check_split(by: str | None, db: Database) -> str:
    """The split, or a ``ReportError`` saying what is allowed; ``team`` needs at least one team."""
    if by not in SPLITS:
        raise ReportError(f"by must be one of {', '.join(SPLITS)}")
    if by == "team" and not has_teams(db):
        raise ReportError("no teams yet: add one in Team (admin) or with careline team add, then split by team")
    return by


def has_teams(db: Database) -> bool:
    """Whether any team has a member: a split by team means nothing before that."""
    if not db.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'team_members'").fetchone():
        return False
    return db.conn.execute("SELECT 1 FROM team_members LIMIT 1").fetchone() is not None


def lead_report(db: Database, rng: ReportRange, by: str, now: datetime) -> Report:
    """Every figure of the lead's report for ``rng`` (up to ``now``), per group of ``by`` and in total.

    Whole UTC days from ``first_day`` up to the day after ``now`` (or the range's end) come from the
    daily tables; the fact rows then add the hours before ``first_day`` and take away those from
    the cap to the end of its day (today: targets due later today, counted there in advance)."""
    by = check_split(by, db)
    tally = _tallied(db, by, rng, now)
    span = {"start": to_iso(rng.start) or "", "end": to_iso(rng.end) or ""}
    _surveys(db, _survey_key(by), span, tally.rows, _teams(by, "s.agent"))
    rows = [tally.row(name) for name in sorted(tally.rows, key=lambda g: (g == NONE_LABEL, g))]
    total = tally.total()  # it also puts each group's durations from its histograms
    if by == "team":  # an agent in two teams counts in both: the total is that of the brands, each row in one
        total = _tallied(db, "brand", rng, now).total()
    _surveys(db, "'all'", span, {"all": total})  # scores are not sums of the groups' scores: one more pass
    return Report(rng, by, total, [r for r in rows if not r.empty])


def _tallied(db: Database, by: str, rng: ReportRange, now: datetime) -> _Tally:
    """Every count and histogram of ``rng`` (up to ``now``) per group of ``by``."""
    tally = _Tally()
    cap = min(rng.end, now)
    first_day = _ceil_day(rng.start)
    last_day = _ceil_day(cap)
    if first_day < last_day:
        _from_daily(db, by, first_day.date().isoformat(), last_day.date().isoformat(), tally)
        _from_facts(db, by, rng.start, first_day, tally, 1)
        _from_facts(db, by, cap, last_day, tally, -1)
    else:
        _from_facts(db, by, rng.start, cap, tally, 1)
    return tally


def _ceil_day(at: datetime) -> datetime:
    """``at`` if it is a UTC midnight, else the next one."""
    start = _day_start(at)
    return start if start == at else start + timedelta(days=1)


def _day_start(at: datetime) -> datetime:
    return at.astimezone(ZoneInfo("UTC")).replace(hour=0, minute=0, second=0, microsecond=0)


class _Tally:
    """Counts and duration histograms per group, added up from daily totals and fact rows."""

    def __init__(self) -> None:
        self.rows: dict[str, ReportRow] = {}
        self.hist: dict[tuple[str, str], dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))

    def row(self, group: Any) -> ReportRow:
        name = NONE_LABEL if group is None or group == "" else str(group)
        if name not in self.rows:
            self.rows[name] = ReportRow(name)
        return self.rows[name]

    def count(self, group: Any, kind: str, n: int, hits: int, misses: int, reopened: int = 0) -> None:
        row = self.row(group)
        if kind == "reply":
            row.replies_sent += n
        else:
            row.targets_hit += hits
            row.targets_missed += misses
            row.reopened += reopened

    def bucket(self, group: Any, measure: str, bucket: int, n: int, total: float) -> None:
        cell = self.hist[(self.row(group).group, measure)][bucket]
        cell[0] += n
        cell[1] += total

    def total(self) -> ReportRow:
        """The sum of every group; durations from the summed histograms."""
        total = ReportRow("all")
        merged: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0]))
        for row in self.rows.values():
            total.targets_hit += row.targets_hit
            total.targets_missed += row.targets_missed
            total.replies_sent += row.replies_sent
            total.reopened += row.reopened
        for (group, measure), counts in self.hist.items():
            setattr(self.rows[group], measure, durations(counts))
            for b, (n, total_s) in counts.items():
                merged[measure][b][0] += n
                merged[measure][b][1] += total_s
        for measure, counts in merged.items():
            setattr(total, measure, durations(counts))
        return total


def durations(counts: dict[int, list[float]]) -> Durations:
    """Median and p90 from a histogram: bucket -> [count, sum of seconds]."""
    cells = [(b, int(n), total) for b, (n, total) in sorted(counts.items()) if n > 0]
    n = sum(c for _, c, _ in cells)
    if n <= 0:
        return Durations()
    return Durations(n, _percentile(cells, (n - 1) * 0.5), _percentile(cells, (n - 1) * 0.9))


def _percentile(cells: list[tuple[int, int, float]], rank: float) -> float:
    """``responder.metrics.percentile``'s interpolation, each order statistic read as its bucket's mean."""
    low, frac = int(rank), rank - int(rank)
    below, above = _nth_mean(cells, low), _nth_mean(cells, low + (frac > 0))
    return round(below + (above - below) * frac, 1)


def _nth_mean(cells: list[tuple[int, int, float]], index: int) -> float:
    seen = 0
    for _, count, total in cells:
        if index < seen + count:
            return total / count
        seen += count
    return cells[-1][2] / cells[-1][1]


def _key(by: str, column: str) -> str:
    return "tm.team" if by == "team" else column


def _teams(by: str, agent: str) -> str:
    """The join that puts each row in every team of its agent (split by team): an agent in two teams counted in one
    of them, picked by no rule (``LIMIT 1``). The total is then not the groups' sum (:func:`lead_report`)."""
    return f" LEFT JOIN team_members tm ON tm.username = {agent}" if by == "team" else ""


def _from_daily(db: Database, by: str, first: str, end: str, tally: _Tally) -> None:
    """Whole UTC days ``first`` <= day < ``end`` from the daily totals and histograms."""
    g = _key(by, by)
    span = {"first": first, "end": end}
    for group, kind, n, hits, misses, reopened in _q(db, f"""SELECT {g}, kind, sum(n), sum(hits), sum(misses),
            sum(reopened) FROM report_daily d{_teams(by, "d.agent")} WHERE day >= :first AND day < :end
            GROUP BY 1, 2""", span):
        tally.count(group, kind, n, hits, misses, reopened)
    for group, measure, bucket, n, total in _q(db, f"""SELECT {g}, measure, bucket, sum(n), sum(total)
            FROM report_buckets b{_teams(by, "b.agent")} WHERE day >= :first AND day < :end GROUP BY 1, 2, 3""",
                                               span):
        tally.bucket(group, measure, bucket, n, total)


def _from_facts(db: Database, by: str, lo: datetime, hi: datetime, tally: _Tally, sign: int) -> None:
    """Add (``sign`` 1) or take away (-1) what was decided in ``lo`` <= decided_at < ``hi``: one pass
    over the covering ``decided_at`` index, then the replies sent then."""
    if lo >= hi:
        return
    g = _key(by, f"t.{by}")
    span = {"start": to_iso(lo) or "", "end": to_iso(hi) or ""}
    for group, kind, wall_b, clock_b, handle_b, n, hits, misses, reopened, wall, clock, handle in _q(db, f"""
            SELECT {g}, target, wall_b, clock_b, handle_b, count(*), sum(hit = 1), sum(hit = 0), sum(reopened),
                   sum(wall_s), sum(clock_s), sum(handle_s)
            FROM report_targets t INDEXED BY report_targets_decided{_teams(by, "t.agent")}
            WHERE decided_at >= :start AND decided_at < :end GROUP BY 1, 2, 3, 4, 5""", span):
        tally.count(group, kind, sign * n, sign * (hits or 0), sign * (misses or 0), sign * (reopened or 0))
        cells = {"wall_s": (wall_b, wall), "clock_s": (clock_b, clock), "handle_s": (handle_b, handle)}
        for measure, (target, column) in MEASURES.items():
            bucket, total = cells[column]
            if target == kind and bucket is not None:
                tally.bucket(group, measure, bucket, sign * n, sign * total)
    reply_key = _key(by, _REPLY_KEY.get(by, ""))
    for group, n in _q(db, f"""SELECT {reply_key}, count(*) FROM replies r INDEXED BY replies_sent_at
            JOIN conversations c ON c.id = r.conversation_id{_teams(by, "r.created_by")}
            WHERE r.state = 'sent' AND r.sent_at >= :start AND r.sent_at < :end GROUP BY 1""", span):
        tally.count(group, "reply", sign * n, 0, 0)


def _survey_key(by: str) -> str:
    columns = {"agent": "s.agent", "brand": "s.brand", "platform": "s.platform", "intent": _INTENT_OF}
    return _key(by, columns.get(by, ""))


def _q(db: Database, sql: str, params: dict[str, str]) -> list[tuple[Any, ...]]:
    return db.conn.execute(sql, params).fetchall()


def _surveys(db: Database, key: str, span: dict[str, str], out: dict[str, ReportRow], join: str = "") -> None:
    """NPS, CSAT and CES per group from the answers given in the range, and the latest comments."""
    tally = _Tally()
    tally.rows = out
    for g, kind, n, promoters, passives, agreeing, total in _q(db, f"""
            SELECT {key}, s.kind, count(*), sum(s.score >= 9), sum(s.score BETWEEN 7 AND 8),
                   sum(s.score >= CASE s.kind WHEN 'csat' THEN 4 ELSE 5 END), sum(s.score)
            FROM surveys s INDEXED BY surveys_answered JOIN conversations c ON c.id = s.conversation_id{join}
            WHERE s.answered_at IS NOT NULL AND s.answered_at >= :start AND s.answered_at < :end
              AND s.score IS NOT NULL GROUP BY 1, 2""", span):
        row = tally.row(g)
        if kind == "nps":
            row.nps = SurveyScore(n, metrics.nps_from_counts(promoters, passives, n - promoters - passives).score)
        elif kind == "csat":
            row.csat = SurveyScore(n, round(100 * agreeing / n, 1))
        elif kind == "ces":
            row.ces = SurveyScore(n, round(total / n, 2))
    for g, kind, score, comment, at, conv in _q(db, f"""
            SELECT g, kind, score, comment, answered_at, conversation_id FROM (
                SELECT {key} AS g, s.kind, s.score, s.comment, s.answered_at, s.conversation_id,
                       row_number() OVER (PARTITION BY {key} ORDER BY s.answered_at DESC) AS k
                FROM surveys s INDEXED BY surveys_answered JOIN conversations c ON c.id = s.conversation_id{join}
                WHERE s.answered_at IS NOT NULL AND s.answered_at >= :start AND s.answered_at < :end
                  AND trim(coalesce(s.comment, '')) != '') WHERE k <= 10""", span):
        tally.row(g).comments.append(SurveyComment(kind, score, comment, at, conv))
