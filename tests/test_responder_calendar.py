"""Business-hours arithmetic: worked examples, DST, holidays, and Hypothesis round-trips."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careline.settings import CalendarSettings
from responder.calendar import (
    CALENDAR_HOURS,
    BusinessCalendar,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    calendar_from_settings,
    consume,
    is_open,
    local_to_utc,
    measure,
    next_open,
    open_intervals,
    parse_span,
    subtract,
)

WEEKDAYS = {d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}


def cal(zone: str = "Europe/London", hours: dict[str, str] | None = None, holidays: tuple[str, ...] = ()):
    return calendar_from_settings(
        CalendarSettings(name="team", timezone=zone, hours=WEEKDAYS if hours is None else hours,
                         holidays=list(holidays)))


def local(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def test_friday_1645_plus_30_minutes_is_monday_0915() -> None:
    """The worked example of the issue (Hootsuite's, business hours Mon-Fri 09:00-17:00)."""
    c = cal("America/New_York")
    due = add_business_minutes(c, local("America/New_York", 2026, 3, 13, 16, 45), 30)
    assert due.astimezone(ZoneInfo("America/New_York")) == local("America/New_York", 2026, 3, 16, 9, 15)
    assert due.tzinfo is UTC


def test_friday_example_in_every_zone_and_across_dst_weekend() -> None:
    # 2026-03-06 is a Friday; US clocks spring forward on Sunday 2026-03-08.
    for zone in ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"):
        due = add_business_minutes(cal(zone), local(zone, 2026, 3, 6, 16, 45), 30)
        assert due.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == datetime(2026, 3, 9, 9, 15), zone


def test_opening_hours_follow_local_clock_across_dst() -> None:
    c = cal("Europe/London")
    winter = next_open(c, datetime(2026, 3, 27, 18, 0, tzinfo=UTC))  # Friday evening, GMT
    summer = next_open(c, datetime(2026, 3, 30, 0, 0, tzinfo=UTC))  # Monday after BST starts
    assert winter == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert summer == winter


def test_midnight_dst_gap_moves_to_gap_end() -> None:
    # Chile springs forward at 24:00 on Saturday 2026-09-05: Sunday 00:00 does not exist.
    zone = ZoneInfo("America/Santiago")
    moved = local_to_utc(date(2026, 9, 6), 0, zone)
    assert moved == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)
    assert moved.astimezone(zone).hour == 1


def test_nonexistent_and_repeated_local_times() -> None:
    ny = ZoneInfo("America/New_York")
    assert local_to_utc(date(2026, 3, 8), 150, ny) == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # 02:30 -> 03:00
    assert local_to_utc(date(2026, 11, 1), 90, ny) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # first 01:30


def test_24_7_day_is_25_hours_on_fall_back() -> None:
    c = BusinessCalendar("allday", "America/New_York", hours={6: ((0, 1440),)})  # Sundays only
    sunday = local("America/New_York", 2026, 11, 1)
    assert business_time_between(c, sunday, sunday + timedelta(days=2)) == timedelta(hours=25)
    spring = local("America/New_York", 2026, 3, 8)
    assert business_time_between(c, spring, spring + timedelta(days=2)) == timedelta(hours=23)


def test_holidays_are_closed_all_day() -> None:
    c = cal("Europe/Berlin", holidays=("2026-12-24", "2026-12-25"))
    due = add_business_minutes(c, local("Europe/Berlin", 2026, 12, 23, 16, 30), 60)
    assert due.astimezone(ZoneInfo("Europe/Berlin")) == local("Europe/Berlin", 2026, 12, 28, 9, 30)


def test_before_opening_starts_at_opening() -> None:
    c = cal("UTC")
    assert add_business_minutes(c, datetime(2026, 3, 10, 6, 0, tzinfo=UTC), 30) == datetime(
        2026, 3, 10, 9, 30, tzinfo=UTC)


def test_due_exactly_at_closing_stays_that_day() -> None:
    c = cal("UTC")
    assert add_business_minutes(c, datetime(2026, 3, 10, 16, 30, tzinfo=UTC), 30) == datetime(
        2026, 3, 10, 17, 0, tzinfo=UTC)
    assert not is_open(c, datetime(2026, 3, 10, 17, 0, tzinfo=UTC))
    assert is_open(c, datetime(2026, 3, 10, 16, 59, tzinfo=UTC))


def test_calendar_hours_are_plain_addition() -> None:
    start = datetime(2026, 3, 13, 16, 45, tzinfo=UTC)
    assert add_business_minutes(CALENDAR_HOURS, start, 30) == start + timedelta(minutes=30)
    assert business_minutes_between(CALENDAR_HOURS, start, start + timedelta(hours=3)) == 180


def test_split_shifts_and_weekend_hours() -> None:
    c = cal("UTC", hours={"mon": "09:00-12:00, 13:00-17:00", "sat": "10:00-14:00"})
    monday = datetime(2026, 3, 9, 11, 30, tzinfo=UTC)
    assert add_business_minutes(c, monday, 60) == datetime(2026, 3, 9, 13, 30, tzinfo=UTC)
    assert add_business_minutes(c, datetime(2026, 3, 9, 16, 0, tzinfo=UTC), 120) == datetime(
        2026, 3, 14, 11, 0, tzinfo=UTC)


def test_business_time_between_counts_only_open_time() -> None:
    c = cal("UTC")
    friday = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    assert business_minutes_between(c, friday, friday + timedelta(days=3)) == 60 + 7 * 60
    assert business_time_between(c, friday, friday - timedelta(hours=1)) == timedelta(0)


def test_settings_and_validation() -> None:
    assert parse_span("09:00-24:00") == (540, 1440)
    for bad in ("9-17", "17:00-09:00", "09:00-25:00", "09:60-10:00"):
        with pytest.raises(ValueError):
            parse_span(bad)
    with pytest.raises(ValueError):
        BusinessCalendar("x", "UTC", hours={0: ()})
    with pytest.raises(ValueError):
        BusinessCalendar("x", "UTC", hours={7: ((0, 10),)})
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo raises its own lookup error
        BusinessCalendar("x", "Mars/Olympus")


def test_calendar_open_only_on_holidays_raises_instead_of_looping() -> None:
    days = [(date(2026, 1, 5) + timedelta(weeks=w)).isoformat() for w in range(200)]
    c = cal("UTC", hours={"mon": "09:00-17:00"}, holidays=tuple(days))
    with pytest.raises(ValueError):
        add_business_minutes(c, datetime(2026, 1, 1, tzinfo=UTC), 10)


def test_naive_datetimes_are_rejected() -> None:
    with pytest.raises(ValueError):
        add_business_minutes(cal(), datetime(2026, 3, 13, 16, 45), 30)


def test_interval_helpers() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    h = timedelta(hours=1)
    assert list(subtract([(t, t + 4 * h)], [(t + h, t + 2 * h)])) == [(t, t + h), (t + 2 * h, t + 4 * h)]
    assert list(subtract([(t, t + h)], [(t - h, t + 2 * h)])) == []
    assert measure([(t, t + h), (t + 2 * h, t + 3 * h)]) == 2 * h
    assert consume([(t, t + h), (t + 2 * h, t + 3 * h)], 90 * timedelta(minutes=1)) == t + 2.5 * h
    assert consume([(t, t + h)], timedelta(0)) == t
    with pytest.raises(ValueError):
        consume([(t, t + h)], 2 * h)


# -- properties ---------------------------------------------------------------------------------------
ZONES = ["UTC", "Europe/London", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kolkata", "Asia/Tehran", "Pacific/Apia", "America/Havana", "Europe/Berlin"]
SPANS = st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(lambda s: s[0] < s[1])


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        hours: dict[int, tuple[tuple[int, int], ...]] = {}
    else:
        days = draw(st.sets(st.integers(0, 6), min_size=1, max_size=7))
        hours = {d: (draw(SPANS),) for d in days}
        hours = {d: s for d, s in hours.items() if s}
    holidays = draw(st.frozensets(st.dates(date(2025, 12, 1), date(2027, 3, 1)), max_size=10))
    return BusinessCalendar("prop", zone, hours, holidays)


instants = st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))
minutes = st.integers(1, 5 * 24 * 60)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, minutes)
def test_add_then_measure_round_trips(c: BusinessCalendar, start: datetime, m: int) -> None:
    due = add_business_minutes(c, start, m)
    assert due > start
    assert business_time_between(c, start, due) == timedelta(minutes=m)


@settings(max_examples=150, deadline=None)
@given(calendars(), instants, minutes)
def test_due_time_is_never_inside_closed_hours(c: BusinessCalendar, start: datetime, m: int) -> None:
    """The instant just before a due time is open: nothing falls due during a weekend or a holiday."""
    due = add_business_minutes(c, start, m)
    assert is_open(c, due - timedelta(microseconds=1))
    assert due.astimezone(c.zone).date() not in c.holidays or due.astimezone(c.zone).time() == datetime.min.time()


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, minutes, minutes)
def test_adding_is_additive(c: BusinessCalendar, start: datetime, a: int, b: int) -> None:
    assert add_business_minutes(c, add_business_minutes(c, start, a), b) == add_business_minutes(c, start, a + b)


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, st.integers(0, 10 * 24 * 60))
def test_intervals_are_ordered_disjoint_and_open(c: BusinessCalendar, start: datetime, span: int) -> None:
    end = start + timedelta(minutes=span)
    intervals = list(open_intervals(c, start, end))
    for (lo, hi), nxt in zip(intervals, [*intervals[1:], None], strict=False):
        assert start <= lo < hi <= end
        assert is_open(c, lo)
        if nxt is not None:
            assert hi <= nxt[0]
    assert measure(intervals) <= end - start


@settings(max_examples=100, deadline=None)
@given(calendars(), instants, minutes)
def test_due_is_monotonic_in_minutes(c: BusinessCalendar, start: datetime, m: int) -> None:
    assert add_business_time(c, start, timedelta(minutes=m)) <= add_business_time(
        c, start, timedelta(minutes=m + 1))
