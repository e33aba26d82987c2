"""Bluesky through the atproto SDK: keyword search and the brand account's notifications.

Both endpoints are newest-first with an opaque ``cursor``, so both sources walk a *feed* the way the
Reddit listings are walked. ``seen`` is the newest ``indexedAt`` stored by the last complete walk; a run
starts at the top, follows ``cursor`` until a page reaches back past ``seen`` (or the feed ends), and
only then moves ``seen`` to the newest time of the run's first page. The mid-run cursor is part of the
committed cursor, so a process killed at any instant resumes at the next page. Search also sends
``since`` = ``seen`` (inclusive), so it never re-reads history; the boundary post comes back and is
ignored by the unique key. A first run reaches back ``FIRST_RUN_LOOKBACK``; ``careline backfill`` goes
further.

Normalisation: the conversation is the thread's root post (``record.reply.root.uri``), the parent is
``record.reply.parent.uri``. Reposts are not posts on Bluesky (they are their own records) and never
come back from search; repost and like notifications are not asked for. The brand account's own
top-level posts and its replies to itself are dropped; its replies to someone else come back with
``from_brand`` set, so a reply made in the Bluesky app is seen in its thread.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from atproto import models

from careline.domain import Author, Mention, Platform, utcnow
from careline.errors import MalformedPayload, PermanentSourceError, TemporarySourceError
from careline.platform import Page, Source
from careline.settings import BlueskySourceSettings, BrandSettings, brand_env
from platforms.bluesky.client import APP_PASSWORD_ENV, BlueskyAccount, brand_app_password
from platforms.guard import clean_mention, plausible_time, skip_malformed, without_positions
from platforms.holder import ClientHolder

log = logging.getLogger(__name__)
PAGE_SIZE = 100
FIRST_RUN_LOOKBACK = timedelta(days=7)
POST_TYPE = "app.bsky.feed.post"
#: Notification reasons that carry a post addressed to the brand.
REASONS = ("mention", "reply", "quote")


@dataclass(frozen=True)
class Feed:
    """One newest-first endpoint a source walks; ``name`` keys its part of the cursor."""

    name: str
    nsid: str
    items: str  # the list in the response body: "posts" or "notifications"
    params: Callable[[str | None, str | None], Any]  # (cursor, since) -> the SDK's Params model


def parse_time(value: Any) -> datetime:
    if not isinstance(value, str):
        raise MalformedPayload(f"not a timestamp: {value!r}")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise MalformedPayload(f"timestamp without zone: {value!r}")
    return parsed


def did_of(uri: str) -> str:
    """``at://did:plc:abc/app.bsky.feed.post/3k...`` -> ``did:plc:abc``."""
    return uri.removeprefix("at://").split("/", 1)[0]


def post_url(handle: str, uri: str) -> str:
    return f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1]}"


def search_terms(brand: BrandSettings) -> list[str]:
    """One search per keyword (phrases quoted): Bluesky's search has no OR."""
    terms = [f'"{k}"' if " " in k and not k.startswith('"') else k for k in brand.keywords]
    return list(dict.fromkeys(terms))


class BlueskySource(ClientHolder[BlueskyAccount], Source):
    """Shared by the two Bluesky adapters: login, error translation, normalisation, the walk."""

    platform = Platform.BLUESKY.value
    name = "bluesky"

    def __init__(self, brand: BrandSettings, settings: BlueskySourceSettings, *, timeout: float = 20.0,
                 environ: Mapping[str, str] | None = None) -> None:
        self.brand = brand.name
        self.brand_settings = brand
        self.settings = settings
        self.timeout = timeout
        self.handle = brand.bluesky_handle.lstrip("@").lower()
        self.password = brand_app_password(brand, settings, environ)
        self.excluded = [w.lower() for w in brand.exclude]

    @property
    def feeds(self) -> Sequence[Feed]:
        raise NotImplementedError

    async def start(self) -> None:
        """Build the client; the login happens on the first fetch, so a bad password degrades this source."""
        self.hold(BlueskyAccount(
            self.settings.service_url, self.handle, self.password, timeout=self.timeout, where=self.key,
            password_env=brand_env(APP_PASSWORD_ENV, self.brand)))

    @property
    def account(self) -> BlueskyAccount:
        return self.held()

    # -- normalisation -------------------------------------------------------------------------------
    def items(self, body: Mapping[str, Any], feed: Feed) -> tuple[list[Any], str | None]:
        items = body.get(feed.items)
        if not isinstance(items, list):
            raise TemporarySourceError(self.key, f"malformed response: '{feed.items}' is not a list")
        cursor = body.get("cursor")
        return items, cursor if isinstance(cursor, str) and cursor else None

    def to_mentions(self, items: list[Any], floor: datetime) -> tuple[list[Mention], list[datetime], int]:
        """(mentions kept, every item's indexedAt, items skipped as malformed); older than ``floor`` is left."""
        fetched = utcnow()
        kept: list[Mention] = []
        times: list[datetime] = []
        skipped = 0
        for item in items:
            try:
                at = parse_time((item.get("post") or item)["indexedAt"])
                mention = self.normalise(item, fetched)
            except Exception as exc:  # any failure: one bad item must never fail the page
                skipped += 1
                skip_malformed(log, self.key, "post", item, exc)
                continue
            times.append(at)
            if mention is not None and at >= floor:
                kept.append(clean_mention(mention))
        return kept, times, skipped

    def normalise(self, item: Any, fetched: datetime) -> Mention | None:
        """A post view or a notification (both carry uri, author, record) as a ``Mention``, or ``None``."""
        if not isinstance(item, Mapping):
            raise MalformedPayload("not an object")
        if "post" in item:  # an author-feed item: a repost of something carries a reason
            if item.get("reason"):
                return None
            item = item["post"]
        if "reason" in item and item["reason"] not in REASONS:
            return None  # a like, repost or follow notification
        uri, record, author = item["uri"], item["record"], item["author"]
        if not (isinstance(uri, str) and uri.startswith("at://") and isinstance(record, Mapping)):
            raise MalformedPayload("uri or record missing")
        if record.get("$type", POST_TYPE) != POST_TYPE:
            return None
        text, did, handle = record["text"], str(author["did"]), str(author["handle"])
        if not isinstance(text, str):
            raise MalformedPayload("text is not a string")
        reply = record.get("reply") or {}
        parent = str(reply["parent"]["uri"]) if reply else None
        root = str(reply["root"]["uri"]) if reply else uri
        from_brand = did == self.account.did or handle.lower() == self.handle
        if from_brand and (parent is None or did_of(parent) == did):
            return None  # the brand's own post, or its reply to itself
        if not from_brand and any(w in text.lower() for w in self.excluded):
            return None
        langs = record.get("langs") or []
        return Mention(
            platform=self.platform, platform_id=uri, brand=self.brand,
            author=Author(self.platform, did, handle, str(author.get("displayName") or "")),
            text=text, url=post_url(handle, uri), created_at=parse_time(record["createdAt"]), fetched_at=fetched,
            conversation_id=root, in_reply_to_id=parent, language=str(langs[0]) if langs else None,
            source=self.name, raw={"post": item}, from_brand=from_brand,
        )

    # -- paging --------------------------------------------------------------------------------------
    async def fetch(self, cursor: str | None) -> Page:
        state = json.loads(cursor) if cursor else {}
        index = int(state.get("i", 0)) % len(self.feeds)
        feed = self.feeds[index]
        parts = dict(state.get("feeds", {}))
        part = parts.get(feed.name, {})
        seen, after, top = part.get("seen"), part.get("cursor"), part.get("top")
        now = utcnow()
        floor = self.floor(feed, seen, now)
        await self.account.ensure_login()
        body = await self.account.query(feed.nsid, feed.params(after, _wire(floor)))
        items, next_cursor = self.items(body, feed)
        mentions, times, skipped = self.to_mentions(items, floor)
        if after is None:  # first page of this feed's walk: its newest item is the next watermark
            top = _watermark(floor, times, now).isoformat()
        reached = any(t < floor for t in times)
        if reached or next_cursor is None:
            parts[feed.name] = {"seen": top}
            index += 1
        else:
            parts[feed.name] = {"seen": seen, "cursor": next_cursor, "top": top}
        done = index >= len(self.feeds)
        new_state = {"i": 0 if done else index, "feeds": parts}
        return Page(mentions, json.dumps(new_state, sort_keys=True), done, len(items), skipped)

    def floor(self, feed: Feed, seen: str | None, now: datetime) -> datetime:
        """The walk's lower bound: ``seen``, or the first-run look-back when there is none.

        A ``seen`` in the future (stored before watermarks ignored future times: one post stamped 2099
        hid everything after it) is not trusted: the feed is read again from the look-back, and the
        unique key drops what was stored already.
        """
        if not seen:
            return now - FIRST_RUN_LOOKBACK
        at = datetime.fromisoformat(seen)
        if plausible_time(at, now):
            return at
        log.warning("%s: %s watermark %s is in the future; reading the feed again from %s", self.key,
                    feed.name, seen, FIRST_RUN_LOOKBACK)
        return now - FIRST_RUN_LOOKBACK

    def restart_cursor(self, cursor: str | None) -> str | None:
        """``cursor`` without mid-walk positions (the feed's ``cursor``): each feed's ``seen`` alone.

        The poller falls back to it when Bluesky refuses a saved cursor (a 400); the walk starts again at
        the top of the feed and stops at ``seen`` as usual.
        """
        return without_positions(cursor, "feeds", "cursor")

    async def backfill(self, cursor: str | None, since: datetime) -> Page:
        """Walk every feed back to ``since`` (search sends it as ``since``); the live watermark is untouched."""
        state = json.loads(cursor) if cursor else {}
        index, after = int(state.get("i", 0)), state.get("cursor")
        feed = self.feeds[index]
        await self.account.ensure_login()
        body = await self.account.query(feed.nsid, feed.params(after, _wire(since)))
        items, next_cursor = self.items(body, feed)
        mentions, times, skipped = self.to_mentions(items, since)
        if any(t < since for t in times) or next_cursor is None:
            index, next_cursor = index + 1, None
        done = index >= len(self.feeds)
        return Page(mentions, json.dumps({"i": index, "cursor": next_cursor}), done, len(items), skipped)


def _watermark(floor: datetime, times: Sequence[datetime], now: datetime) -> datetime:
    """The newest time on a walk's first page, but never past our own clock.

    One item stamped in the future (2099, or a server clock ahead of ours) would otherwise become ``seen``
    and every post indexed before that time would be left as old, for good. Capped at ``now``, items newer
    than the clock are read again by the next run and dropped by the unique key: a re-read, never a loss.
    """
    return min(max([floor, *times]), max(floor, now))


def _wire(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


class BlueskySearchSource(BlueskySource):
    """Keyword listening with ``app.bsky.feed.searchPosts`` (sort=latest), one feed per keyword.

    Search needs a logged-in account since 2025, so it runs as the brand account too.
    """

    name = "bluesky-search"

    def __init__(self, brand: BrandSettings, settings: BlueskySourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        terms = search_terms(brand)
        if not terms:
            raise PermanentSourceError(self.name, f"brand {brand.name!r} has no keywords")
        self._feeds = tuple(Feed(f"q:{term}", "app.bsky.feed.searchPosts", "posts", _search_params(term))
                            for term in terms)

    @property
    def feeds(self) -> Sequence[Feed]:
        return self._feeds


def _search_params(term: str) -> Callable[[str | None, str | None], Any]:
    def params(cursor: str | None, since: str | None) -> Any:
        return models.AppBskyFeedSearchPosts.Params(q=term, sort="latest", limit=PAGE_SIZE, cursor=cursor,
                                                    since=since)
    return params


def _notification_params(cursor: str | None, _since: str | None) -> Any:
    return models.AppBskyNotificationListNotifications.Params(reasons=list(REASONS), limit=PAGE_SIZE,
                                                              cursor=cursor)


def _own_params(handle: str) -> Callable[[str | None, str | None], Any]:
    def params(cursor: str | None, _since: str | None) -> Any:
        return models.AppBskyFeedGetAuthorFeed.Params(actor=handle, filter="posts_with_replies", limit=PAGE_SIZE,
                                                      cursor=cursor)
    return params


class BlueskyMentionsSource(BlueskySource):
    """The brand account's mention, reply and quote notifications (``listNotifications``), and its own
    replies (``getAuthorFeed``), so an answer written in the Bluesky app is seen in its thread."""

    name = "bluesky-mentions"

    def __init__(self, brand: BrandSettings, settings: BlueskySourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        if not self.handle:
            raise PermanentSourceError(self.name, f"brand {brand.name!r} has no bluesky_handle")
        self._feeds = (Feed("notifications", "app.bsky.notification.listNotifications", "notifications",
                            _notification_params),
                       Feed("own", "app.bsky.feed.getAuthorFeed", "feed", _own_params(self.handle)))

    @property
    def feeds(self) -> Sequence[Feed]:
        return self._feeds
