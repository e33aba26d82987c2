"""Replying on Mastodon as the brand account: ``in_reply_to_id``, the right visibility, an @mention.

* Visibility: a reply is never more public than the post it answers. A direct mention is answered as
  direct, a followers-only post as followers-only, an unlisted one as unlisted.
* A direct (or followers-only) reply reaches only the accounts it mentions, and Mastodon notifies only
  mentioned accounts, so the reply starts with ``@acct`` of the author when the agent did not write it
  (Mastodon's own apps do the same). The prefix counts against the limit: the responder's length check
  is told the author answered and counts it (``responder.textlimits.check_length``).
* ``Idempotency-Key``: the server answers a repeated key with the first post for an hour, so a retried
  send cannot appear twice; ``find`` also reads the parent's context for our reply.
* ``max_length``: the server's own limit (``configuration.statuses.max_characters`` of its instance
  info), read at start; 500 (settings: ``max_characters``) when the server does not say.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from careline.domain import Platform
from careline.errors import CarelineError, SourceError
from careline.platform import ReplySender, SendOutcomeUnknown
from careline.settings import MastodonSourceSettings
from careline.textcount import mastodon_with_mention
from platforms.holder import ClientHolder
from platforms.mastodon.client import TOKEN_ENV, MastodonAccount
from platforms.mastodon.read import html_to_text

log = logging.getLogger(__name__)
WHERE = "mastodon-reply"
#: The visibility of a reply to a post of each visibility: never wider than the post answered.
REPLY_VISIBILITY = {"direct": "direct", "private": "private", "unlisted": "unlisted", "public": "public"}


def with_mention(text: str, acct: str) -> str:
    """``@acct text`` unless the text already mentions the author (as ``@user`` or ``@user@domain``); the
    rule lives in ``careline.textcount`` so the responder's length check counts the same prefix."""
    return mastodon_with_mention(text, acct)


def idempotency_key(text: str, in_reply_to: str) -> str:
    return hashlib.sha256(f"{in_reply_to}\n{text.strip()}".encode()).hexdigest()[:32]


def instance_limit(info: Mapping[str, Any], default: int) -> int:
    """``configuration.statuses.max_characters`` of the instance info (v2, or v1's same path)."""
    try:
        value = int(info["configuration"]["statuses"]["max_characters"])
    except (KeyError, TypeError, ValueError):
        return default
    return value if value > 0 else default


class MastodonReplySender(ClientHolder[MastodonAccount], ReplySender):
    """Posts replies with Mastodon.py's ``status_post`` on the brand account's server."""

    platform = Platform.MASTODON.value
    can_find = True

    def __init__(self, settings: MastodonSourceSettings, *, base_url: str, token: str, timeout: float = 20.0,
                 token_env: str = TOKEN_ENV) -> None:
        if not (base_url and token):
            raise CarelineError("the Mastodon reply sender needs the brand's server URL and access token")
        self.settings, self.base_url, self.token, self.timeout, self.token_env = (
            settings, base_url, token, timeout, token_env)
        self.max_length = settings.max_characters

    async def start(self) -> None:
        account = self.hold(MastodonAccount(self.base_url, self.token, timeout=self.timeout, where=WHERE,
                                            token_env=self.token_env))
        try:
            info = await account.call(account.api.instance)
            self.max_length = instance_limit(info, self.settings.max_characters)
        except SourceError as exc:  # the limit is a nicety: never stop the service for it
            log.warning("%s: instance info unavailable (%s); assuming %d characters", self.base_url, exc,
                        self.max_length)

    @property
    def account(self) -> MastodonAccount:
        return self.held()

    async def post(self, text: str, in_reply_to: str) -> str:
        api = self.account.api
        parent = await self.account.call(api.status, in_reply_to)
        visibility = REPLY_VISIBILITY.get(str(parent.get("visibility")), "public")
        body = with_mention(text, str(parent["account"]["acct"]))
        created = await self.account.call(api.status_post, body, in_reply_to_id=in_reply_to, visibility=visibility,
                                          language=parent.get("language") or None,
                                          idempotency_key=idempotency_key(body, in_reply_to), posting=True)
        if not isinstance(created, Mapping) or created.get("id") is None:
            raise SendOutcomeUnknown(WHERE, "the response did not carry the new status's id")
        return str(created["id"])

    async def find(self, text: str, in_reply_to: str, *, thread: str | None = None) -> str | None:
        me = await self.account.ensure_me()
        context = await self.account.call(self.account.api.status_context, in_reply_to)
        for status in context.get("descendants") or []:
            if str(status["account"]["id"]) != str(me["id"]) or str(status.get("in_reply_to_id")) != in_reply_to:
                continue
            if _plain(str(status.get("content", ""))).endswith(_plain(text)):
                return str(status["id"])
        return None


def _plain(content: str) -> str:
    return " ".join(html_to_text(content).split())
