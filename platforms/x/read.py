"""X / Twitter through ``tweepy.asynchronous.AsyncClient`` (API v2).

Cursor contract (X's documented polling pattern): ``since_id`` is the newest id of the FIRST page of
a run; later pages of the same run are walked with ``next_token`` under the same ``since_id``, and
the watermark moves only when the last page is stored. Mid-run state (``next_token`` and the newest
id seen) is part of the cursor itself, so it commits with each page: a crash mid-run resumes at the
next page instead of refetching (and re-paying for) the whole run, and no post can fall into the gap.

We ask tweepy for ``return_type=dict`` so one malformed tweet cannot fail tweepy's model parsing of a
whole page: we normalise items ourselves, skip and log the bad ones, and keep the raw payload.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from careline.domain import Author, Mention, Platform, utcnow
from careline.errors import (
    MalformedPayload,
    PermanentSourceError,
    RateLimited,
    TemporarySourceError,
)
from careline.platform import Page, Source
from careline.settings import BrandSettings, XSourceSettings
from platforms.guard import MAX_SKEW, clean_mention, decimal_id, skip_malformed
from platforms.x.client import XClientOwner

log = logging.getLogger(__name__)

TWEET_FIELDS = [
    "author_id", "conversation_id", "in_reply_to_user_id", "created_at", "lang",
    "referenced_tweets", "public_metrics", "entities",
]
EXPANSIONS = ["author_id", "referenced_tweets.id", "in_reply_to_user_id"]
USER_FIELDS = ["username", "name", "verified", "public_metrics"]


def build_query(brand: BrandSettings, *, max_length: int = 512) -> str:
    """Keyword query from the brand's config: terms OR-ed, exclusions, no retweets, languages.

    ``from:<handle>`` is one of the alternatives: the brand account's own replies come back with the
    customers' posts, so a reply made outside Careline (the native app) is seen in its thread.
    """
    terms = [f'"{k}"' if " " in k and not k.startswith('"') else k for k in brand.keywords]
    terms += [f"@{h.lstrip('@')}" for h in brand.handles]
    terms += [f"from:{h.lstrip('@')}" for h in brand.handles]
    if not terms:
        raise PermanentSourceError("x-search", f"brand {brand.name!r} has no keywords or handles")
    query = "(" + " OR ".join(dict.fromkeys(terms)) + ")"
    query += "".join(f" -{w}" for w in brand.exclude)
    query += " -is:retweet"
    if brand.languages:
        langs = [f"lang:{lang}" for lang in brand.languages]
        query += " " + (langs[0] if len(langs) == 1 else "(" + " OR ".join(langs) + ")")
    if len(query) > max_length:
        raise PermanentSourceError("x-search", f"query is {len(query)} chars, X allows {max_length}")
    return query


#: X ids are snowflakes: milliseconds since this epoch, shifted left 22 bits.
TWEPOCH_MS = 1288834974657


def _plausible_id(value: Any, now: datetime | None = None) -> int | None:
    """``value`` as an id that may become the ``since_id`` watermark, else ``None``.

    A watermark never moves to an id from the future (by its snowflake time) or past X's 63 bits: one
    such id would hide every later post, or have every later request refused.
    """
    try:
        found = decimal_id(value)
    except (TypeError, ValueError):
        return None
    limit_ms = ((now or utcnow()) + MAX_SKEW).timestamp() * 1000
    if not 0 < found < 2**63 or (found >> 22) + TWEPOCH_MS > limit_ms:
        return None
    return found


def _parse_time(value: str) -> datetime:
    """X's ``created_at`` is ISO 8601 in UTC (documented); a stamp without its ``Z`` is read as UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _meta(body: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = body.get("meta")
    return meta if isinstance(meta, Mapping) else {}


def _token(value: Any) -> str | None:
    """A pagination token only when it is a non-empty string (anything else would be sent as garbage)."""
    return value if isinstance(value, str) and value else None


def _users(includes: Any) -> dict[str, Mapping[str, Any]]:
    """The ``includes.users`` expansion by id; anything of the wrong shape is no users (handles fall back to ids)."""
    found = includes.get("users") if isinstance(includes, Mapping) else None
    if not isinstance(found, list):
        return {}
    return {str(u.get("id")): u for u in found if isinstance(u, Mapping)}


def _refs(value: Any) -> dict[Any, str]:
    """``referenced_tweets`` as {type: id}; entries that are not objects are ignored."""
    if not isinstance(value, list):
        return {}
    return {r.get("type"): str(r.get("id")) for r in value if isinstance(r, Mapping)}


def _count(value: Any) -> int:
    try:
        return max(0, int(value or 0))
    except (TypeError, ValueError, OverflowError):
        return 0


class XSource(XClientOwner, Source):
    """Shared by the search and mentions-timeline adapters: client, errors, normalisation."""

    platform = Platform.X.value
    name = "x"

    def __init__(self, brand: BrandSettings, settings: XSourceSettings, *, timeout: float = 20.0) -> None:
        self.brand = brand.name
        self.brand_settings = brand
        self.settings = settings
        self.timeout = timeout
        self.own_ids = {brand.x_user_id} - {""}
        self.own_handles = {h.lstrip("@").lower() for h in brand.handles}

    async def start(self) -> None:
        self.open_x(self.settings.api_base_url, timeout=self.timeout,
                    bearer_token=self.settings.bearer_token or None)

    # -- errors ------------------------------------------------------------------------------------
    async def call(self, method: Any, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """Call tweepy and translate every failure into our error tree at this one seam."""
        if not self.settings.bearer_token:  # never send "Bearer unset": say what to set, and stay degraded
            raise PermanentSourceError(self.key, "CARELINE_X_BEARER_TOKEN is not set: X cannot be read")
        if (wait := self.window_wait()) > 0:
            raise RateLimited(self.key, f"rate-limit window spent (x-rate-limit-remaining: 0), reset in {wait:.0f}s",
                              retry_after=wait)
        try:
            result = await method(*args, **kwargs)
        except Exception as exc:
            translated = self.translate(exc, self.key)
            if translated is None:
                raise
            raise translated from exc
        if not isinstance(result, Mapping):
            raise TemporarySourceError(self.key, f"unexpected response type {type(result).__name__}")
        return result

    # -- normalisation ---------------------------------------------------------------------------
    def to_mentions(self, body: Mapping[str, Any]) -> tuple[list[Mention], int, int, int | None]:
        """(mentions kept, posts read, items skipped as malformed, newest id on the page).

        Any failure inside one item skips that item (logged, counted), never the page: a tweet that
        stays on the first page would otherwise stop the source for good.
        """
        data = body.get("data") or []
        if not isinstance(data, list):
            raise TemporarySourceError(self.key, "malformed response: 'data' is not a list")
        users = _users(body.get("includes"))
        fetched = utcnow()
        kept: list[Mention] = []
        skipped = 0
        newest: int | None = None
        for item in data:
            try:
                mention = self.normalise(item, users, fetched)
                if (tid := _plausible_id(item["id"], fetched)) is not None:  # never a watermark from the future
                    newest = max(newest or 0, tid)
            except Exception as exc:  # any failure: one bad item must never fail the page
                skipped += 1
                skip_malformed(log, self.key, "tweet", item, exc)
                continue
            if mention is not None:
                kept.append(clean_mention(mention))
        return kept, len(data), skipped, newest

    def normalise(self, tweet: Any, users: Mapping[str, Any], fetched: datetime) -> Mention | None:
        if not isinstance(tweet, dict):
            raise MalformedPayload("tweet is not an object")
        tid = str(decimal_id(tweet["id"]))
        text = tweet["text"]
        if not isinstance(text, str):
            raise MalformedPayload("text is not a string")
        author_id = str(tweet["author_id"])
        refs = _refs(tweet.get("referenced_tweets"))
        user = users.get(author_id) or {}
        handle = str(user.get("username") or author_id)
        if "retweeted" in refs:
            return None
        from_brand = author_id in self.own_ids or handle.lower() in self.own_handles
        if from_brand and ("replied_to" not in refs or str(tweet.get("in_reply_to_user_id")) == author_id):
            return None  # the brand's own top-level posts and its replies to itself (a thread's "2/2") are not mentions
        metrics = user.get("public_metrics")
        followers = metrics.get("followers_count") if isinstance(metrics, Mapping) else None
        author = Author(Platform.X.value, author_id, handle, str(user.get("name") or ""),
                        _count(followers), bool(user.get("verified")))
        return Mention(
            platform=Platform.X.value, platform_id=tid, brand=self.brand, author=author, text=text,
            url=f"https://x.com/{handle}/status/{tid}", created_at=_parse_time(tweet["created_at"]),
            fetched_at=fetched, conversation_id=str(tweet.get("conversation_id") or tid),
            in_reply_to_id=refs.get("replied_to"), language=tweet.get("lang"), source=self.name,
            raw={"tweet": tweet, "author": user}, from_brand=from_brand,
        )

    # -- paging ----------------------------------------------------------------------------------
    async def fetch(self, cursor: str | None) -> Page:
        state = json.loads(cursor) if cursor else {}
        since, token, newest = state.get("since_id"), state.get("next_token"), state.get("newest")
        body = await self.request(since, token)
        mentions, read, skipped, page_newest = self.to_mentions(body)
        meta = _meta(body)
        if token is None:  # first page of a run: its newest id is the next watermark
            candidates = [i for i in map(_plausible_id, (since, meta.get("newest_id"), page_newest)) if i]
            newest = str(max(candidates)) if candidates else None
        next_token = _token(meta.get("next_token"))
        if next_token:
            new_state = {"since_id": since, "next_token": next_token, "newest": newest}
        else:
            new_state = {"since_id": newest}
        return Page(mentions, json.dumps(new_state, sort_keys=True), not next_token, read, skipped)

    async def request(self, since_id: str | None, token: str | None,
                      start_time: datetime | None = None) -> Mapping[str, Any]:
        raise NotImplementedError

    def restart_cursor(self, cursor: str | None) -> str | None:
        """``cursor`` without its mid-run position (``next_token``): the ``since_id`` watermark alone.

        The poller falls back to it when X refuses a saved ``next_token`` (expired: a 400); the walk then
        starts again from the watermark, and re-read posts hit the unique key.
        """
        state = json.loads(cursor) if cursor else {}
        if not isinstance(state, dict) or "next_token" not in state:
            return cursor
        return json.dumps({"since_id": state.get("since_id")}, sort_keys=True)

    async def backfill(self, cursor: str | None, since: datetime) -> Page:
        """Walk back to ``since`` with ``start_time`` (X keeps 7 days); the live watermark is untouched."""
        token = json.loads(cursor).get("next_token") if cursor else None
        body = await self.request(None, token, start_time=since)
        mentions, read, skipped, _ = self.to_mentions(body)
        next_token = _token(_meta(body).get("next_token"))
        state = json.dumps({"next_token": next_token}) if next_token else None
        return Page(mentions, state, not next_token, read, skipped)


class XSearchSource(XSource):
    """Keyword listening with ``search_recent_tweets``."""

    name = "x-search"

    def __init__(self, brand: BrandSettings, settings: XSourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        self.query = build_query(brand)

    async def request(self, since_id: str | None, token: str | None,
                      start_time: datetime | None = None) -> Mapping[str, Any]:
        return await self.call(
            self.client.search_recent_tweets, self.query, since_id=since_id, next_token=token,
            start_time=start_time, max_results=100, tweet_fields=TWEET_FIELDS, expansions=EXPANSIONS,
            user_fields=USER_FIELDS,
        )


class XMentionsSource(XSource):
    """The brand account's mentions timeline (``get_users_mentions``); same cursor rule as search.

    Paged with ``pagination_token`` (tweepy's name for it on this endpoint). No daily budget stop:
    mentions of the brand are the conversations agents must never miss.
    """

    name = "x-mentions"

    def __init__(self, brand: BrandSettings, settings: XSourceSettings, **kw: Any) -> None:
        super().__init__(brand, settings, **kw)
        if not brand.x_user_id:
            raise PermanentSourceError(self.name, f"brand {brand.name!r} has no x_user_id")
        self.user_id = brand.x_user_id

    async def request(self, since_id: str | None, token: str | None,
                      start_time: datetime | None = None) -> Mapping[str, Any]:
        return await self.call(
            self.client.get_users_mentions, self.user_id, since_id=since_id, pagination_token=token,
            start_time=start_time, max_results=100, tweet_fields=TWEET_FIELDS, expansions=EXPANSIONS,
            user_fields=USER_FIELDS,
        )
