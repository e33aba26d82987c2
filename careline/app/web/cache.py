"""A result cache whose lifetime scales with what the result cost to compute.

The lead's SLA summary reads every conversation of the last 30 days: milliseconds for a small team,
2.5 s at 100,000 conversations (docs/benchmarks.md), and the page asks again every 15 s from every
open tab. Two regimes, split at ``slow_s`` of computation:

- A cheap result is reused only while nothing was written (the caller's ``version``, the store's
  commit count) and for ``ratio`` times its own cost, so a small team sees a reply or a resolve
  in the lead's numbers on the next request.
- An expensive one is held for ``ratio`` times its cost whatever was written, which bounds the CPU
  it can take to 1 / (1 + ratio) of a core however many tabs are open; past that, a result up to
  ``max_stale`` seconds old is still served at once while one refresh runs in the background
  (stale-while-revalidate), so only the first request, or one after a quiet spell, waits.

Callers show the result's own timestamp, so a held result never claims to be newer than it is.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Entry(Generic[T]):
    value: T
    version: Hashable
    computed_at: float
    cost: float


class CostBoundCache(Generic[T]):
    """One result per key; one computation per key at a time, shared by every caller that waits."""

    def __init__(self, ratio: float = 5.0, clock: Callable[[], float] = time.monotonic, *,
                 max_stale: float = 60.0, slow_s: float = 0.25) -> None:
        self.ratio = ratio
        self.clock = clock
        self.max_stale = max_stale
        self.slow_s = slow_s
        self._entries: dict[Hashable, _Entry[T]] = {}
        self._running: dict[Hashable, asyncio.Future[T]] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]], version: Hashable = None) -> T:
        entry = self._entries.get(key)
        now = self.clock()
        if entry is not None:
            slow = entry.cost >= self.slow_s
            if now < entry.computed_at + self.ratio * entry.cost and (slow or entry.version == version):
                return entry.value
        running = self._running.get(key)
        if running is None or running.done():  # done callbacks run a loop turn later: not in flight
            # the caller's context stays behind: a figure shared by everyone is nobody's request (its write guard)
            running = self._running[key] = asyncio.get_running_loop().create_task(
                self._compute(key, compute, version), context=contextvars.Context())
            running.add_done_callback(lambda done: self._finished(key, done))
        if entry is not None and entry.cost >= self.slow_s and now - entry.computed_at < self.max_stale:
            return entry.value  # the refresh lands for the next caller
        return await asyncio.shield(running)  # a cancelled caller does not cancel the others' result

    async def idle(self) -> None:
        """Wait for the refreshes in flight (tests; a clean shutdown)."""
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _compute(self, key: Hashable, compute: Callable[[], Awaitable[T]], version: Hashable) -> T:
        started = self.clock()
        value = await compute()
        done = self.clock()
        self._entries[key] = _Entry(value, version, done, done - started)
        return value

    def _finished(self, key: Hashable, done: asyncio.Future[T]) -> None:
        if self._running.get(key) is done:
            del self._running[key]
        if not done.cancelled() and done.exception() is not None:
            # callers that waited got the exception; a background refresh has nobody to tell
            log.warning("refreshing %r failed; the last result stays until the next try", key,
                        exc_info=done.exception())
