"""Spike alerts (issue 17): the hourly job sends each spike of a brand's volume once, signed, to the
webhooks that list ``spike``, with absolute links to the posts of that hour; a restart, an overlapping
run or a second process on the same file never records or sends it twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlite_utils import Database

from careline.app.http import AiohttpTransport
from careline.app.web.auth import create_token
from careline.app.web.migrations import WEB
from careline.app.web.trends import trends
from careline.settings import BrandSettings, ResponderSettings, Settings, WebhookSettings
from careline.store import Store
from careline.store.trending import keep_days_in
from responder.alerts import deliver_webhooks
from responder.spikes import record_spikes
from tests.test_responder_alerts import SECRET, Receiver, receiver  # the loopback receiver fixture
from tests.test_web_app import client, web_store  # the fixtures
from tests.test_web_trends_platforms import add_posts

__all__ = ["client", "receiver", "web_store"]
NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)


def settings(url: str = "https://hooks.example.com/careline", public_url: str = "https://care.example.com") -> Settings:
    """Two hooks: one that lists spikes, one that wants SLA events only."""
    hooks = [WebhookSettings(url=url, secret_env="CARELINE_TEST_HOOK_SECRET"),
             WebhookSettings(url=url + "/sla-only", events=["breach"], secret_env="CARELINE_TEST_HOOK_SECRET")]
    return Settings(brands=[BrandSettings(name="skylark", display_name="Skylark Air")],
                    responder=ResponderSettings(webhooks=hooks, webhook_allow=["127.0.0.1"],
                                                public_url=public_url))


def quiet_day_then_a_burst(db: Database) -> None:
    """Two posts an hour for 30 hours, then 25 in the current hour."""
    n = 0
    for hours_ago in range(30, 0, -1):
        n += len(add_posts(db, "x", 2, start=n, at=NOW - timedelta(hours=hours_ago)))
    add_posts(db, "bluesky", 25, start=n, at=NOW - timedelta(minutes=10))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store(tmp_path / "spikes.db").open()
    await s.write(quiet_day_then_a_burst)
    yield s
    await s.close()


def _rows(db: Database, sql: str) -> list[dict[str, Any]]:
    cur = db.conn.execute(sql)
    return [dict(zip([c[0] for c in cur.description], r, strict=True)) for r in cur.fetchall()]


async def test_a_spike_is_recorded_once_with_a_webhook_row_for_each_hook_that_wants_it(store: Store) -> None:
    cfg = settings()
    found = await store.write(lambda db: record_spikes(db, cfg, NOW, base_url="http://127.0.0.1:1/"))
    hour = NOW.strftime("%Y-%m-%dT%H")
    assert [(a.brand, a.spike.at, a.spike.count) for a in found] == [("skylark", hour, 25)]
    rows = await store.read(lambda db: _rows(db, "SELECT url, payload FROM webhook_deliveries"))
    assert [r["url"] for r in rows] == ["https://hooks.example.com/careline"]  # not the SLA-only hook
    body = json.loads(rows[0]["payload"])
    assert body["event"] == "trends.spike" and body["count"] == 25 and 1.5 <= body["usual"] <= 2.0
    assert body["posts_url"] == f"https://care.example.com/trends?brand=skylark&days=7#hour={hour}"
    assert body["posts_api_url"] == f"https://care.example.com/api/trends/posts?brand=skylark&hour={hour}&days=8"
    assert body["summary"].startswith(f"25 mentions of skylark in the hour from {NOW:%H}:00 UTC, where about ")
    again = await store.write(lambda db: record_spikes(db, cfg, NOW + timedelta(minutes=20), base_url=""))
    assert again == []  # the next run, or a restart, finds it recorded
    assert await store.read(lambda db: db.conn.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0]) == 1


async def test_the_summary_names_the_hour_in_the_teams_clock(store: Store) -> None:
    """People read the summary (a chat message): the hour in the zone the trends are kept in, which it names; the
    ``hour`` the links ask for stays the UTC key."""
    await store.write(lambda db: keep_days_in(db, "Asia/Kolkata"))
    await store.write(lambda db: record_spikes(db, settings(), NOW, base_url=""))
    body = json.loads(await store.read(lambda db: db.conn.execute("SELECT payload FROM webhook_deliveries")
                                       .fetchone()[0]))
    local = NOW.replace(minute=0, second=0, microsecond=0).astimezone(ZoneInfo("Asia/Kolkata"))  # 30 min off
    assert body["hour"] == f"{NOW:%Y-%m-%dT%H}"
    assert body["summary"].startswith(f"25 mentions of skylark in the hour from {local:%H:%M} (Asia/Kolkata), ")


async def test_old_spikes_are_not_news(store: Store) -> None:
    later = NOW + timedelta(hours=5)
    assert await store.write(lambda db: record_spikes(db, settings(), later, base_url="")) == []


@pytest.mark.parametrize(("history", "alerted"), [
    ([], False),  # a new install: the first posts it hears
    ([(10, 2)], False),  # a few hours heard are not a day of history
    ([(30, 1)], True),  # heard 30 hours ago and quiet since: quiet, not unknown
])
async def test_hours_before_a_brand_was_first_heard_are_not_history(
        tmp_path: Path, history: list[tuple[int, int]], alerted: bool) -> None:
    """Hours before the first post Careline heard were counted as zeros, so a new install's (or a brand
    just added's) first busy hour was alerted and marked on the page "where there are usually none"."""
    s = await Store(tmp_path / "new.db", extra=[WEB]).open()
    try:
        def fill(db: Database) -> None:
            n = 0
            for hours_ago, count in history:
                n += len(add_posts(db, "x", count, start=n, at=NOW - timedelta(hours=hours_ago)))
            add_posts(db, "x", 25, start=n, at=NOW - timedelta(minutes=10))
        await s.write(fill)
        cfg = settings()
        found = await s.write(lambda db: record_spikes(db, cfg, NOW, base_url=""))
        page = await s.read(lambda db: trends(db, NOW, cfg.brands, days=7)["spikes"])
        hour = NOW.strftime("%Y-%m-%dT%H")
        assert [a.spike.at for a in found] == ([hour] if alerted else [])
        assert [p["at"] for p in page] == [a.spike.at for a in found]  # the page marks what the job alerts
    finally:
        await s.close()


async def test_two_processes_running_the_job_at_once_send_one_alert(store: Store, tmp_path: Path) -> None:
    other = await Store(store.path).open()  # a second process's store on the same file
    try:
        cfg = settings()
        runs = [s.write(lambda db: record_spikes(db, cfg, NOW, base_url="")) for s in (store, other) * 4]
        found = await asyncio.gather(*runs)
        assert sum(len(f) for f in found) == 1
        counts = await other.read(lambda db: (
            db.conn.execute("SELECT count(*) FROM spike_alerts").fetchone()[0],
            db.conn.execute("SELECT count(*) FROM webhook_deliveries").fetchone()[0]))
        assert counts == (1, 1)
    finally:
        await other.close()


async def test_the_alert_is_delivered_signed_and_its_link_lists_the_posts(
        client: TestClient, web_store: Store, receiver: tuple[Receiver, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", SECRET)
    rec, url = receiver
    await web_store.write(quiet_day_then_a_burst)
    cfg = settings(url, public_url="")  # links under the service's own address
    base = str(client.make_url("/"))
    await web_store.write(lambda db: record_spikes(db, cfg, NOW, base_url=base))
    async with aiohttp.ClientSession() as session:
        sent = await deliver_webhooks(web_store, cfg, AiohttpTransport(session), now=NOW)
    assert sent == 1 and len(rec.got) == 1
    got = rec.got[0]
    assert got["valid"] and got["event"] == "trends.spike" and got["body"]["brand"] == "skylark"
    token = await web_store.write(lambda db: create_token(db, "marketing", "tests"))
    link = got["body"]["posts_api_url"]
    assert link.startswith(base.rstrip("/") + "/api/trends/posts?")
    posts = await (await client.get(link.removeprefix(base.rstrip("/")),
                                    headers={"Authorization": f"Bearer {token}"})).json()
    assert posts["total"] == got["body"]["count"] >= 25  # the burst, and any seeded post of that hour


def test_the_service_schedules_the_topic_job_and_hourly_spike_alerts(tmp_path: Path) -> None:
    import dataclasses

    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from careline.app.service import add_trend_jobs

    sched = AsyncIOScheduler(timezone=UTC)
    store = Store(tmp_path / "jobs.db")
    add_trend_jobs(sched, store, settings(), base_url="http://127.0.0.1:8080/")
    jobs = {j.id: str(j.trigger) for j in sched.get_jobs()}
    assert jobs == {"trends:topics": "interval[0:01:00]", "trends:spikes": "cron[minute='5']"}
    off = dataclasses.replace(settings(), trends=dataclasses.replace(settings().trends, topics=False,
                                                                     spike_alerts=False))
    sched2 = AsyncIOScheduler(timezone=UTC)
    add_trend_jobs(sched2, store, off, base_url="")
    assert sched2.get_jobs() == []
