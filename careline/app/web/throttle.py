"""Login throttling per account and per client address, with the ``limits`` library.

Each login attempt (password or two-factor code) is counted against every limit of its username
and of its address *before* the password is checked, so a burst of concurrent guesses cannot slip
through between a check and a count: on the event loop, :meth:`LoginThrottle.attempt` runs without
an ``await``. Past any limit the caller gets the seconds to wait (a 429 with ``Retry-After``);
refused attempts are not counted, so waiting is enough. Tiered limits (per minute, hour, day) make
the wait grow as guessing goes on: the back-off. A successful login clears its username's counts.

Counts live in this process's memory (``limits``' ``MemoryStorage``): one service process serves the
web app, and a restart forgets them, which costs an attacker nothing they did not have.
"""

from __future__ import annotations

import ipaddress
import math
import time

from aiohttp import web
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class LoginThrottle:
    """Counts login attempts; ``attempt`` answers 0 (go ahead, counted) or the seconds to wait."""

    def __init__(self, per_account: str, per_address: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._account = parse_many(per_account)
        self._address = parse_many(per_address)
        self._noted = parse_many("1/minute")[0]

    def _keys(self, username: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
        name = username.strip().lower()
        return [*((item, "account", name) for item in self._account),
                *((item, "address", address) for item in self._address)]

    def attempt(self, username: str, address: str) -> int:
        """Count one attempt, or refuse it: the seconds until every exceeded limit has room again."""
        keys = self._keys(username, address)
        blocked = [(item, kind, key) for item, kind, key in keys if not self._limiter.test(item, kind, key)]
        if blocked:
            return max(self._wait(item, kind, key) for item, kind, key in blocked)
        for item, kind, key in keys:
            self._limiter.hit(item, kind, key)
        return 0

    def _wait(self, item: RateLimitItem, kind: str, key: str) -> int:
        reset = self._limiter.get_window_stats(item, kind, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def succeeded(self, username: str) -> None:
        """The right password: the account's count starts again (the address's does not)."""
        name = username.strip().lower()
        for item in self._account:
            self._limiter.clear(item, "account", name)

    def first_refusal(self, username: str, address: str) -> bool:
        """True once a minute per (username, address): refusals are audited without flooding the log."""
        return self._limiter.hit(self._noted, "noted", username.strip().lower(), address)


def client_address(request: web.Request) -> str:
    """The caller's address: the peer, or the address a reverse proxy on loopback says it forwarded.

    Only a loopback peer is trusted to name the client (``X-Forwarded-For``'s last entry is the one
    that proxy added); anyone else's header is ignored, so it cannot dodge the per-address limit. Several
    header lines are one list (RFC 9110 5.3): a proxy that adds its own line (HAProxy) put the client's forged
    line first, and the first line alone was read.
    """
    peer = request.remote or ""
    forwarded = ",".join(request.headers.getall("X-Forwarded-For", ()))
    if forwarded and is_loopback(peer):
        last = forwarded.split(",")[-1].strip()
        if _is_ip(last):
            return last
    return peer


def is_loopback(address: str) -> bool:
    """Whether ``address`` is this machine (where a trusted reverse proxy runs)."""
    return _is_ip(address) and ipaddress.ip_address(address).is_loopback


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
