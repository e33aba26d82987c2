"""Replying on Reddit: asyncpraw's ``reply`` on a comment or a submission, as the brand's account."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpraw

from careline.domain import Platform
from careline.errors import CarelineError, PermanentSourceError
from careline.platform import ReplySender, SendOutcomeUnknown
from careline.settings import RedditSourceSettings
from platforms.holder import ClientHolder
from platforms.reddit.client import reddit_client, translate


class RedditReplySender(ClientHolder[asyncpraw.Reddit], ReplySender):
    """Replies with asyncpraw (``comment.reply`` / ``submission.reply``) as the brand's account.

    Reddit has no search for one's own fresh comments that is reliable enough to reconcile with,
    so ``can_find`` is false: an in-doubt send waits for a person.
    """

    platform = Platform.REDDIT.value

    def __init__(self, settings: RedditSourceSettings, *, username: str = "", password: str = "",
                 timeout: float = 20.0) -> None:
        self.settings, self.timeout = settings, timeout
        self.username = username or settings.username
        self.password = password or settings.password
        if not (self.username and self.password):
            raise CarelineError("the Reddit reply sender needs the brand account's username and password")

    async def start(self) -> None:
        # reddit_client switches asyncprawcore's retries off: a retried POST could post twice behind our back
        self.hold(reddit_client(self.settings, username=self.username, password=self.password))

    async def post(self, text: str, in_reply_to: str) -> str:
        reddit = self.held()
        kind, _, rid = in_reply_to.partition("_")
        if kind not in ("t1", "t3") or not rid:
            raise PermanentSourceError("reddit-reply", f"cannot reply to {in_reply_to!r}")
        try:
            async with asyncio.timeout(self.timeout):
                parent: Any = (await reddit.comment(rid, fetch=False) if kind == "t1"
                               else await reddit.submission(rid, fetch=False))
                created = await parent.reply(text)
        except Exception as exc:
            translated = translate(exc, "reddit-reply", posting=True)
            if translated is None:
                raise
            raise translated from exc
        if created is None:
            raise SendOutcomeUnknown("reddit-reply", "Reddit accepted the reply but returned no comment")
        return str(created.fullname)
