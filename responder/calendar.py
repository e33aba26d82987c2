"""Business-hours arithmetic: when is a team open, and how much open time lies between two instants.

SLA targets are counted in *business* time (Zendesk, Freshdesk, Hootsuite, Zammad calendars), so a
30-minute first-response target on a mention that arrives at Friday 16:45 in a Mon-Fri 09:00-17:00
team is due on Monday at 09:15, not at Friday 17:15.

Everything here is pure. Instants go in and come out as UTC-aware datetimes; opening hours are read
in the calendar's IANA zone through ``zoneinfo``, so DST shifts move the UTC opening times with the
local clock. Two DST rules, chosen so that the local-to-UTC mapping never runs backwards:

* a local time that does not exist (inside a spring-forward gap) is moved to the end of the gap,
  e.g. 02:30 on the night clocks jump from 02:00 to 03:00 means 03:00;
* a local time that exists twice (fall-back) means its first occurrence (``fold=0``).

Open time is a sequence of half-open UTC intervals ``[start, end)``; the SLA code subtracts paused
intervals from them and consumes or measures what is left with :func:`consume` and :func:`measure`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from careline.domain import ensure_utc
from careline.settings import CalendarSettings

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FOREVER = datetime.max.replace(tzinfo=UTC) - timedelta(days=2)
#: A calendar with no open minute in this many days is a configuration mistake, not a long wait.
SEARCH_DAYS = 3 * 366
_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Opening hours of one team.

    ``hours`` maps a weekday (0 = Monday) to open spans in minutes after local midnight, end
    exclusive, at most 1440. A weekday missing from ``hours`` is closed; an empty ``hours`` means
    open around the clock (holidays still close whole days).
    """

    name: str = ""
    timezone: str = "UTC"
    hours: Mapping[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # fail early on an unknown zone
        for day, spans in self.hours.items():
            if day not in range(7):
                raise ValueError(f"weekday must be 0..6, got {day!r}")
            for start, end in spans:
                if not 0 <= start < end <= 1440:
                    raise ValueError(f"bad span {start}-{end} on weekday {day}")
        if self.hours and not any(self.hours.values()):
            raise ValueError(f"calendar {self.name!r} is never open")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def always_open(self) -> bool:
        """True for a plain 24/7 clock (calendar hours), which needs no day-by-day walk."""
        return not self.hours and not self.holidays

    def spans_on(self, day: date) -> tuple[tuple[int, int], ...]:
        """Open spans of a local date, in minutes after midnight; holidays have none."""
        if day in self.holidays:
            return ()
        if not self.hours:
            return ((0, 1440),)
        return self.hours.get(day.weekday(), ())


CALENDAR_HOURS = BusinessCalendar(name="24/7")


def parse_span(text: str) -> tuple[int, int]:
    """``"09:00-17:00"`` -> ``(540, 1020)``; ``24:00`` is allowed as an end."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"expected HH:MM-HH:MM, got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or not 0 <= start < end <= 1440:
        raise ValueError(f"span must be within one day and end after it starts, got {text!r}")
    return start, end


def calendar_from_settings(settings: CalendarSettings) -> BusinessCalendar:
    """Build the pure calendar from its settings; several spans a day may be given comma-separated."""
    hours: dict[int, tuple[tuple[int, int], ...]] = {}
    for name, text in settings.hours.items():
        day = WEEKDAYS.index(name.strip().lower()[:3])
        spans = sorted(parse_span(part) for part in text.split(",") if part.strip())
        hours[day] = _merge_spans(spans)
    holidays = frozenset(date.fromisoformat(d) for d in settings.holidays)
    return BusinessCalendar(settings.name, settings.timezone, hours, holidays)


def calendar_to_dict(cal: BusinessCalendar) -> dict[str, Any]:
    """JSON-ready form, so an applied SLA policy can be stored with its calendar."""
    return {
        "name": cal.name,
        "timezone": cal.timezone,
        "hours": {str(d): [list(s) for s in spans] for d, spans in sorted(cal.hours.items())},
        "holidays": sorted(d.isoformat() for d in cal.holidays),
    }


def calendar_from_dict(data: Mapping[str, Any]) -> BusinessCalendar:
    """Inverse of :func:`calendar_to_dict`."""
    return BusinessCalendar(
        name=data["name"],
        timezone=data["timezone"],
        hours={int(d): tuple((int(a), int(b)) for a, b in spans) for d, spans in data["hours"].items()},
        holidays=frozenset(date.fromisoformat(d) for d in data["holidays"]),
    )


def _merge_spans(spans: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


# -- local wall clock -> UTC --------------------------------------------------------------------------
def local_to_utc(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of local ``day`` + ``minute`` (0..1440), with the gap and fold rules above."""
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    return _gap_end(naive, zone)


def _gap_end(naive: datetime, zone: ZoneInfo) -> datetime:
    """First instant after the DST gap that swallowed ``naive``: found by bisection on UTC."""
    early = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    late = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    low, high = min(early, late), max(early, late)
    after = high.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        if mid.astimezone(zone).utcoffset() == after:
            high = mid
        else:
            low = mid
    return high.replace(microsecond=0) if high.microsecond else high


# -- open intervals -----------------------------------------------------------------------------------
def open_intervals(cal: BusinessCalendar, start: datetime, end: datetime = FOREVER) -> Iterator[Interval]:
    """Yield the open intervals of ``cal`` clipped to ``[start, end)``, in order, never empty.

    Raises ``ValueError`` when no open time exists for :data:`SEARCH_DAYS` days (a calendar whose
    only open days are all holidays), instead of looping for ever.
    """
    start, end = ensure_utc(start, "start"), ensure_utc(end, "end")
    if cal.always_open:
        if start < end:
            yield start, end
        return
    zone = cal.zone
    day = start.astimezone(zone).date() - timedelta(days=1)
    idle_days = 0
    while True:
        found = False
        for lo, hi in _day_intervals(cal, day, zone):
            if hi <= start:
                continue
            if lo >= end:
                return
            found = True
            clipped = max(lo, start), min(hi, end)
            if clipped[0] < clipped[1]:
                yield clipped
        idle_days = 0 if found else idle_days + 1
        if idle_days > SEARCH_DAYS:
            raise ValueError(f"calendar {cal.name!r} has no open time within {SEARCH_DAYS} days")
        day += timedelta(days=1)
        if local_to_utc(day, 0, zone) >= end:
            return


def _day_intervals(cal: BusinessCalendar, day: date, zone: ZoneInfo) -> Iterator[Interval]:
    for lo, hi in cal.spans_on(day):
        a, b = local_to_utc(day, lo, zone), local_to_utc(day, hi, zone)
        if a < b:
            yield a, b


def is_open(cal: BusinessCalendar, instant: datetime) -> bool:
    """Whether the team is open at ``instant`` (intervals are half-open: closing time is closed)."""
    instant = ensure_utc(instant, "instant")
    first = next(open_intervals(cal, instant, instant + timedelta(days=8)), None)
    return first is not None and first[0] == instant


def next_open(cal: BusinessCalendar, instant: datetime) -> datetime:
    """``instant`` itself when open, else the next opening time."""
    return next(open_intervals(cal, instant))[0]


# -- consuming and measuring --------------------------------------------------------------------------
def consume(intervals: Iterable[Interval], amount: timedelta) -> datetime:
    """The instant at which ``amount`` of the given (ordered) open time has been used up.

    ``amount`` of zero gives the start of the first interval, i.e. "now, or as soon as open".
    """
    if amount < timedelta(0):
        raise ValueError("amount must not be negative")
    left = amount
    for lo, hi in intervals:
        if hi - lo >= left:
            return lo + left
        left -= hi - lo
    raise ValueError("the business hours run out before the target does: its due time would fall after the last "
                     "date a calendar reaches (the year 9999)")


def measure(intervals: Iterable[Interval]) -> timedelta:
    """Total length of finite intervals."""
    return sum((hi - lo for lo, hi in intervals), timedelta(0))


def subtract(intervals: Iterable[Interval], holes: Sequence[Interval]) -> Iterator[Interval]:
    """``intervals`` minus ``holes`` (both ordered, UTC); used to take paused time off the clock."""
    ordered = sorted(holes)
    for lo, hi in intervals:
        cursor = lo
        for h_lo, h_hi in ordered:
            if h_hi <= cursor or h_lo >= hi:
                continue
            if h_lo > cursor:
                yield cursor, h_lo
            cursor = max(cursor, h_hi)
            if cursor >= hi:
                break
        if cursor < hi:
            yield cursor, hi


def add_business_time(cal: BusinessCalendar, start: datetime, amount: timedelta) -> datetime:
    """``start`` plus ``amount`` of open time of ``cal``: the due-time primitive."""
    return consume(open_intervals(cal, start), amount)


def add_business_minutes(cal: BusinessCalendar, start: datetime, minutes: float) -> datetime:
    """Same as :func:`add_business_time` with minutes, the unit SLA settings use."""
    return add_business_time(cal, start, timedelta(minutes=minutes))


def business_time_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Open time of ``cal`` in ``[start, end)``; zero when ``end <= start``."""
    if ensure_utc(end, "end") <= ensure_utc(start, "start"):
        return timedelta(0)
    return measure(open_intervals(cal, start, end))


def business_minutes_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    """:func:`business_time_between` in minutes."""
    return business_time_between(cal, start, end) / timedelta(minutes=1)
