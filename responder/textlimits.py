"""Platform length limits, counted the way each platform counts.

X counts a *weighted* length (twitter-text v3 configuration): the text is NFC-normalised; each code
point in the ranges below weighs 1 and every other code point 2 (so CJK counts double); each URL
counts 23 whatever its length; each emoji sequence (a ZWJ family, a flag, a keycap, a skin-tone
variant) counts 2 as a whole. The limit is 280. Reddit limits a comment to 10,000 characters.

Bluesky counts *graphemes* (what a reader sees as one character: an emoji family, a flag, a letter with
its combining accents) against 300 (the ``app.bsky.feed.post`` lexicon's ``maxGraphemes``; the SDK
checks only the 3,000-byte limit). Mastodon counts characters, each URL as 23 and each ``@user@domain``
mention as its ``@user`` part only; the limit is the server's own (``max_characters`` in its instance
info, which the Mastodon reply sender reads at start and callers pass as ``limit``), 500 by default.

The emoji and URL detection are close approximations of twitter-text's generated regular
expressions (which are not shipped as a Python package we depend on); the tests pin the cases a
support reply meets in practice.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import regex

X_LIMIT = 280
REDDIT_LIMIT = 10_000
URL_WEIGHT = 23
#: twitter-text v3 ``ranges``: code points weighing 1 (Latin-1 through Georgian, spaces, punctuation).
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
BLUESKY_LIMIT = 300
MASTODON_LIMIT = 500
LIMITS = {"x": X_LIMIT, "twitter": X_LIMIT, "reddit": REDDIT_LIMIT, "bluesky": BLUESKY_LIMIT,
          "mastodon": MASTODON_LIMIT}
_GRAPHEME = regex.compile(r"\X")
_MASTODON_MENTION = regex.compile(r"(?<![\w@])(@[\w.-]+)@[\w-]+(?:\.[\w-]+)+")

_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]+"
    r"|\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|org|net|io|co|ly|me|app|dev|ai|info|biz|us|uk|de|fr|es|it|nl|eu|ca|au|jp|in|gg|tv|xyz)"
    r"\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
# Keycaps, flags (regional-indicator pairs and tag sequences), and pictographic sequences joined by
# ZWJ with optional presentation selectors and skin-tone modifiers.
_EMOJI = regex.compile(
    r"[#*0-9]\uFE0F?\u20E3"
    r"|\p{Regional_Indicator}{2}"
    r"|\U0001F3F4[\U000E0020-\U000E007E]+\U000E007F"
    r"|(?:\p{Extended_Pictographic}(?:\uFE0F|[\U0001F3FB-\U0001F3FF])*)"
    r"(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|[\U0001F3FB-\U0001F3FF])*)*"
)


@dataclass(frozen=True, slots=True)
class LengthCheck:
    """Counted length against a platform's limit."""

    platform: str
    length: int
    limit: int

    @property
    def ok(self) -> bool:
        return self.length <= self.limit

    @property
    def over(self) -> int:
        """Characters (weighted, on X) to cut; 0 when it fits."""
        return max(0, self.length - self.limit)


def _weight(char: str) -> int:
    cp = ord(char)
    return 1 if any(lo <= cp <= hi for lo, hi in LIGHT_RANGES) else 2


def _is_emoji_token(token: str) -> bool:
    """A lone text-style symbol below U+2000 (©, ®, a digit) is not counted as an emoji."""
    return len(token) > 1 or ord(token) >= 0x2000


def x_weighted_length(text: str) -> int:
    """Length of ``text`` as X counts it against the 280 limit."""
    text = unicodedata.normalize("NFC", text)
    total, pos = 0, 0
    for match in _URL.finditer(text):
        total += _plain_weight(text[pos:match.start()]) + URL_WEIGHT
        pos = match.end()
    return total + _plain_weight(text[pos:])


def _plain_weight(text: str) -> int:
    total, pos = 0, 0
    for match in _EMOJI.finditer(text):
        if not _is_emoji_token(match.group()):
            continue
        total += sum(_weight(c) for c in text[pos:match.start()]) + 2
        pos = match.end()
    return total + sum(_weight(c) for c in text[pos:])


def reddit_length(text: str) -> int:
    """Reddit counts characters (code points) of the markdown body."""
    return len(text)


def bluesky_length(text: str) -> int:
    """Graphemes (extended grapheme clusters, Unicode's user-perceived characters), as Bluesky counts."""
    return len(_GRAPHEME.findall(text))


def mastodon_length(text: str) -> int:
    """Mastodon's count: characters, a URL as 23, a remote mention as its local part."""
    text = _MASTODON_MENTION.sub(lambda m: m.group(1), text)  # before URLs: the domain looks like one
    return len(_URL.sub("x" * URL_WEIGHT, text))


COUNTERS = {"x": x_weighted_length, "twitter": x_weighted_length, "reddit": reddit_length,
            "bluesky": bluesky_length, "mastodon": mastodon_length}


def check_length(platform: str, text: str, limit: int | None = None) -> LengthCheck:
    """Length of ``text`` on ``platform`` against its limit; ``limit`` overrides it (a Mastodon server's own)."""
    key = platform.lower()
    if key not in LIMITS:
        raise ValueError(f"no length rule for platform {platform!r}")
    return LengthCheck(key, COUNTERS[key](text), limit or LIMITS[key])


def announced_limit(limits: Mapping[str, int] | None, platform: str, brand: str) -> int | None:
    """The limit a server announced for this brand's account on ``platform`` (``limits`` is keyed like
    the senders: ``platform:brand`` for a brand's own account, else ``platform``); ``None``: the fixed rule."""
    if not limits:
        return None
    return limits.get(f"{platform}:{brand}") or limits.get(platform)


def fits(platform: str, text: str) -> bool:
    """Shorthand for ``check_length(platform, text).ok``."""
    return check_length(platform, text).ok
