"""A result cache whose lifetime scales with what the result cost to compute.

The lead's SLA summary reads every conversation of the last 30 days: milliseconds for a small team,
2.5 s at 100,000 conversations (docs/benchmarks.md), and the page asks again every 15 s from every
open tab. Holding a result for ``ratio`` times its own cost bounds the CPU it can take to
1 / (1 + ratio) of a core however many tabs are open, while a cheap result is recomputed almost every
time, so a small deployment (and every test) always sees fresh numbers. Callers show the
result's own timestamp, so a held result never claims to be newer than it is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class CostBoundCache(Generic[T]):
    """One result per key; concurrent callers of a stale key wait for a single computation."""

    def __init__(self, ratio: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ratio = ratio
        self.clock = clock
        self._lock = asyncio.Lock()
        self._entries: dict[Hashable, tuple[float, T]] = {}  # key -> (fresh until, value)

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        async with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self.clock() < entry[0]:
                return entry[1]
            started = self.clock()
            value = await compute()
            done = self.clock()
            self._entries[key] = (done + self.ratio * (done - started), value)
            return value
