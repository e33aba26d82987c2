"""The lead summary's cache: held for a multiple of its cost, one computation for concurrent callers,
and a stale result served at once while one refresh runs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import pytest

from careline.app.web.cache import CostBoundCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_costly_result_is_held_for_ratio_times_its_cost_and_a_cheap_one_is_not() -> None:
    clock = FakeClock()
    cache: CostBoundCache[int] = CostBoundCache(ratio=5, clock=clock, max_stale=0)  # no stale serving
    calls = 0

    async def costly() -> int:
        nonlocal calls
        calls += 1
        clock.now += 2.0  # took 2 s: hold it 10 s
        return calls

    assert await cache.get("UTC", costly) == 1
    clock.now += 9.5
    assert await cache.get("UTC", costly) == 1 and calls == 1
    clock.now += 1.0  # 10.5 s after it was computed
    assert await cache.get("UTC", costly) == 2
    assert await cache.get("Europe/London", costly) == 3  # another key is its own entry

    async def cheap() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert [await cache.get("cheap", cheap) for _ in range(3)] == [4, 5, 6]  # no cost, never held


async def test_concurrent_callers_of_a_stale_key_share_one_computation() -> None:
    clock = FakeClock()
    cache: CostBoundCache[str] = CostBoundCache(ratio=5, clock=clock)
    started = 0

    async def slow() -> str:
        nonlocal started
        started += 1
        await asyncio.sleep(0.01)
        clock.now += 1.0
        return f"summary {started}"

    got = await asyncio.gather(*(cache.get("UTC", slow) for _ in range(5)))
    assert got == ["summary 1"] * 5 and started == 1


async def test_a_stale_result_is_served_at_once_while_one_refresh_runs() -> None:
    clock = FakeClock()
    cache: CostBoundCache[int] = CostBoundCache(ratio=5, clock=clock, max_stale=60)
    gate = asyncio.Event()
    calls = 0

    async def costly() -> int:
        nonlocal calls
        calls += 1
        if calls == 2:
            await gate.wait()  # the refresh is still running while callers arrive
        clock.now += 2.0
        return calls

    assert await cache.get("UTC", costly) == 1  # nothing to serve yet: the first caller waits
    clock.now += 11.0  # held 10 s, so stale, and 11 s old
    assert await cache.get("UTC", costly) == 1  # served at once; a refresh is scheduled
    await asyncio.sleep(0)  # it starts, and waits at the gate
    assert await cache.get("UTC", costly) == 1 and calls == 2  # the same refresh, not a second one
    gate.set()
    await cache.idle()
    assert await cache.get("UTC", costly) == 2
    clock.now += 100.0  # older than max_stale: too old to show, the caller waits for new numbers
    assert await cache.get("UTC", costly) == 3


async def test_a_failed_background_refresh_keeps_the_last_result(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    cache: CostBoundCache[int] = CostBoundCache(ratio=5, clock=clock, max_stale=60)
    calls = 0

    async def flaky() -> int:
        nonlocal calls
        calls += 1
        clock.now += 1.0
        if calls == 2:
            raise OSError("database is locked")
        return calls

    assert await cache.get("UTC", flaky) == 1
    clock.now += 6.0
    with caplog.at_level(logging.WARNING, logger="careline.app.web.cache"):
        assert await cache.get("UTC", flaky) == 1
        await cache.idle()
    assert "refreshing 'UTC' failed" in caplog.text and "database is locked" in caplog.text
    assert await cache.get("UTC", flaky) == 1  # the next caller starts another try
    await cache.idle()
    assert calls == 3
    assert await cache.get("UTC", flaky) == 3


async def test_a_cheap_result_is_dropped_by_a_write_and_a_costly_one_is_not() -> None:
    """Below ``slow_s`` freshness wins (a small team sees a reply at once); above it, the CPU bound."""
    clock = FakeClock()
    cache: CostBoundCache[int] = CostBoundCache(ratio=5, clock=clock, slow_s=0.25)
    calls = 0

    def costing(seconds: float) -> Callable[[], Awaitable[int]]:
        async def compute() -> int:
            nonlocal calls
            calls += 1
            clock.now += seconds
            return calls
        return compute

    assert await cache.get("cheap", costing(0.1), version=1) == 1
    assert await cache.get("cheap", costing(0.1), version=1) == 1  # held 0.5 s while nothing is written
    assert await cache.get("cheap", costing(0.1), version=2) == 2  # a write: computed again
    assert await cache.get("costly", costing(1.0), version=2) == 3
    assert await cache.get("costly", costing(1.0), version=3) == 3  # held its 5 s through writes
