"""The one holder of the running process's settings: the TOML bootstrap plus the browser's overlay.

Everything long-lived (the web app, the Desk, the pipeline, the pollers and scheduler jobs) reads
``live.current`` when it acts, or subscribes to be told of a new version, instead of keeping the
settings it was started with. A change saved in this process is published at once; one saved by another
process (``careline config import``, a second web worker) is noticed by :meth:`LiveSettings.refresh`,
which costs one read of a one-row table and only reloads when the version moved.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from careline.domain import utcnow
from careline.errors import ConfigError
from careline.overlay import Entry, apply_overlay, item, parse_item, section
from careline.settings import Settings
from careline.store import Store
from careline.store.overlay import Change, Moved, Saved, commit, load_entries, overlay_version, plan

log = logging.getLogger(__name__)
Listener = Callable[[Settings], Awaitable[None] | None]
#: How often a change is re-checked when other processes keep saving while it is being checked.
MAX_REPLANS = 20


class LiveSettings:
    """``current`` (the effective settings) at ``version``; see the module docstring."""

    def __init__(self, bootstrap: Settings, store: Store | None = None) -> None:
        self.bootstrap = bootstrap
        self.store = store
        self.current = bootstrap
        self.version = 0
        #: Why the stored overlay could not be applied (then ``current`` is the bootstrap), for the admin page.
        self.problem = ""
        self._listeners: list[Listener] = []
        self._checked = 0.0
        self._lock = asyncio.Lock()

    def subscribe(self, listener: Listener) -> None:
        """``listener(settings)`` runs (awaited when it is a coroutine) after every new version."""
        self._listeners.append(listener)

    def effective(self, entries: list[Entry]) -> Settings:
        """The bootstrap with ``entries`` applied and validated (raises :class:`ConfigError`)."""
        return apply_overlay(self.bootstrap, entries)

    async def at_once(self) -> tuple[int, list[Entry], Settings]:
        """The overlay's version, its entries and the effective settings, all of one moment: the admin page
        showed the newest version beside values a second old, and a save on it put old values back."""
        assert self.store is not None
        version, entries = await self.store.read(lambda db: (overlay_version(db), load_entries(db)))
        if version != self.version:
            await self.refresh()
        if version == self.version:
            return version, entries, self.current
        try:  # another change landed between the two reads: the values of the version read
            return version, entries, self.effective(entries)
        except ConfigError:
            return version, entries, self.bootstrap

    async def refresh(self, *, max_age: float = 0.0) -> bool:
        """Reload when another process changed the overlay; at most once per ``max_age`` seconds."""
        if self.store is None or time.monotonic() - self._checked < max_age:
            return False
        self._checked = time.monotonic()
        if await self.store.read(overlay_version) == self.version:
            return False
        async with self._lock:
            version, entries = await self.store.read(lambda db: (overlay_version(db), load_entries(db)))
            if version == self.version:
                return False
            try:
                settings, self.problem = self.effective(entries), ""
            except ConfigError as exc:  # e.g. the TOML changed under an older overlay: keep running on the file
                log.error("settings overlay version %d not applied: %s", version, exc)
                settings, self.problem = self.bootstrap, str(exc)
            await self._publish(settings, version)
        return True

    async def change(self, section_name: str, key: str, data: Mapping[str, Any] | None, *, expected: int | None,
                     actor: str) -> Saved:
        """Save one item (``data`` ``None`` deletes it) and publish the new settings; see ``store.overlay.plan``
        and ``commit``.

        ``data`` holds the fields to change; the others keep their current values.
        """
        assert self.store is not None, "a LiveSettings without a store cannot be changed"
        sec = section(section_name)
        # the fields not sent keep their newest values: from ``current`` as another process (``config import``)
        # left it, not as this one last read it (a save right after an import put the import's values back)
        await self.refresh()
        value = None if data is None else {**(item(self.current, sec.name, key) or {}),
                                           **parse_item(sec.name, key, data)}
        if sec.name == "sources" and (data is None or item(self.bootstrap, sec.name, key) is None):
            raise ConfigError(f"sources[{key}]", "sources cannot be added or deleted, only switched on and off")
        change = Change(sec.name, key, value, expected, actor)
        async with self._lock:
            saved = await self._save(change)
            self.problem = ""
            await self._publish(saved.settings, saved.version)
        return saved

    async def _save(self, change: Change) -> Saved:
        """Validate outside the writer thread (it is shared with ingest and agents), then write in a short
        transaction that only checks nothing moved meanwhile; when something did, plan again on top of it."""
        assert self.store is not None
        loop = asyncio.get_running_loop()

        def exists(settings: Settings) -> Mapping[str, Any] | None:
            return item(settings, change.section, change.item)

        for _ in range(MAX_REPLANS):
            seen, entries = await self.store.read(lambda db: (overlay_version(db), load_entries(db)))
            current = self.current if seen == self.version and not self.problem else None
            planned = await loop.run_in_executor(None, functools.partial(
                plan, entries, seen, change, check=self.effective, exists=exists, current=current))
            try:
                return await self.store.write(functools.partial(commit, planned=planned, now=utcnow()))
            except Moved:
                continue
        raise Moved(f"the settings kept changing while this change was checked ({MAX_REPLANS} tries); try again")

    async def _publish(self, settings: Settings, version: int) -> None:
        self.current, self.version = settings, version
        for listener in self._listeners:
            try:
                result = listener(settings)
                if inspect.isawaitable(result):
                    await result
            except Exception:  # one broken subscriber must not stop the others from seeing the change
                log.exception("settings listener %r failed on version %d", listener, version)
