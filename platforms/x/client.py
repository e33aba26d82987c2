"""X's client plumbing: tweepy's ``AsyncClient`` on a rebased session, its rate window, and the one
translation of tweepy's errors into ``careline.errors`` that reading and replying share.

tweepy's ``AsyncClient`` hard-codes ``https://api.twitter.com`` but lets us supply its aiohttp
session; ``RebasedSession`` rewrites each request's scheme, host, port and path prefix and delegates
to a real ``aiohttp.ClientSession``. Everything else (auth headers, query encoding, error handling)
is the real client's own code, which is what the simulator tests are meant to exercise.
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import tweepy
from tweepy.asynchronous import AsyncClient
from yarl import URL

from careline.errors import PermanentSourceError, RateLimited, SourceError, TemporarySourceError
from careline.platform import RateWindow, SendOutcomeUnknown
from platforms.guard import bounded_wait, wait_until


class _Recording:
    """Async context manager around aiohttp's request that records the response's status and limit headers."""

    def __init__(self, cm: Any, session: RebasedSession) -> None:
        self.cm = cm
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientResponse:
        response = await self.cm.__aenter__()
        self.session.record(response)
        return response  # type: ignore[no-any-return]

    async def __aexit__(self, *exc: Any) -> Any:
        return await self.cm.__aexit__(*exc)

    def __await__(self) -> Any:
        """``await session.request(...)`` works too, as on aiohttp's own session."""
        return self._awaited().__await__()

    async def _awaited(self) -> aiohttp.ClientResponse:
        response = await self.cm
        self.session.record(response)
        return response  # type: ignore[no-any-return]


class RebasedSession:
    """Duck-types the one method tweepy calls on its session: ``request(method, url, **kw)``."""

    def __init__(self, base_url: str, *, timeout: float = 20.0) -> None:
        self.base = URL(base_url)
        self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout))
        self.limits = RateWindow("x-rate-limit-")
        #: The last response's status: tweepy turns a 429 with an unreadable reset into a bare ValueError.
        self.last_status: int | None = None

    def record(self, response: aiohttp.ClientResponse) -> None:
        self.last_status = response.status
        self.limits.update(response.headers)

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
        self.last_status = None
        return _Recording(self.session.request(method, self.rebase(url), **kwargs), self)

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

    def window_wait(self) -> float:
        """Seconds until X's window allows a request, bounded (see ``platforms.guard``); 0 before start."""
        wait = self._session.limits.wait_seconds() if self._session is not None else 0.0
        return bounded_wait(wait, default=0.0)

    def translate(self, exc: BaseException, where: str, *, posting: bool = False) -> SourceError | None:
        """:func:`translate` with what the session saw: a ``ValueError`` out of a 429 is tweepy failing to
        read a non-integer ``x-rate-limit-reset`` (``int("1.5e9")``), which is still a rate limit."""
        if isinstance(exc, ValueError) and self._session is not None and self._session.last_status == 429:
            return RateLimited(where, "429 rate limited, unreadable x-rate-limit-reset; waiting 60s",
                               retry_after=60.0)
        return translate(exc, where, posting=posting)


def reset_wait(exc: tweepy.TooManyRequests, *, default: float = 60.0) -> float:
    """Seconds until X's window resets, from the 429's ``x-rate-limit-reset`` header (tweepy keeps it),
    bounded to an hour: a reset years away must not stop the source for years."""
    reset = getattr(exc, "reset_time", None)
    if reset is None:
        headers = getattr(getattr(exc, "response", None), "headers", None) or {}
        reset = headers.get("x-rate-limit-reset")
    return wait_until(reset, default=default) if reset else default


def translate(exc: BaseException, where: str, *, posting: bool = False) -> SourceError | None:
    """tweepy's and aiohttp's failures as our error tree; ``None`` for anything that is not theirs.

    Reading and replying share it, so a 429 waits for X's reset on both paths. When ``posting``, a
    failure after the request may have left (timeout, dropped connection, a 5xx, a cut or unreadable
    body) is ``SendOutcomeUnknown``: X may have made the post before the answer was lost, so it must
    never be re-sent blindly.
    """
    if isinstance(exc, tweepy.TooManyRequests):
        wait = reset_wait(exc)
        return RateLimited(where, f"429 rate limited, reset in {wait:.0f}s", retry_after=wait)
    if isinstance(exc, tweepy.TwitterServerError):
        cls = SendOutcomeUnknown if posting else TemporarySourceError
        return cls(where, f"server error {exc.response.status}")
    if isinstance(exc, tweepy.HTTPException):
        if posting or isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden | tweepy.BadRequest | tweepy.NotFound):
            return PermanentSourceError(where, f"{exc.response.status}: {exc}")
        return TemporarySourceError(where, f"HTTP {exc.response.status}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TemporarySourceError(where, f"cannot connect: {exc}")
    if posting and isinstance(exc, TimeoutError | aiohttp.ClientError | ValueError):  # JSON, UTF-8 errors too
        return SendOutcomeUnknown(where, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, TimeoutError):
        return TemporarySourceError(where, "request timed out")
    if isinstance(exc, aiohttp.ContentTypeError | json.JSONDecodeError | UnicodeDecodeError):
        return TemporarySourceError(where, f"malformed response body: {exc}")
    if isinstance(exc, aiohttp.ClientError):
        return TemporarySourceError(where, f"connection error: {exc}")
    return None
