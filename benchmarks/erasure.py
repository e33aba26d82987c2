"""A customer's export and erasure on a large SQLite file: what an admin waits for.

Seeds a temp file through the real migrations (``search.seed``: ``--mentions`` posts in ``--conversations``
threads, one author each, the search index filled by its triggers), gives one customer ``--theirs`` posts in
their thread and has ``--quoting`` other customers quote their name, then times, through the real ``Store``:

* ``export_customer`` (their rows, the brand's replies to them, and every other post, note or reply that names
  them: a scan of the free-text columns, prefiltered by LIKE);
* ``erase_customer`` in its write transaction (the same scan, the deletes, the scrub, the index merge), then the
  checkpoint that takes the erased pages out of the file.

Each erasure runs on a fresh copy of the seeded file, so every sample erases the same customer.

    .venv/bin/python benchmarks/erasure.py [--mentions 150000] [--conversations 30000] [--samples 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from search import NOW, seed  # benchmarks run as scripts: this folder is on the path

from careline.app.web.migrations import WEB
from careline.store import Store
from careline.store.customers import erase_customer, export_customer

STAMP = NOW.isoformat()


def their_posts(store: Store, theirs: int, quoting: int) -> None:
    """Author 0 ("user0", "Person 0") writes ``theirs`` posts in their thread; ``quoting`` others name them."""
    def write(db) -> None:  # type: ignore[no-untyped-def]
        db.conn.execute("UPDATE authors SET name = 'Dana Kowalczyk' WHERE key = 'x:0'")
        db.conn.executemany(
            "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
            "fetched_at, conversation_id, thread_key, raw) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(f"x:d{i}", "x", f"d{i}", "acme", "x-search", "x:0", f"@acme my refund, try {i}", "https://x.invalid",
              STAMP, STAMP, "0", "x:acme:0", "{}") for i in range(theirs)]
            + [(f"x:q{i}", "x", f"q{i}", "acme", "x-search", f"x:{i + 1}", "@acme same as Dana Kowalczyk said",
                "https://x.invalid", STAMP, STAMP, str(i + 1), f"x:acme:{i + 1}", "{}") for i in range(quoting)])

    store.write_sync(write)


def timed_export(path: Path) -> float:
    store = Store(path, extra=[WEB]).open_sync()
    try:
        started = time.perf_counter()
        found = store.read_sync(lambda db: export_customer(db, "x", "user0", now=datetime.now(UTC)))
        took = time.perf_counter() - started
        assert found.tables["mentions"], "the customer was not found"
        return took
    finally:
        store.close_sync()


def timed_erase(seeded: Path, folder: Path, n: int) -> tuple[float, float, int]:
    copy = folder / f"erase-{n}.db"
    shutil.copy(seeded, copy)
    store = Store(copy, extra=[WEB]).open_sync()
    try:
        started = time.perf_counter()
        done = store.write_sync(lambda db: erase_customer(db, "x", "user0", actor="bench", now=datetime.now(UTC)))
        erased = time.perf_counter() - started
        started = time.perf_counter()
        store.checkpoint_sync()
        return erased, time.perf_counter() - started, done.fields_scrubbed
    finally:
        store.close_sync()
        copy.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mentions", type=int, default=150_000)
    parser.add_argument("--conversations", type=int, default=30_000)
    parser.add_argument("--theirs", type=int, default=50, help="the erased customer's own posts")
    parser.add_argument("--quoting", type=int, default=200, help="other customers' posts that name them")
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="careline-erasure-") as tmp:
        folder = Path(tmp)
        seeded = folder / "seeded.db"
        store = Store(seeded, extra=[WEB]).open_sync()
        try:
            seed(store, args.mentions, args.conversations)
            their_posts(store, args.theirs, args.quoting)
            store.checkpoint_sync()
        finally:
            store.close_sync()
        exports = [timed_export(seeded) for _ in range(args.samples)]
        erasures = [timed_erase(seeded, folder, n) for n in range(args.samples)]
    print(f"{args.mentions:,} mentions, {args.conversations:,} conversations; the customer: {args.theirs} posts, "
          f"named in {args.quoting} others'")
    print(f"export   median {statistics.median(exports):.2f} s  (samples: {', '.join(f'{s:.2f}' for s in exports)})")
    print(f"erase    median {statistics.median(e for e, _, _ in erasures):.2f} s  "
          f"checkpoint {statistics.median(c for _, c, _ in erasures) * 1000:.0f} ms  "
          f"fields scrubbed {erasures[0][2]}")


if __name__ == "__main__":
    main()
