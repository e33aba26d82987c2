"""Soak benchmark: the whole service on the simulator at high speed, faults injected, the web app polled.

Starts what ``careline demo`` starts (simulator, real tweepy/asyncpraw pollers, the model, the
scheduler jobs, the web app) in this process, then for ``--minutes``:

* customers keep posting: a new X post mentioning @SkylarkAir every ``--post-every`` seconds, each
  carrying a unique token, so the posts that must be stored are known exactly;
* every 2 s one fault (429, 500, timeout, truncated page, malformed item, duplicate, out of order,
  bad JSON) is queued on a random simulator endpoint, replies' ``create`` included;
* two agents claim the top conversation and send a reply with a unique token, retrying failed ones;
  a lead and marketing poll their pages; every page and API answer's status is counted.

At the end faults stop, the pollers drain for ``--drain`` seconds, and it prints: RSS at warm-up and at
the end (growth in %), the 5xx count, lost mentions (soak posts visible before the drain that are not
stored), doubled mentions (a platform id stored twice), lost replies (sent in the database, absent on
the platform) and doubled replies (one reply token posted twice). Targets: all 0, RSS growth < 10 %.

Usage: ``python benchmarks/soak.py [--minutes 30] [--speed 20] [--classifier minilm|vader]``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import psutil

from careline.app.service import REPO, _seed_demo_users, demo_settings, point_sources_at, running
from careline.app.web.auth import create_token
from careline.settings import Settings
from platforms.simulator.server import Simulator
from platforms.simulator.world import FAULT_KINDS, Fault, SimPost, World, load_scenario

ENDPOINTS = ("search", "mentions", "create", "reddit-search", "reddit-new", "reddit-comments", "reddit-mentions",
             "reddit-comment")
REPLY_TOKEN = re.compile(r"\[soak-reply-\d+\]")


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    rss: list[tuple[float, int]] = field(default_factory=list)
    posts: dict[str, str] = field(default_factory=dict)  # soak token -> platform id
    replies_sent: int = 0
    faults: int = 0


async def customers(world: World, tally: Tally, stop: asyncio.Event, every: float) -> None:
    """Known posts that must end up stored: each mentions the brand and carries a token."""
    users = [u for u in world.users.values() if u.platform == "x" and u.id not in ("900001", "900002")]
    texts = ("@SkylarkAir my bag never arrived and nobody answers", "@SkylarkAir flight delayed 4 hours, refund?",
             "@SkylarkAir crew were lovely today, thank you", "@SkylarkAir is the app down? can't check in")
    for n in itertools.count(1):
        if stop.is_set():
            return
        token = f"[soak-{n}]"
        post = world.append_live(SimPost(ref=f"soak{n}", at=0, platform="x", user=random.choice(users),
                                         text=f"{random.choice(texts)} {token}"))
        tally.posts[token] = post.id
        await asyncio.sleep(every)


async def chaos(world: World, tally: Tally, stop: asyncio.Event) -> None:
    while not stop.is_set():
        kind = random.choice(FAULT_KINDS)
        world.inject(random.choice(ENDPOINTS), Fault(kind, seconds=2.0 if kind == "timeout" else 0.0))
        tally.faults += 1
        await asyncio.sleep(2)


async def _get(http: aiohttp.ClientSession, url: str, token: str, tally: Tally) -> aiohttp.ClientResponse:
    async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as r:
        await r.read()
        _count(tally, "GET", url, r.status)
        return r


def _count(tally: Tally, method: str, url: str, status: int) -> None:
    tally.statuses[status] += 1
    if status >= 500:
        tally.server_errors.append(f"{method} {url} -> {status}")


async def _post(http: aiohttp.ClientSession, url: str, token: str, body: dict, tally: Tally) -> tuple[int, dict]:
    async with http.post(url, json=body, headers={"Authorization": f"Bearer {token}"}) as r:
        data = await r.json(content_type=None)
        _count(tally, "POST", url, r.status)
        return r.status, data if isinstance(data, dict) else {}


async def agent(base: str, token: str, tally: Tally, stop: asyncio.Event, counter: itertools.count) -> None:
    """Claim the most urgent new conversation, reply with a unique token, retry what failed."""
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            async with http.get(f"{base}/api/queue?limit=3&status=new",
                                headers={"Authorization": f"Bearer {token}"}) as r:
                _count(tally, "GET", "/api/queue", r.status)
                items = (await r.json()).get("items", []) if r.status == 200 else []
            for item in items[:1]:
                status, _ = await _post(http, f"{base}/api/conversations/{item['id']}/claim", token, {}, tally)
                if status != 200:
                    continue  # the other agent was first
                n = next(counter)
                status, reply = await _post(http, f"{base}/api/conversations/{item['id']}/replies", token,
                                            {"text": f"Sorry about this, we're on it. [soak-reply-{n}]",
                                             "idempotency_key": f"soak-reply-{n}"}, tally)
                if reply.get("state") == "failed":
                    await asyncio.sleep(1)
                    await _post(http, f"{base}/api/replies/{reply['id']}/retry", token, {}, tally)
                tally.replies_sent += 1
            await asyncio.sleep(1.5)


async def watchers(base: str, tokens: dict[str, str], tally: Tally, stop: asyncio.Event) -> None:
    pages = [("lead", "/sla"), ("lead", "/api/sla/summary"), ("marketing", "/api/trends?days=7"),
             ("marketing", "/trends"), ("agent", "/"), ("agent", "/health"), ("agent", "/api/queue?limit=50")]
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            for who, path in pages:
                await _get(http, base + path, tokens[who], tally)
            await asyncio.sleep(1)


async def memory(tally: Tally, stop: asyncio.Event) -> None:
    proc = psutil.Process()
    while not stop.is_set():
        tally.rss.append((time.monotonic(), proc.memory_info().rss))
        await asyncio.sleep(5)


def _check(settings: Settings, world: World, tally: Tally, visible_before: set[str]) -> dict[str, int]:
    import sqlite3

    conn = sqlite3.connect(settings.service.database)
    try:
        stored = {r[0] for r in conn.execute("SELECT platform_id FROM mentions WHERE platform = 'x'")}
        doubled_mentions = conn.execute("SELECT count(*) FROM (SELECT platform, platform_id FROM mentions "
                                        "GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0]
        sent = conn.execute("SELECT platform_id, text FROM replies WHERE state = 'sent'").fetchall()
    finally:
        conn.close()
    posted = Counter(m.group(0) for p in world.posts for m in [REPLY_TOKEN.search(p.text)] if m)
    recorded = [m.group(0) for _, text in sent for m in [REPLY_TOKEN.search(text)] if m]
    return {"soak posts": len(tally.posts), "lost mentions": len(visible_before - stored),
            "doubled mentions": int(doubled_mentions), "replies sent": len(sent),
            "lost replies": sum(1 for token in recorded if token not in posted),  # 'sent' but not on the platform
            "doubled replies": sum(1 for c in posted.values() if c > 1)}


async def soak(minutes: float, speed: float, classifier: str, post_every: float, drain: float) -> None:
    db = Path(tempfile.mkdtemp(prefix="careline-soak-")) / "careline.db"
    base_settings = demo_settings(port=0, database=str(db), classifier=classifier)
    world = load_scenario(REPO / "data/demo/scenario.json", World(speed=speed, start_offset=300.0))
    sim = Simulator(world)
    settings = point_sources_at(base_settings, await sim.start(0))
    tally, stop, drained = Tally(), asyncio.Event(), asyncio.Event()
    try:
        async with running(settings) as svc:
            await _seed_demo_users(svc.store)
            tokens = {who: await svc.store.write(lambda db, w=who: create_token(db, w, "soak"))
                      for who in ("agent", "lead", "marketing")}
            second = await svc.store.write(lambda db: create_token(db, "admin", "soak"))  # a second agent
            counter, base = itertools.count(1), svc.url.rstrip("/")
            load = [asyncio.create_task(c) for c in (
                customers(world, tally, stop, post_every), chaos(world, tally, stop),
                agent(base, tokens["agent"], tally, stop, counter), agent(base, second, tally, stop, counter),
                watchers(base, tokens, tally, drained), memory(tally, drained))]
            started = time.monotonic()
            await asyncio.sleep(minutes * 60)
            stop.set()
            visible_before = set(tally.posts.values())
            print(f"load stopped after {(time.monotonic() - started) / 60:.1f} min; draining {drain:.0f} s")
            await asyncio.sleep(drain)
            drained.set()
            await asyncio.gather(*load)
            result = _check(settings, world, tally, visible_before)
    finally:
        await sim.stop()
    _report(tally, result)


def _report(tally: Tally, result: dict[str, int]) -> None:
    samples = [rss for _, rss in tally.rss]
    warm = samples[len(samples) // 10: len(samples) // 10 + 6] or samples[:1]  # after the model and caches settle
    end = samples[-6:]
    first, last = statistics.median(warm), statistics.median(end)
    print(f"requests: {sum(tally.statuses.values())} ({dict(sorted(tally.statuses.items()))}); "
          f"faults injected: {tally.faults}")
    print(f"5xx: {len(tally.server_errors)}" + (f" (first: {tally.server_errors[:3]})" if tally.server_errors else ""))
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"RSS: {first / 2**20:.0f} MiB after warm-up -> {last / 2**20:.0f} MiB at the end "
          f"({(last - first) / first * 100:+.1f} %)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--speed", type=float, default=20.0, help="simulated seconds per real second")
    ap.add_argument("--classifier", choices=["minilm", "vader"], default="minilm")
    ap.add_argument("--post-every", type=float, default=1.0, help="seconds between soak posts")
    ap.add_argument("--drain", type=float, default=45.0, help="seconds the pollers get after the faults stop")
    args = ap.parse_args()
    asyncio.run(soak(args.minutes, args.speed, args.classifier, args.post_every, args.drain))


if __name__ == "__main__":
    main()
