"""The status transition table: legal moves, illegal moves as Conflict, audit events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careline.domain import ConversationStatus as S
from careline.errors import Conflict
from responder.transitions import EVENT_KIND, TABLE, Action, allowed_actions, transition, transition_event

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(("start", "actions", "end"), [
    (S.NEW, ["claim", "wait", "customer_message", "resolve"], S.RESOLVED),
    (S.NEW, ["claim", "snooze", "wake"], S.OPEN),
    (S.NEW, ["dismiss"], S.DISMISSED),
    (S.NEW, ["claim", "resolve", "customer_message"], S.OPEN),
    (S.NEW, ["dismiss", "customer_message"], S.NEW),
    (S.NEW, ["claim", "release"], S.NEW),
    (S.NEW, ["claim", "wait", "snooze", "customer_message"], S.OPEN),
    (S.NEW, ["claim", "resolve", "reopen"], S.OPEN),
])
def test_lifecycles(start: S, actions: list[str], end: S) -> None:
    status = start
    for action in actions:
        status = transition(status, action)
    assert status is end


def test_customer_message_reopens_every_status() -> None:
    for status in S:
        assert transition(status, Action.CUSTOMER_MESSAGE) in (S.NEW, S.OPEN)
    assert transition(S.PENDING, "customer_message") is S.OPEN
    assert transition(S.RESOLVED, "customer_message") is S.OPEN


@pytest.mark.parametrize(("status", "action"), [
    (S.NEW, "resolve"), (S.SNOOZED, "wait"), (S.RESOLVED, "wait"), (S.RESOLVED, "dismiss"),
    (S.DISMISSED, "resolve"), (S.PENDING, "wake"), (S.NEW, "reopen"), (S.OPEN, "reopen"),
])
def test_illegal_moves_raise_conflict_with_allowed_actions(status: S, action: str) -> None:
    with pytest.raises(Conflict, match="allowed"):
        transition(status, action)


def test_unknown_names_raise_conflict() -> None:
    with pytest.raises(Conflict):
        transition("archived", "claim")
    with pytest.raises(Conflict):
        transition("new", "explode")


def test_allowed_actions_match_the_table() -> None:
    assert allowed_actions(S.RESOLVED) == (Action.REOPEN, Action.CUSTOMER_MESSAGE)
    for status in S:
        for action in Action:
            legal = action in allowed_actions(status)
            assert legal == ((status, action) in TABLE)


def test_every_status_is_reachable_and_none_is_a_dead_end() -> None:
    reachable, frontier = {S.NEW}, [S.NEW]
    while frontier:
        status = frontier.pop()
        for action in allowed_actions(status):
            target = TABLE[(status, action)]
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(S)
    assert all(allowed_actions(s) for s in S)


def test_transition_event_records_who_what_when() -> None:
    local = NOW.astimezone(timezone(timedelta(hours=2)))
    new, event = transition_event(7, "pending", "customer_message", actor="x:123", now=local,
                                  data={"mention": "x:99"})
    assert new is S.OPEN
    assert event.kind == EVENT_KIND
    assert event.subject == "conversation:7"
    assert event.actor == "x:123"
    assert event.at == NOW and event.at.tzinfo is UTC
    assert dict(event.data) == {"mention": "x:99", "from": "pending", "to": "open", "action": "customer_message"}


def test_transition_event_refuses_illegal_moves_without_an_event() -> None:
    with pytest.raises(Conflict):
        transition_event(7, "resolved", "wait", actor="ana", now=NOW)


@given(st.sampled_from(list(S)), st.lists(st.sampled_from(list(Action)), max_size=30))
def test_random_walks_stay_in_the_table(status: S, actions: list[Action]) -> None:
    for action in actions:
        try:
            new = transition(status, action)
        except Conflict:
            assert (status, action) not in TABLE
            continue
        assert TABLE[(status, action)] is new
        status = new
    assert status in set(S)
