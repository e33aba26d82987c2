"""How each platform counts a post's length, in the ground so both sides of a post use one rule.

The responder checks a reply against these counts before it saves it (``responder.textlimits``), and the
loopback simulators refuse what the real platforms refuse by the same counts; the platform packages may
not import the responder, so the counters live here.

* X counts a *weighted* length (twitter-text v3 configuration): the text is NFC-normalised; each code
  point in the ranges below weighs 1 and every other code point 2 (so CJK counts double); each URL
  counts 23 whatever its length; each emoji sequence (a ZWJ family, a flag, a keycap, a skin-tone
  variant) counts 2 as a whole. The limit is 280.
* Reddit limits a comment to 10,000 characters.
* Bluesky counts *graphemes* (what a reader sees as one character: an emoji family, a flag, a letter with
  its combining accents) against 300 (the ``app.bsky.feed.post`` lexicon's ``maxGraphemes``) *and* UTF-8
  bytes against 3,000 (its ``maxLength``). The atproto SDK checks neither: its model caps the text at
  3,000 *code points*, so 121 emoji families (3,025 bytes) pass the SDK and are refused by the server.
* Mastodon counts as its ``StatusLengthValidator`` does: grapheme clusters, after each URL that starts
  with ``http(s)://`` is replaced by 23 characters and each ``@user@domain`` mention by ``@user``. A bare
  ``example.com`` is not a URL there (it counts in full), nor is a link whose host twitter-text does not
  know as a domain (``http://localhost:8080/...``, an IP address): counting those in full is safe. The
  limit is the server's own (``max_characters`` in its instance info), 500 by default. A reply from our
  sender also carries the ``@acct`` of the author answered when the text does not name them
  (:func:`mastodon_with_mention`), and that prefix counts like any mention.

The emoji and URL detection are close approximations of twitter-text's generated regular
expressions (which are not shipped as a Python package we depend on); where they err, they err
towards counting more, so a text we pass is never one the platform refuses for its length.
"""

from __future__ import annotations

import re
import unicodedata

import regex

X_LIMIT = 280
REDDIT_LIMIT = 10_000
BLUESKY_LIMIT = 300
#: ``app.bsky.feed.post`` ``text.maxLength``: UTF-8 bytes.
BLUESKY_BYTE_LIMIT = 3_000
MASTODON_LIMIT = 500
URL_WEIGHT = 23
#: twitter-text v3 ``ranges``: code points weighing 1 (Latin-1 through Georgian, spaces, punctuation).
LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))

_GRAPHEME = regex.compile(r"\X")
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

# Mastodon (twitter-text ``valid_url`` with a protocol, as ``extract_url_without_protocol: false``): not
# after a letter, digit, @, $ or #; the host ends in a top-level domain of letters (a generic one we list
# or any two-letter country code); trailing punctuation is not part of the link.
_MASTODON_TLD = (r"(?:com|org|net|edu|gov|mil|int|info|biz|name|pro|io|app|dev|ai|shop|store|online|site|xyz"
                 r"|tech|cloud|social|blog|news|travel|help|care|support|airline|aero|[a-z]{2})")
_MASTODON_URL = re.compile(
    r"(?<![a-z0-9@$#])https?://(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+" + _MASTODON_TLD
    + r"(?![a-z0-9-])(?::\d{1,5})?(?:[/?#][^\s<>\"]*)?",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\")]}"
# Mastodon's ``Account::MENTION_RE``: ``@user`` or ``@user@domain``, not after a word character, = or /.
_MASTODON_MENTION = regex.compile(r"(?<![=/\w])@([a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)(@[\w.-]*\w)?",
                                  regex.IGNORECASE)


def graphemes(text: str) -> int:
    """Extended grapheme clusters (Unicode's user-perceived characters), as Bluesky and Mastodon count."""
    return len(_GRAPHEME.findall(text))


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
    """Graphemes, as Bluesky counts against 300 (the byte limit is :func:`bluesky_bytes`)."""
    return graphemes(text)


def bluesky_bytes(text: str) -> int:
    """UTF-8 bytes, as Bluesky counts against 3,000."""
    return len(text.encode("utf-8"))


def _mastodon_entities(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of the URLs and mentions Mastodon shortens, overlaps dropped in favour of
    the one that starts first (twitter-text's ``remove_overlapping_entities``)."""
    found = []
    for match in _MASTODON_URL.finditer(text):
        url = match.group().rstrip(_URL_TRAILING)
        found.append((match.start(), match.start() + len(url), "x" * URL_WEIGHT))
    for match in _MASTODON_MENTION.finditer(text):
        found.append((match.start(), match.end(), "@" + match.group(1)))
    kept: list[tuple[int, int, str]] = []
    for entity in sorted(found):
        if not kept or entity[0] >= kept[-1][1]:
            kept.append(entity)
    return kept


def mastodon_countable(text: str) -> str:
    """The text Mastodon measures: each URL as 23 ``x``, each remote mention as its ``@user`` part."""
    out, pos = [], 0
    for start, end, replacement in _mastodon_entities(text):
        out += [text[pos:start], replacement]
        pos = end
    return "".join([*out, text[pos:]])


def mastodon_length(text: str) -> int:
    """Mastodon's count (``StatusLengthValidator``): grapheme clusters of :func:`mastodon_countable`."""
    return graphemes(mastodon_countable(text))


def mastodon_with_mention(text: str, acct: str) -> str:
    """``@acct text`` unless the text already mentions the author (as ``@user`` or ``@user@domain``): what
    the Mastodon reply sender posts, so a direct reply reaches (and notifies) the author."""
    user = acct.split("@", 1)[0]
    if not user or re.search(r"(?<![\w@])@" + re.escape(user) + r"(?:@[\w.-]+)?(?![\w@])", text, re.IGNORECASE):
        return text
    return f"@{acct} {text}"
