"""Trend days benchmark: what keying the daily counts by the team's days costs (``careline.store.trending``).

Seeds the trends benchmark's posts (``trends.seed``: classified mentions over 90 days, written the way the
worker writes them, so every count trigger fires) into two SQLite files, one counted in UTC days (an
empty ``trend_zone``) and one in New York's (its 258 offset changes), in turn, ``--rounds`` times; prints
each file's seeding rate and their ratio (the cost of finding the offset of each post). Then times
``keep_days_in`` recounting every day-keyed table when the zone changes (what a restart with a new
``service.timezone`` waits for).

    .venv/bin/python benchmarks/trend_days.py [--mentions 50000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from trends import seed  # benchmarks run as scripts: this folder is on the path

from careline.app.web.migrations import WEB
from careline.store import Store
from careline.store.trending import keep_days_in


def seeded(path: Path, zone: str, n: int) -> tuple[Store, float]:
    store = Store(path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: keep_days_in(db, zone))
    return store, seed(store, n)


def main(n: int, rounds: int) -> None:
    rates: dict[str, list[float]] = {"UTC": [], "America/New_York": []}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(rounds):
            for zone in rates:
                store, took = seeded(Path(tmp) / f"{r}-{zone.replace('/', '-')}.db", zone, n)
                rates[zone].append(n / took)
                if zone != "UTC" and r == rounds - 1:
                    for to in ("UTC", zone):
                        t0 = time.perf_counter()
                        store.write_sync(lambda db, to=to: keep_days_in(db, to))
                        took = time.perf_counter() - t0
                        print(f"recount into {to:<17} {took:6.2f} s for {n:,} mentions ({n / took:,.0f}/s)")
                store.close_sync()
    for zone, got in rates.items():
        print(f"seeding, days in {zone:<17} {statistics.median(got):8,.0f} mentions/s "
              f"(rounds: {', '.join(f'{x:,.0f}' for x in got)})")
    ratio = [ny / utc for ny, utc in zip(rates["America/New_York"], rates["UTC"], strict=True)]
    print(f"New York / UTC seeding rate, per round: {', '.join(f'{x:.2f}' for x in ratio)}")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    main(args.mentions, args.rounds)
