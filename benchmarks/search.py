"""Search and deep queue pages on a large SQLite file: the agent workspace's speed targets.

Seeds a temp file through the real migrations (the FTS5 index is filled by the same triggers the
listener's writes fire) with ``--mentions`` customer messages in ``--conversations`` threads, then
times, through the real ``Store`` (thread hop included):

* search: a common word, a rarer word, a handle, two words, a prefix; first page and a page deep in
  the results (keyset by the last hit);
* search in a script written without spaces (``--unspaced-share`` of the posts are Chinese, m138's trigram index):
  a word inside a run, a two-character word (a scan of that index), two words;
* the queue page (50 rows) at page 1, 100 and 1,000, by keyset cursor, and by OFFSET for comparison.

Targets (issue 16): search p95 < 100 ms at 1,000,000 mentions; queue page p95 < 200 ms at any depth.

    .venv/bin/python benchmarks/search.py [--mentions 1000000] [--conversations 200000] [--samples 60]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from queue_latency import report, timed  # benchmarks run as scripts: this folder is on the path
from tqdm import tqdm

from careline.store import Store
from careline.views import QueueCursor, queue_rows, search_rows

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
#: Chinese words the unspaced posts are made of, run together as Chinese is written.
HAN = ("退款", "航班", "延误", "行李", "客服", "电话", "没人接", "网络", "账单", "重复扣费", "取消", "酒店",
       "已经", "三天", "太失望了", "请尽快", "处理", "包裹")
WORDS = ("refund", "delayed", "cancelled", "luggage", "charged", "twice", "router", "outage", "app", "login",
         "broken", "waiting", "weeks", "booking", "seat", "voucher", "engineer", "signal", "bill", "contract",
         "great", "thanks", "crew", "lounge", "upgrade", "invoice", "password", "reset", "delivery", "parcel")


INSERT_MENTION = """INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url,
    created_at, fetched_at, conversation_id, thread_key, raw, stage) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'routed')"""


def seed(store: Store, mentions: int, conversations: int, batch: int = 20_000, unspaced: float = 0.0) -> None:
    rng = random.Random(11)
    stamp = NOW.isoformat()

    def authors(db) -> None:
        db.conn.executemany("INSERT INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                            "VALUES (?,?,?,?,?,?,?)",
                            [(f"x:{i}", "x", str(i), f"user{i}", f"Person {i}", stamp, stamp)
                             for i in range(conversations)])
        db.conn.executemany(
            """INSERT INTO conversations (thread_key, platform, brand, author_key, status, priority, created_at,
                   updated_at, last_customer_at, first_response_due) VALUES (?,?,?,?,?,?,?,?,?,?)""",
            [(f"x:acme:{i}", "x", "acme", f"x:{i}", rng.choice(("new", "open", "pending", "resolved")),
              round(rng.random() * 100, 2), stamp, stamp, stamp,
              (NOW + timedelta(minutes=rng.randint(-600, 600))).isoformat()) for i in range(conversations)])

    store.write_sync(authors)
    with tqdm(total=mentions, unit="mention", desc="seeding") as bar:
        for start in range(0, mentions, batch):
            rows = []
            for i in range(start, min(mentions, start + batch)):
                conv = rng.randrange(conversations)
                text = "@acme " + (" ".join(rng.choices(WORDS, k=8)) if rng.random() >= unspaced
                                   else "".join(rng.choices(HAN, k=8))) + f" ref{i}"
                at = (NOW - timedelta(seconds=mentions - i)).isoformat()
                rows.append((f"x:m{i}", "x", f"m{i}", "acme", "x-search", f"x:{conv}", text, "https://x.invalid",
                             at, at, str(conv), f"x:acme:{conv}", "{}"))
            store.write_sync(lambda db, r=rows: db.conn.executemany(INSERT_MENTION, r))
            bar.update(len(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mentions", type=int, default=1_000_000)
    ap.add_argument("--conversations", type=int, default=200_000)
    ap.add_argument("--samples", type=int, default=60)
    ap.add_argument("--unspaced-share", type=float, default=0.1, help="share of the posts written in Chinese")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db").open_sync()
        t0 = time.perf_counter()
        seed(store, args.mentions, args.conversations, unspaced=args.unspaced_share)
        print(f"seeded {args.mentions:,} mentions in {args.conversations:,} conversations "
              f"in {time.perf_counter() - t0:.0f} s (FTS5 filled by triggers)")
        for text in ("refund", "lounge upgrade", "user4242", "ref99999", "pass"):
            report(f"search {text!r}, first page",
                   timed(lambda t=text: store.read_sync(lambda db: search_rows(db, t, limit=50)), args.samples))
        for text in ("没人接", "网络", "客服 退款", "根本不存在", "黑洞"):  # the last two: in no post (a whole scan)
            report(f"search {text!r} (Chinese), first page",
                   timed(lambda t=text: store.read_sync(lambda db: search_rows(db, t, limit=50)), args.samples))
        _, deep = store.read_sync(lambda db: search_rows(db, "refund", limit=50))
        for _ in range(20):
            _, deep = store.read_sync(lambda db, d=deep: search_rows(db, "refund", limit=50, before=d))
        report("search 'refund', page 22 (keyset)", timed(
            lambda: store.read_sync(lambda db: search_rows(db, "refund", limit=50, before=deep)), args.samples))
        report("search 'refund' among new only", timed(
            lambda: store.read_sync(lambda db: search_rows(db, "refund", limit=50, status="new")), args.samples))
        for page in (1, 100, 1000):
            cursor = None
            if page > 1:
                found = store.read_sync(lambda db, p=page: queue_rows(db, limit=1, offset=(p - 1) * 50 - 1))
                if not found:
                    print(f"queue page {page}: the queue has fewer rows; skipped")
                    continue
                cursor = QueueCursor.after_row(found[0])
            keyset = timed(lambda c=cursor: store.read_sync(lambda db: queue_rows(db, limit=50, after=c)), args.samples)
            offset = timed(lambda p=page: store.read_sync(lambda db: queue_rows(db, limit=50, offset=(p - 1) * 50)),
                           max(5, args.samples // 4))
            report(f"queue page {page} (keyset)", keyset)
            report(f"queue page {page} (offset, for comparison)", offset)
            print(f"{'':<44} offset / keyset at p50: {statistics.median(offset) / statistics.median(keyset):.1f}x")
        store.close_sync()


if __name__ == "__main__":
    main()
