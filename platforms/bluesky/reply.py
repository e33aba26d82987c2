"""Replying on Bluesky as the brand account: a post whose ``reply`` names the thread's root and the parent.

A Bluesky reply needs strong references (uri *and* cid) to both the post answered and the root of its
thread; our mentions carry only the uri, so the sender reads the parent first (``getPosts``), takes its
cid and its own root reference (or the parent itself when it is a top-level post), then creates the
record. ``find`` reads the parent's thread and looks for our reply with the same text, which lets the
responder reconcile an in-doubt send instead of posting twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from atproto import models

from careline.domain import Platform
from careline.errors import CarelineError, PermanentSourceError
from careline.platform import ReplySender, SendOutcomeUnknown
from careline.settings import BlueskySourceSettings
from platforms.bluesky.client import APP_PASSWORD_ENV, BlueskyAccount, translate
from platforms.holder import ClientHolder

WHERE = "bluesky-reply"


def strong_ref(uri: Any, cid: Any) -> models.ComAtprotoRepoStrongRef.Main:
    if not (isinstance(uri, str) and isinstance(cid, str) and uri and cid):
        raise PermanentSourceError(WHERE, "the post replied to has no uri/cid")
    return models.ComAtprotoRepoStrongRef.Main(uri=uri, cid=cid)


def reply_ref(parent: Mapping[str, Any]) -> models.AppBskyFeedPost.ReplyRef:
    """Root and parent references for answering ``parent`` (a post view)."""
    parent_ref = strong_ref(parent.get("uri"), parent.get("cid"))
    root = ((parent.get("record") or {}).get("reply") or {}).get("root")
    root_ref = strong_ref(root.get("uri"), root.get("cid")) if isinstance(root, Mapping) else parent_ref
    return models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref)


class BlueskyReplySender(ClientHolder[BlueskyAccount], ReplySender):
    """Posts replies with the SDK's ``send_post(reply_to=...)`` as the brand account (app password)."""

    platform = Platform.BLUESKY.value
    can_find = True

    def __init__(self, settings: BlueskySourceSettings, *, handle: str, password: str, timeout: float = 20.0,
                 password_env: str = APP_PASSWORD_ENV) -> None:
        if not (handle and password):
            raise CarelineError("the Bluesky reply sender needs the brand's handle and app password")
        self.settings, self.handle, self.password = settings, handle, password
        self.timeout, self.password_env = timeout, password_env

    async def start(self) -> None:
        self.hold(BlueskyAccount(self.settings.service_url, self.handle, self.password, timeout=self.timeout,
                                 where=WHERE, password_env=self.password_env))

    @property
    def account(self) -> BlueskyAccount:
        return self.held()

    async def parent(self, uri: str) -> Mapping[str, Any]:
        body = await self.account.query("app.bsky.feed.getPosts", models.AppBskyFeedGetPosts.Params(uris=[uri]))
        posts = body.get("posts") or []
        if not posts or not isinstance(posts[0], Mapping):
            raise PermanentSourceError(WHERE, f"the post {uri} is gone (deleted, or not visible to the brand)")
        return posts[0]

    async def post(self, text: str, in_reply_to: str) -> str:
        parent = await self.parent(in_reply_to)
        ref = reply_ref(parent)
        langs = (parent.get("record") or {}).get("langs") or ["en"]
        did = await self.account.ensure_login()
        sent_before = self.account.traffic.requests
        try:
            created = await self.account.bounded(self.account.client.send_post(
                text, profile_identify=did, reply_to=ref, langs=[str(x) for x in langs[:1]]))
        except Exception as exc:
            # in doubt only if the post request left: the SDK refusing its own arguments posted nothing
            translated = translate(exc, WHERE, posting=self.account.traffic.requests > sent_before)
            if translated is None:
                raise
            raise translated from exc
        if not getattr(created, "uri", None):
            raise SendOutcomeUnknown(WHERE, "the response did not carry the new post's uri")
        return str(created.uri)

    async def find(self, text: str, in_reply_to: str, *, thread: str | None = None) -> str | None:
        did = await self.account.ensure_login()
        body = await self.account.query("app.bsky.feed.getPostThread",
                                        models.AppBskyFeedGetPostThread.Params(uri=in_reply_to, depth=1))
        replies = (body.get("thread") or {}).get("replies") or []
        for node in replies:
            post = node.get("post") if isinstance(node, Mapping) else None
            if not isinstance(post, Mapping) or (post.get("author") or {}).get("did") != did:
                continue
            if str((post.get("record") or {}).get("text", "")).strip() == text.strip():
                return str(post["uri"])
        return None
