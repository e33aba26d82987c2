"""Mastodon through Mastodon.py: the brand account's mention notifications and hashtag timelines.

What is visible. Mastodon has no site-wide keyword search: full-text search (``/api/v2/search``) needs
Elasticsearch on the server and even then finds only posts by accounts that opted in, plus one's own,
mentioned, favourited and bookmarked posts. So Careline listens where Mastodon is reliable: posts that
@mention the brand account (its notifications, on its own server, whoever wrote them), and the
hashtag timelines of the brand's ``#`` keywords, which hold what *that* server has seen of the tag
(posts by its users and by accounts its users follow). A post elsewhere that names the brand in plain
words is not visible, and this page says so instead of pretending otherwise.

Cursor contract (per feed, Mastodon's ``min_id`` rule). After the first run the cursor is the newest id
stored; each page asks for ``min_id`` = that id, which returns the posts *immediately* after it (oldest
first window, served newest first), and the page's newest id becomes the next ``min_id``. Every page
commits with its own cursor, so nothing is mid-run and nothing can fall in a gap. The first run walks
back from the top with ``max_id`` (the walk's own position is in the cursor) until the feed ends or
posts are older than ``FIRST_RUN_LOOKBACK``; then the top of that walk becomes ``min_id``.

Threads: a status names only its parent (``in_reply_to_id``). The conversation is the thread's first
post, from ``/statuses/:id/context`` (one request per reply whose parent we have not seen; remembered).
Boosts (``reblog``) are dropped, and so are the brand account's own posts and its replies to itself;
its replies to others come back with ``from_brand`` set.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

from careline.domain import Author, Mention, Platform, utcnow
from careline.errors import MalformedPayload, PermanentSourceError, SourceError
from careline.platform import Page, Source
from careline.settings import BrandSettings, MastodonSourceSettings, brand_env
from platforms.guard import MAX_SKEW, clean_mention, decimal_id, skip_malformed
from platforms.holder import ClientHolder
from platforms.mastodon.client import TOKEN_ENV, MastodonAccount, brand_token, instance_url, split_account

log = logging.getLogger(__name__)
FIRST_RUN_LOOKBACK = timedelta(days=7)
ROOT_CACHE = 50_000


class _Text(HTMLParser):
    """Status ``content`` is HTML; agents and the classifier read text: paragraphs and breaks kept."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p" and self.parts:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    parser = _Text()
    parser.feed(content)
    parser.close()
    return html.unescape("".join(parser.parts)).strip()


@dataclass(frozen=True)
class Feed:
    """One newest-first timeline a source walks; ``name`` keys its part of the cursor."""

    name: str
    limit: int
    call: Callable[[MastodonAccount, dict[str, Any]], Any]  # (account, paging kwargs) -> the library call


class MastodonSource(ClientHolder[MastodonAccount], Source):
    """Shared by the two Mastodon adapters: client, normalisation, thread roots, the walk."""

    platform = Platform.MASTODON.value
    name = "mastodon"

    def __init__(self, brand: BrandSettings, settings: MastodonSourceSettings, *, timeout: float = 20.0,
                 environ: Mapping[str, str] | None = None) -> None:
        if not brand.mastodon_account:
            raise PermanentSourceError(self.name, f"brand {brand.name!r} has no mastodon_account")
        self.brand = brand.name
        self.settings = settings
        self.timeout = timeout
        self.base_url = instance_url(brand)
        self.token = brand_token(brand, settings, environ)
        user, host = split_account(brand.mastodon_account)
        self.own_accts = {user.lower(), f"{user}@{host}".lower()}
        self.roots: dict[str, str] = {}

    @property
    def feeds(self) -> Sequence[Feed]:
        raise NotImplementedError

    async def start(self) -> None:
        self.hold(MastodonAccount(self.base_url, self.token, timeout=self.timeout, where=self.key,
                                  token_env=brand_env(TOKEN_ENV, self.brand)))

    @property
    def account(self) -> MastodonAccount:
        return self.held()

    # -- normalisation -------------------------------------------------------------------------------
    def status_of(self, item: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """The status an item carries (a notification's, or the item itself); ``None`` when not a mention."""
        if "type" in item and "account" in item and "content" not in item:
            return item.get("status") if item["type"] == "mention" else None
        return item

    async def to_mentions(self, items: list[Any],
                          floor: datetime) -> tuple[list[Mention], list[tuple[int, datetime]], int]:
        """(mentions kept, (id, created) of every readable item, items skipped as malformed)."""
        fetched = utcnow()
        kept: list[Mention] = []
        seen: list[tuple[int, datetime]] = []
        skipped = 0
        for item in items:
            try:
                if not isinstance(item, Mapping):
                    raise MalformedPayload("not an object")
                seen.append((decimal_id(item["id"]), _created(item)))
                status = self.status_of(item)
                mention = await self.normalise(status, fetched) if status is not None else None
            except SourceError:
                raise  # the platform failing (reading the account, a rate limit) is not the item's fault
            except Exception as exc:  # any other failure: one bad item must never fail the page
                skipped += 1
                skip_malformed(log, self.key, "item", item, exc)
                continue
            if mention is not None and mention.created_at >= floor:
                kept.append(clean_mention(mention))
        return kept, seen, skipped

    async def normalise(self, status: Mapping[str, Any], fetched: datetime) -> Mention | None:
        if status.get("reblog"):
            return None  # a boost
        sid, account = str(decimal_id(status["id"])), status["account"]
        me = await self.account.ensure_me()
        own = str(account["id"]) == str(me["id"]) or str(account["acct"]).lower() in self.own_accts
        parent = status.get("in_reply_to_id")
        parent = str(decimal_id(parent)) if parent is not None else None
        if own and (parent is None or str(status.get("in_reply_to_account_id")) == str(account["id"])):
            return None  # the brand's own post, or its reply to itself
        text = html_to_text(str(status["content"]))
        if status.get("spoiler_text"):
            text = f"[CW: {status['spoiler_text']}] {text}"
        root = await self.root_of(sid, parent)
        author = Author(self.platform, str(account["id"]), str(account["acct"]), str(account.get("display_name") or ""),
                        int(account.get("followers_count") or 0), False)
        return Mention(
            platform=self.platform, platform_id=sid, brand=self.brand, author=author, text=text,
            url=self.status_url(status, str(account["acct"]), sid), created_at=_created(status), fetched_at=fetched,
            conversation_id=root, in_reply_to_id=parent, language=status.get("language") or None,
            source=self.name, raw={"status": status}, from_brand=own,
        )

    def status_url(self, status: Mapping[str, Any], acct: str, sid: str) -> str:
        """The status's web link, put into an ``href`` by the UI, so only a plain https link is taken.

        ``url`` (else ``uri``) comes from whichever server wrote the status, and a federated server can
        send anything (``javascript:...``, a link to another site). Taken: https, a host, no user info,
        on the host of the status's own ``uri`` when that is an https URL. Otherwise the link is built
        on the brand's server from the account and id (``/@acct/id``), which shows the same status.
        """
        home = _https_host(status.get("uri"))
        for candidate in (status.get("url"), status.get("uri")):
            host = _https_host(candidate)
            if host is not None and (home is None or host == home):
                return str(candidate)
        return f"{self.base_url}/@{quote(acct, safe='@.')}/{quote(sid, safe='')}"

    async def root_of(self, sid: str, parent: str | None) -> str:
        """The thread's first post: remembered for statuses seen, else read from the status's context."""
        if parent is None:
            root = sid
        elif parent in self.roots:
            root = self.roots[parent]
        else:
            try:
                context = await self.account.call(self.account.api.status_context, sid)
                ancestors = context.get("ancestors") or []
                root = str(decimal_id(ancestors[0]["id"])) if ancestors else parent
            except SourceError as exc:  # deleted parent, private thread: the parent stands in for the root
                log.info("%s: no context for %s (%s); its parent stands in for the thread", self.key, sid, exc)
                root = parent
        if len(self.roots) >= ROOT_CACHE:
            self.roots.clear()
        self.roots[sid] = root
        return root

    # -- paging --------------------------------------------------------------------------------------
    async def fetch(self, cursor: str | None) -> Page:
        state = json.loads(cursor) if cursor else {}
        index = int(state.get("i", 0)) % len(self.feeds)
        feed = self.feeds[index]
        parts = dict(state.get("feeds", {}))
        part = parts.get(feed.name, {})
        await self.account.ensure_me()
        if "min_id" in part:
            page_state, finished, page = await self._forward(feed, part["min_id"])
        else:
            page_state, finished, page = await self._first_walk(feed, part)
        parts[feed.name] = page_state
        index += finished
        done = index >= len(self.feeds)
        new_state = {"i": 0 if done else index, "feeds": parts}
        return Page(page[0], json.dumps(new_state, sort_keys=True), done, page[1], page[2])

    async def _forward(self, feed: Feed, min_id: str) -> tuple[dict[str, Any], bool, tuple[list[Mention], int, int]]:
        items = await self.account.call(feed.call, self.account, {"min_id": min_id, "limit": feed.limit})
        mentions, seen, skipped = await self.to_mentions(list(items), datetime.min.replace(tzinfo=UTC))
        newest = max([decimal_id(min_id), *_plausible_ids(seen)])
        return {"min_id": str(newest)}, len(items) < feed.limit, (mentions, len(items), skipped)

    async def _first_walk(self, feed: Feed, part: Mapping[str, Any]) -> tuple[dict[str, Any], bool,
                                                                              tuple[list[Mention], int, int]]:
        floor = utcnow() - FIRST_RUN_LOOKBACK
        kwargs: dict[str, Any] = {"limit": feed.limit}
        if part.get("max_id"):
            kwargs["max_id"] = part["max_id"]
        items = await self.account.call(feed.call, self.account, kwargs)
        mentions, seen, skipped = await self.to_mentions(list(items), floor)
        top = max([decimal_id(part.get("top") or 0), *_plausible_ids(seen)])
        ended = len(items) < feed.limit or any(at < floor for _, at in seen) or not seen
        if ended:
            return {"min_id": str(top)}, True, (mentions, len(items), skipped)
        oldest = min(i for i, _ in seen)
        return {"max_id": str(oldest), "top": str(top)}, False, (mentions, len(items), skipped)

    def restart_cursor(self, cursor: str | None) -> str | None:
        """``cursor`` without a first walk's position (``max_id``): that feed's walk starts over; feeds
        already on ``min_id`` keep it (their watermark, not a position).

        The poller falls back to it when the server refuses a saved ``max_id`` (a 4xx).
        """
        state = json.loads(cursor) if cursor else {}
        parts = state.get("feeds") if isinstance(state, dict) else None
        if not isinstance(parts, dict) or not any(isinstance(p, dict) and "max_id" in p for p in parts.values()):
            return cursor
        kept = {name: p for name, p in parts.items() if isinstance(p, dict) and "max_id" not in p}
        return json.dumps({**state, "feeds": kept}, sort_keys=True)

    async def backfill(self, cursor: str | None, since: datetime) -> Page:
        """Walk every feed back with ``max_id`` until posts are older than ``since``; no watermark moves."""
        state = json.loads(cursor) if cursor else {}
        index, max_id = int(state.get("i", 0)), state.get("max_id")
        feed = self.feeds[index]
        await self.account.ensure_me()
        kwargs: dict[str, Any] = {"limit": feed.limit, **({"max_id": max_id} if max_id else {})}
        items = await self.account.call(feed.call, self.account, kwargs)
        mentions, seen, skipped = await self.to_mentions(list(items), since)
        if len(items) < feed.limit or not seen or any(at < since for _, at in seen):
            index, next_max = index + 1, None
        else:
            next_max = str(min(i for i, _ in seen))
        done = index >= len(self.feeds)
        return Page(mentions, json.dumps({"i": index, "max_id": next_max}), done, len(items), skipped)


def _plausible_ids(seen: Sequence[tuple[int, datetime]], now: datetime | None = None) -> list[int]:
    """The ids that may become the ``min_id`` watermark: not from the future by their snowflake time
    (milliseconds since 1970 in the bits above the low 16). One id from 2099 as ``min_id`` would make
    every later page empty; an old sequential id (a server from before snowflakes) is small and passes.
    """
    limit_ms = ((now or utcnow()) + MAX_SKEW).timestamp() * 1000
    return [i for i, _ in seen if 0 <= i < 2**63 and (i >> 16) <= limit_ms]


def _https_host(link: Any) -> str | None:
    """The host of ``link`` when it is a plain https URL (no user info, no spaces or control characters)."""
    if not isinstance(link, str) or len(link) > 2048 or re.search(r"[\x00-\x20\x7f<>\"'\\]", link):
        return None
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not host or "@" in parts.netloc:
        return None
    return host


def _created(item: Mapping[str, Any]) -> datetime:
    value = item["created_at"]
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _notifications(account: MastodonAccount, paging: dict[str, Any]) -> Any:
    return account.get_list("/api/v1/notifications", {"types[]": ["mention"], **paging})


def _hashtag(tag: str) -> Callable[[MastodonAccount, dict[str, Any]], Any]:
    def call(account: MastodonAccount, paging: dict[str, Any]) -> Any:
        return account.get_list(f"/api/v1/timelines/tag/{quote(tag)}", paging)
    return call


def brand_hashtags(brand: BrandSettings) -> list[str]:
    """The brand's ``#`` keywords as Mastodon tags (letters, digits and ``_`` only)."""
    tags = [k.lstrip("#") for k in brand.keywords if k.startswith("#")]
    return list(dict.fromkeys(t.lower() for t in tags if re.fullmatch(r"\w+", t)))


def _own_statuses(account: MastodonAccount, paging: dict[str, Any]) -> Any:
    me = account.me or {}
    return account.get_list(f"/api/v1/accounts/{quote(str(me['id']))}/statuses", {"exclude_reblogs": "true", **paging})


class MastodonMentionsSource(MastodonSource):
    """Posts that @mention the brand account (its ``mention`` notifications, 80 per page), and the
    account's own statuses, so a reply written in a Mastodon app is seen in its thread."""

    name = "mastodon-mentions"

    def __init__(self, brand: BrandSettings, settings: MastodonSourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        self._feeds = (Feed("notifications", 80, _notifications), Feed("own", 40, _own_statuses))

    @property
    def feeds(self) -> Sequence[Feed]:
        return self._feeds


class MastodonHashtagSource(MastodonSource):
    """The hashtag timelines of the brand's ``#`` keywords on the brand account's server (40 per page)."""

    name = "mastodon-hashtags"

    def __init__(self, brand: BrandSettings, settings: MastodonSourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        tags = brand_hashtags(brand)
        if not tags:
            raise PermanentSourceError(self.name, f"brand {brand.name!r} has no '#' keywords")
        self._feeds = tuple(Feed(f"tag:{t}", 40, _hashtag(t)) for t in tags)

    @property
    def feeds(self) -> Sequence[Feed]:
        return self._feeds
