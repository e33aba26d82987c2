"""Urgency and effort signals: explainable rules on top of the model, pure functions.

Agents must be able to see *why* a mention jumped the queue, so every signal is a named rule with a
human-readable reason quoting the evidence ("threat to leave: 'cancel my account'"). Nothing here
does IO: the worker passes in the author's recent contacts and ``now``.

Urgency: threat to leave or cancel, legal or safety words, public escalation, author reach
(followers), repeat contact. Effort (a Customer Effort Score proxy): repeat contacts by the same
author on the same issue, "third time" / "still waiting" phrasing, transfers between channels or
agents. Scores combine independent signals with a noisy-OR, so each adds and none exceeds 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

LEAVE = re.compile(
    r"\b(cancel(?:l?ing|l?ed)?\s+(?:my|our|the)\s+(?:account|subscription|contract|membership|plan|order|service)"
    # a stated intent to cancel, with or without its object ("I'll cancel"); "my flight was cancelled" is not one
    r"|(?:i'?ll|i\s+will|we'?ll|we\s+will|(?:i'?m|we'?re)\s+(?:going\s+to|about\s+to|ready\s+to)|gonna)\s+cancel\b"
    r"(?:\s+(?:my|our|the)\s+\w+)?"
    r"|(?:i'?m|we'?re|i\s+am)\s+cancell?ing\b"
    r"|clos(?:e|ing)\s+my\s+account|switch(?:ing)?\s+to\s+\w+|(?:i'?m|we'?re)\s+(?:leaving|done\s+with)"
    r"|done\s+with\s+(?:you|this)|taking\s+my\s+(?:business|money)\s+elsewhere|never\s+(?:again|buying|"
    r"ordering|flying|using)|last\s+time\s+i\s+(?:use|order|buy|fly)|unsubscrib\w*|port(?:ing)?\s+my\s+number)",
    re.I,
)
LEGAL = re.compile(
    r"\b(lawyers?|attorneys?|solicitors?|sue|suing|lawsuit|legal\s+action|small\s+claims|ombudsman|"
    r"trading\s+standards|regulator|ftc|fca|ofcom|bbb|consumer\s+protection|chargeback|court)\b",
    re.I,
)
SAFETY = re.compile(
    r"\b(unsafe|danger\w*|injur\w*|hurt|fire|caught\s+fire|smok(?:e|ing)\b|burn(?:t|ed|ing)?|explod\w*|"
    r"shock(?:ed)?|allergic|food\s+poisoning|hospital|ambulance|choking|recall)\b",
    re.I,
)
PUBLIC = re.compile(
    r"\b(going\s+viral|retweet|rt\s+if|everyone\s+should\s+know|warn(?:ing)?\s+(?:everyone|others)|"
    r"journalists?|the\s+press|news\s*(?:paper|desk)?|watchdog|trustpilot|1[- ]star|one[- ]star|"
    r"review\s+everywhere|posting\s+this\s+everywhere|tell(?:ing)?\s+everyone)\b",
    re.I,
)
REPEAT_WORDS = re.compile(
    r"\b((?:second|third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|yet\s+again|once\s+again|again\s+and\s+again|"
    r"still\s+(?:waiting|no|not|haven'?t|hasn'?t|nothing|broken|down)|keep\s+(?:getting|having|being)|"
    r"for\s+(?:days|weeks|months)|(?:\d+|two|three|four|several)\s+(?:days|weeks|months|calls|emails)\s+"
    r"(?:now|later|and)|how\s+many\s+times)\b",
    re.I,
)
TRANSFER = re.compile(
    r"\b(transferr?ed|passed\s+(?:around|from)|bounced\s+(?:around|between)|told\s+(?:me\s+)?to\s+(?:call|contact|"
    r"email|dm|ring)|sent\s+me\s+to|another\s+(?:agent|department|number)|different\s+(?:agent|department)|"
    r"(?:called|rang|emailed|dm'?d|messaged)\s+(?:you|them|twice|three\s+times)|on\s+hold|nobody\s+(?:knows|can)|"
    r"your\s+(?:chat|phone\s+line|call\s+centre|call\s+center|store)\s+(?:said|told))\b",
    re.I,
)
HANDLE = re.compile(r"@\w+")

WEIGHTS = {"leave": 0.5, "legal": 0.6, "safety": 0.6, "public": 0.35, "repeat_contact": 0.3}
REACH_FLOOR = 1_000  # followers below this add nothing
REPEAT_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PriorContact:
    """One earlier mention by the same author (the worker reads these from the store)."""

    created_at: datetime
    thread_key: str = ""
    intent: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True)
class Signals:
    urgency: float
    effort: float
    reasons: tuple[str, ...] = ()
    flags: frozenset[str] = field(default_factory=frozenset)


def noisy_or(weights: Iterable[float]) -> float:
    """Combine independent pieces of evidence: 1 - prod(1 - w)."""
    p = 1.0
    for w in weights:
        p *= 1.0 - min(max(w, 0.0), 1.0)
    return 1.0 - p


def _quote(match: re.Match[str]) -> str:
    return " ".join(match.group(0).lower().split())


def reach_weight(followers: int) -> float:
    """0 below 1k followers, 0.1 at 1k, 0.2 at 10k, 0.3 at 100k, capped at 0.4 (1M+)."""
    if followers < REACH_FLOOR:
        return 0.0
    return min(0.4, 0.1 * (math.log10(followers) - 2))


def recent_contacts(history: Sequence[PriorContact], now: datetime | None,
                    window: timedelta = REPEAT_WINDOW) -> list[PriorContact]:
    if now is None:
        return list(history)
    return [h for h in history if timedelta(0) <= now - h.created_at <= window]


def same_issue(history: Sequence[PriorContact], thread_key: str, intent: str) -> list[PriorContact]:
    """Earlier contacts on the same thread, or with the same (non-generic) intent."""
    generic = {"", "other", "praise", "question"}
    return [h for h in history if (thread_key and h.thread_key == thread_key)
            or (intent not in generic and h.intent == intent)]


def compute_signals(text: str, *, followers: int = 0, history: Sequence[PriorContact] = (),
                    thread_key: str = "", intent: str = "", now: datetime | None = None) -> Signals:
    """All urgency and effort signals of one mention, with a reason per signal that fired."""
    urgency: list[float] = []
    effort: list[float] = []
    reasons: list[str] = []
    flags: set[str] = set()
    text = text.replace("\u2019", "'")  # phones type "I’ll": the rules spell the apostrophe plainly
    for flag, rx, label in (("leave", LEAVE, "threat to leave"), ("legal", LEGAL, "legal words"),
                            ("safety", SAFETY, "safety words"), ("public", PUBLIC, "public escalation")):
        m = rx.search(text)
        if m:
            urgency.append(WEIGHTS[flag])
            flags.add(flag)
            reasons.append(f"{label}: '{_quote(m)}'")
    if len(HANDLE.findall(text)) >= 3 and "public" not in flags:
        urgency.append(0.15)
        flags.add("public")
        reasons.append("public escalation: tags 3+ accounts")
    if (w := reach_weight(followers)) > 0:
        urgency.append(w)
        flags.add("reach")
        reasons.append(f"author reach: {followers:,} followers")
    recent = recent_contacts(history, now)
    if recent:
        urgency.append(WEIGHTS["repeat_contact"])
        flags.add("repeat_contact")
        reasons.append(f"repeat contact: {len(recent)} earlier mention{'s' if len(recent) != 1 else ''} in 7 days")
    same = same_issue(recent, thread_key, intent)
    if same:
        effort.append(min(0.8, 0.3 * len(same)))
        flags.add("same_issue")
        reasons.append(f"effort: {len(same)} earlier contact(s) on the same issue")
    if m := REPEAT_WORDS.search(text):
        effort.append(0.4)
        flags.add("repeat_words")
        reasons.append(f"effort: '{_quote(m)}'")
    if m := TRANSFER.search(text):
        effort.append(0.4)
        flags.add("transfer")
        reasons.append(f"effort: transfers/channels: '{_quote(m)}'")
    eff = noisy_or(effort)
    if eff > 0:
        urgency.append(0.5 * eff)  # high effort is itself a reason to answer sooner
    return Signals(noisy_or(urgency), eff, tuple(reasons), frozenset(flags))


def urgency_with_model(signals: Signals, complaint: float, negative: float) -> float:
    """Blend rule urgency with the model: a confident negative complaint adds up to 0.35."""
    return noisy_or([signals.urgency, 0.35 * complaint * max(negative, 0.5)])
