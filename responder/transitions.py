"""The one table of conversation status changes, and the audit event each change writes.

Every status change in Careline goes through :func:`transition`, so the rules live in one readable
table instead of being re-decided in the queue, the web app and the CLI (STYLE convention 6).

Lifecycle (Hootsuite Inbox / Chatwoot)::

    new --claim--> open --wait--> pending --customer_message--> open --resolve--> resolved
    new --wait--> pending   (the brand answered outside Careline before anyone claimed it)
    new/open/pending --snooze--> snoozed --wake--> open
    new/open/pending/snoozed --dismiss--> dismissed   (not actionable, spam)
    resolved --customer_message/reopen--> open; dismissed --customer_message--> new (triage again)

``pending`` means "waiting on the customer" and pauses the SLA clocks (see ``responder.sla``).
A self-transition, such as a customer message on an open conversation, is legal and still an audit
event: the log then shows why the conversation moved up the queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from careline.domain import ACTIVE_STATUSES, ConversationStatus, Event, ensure_utc
from careline.errors import Conflict

S = ConversationStatus


class Action(StrEnum):
    CLAIM = "claim"  # an agent takes the conversation
    RELEASE = "release"  # the agent hands it back to the unassigned queue
    WAIT = "wait"  # replied and waiting on the customer: SLA paused
    SNOOZE = "snooze"  # hide until a time or a customer message
    WAKE = "wake"  # the snooze time passed
    RESOLVE = "resolve"
    DISMISS = "dismiss"  # not actionable: spam, chatter, no reply needed
    REOPEN = "reopen"  # an agent reopens by hand
    CUSTOMER_MESSAGE = "customer_message"  # a new message from the customer in the thread


#: The actions the service takes, never a person: a refusal does not offer them ("allowed: customer_message").
BY_SERVICE = frozenset({Action.WAKE, Action.CUSTOMER_MESSAGE})
#: An action in a refusal's words, where its name is no verb a person would use ("cannot wait a ...").
_WORDS = {Action.WAIT: "mark as waiting on the customer", Action.CUSTOMER_MESSAGE: "take a customer message into"}


def action_words(action: Action) -> str:
    """``action`` as a refusal says it: "resolve", "mark as waiting on the customer"."""
    return _WORDS.get(action, action.value)


_ACTIVE = tuple(S(s) for s in ACTIVE_STATUSES)

#: (from status, action) -> to status. Anything not listed is illegal.
TABLE: Mapping[tuple[ConversationStatus, Action], ConversationStatus] = MappingProxyType({
    (S.NEW, Action.CLAIM): S.OPEN,
    (S.OPEN, Action.CLAIM): S.OPEN,  # another agent takes it over
    (S.PENDING, Action.CLAIM): S.OPEN,
    (S.SNOOZED, Action.CLAIM): S.OPEN,
    (S.OPEN, Action.RELEASE): S.NEW,
    (S.OPEN, Action.WAIT): S.PENDING,
    (S.NEW, Action.WAIT): S.PENDING,  # answered before anyone claimed it (the brand replied outside Careline)
    (S.NEW, Action.SNOOZE): S.SNOOZED,
    (S.OPEN, Action.SNOOZE): S.SNOOZED,
    (S.PENDING, Action.SNOOZE): S.SNOOZED,
    (S.SNOOZED, Action.WAKE): S.OPEN,
    (S.OPEN, Action.RESOLVE): S.RESOLVED,
    (S.PENDING, Action.RESOLVE): S.RESOLVED,
    (S.SNOOZED, Action.RESOLVE): S.RESOLVED,
    **{(s, Action.DISMISS): S.DISMISSED for s in _ACTIVE},
    (S.RESOLVED, Action.REOPEN): S.OPEN,
    (S.DISMISSED, Action.REOPEN): S.NEW,
    (S.NEW, Action.CUSTOMER_MESSAGE): S.NEW,
    (S.OPEN, Action.CUSTOMER_MESSAGE): S.OPEN,
    (S.PENDING, Action.CUSTOMER_MESSAGE): S.OPEN,
    (S.SNOOZED, Action.CUSTOMER_MESSAGE): S.OPEN,
    (S.RESOLVED, Action.CUSTOMER_MESSAGE): S.OPEN,
    (S.DISMISSED, Action.CUSTOMER_MESSAGE): S.NEW,
})

EVENT_KIND = "conversation.status"


def allowed_actions(status: ConversationStatus | str) -> tuple[Action, ...]:
    """Actions legal from ``status``, in table order: what the UI offers as buttons."""
    status = S(status)
    return tuple(action for (src, action) in TABLE if src is status)


def transition(status: ConversationStatus | str, action: Action | str) -> ConversationStatus:
    """The status after ``action``; raises :class:`careline.errors.Conflict` when it is illegal."""
    try:
        src, act = S(status), Action(action)
    except ValueError as exc:
        raise Conflict(f"unknown status or action: {status!r}, {action!r}") from exc
    try:
        return TABLE[(src, act)]
    except KeyError:
        allowed = ", ".join(action_words(a) for a in allowed_actions(src) if a not in BY_SERVICE) or "none"
        raise Conflict(f"cannot {action_words(act)}: the conversation is {src.value} (allowed: {allowed})") from None


def transition_event(
    conversation_id: int | str,
    status: ConversationStatus | str,
    action: Action | str,
    *,
    actor: str,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> tuple[ConversationStatus, Event]:
    """Apply :func:`transition` and build its audit :class:`~careline.domain.Event` (who, what, when).

    The caller writes the new status and the event in one transaction. ``data`` adds context such
    as the snooze time or the reply id; ``from``, ``to`` and ``action`` are always recorded.
    """
    new = transition(status, action)
    payload = {**(data or {}), "from": S(status).value, "to": new.value, "action": Action(action).value}
    event = Event(at=ensure_utc(now, "now"), actor=actor, kind=EVENT_KIND,
                  subject=f"conversation:{conversation_id}", data=payload)
    return new, event
