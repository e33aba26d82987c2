"""Glue from settings and stored rows to the pure SLA and priority code, in the shapes intake wants."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from careline.domain import from_iso
from careline.settings import Settings
from responder.intake import Deadlines
from responder.priority import PrioritySignals, bucket_for, effort_from_text, score_priority
from responder.sla import SLAPolicy, due_times, policies_from_settings, select_policy

#: Applies when no configured policy matches, so every conversation has a clock.
DEFAULT_POLICY = SLAPolicy(name="default", first_response_minutes=60, next_response_minutes=120,
                           resolution_minutes=1440)
_SCORE_REASON = re.compile(r"(sentiment|intent|complaint|likely detractor|severity)\b.*\(\d")
_EFFORT_REASON = re.compile(r"effort score \d")  # the priority states effort in its own words
#: The priority's "large audience (N followers)" already says this; shown once, not twice.
_REACH_REASON = re.compile(r"^author reach: ")
#: The model's "language not covered: ..." line, which the priority's floor reason states again.
_UNCOVERED = re.compile(r"^language not covered: ")
#: The lines that say which path read a post ("language: German (de); multilingual model", "complaint, praise, intent
#: and sentiment from heads trained on ..."), not what it found.
_PROVENANCE = re.compile(r"^(?:language: |complaint, praise, intent and sentiment from |[a-z, ]+ from English labels)")


def configured_policies(settings: Settings) -> list[SLAPolicy]:
    """Policies in matching order, with the warning and escalation timings from ``[responder]``."""
    r = settings.responder
    return policies_from_settings(settings.sla, warn_before_minutes=r.warn_before_minutes,
                                  escalation_minutes=tuple(r.escalation_minutes))


def deadlines_for(policies: Sequence[SLAPolicy], mention: dict[str, Any], at: datetime,
                  current: str | None = None) -> Deadlines:
    """Due times for a customer message at ``at``; keeps the conversation's policy (not retroactive)."""
    policy = select_policy(policies, current=current, priority=bucket_for(float(mention.get("priority") or 0)),
                           platform=str(mention.get("platform", "")), brand=str(mention.get("brand", "")))
    policy = policy or DEFAULT_POLICY
    due = due_times(policy, at)
    return Deadlines(policy=policy.name, first_response=due.first_response, next_response=due.next_response,
                     resolution=due.resolution, snapshot=json.dumps(policy.to_dict(), sort_keys=True))


def effort_of(m: dict[str, Any]) -> float:
    """The classifier's effort (history-aware) when it recorded one, else the text-only heuristic."""
    if m.get("effort") is not None:
        return min(1.0, float(m["effort"]))
    return effort_from_text(str(m.get("text") or ""))


def priority_for(m: dict[str, Any], now: datetime) -> tuple[float, list[str]]:
    """0-100 score and the reasons an agent sees, from the classification and the author's reach."""
    due = from_iso(m.get("first_response_due"))
    signals = PrioritySignals(
        detractor=float(m.get("detractor") or 0), complaint=float(m.get("complaint") or 0),
        urgency=float(m.get("urgency") or 0), effort=effort_of(m), followers=int(m.get("followers") or 0),
        verified=bool(m.get("verified")), sla_remaining=(due - now) if due else None,
        customer_messages=int(m.get("customer_messages") or 1),
        severity=None if m.get("severity") is None else int(m["severity"]), language=m.get("language"),
        language_covered=None if m.get("language_covered") is None else bool(m["language_covered"]),
    )
    result = score_priority(signals)
    floored = "language_floor" in result.contributions  # its reason says so: the model's own line would repeat it
    return result.score, [*result.reasons, *[r for r in evidence(m) if not (floored and _UNCOVERED.match(r))][:3]]


def evidence(m: dict[str, Any]) -> list[str]:
    """The model's reasons that add evidence (quoted rules, low-confidence notes), not its scores again:
    the priority reasons already state complaint, detractor and urgency."""
    kept = [str(r) for r in json.loads(m.get("reasons") or "[]")
            if not _EFFORT_REASON.search(str(r)) and not _SCORE_REASON.match(str(r))
            and not _REACH_REASON.match(str(r))]
    # which model read it goes after what it found: the rows keep three, and a German "200 of us stranded" post
    # showed the two provenance lines of the multilingual path instead of the rules that raised its priority
    return sorted(kept, key=lambda r: bool(_PROVENANCE.match(r)))
