"""Reddit through ``asyncpraw`` (search, the brand's own subreddits, the brand account's inbox).

We call ``Reddit.request`` (asyncpraw's own authenticated, rate-limited request path) and read the
raw ``Listing`` JSON instead of asyncpraw's lazy model objects: one bad thing cannot fail a page, the
raw payload is stored beside the mention, and each ``fetch`` is exactly one HTTP page, so each page
commits with its cursor.

Cursor contract (per listing, newest-first, like X's ``since_id`` rule): ``seen`` is the newest
fullname stored by the last complete walk. A run starts at the top of the listing and walks back with
``after`` until it meets an item not newer than ``seen`` (the overlap); only then does ``seen`` move
to the newest item of the run's first page. Mid-run ``after`` is part of the committed cursor, so a
crash resumes at the next page. A walk that reaches the end of the listing (Reddit keeps ~1,000 items)
without meeting ``seen`` has a gap: posts fell out of the listing before we read them; it is logged.

Fullnames are another party's text: one that cannot be a Reddit id (see :func:`real_fullname`) skips its
item, and a saved ``seen`` that cannot be one is not trusted, so no id can hide every later post.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpraw

from careline.domain import Author, Mention, Platform, utcnow
from careline.errors import MalformedPayload, PermanentSourceError, TemporarySourceError
from careline.platform import Page, Source
from careline.settings import BrandSettings, RedditSourceSettings, brand_env
from platforms.guard import clean_mention, skip_malformed, without_positions
from platforms.holder import ClientHolder
from platforms.reddit.client import REDDIT_PASSWORD_ENV, brand_reddit_password, reddit_client, translate

log = logging.getLogger(__name__)
PAGE_SIZE = 100
#: A fullname Reddit can give: a kind we read and a base-36 id of 1-12 digits. The ids are counters in 64
#: bits (7 digits in 2026; 36**12 < 2**63), so a longer one, or one in other characters, is not Reddit's.
FULLNAME = re.compile(r"t[13]_[0-9a-z]{1,12}")
#: What Reddit shows for the author of a post whose account is gone (its ``author``, with no ``author_fullname``).
DELETED = "[deleted]"


@dataclass(frozen=True)
class Listing:
    """One newest-first Reddit listing a source walks; ``name`` keys its part of the cursor."""

    name: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)


def fullname_value(name: str) -> int:
    """Reddit ids are base-36 counters: comparing them orders things of one kind by age."""
    return int(name.split("_", 1)[-1], 36)


def real_fullname(name: Any) -> bool:
    """Whether ``name`` can be a Reddit fullname. Only such a name may become a watermark: one of 4,000
    digits would be newer than every post to come (and past 4,300, ``int()`` refuses it)."""
    return isinstance(name, str) and FULLNAME.fullmatch(name) is not None


def build_search_query(brand: BrandSettings) -> str:
    """Lucene query: keywords OR-ed (phrases quoted), ``NOT`` for exclusions."""
    terms = [f'"{k}"' if " " in k and not k.startswith('"') else k for k in brand.keywords]
    if not terms:
        raise PermanentSourceError("reddit-search", f"brand {brand.name!r} has no keywords")
    query = " OR ".join(dict.fromkeys(terms))
    return query + "".join(f" NOT {w}" for w in brand.exclude)


class RedditSource(ClientHolder[asyncpraw.Reddit], Source):
    """Shared by the three Reddit adapters: client, error translation, normalisation, paging."""

    platform = Platform.REDDIT.value
    name = "reddit"

    def __init__(self, brand: BrandSettings, settings: RedditSourceSettings, *, timeout: float = 16.0) -> None:
        self.brand = brand.name
        self.brand_settings = brand
        self.settings = settings
        self.timeout = timeout
        self.own = brand.reddit_username.lower()

    @property
    def listings(self) -> Sequence[Listing]:
        raise NotImplementedError

    def login(self) -> tuple[str | None, str | None]:
        """(username, password) for a script-app login; ``None`` for app-only (read-only) access."""
        s = self.settings
        return (s.username, s.password) if s.username and s.password else (None, None)

    async def start(self) -> None:
        """Build the client; a configuration problem is kept and raised by ``fetch`` (degraded, not a crash)."""
        self._start_error: PermanentSourceError | None = None
        try:
            username, password = self.login()
        except PermanentSourceError as exc:
            self._start_error, username, password = exc, None, None
        # Back-off lives once, in the Poller: asyncprawcore's own retries would sleep inside a fetch,
        # hidden from our health rows. Its header-driven rate limiter stays on.
        self.hold(reddit_client(self.settings, username=username, password=password))

    @property
    def reddit(self) -> asyncpraw.Reddit:
        return self.held()

    # -- errors ------------------------------------------------------------------------------------
    async def call(self, path: str, params: Mapping[str, Any]) -> Mapping[str, Any]:
        """GET one listing page; translate every failure into our error tree at this one seam."""
        if getattr(self, "_start_error", None) is not None:
            raise self._start_error  # type: ignore[misc]
        try:
            async with asyncio.timeout(self.timeout):
                body = await self.reddit.request(method="GET", path=path, params=dict(params))
        except Exception as exc:
            translated = translate(exc, self.key)
            if translated is None:
                raise
            raise translated from exc
        if not isinstance(body, Mapping):
            raise TemporarySourceError(self.key, f"unexpected response type {type(body).__name__}")
        return body

    # -- normalisation -------------------------------------------------------------------------------
    def children(self, body: Mapping[str, Any]) -> tuple[list[Any], str | None]:
        data = body.get("data")
        if body.get("kind") != "Listing" or not isinstance(data, Mapping) or not isinstance(
                data.get("children"), list):
            raise TemporarySourceError(self.key, "malformed response: not a Listing")
        after = data.get("after")
        return data["children"], after if isinstance(after, str) and after else None

    def to_mentions(self, things: list[Any], seen: str | None) -> tuple[list[Mention], list[str], int]:
        """(new mentions kept, fullnames on the page, items skipped as malformed)."""
        fetched = utcnow()
        kept: list[Mention] = []
        names: list[str] = []
        skipped = 0
        floor = fullname_value(seen) if seen else -1
        for thing in things:
            try:
                mention, name = self.normalise(thing, fetched)
            except Exception as exc:  # any failure (a created_utc of 1e18 is an OSError): skip the item, not the page
                skipped += 1
                skip_malformed(log, self.key, "thing", thing, exc)
                continue
            names.append(name)
            if mention is not None and fullname_value(name) > floor:
                kept.append(clean_mention(mention))
        return kept, names, skipped

    def normalise(self, thing: Any, fetched: datetime) -> tuple[Mention | None, str]:
        if not isinstance(thing, Mapping) or thing.get("kind") not in ("t1", "t3"):
            raise MalformedPayload("not a t1/t3 thing")
        data = thing["data"]
        name = data["name"]
        if not real_fullname(name):
            raise MalformedPayload(f"bad fullname {str(name)[:40]!r}")
        handle = str(data.get("author") or DELETED)
        from_brand = bool(self.own) and handle.lower() == self.own
        if from_brand and (thing["kind"] != "t1" or _under_own_post(data, self.own)):
            return None, name  # the brand's own submissions, and its comments straight under them, are not mentions
        created = datetime.fromtimestamp(float(data["created_utc"]), UTC)
        author = Author(self.platform, _author_id(data, handle, name), handle)
        if thing["kind"] == "t3":
            title, body = str(data.get("title") or ""), str(data.get("selftext") or "")
            text, conversation, parent = (f"{title}\n\n{body}" if body else title), name, None
        else:
            text, conversation, parent = str(data["body"]), _link_id(data), _parent_id(data)
        link = reddit_path(str(data.get("permalink") or data.get("context") or ""), name)
        mention = Mention(
            platform=self.platform, platform_id=name, brand=self.brand, author=author, text=text,
            url="https://www.reddit.com" + link, created_at=created, fetched_at=fetched,
            conversation_id=conversation, in_reply_to_id=parent, language=None, source=self.name,
            raw={"thing": thing}, from_brand=from_brand,
        )
        return mention, name

    # -- paging --------------------------------------------------------------------------------------
    async def fetch(self, cursor: str | None) -> Page:
        state = json.loads(cursor) if cursor else {}
        index = int(state.get("i", 0)) % len(self.listings)
        listing = self.listings[index]
        lists = dict(state.get("lists", {}))
        part = lists.get(listing.name, {})
        seen, after, top = self.trusted(listing, part.get("seen")), part.get("after"), part.get("top")
        top = top if real_fullname(top) else None
        body = await self.call(listing.path, {**listing.params, "limit": PAGE_SIZE, "after": after})
        things, next_after = self.children(body)
        mentions, names, skipped = self.to_mentions(things, seen)
        if after is None:  # first page of this listing's walk: its newest item is the next watermark
            top = _newest([seen, *names])
        overlap = seen is not None and any(fullname_value(n) <= fullname_value(seen) for n in names)
        notes: tuple[str, ...] = ()
        if overlap or next_after is None:
            if seen is not None and not overlap:
                notes = (f"gap: {listing.name} listing ended before reaching {seen}; posts may be missing",)
                log.warning("%s: %s", self.key, notes[0])
            lists[listing.name] = {"seen": top}
            index += 1
        else:
            lists[listing.name] = {"seen": seen, "after": next_after, "top": top}
        done = index >= len(self.listings)
        new_state = {"i": 0 if done else index, "lists": lists}
        return Page(mentions, json.dumps(new_state, sort_keys=True), done, len(things), skipped, notes)

    def trusted(self, listing: Listing, seen: Any) -> str | None:
        """``seen`` when it can be a Reddit fullname; else ``None`` (saved before such names were refused):
        the listing is walked again and the unique key drops what was stored already."""
        if seen is None or real_fullname(seen):
            return seen
        log.warning("%s: %s watermark %.40r is not a Reddit fullname; reading the listing again", self.key,
                    listing.name, seen)
        return None

    def restart_cursor(self, cursor: str | None) -> str | None:
        """``cursor`` without mid-walk positions (``after``): each listing's ``seen`` watermark alone.

        The poller falls back to it when Reddit refuses a saved ``after`` (a 4xx); the walk starts again
        at the top of the listing and stops at ``seen`` as usual (its gap note says if it cannot reach it).
        """
        return without_positions(cursor, "lists", "after")

    async def backfill(self, cursor: str | None, since: datetime) -> Page:
        """Walk every listing back (``after``) until items are older than ``since``; no watermark."""
        state = json.loads(cursor) if cursor else {}
        index, after = int(state.get("i", 0)), state.get("after")
        listing = self.listings[index]
        body = await self.call(listing.path, {**listing.params, "limit": PAGE_SIZE, "after": after})
        things, next_after = self.children(body)
        mentions, _names, skipped = self.to_mentions(things, None)
        recent = [m for m in mentions if m.created_at >= since]
        older = len(recent) < len(mentions)
        if older or next_after is None:
            index, next_after = index + 1, None
        done = index >= len(self.listings)
        new_state = json.dumps({"i": index, "after": next_after}, sort_keys=True)
        return Page(recent, new_state, done, len(things), skipped)


class RedditSearchSource(RedditSource):
    """Keyword search, newest first, in the configured subreddits (site-wide when none)."""

    name = "reddit-search"

    def __init__(self, brand: BrandSettings, settings: RedditSourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        subs = "+".join(brand.subreddits) or "all"
        params = {"q": build_search_query(brand), "restrict_sr": "on" if brand.subreddits else "off",
                  "sort": "new", "syntax": "lucene", "t": "all"}
        self._listings = (Listing("search", f"r/{subs}/search/", params),)

    @property
    def listings(self) -> Sequence[Listing]:
        return self._listings


class RedditSubredditSource(RedditSource):
    """Every new submission and comment in the brand's own subreddits is a mention."""

    name = "reddit-subreddit"

    def __init__(self, brand: BrandSettings, settings: RedditSourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        if not brand.own_subreddits:
            raise PermanentSourceError(self.name, f"brand {brand.name!r} has no own_subreddits")
        subs = "+".join(brand.own_subreddits)
        self._listings = (Listing("new", f"r/{subs}/new/"), Listing("comments", f"r/{subs}/comments/"))

    @property
    def listings(self) -> Sequence[Listing]:
        return self._listings


class RedditInboxSource(RedditSource):
    """Username mentions in the brand account's inbox (needs a login as that account)."""

    name = "reddit-inbox"
    _listings = (Listing("mentions", "message/mentions"),)

    @property
    def listings(self) -> Sequence[Listing]:
        return self._listings

    def login(self) -> tuple[str | None, str | None]:
        """The inbox is the brand account's own: log in as ``reddit_username`` with that account's
        password (``CARELINE_REDDIT_PASSWORD_<BRAND>``, else the app's)."""
        password = brand_reddit_password(self.brand_settings, self.settings)
        if not (self.brand_settings.reddit_username and password):
            raise PermanentSourceError(self.key, "the inbox needs reddit_username and "
                                       f"{brand_env(REDDIT_PASSWORD_ENV, self.brand_settings.name)} "
                                       f"(or {REDDIT_PASSWORD_ENV})")
        return self.brand_settings.reddit_username, password


def _link_id(data: Mapping[str, Any]) -> str:
    """Submission fullname of a comment: ``link_id`` in listings, parsed from ``context`` in the inbox."""
    link = str(data.get("link_id"))
    if real_fullname(link) and link.startswith("t3_"):
        return link
    match = re.search(r"/comments/([0-9a-z]{1,12})/", str(data.get("context") or ""))
    if match is None:
        raise MalformedPayload("comment without link_id or context")
    return f"t3_{match.group(1)}"


def _parent_id(data: Mapping[str, Any]) -> str | None:
    """The fullname a comment answers; ``None`` when what was sent cannot be one (the thread still holds it)."""
    parent = data.get("parent_id")
    return str(parent) if real_fullname(parent) else None


def _under_own_post(data: Mapping[str, Any], own: str) -> bool:
    """Whether a comment answers the submission itself and that submission is the brand's (``link_author``, as a
    comment listing gives it): a megathread update. Taken for an answer, it stopped the clock of every customer
    under the megathread, who share one conversation."""
    parent = _parent_id(data) or ""
    return parent.startswith("t3_") and str(data.get("link_author") or "").lower() == own


def _author_id(data: Mapping[str, Any], handle: str, name: str) -> str:
    """The author's stable id: ``author_fullname``, else ``u:<handle>``. A deleted account has neither name nor
    id, so its posts are each their own author: as one "u:[deleted]", strangers' cases were each other's
    "earlier contacts"."""
    if data.get("author_fullname"):
        return str(data["author_fullname"])
    return f"u:{handle}" if handle != DELETED else f"{DELETED}:{name}"


def _newest(names: Sequence[str | None]) -> str | None:
    present = [n for n in names if n]
    return max(present, key=fullname_value) if present else None


_PATH = re.compile(r"/[A-Za-z0-9_\-/.%~]*")


def reddit_path(permalink: str, name: str) -> str:
    """A permalink as a path on www.reddit.com; anything else (``@evil.example/x``, ``//host``, a full
    URL) becomes the thing's ``/by_id/`` link, so a mention's URL can never point off Reddit."""
    path = permalink.split("?", 1)[0]
    if _PATH.fullmatch(path) and not path.startswith("//"):
        return path
    return f"/by_id/{name}"
