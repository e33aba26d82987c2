"""The platform seams: what every platform module implements, for reading and for replying.

A platform lives in one package under ``platforms/`` (its client plumbing, its ``Source`` adapters and
its ``ReplySender``, plus a loopback simulator). The stages only ever see these two abstract classes
and the value types in ``careline.domain``: the listener polls ``Source``s, the responder posts through
``ReplySender``s, and the wiring (``careline.app``) builds both from the settings via
``platforms.registry``.

Reading contract (the contract suite in ``tests/test_listener_contract.py`` runs it against every
adapter):

* ``fetch(cursor)`` returns one ``Page``: the mentions found and the cursor to pass next time.
  The cursor is an opaque string owned by the adapter; the poller stores it in the same transaction
  as the page's mentions, so a crash at any point resumes exactly where the last commit left off.
* ``page.done`` is true when the source has caught up; the poller stops asking until the next run.
* Mentions that are not the brand's business (reposts, unrelated brand posts) are filtered by the
  adapter. A brand-account post *in a thread we track* is kept with ``Mention.from_brand`` set, so the
  responder can count it as a reply made outside Careline.
* Failures raise ``careline.errors.SourceError`` subclasses: ``TemporarySourceError`` (retried with
  back-off), ``RateLimited`` (waits for the reset) or ``PermanentSourceError`` (marked degraded).
  Library exceptions never escape an adapter.
* An item of a payload that cannot be understood is logged with the source's name and skipped;
  it never fails the page.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from careline.domain import Mention
from careline.errors import TemporarySourceError


@dataclass(frozen=True, slots=True)
class Page:
    mentions: Sequence[Mention]
    cursor: str | None
    done: bool
    #: How many posts the platform returned (billing counts these, even the ones we drop).
    posts_read: int = 0
    skipped: int = 0
    notes: tuple[str, ...] = field(default=())


class Source(ABC):
    """A stream of mentions for one brand from one platform endpoint."""

    #: Stable id, e.g. ``x-search``; with the brand it keys the cursor, health and usage rows.
    name: str
    platform: str
    brand: str

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open clients and sessions. Called once before the first ``fetch``."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients and sessions."""

    @abstractmethod
    async def fetch(self, cursor: str | None) -> Page:
        """Fetch the next page after ``cursor`` (``None``: first run)."""

    def restart_cursor(self, cursor: str | None) -> str | None:
        """``cursor`` without its mid-walk page position, for when the platform refuses a saved one (an
        expired pagination token is a 4xx, which would wedge the source if sent on every run); the poller
        restarts the walk from the watermark this keeps. The default: no position to drop."""
        return cursor

    @property
    def key(self) -> str:
        return f"{self.name}:{self.brand}"


class RateWindow:
    """A platform's own rate-limit headers (``<prefix>remaining``, ``<prefix>reset`` in epoch seconds),
    remembered between requests: X sends ``x-rate-limit-*``, Bluesky ``ratelimit-*``.

    The client libraries only look at them after a 429; reading them on every response lets a source
    stop *before* spending a request that is certain to be refused.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def update(self, headers: Mapping[str, str]) -> None:
        try:
            self.remaining = int(float(headers[f"{self.prefix}remaining"]))
            self.reset_at = float(headers[f"{self.prefix}reset"])
        except (KeyError, ValueError):
            return

    def wait_seconds(self, now: float | None = None) -> float:
        """Seconds until a request may succeed: > 0 only when the window is spent and not yet reset."""
        now = time.time() if now is None else now
        if self.remaining is None or self.remaining > 0 or self.reset_at is None:
            return 0.0
        return max(0.0, self.reset_at - now)


@dataclass(frozen=True)
class Budget:
    """Pay-per-use guard: stop this source for the UTC day at ``daily_usd`` of estimated spend."""

    cost_per_post: float
    daily_usd: float | None


#: A source the settings ask for: (source, its budget or ``None`` when reading is free, most pages per run).
Planned = tuple[Source, Budget | None, int]


class SendOutcomeUnknown(TemporarySourceError):
    """The request may have reached the platform (timeout, dropped connection after sending)."""


class ReplySender(ABC):
    """Posts public replies for one platform (and one brand account).

    Contract: ``post`` returns the new post's platform id (the form our mention keys use, e.g. a
    tweet id or a Reddit fullname) or raises a ``SourceError``; it never retries internally,
    because a hidden retry of a POST is how replies get posted twice. ``find`` is optional.
    """

    platform: ClassVar[str]
    #: Whether :meth:`find` can look for an earlier post of ours (reconciling an in-doubt send).
    can_find: ClassVar[bool] = False
    #: The reply length limit this account's server announced (a Mastodon server's ``max_characters``),
    #: known after :meth:`start`; ``None``: the platform's fixed rule in ``responder.textlimits``.
    max_length: int | None = None

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open clients; called once before the first ``post``."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients."""

    @abstractmethod
    async def post(self, text: str, in_reply_to: str) -> str:
        """Publish ``text`` as a reply to the post ``in_reply_to``; return the new post's id."""

    async def find(self, text: str, in_reply_to: str, *, thread: str | None = None) -> str | None:
        """The id of our existing reply ``text`` to ``in_reply_to``, or ``None`` if it is not there."""
        raise NotImplementedError(f"{type(self).__name__} cannot look for its own posts")
