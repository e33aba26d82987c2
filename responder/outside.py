"""Brand replies made outside Careline: seen in the thread, counted as the answer they are.

A person on the team may answer from the platform's own app. The listener stores such posts as brand
posts (``careline.platform``: ``Mention.from_brand``); this step, run by the pipeline after routing,
places each one:

* it came back from a Careline send (its platform id is one of our replies) -> ``ours``; the same when it is
  a reply of ours whose send has not recorded it yet (the same message answered in the same words): one still
  being posted waits for its send, one failed with an unknown outcome (the answer was lost) is recorded as sent;
* its thread is a conversation we track -> ``outside``: the conversation shows it, its clocks stop as
  for a Careline reply (first response recorded, next response cleared, ``pending``), and replies still
  waiting to go (drafts, held or approved) are superseded so nobody double-replies;
* no conversation yet -> stays ``waiting`` (the customer's post may be routed a moment later), and
  after :data:`WAIT_FOR_THREAD` it is ``ignored``: an unrelated brand post stays out of the queue.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.domain import Event, Reply, ReplyState, from_iso
from careline.store.conversations import (
    by_the_brand,
    load_conversation,
    mark_answered,
    place_brand_post,
    replies_in_doubt,
    reply_with_platform_id,
    supersede,
    unsent_replies,
    waiting_brand_posts,
)
from careline.store.records import append_event
from responder import queue
from responder.history import record_clock
from responder.sending import record_sent
from responder.sla import TargetKind
from responder.transitions import Action

WAIT_FOR_THREAD = timedelta(hours=24)
_LEADING_HANDLES = re.compile(r"^(?:\s*@\S+)+\s*")


def place_brand_posts(db: Database, *, now: datetime, limit: int = 200) -> int:
    """Place waiting brand posts inside the caller's transaction; returns how many were counted as answers."""
    counted = 0
    for post in waiting_brand_posts(db, limit):
        conv_id = post["conversation_id"]
        if conv_id is None:
            fetched = from_iso(post["fetched_at"]) or now
            if now - fetched >= WAIT_FOR_THREAD:
                place_brand_post(db, post["key"], "ignored", None)
            continue
        if reply_with_platform_id(db, post["platform_id"], conv_id) is not None:
            place_brand_post(db, post["key"], "ours", conv_id)
            continue
        mine = _ours_in_doubt(db, conv_id, post)
        if mine is not None:
            if mine.state is ReplyState.SENDING:
                continue  # its send records it in a moment; then it is placed as ours
            settled = record_sent(db, mine, post["thread_key"], post["platform_id"], "system", now, reconciled=True,
                                  posted_at=from_iso(post["created_at"]))
            queue.answered(db, conv_id, agent=settled.created_by, actor="system", now=now,
                           answering=settled.in_reply_to)
            place_brand_post(db, post["key"], "ours", conv_id)
            continue
        place_brand_post(db, post["key"], "outside", conv_id)
        answered_outside(db, conv_id, post, now=now)
        counted += 1
    return counted


def _ours_in_doubt(db: Database, conv_id: int, post: dict[str, Any]) -> Reply | None:
    """Our reply that ``post`` is, when its send has not recorded it: still being posted, or failed with an unknown
    outcome (the platform took it and the answer was lost). The same customer message, the same words. Read as an
    outside answer, it superseded the very reply it was, which then showed "not posted" beside its own copy."""
    if not post.get("in_reply_to_id"):
        return None
    answering = f"{post['platform']}:{post['in_reply_to_id']}"
    said = _words(post.get("text") or "")
    return next((r for r in replies_in_doubt(db, conv_id, answering) if _words(r.text) == said), None)


def _words(text: str) -> str:
    """A post's words for comparing a reply with what the platform shows of it: without the @handles a platform
    puts first (Mastodon's sender adds the customer's) and with white space as one space."""
    return " ".join(_LEADING_HANDLES.sub("", text).split())


def answered_outside(db: Database, conv_id: int, post: dict[str, Any], *, now: datetime) -> None:
    """The brand answered in the thread from elsewhere: stop the clocks as a Careline reply would."""
    conv = load_conversation(db, conv_id)
    posted = from_iso(post["created_at"]) or now
    if (conv.last_customer_at is not None and posted < conv.last_customer_at) \
            or by_the_brand(db, post["platform"], post.get("in_reply_to_id")):
        # An older brand post (the customer wrote again since), or one that goes on from the brand's own (a
        # thread's next part, a correction): shown in the thread, answers nothing new.
        append_event(db, Event(now, "system", "reply.outside", f"conversation:{conv_id}",
                               {"platform_id": post["platform_id"], "handle": post["handle"], "answers": False}))
        return
    mark_answered(db, conv_id, post["created_at"])
    append_event(db, Event(now, "system", "reply.outside", f"conversation:{conv_id}",
                           {"platform_id": post["platform_id"], "handle": post["handle"], "answers": True,
                            "platform": post["platform"]}))
    if conv.first_responded_at is None:
        record_clock(db, conv_id, TargetKind.FIRST_RESPONSE, posted)
    for reply in unsent_replies(db, conv_id):
        supersede(db, reply.id, conv_id, post["key"], actor="system", now=now)
    if conv.status.value in ("new", "open"):
        queue.act(db, conv_id, Action.WAIT, actor="system", now=now)
