"""The brand's posts that go on from its own (a thread's "2/2", a megathread update) answer nobody, and Reddit's
deleted accounts are not one customer. Real tweepy and asyncpraw pollers against the simulator.

Found by the ingest audit of 2026-12-07: a brand's self-reply on X, and its update comment under its own Reddit
megathread, were stored as outside answers and stopped the SLA clock of the customer in that thread (the
conversation went to pending and replies waiting to go were superseded); two posts by deleted Reddit accounts
became one customer whose "earlier contacts" showed a stranger's refund case.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import platforms.reddit.simulator as reddit_simulator
from careline.app.service import point_sources_at
from careline.domain import Role, utcnow
from careline.settings import Settings, XSourceSettings
from careline.store import Store
from careline.store.conversations import load_reply
from careline.views import author_history
from platforms.simulator.server import Simulator
from platforms.simulator.world import Fault, World, load_scenario_data
from platforms.x.reply import XReplySender
from responder import workflow
from responder.workflow import Actor, Desk
from tests.conftest import BRAND
from tests.helpers.scenarios import REDDIT_BRAND, make_source, poll_and_route

X_USERS = [{"id": "1001", "username": "maria", "name": "Maria"},
           {"id": "900001", "username": "SkylarkAir", "name": "Skylark Air"}]
REDDIT_USERS = [{"id": "r1", "username": "redditor1", "platform": "reddit"},
                {"id": "r2", "username": "redditor2", "platform": "reddit"},
                {"id": "r900", "username": "SkylarkCare", "platform": "reddit"}]


def reddit_post(ref: str, at: int, user: str, text: str, *, reply_to: str | None = None, title: str = "",
                subreddit: str = "skylarkair") -> dict[str, Any]:
    post = {"ref": ref, "at": at, "platform": "reddit", "kind": "comment" if reply_to else "submission",
            "subreddit": subreddit, "user": user, "text": text}
    return {**post, "reply_to": reply_to} if reply_to else {**post, "title": title}


@pytest.fixture
def posts() -> list[dict[str, Any]]:
    return []


@pytest.fixture
async def sim(posts: list[dict[str, Any]]) -> AsyncIterator[tuple[World, Simulator]]:
    world = load_scenario_data({"brands": {}, "users": X_USERS + REDDIT_USERS, "posts": posts}, World(manual=True))
    server = Simulator(world)
    await server.start()
    yield world, server
    await server.stop()


def settings_for(sim: Simulator, tmp_path: Path, *, reddit: bool) -> Settings:
    settings = Settings(brands=[REDDIT_BRAND if reddit else BRAND])
    s = settings.sources
    if reddit:
        settings = dataclasses.replace(settings, sources=dataclasses.replace(
            s, reddit=dataclasses.replace(s.reddit, enabled=True)))
    settings = dataclasses.replace(settings, service=dataclasses.replace(settings.service,
                                                                         database=str(tmp_path / "c.db")))
    return point_sources_at(settings, sim.base_url)


async def poll_twice(source_name: str, sim: Simulator, store: Store, settings: Settings, *,
                     until: str | None = None) -> None:
    """Two polls and pipeline steps, with every post up to ``until`` (all when None) published: the second step
    places the brand posts the first stored."""
    world = sim.world
    world.advance_to(world.by_ref[until].at) if until else world.publish_all()
    for _ in range(2):
        await poll_and_route(make_source(source_name, sim.base_url), store, settings)


def conversation_states(store: Store) -> list[tuple[str, str | None]]:
    return store.read_sync(lambda db: db.conn.execute(
        "SELECT status, first_responded_at FROM conversations ORDER BY id").fetchall())


def outside_answers(store: Store) -> list[bool]:
    return store.read_sync(lambda db: [bool(r[0]) for r in db.conn.execute(
        "SELECT json_extract(data, '$.answers') FROM events WHERE kind = 'reply.outside' ORDER BY id")])


@pytest.mark.parametrize("posts", [[
    {"ref": "own1", "at": 1, "user": "SkylarkAir", "text": "Storms at LHR: some flights delayed today (1/2)"},
    {"ref": "cust", "at": 2, "user": "maria", "reply_to": "own1",
     "text": "@SkylarkAir my flight SK12 was cancelled and nobody answers, I need a refund now"},
    {"ref": "own2", "at": 3, "user": "SkylarkAir", "reply_to": "own1",
     "text": "(2/2) Check the Skylark Air app for rebooking options."},
]])
async def test_an_x_self_reply_answers_nobody(sim: tuple[World, Simulator], store: Store, tmp_path: Path) -> None:
    _, server = sim
    await poll_twice("x-search", server, store, settings_for(server, tmp_path, reddit=False))
    assert conversation_states(store) == [("new", None)]
    assert store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM brand_posts").fetchone()[0]) == 0


@pytest.mark.parametrize("posts", [[
    {"ref": "cust", "at": 1, "user": "maria", "text": "@SkylarkAir my bag never arrived at LHR"},
    {"ref": "ans", "at": 2, "user": "SkylarkAir", "reply_to": "cust", "text": "@maria sorry Maria, DM us the tag"},
]])
async def test_an_x_answer_to_the_customer_still_counts(sim: tuple[World, Simulator], store: Store,
                                                        tmp_path: Path) -> None:
    _, server = sim
    await poll_twice("x-search", server, store, settings_for(server, tmp_path, reddit=False))
    [(status, responded)] = conversation_states(store)
    assert status == "pending" and responded is not None and outside_answers(store) == [True]


@pytest.mark.parametrize("posts", [[
    reddit_post("mega", 1, "SkylarkCare", "Post your questions here.", title="Megathread: storm delays"),
    reddit_post("cust", 2, "redditor1", "My flight SK12 was cancelled and I need a refund, nobody answers",
                reply_to="mega"),
    reddit_post("upd", 3, "SkylarkCare", "Update 14:00: runways reopened.", reply_to="mega"),
]])
async def test_a_megathread_update_answers_nobody(sim: tuple[World, Simulator], store: Store,
                                                  tmp_path: Path) -> None:
    _, server = sim
    await poll_twice("reddit-subreddit", server, store, settings_for(server, tmp_path, reddit=True))
    assert conversation_states(store) == [("new", None)] and outside_answers(store) == []


@pytest.mark.parametrize("posts", [[
    reddit_post("sub", 1, "redditor1", "Refund for SK12 never arrived", title="Refund for SK12 never arrived"),
    reddit_post("ans", 2, "SkylarkCare", "Sorry! Send us a DM with the booking code.", reply_to="sub"),
    reddit_post("again", 3, "redditor1", "Sent it two days ago and still nothing", reply_to="ans"),
    reddit_post("more", 4, "SkylarkCare", "Edit: our DMs are slow today, sorry.", reply_to="ans"),
]])
async def test_a_brand_comment_under_its_own_comment_answers_nothing_new(
        sim: tuple[World, Simulator], store: Store, tmp_path: Path) -> None:
    """The brand's first comment answers the customer; its second goes on from its own, written after the
    customer wrote again: shown in the thread, but the customer's new message is still unanswered."""
    _, server = sim
    settings = settings_for(server, tmp_path, reddit=True)
    await poll_twice("reddit-subreddit", server, store, settings, until="ans")
    await poll_twice("reddit-subreddit", server, store, settings)
    assert outside_answers(store) == [True, False]
    [(status, _)] = conversation_states(store)
    assert status != "pending"
    shown = store.read_sync(lambda db: db.conn.execute(
        "SELECT state, text FROM brand_posts ORDER BY created_at").fetchall())
    assert [s for s, _ in shown] == ["outside", "outside"]


@pytest.mark.parametrize("posts", [[
    reddit_post("a", 1, "redditor1", "Booking ABC123, card ending 4242", title="Refund for SK12 never arrived"),
    reddit_post("b", 2, "redditor2", "Bag tag LH998877", title="Lost bag at LHR"),
]])
async def test_deleted_reddit_accounts_are_not_one_customer(sim: tuple[World, Simulator], store: Store,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reddit sends ``"author": "[deleted]"`` (or null) and no ``author_fullname`` once an account is gone."""
    real = reddit_simulator.thing_json

    def gone(world: World, post: Any) -> dict[str, Any]:
        thing = real(world, post)
        if post.user.username in ("redditor1", "redditor2"):
            thing["data"]["author"] = "[deleted]" if post.user.username == "redditor1" else None
            thing["data"].pop("author_fullname", None)
        return thing

    monkeypatch.setattr(reddit_simulator, "thing_json", gone)
    _, server = sim
    await poll_twice("reddit-subreddit", server, store, settings_for(server, tmp_path, reddit=True))
    authors = store.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT author_key FROM conversations ORDER BY id")])
    assert len(authors) == 2 and len(set(authors)) == 2
    for conv_id, author in enumerate(authors, start=1):
        history = store.read_sync(lambda db, a=author, c=conv_id: author_history(db, a, exclude=c))
        assert history["conversations"] == []


@pytest.mark.parametrize("posts", [[
    {"ref": "cust", "at": 1, "user": "maria", "text": "@SkylarkAir my flight SK12 was cancelled, I need a refund"},
]])
async def test_our_reply_whose_answer_was_lost_is_settled_as_sent_when_the_listener_reads_it(
        sim: tuple[World, Simulator], store: Store, tmp_path: Path) -> None:
    """The sending audit: X published the reply and the answer was lost (a 503), so the reply failed with an
    unknown outcome; the listener then read the post, took it for an answer made outside Careline, and superseded
    the very reply it was: "not posted" beside its own copy, and Retry refused. It is settled as sent instead."""
    world, server = sim
    settings = settings_for(server, tmp_path, reddit=False)
    await poll_twice("x-search", server, store, settings)
    [conv_id] = store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT id FROM conversations")])
    sender = XReplySender(XSourceSettings(api_base_url=server.base_url, bearer_token="t"), handle="SkylarkAir",
                          bearer_token="SkylarkAir")
    await sender.start()
    world.inject("create", Fault("lost_answer"))
    try:
        out = await workflow.send(Desk(store, settings, {"x": sender}), Actor("ada", Role.AGENT), conv_id,
                                  "Sorry Maria, we're rebooking you now.", "key-lost-1", now=utcnow())
    finally:
        await sender.close()
    assert out.reply is not None and out.reply.state.value == "failed"
    assert (out.reply.error or "").startswith("outcome unknown")
    [posted] = [p for p in world.posts if p.text == "Sorry Maria, we're rebooking you now."]
    await poll_twice("x-search", server, store, settings)  # the search returns the post
    reply = store.read_sync(lambda db: load_reply(db, out.reply.id))  # type: ignore[union-attr]
    assert reply.state.value == "sent" and reply.platform_id == posted.id
    placed = store.read_sync(lambda db: db.conn.execute("SELECT state FROM brand_posts").fetchall())
    assert placed == [("ours",)] and outside_answers(store) == []
    assert conversation_states(store)[0][0] == "pending"
    kinds = store.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT kind FROM events WHERE kind LIKE 'reply.%' ORDER BY id")])
    assert kinds == ["reply.created", "reply.sending", "reply.failed", "reply.sent"]
