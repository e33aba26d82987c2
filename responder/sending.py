"""The reply seam: one ``ReplySender`` per platform, and the crash-safe send of an approved reply.

A public reply cannot be taken back, so sending is written around one question: *could this post
twice?* The answer is kept in the reply's state, each change in its own short transaction:

* ``approved``/``failed`` -> ``sending`` is committed **before** the platform is called. A crash after
  the post but before ``sent`` is recorded therefore leaves the reply in ``sending``.
* A reply found in ``sending`` whose lease has run out is *in doubt*. It is never re-posted blindly:
  a sender that can look for its own posts (``can_find``, X) reconciles first; one that cannot
  (Reddit) marks the reply ``failed`` with an "outcome unknown" error and leaves it to a person,
  whose explicit :func:`retry_reply` accepts the risk after checking the platform.
* Success records ``sent`` with the platform id, the first response and an audit event in one
  transaction; every failure becomes the visible ``failed`` state with its error text (Chatwoot's
  failed outbound messages), never a silent drop.

Only the senders see tweepy or asyncpraw; they translate library errors into ``careline.errors``.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import aiohttp
import asyncpraw
import asyncprawcore
import tweepy
from asyncpraw.exceptions import RedditAPIException
from sqlite_utils import Database

from careline.clients import XClientOwner, reddit_client
from careline.domain import Event, Platform, ReplyState, from_iso, to_iso
from careline.errors import (
    CarelineError,
    Conflict,
    NotFound,
    PermanentSourceError,
    RateLimited,
    SourceError,
    TemporarySourceError,
)
from careline.settings import RedditSourceSettings, XSourceSettings
from careline.store import Store
from careline.store.records import append_event, rows
from responder.history import record_clock
from responder.sla import TargetKind

log = logging.getLogger(__name__)

#: A ``sending`` reply younger than this belongs to an attempt still in flight, not a crashed one.
SEND_LEASE = timedelta(minutes=2)
UNKNOWN = "outcome unknown"
MAX_ERROR = 500


class SendOutcomeUnknown(TemporarySourceError):
    """The request may have reached the platform (timeout, dropped connection after sending)."""


# -- the seam -----------------------------------------------------------------------------------------
class ReplySender(ABC):
    """Posts public replies for one platform (and one brand account).

    Contract: ``post`` returns the new post's platform id (the form our mention keys use, e.g. a
    tweet id or a Reddit fullname) or raises a ``SourceError``; it never retries internally,
    because a hidden retry of a POST is how replies get posted twice. ``find`` is optional.
    """

    platform: ClassVar[str]
    #: Whether :meth:`find` can look for an earlier post of ours (reconciling an in-doubt send).
    can_find: ClassVar[bool] = False

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Open clients; called once before the first ``post``."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients."""

    @abstractmethod
    async def post(self, text: str, in_reply_to: str) -> str:
        """Publish ``text`` as a reply to the post ``in_reply_to``; return the new post's id."""

    async def find(self, text: str, in_reply_to: str, *, thread: str | None = None) -> str | None:
        """The id of our existing reply ``text`` to ``in_reply_to``, or ``None`` if it is not there."""
        raise NotImplementedError(f"{type(self).__name__} cannot look for its own posts")


@dataclass(frozen=True)
class OAuth1Credentials:
    """X user context (OAuth 1.0a) of the brand account; read from the environment by the caller."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


class XReplySender(XClientOwner, ReplySender):
    """Replies through tweepy's ``AsyncClient.create_tweet`` as the brand account.

    Posting needs user context: OAuth 1.0a credentials, or an OAuth 2.0 user access token passed as
    ``bearer_token``. The simulator treats the bearer token as the acting username, so tests pass
    the brand's handle. ``handle`` is used by :meth:`find` (``from:`` in the search query).
    """

    platform = Platform.X.value
    can_find = True

    def __init__(self, settings: XSourceSettings, *, handle: str, bearer_token: str = "",
                 oauth1: OAuth1Credentials | None = None, timeout: float = 20.0) -> None:
        if not bearer_token and oauth1 is None:
            raise CarelineError("the X reply sender needs a user bearer token or OAuth 1.0a credentials")
        self.settings, self.handle = settings, handle.lstrip("@")
        self.bearer_token, self.oauth1, self.timeout = bearer_token, oauth1, timeout

    async def start(self) -> None:
        creds = vars(self.oauth1) if self.oauth1 else {}
        self.open_x(self.settings.api_base_url, timeout=self.timeout, bearer_token=self.bearer_token or None,
                    **creds)

    async def post(self, text: str, in_reply_to: str) -> str:
        body = await self._call(self.client.create_tweet, text=text, in_reply_to_tweet_id=in_reply_to,
                                user_auth=self.oauth1 is not None)
        try:
            return str(body["data"]["id"])
        except (KeyError, TypeError) as exc:
            raise SendOutcomeUnknown("x-reply", "the response did not carry the new post's id") from exc

    async def find(self, text: str, in_reply_to: str, *, thread: str | None = None) -> str | None:
        query = f"conversation_id:{thread or in_reply_to} from:{self.handle}"
        body = await self._call(self.client.search_recent_tweets, query, max_results=100,
                                tweet_fields=["referenced_tweets", "conversation_id", "author_id"],
                                user_auth=self.oauth1 is not None)
        for tweet in body.get("data") or []:
            parents = {r.get("id") for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"}
            if in_reply_to in parents and tweet.get("text", "").strip() == text.strip():
                return str(tweet["id"])
        return None

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """Call tweepy and translate its failures into our error tree at this one seam."""
        try:
            async with asyncio.timeout(self.timeout):
                result = await method(*args, **kwargs)
        except tweepy.TooManyRequests as exc:
            raise RateLimited("x-reply", "429 rate limited") from exc
        except tweepy.TwitterServerError as exc:
            raise TemporarySourceError("x-reply", f"server error {exc.response.status}") from exc
        except tweepy.HTTPException as exc:
            raise PermanentSourceError("x-reply", f"{exc.response.status}: {exc}") from exc
        except aiohttp.ClientConnectorError as exc:
            raise TemporarySourceError("x-reply", f"cannot connect: {exc}") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise SendOutcomeUnknown("x-reply", f"{type(exc).__name__}: {exc}") from exc
        return result if isinstance(result, Mapping) else {}


class RedditReplySender(ReplySender):
    """Replies with asyncpraw (``comment.reply`` / ``submission.reply``) as the brand's account.

    Reddit has no search for one's own fresh comments that is reliable enough to reconcile with,
    so ``can_find`` is false: an in-doubt send waits for a person.
    """

    platform = Platform.REDDIT.value

    def __init__(self, settings: RedditSourceSettings, *, username: str = "", password: str = "",
                 timeout: float = 20.0) -> None:
        self.settings, self.timeout = settings, timeout
        self.username = username or settings.username
        self.password = password or settings.password
        if not (self.username and self.password):
            raise CarelineError("the Reddit reply sender needs the brand account's username and password")
        self._reddit: asyncpraw.Reddit | None = None

    async def start(self) -> None:
        # reddit_client switches asyncprawcore's retries off: a retried POST could post twice behind our back
        self._reddit = reddit_client(self.settings, username=self.username, password=self.password)

    async def close(self) -> None:
        if self._reddit is not None:
            await self._reddit.close()
            self._reddit = None

    async def post(self, text: str, in_reply_to: str) -> str:
        if self._reddit is None:
            raise RuntimeError("RedditReplySender.start() was not called")
        kind, _, rid = in_reply_to.partition("_")
        if kind not in ("t1", "t3") or not rid:
            raise PermanentSourceError("reddit-reply", f"cannot reply to {in_reply_to!r}")
        try:
            async with asyncio.timeout(self.timeout):
                parent: Any = (await self._reddit.comment(rid, fetch=False) if kind == "t1"
                               else await self._reddit.submission(rid, fetch=False))
                created = await parent.reply(text)
        except (asyncprawcore.TooManyRequests, asyncprawcore.ServerError) as exc:
            raise TemporarySourceError("reddit-reply", f"{type(exc).__name__}: {exc}") from exc
        except RedditAPIException as exc:
            cls = TemporarySourceError if "RATELIMIT" in str(exc) else PermanentSourceError
            raise cls("reddit-reply", str(exc)) from exc
        except asyncprawcore.RequestException as exc:
            raise SendOutcomeUnknown("reddit-reply", f"{type(exc).__name__}: {exc}") from exc
        except (asyncprawcore.AsyncPrawcoreException, asyncpraw.exceptions.AsyncPRAWException) as exc:
            raise PermanentSourceError("reddit-reply", f"{type(exc).__name__}: {exc}") from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise SendOutcomeUnknown("reddit-reply", f"{type(exc).__name__}: {exc}") from exc
        if created is None:
            raise SendOutcomeUnknown("reddit-reply", "Reddit accepted the reply but returned no comment")
        return str(created.fullname)


# -- sending one reply ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Claim:
    """What the claiming transaction decided: ``go`` is post, reconcile (look first) or done."""

    go: str
    reply: dict[str, Any]
    platform: str = ""
    brand: str = ""
    target: str = ""  # platform id of the customer post we answer
    thread: str | None = None
    doubt: bool = False  # an earlier attempt may have posted


async def send_reply(store: Store, reply_id: int, senders: Mapping[str, ReplySender], *, actor: str,
                     now: datetime) -> dict[str, Any]:
    """Post an approved (or failed) reply at most once; returns the reply row as it ends up.

    ``senders`` is keyed by ``"platform:brand"`` or by ``"platform"`` (the first found is used).
    Raises ``NotFound`` for an unknown reply and ``Conflict`` for a reply that is not sendable
    (draft, awaiting approval, being sent right now, or in doubt without an explicit retry).
    """
    return await _send(store, reply_id, senders, actor=actor, now=now, explicit=False)


async def retry_reply(store: Store, reply_id: int, senders: Mapping[str, ReplySender], *, actor: str,
                      now: datetime) -> dict[str, Any]:
    """The UI's retry button: a person re-sends a failed (or stuck) reply, accepting an unknown outcome.

    A sender that can reconcile still looks for the earlier post first, so even an explicit retry
    cannot double-post on X.
    """
    return await _send(store, reply_id, senders, actor=actor, now=now, explicit=True)


async def send_approved(store: Store, senders: Mapping[str, ReplySender], *, now: datetime,
                        limit: int = 20) -> int:
    """Scheduler job: send approved replies and reconcile stuck ``sending`` ones; returns how many sent."""
    lease = to_iso(now - SEND_LEASE)
    due = await store.read(lambda db: [r["id"] for r in rows(
        db, "SELECT id FROM replies WHERE state = 'approved' OR (state = 'sending' AND updated_at <= ?) "
            "ORDER BY id LIMIT ?", (lease, limit))])
    sent = 0
    for rid in due:
        try:
            row = await send_reply(store, rid, senders, actor="system", now=now)
        except Conflict:
            continue
        sent += row["state"] == ReplyState.SENT.value
    return sent


async def _send(store: Store, reply_id: int, senders: Mapping[str, ReplySender], *, actor: str,
                now: datetime, explicit: bool) -> dict[str, Any]:
    claim = await store.write(lambda db: _claim(db, reply_id, actor, now, explicit))
    if claim.go == "done":
        return claim.reply
    sender = senders.get(f"{claim.platform}:{claim.brand}") or senders.get(claim.platform)
    if sender is None:
        doubt = f"{UNKNOWN}: " if claim.doubt else ""  # keep the doubt: a later retry must not re-post blindly
        return await _finish_failed(store, claim, actor, now,
                                    f"{doubt}no reply sender is configured for {claim.platform}")
    if claim.go == "reconcile" and sender.can_find:
        try:
            found = await sender.find(claim.reply["text"], claim.target, thread=claim.thread)
        except SourceError as exc:
            return await _finish_failed(store, claim, actor, now, f"{UNKNOWN}: could not check: {exc}")
        if found is not None:
            return await _finish_sent(store, claim, actor, now, found, reconciled=True)
    elif claim.doubt and not explicit:
        return await _finish_failed(store, claim, actor, now,
                                    f"{UNKNOWN}: an earlier attempt was interrupted; check {claim.platform} "
                                    "for the reply, then retry by hand", count=False)
    return await _post(store, claim, sender, actor, now)


async def _post(store: Store, claim: _Claim, sender: ReplySender, actor: str, now: datetime) -> dict[str, Any]:
    try:
        platform_id = await sender.post(claim.reply["text"], claim.target)
    except SendOutcomeUnknown as exc:
        return await _finish_failed(store, claim, actor, now, f"{UNKNOWN}: {exc}")
    except SourceError as exc:
        return await _finish_failed(store, claim, actor, now, str(exc))
    except Exception:
        log.exception("reply %s: sender %s failed", claim.reply["id"], type(sender).__name__)
        return await _finish_failed(store, claim, actor, now, f"{UNKNOWN}: internal error; see the server log")
    return await _finish_sent(store, claim, actor, now, platform_id, reconciled=False)


def _claim(db: Database, reply_id: int, actor: str, now: datetime, explicit: bool) -> _Claim:
    """Move the reply to ``sending`` (or decide there is nothing to do) in the caller's transaction."""
    found = rows(db, "SELECT r.*, c.platform, c.brand, c.thread_key FROM replies r "
                     "JOIN conversations c ON c.id = r.conversation_id WHERE r.id = ?", (reply_id,))
    if not found:
        raise NotFound(f"no reply {reply_id}")
    reply = found[0]
    go, doubt = _decide(reply, now, explicit)
    if go == "done":
        return _Claim("done", _public(reply))
    key = reply["in_reply_to"] or _latest_mention(db, reply["thread_key"])
    if key is None:
        _fail(db, reply, actor, now, "the conversation has no customer post to answer", count=True)
        return _Claim("done", _load(db, reply_id))
    thread = db.conn.execute("SELECT conversation_id FROM mentions WHERE key = ?", (key,)).fetchone()
    db.conn.execute("UPDATE replies SET state = 'sending', in_reply_to = ?, updated_at = ? WHERE id = ?",
                    (key, to_iso(now), reply_id))
    append_event(db, Event(now, actor, "reply.sending", f"conversation:{reply['conversation_id']}",
                           {"reply": reply_id, "in_reply_to": key, "mode": go}))
    reply.update(state=ReplyState.SENDING.value, in_reply_to=key)
    return _Claim(go, reply, reply["platform"], reply["brand"], key.split(":", 1)[1],
                  thread[0] if thread else None, doubt)


def _decide(reply: dict[str, Any], now: datetime, explicit: bool) -> tuple[str, bool]:
    """(what to do, whether an earlier attempt may have posted); Conflict when it is not sendable.

    Any earlier attempt is reconciled when the sender can (a cheap search); a *doubtful* one (an
    interrupted or timed-out send) is re-posted only on a person's explicit retry.
    """
    state, error = reply["state"], reply["error"] or ""
    if state == ReplyState.SENT.value:
        return "done", False
    if state == ReplyState.APPROVED.value:
        return ("reconcile" if reply["attempts"] else "post"), False
    if state == ReplyState.FAILED.value:
        doubt = error.startswith(UNKNOWN)
        if doubt and not explicit:
            raise Conflict(f"reply {reply['id']}: {error}")
        return "reconcile", doubt
    if state == ReplyState.SENDING.value:
        started = from_iso(reply["updated_at"])
        if started is not None and now - started < SEND_LEASE:
            raise Conflict(f"reply {reply['id']} is being sent right now")
        return "reconcile", True
    raise Conflict(f"reply {reply['id']} is {state}; only approved or failed replies can be sent")


def _latest_mention(db: Database, thread_key: str) -> str | None:
    row = db.conn.execute("SELECT key FROM mentions WHERE thread_key = ? ORDER BY created_at DESC, key DESC "
                          "LIMIT 1", (thread_key,)).fetchone()
    return row[0] if row else None


async def _finish_sent(store: Store, claim: _Claim, actor: str, now: datetime, platform_id: str, *,
                       reconciled: bool) -> dict[str, Any]:
    def write(db: Database) -> dict[str, Any]:
        rid, cid, stamp = claim.reply["id"], claim.reply["conversation_id"], to_iso(now)
        db.conn.execute("UPDATE replies SET state = 'sent', platform_id = ?, sent_at = ?, updated_at = ?, "
                        "error = NULL WHERE id = ?", (platform_id, stamp, stamp, rid))
        db.conn.execute("UPDATE conversations SET first_responded_at = COALESCE(first_responded_at, ?), "
                        "next_response_due = NULL, sla_next_check = NULL WHERE id = ?", (stamp, cid))
        append_event(db, Event(now, actor, "reply.sent", f"conversation:{cid}",
                               {"reply": rid, "platform_id": platform_id, "in_reply_to": claim.reply["in_reply_to"],
                                "reconciled": reconciled}))
        if db.conn.execute("SELECT first_response_clock_s IS NULL FROM conversations WHERE id = ?",
                           (cid,)).fetchone()[0]:  # the first reply (or one before m006 recorded it)
            record_clock(db, cid, TargetKind.FIRST_RESPONSE, now)
        return _load(db, rid)

    return await store.write(write)


async def _finish_failed(store: Store, claim: _Claim, actor: str, now: datetime, error: str, *,
                         count: bool = True) -> dict[str, Any]:
    """The visible failure: state, error text, one more attempt, and an audit event."""
    error = error[:MAX_ERROR]

    def write(db: Database) -> dict[str, Any]:
        _fail(db, claim.reply, actor, now, error, count=count)
        return _load(db, claim.reply["id"])

    log.warning("reply %s failed: %s", claim.reply["id"], error)
    return await store.write(write)


def _fail(db: Database, reply: dict[str, Any], actor: str, now: datetime, error: str, *, count: bool) -> None:
    db.conn.execute("UPDATE replies SET state = 'failed', error = ?, attempts = attempts + ?, updated_at = ? "
                    "WHERE id = ?", (error, int(count), to_iso(now), reply["id"]))
    append_event(db, Event(now, actor, "reply.failed", f"conversation:{reply['conversation_id']}",
                           {"reply": reply["id"], "error": error, "unknown": error.startswith(UNKNOWN)}))


def _load(db: Database, reply_id: int) -> dict[str, Any]:
    return _public(rows(db, "SELECT * FROM replies WHERE id = ?", (reply_id,))[0])


def _public(reply: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "conversation_id", "in_reply_to", "text", "state", "created_by", "created_at", "updated_at",
            "platform_id", "error", "attempts", "sent_at", "reviewed_by")
    return {k: reply.get(k) for k in keep}
