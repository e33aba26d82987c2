"""The path a mention takes after it is stored: classify, then queue. The app wires the stages here.

Each step is idempotent and driven by the ``mentions.stage`` column (new -> classified -> routed), so
the pipeline can be woken any number of times, or killed and restarted, and every stored mention
still reaches the queue exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from careline.domain import utcnow
from careline.settings import Settings
from careline.store import Store
from classifiers.abc import Classifier
from classifiers.worker import classify_pending
from responder.intake import Deadlines, route_classified
from responder.outside import place_brand_posts
from responder.policy import configured_policies, deadlines_for, priority_for

log = logging.getLogger(__name__)


class Pipeline:
    def __init__(self, store: Store, classifier: Classifier, settings: Settings, *,
                 clock: Callable[[], datetime] = utcnow, batch_size: int | None = None) -> None:
        self.store = store
        self.classifier = classifier
        self.settings = settings
        self.clock = clock
        self.batch_size = batch_size or settings.classifier.batch_size
        self.reconfigure(settings)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def reconfigure(self, settings: Settings) -> None:
        """New effective settings: SLA policies and competitor brands apply from the next step on."""
        self.settings = settings
        self.policies = configured_policies(settings)
        self.competitors = frozenset(b.name for b in settings.brands if b.kind == "competitor")

    def due(self, mention: dict[str, Any], at: datetime) -> Deadlines:
        return deadlines_for(self.policies, mention, at)

    async def step(self) -> tuple[int, int]:
        """Classify everything pending, then queue everything classified. Returns both counts."""
        classified = 0
        while True:
            n = await classify_pending(self.store, self.classifier, batch_size=self.batch_size)
            classified += n
            if n == 0:
                break
        routed = 0
        while True:
            n = await self.store.write(functools.partial(
                route_classified, now=self.clock(), due=self.due, priority=priority_for,
                track_only=self.competitors))
            routed += n
            if n == 0:
                break
        outside = await self.store.write(functools.partial(place_brand_posts, now=self.clock()))
        if classified or routed or outside:
            log.info("pipeline: classified %d, queued %d, %d brand repl%s made outside Careline", classified, routed,
                     outside, "y" if outside == 1 else "ies")
        return classified, routed

    def wake(self, _count: int = 0) -> None:
        """Called by pollers after they store something, so the queue fills without waiting."""
        self._wake.set()

    async def run(self, idle_seconds: float = 5.0) -> None:
        while True:
            try:
                await self.step()
            except Exception:
                log.exception("pipeline step failed; retrying after %.0fs", idle_seconds)
            # not asyncio.wait_for: on Python 3.11 it returns, instead of raising, a cancel (stop()) that
            # arrives after the wait finished, e.g. just after a poll's wake(), and stop() then waits forever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(idle_seconds):
                    await self._wake.wait()
            self._wake.clear()

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="careline-pipeline")

    async def stop(self) -> None:
        """Cancel the loop and wait for it; a cancel aimed at the caller while it waits still propagates.

        A cancel the caller had already taken before calling (the service's shutdown running *because* its
        task was cancelled) is not a new one: re-raising it here would skip the rest of that shutdown."""
        if self._task is not None:
            me = asyncio.current_task()
            before = me.cancelling() if me is not None else 0
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                if me is not None and me.cancelling() > before:
                    raise
            self._task = None
