"""What matching a competitor's name in any case costs, against the ASCII-only ``lower(text) LIKE`` it replaced.

    .venv/bin/python benchmarks/name_match.py

Share of voice and the trends' term drill-down find a name in each post's text (``careline.store.trending``:
``name_pattern``, ``names_match``). A name in ASCII keeps SQLite's LIKE; any other ("Öresund Air", a Greek or
Cyrillic name) takes GLOB classes of its letters' cases. 200,000 synthetic posts in memory, best of three, both
ways in one run (compare the ratio: this machine is shared).
"""

from __future__ import annotations

import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from careline.store.trending import name_pattern, names_match

POSTS = 200_000


def best_of(conn: sqlite3.Connection, sql: str, arg: str, runs: int = 3) -> tuple[int, float]:
    """(matches, fastest seconds) of ``sql`` over the posts."""
    times, found = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        found = conn.execute(sql, (arg,)).fetchone()[0]
        times.append(time.perf_counter() - start)
    return found, min(times)


def main() -> None:
    words = ["the", "flight", "was", "late", "again", "and", "nobody", "answered", "refund", "please", "Bluejay",
             "Airways", "Öresund", "Air", "is", "better"]
    rnd = random.Random(1)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE posts (text TEXT)")
    conn.executemany("INSERT INTO posts VALUES (?)", [(" ".join(rnd.choice(words) for _ in range(20)),)
                                                      for _ in range(POSTS)])
    for name in ("Bluejay Airways", "Öresund Air"):
        old_n, old_s = best_of(conn, "SELECT count(*) FROM posts WHERE lower(text) LIKE ?", f"%{name.lower()}%")
        new_n, new_s = best_of(conn, f"SELECT count(*) FROM posts WHERE {names_match('text', '?1')}",
                               name_pattern(name))
        print(f"{name}: lower() LIKE {old_n:,} posts in {old_s * 1000:.0f} ms; names_match {new_n:,} posts in "
              f"{new_s * 1000:.0f} ms ({new_s / old_s:.1f}x)")


if __name__ == "__main__":
    main()
