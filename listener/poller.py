"""Run one source: fetch pages, store each page with its cursor, back off, record health and spend.

Back-off, rate-limit waits and health live here once, not in each adapter (adapters only say which
of their errors are temporary). Each page commits together with the cursor that follows it, in one
``BEGIN IMMEDIATE`` transaction, so a process killed at any instant loses nothing (the cursor was not
moved past anything unstored) and doubles nothing (re-fetched posts hit the unique key).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from careline.domain import SourceCursor, from_iso, to_iso, utcnow
from careline.errors import PermanentSourceError, RateLimited, SourceError, TemporarySourceError
from careline.platform import Budget, Page, Source
from careline.store import Store
from careline.store.records import load_cursor, store_mentions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 1.0
    cap_seconds: float = 300.0
    retries_per_run: int = 3
    degraded_after: int = 3
    max_inline_wait: float = 60.0
    #: The longest wait for a platform's rate-limit reset: a reset header of 1e15 must not stop a source
    #: for ages (or overflow ``timedelta``); the platforms' own windows are 15 minutes.
    max_rate_wait: float = 3600.0

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Exponential back-off with jitter in [50%, 100%] so pollers never retry in lock-step."""
        raw = min(self.cap_seconds, self.base_seconds * (2 ** max(0, failures - 1)))
        return raw * (rng or random).uniform(0.5, 1.0)

    def rate_wait(self, retry_after: float | None) -> float | None:
        """A platform's reset wait in ``(0, max_rate_wait]``; ``None`` when it said nothing usable
        (no value, 0, negative, NaN or infinity): then the back-off applies."""
        if retry_after is None or not math.isfinite(retry_after) or retry_after <= 0:
            return None
        return min(retry_after, self.max_rate_wait)


@dataclass
class RunResult:
    pages: int = 0
    inserted: int = 0
    duplicates: int = 0
    #: Posts of customers erased since they wrote them, read again and dropped (``store_mentions``), not duplicates.
    erased: int = 0
    skipped: int = 0
    posts_read: int = 0
    status: str = "ok"
    error: str | None = None
    notes: list[str] = field(default_factory=list)


class Poller:
    def __init__(
        self,
        source: Source,
        store: Store,
        *,
        max_pages: int = 10,
        retry: RetryPolicy | None = None,
        budget: Budget | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_stored: Callable[[int], None] | None = None,
    ) -> None:
        self.source = source
        self.store = store
        self.max_pages = max_pages
        self.retry = retry or RetryPolicy()
        self.budget = budget
        self.clock = clock
        self.sleep = sleep
        self.on_stored = on_stored

    async def run_once(self, *, ignore_backoff: bool = False) -> RunResult:
        """One scheduled poll. Never raises for platform trouble: it records it and returns."""
        result = RunResult()
        key = self.source.key
        health = await self.store.read(lambda db: _health(db, self.source))
        if not ignore_backoff and health.get("next_attempt_at"):
            due = from_iso(health["next_attempt_at"])
            if due and due > self.clock():
                result.status = "waiting"
                return result
        if await self._over_budget():
            result.status = "budget"
            log.info("%s: daily budget reached; skipping until the next UTC day", key)
            return result
        cursor = (await self.store.read(lambda db: load_cursor(db, self.source.name, self.source.brand))).value
        restarted = False
        try:
            for _ in range(self.max_pages):
                try:
                    page = await self._fetch(cursor)
                except PermanentSourceError as exc:
                    fresh = None if restarted else self._restart(cursor, exc)
                    if fresh is None:
                        raise
                    restarted, page = True, fresh
                if _unreadable(page):
                    raise PermanentSourceError(self.source.key, UNREADABLE.format(n=page.skipped))
                await self._commit(page, result)
                cursor = page.cursor
                if page.done:
                    break
        except SourceError as exc:
            await self._record_failure(exc, health, result)
        except Exception as exc:  # a bug or a payload no adapter foresaw: never let it stop the scheduler silently
            log.exception("%s: poll failed unexpectedly", key)
            reason = PermanentSourceError(key, f"unexpected {type(exc).__name__}: {exc}"[:500])
            await self._record_failure(reason, health, result)
        return result

    async def _fetch(self, cursor: str | None) -> Page:
        return await fetch_with_retry(lambda: self.source.fetch(cursor), self.source.key, self.retry, self.sleep)

    def _restart(self, cursor: str | None, exc: PermanentSourceError) -> Page | None:
        """An empty page that moves the cursor back to the committed watermark, when the platform refused
        a mid-walk position (an expired or unknown pagination token is a 4xx) and the adapter can say what
        its cursor is without one (``restart_cursor``); else ``None`` and the failure stands.

        Kept as it was, the refused token would be sent again on every run: the source wedged for good.
        Restarting re-reads from the watermark (the unique key drops what is stored); posts that left the
        platform's listing in the meantime may be missing, which the page's note says.
        """
        fresh = self.source.restart_cursor(cursor) if cursor is not None else None
        if fresh == cursor:
            return None
        note = (f"the platform refused the saved page position ({exc}); restarted the walk from the last "
                "watermark, posts that left the platform's listing meanwhile may be missing")
        log.warning("%s: %s", self.source.key, note)
        return Page((), fresh, False, notes=(note,))

    async def _commit(self, page: Page, result: RunResult) -> None:
        now = self.clock()
        src = self.source
        cost = page.posts_read * (self.budget.cost_per_post if self.budget else 0.0)

        def write(db: Database) -> tuple[int, int]:
            res = store_mentions(db, page.mentions, SourceCursor(src.name, src.brand, page.cursor), now)
            record_usage(db, src, now, page.posts_read, cost)
            # the page's warnings (a Reddit gap) go in with its mentions: one is never stored without the other
            _set_health(db, src, "ok", 0, None, now, success=True, warning="; ".join(_warnings(page)) or None)
            return res.inserted, res.erased

        inserted, erased = await self.store.write(write)
        if erased:  # an operator who erased a customer can see the erasure hold (counts only: no ids in the log)
            log.info("%s: dropped %d post(s) of erased customers read again", src.key, erased)
        result.pages += 1
        result.inserted += inserted
        result.erased += erased
        result.duplicates += len(page.mentions) - inserted - erased
        result.skipped += page.skipped
        result.posts_read += page.posts_read
        result.notes.extend(page.notes)
        if inserted and self.on_stored:
            self.on_stored(inserted)

    async def _record_failure(self, exc: SourceError, health: dict, result: RunResult) -> None:
        now = self.clock()
        failures = int(health.get("consecutive_failures") or 0) + 1
        permanent = isinstance(exc, PermanentSourceError)
        status = "degraded" if permanent or failures >= self.retry.degraded_after else "retrying"
        reset = self.retry.rate_wait(exc.retry_after) if isinstance(exc, RateLimited) else None
        wait = reset if reset is not None else self.retry.delay(failures)
        nxt = now + timedelta(seconds=wait)
        log.error("%s: poll failed (%s); status %s, next attempt %s", self.source.key, exc, status, to_iso(nxt))
        src = self.source
        await self.store.write(lambda db: _set_health(db, src, status, failures, str(exc), now, next_at=nxt))
        result.status = status
        result.error = str(exc)

    async def record_start_failure(self, exc: BaseException, retry_in: float) -> None:
        """Say on the health page that this source could not start (after a settings change), and when it is
        tried again: its row still said "ok" from the poller it replaced, while nothing polled."""
        now, src = self.clock(), self.source
        error = f"could not start: {exc}"
        await self.store.write(lambda db: _set_health(db, src, "degraded", 1, error, now,
                                                      next_at=now + timedelta(seconds=retry_in)))

    async def _over_budget(self) -> bool:
        if not self.budget or self.budget.daily_usd is None:
            return False
        day = self.clock().date().isoformat()
        src = self.source
        spent = await self.store.read(lambda db: db.conn.execute(
            "SELECT cost_usd FROM source_usage WHERE source = ? AND brand = ? AND day = ?",
            (src.name, src.brand, day)).fetchone())
        return bool(spent and spent[0] >= self.budget.daily_usd)


async def fetch_with_retry(fetch: Callable[[], Awaitable[Page]], key: str, retry: RetryPolicy,
                           sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> Page:
    """Retry one page: wait out short rate-limit resets, back off on temporary errors, then give up."""
    failures = 0
    while True:
        try:
            return await fetch()
        except RateLimited as exc:
            wait = retry.rate_wait(exc.retry_after) or retry.base_seconds
            failures += 1
            if wait > retry.max_inline_wait or failures > retry.retries_per_run:
                raise
            # handled: a wait the platform asked for, within the run (a give-up is raised, and logged as one)
            log.info("%s: rate limited, waiting %.1fs for the reset", key, wait)
            await sleep(wait)
        except TemporarySourceError as exc:
            failures += 1
            if failures > retry.retries_per_run:
                raise
            delay = retry.delay(failures)
            log.warning("%s: %s; retry %d in %.1fs", key, exc, failures, delay)
            await sleep(delay)


def _health(db: Database, src: Source) -> dict:
    row = db.conn.execute(
        "SELECT status, consecutive_failures, next_attempt_at FROM source_health WHERE source = ? AND brand = ?",
        (src.name, src.brand)).fetchone()
    if row is None:
        return {}
    return {"status": row[0], "consecutive_failures": row[1], "next_attempt_at": row[2]}


#: Why a page of nothing but posts that could not be read is not committed: the cursor moved past them, and the
#: source said "ok" (an upstream change of the date format lost every post with nothing to show for it).
UNREADABLE = ("none of the {n} posts on the page could be read (malformed: see the server log); the platform's "
              "format may have changed. The cursor stays where it was, so they are read once Careline understands "
              "them")


def _unreadable(page: Page) -> bool:
    """Whether the page kept no post and most of what it brought was skipped as malformed (the rest being posts
    that are no mentions: reposts, the brand's own). Two or more: one odd post alone must not hold the source up;
    the next page carries it past."""
    return page.skipped >= 2 and not page.mentions and 2 * page.skipped >= page.posts_read


def _warnings(page: Page) -> list[str]:
    """What the source's row says of this page: its own notes, and how many of its posts were skipped."""
    skipped = [f"{page.skipped} post{'s' if page.skipped != 1 else ''} could not be read and "
               f"{'were' if page.skipped != 1 else 'was'} skipped (malformed: see the server log)"] \
        if page.skipped else []
    return [*page.notes, *skipped]


def _set_health(db: Database, src: Source, status: str, failures: int, error: str | None, now: datetime,
                *, success: bool = False, next_at: datetime | None = None, warning: str | None = None) -> None:
    """Upsert the source's health; the last error and the last warning stay until a newer one replaces them."""
    db.conn.execute(
        """INSERT INTO source_health (source, brand, status, consecutive_failures, last_error,
               last_success_at, last_attempt_at, next_attempt_at, last_warning, last_warning_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(source, brand) DO UPDATE SET status = excluded.status,
               consecutive_failures = excluded.consecutive_failures,
               last_error = COALESCE(excluded.last_error, source_health.last_error),
               last_success_at = COALESCE(excluded.last_success_at, source_health.last_success_at),
               last_attempt_at = excluded.last_attempt_at, next_attempt_at = excluded.next_attempt_at,
               last_warning = COALESCE(excluded.last_warning, source_health.last_warning),
               last_warning_at = COALESCE(excluded.last_warning_at, source_health.last_warning_at)""",
        (src.name, src.brand, status, failures, error, to_iso(now) if success else None, to_iso(now),
         to_iso(next_at), warning, to_iso(now) if warning else None),
    )


def record_usage(db: Database, src: Source, now: datetime, posts: int, cost: float) -> None:
    """Count one request, its posts and their estimated cost against the source's UTC day."""
    db.conn.execute(
        """INSERT INTO source_usage (source, brand, day, requests, posts_read, cost_usd)
           VALUES (?, ?, ?, 1, ?, ?)
           ON CONFLICT(source, brand, day) DO UPDATE SET requests = requests + 1,
               posts_read = posts_read + excluded.posts_read, cost_usd = cost_usd + excluded.cost_usd""",
        (src.name, src.brand, now.date().isoformat(), posts, cost),
    )
