"""Bluesky and Mastodon beyond the shared contract: logins, rate windows, thread references, visibility.

Real atproto and Mastodon.py clients against the loopback simulator, real SQLite, the real workflow.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from careline.app.service import point_sources_at
from careline.app.web.agent import load_detail
from careline.domain import ReplyState, utcnow
from careline.errors import Conflict, PermanentSourceError, RateLimited
from careline.settings import BlueskySourceSettings, MastodonSourceSettings, Settings
from careline.store import Store
from listener.poller import Poller
from platforms.bluesky.reply import BlueskyReplySender
from platforms.mastodon.reply import MastodonReplySender
from platforms.registry import build_senders
from platforms.simulator.server import Simulator
from platforms.simulator.world import Fault, SimPost, World, load_scenario_data
from responder import surveys, workflow
from responder.textlimits import check_length
from responder.workflow import Actor, Desk
from tests.helpers.scenarios import APP_PASSWORD, SKY, brand_for, fediverse_users, make_source, poll_and_route


def thread_scenario() -> dict[str, Any]:
    """On each platform: a customer's post, the brand's answer, the customer's follow-up (a reply to it)."""
    posts = [
        {"ref": "b1", "at": 1, "platform": "bluesky", "user": "flyer1.bsky.social", "text": f"@{SKY} my bag is lost"},
        {"ref": "b2", "at": 2, "platform": "bluesky", "user": SKY, "reply_to": "b1", "text": "Sorry! Please DM us."},
        {"ref": "b3", "at": 3, "platform": "bluesky", "user": "flyer1.bsky.social", "reply_to": "b2",
         "text": "done, still no answer", "lang": "de"},
        {"ref": "m1", "at": 1, "platform": "mastodon", "user": "fan1@other.social", "visibility": "direct",
         "text": "@SkylarkAir@sim.social I was charged twice"},
        {"ref": "m2", "at": 2, "platform": "mastodon", "user": "traveller2", "text": "Lovely crew today #SkylarkAir"},
    ]
    return {"brands": {}, "users": fediverse_users(), "posts": posts}


@contextlib.asynccontextmanager
async def started_senders(settings: Settings) -> AsyncIterator[dict[str, Any]]:
    """The reply senders the wiring builds for ``settings``, started, and closed afterwards."""
    senders = build_senders(settings, environ={})
    for sender in senders.values():
        await sender.start()
    try:
        yield senders
    finally:
        for sender in senders.values():
            await sender.close()


@pytest.fixture
def world() -> World:
    w = load_scenario_data(thread_scenario(), World(manual=True))
    w.publish_all()
    return w


@pytest.fixture
async def sky_sender(simulator: Simulator) -> AsyncIterator[BlueskyReplySender]:
    sender = BlueskyReplySender(BlueskySourceSettings(service_url=simulator.base_url), handle=SKY,
                                password=APP_PASSWORD, timeout=5)
    await sender.start()
    yield sender
    await sender.close()


@pytest.fixture
async def masto_sender(simulator: Simulator) -> AsyncIterator[MastodonReplySender]:
    sender = MastodonReplySender(MastodonSourceSettings(), base_url=simulator.base_url, token="SkylarkAir",
                                 timeout=5)
    await sender.start()
    yield sender
    await sender.close()


async def test_bluesky_reply_names_the_thread_root_and_the_post_answered(
        world: World, sky_sender: BlueskyReplySender) -> None:
    follow_up, root = world.by_ref["b3"], world.by_ref["b1"]
    uri = await sky_sender.post("Thanks, we're on it.", follow_up.id)
    created = world.by_id[uri]
    assert created.user.username == SKY and created.parent_id == follow_up.id
    assert created.conversation_id == root.id  # the simulator refuses a root that is not the thread's
    assert created.lang == "de"  # the language of the post answered, not the SDK's default "en"
    assert await sky_sender.find("Thanks, we're on it.", follow_up.id) == uri
    assert await sky_sender.find("something else", follow_up.id) is None


async def test_bluesky_login_refuses_a_main_password_and_names_the_variable(
        simulator: Simulator, store: Store) -> None:
    source = make_source("bluesky-mentions", simulator.base_url)
    source.password = "my-main-password"  # type: ignore[attr-defined]
    await source.start()
    try:
        with pytest.raises(PermanentSourceError, match="CARELINE_BLUESKY_APP_PASSWORD_SKYLARK"):
            await source.fetch(None)
        result = await Poller(source, store).run_once()
    finally:
        await source.close()
    assert result.status == "degraded" and "app password" in (result.error or "")


async def test_bluesky_stops_before_a_request_the_rate_window_would_refuse(
        world: World, simulator: Simulator) -> None:
    simulator.bluesky.window_limit = 3  # login, then two requests: the second leaves 0 remaining
    source = make_source("bluesky-mentions", simulator.base_url)
    await source.start()
    try:
        page = await source.fetch(None)
        await source.fetch(page.cursor)
        before = len(simulator.bluesky.window)
        with pytest.raises(RateLimited) as err:
            await source.fetch(None)
    finally:
        await source.close()
    assert len(simulator.bluesky.window) == before  # nothing was sent
    assert 0 < (err.value.retry_after or 0) <= 300


async def test_mastodon_answers_a_direct_mention_directly_and_mentions_its_author(
        world: World, simulator: Simulator, masto_sender: MastodonReplySender) -> None:
    direct, public = world.by_ref["m1"], world.by_ref["m2"]
    sid = await masto_sender.post("Sorry about that, we'll refund the second charge.", direct.id)
    reply = world.by_id[sid]
    assert reply.parent_id == direct.id and reply.visibility == "direct"
    assert reply.text.startswith("@fan1@other.social ")  # a direct post reaches only who it mentions
    again = await masto_sender.post("Thank you!", public.id)
    assert world.by_id[again].visibility == "public" and world.by_id[again].text == "@traveller2 Thank you!"
    assert await masto_sender.find("Thank you!", public.id) == again


async def test_mastodon_idempotency_key_makes_a_repeated_post_one_post(
        world: World, masto_sender: MastodonReplySender) -> None:
    target = world.by_ref["m2"]
    count = len(world.posts)
    first = await masto_sender.post("Thank you!", target.id)
    second = await masto_sender.post("Thank you!", target.id)  # a retry after an unknown outcome
    assert first == second and len(world.posts) == count + 1


async def test_mastodon_limit_comes_from_the_instance_info(simulator: Simulator) -> None:
    simulator.mastodon.max_characters = 1000
    sender = MastodonReplySender(MastodonSourceSettings(), base_url=simulator.base_url, token="SkylarkAir")
    await sender.start()
    try:
        assert sender.max_length == 1000
    finally:
        await sender.close()


async def test_the_servers_own_limit_reaches_the_editor_and_the_send_check(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """A server that allows 1,000 characters: a 700-character reply is counted against 1,000 in the
    suggested draft and goes out; a server that announces nothing keeps the 500 rule and refuses it."""
    simulator.mastodon.max_characters = 1000
    settings, conv_id = await _queued_conversation("mastodon", world, simulator, store, tmp_path)
    long_text = "We're sorry about the double charge. " * 19  # 703 characters
    async with started_senders(settings) as senders:
        desk = Desk(store, settings, senders)
        assert desk.length_limits == {"mastodon:skylark": 1000}
        detail = await load_detail(store, settings, conv_id, utcnow(), limits=desk.length_limits)
        assert detail["limit"] == 1000 and detail["draft"]["limit"] == 1000
        refused = Desk(store, settings, {})  # no announced limit: the platform's fixed rule
        with pytest.raises(Conflict, match="mastodon allows 500"):
            await workflow.send(refused, Actor("ada"), conv_id, long_text, "key-long-0", now=utcnow())
        out = await workflow.send(desk, Actor("ada"), conv_id, long_text, "key-long-1", now=utcnow())
    assert out.reply is not None and out.reply.state is ReplyState.SENT, out.message
    assert long_text.strip() in world.by_id[str(out.reply.platform_id)].text


async def test_a_mastodon_reply_is_checked_with_the_mention_its_sender_adds(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """The sender puts ``@fan1@other.social`` in front (counted as ``@fan1 ``): a reply of 500 is refused by
    our check, with the reason, before anything is posted; one of 494 goes out at exactly 500."""
    settings, conv_id = await _queued_conversation("mastodon", world, simulator, store, tmp_path)
    async with started_senders(settings) as senders:
        desk = Desk(store, settings, senders)
        before = len(world.posts)
        with pytest.raises(Conflict, match="the reply is 506 characters; mastodon allows 500"):
            await workflow.send(desk, Actor("ada"), conv_id, "a" * 500, "key-at-limit-0", now=utcnow())
        assert len(world.posts) == before  # refused here, not by the server after approval
        out = await workflow.send(desk, Actor("ada"), conv_id, "a" * 494, "key-at-limit-1", now=utcnow())
    assert out.reply is not None and out.reply.state is ReplyState.SENT, out.message
    assert world.by_id[str(out.reply.platform_id)].text == "@fan1@other.social " + "a" * 494


async def test_the_survey_link_counts_the_mastodon_mention_too(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """A closing reply that fits with the link only without the sender's mention keeps the link out (the
    agent is told) instead of failing at the server after the conversation was closed."""
    settings, conv_id = await _queued_conversation("mastodon", world, simulator, store, tmp_path)
    settings = _survey_settings(settings, in_reply=True)
    link = f"\n\n{surveys.REPLY_PROMPT} https://care.example/s/{'t' * 43}"  # a token is 43 characters
    text = "b" * (500 - check_length("mastodon", link).length)  # 500 with the link, 506 with the mention
    async with started_senders(settings) as senders:
        out = await workflow.send(Desk(store, settings, senders), Actor("ada"), conv_id, text, "key-close-at-limit",
                                  now=utcnow(), resolve=True)
    assert out.reply is not None and out.reply.state is ReplyState.SENT, out.message
    assert "did not fit" in out.message and out.conversation.status.value == "resolved"
    assert world.by_id[str(out.reply.platform_id)].text == "@fan1@other.social " + text


FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # one grapheme, 25 UTF-8 bytes


@pytest.mark.parametrize(("fits", "over"), [
    ("a" * 300, "a" * 301),
    (FAMILY * 120, FAMILY * 121),  # 3,000 bytes fit; 3,025 do not, though only 121 graphemes
])
async def test_the_bluesky_simulator_refuses_what_bluesky_refuses(
        fits: str, over: str, world: World, sky_sender: BlueskyReplySender) -> None:
    parent = world.by_ref["b3"].id
    assert check_length("bluesky", fits).ok and not check_length("bluesky", over).ok
    assert world.by_id[await sky_sender.post(fits, parent)].text == fits
    count = len(world.posts)
    with pytest.raises(PermanentSourceError, match=r"400 InvalidRequest Invalid app\.bsky\.feed\.post record"):
        await sky_sender.post(over, parent)
    assert len(world.posts) == count


@pytest.mark.parametrize(("fits", "over"), [
    ("a" * 494, "a" * 495),  # with "@fan1@other.social " in front, counted as "@fan1 "
    (FAMILY * 494, FAMILY * 495),  # graphemes, not code points
    ("https://example.com/" + "a" * 200 + " " + "a" * 470, "https://example.com/" + "a" * 200 + " " + "a" * 471),
])
async def test_the_mastodon_simulator_refuses_what_mastodon_refuses(
        fits: str, over: str, world: World, masto_sender: MastodonReplySender) -> None:
    parent, author = world.by_ref["m1"].id, "fan1@other.social"
    assert check_length("mastodon", fits, author=author).length == 500
    assert world.by_id[await masto_sender.post(fits, parent)].text == f"@{author} {fits}"
    count = len(world.posts)
    with pytest.raises(PermanentSourceError, match="422: Validation failed: Text character limit of 500 exceeded"):
        await masto_sender.post(over, parent)
    assert len(world.posts) == count


async def test_mastodon_429_waits_for_the_reset_header(world: World, simulator: Simulator) -> None:
    world.inject("mastodon-notifications", Fault("429", seconds=120))
    source = make_source("mastodon-mentions", simulator.base_url)
    await source.start()
    try:
        with pytest.raises(RateLimited) as err:
            await source.fetch(None)
    finally:
        await source.close()
    assert 100 < (err.value.retry_after or 0) <= 121


@pytest.mark.parametrize(("platform", "customer_ref"), [("bluesky", "b3"), ("mastodon", "m1")])
async def test_a_reply_sent_from_the_queue_lands_in_the_simulators_thread(
        platform: str, customer_ref: str, world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """The 'done when' of the issue: poll, classify, route, send through the workflow with the senders the
    wiring builds, and the post appears on the platform as a reply to the customer's latest post."""
    settings, conv_id = await _queued_conversation(platform, world, simulator, store, tmp_path)
    async with started_senders(settings) as senders:
        out = await workflow.send(Desk(store, settings, senders), Actor("ada"), conv_id,
                                  "We're sorry, a teammate is on it.", "key-1", now=utcnow())
    assert out.reply is not None and out.reply.state is ReplyState.SENT, out.message
    posted = world.by_id[str(out.reply.platform_id)]
    assert posted.parent_id == world.by_ref[customer_ref].id
    assert posted.platform == platform and posted.user.username in (SKY, "SkylarkAir")
    assert "We're sorry, a teammate is on it." in posted.text
    # our reply comes back through the account's own feed: recognised as ours, the conversation stays pending
    await poll_and_route(make_source(f"{platform}-mentions", simulator.base_url), store, settings)
    state, status = store.read_sync(lambda db: db.conn.execute(
        "SELECT b.state, c.status FROM brand_posts b JOIN conversations c ON c.id = ? WHERE b.platform_id = ?",
        (conv_id, posted.id)).fetchone())
    assert (state, status) == ("ours", "pending")


async def test_a_brand_reply_written_in_the_bluesky_app_answers_the_thread(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """As on X: the brand's reply from outside Careline is shown in the thread and stops the clock."""
    settings, conv_id = await _queued_conversation("bluesky", world, simulator, store, tmp_path)
    world.add_posts([SimPost(ref="b4", at=4, platform="bluesky", user=world.user("bluesky", SKY),
                             reply_to="b3", text="We've found your bag, it arrives tonight.")])
    world.publish_all()
    await poll_and_route(make_source("bluesky-mentions", simulator.base_url), store, settings)
    placed = store.read_sync(lambda db: db.conn.execute(
        "SELECT b.state, c.status, c.id FROM brand_posts b JOIN conversations c ON c.id = b.conversation_id "
        "WHERE b.platform_id = ?", (world.by_ref["b4"].id,)).fetchone())
    assert tuple(placed) == ("outside", "pending", conv_id)
    assert store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM mentions WHERE platform_id = ?", (world.by_ref["b4"].id,)).fetchone()[0]) == 0


async def _queued_conversation(platform: str, world: World, simulator: Simulator, store: Store,
                               tmp_path: Path) -> tuple[Settings, int]:
    """Settings pointed at the simulator, and the conversation the platform's mentions source queued."""
    settings = Settings(brands=[brand_for(simulator.base_url)])
    sources = dataclasses.replace(settings.sources, x=dataclasses.replace(settings.sources.x, enabled=False),
                                  bluesky=dataclasses.replace(settings.sources.bluesky, enabled=True),
                                  mastodon=dataclasses.replace(settings.sources.mastodon, enabled=True))
    settings = dataclasses.replace(settings, sources=sources,
                                   simulator=dataclasses.replace(settings.simulator, enabled=True),
                                   service=dataclasses.replace(settings.service, database=str(tmp_path / "c.db")))
    settings = point_sources_at(settings, simulator.base_url)
    await poll_and_route(make_source(f"{platform}-mentions", simulator.base_url), store, settings)
    conv_id = store.read_sync(lambda db: db.conn.execute(
        "SELECT id FROM conversations WHERE platform = ?", (platform,)).fetchone()[0])
    return settings, conv_id


@pytest.mark.parametrize("platform", ["bluesky", "mastodon"])
async def test_two_agents_and_the_scheduler_at_once_post_one_reply(
        platform: str, world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    settings, conv_id = await _queued_conversation(platform, world, simulator, store, tmp_path)
    async with started_senders(settings) as senders:
        desk = Desk(store, settings, senders)
        before = len(world.posts)
        outcomes = await asyncio.gather(
            workflow.send(desk, Actor("ada"), conv_id, "Sorry! A teammate is on it.", "ada-1", now=utcnow()),
            workflow.send(desk, Actor("bo"), conv_id, "We're looking into it now.", "bo-1", now=utcnow()),
            workflow.send_due(desk, now=utcnow()), return_exceptions=True)
    sent = [o for o in outcomes[:2] if not isinstance(o, BaseException) and o.reply is not None
            and o.reply.state is ReplyState.SENT]
    refused = [o for o in outcomes[:2] if isinstance(o, BaseException)]
    assert len(sent) == 1 and len(refused) == 1, outcomes  # the second agent is told someone holds it
    ours = [p for p in world.posts[before:] if p.platform == platform]
    assert len(ours) == 1 and ours[0].id == sent[0].reply.platform_id  # type: ignore[union-attr]


async def test_a_backfill_beside_the_live_poller_doubles_nothing(world: World, simulator: Simulator,
                                                                 store: Store) -> None:
    """``careline backfill`` may run while the service polls the same source: one row per post."""
    from datetime import timedelta

    from listener.backfill import backfill_source

    live, past = make_source("mastodon-mentions", simulator.base_url), make_source("mastodon-mentions",
                                                                                    simulator.base_url)
    for s in (live, past):
        await s.start()
    try:
        await asyncio.gather(Poller(live, store).run_once(),
                             backfill_source(past, store, utcnow() - timedelta(days=2)))
    finally:
        for s in (live, past):
            await s.close()
    keys = store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT key FROM mentions")])
    assert len(keys) == len(set(keys)) == 1 and keys == [f"mastodon:{world.by_ref['m1'].id}"]


def _survey_settings(settings: Settings, *, in_reply: bool, public_url: str = "https://care.example") -> Settings:
    brands = [dataclasses.replace(b, survey_in_reply=in_reply) for b in settings.brands]
    return dataclasses.replace(settings, brands=brands,
                               responder=dataclasses.replace(settings.responder, survey="csat", public_url=public_url))


@pytest.mark.parametrize(("platform", "customer_ref"), [("bluesky", "b3"), ("mastodon", "m1")])
async def test_send_and_resolve_carries_the_survey_link_in_the_closing_reply(
        platform: str, customer_ref: str, world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """The brand asks for it: the posted reply ends with the absolute survey link, the conversation is
    resolved, and resolving made no second survey (the link in the reply is the one on the page)."""
    settings, conv_id = await _queued_conversation(platform, world, simulator, store, tmp_path)
    settings = _survey_settings(settings, in_reply=True)
    async with started_senders(settings) as senders:
        out = await workflow.send(Desk(store, settings, senders), Actor("ada"), conv_id, "Refund is on its way.",
                                  "key-close-1", now=utcnow(), resolve=True)
    assert out.reply is not None and out.reply.state is ReplyState.SENT, out.message
    assert out.conversation.status.value == "resolved" and "survey link went with the reply" in out.message
    tokens = store.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT token FROM surveys WHERE conversation_id = ?", (conv_id,))])
    assert len(tokens) == 1 and out.survey_url == f"/s/{tokens[0]}"
    posted = world.by_id[str(out.reply.platform_id)]
    assert posted.parent_id == world.by_ref[customer_ref].id
    assert posted.text.rstrip().endswith(f"https://care.example/s/{tokens[0]}")


async def test_send_and_resolve_without_the_brand_setting_or_room_keeps_the_text(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """No ``survey_in_reply``: the reply is posted as written and the conversation still resolves. With the
    setting but a reply already near Bluesky's 300 graphemes, the link is left out and the agent is told."""
    settings, conv_id = await _queued_conversation("bluesky", world, simulator, store, tmp_path)
    async with started_senders(settings) as senders:
        plain_out = await workflow.send(Desk(store, _survey_settings(settings, in_reply=False), senders),
                                        Actor("ada"), conv_id, "Sorted, thanks for your patience.",
                                        "key-close-2", now=utcnow(), resolve=True)
        assert plain_out.conversation.status.value == "resolved"
        assert plain_out.reply is not None
        assert "/s/" not in world.by_id[str(plain_out.reply.platform_id)].text
        await workflow.change_status(Desk(store, settings, senders), Actor("ada"), conv_id,
                                     workflow.Action.REOPEN, now=utcnow())
        long_text = "Thank you for bearing with us while we sorted the bag. " * 5  # 280 graphemes
        full = await workflow.send(Desk(store, _survey_settings(settings, in_reply=True), senders), Actor("ada"),
                                   conv_id, long_text, "key-close-3", now=utcnow(), resolve=True, another=True)
    assert full.reply is not None and full.reply.state is ReplyState.SENT
    assert "did not fit" in full.message and full.conversation.status.value == "resolved"
    assert "/s/" not in world.by_id[str(full.reply.platform_id)].text


async def test_without_a_public_url_the_survey_link_stays_out_of_the_reply(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """``survey_in_reply`` with no ``responder.public_url``: the reply goes out as written (no link to this
    server's own address), the conversation resolves, and the agent is told why."""
    settings, conv_id = await _queued_conversation("bluesky", world, simulator, store, tmp_path)
    settings = _survey_settings(settings, in_reply=True, public_url="")
    async with started_senders(settings) as senders:
        out = await workflow.send(Desk(store, settings, senders), Actor("ada"), conv_id, "Refund is on its way.",
                                  "key-close-no-public", now=utcnow(), resolve=True)
    assert out.reply is not None and out.reply.state is ReplyState.SENT, out.message
    assert world.by_id[str(out.reply.platform_id)].text == "Refund is on its way."
    assert out.conversation.status.value == "resolved" and "responder.public_url is not set" in out.message


async def test_a_closing_reply_held_for_approval_does_not_resolve(
        world: World, simulator: Simulator, store: Store, tmp_path: Path) -> None:
    """A reply a lead must approve is not posted yet, so the conversation stays open and the agent is told."""
    settings, conv_id = await _queued_conversation("mastodon", world, simulator, store, tmp_path)
    settings = _survey_settings(settings, in_reply=True)
    settings = dataclasses.replace(settings, responder=dataclasses.replace(settings.responder,
                                                                            approval_agents=["ada"]))
    out = await workflow.send(Desk(store, settings, {}), Actor("ada"), conv_id, "All fixed now.", "key-close-4",
                              now=utcnow(), resolve=True)
    assert out.reply is not None and out.reply.state is ReplyState.AWAITING_APPROVAL
    assert out.conversation.status.value != "resolved" and "Not resolved" in out.message


async def test_a_mastodon_server_that_does_not_answer_starts_its_sender_all_the_same(
        caplog: pytest.LogCaptureFixture) -> None:
    """A brand's server that was down (or a typo'd address) made Mastodon.py's version probe and check call each
    other until a RecursionError, some 1,940 requests later: the settings rebuild failed, and the old senders
    stayed. The version is given now, never probed; the start says what it could not read and goes on."""
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sender = MastodonReplySender(MastodonSourceSettings(), base_url=f"http://127.0.0.1:{port}", token="t")
    try:
        await sender.start()
    finally:
        await sender.close()
    assert any("instance info unavailable" in r.getMessage() for r in caplog.records)
