"""Bluesky's XRPC API on loopback, in the real wire format, for the unmodified atproto SDK.

Serves what our sources and the reply sender call, under ``/xrpc/<nsid>``: ``createSession`` and
``refreshSession`` (JWT-shaped tokens with an integer ``exp``, no ``didDoc``, so the SDK stays on this
host), ``app.bsky.feed.searchPosts`` (``q``, ``since``, ``cursor``, ``limit``), the logged-in account's
``app.bsky.notification.listNotifications`` (``reasons``, ``cursor``), ``app.bsky.feed.getPosts``,
``app.bsky.feed.getPostThread`` and ``com.atproto.repo.createRecord``, which checks that a reply's root
and parent references (uri and cid) name real posts of one thread and that the text keeps the lexicon's
limits (300 graphemes, 3,000 UTF-8 bytes). Every response carries the
``ratelimit-limit/-remaining/-reset/-policy`` headers; errors are XRPC error bodies. Faults injected
under ``bluesky-search``, ``bluesky-notifications`` and ``bluesky-create`` are served one per request.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from careline.textcount import BLUESKY_BYTE_LIMIT, BLUESKY_LIMIT, bluesky_bytes, bluesky_length
from platforms.simulator.faults import listing_response
from platforms.simulator.world import Fault, SimPost, SimUser, World, tid

WINDOW_SECONDS = 300
WINDOW_LIMIT = 3000  # the PDS's documented 3,000 requests per 5 minutes
APP_PASSWORD = re.compile(r"[a-z0-9]{4}(-[a-z0-9]{4}){3}")


def cid_of(uri: str) -> str:
    """A well-formed CIDv1 (dag-cbor, sha-256) derived from the uri, so it is stable and checkable."""
    raw = bytes([1, 0x71, 0x12, 0x20]) + hashlib.sha256(uri.encode()).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def author_json(user: SimUser) -> dict[str, Any]:
    return {"did": user.id, "handle": user.username, "displayName": user.name, "labels": [],
            "createdAt": "2023-04-01T00:00:00.000Z"}


def record_json(world: World, post: SimPost) -> dict[str, Any]:
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": post.text, "createdAt": _iso(post.created_at),
                              "langs": [post.lang]}
    parent = world.by_id.get(post.parent_id or "")
    if parent is not None:
        root = world.by_id.get(post.conversation_id) or parent
        record["reply"] = {"root": {"uri": root.id, "cid": cid_of(root.id)},
                           "parent": {"uri": parent.id, "cid": cid_of(parent.id)}}
    return record


def post_json(world: World, post: SimPost) -> dict[str, Any]:
    """An ``app.bsky.feed.defs#postView``."""
    return {"uri": post.id, "cid": cid_of(post.id), "author": author_json(post.user),
            "record": record_json(world, post), "replyCount": 0, "repostCount": 0, "likeCount": 0,
            "quoteCount": 0, "indexedAt": _iso(post.created_at), "labels": []}


def _jwt(did: str, kind: str) -> str:
    def part(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"scope": f"com.atproto.{kind}", "sub": did, "iat": now, "exp": now + 7200}
    return f"{part({'typ': 'JWT', 'alg': 'ES256K'})}.{part(claims)}.c2lnbmF0dXJl"


def _subject(token: str) -> str | None:
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims["sub"])
    except (IndexError, KeyError, ValueError):
        return None


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status, headers=headers)


def _token(index: int) -> str:
    return tid(index)


def _untoken(token: str) -> int:
    value = 0
    for ch in token:
        value = value * 32 + "234567abcdefghijklmnopqrstuvwxyz".index(ch)
    return value


class BlueskyFace:
    """Route handlers bound to one ``World``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.window: list[float] = []
        self.window_limit = WINDOW_LIMIT

    def headers(self) -> dict[str, str]:
        now = time.time()
        self.window = [t for t in self.window if t > now - WINDOW_SECONDS] + [now]
        return {"ratelimit-limit": str(self.window_limit),
                "ratelimit-policy": f"{self.window_limit};w={WINDOW_SECONDS}",
                "ratelimit-remaining": str(max(0, self.window_limit - len(self.window))),
                "ratelimit-reset": str(int(self.window[0] + WINDOW_SECONDS))}

    def viewer(self, request: web.Request) -> SimUser | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        did = _subject(token) if token else None
        return next((u for u in self.world.users.values() if u.platform == "bluesky" and u.id == did), None)

    # -- sessions ------------------------------------------------------------------------------------
    async def create_session(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            identifier, password = str(body["identifier"]).lower().lstrip("@"), str(body["password"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "InvalidRequest", "identifier and password are required")
        user = next((u for u in self.world.users.values() if u.platform == "bluesky"
                     and identifier in (u.username.lower(), u.id)), None)
        if user is None or not APP_PASSWORD.fullmatch(password):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        return web.json_response(self._session(user), headers=self.headers())

    async def refresh_session(self, request: web.Request) -> web.Response:
        user = self.viewer(request)
        if user is None:
            return _error(401, "ExpiredToken", "Token has expired")
        return web.json_response(self._session(user), headers=self.headers())

    @staticmethod
    def _session(user: SimUser) -> dict[str, Any]:
        return {"did": user.id, "handle": user.username, "accessJwt": _jwt(user.id, "appPass"),
                "refreshJwt": _jwt(user.id, "refresh"), "active": True}

    # -- reading -------------------------------------------------------------------------------------
    async def search(self, request: web.Request) -> web.StreamResponse:
        q = request.query.get("q", "").strip()
        if not q:
            return _error(400, "InvalidRequest", "Error: Params must have the property \"q\"")
        if self.viewer(request) is None:
            return _error(401, "AuthMissing", "Authentication Required")
        terms = [t.strip('"').lower() for t in re.findall(r'"[^"]*"|\S+', q)]
        phrase = " ".join(terms)

        def hit(p: SimPost) -> bool:
            return not p.retweet_of and re.search(r"(?<![\w@#])" + re.escape(phrase) + r"(?!\w)",
                                                  p.text.lower()) is not None

        return await self._listing(request, "bluesky-search", f"search:{phrase}", hit, "posts",
                                   lambda p: post_json(self.world, p))

    async def notifications(self, request: web.Request) -> web.StreamResponse:
        user = self.viewer(request)
        if user is None:
            return _error(401, "AuthMissing", "Authentication Required")
        reasons = set(request.query.getall("reasons", [])) or {"mention", "reply", "quote"}
        tag = re.compile(r"(?<![\w@])@" + re.escape(user.username) + r"(?![\w.-])", re.IGNORECASE)

        def reason(p: SimPost) -> str | None:
            parent = self.world.by_id.get(p.parent_id or "")
            if p.user is user or p.retweet_of:
                return None
            if parent is not None and parent.user is user:
                return "reply"
            return "mention" if tag.search(p.text) else None

        def render(p: SimPost) -> dict[str, Any]:
            view = post_json(self.world, p)
            return {"uri": view["uri"], "cid": view["cid"], "author": view["author"], "reason": reason(p),
                    "record": view["record"], "isRead": False, "indexedAt": view["indexedAt"], "labels": []}

        return await self._listing(request, "bluesky-notifications", f"notifications:{user.id}",
                                   lambda p: reason(p) in reasons, "notifications", render)

    async def _listing(self, request: web.Request, endpoint: str, key: str, predicate: Callable[[SimPost], bool],
                       field: str, render: Callable[[SimPost], dict[str, Any]]) -> web.StreamResponse:
        fault = self.world.take_fault(endpoint)
        headers = self.headers()
        early = await _early_fault(fault, headers)
        if early is not None:
            return early
        try:
            limit = max(1, min(100, int(request.query.get("limit", "25"))))
            until = _untoken(request.query["cursor"]) if "cursor" in request.query else None
            since = _parse(request.query["since"]) if "since" in request.query else None
        except (ValueError, KeyError):
            return _error(400, "InvalidRequest", "Error: invalid cursor, since or limit")
        indexes = self.world.matching("bluesky", key, predicate)
        hi = bisect.bisect_left(indexes, until) if until is not None else len(indexes)
        lo = bisect.bisect_left(indexes, since, key=lambda i: self.world.posts[i].created_at) if since else 0
        page = indexes[max(lo, hi - limit):hi][::-1]
        if fault is not None and fault.kind == "duplicate" and until is not None and until < len(self.world.posts):
            page = [until, *page]  # the previous page's last post again: a duplicate across pages
        items = [render(self.world.posts[i]) for i in page]
        body: dict[str, Any] = {field: items}
        if hi - limit > lo and page:
            body["cursor"] = _token(page[-1])
        return listing_response(fault, body, items, {"uri": 7, "record": None, "indexedAt": "yesterday"}, headers)

    async def author_feed(self, request: web.Request) -> web.StreamResponse:
        actor = request.query.get("actor", "").lower()
        user = next((u for u in self.world.users.values() if u.platform == "bluesky"
                     and actor in (u.username.lower(), u.id)), None)
        if user is None:
            return _error(400, "InvalidRequest", "Profile not found")
        return await self._listing(request, "bluesky-author-feed", f"author:{user.id}", lambda p: p.user is user,
                                   "feed", self._feed_item)

    def _feed_item(self, post: SimPost) -> dict[str, Any]:
        """A ``feedViewPost``; a repost shows the original post with a ``reasonRepost``."""
        original = self.world.by_ref.get(post.retweet_of or "")
        if original is None:
            return {"post": post_json(self.world, post)}
        return {"post": post_json(self.world, original),
                "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "by": author_json(post.user),
                           "indexedAt": _iso(post.created_at)}}

    async def get_posts(self, request: web.Request) -> web.Response:
        posts = [self.world.by_id.get(u) for u in request.query.getall("uris", [])]
        views = [post_json(self.world, p) for p in posts if p is not None and p.platform == "bluesky"]
        return web.json_response({"posts": views}, headers=self.headers())

    async def get_post_thread(self, request: web.Request) -> web.Response:
        post = self.world.by_id.get(request.query.get("uri", ""))
        if post is None or post.platform != "bluesky":
            return _error(400, "NotFound", f"Post not found: {request.query.get('uri', '')}")
        visible = self.world.posts[: self.world.visible_count()]
        replies = [{"$type": "app.bsky.feed.defs#threadViewPost", "post": post_json(self.world, p), "replies": []}
                   for p in visible if p.parent_id == post.id]
        thread = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post_json(self.world, post),
                  "replies": replies}
        return web.json_response({"thread": thread}, headers=self.headers())

    # -- writing -------------------------------------------------------------------------------------
    async def create_record(self, request: web.Request) -> web.StreamResponse:
        fault = self.world.take_fault("bluesky-create")
        headers = self.headers()
        early = await _early_fault(fault, headers)
        if early is not None:
            return early
        user = self.viewer(request)
        if user is None:
            return _error(401, "AuthMissing", "Authentication Required")
        try:
            body = await request.json()
            record = body["record"]
            text = str(record["text"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "InvalidRequest", "Input must have the property \"record\"")
        too_long = _too_long(text)
        if too_long:
            return _error(400, "InvalidRequest", too_long)
        if body.get("repo") not in (user.id, user.username):
            return _error(400, "InvalidRequest", "repo must be the authenticated account")
        parent, problem = self._check_reply(record.get("reply"))
        if problem:
            return _error(400, "InvalidRequest", problem)
        post = SimPost(ref=f"live-b-{len(self.world.posts)}", at=0, platform="bluesky", user=user, text=text,
                       lang=(record.get("langs") or ["en"])[0], reply_to=parent.ref if parent else None)
        self.world.append_live(post)
        return web.json_response({"uri": post.id, "cid": cid_of(post.id),
                                  "commit": {"cid": cid_of(post.id + "#commit"), "rev": tid(len(self.world.posts))},
                                  "validationStatus": "valid"}, headers=headers)

    def _check_reply(self, reply: Any) -> tuple[SimPost | None, str | None]:
        """A reply's parent and root must be real posts with matching cids, and the root must be the
        parent's thread root: what a Bluesky client shows as a broken thread otherwise."""
        if reply is None:
            return None, None
        try:
            parent = self.world.by_id[reply["parent"]["uri"]]
            root = self.world.by_id[reply["root"]["uri"]]
        except (KeyError, TypeError):
            return None, "reply.parent and reply.root must reference existing posts"
        if reply["parent"].get("cid") != cid_of(parent.id) or reply["root"].get("cid") != cid_of(root.id):
            return None, "reply reference cid does not match the record"
        if root.id != parent.conversation_id:
            return None, f"reply.root {root.id} is not the root of the parent's thread ({parent.conversation_id})"
        return parent, None


def _too_long(text: str) -> str | None:
    """The PDS's lexicon validation of ``app.bsky.feed.post`` text: ``maxGraphemes`` 300, ``maxLength`` 3,000
    UTF-8 bytes; its message when either is passed."""
    if bluesky_length(text) > BLUESKY_LIMIT:
        return f"Invalid app.bsky.feed.post record: Record/text must not be longer than {BLUESKY_LIMIT} graphemes"
    if bluesky_bytes(text) > BLUESKY_BYTE_LIMIT:
        return f"Invalid app.bsky.feed.post record: Record/text must not be longer than {BLUESKY_BYTE_LIMIT} characters"
    return None


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def _early_fault(fault: Fault | None, headers: dict[str, str]) -> web.StreamResponse | None:
    if fault is None:
        return None
    if fault.kind == "429":
        limited = {**headers, "ratelimit-remaining": "0", "ratelimit-reset": str(int(time.time() + fault.seconds)),
                   "retry-after": str(int(fault.seconds))}
        return _error(429, "RateLimitExceeded", "Rate Limit Exceeded", limited)
    if fault.kind == "500":
        return _error(500, "InternalServerError", "Internal Server Error", headers)
    if fault.kind == "timeout":
        await asyncio.sleep(fault.seconds or 30)
    return None


def add_routes(app: web.Application, world: World) -> BlueskyFace:
    face = BlueskyFace(world)
    app.router.add_post("/xrpc/com.atproto.server.createSession", face.create_session)
    app.router.add_post("/xrpc/com.atproto.server.refreshSession", face.refresh_session)
    app.router.add_get("/xrpc/app.bsky.feed.searchPosts", face.search)
    app.router.add_get("/xrpc/app.bsky.notification.listNotifications", face.notifications)
    app.router.add_get("/xrpc/app.bsky.feed.getAuthorFeed", face.author_feed)
    app.router.add_get("/xrpc/app.bsky.feed.getPosts", face.get_posts)
    app.router.add_get("/xrpc/app.bsky.feed.getPostThread", face.get_post_thread)
    app.router.add_post("/xrpc/com.atproto.repo.createRecord", face.create_record)
    return face
