"""Queue latency with 100,000 open conversations: "next item" reads and claim-next writes.

Seeds a temp SQLite file (real migrations, realistic column values), then times, through the real
``Store`` (thread hop included), the agent's "next" read (top of the queue) and ``claim_next``
(the atomic read-and-claim). Prints p50/p95/p99 in milliseconds. Target: p99 < 20 ms.

    .venv/bin/python benchmarks/queue_latency.py [--conversations 100000] [--samples 500]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from careline.store import Store
from careline.views import queue_rows
from responder import queue

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def seed(store: Store, n: int) -> None:
    rng = random.Random(7)

    def write(db) -> None:
        db.conn.executemany(
            "INSERT INTO authors (key, platform, platform_id, handle, first_seen, last_seen) VALUES (?,?,?,?,?,?)",
            [(f"x:{i}", "x", str(i), f"user{i}", NOW.isoformat(), NOW.isoformat()) for i in range(n)])
        db.conn.executemany(
            """INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at,
                   fetched_at, conversation_id, thread_key, raw, stage) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,'routed')""",
            [(f"x:{i}", "x", str(i), "acme", "x-search", f"x:{i}", f"@acme problem {i}", f"https://x.com/{i}",
              (NOW - timedelta(seconds=i)).isoformat(), NOW.isoformat(), str(i), f"x:acme:{i}", "{}")
             for i in range(n)])
        db.conn.executemany(
            """INSERT INTO conversations (thread_key, platform, brand, author_key, status, priority, created_at,
                   updated_at, last_customer_at, first_response_due) VALUES (?,?,?,?,?,?,?,?,?,?)""",
            [(f"x:acme:{i}", "x", "acme", f"x:{i}", "new", round(rng.random() * 100, 2),
              (NOW - timedelta(seconds=i)).isoformat(), NOW.isoformat(), NOW.isoformat(),
              (NOW + timedelta(minutes=rng.randint(-60, 600))).isoformat()) for i in range(n)])
        db.conn.execute("INSERT INTO users (username, role, created_at) VALUES ('ann', 'agent', ?)", (NOW.isoformat(),))

    store.write_sync(write)


def timed(fn, samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    q = statistics.quantiles(ms, n=100, method="inclusive")  # never beyond the largest sample
    print(f"{name:<28} n={len(ms):<5} p50={statistics.median(ms):6.2f} ms  p95={q[94]:6.2f} ms  "
          f"p99={q[98]:6.2f} ms  max={max(ms):6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db").open_sync()
        t0 = time.perf_counter()
        seed(store, args.conversations)
        print(f"seeded {args.conversations:,} open conversations in {time.perf_counter() - t0:.1f}s")
        reads = timed(lambda: store.read_sync(lambda db: queue_rows(db, limit=1)), args.samples)
        page = timed(lambda: store.read_sync(lambda db: queue_rows(db, limit=50)), args.samples)
        claims = timed(lambda: store.write_sync(lambda db: queue.claim_next(db, "ann", now=NOW)), args.samples)
        report("next item (read, top 1)", reads)
        report("queue page (read, top 50)", page)
        report("claim next (write)", claims)
        store.close_sync()


if __name__ == "__main__":
    main()
