"""The thin path through the real tweepy AsyncClient against the loopback X simulator."""

from __future__ import annotations

import json

from careline.store import Store
from listener.poller import Poller, RetryPolicy
from platforms.simulator.world import Fault, World
from platforms.x.read import XSearchSource, build_query
from tests.conftest import BRAND, expected_keys

FAST = RetryPolicy(base_seconds=0.01, cap_seconds=0.05, retries_per_run=3, max_inline_wait=2)


def stored_keys(store: Store) -> list[str]:
    return store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT key FROM mentions")])


def test_query_is_built_from_brand_config() -> None:
    q = build_query(BRAND)
    assert q == '("skylark air" OR #skylarkair OR @SkylarkAir OR from:SkylarkAir) -is:retweet lang:en'


async def test_poll_stores_each_mention_once_and_drops_own_posts_and_retweets(
        world: World, store: Store, x_settings) -> None:
    world.publish_all()
    source = XSearchSource(BRAND, x_settings)
    await source.start()
    try:
        poller = Poller(source, store, retry=FAST)
        first = await poller.run_once()
        second = await poller.run_once()
    finally:
        await source.close()
    keys = stored_keys(store)
    assert first.inserted == 30 and first.pages == 1
    assert second.inserted == 0
    assert len(keys) == len(set(keys)) == 30
    assert set(keys) == expected_keys(world)


async def test_cursor_pages_with_next_token_and_moves_since_id_only_at_the_end(
        world: World, store: Store, x_settings) -> None:
    world.advance_to(14)
    source = XSearchSource(BRAND, x_settings)
    await source.start()
    try:
        page = await source.fetch(None)
        assert page.done and len(page.mentions) == 15
        since = json.loads(page.cursor or "{}")["since_id"]
        world.publish_all()
        first = await source.fetch(page.cursor)
        # max_results=100 > 15 new posts: one page, watermark moves to the newest
        assert first.done and len(first.mentions) == 15
        assert int(json.loads(first.cursor or "{}")["since_id"]) > int(since)
    finally:
        await source.close()


async def test_faults_lose_and_double_nothing(world: World, store: Store, x_settings) -> None:
    world.publish_all()
    for fault in (Fault("500"), Fault("truncated"), Fault("bad_json"), Fault("429", 0), Fault("duplicate"),
                  Fault("out_of_order"), Fault("malformed_item")):
        world.inject("search", fault)
    source = XSearchSource(BRAND, x_settings, timeout=2)
    await source.start()
    try:
        poller = Poller(source, store, retry=FAST, max_pages=3)
        for _ in range(6):
            await poller.run_once(ignore_backoff=True)
    finally:
        await source.close()
    keys = stored_keys(store)
    assert len(keys) == len(set(keys))
    assert set(keys) == expected_keys(world)


async def test_a_missing_bearer_token_is_named_not_sent(world: World, store: Store, simulator) -> None:
    """With no token the source says which variable to set and sends nothing (it used to send "Bearer unset")."""
    from careline.settings import XSourceSettings

    world.publish_all()
    source = XSearchSource(BRAND, XSourceSettings(api_base_url=simulator.base_url, bearer_token=""))
    await source.start()
    try:
        result = await Poller(source, store, retry=FAST).run_once()
    finally:
        await source.close()
    assert result.status == "degraded" and "CARELINE_X_BEARER_TOKEN is not set" in (result.error or "")
    assert world.requests.get("search", 0) == 0
