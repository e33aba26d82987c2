"""The walking skeleton end to end: simulator -> tweepy -> store -> classifier -> queue -> web page."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from careline.app.pipeline import Pipeline
from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.settings import Settings, SLAPolicySettings, SLASettings
from careline.store import Store
from careline.views import queue_rows
from classifiers.lexicon import LexiconClassifier
from listener.poller import Poller
from platforms.simulator.world import SimPost, World
from platforms.x.read import XSearchSource
from tests.conftest import BRAND

SLA = SLASettings(policies=[SLAPolicySettings(name="fast", first_response_minutes=30)])


def settings_for(tmp_path: Path) -> Settings:
    s = Settings(brands=[BRAND], sla=SLA)
    return dataclasses.replace(s, service=dataclasses.replace(s.service, database=str(tmp_path / "c.db")))


async def test_mention_flows_from_simulator_to_the_queue_page(world: World, store: Store, x_settings,
                                                               tmp_path: Path) -> None:
    hostile = SimPost(ref="evil", at=0.5, platform="x", user=world.user("x", "user3"),
                      text='@SkylarkAir <script>alert("x")</script> my bag is lost')
    world.add_posts([hostile])
    world.publish_all()
    settings = settings_for(tmp_path)
    source = XSearchSource(BRAND, x_settings)
    await source.start()
    try:
        await Poller(source, store).run_once()
    finally:
        await source.close()
    classifier = LexiconClassifier()
    classified, routed = await Pipeline(store, classifier, settings).step()
    assert classified == routed == 31
    rows = await store.read(lambda db: queue_rows(db, limit=100))
    assert len(rows) == 31  # every post is its own thread in this scenario
    assert all(r["first_response_due"] and r["sla_policy"] == "fast" for r in rows)
    assert rows == sorted(rows, key=lambda r: -r["priority"])

    def agent_token(db):
        create_user(db, "ada", "agent", "a long enough password")
        return create_token(db, "ada", "thin path test")

    token = await store.write(agent_token)
    auth = {"Authorization": f"Bearer {token}"}
    async with TestClient(TestServer(create_app(settings, store, classifier=classifier)), headers=auth) as client:
        page = await client.get("/")
        html = await page.text()
        assert page.status == 200
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
        api = await client.get("/api/queue", params={"limit": "5"})
        body = await api.json()
        assert len(body["items"]) == 5
        bad = await client.get("/api/queue", params={"limit": "nope"})
        assert bad.status == 422  # the right syntax, the wrong type: schemas.QueueQuery refuses it
        assert (await bad.json())["error"]["code"] == "invalid"


async def test_replies_in_a_thread_join_one_conversation_and_reopen_it(world: World, store: Store,
                                                                       x_settings, tmp_path: Path) -> None:
    user = world.user("x", "user4")
    world.add_posts([
        SimPost(ref="t1", at=100, platform="x", user=user, text="@SkylarkAir where is my refund?"),
        SimPost(ref="t2", at=101, platform="x", user=user, text="@SkylarkAir still waiting", reply_to="t1"),
    ])
    world.publish_all()
    settings = settings_for(tmp_path)
    source = XSearchSource(BRAND, x_settings)
    await source.start()
    pipeline = Pipeline(store, LexiconClassifier(), settings)
    try:
        await Poller(source, store).run_once()
        await pipeline.step()
        thread = world.by_ref["t1"].id
        await store.write(lambda db: db.conn.execute(
            "UPDATE conversations SET status = 'resolved' WHERE thread_key = ?", (f"x:skylark:{thread}",)))
        world.add_posts([SimPost(ref="t3", at=102, platform="x", user=user, text="@SkylarkAir it happened again",
                                 reply_to="t2")])
        world.publish_all()
        await Poller(source, store).run_once()
        await pipeline.step()
    finally:
        await source.close()
    status = store.read_sync(lambda db: db.conn.execute(
        "SELECT status FROM conversations WHERE thread_key = ?", (f"x:skylark:{thread}",)).fetchone()[0])
    assert status == "open"  # a customer message reopens a resolved conversation
    moves = store.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT data FROM events WHERE kind = 'conversation.status'")])
    assert any('"from": "resolved"' in m and '"to": "open"' in m for m in moves)
    conv = store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*), max(id) FROM conversations WHERE thread_key = ?", (f"x:skylark:{thread}",)).fetchone())
    assert conv[0] == 1
    msgs = store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM mentions WHERE thread_key = ?", (f"x:skylark:{thread}",)).fetchone()[0])
    assert msgs == 3
