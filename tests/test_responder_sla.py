"""SLA policies and applied-SLA evaluation: matching, due times, pauses, states, warnings, escalation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careline.domain import ConversationStatus as S
from careline.settings import CalendarSettings, SLAPolicySettings, SLASettings
from responder.calendar import calendar_from_settings, is_open
from responder.sla import (
    AppliedState,
    Message,
    SLAPolicy,
    StatusChange,
    TargetKind,
    TargetResult,
    TargetState,
    due_times,
    evaluate_sla,
    match_policy,
    policies_from_settings,
    policy_from_dict,
    select_policy,
)

T0 = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # a Tuesday
MIN = timedelta(minutes=1)
OFFICE = calendar_from_settings(CalendarSettings(
    name="office", timezone="UTC", hours={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}))
FAST = SLAPolicy("fast", first_response_minutes=30, next_response_minutes=60, resolution_minutes=240)


def at(minutes: float) -> datetime:
    return T0 + minutes * MIN


def customer(minutes: float) -> Message:
    return Message(at(minutes), from_customer=True)


def agent(minutes: float) -> Message:
    return Message(at(minutes), from_customer=False)


def change(minutes: float, status: S) -> StatusChange:
    return StatusChange(at(minutes), status)


def evaluate(msgs=(), changes=(), now: float = 0, policy: SLAPolicy = FAST):
    return evaluate_sla(policy, created_at=T0, messages=[customer(0), *msgs], status_changes=changes,
                        now=at(now))


def kinds(ev, kind: TargetKind):
    return [t for t in ev.targets if t.kind is kind]


# -- matching -----------------------------------------------------------------------------------------
SETTINGS = SLASettings(
    calendars=[CalendarSettings(name="office", timezone="Europe/London",
                                hours={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
                                holidays=["2026-12-25"])],
    policies=[
        SLAPolicySettings(name="vip-x", priorities=["urgent"], platforms=["x"], first_response_minutes=15),
        SLAPolicySettings(name="acme", brands=["acme"], first_response_minutes=45, calendar="office"),
        SLAPolicySettings(name="default"),
    ],
)


def test_first_matching_policy_wins() -> None:
    policies = policies_from_settings(SETTINGS)
    assert [p.name for p in policies] == ["vip-x", "acme", "default"]
    assert match_policy(policies, priority="urgent", platform="x", brand="acme").name == "vip-x"
    assert match_policy(policies, priority="urgent", platform="reddit", brand="acme").name == "acme"
    assert match_policy(policies, priority="low", platform="reddit", brand="other").name == "default"
    assert match_policy(policies[:2], priority="low", platform="reddit", brand="other") is None
    assert policies[1].calendar.timezone == "Europe/London"


def test_policy_is_not_retroactive() -> None:
    policies = policies_from_settings(SETTINGS)
    kept = select_policy(policies, current="acme", priority="urgent", platform="x", brand="acme")
    assert kept is not None and kept.name == "acme"  # would match vip-x today, keeps acme
    fresh = select_policy(policies, current="deleted", priority="urgent", platform="x", brand="acme")
    assert fresh is not None and fresh.name == "vip-x"
    assert select_policy(policies, current=None, priority="low", platform="x", brand="z").name == "default"


def test_policy_snapshot_round_trips_through_json() -> None:
    policy = policies_from_settings(SETTINGS)[1]
    again = policy_from_dict(json.loads(json.dumps(policy.to_dict())))
    assert again == policy


def test_policy_rejects_more_than_three_escalation_levels() -> None:
    with pytest.raises(ValueError):
        SLAPolicy("x", escalation_minutes=(0, 10, 20, 30))
    with pytest.raises(ValueError):
        SLAPolicy("x", escalation_minutes=(60, 0))


def test_due_times_use_the_policy_calendar() -> None:
    policy = SLAPolicy("biz", first_response_minutes=30, next_response_minutes=60, resolution_minutes=480,
                       calendar=OFFICE)
    due = due_times(policy, datetime(2026, 3, 13, 16, 45, tzinfo=UTC))
    assert due.first_response == datetime(2026, 3, 16, 9, 15, tzinfo=UTC)
    assert due.next_response == datetime(2026, 3, 16, 9, 45, tzinfo=UTC)
    assert due.resolution == datetime(2026, 3, 16, 16, 45, tzinfo=UTC)  # 15 min Friday + 7h45 Monday


# -- evaluation ---------------------------------------------------------------------------------------
def test_fresh_conversation_is_active_with_due_times() -> None:
    ev = evaluate(now=5)
    assert ev.state is AppliedState.ACTIVE
    assert ev.due(TargetKind.FIRST_RESPONSE) == at(30)
    assert ev.due(TargetKind.RESOLUTION) == at(240)
    assert ev.due(TargetKind.NEXT_RESPONSE) is None
    assert ev.next_check_at == at(15)  # the first-response warning, 15 min before due


def test_first_response_hit_then_next_response_cycle() -> None:
    ev = evaluate([agent(20), customer(50)], [change(1, S.OPEN)], now=70)
    first = kinds(ev, TargetKind.FIRST_RESPONSE)
    assert [t.state for t in first] == [TargetState.HIT]
    assert first[0].completed_at == at(20)
    nxt = kinds(ev, TargetKind.NEXT_RESPONSE)
    assert [(t.started_at, t.due_at, t.state) for t in nxt] == [(at(50), at(110), TargetState.ACTIVE)]
    assert ev.due(TargetKind.NEXT_RESPONSE) == at(110)


def test_each_customer_message_after_a_reply_starts_a_next_response_target() -> None:
    msgs = [agent(10), customer(20), customer(25), agent(40), customer(100), agent(200)]
    ev = evaluate(msgs, now=300)
    nxt = kinds(ev, TargetKind.NEXT_RESPONSE)
    assert [(t.started_at, t.state) for t in nxt] == [(at(20), TargetState.HIT), (at(100), TargetState.MISSED)]
    assert ev.state is AppliedState.ACTIVE_WITH_MISSES


def test_missed_first_response_escalates_in_levels() -> None:
    assert evaluate(now=29).escalation_level == 0
    assert evaluate(now=29).warnings
    ev = evaluate(now=30.5)
    assert kinds(ev, TargetKind.FIRST_RESPONSE)[0].state is TargetState.MISSED
    assert ev.state is AppliedState.ACTIVE_WITH_MISSES
    assert ev.escalation_level == 1
    assert evaluate(now=30 + 61).escalation_level == 2
    assert evaluate(now=30 + 241).escalation_level == 3
    assert evaluate(now=30 + 10_000).escalation_level == 3
    assert evaluate(now=30.5).next_check_at == at(90)  # next escalation threshold


def test_late_reply_is_a_miss_that_stops_escalating() -> None:
    ev = evaluate([agent(45)], now=100)
    first = kinds(ev, TargetKind.FIRST_RESPONSE)[0]
    assert first.state is TargetState.MISSED and first.completed_at == at(45)
    assert not first.open_breach
    assert ev.escalation_level == 0


def test_pending_pauses_the_clock() -> None:
    # Reply at 10, pending from 10 to 130 (customer answers at 130), resolved at 200.
    changes = [change(1, S.OPEN), change(10, S.PENDING), change(130, S.OPEN), change(200, S.RESOLVED)]
    ev = evaluate([agent(10), customer(130), agent(150)], changes, now=210)
    resolution = kinds(ev, TargetKind.RESOLUTION)[0]
    assert resolution.used == timedelta(minutes=10 + 70)
    assert resolution.state is TargetState.HIT
    assert resolution.due_at == at(240 + 120)
    assert ev.state is AppliedState.HIT


def test_while_pending_the_due_time_is_unknown_and_state_paused() -> None:
    changes = [change(1, S.OPEN), change(10, S.PENDING)]
    ev = evaluate([agent(10)], changes, now=500)
    resolution = kinds(ev, TargetKind.RESOLUTION)[0]
    assert resolution.state is TargetState.PAUSED
    assert resolution.due_at is None
    assert resolution.used == 10 * MIN
    assert ev.state is AppliedState.ACTIVE
    assert ev.escalation_level == 0


def test_resolution_missed_and_reopen_resumes_clock() -> None:
    changes = [change(1, S.OPEN), change(300, S.RESOLVED)]
    ev = evaluate([agent(5)], changes, now=310)
    assert kinds(ev, TargetKind.RESOLUTION)[0].state is TargetState.MISSED
    assert ev.state is AppliedState.MISSED
    # reopened by a customer message: resolved time (300..400) does not count
    changes += [change(400, S.OPEN)]
    ev = evaluate([agent(5), customer(400)], changes, now=410)
    assert kinds(ev, TargetKind.RESOLUTION)[0].used == (300 + 10) * MIN
    assert ev.state is AppliedState.ACTIVE_WITH_MISSES
    assert kinds(ev, TargetKind.NEXT_RESPONSE)[0].due_at == at(460)


def test_dismissing_before_due_cancels_targets() -> None:
    ev = evaluate([], [change(5, S.DISMISSED)], now=1000)
    states = {t.kind: t.state for t in ev.targets}
    assert states == {TargetKind.FIRST_RESPONSE: TargetState.CANCELLED,
                      TargetKind.RESOLUTION: TargetState.CANCELLED}
    assert ev.state is AppliedState.HIT
    assert ev.next_check_at is None


def test_dismissing_after_due_keeps_the_miss() -> None:
    ev = evaluate([], [change(45, S.DISMISSED)], now=1000)
    assert kinds(ev, TargetKind.FIRST_RESPONSE)[0].state is TargetState.MISSED
    assert ev.state is AppliedState.MISSED
    assert ev.escalation_level == 0  # closed: nobody to chase


def test_business_hours_policy_on_friday_evening() -> None:
    policy = SLAPolicy("biz", first_response_minutes=30, calendar=OFFICE)
    friday = datetime(2026, 3, 13, 16, 45, tzinfo=UTC)
    ev = evaluate_sla(policy, created_at=friday, messages=[Message(friday, True)], status_changes=[],
                      now=friday + timedelta(hours=1))
    first = kinds(ev, TargetKind.FIRST_RESPONSE)[0]
    assert first.due_at == datetime(2026, 3, 16, 9, 15, tzinfo=UTC)
    assert first.state is TargetState.ACTIVE and not first.warning
    assert first.used == 15 * MIN


def test_future_history_is_ignored() -> None:
    assert evaluate([agent(20)], now=10) == evaluate(now=10)


def test_allowance_used_up_as_a_pause_begins_is_missed_once_past_due() -> None:
    """Found by the property below: one minute allowed, pending from minute 1 to 2. The clock stopped
    with the allowance spent exactly, so the target is due at minute 1 and missed once past it."""
    quick = SLAPolicy("quick", first_response_minutes=1, next_response_minutes=1, resolution_minutes=60)
    changes = [change(1, S.PENDING), change(2, S.NEW)]
    first = kinds(evaluate(changes=changes, now=2, policy=quick), TargetKind.FIRST_RESPONSE)[0]
    assert (first.used, first.due_at, first.state) == (MIN, at(1), TargetState.MISSED)
    on_time = kinds(evaluate([agent(1)], changes, now=2, policy=quick), TargetKind.FIRST_RESPONSE)[0]
    assert on_time.state is TargetState.HIT


def test_allowance_used_up_at_closing_time_is_missed_the_next_morning() -> None:
    office = SLAPolicy("office", first_response_minutes=60, calendar=OFFICE)
    opened = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 60 open minutes before 17:00
    def first(msgs: list[Message], now: datetime) -> TargetResult:
        ev = evaluate_sla(office, created_at=opened, messages=[Message(opened, True), *msgs], status_changes=[],
                          now=now)
        return kinds(ev, TargetKind.FIRST_RESPONSE)[0]
    evening = first([], datetime(2026, 3, 10, 20, 0, tzinfo=UTC))
    assert (evening.used, evening.due_at, evening.state) == (60 * MIN, opened + 60 * MIN, TargetState.MISSED)
    assert first([Message(opened + 60 * MIN, False)], opened + 61 * MIN).state is TargetState.HIT


# -- properties ---------------------------------------------------------------------------------------
events = st.lists(
    st.one_of(
        st.tuples(st.integers(1, 2000), st.sampled_from(["customer", "agent"])),
        st.tuples(st.integers(1, 2000), st.sampled_from(list(S))),
    ),
    max_size=12,
)
policies = st.builds(
    SLAPolicy, name=st.just("p"), first_response_minutes=st.integers(1, 300),
    next_response_minutes=st.integers(1, 300), resolution_minutes=st.integers(1, 3000),
    calendar=st.sampled_from([OFFICE, SLAPolicy("x").calendar]),
)


def _history(items):
    msgs = [customer(0)] + [Message(at(m), what == "customer") for m, what in items if what in ("customer", "agent")]
    changes = [StatusChange(at(m), S(what)) for m, what in items if what not in ("customer", "agent")]
    return msgs, changes


@settings(max_examples=80, deadline=None)
@given(policies, events, st.integers(0, 3000))
def test_evaluation_invariants(policy: SLAPolicy, items, now: int) -> None:
    msgs, changes = _history(items)
    ev = evaluate_sla(policy, created_at=T0, messages=msgs, status_changes=changes, now=at(now))
    assert ev.escalation_level in range(4)
    assert (ev.misses > 0) == (ev.state in (AppliedState.MISSED, AppliedState.ACTIVE_WITH_MISSES))
    assert len(kinds(ev, TargetKind.FIRST_RESPONSE)) == 1
    assert len(kinds(ev, TargetKind.RESOLUTION)) == 1
    for t in ev.targets:
        allowed = timedelta(minutes=policy.minutes_for(t.kind))
        assert t.used >= timedelta(0)
        past_due = t.due_at is not None and (t.completed_at or at(now)) > t.due_at
        assert (t.state is TargetState.MISSED) == (t.used > allowed or (t.used == allowed and past_due))
        if t.due_at is not None:
            assert t.due_at > t.started_at
            assert is_open(policy.calendar, t.due_at - timedelta(microseconds=1))
        if t.state is TargetState.ACTIVE:
            assert t.due_at is not None and t.due_at >= at(now)
        if t.escalation_level:
            assert t.open_breach and t.due_at is not None and t.due_at <= at(now)
    if ev.next_check_at is not None:
        assert ev.next_check_at > at(now)


@settings(max_examples=60, deadline=None)
@given(policies, st.integers(0, 3000), st.integers(0, 3000))
def test_unanswered_state_only_gets_worse_with_time(policy: SLAPolicy, a: int, b: int) -> None:
    early, late = sorted((a, b))
    ev1, ev2 = evaluate(now=early, policy=policy), evaluate(now=late, policy=policy)
    assert ev1.misses <= ev2.misses
    assert ev1.escalation_level <= ev2.escalation_level


NY_OFFICE = calendar_from_settings(CalendarSettings(
    name="ny", timezone="America/New_York", hours={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")},
    holidays=["2026-07-03", "2026-11-26"]))


@settings(max_examples=60, deadline=None)
@given(policies.map(lambda p: SLAPolicy(p.name, p.first_response_minutes, p.next_response_minutes,
                                        p.resolution_minutes, calendar=NY_OFFICE)),
       st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC)))
def test_fresh_conversation_due_times_match_due_times(policy: SLAPolicy, created: datetime) -> None:
    ev = evaluate_sla(policy, created_at=created, messages=[Message(created, True)], status_changes=[],
                      now=created)
    due = due_times(policy, created)
    assert ev.due(TargetKind.FIRST_RESPONSE) == due.first_response
    assert ev.due(TargetKind.RESOLUTION) == due.resolution
    assert ev.state is AppliedState.ACTIVE


conditions = st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2)


@given(st.lists(st.builds(SLAPolicy, name=st.text(max_size=3), priorities=conditions, platforms=conditions,
                          brands=conditions), max_size=6),
       st.sampled_from("abc"), st.sampled_from("abc"), st.sampled_from("abc"))
def test_match_policy_is_the_first_whose_every_condition_holds(policies_, pr, pl, br) -> None:
    """... trying the catch-alls (no condition at all) after the others."""
    ordered = sorted(policies_, key=lambda p: not (p.priorities or p.platforms or p.brands))
    expected = [p for p in ordered if (not p.priorities or pr in p.priorities)
                and (not p.platforms or pl in p.platforms) and (not p.brands or br in p.brands)]
    got = match_policy(policies_, priority=pr, platform=pl, brand=br)
    assert got is (expected[0] if expected else None)


def test_a_catch_all_policy_is_tried_after_every_other() -> None:
    """A "vip" policy added in the browser (or by config import) lands after the file's catch-all "standard", and
    never applied: first match won, and the catch-all matches everything."""
    from responder.sla import SLAPolicy, match_policy

    standard = SLAPolicy(name="standard", first_response_minutes=60, next_response_minutes=120,
                         resolution_minutes=1440)
    vip = SLAPolicy(name="vip", first_response_minutes=15, next_response_minutes=30, resolution_minutes=240,
                    priorities=frozenset({"urgent"}))
    later = SLAPolicy(name="later", first_response_minutes=90, next_response_minutes=120, resolution_minutes=1440)
    chosen = match_policy([standard, vip, later], priority="urgent", platform="x", brand="skylark")
    assert chosen is not None and chosen.name == "vip"
    chosen = match_policy([standard, vip, later], priority="low", platform="x", brand="skylark")
    assert chosen is not None and chosen.name == "standard"  # of two catch-alls, the first still wins
