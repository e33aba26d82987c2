"""The lead summary's cache: held for a multiple of its cost, one computation for concurrent callers."""

from __future__ import annotations

import asyncio

from careline.web.cache import CostBoundCache


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_costly_result_is_held_for_ratio_times_its_cost_and_a_cheap_one_is_not() -> None:
    clock = FakeClock()
    cache: CostBoundCache[int] = CostBoundCache(ratio=5, clock=clock)
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
