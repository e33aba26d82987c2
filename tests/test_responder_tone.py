"""Tone guard: findings, spans, suggestions, and no noise on good replies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from responder.tone import BLOCKING, check_tone


@pytest.mark.parametrize(("text", "category", "phrase"), [
    ("As we already explained, the parcel left our warehouse.", "defensive", "As we already explained"),
    ("That's not our fault, the courier lost it.", "defensive", "That's not our fault"),
    ("No other customers have complained about this.", "defensive", "No other customers have complained"),
    ("With all due respect, the app works.", "defensive", "With all due respect"),
    ("You should have read the instructions.", "blaming", "You should have"),
    ("You didn't follow the setup guide.", "blaming", "You didn't follow"),
    ("This is user error.", "blaming", "user error"),
    ("As clearly stated in our terms, refunds take 30 days.", "blaming", "As clearly stated in"),
    ("Please calm down, we are looking.", "dismissive", "calm down"),
    ("It's not a big deal, it's a small scratch.", "dismissive", "It's not a big deal"),
    ("Just restart the app.", "dismissive", "Just restart"),
    ("There's nothing we can do.", "dismissive", "There's nothing we can do"),
    ("Our policy does not allow refunds after 14 days.", "policy_hiding", "Our policy does not"),
    ("This is against company policy.", "policy_hiding", "This is against company policy"),
    ("We are unable to comment on that.", "policy_hiding", "We are unable to comment"),
    ("Refunds are sent as soon as possible.", "vague_promise", "as soon as possible"),
    ("We'll get back to you.", "vague_promise", "We'll get back to you"),
])
def test_flags_category_with_exact_span(text: str, category: str, phrase: str) -> None:
    report = check_tone(text)
    found = [f for f in report.findings if f.category == category]
    assert found, report
    f = found[0]
    assert text[f.start:f.end] == f.phrase == phrase
    assert f.suggestion and f.why
    assert report.defensive == (category in BLOCKING)


@pytest.mark.parametrize("text", [
    "Hi Sam, thanks for letting us know, and sorry for the delay. Please send us a DM with your order "
    "number and we'll check with the carrier and update you within 2 hours.",
    "Thank you so much for the kind words! We've shared them with the team.",
    "We're sorry this happened. Our team is fixing the login issue and we'll post an update here by 3pm.",
    "We'll look into it and reply here by 5pm today.",
    "Could you try restarting the app? If it still fails, send us a DM and we'll dig in.",
])
def test_good_replies_have_no_findings(text: str) -> None:
    assert check_tone(text).findings == ()


def test_several_findings_are_ordered_and_serialisable() -> None:
    report = check_tone("Calm down. As I said, you should have checked. Per our policy, no refunds.")
    assert [f.category for f in report.findings] == ["dismissive", "defensive", "blaming", "policy_hiding"]
    data = report.as_dict()
    assert data["defensive"] is True
    assert set(data["findings"][0]) == {"category", "start", "end", "phrase", "why", "suggestion"}


def test_vague_promise_alone_is_not_defensive() -> None:
    report = check_tone("Thanks! We will look into it.")
    assert [f.category for f in report.findings] == ["vague_promise"]
    assert not report.defensive


@given(st.text(max_size=300))
def test_spans_always_point_at_the_phrase(text: str) -> None:
    for f in check_tone(text).findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start:f.end] == f.phrase
