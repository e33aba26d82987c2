"""Child process: the real app, the X simulator and a reply sender, serving one small team.

Usage: ``python -m tests.helpers.team_server DB``. It polls the tiny scenario through tweepy into the
SQLite file, queues it, creates two agents and a lead with API tokens, prints one JSON line (the app's
URL, the tokens, a conversation id) and serves until SIGTERM; then it prints how many replies the
simulator received, as JSON, and exits. The concurrency test drives it from other processes.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from aiohttp import web

from careline.app.pipeline import Pipeline
from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.settings import Settings, XSourceSettings
from careline.store import Store
from classifiers.lexicon import LexiconClassifier
from listener.poller import Poller
from platforms.simulator.server import Simulator
from platforms.simulator.world import World, load_scenario_data
from platforms.x.read import XSearchSource
from platforms.x.reply import XReplySender
from tests.conftest import BRAND, tiny_scenario

PEOPLE = (("ada", "agent"), ("bob", "agent"), ("lee", "lead"))


async def main(db: str) -> None:
    world = load_scenario_data(tiny_scenario(3), World(manual=True))
    world.publish_all()
    sim = Simulator(world)
    await sim.start()
    x = XSourceSettings(api_base_url=sim.base_url, bearer_token="t")
    settings = Settings(brands=[BRAND])
    store = await Store(db).open()
    source = XSearchSource(BRAND, x)
    await source.start()
    await Poller(source, store).run_once()
    await source.close()
    await Pipeline(store, LexiconClassifier(), settings).step()

    def people(database: object) -> dict[str, str]:
        for name, role in PEOPLE:
            create_user(database, name, role, "a long enough password")  # type: ignore[arg-type]
        return {name: create_token(database, name, "concurrency test") for name, _ in PEOPLE}  # type: ignore[arg-type]

    tokens = await store.write(people)
    conv = await store.read(lambda d: d.conn.execute("SELECT min(id) FROM conversations").fetchone()[0])
    before = len(world.posts)
    sender = XReplySender(x, handle="SkylarkAir", bearer_token="SkylarkAir")
    runner = web.AppRunner(create_app(settings, store, senders={"x": sender}), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(json.dumps({"url": f"http://127.0.0.1:{port}", "tokens": tokens, "conversation": conv}), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await runner.cleanup()
    posted = [p for p in world.posts[before:] if p.user.username == "SkylarkAir"]
    print(json.dumps({"posted": len(posted), "texts": [p.text for p in posted]}), flush=True)
    await sim.stop()
    await store.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
