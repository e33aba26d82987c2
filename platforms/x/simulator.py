"""X API v2 on loopback, in the real wire format, for the unmodified tweepy client.

Implements what our pollers and reply seam call: ``GET /2/tweets/search/recent``,
``GET /2/users/:id/mentions``, ``POST /2/tweets`` and the app-only ``POST /oauth2/token``. Responses
carry ``data``/``includes.users``/``meta`` (``newest_id``, ``oldest_id``, ``result_count``,
``next_token``), reverse-chronological order, and the ``x-rate-limit-*`` headers; errors are JSON
bodies like X's (tweepy parses them). A tweet over 280 by X's weighted count is refused as X does (403).
Faults injected into the ``World`` are served one per request.
"""

from __future__ import annotations

import asyncio
import base64
import bisect
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiohttp import web

from careline.textcount import X_LIMIT, x_weighted_length
from platforms.simulator.faults import listing_response
from platforms.simulator.world import Query, SimPost, SimUser, World

WINDOW_LIMIT = 450
WORLD_KEY: web.AppKey[World] = web.AppKey("world", World)


def _iso(post: SimPost) -> str:
    return post.created_at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tweet_json(post: SimPost) -> dict[str, Any]:
    refs = []
    if post.parent_id:
        refs.append({"type": "replied_to", "id": post.parent_id})
    if post.retweet_of:
        refs.append({"type": "retweeted", "id": post.retweet_id or post.id})
    body: dict[str, Any] = {
        "id": post.id, "text": post.text, "author_id": post.user.id, "conversation_id": post.conversation_id,
        "created_at": _iso(post), "lang": post.lang, "edit_history_tweet_ids": [post.id],
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
    }
    if refs:
        body["referenced_tweets"] = refs
    if post.in_reply_to_user:
        body["in_reply_to_user_id"] = post.in_reply_to_user
    return body


def user_json(user: SimUser) -> dict[str, Any]:
    return {
        "id": user.id, "name": user.name or user.username, "username": user.username, "verified": user.verified,
        "public_metrics": {"followers_count": user.followers, "following_count": 0, "tweet_count": 0,
                           "listed_count": 0},
    }


def _error(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"title": title, "detail": detail, "type": "about:blank", "status": status}
    return web.json_response(body, status=status, headers=headers)


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _token(until_index: int) -> str:
    return base64.urlsafe_b64encode(f"until:{until_index}".encode()).decode().rstrip("=")


def _untoken(token: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    return int(base64.urlsafe_b64decode(padded).decode().split(":", 1)[1])


class XFace:
    """Route handlers bound to one ``World``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.windows: dict[str, list[float]] = {}
        self.window_limit = WINDOW_LIMIT  # requests per 15 minutes per endpoint, as X's app limit

    def headers(self, endpoint: str) -> dict[str, str]:
        now = time.time()
        window = [t for t in self.windows.get(endpoint, []) if t > now - 900]
        window.append(now)
        self.windows[endpoint] = window
        reset = int((window[0] if window else now) + 900)
        return {"x-rate-limit-limit": str(self.window_limit),
                "x-rate-limit-remaining": str(max(0, self.window_limit - len(window))),
                "x-rate-limit-reset": str(reset)}

    async def search(self, request: web.Request) -> web.StreamResponse:
        q = request.query.get("query", "")
        if not q:
            return _error(400, "Invalid Request", "One or more parameters to your request was invalid.")
        query = Query.parse(q)
        return await self._listing(request, "search", q, query.matches, "next_token")

    async def mentions(self, request: web.Request) -> web.StreamResponse:
        uid = request.match_info["id"]
        handle = next((u.username.lower() for u in self.world.users.values()
                       if u.platform == "x" and u.id == uid), None)
        if handle is None:
            return _error(404, "Not Found Error", f"Could not find user with id: [{uid}].")

        def mentions_user(post: SimPost) -> bool:
            return (f"@{handle}" in post.text.lower() or post.in_reply_to_user == uid) and post.user.id != uid

        return await self._listing(request, "mentions", f"mentions:{uid}", mentions_user, "pagination_token")

    async def _listing(self, request: web.Request, endpoint: str, key: str,
                       predicate: Callable[[SimPost], bool], token_param: str) -> web.StreamResponse:
        fault = self.world.take_fault(endpoint)
        headers = self.headers(endpoint)
        early = await self._early_fault(fault, headers)
        if early is not None:
            return early
        try:
            max_results = int(request.query.get("max_results", "10"))
            since = int(request.query.get("since_id", "0") or 0)
            until = _untoken(request.query[token_param]) if token_param in request.query else None
            start = _parse_time(request.query["start_time"]) if "start_time" in request.query else None
        except (ValueError, IndexError):
            return _error(400, "Invalid Request", "One or more parameters to your request was invalid.")
        indexes = self.world.matching("x", key, predicate)
        page, more = self._slice(indexes, since, until, start, max_results)
        if fault is not None and fault.kind == "duplicate" and until is not None and until < len(self.world.posts):
            page = [until, *page]  # the previous page's last post again: a duplicate across pages
        posts = [self.world.posts[i] for i in page]
        body = self._body(posts, next_token=_token(page[-1]) if more else None)
        return listing_response(fault, body, body.get("data"), {"id": "not-a-number", "text": None}, headers)

    def _slice(self, indexes: list[int], since: int, until: int | None, start: datetime | None,
               max_results: int) -> tuple[list[int], bool]:
        """Newest-first page of ``indexes`` (ascending, so ids and times ascend too) by binary search."""
        posts = self.world.posts
        lo = bisect.bisect_right(indexes, since, key=lambda i: int(posts[i].id))
        if start is not None:
            lo = max(lo, bisect.bisect_left(indexes, start, key=lambda i: posts[i].created_at))
        hi = bisect.bisect_left(indexes, until) if until is not None else len(indexes)
        page = indexes[max(lo, hi - max_results):hi][::-1]
        return page, hi - max_results > lo

    def _body(self, posts: list[SimPost], next_token: str | None) -> dict[str, Any]:
        if not posts:
            return {"meta": {"result_count": 0}}
        users = {p.user.id: user_json(p.user) for p in posts}
        meta: dict[str, Any] = {"newest_id": posts[0].id, "oldest_id": posts[-1].id, "result_count": len(posts)}
        if next_token:
            meta["next_token"] = next_token
        return {"data": [tweet_json(p) for p in posts], "includes": {"users": list(users.values())}, "meta": meta}

    async def _early_fault(self, fault: Any, headers: dict[str, str]) -> web.StreamResponse | None:
        if fault is None:
            return None
        if fault.kind == "429":
            reset = int(time.time() + fault.seconds)
            return _error(429, "Too Many Requests", "Too Many Requests",
                          {**headers, "x-rate-limit-remaining": "0", "x-rate-limit-reset": str(reset)})
        if fault.kind == "500":
            return _error(503, "Service Unavailable", "Service Unavailable", headers)
        if fault.kind == "timeout":
            await asyncio.sleep(fault.seconds or 30)
        return None

    async def create_tweet(self, request: web.Request) -> web.StreamResponse:
        fault = self.world.take_fault("create")
        headers = self.headers("create")
        early = await self._early_fault(fault, headers)
        if early is not None:
            return early
        try:
            payload = await request.json()
            text = str(payload["text"])
        except (ValueError, KeyError, TypeError):
            return _error(400, "Invalid Request", "The `text` field is required.")
        if x_weighted_length(text) > X_LIMIT:  # X's weighted count: CJK and emoji weigh 2, a URL 23
            return _error(403, "Forbidden", "Your Tweet text is too long. For more information on how X counts text "
                          "length see https://github.com/twitter/twitter-text.", headers)
        reply = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
        parent = self.world.by_id.get(str(reply)) if reply else None
        if reply and parent is None:
            return _error(400, "Invalid Request", "The tweet you are replying to does not exist.")
        author = self._authenticated_user(request)
        post = SimPost(ref=f"live-{len(self.world.posts)}", at=0, platform="x", user=author, text=text,
                       reply_to=parent.ref if parent else None)
        self.world.append_live(post)
        if fault is not None and fault.kind == "lost_answer":  # published; the answer never reaches the client
            return _error(503, "Service Unavailable", "upstream connect error", headers)
        return web.json_response({"data": {"id": post.id, "text": post.text,
                                           "edit_history_tweet_ids": [post.id]}}, status=201, headers=headers)

    def _authenticated_user(self, request: web.Request) -> SimUser:
        """The simulator treats the bearer token as the acting user's username (tests pick it)."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        for user in self.world.users.values():
            if user.platform == "x" and user.username.lower() == token.lower():
                return user
        brand = next(iter(self.world.brands.values()), {})
        return self.world.user("x", brand.get("x_handle", "brand")) if brand else SimUser("1", "brand")

    async def oauth2_token(self, request: web.Request) -> web.Response:
        return web.json_response({"token_type": "bearer", "access_token": "simulated-app-token"})


def add_routes(app: web.Application, world: World) -> XFace:
    face = XFace(world)
    app.router.add_get("/2/tweets/search/recent", face.search)
    app.router.add_get("/2/users/{id}/mentions", face.mentions)
    app.router.add_post("/2/tweets", face.create_tweet)
    app.router.add_post("/oauth2/token", face.oauth2_token)
    return face
