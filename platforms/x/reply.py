"""Replying on X: tweepy's ``create_tweet`` as the brand account, and finding our own earlier reply."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from careline.domain import Platform
from careline.errors import CarelineError
from careline.platform import ReplySender, SendOutcomeUnknown
from careline.settings import XSourceSettings
from platforms.x.client import XClientOwner


@dataclass(frozen=True)
class OAuth1Credentials:
    """X user context (OAuth 1.0a) of the brand account; read from the environment by the caller."""

    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


class XReplySender(XClientOwner, ReplySender):
    """Replies through tweepy's ``AsyncClient.create_tweet`` as the brand account.

    Posting needs user context: OAuth 1.0a credentials, or an OAuth 2.0 user access token passed as
    ``bearer_token``. The simulator treats the bearer token as the acting username, so tests pass
    the brand's handle. ``handle`` is used by :meth:`find` (``from:`` in the search query).
    """

    platform = Platform.X.value
    can_find = True

    def __init__(self, settings: XSourceSettings, *, handle: str, bearer_token: str = "",
                 oauth1: OAuth1Credentials | None = None, timeout: float = 20.0) -> None:
        if not bearer_token and oauth1 is None:
            raise CarelineError("the X reply sender needs a user bearer token or OAuth 1.0a credentials")
        self.settings, self.handle = settings, handle.lstrip("@")
        self.bearer_token, self.oauth1, self.timeout = bearer_token, oauth1, timeout

    async def start(self) -> None:
        creds = vars(self.oauth1) if self.oauth1 else {}
        self.open_x(self.settings.api_base_url, timeout=self.timeout, bearer_token=self.bearer_token or None,
                    **creds)

    async def post(self, text: str, in_reply_to: str) -> str:
        body = await self._call(self.client.create_tweet, text=text, in_reply_to_tweet_id=in_reply_to,
                                user_auth=self.oauth1 is not None)
        try:
            return str(body["data"]["id"])
        except (KeyError, TypeError) as exc:
            raise SendOutcomeUnknown("x-reply", "the response did not carry the new post's id") from exc

    async def find(self, text: str, in_reply_to: str, *, thread: str | None = None) -> str | None:
        query = f"conversation_id:{thread or in_reply_to} from:{self.handle}"
        body = await self._call(self.client.search_recent_tweets, query, max_results=100,
                                tweet_fields=["referenced_tweets", "conversation_id", "author_id"],
                                user_auth=self.oauth1 is not None)
        for tweet in body.get("data") or []:
            parents = {r.get("id") for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"}
            if in_reply_to in parents and tweet.get("text", "").strip() == text.strip():
                return str(tweet["id"])
        return None

    async def _call(self, method: Any, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """Call tweepy and translate its failures into our error tree at this one seam."""
        try:
            async with asyncio.timeout(self.timeout):
                result = await method(*args, **kwargs)
        except Exception as exc:
            translated = self.translate(exc, "x-reply", posting=True)
            if translated is None:
                raise
            raise translated from exc
        return result if isinstance(result, Mapping) else {}
