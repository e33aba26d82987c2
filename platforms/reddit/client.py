"""Reddit's client plumbing: asyncpraw pointed at the configured URLs with its retries off, the brand
account's password, and the one translation of asyncpraw's errors that reading and replying share."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
import asyncpraw
import asyncprawcore
from asyncpraw.exceptions import AsyncPRAWException, RedditAPIException
from asyncprawcore.sessions import FiniteRetryStrategy

from careline.errors import PermanentSourceError, RateLimited, SourceError, TemporarySourceError
from careline.platform import SendOutcomeUnknown
from careline.settings import BrandSettings, RedditSourceSettings, brand_env
from platforms.guard import bounded_wait, retry_after_seconds


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


class TolerantTooManyRequests(asyncprawcore.TooManyRequests):
    """asyncprawcore's 429, built even when ``retry-after`` is an HTTP-date (RFC 9110 allows one).

    asyncprawcore's own constructor puts ``float(retry-after)`` in its message, so a date made it raise
    ``ValueError`` inside the request: the 429 surfaced as a RequestException, a connection error with
    the back-off delay instead of the reset. :func:`retry_after` reads the date.
    """

    def __init__(self, response: aiohttp.ClientResponse, /) -> None:
        try:
            super().__init__(response)
        except (TypeError, ValueError, OverflowError):
            self.response = response
            self.retry_after = response.headers.get("retry-after")
            self.message = response.text
            asyncprawcore.AsyncPrawcoreException.__init__(self, f"received {response.status} HTTP response")


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
            # an instance copy of the class's status table, so other asyncprawcore users are not touched
            core.STATUS_EXCEPTIONS = {**core.STATUS_EXCEPTIONS, 429: TolerantTooManyRequests}
    return reddit


#: asyncprawcore's and asyncpraw's errors that no retry will fix (credentials, scopes, missing things).
PERMANENT = (asyncprawcore.OAuthException, asyncprawcore.InvalidToken, asyncprawcore.Forbidden,
             asyncprawcore.NotFound, asyncprawcore.Redirect, asyncprawcore.BadRequest,
             asyncprawcore.InsufficientScope, asyncprawcore.UnavailableForLegalReasons,
             asyncprawcore.InvalidInvocation, AsyncPRAWException)
_RATELIMIT_WAIT = re.compile(r"(\d+)\s*(second|minute)", re.IGNORECASE)


def retry_after(headers: Mapping[str, str]) -> float:
    """Seconds until Reddit's window resets (``retry-after`` in seconds or as an HTTP-date, else
    ``x-ratelimit-reset``), bounded to an hour; 60 if unsaid or unreadable."""
    if headers.get("retry-after") is not None:
        return retry_after_seconds(headers["retry-after"])
    return bounded_wait(headers.get("x-ratelimit-reset"))


def _api_ratelimit_wait(exc: RedditAPIException) -> float:
    """Reddit's ``RATELIMIT`` error says "try again in 7 minutes" in words, not headers."""
    match = _RATELIMIT_WAIT.search(str(exc))
    if match is None:
        return 60.0
    return bounded_wait(float(match.group(1)) * (60.0 if match.group(2).lower() == "minute" else 1.0))


def translate(exc: BaseException, where: str, *, posting: bool = False) -> SourceError | None:
    """asyncpraw's, asyncprawcore's and aiohttp's failures as our error tree; ``None`` if not theirs.

    Reading and replying share it: a 429 (or a ``RATELIMIT`` API error) waits for Reddit's reset on
    both paths. When ``posting``, a failure after the request may have left is ``SendOutcomeUnknown``:
    that includes a 5xx and a cut or non-JSON body, because Reddit may have made the comment before
    the answer was lost (a proxy's 502, a dropped body), and Reddit cannot be searched to find out.
    """
    if isinstance(exc, asyncprawcore.TooManyRequests):
        wait = retry_after(exc.response.headers)
        return RateLimited(where, f"429 rate limited, reset in {wait:.0f}s", retry_after=wait)
    if isinstance(exc, RedditAPIException):
        if "RATELIMIT" in str(exc):
            wait = _api_ratelimit_wait(exc)
            return RateLimited(where, f"{exc} (waiting {wait:.0f}s)", retry_after=wait)
        return PermanentSourceError(where, str(exc))
    if isinstance(exc, asyncprawcore.ServerError | asyncprawcore.BadJSON):
        cls = SendOutcomeUnknown if posting else TemporarySourceError
        return cls(where, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, asyncprawcore.RequestException):
        cls = SendOutcomeUnknown if posting else TemporarySourceError
        return cls(where, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, PERMANENT):
        return PermanentSourceError(where, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, asyncprawcore.ResponseException):
        status = exc.response.status
        if posting and status >= 500:
            return SendOutcomeUnknown(where, f"HTTP {status}")
        temporary = status >= 500 or status == 408
        return (TemporarySourceError if temporary else PermanentSourceError)(where, f"HTTP {status}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        return TemporarySourceError(where, f"cannot connect: {exc}")
    if isinstance(exc, TimeoutError | aiohttp.ClientError):
        if posting:
            return SendOutcomeUnknown(where, f"{type(exc).__name__}: {exc}")
        return TemporarySourceError(where, "request timed out" if isinstance(exc, TimeoutError)
                                    else f"{type(exc).__name__}: {exc}")
    if isinstance(exc, asyncprawcore.AsyncPrawcoreException | ValueError):
        return (PermanentSourceError if posting else TemporarySourceError)(where, f"{type(exc).__name__}: {exc}")
    return None
