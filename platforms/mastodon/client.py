"""Mastodon's client plumbing: Mastodon.py on one brand account's server, run off the event loop, its
rate-limit headers, and the one translation of its errors that reading and replying share.

Mastodon.py is synchronous (requests). Each account gets its own single-thread executor, so its calls
never block the event loop and its session and rate-limit state are only ever touched by one thread
(the library says its own pacing is not thread-safe). ``ratelimit_method="throw"``: the library would
otherwise ``time.sleep`` inside a call, for up to five minutes per retry and forever; waiting is the
poller's job. The ``X-RateLimit-*`` headers it reads on every response stop a source before a request
that is certain to be refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import socket
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any, TypeVar

import requests
import urllib3
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
)
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError

from careline.errors import PermanentSourceError, RateLimited, SourceError, TemporarySourceError
from careline.platform import SendOutcomeUnknown
from careline.settings import BrandSettings, MastodonSourceSettings, brand_env
from platforms.guard import wait_until

TOKEN_ENV = "CARELINE_MASTODON_TOKEN"
T = TypeVar("T")


def brand_token(brand: BrandSettings, settings: MastodonSourceSettings,
                environ: Mapping[str, str] | None = None) -> str:
    """``CARELINE_MASTODON_TOKEN_<BRAND>``, else the shared ``CARELINE_MASTODON_TOKEN``."""
    env = os.environ if environ is None else environ
    return env.get(brand_env(TOKEN_ENV, brand.name), "") or settings.access_token


def split_account(account: str) -> tuple[str, str]:
    """``acme@mastodon.social`` (a leading ``@`` allowed) -> (``acme``, ``mastodon.social``)."""
    user, _, host = account.lstrip("@").partition("@")
    return user, host


def instance_url(brand: BrandSettings) -> str:
    """The brand account's server: ``mastodon_instance``, else https:// and the account's domain."""
    if brand.mastodon_instance:
        return brand.mastodon_instance.rstrip("/")
    return f"https://{split_account(brand.mastodon_account)[1]}"


#: When the response being read on this thread must be complete (``time.monotonic()``); set by DeadlineAdapter.
_DEADLINE: ContextVar[float | None] = ContextVar("careline_mastodon_deadline", default=None)


class _DeadlineReads(io.RawIOBase):
    """A socket's reads for ``http.client``, each one waiting at most the time left before ``deadline``.

    Built on the socket's own ``makefile`` reader, which keeps the socket open while a response still reads
    from it (``http.client`` closes its connection early when the server says ``Connection: close``).
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self.sock, self.deadline, self.per_read = sock, deadline, sock.gettimeout()
        self.reads = sock.makefile("rb", buffering=0)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the whole-response deadline passed")  # socket.timeout: a read timeout to urllib3
        self.sock.settimeout(left if self.per_read is None else min(left, self.per_read))
        try:
            return self.reads.readinto(buffer)
        finally:
            with contextlib.suppress(OSError):  # closed meanwhile: nothing to restore
                self.sock.settimeout(self.per_read)

    def close(self) -> None:
        self.reads.close()
        super().close()


class _DeadlineSocket:
    """A connection's socket as ``http.client`` sees it while it reads one response: its ``makefile`` reads
    up to the deadline; everything else is the socket's own."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock, self._deadline = sock, deadline

    def makefile(self, mode: str = "rb", *_args: Any, **_kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReads(self._sock, self._deadline))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _bounded_response(conn: Any, getresponse: Callable[[], T]) -> T:
    """``getresponse()`` reading through :class:`_DeadlineSocket` when this thread has a deadline: the status
    line and headers are bounded as a whole too, not only each read."""
    deadline, sock = _DEADLINE.get(), conn.sock
    if deadline is None or sock is None:
        return getresponse()
    conn.sock = bounded = _DeadlineSocket(sock, deadline)
    try:
        return getresponse()
    finally:
        if conn.sock is bounded:  # not when http.client closed the connection (``Connection: close``)
            conn.sock = sock


class _DeadlineHTTPConnection(urllib3.connection.HTTPConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        return _bounded_response(self, super().getresponse)


class _DeadlineHTTPSConnection(urllib3.connection.HTTPSConnection):
    def getresponse(self) -> urllib3.response.HTTPResponse:  # type: ignore[override]
        return _bounded_response(self, super().getresponse)


class _DeadlineHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _DeadlineHTTPConnection


class _DeadlineHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _DeadlineHTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter with a limit on the whole exchange, not only on each socket read.

    requests' ``timeout`` bounds each read, so a server that drips a byte a second, in its headers or in its
    body, holds a call (and the account's only worker thread) for as long as it likes; a timeout on the
    asyncio side cannot stop that thread. Here every read of the response, from the status line to the
    last byte, waits at most the time left of ``total`` seconds from the moment the request is sent, so the
    thread is back within ``total`` (the connect is bounded by requests' own timeout). Through a proxy
    (``HTTPS_PROXY``) the status line and headers are bounded per read only. The pools' connection class and
    ``HTTPConnection.sock`` are urllib3's (checked against urllib3 2.8, which requests brings).
    """

    CHUNK = 64 * 1024

    def __init__(self, total: float) -> None:
        super().__init__()
        self.total = total

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _DeadlineHTTPPool, "https": _DeadlineHTTPSPool}

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: float | tuple[float | None, float | None] | None = None, verify: bool | str = True,
             cert: str | tuple[str, str] | None = None,
             proxies: dict[str, str] | None = None) -> requests.Response:
        if stream:
            return super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        deadline = time.monotonic() + self.total
        token = _DEADLINE.set(deadline)
        try:  # the status line and headers: each read waits at most the time left (see _bounded_response)
            response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        finally:
            _DEADLINE.reset(token)
        try:
            response._content = self._body(response, deadline)
        except (ReadTimeoutError, TimeoutError) as exc:
            response.close()
            raise requests.exceptions.ReadTimeout(
                f"no complete response within {self.total:g}s (the server is sending too slowly)",
                request=request, response=response) from exc
        except BaseException:
            response.close()
            raise
        response._content_consumed = True  # type: ignore[attr-defined]
        return response

    def _body(self, response: requests.Response, deadline: float) -> bytes:
        """The whole body, one socket read at a time; ``TimeoutError`` once ``deadline`` has passed (checked
        here too, for a proxy's connections, whose reads are bounded one by one only)."""
        body = bytearray()
        while chunk := response.raw.read1(self.CHUNK, decode_content=True):
            body += chunk
            if time.monotonic() > deadline:
                raise TimeoutError
        return bytes(body)


#: The Mastodon API version the client is told the server speaks (see ``MastodonAccount``).
MASTODON_API = "4.3.0"


class MastodonAccount:
    """One brand account on its server: the client, its own thread, and the error seam."""

    def __init__(self, base_url: str, token: str, *, timeout: float, where: str, token_env: str) -> None:
        self.where, self.token_env, self.timeout = where, token_env, timeout
        # the server's version is given, never probed: when /api/v1/instance/ fails (a server down, a typo'd
        # address), Mastodon.py's version probe and check call each other until a RecursionError, some 1,940
        # requests later (halcy/Mastodon.py#450), which stopped the settings rebuild; 4.3 is what the API calls
        # below are written to (``instance`` v2, ``notifications`` with types)
        self.api = Mastodon(access_token=token or None, api_base_url=base_url, ratelimit_method="throw",
                            request_timeout=timeout, version_check_mode="created", mastodon_version=MASTODON_API,
                            user_agent="careline/0.1")
        for prefix in ("http://", "https://"):
            self.api.session.mount(prefix, DeadlineAdapter(timeout))
        self.token = token
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"mastodon-{where}")
        self.me: Mapping[str, Any] | None = None

    async def call(self, fn: Callable[..., T], *args: Any, posting: bool = False, **kwargs: Any) -> T:
        """Run one Mastodon.py call on this account's thread; every failure is translated here."""
        wait = self.window_wait()
        if wait > 0:
            raise RateLimited(self.where, f"rate-limit window spent (X-RateLimit-Remaining: 0), reset in {wait:.0f}s",
                              retry_after=wait)
        loop = asyncio.get_running_loop()
        try:
            # the adapter frees the thread within ``timeout``; this also bounds what it cannot (a slow DNS lookup)
            async with asyncio.timeout(2 * self.timeout + 1):
                return await loop.run_in_executor(self._pool, lambda: fn(*args, **kwargs))
        except Exception as exc:
            translated = translate(exc, self.where, posting=posting, reset_at=self.api.ratelimit_reset)
            if translated is None:
                raise
            raise translated from exc

    def get_list(self, endpoint: str, params: Mapping[str, Any]) -> list[Any]:
        """GET a listing as plain JSON through Mastodon.py's own request path (auth, rate-limit headers,
        errors), without its entity casting.

        Mastodon.py casts every object of a response into its typed entities by reflection: 30 ms per
        notification under a profiler, 0.45-0.9 s for a page of 80 on this 2-core machine, which alone
        caps a source near 150 mentions/s. The plain JSON of the same page takes 33 ms. ``override_type``
        goes through the library's internal request method (name-mangled; checked against Mastodon.py
        2.3.3, which pyproject pins to 2.3.*). Runs on the account's thread (via :meth:`call`).
        """
        request = self.api._Mastodon__api_request  # type: ignore[attr-defined]
        found = request("GET", endpoint, {k: v for k, v in params.items() if v is not None}, override_type=list)
        return list(found)

    def window_wait(self, now: float | None = None) -> float:
        """Seconds until a request may succeed: > 0 only when the server said 0 remain until a later reset."""
        now = time.time() if now is None else now
        remaining, reset = self.api.ratelimit_remaining, self.api.ratelimit_reset
        if remaining is None or remaining > 0 or not reset:
            return 0.0
        return wait_until(reset, default=0.0, now=now)

    async def ensure_me(self) -> Mapping[str, Any]:
        """The account behind the token (``verify_credentials``), once: its id tells our own posts apart."""
        if self.me is None:
            if not self.token:
                raise PermanentSourceError(self.where, f"Mastodon needs the brand account's access token: set "
                                           f"{self.token_env} (or {TOKEN_ENV})")
            me: Mapping[str, Any] = await self.call(self.api.account_verify_credentials)
            self.me = me
            return me
        return self.me

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._pool, self.api.session.close)
        self._pool.shutdown(wait=False)


def _status(exc: MastodonAPIError) -> int | None:
    return next((a for a in exc.args[1:2] if isinstance(a, int)), None)


def translate(exc: BaseException, where: str, *, posting: bool = False,
              reset_at: float | None = None) -> SourceError | None:
    """Mastodon.py's and requests' failures as our error tree; ``None`` for anything else.

    When ``posting``, a failure after the request may have left is ``SendOutcomeUnknown`` (a refused
    connection is not: nothing left), and so are a 5xx and a cut or unreadable body: the server may have
    made the post before the answer was lost. Replies carry an ``Idempotency-Key``, so a retried post
    within the server's hour of memory cannot appear twice either way.
    """
    if isinstance(exc, MastodonRatelimitError):
        wait = wait_until(reset_at) if reset_at else 60.0
        return RateLimited(where, f"429 rate limited, reset in {wait:.0f}s", retry_after=wait)
    if isinstance(exc, TimeoutError):  # the whole-call limit in MastodonAccount.call
        return (SendOutcomeUnknown if posting else TemporarySourceError)(where, "request timed out")
    if isinstance(exc, MastodonNetworkError | requests.RequestException):
        cause = exc.__context__ if isinstance(exc, MastodonNetworkError) else exc
        refused = isinstance(cause, requests.ConnectionError) and not isinstance(cause, requests.ReadTimeout)
        if posting and not refused:
            return SendOutcomeUnknown(where, f"{type(cause or exc).__name__}: {exc}")
        return TemporarySourceError(where, f"connection error: {type(cause or exc).__name__}")
    if isinstance(exc, MastodonServerError):
        return (SendOutcomeUnknown if posting else TemporarySourceError)(where, f"server error {_status(exc)}")
    if isinstance(exc, MastodonAPIError):
        status = _status(exc)
        if status is None:  # "Could not parse response as JSON": a cut or non-JSON body
            return (SendOutcomeUnknown if posting else TemporarySourceError)(where, "malformed response body")
        if isinstance(exc, MastodonNotFoundError) or 400 <= status < 500:
            detail = exc.args[3] if len(exc.args) > 3 and exc.args[3] else exc.args[2] if len(exc.args) > 2 else ""
            return PermanentSourceError(where, f"{status}: {detail}")
        return TemporarySourceError(where, f"HTTP {status}")
    if posting and isinstance(exc, MastodonIllegalArgumentError):  # refused by the library: nothing was sent
        return PermanentSourceError(where, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, MastodonError | ValueError):
        return (SendOutcomeUnknown if posting else TemporarySourceError)(where, f"{type(exc).__name__}: {exc}")
    return None
