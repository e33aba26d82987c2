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
    letters = "e\u0301" * 300  # 300 graphemes, 600 code points, 900 bytes
    assert check_length("bluesky", letters).ok and not check_length("bluesky", letters + "!").ok


def test_bluesky_also_limits_utf8_bytes_to_3000() -> None:
    """The lexicon's ``maxLength``: 120 emoji families are 3,000 bytes and fit; 121 (3,025 bytes, only 121
    graphemes) do not, and the reason names bytes, not characters."""
    families = "👨‍👩‍👧‍👦" * 120
    assert check_length("bluesky", families).ok
    over = check_length("bluesky", families + "👨‍👩‍👧‍👦")
    assert (over.length, over.byte_length, over.ok) == (121, 3025, False)
    assert over.reason == ("the reply is 3025 bytes in UTF-8 (emoji and non-Latin letters take several); "
                           "bluesky allows 3000")
    assert not check_length("bluesky", "👨‍👩‍👧‍👦" * 300).ok  # 300 graphemes but 7,500 bytes


def test_mastodon_counts_urls_as_23_and_remote_mentions_by_their_local_part() -> None:
    text = "@ada@fosstodon.org see https://example.com/a/very/long/path"
    assert check_length("mastodon", text).length == len("@ada see ") + 23


def test_mastodon_limit_is_the_servers_own_when_given() -> None:
    assert check_length("mastodon", "x" * 501).limit == 500 and not check_length("mastodon", "x" * 501).ok
    assert check_length("mastodon", "x" * 501, limit=1000).ok


@pytest.mark.parametrize(("text", "length"), [
    ("👨‍👩‍👧‍👦", 1),  # Mastodon counts grapheme clusters, not code points
    ("🇯🇵", 1),
    ("cafe\u0301", 4),
    ("see example.com/a/long/path", len("see example.com/a/long/path")),  # no protocol: not a link there
    ("https://example.com/" + "a" * 100, 23),
    ("see https://example.com/a.", len("see ") + 23 + 1),  # the full stop is not part of the link
    ("xhttps://example.com/" + "a" * 50, 1 + 20 + 50),  # not a link after a letter: counted in full
    ("http://127.0.0.1:8080/s/abc", len("http://127.0.0.1:8080/s/abc")),  # no domain: counted in full
    ("@ada@fosstodon.org @bo", len("@ada @bo")),
    ("mail ada@fosstodon.org", len("mail ada@fosstodon.org")),  # an address, not a mention
])
def test_mastodon_counts_like_its_status_length_validator(text: str, length: int) -> None:
    assert check_length("mastodon", text).length == length


def test_mastodon_counts_the_mention_its_sender_puts_in_front() -> None:
    """Told the author answered, the check counts ``@acct `` as Mastodon does (``@user ``, 6 here), unless
    the text already mentions them; other platforms post the text as it is."""
    assert check_length("mastodon", "a" * 500).ok
    prefixed = check_length("mastodon", "a" * 500, author="fan1@other.social")
    assert (prefixed.length, prefixed.ok) == (506, False)
    assert prefixed.reason == "the reply is 506 characters; mastodon allows 500"
    assert check_length("mastodon", "a" * 494, author="fan1@other.social").ok
    assert check_length("mastodon", "@fan1 " + "a" * 494, author="fan1@other.social").length == 500
    assert check_length("bluesky", "a" * 300, author="flyer1.bsky.social").ok
