"""Who is looking at which conversation, and who is typing in it: live, in memory, gone in seconds.

The conversation page reports itself every few seconds (and at once when its editor starts or stops
typing); the queue and conversation streams read this back. Presence is a hint to colleagues, not a
rule: the owner rule in ``responder.workflow`` is what stops a double reply. It lives in the web
process because only open pages produce it; a restart loses nothing anyone needs. The live streams
those pages hold are counted here too (:class:`StreamSlots`), per sign-in and per person, for the same reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

#: A page that has not reported for this long has gone.
TTL_SECONDS = 20.0


@dataclass
class _Seen:
    at: float
    typing: bool


@dataclass
class Presence:
    """Conversation id -> person -> when last seen and whether typing."""

    ttl: float = TTL_SECONDS
    _by_conv: dict[int, dict[str, _Seen]] = field(default_factory=dict)

    def report(self, conv_id: int, who: str, *, typing: bool, now: float | None = None) -> None:
        """Record ``who`` on ``conv_id``, and forget every page that has gone quiet anywhere: entries were
        only swept when someone looked at that same conversation, so they piled up."""
        now = time.monotonic() if now is None else now
        self._sweep(now)
        self._by_conv.setdefault(conv_id, {})[who] = _Seen(now, typing)

    def forget(self, who: str) -> None:
        """``who`` is gone everywhere (logged out, disabled): no colleague should still see them typing."""
        for people in self._by_conv.values():
            people.pop(who, None)

    def _sweep(self, now: float) -> None:
        for conv_id in [c for c, people in self._by_conv.items()
                        if all(now - seen.at > self.ttl for seen in people.values())]:
            del self._by_conv[conv_id]

    def leave(self, conv_id: int, who: str) -> None:
        self._by_conv.get(conv_id, {}).pop(who, None)

    def of(self, conv_id: int, *, now: float | None = None) -> dict[str, list[str]]:
        """``{"viewing": [...], "typing": [...]}``, names sorted; stale entries are dropped."""
        now = time.monotonic() if now is None else now
        people = self._by_conv.get(conv_id, {})
        for who in [w for w, seen in people.items() if now - seen.at > self.ttl]:
            del people[who]
        if not people:
            self._by_conv.pop(conv_id, None)
        return {"viewing": sorted(people), "typing": sorted(w for w, s in people.items() if s.typing)}

    def many(self, conv_ids: Iterable[int]) -> dict[int, dict[str, list[str]]]:
        out = {}
        for conv_id in conv_ids:
            seen = self.of(conv_id)
            if seen["viewing"]:
                out[conv_id] = seen
        return out


@dataclass
class StreamSlots:
    """Live streams (``api.event_stream``) open per credential (one session or API token) and per person over
    all of theirs. Why: each holds a task, a connection and a store read every few seconds, so one account
    opening hundreds would starve everyone else; and counted per person alone, a leaked token holding the
    person's every slot shut their own browser out. A slot is taken before a stream starts and given back
    however it ends."""

    limit: int  # per credential
    person_limit: int  # per person, over all their credentials
    _open: dict[str, int] = field(default_factory=dict)
    _by_credential: dict[str, int] = field(default_factory=dict)

    def take(self, who: str, credential: str) -> str | None:
        """One more stream for ``who`` on ``credential``; else what is full, in words (nothing is taken)."""
        held, here = self._open.get(who, 0), self._by_credential.get(credential, 0)
        if here >= self.limit:
            return f"this sign-in has {self.limit} live streams open already (every tab with it)"
        if held >= self.person_limit:
            return f"{who} has {self.person_limit} live streams open already (every tab, device and token together)"
        self._open[who], self._by_credential[credential] = held + 1, here + 1
        return None

    def give_back(self, who: str, credential: str) -> None:
        for counts, key in ((self._open, who), (self._by_credential, credential)):
            left = counts.get(key, 0) - 1
            if left > 0:
                counts[key] = left
            else:
                counts.pop(key, None)

    def held(self, who: str) -> int:
        return self._open.get(who, 0)
