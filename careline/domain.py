"""Platform-neutral, frozen value objects shared by every stage.

Only adapters in ``listener/`` ever see tweepy or PRAW objects; everything past them speaks these
types. All datetimes are timezone-aware UTC, enforced at construction, because SLA arithmetic on
naive datetimes is the classic source of off-by-one-hour breaches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


def utcnow() -> datetime:
    """The one clock call of the codebase's IO edge; pure code takes ``now`` as an argument."""
    return datetime.now(UTC)


def ensure_utc(value: datetime, name: str = "datetime") -> datetime:
    """Reject naive datetimes instead of guessing their zone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def to_iso(value: datetime | None) -> str | None:
    """Store datetimes as ISO-8601 UTC text: sortable and readable in the sqlite shell."""
    return None if value is None else ensure_utc(value).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> datetime | None:
    """Inverse of :func:`to_iso`; treats naive text as UTC because that is how we wrote it."""
    if value is None:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


#: The sentiment labels every classifier returns.
SENTIMENTS = ("negative", "neutral", "positive")
#: Our customer-care intent taxonomy; the classifier predicts it and reply templates are keyed by it.
INTENTS = (
    "delivery",
    "refund_return",
    "billing",
    "account_login",
    "outage_bug",
    "product_quality",
    "service_experience",
    "question",
    "praise",
    "other",
)


class Platform(StrEnum):
    X = "x"
    REDDIT = "reddit"
    BLUESKY = "bluesky"
    MASTODON = "mastodon"


#: The priority bands of the queue, most urgent first (their floors are ``responder.priority.BUCKETS``): the
#: words SLA policies and approval rules name.
PRIORITY_BANDS: tuple[str, ...] = ("urgent", "high", "normal", "low")


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    MARKETING = "marketing"
    ADMIN = "admin"


#: Roles that work the reply queue (an SQL list as written too): a conversation held by anyone else is stranded, and
#: only these may be told of a note.
QUEUE_ROLES = ("agent", "lead", "admin")


class ConversationStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


#: Characters no text we post or put into a post may hold: C0 controls but tab, line feed and carriage return,
#: and DEL (a NUL or an escape code posts as garbage, or gets the whole post refused). Replies, notes and the
#: brand texts that go into replies are all checked against this one definition.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: The statuses of a conversation someone still has to act on. One definition: queries, the sweep
#: and the pages import it instead of spelling the set out.
ACTIVE_STATUSES: tuple[str, ...] = ("new", "open", "pending", "snoozed")
#: What the working views show by default: a snoozed conversation is out of sight until it wakes or
#: the customer writes.
WORKING_STATUSES: tuple[str, ...] = ("new", "open", "pending")
#: Finished conversations: replying needs a reopen first.
CLOSED_STATUSES: tuple[str, ...] = ("resolved", "dismissed")


class ReplyState(StrEnum):
    DRAFT = "draft"  # being written, or sent back by a lead to its author
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"  # never posted: the brand answered first outside Careline, or the conversation closed


#: Reply states that answer the customer's latest message (one reply per message unless deliberate).
ANSWERING_STATES: tuple[str, ...] = ("awaiting_approval", "approved", "sending", "sent")


@dataclass(frozen=True, slots=True)
class Author:
    """A person on a platform, as far as the platform tells us."""

    platform: str
    platform_id: str
    handle: str
    name: str = ""
    followers: int = 0
    verified: bool = False

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.platform_id}"


@dataclass(frozen=True, slots=True)
class Mention:
    """One post that mentions a brand; ``(platform, platform_id)`` is its identity everywhere."""

    platform: str
    platform_id: str
    brand: str
    author: Author
    text: str
    url: str
    created_at: datetime
    fetched_at: datetime
    conversation_id: str
    in_reply_to_id: str | None = None
    language: str | None = None
    source: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict)
    #: Posted by the brand's own account (a reply in a thread): stored as a brand post, never as a
    #: customer mention; see ``careline.platform`` and ``responder.outside``.
    from_brand: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "created_at", ensure_utc(self.created_at, "created_at"))
        object.__setattr__(self, "fetched_at", ensure_utc(self.fetched_at, "fetched_at"))

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.platform_id}"

    @property
    def thread_key(self) -> str:
        """Conversation identity: a platform thread is one conversation, per brand."""
        return f"{self.platform}:{self.brand}:{self.conversation_id}"

    def raw_json(self) -> str:
        return json.dumps(self.raw, sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class Classification:
    """The model's tags for one mention, always stored with the model version that made them."""

    mention_key: str
    model_version: str
    sentiment: str
    sentiment_scores: Mapping[str, float]
    complaint: float
    detractor: float
    intent: str
    intent_scores: Mapping[str, float]
    urgency: float = 0.0
    reasons: tuple[str, ...] = ()
    effort: float | None = None  # customer-effort proxy in [0, 1]; None = this classifier records none
    language: str | None = None  # ISO 639-1, "und" when undetermined; None = not detected (older versions)
    language_covered: bool | None = None  # False: no model path reads the language, scores are a guess
    language_path: str | None = None  # "english", "multilingual", "keywords" or "lexicon"
    severity: int | None = None  # complaint severity 0 (none) .. 4 (blame); None = no severity head
    sarcasm: float | None = None  # P(sarcastic complaint); None = no sarcasm head

    def as_row(self) -> dict[str, Any]:
        return {
            "mention_key": self.mention_key,
            "model_version": self.model_version,
            "sentiment": self.sentiment,
            "sentiment_scores": json.dumps(dict(self.sentiment_scores)),
            "complaint": float(self.complaint),
            "detractor": float(self.detractor),
            "intent": self.intent,
            "intent_scores": json.dumps(dict(self.intent_scores)),
            "urgency": float(self.urgency),
            "reasons": json.dumps(list(self.reasons)),
            "effort": None if self.effort is None else float(self.effort),
            "language": self.language,
            "language_covered": None if self.language_covered is None else int(self.language_covered),
            "language_path": self.language_path,
            "severity": self.severity,
            "sarcasm": None if self.sarcasm is None else float(self.sarcasm),
        }


@dataclass(frozen=True, slots=True)
class SourceCursor:
    """Where a source's next fetch starts (X ``since_id``, Reddit newest fullname)."""

    source: str
    brand: str
    value: str | None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Conversation:
    """One platform thread, the unit an agent works on; it has at most one owner (``assignee``)."""

    id: int
    thread_key: str
    platform: str
    brand: str
    author_key: str
    status: ConversationStatus
    priority: float
    created_at: datetime
    updated_at: datetime
    last_customer_at: datetime | None = None
    assignee: str | None = None
    assigned_at: datetime | None = None
    first_response_due: datetime | None = None
    first_responded_at: datetime | None = None
    next_response_due: datetime | None = None
    resolution_due: datetime | None = None
    resolved_at: datetime | None = None
    snoozed_until: datetime | None = None
    sla_policy: str | None = None
    escalation_level: int = 0
    priority_reasons: tuple[str, ...] = ()
    team: str | None = None

    @property
    def active(self) -> bool:
        return self.status.value in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Reply:
    """An outbound message; ``idempotency_key`` makes retried sends post at most once."""

    id: int
    conversation_id: int
    text: str
    state: ReplyState
    created_by: str
    created_at: datetime
    updated_at: datetime
    idempotency_key: str
    in_reply_to: str | None = None
    platform_id: str | None = None
    error: str | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    reviewed_by: str | None = None
    review_note: str | None = None
    superseded_by: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """An internal note on a conversation, never posted. ``kind`` is ``note`` or ``send_back`` (a lead's
    reason for returning a held reply to its author, with ``reply_id``)."""

    id: int
    conversation_id: int
    author: str
    text: str
    created_at: datetime
    kind: str = "note"
    reply_id: int | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """Append-only audit entry: who did what to which thing, and when."""

    at: datetime
    actor: str
    kind: str
    subject: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class User:
    username: str
    role: Role
    display_name: str = ""
    available: bool = True
