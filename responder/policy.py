"""Glue from settings to the pure SLA and priority code, in the shapes ``responder.intake`` wants."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from careline.settings import SLAPolicySettings, SLASettings
from responder.calendar import add_business_minutes, calendar_from_settings
from responder.intake import Deadlines

DEFAULT_POLICY = SLAPolicySettings(name="default", first_response_minutes=60, next_response_minutes=120,
                                   resolution_minutes=1440)


def bucket(score: float) -> str:
    """Priority bucket a policy can match on; thresholds match the queue's colour bands."""
    if score >= 75:
        return "urgent"
    if score >= 50:
        return "high"
    if score >= 25:
        return "normal"
    return "low"


def match_policy(sla: SLASettings, *, priority: str, platform: str, brand: str) -> SLAPolicySettings:
    """First policy whose every non-empty filter matches wins (Zendesk/Chatwoot order semantics)."""
    for p in sla.policies:
        if ((not p.priorities or priority in p.priorities) and (not p.platforms or platform in p.platforms)
                and (not p.brands or brand in p.brands)):
            return p
    return DEFAULT_POLICY


def add_minutes(sla: SLASettings, policy: SLAPolicySettings, start: datetime, minutes: int) -> datetime:
    if not policy.calendar:
        return start + timedelta(minutes=minutes)
    cal = next(c for c in sla.calendars if c.name == policy.calendar)
    return add_business_minutes(calendar_from_settings(cal), start, minutes)


def deadlines_for(sla: SLASettings, mention: dict[str, Any], at: datetime) -> Deadlines:
    """Due times for a conversation whose customer message arrived at ``at``."""
    policy = match_policy(sla, priority=bucket(float(mention.get("priority") or 0)),
                          platform=str(mention.get("platform", "")), brand=str(mention.get("brand", "")))
    return Deadlines(
        policy=policy.name,
        first_response=add_minutes(sla, policy, at, policy.first_response_minutes),
        next_response=add_minutes(sla, policy, at, policy.next_response_minutes),
        resolution=add_minutes(sla, policy, at, policy.resolution_minutes),
    )


def priority_for(m: dict[str, Any], now: datetime) -> tuple[float, list[str]]:
    """0-100 score from the classifier's scores and the author's reach, with the reasons shown to agents."""
    detractor = float(m.get("detractor") or 0)
    complaint = float(m.get("complaint") or 0)
    urgency = float(m.get("urgency") or 0)
    followers = int(m.get("followers") or 0)
    score = 35 * detractor + 30 * complaint + 25 * urgency
    reasons: list[str] = []
    if complaint >= 0.5:
        reasons.append(f"complaint ({complaint:.0%})")
    if detractor >= 0.5:
        reasons.append(f"likely detractor ({detractor:.0%})")
    if urgency >= 0.3:
        reasons.extend(json.loads(m.get("reasons") or "[]")[:3] or [f"urgency {urgency:.0%}"])
    if followers >= 10_000:
        score += 10
        reasons.append(f"reach: {followers:,} followers")
    return round(min(100.0, score), 2), reasons
