"""The platform seam. One ``Source`` per platform endpoint and brand.

Contract (the contract test suite in ``tests/test_listener_contract.py`` runs it against every
adapter):

* ``fetch(cursor)`` returns one ``Page``: the mentions found and the cursor to pass next time.
  The cursor is an opaque string owned by the adapter; the poller stores it in the same transaction
  as the page's mentions, so a crash at any point resumes exactly where the last commit left off.
* ``page.done`` is true when the source has caught up; the poller stops asking until the next run.
* Mentions that are not the brand's business (its own posts, reposts) are filtered by the adapter.
* Failures raise ``careline.errors.SourceError`` subclasses: ``TemporarySourceError`` (retried with
  back-off), ``RateLimited`` (waits for the reset) or ``PermanentSourceError`` (marked degraded).
  Library exceptions never escape an adapter.
* An item of a payload that cannot be understood is logged with the source's name and skipped;
  it never fails the page.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field

from careline.domain import Mention


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

    @property
    def key(self) -> str:
        return f"{self.name}:{self.brand}"
