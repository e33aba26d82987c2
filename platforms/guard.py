"""Defences the platform adapters share against what a platform (or whatever answers in its place) may send.

A platform is another party's server: a proxy can cut a body, a bug can put ``null`` where a list was,
a hostile federated server can send any text or link it likes. Each adapter keeps its own reading of
its wire format; what is the same everywhere lives here once:

* :func:`clean_mention`: text and names with lone surrogates (``"\\ud83d"``, valid in a JSON escape
  but not in UTF-8) and NULs replaced, so storing a mention can never raise ``UnicodeEncodeError``.
* :func:`skip_malformed`: the one log line for an item that could not be understood (the page goes on).
* :func:`bounded_wait`: a rate-limit reset or ``Retry-After`` as seconds in ``[0, MAX_WAIT]``; a
  value that is not a finite number of seconds, or a date far off, must not stop a source for years
  (or overflow ``timedelta``).
* :func:`plausible_time`: a watermark only moves to a time that is not in the future, so one post
  stamped 2099 cannot hide everything after it.
* :func:`decimal_id`: a numeric id (X, Mastodon) only as the platform writes it, so an item cannot pass for
  the post whose id ``int()`` would read out of it.
* :func:`without_positions`: a walk cursor without its mid-walk positions, for the poller's restart
  when a platform refuses a saved pagination token.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from careline.domain import Mention

#: The longest a source waits for a platform's rate-limit reset; a platform's own windows are 15 min.
MAX_WAIT = 3600.0
#: How far ahead of our clock a platform's timestamps may run (clock skew) and still move a watermark.
MAX_SKEW = timedelta(minutes=5)
_UNENCODABLE = re.compile("[\ud800-\udfff\x00]")
#: A numeric id as X and Mastodon write it: ASCII digits, no leading zero, at most 19 (their ids are 64-bit).
_DECIMAL_ID = re.compile("0|[1-9][0-9]{0,18}")


def clean(text: str) -> str:
    """``text`` with lone surrogates and NULs replaced by U+FFFD (both are unstorable or truncate text)."""
    return _UNENCODABLE.sub("\ufffd", text)


#: The longest display name kept, in characters (X allows 50, Bluesky 64, Mastodon 30): a server that sent 10,000
#: made the conversation page's heading 6,000 px tall. A longer one is cut, with an ellipsis.
NAME_LIMIT = 100


def short_name(name: str) -> str:
    """``name`` within :data:`NAME_LIMIT` characters."""
    return name if len(name) <= NAME_LIMIT else name[:NAME_LIMIT - 1].rstrip() + "\u2026"


def clean_mention(mention: Mention) -> Mention:
    """The mention with every free-text field made storable and the author's name within :data:`NAME_LIMIT`; the
    same object when nothing needed it."""
    a = mention.author
    texts = (mention.platform_id, mention.text, mention.url, mention.conversation_id, mention.in_reply_to_id,
             mention.language, a.platform_id, a.handle, a.name)
    if not any(isinstance(t, str) and _UNENCODABLE.search(t) for t in texts) and len(a.name or "") <= NAME_LIMIT:
        return mention
    author = dataclasses.replace(a, platform_id=clean(a.platform_id), handle=clean(a.handle),
                                 name=short_name(clean(a.name)))
    return dataclasses.replace(
        mention, platform_id=clean(mention.platform_id), author=author, text=clean(mention.text),
        url=clean(mention.url), conversation_id=clean(mention.conversation_id),
        in_reply_to_id=_clean_optional(mention.in_reply_to_id), language=_clean_optional(mention.language))


def _clean_optional(text: str | None) -> str | None:
    return None if text is None else clean(text)


def skip_malformed(log: logging.Logger, key: str, what: str, item: Any, exc: BaseException) -> None:
    """Log one item skipped as malformed, with enough of it to find it again."""
    log.warning("%s: skipped malformed %s %s: %s: %s", key, what, _short(item), type(exc).__name__, exc)


def _short(item: Any) -> str:
    try:
        text = item if isinstance(item, str) else json.dumps(item, default=str)
    except (TypeError, ValueError, RecursionError):
        text = repr(item)
    return clean(text[:200])


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (text, None, NaN, infinity, 1e400)."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def bounded_wait(seconds: Any, *, default: float = 60.0, cap: float = MAX_WAIT) -> float:
    """``seconds`` as a wait in ``[0, cap]``; ``default`` for anything that is not a finite number."""
    value = _finite(seconds)
    return default if value is None else min(cap, max(0.0, value))


def wait_until(epoch: Any, *, default: float = 60.0, now: float | None = None) -> float:
    """Seconds from ``now`` until the epoch time ``epoch`` (a reset header), bounded as :func:`bounded_wait`."""
    value = _finite(epoch)
    return default if value is None else bounded_wait(value - (time.time() if now is None else now),
                                                      default=default)


def retry_after_seconds(value: Any, *, default: float = 60.0, now: datetime | None = None) -> float:
    """An HTTP ``Retry-After``: delay-seconds or an HTTP-date (RFC 9110 allows both), bounded."""
    if value is None:
        return default
    text = str(value).strip()
    try:
        return bounded_wait(float(text), default=default)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return bounded_wait((when - (now or datetime.now(UTC))).total_seconds(), default=default)


def decimal_id(value: Any) -> int:
    """``value`` (a string or an int) as a numeric id; ``ValueError`` unless it is written as 1-19 ASCII digits.

    ``int()`` alone also reads "+12", " 12", "012", "1_2" and other scripts' digits ("１２") as 12: an item carrying
    one would be stored under the key of post 12, and post 12 dropped as a duplicate of it.
    """
    text = str(value)
    if _DECIMAL_ID.fullmatch(text) is None:
        raise ValueError(f"not a numeric id: {text[:40]!r}")
    return int(text)


def plausible_time(at: datetime, now: datetime) -> bool:
    """Whether ``at`` may move a watermark: not beyond ``now`` plus the allowed clock skew."""
    return at <= now + MAX_SKEW


def without_positions(cursor: str | None, section: str, position: str) -> str | None:
    """A walk cursor (``{"i": .., section: {name: {"seen": .., position: .., "top": ..}}}``, as the Reddit
    and Bluesky adapters keep it) cut down to each part's ``seen`` watermark, when any part is mid-walk;
    else ``cursor`` itself. The poller restarts from it when a platform refuses a saved position."""
    state = json.loads(cursor) if cursor else {}
    parts = state.get(section) if isinstance(state, dict) else None
    if not isinstance(parts, dict) or not any(isinstance(p, dict) and position in p for p in parts.values()):
        return cursor
    seen = {name: {"seen": p.get("seen")} for name, p in parts.items() if isinstance(p, dict)}
    return json.dumps({**state, section: seen}, sort_keys=True)
