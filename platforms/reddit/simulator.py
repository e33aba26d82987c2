"""Reddit's Data API on loopback, in the real wire format, for the unmodified asyncpraw client.

Implements what our sources and the reply seam call: the OAuth token endpoint
(``POST /api/v1/access_token``), the listings ``r/{subs}/search``, ``r/{subs}/new``,
``r/{subs}/comments`` and ``message/mentions`` (``Listing`` of ``t3``/``t1`` things, newest first,
``after``/``before`` fullname pagination, ``limit`` up to 100, at most 1,000 items deep like the
real listings), and ``POST /api/comment`` (a body over 10,000 characters is refused with ``TOO_LONG``).
Every response carries ``x-ratelimit-used``,
``-remaining`` and ``-reset``; the window is generous so asyncprawcore's limiter never sleeps in
tests. Faults injected into the ``World`` under ``reddit-<endpoint>`` are served one per request.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from careline.textcount import REDDIT_LIMIT, reddit_length
from platforms.simulator.faults import listing_response
from platforms.simulator.world import SimPost, SimUser, World

LISTING_CAP = 1000
WINDOW_SECONDS = 600
WINDOW_LIMIT = 100_000  # generous: asyncprawcore spaces requests by used/(used+remaining)


def fullname(post: SimPost) -> str:
    return ("t1_" if post.kind == "comment" else "t3_") + post.id


def _id_value(name: str) -> int:
    return int(name.split("_", 1)[-1], 36)


def _permalink(world: World, post: SimPost) -> str:
    root = world.by_id.get(post.conversation_id) or post
    slug = re.sub(r"[^a-z0-9]+", "_", root.title.lower()).strip("_")[:50] or "post"
    base = f"/r/{post.subreddit}/comments/{root.id}/{slug}/"
    return base if post.kind != "comment" else f"{base}{post.id}/"


def thing_json(world: World, post: SimPost) -> dict[str, Any]:
    """A ``t3`` (submission) or ``t1`` (comment) thing with the fields asyncpraw and we read."""
    common = {
        "id": post.id, "name": fullname(post), "author": post.user.username,
        "author_fullname": f"t2_{post.user.id}", "subreddit": post.subreddit,
        "subreddit_name_prefixed": f"r/{post.subreddit}", "created_utc": post.created_at.timestamp(),
        "permalink": _permalink(world, post), "score": 1, "lang": post.lang,
    }
    if post.kind != "comment":
        return {"kind": "t3", "data": {**common, "title": post.title, "selftext": post.text, "is_self": True,
                                       "num_comments": 0, "url": f"https://www.reddit.com{common['permalink']}"}}
    parent = world.by_id.get(post.parent_id or "")
    root = world.by_id.get(post.conversation_id)  # a comment listing names the submission's author (link_author)
    return {"kind": "t1", "data": {**common, "body": post.text, "link_id": f"t3_{post.conversation_id}",
                                   "parent_id": fullname(parent) if parent else f"t3_{post.conversation_id}",
                                   "link_author": root.user.username if root else "[deleted]"}}


def mention_json(world: World, post: SimPost) -> dict[str, Any]:
    """An inbox ``username_mention``: a ``t1`` message shape, with ``context`` instead of ``link_id``."""
    thing = thing_json(world, post)["data"]
    root = world.by_id.get(post.conversation_id) or post
    data = {k: thing[k] for k in ("id", "name", "author", "subreddit", "created_utc", "parent_id") if k in thing}
    data.update(body=post.text, was_comment=True, new=True, type="username_mention",
                subject="username mention", link_title=root.title, context=thing["permalink"] + "?context=3",
                dest="", author_fullname=thing["author_fullname"])
    data.setdefault("parent_id", f"t3_{root.id}")
    return {"kind": "t1", "data": data}


class SearchQuery:
    """The lucene subset our search source sends: terms and "phrases" OR-ed, ``NOT word`` exclusions."""

    def __init__(self, text: str) -> None:
        self.terms: list[str] = []
        self.excluded: list[str] = []
        negate = False
        for tok in re.findall(r'"[^"]*"|[^\s()]+', text):
            if tok in ("OR", "AND"):
                continue
            if tok == "NOT":
                negate = True
                continue
            word = tok.strip('"').lower()
            (self.excluded if negate else self.terms).append(word)
            negate = False

    def matches(self, post: SimPost) -> bool:
        text = f"{post.title}\n{post.text}".lower()
        if any(_has(text, w) for w in self.excluded):
            return False
        return any(_has(text, w) for w in self.terms)


def _has(text: str, term: str) -> bool:
    return re.search(r"(?<![\w@#])" + re.escape(term) + r"(?!\w)", text) is not None


class RedditFace:
    """Route handlers bound to one ``World``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.tokens: dict[str, str] = {}
        self.window: list[float] = []

    # -- plumbing ----------------------------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        now = time.time()
        self.window = [t for t in self.window if t > now - WINDOW_SECONDS] + [now]
        reset = int(self.window[0] + WINDOW_SECONDS - now)
        return {"x-ratelimit-used": str(len(self.window)),
                "x-ratelimit-remaining": f"{max(0, WINDOW_LIMIT - len(self.window)):.1f}",
                "x-ratelimit-reset": str(max(0, reset))}

    def user_for(self, request: web.Request) -> SimUser | None:
        token = request.headers.get("Authorization", "").removeprefix("bearer ").removeprefix("Bearer ")
        name = self.tokens.get(token.strip())
        return self.world.users.get(f"reddit:{name.lower()}") if name else None

    async def access_token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if not request.headers.get("Authorization", "").startswith("Basic "):
            return web.json_response({"error": 401, "message": "Unauthorized"}, status=401)
        user = str(form.get("username") or "")
        token = f"sim-{len(self.tokens) + 1}-{user or 'app'}"
        self.tokens[token] = user
        return web.json_response({"access_token": token, "token_type": "bearer", "expires_in": 86400,
                                  "scope": "*"})

    # -- listings ----------------------------------------------------------------------------------
    async def search(self, request: web.Request) -> web.StreamResponse:
        subs = self._subs(request)
        restrict = request.query.get("restrict_sr", "").lower() in ("1", "on", "true")
        query = SearchQuery(request.query.get("q", ""))
        key = f"search:{'+'.join(sorted(subs)) if restrict else 'all'}:{request.query.get('q', '')}"

        def hit(p: SimPost) -> bool:
            in_sub = not restrict or "all" in subs or p.subreddit.lower() in subs
            return p.kind != "comment" and in_sub and query.matches(p)

        return await self._listing(request, "reddit-search", key, hit, thing_json)

    async def new(self, request: web.Request) -> web.StreamResponse:
        subs = self._subs(request)
        return await self._listing(request, "reddit-new", f"new:{'+'.join(sorted(subs))}",
                                   lambda p: p.kind != "comment" and p.subreddit.lower() in subs, thing_json)

    async def comments(self, request: web.Request) -> web.StreamResponse:
        subs = self._subs(request)
        return await self._listing(request, "reddit-comments", f"comments:{'+'.join(sorted(subs))}",
                                   lambda p: p.kind == "comment" and p.subreddit.lower() in subs, thing_json)

    async def mentions(self, request: web.Request) -> web.StreamResponse:
        user = self.user_for(request)
        if user is None:
            return web.json_response({"message": "Forbidden", "error": 403}, status=403)
        tag = re.compile(r"(?<![\w/])/?u/" + re.escape(user.username) + r"(?!\w)", re.IGNORECASE)
        return await self._listing(request, "reddit-mentions", f"mentions:{user.username.lower()}",
                                   lambda p: p.kind == "comment" and p.user is not user
                                   and tag.search(p.text) is not None, mention_json)

    @staticmethod
    def _subs(request: web.Request) -> set[str]:
        return {s.lower() for s in request.match_info["subs"].split("+") if s}

    async def _listing(self, request: web.Request, endpoint: str, key: str, predicate: Callable[[SimPost], bool],
                       render: Callable[[World, SimPost], dict[str, Any]]) -> web.StreamResponse:
        fault = self.world.take_fault(endpoint)
        headers = self.headers()
        early = await self._early_fault(fault, headers)
        if early is not None:
            return early
        try:
            limit = max(1, min(100, int(request.query.get("limit", "25"))))
        except ValueError:
            return web.json_response({"message": "Bad Request", "error": 400}, status=400)
        indexes = self.world.matching("reddit", key, predicate)[-LISTING_CAP:]
        newest_first = [self.world.posts[i] for i in reversed(indexes)]
        page, after = _window(newest_first, request.query.get("after"), request.query.get("before"), limit)
        anchor = self._thing(request.query.get("after", ""))
        if fault is not None and fault.kind == "duplicate" and anchor is not None:
            page = [anchor, *page]  # the previous page's last item again: a duplicate across pages
        children = [render(self.world, p) for p in page]
        body = {"kind": "Listing", "data": {"after": after, "before": None, "dist": len(page), "modhash": None,
                                            "geo_filter": "", "children": children}}
        return listing_response(fault, body, children,
                                {"kind": "t3", "data": {"id": None, "name": 7}}, headers)

    # -- faults ------------------------------------------------------------------------------------
    @staticmethod
    async def _early_fault(fault: Any, headers: dict[str, str]) -> web.StreamResponse | None:
        if fault is None:
            return None
        if fault.kind == "429":
            limited = {**headers, "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(fault.seconds)),
                       "retry-after": str(int(fault.seconds))}
            return web.json_response({"message": "Too Many Requests", "error": 429}, status=429, headers=limited)
        if fault.kind == "500":
            return web.json_response({"message": "Internal Server Error", "error": 500}, status=500,
                                     headers=headers)
        if fault.kind == "timeout":
            await asyncio.sleep(fault.seconds or 30)
        return None

    # -- replies -------------------------------------------------------------------------------------
    async def comment(self, request: web.Request) -> web.StreamResponse:
        fault = self.world.take_fault("reddit-comment")
        headers = self.headers()
        early = await self._early_fault(fault, headers)
        if early is not None:
            return early
        form = await request.post()
        parent = self._thing(str(form.get("thing_id") or ""))
        author = self.user_for(request)
        if parent is None or author is None:
            errors = [["NOT_FOUND" if author else "USER_REQUIRED", "that thing does not exist", "thing_id"]]
            return web.json_response({"json": {"errors": errors}}, headers=headers)
        text = str(form.get("text") or "")
        if reddit_length(text) > REDDIT_LIMIT:  # Reddit answers 200 with the error in ``json.errors``
            errors = [["TOO_LONG", f"this is too long (max: {REDDIT_LIMIT})", "text"]]
            return web.json_response({"json": {"errors": errors}}, headers=headers)
        post = SimPost(ref=f"live-r-{len(self.world.posts)}", at=0, platform="reddit", user=author,
                       text=text, reply_to=parent.ref, kind="comment",
                       subreddit=parent.subreddit)
        self.world.append_live(post)
        return web.json_response({"json": {"errors": [], "data": {"things": [thing_json(self.world, post)]}}},
                                 headers=headers)

    def _thing(self, name: str) -> SimPost | None:
        post = self.world.by_id.get(name.split("_", 1)[-1])
        return post if post is not None and post.platform == "reddit" and fullname(post) == name else None


def _window(items: list[SimPost], after: str | None, before: str | None,
            limit: int) -> tuple[list[SimPost], str | None]:
    """Reddit's anchor pagination: ``after`` = older than the anchor, ``before`` = newer than it."""
    names = [fullname(p) for p in items]
    if after:
        start = names.index(after) + 1 if after in names else _first_older(items, after)
        page = items[start:start + limit]
        more = start + limit < len(items)
    elif before:
        end = names.index(before) if before in names else 0  # a vanished anchor gives an empty page
        page = items[max(0, end - limit):end]
        more = end - limit > 0
        return page, (fullname(page[-1]) if page and more else None)
    else:
        page, more = items[:limit], len(items) > limit
    return page, (fullname(page[-1]) if page and more else None)


def _first_older(items: list[SimPost], anchor: str) -> int:
    """An anchor that left the listing: continue at the first item older than it (by id)."""
    value = _id_value(anchor)
    return next((i for i, p in enumerate(items) if int(p.id, 36) < value), len(items))


def add_routes(app: web.Application, world: World) -> RedditFace:
    face = RedditFace(world)
    app.router.add_post("/api/v1/access_token", face.access_token)
    for suffix in ("", "/"):
        app.router.add_get("/r/{subs}/search" + suffix, face.search)
        app.router.add_get("/r/{subs}/new" + suffix, face.new)
        app.router.add_get("/r/{subs}/comments" + suffix, face.comments)
        app.router.add_get("/message/mentions" + suffix, face.mentions)
        app.router.add_post("/api/comment" + suffix, face.comment)
    return face
