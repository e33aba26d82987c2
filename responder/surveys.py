"""One-question surveys after resolution (NPS, CSAT or CES), answered through an unguessable link.

The survey token is the only credential: it is 32 bytes from ``secrets`` (URL-safe), so a customer
can answer without an account and nobody can answer someone else's survey by guessing. A survey
records the agent, brand and platform *at creation*, so a later reassignment does not move the score
to another agent. Functions take a ``Database`` and run inside the caller's transaction, like
``careline.store.records``; aggregation is ``responder.metrics`` (pure).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from careline.domain import Event, to_iso
from careline.errors import CarelineError, Conflict, NotFound
from careline.settings import ResponderSettings, Settings
from careline.store.records import append_event, rows
from responder import metrics


@dataclass(frozen=True, slots=True)
class SurveyKind:
    """The one question of a survey kind and its answer scale."""

    name: str
    low: int
    high: int
    question: str  # ``{brand}`` is replaced by the brand's display name
    low_label: str
    high_label: str

    @property
    def scale(self) -> range:
        return range(self.low, self.high + 1)


KINDS: dict[str, SurveyKind] = {
    "nps": SurveyKind("nps", 0, 10, "How likely are you to recommend {brand} to a friend or colleague?",
                      "Not at all likely", "Extremely likely"),
    "csat": SurveyKind("csat", 1, 5, "How satisfied are you with the help you got from {brand}?",
                       "Very dissatisfied", "Very satisfied"),
    "ces": SurveyKind("ces", 1, 7, "How easy was it to get your issue resolved?", "Very difficult", "Very easy"),
}
MAX_COMMENT = 1000
#: Words before the survey link when it rides in the closing reply (brand ``survey_in_reply``).
REPLY_PROMPT = "How did we do? One question, one tap:"
GROUPS = ("agent", "brand", "platform")


def survey_kind(kind: str) -> SurveyKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise CarelineError(f"unknown survey kind {kind!r}; use one of {', '.join(KINDS)}") from None


def create_survey(db: Database, conversation_id: int, kind: str, *, now: datetime) -> str:
    """A new survey for the conversation, or its open one of the same kind (a conversation resolved
    twice must not send the customer two links for the same question)."""
    survey_kind(kind)
    conv = db.conn.execute("SELECT assignee, brand, platform FROM conversations WHERE id = ?",
                           (conversation_id,)).fetchone()
    if conv is None:
        raise NotFound(f"no conversation {conversation_id}")
    open_one = db.conn.execute("SELECT token FROM surveys WHERE conversation_id = ? AND kind = ? AND answered_at "
                               "IS NULL ORDER BY created_at DESC LIMIT 1", (conversation_id, kind)).fetchone()
    if open_one is not None:
        return str(open_one[0])
    token = secrets.token_urlsafe(32)
    db.conn.execute("INSERT INTO surveys (token, conversation_id, kind, agent, brand, platform, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (token, conversation_id, kind, *conv, to_iso(now)))
    append_event(db, Event(now, "system", "survey.created", f"conversation:{conversation_id}", {"kind": kind}))
    return token


def get_survey(db: Database, token: str) -> dict[str, Any]:
    """The survey row for ``token``; ``NotFound`` for an unknown (or malformed) token."""
    if not token or len(token) > 100:
        raise NotFound("no such survey")
    found = rows(db, "SELECT token, conversation_id, kind, agent, brand, platform, created_at, answered_at, score, "
                     "comment FROM surveys WHERE token = ?", (token,))
    if not found:
        raise NotFound("no such survey")
    return found[0]


def answer_survey(db: Database, token: str, score: int, comment: str | None, *, now: datetime) -> dict[str, Any]:
    """Record the one answer; a second answer is a ``Conflict``, a score off the scale an error."""
    survey = get_survey(db, token)
    kind = survey_kind(survey["kind"])
    if isinstance(score, bool) or not isinstance(score, int) or score not in kind.scale:
        raise CarelineError(f"the answer must be a whole number from {kind.low} to {kind.high}")
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise CarelineError(f"the comment is longer than {MAX_COMMENT} characters")
    cur = db.conn.execute("UPDATE surveys SET score = ?, comment = ?, answered_at = ? "
                          "WHERE token = ? AND answered_at IS NULL", (score, text or None, to_iso(now), token))
    if cur.rowcount != 1:
        raise Conflict("this survey has already been answered")
    append_event(db, Event(now, "customer", "survey.answered", f"conversation:{survey['conversation_id']}",
                           {"kind": kind.name, "score": score}))
    return get_survey(db, token)


def survey_summary(db: Database, *, by: str | None = None, since: datetime | None = None) -> dict[str, Any]:
    """NPS (with zone), CSAT and CES over answered surveys, overall and per agent, brand or platform.

    Returns ``{"by", "since", "overall": {...}, "groups": {name: {...}}}``; each summary holds
    ``nps``/``csat``/``ces`` (``None`` without answers of that kind) and ``answers`` per kind.
    """
    if by is not None and by not in GROUPS:
        raise CarelineError(f"survey summary can be grouped by {', '.join(GROUPS)}, not {by!r}")
    answers = rows(db, "SELECT kind, score, agent, brand, platform FROM surveys "
                       "WHERE answered_at IS NOT NULL AND answered_at >= ?", (to_iso(since) or "",))
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if by is not None:
        for a in answers:
            groups[a[by] or "(none)"].append(a)
    return {"by": by, "since": to_iso(since), "overall": _summarise(answers),
            "groups": {name: _summarise(groups[name]) for name in sorted(groups)}}


def _summarise(answers: list[dict[str, Any]]) -> dict[str, Any]:
    scores: dict[str, list[int]] = {name: [] for name in KINDS}
    for a in answers:
        if a["kind"] in scores:
            scores[a["kind"]].append(int(a["score"]))
    nps = metrics.nps(scores["nps"]) if scores["nps"] else None
    return {
        "answers": {name: len(values) for name, values in scores.items()},
        "nps": None if nps is None else {**asdict(nps), "total": nps.total},
        "csat": asdict(metrics.csat(scores["csat"])) if scores["csat"] else None,
        "ces": asdict(metrics.ces(scores["ces"])) if scores["ces"] else None,
    }


def service_url(settings: Settings) -> str:
    """Where this service answers when no public URL is set: its own bind address and port (a
    wildcard bind is reached as localhost). Absolute, so a link pasted to a customer is never a
    bare ``/s/...`` path."""
    host = settings.service.host
    host = "localhost" if host in ("0.0.0.0", "::", "") else f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.service.port}"


def public_base(settings: Settings) -> str | None:
    """``responder.public_url`` when it is an http(s) URL with a host, else ``None``: a link a customer can
    open. The service's own address (``service_url``) is not one: a closing reply never carries it."""
    public = settings.responder.public_url.strip()
    parts = urlsplit(public)
    return public.rstrip("/") if parts.scheme in ("http", "https") and parts.hostname else None


def link_in_reply(settings: Settings, brand: str) -> bool:
    """Whether "Send and resolve" puts the survey link in the closing reply: a survey kind is set and the
    brand's ``survey_in_reply`` asks for it."""
    found = settings.find_brand(brand)
    return settings.responder.survey != "none" and found is not None and found.survey_in_reply


def survey_url(settings: Settings | ResponderSettings, token: str, local_url: str) -> str:
    """The link sent to the customer: under ``responder.public_url`` when set, else the local URL."""
    responder = settings.responder if isinstance(settings, Settings) else settings
    base = (responder.public_url or local_url).rstrip("/")
    return f"{base}/s/{token}"
