"""Ingest benchmark: the simulator publishes N mentions on X; how fast do they get from fetch to stored?

The simulator runs in its own process (it stands for the remote platform, so its CPU is not ours);
the measured process runs the real path: tweepy ``AsyncClient`` -> ``XSearchSource`` (parse,
normalise, drop the brand's own posts) -> ``Poller`` -> ``store_mentions`` + cursor in one SQLite
transaction per page of 100, on a fresh database file. Reported: mentions/s from the first request
to the last commit, and the measured process's peak RSS.

    .venv/bin/python benchmarks/ingest.py                 # 100,000 mentions
    .venv/bin/python benchmarks/ingest.py --write-docs    # also update "## Ingest" in docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import platform
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from careline.settings import BrandSettings, XSourceSettings
from careline.store import Store
from listener.poller import Poller, RetryPolicy
from platforms.x.read import XSearchSource

BRAND = BrandSettings(name="skylark", keywords=["skylark air", "#skylarkair"], handles=["SkylarkAir"],
                      x_user_id="900001", languages=["en"])
REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
DATE = "2026-11-25"
MACHINE = "2-core CPU, 24 GiB"


def scenario(n: int) -> dict[str, Any]:
    users = [{"id": str(10_000 + i), "username": f"flyer{i}", "name": f"Flyer {i}", "followers": i}
             for i in range(2_000)]
    users.append({"id": "900001", "username": "SkylarkAir", "name": "Skylark Air"})
    texts = ("@SkylarkAir my bag never arrived, ref {i}", "Skylark Air delayed flight {i} again #skylarkair",
             "@SkylarkAir thanks for the upgrade on {i}!", "Is Skylark Air's app down? ({i})")
    posts = [{"ref": f"p{i}", "at": i / 1000, "user": f"flyer{i % 2000}", "text": texts[i % 4].format(i=i)}
             for i in range(n)]
    return {"brands": {"skylark": {"x_user_id": "900001", "x_handle": "SkylarkAir"}}, "users": users, "posts": posts}


def serve(n: int, port_out: Any, stop: Any) -> None:
    """Child process: build the world, publish everything, serve until told to stop."""
    from platforms.simulator.server import Simulator
    from platforms.simulator.world import World, load_scenario_data

    async def main() -> None:
        world = load_scenario_data(scenario(n), World(manual=True))
        world.publish_all()
        world.matching("x", "warm", lambda p: True)  # build the timeline indexes before the clock starts
        sim = Simulator(world)
        sim.x.window_limit = 1_000_000  # a raised rate limit: we measure our path, not X's 450 requests/15 min
        await sim.start()
        port_out.send(sim.port)
        await asyncio.to_thread(stop.wait)
        await sim.stop()

    asyncio.run(main())


async def ingest(base_url: str, db: Path) -> dict[str, float]:
    store = await Store(db).open()
    source = XSearchSource(BRAND, XSourceSettings(api_base_url=base_url, bearer_token="bench"))
    await source.start()
    poller = Poller(source, store, max_pages=100_000, retry=RetryPolicy(base_seconds=0.05, retries_per_run=5))
    try:
        started = time.perf_counter()
        result = await poller.run_once()
        elapsed = time.perf_counter() - started
    finally:
        await source.close()
        await store.close()
    if result.status != "ok":
        raise SystemExit(f"ingest failed: {result.error}")
    return {"stored": result.inserted, "read": result.posts_read, "pages": result.pages, "seconds": elapsed}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def run(n: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    child = ctx.Process(target=serve, args=(n, send, stop), daemon=True)
    child.start()
    try:
        if not recv.poll(300):
            raise SystemExit("simulator did not start")
        port = recv.recv()
        with tempfile.TemporaryDirectory(prefix="careline-bench-") as tmp:
            figures = asyncio.run(ingest(f"http://127.0.0.1:{port}", Path(tmp) / "bench.db"))
    finally:
        stop.set()
        child.join(30)
    figures["rate"] = figures["stored"] / figures["seconds"]
    figures["rss"] = peak_rss_mib()
    figures["published"] = n
    figures["load"] = os.getloadavg()[0]
    return figures


def report(f: dict[str, Any]) -> str:
    return "\n".join([
        "## Ingest",
        "",
        f"Date {DATE}; machine: {MACHINE} (this run saw {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}); `benchmarks/ingest.py`.",
        "",
        f"The simulator (its own process) published {f['published']:,} X posts; one `x-search` poller read them "
        "through tweepy's AsyncClient in pages of 100, normalised them and stored each page with its cursor "
        "in one SQLite transaction.",
        "",
        "| figure | value |",
        "|---|---|",
        f"| mentions stored | {f['stored']:,} (of {f['read']:,} posts read) |",
        f"| pages | {f['pages']:,} |",
        f"| fetch to stored | {f['seconds']:.1f} s |",
        f"| **throughput** | **{f['rate']:,.0f} mentions/s** (target: 2,000) |",
        f"| peak RSS of the ingesting process | {f['rss']:.0f} MiB |",
        "",
        f"The machine was shared while this ran (1-minute load average {f['load']:.1f} at the end), so the "
        "figure is a floor rather than a best case. The simulator's X rate limit was raised for the run; "
        "against the real X API, 450 requests per 15 minutes per app cap one source at 45,000 posts per "
        "15 minutes, whatever our throughput.",
        "",
    ])


def write_doc(section: str) -> None:
    """Replace our ``## Ingest`` section, keeping everyone else's sections as they are."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Ingest\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _m: section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text.rstrip() + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000, help="posts the simulator publishes")
    parser.add_argument("--write-docs", action="store_true", help="update the Ingest section of docs/benchmarks.md")
    args = parser.parse_args()
    figures = run(args.mentions)
    section = report(figures)
    sys.stdout.write(section + "\n")
    if args.write_docs:
        write_doc(section)


if __name__ == "__main__":
    main()
