"""Trends benchmark: marketing's page over 90 days at 1,000,000 classified mentions (target p50 < 300 ms).

Seeds a temporary SQLite file through the real migrations: ``--mentions`` posts over 90 days on four
platforms and two brands (plus a competitor brand), in six languages, each with its classification
written the way the worker writes it (``INSERT OR REPLACE``), so the trend triggers fill
``trend_daily`` and ``trend_hourly`` exactly as in service; a quarter of the complaints get a topic.
Then starts the real app on 127.0.0.1 and times over HTTP, with a marketing token:

* ``GET /trends?days=90`` (the page: every chart, rising terms, topics, share of voice),
* ``GET /api/trends?days=90`` and with ``brand=``, ``platform=`` and ``language=`` filters (English is 4 in 9
  posts, German 1 in 9: the counts have no language, so a filter reads that language's posts for some charts),
* ``GET /api/trends/posts`` for one day's negative posts (a drill-down click).

Prints p50 and p99 in milliseconds, the seeding time and rate (the triggers' cost), and the load.

    .venv/bin/python benchmarks/trends.py [--mentions 1000000] [--requests 30] [--keep FILE]

``--keep`` reuses a file seeded by an earlier run; reuse it within hours, as the windows end at now.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from sqlite_utils import Database
from tqdm import tqdm
from web import pct, serve, timed  # benchmarks run as scripts: this folder is on the path

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.domain import Role, to_iso
from careline.settings import BrandSettings, Settings
from careline.store import Store
from careline.store.trending import track_names

BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air", competitors=["Bluejay Airways"]),
          BrandSettings(name="brightwave", display_name="Brightwave", competitors=["Copperline"]),
          BrandSettings(name="bluejay", display_name="Bluejay Airways", kind="competitor")]
PLATFORMS = ("x", "x", "reddit", "bluesky", "mastodon")
LANGUAGES = ("en", "en", "en", "en", "de", "es", "fr", "pt", "und")
INTENTS = ("delivery", "refund_return", "billing", "outage_bug", "service_experience", "question", "praise", "other")
WORDS = ("refund", "delayed", "cancelled", "luggage", "charged", "twice", "router", "outage", "app", "login",
         "broken", "waiting", "weeks", "booking", "seat", "voucher", "engineer", "signal", "bill", "contract",
         "great", "thanks", "crew", "lounge", "upgrade", "invoice", "password", "reset", "delivery", "parcel",
         "Bluejay", "Airways", "Copperline")
NOW = datetime.now(UTC)

MENTION = """INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at,
    fetched_at, conversation_id, thread_key, language, raw, stage) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'{}','routed')"""
CLASSIFICATION = """INSERT OR REPLACE INTO classifications (mention_key, model_version, sentiment, sentiment_scores,
    complaint, detractor, intent, intent_scores, classified_at, language) VALUES (?,?,?,'{}',?,?,?,'{}',?,?)"""


def seed(store: Store, n: int, days: int = 90, batch: int = 20_000) -> float:
    """``n`` classified mentions over ``days``, oldest first; returns the seconds it took."""
    rng = random.Random(17)
    span = days * 86400

    def authors(db: Database) -> None:
        db.conn.executemany("INSERT INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                            "VALUES (?,?,?,?,?,?,?)", [(f"a{i}", "x", str(i), f"user{i}", "", to_iso(NOW), to_iso(NOW))
                                                        for i in range(50_000)])

    store.write_sync(authors)
    store.write_sync(lambda db: track_names(db, [r for b in BRANDS for r in b.competitors]))  # as the app does
    t0 = time.perf_counter()
    with tqdm(total=n, unit="mention", desc="seeding") as bar:
        for start in range(0, n, batch):
            mentions, classes, topics = [], [], []
            for i in range(start, min(n, start + batch)):
                at = to_iso(NOW - timedelta(seconds=span * (1 - i / n)))
                brand = ("skylark", "brightwave", "bluejay")[rng.randrange(3) if rng.random() < 0.9 else 2]
                platform, language = rng.choice(PLATFORMS), rng.choice(LANGUAGES)
                text = f"@{brand} " + " ".join(rng.choices(WORDS, k=10))
                key = f"m{i}"
                mentions.append((key, platform, key, brand, "search", f"a{i % 50_000}", text, "https://x.invalid",
                                 at, at, key, f"{platform}:{brand}:{i}", language))
                sentiment = rng.choices(("negative", "neutral", "positive"), (5, 3, 2))[0]
                complaint = rng.random() if sentiment == "negative" else rng.random() * 0.4
                classes.append((key, "bench", sentiment, round(complaint, 3), round(rng.random(), 3),
                                rng.choice(INTENTS), at, language))
                if complaint >= 0.5 and rng.random() < 0.25:
                    topics.append((key, rng.randrange(1, 41), 0.5, at))

            def write(db: Database, m=mentions, c=classes, t=topics) -> None:  # type: ignore[no-untyped-def]
                db.conn.executemany(MENTION, m)
                db.conn.executemany(CLASSIFICATION, c)
                db.conn.executemany("INSERT INTO mention_topics (mention_key, topic_id, similarity, assigned_at) "
                                    "VALUES (?,?,?,?)", t)

            store.write_sync(write)
            bar.update(len(mentions))
    store.write_sync(lambda db: db.conn.executemany(
        "INSERT INTO topics (id, centroid, size, words, label, encoder, created_at, updated_at) "
        "VALUES (?, x'00', 0, '[]', ?, 'bench', ?, ?)", [(i, f"topic {i}", to_iso(NOW), to_iso(NOW))
                                                         for i in range(1, 41)]))
    return time.perf_counter() - t0


async def main(mentions: int, requests: int, keep: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(keep) if keep else Path(tmp) / "bench.db"
        reuse = path.exists()
        store = Store(path, extra=[WEB]).open_sync()
        if reuse:  # seeded by an earlier run with --keep (within hours: the windows end at the real now)
            count = store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM mentions").fetchone()[0])
            print(f"reusing {path} ({count:,} mentions)")
        else:
            took = seed(store, mentions)
            print(f"seeded {mentions:,} classified mentions over 90 days in {took:.0f} s "
                  f"({mentions / took:,.0f}/s, trend triggers included)")
            store.write_sync(lambda db: db.execute("ANALYZE"))
        rows = store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM trend_daily").fetchone()[0])
        print(f"trend_daily holds {rows:,} rows")
        token = store.write_sync(lambda db: (reuse or create_user(db, "bench", Role.MARKETING, "bench-password"),
                                             create_token(db, "bench", "benchmark"))[1])
        app = create_app(Settings(brands=BRANDS), store)
        day = (NOW - timedelta(days=3)).strftime("%Y-%m-%d")
        try:
            async with serve(app) as base, aiohttp.ClientSession() as session:
                for path in ("/trends?days=90", "/api/trends?days=90", "/api/trends?days=90&brand=skylark",
                             "/api/trends?days=90&platform=bluesky", "/trends?days=30",
                             "/api/trends?days=90&language=en", "/api/trends?days=90&language=de",
                             "/trends?days=30&language=und",
                             f"/api/trends/posts?days=90&day={day}&sentiment=negative"):
                    await timed(session, base + path, 2, token)  # warm the readers
                    times = await timed(session, base + path, requests, token)
                    print(f"GET {path:<58} p50 {statistics.median(times):6.1f} ms   p99 {pct(times, 99):6.1f} ms"
                          f"   (n={requests})")
        finally:
            await store.close()
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--keep", help="seed into this file once and reuse it on later runs")
    args = parser.parse_args()
    asyncio.run(main(args.mentions, args.requests, args.keep))
