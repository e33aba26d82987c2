"""Bluesky's client plumbing: the atproto SDK's ``AsyncClient`` on the configured service URL, the
app-password login, the ``ratelimit-*`` headers remembered between requests, and the one translation
of the SDK's errors into ``careline.errors`` that reading and replying share.

The SDK is httpx-based and takes its base URL as an argument (``/xrpc`` is appended), so the real
client talks to the simulator without any rebasing. Reading goes through ``invoke_query`` and keeps the
raw JSON: one malformed post must not fail the SDK's strict model parsing of a whole page, and the raw
payload is stored beside every mention.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from atproto import AsyncClient, AsyncRequest
from atproto_client import exceptions as atx

from careline.errors import PermanentSourceError, RateLimited, SourceError, TemporarySourceError
from careline.platform import RateWindow, SendOutcomeUnknown
from careline.settings import BlueskySourceSettings, BrandSettings, brand_env
from platforms.guard import bounded_wait, wait_until

T = TypeVar("T")
APP_PASSWORD_ENV = "CARELINE_BLUESKY_APP_PASSWORD"
#: httpx logs every request at INFO; a poller every few seconds would drown the service's own log.
logging.getLogger("httpx").setLevel(logging.WARNING)


def brand_app_password(brand: BrandSettings, settings: BlueskySourceSettings,
                       environ: Mapping[str, str] | None = None) -> str:
    """``CARELINE_BLUESKY_APP_PASSWORD_<BRAND>``, else the shared ``CARELINE_BLUESKY_APP_PASSWORD``."""
    env = os.environ if environ is None else environ
    return env.get(brand_env(APP_PASSWORD_ENV, brand.name), "") or settings.app_password


@dataclass
class Traffic:
    """What the client has sent: httpx's request hook runs just before a request goes out, so a failure
    with no new request behind it (the SDK refusing its own arguments) cannot have posted anything."""

    requests: int = 0


def bluesky_client(service_url: str, *, timeout: float) -> tuple[AsyncClient, RateWindow, Traffic]:
    """The SDK's async client on ``service_url``, with hooks that count requests and record the rate window."""
    window = RateWindow("ratelimit-")  # ratelimit-remaining / ratelimit-reset (epoch seconds)
    traffic = Traffic()

    async def sending(_request: httpx.Request) -> None:
        traffic.requests += 1

    async def record(response: httpx.Response) -> None:
        window.update(response.headers)

    request = AsyncRequest(timeout=httpx.Timeout(timeout), event_hooks={"request": [sending], "response": [record]})
    return AsyncClient(base_url=service_url, request=request), window, traffic


class BlueskyAccount:
    """One logged-in brand account: client, rate window, lazy app-password login, one error seam."""

    def __init__(self, service_url: str, handle: str, password: str, *, timeout: float, where: str,
                 password_env: str) -> None:
        self.handle, self.password, self.where, self.password_env = handle.lstrip("@"), password, where, password_env
        self.timeout = timeout
        self.client, self.window, self.traffic = bluesky_client(service_url, timeout=timeout)
        self.did: str | None = None

    async def bounded(self, call: Awaitable[T]) -> T:
        """Await one SDK call within ``timeout`` for the whole of it.

        httpx's timeout bounds each read, not the request: a server that drips a byte a second is never
        cut off by it. The whole-call limit raises ``TimeoutError``, which ``translate`` knows.
        """
        async with asyncio.timeout(self.timeout):
            return await call

    async def ensure_login(self) -> str:
        """Log in once (createSession is limited to 30 per 5 minutes); the SDK refreshes the session."""
        if self.did is not None:
            return self.did
        if not (self.handle and self.password):
            raise PermanentSourceError(self.where, f"the Bluesky login needs the brand's bluesky_handle and "
                                       f"{self.password_env} (or {APP_PASSWORD_ENV})")
        try:
            await self.bounded(self.client.login(self.handle, self.password, fetch_bsky_profile=False))
        except Exception as exc:
            translated = translate(exc, self.where)
            if translated is None:
                raise
            if isinstance(exc, atx.UnauthorizedError | atx.BadRequestError):
                raise PermanentSourceError(self.where, f"Bluesky login as {self.handle} failed ({translated}); "
                                           f"check {self.password_env}: it must be an app password") from exc
            raise translated from exc
        session = getattr(self.client, "_session", None)
        self.did = str(getattr(session, "did", "") or "")
        if not self.did:
            raise PermanentSourceError(self.where, "Bluesky login returned no DID")
        return self.did

    async def query(self, nsid: str, params: Any, *, posting: bool = False) -> Mapping[str, Any]:
        """One XRPC query (GET) as the logged-in account; raw JSON back, every failure translated here."""
        await self.ensure_login()
        return await self._invoke(self.client.invoke_query, nsid, params, posting)

    async def _invoke(self, method: Any, nsid: str, params: Any, posting: bool) -> Mapping[str, Any]:
        if (wait := bounded_wait(self.window.wait_seconds(), default=0.0)) > 0:
            raise RateLimited(self.where, f"rate-limit window spent (ratelimit-remaining: 0), reset in {wait:.0f}s",
                              retry_after=wait)
        try:
            response = await self.bounded(method(nsid, params=params))
        except Exception as exc:
            translated = translate(exc, self.where, posting=posting)
            if translated is None:
                raise
            raise translated from exc
        if not isinstance(response.content, Mapping):
            raise TemporarySourceError(self.where, "malformed response body: not a JSON object")
        return response.content

    async def close(self) -> None:
        await self.client.request.close()


def _reset_wait(exc: atx.RateLimitExceededError, default: float = 60.0) -> float:
    """Seconds until the window resets: ``ratelimit-reset`` (epoch) or ``retry-after`` of the 429, bounded
    to an hour (``platforms.guard``); ``default`` when neither is a finite number."""
    headers = exc.response.headers if exc.response is not None else {}
    if headers.get("ratelimit-reset") is not None:
        return wait_until(headers["ratelimit-reset"], default=default)
    if headers.get("retry-after") is not None:
        return bounded_wait(headers["retry-after"], default=default)
    return default


def _status(exc: atx.RequestErrorBase) -> str:
    response = exc.response
    if response is None:
        return type(exc).__name__
    content = response.content
    error = getattr(content, "error", None) or ""
    message = getattr(content, "message", None) or ""
    return f"{response.status_code} {error} {message}".strip()


def translate(exc: BaseException, where: str, *, posting: bool = False) -> SourceError | None:
    """The SDK's, httpx's and pydantic's failures as our error tree; ``None`` for anything else.

    When ``posting``, a failure after the request may have left (timeout, dropped connection, a 5xx, a
    cut or unreadable body) is ``SendOutcomeUnknown``: Bluesky may have made the post before the answer
    was lost, so it must never be re-sent blindly. An answered 4xx (409, 413) is a refusal.
    """
    if isinstance(exc, atx.RateLimitExceededError):
        wait = _reset_wait(exc)
        return RateLimited(where, f"429 rate limited, reset in {wait:.0f}s", retry_after=wait)
    if isinstance(exc, atx.InvokeTimeoutError | httpx.TimeoutException | TimeoutError):
        cls = SendOutcomeUnknown if posting else TemporarySourceError
        return cls(where, "request timed out")
    if isinstance(exc, atx.UnauthorizedError | atx.BadRequestError | atx.LoginRequiredError):
        return PermanentSourceError(where, _status(exc) if isinstance(exc, atx.RequestErrorBase) else str(exc))
    if isinstance(exc, atx.NetworkError | httpx.TransportError):
        if isinstance(exc, atx.NetworkError) and exc.response is not None:  # 409, 413, 502: answered
            lost = posting and exc.response.status_code >= 500
            return (SendOutcomeUnknown if lost else TemporarySourceError)(where, f"HTTP {_status(exc)}")
        cause = exc.__cause__ if isinstance(exc, atx.NetworkError) and exc.__cause__ else exc
        unsent = isinstance(cause, httpx.ConnectError)  # refused: the request never left
        cls = SendOutcomeUnknown if posting and not unsent else TemporarySourceError
        return cls(where, f"connection error: {type(cause).__name__}")
    if isinstance(exc, atx.RequestException):
        status = exc.response.status_code if exc.response is not None else 0
        if 400 <= status < 500:
            return PermanentSourceError(where, f"HTTP {_status(exc)}")
        return (SendOutcomeUnknown if posting else TemporarySourceError)(where, f"HTTP {_status(exc)}")
    if isinstance(exc, atx.ModelError | atx.AtProtocolError | ValueError | json.JSONDecodeError):
        cls = SendOutcomeUnknown if posting else TemporarySourceError
        return cls(where, f"malformed response body: {type(exc).__name__}")
    return None
