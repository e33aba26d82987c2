"""Web benchmark: the reply queue with 100,000 stored conversations.

Seeds a temporary SQLite file (``tests.helpers.seed``), starts the real app on 127.0.0.1 with an API
token, and times GET / (the queue page, 100 rows rendered) and GET /api/queue (50 rows) over HTTP.
Prints p50 and p99 in milliseconds. Then, with a lead's token, the lead's SLA page and its JSON
(every conversation of the last 30 days summarised per request, wall-clock and SLA clock
durations): p50 and the slowest of ``--lead-requests``, since each takes far longer; first computed
on every request, then as served (the app holds a summary for five times its cost, then serves it
stale for up to a minute while one refresh runs), then with every request finding it stale.
Usage: ``python benchmarks/web.py [--conversations N] [--requests N] [--lead-requests N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from aiohttp import web
from sqlite_utils import Database

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.keys import SLA_CACHE
from careline.app.web.migrations import WEB
from careline.domain import Role
from careline.settings import BrandSettings, Settings
from careline.store import Store

#: Run as a script, Python puts only this folder on the path; the seeding helper lives in the repository's tests.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))
from tests.helpers.seed import seed  # noqa: E402

BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air"),
          BrandSettings(name="brightwave", display_name="Brightwave")]


def fill(store: Store, n: int, analyze: bool = True) -> tuple[str, str]:
    """Seed ``n`` conversations; returns API tokens for an agent and a lead."""
    now = datetime.now(UTC)
    batch = 20_000
    for start in range(0, n, batch):
        size = min(batch, n - start)
        store.write_sync(lambda db, k=size, s=start: seed(db, k, now, seed=s, hostile=s == 0))
    if analyze:
        store.write_sync(lambda db: db.execute("ANALYZE"))
    def users(db: Database) -> tuple[str, str]:
        create_user(db, "bench", Role.AGENT, "bench-password")
        create_user(db, "bench_lead", Role.LEAD, "bench-password")
        return create_token(db, "bench", "benchmark"), create_token(db, "bench_lead", "benchmark")

    return store.write_sync(users)


def pct(values: list[float], p: int) -> float:
    """The p-th percentile as benchmarks/queue_latency.py takes it (inclusive: never beyond the largest sample)."""
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    """Run ``app`` on a free loopback port for the benchmark's requests; yields its base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def timed(session: aiohttp.ClientSession, url: str, n: int, token: str) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as r:
            await r.read()
            assert r.status == 200, (url, r.status)
        out.append((time.perf_counter() - t0) * 1000)
    return out


async def reports(session: aiohttp.ClientSession, base: str, n: int, lead: str) -> None:
    """The lead's report (``/api/reports/sla``, never cached) for a 30-day range, each split."""
    last = datetime.now(UTC).date()
    first = last - timedelta(days=29)
    for by in ("brand", "platform", "intent", "agent"):
        path = f"/api/reports/sla?from={first}&to={last}&by={by}"
        await timed(session, base + path, 1, lead)
        times = await timed(session, base + path, n, lead)
        print(f"GET {path:<58} p50 {statistics.median(times):6.1f} ms   max {max(times):6.1f} ms   (n={n}, lead)")


async def main(conversations: int, requests: int, lead_requests: int, analyze: bool,
               only_reports: bool = False) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db", extra=[WEB]).open_sync()
        t0 = time.perf_counter()
        token, lead = fill(store, conversations, analyze)
        print(f"seeded {conversations:,} conversations in {time.perf_counter() - t0:.1f} s")
        app = create_app(Settings(brands=BRANDS), store)
        try:
            async with serve(app) as base, aiohttp.ClientSession() as session:
                await reports(session, base, lead_requests, lead)
                if only_reports:
                    return
                for path in ("/", "/api/queue", "/api/queue?brand=skylark&platform=x"):
                    await timed(session, base + path, 3, token)  # warm the readers and the page cache
                    times = await timed(session, base + path, requests, token)
                    print(f"GET {path:<38} p50 {statistics.median(times):6.1f} ms   p99 {pct(times, 99):6.1f} ms"
                          f"   (n={requests})")
                cache = app[SLA_CACHE]
                modes = ((0.0, 0.0, "computed every time"),
                         (cache.ratio, cache.max_stale, "as served: held 5x its cost, then stale-while-revalidate"),
                         (0.0, cache.max_stale, "stale on every request, served while one refresh runs"))
                for ratio, max_stale, how in modes:
                    cache.ratio, cache.max_stale = ratio, max_stale
                    for path in ("/sla", "/api/sla/summary"):
                        await timed(session, base + path, 1, lead)
                        times = await timed(session, base + path, lead_requests, lead)
                        print(f"GET {path:<38} p50 {statistics.median(times):6.1f} ms   max {max(times):6.1f} ms"
                              f"   (n={lead_requests}, lead, {how})")
                        await cache.idle()
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--lead-requests", type=int, default=10)
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE (planner without statistics)")
    parser.add_argument("--only-reports", action="store_true", help="time the lead's report only")
    args = parser.parse_args()
    asyncio.run(main(args.conversations, args.requests, args.lead_requests, not args.no_analyze,
                     args.only_reports))
