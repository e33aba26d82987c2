"""Pure pieces of the web layer: secrets, escaping for HTML islands and CSV, spikes, rising terms, SLA state."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careline.app.web.security import csv_cell, hash_password, json_for_html, token_hash, verify_password
from careline.app.web.trends import detect_spikes, rising_terms
from responder.slastate import sla_state

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    a, b = hash_password("correct horse"), hash_password("correct horse")
    assert a.startswith("scrypt$") and a != b
    assert verify_password("correct horse", a) and not verify_password("wrong", a)
    assert not verify_password("anything", None) and not verify_password("x", "md5$junk")
    assert len(token_hash("t")) == 64


@given(st.text())
def test_json_island_never_contains_markup_and_round_trips(text: str) -> None:
    out = json_for_html({"t": text, "close": "</script><!--"})
    assert not {"<", ">", "&"} & set(out)
    assert json.loads(out) == {"t": text, "close": "</script><!--"}


@given(st.text())
def test_csv_cells_never_start_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (text, "'" + text)


@pytest.mark.parametrize("number", [-67, -0.5, 3, 0.0])
def test_numbers_stay_numbers_in_csv(number: float) -> None:
    """An NPS of -67 is not a formula; quoted, a spreadsheet reads it as text."""
    assert csv_cell(number) == str(number)
    assert csv_cell(str(number)).startswith(("'", "0", "3"))  # text that looks like one is still guarded


def test_spike_needs_three_sigma_and_respects_the_cooldown() -> None:
    quiet = [(f"h{i}", 2 + i % 2) for i in range(24)]
    series = [*quiet, ("burst", 30), ("burst2", 31), *[(f"t{i}", 2) for i in range(6)], ("late", 40)]
    spikes = detect_spikes(series, window=24, cooldown=6)
    assert [s.at for s in spikes] == ["burst", "late"]  # burst2 falls inside the cooldown
    assert detect_spikes([*quiet, ("meh", 4)]) == []


@given(st.lists(st.integers(0, 50), min_size=0, max_size=60))
def test_spikes_are_always_above_their_threshold(counts: list[int]) -> None:
    for s in detect_spikes([(str(i), c) for i, c in enumerate(counts)]):
        assert s.count > s.threshold and s.count >= 5


def test_rising_terms_ignore_stopwords_brand_words_and_one_offs() -> None:
    recent = ["@Skylark my refund is late"] * 4 + ["the wifi broke"]
    baseline = ["@Skylark lovely crew"] * 10
    terms = rising_terms(recent, baseline, ignore=["skylark"])
    assert [t["term"] for t in terms] == ["late", "refund"]


def test_sla_state_moves_from_running_to_responded() -> None:
    row = {"status": "new", "first_responded_at": None, "next_response_due": None,
           "first_response_due": (NOW + timedelta(minutes=10)).isoformat()}
    assert sla_state(row, NOW)["state"] == "at_risk"
    assert sla_state(row, NOW - timedelta(hours=1))["state"] == "on_track"
    assert sla_state(row, NOW + timedelta(minutes=11))["state"] == "breached"
    assert sla_state({**row, "status": "pending", "first_responded_at": NOW.isoformat()}, NOW)["state"] == "responded"
    assert sla_state({**row, "status": "resolved"}, NOW)["state"] == "closed"
    waiting = sla_state({**row, "status": "pending"}, NOW + timedelta(minutes=11))  # the clock stands: no breach
    assert waiting == {"target": "first_response", "due": None, "state": "paused"}


def test_handles_are_isolated_in_right_to_left_text_and_nothing_else_becomes_markup() -> None:
    from careline.app.web.security import isolate_handles

    out = isolate_handles('@SkylarkAir <script>alert("@x")</script> تأخرت رحلتي <b>@y</b>')
    assert str(out) == ('<bdi>@SkylarkAir</bdi> &lt;script&gt;alert(&#34;<bdi>@x</bdi>&#34;)&lt;/script&gt; '
                        'تأخرت رحلتي &lt;b&gt;<bdi>@y</bdi>&lt;/b&gt;')
    assert str(isolate_handles("no handle & <i>")) == "no handle &amp; &lt;i&gt;"


@given(st.text())
def test_isolating_handles_only_adds_bdi_around_the_escaped_text(text: str) -> None:
    import html

    from careline.app.web.security import isolate_handles

    out = str(isolate_handles(text))
    assert html.unescape(out.replace("<bdi>", "").replace("</bdi>", "")) == text
    assert "<" not in out.replace("<bdi>", "").replace("</bdi>", "")
