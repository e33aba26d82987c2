"""The conversation use cases: the one place the rules of working a conversation live.

The web pages, the JSON API, the scheduler's jobs and the command line all call these functions; each
only translates its inputs and outputs (STYLE convention 13). A use case takes a :class:`Desk` (the
store, the settings and the reply senders), the acting person and ``now``; status changes go through
``responder.transitions``, each with its audit event, in one write transaction; a platform call never
sits inside a transaction.

Team rules, which hold however many people and jobs act at the same moment (the store has one
writer, so each transaction below sees the one before it):

* A conversation has **one owner** (``assignee``). Anyone may claim an unowned one. Sending on, or
  changing, a conversation someone else owns is refused with :class:`HeldBy` (409, naming the owner)
  unless the person explicitly :func:`take_over` (audited); leads may change status without it but
  must take over to send.
* **One reply per customer message.** A reply that is held, queued, being sent or sent for the
  customer's latest message, or an answer the brand already posted outside Careline, refuses the
  next one unless the agent deliberately adds another (``another=True``).
* Every path that posts (a person's send, a lead's approval, the scheduler, a retry) ends in
  :func:`deliver`, so a posted reply moves the conversation to ``pending`` the same way whoever sent it.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlite_utils import Database

from careline.domain import (
    CLOSED_STATUSES,
    CONTROL,
    INTENTS,
    Conversation,
    Event,
    Note,
    Reply,
    ReplyState,
    Role,
    from_iso,
    to_iso,
)
from careline.errors import Conflict, Forbidden, Invalid, NotFound
from careline.platform import ReplySender
from careline.settings import Settings
from careline.store import Store, readings, workspace
from careline.store.conversations import (
    add_note,
    answering_reply,
    later_answer,
    latest_customer_key,
    latest_outside_post,
    load_conversation,
    load_reply,
    reply_by_key,
    set_reply_state,
    supersede,
)
from careline.store.records import StoredEvent, append_event, last_status_event
from responder import queue, replies, sending, surveys
from responder.intake import reprioritise
from responder.policy import priority_for
from responder.textlimits import announced_limit, check_length
from responder.tone import ToneReport
from responder.transitions import Action, action_words, transition

#: How long a person can take back their own resolve, dismiss or snooze.
UNDO_WINDOW = timedelta(minutes=10)
MAX_SNOOZE = timedelta(days=30)
UNDOABLE = (Action.RESOLVE, Action.DISMISS, Action.SNOOZE)
LEADS = (Role.LEAD, Role.ADMIN)


class HeldBy(Conflict):
    """Someone else owns the conversation; the message names them and how to take over."""

    def __init__(self, conv_id: int, owner: str, doing: str) -> None:
        super().__init__(f"{owner} is working on conversation {conv_id}; take it over to {doing}")
        self.owner = owner


class AlreadyAnswered(Conflict):
    """The customer's latest message already has an answer (ours, held or queued, or the brand's own)."""


@dataclass(frozen=True)
class Actor:
    username: str
    role: Role = Role.AGENT

    @property
    def is_lead(self) -> bool:
        return self.role in LEADS


SYSTEM = Actor("system", Role.ADMIN)


@dataclass
class Desk:
    """What every use case works with, built once by the wiring (service, web app or CLI)."""

    store: Store
    settings: Settings
    senders: dict[str, ReplySender] = field(default_factory=dict)
    _voices: replies.Voices | None = None

    @property
    def length_limits(self) -> dict[str, int]:
        """Reply length limits the senders announced (a Mastodon server's own ``max_characters``), keyed
        like the senders; a platform not named keeps the fixed rule (``textlimits.announced_limit``)."""
        return {p: s.max_length for p, s in self.senders.items() if s.max_length}

    @property
    def voices(self) -> replies.Voices:
        if self._voices is None:
            self._voices = replies.Voices.from_settings(self.settings)
        return self._voices

    def reconfigure(self, settings: Settings) -> None:
        """New effective settings (an admin's change): use cases read them from the next call on."""
        self.settings = settings
        self._voices = None


@dataclass(frozen=True)
class Outcome:
    """What a use case did: the conversation as it now is, the reply it touched, and words for a person."""

    conversation: Conversation
    reply: Reply | None = None
    message: str = ""
    #: A held reply's reasons ("tone: defensive", "priority urgent needs approval").
    held: tuple[str, ...] = ()
    #: What the tone guard read in the reply a person just wrote or edited.
    tone: ToneReport | None = None
    survey_url: str | None = None
    #: Set when :func:`undo` can take this back.
    undoable: bool = False
    #: Replies not yet posted that a close withdrew, or that its undo put back (the page says so).
    withdrawn: int = 0
    restored: int = 0
    #: Of an undo's withdrawn replies, those left withdrawn: their message was answered meanwhile.
    kept_withdrawn: int = 0


# -- ownership --------------------------------------------------------------------------------------------
#: What a person may do to a conversation someone else holds, by whether they are a lead: the ``leads_may`` of
#: each use case's ``_require_owner`` below, for the pages to show only the buttons that work. An agent takes it
#: over or escalates it; a lead may also change its status or release it. Replying is the holder's alone.
ON_HELD = {False: frozenset({"take_over", "escalate"}),
           True: frozenset({"take_over", "escalate", "resolve", "snooze", "wait", "dismiss", "reopen", "release"})}


def _require_owner(conv: Conversation, actor: Actor, doing: str, *, leads_may: bool) -> None:
    if conv.assignee and conv.assignee != actor.username and not (leads_may and actor.is_lead):
        raise HeldBy(conv.id, conv.assignee, doing)


def _own(db: Database, conv: Conversation, actor: Actor, now: datetime, doing: str) -> Conversation:
    """The actor owns an open conversation after this: claims it when free, refuses when someone else holds it."""
    _require_owner(conv, actor, doing, leads_may=False)
    if conv.status.value != "open" or conv.assignee != actor.username:
        queue.act(db, conv.id, Action.CLAIM, actor=actor.username, now=now)
        return load_conversation(db, conv.id)
    return conv


async def claim(desk: Desk, actor: Actor, conv_id: int, *, now: datetime, strict: bool = False) -> Outcome:
    """Take a conversation nobody holds. ``strict`` (bulk work) refuses one the person already has, where a single
    claim says so: a bulk claim's Undo releases what it claimed, and must not release what was theirs before."""
    def write(db: Database) -> Outcome:
        conv = load_conversation(db, conv_id)
        if conv.assignee == actor.username and conv.status.value == "open":
            if strict:
                raise Conflict("you already have it")
            return Outcome(conv, message="You already have it.")
        _require_owner(conv, actor, "claim it", leads_may=False)
        queue.act(db, conv_id, Action.CLAIM, actor=actor.username, now=now)
        return Outcome(load_conversation(db, conv_id), message="Claimed.")

    return await desk.store.write(write)


async def take_over(desk: Desk, actor: Actor, conv_id: int, *, now: datetime) -> Outcome:
    """Take a conversation someone else holds: explicit, and audited with whom it was taken from."""
    def write(db: Database) -> Outcome:
        conv = load_conversation(db, conv_id)
        previous = conv.assignee
        queue.act(db, conv_id, Action.CLAIM, actor=actor.username, now=now)
        if previous and previous != actor.username:
            append_event(db, Event(now, actor.username, "conversation.taken_over", f"conversation:{conv_id}",
                                   {"from": previous, "to": actor.username}))
        return Outcome(load_conversation(db, conv_id),
                       message=f"Taken over from {previous}." if previous and previous != actor.username
                       else "Claimed.")

    return await desk.store.write(write)


async def release(desk: Desk, actor: Actor, conv_id: int, *, now: datetime, only_own: bool = False) -> Outcome:
    """Hand the conversation back to the queue: its holder, or a lead. ``only_own`` (undoing a bulk claim) releases
    only what the person still holds: one a colleague took over since stays theirs."""
    def write(db: Database) -> Outcome:
        conv = load_conversation(db, conv_id)
        if only_own and conv.assignee != actor.username:
            raise Conflict(f"{conv.assignee} has it now" if conv.assignee else "nobody holds it now")
        _require_owner(conv, actor, "release it", leads_may=True)
        queue.act(db, conv_id, Action.RELEASE, actor=actor.username, now=now)
        return Outcome(load_conversation(db, conv_id), message="Released to the queue.")

    return await desk.store.write(write)


@dataclass(frozen=True)
class HandedBack:
    """What disabling someone (or moving them off the queue) did to their work: conversations back in the queue,
    replies still held."""

    released: int
    waiting_replies: int
    #: their pending and snoozed conversations: back to the queue when the customer writes
    later: int = 0


def hand_back_work(db: Database, username: str, *, now: datetime) -> HandedBack:
    """In the transaction that disables ``username`` or gives them a role without the queue (marketing): their open
    conversations go back to the unassigned queue (they stayed theirs, and round-robin kept handing them more;
    a former agent made marketing could not even open them); the scheduler's housekeeping does the same for
    those that open again later. Their replies waiting for a lead stay there, for the lead to decide."""
    waiting = db.conn.execute("SELECT count(*) FROM replies WHERE created_by = ? AND state = 'awaiting_approval'",
                              (username,)).fetchone()[0]
    later = db.conn.execute("SELECT count(*) FROM conversations WHERE assignee = ? AND status IN ('pending', "
                            "'snoozed')", (username,)).fetchone()[0]
    return HandedBack(queue.release_stranded(db, now=now), int(waiting), int(later))


async def assign(desk: Desk, actor: Actor, conv_id: int, agent: str, *, now: datetime) -> Outcome:
    """A lead hands the conversation to a named person (an audited claim on their behalf)."""
    if not actor.is_lead:
        raise Forbidden("only a lead or an admin can assign conversations")

    def write(db: Database) -> Outcome:
        queue.assign(db, conv_id, agent, actor=actor.username, now=now)
        return Outcome(load_conversation(db, conv_id), message=f"Assigned to {agent}.")

    return await desk.store.write(write)


# -- status changes ------------------------------------------------------------------------------------------
#: The status changes that put a conversation out of sight (or on the customer), which a customer message
#: the person has not seen must not ride along with.
LOOKING_AWAY = frozenset({Action.RESOLVE, Action.DISMISS, Action.SNOOZE, Action.WAIT})


#: Why a conversation nobody has answered cannot wait on the customer: waiting stops the response clocks, and the
#: first response's would stand still with the customer unanswered (a breach nobody would see).
UNANSWERED_WAIT = ("cannot mark as waiting on the customer: nobody has answered them yet, and waiting would stop the "
                   "first response clock; reply first, or resolve it if it was answered another way")


def may_wait(first_responded_at: object) -> bool:
    """Whether "waiting on the customer" is open to a conversation, beside its status: only once someone has answered
    it (its ``first_responded_at``), as the page and the use case both ask."""
    return first_responded_at is not None


async def change_status(desk: Desk, actor: Actor, conv_id: int, action: Action, *, now: datetime,
                        until: datetime | None = None, reason: str = "", answering: str | None = None,
                        seen: str | None = None) -> Outcome:
    """Resolve, dismiss, snooze, reopen or wait: the owner (or a lead) moves the conversation.

    Closing it withdraws the replies that have not gone out (held or approved: nobody should find one
    posted to a closed conversation) and waits while one is being posted. ``answering``: the customer
    message a just-posted reply answered; the resolve is refused if the customer has written since.
    ``seen``: the customer's newest message on the person's screen; a resolve, dismiss, snooze or wait is
    refused if a newer one came in meanwhile (it was snoozed with the conversation, out of sight for hours)."""
    if action is Action.SNOOZE and (until is None or not now < until <= now + MAX_SNOOZE):
        raise Invalid("snooze until must be in the future and at most 30 days away")
    reason = _plain(reason, "reason")

    def write(db: Database) -> Outcome:
        conv = load_conversation(db, conv_id)
        transition(conv.status, action)  # first: "it is resolved" says more than "lead holds it; take it over"
        _require_owner(conv, actor, action_words(action), leads_may=True)
        if action is Action.WAIT and not may_wait(conv.first_responded_at):
            raise Conflict(UNANSWERED_WAIT)
        expected = answering or (seen if action in LOOKING_AWAY else None)
        if expected and latest_customer_key(db, conv.thread_key) != expected:
            if not answering and not db.conn.execute(
                    "SELECT 1 FROM mentions WHERE key = ? AND thread_key = ?", (seen, conv.thread_key)).fetchone():
                raise Invalid("seen names no message of this conversation: send the key of the customer's newest "
                              "message the page showed")  # "the customer wrote again" of a made-up key was untrue
            raise Conflict("the customer wrote again after the reply; read it before resolving" if answering else
                           f"the customer wrote again since this conversation was loaded; read it before you "
                           f"{action_words(action)}")
        queue.act(db, conv_id, action, actor=actor.username, now=now, until=until)
        withdrawn = _withdraw_unsent(db, conv_id, action, actor, now) if action.value in CLOSED_STATUSES_BY else 0
        if action is Action.DISMISS and reason:
            append_event(db, Event(now, actor.username, "conversation.dismissed", f"conversation:{conv_id}",
                                   {"reason": reason[:200]}))
        url = _offer_survey(db, desk.settings, conv_id, actor, now) if action is Action.RESOLVE else None
        words = {Action.RESOLVE: "Resolved.", Action.DISMISS: "Dismissed.", Action.REOPEN: "Reopened.",
                 Action.SNOOZE: f"Snoozed until {to_iso(until)}.", Action.WAIT: "Waiting on the customer."}
        message = words.get(action, "Done.")
        if withdrawn:
            message += f" {withdrawn} repl{'y' if withdrawn == 1 else 'ies'} not yet posted withdrawn."
        return Outcome(load_conversation(db, conv_id), message=message, survey_url=url, undoable=action in UNDOABLE,
                       withdrawn=withdrawn)

    return await desk.store.write(write)


#: The actions that close a conversation, and what a reply withdrawn by them says (``superseded_by``).
CLOSED_STATUSES_BY = {Action.RESOLVE.value: "resolved", Action.DISMISS.value: "dismissed"}


def _withdraw_unsent(db: Database, conv_id: int, action: Action, actor: Actor, now: datetime) -> int:
    """Supersede the conversation's held and approved replies as it closes, in the closing transaction (so
    the scheduler's send job, claiming in its own, finds nothing to post); refuse while one is being posted,
    since it may already be out. Drafts stay: they never post by themselves."""
    if db.conn.execute("SELECT 1 FROM replies WHERE conversation_id = ? AND state = 'sending'",
                       (conv_id,)).fetchone():
        raise Conflict("a reply is being posted right now; close the conversation once it is out")
    waiting = db.conn.execute(
        "SELECT id, state FROM replies WHERE conversation_id = ? AND state IN ('awaiting_approval', 'approved') "
        "ORDER BY id", (conv_id,)).fetchall()
    for reply_id, state in waiting:
        set_reply_state(db, reply_id, ReplyState.SUPERSEDED, now, superseded_by=CLOSED_STATUSES_BY[action.value])
        append_event(db, Event(now, actor.username, "reply.withdrawn", f"conversation:{conv_id}",
                               {"reply": reply_id, "by": action.value, "from": state}))  # "from": what undo restores
    return len(waiting)


def _restore_withdrawn(db: Database, conv_id: int, close: StoredEvent, actor: Actor, now: datetime
                       ) -> tuple[int, int]:
    """Undoing a resolve or dismiss puts back the replies it withdrew, as they were (held for a lead, or approved
    and so posted by the next send job), unless something moved them since: an undo that reopened the
    conversation but left its replies withdrawn lost work the agent believed undone."""
    by = close.data["action"]
    restored = kept = 0
    for event_id, data in db.conn.execute(
            "SELECT id, data FROM events WHERE subject = ? AND kind = 'reply.withdrawn' AND id > ? ORDER BY id",
            (f"conversation:{conv_id}", close.id)).fetchall():
        withdrawn = json.loads(data)
        if withdrawn.get("by") != by:
            continue
        reply = load_reply(db, withdrawn["reply"])
        if reply.state is not ReplyState.SUPERSEDED or reply.superseded_by != CLOSED_STATUSES_BY[by]:
            continue
        if _answered_by(db, load_conversation(db, conv_id), reply.in_reply_to or ""):
            kept += 1  # answered while closed (the brand's own app): restored, it would be a second answer
            continue
        state = ReplyState(withdrawn.get("from") or ReplyState.AWAITING_APPROVAL.value)
        set_reply_state(db, reply.id, state, now, superseded_by=None)
        append_event(db, Event(now, actor.username, "reply.restored", f"conversation:{conv_id}",
                               {"reply": reply.id, "state": state.value, "withdrawn": event_id}))
        restored += 1
    return restored, kept


def _offer_survey(db: Database, settings: Settings, conv_id: int, actor: Actor, now: datetime) -> str | None:
    """Resolving opens the one-question survey the settings ask for; its link is in the event."""
    kind = settings.responder.survey
    if kind == "none":
        return None
    token = surveys.create_survey(db, conv_id, kind, now=now)
    append_event(db, Event(now, actor.username, "survey.offered", f"conversation:{conv_id}",
                           {"kind": kind, "path": f"/s/{token}"}))
    return f"/s/{token}"


async def escalate(desk: Desk, actor: Actor, conv_id: int, *, now: datetime, note: str = "") -> Outcome:
    note = _plain(note, "escalation note")

    def write(db: Database) -> Outcome:
        queue.escalate(db, conv_id, actor=actor.username, now=now, note=note)
        return Outcome(load_conversation(db, conv_id), message="Escalated.")

    return await desk.store.write(write)


async def undo(desk: Desk, actor: Actor, conv_id: int, *, now: datetime) -> Outcome:
    """Take back the actor's own last resolve, dismiss or snooze, within :data:`UNDO_WINDOW`, as long as
    nothing has moved the conversation since (a customer message or a colleague's change wins)."""
    def write(db: Database) -> Outcome:
        last = last_status_event(db, conv_id)
        if last is not None and last.kind == "conversation.undone":  # a second click: undo is not a toggle
            raise Conflict("already undone: nothing of yours left to undo on this conversation")
        if last is None or last.actor != actor.username or Action(last.data["action"]) not in UNDOABLE:
            raise Conflict("nothing of yours to undo on this conversation")
        if now - last.at > UNDO_WINDOW:
            raise Conflict("too late to undo: changes can be taken back for 10 minutes")
        queue.restore(db, conv_id, last, actor=actor.username, now=now)
        message = f"Undone: back to {last.data['from']}."
        restored = kept = 0
        if last.data["action"] in CLOSED_STATUSES_BY:
            restored, kept = _restore_withdrawn(db, conv_id, last, actor, now)
            if restored:
                message += f" {restored} withdrawn repl{'y' if restored == 1 else 'ies'} back as before."
            if kept:
                message += (f" {kept} stay{'s' if kept == 1 else ''} withdrawn: the customer's message was "
                            "answered meanwhile.")
        return Outcome(load_conversation(db, conv_id), message=message, restored=restored, kept_withdrawn=kept)

    return await desk.store.write(write)


# -- replies ---------------------------------------------------------------------------------------------------
def _check_unanswered(db: Database, conv: Conversation) -> str:
    """The key of the customer message a new reply answers; :class:`AlreadyAnswered` when it has one."""
    target = latest_customer_key(db, conv.thread_key)
    if target is None:
        raise NotFound(f"conversation {conv.id} has no customer message to answer")
    answered = _answered_by(db, conv, target)
    if answered:
        raise AlreadyAnswered(f"{answered}; tick 'send another' to add one deliberately")
    return target


def _answered_by(db: Database, conv: Conversation, mention_key: str) -> str:
    """What already answers the customer message ``mention_key``, in words: a reply held, queued or out, or the
    brand's own post from the platform's app; "" when nothing does."""
    existing = answering_reply(db, conv.id, mention_key)
    if existing is not None:
        return (f"the customer's latest message already has a reply ({existing.state.value}, "
                f"by {existing.created_by})")
    outside = latest_outside_post(db, conv.id)
    if outside is not None and _answers(outside["created_at"], conv.last_customer_at):
        return f"@{outside['handle']} already replied on {conv.platform} outside Careline"
    return ""


def _answers(posted_at: str, last_customer_at: datetime | None) -> bool:
    """A brand post answers the customer when it is no older than their latest message."""
    posted = from_iso(posted_at)
    return posted is not None and (last_customer_at is None or posted >= last_customer_at)


async def send(desk: Desk, actor: Actor, conv_id: int, text: str, idempotency_key: str, *, now: datetime,
               another: bool = False, resolve: bool = False) -> Outcome:
    """Save the reply (claiming a free conversation), then post it unless a lead must approve it.

    A retried request with the same idempotency key returns the first reply and posts nothing.
    ``resolve`` makes it the closing reply: the conversation is resolved once the reply is posted (not
    while it waits for a lead or has failed), and where the brand's ``survey_in_reply`` says so the
    survey link rides in the reply itself, so the customer gets it where they wrote.
    """
    survey_note = ""
    if replies.is_blank(text):  # said before any other refusal: "already answered" misled an agent who meant to resolve
        raise Conflict("the reply is empty: write one" + (", or use Resolve to close without a reply" if resolve
                                                          else ""))

    def save(db: Database) -> tuple[Reply, bool, tuple[str, ...], ToneReport | None]:
        existing = reply_by_key(db, idempotency_key)
        if existing is not None:
            if existing.conversation_id != conv_id:
                raise Conflict("idempotency_key was already used for another conversation")
            if not _same_request(existing.text, text):  # a corrected text under a reused key would be dropped
                raise Conflict("idempotency_key was already used for a different text; send it with a new key")
            return existing, True, (), None
        conv = load_conversation(db, conv_id)
        if conv.status.value in CLOSED_STATUSES:
            raise Conflict(f"conversation {conv_id} is {conv.status.value}; reopen it to reply")
        _require_owner(conv, actor, "reply", leads_may=False)
        if not another:
            _check_unanswered(db, conv)
        conv = _own(db, conv, actor, now, "reply")
        body = text
        if resolve:
            nonlocal survey_note
            body, survey_note = _with_survey_link(db, desk, conv, text, now)
        saved = replies.save_reply(db, conv_id, body, actor=actor.username, now=now, settings=desk.settings,
                                   idempotency_key=idempotency_key, limits=desk.length_limits)
        _supersede_failed(db, saved.reply, actor, now)
        return saved.reply, False, saved.held, saved.tone

    reply, repeat, held, tone = await desk.store.write(save)
    if repeat or reply.state is not ReplyState.APPROVED:
        conv = await desk.store.read(lambda db: load_conversation(db, conv_id))
        if repeat:
            message = _repeated(reply)
        else:
            message = "Waiting for approval by a lead: " + "; ".join(held) if held else "Saved as a draft."
            if resolve and not repeat:
                message += " Not resolved: resolve once the reply is posted."
        return Outcome(conv, reply, message, held=held, tone=tone)
    out = await deliver(desk, actor, reply.id, now=now)
    if not resolve or out.reply is None or out.reply.state is not ReplyState.SENT:
        return Outcome(out.conversation, out.reply, out.message + (" Not resolved." if resolve else ""),
                       tone=tone)
    try:
        closed = await change_status(desk, actor, conv_id, Action.RESOLVE, now=now, answering=out.reply.in_reply_to)
    except (Conflict, Forbidden) as exc:  # posted all the same (a sign-in that ended meanwhile too): say so, and why
        # it stays open
        return Outcome(out.conversation, out.reply, f"{out.message} Not resolved: {exc}.", tone=tone)
    return Outcome(closed.conversation, out.reply, " ".join(filter(None, [out.message, "Resolved.", survey_note])),
                   tone=tone, survey_url=closed.survey_url, undoable=True)


def _supersede_failed(db: Database, new: Reply, actor: Actor, now: datetime) -> None:
    """A new answer to a message retires the failed replies to it: their Retry would post a second answer
    (the one failed, a colleague answered instead, then the author retried)."""
    failed = [r[0] for r in db.conn.execute(
        "SELECT id FROM replies WHERE conversation_id = ? AND in_reply_to = ? AND state = 'failed' AND id < ?",
        (new.conversation_id, new.in_reply_to, new.id))]
    for reply_id in failed:
        supersede(db, reply_id, new.conversation_id, f"reply:{new.id}", actor=actor.username, now=now)


def _repeated(reply: Reply) -> str:
    """What a request repeated under its idempotency key is told: where its reply is now. One that will never
    post is refused as the first answer was (a 201 "Already saved" read as success to a script)."""
    if reply.state is ReplyState.SUPERSEDED:
        raise Conflict(f"reply {reply.id} {replies.where_it_is(reply)}")
    if reply.state is ReplyState.SENT:
        return "Already sent (same request)."
    if reply.state is ReplyState.FAILED:
        return f"Already saved (same request); not sent: {reply.error}"
    return "Already saved (same request)."


def _same_request(saved: str, text: str) -> bool:
    """Whether ``saved`` (a reply's stored text) is what a request with ``text`` saved: the same words, or
    them with the survey link a closing reply carries."""
    return saved == text.strip() or saved.startswith(f"{text.rstrip()}\n\n{surveys.REPLY_PROMPT}")


def _with_survey_link(db: Database, desk: Desk, conv: Conversation, text: str, now: datetime) -> tuple[str, str]:
    """The closing reply with the survey link appended, where the brand asks for it and it fits; else
    the text as written and, when a link was wanted but did not fit, words saying so.

    The survey is created here, in the reply's transaction, so resolving afterwards finds this open
    survey instead of making a second link."""
    if not surveys.link_in_reply(desk.settings, conv.brand):
        return text, ""
    token = surveys.create_survey(db, conv.id, desk.settings.responder.survey, now=now)
    public = surveys.public_base(desk.settings)
    if public is None:  # the service's own address would not open for a customer
        return text, ("The survey link was left out of the reply: responder.public_url is not set; "
                      "it is on the conversation page.")
    url = surveys.survey_url(desk.settings, token, public)
    body = f"{text.rstrip()}\n\n{surveys.REPLY_PROMPT} {url}"
    limit = announced_limit(desk.length_limits, conv.platform, conv.brand)
    answered = replies.latest_customer_mention(db, conv.thread_key)  # the post the reply will answer
    if not check_length(conv.platform, body, limit, author=answered["handle"]).ok:
        return text, "The survey link did not fit in the reply; it is on the conversation page."
    return body, "The survey link went with the reply."


async def deliver(desk: Desk, actor: Actor, reply_id: int, *, now: datetime, retry: bool = False) -> Outcome:
    """Post an approved (or, on ``retry``, failed) reply at most once; once out, the conversation waits on
    the customer (pending, clocks paused) whoever posted it: a person, a lead's approval or the scheduler."""
    if retry:  # a person's retry: the conversation's holder, the reply's author when it is free, or a lead
        await desk.store.read(lambda db: _may_retry(db, reply_id, actor))
    post = sending.retry_reply if retry else sending.send_reply
    posted = await post(desk.store, reply_id, desk.senders, actor=actor.username, now=now)
    reply_state = posted.state
    if reply_state is ReplyState.SUPERSEDED:  # a later reply answered its message: retried, it would be a second
        raise Conflict(f"reply {reply_id} {replies.where_it_is(posted)}")

    def after(db: Database) -> Outcome:
        if not db.conn.execute("SELECT 1 FROM conversations WHERE id = ?", (posted.conversation_id,)).fetchone():
            # erased while it was being posted: "does not exist" read as if nothing had gone out, and stopped the
            # scheduler's run (it passes over a Conflict)
            said = "was posted" if reply_state is ReplyState.SENT else "was not posted"
            raise Conflict(f"reply {reply_id} {said}, but its conversation was erased meanwhile (a customer's "
                           "request for their data to be deleted)")
        if reply_state is ReplyState.SENT:
            queue.answered(db, posted.conversation_id, agent=posted.created_by, actor=actor.username, now=now,
                           answering=posted.in_reply_to)
        reply = load_reply(db, reply_id)
        words = {ReplyState.SENT: "Sent.", ReplyState.FAILED: f"Not sent: {reply.error}",
                 ReplyState.SENDING: "Being sent."}
        return Outcome(load_conversation(db, posted.conversation_id), reply, words.get(reply_state, "Saved."))

    return await desk.store.record(after)  # what follows from the post, whoever's sign-in ended while it went out


def _may_retry(db: Database, reply_id: int, actor: Actor) -> None:
    reply = load_reply(db, reply_id)
    conv = load_conversation(db, reply.conversation_id)
    _require_owner(conv, actor, "retry its reply", leads_may=True)


async def send_due(desk: Desk, *, now: datetime, limit: int = 20) -> int:
    """Scheduler job: post approved replies and reconcile stuck ones, through :func:`deliver`."""
    due = await desk.store.read(lambda db: sending.due_reply_ids(db, now, limit))
    started = time.monotonic()
    sent = 0
    for reply_id in due:
        # the job's clock moves on as its posts take time: a reply claimed late in the run must not start
        # with a lease that is already old (a person's retry would then post it a second time)
        at = now + timedelta(seconds=time.monotonic() - started)
        try:
            out = await deliver(desk, SYSTEM, reply_id, now=at)
        except Conflict:  # a person's send or approval got there first
            continue
        sent += out.reply is not None and out.reply.state is ReplyState.SENT
    return sent


async def approve(desk: Desk, actor: Actor, reply_id: int, *, now: datetime, seen: str = "") -> Outcome:
    """A lead approves a held reply; it is posted at once (the author is told on their page). ``seen``: the
    reply's ``updated_at`` as the lead read it; if the author has edited it since, the approval is refused."""
    await desk.store.write(lambda db: replies.review(db, reply_id, approve=True, reviewer=actor.username,
                                                      role=actor.role, now=now, seen=seen))
    try:
        return await deliver(desk, actor, reply_id, now=now)
    except Conflict:  # the scheduler picked it up first (on its way), or a close withdrew it meanwhile (not)
        outcome = await desk.store.read(lambda db: _reply_outcome(db, reply_id, "Approved; being sent."))
        assert outcome.reply is not None
        if outcome.reply.state is ReplyState.SENT:
            return dataclasses.replace(outcome, message="Approved and sent.")
        if outcome.reply.state not in (ReplyState.APPROVED, ReplyState.SENDING):
            raise Conflict(f"approved, but not sent: reply {reply_id} "
                           f"{replies.where_it_is(outcome.reply)}") from None
        return outcome


def _reply_outcome(db: Database, reply_id: int, message: str) -> Outcome:
    reply = load_reply(db, reply_id)
    return Outcome(load_conversation(db, reply.conversation_id), reply, message)


async def send_back(desk: Desk, actor: Actor, reply_id: int, note: str, *, now: datetime) -> Outcome:
    """A lead returns a held reply to its author as a draft, with a note the author sees on the draft."""
    note = _note_text(note, "say what to change: a send-back needs a note for the author")

    def write(db: Database) -> Outcome:
        replies.review(db, reply_id, approve=False, reviewer=actor.username, role=actor.role, now=now, note=note)
        reply = load_reply(db, reply_id)
        add_note(db, reply.conversation_id, actor.username, note[:1000], now, kind="send_back", reply_id=reply_id)
        return Outcome(load_conversation(db, reply.conversation_id), reply,
                       f"Sent back to {reply.created_by} with your note.")

    return await desk.store.write(write)


async def withdraw(desk: Desk, actor: Actor, reply_id: int, *, now: datetime) -> Outcome:
    """The author takes a held reply back to edit it (it could only be left to the lead, or doubled with "send
    another"); resubmitting it applies the approval rules afresh."""
    def write(db: Database) -> Outcome:
        replies.withdraw(db, reply_id, actor=actor.username, now=now)
        reply = load_reply(db, reply_id)
        return Outcome(load_conversation(db, reply.conversation_id), reply,
                       "Withdrawn from approval: edit it and submit it again.")

    return await desk.store.write(write)


async def resubmit(desk: Desk, actor: Actor, reply_id: int, text: str, *, now: datetime) -> Outcome:
    """The author edits a draft; it passes the same checks, and a sent-back one goes back to a lead, who sees
    what changed (the diff is in the audit event). A withdrawn one is posted when no rule holds it."""
    def write(db: Database) -> tuple[Reply, tuple[str, ...], ToneReport]:
        before = load_reply(db, reply_id)
        _may_answer_again(db, before, actor, now)
        saved = replies.resubmit(db, reply_id, text, actor=actor.username, now=now, settings=desk.settings,
                                 limits=desk.length_limits)
        after = saved.reply
        append_event(db, Event(now, actor.username, "reply.revised", f"conversation:{after.conversation_id}",
                               {"reply": reply_id, "diff": text_diff(before.text, after.text)}))
        return after, saved.held, saved.tone

    reply, held, tone = await desk.store.write(write)
    if reply.state is ReplyState.APPROVED:
        out = await deliver(desk, actor, reply_id, now=now)
        return Outcome(out.conversation, out.reply, out.message, tone=tone)
    conv = await desk.store.read(lambda db: load_conversation(db, reply.conversation_id))
    return Outcome(conv, reply, "Waiting for approval by a lead: " + "; ".join(held), held=held, tone=tone)


def _may_answer_again(db: Database, draft: Reply, actor: Actor, now: datetime) -> None:
    """What a resubmitted draft must pass, as a new reply must: the conversation open, held by its author (or
    free, and then claimed), and its message not answered by a reply written since. A draft waited outside
    those checks: resubmitted, it posted to a closed conversation after a reopen, or beside a colleague's
    answer after a take-over."""
    conv = load_conversation(db, draft.conversation_id)
    if conv.status.value in CLOSED_STATUSES:
        raise Conflict(f"conversation {conv.id} is {conv.status.value}; reopen it to reply")
    if draft.created_by != actor.username:
        raise Forbidden("only the author can edit a draft")
    _require_owner(conv, actor, "reply", leads_may=False)
    later = later_answer(db, draft)
    if later is not None:
        raise AlreadyAnswered(f"reply {later.id} by {later.created_by} already answers the message this draft "
                              f"answers ({later.state.value.replace('_', ' ')}); write a new reply with 'send "
                              "another' if the customer needs a second one")
    _own(db, conv, actor, now, "reply")


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level diff as ``(op, words)`` pairs, op one of ``=``, ``-``, ``+``: what the lead sees."""
    a, b = before.split(), after.split()
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def _note_text(text: str, empty: str) -> str:
    """A note's text stripped, or the refusal: ``empty`` for one that shows nothing, and control characters
    as for replies (a NUL was stored in notes while tags and replies refused it)."""
    text = text.strip()
    if replies.is_blank(text):
        raise Conflict(empty)
    return _plain(text, "note")


def _plain(text: str, what: str) -> str:
    """``text`` stripped, refused when it holds control characters: an escalation note or a dismissal reason took
    a NUL and an escape code into the audit log while notes refused them."""
    text = text.strip()
    if CONTROL.search(text):
        raise Invalid(f"the {what} holds control characters; only line breaks and tabs may be in it")
    return text


async def add_internal_note(desk: Desk, actor: Actor, conv_id: int, text: str, *, now: datetime) -> Note:
    text = _note_text(text, "the note is empty")

    def write(db: Database) -> Note:
        load_conversation(db, conv_id)
        note = add_note(db, conv_id, actor.username, text[:4000], now)
        append_event(db, Event(now, actor.username, "note.added", f"conversation:{conv_id}", {"note": note.id}))
        for name in workspace.mentioned_users(db, note.text):  # @name tells a colleague
            if name != actor.username:
                append_event(db, Event(now, actor.username, "note.mention", f"user:{name}",
                                       {"conversation": conv_id, "note": note.id}))
        return note

    return await desk.store.write(write)


# -- workspace: tags, teams, bulk work ------------------------------------------------------------------------
async def tag(desk: Desk, actor: Actor, conv_id: int, label: str, *, now: datetime, remove: bool = False,
              strict: bool = False) -> Outcome:
    """Add (or remove) a tag; anyone working the queue may, whoever owns the conversation. ``strict`` (bulk
    work): a conversation that already had (or lacked) the tag is refused, so its Undo leaves it alone: a bulk
    Undo used to remove a tag a colleague had put there before, or add one nobody had."""
    name = workspace.clean_tag(label)

    def write(db: Database) -> Outcome:
        load_conversation(db, conv_id)
        changed = workspace.remove_tag(db, conv_id, name) if remove else workspace.add_tag(db, conv_id, name,
                                                                                           actor.username, now)
        if strict and not changed:
            raise Conflict(f"it {'had no' if remove else 'already had'} #{name}")
        if changed:
            append_event(db, Event(now, actor.username, "conversation.untagged" if remove else "conversation.tagged",
                                   f"conversation:{conv_id}", {"tag": name}))
        verb = "Removed" if remove else "Tagged"
        return Outcome(load_conversation(db, conv_id), message=f"{verb} #{name}." if changed else "No change.")

    return await desk.store.write(write)


# -- the model's reading ----------------------------------------------------------------------------------------
def intent_choices(settings: Settings, brand: str | None) -> tuple[str, ...]:
    """The intents a person may give a post: the taxonomy, plus the brand's own (any brand's, when
    ``brand`` is None: a first check before the conversation is loaded)."""
    if not brand:
        extra = set(settings.brand_intents())
    else:
        found = settings.find_brand(brand)
        extra = set(found.intents) if found else set()
    return (*INTENTS, *sorted(extra - set(INTENTS)))


def _reading_mention(db: Database, conv: Conversation, mention_key: str | None) -> str:
    """The customer message a correction is about: the one named, which must be this conversation's,
    or the latest one the model has read (the one the page's classifier panel shows)."""
    row = db.conn.execute(
        "SELECT m.key FROM mentions m JOIN classifications c ON c.mention_key = m.key "
        "JOIN conversations v ON v.thread_key = m.thread_key WHERE v.id = ? AND (? IS NULL OR m.key = ?) "
        "ORDER BY m.created_at DESC, m.key DESC LIMIT 1", (conv.id, mention_key, mention_key)).fetchone()
    if row is None:
        raise NotFound(f"conversation {conv.id} has no classified message {mention_key}" if mention_key
                       else f"conversation {conv.id} has no classified message yet")
    return str(row[0])


async def correct_reading(desk: Desk, actor: Actor, conv_id: int, *, complaint: bool | None, sentiment: str | None,
                          now: datetime, mention_key: str | None = None, intent: str | None = None,
                          fresh_only: bool = False) -> Outcome:
    """A person's reading of a customer message (complaint or not, its sentiment, its intent) replaces
    the model's; the conversation's priority follows it at once, and a corrected intent picks the
    suggested reply's template. Anyone working the queue may, whoever owns the conversation, as with
    tags: it is a fact about the post, not a step in answering it. Two people correcting the same
    message at the same moment: each write sees the one before, the later one stands, and both are in
    the audit log; the model's reading is kept once, whoever was first.

    ``fresh_only`` (bulk marking from the queue) refuses a message someone has already corrected:
    a blanket mark must not overwrite a person's reading of one post it was never looked at for."""
    readings.check(complaint, sentiment, intent, intent_choices(desk.settings, None))

    def write(db: Database) -> Outcome:
        conv = load_conversation(db, conv_id)
        readings.check(complaint, sentiment, intent, intent_choices(desk.settings, conv.brand))
        key = _reading_mention(db, conv, mention_key)
        earlier = readings.correction_of(db, key) if fresh_only else None
        if earlier is not None:
            raise Conflict(f"already corrected by {earlier.corrected_by}: change it on the conversation page")
        done = readings.save(db, key, complaint, sentiment, by=actor.username, now=now, intent=intent)
        before, after = reprioritise(db, conv_id, now=now, priority=priority_for)
        append_event(db, Event(now, actor.username, "reading.corrected", f"conversation:{conv_id}",
                               {"mention": key, "complaint": complaint, "sentiment": sentiment, "intent": intent,
                                "model_complaint": done.model_complaint, "model_sentiment": done.model_sentiment,
                                "model_intent": done.model_intent,
                                "priority": {"from": round(before, 1), "to": round(after, 1)}}))
        return Outcome(load_conversation(db, conv_id), message=f"Corrected: {done.describe()}.", undoable=False)

    return await desk.store.write(write)


async def restore_reading(desk: Desk, actor: Actor, conv_id: int, *, now: datetime,
                          mention_key: str | None = None, only_own: bool = False) -> Outcome:
    """Take a correction back: the model's reading returns, and the priority with it.

    ``only_own`` (undoing a bulk mark) takes back only the caller's own correction: if a colleague
    corrected the message since, theirs stands and this conversation is refused."""
    def write(db: Database) -> Outcome:
        conv = load_conversation(db, conv_id)
        key = _reading_mention(db, conv, mention_key)
        if only_own:
            mine = readings.correction_of(db, key)
            if mine is None or mine.corrected_by != actor.username:
                raise Conflict(f"{mine.corrected_by} corrected it since" if mine else "no correction to take back")
        undone = readings.restore(db, key)
        if undone is None:
            return Outcome(conv, message="No correction to take back: the model's reading stands.")
        before, after = reprioritise(db, conv_id, now=now, priority=priority_for)
        append_event(db, Event(now, actor.username, "reading.restored", f"conversation:{conv_id}",
                               {"mention": key, "corrected_by": undone.corrected_by,
                                "priority": {"from": round(before, 1), "to": round(after, 1)}}))
        return Outcome(load_conversation(db, conv_id), message="The model's reading is back.")

    return await desk.store.write(write)


async def assign_team(desk: Desk, actor: Actor, conv_id: int, team: str | None, *, now: datetime,
                      strict: bool = False) -> Outcome:
    """Route the conversation to a team (its members share it by round-robin), or back to everyone. Routing it
    where it already is changes nothing and logs nothing (a bulk routing said "done" and wrote an event from none
    to none); ``strict`` (bulk work) refuses it instead, as a bulk tag refuses a tag already there."""
    if not actor.is_lead:
        raise Forbidden("only a lead or an admin can assign conversations")

    def write(db: Database) -> Outcome:
        before = load_conversation(db, conv_id)
        if before.team == team:
            where = f"with team {team}" if team else "with no team"
            if strict:
                raise Conflict(f"it is already {where}")
            return Outcome(before, message=f"No change: it is already {where}.")
        if team is not None and not workspace.has_members(db, team):  # it would wait there for nobody
            raise Conflict(f"team {team} has nobody in it: add people to it first, or choose another")
        workspace.set_team(db, conv_id, team)
        append_event(db, Event(now, actor.username, "conversation.team", f"conversation:{conv_id}",
                               {"from": before.team, "to": team}))
        return Outcome(load_conversation(db, conv_id), message=f"Assigned to team {team}." if team else "No team.")

    return await desk.store.write(write)


@dataclass(frozen=True)
class BulkResult:
    """What a bulk action did to each selected conversation: done, or refused with the reason."""

    done: tuple[int, ...]
    refused: tuple[tuple[int, str], ...]


#: Bulk actions and what undoes each (``None``: nothing to undo; assign again instead).
BULK_UNDO = {"claim": "release", "release": None, "resolve": "undo", "dismiss": "undo", "tag": "untag", "untag": "tag",
             "assign": None,
             "assign_team": None, "undo": None, "mark_complaint": "restore_reading",
             "mark_not_complaint": "restore_reading", "restore_reading": None}
MAX_BULK = 200


async def bulk(desk: Desk, actor: Actor, ids: list[int], action: str, *, now: datetime, agent: str = "",
               team: str = "", label: str = "", seen: Mapping[int, str] | None = None) -> BulkResult:
    """Apply one action to each selected conversation, each in its own transaction: one refusal (someone
    else holds it, it moved meanwhile) never undoes or blocks the others, and each result says why.
    ``seen``: per conversation, the customer's newest message the queue showed (see :func:`change_status`)."""
    if action not in BULK_UNDO:
        raise Invalid(f"no bulk action {action!r}")
    if not 1 <= len(ids) <= MAX_BULK:
        raise Invalid(f"select 1 to {MAX_BULK} conversations")
    done: list[int] = []
    refused: list[tuple[int, str]] = []
    for conv_id in dict.fromkeys(ids):
        try:
            await _bulk_one(desk, actor, conv_id, action, now=now, agent=agent, team=team, label=label,
                            seen=(seen or {}).get(conv_id))
        except (Conflict, Forbidden, NotFound) as exc:
            refused.append((conv_id, str(exc)))
        else:
            done.append(conv_id)
    return BulkResult(tuple(done), tuple(refused))


async def _bulk_one(desk: Desk, actor: Actor, conv_id: int, action: str, *, now: datetime, agent: str, team: str,
                    label: str, seen: str | None) -> None:
    if action == "claim":
        await claim(desk, actor, conv_id, now=now, strict=True)
    elif action == "release":  # only as a bulk claim's Undo: what the person still holds
        await release(desk, actor, conv_id, now=now, only_own=True)
    elif action in ("resolve", "dismiss"):
        await change_status(desk, actor, conv_id, Action(action), now=now, seen=seen)
    elif action in ("tag", "untag"):
        await tag(desk, actor, conv_id, label, now=now, remove=action == "untag", strict=True)
    elif action == "assign":
        await assign(desk, actor, conv_id, agent, now=now)
    elif action == "assign_team":
        await assign_team(desk, actor, conv_id, team or None, now=now, strict=True)
    elif action in ("mark_complaint", "mark_not_complaint"):  # the latest message, unless someone corrected it
        await correct_reading(desk, actor, conv_id, complaint=action == "mark_complaint", sentiment=None, now=now,
                              fresh_only=True)
    elif action == "restore_reading":
        await restore_reading(desk, actor, conv_id, now=now, only_own=True)
    else:
        await undo(desk, actor, conv_id, now=now)
