"""X weighted length and Reddit limits."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from responder.textlimits import REDDIT_LIMIT, X_LIMIT, check_length, fits, x_weighted_length


@pytest.mark.parametrize(("text", "weight"), [
    ("hello", 5),
    ("café", 4),
    ("cafe\u0301", 4),  # NFC-normalised first
    ("日本語", 6),
    ("한국어", 6),
    ("😀", 2),
    ("❤️", 2),
    ("👍🏽", 2),
    ("👨‍👩‍👧‍👦", 2),
    ("🇯🇵", 2),
    ("#️⃣", 2),
    ("©", 1),
    ("— “quotes” …", 13),  # the ellipsis U+2026 is outside the light ranges: 2
    ("see https://example.com/a/very/long/path?with=query", 4 + 23),
    ("example.com", 23),
    ("http://a.co x", 25),
])
def test_x_weights(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight


def test_x_limit_is_280_weighted() -> None:
    assert fits("x", "a" * 280)
    assert not fits("x", "a" * 281)
    assert fits("x", "日" * 140)
    check = check_length("x", "日" * 141)
    assert (check.length, check.limit, check.over, check.ok) == (282, X_LIMIT, 2, False)
    long_url = "https://example.com/" + "a" * 500
    assert fits("x", "a" * 256 + " " + long_url)


def test_reddit_limit() -> None:
    assert fits("reddit", "日" * REDDIT_LIMIT)
    assert check_length("Reddit", "a" * (REDDIT_LIMIT + 5)).over == 5
    with pytest.raises(ValueError):
        check_length("myspace", "hi")


@given(st.text(alphabet=st.characters(max_codepoint=4351, exclude_categories=("Cs",)), max_size=300))
def test_latin_text_without_urls_counts_code_points(text: str) -> None:
    text = text.replace(".", " ").replace("/", " ").replace(":", " ")
    if any(ord(c) >= 0x2000 or unicodedata.combining(c) for c in text) or text != unicodedata.normalize(
            "NFC", text):
        return
    assert x_weighted_length(text) == len(text)


@given(st.text(max_size=200))
def test_weight_is_between_one_and_two_per_code_point_without_urls(text: str) -> None:
    text = unicodedata.normalize("NFC", text.replace(".", " "))
    assert x_weighted_length(text) <= 2 * len(text)


@pytest.mark.parametrize(("text", "graphemes"), [
    ("hello", 5),
    ("cafe\u0301", 4),  # e + combining accent is one grapheme
    ("👨‍👩‍👧‍👦", 1),  # a ZWJ family is one
    ("🇯🇵🇫🇷", 2),
    ("👍🏽 ok", 4),
    ("日本語", 3),
])
def test_bluesky_counts_graphemes_against_300(text: str, graphemes: int) -> None:
    check = check_length("bluesky", text)
    assert (check.length, check.limit) == (graphemes, 300)


def test_bluesky_limit_is_in_graphemes_not_code_points() -> None:
    families = "👨‍👩‍👧‍👦" * 300  # 300 graphemes, 2,100 code points
    assert check_length("bluesky", families).ok and not check_length("bluesky", families + "!").ok


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_their_local_part() -> None:
    text = "@ada@fosstodon.org see https://example.com/a/very/long/path"
    assert check_length("mastodon", text).length == len("@ada see ") + 23


def test_mastodon_limit_is_the_servers_own_when_given() -> None:
    assert check_length("mastodon", "x" * 501).limit == 500 and not check_length("mastodon", "x" * 501).ok
    assert check_length("mastodon", "x" * 501, limit=1000).ok
