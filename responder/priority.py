"""Queue priority: a 0-100 score from the model's signals, the author's reach and SLA time left.

Every point of the score is attributed to a named signal and every signal that matters is turned
into a reason, so an agent can see *why* a post is at the top (Chatwoot closed "prioritise by
mood" because a bare sentiment score was not trusted; reasons are the answer to that). Sentiment is
deliberately not an input: the detractor, complaint and urgency heads already carry it, with
calibration.

Weights (sum 100): detractor 30, complaint 20, urgency 20, effort 10, reach 10, SLA time 10. The
buckets are the priorities SLA policies match on: urgent >= 75, high >= 50, normal >= 25, else low.

Two adjustments on top (issue 20), each with its own reason:
- **Severity** (0-4 from the classifier; 3 accusation and 4 blame) adds up to ``SEVERITY_POINTS`` to a
  complaint's score: a complaint that blames the brand publicly costs more goodwill than a neutral
  report of a problem (Jin & Aletras 2021's scale). A complaint whose language path reads no severity
  (Hungarian's keywords) counts an average complaint's points, so it does not rank below the same complaint
  read elsewhere.
- **Language not covered**: when no model path reads the post's language its scores are a guess, and a
  guess must not sink a post to the bottom of the queue; it gets ``UNCOVERED_FLOOR`` (a "normal"
  priority, above chatter) so a person reads it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from careline.domain import PRIORITY_BANDS
from careline.languages import language_name

WEIGHTS: Mapping[str, float] = {
    "detractor": 30.0,
    "complaint": 20.0,
    "urgency": 20.0,
    "effort": 10.0,
    "reach": 10.0,
    "sla": 10.0,
}
BUCKETS = tuple(zip(PRIORITY_BANDS, (75.0, 50.0, 25.0, 0.0), strict=True))
#: Followers at which reach counts fully (log scale from 100 followers).
FULL_REACH_FOLLOWERS = 1_000_000
#: SLA pressure starts this long before the due time and is full at it.
SLA_RAMP = timedelta(hours=2)
#: Points severity 4 (blame) adds to a complaint; level 3 adds two thirds, 2 a third, 0-1 nothing.
SEVERITY_POINTS = 9.0
#: Score a post in a language no model path reads gets at least.
UNCOVERED_FLOOR = 40.0
SEVERITY_NAMES = {2: "disapproval", 3: "accusation", 4: "blame"}
#: The share of ``SEVERITY_POINTS`` an average complaint earns: E[(level - 1) / 3 for levels 2-4] over the complaints
#: of ``complaints-xci-severity`` (levels 1-4: 35.8 %, 30.2 %, 18.5 %, 15.5 %). A post whose path reads no severity
#: (Hungarian's keywords) gets it, where it got nothing and sank 10-20 points below the same complaint elsewhere.
AVERAGE_SEVERITY_SHARE = 0.379

_EFFORT_PATTERNS = (
    r"\b(second|third|fourth|fifth|\d+(st|nd|rd|th)) time\b",
    r"\b(again|still|yet again|once more)\b",
    r"\b(called|phoned|emailed|messaged|chatted|contacted)\b.{0,40}\b(times|twice|days|weeks)\b",
    r"\b(on hold|hold for)\b",
    r"\b(no one|nobody|no-one)\b.{0,30}\b(answers?|replies|responds?|helps?|gets? back)\b",
    r"\b(transferred|passed around|bounced around|runaround)\b",
    r"\b(hours?|days?|weeks?) (of|on the phone|waiting)\b",
)
_EFFORT_RE = [re.compile(p, re.IGNORECASE) for p in _EFFORT_PATTERNS]


@dataclass(frozen=True, slots=True)
class PrioritySignals:
    """Inputs, all optional. Probabilities are in [0, 1]; ``sla_remaining`` is negative when overdue."""

    detractor: float = 0.0
    complaint: float = 0.0
    urgency: float = 0.0
    effort: float = 0.0
    followers: int = 0
    verified: bool = False
    sla_remaining: timedelta | None = None
    customer_messages: int = 1
    severity: int | None = None  # complaint severity 0-4; None = not recorded
    language: str | None = None  # ISO 639-1 (for the reason only)
    language_covered: bool | None = None  # False = no model reads the language: floor applies


@dataclass(frozen=True, slots=True)
class Priority:
    """Score (0-100), its bucket, the reasons for an agent, and the points each signal gave."""

    score: float
    bucket: str
    reasons: tuple[str, ...]
    contributions: Mapping[str, float] = field(default_factory=dict)


def effort_from_text(text: str) -> float:
    """Heuristic customer-effort signal in [0, 1]: repeat contacts, time on hold, being passed around.

    Each distinct cue adds 0.35, capped at 1. Crude on purpose; a trained head can replace it.
    """
    hits = sum(1 for pattern in _EFFORT_RE if pattern.search(text))
    return min(1.0, 0.35 * hits)


def bucket_for(score: float) -> str:
    """Map a 0-100 score to urgent / high / normal / low."""
    return next(name for name, floor in BUCKETS if score >= floor)


def score_priority(signals: PrioritySignals) -> Priority:
    """Weighted score with reasons, strongest contribution first."""
    parts = {
        "detractor": _unit(signals.detractor),
        "complaint": _unit(signals.complaint),
        "urgency": _unit(signals.urgency),
        "effort": _effort(signals),
        "reach": _reach(signals.followers, signals.verified),
        "sla": _sla_pressure(signals.sla_remaining),
    }
    contributions = {name: round(WEIGHTS[name] * value, 2) for name, value in parts.items()}
    extra: list[str] = []
    if (points := severity_points(signals)) > 0:
        contributions["severity"] = points
        extra.append(f"severity {signals.severity}/4: {SEVERITY_NAMES[int(signals.severity or 0)]}"
                     if signals.severity is not None else
                     f"severity not read in {language_name(signals.language or '')}: counted as an average "
                     "complaint's")
    score = round(min(100.0, sum(contributions.values())), 2)
    if signals.language_covered is False and score < UNCOVERED_FLOOR:
        contributions["language_floor"] = round(UNCOVERED_FLOOR - score, 2)
        score = UNCOVERED_FLOOR
        extra.insert(0, f"language not covered ({_named(signals.language)}): priority floor "
                        f"{UNCOVERED_FLOOR:.0f} so a person reads it")
    ranked = sorted(parts, key=lambda n: -contributions[n])
    reasons = tuple(r for name in ranked if (r := _reason(name, parts[name], signals)))
    return Priority(score, bucket_for(score), (*reasons, *extra), contributions)


def _named(code: str | None) -> str:
    """A language as the floor's reason names it: "Swedish, sv"; the code alone where no name is known."""
    if not code:
        return "unknown"
    name = language_name(code)
    return f"{name}, {code}" if name != code else code


def severity_points(signals: PrioritySignals) -> float:
    """Extra points for a severe complaint: 0 below disapproval, scaled by the complaint probability; a complaint in
    a language whose path reads no severity (``language`` set, ``severity`` None) gets an average complaint's
    (``AVERAGE_SEVERITY_SHARE``). A post stored before severity was read (no language either) gets none."""
    if signals.severity is None:
        if not signals.language or _unit(signals.complaint) < 0.5:
            return 0.0
        return round(SEVERITY_POINTS * AVERAGE_SEVERITY_SHARE * _unit(signals.complaint), 2)
    level = signals.severity
    if level < 2:
        return 0.0
    return round(SEVERITY_POINTS * (level - 1) / 3 * _unit(signals.complaint), 2)


def _unit(value: float) -> float:
    return 0.0 if math.isnan(value) else min(1.0, max(0.0, float(value)))


def _effort(signals: PrioritySignals) -> float:
    repeats = min(1.0, 0.25 * max(0, signals.customer_messages - 1))
    return max(_unit(signals.effort), repeats)


def _reach(followers: int, verified: bool) -> float:
    base = math.log10(max(followers, 1) / 100) / math.log10(FULL_REACH_FOLLOWERS / 100)
    value = min(1.0, max(0.0, base))
    return max(value, 0.5) if verified else value


def _sla_pressure(remaining: timedelta | None) -> float:
    if remaining is None:
        return 0.0
    if remaining <= timedelta(0):
        return 1.0
    return max(0.0, 1.0 - remaining / SLA_RAMP)


def _reason(name: str, value: float, s: PrioritySignals) -> str | None:
    if name == "sla" and s.sla_remaining is not None:
        return _sla_reason(s.sla_remaining)
    if value < 0.5 and not (name == "reach" and value > 0.3):
        return None
    return {
        "detractor": f"likely detractor ({s.detractor:.0%})",
        "complaint": f"complaint ({s.complaint:.0%})",
        "urgency": f"urgent ({s.urgency:.0%})",
        "effort": f"high customer effort ({s.customer_messages} messages)" if s.customer_messages > 2
        else "high customer effort (repeat contact or long wait)",
        "reach": f"large audience ({s.followers:,} followers{', verified' if s.verified else ''})",
    }.get(name)


def _sla_reason(remaining: timedelta) -> str | None:
    minutes = int(abs(remaining) / timedelta(minutes=1))
    if remaining <= timedelta(0):
        return f"SLA breached {minutes} min ago"
    if remaining <= SLA_RAMP:
        return f"SLA due in {minutes} min"
    return None
