"""A poller process SIGKILLed between fetch and commit loses nothing and doubles nothing on restart,
on all four platforms."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from careline.platform import Source
from careline.settings import XSourceSettings
from careline.store import Store
from listener.poller import Poller, RunResult
from platforms.simulator.server import Simulator
from platforms.simulator.world import World, load_scenario_data
from platforms.x.read import XSearchSource
from tests.conftest import BRAND, REPO, expected_keys, tiny_scenario
from tests.helpers.scenarios import expected, make_source, mixed_scenario


async def kill_then_resume(tmp_path: Path, world: World, child_args: list[str],
                           make: Callable[[str], Source]) -> tuple[int, RunResult, list[str]]:
    """Run a poller child until it stalls before a commit, SIGKILL it, then resume in-process.

    Returns (mentions stored when the child died, the resumed run's result, every stored key).
    """
    world.publish_all()
    sim = Simulator(world)
    await sim.start()
    db = tmp_path / "crash.db"
    Store(db).open_sync().close_sync()
    try:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.helpers.poll_child", str(db), sim.base_url, *child_args,
            cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert child.stdout is not None
        line = await asyncio.wait_for(child.stdout.readline(), 60)
        assert line.strip() == b"STALLED"
        child.send_signal(signal.SIGKILL)
        await child.wait()

        store = Store(db).open_sync()
        before = store.read_sync(lambda d: d.conn.execute("SELECT count(*) FROM mentions").fetchone()[0])
        source = make(sim.base_url)
        await source.start()
        try:
            result = await Poller(source, store, max_pages=50).run_once()
        finally:
            await source.close()
        keys = store.read_sync(lambda d: [r[0] for r in d.conn.execute("SELECT key FROM mentions")])
        store.close_sync()
    finally:
        await sim.stop()
    return before, result, keys


@pytest.mark.parametrize("stall_at", [1, 2, 3])
async def test_kill_between_fetch_and_commit(tmp_path: Path, stall_at: int) -> None:
    world = load_scenario_data(tiny_scenario(250), World(manual=True))  # 3 pages of 100
    before, result, keys = await kill_then_resume(
        tmp_path, world, [str(stall_at)],
        lambda url: XSearchSource(BRAND, XSourceSettings(api_base_url=url, bearer_token="t")))
    # exactly the committed pages survived (page 1 also carries the brand's own post, dropped)
    assert before == [0, 99, 199][stall_at - 1]
    assert result.status == "ok"
    assert len(keys) == len(set(keys)) == 250
    assert set(keys) == expected_keys(world)


@pytest.mark.parametrize(("name", "stall_at"), [("reddit-search", 2), ("reddit-subreddit", 2),
                                                ("reddit-subreddit", 5), ("reddit-inbox", 3),
                                                ("bluesky-search", 2), ("bluesky-search", 4),
                                                ("bluesky-mentions", 3), ("mastodon-mentions", 2),
                                                ("mastodon-mentions", 4), ("mastodon-hashtags", 4)])
async def test_walk_kill_between_fetch_and_commit(tmp_path: Path, name: str, stall_at: int) -> None:
    """Same guarantee for the Reddit and Bluesky walks (``after`` / ``cursor`` in the committed cursor)
    and Mastodon's ``max_id`` walk, across listings and feeds too."""
    world = load_scenario_data(mixed_scenario(0, 250), World(manual=True))  # 3 pages or more per listing
    before, result, keys = await kill_then_resume(tmp_path, world, [str(stall_at), name],
                                                  lambda url: make_source(name, url))
    assert 0 < before < len(expected(world, name))  # some pages were committed, not all
    assert result.status == "ok"
    assert len(keys) == len(set(keys))
    assert set(keys) == expected(world, name)
