"""Order statistics and survey scores: pure aggregations over plain values.

Team figures (attainment, response and resolution times per group) are SQL over the aggregates
``careline.store.reporting`` keeps; these functions are the definitions they follow.

Response times are summarised by median and 90th percentile rather than the mean, because one
weekend-long outlier would otherwise dominate a week's average (Sprout reports median and slowest
for the same reason). Percentiles use linear interpolation between order statistics (the default
of numpy and of Python's ``statistics.quantiles(method="inclusive")``).

Survey conventions:

* **NPS** = % promoters (9-10) - % detractors (0-6). Each percentage is rounded half-up to a whole
  number first, as survey tools display it, so 99 promoters and 34 detractors of 153 answers give
  65 - 22 = 43 (the unrounded difference is 42.5). Zones: critical < 0, improvement 0-49,
  quality 50-74, excellence 75-100.
* **CSAT** = % of answers in the top two boxes (4-5 on a 1-5 scale), plus the mean.
* **CES** = mean answer on a 1-7 "the company made it easy" scale (higher = less effort), plus the
  % who agreed (5-7).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal


# -- order statistics ---------------------------------------------------------------------------------
def percentile(values: Iterable[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) by linear interpolation; ``None`` for no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    data = sorted(float(v) for v in values)
    if not data:
        return None
    rank = (len(data) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return data[low] + (data[high] - data[low]) * (rank - low)


def median(values: Iterable[float]) -> float | None:
    """50th percentile; ``None`` for no values."""
    return percentile(values, 50)


@dataclass(frozen=True, slots=True)
class Summary:
    """Median and p90 of a set of durations in seconds."""

    count: int
    median: float | None
    p90: float | None


def summarise(values: Iterable[float]) -> Summary:
    data = [float(v) for v in values]
    return Summary(len(data), median(data), percentile(data, 90))


# -- surveys ------------------------------------------------------------------------------------------
def round_half_up(value: float) -> int:
    """42.5 -> 43 and -42.5 -> -43, unlike Python's banker's ``round``."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class NPS:
    score: int  # -100..100, from rounded percentages
    exact: float  # unrounded difference of percentages
    promoters: int
    passives: int
    detractors: int
    zone: str

    @property
    def total(self) -> int:
        return self.promoters + self.passives + self.detractors


def nps_zone(score: float) -> str:
    """critical < 0 <= improvement < 50 <= quality < 75 <= excellence."""
    if score < 0:
        return "critical"
    if score < 50:
        return "improvement"
    return "quality" if score < 75 else "excellence"


def nps_from_counts(promoters: int, passives: int, detractors: int) -> NPS:
    """NPS from counts; raises ``ValueError`` when there are no answers."""
    total = promoters + passives + detractors
    if min(promoters, passives, detractors) < 0 or total == 0:
        raise ValueError("NPS needs at least one answer and no negative counts")
    pro, det = 100 * promoters / total, 100 * detractors / total
    score = round_half_up(pro) - round_half_up(det)
    return NPS(score, pro - det, promoters, passives, detractors, nps_zone(score))


def nps(answers: Iterable[int]) -> NPS:
    """NPS from 0-10 answers."""
    counts = [0, 0, 0]
    for answer in answers:
        _check_scale(answer, 0, 10)
        counts[0 if answer >= 9 else 1 if answer >= 7 else 2] += 1
    return nps_from_counts(*counts)


@dataclass(frozen=True, slots=True)
class ScaleScore:
    """A satisfaction-style score: % in the agreeing boxes, mean answer, number of answers."""

    pct: float
    mean: float
    count: int
    distribution: Mapping[int, int] = field(default_factory=dict)


def csat(answers: Iterable[int], *, scale: int = 5, satisfied_from: int = 4) -> ScaleScore:
    """CSAT: % of answers >= ``satisfied_from`` on a 1..``scale`` scale."""
    return _scale_score(answers, scale, satisfied_from)


def ces(answers: Iterable[int], *, scale: int = 7, easy_from: int = 5) -> ScaleScore:
    """CES: mean on a 1..``scale`` "it was easy" scale and % who agreed (>= ``easy_from``)."""
    return _scale_score(answers, scale, easy_from)


def _scale_score(answers: Iterable[int], scale: int, agree_from: int) -> ScaleScore:
    data: Sequence[int] = list(answers)
    if not data:
        raise ValueError("a score needs at least one answer")
    for answer in data:
        _check_scale(answer, 1, scale)
    agreeing = sum(a >= agree_from for a in data)
    distribution = {v: data.count(v) for v in range(1, scale + 1)}
    return ScaleScore(round(100 * agreeing / len(data), 1), round(sum(data) / len(data), 2), len(data),
                      distribution)


def _check_scale(answer: int, low: int, high: int) -> None:
    if isinstance(answer, bool) or not isinstance(answer, int) or not low <= answer <= high:
        raise ValueError(f"answer must be an integer {low}..{high}, got {answer!r}")
