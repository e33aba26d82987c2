"""Marketing's drill-down (``GET /api/trends/posts``): the posts behind a chart's point or bar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestClient
from sqlite_utils import Database

from careline.app.web.auth import create_token
from careline.store import Store
from tests.test_web_app import client, web_store  # the fixtures

__all__ = ["client", "web_store"]


async def _token(store: Store, user: str) -> dict[str, str]:
    token = await store.write(lambda db: create_token(db, user, "tests"))
    return {"Authorization": f"Bearer {token}"}


async def test_the_posts_behind_a_day_bar_add_up_to_the_bar(client: TestClient, web_store: Store) -> None:
    auth = await _token(web_store, "marketing")
    trends = await (await client.get("/api/trends?brand=skylark", headers=auth)).json()
    bar = next(d for d in trends["daily"] if d["negative"])
    r = await client.get(f"/api/trends/posts?brand=skylark&day={bar['day']}&sentiment=negative", headers=auth)
    body = await r.json()
    assert r.status == 200 and body["total"] == bar["negative"] == len(body["items"])
    assert all(p["sentiment"] == "negative" and p["brand"] == "skylark" and p["created_at"].startswith(bar["day"])
               for p in body["items"])
    times = [p["created_at"] for p in body["items"]]
    assert times == sorted(times, reverse=True) and all(p["url"].startswith("https://") for p in body["items"])


async def test_filters_by_intent_complaint_and_term_and_pages(client: TestClient, web_store: Store) -> None:
    auth = await _token(web_store, "marketing")
    everything = await (await client.get("/api/trends/posts?limit=200", headers=auth)).json()
    assert everything["total"] == 60
    complaints = await (await client.get("/api/trends/posts?complaint=1&limit=200", headers=auth)).json()
    assert 0 < complaints["total"] < 60
    refunds = await (await client.get("/api/trends/posts?intent=refund_return&limit=200", headers=auth)).json()
    assert refunds["items"] and all(p["intent"] == "refund_return" for p in refunds["items"])
    term = await (await client.get("/api/trends/posts?term=REFUND&limit=200", headers=auth)).json()
    assert term["items"] and all("refund" in p["text"].lower() for p in term["items"])
    wild = await (await client.get("/api/trends/posts?term=%25", headers=auth)).json()
    assert wild["total"] == 0  # a LIKE wildcard is a literal character here
    page = await (await client.get("/api/trends/posts?limit=10&offset=10", headers=auth)).json()
    assert [p["key"] for p in page["items"]] == [p["key"] for p in everything["items"][10:20]]
    hour = everything["items"][0]["created_at"][:13]
    in_hour = await (await client.get(f"/api/trends/posts?hour={hour}", headers=auth)).json()
    assert in_hour["items"] and all(p["created_at"].startswith(hour) for p in in_hour["items"])


async def test_bad_drill_down_queries_are_400s_and_only_marketing_may_ask(client: TestClient,
                                                                           web_store: Store) -> None:
    auth = await _token(web_store, "marketing")
    today = datetime.now(UTC).date()
    for query, words in (("day=2026-02-30", "not a real date"), ("day=yesterday", "a date as YYYY-MM-DD"),
                         ("hour=2026-01-01T25", "not a real date"), ("brand=nobody", "brand must be one of"),
                         ("sentiment=angry", "sentiment must be one of"), ("platform=myspace", "platform must be"),
                         ("intent=DROP%20TABLE", "an intent name"), ("days=0", "days must be"),
                         ("limit=500", "limit must be"), ("topic=delays", "topic must be a topic id"),
                         ("topic=0", "topic must be a topic id"),
                         ("language=Klingon", "language must be a code such as de"),
                         ("term=" + "x" * 65, "term must be"), ("before=2026-13-01", "not a real date"),
                             ("before=last-week", "a date as YYYY-MM-DD"),
                             (f"day={today}&complaint=yes", "complaint must be"),
                         ("day=2026-12-01&hour=2026-12-02T10", "hour 2026-12-02T10 (UTC) is not on day 2026-12-01")):
        r = await client.get(f"/api/trends/posts?{query}", headers=auth)
        body = await r.json()
        assert r.status == 400 and body["error"]["code"] == "bad_request", query
        assert words in body["error"]["message"], (query, body)
    agent = await _token(web_store, "agent")
    assert (await client.get("/api/trends/posts", headers=agent)).status == 403


async def test_every_chart_exports_csv_and_a_bad_chart_is_a_400(client: TestClient, web_store: Store) -> None:
    import csv
    import io

    auth = await _token(web_store, "marketing")
    trends = await (await client.get("/api/trends?days=30", headers=auth)).json()
    from careline.app.web.marketing import CHART_COLUMNS, CHARTS

    empty = []
    for chart in CHARTS:
        r = await client.get(f"/api/trends.csv?chart={chart}&days=30", headers=auth)
        assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv"), chart
        lines = list(csv.reader(io.StringIO(await r.text())))
        assert len(lines) == 1 + len(trends[chart]), chart
        # the same header with rows or without (an empty chart's file was "(no data)"), naming every field
        assert tuple(lines[0]) == CHART_COLUMNS[chart], chart
        if trends[chart]:
            assert set(trends[chart][0]) == set(CHART_COLUMNS[chart]), chart
        else:
            empty.append(chart)
    assert "survey_nps" in empty  # no survey answered in this store: its header alone
    daily = list(csv.DictReader(io.StringIO(await (await client.get("/api/trends.csv?chart=daily",
                                                                    headers=auth)).text())))
    assert sum(int(d["total"]) for d in daily) == 60
    bad = await client.get("/api/trends.csv?chart=pie", headers=auth)
    assert bad.status == 400 and "chart must be one of" in (await bad.json())["error"]["message"]


async def test_survey_comments_reach_marketing(client: TestClient, web_store: Store) -> None:
    now = datetime.now(UTC).isoformat()

    def answered(db: Database) -> None:
        db.conn.execute("INSERT INTO surveys (token, conversation_id, kind, agent, brand, platform, created_at, "
                        "answered_at, score, comment) VALUES ('tok-m', 1, 'csat', 'agent', 'skylark', 'x', ?, ?, 2, "
                        "'<script>alert(1)</script> too slow')", (now, now))

    await web_store.write(answered)
    auth = await _token(web_store, "marketing")
    data = await (await client.get("/api/trends?brand=skylark", headers=auth)).json()
    assert [c["comment"] for c in data["survey_comments"]] == ["<script>alert(1)</script> too slow"]
    page = await (await client.get("/trends?brand=skylark", headers=auth)).text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; too slow" in page


def test_all_brands_means_our_own_brands_in_the_charts_and_the_posts_behind_them(tmp_path: object) -> None:
    """'All brands' summed the brands configured as competitors and brands since removed into our volume,
    complaints and estimated NPS, while the posts behind the chart were ours only (450 against 400)."""
    from datetime import timedelta
    from pathlib import Path

    from careline.app.web.migrations import WEB
    from careline.app.web.trends import PostFilter, own_brands, posts, trends
    from careline.settings import BrandSettings
    from tests.helpers.seed import seed

    now = datetime.now(UTC)
    store = Store(Path(str(tmp_path)) / "t.db", extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 90, now, brands=("skylark", "globex", "gone")))
        brands = [BrandSettings(name="skylark"), BrandSettings(name="globex", kind="competitor")]
        data = store.read_sync(lambda db: trends(db, now, brands, days=30))
        charted = sum(d["negative"] + d["neutral"] + d["positive"] for d in data["daily"])
        ours = store.read_sync(lambda db: db.conn.execute(
            "SELECT count(*) FROM mentions m JOIN classifications c ON c.mention_key = m.key "
            "WHERE m.brand = 'skylark'").fetchone()[0])
        behind = store.read_sync(lambda db: posts(db, PostFilter(now - timedelta(days=30), brands=own_brands(brands))))
        assert charted == ours == behind["total"] and 0 < ours < 90
        assert sum(c for _, c in [(h["hour"], h["count"]) for h in data["hourly"]]) <= ours
    finally:
        store.close_sync()


@pytest.mark.parametrize(("query", "words"), [
    ("days=0", "Days must be a whole number from 1 to 365."), ("days=abc", "Days must be a whole number"),
    ("platform=myspace", "Platform must be one of x, reddit, bluesky, mastodon."),
    ("brand=nobody", "There is no brand &#39;nobody&#39;."),
    ("language=Klingon", "Language must be a code such as de")])
async def test_a_trends_link_the_page_cannot_take_shows_the_default_page_with_the_reason(
        client: TestClient, web_store: Store, query: str, words: str) -> None:
    """/trends?days=0 was an error page in the parser's words ("Input should be greater than or equal to 1")."""
    auth = await _token(web_store, "marketing")
    r = await client.get(f"/trends?{query}", headers={**auth, "Accept": "text/html"})
    page = await r.text()
    assert r.status == 400 and 'id="trends-error"' in page and words in page, page[:2000]
    assert "Showing the last 30 days of our brands instead." in page and 'id="chart-sentiment"' in page
    api = await client.get(f"/api/trends?{query}", headers=auth)
    assert api.status in (400, 422)  # a script still gets the refusal, not other numbers


def test_share_of_voice_counts_a_rival_named_in_any_case_of_any_script(tmp_path: object) -> None:
    """SQLite's lower() folds ASCII only: "öresund air" never counted for "Öresund Air", "AEROMÉXICO" not for
    "Aeroméxico", nor "ΕΛΛΗΝΙΚΗ AIR" (capitals drop the accent) for "Ελληνική Air", and the term drill-down missed
    them the same way; a name typed without its accents counts too. Counted by the triggers (a tracked name, before
    and after the posts) and by the query (a name not tracked yet)."""
    from datetime import timedelta
    from pathlib import Path

    from careline.app.web.migrations import WEB
    from careline.app.web.trends import PostFilter, naming, posts
    from careline.store.trending import any_case_pattern, track_names
    from tests.helpers.seed import seed

    now = datetime.now(UTC)
    store = Store(Path(str(tmp_path)) / "t.db", extra=[WEB]).open_sync()
    rivals = ["Öresund Air", "Ελληνική Air", "Aeroméxico", "Star*Jet [new]"]
    said = ["switching to Öresund Air", "öresund air is better", "ÖRESUND AIR never lost a bag",
            "Ελληνική Air did it right", "ΕΛΛΗΝΙΚΗ AIR was on time", "flying AEROMÉXICO next time",
            "star*jet [NEW] is cheaper", "Starjet new is not the same", "Oresund Air, typed without its umlaut",
            "Aeromexico lost my bag", "Øresund Air is another letter"]
    try:
        def write(db: Database) -> list[int]:
            track_names(db, rivals[:2])  # tracked before the posts: the triggers count them
            ids = seed(db, len(said), now, days=0.01, brands=("skylark",), hostile=False)
            for conv, text in zip(ids, said, strict=True):
                key = db.conn.execute("SELECT m.key FROM mentions m JOIN conversations c ON c.thread_key = "
                                      "m.thread_key WHERE c.id = ?", (conv,)).fetchone()[0]
                # the post as the worker writes it: its reading after its text (the count triggers fire on it)
                row = db.conn.execute("SELECT * FROM classifications WHERE mention_key = ?", (key,)).fetchone()
                db.conn.execute("DELETE FROM classifications WHERE mention_key = ?", (key,))
                db.conn.execute("UPDATE mentions SET text = ? WHERE key = ?", (text, key))
                db.conn.execute(f"INSERT INTO classifications VALUES ({','.join('?' * len(row))})", row)
            track_names(db, rivals[2:3])  # tracked after: counted over the stored posts
            return ids

        store.write_sync(write)
        since = (now - timedelta(days=2)).isoformat()
        got = store.read_sync(lambda db: {r: naming(db, "skylark", r, since, None) for r in rivals})
        assert got == {"Öresund Air": 4, "Ελληνική Air": 2, "Aeroméxico": 2, "Star*Jet [new]": 1}
        found = store.read_sync(lambda db: posts(db, PostFilter(now - timedelta(days=2), term="ελληνική")))
        assert found["total"] == 2

        def migrate_again(db: Database) -> list[tuple[str, str]]:
            """m137 on a database of the old shape: LIKE patterns, counts missing the names in other cases."""
            from careline.store.migrations import m137_tracked_names_in_any_case

            db.conn.execute("UPDATE tracked_names SET pattern = '%' || lower(name) || '%'")
            db.conn.execute("DELETE FROM trend_names")
            m137_tracked_names_in_any_case(db)
            return db.conn.execute("SELECT name, pattern FROM tracked_names ORDER BY name").fetchall()

        patterns = store.write_sync(migrate_again)
        assert dict(patterns)["Öresund Air"] == any_case_pattern("Öresund Air")
        assert store.read_sync(lambda db: {r: naming(db, "skylark", r, since, None) for r in rivals}) == got
        assert any_case_pattern("a*b?") == "*[Aa][*][Bb][?]*"
    finally:
        store.close_sync()
