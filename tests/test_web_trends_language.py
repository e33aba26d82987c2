"""The trends page filtered to one language: every figure is the one the page would show if the posts in that
language were the only posts stored.

That is the oracle: a copy of the database from which every other language's posts are deleted (the count
triggers take them out of every count table), read without a filter, against the original read with the
filter. Each author here writes in one language, so "the people whose latest post is in German" and "the people,
counted among German posts only" are the same people."""

from __future__ import annotations

import functools
import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlite_utils import Database

from careline.app.web.auth import create_token
from careline.app.web.migrations import WEB
from careline.app.web.trends import trends
from careline.domain import to_iso
from careline.settings import BrandSettings
from careline.store import Store
from careline.store.migrations import CORE
from careline.store.trending import LANGUAGE_KEYED, day_triggers, track_names
from tests.test_web_app import client, web_store  # the fixtures

__all__ = ["client", "web_store"]
NOW = datetime.now(UTC).replace(minute=30, second=0, microsecond=0)
BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air", competitors=["Rival Air"]),
          BrandSettings(name="brightwave", display_name="Brightwave"),
          BrandSettings(name="rival", display_name="Rival", kind="competitor")]
#: Each author's language (``None``: the platform gave none and the detector could not tell: ``und``).
LANGUAGES = ("en", "en", "de", "fr", None)
WORDS = {"en": "delayed flight refund baggage lost", "de": "Flug verspätet Erstattung Koffer",
         "fr": "vol retardé remboursement bagage", None: "?? !!"}


def seed(db: Database) -> None:
    """Posts over 40 days on three platforms and three brands, by 60 authors (several posts each, one language
    each), read with every sentiment, complaint, detractor and intent; a third of the complaints in a topic."""
    rng = random.Random(20261207)
    db.conn.execute("""INSERT INTO topics (id, centroid, size, words, label, encoder, created_at, updated_at)
        VALUES (1, x'00', 0, '["refund"]', 'refund', 't', '2026-01-01', '2026-01-01'),
               (2, x'00', 0, '["baggage"]', 'baggage', 't', '2026-01-01', '2026-01-01')""")
    track_names(db, ["Rival Air"])
    n = 0
    for author in range(60):
        language, platform = LANGUAGES[author % len(LANGUAGES)], rng.choice(("x", "reddit", "bluesky"))
        brand = rng.choice(("skylark", "skylark", "brightwave", "rival"))
        key = f"{platform}:a{author}"
        db.conn.execute("INSERT INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                        "VALUES (?, ?, ?, ?, '', '2026-01-01', '2026-01-01')",
                        (key, platform, f"a{author}", f"p{author}"))
        for _ in range(rng.randint(1, 6)):
            n += 1
            at = NOW - timedelta(days=rng.uniform(0, 40))
            words = " ".join(rng.sample(WORDS[language].split(), 2))
            text = f"post {n} {words}" + (" unlike Rival Air" if rng.random() < 0.2 else "")
            mention = f"{platform}:m{n}"
            db.conn.execute(
                "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
                "fetched_at, conversation_id, thread_key, language, raw, stage) VALUES (?, ?, ?, ?, 'search', ?, ?, "
                "?, ?, ?, ?, ?, ?, '{}', 'classified')",
                (mention, platform, f"m{n}", brand, key, text, f"https://example.invalid/{n}", to_iso(at), to_iso(at),
                 f"m{n}", f"{platform}:{brand}:m{n}", language))
            complaint = rng.random()
            db.table("classifications").insert({
                "mention_key": mention, "model_version": "t", "sentiment_scores": "{}", "intent_scores": "{}",
                "sentiment": rng.choice(("negative", "neutral", "positive")), "complaint": complaint,
                "detractor": rng.random(), "intent": rng.choice(("delivery", "refund_return", "praise")),
                "classified_at": to_iso(at), "language": language or "und"}, pk="mention_key", replace=True)
            if complaint >= 0.5 and rng.random() < 0.35:
                db.conn.execute("INSERT INTO mention_topics (mention_key, topic_id, similarity, assigned_at) "
                                "VALUES (?, ?, 0.9, ?)", (mention, rng.choice((1, 2)), to_iso(at)))


def only(path: Path, language: str, tmp_path: Path) -> Database:
    """A copy of the database at ``path`` holding only the posts in ``language``."""
    copy = tmp_path / f"only-{language}.db"
    with sqlite3.connect(path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    db = Database(copy)  # sqlite-utils: recursive triggers on, as every Careline connection
    with db.conn:
        other = "coalesce(language, 'und') != ?"
        db.conn.execute(f"DELETE FROM classifications WHERE mention_key IN (SELECT key FROM mentions WHERE {other})",
                        (language,))
        db.conn.execute(f"DELETE FROM mentions WHERE {other}", (language,))
        for table in ("trend_daily", "trend_languages", "trend_intents", "trend_hourly", "trend_names", "topic_daily"):
            db.conn.execute(f"DELETE FROM {table} WHERE n = 0")  # as if the other posts had never been counted
        db.conn.execute("DELETE FROM trend_people_daily WHERE people = 0 AND latest_people = 0")
    return db


#: What depends on the filter rather than on the posts: the filter itself and its choices; and when the scope was
#: first heard (the spikes read history from then: listening started then, whatever the language).
NOT_COMPARED = ("language", "language_name", "language_choices", "spikes", "now")


def comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The figures, without what names a topic: a language's page names its topics by that language's posts, the
    copy's page by the name stored (``test_a_languages_topics_are_named_by_its_own_posts``)."""
    out = {k: v for k, v in data.items() if k not in NOT_COMPARED}
    out["headline"] = {k: v for k, v in data["headline"].items() if k != "heard_since"}
    out["topics"] = [{k: v for k, v in t.items() if k not in ("label", "words", "named_in")} for t in data["topics"]]
    return out


@pytest.mark.parametrize("days", [7, 30])
async def test_every_figure_for_a_language_is_that_of_its_posts_alone(tmp_path: Path, days: int) -> None:
    store = await Store(tmp_path / "languages.db", extra=[WEB]).open()
    try:
        await store.write(seed)
        for language in ("en", "de", "fr", "und"):
            for brand, platform in ((None, None), ("skylark", None), (None, "x")):
                filtered = await store.read(functools.partial(trends, now=NOW, brands=BRANDS, days=days, brand=brand,
                                                              platform=platform, language=language))
                alone = trends(only(tmp_path / "languages.db", language, tmp_path), NOW, BRANDS, days=days,
                               brand=brand, platform=platform)
                assert comparable(filtered) == comparable(alone), (language, brand, platform)
                assert filtered["headline"]["now"]["total"] > 0 or platform, (language, brand)
        everything = await store.read(lambda db: trends(db, NOW, BRANDS, days=days))
        assert {c["language"] for c in everything["language_choices"]} == {"en", "de", "fr", "und"}
        german = await store.read(lambda db: trends(db, NOW, BRANDS, days=days, language="de"))
        assert german["language_choices"] == everything["language_choices"]  # the filter still offers them all
        assert [r["language"] for r in german["languages"]] == ["de"] and german["language_name"] == "German"
        assert 0 < german["headline"]["now"]["total"] < everything["headline"]["now"]["total"]
        each = [await store.read(functools.partial(trends, now=NOW, brands=BRANDS, days=days, language=code))
                for code in ("en", "de", "fr", "und")]  # the languages split the posts: their figures add up

        def total(data: dict[str, Any], chart: str, column: str) -> int:
            return sum(row[column] for row in data[chart])

        for chart, column in (("daily", "total"), ("topics", "count"), ("intents", "count"), ("hourly", "count"),
                              ("share_of_voice", "count")):
            assert sum(total(d, chart, column) for d in each) == total(everything, chart, column) > 0, chart
    finally:
        await store.close()


async def test_a_languages_topics_are_named_by_its_own_posts(tmp_path: Path) -> None:
    """With German chosen, the topics kept the names their posts in every language gave ("refund", "baggage"): a
    German market read its complaint topics in English. Each is named by its German posts now, and says so."""
    store = await Store(tmp_path / "languages.db", extra=[WEB]).open()
    try:
        await store.write(seed)
        german = await store.read(lambda db: trends(db, NOW, BRANDS, days=30, language="de"))
        everything = await store.read(lambda db: trends(db, NOW, BRANDS, days=30))
        assert german["topics"] and all(t["named_in"] == "de" for t in german["topics"])
        for topic in german["topics"]:
            assert set(topic["words"]) & {w.lower() for w in WORDS["de"].split()}, topic
            assert not set(topic["words"]) & set(WORDS["en"].split()), topic
        assert {t["label"] for t in everything["topics"]} == {"refund", "baggage"}  # unfiltered: the stored names
        assert all(t["named_in"] is None for t in everything["topics"])
    finally:
        await store.close()


async def _marketing(store: Store) -> dict[str, str]:
    token = await store.write(lambda db: create_token(db, "marketing", "tests"))
    return {"Authorization": f"Bearer {token}"}


async def test_the_page_filters_by_language_and_carries_it_to_csv_and_the_posts(client: TestClient,
                                                                              web_store: Store) -> None:
    auth = await _marketing(web_store)
    await web_store.write(lambda db: db.conn.execute(  # the worker's order: the reading, then the mention
        "UPDATE classifications SET language = 'de' WHERE mention_key IN (SELECT key FROM mentions ORDER BY key "
        "LIMIT 7)"))
    await web_store.write(lambda db: db.conn.execute(
        "UPDATE mentions SET language = 'de' WHERE key IN (SELECT mention_key FROM classifications "
        "WHERE language = 'de')"))
    for typed in ("de", "German", "german", "de-AT"):  # a code, its English name, a tag: the same filter
        data = await (await client.get(f"/api/trends?language={typed}", headers=auth)).json()
        assert data["language"] == "de" and data["headline"]["now"]["total"] == 7, typed
    page = await (await client.get("/trends?language=German&days=7", headers=auth)).text()
    assert '<option value="de" selected>German</option>' in page and "posts in German" in page
    assert "chart=daily&amp;brand=&amp;platform=&amp;days=7&amp;language=de&amp;bom=1" in page
    rows = (await (await client.get("/api/trends.csv?chart=daily&language=de", headers=auth)).text()).splitlines()
    assert sum(int(r.split(",")[4]) for r in rows[1:]) == 7  # the total column
    posts = await (await client.get("/api/trends/posts?language=German&limit=200", headers=auth)).json()
    assert posts["total"] == 7
    for bad in ("Klingon", "x" * 65, "12"):
        r = await client.get(f"/api/trends?language={bad}", headers=auth)
        assert r.status in (400, 422) and "language" in (await r.json())["error"]["message"], bad
    nobody = await (await client.get("/api/trends?language=ja", headers=auth)).json()  # known, not heard: zeros
    assert nobody["headline"]["now"]["total"] == 0 and nobody["daily"] == []
    assert {"language": "ja", "name": "Japanese", "total": 0} in nobody["language_choices"]
    for made_up in ("xx", "deu", "zz-top"):  # no known language, and never heard: refused, not a page of zeros
        r = await client.get(f"/api/trends?language={made_up}", headers=auth)
        assert r.status == 400 and "is not one we know" in (await r.json())["error"]["message"], made_up
    for said in ("unknown", "undetermined", "und"):  # what the list and the chart call it, and its code
        unknown = await (await client.get(f"/api/trends?language={said}", headers=auth)).json()
        assert (unknown["language"], unknown["language_name"]) == ("und", "unknown"), said


async def test_trends_in_a_language_no_model_reads_say_their_scores_are_guesses(client: TestClient,
                                                                                web_store: Store) -> None:
    """The multilingual audit: the queue marked Swedish posts "not covered" and floored them, while the trends page,
    filtered to Swedish, showed "complaint rate 0 %, estimated NPS 100" with no word of it."""
    auth = await _marketing(web_store)

    def speaks(db: Database) -> None:
        keys = [r[0] for r in db.conn.execute("SELECT key FROM mentions ORDER BY key LIMIT 6")]
        for language, covered, some in (("de", 1, keys[:3]), ("sv", 0, keys[3:])):
            marks = ", ".join("?" * len(some))
            db.conn.execute(f"UPDATE classifications SET language = ?, language_covered = ? WHERE mention_key IN "
                            f"({marks})", (language, covered, *some))
            db.conn.execute(f"UPDATE mentions SET language = ? WHERE key IN ({marks})", (language, *some))

    await web_store.write(speaks)
    swedish = await (await client.get("/trends?language=sv", headers=auth)).text()
    assert 'id="language-unread">No model reads Swedish' in swedish
    german = await (await client.get("/trends?language=de", headers=auth)).text()
    assert 'id="language-unread"' not in german and 'id="language-unread"' not in \
        await (await client.get("/trends", headers=auth)).text()


async def test_surveys_follow_their_conversations_language_and_imported_answers_have_none(
        client: TestClient, web_store: Store) -> None:
    now = datetime.now(UTC).isoformat()

    def answered(db: Database) -> None:
        db.conn.execute("INSERT INTO surveys (token, conversation_id, kind, agent, brand, platform, created_at, "
                        "answered_at, score, comment) VALUES ('tok-l', 1, 'nps', 'agent', 'skylark', 'x', ?, ?, 9, "
                        "'schnell geholfen')", (now, now))
        db.conn.execute("INSERT INTO survey_answers (brand, kind, score, answered_at, imported_by, answer_id) "
                        "VALUES ('skylark', 'nps', 0, ?, 'marketing', 'imported-1')", (now,))
        db.conn.execute("UPDATE mentions SET language = 'de' WHERE thread_key = (SELECT thread_key FROM conversations "
                        "WHERE id = 1)")

    await web_store.write(answered)
    auth = await _marketing(web_store)
    every = await (await client.get("/api/trends", headers=auth)).json()
    assert sum(d["answers"] for d in every["survey_nps"]) == 2  # ours and the imported one
    german = await (await client.get("/api/trends?language=de", headers=auth)).json()
    assert [c["comment"] for c in german["survey_comments"]] == ["schnell geholfen"]
    assert [(d["answers"], d["nps"]) for d in german["survey_nps"]] == [(1, 100)]
    english = await (await client.get("/api/trends?language=en", headers=auth)).json()
    assert english["survey_comments"] == [] and english["survey_nps"] == []
    page = await (await client.get("/trends?language=de", headers=auth)).text()
    assert "imported survey answers carry no language" in page


#: The tables as m110 and m131 made them before m136 gave them a language.
BEFORE_M136 = (
    "CREATE TABLE trend_intents (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL, intent TEXT NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (day, brand, platform, intent)) WITHOUT ROWID",
    "CREATE TABLE topic_daily (day TEXT NOT NULL, brand TEXT NOT NULL, topic_id INTEGER NOT NULL, n INTEGER NOT NULL, "
    "PRIMARY KEY (day, brand, topic_id)) WITHOUT ROWID",
    "CREATE TABLE trend_names (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL, name TEXT NOT NULL, "
    "n INTEGER NOT NULL, PRIMARY KEY (day, brand, platform, name)) WITHOUT ROWID",
    *(f"CREATE TABLE {t} (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL, author_key TEXT NOT NULL, "
      "at TEXT NOT NULL, mention_key TEXT NOT NULL, detractor INTEGER NOT NULL, promoter INTEGER NOT NULL, "
      f"PRIMARY KEY ({keys})) WITHOUT ROWID" for t, keys in (("trend_people", "day, brand, platform, author_key"),
                                                             ("trend_latest", "brand, platform, author_key"))),
    "CREATE TABLE trend_people_daily (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL, "
    "people INTEGER NOT NULL DEFAULT 0, detractors INTEGER NOT NULL DEFAULT 0, promoters INTEGER NOT NULL DEFAULT 0, "
    "latest_people INTEGER NOT NULL DEFAULT 0, latest_detractors INTEGER NOT NULL DEFAULT 0, "
    "latest_promoters INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (day, brand, platform)) WITHOUT ROWID")


def test_m136_counts_the_posts_already_stored_by_language(tmp_path: Path) -> None:
    """A database from before m136: its intents, topics and people are counted afresh by language, exactly as a
    database that counted them by language from the start, and its triggers keep them so from then on."""
    fresh, old = Database(tmp_path / "fresh.db"), Database(tmp_path / "old.db")
    CORE.apply(fresh)
    CORE.apply(old, stop_before="m136_trends_by_language")
    for db in (fresh, old):
        with db.conn:
            seed(db)
    with old.conn:  # the tables and triggers as they were: counts that know no language
        for statement in day_triggers():
            if statement.startswith("DROP TRIGGER"):
                old.conn.execute(statement)
        for table in LANGUAGE_KEYED:
            old.conn.execute(f"DROP TABLE {table}")
        for statement in BEFORE_M136:
            old.conn.execute(statement)
    CORE.apply(old)

    def counted(db: Database) -> dict[str, list[tuple[Any, ...]]]:
        return {t: db.conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3, 4, 5").fetchall() for t in LANGUAGE_KEYED}

    assert counted(old) == counted(fresh) and all(counted(old).values())
    assert {r[0] for r in old.conn.execute("SELECT DISTINCT language FROM trend_people_daily")} == {
        "en", "de", "fr", "und"}
    for db in (fresh, old):  # the triggers: one more German complaint, in a topic
        with db.conn:
            db.conn.execute("UPDATE classifications SET intent = 'praise' WHERE mention_key IN "
                            "(SELECT key FROM mentions WHERE language = 'de' LIMIT 3)")
            db.conn.execute("DELETE FROM mention_topics WHERE rowid IN (SELECT rowid FROM mention_topics LIMIT 2)")
    assert counted(old) == counted(fresh)
