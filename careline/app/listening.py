"""The pollers and their scheduler jobs, kept in step with the effective settings.

A poller's source is built from one brand and one platform section, so when an admin changes brands
(keywords, handles, exclusions, accounts) or sources (enabled, interval, X daily budget), the affected
pollers are retired and rebuilt, and their jobs rescheduled, without a restart. Nothing is lost on the
way: a poll that is running finishes before its source is closed (each poller has its own gate), and
the new poller resumes from the cursor the old one committed (cursors and daily spend live in SQLite).
The reply senders follow too: added, rebuilt or closed with their brand.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from careline.platform import ReplySender
from careline.settings import BrandSettings, Settings
from careline.store import Store
from listener.poller import Poller
from listener.registry import build_pollers
from platforms.registry import build_senders, build_sources
from responder.sending import SEND_LEASE

log = logging.getLogger(__name__)


@dataclass
class Listening:
    """Owns ``pollers`` (the service's list, changed in place) and their ``poll:<key>`` jobs."""

    store: Store
    pollers: list[Poller]
    senders: dict[str, ReplySender]
    on_stored: Callable[[int], None] | None = None
    scheduler: AsyncIOScheduler | None = None
    _gates: dict[str, asyncio.Lock] = field(default_factory=dict)
    _shape: tuple[list[BrandSettings], object] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _latest: Settings | None = None
    _task: asyncio.Task[None] | None = None
    _closed: bool = False
    _sender_shapes: dict[str, object] = field(default_factory=dict)
    _poller_shapes: dict[str, object] = field(default_factory=dict)
    _retiring: set[asyncio.Task[None]] = field(default_factory=set)
    #: After a rebuild in which a poller could not start, the same settings are tried again this many seconds
    #: later, the wait doubling to ``retry_most``: the brand was off until an admin happened to save again.
    retry_first: float = 30.0
    retry_most: float = 900.0
    _retry_wait: float | None = None
    _retry: asyncio.TimerHandle | None = None

    async def start(self, settings: Settings) -> None:
        """Build and start a poller per enabled source and brand (before the scheduler runs)."""
        self._shape = (settings.brands, settings.sources)
        self._sender_shapes = {key: sender_shape(settings, key) for key in self.senders}
        for p in build_pollers(build_sources(settings), self.store, on_stored=self.on_stored):
            await p.source.start()
            self.pollers.append(p)
            self._poller_shapes[p.source.key] = poller_shape(settings, p.source.platform, p.source.brand)

    def schedule(self, scheduler: AsyncIOScheduler, settings: Settings) -> None:
        """One interval job per poller; overlapping runs are skipped, missed runs coalesced."""
        self.scheduler = scheduler
        for p in self.pollers:
            self._add_job(p, settings)

    def _add_job(self, p: Poller, settings: Settings) -> None:
        assert self.scheduler is not None
        cfg = getattr(settings.sources, p.source.platform)  # one settings section per platform
        self.scheduler.add_job(self._run, "interval", args=[p], seconds=cfg.interval_seconds,
                               jitter=cfg.jitter_seconds, id=f"poll:{p.source.key}", coalesce=True,
                               max_instances=1, misfire_grace_time=cfg.interval_seconds,
                               next_run_time=datetime.now(UTC), replace_existing=True)

    async def _run(self, p: Poller) -> None:
        """A scheduled poll, through the poller's gate so a rebuild never closes a source mid-poll."""
        async with self._gate(p):
            if p in self.pollers:
                await p.run_once()

    def _gate(self, p: Poller) -> asyncio.Lock:
        return self._gates.setdefault(p.source.key, asyncio.Lock())

    def follow(self, settings: Settings) -> None:
        """Subscribed to the live settings: rebuild in the background, so an admin's save never waits on a
        slow poll (one backing off after a 429); a burst of changes collapses into one rebuild to the last.
        After :meth:`close` (a save still finishing while the service shuts down) there is nothing to rebuild:
        a rebuild then would start sources nobody closes, in a task nobody awaits."""
        self._follow(settings, retrying=False)

    def _follow(self, settings: Settings, *, retrying: bool) -> None:
        if self._closed:
            return
        self._cancel_retry()  # newer settings replace the ones waiting to be tried again
        if not retrying:
            self._retry_wait = None
        self._latest = settings
        if self._task is None or self._task.done():
            # a fresh context: a rebuild is the service's work, not the request of the admin whose save set it off
            # (their write guard would refuse its writes once they log out)
            self._task = asyncio.create_task(self._drain(), name="careline-listening-rebuild",
                                             context=contextvars.Context())

    async def _drain(self) -> None:
        while self._latest is not None:
            settings, self._latest = self._latest, None
            try:
                await self.reconfigure(settings)
            except Exception:  # the old pollers keep running; the next change tries again
                log.exception("rebuilding the pollers for new settings failed")

    async def reconfigure(self, settings: Settings) -> None:
        """Rebuild the pollers (and jobs) whose brand or platform section changed, each apart from the others;
        the senders follow too.

        Why only those, and apart: every poller was retired one after another, each waiting for its poll in
        flight, so one slow source (a Mastodon server that takes connections and never answers: four 20 s
        timeouts) held up the rebuild and stopped every brand's polling for over a minute at any settings save.
        """
        async with self._lock:
            self._cancel_retry()  # this rebuild is newer than any retry waiting: that one would go back in time
            shape = (settings.brands, settings.sources)
            if shape == self._shape:
                return
            self._shape = shape
            await self._sync_senders(settings)
            fresh = {p.source.key: p for p in build_pollers(build_sources(settings), self.store,
                                                            on_stored=self.on_stored)}
            shapes = {key: poller_shape(settings, p.source.platform, p.source.brand) for key, p in fresh.items()}
            old = {p.source.key: p for p in self.pollers}
            changed = sorted(key for key in old.keys() | fresh.keys()
                             if key not in old or key not in fresh or self._poller_shapes.get(key) != shapes[key])
            results = await asyncio.gather(*(self._swap(old.get(k), fresh.get(k), settings) for k in changed),
                                           return_exceptions=True)
            failed = [(key, result) for key, result in zip(changed, results, strict=True)
                      if isinstance(result, BaseException)]
            for key in set(changed) - {key for key, _ in failed}:
                if key in fresh:
                    self._poller_shapes[key] = shapes[key]
                else:
                    self._poller_shapes.pop(key, None)
            log.info("settings changed: %d poller(s) rebuilt, %d unchanged", len(changed),
                     len(fresh.keys() - set(changed)))
            if failed:
                self._shape = None  # the retry, the next change or the same settings saved again try again
                await self._try_again(settings, [(fresh[key], error) for key, error in failed if key in fresh])
            else:
                self._retry_wait = None

    async def _try_again(self, settings: Settings, failed: list[tuple[Poller, BaseException]]) -> None:
        """Rebuild with ``settings`` again after a wait that doubles with each failure in a row; the health page
        says which sources could not start, and when they are tried again."""
        wait = self._retry_wait = min(self._retry_wait * 2, self.retry_most) if self._retry_wait else self.retry_first
        for poller, error in failed:
            log.error("settings changed: the poller %s could not start: %s; trying again in %.0f s",
                      poller.source.key, error, wait)
            await poller.record_start_failure(error, wait)
        if not self._closed and self._latest is None:  # newer settings, queued already, try again themselves
            self._retry = asyncio.get_running_loop().call_later(wait, lambda: self._follow(settings, retrying=True),
                                                                context=contextvars.Context())

    def _cancel_retry(self) -> None:
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    async def _swap(self, old: Poller | None, new: Poller | None, settings: Settings) -> None:
        """Retire ``old`` (its poll in flight finishes first), then start ``new`` in its place: one source key
        never polls twice at once, and it resumes from the cursor the old one committed."""
        if old is not None:
            await self._retire(old)
        if new is not None:
            await new.source.start()
            self.pollers.append(new)
            if self.scheduler is not None:
                self._add_job(new, settings)

    async def _retire(self, p: Poller) -> None:
        """Stop scheduling ``p``, let a running poll finish, then close its source."""
        if self.scheduler is not None and self.scheduler.get_job(f"poll:{p.source.key}") is not None:
            self.scheduler.remove_job(f"poll:{p.source.key}")
        async with self._gate(p):
            self.pollers.remove(p)
            await p.source.close()

    async def _sync_senders(self, settings: Settings) -> None:
        """The reply senders follow the brands: a new brand's start, a changed brand's (its X handle, Reddit or
        Mastodon account, or its platform's section) are built again, a removed brand's or switched-off
        platform's go. They were only ever added: a brand given another reply account in the browser went on
        posting as the old one until a restart, and a deleted brand's replies still posted."""
        wanted = build_senders(settings)
        for key, sender in wanted.items():
            shape, old = sender_shape(settings, key), self.senders.get(key)
            if old is not None and self._sender_shapes.get(key) == shape:
                continue
            try:
                await sender.start()
            except Exception:  # one brand's sender must not stop the rebuild of the others (and of the pollers)
                log.exception("starting the reply sender %s failed; %s", key,
                              "the previous one stays" if old is not None else "its replies fail until it starts")
                continue
            self.senders[key], self._sender_shapes[key] = sender, shape
            if old is not None:
                self._retire_sender(old)
        for key in [k for k in self.senders if k not in wanted]:
            self._retire_sender(self.senders.pop(key))
            self._sender_shapes.pop(key, None)

    def _retire_sender(self, sender: ReplySender) -> None:
        """Close a replaced sender once a post already on its way through it is done (one send lease later; at
        once when the service stops): closing it at once would cut that post off, its outcome unknown."""
        task = asyncio.create_task(_close_later(sender), name="careline-retire-sender", context=contextvars.Context())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def close(self) -> None:
        self._closed = True
        self._cancel_retry()
        if self._task is not None:
            self._latest = None
            await self._task  # a rebuild half done would leave sources open
        for p in list(self.pollers):
            await p.source.close()
        retiring = list(self._retiring)
        for task in retiring:
            task.cancel()  # _close_later closes its sender as it is cancelled
        await asyncio.gather(*retiring, return_exceptions=True)


def poller_shape(settings: Settings, platform: str, brand: str) -> tuple[object, BrandSettings | None]:
    """What a poller of ``brand`` on ``platform`` is built from: its platform's section (interval, budget, ...)
    and the brand's settings (keywords, exclusions, accounts)."""
    return getattr(settings.sources, platform, None), next((b for b in settings.brands if b.name == brand), None)


#: The brand fields each platform's reply sender is built from (``platforms.registry.build_senders``).
SENDER_FIELDS = {"x": ("handles",), "reddit": ("reddit_username",), "bluesky": ("bluesky_handle",),
                 "mastodon": ("mastodon_account", "mastodon_instance")}


def sender_shape(settings: Settings, key: str) -> object:
    """What a reply sender ``platform:brand`` is built from: its platform's section and its brand's account
    fields (a new keyword rebuilds the pollers, not the senders). Secrets come from the environment, which does
    not change under a running service."""
    platform, _, name = key.partition(":")
    section, brand = poller_shape(settings, platform, name)
    fields = tuple(getattr(brand, f) for f in SENDER_FIELDS.get(platform, ())) if brand is not None else None
    return section, fields


async def _close_later(sender: ReplySender) -> None:
    try:
        await asyncio.sleep(SEND_LEASE.total_seconds())
    finally:
        await sender.close()
