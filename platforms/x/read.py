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
from datetime import datetime
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
from platforms.x.client import XClientOwner, translate

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


def _id_int(value: Any) -> int:
    return int(str(value))


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


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
        if self._session is not None and (wait := self._session.limits.wait_seconds()) > 0:
            raise RateLimited(self.key, f"rate-limit window spent (x-rate-limit-remaining: 0), reset in {wait:.0f}s",
                              retry_after=wait)
        try:
            result = await method(*args, **kwargs)
        except Exception as exc:
            translated = translate(exc, self.key)
            if translated is None:
                raise
            raise translated from exc
        if not isinstance(result, Mapping):
            raise TemporarySourceError(self.key, f"unexpected response type {type(result).__name__}")
        return result

    # -- normalisation ---------------------------------------------------------------------------
    def to_mentions(self, body: Mapping[str, Any]) -> tuple[list[Mention], int, int, int | None]:
        """(mentions kept, posts read, items skipped as malformed, newest id on the page)."""
        data = body.get("data") or []
        if not isinstance(data, list):
            raise TemporarySourceError(self.key, "malformed response: 'data' is not a list")
        users = {str(u.get("id")): u for u in (body.get("includes") or {}).get("users", []) if isinstance(u, dict)}
        fetched = utcnow()
        kept: list[Mention] = []
        skipped = 0
        newest: int | None = None
        for item in data:
            try:
                mention = self.normalise(item, users, fetched)
                newest = max(newest or 0, _id_int(item["id"]))
            except (MalformedPayload, KeyError, TypeError, ValueError) as exc:
                skipped += 1
                log.warning("%s: skipped malformed tweet %r: %s", self.key, _short(item), exc)
                continue
            if mention is not None:
                kept.append(mention)
        return kept, len(data), skipped, newest

    def normalise(self, tweet: Any, users: Mapping[str, Any], fetched: datetime) -> Mention | None:
        if not isinstance(tweet, dict):
            raise MalformedPayload("tweet is not an object")
        tid = str(_id_int(tweet["id"]))
        text = tweet["text"]
        if not isinstance(text, str):
            raise MalformedPayload("text is not a string")
        author_id = str(tweet["author_id"])
        refs = {r.get("type"): str(r.get("id")) for r in tweet.get("referenced_tweets") or []}
        user = users.get(author_id) or {}
        handle = str(user.get("username") or author_id)
        if "retweeted" in refs:
            return None
        from_brand = author_id in self.own_ids or handle.lower() in self.own_handles
        if from_brand and "replied_to" not in refs:  # the brand's own top-level posts are not mentions
            return None
        metrics = user.get("public_metrics") or {}
        author = Author(Platform.X.value, author_id, handle, str(user.get("name") or ""),
                        int(metrics.get("followers_count") or 0), bool(user.get("verified")))
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
        meta = body.get("meta") or {}
        if token is None:  # first page of a run: its newest id is the next watermark
            candidates = [int(x) for x in (since, meta.get("newest_id"), page_newest) if x]
            newest = str(max(candidates)) if candidates else None
        next_token = meta.get("next_token")
        if next_token:
            new_state = {"since_id": since, "next_token": next_token, "newest": newest}
        else:
            new_state = {"since_id": newest}
        return Page(mentions, json.dumps(new_state, sort_keys=True), not next_token, read, skipped)

    async def request(self, since_id: str | None, token: str | None,
                      start_time: datetime | None = None) -> Mapping[str, Any]:
        raise NotImplementedError

    async def backfill(self, cursor: str | None, since: datetime) -> Page:
        """Walk back to ``since`` with ``start_time`` (X keeps 7 days); the live watermark is untouched."""
        token = json.loads(cursor).get("next_token") if cursor else None
        body = await self.request(None, token, start_time=since)
        mentions, read, skipped, _ = self.to_mentions(body)
        next_token = (body.get("meta") or {}).get("next_token")
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


def _short(item: Any) -> str:
    text = json.dumps(item, default=str) if not isinstance(item, str) else item
    return text[:200]
