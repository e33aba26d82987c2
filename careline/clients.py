"""Platform client plumbing shared by reading (``listener``) and replying (``responder``).

Both stages talk to the same platforms through the same libraries, so how a client is pointed at
another base URL (a proxy, or the loopback simulator) and how a library's own retries are switched
off is decided once, here.

tweepy's ``AsyncClient`` hard-codes ``https://api.twitter.com`` but lets us supply its aiohttp
session; ``RebasedSession`` rewrites each request's scheme, host, port and path prefix and delegates
to a real ``aiohttp.ClientSession``. Everything else (auth headers, query encoding, error handling)
is the real client's own code, which is what the simulator tests are meant to exercise.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import asyncpraw
from asyncprawcore.sessions import FiniteRetryStrategy
from tweepy.asynchronous import AsyncClient
from yarl import URL

from careline.settings import BrandSettings, RedditSourceSettings, brand_env


class RateWindow:
    """The platform's own rate-limit headers, remembered between requests (X: ``x-rate-limit-*``).

    tweepy only looks at them after a 429; reading them on every response lets a source stop
    *before* spending a request that is certain to be refused.
    """

    def __init__(self) -> None:
        self.limit: int | None = None
        self.remaining: int | None = None
        self.reset_at: float | None = None

    def update(self, headers: Mapping[str, str]) -> None:
        try:
            self.remaining = int(float(headers["x-rate-limit-remaining"]))
            self.reset_at = float(headers["x-rate-limit-reset"])
            self.limit = int(float(headers.get("x-rate-limit-limit", "0"))) or None
        except (KeyError, ValueError):
            return

    def wait_seconds(self, now: float | None = None) -> float:
        """Seconds until a request may succeed: > 0 only when the window is spent and not yet reset."""
        now = time.time() if now is None else now
        if self.remaining is None or self.remaining > 0 or self.reset_at is None:
            return 0.0
        return max(0.0, self.reset_at - now)


class _Recording:
    """Async context manager around aiohttp's request that records the response's limit headers."""

    def __init__(self, cm: Any, window: RateWindow) -> None:
        self.cm = cm
        self.window = window

    async def __aenter__(self) -> aiohttp.ClientResponse:
        response = await self.cm.__aenter__()
        self.window.update(response.headers)
        return response  # type: ignore[no-any-return]

    async def __aexit__(self, *exc: Any) -> Any:
        return await self.cm.__aexit__(*exc)

    def __await__(self) -> Any:
        """``await session.request(...)`` works too, as on aiohttp's own session."""
        return self._awaited().__await__()

    async def _awaited(self) -> aiohttp.ClientResponse:
        response = await self.cm
        self.window.update(response.headers)
        return response  # type: ignore[no-any-return]


class RebasedSession:
    """Duck-types the one method tweepy calls on its session: ``request(method, url, **kw)``."""

    def __init__(self, base_url: str, *, timeout: float = 20.0) -> None:
        self.base = URL(base_url)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
        self.limits = RateWindow()

    def rebase(self, url: str | URL) -> URL:
        original = url if isinstance(url, URL) else URL(url)
        prefix = self.base.path.rstrip("/")
        return URL.build(
            scheme=self.base.scheme,
            host=self.base.host or "127.0.0.1",
            port=self.base.explicit_port,
            path=prefix + original.raw_path,
            query_string=original.raw_query_string,
            encoded=True,
        )

    def request(self, method: str, url: str | URL, **kwargs: Any) -> Any:
        return _Recording(self.session.request(method, self.rebase(url), **kwargs), self.limits)

    async def close(self) -> None:
        await self.session.close()


def x_client(base_url: str, *, timeout: float, bearer_token: str | None,
             **oauth1: str) -> tuple[RebasedSession, AsyncClient]:
    """tweepy's AsyncClient on a rebased session; raw dicts back (we normalise items ourselves).

    ``wait_on_rate_limit`` stays off: tweepy would otherwise sleep (or, with no reset header, retry
    at once, unboundedly) inside a call; our callers own waiting.
    """
    session = RebasedSession(base_url, timeout=timeout)
    client = AsyncClient(bearer_token=bearer_token, return_type=dict, wait_on_rate_limit=False, **oauth1)
    client.session = session  # type: ignore[assignment]
    return session, client


class XClientOwner:
    """Holds the tweepy client and its session for an X source or reply sender: open, use, close."""

    _session: RebasedSession | None = None
    _client: AsyncClient | None = None

    def open_x(self, base_url: str, *, timeout: float, bearer_token: str | None, **oauth1: str) -> None:
        self._session, self._client = x_client(base_url, timeout=timeout, bearer_token=bearer_token, **oauth1)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def client(self) -> AsyncClient:
        if self._client is None:
            raise RuntimeError(f"{type(self).__name__}.start() was not called")
        return self._client


@dataclass(frozen=True)
class NoRetry(FiniteRetryStrategy):
    """asyncprawcore's retry strategy with no retries and no sleep.

    ``FiniteRetryStrategy(retries=0)`` still sleeps 2-4 s before every request, and its two retries
    would hide failures from our health rows (reading) or repeat a POST behind our back (replying).
    """

    retries: int = 0

    def _sleep_seconds(self) -> float | None:
        return None


REDDIT_PASSWORD_ENV = "CARELINE_REDDIT_PASSWORD"


def brand_reddit_password(brand: BrandSettings, settings: RedditSourceSettings,
                          environ: Mapping[str, str] | None = None) -> str:
    """The password of the brand's own Reddit account: ``CARELINE_REDDIT_PASSWORD_<BRAND>``, else the
    app's ``CARELINE_REDDIT_PASSWORD`` (right when one person set every brand account's password)."""
    env = os.environ if environ is None else environ
    return env.get(brand_env(REDDIT_PASSWORD_ENV, brand.name), "") or settings.password


def reddit_client(settings: RedditSourceSettings, *, username: str | None, password: str | None) -> asyncpraw.Reddit:
    """asyncpraw pointed at the configured URLs, no update check, retries off (header rate limiter on)."""
    reddit = asyncpraw.Reddit(
        client_id=settings.client_id or "unset", client_secret=settings.client_secret or "unset",
        username=username, password=password, user_agent=settings.user_agent,
        oauth_url=settings.oauth_url.rstrip("/"), reddit_url=settings.reddit_url.rstrip("/"),
        check_for_updates=False,
    )
    for core in (reddit._core, reddit._read_only_core, reddit._authorized_core):
        if core is not None:
            core._retry_strategy_class = NoRetry  # private, checked against asyncprawcore 4.0
    return reddit
