"""Trends split by platform and language, and the daily counts the triggers keep (issue 21, issue 17).

The counts behind the charts live in ``trend_daily`` / ``trend_hourly``, kept by triggers on
``classifications``; these tests check them against a recount from the raw rows after the writes the
service makes (the worker's INSERT OR REPLACE, retention's delete, a customer's erasure)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient
from sqlite_utils import Database

from careline.app.web.auth import create_token
from careline.domain import to_iso
from careline.store import Store
from careline.store.customers import erase_customer
from careline.store.migrations import CORE
from careline.store.trending import COMPLAINT_AT, COUNT_TRIGGERS
from tests.test_web_app import client, web_store  # the fixtures

__all__ = ["client", "web_store"]


async def _auth(store: Store) -> dict[str, str]:
    token = await store.write(lambda db: create_token(db, "marketing", "tests"))
    return {"Authorization": f"Bearer {token}"}


def add_posts(db: Database, platform: str, n: int, *, language: str = "en", sentiment: str = "negative",
              brand: str = "skylark", start: int = 0, at: datetime | None = None) -> list[str]:
    """``n`` classified posts on ``platform`` (the worker's write: INSERT OR REPLACE of the classification)."""
    at = at or datetime.now(UTC) - timedelta(hours=1)
    keys = []
    for i in range(start, start + n):
        key, author = f"{platform}:extra{i}", f"{platform}:author{i}"
        db.conn.execute("INSERT OR IGNORE INTO authors (key, platform, platform_id, handle, name, first_seen, "
                        "last_seen) VALUES (?, ?, ?, ?, '', ?, ?)",
                        (author, platform, f"author{i}", f"person{i}", to_iso(at), to_iso(at)))
        db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                        "created_at, fetched_at, conversation_id, thread_key, language, raw, stage) VALUES "
                        "(?, ?, ?, ?, 'search', ?, ?, ?, ?, ?, ?, ?, NULL, '{}', 'classified')",
                        (key, platform, f"extra{i}", brand, author, f"post {i} about the delayed flight",
                         f"https://example.invalid/{platform}/{i}", to_iso(at), to_iso(at), f"extra{i}",
                         f"{platform}:{brand}:extra{i}"))
        classify(db, key, sentiment=sentiment, language=language)
        keys.append(key)
    return keys


def classify(db: Database, key: str, *, sentiment: str, language: str, complaint: float = 0.9,
             intent: str = "delivery") -> None:
    db.table("classifications").insert({
        "mention_key": key, "model_version": "t", "sentiment": sentiment, "sentiment_scores": "{}",
        "complaint": complaint, "detractor": 0.7, "intent": intent, "intent_scores": "{}",
        "classified_at": to_iso(datetime.now(UTC)), "language": language}, pk="mention_key", replace=True)
    db.conn.execute("UPDATE mentions SET language = ? WHERE key = ?", (language, key))


def recount(db: Database) -> dict[tuple[Any, ...], int]:
    """The daily, language and intent counts computed from the raw rows, as the triggers should keep them."""
    out: dict[tuple[Any, ...], int] = {}
    for what, column in (("daily", "c.sentiment"), ("languages", "coalesce(m.language, 'und')"),
                         ("intents", "c.intent")):
        for day, brand, platform, key, n, complaints, negative, positive in db.conn.execute(f"""
                SELECT substr(m.created_at, 1, 10), m.brand, m.platform, {column}, count(*),
                       sum(c.complaint >= {COMPLAINT_AT}), sum(c.sentiment = 'negative'), sum(c.sentiment = 'positive')
                FROM classifications c JOIN mentions m ON m.key = c.mention_key GROUP BY 1, 2, 3, 4"""):
            out[(what, day, brand, platform, key, "n")] = n
            if what != "intents":
                out[(what, day, brand, platform, key, "complaints")] = complaints
            if what == "languages":
                out[(what, day, brand, platform, key, "negative")] = negative
                out[(what, day, brand, platform, key, "positive")] = positive
    return out


def kept(db: Database) -> dict[tuple[Any, ...], int]:
    out: dict[tuple[Any, ...], int] = {}
    for what, column in (("daily", "sentiment"), ("languages", "language"), ("intents", "intent")):
        complaints = "complaints" if what != "intents" else "NULL"
        moods = "negative, positive" if what == "languages" else "NULL, NULL"
        for day, brand, platform, key, n, c, negative, positive in db.conn.execute(
                f"SELECT day, brand, platform, {column}, n, {complaints}, {moods} FROM trend_{what} WHERE n != 0"):
            out[(what, day, brand, platform, key, "n")] = n
            if c is not None:
                out[(what, day, brand, platform, key, "complaints")] = c
            if what == "languages":
                out[(what, day, brand, platform, key, "negative")] = negative
                out[(what, day, brand, platform, key, "positive")] = positive
    return out


def test_the_kept_counts_match_a_recount_after_reclassifying_deleting_and_erasing(web_store: Store) -> None:
    def work(db: Database) -> None:
        assert kept(db) == recount(db) and kept(db)  # the migration's backfill and the seed's inserts
        keys = add_posts(db, "bluesky", 6, language="de")
        classify(db, keys[0], sentiment="positive", language="fr", complaint=0.1, intent="praise")  # reclassified
        classify(db, keys[1], sentiment="negative", language="de")  # the same again: counted once
        assert kept(db) == recount(db)
        db.conn.execute("DELETE FROM classifications WHERE mention_key = ?", (keys[2],))
        db.conn.execute("DELETE FROM mentions WHERE key = ?", (keys[2],))
        assert kept(db) == recount(db)
        hourly = dict(db.conn.execute("SELECT platform, sum(n) FROM trend_hourly GROUP BY platform"))
        raw = dict(db.conn.execute("SELECT m.platform, count(*) FROM mentions m JOIN classifications c "
                                   "ON c.mention_key = m.key GROUP BY m.platform"))
        assert hourly == raw
        erase_customer(db, "bluesky", "person3", actor="admin", now=datetime.now(UTC))
        assert kept(db) == recount(db)

    web_store.write_sync(work)


async def test_trends_filter_by_platform_and_split_volume_and_sentiment(client: TestClient,
                                                                        web_store: Store) -> None:
    await web_store.write(lambda db: (add_posts(db, "bluesky", 4), add_posts(db, "mastodon", 3, sentiment="positive",
                                                                             language="de", start=10)))
    auth = await _auth(web_store)
    everything = await (await client.get("/api/trends", headers=auth)).json()
    totals = {p["platform"]: p for p in everything["platform_totals"]}
    assert list(totals) == ["x", "reddit", "bluesky", "mastodon"]
    assert totals["bluesky"]["total"] == 4 and totals["bluesky"]["negative"] == 4
    assert totals["mastodon"]["positive"] == 3 and totals["mastodon"]["complaint_rate"] == 100.0
    assert sum(p["total"] for p in totals.values()) == sum(d["total"] for d in everything["daily"]) == 67
    for name, p in totals.items():  # the stacked bars add up to the platform's total
        assert sum(r["total"] for r in everything["platforms"] if r["platform"] == name) == p["total"]
    reddit = await (await client.get("/api/trends?platform=reddit", headers=auth)).json()
    assert reddit["platform"] == "reddit" and [p["platform"] for p in reddit["platform_totals"]] == ["reddit"]
    posts = await (await client.get("/api/trends/posts?platform=reddit&limit=200", headers=auth)).json()
    assert sum(d["total"] for d in reddit["daily"]) == posts["total"] == totals["reddit"]["total"] > 0
    assert {p["platform"] for p in posts["items"]} == {"reddit"}
    bad = await client.get("/api/trends?platform=myspace", headers=auth)
    assert bad.status in (400, 422) and "platform" in (await bad.json())["error"]["message"]
    bad = await client.get("/api/trends/posts?platform=twitter", headers=auth)  # X's old name: the charts say x
    assert bad.status == 400
    assert (await bad.json())["error"]["message"] == "platform must be one of bluesky, mastodon, reddit, x"


async def test_languages_are_counted_with_their_sentiment_and_drill_down(client: TestClient, web_store: Store) -> None:
    await web_store.write(lambda db: (add_posts(db, "mastodon", 3, language="de"),
                                      add_posts(db, "mastodon", 1, language="de", sentiment="positive", start=3),
                                      add_posts(db, "mastodon", 2, language="de", sentiment="neutral", start=4)))
    auth = await _auth(web_store)
    data = await (await client.get("/api/trends", headers=auth)).json()
    langs = {r["language"]: r["total"] for r in data["languages"]}
    assert {r["language"]: r["name"] for r in data["languages"]} == {"en": "English", "de": "German"}
    assert langs == {"en": 60, "de": 6}
    german = next(r for r in data["languages"] if r["language"] == "de")
    assert (german["negative"], german["neutral"], german["positive"]) == (3, 2, 1)
    assert (german["negative_rate"], german["positive_rate"]) == (50.0, 16.7)
    english = next(r for r in data["languages"] if r["language"] == "en")
    assert english["negative"] + english["neutral"] + english["positive"] == english["total"]
    posts = await (await client.get("/api/trends/posts?language=de", headers=auth)).json()
    assert posts["total"] == 6 and {p["platform"] for p in posts["items"]} == {"mastodon"}
    neutral = await (await client.get("/api/trends/posts?language=de&sentiment=neutral", headers=auth)).json()
    assert neutral["total"] == german["neutral"]  # the bar's number is the posts it opens


def test_m133_counts_positive_posts_per_language_already_stored(tmp_path: Path) -> None:
    """A database made before m133: ``trend_languages`` gains its positive count from the posts stored, and the
    triggers keep it from then on."""
    db = Database(tmp_path / "old.db")
    CORE.apply(db, stop_before="m133_sentiment_by_language")
    db.conn.execute("INSERT INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                    "VALUES ('x:1', 'x', '1', 'a', '', '2026-12-01', '2026-12-01')")
    for n, mood in enumerate(["positive", "positive", "negative"]):
        db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                        "created_at, fetched_at, conversation_id, thread_key, raw, stage) VALUES (?, 'x', ?, 'acme', "
                        "'search', 'x:1', 't', 'u', '2026-12-01T10:00:00+00:00', '2026-12-01T10:00:00+00:00', ?, ?, "
                        "'{}', 'classified')", (f"x:{n}", str(n), str(n), f"x:acme:{n}"))
        classify(db, f"x:{n}", sentiment=mood, language="de")
    for name in COUNT_TRIGGERS:  # the triggers and the table as m110 made them before m133
        db.conn.execute(f"DROP TRIGGER {name}")
    db.conn.execute("ALTER TABLE trend_languages DROP COLUMN positive")
    CORE.apply(db)
    assert db.conn.execute("SELECT n, negative, positive FROM trend_languages").fetchall() == [(3, 1, 2)]
    classify(db, "x:2", sentiment="positive", language="de")  # read again: positive now
    assert db.conn.execute("SELECT n, negative, positive FROM trend_languages").fetchall() == [(3, 0, 3)]


async def test_the_new_charts_export_csv(client: TestClient, web_store: Store) -> None:
    await web_store.write(lambda db: add_posts(db, "bluesky", 2))
    auth = await _auth(web_store)
    data = await (await client.get("/api/trends?platform=bluesky", headers=auth)).json()
    for chart in ("platforms", "platform_totals", "languages", "topics"):
        r = await client.get(f"/api/trends.csv?chart={chart}&platform=bluesky", headers=auth)
        assert r.status == 200, chart
        lines = list(csv.reader(io.StringIO(await r.text())))
        assert len(lines) == 1 + len(data[chart]), chart
    rows = list(csv.DictReader(io.StringIO(await (await client.get(
        "/api/trends.csv?chart=platform_totals&platform=bluesky", headers=auth)).text())))
    assert [(r["platform"], r["total"]) for r in rows] == [("bluesky", "2")]


async def test_the_page_has_a_platform_filter_and_the_new_charts(client: TestClient, web_store: Store) -> None:
    auth = await _auth(web_store)
    page = await (await client.get("/trends?platform=mastodon&days=7", headers=auth)).text()
    assert '<option value="mastodon" selected>' in page
    for chart in ("chart-platforms", "chart-platform-sentiment", "chart-languages", "chart-language-sentiment"):
        assert f'id="{chart}"' in page
    island = page.split('id="trends-data">', 1)[1].split("</script>", 1)[0]
    assert json.loads(island)["platform"] == "mastodon"


def test_competitor_names_are_counted_by_trigger_and_a_new_name_is_backfilled(web_store: Store) -> None:
    from careline.app.web.trends import naming
    from careline.store.trending import track_names

    def work(db: Database) -> None:
        keys = add_posts(db, "x", 4, start=700)
        for i, key in enumerate(keys):  # two name Copperline (any case), one names 50%_off, one neither
            text = ("switching to COPPERLINE", "copperline is cheaper", "they had 50%_off", "nothing")[i]
            db.conn.execute("UPDATE mentions SET text = ? WHERE key = ?", (text, key))
        since = "2000-01-01"
        assert naming(db, "skylark", "Copperline", since, None) == 2  # not tracked yet: read from the posts
        assert track_names(db, ["Copperline", "50%_off", "Copperline"]) == 2
        assert track_names(db, ["Copperline"]) == 0
        assert naming(db, "skylark", "Copperline", since, None) == 2  # from the backfilled counts
        assert naming(db, "skylark", "50%_off", since, None) == 1  # LIKE wildcards are literal
        later = add_posts(db, "reddit", 1, start=800)
        db.conn.execute("DELETE FROM classifications WHERE mention_key = ?", (later[0],))
        db.conn.execute("UPDATE mentions SET text = 'Copperline again' WHERE key = ?", (later[0],))
        classify(db, later[0], sentiment="negative", language="en")  # counted by the trigger
        assert naming(db, "skylark", "Copperline", since, None) == 3
        assert naming(db, "skylark", "Copperline", since, "reddit") == 1
        db.conn.execute("DELETE FROM classifications WHERE mention_key = ?", (keys[0],))
        assert naming(db, "skylark", "Copperline", since, None) == 2

    web_store.write_sync(work)


async def test_every_intent_with_posts_is_charted_so_the_bars_add_up(client: TestClient, web_store: Store) -> None:
    """The ten most frequent intents cut a brand's own intent tied with the tenth: the bars summed to 122 of 126."""
    intents = ["delivery", "refund_return", "billing", "outage_bug", "account_access", "service_experience",
               "question", "praise", "product_quality", "other", "lost_baggage", "seat_upgrade"]

    def write(db: Database) -> None:
        for n, intent in enumerate(intents):
            for key in add_posts(db, "bluesky", 2, start=1000 + 10 * n):
                classify(db, key, sentiment="negative", language="en", intent=intent)

    await web_store.write(write)
    data = await (await client.get("/api/trends", headers=await _auth(web_store))).json()
    charted = {i["intent"]: i["count"] for i in data["intents"]}
    assert {"lost_baggage", "seat_upgrade"} <= set(charted) and len(charted) >= 12
    recent = await web_store.read(lambda db: db.conn.execute(
        "SELECT count(*) FROM mentions m JOIN classifications c ON c.mention_key = m.key "
        "WHERE m.created_at >= ? AND m.brand IN ('skylark', 'brightwave')",
        (data["intents_since"],)).fetchone()[0])
    assert sum(charted.values()) == recent
