"""The SLA state of one conversation as every page and the API show it: one definition of "at risk".

The sweep (``responder.alerts``) warns ``warn_before_minutes`` before a target is due; a row is
``at_risk`` from that same moment, read from the conversation's policy snapshot, so the badge on the
queue turns amber exactly when the warning webhook fires.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from careline.domain import ACTIVE_STATUSES, from_iso
from responder.sla import PAUSED_STATUSES

#: The statuses whose clocks stand, by value (a row's status is text).
PAUSED = frozenset(s.value for s in PAUSED_STATUSES)

#: The settings' default ``responder.warn_before_minutes``, for a conversation without a policy.
DEFAULT_WARN = timedelta(minutes=15)


def warn_before(row: Mapping[str, Any]) -> timedelta:
    """The policy's warning lead: a queue row carries it as a column, a full row in its snapshot."""
    minutes = row.get("warn_before_minutes")
    if minutes is None and row.get("sla_snapshot"):
        minutes = json.loads(row["sla_snapshot"]).get("warn_before_minutes")
    return timedelta(minutes=float(minutes)) if minutes is not None else DEFAULT_WARN


def sla_words(state: Mapping[str, Any], shown: Callable[[object], str], zone: str) -> str:
    """The line under an SLA badge: which target runs and when it is due (``shown``: a time in the team's zone),
    or that its clock stands; "" when no target runs."""
    target = str(state.get("target") or "").replace("_", " ")
    if state.get("state") == "paused":
        return f"{target} clock stopped: waiting on the customer"
    return f"{target} due {shown(state['due'])} ({zone})" if target and state.get("due") else ""


def sla_state(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Which target runs for one conversation, when it is due, and how it stands (what every page shows).

    ``at_risk`` starts ``warn_before_minutes`` before the due time, from the conversation's own policy
    (``row["warn_before_minutes"]``, read from its SLA snapshot) as the sweep's pre-breach warning does;
    without one, :data:`DEFAULT_WARN` (the settings' default). A target that runs while the conversation waits
    on the customer is ``paused`` with no due time: the stored due time is the one from before the pause, and
    a countdown to it read "breached" while the clock stood.
    """
    if row["status"] not in ACTIVE_STATUSES:
        return {"target": None, "due": None, "state": "closed"}
    if not row.get("first_responded_at") and (row.get("first_response_due") or not row.get("next_response_due")):
        target, due = "first_response", from_iso(row.get("first_response_due"))
    elif row.get("next_response_due"):  # also after a resolution cancelled the first response (its due cleared)
        target, due = "next_response", from_iso(row.get("next_response_due"))
    else:
        return {"target": None, "due": None, "state": "responded", "responded_at": row["first_responded_at"]}
    if row["status"] in PAUSED:  # waiting on the customer: the clock stands (responder.sla), so no countdown
        return {"target": target, "due": None, "state": "paused"}
    if due is None:
        state = "no_sla"
    elif due <= now:
        state = "breached"
    elif due - now <= warn_before(row):
        state = "at_risk"
    else:
        state = "on_track"
    return {"target": target, "due": due.isoformat() if due else None, "state": state,
            "warn_seconds": int(warn_before(row).total_seconds())}
