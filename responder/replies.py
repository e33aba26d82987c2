"""Reply drafts and their approval, inside the caller's write transaction.

A reply is stored before anything is posted: ``draft`` -> (``awaiting_approval`` ->) ``approved`` ->
``sending`` -> ``sent`` | ``failed``. ``responder.sending`` owns the last three; this module owns the
suggestion, the checks (tone guard and platform length) and the optional lead approval. Each reply
has an idempotency key, so a double-clicked "send" or a retried API call creates one reply, not two.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from careline.domain import CLOSED_STATUSES, CONTROL, Conversation, Event, Reply, ReplyState, from_iso, to_iso
from careline.errors import Conflict, Forbidden, Invalid, NotFound
from careline.settings import Settings
from careline.store.conversations import latest_send_back, load_conversation, load_reply, reply_by_key
from careline.store.records import append_event, next_id_sql, rows
from responder.drafts import (
    COMPLAINT_ON,
    BrandVoice,
    Draft,
    draft_reply,
    load_brand_templates,
    reply_intent,
    safe_name,
)
from responder.priority import bucket_for
from responder.queue import load
from responder.textlimits import announced_limit, check_length
from responder.tone import ToneReport, check_tone, tone_language

REPO = Path(__file__).resolve().parent.parent

#: Letters that draw nothing (Hangul fillers, the blank Braille cell): what people paste to post "empty" text.
_DRAWS_NOTHING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only white space, invisible format characters (zero-width spaces and
    joiners, the byte-order mark, soft hyphens) and letters that draw nothing. Why: a reply of two zero-width
    spaces passed ``strip()``, was posted as an empty-looking reply and stopped the first-response clock."""
    return all(c.isspace() or c in _DRAWS_NOTHING or unicodedata.category(c) == "Cf" for c in text)


@dataclass(frozen=True)
class Voices:
    """Brand voices with their template overrides, loaded once from settings."""

    by_brand: dict[str, BrandVoice]

    @classmethod
    def from_settings(cls, settings: Settings) -> Voices:
        directory = Path(settings.responder.templates_dir)
        templates = _templates(str(directory if directory.is_absolute() else REPO / directory))
        names = brand_names(settings)
        return cls({b.name: BrandVoice(display_name=b.display_name or b.name, greeting=b.greeting,
                                       sign_off=b.sign_off, promise=b.promise,
                                       templates={**templates.get(b.name, {}), **_inline(settings, b.name)},
                                       brand_names=names)
                    for b in settings.brands})

    def get(self, brand: str) -> BrandVoice:
        return self.by_brand.get(brand) or BrandVoice(display_name=brand)


def brand_names(settings: Settings) -> tuple[str, ...]:
    """Every brand's names and accounts in the settings, and the competitors they name: a post signed
    with one comes from a brand, and a reply must not greet it as a customer."""
    names = [name for b in settings.brands
             for name in (b.name, b.display_name, *b.handles, b.bluesky_handle, b.mastodon_account,
                          b.reddit_username, *b.competitors)]
    return tuple(dict.fromkeys(name for name in names if name))


@functools.lru_cache(maxsize=8)
def _templates(directory: str) -> dict[str, dict[str, str]]:
    """Brand templates are read once per process; edit them and restart to pick changes up."""
    return load_brand_templates(directory) if Path(directory).is_dir() else {}


def _inline(settings: Settings, brand: str) -> dict[str, str]:
    """The brand's templates kept in the settings (``responder.templates``), keyed as the files are."""
    prefix = f"{brand}/"
    return {key[len(prefix):]: text.strip() for key, text in settings.responder.templates.items()
            if key.startswith(prefix)}


def case_ref(conv_id: int) -> str:
    """Short reference a customer can quote in a DM."""
    return f"CL-{conv_id:06d}"


def latest_customer_mention(db: Database, thread_key: str) -> dict[str, Any]:
    """The thread's newest message, with its reading."""
    return recent_messages(db, thread_key, limit=1)[-1]


def recent_messages(db: Database, thread_key: str, *, limit: int) -> list[dict[str, Any]]:
    """The thread's newest ``limit`` messages, newest last, with their readings."""
    found = rows(db, """SELECT m.key, m.text, m.platform_id, m.language, a.name, a.handle, c.intent,
                               c.intent_scores, c.complaint, c.sentiment
                        FROM mentions m JOIN authors a ON a.key = m.author_key
                        LEFT JOIN classifications c ON c.mention_key = m.key
                        WHERE m.thread_key = ? ORDER BY m.created_at DESC, m.key DESC LIMIT ?""", (thread_key, limit))
    if not found:
        raise NotFound(f"thread {thread_key} has no messages")
    return found[::-1]


#: How far back the suggested reply looks for a message that asks something, past ones that ask nothing.
ANSWER_LOOKBACK = 10
EARLIER_NOTE = "Answers the customer's earlier message: the latest asks nothing of its own."


def known_language(messages: Sequence[Mapping[str, Any]]) -> str | None:
    """The language of a thread's ``messages`` (oldest first): the newest one's whose language is known. A wordless
    follow-up ("؟؟", "🙏", tagged und) turned the reply to an Arabic complaint English."""
    return next((m.get("language") for m in reversed(messages) if m.get("language") not in (None, "", "und")), None)


def thread_language(db: Database, thread_key: str) -> str | None:
    """:func:`known_language` of the thread's newest messages: what the tone guard reads a reply in."""
    return known_language(recent_messages(db, thread_key, limit=ANSWER_LOOKBACK))


def answered_message(messages: Sequence[Mapping[str, Any]]) -> tuple[Mapping[str, Any] | None, str | None]:
    """The classified message the suggested reply answers (``messages``: a thread's, oldest first), and a note
    when it is not the latest: the latest, unless it asks nothing of its own (read as ``other`` and no
    complaint: "lol", an emoji, "?") and an earlier one does, whose reading then picks the template. A complaint
    followed by "@brand lol" was answered with "send us a DM with a few details", the template of "lol"."""
    classified = [m for m in messages if m.get("intent")]
    if not classified:
        return None, None
    latest = classified[-1]
    if latest["intent"] != "other" or float(latest.get("complaint") or 0) >= COMPLAINT_ON:
        return latest, None
    for m in reversed(classified[-ANSWER_LOOKBACK:-1]):
        if m["intent"] != "other":
            return m, EARLIER_NOTE
    return latest, None


def suggest(db: Database, conv_id: int, voices: Voices) -> Draft:
    """The suggested reply for the conversation (:func:`suggestion` over its newest messages)."""
    conv = load(db, conv_id)
    thread = recent_messages(db, conv["thread_key"], limit=ANSWER_LOOKBACK)
    return suggestion(conv, thread, thread[-1]["name"] or "", voices)


def suggestion(conv: Mapping[str, Any], messages: Sequence[Mapping[str, Any]], author_name: str, voices: Voices, *,
               limit: int | None = None) -> Draft:
    """The suggested reply to a thread's ``messages`` (oldest first): it answers :func:`answered_message`, with
    that message's reading picking the template, in the language of the newest message, and says why when it
    answers an earlier one. The one rule the conversation page and the use cases share."""
    answered, note = answered_message(messages)
    language = known_language(messages)
    draft = draft_for(dict(conv), answered["intent"] if answered else None, author_name, voices, language=language,
                      limit=limit, intent_scores=_scores(answered.get("intent_scores")) if answered else None,
                      complaint=answered.get("complaint") if answered else None,
                      sentiment=answered.get("sentiment") if answered else None)
    return with_note(draft, note)


def _scores(value: str | Mapping[str, float] | None) -> dict[str, float]:
    """A classification's intent scores as stored (JSON) or already read; {} where unreadable."""
    if isinstance(value, Mapping):
        return dict(value)
    try:
        loaded = json.loads(value) if value else {}
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def draft_for(conv: dict[str, Any], intent: str | None, author_name: str, voices: Voices, *,
              language: str | None = None, limit: int | None = None,
              intent_scores: Mapping[str, float] | None = None, complaint: float | None = None,
              sentiment: str | None = None) -> Draft:
    """The draft for an already-loaded conversation row, in its brand's voice and the customer's
    language (when a template exists for it), with its case reference. With the message's
    ``intent_scores``, ``complaint`` score and ``sentiment``, a complaint or a negative post never gets the praise
    template (``drafts.reply_intent``)."""
    # never a hostile display name verbatim, and never a handle as a name: "Hi jslink", "Hi evil" (for
    # evil.bsky.social) and "Hi mal" (mal@evil.social) greeted accounts whose display names held no name word
    name = safe_name(author_name)
    key, why = reply_intent(intent, intent_scores, complaint, sentiment)
    draft = draft_reply(key, conv["brand"], name, case_ref(int(conv["id"])), conv["platform"],
                        voice=voices.get(conv["brand"]), language=language, limit=limit,
                        reply_to=str(conv.get("handle") or "") or None)
    if why is None:
        return draft
    return with_note(draft, why)


def with_note(draft: Draft, note: str | None) -> Draft:
    """``draft`` with ``note`` said first, before the note it had (each a sentence of its own)."""
    if not note:
        return draft
    return dataclasses.replace(draft, note=" ".join(_sentence(n) for n in (note, draft.note) if n))


def _sentence(note: str) -> str:
    """A note as a sentence of its own, to stand after another: "... reads as a complaint. no Czech template" read
    as a typo."""
    note = note[:1].upper() + note[1:]
    return note if note.endswith((".", "!", "?")) else note + "."


def approval_reasons(settings: Settings, conv: Conversation, agent: str, tone: ToneReport) -> tuple[str, ...]:
    """Why a reply must wait for a lead, in words the agent is shown; empty when it may go at once."""
    r, reasons = settings.responder, []
    if agent in r.approval_agents:
        reasons.append(f"replies by {agent} are reviewed")
    bucket = bucket_for(conv.priority)
    if bucket in r.approval_priorities:
        reasons.append(f"{bucket} conversations are reviewed")
    if tone.defensive:
        reasons.append("tone guard: " + ", ".join(f"{f.category} ('{f.phrase}')" for f in tone.findings if f.blocking))
    return tuple(reasons)


@dataclass(frozen=True)
class Saved:
    """A reply as written or edited: the row, why it waits for a lead (empty when it is approved) and what the
    tone guard read in it (the page shows both)."""

    reply: Reply
    held: tuple[str, ...]
    tone: ToneReport


def save_reply(db: Database, conv_id: int, text: str, *, actor: str, now: datetime, settings: Settings,
               idempotency_key: str | None = None, limits: Mapping[str, int] | None = None) -> Saved:
    """Store an agent's reply, checked; approved at once unless it needs a lead's approval.

    A reply needs approval when the settings say so for its priority or author, or when the tone
    guard finds it defensive: such a reply is held for a lead rather than refused, and the findings
    are kept in the audit event. Over-length text is refused outright because the platform would
    refuse it anyway (``limits``: what a platform's server announced, e.g. a Mastodon instance's own).
    A retried call with the same ``idempotency_key`` returns the first reply.
    """
    existing = reply_by_key(db, idempotency_key) if idempotency_key else None
    if existing is not None:  # the tone read in the language of the message it answers, as when it was saved
        thread = load_conversation(db, existing.conversation_id).thread_key
        language = tone_language(thread_language(db, thread))
        return Saved(existing, (), check_tone(existing.text, language, every_language=True))
    conv = load_conversation(db, conv_id)
    if conv.status.value in CLOSED_STATUSES:
        raise Conflict(f"conversation {conv_id} is {conv.status.value}; reopen it to reply")
    messages = recent_messages(db, conv.thread_key, limit=ANSWER_LOOKBACK)  # one read: the post, the language
    last = messages[-1]
    text = _postable(conv, text, limits, last["handle"])
    tone = check_tone(text, tone_language(known_language(messages)), every_language=True)
    held = approval_reasons(settings, conv, actor, tone)
    state = ReplyState.AWAITING_APPROVAL if held else ReplyState.APPROVED
    key = idempotency_key or secrets.token_urlsafe(16)
    cur = db.conn.execute(
        f"""INSERT INTO replies (id, conversation_id, in_reply_to, text, state, created_by, created_at, updated_at,
               idempotency_key) VALUES ({next_id_sql("replies")}, ?, ?, ?, ?, ?, ?, ?, ?)""",
        (conv_id, last["key"], text, state.value, actor, to_iso(now), to_iso(now), key))
    append_event(db, Event(now, actor, "reply.created", f"conversation:{conv_id}",
                           {"reply": cur.lastrowid, "state": state.value, "tone": [f.category for f in tone.findings]}))
    return Saved(load_reply(db, int(cur.lastrowid or 0)), held, tone)


def where_it_is(reply: Reply) -> str:
    """Where a reply is now, in a person's words: what a refused approval or send says instead of its state's
    name ("reply 3 is draft, not awaiting approval" left a lead to guess that the author had withdrawn it)."""
    state, by = reply.state, reply.reviewed_by or ""
    return {
        ReplyState.DRAFT.value: f"was sent back by {by} and is being edited" if by else
                                "was withdrawn by its author to edit it",
        ReplyState.AWAITING_APPROVAL.value: "waits for a lead's approval",
        ReplyState.APPROVED.value: f"was approved already{f' by {by}' if by else ''} and is being posted",
        ReplyState.SENDING.value: "is being posted right now",
        ReplyState.SENT.value: "was posted already",
        ReplyState.FAILED.value: "was approved and failed to post; retry it from its conversation",
        ReplyState.SUPERSEDED.value: f"is no longer to be sent: {_superseded_why(reply.superseded_by)}",
    }.get(state, f"is {state.value}")


def _superseded_why(by: str | None) -> str:
    """What ``superseded_by`` holds, in words: the closing action, a later reply, or the brand post."""
    if by in ("resolved", "dismissed"):
        return f"the conversation was {by} first"
    if by and by.startswith("reply:"):
        return f"reply {by.removeprefix('reply:')} answered that message meanwhile"
    return "the conversation was answered outside Careline" if by else "the conversation was answered or closed first"


def review(db: Database, reply_id: int, *, approve: bool, reviewer: str, role: str, now: datetime,
           note: str = "", seen: str = "") -> Reply:
    """A lead approves a waiting reply, or sends it back to its author with a note. ``seen`` (the reply's
    ``updated_at`` on the lead's screen): a reply changed since is not approved, so a lead never approves
    a text they did not read (another lead sent it back and the author resubmitted it meanwhile)."""
    if role not in ("lead", "admin"):
        raise Forbidden("only a lead or an admin can review replies")
    reply = load_reply(db, reply_id)
    if reply.state is not ReplyState.AWAITING_APPROVAL:
        raise Conflict(f"reply {reply_id} {where_it_is(reply)}: nothing to {'approve' if approve else 'send back'}")
    if approve and seen and not _same_moment(seen, reply.updated_at):
        raise Conflict(f"reply {reply_id} was edited after you opened it; read it again before approving")
    state = ReplyState.APPROVED if approve else ReplyState.DRAFT
    db.conn.execute("UPDATE replies SET state = ?, reviewed_by = ?, review_note = ?, updated_at = ? WHERE id = ?",
                    (state.value, reviewer, note[:1000], to_iso(now), reply_id))
    append_event(db, Event(now, reviewer, "reply.approved" if approve else "reply.sent_back",
                           f"conversation:{reply.conversation_id}", {"reply": reply_id, "note": note[:1000]}))
    return load_reply(db, reply_id)


def _same_moment(seen: str, updated_at: datetime) -> bool:
    """Whether ``seen`` (a reply's ``updated_at`` as a page or script read it) names ``updated_at``; a time
    that does not parse names no moment."""
    try:
        return from_iso(seen) == updated_at
    except ValueError:
        return False


def withdraw(db: Database, reply_id: int, *, actor: str, now: datetime) -> Reply:
    """The author takes a reply back from the lead's approvals to edit it: a draft again, resubmitted like a
    sent-back one. Refused once a lead has decided (the state is read in the same transaction a lead's
    approval writes in, so only one of the two happens)."""
    reply = load_reply(db, reply_id)
    if reply.created_by != actor:
        raise Forbidden("only the author can withdraw a reply")
    if reply.state is not ReplyState.AWAITING_APPROVAL:
        raise Conflict(f"reply {reply_id} is {reply.state.value.replace('_', ' ')}: only a reply waiting for "
                       "approval can be withdrawn")
    db.conn.execute("UPDATE replies SET state = ?, updated_at = ? WHERE id = ?",
                    (ReplyState.DRAFT.value, to_iso(now), reply_id))
    append_event(db, Event(now, actor, "reply.withdrawn", f"conversation:{reply.conversation_id}",
                           {"reply": reply_id}))
    return load_reply(db, reply_id)


#: Why a reply holding control characters is refused: at Send, and in the editor's live check before it.
UNPOSTABLE = "the reply holds control characters; only line breaks and tabs may be in it"


def _postable(conv: Conversation, text: str, limits: Mapping[str, int] | None, author: str | None) -> str:
    """``text`` stripped, once it is a reply the platform would take: not empty, no control characters (a NUL
    or an escape code posts as garbage, or gets the whole reply refused), within the platform's length as
    posted (``author``, the handle answered: Mastodon's sender puts ``@author`` in front, which counts)."""
    text = text.strip()
    if is_blank(text):
        raise Conflict("the reply is empty")
    if CONTROL.search(text):
        raise Invalid(UNPOSTABLE)
    length = check_length(conv.platform, text, announced_limit(limits, conv.platform, conv.brand),
                          author=author)
    if not length.ok:
        raise Conflict(length.reason)
    return text


def answered_handle(db: Database, mention_key: str | None) -> str | None:
    """The handle of the author of the message a reply answers (what a platform's sender may mention)."""
    found = rows(db, "SELECT a.handle FROM mentions m JOIN authors a ON a.key = m.author_key WHERE m.key = ?",
                 (mention_key,)) if mention_key else []
    return found[0]["handle"] if found else None


def resubmit(db: Database, reply_id: int, text: str, *, actor: str, now: datetime,
             settings: Settings, limits: Mapping[str, int] | None = None) -> Saved:
    """The author edits a draft (sent back by a lead, or withdrawn from approval); it goes through the same
    checks, and a sent-back one back to a lead: the lead asked for the change and is the one to judge it (the
    tone guard passing the new words is no such judgement)."""
    reply = load_reply(db, reply_id)
    if reply.state is not ReplyState.DRAFT:
        raise Conflict(f"reply {reply_id} is {reply.state.value}; only drafts can be edited")
    if reply.created_by != actor:
        raise Forbidden("only the author can edit a draft")
    conv = load_conversation(db, reply.conversation_id)
    text = _postable(conv, text, limits, answered_handle(db, reply.in_reply_to))
    tone = check_tone(text, tone_language(thread_language(db, conv.thread_key)),
                      every_language=True)
    held = approval_reasons(settings, conv, actor, tone)
    back = latest_send_back(db, reply_id)  # the note outlives a withdrawal, which a lead's verdict would not
    if back is not None:
        held = (f"{back.author} sent it back, so a lead reads the new text", *held)
    state = ReplyState.AWAITING_APPROVAL if held else ReplyState.APPROVED
    # the review was of the old text: the new one is nobody's "reviewed" until a lead approves it
    db.conn.execute("UPDATE replies SET text = ?, state = ?, reviewed_by = NULL, updated_at = ? WHERE id = ?",
                    (text, state.value, to_iso(now), reply_id))
    append_event(db, Event(now, actor, "reply.resubmitted", f"conversation:{conv.id}", {"reply": reply_id}))
    return Saved(load_reply(db, reply_id), held, tone)
