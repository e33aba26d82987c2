"""Operating the listener: scheduling, budgets, degraded sources that recover, gaps, rate-limit headers."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_SUBMITTED, JobEvent

from careline.app.service import schedule
from careline.errors import RateLimited
from careline.settings import RedditSourceSettings, Settings, SourcesSettings, XSourceSettings
from careline.store import Store
from careline.views import source_health
from listener.poller import Poller, RetryPolicy
from listener.registry import build_pollers
from platforms.registry import build_sources
from platforms.simulator.server import Simulator
from platforms.simulator.world import Fault, World, load_scenario_data
from platforms.x.read import XSearchSource
from tests.conftest import BRAND, expected_keys
from tests.helpers.scenarios import REDDIT_BRAND, make_source, mixed_scenario

FAST = RetryPolicy(base_seconds=0.01, cap_seconds=0.05, retries_per_run=1, degraded_after=2, max_inline_wait=2)


def settings_for(base_url: str, **x: Any) -> Settings:
    reddit = RedditSourceSettings(enabled=True, oauth_url=base_url, reddit_url=base_url, client_id="i",
                                  client_secret="s", username="tester", password="pw", interval_seconds=120,
                                  jitter_seconds=10)
    xs = XSourceSettings(api_base_url=base_url, bearer_token="t", interval_seconds=60, jitter_seconds=5, **x)
    return Settings(brands=[REDDIT_BRAND], sources=SourcesSettings(x=xs, reddit=reddit))


# -- scheduling -----------------------------------------------------------------------------------
async def test_one_job_per_source_and_brand_with_interval_jitter_coalesce_and_single_instance(store: Store) -> None:
    settings = settings_for("http://127.0.0.1:9")
    pollers = build_pollers(build_sources(settings), store)
    assert sorted(p.source.name for p in pollers) == [
        "reddit-inbox", "reddit-search", "reddit-subreddit", "x-mentions", "x-search"]
    sched = schedule(pollers, settings)
    sched.start(paused=True)
    try:
        jobs = {j.id: j for j in sched.get_jobs()}
        assert set(jobs) == {f"poll:{p.source.key}" for p in pollers}
        for p in pollers:
            job = jobs[f"poll:{p.source.key}"]
            cfg = settings.sources.x if p.source.platform == "x" else settings.sources.reddit
            assert job.coalesce is True and job.max_instances == 1
            assert job.trigger.interval == timedelta(seconds=cfg.interval_seconds)
            assert job.trigger.jitter == cfg.jitter_seconds
    finally:
        sched.shutdown(wait=False)


class SlowPoller:
    """Stands in for a Poller whose run outlasts its interval."""

    def __init__(self, source: Any) -> None:
        self.source = source
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.runs = 0

    async def run_once(self) -> None:
        self.runs += 1
        self.started.set()
        await self.release.wait()


async def test_an_overlapping_run_is_skipped_not_queued() -> None:
    settings = settings_for("http://127.0.0.1:9")
    slow = SlowPoller(XSearchSource(BRAND, settings.sources.x))
    sched = schedule([slow], settings)  # type: ignore[list-item]
    events: list[JobEvent] = []
    sched.add_listener(events.append, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_SUBMITTED)
    sched.start(paused=True)
    try:
        job = sched.get_jobs()[0]
        job.modify(next_run_time=datetime.now(UTC))
        sched.resume()
        await asyncio.wait_for(slow.started.wait(), 5)
        job.modify(next_run_time=datetime.now(UTC))  # due again while the first run is still going
        sched.wakeup()
        for _ in range(200):
            if any(e.code == EVENT_JOB_MAX_INSTANCES for e in events):
                break
            await asyncio.sleep(0.01)
        assert any(e.code == EVENT_JOB_MAX_INSTANCES for e in events)
        assert slow.runs == 1
    finally:
        slow.release.set()
        sched.shutdown(wait=False)


# -- budget ---------------------------------------------------------------------------------------
async def test_budget_stops_keyword_search_for_the_day_but_not_mentions(
        world: World, simulator: Simulator, store: Store) -> None:
    settings = dataclasses.replace(settings_for(simulator.base_url, daily_budget_usd=0.1,
                                                mentions_cost_per_post_usd=0.001),  # an Owned Read
                                   brands=[BRAND])  # BRAND: X only
    pollers = {p.source.name: p for p in build_pollers(build_sources(settings), store)}
    assert pollers["x-search"].budget.daily_usd == 0.1  # type: ignore[union-attr]
    assert pollers["x-mentions"].budget.daily_usd is None  # type: ignore[union-attr]
    for p in pollers.values():
        p.retry = FAST
        await p.source.start()
    try:
        world.advance_to(25)  # 26 posts: $0.13 of search, over the $0.10 budget
        assert (await pollers["x-search"].run_once()).inserted == 26
        await pollers["x-mentions"].run_once()
        world.publish_all()
        search, mentions = await pollers["x-search"].run_once(), await pollers["x-mentions"].run_once()
    finally:
        for p in pollers.values():
            await p.source.close()
    assert search.status == "budget" and search.posts_read == 0
    assert mentions.status == "ok" and mentions.inserted == 4
    rows = {r["source"]: r for r in store.read_sync(source_health)}
    assert rows["x-search"]["cost_today"] == pytest.approx(26 * 0.005)
    assert rows["x-mentions"]["posts_today"] == 31  # 30 mentions + a retweet: read and billed, then dropped
    assert rows["x-mentions"]["cost_today"] == pytest.approx(31 * 0.001)


# -- health ---------------------------------------------------------------------------------------
async def test_a_failing_source_is_degraded_then_recovers_by_itself(
        world: World, simulator: Simulator, store: Store, x_settings: XSourceSettings) -> None:
    world.publish_all()
    world.inject("search", *[Fault("500")] * 5)
    source = XSearchSource(BRAND, x_settings)
    await source.start()
    try:
        slow_backoff = dataclasses.replace(FAST, base_seconds=30, cap_seconds=60)  # a window that cannot lapse

        async def no_sleep(_seconds: float) -> None:
            return None

        poller = Poller(source, store, retry=slow_backoff, sleep=no_sleep)
        first = await poller.run_once()
        waiting = await poller.run_once()  # inside the back-off window: no request at all
        second = await poller.run_once(ignore_backoff=True)
        degraded = {r["source"]: r for r in store.read_sync(source_health)}["x-search"]
        third = await poller.run_once(ignore_backoff=True)
    finally:
        await source.close()
    assert (first.status, waiting.status, second.status) == ("retrying", "waiting", "degraded")
    assert degraded["status"] == "degraded" and "503" in degraded["last_error"]
    assert third.status == "ok"
    assert store.read_sync(source_health)[0]["status"] == "ok"
    assert set(store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT key FROM mentions")])) == \
        expected_keys(world)


async def test_a_misconfigured_reddit_inbox_is_degraded_not_a_crash(simulator: Simulator, store: Store) -> None:
    settings = settings_for(simulator.base_url).sources.reddit
    source = make_source("reddit-inbox", simulator.base_url)
    source.settings = dataclasses.replace(settings, password="")  # type: ignore[attr-defined]
    await source.start()  # never raises: the service must keep running
    try:
        result = await Poller(source, store, retry=FAST).run_once()
    finally:
        await source.close()
    assert result.status == "degraded" and "CARELINE_REDDIT_PASSWORD" in (result.error or "")


# -- gaps and rate limits -------------------------------------------------------------------------
async def test_a_reddit_walk_that_never_meets_its_watermark_records_a_gap(
        store: Store, caplog: pytest.LogCaptureFixture) -> None:
    world = load_scenario_data(mixed_scenario(0, 1200), World(manual=True))
    world.advance_to(20)
    sim = Simulator(world)
    await sim.start()
    source = make_source("reddit-search", sim.base_url)
    await source.start()
    try:
        poller = Poller(source, store, retry=FAST, max_pages=20)
        quiet = await poller.run_once()
        world.publish_all()  # ~1,190 new hits: more than the 1,000 a listing keeps
        gapped = await poller.run_once()
        steady = await poller.run_once()
    finally:
        await source.close()
        await sim.stop()
    assert quiet.notes == [] and steady.notes == []
    assert gapped.status == "ok" and gapped.inserted == 1000
    assert any(n.startswith("gap: search") for n in gapped.notes)
    assert "posts may be missing" in caplog.text
    health = store.read_sync(source_health)[0]  # kept for `careline status` and /api/health, not only logged
    assert health["status"] == "ok" and health["last_warning_at"]
    assert health["last_warning"].startswith("gap: search") and "posts may be missing" in health["last_warning"]


async def test_spent_rate_limit_window_stops_before_the_request(
        world: World, simulator: Simulator, x_settings: XSourceSettings) -> None:
    source = XSearchSource(BRAND, x_settings)
    await source.start()
    try:
        await source.fetch(None)
        assert source._session is not None and source._session.limits.remaining == 449
        source._session.limits.update({"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(time.time() + 30)})
        before = world.requests["search"]
        with pytest.raises(RateLimited) as info:
            await source.fetch(None)
        assert world.requests["search"] == before
        assert 28 <= (info.value.retry_after or 0) <= 30
    finally:
        await source.close()


async def test_reddit_429_becomes_rate_limited_with_the_reset(simulator: Simulator, world: World) -> None:
    world.inject("reddit-search", Fault("429", 42))
    source = make_source("reddit-search", simulator.base_url)
    await source.start()
    try:
        with pytest.raises(RateLimited) as info:
            await source.fetch(None)
    finally:
        await source.close()
    assert info.value.retry_after == 42
