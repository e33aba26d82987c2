"""The whole service (scheduler, pollers on the X simulator, pipeline, web app) follows settings changes
without a restart, and a poll running while they change loses nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest

from careline.app.service import Service, running
from careline.app.web.auth import create_token, create_user
from careline.domain import Role
from careline.settings import Settings, SourcesSettings, XSourceSettings
from classifiers.lexicon import LexiconClassifier
from platforms.simulator.server import Simulator
from platforms.simulator.world import SimPost, SimUser, World
from tests.conftest import BRAND


def service_settings(tmp_path: Path, base_url: str) -> Settings:
    x = XSourceSettings(api_base_url=base_url, bearer_token="simulator", interval_seconds=1, jitter_seconds=0)
    s = Settings(brands=[BRAND], sources=SourcesSettings(x=x))
    return dataclasses.replace(s, service=dataclasses.replace(s.service, database=str(tmp_path / "c.db"), port=0))


async def wait_for(predicate, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + seconds
    while not await predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.2)


async def test_pollers_follow_settings_changes_while_posts_keep_coming(tmp_path: Path) -> None:
    world = World(manual=True)
    world.add_user(SimUser("900001", "SkylarkAir", "Skylark Air", platform="x"))
    world.add_user(SimUser("900077", "ZedShoes", "Zed Shoes", platform="x"))
    customers = [world.add_user(SimUser(str(2000 + i), f"cust{i}", f"Customer {i}", platform="x")) for i in range(5)]
    sim = Simulator(world)
    await sim.start()
    posted: list[str] = []

    async def customers_post(n: int) -> None:
        """A steady stream of mentions, for both brands, while the settings change underneath the pollers."""
        for i in range(n):
            text = (f"@SkylarkAir skylark air lost my bag, case {i}" if i % 3
                    else f"my zedshoes parcel {i} never arrived")
            world.add_posts([SimPost(ref=f"c{i}", at=float(i + 1), platform="x", user=customers[i % 5], text=text)])
            world.advance_to(float(i + 1))
            posted.append(world.by_ref[f"c{i}"].id)
            await asyncio.sleep(0.05)

    try:
        async with running(service_settings(tmp_path, sim.base_url), classifier=LexiconClassifier()) as svc:
            live, store = svc.live, svc.store
            assert live is not None and svc.scheduler is not None
            assert {p.source.key for p in svc.pollers} == {"x-search:skylark", "x-mentions:skylark"}

            async def admin_edits() -> None:
                zed = {"keywords": "zedshoes", "handles": "ZedShoes", "x_user_id": "900077"}
                await live.change("brands", "zed", zed, expected=None, actor="root")
                for n in range(8):  # interval and exclusions flip back and forth while polls run
                    await live.change("sources", "x", {"interval_seconds": 1 + n % 2},
                                      expected=await _version(store, "sources", "x"), actor="root")
                    await live.change("brands", "skylark", {"exclude": f"unrelated{n}"},
                                      expected=await _version(store, "brands", "skylark"), actor="rita")
                    await asyncio.sleep(0.1)

            await asyncio.gather(customers_post(45), admin_edits())

            async def rebuilt() -> bool:  # in the background: a save never waits for a running poll
                return {p.source.key for p in svc.pollers} == {"x-search:skylark", "x-mentions:skylark",
                                                               "x-search:zed", "x-mentions:zed"}

            await wait_for(rebuilt)
            jobs = {j.id for j in svc.scheduler.get_jobs() if j.id.startswith("poll:")}
            assert jobs == {f"poll:{p.source.key}" for p in svc.pollers}
            assert live.current.sources.x.interval_seconds == 2

            async def all_stored() -> bool:
                stored = await store.read(lambda db: {r[0] for r in db.conn.execute(
                    "SELECT platform_id FROM mentions WHERE platform = 'x'")})
                return set(posted) <= stored

            await wait_for(all_stored)
            counts = await store.read(lambda db: db.conn.execute(
                "SELECT count(*), count(DISTINCT platform_id) FROM mentions WHERE platform = 'x'").fetchone())
            assert counts[0] == counts[1] == len(posted)  # every post once: nothing lost, nothing doubled

            async def zed_queued() -> bool:
                return await store.read(lambda db: db.conn.execute(
                    "SELECT count(*) FROM conversations WHERE brand = 'zed'").fetchone()[0]) > 0

            await wait_for(zed_queued)
    finally:
        await sim.stop()


async def _version(store, section: str, item: str) -> int:  # type: ignore[no-untyped-def]
    row = await store.read(lambda db: db.conn.execute(
        "SELECT version FROM settings_overlay WHERE section = ? AND item = ?", (section, item)).fetchone())
    return int(row[0]) if row else 0


async def test_shutdown_stops_a_pipeline_a_poll_has_just_woken(tmp_path: Path) -> None:
    """A poll that stores posts wakes the pipeline; shutting down in the next turn of the loop must still stop
    it. (On Python 3.11 ``asyncio.wait_for`` returns, instead of raising, a cancel that arrives after the
    awaited wait finished: the pipeline ran on and ``running`` waited for it forever.)"""
    world = World(manual=True)
    world.add_user(SimUser("900001", "SkylarkAir", "Skylark Air", platform="x"))
    sim = Simulator(world)
    await sim.start()
    try:
        async with asyncio.timeout(30) as limit:  # a hang ends here, not at pytest's 300 s
            async with running(service_settings(tmp_path, sim.base_url), classifier=LexiconClassifier()) as svc:
                async def idle() -> bool:  # the pipeline has done its first step and waits for a wake
                    return bool(svc.pipeline._wake._waiters)  # type: ignore[attr-defined]

                await wait_for(idle)
                svc.pipeline.wake()  # as a poll does after it stores a page
                await asyncio.sleep(0)  # the pipeline's wait completes in this turn; shutdown begins in the next
        assert not limit.expired(), "shutdown waited on a pipeline that never stopped"
        assert svc.pipeline._task is None
    finally:
        await sim.stop()


def _sky_world() -> World:
    world = World(manual=True)
    world.add_user(SimUser("900001", "SkylarkAir", "Skylark Air", platform="x"))
    return world


def _sources_closed(svc: Service) -> bool:
    return all(p.source._session is None for p in svc.pollers)  # type: ignore[attr-defined]


async def _token(svc: Service, name: str, role: Role) -> dict[str, str]:
    def make(db):  # type: ignore[no-untyped-def]
        create_user(db, name, role, "a long enough password")
        return create_token(db, name, "tests")

    return {"Authorization": f"Bearer {await svc.store.write(make)}"}


async def test_a_cancelled_service_still_closes_its_sources_web_server_and_store(tmp_path: Path) -> None:
    """The task running the service is cancelled (Ctrl-C before the signal handlers are in, a supervisor's task
    group): its shutdown runs with that cancel already taken. Stopping the pipeline re-raised it, so the
    sources, the web server and the store were left open."""
    sim = Simulator(_sky_world())
    await sim.start()
    up: list[Service] = []

    async def serve() -> None:
        async with running(service_settings(tmp_path, sim.base_url), classifier=LexiconClassifier()) as svc:
            up.append(svc)
            await asyncio.Event().wait()

    task = asyncio.create_task(serve())
    try:
        async with asyncio.timeout(30):
            await wait_for(lambda: asyncio.sleep(0, bool(up)))
            svc = up[0]
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        assert _sources_closed(svc), "the pollers' sources were left open"
        assert svc.store._write_db is None, "the store was left open"  # type: ignore[attr-defined]
        where = urlsplit(svc.url)
        with pytest.raises(OSError):  # nobody listens any more
            await asyncio.open_connection(where.hostname, where.port)
        assert svc.pipeline._task is None
    finally:
        task.cancel()
        await sim.stop()


async def test_a_settings_save_finishing_during_shutdown_starts_no_pollers(tmp_path: Path) -> None:
    """An admin's save still in the server when the service stops (the web server waits for it) used to start
    a rebuild after the pollers were closed: new sources, opened in a task nobody awaited, never closed."""
    sim = Simulator(_sky_world())
    await sim.start()
    release, holding = threading.Event(), threading.Event()
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(30) as limit:
            async with running(service_settings(tmp_path, sim.base_url), classifier=LexiconClassifier()) as svc:
                assert svc.live is not None
                live, root = svc.live, await _token(svc, "root", Role.ADMIN)
                async with http.get(svc.url + "api/admin/settings", headers=root) as r:  # the token's first use
                    assert r.status == 200

                def hold(db):  # type: ignore[no-untyped-def]  # the writer is busy, e.g. a big page of posts
                    holding.set()
                    release.wait(20)

                busy = asyncio.create_task(svc.store.write(hold))
                await wait_for(lambda: asyncio.sleep(0, holding.is_set()))

                async def save() -> int:
                    async with http.post(svc.url + "api/admin/settings/sources?item=x", headers=root,
                                         json={"version": 0, "interval_seconds": 2}) as r:
                        return r.status

                saving = asyncio.create_task(save())
                await wait_for(lambda: asyncio.sleep(0, live._lock.locked()))  # in the server, waiting to write

                async def release_after_the_pollers_closed() -> None:
                    await wait_for(lambda: asyncio.sleep(0, _sources_closed(svc)))
                    release.set()

                releaser = asyncio.create_task(release_after_the_pollers_closed())
            assert await saving == 200 and live.current.sources.x.interval_seconds == 2
            await busy
            await releaser
            await asyncio.sleep(0.2)  # a rebuild started by the save would have opened its sources by now
        assert not limit.expired()
        assert _sources_closed(svc), "a rebuild after shutdown opened sources nobody closes"
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "careline-listening-rebuild"]
    finally:
        release.set()
        await sim.stop()


async def test_shutdown_ends_an_open_event_stream(tmp_path: Path) -> None:
    """An agent's open queue page holds /api/stream; aiohttp waits 60 s for running handlers before it cancels
    them, so every shutdown with a page open took a minute. The streams now end when shutdown begins."""
    sim = Simulator(_sky_world())
    await sim.start()
    loop = asyncio.get_running_loop()
    try:
        async with aiohttp.ClientSession() as http, asyncio.timeout(30) as limit:
            async with running(service_settings(tmp_path, sim.base_url), classifier=LexiconClassifier()) as svc:
                ada = await _token(svc, "ada", Role.AGENT)
                stream = await http.get(svc.url + "api/stream", headers=ada)
                assert stream.status == 200
                assert (await stream.content.readline()).startswith(b"event: queue")
                stopping = loop.time()
            took = loop.time() - stopping
            await stream.read()  # the stream ended with the server
            stream.close()
        assert not limit.expired(), "shutdown waited for the open stream"
        assert took < 10, f"shutdown took {took:.1f}s"
    finally:
        await sim.stop()
