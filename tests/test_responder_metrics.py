"""Team metrics and survey scores."""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given
from hypothesis import strategies as st

from responder.metrics import (
    ces,
    csat,
    median,
    nps,
    nps_from_counts,
    nps_zone,
    percentile,
    round_half_up,
)


def test_nps_worked_example() -> None:
    """153 answers: 34 detractors, 20 passives, 99 promoters -> NPS 43, improvement zone."""
    result = nps([3] * 34 + [8] * 20 + [10] * 99)
    assert result.score == 43
    assert result.zone == "improvement"
    assert result.total == 153
    assert round(result.exact, 2) == 42.48
    assert nps_from_counts(99, 20, 34) == result


def test_nps_boundaries_and_zones() -> None:
    assert nps([10, 9]).score == 100 and nps([10]).zone == "excellence"
    assert nps([0, 6]).score == -100 and nps([6]).zone == "critical"
    assert nps([7, 8]).score == 0 and nps([7]).zone == "improvement"
    assert [nps_zone(s) for s in (-1, 0, 49, 50, 74, 75, 100)] == [
        "critical", "improvement", "improvement", "quality", "quality", "excellence", "excellence"]
    with pytest.raises(ValueError):
        nps([])
    with pytest.raises(ValueError):
        nps([11])


@given(st.lists(st.integers(0, 10), min_size=1))
def test_nps_is_bounded(answers: list[int]) -> None:
    result = nps(answers)
    assert -100 <= result.score <= 100
    assert abs(result.score - result.exact) <= 1
    assert result.zone == nps_zone(result.score)


def test_round_half_up() -> None:
    assert [round_half_up(v) for v in (42.5, 43.5, -42.5, 0.49)] == [43, 44, -43, 0]


def test_csat_and_ces() -> None:
    c = csat([5, 4, 3, 1, 5])
    assert (c.pct, c.mean, c.count) == (60.0, 3.6, 5)
    assert c.distribution == {1: 1, 2: 0, 3: 1, 4: 1, 5: 2}
    e = ces([7, 6, 5, 2])
    assert (e.pct, e.mean) == (75.0, 5.0)
    with pytest.raises(ValueError):
        csat([0])
    with pytest.raises(ValueError):
        ces([])


def test_percentiles() -> None:
    assert median([]) is None
    assert median([3, 1, 2]) == 2
    assert median([1, 2, 3, 4]) == 2.5
    assert percentile(range(1, 11), 90) == pytest.approx(9.1)
    with pytest.raises(ValueError):
        percentile([1], 101)


@given(st.lists(st.floats(0, 1e6), min_size=2))
def test_percentile_agrees_with_statistics(values: list[float]) -> None:
    assert median(values) == pytest.approx(statistics.median(values))
    expected = statistics.quantiles(values, n=10, method="inclusive")[-1]
    assert percentile(values, 90) == pytest.approx(expected)
