"""Serve the simulated platforms on 127.0.0.1 (never any other interface)."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from platforms.bluesky import simulator as bluesky
from platforms.mastodon import simulator as mastodon
from platforms.reddit import simulator as reddit
from platforms.simulator.world import World
from platforms.x import simulator as x

log = logging.getLogger(__name__)


class Simulator:
    """One aiohttp server carrying every platform face; ``base_url`` goes into the sources' settings."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.app = web.Application()
        self.app[x.WORLD_KEY] = world
        self.x = x.add_routes(self.app, world)
        reddit.add_routes(self.app, world)
        self.bluesky = bluesky.add_routes(self.app, world)
        self.mastodon = mastodon.add_routes(self.app, world)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]
        log.info("platform simulator listening on %s", self.base_url)
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
