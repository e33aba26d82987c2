"""Brand replies made outside Careline, read from the demo scenario through the real tweepy poller.

In ``data/demo/scenario.json`` @SkylarkAir answers Maria's cancelled-flight complaint (``s01``) from the
native app (``s02``, signed ^JM). That answer must show in the thread, stop the first-response clock,
supersede a reply still waiting to go, and refuse a second reply unless the agent adds one deliberately;
Careline's own reply coming back through the search must not count as an outside one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from careline.domain import Role, from_iso, utcnow
from careline.errors import Conflict
from careline.settings import Settings, SLAPolicySettings, SLASettings, XSourceSettings, load_settings
from careline.store import Store
from careline.store.conversations import load_conversation, load_reply, outside_posts
from platforms.simulator.server import Simulator
from platforms.simulator.world import World, load_scenario
from platforms.x.read import XSearchSource
from platforms.x.reply import XReplySender
from responder import workflow
from responder.transitions import Action
from responder.workflow import Actor, AlreadyAnswered, Desk
from tests.conftest import REPO
from tests.helpers import scenarios

ADA = Actor("ada", Role.AGENT)
SCENARIO = REPO / "data" / "demo" / "scenario.json"


@pytest.fixture
def demo_world() -> World:
    return load_scenario(SCENARIO, World(manual=True))


@pytest.fixture
async def sim(demo_world: World) -> AsyncIterator[Simulator]:
    s = Simulator(demo_world)
    await s.start()
    yield s
    await s.stop()


def demo_settings(tmp_path: Path, base_url: str) -> Settings:
    base = load_settings(REPO / "config" / "demo.toml")
    x = XSourceSettings(api_base_url=base_url, bearer_token="test")
    sla = SLASettings(policies=[SLAPolicySettings(name="fast", first_response_minutes=60)])
    return dataclasses.replace(base, brands=[base.brands[0]], sla=sla,
                               sources=dataclasses.replace(base.sources, x=x),
                               service=dataclasses.replace(base.service, database=str(tmp_path / "c.db")))


async def poll_and_route(store: Store, settings: Settings) -> None:
    await scenarios.poll_and_route(XSearchSource(settings.brands[0], settings.sources.x), store, settings)


def conv_of(store: Store, world: World, ref: str) -> int:
    thread = world.by_ref[ref].conversation_id
    return store.read_sync(lambda db: db.conn.execute(
        "SELECT id FROM conversations WHERE thread_key = ?", (f"x:skylark:{thread}",)).fetchone()[0])


def publish(world: World, ref: str) -> None:
    """Move the simulated clock to ``ref``'s time: it and everything before it are visible."""
    world.advance_to(world.by_ref[ref].at)


async def test_outside_reply_shows_stops_the_clock_and_refuses_a_double_reply(
        demo_world: World, sim: Simulator, store: Store, tmp_path: Path) -> None:
    settings = demo_settings(tmp_path, sim.base_url)
    publish(demo_world, "s01")
    await poll_and_route(store, settings)
    conv_id = conv_of(store, demo_world, "s01")
    before = store.read_sync(lambda db: load_conversation(db, conv_id))
    assert before.status.value == "new" and before.first_responded_at is None

    publish(demo_world, "s02")
    await poll_and_route(store, settings)
    after = store.read_sync(lambda db: load_conversation(db, conv_id))
    shown = store.read_sync(lambda db: outside_posts(db, conv_id))
    assert [p["platform_id"] for p in shown] == [demo_world.by_ref["s02"].id]
    assert "^JM" in shown[0]["text"]
    assert after.status.value == "pending"  # waiting on the customer: the clocks are paused
    assert after.first_responded_at == from_iso(shown[0]["created_at"])
    customers = store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM mentions WHERE thread_key = ?", (before.thread_key,)).fetchone()[0])
    assert customers == 1  # the brand's post is not a customer message

    desk = Desk(store, settings)
    with pytest.raises(AlreadyAnswered, match="@SkylarkAir already replied on x outside Careline"):
        await workflow.send(desk, ADA, conv_id, "Sorry Maria, we are on it.", "key-0001", now=utcnow())
    # "Send and resolve" pressed on an empty box (the agent meant Resolve): the empty reply is what they are told
    with pytest.raises(Conflict, match="the reply is empty: write one, or use Resolve to close without a reply"):
        await workflow.send(desk, ADA, conv_id, " \n ", "key-0002", now=utcnow(), resolve=True)


async def _held_reply(world: World, sim: Simulator, store: Store, tmp_path: Path,
                      key: str) -> tuple[Settings, int, Desk, workflow.Outcome]:
    """The demo's first X post stored as a conversation, and ada's reply to it held for a lead."""
    settings = demo_settings(tmp_path, sim.base_url)
    settings = dataclasses.replace(settings, responder=dataclasses.replace(settings.responder,
                                                                           approval_agents=["ada"]))
    publish(world, "s01")
    await poll_and_route(store, settings)
    conv_id = conv_of(store, world, "s01")
    desk = Desk(store, settings)
    held = await workflow.send(desk, ADA, conv_id, "Sorry Maria, please DM us your booking.", key, now=utcnow())
    return settings, conv_id, desk, held


async def test_an_outside_answer_supersedes_a_reply_still_waiting_for_approval(
        demo_world: World, sim: Simulator, store: Store, tmp_path: Path) -> None:
    settings, _conv, desk, held = await _held_reply(demo_world, sim, store, tmp_path, "key-0002")
    assert held.reply is not None and held.reply.state.value == "awaiting_approval"
    assert held.message.startswith("Waiting for approval by a lead: replies by ada are reviewed")

    publish(demo_world, "s02")
    await poll_and_route(store, settings)
    reply = store.read_sync(lambda db: load_reply(db, held.reply.id))  # type: ignore[union-attr]
    assert reply.state.value == "superseded" and reply.superseded_by == f"x:{demo_world.by_ref['s02'].id}"
    lead = Actor("lee", Role.LEAD)
    with pytest.raises(Exception, match="is no longer to be sent: the conversation was answered outside Careline"):
        await workflow.approve(desk, lead, reply.id, now=utcnow())


async def test_our_own_reply_seen_again_is_not_an_outside_reply(
        demo_world: World, sim: Simulator, store: Store, tmp_path: Path) -> None:
    settings = demo_settings(tmp_path, sim.base_url)
    publish(demo_world, "s01")
    await poll_and_route(store, settings)
    conv_id = conv_of(store, demo_world, "s01")
    sender = XReplySender(settings.sources.x, handle="SkylarkAir", bearer_token="SkylarkAir")
    await sender.start()
    try:
        desk = Desk(store, settings, {"x": sender})
        out = await workflow.send(desk, ADA, conv_id, "Sorry Maria, we're rebooking you now.", "key-0003",
                                  now=utcnow())
    finally:
        await sender.close()
    assert out.reply is not None and out.reply.state.value == "sent"
    demo_world.advance_to(demo_world.by_id[out.reply.platform_id or ""].at)  # a live post shows after the script
    await poll_and_route(store, settings)  # the search returns our reply (from:SkylarkAir)
    states = store.read_sync(lambda db: db.conn.execute("SELECT state FROM brand_posts WHERE platform_id = ?",
                                                        (out.reply.platform_id,)).fetchall())  # type: ignore[union-attr]
    assert states == [("ours",)]
    outside = store.read_sync(lambda db: outside_posts(db, conv_id))
    assert out.reply.platform_id not in {p["platform_id"] for p in outside}


async def test_an_unrelated_brand_post_stays_out(demo_world: World, sim: Simulator, store: Store,
                                                 tmp_path: Path) -> None:
    from platforms.simulator.world import SimPost
    from responder.outside import WAIT_FOR_THREAD, place_brand_posts

    settings = demo_settings(tmp_path, sim.base_url)
    stranger = demo_world.user("x", "maria_travels")
    brand = demo_world.user("x", "SkylarkAir")
    demo_world.add_posts([
        SimPost(ref="u1", at=1, platform="x", user=stranger, text="lovely sunset over the runway tonight"),
        SimPost(ref="u2", at=2, platform="x", user=brand, text="@maria_travels Gorgeous! ^SK", reply_to="u1"),
    ])
    publish(demo_world, "u2")  # the brand's own announcement s40 (a top-level post, at 0) is visible too
    await poll_and_route(store, settings)
    own = store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM mentions WHERE author_key = 'x:900001'").fetchone()[0])
    assert own == 0  # neither the announcement nor the reply is a customer mention
    waiting = store.read_sync(lambda db: db.conn.execute(
        "SELECT platform_id, state FROM brand_posts").fetchall())
    assert waiting == [(demo_world.by_ref["u2"].id, "waiting")]  # its thread is not one we track
    later = utcnow() + WAIT_FOR_THREAD + timedelta(minutes=1)
    assert await store.write(lambda db: place_brand_posts(db, now=later)) == 0
    assert store.read_sync(lambda db: db.conn.execute("SELECT state FROM brand_posts").fetchall()) == [("ignored",)]


def test_every_demo_reply_and_retweet_points_at_a_post_on_its_own_platform(demo_world: World) -> None:
    """The demo used the refs b01-b10 for Brightwave's X thread and again for Bluesky posts; the later
    took the name, so Kieran's X follow-up ("4 hours later and still nothing") was threaded under a Bluesky
    post and two retweets copied a Bluesky post. Refs are unique now, and the simulator refuses a repeat."""
    for post in demo_world.posts:
        for ref in (post.reply_to, post.retweet_of):
            if ref:
                assert demo_world.by_ref[ref].platform == post.platform, (post.ref, ref)
    follow_up = next(p for p in demo_world.posts if p.text.startswith("@BrightwaveHelp 4 hours later"))
    first = demo_world.by_ref[follow_up.reply_to or ""]
    assert (first.platform, first.user.username, follow_up.conversation_id) == ("x", "grumpy_gamer99", first.id)
    twin = dataclasses.replace(demo_world.by_ref["b01"], platform="bluesky")
    with pytest.raises(ValueError, match="'b01' is used twice"):
        demo_world.add_posts([twin])


async def test_undoing_a_close_keeps_a_reply_withdrawn_when_the_brand_answered_meanwhile(
        demo_world: World, sim: Simulator, store: Store, tmp_path: Path) -> None:
    """The held reply was withdrawn by the resolve; the brand answered from the platform's app while the
    conversation was resolved; the undo put the reply back and a lead's approval posted a second answer."""
    settings, conv_id, desk, held = await _held_reply(demo_world, sim, store, tmp_path, "key-0009")
    assert held.reply is not None
    await workflow.change_status(desk, ADA, conv_id, Action.RESOLVE, now=utcnow())
    publish(demo_world, "s02")  # the brand's answer from its own app
    await poll_and_route(store, settings)
    out = await workflow.undo(desk, ADA, conv_id, now=utcnow())
    assert out.message.endswith("1 stays withdrawn: the customer's message was answered meanwhile.")
    assert (out.restored, out.kept_withdrawn) == (0, 1)  # what the page's words are made of
    reply = store.read_sync(lambda db: load_reply(db, held.reply.id))  # type: ignore[union-attr]
    assert reply.state.value == "superseded"
