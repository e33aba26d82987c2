"""Trends count the team's days (``service.timezone``), as the reports do: a post at 22:00 in New York is on
that day's bar, not the next one's. Every day-keyed count table, kept by triggers and recounted when the
zone changes, and the page, the API and the posts behind a bar, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlite_utils import Database

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.app.web.trends import PostFilter, posts, trends
from careline.domain import Role, to_iso
from careline.settings import BrandSettings, ServiceSettings, Settings
from careline.store import Store
from careline.store.trending import day_zone, keep_days_in, track_names, zone_shifts
from careline.trending import day_range, hour_label, since_iso
from tests.test_web_trends_platforms import classify

NEW_YORK = "America/New_York"
BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air")]
#: Day-keyed tables: the columns that name a row, and what it counts (rows that count nothing are left out).
DAY_TABLES = {"trend_daily": ("day, brand, platform, sentiment", "n, complaints, detractors, promoters"),
              "trend_languages": ("day, brand, platform, language", "n, complaints, negative, positive"),
              "trend_intents": ("day, brand, platform, intent, language", "n"),
              "trend_names": ("day, brand, platform, name, language", "n"),
              "topic_daily": ("day, brand, topic_id, language", "n"),
              "trend_people": ("day, brand, platform, author_key", "mention_key"),
              "trend_latest": ("day, brand, platform, author_key", "mention_key"),
              "trend_people_daily": ("day, brand, platform, language",
                                     "people, detractors, promoters, latest_people, latest_detractors, "
                                     "latest_promoters")}


def post(db: Database, key: str, at: datetime, *, author: str = "a1", topic: int | None = None) -> None:
    """One classified post by ``author`` at ``at`` (the worker's write), in complaint topic ``topic``."""
    db.conn.execute("INSERT OR IGNORE INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                    "VALUES (?, 'x', ?, ?, '', ?, ?)", (f"x:{author}", author, author, to_iso(at), to_iso(at)))
    db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                    "created_at, fetched_at, conversation_id, thread_key, language, raw, stage) VALUES (?, 'x', ?, "
                    "'skylark', "
                    "'search', ?, 'my bag is lost again', '', ?, ?, ?, ?, NULL, '{}', 'classified')",
                    (key, key, f"x:{author}", to_iso(at), to_iso(at), key, f"x:skylark:{key}"))
    classify(db, key, sentiment="negative", language="en")
    if topic is not None:
        db.conn.execute("INSERT INTO mention_topics (mention_key, topic_id, similarity, assigned_at) "
                        "VALUES (?, ?, 0.9, ?)", (key, topic, to_iso(at)))


def kept(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every day-keyed table's rows with a count, in order."""
    out = {}
    for table, (keys, counts) in DAY_TABLES.items():
        found = db.conn.execute(f"SELECT {keys}, {counts} FROM {table} ORDER BY {keys}").fetchall()
        out[table] = [tuple(r) for r in found if any(r[len(keys.split(",")):])]
    return out


def days_in(db: Database) -> dict[str, set[str]]:
    return {table: {r[0] for r in found} for table, found in kept(db).items()}


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store(tmp_path / "days.db", extra=[WEB]).open()
    yield s
    await s.close()


def test_the_zone_table_follows_the_clocks() -> None:
    london = zone_shifts("Europe/London")
    assert ("2026-03-29T01:00:00.000000+00:00", 60) in london  # British Summer Time begins
    assert ("2026-10-25T01:00:00.000000+00:00", 0) in london
    assert zone_shifts("UTC") == [("", 0)] and zone_shifts("Asia/Kolkata") == [("", 330)]
    # the hour the clocks go back comes twice: each says which it is
    assert [hour_label(h, ZoneInfo("Europe/London")) for h in ("2026-10-25T00", "2026-10-25T01", "2026-10-25T02")] \
        == ["2026-10-25 01:00 BST", "2026-10-25 01:00 GMT", "2026-10-25 02:00"]
    # a day the clocks go forward is 23 hours long, and both ends are the team's midnights
    assert day_range("2026-03-29", ZoneInfo("Europe/London")) == ("2026-03-29T00:00:00.000000+00:00",
                                                                  "2026-03-29T23:00:00.000000+00:00")
    assert since_iso(datetime(2026, 11, 10, 3, tzinfo=UTC), 1, ZoneInfo(NEW_YORK)) == \
        "2026-11-09T05:00:00.000000+00:00"  # 22:00 on the 9th in New York: the window starts that midnight


async def test_every_count_moves_to_the_teams_day_and_back(store: Store) -> None:
    def seed(db: Database) -> None:
        track_names(db, ["bag"])
        post(db, "late", datetime(2026, 11, 10, 3, tzinfo=UTC), topic=1)  # 22:00 on the 9th in New York
        post(db, "early", datetime(2026, 11, 10, 6, tzinfo=UTC), author="a2", topic=1)  # 01:00 on the 10th

    await store.write(seed)
    assert set().union(*(await store.read(days_in)).values()) == {"2026-11-10"}  # UTC days until told otherwise

    assert await store.write(lambda db: keep_days_in(db, NEW_YORK)) is True
    days = await store.read(days_in)
    assert days == {table: {"2026-11-09", "2026-11-10"} for table in DAY_TABLES}, days
    assert await store.read(lambda db: day_zone(db).key) == NEW_YORK
    assert await store.write(lambda db: keep_days_in(db, NEW_YORK)) is False  # same zone: nothing recounted

    # the triggers key what comes next the same way: 23:59 on the 10th in New York is on the 10th
    await store.write(lambda db: post(db, "night", datetime(2026, 11, 11, 4, 59, tzinfo=UTC), author="a3", topic=1))
    daily = await store.read(lambda db: db.conn.execute(
        "SELECT day, sum(n) FROM trend_daily GROUP BY day ORDER BY day").fetchall())
    assert [tuple(r) for r in daily] == [("2026-11-09", 1), ("2026-11-10", 2)]

    # what the triggers kept is what a recount from the posts finds, in either zone
    by_triggers = await store.read(kept)
    await store.write(lambda db: keep_days_in(db, "UTC"))
    assert set().union(*(await store.read(days_in)).values()) == {"2026-11-10", "2026-11-11"}
    await store.write(lambda db: keep_days_in(db, NEW_YORK))
    assert await store.read(kept) == by_triggers


async def test_a_persons_day_is_the_teams_when_their_latest_post_goes(store: Store) -> None:
    """Two posts on one New York day, both on the next UTC date: when the later one's reading is removed, the
    earlier one holds the person's day again (the rescan looks within the team's day, not the UTC date)."""
    await store.write(lambda db: keep_days_in(db, NEW_YORK))
    await store.write(lambda db: (post(db, "evening", datetime(2026, 11, 10, 2, tzinfo=UTC)),  # 21:00 on the 9th
                                  post(db, "night", datetime(2026, 11, 10, 4, tzinfo=UTC))))  # 23:00 on the 9th
    people = "SELECT day, mention_key FROM trend_people ORDER BY day"
    assert [tuple(r) for r in await store.read(lambda db: db.conn.execute(people).fetchall())] == [
        ("2026-11-09", "night")]
    await store.write(lambda db: db.conn.execute("DELETE FROM classifications WHERE mention_key = 'night'"))
    assert [tuple(r) for r in await store.read(lambda db: db.conn.execute(people).fetchall())] == [
        ("2026-11-09", "evening")]
    counted = await store.read(lambda db: db.conn.execute(
        "SELECT day, people, latest_people FROM trend_people_daily WHERE people OR latest_people").fetchall())
    assert [tuple(r) for r in counted] == [("2026-11-09", 1, 1)]


async def test_the_page_and_the_posts_behind_a_bar_use_the_teams_days(store: Store) -> None:
    now = datetime(2026, 11, 10, 12, tzinfo=UTC)  # 07:00 in New York

    def seed(db: Database) -> None:
        create_user(db, "marketing", Role.MARKETING, "marketing-pw")
        post(db, "late", datetime(2026, 11, 10, 3, tzinfo=UTC))  # the 9th in New York
        post(db, "early", datetime(2026, 11, 10, 6, tzinfo=UTC), author="a2")  # the 10th

    await store.write(seed)
    await store.write(lambda db: keep_days_in(db, NEW_YORK))
    t = await store.read(lambda db: trends(db, now, BRANDS, days=1))
    assert t["timezone"] == NEW_YORK
    assert [(d["day"], d["total"]) for d in t["daily"]] == [("2026-11-10", 1)]  # one day's window: today only
    assert t["headline"]["now"]["total"] == 1 and t["headline"]["heard_since"] == "2026-11-09"
    label = {h["hour"]: h["label"] for h in t["hourly"]}
    assert label["2026-11-10T03"] == "2026-11-09 22:00"  # the hourly chart reads in the team's hours

    def behind(day: str) -> list[str]:
        f = PostFilter(since=now - timedelta(days=7), day=day, brands=("skylark",))
        return [p["key"] for p in store.read_sync(lambda db: posts(db, f)["items"])]

    assert behind("2026-11-09") == ["late"] and behind("2026-11-10") == ["early"]
    # "the days before": posts before the team's day, not the UTC date (the intents' previous 7 days)
    until = PostFilter(since=now - timedelta(days=7), before="2026-11-10", brands=("skylark",))
    assert [p["key"] for p in store.read_sync(lambda db: posts(db, until)["items"])] == ["late"]
    assert t["intents_since"] == "2026-11-04"  # the intents' last 7 days begin at New York's 4th, whatever the window


async def test_the_web_app_keys_the_days_by_the_service_zone(store: Store) -> None:
    """Started with ``service.timezone`` New York, the app recounts once and the API says which zone."""
    await store.write(lambda db: post(db, "late", datetime.now(UTC).replace(hour=3, minute=0)))
    token = await store.write(lambda db: (create_user(db, "marketing", Role.MARKETING, "marketing-pw"),
                                          create_token(db, "marketing", "tests"))[1])
    settings = Settings(service=ServiceSettings(timezone=NEW_YORK), brands=BRANDS)
    async with TestClient(TestServer(create_app(settings, store))) as c:
        data = await (await c.get("/api/trends?days=7", headers={"Authorization": f"Bearer {token}"})).json()
    yesterday = (datetime.now(UTC).replace(hour=3, minute=0) - timedelta(hours=5)).date().isoformat()
    assert data["timezone"] == NEW_YORK and [d["day"] for d in data["daily"]] == [yesterday]
