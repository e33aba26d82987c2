"""SLA policies, due times and the applied-SLA state of a conversation. Pure: ``now`` is an argument.

Semantics, taken from the products in ``PRODUCTS.md`` and written down once here:

* **Policies** are matched in order and the first that matches priority, platform and brand wins
  (Zendesk). An empty condition list matches everything.
* **Not retroactive** (Emplifi): a conversation keeps the policy it was given. :func:`select_policy`
  returns the conversation's current policy by name when it still exists, and
  :meth:`SLAPolicy.to_dict` / :func:`policy_from_dict` let the caller freeze the targets it applied,
  so a later edit of the config cannot move an old conversation's due times.
* **Targets** (Chatwoot, Zendesk): first response from the conversation's start; next response from
  each customer message that arrives while no reply is owed, until the next agent message;
  resolution from the start until the conversation is resolved.
* **Clock**: targets count open time of the policy's calendar. ``pending`` (waiting on the
  customer) pauses every clock (Zammad: only pending states stop the clock), and so do
  ``resolved`` and ``dismissed`` for the resolution target, so a reopened conversation resumes where
  it stopped. ``snoozed`` does not pause: hiding a conversation must not hide its breach. Resolving or
  dismissing cancels an unanswered response target: it counts as missed
  only if it was already overdue.
* **Due and missed**: a target is due at the instant its allowance of clock time runs out, and
  missed once it is unmet after that instant. That is usually "used more than allowed", but an
  allowance that ran out exactly at a closing time or as a pause began is missed too once the due
  time has passed, so the state always agrees with the due time the queue shows and the report counts.
* **Applied state** (Chatwoot): ``active``, ``active_with_misses`` while the conversation is open;
  ``hit`` or ``missed`` once it is resolved or dismissed.
* **Warnings and escalation** (Freshdesk): a running target warns ``warn_before_minutes`` of wall
  clock before it is due; an overdue, unanswered target escalates one level at each of up to three
  ``escalation_minutes`` thresholds after its due time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from careline.domain import ConversationStatus, ensure_utc
from careline.settings import SLAPolicySettings, SLASettings
from responder.calendar import (
    CALENDAR_HOURS,
    FOREVER,
    BusinessCalendar,
    Interval,
    add_business_minutes,
    calendar_from_dict,
    calendar_from_settings,
    calendar_to_dict,
    consume,
    measure,
    open_intervals,
    subtract,
)

PRIORITIES = ("urgent", "high", "normal", "low")
MAX_ESCALATION_LEVELS = 3
PAUSED_STATUSES = frozenset({ConversationStatus.PENDING})
TERMINAL_STATUSES = frozenset({ConversationStatus.RESOLVED, ConversationStatus.DISMISSED})


class TargetKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class TargetState(StrEnum):
    ACTIVE = "active"  # clock running, not yet due
    PAUSED = "paused"  # clock stopped by a pending status, not yet due
    HIT = "hit"  # met before its due time
    MISSED = "missed"  # met late, or overdue and still unmet (then completed_at is None)
    CANCELLED = "cancelled"  # conversation closed before the target was due; not counted


class AppliedState(StrEnum):
    ACTIVE = "active"
    HIT = "hit"
    MISSED = "missed"
    ACTIVE_WITH_MISSES = "active_with_misses"


@dataclass(frozen=True, slots=True)
class SLAPolicy:
    """Targets in minutes of ``calendar`` time, and which conversations they apply to."""

    name: str
    first_response_minutes: int = 60
    next_response_minutes: int = 120
    resolution_minutes: int = 1440
    priorities: frozenset[str] = frozenset()
    platforms: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    calendar: BusinessCalendar = CALENDAR_HOURS
    warn_before_minutes: int = 15
    escalation_minutes: tuple[int, ...] = (0, 60, 240)

    def __post_init__(self) -> None:
        if len(self.escalation_minutes) > MAX_ESCALATION_LEVELS:
            raise ValueError(f"at most {MAX_ESCALATION_LEVELS} escalation levels")
        if list(self.escalation_minutes) != sorted(self.escalation_minutes) or any(
            m < 0 for m in self.escalation_minutes
        ):
            raise ValueError("escalation_minutes must be ascending and not negative")

    def matches(self, *, priority: str, platform: str, brand: str) -> bool:
        """Empty condition sets match anything."""
        return all(
            not allowed or value in allowed
            for allowed, value in ((self.priorities, priority), (self.platforms, platform), (self.brands, brand))
        )

    def minutes_for(self, kind: TargetKind) -> int:
        return {
            TargetKind.FIRST_RESPONSE: self.first_response_minutes,
            TargetKind.NEXT_RESPONSE: self.next_response_minutes,
            TargetKind.RESOLUTION: self.resolution_minutes,
        }[kind]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot, calendar included, to store with the conversation it was applied to."""
        return {
            "name": self.name,
            "first_response_minutes": self.first_response_minutes,
            "next_response_minutes": self.next_response_minutes,
            "resolution_minutes": self.resolution_minutes,
            "priorities": sorted(self.priorities),
            "platforms": sorted(self.platforms),
            "brands": sorted(self.brands),
            "warn_before_minutes": self.warn_before_minutes,
            "escalation_minutes": list(self.escalation_minutes),
            "calendar": calendar_to_dict(self.calendar),
        }


def policy_from_dict(data: Mapping[str, Any]) -> SLAPolicy:
    """Inverse of :meth:`SLAPolicy.to_dict`."""
    return SLAPolicy(
        name=data["name"],
        first_response_minutes=int(data["first_response_minutes"]),
        next_response_minutes=int(data["next_response_minutes"]),
        resolution_minutes=int(data["resolution_minutes"]),
        priorities=frozenset(data["priorities"]),
        platforms=frozenset(data["platforms"]),
        brands=frozenset(data["brands"]),
        calendar=calendar_from_dict(data["calendar"]),
        warn_before_minutes=int(data["warn_before_minutes"]),
        escalation_minutes=tuple(int(m) for m in data["escalation_minutes"]),
    )


def policy_from_settings(
    settings: SLAPolicySettings, calendars: Mapping[str, BusinessCalendar], **extra: Any
) -> SLAPolicy:
    """One policy from its settings; ``extra`` sets the fields settings do not have yet (warnings)."""
    calendar = calendars[settings.calendar] if settings.calendar else CALENDAR_HOURS
    return SLAPolicy(
        name=settings.name,
        first_response_minutes=settings.first_response_minutes,
        next_response_minutes=settings.next_response_minutes,
        resolution_minutes=settings.resolution_minutes,
        priorities=frozenset(settings.priorities),
        platforms=frozenset(settings.platforms),
        brands=frozenset(settings.brands),
        calendar=calendar,
        **extra,
    )


def policies_from_settings(settings: SLASettings, **extra: Any) -> list[SLAPolicy]:
    """All policies, in their configured order (which is their matching order)."""
    calendars = {c.name: calendar_from_settings(c) for c in settings.calendars}
    return [policy_from_settings(p, calendars, **extra) for p in settings.policies]


def match_policy(
    policies: Sequence[SLAPolicy], *, priority: str, platform: str, brand: str
) -> SLAPolicy | None:
    """The first policy that matches, catch-alls (no priorities, platforms or brands) tried after the others;
    ``None`` when none does (no SLA applies).

    Why catch-alls last: a policy added in the browser or by ``config import`` lands after the settings file's,
    so a "vip" added next to the file's catch-all "standard" never applied. A specific policy after a catch-all
    could never match, so trying catch-alls last changes only what could not have worked."""
    ordered = sorted(policies, key=lambda p: not (p.priorities or p.platforms or p.brands))  # stable
    return next((p for p in ordered if p.matches(priority=priority, platform=platform, brand=brand)), None)


def select_policy(
    policies: Sequence[SLAPolicy], *, current: str | None, priority: str, platform: str, brand: str
) -> SLAPolicy | None:
    """Not retroactive: keep the policy named ``current`` when it exists, else match afresh."""
    if current:
        kept = next((p for p in policies if p.name == current), None)
        if kept is not None:
            return kept
    return match_policy(policies, priority=priority, platform=platform, brand=brand)


@dataclass(frozen=True, slots=True)
class DueTimes:
    first_response: datetime
    next_response: datetime
    resolution: datetime


def due_times(policy: SLAPolicy, at: datetime) -> DueTimes:
    """Due times of each target for a clock started at ``at`` with no pauses (``careline sla due``)."""
    at = ensure_utc(at, "at")
    cal = policy.calendar
    return DueTimes(
        first_response=add_business_minutes(cal, at, policy.first_response_minutes),
        next_response=add_business_minutes(cal, at, policy.next_response_minutes),
        resolution=add_business_minutes(cal, at, policy.resolution_minutes),
    )


# -- evaluation ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Message:
    """A message in the thread: the customer's (``from_customer``) or an agent's public reply."""

    at: datetime
    from_customer: bool


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The conversation entered ``status`` at ``at`` (from the audit events)."""

    at: datetime
    status: ConversationStatus


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One SLA target of one conversation, as of ``now``."""

    kind: TargetKind
    started_at: datetime
    state: TargetState
    due_at: datetime | None  # None while a pause makes it unknowable
    completed_at: datetime | None = None  # reply / resolution time, or when it was cancelled
    used: timedelta = timedelta(0)  # clock time used so far (business, unpaused)
    warning: bool = False
    escalation_level: int = 0

    @property
    def open_breach(self) -> bool:
        """Overdue and still unmet: the case escalation is for."""
        return self.state is TargetState.MISSED and self.completed_at is None


@dataclass(frozen=True, slots=True)
class SLAEvaluation:
    """Applied SLA of a conversation at ``now``."""

    policy: str
    state: AppliedState
    targets: tuple[TargetResult, ...]
    escalation_level: int = 0
    next_check_at: datetime | None = None  # when a warning, breach or escalation next fires
    warnings: tuple[TargetResult, ...] = field(default=())

    @property
    def misses(self) -> int:
        return sum(t.state is TargetState.MISSED for t in self.targets)

    @property
    def hits(self) -> int:
        return sum(t.state is TargetState.HIT for t in self.targets)

    def current(self, kind: TargetKind) -> TargetResult | None:
        """The latest target of ``kind`` that is still running, paused or breached."""
        live = (TargetState.ACTIVE, TargetState.PAUSED)
        found = [t for t in self.targets if t.kind is kind and (t.state in live or t.open_breach)]
        return found[-1] if found else None

    def due(self, kind: TargetKind) -> datetime | None:
        """Due time to show and store for ``kind`` (e.g. ``conversations.next_response_due``)."""
        target = self.current(kind)
        return None if target is None else target.due_at


def evaluate_sla(
    policy: SLAPolicy,
    *,
    created_at: datetime,
    messages: Iterable[Message],
    status_changes: Iterable[StatusChange],
    now: datetime,
) -> SLAEvaluation:
    """Evaluate every target of ``policy`` on one conversation's history up to ``now``.

    ``created_at`` is the first customer message. Messages and status changes after ``now`` are
    ignored, so replaying history at an earlier ``now`` gives what the queue showed then.
    """
    now = ensure_utc(now, "now")
    created_at = ensure_utc(created_at, "created_at")
    msgs = sorted((m for m in messages if ensure_utc(m.at) <= now), key=lambda m: m.at)
    changes = sorted((c for c in status_changes if ensure_utc(c.at) <= now), key=lambda c: c.at)
    status = changes[-1].status if changes else ConversationStatus.NEW
    clock = _Clock.build(policy, changes, now)
    targets = [clock.target(kind, start, end, cancelled) for kind, start, end, cancelled in
               _response_cycles(created_at, msgs, changes)]
    targets.append(clock.target(TargetKind.RESOLUTION, created_at, *_resolution_end(changes, status)))
    return _summarise(policy, tuple(targets), status, now)


@dataclass(frozen=True, slots=True)
class _Clock:
    """Pauses of one conversation; ``*_since`` is the start of a pause still going on at ``now``."""

    policy: SLAPolicy
    pauses: tuple[Interval, ...]
    paused_since: datetime | None
    resolution_pauses: tuple[Interval, ...]
    resolution_paused_since: datetime | None
    now: datetime

    @classmethod
    def build(cls, policy: SLAPolicy, changes: Sequence[StatusChange], now: datetime) -> _Clock:
        pauses, since = _pause_intervals(changes, PAUSED_STATUSES, now)
        res_pauses, res_since = _pause_intervals(changes, PAUSED_STATUSES | TERMINAL_STATUSES, now)
        return cls(policy, pauses, since, res_pauses, res_since, now)

    def target(self, kind: TargetKind, start: datetime, end: datetime | None, cancelled: bool) -> TargetResult:
        """State of one target started at ``start`` and met (or cancelled) at ``end``."""
        if kind is TargetKind.RESOLUTION:
            pauses, since = self.resolution_pauses, self.resolution_paused_since
        else:
            pauses, since = self.pauses, self.paused_since
        allowed = timedelta(minutes=self.policy.minutes_for(kind))
        stop = end or self.now
        clipped = [(a, min(b, stop)) for a, b in pauses if a < stop]
        used = measure(subtract(open_intervals(self.policy.calendar, start, stop), clipped))
        if end is None and since is not None:
            # Paused now: the due time is known only if the target falls due before the pause began.
            closed = [p for p in clipped if p[0] != since]
            due = self._consume(start, max(since, start), closed, allowed)
        else:
            due = self._consume(start, FOREVER, clipped, allowed)
        # Exactly all of the allowance used and still unmet after the due time: the time ran out at a
        # closing time or as a pause began, and the target is past due, so it is missed, as it is at
        # one more second of open time. Meeting it at the due instant itself is a hit.
        missed = used > allowed or (used == allowed and due is not None and stop > due)
        if missed:
            state = TargetState.MISSED
        elif end is not None:
            state = TargetState.CANCELLED if cancelled else TargetState.HIT
        else:
            state = TargetState.PAUSED if since is not None else TargetState.ACTIVE
        return TargetResult(kind, start, state, due, end, used)

    def _consume(
        self, start: datetime, horizon: datetime, pauses: Sequence[Interval], allowed: timedelta
    ) -> datetime | None:
        try:
            return consume(subtract(open_intervals(self.policy.calendar, start, horizon), pauses), allowed)
        except ValueError:
            return None


def _pause_intervals(
    changes: Sequence[StatusChange], paused: frozenset[ConversationStatus], now: datetime
) -> tuple[tuple[Interval, ...], datetime | None]:
    """Intervals spent in a ``paused`` status; the last may be open, then clipped at ``now``."""
    out: list[Interval] = []
    since: datetime | None = None
    for change in changes:
        if change.status in paused and since is None:
            since = change.at
        elif change.status not in paused and since is not None:
            out.append((since, change.at))
            since = None
    if since is not None:
        out.append((since, now))
    return tuple(out), since


def _response_cycles(
    created_at: datetime, msgs: Sequence[Message], changes: Sequence[StatusChange]
) -> list[tuple[TargetKind, datetime, datetime | None, bool]]:
    """(kind, start, end, cancelled) per response target, from the merged message/status timeline."""
    timeline: list[tuple[datetime, int, str]] = [(m.at, 1, "customer" if m.from_customer else "agent") for m in msgs]
    timeline += [(c.at, 0, "close") for c in changes if c.status in TERMINAL_STATUSES]
    cycles: list[tuple[TargetKind, datetime, datetime | None, bool]] = []
    kind, waiting = TargetKind.FIRST_RESPONSE, created_at
    current: datetime | None = waiting
    for at, _, what in sorted(timeline):
        if what == "customer" and current is None:
            current = max(at, created_at)
        elif what in ("agent", "close") and current is not None and at >= current:
            cycles.append((kind, current, at, what == "close"))
            kind, current = TargetKind.NEXT_RESPONSE, None
    if current is not None:
        cycles.append((kind, current, None, False))
    return cycles


def _resolution_end(
    changes: Sequence[StatusChange], status: ConversationStatus
) -> tuple[datetime | None, bool]:
    if status not in TERMINAL_STATUSES:
        return None, False
    return changes[-1].at, status is ConversationStatus.DISMISSED


def _summarise(
    policy: SLAPolicy, targets: tuple[TargetResult, ...], status: ConversationStatus, now: datetime
) -> SLAEvaluation:
    marked = tuple(_mark(policy, t, now) for t in targets)
    missed = any(t.state is TargetState.MISSED for t in marked)
    if status in TERMINAL_STATUSES:
        state = AppliedState.MISSED if missed else AppliedState.HIT
    else:
        state = AppliedState.ACTIVE_WITH_MISSES if missed else AppliedState.ACTIVE
    checks = [c for t in marked for c in _checkpoints(policy, t) if c > now]
    return SLAEvaluation(
        policy=policy.name,
        state=state,
        targets=marked,
        escalation_level=max((t.escalation_level for t in marked), default=0),
        next_check_at=min(checks, default=None),
        warnings=tuple(t for t in marked if t.warning),
    )


def _mark(policy: SLAPolicy, target: TargetResult, now: datetime) -> TargetResult:
    """Add the warning flag and escalation level that depend on the wall clock."""
    if target.due_at is None:
        return target
    if target.state is TargetState.ACTIVE:
        warn = now >= target.due_at - timedelta(minutes=policy.warn_before_minutes)
        return replace(target, warning=warn)
    if target.open_breach:
        overdue = now - target.due_at
        level = sum(overdue >= timedelta(minutes=m) for m in policy.escalation_minutes)
        return replace(target, escalation_level=level)
    return target


# Times are stored to the microsecond, and a target met at its due instant is a hit, so the first
# instant it can be missed is one microsecond later: that, not the due time, is when to look again.
JUST_AFTER = timedelta(microseconds=1)


def _checkpoints(policy: SLAPolicy, target: TargetResult) -> list[datetime]:
    if target.due_at is None or not (target.state is TargetState.ACTIVE or target.open_breach):
        return []
    due = target.due_at
    warn = due - timedelta(minutes=policy.warn_before_minutes)
    breach = due + JUST_AFTER
    return [warn, breach, *(max(due + timedelta(minutes=m), breach) for m in policy.escalation_minutes)]
