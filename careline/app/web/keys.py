"""Typed application state keys (aiohttp ``AppKey``), shared by every route module."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import jinja2
from aiohttp import web

from careline.app.web.cache import CostBoundCache
from careline.app.web.presence import Presence
from careline.app.web.throttle import LoginThrottle
from careline.live import LiveSettings
from careline.platform import ReplySender
from careline.settings import Settings
from careline.store import Store
from classifiers.abc import Classifier
from responder.workflow import Desk

#: The settings the app was created with (the TOML bootstrap). Handlers read :func:`current` instead.
SETTINGS: web.AppKey[Settings] = web.AppKey("settings", Settings)
#: The effective settings (bootstrap + the browser's overlay), kept current without a restart.
LIVE: web.AppKey[LiveSettings] = web.AppKey("live_settings", LiveSettings)
STORE: web.AppKey[Store] = web.AppKey("store", Store)
CLASSIFIER: web.AppKey[Classifier | None] = web.AppKey("classifier")
TEMPLATES: web.AppKey[jinja2.Environment] = web.AppKey("templates", jinja2.Environment)
#: Reply senders keyed ``"platform:brand"`` or ``"platform"``; the app starts and closes them.
SENDERS: web.AppKey[dict[str, ReplySender]] = web.AppKey("senders", dict[str, ReplySender])
#: The lead's SLA summary (without approvals), held for a multiple of its own cost.
SLA_CACHE: web.AppKey[CostBoundCache[dict]] = web.AppKey("sla_cache", CostBoundCache)
#: The use cases' context (store, settings, senders): every action of the web goes through it.
DESK: web.AppKey[Desk] = web.AppKey("desk", Desk)


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """A login past its password, waiting for the two-factor code."""

    username: str
    next: str
    expires: float  # time.monotonic()


#: Password hashing (scrypt) runs here, never in the store's reader pool: a login flood waits on its
#: own few threads while agents' reads go on.
HASHER: web.AppKey[ThreadPoolExecutor] = web.AppKey("hasher", ThreadPoolExecutor)
#: Login attempts per username and per address.
THROTTLE: web.AppKey[LoginThrottle] = web.AppKey("throttle", LoginThrottle)
#: Logins that passed the password and wait for a two-factor code, by their one-time key.
PENDING: web.AppKey[dict[str, PendingLogin]] = web.AppKey("pending_logins", dict[str, PendingLogin])

#: Set when the server starts shutting down: open event streams (``api.event_stream``) end instead of
#: holding the shutdown until aiohttp's timeout cancels them.
STOPPING: web.AppKey[asyncio.Event] = web.AppKey("stopping", asyncio.Event)

#: Who is viewing and typing where (in memory; see ``presence.py``).
PRESENCE: web.AppKey[Presence] = web.AppKey("presence", Presence)


def settings_now(app: web.Application) -> Settings:
    """The effective settings now: what every handler reads (see ``careline.live``); an app assembled by
    hand without the holder (a test of one page) has only its bootstrap."""
    live = app.get(LIVE)
    return live.current if live is not None else app[SETTINGS]
