"""The simulated platforms' shared state: a timeline of posts, a clock, and injectable faults.

Posts come from a scenario file (``data/demo/scenario.json`` for the demo, small ones in tests, or a
generator for benchmarks). Each post becomes visible when the simulated clock passes its ``at``
offset; ids are assigned in time order, snowflake-style, so ``since_id`` semantics hold exactly as on
the real platforms. The HTTP faces (``x.py``, ``reddit.py``) only read this state.
"""

from __future__ import annotations

import bisect
import json
import re
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

X_ID_BASE = 1_860_000_000_000_000_000
#: Mastodon status ids are 64-bit snowflakes too (time in the high bits); ours ascend with time the same way.
MASTODON_ID_BASE = 113_500_000_000_000_000
#: Bluesky record keys are TIDs: 13 characters of "base32-sortable", ordered like the time they encode.
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_BASE = 1_730_000_000_000_000 << 10
FAULT_KINDS = ("429", "500", "timeout", "truncated", "malformed_item", "duplicate", "out_of_order", "bad_json",
               "lost_answer")  # lost_answer: a post is published, then answered 503 (a proxy dropped the answer)


@dataclass
class SimUser:
    id: str
    username: str
    name: str = ""
    followers: int = 0
    verified: bool = False
    platform: str = "x"


@dataclass
class SimPost:
    ref: str
    at: float
    platform: str
    user: SimUser
    text: str
    lang: str = "en"
    reply_to: str | None = None
    retweet_of: str | None = None
    kind: str = "submission"
    subreddit: str = ""
    title: str = ""
    id: str = ""
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    conversation_id: str = ""
    in_reply_to_user: str | None = None
    parent_id: str | None = None
    retweet_id: str | None = None
    #: Keep ``id`` as given (tests that mirror rows already in a database); otherwise ids follow time.
    fixed_id: bool = False
    #: Mastodon's audience: public, unlisted, private (followers) or direct.
    visibility: str = "public"


@dataclass
class Fault:
    kind: str
    seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; known: {', '.join(FAULT_KINDS)}")


class World:
    """Timeline + clock. ``manual=True`` for tests: time moves only through ``advance_to``."""

    def __init__(self, *, speed: float = 1.0, start_offset: float = 0.0, manual: bool = False,
                 epoch: datetime | None = None) -> None:
        self.speed = speed
        self.start_offset = start_offset
        self.manual = manual
        self._manual_now = start_offset
        self._t0 = time.monotonic()
        self.epoch = epoch or datetime.now(UTC).replace(microsecond=0)
        self.users: dict[str, SimUser] = {}
        self.brands: dict[str, dict[str, Any]] = {}
        self.posts: list[SimPost] = []  # sorted by (at, insertion)
        self._ats: list[float] = []
        self.by_ref: dict[str, SimPost] = {}
        self.by_id: dict[str, SimPost] = {}
        self.faults: dict[str, deque[Fault]] = {}
        self.requests: dict[str, int] = {}
        self._match_cache: dict[tuple[str, str], tuple[int, list[int]]] = {}
        self._next_reddit = 1000

    # -- clock -------------------------------------------------------------------------------------
    def now(self) -> float:
        if self.manual:
            return self._manual_now
        return self.start_offset + (time.monotonic() - self._t0) * self.speed

    def advance_to(self, offset: float) -> None:
        self._manual_now = max(self._manual_now, offset)

    def publish_all(self) -> None:
        self.advance_to(self._ats[-1] if self._ats else 0.0)

    def created_at(self, at: float) -> datetime:
        if self.manual or at <= self.start_offset:
            return self.epoch + timedelta(seconds=at - self.start_offset)
        return self.epoch + timedelta(seconds=(at - self.start_offset) / self.speed)

    def visible_count(self) -> int:
        return bisect.bisect_right(self._ats, self.now())

    def visible(self, platform: str) -> list[SimPost]:
        return [p for p in self.posts[: self.visible_count()] if p.platform == platform]

    # -- content -----------------------------------------------------------------------------------
    def add_user(self, user: SimUser) -> SimUser:
        self.users[f"{user.platform}:{user.username.lower()}"] = user
        return user

    def user(self, platform: str, username: str) -> SimUser:
        return self.users[f"{platform}:{username.lower()}"]

    def add_posts(self, posts: Iterable[SimPost]) -> None:
        """Add posts; ids are (re)assigned in time order so ``since_id`` stays meaningful. A ref used twice is
        refused: replies and retweets find their parent by ref, and the later post silently took the name
        (the demo's X replies were threaded under Bluesky posts)."""
        for post in posts:
            if post.ref in self.by_ref:
                raise ValueError(f"post ref {post.ref!r} is used twice ({self.by_ref[post.ref].platform} and "
                                 f"{post.platform}): each post needs its own")
            self.posts.append(post)
            self.by_ref[post.ref] = post
        self.posts.sort(key=lambda p: p.at)  # stable: equal offsets keep their file order
        self._ats = [p.at for p in self.posts]
        self._assign_ids()

    def _assign_ids(self) -> None:
        self.by_id.clear()
        self._match_cache.clear()
        for n, post in enumerate(self.posts):
            if post.platform == "x" and not post.fixed_id:
                post.id = str(X_ID_BASE + (n + 1) * 4096)
            elif post.platform == "mastodon" and not post.fixed_id:
                post.id = str(MASTODON_ID_BASE + (n + 1) * 65536)
            elif post.platform == "bluesky" and not post.fixed_id:
                post.id = f"at://{post.user.id}/app.bsky.feed.post/{tid(TID_BASE + (n + 1) * 1024)}"
            elif not post.id:
                self._next_reddit += 1
                post.id = _base36(self._next_reddit)
            post.created_at = self.created_at(post.at)
            self.by_id[post.id] = post
        for post in self.posts:
            parent = self.by_ref.get(post.reply_to or "")
            post.parent_id = parent.id if parent else None
            post.in_reply_to_user = parent.user.id if parent else None
            original = self.by_ref.get(post.retweet_of or "")
            post.retweet_id = original.id if original else None
            root = post
            while root.reply_to and root.reply_to in self.by_ref:
                root = self.by_ref[root.reply_to]
            post.conversation_id = root.id

    def append_live(self, post: SimPost) -> SimPost:
        """A post made through the API (a brand reply): visible at once, id after all others."""
        post.at = max(self.now(), self._ats[-1] if self._ats else 0.0)
        self.add_posts([post])
        return post

    # -- faults ------------------------------------------------------------------------------------
    def inject(self, endpoint: str, *faults: Fault) -> None:
        self.faults.setdefault(endpoint, deque()).extend(faults)

    def take_fault(self, endpoint: str) -> Fault | None:
        self.requests[endpoint] = self.requests.get(endpoint, 0) + 1
        queue = self.faults.get(endpoint)
        return queue.popleft() if queue else None

    # -- queries -----------------------------------------------------------------------------------
    def matching(self, platform: str, key: str, predicate: Any) -> list[int]:
        """Indexes of visible posts of ``platform`` matching; cached per query, extended incrementally."""
        upto = self.visible_count()
        checked, found = self._match_cache.get((platform, key), (0, []))
        for i in range(checked, upto):
            post = self.posts[i]
            if post.platform == platform and predicate(post):
                found.append(i)
        self._match_cache[(platform, key)] = (upto, found)
        return found


@dataclass(frozen=True)
class Query:
    """The subset of X's query language our pollers send: terms, phrases, -exclusions, lang:, is:.

    Plus ``conversation_id:`` and ``from:``, which the reply sender uses to find its own earlier post.
    """

    terms: tuple[str, ...]
    excluded: tuple[str, ...]
    langs: tuple[str, ...]
    no_retweets: bool
    conversations: tuple[str, ...] = ()  # conversation_id: (reply reconciliation looks for its own post)
    authors: tuple[str, ...] = ()  # from:<username>, ANDed with the rest (``conversation_id:1 from:me``)
    #: ``from:<username>`` given as one of the OR-ed alternatives (``(acme OR from:acme)``).
    any_authors: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Query:
        terms, excluded, langs, no_rt = [], [], [], False
        convs: list[str] = []
        authors: list[str] = []
        any_authors: list[str] = []
        tokens = re.findall(r'-?"[^"]*"|[^\s()]+', text)
        for i, tok in enumerate(tokens):
            if tok == "OR":
                continue
            alternative = "OR" in tokens[max(0, i - 1):i] + tokens[i + 1:i + 2]
            neg = tok.startswith("-")
            word = tok[1:] if neg else tok
            word = word.strip('"').lower()
            if word == "is:retweet":
                no_rt = no_rt or neg
            elif word.startswith("lang:"):
                langs.append(word[5:])
            elif word.startswith("conversation_id:"):
                convs.append(word[16:])
            elif word.startswith("from:"):
                (any_authors if alternative else authors).append(word[5:])
            elif neg:
                excluded.append(word)
            elif word:
                terms.append(word)
        return cls(tuple(terms), tuple(excluded), tuple(langs), no_rt, tuple(convs), tuple(authors),
                   tuple(any_authors))

    def matches(self, post: SimPost) -> bool:
        text = post.text.lower()
        if self.no_retweets and post.retweet_of:
            return False
        if self.langs and post.lang not in self.langs:
            return False
        if any(_contains(text, w) for w in self.excluded):
            return False
        if self.conversations and post.conversation_id not in self.conversations:
            return False
        if self.authors and post.user.username.lower() not in self.authors:
            return False
        if self.any_authors and post.user.username.lower() in self.any_authors:
            return True
        if not self.terms:
            return bool(self.conversations or self.authors)
        return any(_contains(text, w) for w in self.terms)


def _contains(text: str, term: str) -> bool:
    return re.search(r"(?<![\w@#])" + re.escape(term) + r"(?!\w)", text) is not None


def tid(n: int) -> str:
    """A Bluesky TID: ``n`` in base32-sortable, 13 characters, so string order is numeric order."""
    out = ""
    for _ in range(13):
        n, r = divmod(n, 32)
        out = TID_ALPHABET[r] + out
    return out


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return out or "0"


def load_scenario(path: str | Path, world: World) -> World:
    """Read a scenario file (see data/demo/scenario.json) into ``world``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return load_scenario_data(data, world)


def load_scenario_data(data: dict[str, Any], world: World) -> World:
    world.brands.update(data.get("brands", {}))
    for u in data.get("users", []):
        world.add_user(SimUser(str(u["id"]), u["username"], u.get("name", ""), int(u.get("followers", 0)),
                               bool(u.get("verified", False)), u.get("platform", "x")))
    posts = []
    for p in data.get("posts", []):
        platform = p.get("platform", "x")
        posts.append(SimPost(
            ref=p["ref"], at=float(p.get("at", 0)), platform=platform, user=world.user(platform, p["user"]),
            text=p.get("text", ""), lang=p.get("lang", "en"), reply_to=p.get("reply_to"),
            retweet_of=p.get("retweet_of"), kind=p.get("kind", "submission"),
            subreddit=p.get("subreddit", ""), title=p.get("title", ""), visibility=p.get("visibility", "public"),
        ))
    world.add_posts(posts)
    return world
