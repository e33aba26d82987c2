"""Platform length limits, counted the way each platform counts, on the text the platform is sent.

The counters themselves are ``careline.textcount`` (shared with the loopback simulators, which refuse by
the same rules): X's weighted 280, Reddit's 10,000 characters, Bluesky's 300 graphemes *and* 3,000 UTF-8
bytes, Mastodon's ``StatusLengthValidator`` count against the server's own limit (500 by default).

What is counted is what gets posted: the Mastodon reply sender puts ``@acct`` of the author answered in
front of a reply that does not mention them, so a check that is told that author (``author``) counts the
prefix too. Otherwise a reply at the limit passes here and is refused by the server after approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from careline.textcount import (
    BLUESKY_BYTE_LIMIT,
    BLUESKY_LIMIT,
    LIGHT_RANGES,
    MASTODON_LIMIT,
    REDDIT_LIMIT,
    URL_WEIGHT,
    X_LIMIT,
    bluesky_bytes,
    bluesky_length,
    mastodon_length,
    mastodon_with_mention,
    reddit_length,
    x_weighted_length,
)

__all__ = ["BLUESKY_BYTE_LIMIT", "BLUESKY_LIMIT", "COUNTERS", "LIGHT_RANGES", "LIMITS", "MASTODON_LIMIT",
           "PLATFORM_CHOICES", "REDDIT_LIMIT", "URL_WEIGHT", "X_LIMIT", "LengthCheck", "announced_limit",
           "bluesky_length", "check_length", "fits", "mastodon_length", "posted_text", "reddit_length",
           "x_weighted_length"]

LIMITS = {"x": X_LIMIT, "twitter": X_LIMIT, "reddit": REDDIT_LIMIT, "bluesky": BLUESKY_LIMIT,
          "mastodon": MASTODON_LIMIT}
#: Platforms with a second limit in UTF-8 bytes beside the one in characters.
BYTE_LIMITS = {"bluesky": BLUESKY_BYTE_LIMIT}
#: The platforms a person picks from: ``twitter`` is the old name of ``x``, kept above for rows stored under it,
#: and offered twice ("twitter" and "x" in the template preview) it read as two platforms.
PLATFORM_CHOICES = tuple(sorted(LIMITS.keys() - {"twitter"}))


@dataclass(frozen=True, slots=True)
class LengthCheck:
    """Counted length against a platform's limit (and, on Bluesky, UTF-8 bytes against its byte limit)."""

    platform: str
    length: int
    limit: int
    byte_length: int = 0
    byte_limit: int | None = None

    @property
    def ok(self) -> bool:
        return self.length <= self.limit and (self.byte_limit is None or self.byte_length <= self.byte_limit)

    @property
    def over(self) -> int:
        """Characters (weighted, on X) to cut; 0 when they fit (a Bluesky text can still be over in bytes)."""
        return max(0, self.length - self.limit)

    @property
    def reason(self) -> str:
        """Why the text does not fit, in words for the agent; empty when it fits."""
        if self.length > self.limit:
            return f"the reply is {self.length} characters; {self.platform} allows {self.limit}"
        if self.byte_limit is not None and self.byte_length > self.byte_limit:
            return (f"the reply is {self.byte_length} bytes in UTF-8 (emoji and non-Latin letters take several); "
                    f"{self.platform} allows {self.byte_limit}")
        return ""


def posted_text(platform: str, text: str, author: str | None = None) -> str:
    """The text the platform's reply sender posts for ``text`` answering ``author`` (their handle): on
    Mastodon ``@author`` goes in front unless the text mentions them; elsewhere the text as it is."""
    if platform.lower() == "mastodon" and author:
        return mastodon_with_mention(text, author)
    return text


COUNTERS = {"x": x_weighted_length, "twitter": x_weighted_length, "reddit": reddit_length,
            "bluesky": bluesky_length, "mastodon": mastodon_length}


def check_length(platform: str, text: str, limit: int | None = None, *, author: str | None = None) -> LengthCheck:
    """Length of what is posted for ``text`` on ``platform`` against its limit; ``limit`` overrides it (a
    Mastodon server's own); ``author``, the handle answered, adds the mention the platform's sender adds."""
    key = platform.lower()
    if key not in LIMITS:
        raise ValueError(f"no length rule for platform {platform!r}")
    posted = posted_text(key, text, author)
    byte_limit = BYTE_LIMITS.get(key)
    return LengthCheck(key, COUNTERS[key](posted), limit or LIMITS[key],
                       bluesky_bytes(posted) if byte_limit is not None else 0, byte_limit)


def announced_limit(limits: Mapping[str, int] | None, platform: str, brand: str) -> int | None:
    """The limit a server announced for this brand's account on ``platform`` (``limits`` is keyed like
    the senders: ``platform:brand`` for a brand's own account, else ``platform``); ``None``: the fixed rule."""
    if not limits:
        return None
    return limits.get(f"{platform}:{brand}") or limits.get(platform)


def fits(platform: str, text: str) -> bool:
    """Shorthand for ``check_length(platform, text).ok``."""
    return check_length(platform, text).ok
