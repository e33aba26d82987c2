"""The crash-safe send of an approved reply through the platform's ``ReplySender`` (``careline.platform``).

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

Only the senders (``platforms/*/reply.py``) see tweepy or asyncpraw; they translate library errors into
``careline.errors``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlite_utils import Database

from careline.domain import CLOSED_STATUSES, Event, Reply, ReplyState, to_iso
from careline.errors import Conflict, NotFound, SourceError
from careline.platform import ReplySender, SendOutcomeUnknown
from careline.store import Store
from careline.store.conversations import (
    later_answer,
    latest_customer_key,
    load_reply,
    mark_answered,
    reply_from_row,
    supersede,
)
from careline.store.records import append_event, rows
from responder.history import record_clock
from responder.replies import where_it_is
from responder.sla import TargetKind

log = logging.getLogger(__name__)

#: A ``sending`` reply younger than this belongs to an attempt still in flight, not a crashed one.
SEND_LEASE = timedelta(minutes=2)
UNKNOWN = "outcome unknown"
MAX_ERROR = 500


# -- sending one reply ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Claim:
    """What the claiming transaction decided: ``go`` is post, reconcile (look first) or done."""

    go: str
    reply: Reply
    platform: str = ""
    brand: str = ""
    thread_key: str = ""  # the conversation's thread (whose newest customer message a sent reply answers)
    target: str = ""  # platform id of the customer post we answer
    thread: str | None = None
    doubt: bool = False  # an earlier attempt may have posted


async def send_reply(store: Store, reply_id: int, senders: Mapping[str, ReplySender], *, actor: str,
                     now: datetime) -> Reply:
    """Post an approved (or failed) reply at most once; returns the reply as it ends up.

    ``senders`` is keyed by ``"platform:brand"`` or by ``"platform"`` (the first found is used).
    Raises ``NotFound`` for an unknown reply and ``Conflict`` for a reply that is not sendable
    (draft, awaiting approval, being posted right now, or in doubt without an explicit retry).
    """
    return await _send(store, reply_id, senders, actor=actor, now=now, explicit=False)


async def retry_reply(store: Store, reply_id: int, senders: Mapping[str, ReplySender], *, actor: str,
                      now: datetime) -> Reply:
    """The UI's retry button: a person re-sends a failed (or stuck) reply, accepting an unknown outcome.

    A sender that can reconcile still looks for the earlier post first, so even an explicit retry
    cannot double-post on X.
    """
    return await _send(store, reply_id, senders, actor=actor, now=now, explicit=True)


def due_reply_ids(db: Database, now: datetime, limit: int = 20) -> list[int]:
    """Approved replies to post, and ``sending`` ones whose lease ran out (to reconcile), oldest first."""
    lease = to_iso(now - SEND_LEASE)
    return [r[0] for r in db.conn.execute(
        "SELECT id FROM replies WHERE state = 'approved' OR (state = 'sending' AND updated_at <= ?) "
        "ORDER BY id LIMIT ?", (lease, limit))]


async def _send(store: Store, reply_id: int, senders: Mapping[str, ReplySender], *, actor: str,
                now: datetime, explicit: bool) -> Reply:
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
            found = await sender.find(claim.reply.text, claim.target, thread=claim.thread)
        except SourceError as exc:
            if exc.temporary:  # a rate-limit window or a 503: the next run looks again, no person is needed yet
                log.warning("reply %s: could not check %s for it yet (%s); looking again after %s", claim.reply.id,
                            claim.platform, exc, SEND_LEASE)
                return claim.reply
            return await _finish_failed(store, claim, actor, now, f"{UNKNOWN}: could not check: {exc}")
        if found is not None:
            return await _finish_sent(store, claim, actor, now, found, reconciled=True)
    elif claim.doubt and not explicit:
        return await _finish_failed(store, claim, actor, now,
                                    f"{UNKNOWN}: an earlier attempt was interrupted; check {claim.platform} "
                                    "for the reply, then retry by hand", count=False)
    return await _post(store, claim, sender, actor, now)


async def _post(store: Store, claim: _Claim, sender: ReplySender, actor: str, now: datetime) -> Reply:
    try:
        platform_id = await sender.post(claim.reply.text, claim.target)
    except SendOutcomeUnknown as exc:
        return await _finish_failed(store, claim, actor, now, f"{UNKNOWN}: {exc}")
    except SourceError as exc:
        return await _finish_failed(store, claim, actor, now, str(exc))
    except Exception:
        log.exception("reply %s: sender %s failed", claim.reply.id, type(sender).__name__)
        return await _finish_failed(store, claim, actor, now, f"{UNKNOWN}: internal error; see the server log")
    return await _finish_sent(store, claim, actor, now, platform_id, reconciled=False)


def _claim(db: Database, reply_id: int, actor: str, now: datetime, explicit: bool) -> _Claim:
    """Move the reply to ``sending`` (or decide there is nothing to do) in the caller's transaction."""
    found = rows(db, "SELECT r.*, c.platform, c.brand, c.thread_key, c.status AS conversation_status FROM replies r "
                     "JOIN conversations c ON c.id = r.conversation_id WHERE r.id = ?", (reply_id,))
    if not found:
        raise NotFound(f"no reply {reply_id}")
    row = found[0]
    reply = reply_from_row(row)
    if reply.state is ReplyState.FAILED and _answered_since(db, reply, actor, now):
        return _Claim("done", load_reply(db, reply_id))
    go, doubt = _decide(reply, now, explicit)
    if go == "done":
        return _Claim("done", reply)
    if row["conversation_status"] in CLOSED_STATUSES and reply.state is not ReplyState.SENDING:
        # closing withdraws waiting replies; this catches a failed one retried after the close
        raise Conflict(f"conversation {reply.conversation_id} is {row['conversation_status']}; reopen it to reply")
    key = reply.in_reply_to or latest_customer_key(db, row["thread_key"])
    if key is None:
        _fail(db, reply, actor, now, "the conversation has no customer post to answer", count=True)
        return _Claim("done", load_reply(db, reply_id))
    thread = db.conn.execute("SELECT conversation_id FROM mentions WHERE key = ?", (key,)).fetchone()
    db.conn.execute("UPDATE replies SET state = 'sending', in_reply_to = ?, updated_at = ? WHERE id = ?",
                    (key, to_iso(now), reply_id))
    append_event(db, Event(now, actor, "reply.sending", f"conversation:{reply.conversation_id}",
                           {"reply": reply_id, "in_reply_to": key, "mode": go}))
    return _Claim(go, replace(reply, state=ReplyState.SENDING, in_reply_to=key), row["platform"], row["brand"],
                  row["thread_key"], key.split(":", 1)[1], thread[0] if thread else None, doubt)


def _answered_since(db: Database, reply: Reply, actor: str, now: datetime) -> bool:
    """Supersede a failed reply that a later one answers (a colleague replied while it waited for a retry):
    retried, it would be a second answer to the customer's message. In the claiming transaction, so a retry
    and a colleague's send cannot both go out."""
    later = later_answer(db, reply)
    if later is None:
        return False
    supersede(db, reply.id, reply.conversation_id, f"reply:{later.id}", actor=actor, now=now)
    return True


def _decide(reply: Reply, now: datetime, explicit: bool) -> tuple[str, bool]:
    """(what to do, whether an earlier attempt may have posted); Conflict when it is not sendable.

    Any earlier attempt is reconciled when the sender can (a cheap search); a *doubtful* one (an
    interrupted or timed-out send) is re-posted only on a person's explicit retry.
    """
    state, error = reply.state, reply.error or ""
    if state is ReplyState.SENT:
        return "done", False
    if state is ReplyState.APPROVED:
        return ("reconcile" if reply.attempts else "post"), False
    if state is ReplyState.FAILED:
        doubt = error.startswith(UNKNOWN)
        if doubt and not explicit:
            raise Conflict(f"reply {reply.id}: {error}")
        return "reconcile", doubt
    if state is ReplyState.SENDING:
        if now - reply.updated_at < SEND_LEASE:
            raise Conflict(f"reply {reply.id} is being posted (since {reply.updated_at:%H:%M:%S} UTC); if that was "
                           f"interrupted, Careline checks the platform for it by "
                           f"{reply.updated_at + SEND_LEASE:%H:%M:%S} UTC and never posts it twice")
        return "reconcile", True
    raise Conflict(f"reply {reply.id} {where_it_is(reply)}: it cannot be sent now")


async def _finish_sent(store: Store, claim: _Claim, actor: str, now: datetime, platform_id: str, *,
                       reconciled: bool) -> Reply:
    def write(db: Database) -> Reply:
        return record_sent(db, claim.reply, claim.thread_key, platform_id, actor, now, reconciled=reconciled)

    return await store.record(write)  # the platform's answer is recorded whoever's sign-in ended meanwhile


def record_sent(db: Database, reply: Reply, thread_key: str, platform_id: str, actor: str, now: datetime, *,
                reconciled: bool, posted_at: datetime | None = None) -> Reply:
    """Record ``reply`` as posted under ``platform_id``, in the caller's transaction: its state, the conversation's
    clocks (the next-response one only if the customer has not written again meanwhile), the first response and
    the audit event. For the send's own answer, and for a post of ours the listener read first: then ``posted_at``
    is the platform's time of the post, which the clocks take (the event is stamped ``now``, when it was learnt);
    stamped when the listener placed it, a reply posted in time was recorded as a first-response miss."""
    stamp = to_iso(min(posted_at, now) if posted_at else now)
    db.conn.execute("UPDATE replies SET state = 'sent', platform_id = ?, sent_at = ?, updated_at = ?, "
                    "error = NULL WHERE id = ?", (platform_id, stamp, to_iso(now), reply.id))
    latest = latest_customer_key(db, thread_key) == reply.in_reply_to
    mark_answered(db, reply.conversation_id, stamp or "", clock_stops=latest)
    append_event(db, Event(now, actor, "reply.sent", f"conversation:{reply.conversation_id}",
                           {"reply": reply.id, "platform_id": platform_id, "in_reply_to": reply.in_reply_to,
                            "reconciled": reconciled}))
    if db.conn.execute("SELECT first_response_clock_s IS NULL FROM conversations WHERE id = ?",
                       (reply.conversation_id,)).fetchone()[0]:  # the first reply (or one before m006 recorded it)
        record_clock(db, reply.conversation_id, TargetKind.FIRST_RESPONSE, now)  # reads sent_at as the reply's time
    return load_reply(db, reply.id)


async def _finish_failed(store: Store, claim: _Claim, actor: str, now: datetime, error: str, *,
                         count: bool = True) -> Reply:
    """The visible failure: state, error text, one more attempt, and an audit event."""
    error = error[:MAX_ERROR]

    def write(db: Database) -> Reply:
        _fail(db, claim.reply, actor, now, error, count=count)
        return load_reply(db, claim.reply.id)

    log.warning("reply %s failed: %s", claim.reply.id, error)
    return await store.record(write)  # the platform's answer is recorded whoever's sign-in ended meanwhile


def _fail(db: Database, reply: Reply, actor: str, now: datetime, error: str, *, count: bool) -> None:
    """Record a failed attempt, unless another attempt has posted the reply meanwhile: "sent" is the truth
    and a late failure must not turn it back into one that a retry would post again."""
    cur = db.conn.execute("UPDATE replies SET state = 'failed', error = ?, attempts = attempts + ?, updated_at = ? "
                          "WHERE id = ? AND state <> 'sent'", (error, int(count), to_iso(now), reply.id))
    if not cur.rowcount:
        return
    append_event(db, Event(now, actor, "reply.failed", f"conversation:{reply.conversation_id}",
                           {"reply": reply.id, "error": error, "unknown": error.startswith(UNKNOWN)}))

