"""Fetch history the live pollers never saw: X with ``start_time`` (7 days at most), Reddit by walking
its listings back with ``after``.

Backfill never touches the live cursors (a backfill is a one-off look back, the watermark is the
pollers' business); every page is stored in its own transaction with ``ON CONFLICT DO NOTHING``, so
running it twice, or beside the live pollers, doubles nothing. Posts read still count against the
source's daily usage, and keyword search still stops at the daily budget.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from careline.domain import utcnow
from careline.errors import ConfigError, SourceError
from careline.platform import Budget, Page, Planned, Source
from careline.store import Store
from careline.store.records import store_mentions
from listener.poller import RetryPolicy, fetch_with_retry, record_usage

X_SEARCH_WINDOW = timedelta(days=7)
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
#: The furthest back a backfill reaches: ten years, far beyond what any platform lists.
MAX_SINCE = timedelta(days=3650)

#: Called after each stored page with (source key, mentions stored so far, how far back we reached).
Progress = Callable[[str, int, datetime | None], None]


@dataclass
class BackfillResult:
    key: str
    pages: int = 0
    inserted: int = 0
    posts_read: int = 0
    status: str = "ok"
    error: str | None = None


def parse_since(text: str) -> timedelta:
    """``90m``, ``36h``, ``2d``, ``1w`` -> a timedelta, at most :data:`MAX_SINCE` (20 digits of days
    overflowed ``timedelta`` into a traceback)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text.lower())
    if match is None:
        raise ConfigError("--since", f"expected a number and a unit (s, m, h, d, w), e.g. 2d; got {text!r}")
    seconds = int(match.group(1)) * UNITS[match.group(2)]
    if seconds == 0:  # "0m" backfilled nothing and said it was done
        raise ConfigError("--since", f"must go back more than nothing; got {text.strip()!r}")
    if seconds > MAX_SINCE.total_seconds():
        raise ConfigError("--since", f"goes back at most {MAX_SINCE.days} days; got {text.strip()!r}")
    return timedelta(seconds=seconds)


def select_sources(planned: Sequence[Planned], which: str, brand: str | None = None) -> list[Planned]:
    """A platform (``x``, ``reddit``, ``bluesky``, ``mastodon``) or an exact source name such as
    ``x-search``, from what is planned."""
    chosen = [p for p in planned
              if which in (p[0].platform, p[0].name) and (brand is None or p[0].brand == brand)]
    if not chosen:
        scope = f" for brand {brand!r}" if brand else ""
        known = sorted({p[0].platform for p in planned} | {p[0].name for p in planned})
        raise ConfigError("--source", f"no enabled source matches {which!r}{scope}; enabled: "
                                      f"{', '.join(known) or 'none'}")
    return chosen


def clamp_since(source: Source, since: datetime, now: datetime) -> datetime:
    """X's recent search (and so our X backfill) reaches back 7 days; ask for no more."""
    if source.platform == "x":
        return max(since, now - X_SEARCH_WINDOW + timedelta(minutes=1))
    return since


async def backfill_source(source: Source, store: Store, since: datetime, *, budget: Budget | None = None,
                          retry: RetryPolicy | None = None, max_pages: int = 1000,
                          progress: Progress | None = None) -> BackfillResult:
    """Walk one started source back to ``since``; stops at the budget, never raises for platform trouble."""
    result = BackfillResult(source.key)
    retry = retry or RetryPolicy()
    fetch = getattr(source, "backfill", None)
    if fetch is None:
        result.status, result.error = "unsupported", f"{source.name} cannot backfill"
        return result
    cursor: str | None = None
    try:
        for _ in range(max_pages):
            if await _over_budget(store, source, budget):
                result.status = "budget"
                break
            page = await fetch_with_retry(functools.partial(fetch, cursor, since), source.key, retry)
            await _store_page(store, source, page, budget, result)
            if progress:
                progress(source.key, result.inserted, _oldest(page))
            cursor = page.cursor
            if page.done:
                break
    except SourceError as exc:
        result.status, result.error = "failed", str(exc)
    return result


async def _store_page(store: Store, source: Source, page: Page, budget: Budget | None, result: BackfillResult) -> None:
    now = utcnow()
    cost = page.posts_read * (budget.cost_per_post if budget else 0.0)

    def write(db: Database) -> int:
        res = store_mentions(db, page.mentions, None, now)
        record_usage(db, source, now, page.posts_read, cost)
        return res.inserted

    result.inserted += await store.write(write)
    result.pages += 1
    result.posts_read += page.posts_read


async def _over_budget(store: Store, source: Source, budget: Budget | None) -> bool:
    if budget is None or budget.daily_usd is None:
        return False
    day = utcnow().date().isoformat()
    row = await store.read(lambda db: db.conn.execute(
        "SELECT cost_usd FROM source_usage WHERE source = ? AND brand = ? AND day = ?",
        (source.name, source.brand, day)).fetchone())
    return bool(row and row[0] >= budget.daily_usd)


def _oldest(page: Page) -> datetime | None:
    return min((m.created_at for m in page.mentions), default=None)
