"""The reply senders follow the brands as the pollers do (a concurrency audit, 2026-12-07): they were only ever
added, so a brand given another reply account in the browser went on posting as the old one until a restart,
and a deleted brand's replies still posted. Real tweepy senders against the X simulator."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from careline.app.listening import Listening
from careline.settings import Settings, SimulatorSettings, SourcesSettings, XSourceSettings
from careline.store import Store
from platforms.registry import build_senders
from platforms.simulator.server import Simulator
from platforms.simulator.world import SimPost, SimUser, World
from platforms.x.reply import XReplySender
from tests.conftest import BRAND


@pytest.fixture
async def sim() -> AsyncIterator[tuple[Simulator, World]]:
    world = World(manual=True)
    for user in (SimUser("900001", "SkylarkAir", "Skylark Air", platform="x"),
                 SimUser("900002", "SkylarkCare", "Skylark Care", platform="x"),
                 SimUser("2001", "ana", "Ana", platform="x")):
        world.add_user(user)
    world.add_posts([SimPost(ref="c1", at=1.0, platform="x", user=world.users["x:ana"],
                             text="@SkylarkAir where is my bag")])
    world.publish_all()
    server = Simulator(world)
    await server.start()
    yield server, world
    await server.stop()


async def test_a_brands_new_reply_account_posts_at_once_and_a_deleted_brands_sender_goes(
        tmp_path: Path, sim: tuple[Simulator, World], monkeypatch: pytest.MonkeyPatch) -> None:
    server, world = sim
    closed: list[str] = []
    real_close = XReplySender.close

    async def close(self: XReplySender) -> None:
        closed.append(self.handle)
        await real_close(self)

    monkeypatch.setattr(XReplySender, "close", close)
    x = XSourceSettings(api_base_url=server.base_url, bearer_token="simulator")
    settings = Settings(brands=[BRAND], sources=SourcesSettings(x=x), simulator=SimulatorSettings(enabled=True))
    store = await Store(tmp_path / "c.db").open()
    listening = Listening(store, [], build_senders(settings))
    try:
        for sender in listening.senders.values():
            await sender.start()
        await listening.start(settings)
        before = listening.senders["x:skylark"]
        await listening.reconfigure(dataclasses.replace(settings, brands=[dataclasses.replace(BRAND, exclude=["x"])]))
        assert listening.senders["x:skylark"] is before  # nothing the sender is built from changed
        care = dataclasses.replace(BRAND, handles=["SkylarkCare"])
        await listening.reconfigure(dataclasses.replace(settings, brands=[care]))
        sender = listening.senders["x:skylark"]
        assert isinstance(sender, XReplySender) and sender.handle == "SkylarkCare"
        await sender.post("Sorry Ana, we are on it.", world.by_ref["c1"].id)
        assert [(p.user.username, p.text) for p in world.posts if p.ref.startswith("live")] == [
            ("SkylarkCare", "Sorry Ana, we are on it.")]
        assert closed == []  # the old one closes a send lease later: a post on its way through it finishes
        await listening.reconfigure(dataclasses.replace(settings, brands=[]))
        assert listening.senders == {}
    finally:
        await listening.close()
        await store.close()
    assert sorted(closed) == ["SkylarkAir", "SkylarkCare"]  # both retired senders, closed as the service stops


async def test_a_settings_change_rebuilds_only_the_pollers_it_touches_and_never_waits_on_others(
        tmp_path: Path, sim: tuple[Simulator, World]) -> None:
    """Every poller was retired one after another, each waiting for its poll in flight: a brand whose server
    took connections and never answered held up the rebuild, and no brand was polled for over a minute after
    any save. A poll in flight for skylark must not hold up a change to zed, and skylark's poller stays."""
    import asyncio

    server, _ = sim
    x = XSourceSettings(api_base_url=server.base_url, bearer_token="simulator")
    zed = dataclasses.replace(BRAND, name="zed", keywords=["zedshoes"], handles=["ZedShoes"], x_user_id="900077")
    settings = Settings(brands=[BRAND, zed], sources=SourcesSettings(x=x))
    store = await Store(tmp_path / "c.db").open()
    listening = Listening(store, [], {})
    try:
        await listening.start(settings)
        before = {p.source.key: p for p in listening.pollers}
        gate = listening._gate(before["x-search:skylark"])
        await gate.acquire()  # skylark's poll is in flight, and slow
        try:
            changed = dataclasses.replace(settings, brands=[BRAND, dataclasses.replace(zed, exclude=["hiring"])])
            await asyncio.wait_for(listening.reconfigure(changed), timeout=5)
        finally:
            gate.release()
        after = {p.source.key: p for p in listening.pollers}
        assert after.keys() == before.keys()
        assert after["x-search:skylark"] is before["x-search:skylark"]  # untouched, its poll left to finish
        assert after["x-search:zed"] is not before["x-search:zed"]  # rebuilt with the new exclusion
    finally:
        await listening.close()
        await store.close()


async def test_a_poller_that_could_not_start_is_tried_again_without_another_save(
        tmp_path: Path, sim: tuple[Simulator, World], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A brand's new poller whose source failed to start (here: the process out of file handles, twice) stayed
    off until an admin happened to save the settings again. Now the same settings are tried again, the wait
    doubling; a newer save replaces the retry."""
    import asyncio
    import logging

    from platforms.x.read import XSearchSource

    server, _ = sim
    x = XSourceSettings(api_base_url=server.base_url, bearer_token="simulator")
    zed = dataclasses.replace(BRAND, name="zed", keywords=["zedshoes"], handles=["ZedShoes"], x_user_id="900077")
    settings = Settings(brands=[BRAND], sources=SourcesSettings(x=x))
    failures = [OSError(24, "Too many open files"), OSError(24, "Too many open files")]
    real_start = XSearchSource.start

    async def start(self: XSearchSource) -> None:
        if self.brand == "zed" and failures:
            raise failures.pop()
        await real_start(self)

    monkeypatch.setattr(XSearchSource, "start", start)
    store = await Store(tmp_path / "c.db").open()
    listening = Listening(store, [], {}, retry_first=0.2)
    caplog.set_level(logging.ERROR, logger="careline.app.listening")
    try:
        await listening.start(settings)
        listening.follow(dataclasses.replace(settings, brands=[BRAND, zed]))
        for _ in range(100):  # started, and the rebuild that started it finished (it clears the retry after)
            await asyncio.sleep(0.05)
            if "x-search:zed" in {p.source.key for p in listening.pollers} and listening._retry_wait is None:
                break
        assert {"x-search:skylark", "x-search:zed"} <= {p.source.key for p in listening.pollers}
        assert len(caplog.records) == 2 and listening._retry_wait is None  # two failures, then started
        health = await store.read(lambda db: db.conn.execute(
            "SELECT status, last_error FROM source_health WHERE source = 'x-search' AND brand = 'zed'").fetchone())
        assert health[1] == "could not start: [Errno 24] Too many open files"  # on /health while it was off
        assert "the poller x-search:zed could not start: [Errno 24] Too many open files" in caplog.text

        failures.append(OSError(24, "Too many open files"))  # fails again; a newer save cancels its retry
        listening.follow(dataclasses.replace(settings, brands=[BRAND, dataclasses.replace(zed, exclude=["a"])]))
        for _ in range(500):
            if listening._retry is not None:
                break
            await asyncio.sleep(0.01)
        assert listening._retry is not None
        listening.follow(settings)  # zed removed before its retry
        await asyncio.sleep(0.6)
        assert {p.source.key for p in listening.pollers} == {"x-search:skylark", "x-mentions:skylark"}
        assert not failures  # the failure was spent on the cancelled rebuild only
    finally:
        await listening.close()
        await store.close()


async def test_a_retry_never_brings_back_settings_saved_over(tmp_path: Path, sim: tuple[Simulator, World],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild that failed while a newer save was queued scheduled a retry of the older settings, which then
    undid the newer save a minute later."""
    import asyncio

    from platforms.x.read import XSearchSource

    server, _ = sim
    x = XSourceSettings(api_base_url=server.base_url, bearer_token="simulator")
    zed = dataclasses.replace(BRAND, name="zed", keywords=["zedshoes"], handles=["ZedShoes"], x_user_id="900077")
    settings = Settings(brands=[BRAND], sources=SourcesSettings(x=x))
    starting, fail = asyncio.Event(), asyncio.Event()
    real_start = XSearchSource.start

    async def start(self: XSearchSource) -> None:
        if self.brand == "zed" and not starting.is_set():  # the first start hangs, then fails; later ones work
            starting.set()
            await fail.wait()
            raise OSError(24, "Too many open files")
        await real_start(self)

    monkeypatch.setattr(XSearchSource, "start", start)
    store = await Store(tmp_path / "c.db").open()
    listening = Listening(store, [], {}, retry_first=0.2)
    try:
        await listening.start(settings)
        listening.follow(dataclasses.replace(settings, brands=[BRAND, zed]))
        await asyncio.wait_for(starting.wait(), timeout=5)
        listening.follow(settings)  # zed taken out again while its start hangs
        fail.set()
        await asyncio.sleep(0.8)  # past the first retry's wait
        assert {p.source.key for p in listening.pollers} == {"x-search:skylark", "x-mentions:skylark"}
        assert listening._retry is None
    finally:
        await listening.close()
        await store.close()
