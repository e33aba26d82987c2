"""Login-flood benchmark: 8 clients guess passwords while an agent polls; the agent must not notice.

The real app runs in its own process on 127.0.0.1 over a temporary SQLite file (2,000 seeded
conversations), and the attackers in another (its start-up time is inside the flood's seconds).
An agent logs in through the form and polls GET /api/me and GET /api/queue with its session
cookie, one request every 20 ms; first alone (baseline), then while ``--clients`` clients post
wrong passwords to /login as fast as answers come back, for ``--seconds``. Prints the agent's
p50/p99/max in milliseconds and how the flood was answered (401 = the password was checked,
429 = refused by the throttle before any hashing).

Three runs: with the shipped limits (``accounts.*_attempts``), one guess in flight per client; the
same with ``--in-flight`` guesses outstanding per client (an attacker that does not wait for the
held-back 429s); and with limits raised so high that every guess reaches scrypt, which shows what
the separate hashing thread alone buys.
Usage: ``python benchmarks/login_flood.py [--clients 8] [--seconds 20]``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import re
import statistics
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

AGENT_PASSWORD = "an agent's long passphrase"


def serve(db_path: str, limits: tuple[str, str], port_out: multiprocessing.connection.Connection) -> None:
    """The server process: seed, start the app on 127.0.0.1:0, report the port, serve until killed."""
    from aiohttp import web

    from careline.app.web.app import create_app
    from careline.app.web.auth import create_user
    from careline.app.web.migrations import WEB
    from careline.domain import Role
    from careline.settings import AccountsSettings, BrandSettings, Settings
    from careline.store import Store
    from tests.helpers.seed import seed

    store = Store(db_path, extra=[WEB]).open_sync()
    now = datetime.now(UTC)

    def fill(db):  # type: ignore[no-untyped-def]
        seed(db, 2000, now)
        create_user(db, "agent", Role.AGENT, AGENT_PASSWORD)
        create_user(db, "admin", Role.ADMIN, "the admin's secret passphrase")

    store.write_sync(fill)
    settings = Settings(brands=[BrandSettings(name="skylark", display_name="Skylark Air"),
                                BrandSettings(name="brightwave", display_name="Brightwave")],
                        accounts=AccountsSettings(account_attempts=limits[0], address_attempts=limits[1]))

    async def run() -> None:
        runner = web.AppRunner(create_app(settings, store), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port_out.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(run())


def pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


async def login_form(session: aiohttp.ClientSession, base: str) -> str:
    async with session.get(f"{base}/login") as r:
        return re.findall(r'name="csrf_token" value="([^"]+)"', await r.text())[-1]


async def agent_session(base: str) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # cookies for 127.0.0.1
    token = await login_form(session, base)
    async with session.post(f"{base}/login", data={"username": "agent", "password": AGENT_PASSWORD,
                                                   "csrf_token": token}, allow_redirects=False) as r:
        assert r.status == 303, r.status
    return session


async def poll(session: aiohttp.ClientSession, base: str, stop: asyncio.Event, out: list[float]) -> None:
    """The agent's page: who am I, then the queue, every 20 ms."""
    paths = ("/api/me", "/api/queue")
    i = 0
    while not stop.is_set():
        t0 = time.perf_counter()
        async with session.get(base + paths[i % 2]) as r:
            await r.read()
            assert r.status == 200, r.status
        out.append((time.perf_counter() - t0) * 1000)
        i += 1
        await asyncio.sleep(0.02)


async def flood(base: str, stop: asyncio.Event, answers: Counter[int], n: int, in_flight: int) -> None:
    """One attacker: wrong passwords for admin and for made-up names, as fast as answers come, with
    ``in_flight`` requests outstanding at once."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     connector=aiohttp.TCPConnector(limit=0)) as session:
        token = await login_form(session, base)

        async def guesser(lane: int) -> None:
            i = 0
            while not stop.is_set():
                user = "admin" if i % 2 else f"user{n}-{lane}-{i}"
                async with session.post(f"{base}/login", data={"username": user, "password": f"guess {i}",
                                                               "csrf_token": token}, allow_redirects=False) as r:
                    await r.read()
                    answers[r.status] += 1
                i += 1

        await asyncio.gather(*(guesser(lane) for lane in range(in_flight)))


def flood_process(base: str, clients: int, in_flight: int, seconds: float,
                  out: multiprocessing.connection.Connection) -> None:
    """The attackers, in a process of their own (as they would be on other machines): their event
    loop's work does not delay the agent's requests on the client side."""

    async def run() -> Counter[int]:
        answers: Counter[int] = Counter()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(flood(base, stop, answers, n, in_flight)) for n in range(clients)]
        await asyncio.sleep(seconds)
        stop.set()
        await asyncio.gather(*tasks)
        return answers

    out.send(dict(asyncio.run(run())))


async def measure(base: str, clients: int, seconds: float, in_flight: int) -> None:
    agent = await agent_session(base)
    ctx = multiprocessing.get_context("spawn")
    try:
        alone: list[float] = []
        stop = asyncio.Event()
        task = asyncio.create_task(poll(agent, base, stop, alone))
        await asyncio.sleep(seconds / 2)
        stop.set()
        await task
        during: list[float] = []
        here, there = ctx.Pipe()
        attackers = ctx.Process(target=flood_process, args=(base, clients, in_flight, seconds, there), daemon=True)
        t0 = time.perf_counter()
        attackers.start()
        stop = asyncio.Event()
        task = asyncio.create_task(poll(agent, base, stop, during))
        answers = Counter(await asyncio.get_running_loop().run_in_executor(None, here.recv))
        elapsed = time.perf_counter() - t0
        stop.set()
        await task
        attackers.join(10)
    finally:
        await agent.close()
    for label, values in (("agent alone", alone), (f"agent during flood ({clients}x{in_flight} in flight)", during)):
        print(f"  {label:<38} n={len(values):>5}  p50 {pct(values, 50):6.1f} ms  p99 {pct(values, 99):6.1f} ms  "
              f"max {max(values):6.1f} ms")
    total = sum(answers.values())
    print(f"  flood: {total:,} login posts in {elapsed:.1f} s ({total / elapsed:,.0f}/s): "
          + ", ".join(f"{status}: {count:,}" for status, count in sorted(answers.items())))


def run_case(label: str, limits: tuple[str, str], clients: int, seconds: float, in_flight: int = 1) -> None:
    print(f"{label}: account {limits[0]!r}, address {limits[1]!r}")
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        here, there = ctx.Pipe()
        server = ctx.Process(target=serve, args=(str(Path(tmp) / "flood.db"), limits, there), daemon=True)
        server.start()
        try:
            port = here.recv()
            asyncio.run(measure(f"http://127.0.0.1:{port}", clients, seconds, in_flight))
        finally:
            server.terminate()
            server.join(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--in-flight", type=int, default=16, help="Requests each client keeps outstanding in the "
                        "last run (an attacker that does not wait for answers).")
    args = parser.parse_args()
    from careline.settings import AccountsSettings

    shipped = AccountsSettings()
    limits = (shipped.account_attempts, shipped.address_attempts)
    run_case("shipped limits", limits, args.clients, args.seconds)
    run_case("shipped limits, many guesses in flight", limits, args.clients, args.seconds, args.in_flight)
    run_case("no effective limit (every guess is hashed)", ("1000000/minute", "1000000/minute"), args.clients,
             args.seconds)


if __name__ == "__main__":
    main()
