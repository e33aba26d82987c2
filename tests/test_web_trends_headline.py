"""The trends page's first row: the window's mentions, negative share, complaint rate and estimated NPS,
each beside the days before it, and a line saying when those days were not all listened to."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlite_utils import Database

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.app.web.trends import trends
from careline.domain import Role
from careline.settings import BrandSettings, Settings
from careline.store import Store
from tests.test_web_app import client, web_store  # the fixtures
from tests.test_web_trends_platforms import add_posts, classify

__all__ = ["client", "web_store"]
NOW = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air"),
          BrandSettings(name="rival", display_name="Rival", kind="competitor")]


def two_weeks(db: Database) -> None:
    """This week: 4 negative complaints and 2 positive non-complaints on X, a competitor's 9 posts; the week
    before: 2 negative and 2 positive posts, all complaints, on Reddit; and 5 posts three weeks ago."""
    n = len(add_posts(db, "x", 4, at=NOW - timedelta(days=1)))
    for key in add_posts(db, "x", 2, sentiment="positive", start=n, at=NOW - timedelta(days=2)):
        classify(db, key, sentiment="positive", language="en", complaint=0.1)
    n += 2
    n += len(add_posts(db, "x", 9, brand="rival", start=n, at=NOW - timedelta(days=1)))
    n += len(add_posts(db, "reddit", 2, start=n, at=NOW - timedelta(days=9)))
    n += len(add_posts(db, "reddit", 2, sentiment="positive", start=n, at=NOW - timedelta(days=10)))
    add_posts(db, "x", 5, start=n, at=NOW - timedelta(days=20))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store(tmp_path / "headline.db", extra=[WEB]).open()
    yield s
    await s.close()


async def test_the_window_against_the_days_before_it(store: Store) -> None:
    await store.write(two_weeks)
    h = await store.read(lambda db: trends(db, NOW, BRANDS, days=7)["headline"])
    assert h["since"] == (NOW - timedelta(days=6)).date().isoformat()
    assert h["before_since"] == (NOW - timedelta(days=13)).date().isoformat()
    now, before = h["now"], h["before"]
    assert (now["total"], now["negative"], now["complaints"]) == (6, 4, 4)  # the competitor's 9 are not ours
    assert (now["negative_pct"], now["complaint_rate"]) == (66.7, 66.7)
    assert (before["total"], before["negative_pct"], before["complaint_rate"]) == (4, 50.0, 100.0)
    assert now["people"] == 6 and now["estimated_nps"] == -100  # every seeded post reads as a detractor
    # the days before: each person once, by their latest post there (the page had no NPS to compare with)
    assert (before["people"], before["estimated_nps"]) == (4, -100)
    assert h["heard_since"] == (NOW - timedelta(days=20)).date().isoformat()  # listened to all along

    reddit = await store.read(lambda db: trends(db, NOW, BRANDS, days=7, platform="reddit")["headline"])
    assert (reddit["now"]["total"], reddit["before"]["total"], reddit["now"]["negative_pct"]) == (0, 4, None)
    assert reddit["heard_since"] == (NOW - timedelta(days=10)).date().isoformat()
    rival = await store.read(lambda db: trends(db, NOW, BRANDS, days=7, brand="rival")["headline"])
    assert (rival["now"]["total"], rival["before"]["total"]) == (9, 0)


async def _page(store: Store, days: int = 7, extra: str = "") -> str:
    def marketer(db: Database) -> str:
        if not db.conn.execute("SELECT 1 FROM users WHERE username = 'marketing'").fetchone():
            create_user(db, "marketing", Role.MARKETING, "marketing-pw")
        return create_token(db, "marketing", "tests")

    token = await store.write(marketer)
    app = create_app(Settings(brands=BRANDS), store)
    async with TestClient(TestServer(app)) as c:
        response = await c.get(f"/trends?days={days}{extra}", headers={"Authorization": f"Bearer {token}"})
        assert response.status == 200
        return await response.text()


def _cards(page: str) -> dict[str, tuple[str, str]]:
    """Each headline card's title, big figure and the comparison under it, as text."""
    block = page.split('<div class="cards" id="headline">', 1)[1].split("</div>", 1)[0]
    found = re.findall(r'<h2>(.*?)</h2><p class="big">(.*?)</p><p><small>(.*?)</small>', block, re.S)
    return {title: (big, " ".join(small.split())) for title, big, small in found}


async def test_the_page_shows_each_figure_and_its_change(store: Store) -> None:
    await store.write(two_weeks)
    cards = _cards(await _page(store))
    assert cards == {
        "Mentions": ("6", "+50 % vs the 7 days before (4)"),
        "Negative": ("66.7 %", "+16.7 points vs the 7 days before (50.0 %)"),
        "Complaint rate": ("66.7 %", "-33.3 points vs the 7 days before (100.0 %)"),
        "Estimated NPS": ("-100", "6 people, each by their latest post · critical"),
    }


async def test_a_quiet_week_after_a_busy_one_shows_the_days_before(store: Store) -> None:
    await store.write(two_weeks)
    cards = _cards(await _page(store, extra="&platform=reddit"))  # Reddit: 4 posts the week before, none since
    assert cards["Mentions"] == ("0", "-100 % vs the 7 days before (4)")
    assert cards["Negative"] == ("—", "50.0 % in the 7 days before")
    assert cards["Complaint rate"] == ("—", "100.0 % in the 7 days before")


async def test_a_new_install_says_there_is_nothing_before_to_compare_with(store: Store) -> None:
    await store.write(lambda db: add_posts(db, "x", 3, at=NOW - timedelta(hours=1)))
    page = await _page(store)
    assert _cards(page)["Mentions"] == ("3", "nothing counted in the 7 days before")
    assert "Posts here are counted from" in page and "nothing before this window to compare with" in page


async def test_with_no_posts_at_all_every_figure_is_a_dash(store: Store) -> None:
    cards = _cards(await _page(store))
    assert cards["Mentions"] == ("0", "nothing counted in the 7 days before")
    assert [cards[t][0] for t in ("Negative", "Complaint rate", "Estimated NPS")] == ["—", "—", "—"]


async def test_the_api_carries_the_same_figures_as_the_page(client: TestClient, web_store: Store) -> None:
    token = await web_store.write(lambda db: create_token(db, "marketing", "tests"))
    auth = {"Authorization": f"Bearer {token}"}
    data = await (await client.get("/api/trends?days=30", headers=auth)).json()
    page = await (await client.get("/trends?days=30", headers=auth)).text()
    total = sum(d["total"] for d in data["daily"])
    assert data["headline"]["now"]["total"] == total > 0  # the first card sums the sentiment chart's bars
    assert _cards(page)["Mentions"][0] == f"{total:,}"


def _post(db: Database, i: int, author: str, at: datetime, *, sentiment: str, detractor: float) -> None:
    """One classified post of ``author`` (the same author across posts), read as ``detractor``."""
    db.conn.execute("INSERT OR IGNORE INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                    "VALUES (?, 'x', ?, ?, '', ?, ?)", (author, author, author, at.isoformat(), at.isoformat()))
    key = f"x:p{i}"
    db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                    "created_at, fetched_at, conversation_id, thread_key, language, raw, stage) VALUES "
                    "(?, 'x', ?, 'skylark', 'search', ?, 'about the flight', '', ?, ?, ?, ?, NULL, '{}', 'classified')",
                    (key, f"p{i}", author, at.isoformat(), at.isoformat(), f"p{i}", f"x:skylark:p{i}"))
    classify(db, key, sentiment=sentiment, language="en", complaint=0.1)
    db.conn.execute("UPDATE classifications SET detractor = ? WHERE mention_key = ?", (detractor, key))


async def test_the_estimated_nps_of_the_days_before_counts_each_person_once_by_their_latest_post(
        store: Store) -> None:
    """The first row compared mentions, negative share and complaint rate with the days before, but not the
    estimated NPS, the figure marketing reports. Ann turned from detractor to promoter inside the week before
    (her latest post there counts), and posts this week too (counted in both windows); Bob was a detractor
    only the week before."""
    def seed(db: Database) -> None:
        _post(db, 1, "x:ann", NOW - timedelta(days=12), sentiment="negative", detractor=0.9)
        _post(db, 2, "x:ann", NOW - timedelta(days=9), sentiment="positive", detractor=0.05)
        _post(db, 3, "x:bob", NOW - timedelta(days=10), sentiment="negative", detractor=0.9)
        _post(db, 4, "x:ann", NOW - timedelta(days=1), sentiment="positive", detractor=0.05)

    await store.write(seed)
    h = await store.read(lambda db: trends(db, NOW, BRANDS, days=7)["headline"])
    assert (h["now"]["people"], h["now"]["estimated_nps"]) == (1, 100)
    assert (h["before"]["people"], h["before"]["estimated_nps"]) == (2, 0)  # one promoter, one detractor
    page = await _page(store)
    line = " ".join(page.split('<p id="nps-before"><small>', 1)[1].split("</small>", 1)[0].split())
    assert line == "+100 vs the 7 days before (0, 2 people)", line
    # a correction of a post in those days shows at once (the figure is reused only while they are unchanged)
    await store.write(lambda db: db.conn.execute(
        "UPDATE classifications SET sentiment = 'positive', detractor = 0.05 WHERE mention_key = 'x:p3'"))
    h = await store.read(lambda db: trends(db, NOW, BRANDS, days=7)["headline"])
    assert (h["before"]["people"], h["before"]["estimated_nps"]) == (2, 100)
    quiet = await _page(store, days=3)  # the three days before this window: nobody posted
    line = " ".join(quiet.split('<p id="nps-before"><small>', 1)[1].split("</small>", 1)[0].split())
    assert line == "nothing counted in the 3 days before", line
