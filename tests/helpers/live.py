"""Serve the real app on 127.0.0.1 from a background event loop, for synchronous clients.

Playwright's sync API and Schemathesis's ``case.call`` (requests) block, so the server cannot share
their thread's loop; this runs it on its own loop in a daemon thread, bound to loopback only.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web


class LiveServer:
    """``start()`` returns once ``url`` answers; ``stop()`` cleans the app up on its own loop."""

    def __init__(self, app: web.Application, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """``loop``: a fresh loop that already started other loopback servers (a platform simulator)."""
        self.app, self.url = app, ""
        self._ready = threading.Event()
        self._loop = loop or asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="careline-live-server", daemon=True)
        self._runner: web.AppRunner | None = None

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]

    def start(self) -> LiveServer:
        self._thread.start()
        if not self._ready.wait(30):
            raise RuntimeError("the live server did not start within 30 s")
        return self

    def call(self, coro: Any) -> Any:
        """Run ``coro`` on the server's loop (e.g. start a simulator beside the app) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
