"""Queue priority: score, bucket and the reasons an agent sees."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from responder.priority import PrioritySignals, bucket_for, effort_from_text, score_priority


def test_angry_complaint_from_big_account_near_breach_is_urgent() -> None:
    p = score_priority(PrioritySignals(detractor=0.9, complaint=0.95, urgency=0.8, effort=0.7,
                                       followers=250_000, verified=True, sla_remaining=timedelta(minutes=10)))
    assert p.bucket == "urgent"
    assert p.reasons[0].startswith("likely detractor")
    assert any(r.startswith("complaint") for r in p.reasons)
    assert any("250,000 followers, verified" in r for r in p.reasons)
    assert "SLA due in 10 min" in p.reasons


def test_praise_is_low_with_no_reasons() -> None:
    p = score_priority(PrioritySignals(detractor=0.05, complaint=0.02, followers=50))
    assert p.bucket == "low"
    assert p.reasons == ()


def test_breached_sla_is_a_reason_and_full_points() -> None:
    p = score_priority(PrioritySignals(complaint=0.6, sla_remaining=timedelta(minutes=-25)))
    assert "SLA breached 25 min ago" in p.reasons
    assert p.contributions["sla"] == 10


def test_repeat_contacts_count_as_effort() -> None:
    p = score_priority(PrioritySignals(customer_messages=4))
    assert p.contributions["effort"] == 7.5
    assert "high customer effort (4 messages)" in p.reasons


def test_effort_from_text() -> None:
    assert effort_from_text("Third time asking. Called 4 times, 2 hours on hold!") >= 0.7
    assert effort_from_text("Love the new app") == 0
    assert effort_from_text("still no refund") == 0.35


def test_buckets() -> None:
    assert [bucket_for(s) for s in (100, 75, 74.9, 50, 49, 25, 24.9, 0)] == [
        "urgent", "urgent", "high", "high", "normal", "normal", "low", "low"]


unit = st.floats(0, 1)


@given(unit, unit, unit, unit, st.integers(0, 10**8), st.booleans(),
       st.one_of(st.none(), st.integers(-10_000, 10_000).map(lambda m: timedelta(minutes=m))))
def test_score_is_bounded_and_sums_contributions(d, c, u, e, followers, verified, remaining) -> None:
    p = score_priority(PrioritySignals(d, c, u, e, followers, verified, remaining))
    assert 0 <= p.score <= 100
    assert abs(p.score - sum(p.contributions.values())) < 0.05
    assert p.bucket == bucket_for(p.score)


@given(unit, unit, unit)
def test_more_detractor_never_lowers_priority(d1, d2, c) -> None:
    low, high = sorted((d1, d2))
    assert score_priority(PrioritySignals(detractor=low, complaint=c)).score <= score_priority(
        PrioritySignals(detractor=high, complaint=c)).score


@given(st.integers(-500, 500), st.integers(-500, 500))
def test_less_sla_time_never_lowers_priority(a, b) -> None:
    less, more = sorted((a, b))
    assert score_priority(PrioritySignals(sla_remaining=timedelta(minutes=less))).score >= score_priority(
        PrioritySignals(sla_remaining=timedelta(minutes=more))).score


def test_nan_scores_do_not_poison_the_queue() -> None:
    assert score_priority(PrioritySignals(detractor=float("nan"))).score == 0
