"""The ``Source`` contract, run against every adapter through its real client library and the simulator.

For every source and every injected fault, the set of stored mentions equals exactly the set the
simulator published (nothing lost, nothing doubled), and the cursor moves only forward.
"""

from __future__ import annotations

import json

import pytest

from careline.domain import Mention
from careline.platform import Source
from careline.store import Store
from listener.poller import Poller, RetryPolicy
from platforms.simulator.server import Simulator
from platforms.simulator.world import FAULT_KINDS, Fault, World, load_scenario_data
from tests.helpers.scenarios import ENDPOINTS, SOURCES, expected, expected_brand, make_source, mixed_scenario

FAST = RetryPolicy(base_seconds=0.01, cap_seconds=0.05, retries_per_run=3, max_inline_wait=2)


def stored(store: Store) -> list[str]:
    return store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT key FROM mentions")])


def brand_stored(store: Store) -> set[str]:
    """Brand-account posts (``from_brand``): kept apart from the customers' mentions."""
    return store.read_sync(lambda db: {r[0] for r in db.conn.execute("SELECT key FROM brand_posts")})


@pytest.fixture
def world() -> World:
    """250 X posts (3 pages) and 250 rounds on Reddit, Bluesky and Mastodon (3 or more pages in every
    listing); the shared ``simulator`` fixture serves this world in this module."""
    return load_scenario_data(mixed_scenario(250, 250), World(manual=True))


async def poll(source: Source, store: Store, runs: int = 1, *, max_pages: int = 50) -> list[str]:
    await source.start()
    try:
        poller = Poller(source, store, retry=FAST, max_pages=max_pages)
        for _ in range(runs):
            await poller.run_once(ignore_backoff=True)
    finally:
        await source.close()
    return stored(store)


@pytest.mark.parametrize("name", SOURCES)
async def test_stores_exactly_what_was_published_then_only_new_posts(
        name: str, world: World, simulator: Simulator, store: Store) -> None:
    world.advance_to(150)
    first = await poll(make_source(name, simulator.base_url), store)
    assert set(first) == expected(world, name) and len(first) == len(set(first))
    cursor_before = store.read_sync(lambda db: db.conn.execute("SELECT value FROM cursors").fetchone()[0])
    world.publish_all()
    keys = await poll(make_source(name, simulator.base_url), store, runs=2)
    assert len(keys) == len(set(keys))
    assert set(keys) == expected(world, name)
    assert brand_stored(store) == expected_brand(world, name)
    assert len(keys) > len(first)
    cursor_after = store.read_sync(lambda db: db.conn.execute("SELECT value FROM cursors").fetchone()[0])
    assert cursor_after != cursor_before and json.loads(cursor_after)


@pytest.mark.parametrize("name", [s for s in SOURCES if s.startswith(("bluesky", "mastodon"))])
async def test_brand_posts_come_back_only_as_replies_to_others_with_from_brand(
        name: str, world: World, simulator: Simulator, store: Store) -> None:
    """Own top-level posts, self-replies and reposts/boosts never come back; the brand's replies to
    customers do, flagged, so the responder can count an answer written in the platform's own app."""
    world.publish_all()
    source = make_source(name, simulator.base_url)
    await source.start()
    try:
        mentions, cursor = [], None
        for _ in range(60):
            page = await source.fetch(cursor)
            mentions += page.mentions
            cursor = page.cursor
            if page.done:
                break
    finally:
        await source.close()
    brand = [m for m in mentions if m.author.handle.lower() in ("skylarkair", "skylarkair.bsky.social")]
    assert all(m.from_brand for m in brand) and not any(m.from_brand for m in mentions if m not in brand)
    assert all(m.in_reply_to_id for m in brand)
    if name != "mastodon-hashtags":  # the brand's replies carry no hashtag
        assert len(brand) == 50


@pytest.mark.parametrize("name", SOURCES)
async def test_mentions_are_normalised_with_thread_and_raw_payload(
        name: str, world: World, simulator: Simulator, store: Store) -> None:
    world.publish_all()
    source = make_source(name, simulator.base_url)
    await source.start()
    try:
        page = await source.fetch(None)
    finally:
        await source.close()
    assert page.mentions and page.posts_read >= len(page.mentions)
    for m in page.mentions:
        assert isinstance(m, Mention) and m.source == name and m.brand == "skylark" and m.raw
        assert m.from_brand or m.author.handle not in ("SkylarkAir", "SkylarkCare", "skylarkair.bsky.social")
        assert m.url.startswith("https://")
        assert m.created_at.tzinfo is not None and m.conversation_id
        if m.platform == "reddit":
            assert m.platform_id.startswith(("t1_", "t3_")) and m.conversation_id.startswith("t3_")
            if m.platform_id.startswith("t1_"):
                assert m.in_reply_to_id and m.in_reply_to_id.startswith(("t1_", "t3_"))
            else:
                assert m.conversation_id == m.platform_id and m.in_reply_to_id is None


@pytest.mark.parametrize("kind", FAULT_KINDS)
@pytest.mark.parametrize("name", SOURCES)
async def test_every_fault_loses_and_doubles_nothing(
        name: str, kind: str, world: World, simulator: Simulator, store: Store) -> None:
    world.publish_all()
    seconds = 1.0 if kind == "timeout" else 0.0
    for endpoint in ENDPOINTS[name]:
        # the first request, a later page, and the first page of the next run
        world.inject(endpoint, Fault(kind, seconds))
        world.inject(endpoint, *([] if kind in ("429", "500", "timeout") else [Fault(kind, seconds)]))
    source = make_source(name, simulator.base_url, timeout=0.5)
    keys = await poll(source, store, runs=4)
    assert not any(world.faults.get(e) for e in ENDPOINTS[name]), "every injected fault was served"
    assert len(keys) == len(set(keys))
    assert set(keys) == expected(world, name)
    assert brand_stored(store) == expected_brand(world, name)


async def test_comment_joins_its_submission_conversation(world: World, simulator: Simulator, store: Store) -> None:
    world.publish_all()
    await poll(make_source("reddit-subreddit", simulator.base_url), store)
    rows = store.read_sync(lambda db: db.conn.execute(
        "SELECT platform_id, thread_key, in_reply_to_id, text, url FROM mentions").fetchall())
    by_id = {r[0]: r for r in rows}
    sub = world.by_ref["rs3"]
    comment = world.by_ref["rc3"]
    assert by_id[f"t1_{comment.id}"][1] == by_id[f"t3_{sub.id}"][1] == f"reddit:skylark:t3_{sub.id}"
    assert by_id[f"t1_{comment.id}"][2] == f"t3_{sub.id}"
    assert by_id[f"t3_{sub.id}"][3] == "Refund question 3\n\nWaiting 3 days for a refund."
    assert by_id[f"t3_{sub.id}"][4].startswith("https://www.reddit.com/r/skylarkair/comments/")
