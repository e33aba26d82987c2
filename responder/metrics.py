"""Team metrics and survey scores: pure aggregations over plain records.

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
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from responder.sla import SLAEvaluation, TargetKind, TargetResult, TargetState


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


# -- team metrics -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ConversationRecord:
    """What the report needs from one conversation; durations in seconds (business or wall, caller's choice).

    ``targets_hit`` / ``targets_missed`` count its SLA targets (``SLAEvaluation.hits/misses``).
    """

    agent: str | None
    platform: str
    brand: str
    first_response: float | None = None
    next_responses: tuple[float, ...] = ()
    resolution: float | None = None
    targets_hit: int = 0
    targets_missed: int = 0


def record_from_evaluation(
    evaluation: SLAEvaluation, *, agent: str | None, platform: str, brand: str, business: bool = False
) -> ConversationRecord:
    """The report row of one conversation from its :func:`responder.sla.evaluate_sla` result.

    Durations are wall-clock seconds from each target's start to its completion, or, with
    ``business=True``, the SLA clock time (business hours, pauses excluded). Cancelled and unfinished
    targets have no duration; only hit and missed targets count towards attainment.
    """

    def seconds(t: TargetResult) -> float | None:
        if t.completed_at is None or t.state is TargetState.CANCELLED:
            return None
        return (t.used if business else t.completed_at - t.started_at).total_seconds()

    def done(kind: TargetKind) -> list[float]:
        return [v for t in evaluation.targets if t.kind is kind and (v := seconds(t)) is not None]

    first, resolution = done(TargetKind.FIRST_RESPONSE), done(TargetKind.RESOLUTION)
    return ConversationRecord(
        agent=agent, platform=platform, brand=brand,
        first_response=first[0] if first else None,
        next_responses=tuple(done(TargetKind.NEXT_RESPONSE)),
        resolution=resolution[0] if resolution else None,
        targets_hit=evaluation.hits,
        targets_missed=evaluation.misses,
    )


@dataclass(frozen=True, slots=True)
class TeamMetrics:
    conversations: int
    first_response: Summary
    next_response: Summary
    resolution: Summary
    targets_hit: int
    targets_missed: int
    attainment: float | None  # share of SLA targets hit, 0..1; None when no target was decided

    @property
    def attainment_pct(self) -> float | None:
        return None if self.attainment is None else round(100 * self.attainment, 1)


GROUPINGS: Mapping[str, Callable[[ConversationRecord], str]] = {
    "agent": lambda r: r.agent or "(unassigned)",
    "platform": lambda r: r.platform,
    "brand": lambda r: r.brand,
}


def team_metrics(records: Iterable[ConversationRecord]) -> TeamMetrics:
    """FRT, NRT and resolution summaries and SLA attainment over ``records``."""
    rows = list(records)
    hit = sum(r.targets_hit for r in rows)
    missed = sum(r.targets_missed for r in rows)
    return TeamMetrics(
        conversations=len(rows),
        first_response=summarise(r.first_response for r in rows if r.first_response is not None),
        next_response=summarise(v for r in rows for v in r.next_responses),
        resolution=summarise(r.resolution for r in rows if r.resolution is not None),
        targets_hit=hit,
        targets_missed=missed,
        attainment=hit / (hit + missed) if hit + missed else None,
    )


def metrics_by(records: Iterable[ConversationRecord], by: str) -> dict[str, TeamMetrics]:
    """:func:`team_metrics` per ``agent``, ``platform`` or ``brand``, keys sorted."""
    key = GROUPINGS[by]
    groups: dict[str, list[ConversationRecord]] = defaultdict(list)
    for record in records:
        groups[key(record)].append(record)
    return {name: team_metrics(groups[name]) for name in sorted(groups)}


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
