"""A Mastodon server's REST API on loopback, in the real wire format, for the unmodified Mastodon.py.

Serves what our sources and the reply sender call: ``/api/v1/instance`` and ``/api/v2/instance`` (with
and without the trailing slash Mastodon.py sends; with ``version``, or the library recurses),
``verify_credentials``, ``/api/v1/notifications`` (``types[]``), ``/api/v1/timelines/tag/:tag``,
``/api/v1/statuses/:id`` and its ``/context``, and ``POST /api/v1/statuses`` (``in_reply_to_id``,
``visibility``, the ``Idempotency-Key`` header, the instance's character limit counted as Mastodon
counts it: graphemes, a link as 23, a remote mention as its local part). Listings follow
Mastodon's paging exactly: ``max_id`` (older than), ``since_id`` (newest after), ``min_id`` (the posts
immediately after, served newest first), ``limit`` capped at 40 (80 for notifications), and a ``Link``
header. Every response carries ``X-RateLimit-Limit/-Remaining/-Reset`` (300 per 5 minutes). The
bearer token is the acting account's username, as on the X face. Faults injected under
``mastodon-notifications``, ``mastodon-tag`` and ``mastodon-post`` are served one per request.
"""

from __future__ import annotations

import asyncio
import bisect
import html
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from careline.textcount import mastodon_length
from platforms.simulator.faults import listing_response
from platforms.simulator.world import Fault, SimPost, SimUser, World

WINDOW_SECONDS = 300
WINDOW_LIMIT = 300
VERSION = "4.3.0"
DOMAIN = "sim.social"


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def account_json(user: SimUser) -> dict[str, Any]:
    """A local account's ``acct`` is its username; a remote one's is ``username@domain``."""
    return {"id": user.id, "username": user.username.split("@")[0], "acct": user.username,
            "display_name": user.name, "locked": False, "bot": False, "created_at": "2023-01-01T00:00:00.000Z",
            "note": "", "url": f"https://sim.social/@{user.username}", "avatar": "", "header": "",
            "followers_count": user.followers, "following_count": 0, "statuses_count": 1, "fields": [],
            "emojis": []}


def content_html(text: str) -> str:
    paragraphs = [p for p in text.split("\n\n") if p]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br />')}</p>" for p in paragraphs) or "<p></p>"


def status_json(world: World, post: SimPost) -> dict[str, Any]:
    parent = world.by_id.get(post.parent_id or "")
    return {
        "id": post.id, "uri": f"https://sim.social/users/{post.user.username}/statuses/{post.id}",
        "url": f"https://sim.social/@{post.user.username}/{post.id}", "created_at": _iso(post.created_at),
        "account": account_json(post.user), "content": content_html(post.text), "visibility": post.visibility,
        "sensitive": False, "spoiler_text": "", "media_attachments": [], "mentions": [], "tags": [], "emojis": [],
        "reblogs_count": 0, "favourites_count": 0, "replies_count": 0, "language": post.lang,
        "in_reply_to_id": parent.id if parent else None,
        "in_reply_to_account_id": parent.user.id if parent else None, "reblog": None, "edited_at": None,
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


class MastodonFace:
    """Route handlers bound to one ``World``."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.window: list[float] = []
        self.window_limit = WINDOW_LIMIT
        self.max_characters = 500
        self.idempotency: dict[tuple[str, str], str] = {}

    def headers(self) -> dict[str, str]:
        now = time.time()
        self.window = [t for t in self.window if t > now - WINDOW_SECONDS] + [now]
        reset = datetime.fromtimestamp(self.window[0] + WINDOW_SECONDS, UTC)
        return {"X-RateLimit-Limit": str(self.window_limit),
                "X-RateLimit-Remaining": str(max(0, self.window_limit - len(self.window))),
                "X-RateLimit-Reset": _iso(reset)}

    def viewer(self, request: web.Request) -> SimUser | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip().lower()
        return self.world.users.get(f"mastodon:{token}") if token else None

    async def instance(self, request: web.Request) -> web.Response:
        body = {"domain": DOMAIN, "uri": DOMAIN, "title": "Simulated Mastodon", "version": VERSION,
                "api_versions": {"mastodon": 2},
                "configuration": {"statuses": {"max_characters": self.max_characters,
                                               "max_media_attachments": 4, "characters_reserved_per_url": 23}}}
        return web.json_response(body, headers=self.headers())

    async def verify_credentials(self, request: web.Request) -> web.Response:
        user = self.viewer(request)
        if user is None:
            return _error(401, "The access token is invalid")
        return web.json_response(account_json(user), headers=self.headers())

    # -- listings ------------------------------------------------------------------------------------
    async def notifications(self, request: web.Request) -> web.StreamResponse:
        user = self.viewer(request)
        if user is None:
            return _error(401, "The access token is invalid")
        types = set(request.query.getall("types[]", [])) or {"mention"}
        tag = re.compile(r"(?<![\w@])@" + re.escape(user.username) + r"(?:@" + DOMAIN.replace(".", r"\.") +
                         r")?(?![\w@])", re.IGNORECASE)

        def mentions(p: SimPost) -> bool:
            parent = self.world.by_id.get(p.parent_id or "")
            addressed = tag.search(p.text) is not None or (parent is not None and parent.user is user)
            return "mention" in types and p.user is not user and not p.retweet_of and addressed

        def render(p: SimPost) -> dict[str, Any]:
            return {"id": p.id, "type": "mention", "created_at": _iso(p.created_at), "account": account_json(p.user),
                    "status": status_json(self.world, p), "group_key": f"ungrouped-{p.id}"}

        return await self._listing(request, "mastodon-notifications", f"notifications:{user.id}", mentions, 80,
                                   render)

    async def tag(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["tag"].lower()
        pattern = re.compile(r"(?<![\w#])#" + re.escape(name) + r"(?!\w)", re.IGNORECASE)
        return await self._listing(request, "mastodon-tag", f"tag:{name}",
                                   lambda p: not p.retweet_of and p.visibility in ("public",)
                                   and pattern.search(p.text) is not None, 40, lambda p: status_json(self.world, p))

    async def account_statuses(self, request: web.Request) -> web.StreamResponse:
        user = next((u for u in self.world.users.values()
                     if u.platform == "mastodon" and u.id == request.match_info["id"]), None)
        if user is None:
            return _error(404, "Record not found")
        exclude = request.query.get("exclude_reblogs", "").lower() in ("1", "true")
        return await self._listing(request, "mastodon-statuses", f"statuses:{user.id}:{exclude}",
                                   lambda p: p.user is user and not (exclude and p.retweet_of), 40,
                                   lambda p: status_json(self.world, p))

    async def _listing(self, request: web.Request, endpoint: str, key: str, predicate: Callable[[SimPost], bool],
                       cap: int, render: Callable[[SimPost], dict[str, Any]]) -> web.StreamResponse:
        fault = self.world.take_fault(endpoint)
        headers = self.headers()
        early = await _early_fault(fault, headers)
        if early is not None:
            return early
        try:
            limit = max(1, min(cap, int(request.query.get("limit", "20"))))
            bounds = {k: int(request.query[k]) for k in ("max_id", "since_id", "min_id") if request.query.get(k)}
        except ValueError:
            return _error(400, "Invalid id or limit")
        indexes = self.world.matching("mastodon", key, predicate)
        page = self._page(indexes, bounds, limit)
        duplicate = fault is not None and fault.kind == "duplicate" and "max_id" in bounds
        anchor = self._index_of(bounds["max_id"]) if duplicate else None
        if anchor is not None and page:
            page = [anchor, *page]  # the previous page's last item again: a duplicate across pages
        items = [render(self.world.posts[i]) for i in page]
        headers = {**headers, **self._link(request, page)}
        return _listing(fault, items, headers)

    def _page(self, indexes: list[int], bounds: dict[str, int], limit: int) -> list[int]:
        """Mastodon's rules: ``max_id`` older than, ``since_id`` newest after, ``min_id`` immediately after."""
        posts = self.world.posts

        def sid(i: int) -> int:
            return int(posts[i].id)

        hi = bisect.bisect_left(indexes, bounds["max_id"], key=sid) if "max_id" in bounds else len(indexes)
        lo = bisect.bisect_right(indexes, max(bounds.get("since_id", -1), bounds.get("min_id", -1)), key=sid)
        if "min_id" in bounds:
            return indexes[lo:min(hi, lo + limit)][::-1]
        return indexes[max(lo, hi - limit):hi][::-1]

    def _index_of(self, sid: int) -> int | None:
        post = self.world.by_id.get(str(sid))
        return self.world.posts.index(post) if post is not None else None

    def _link(self, request: web.Request, page: list[int]) -> dict[str, str]:
        if not page:
            return {}
        base = f"http://{request.host}{request.path}"
        newest, oldest = self.world.posts[page[0]].id, self.world.posts[page[-1]].id
        return {"Link": f'<{base}?max_id={oldest}>; rel="next", <{base}?min_id={newest}>; rel="prev"'}

    # -- statuses ------------------------------------------------------------------------------------
    async def status(self, request: web.Request) -> web.Response:
        post = self._post(request.match_info["id"])
        if post is None:
            return _error(404, "Record not found")
        return web.json_response(status_json(self.world, post), headers=self.headers())

    async def context(self, request: web.Request) -> web.Response:
        post = self._post(request.match_info["id"])
        if post is None:
            return _error(404, "Record not found")
        ancestors: list[dict[str, Any]] = []
        cursor = self.world.by_id.get(post.parent_id or "")
        while cursor is not None:
            ancestors.insert(0, status_json(self.world, cursor))
            cursor = self.world.by_id.get(cursor.parent_id or "")
        visible = self.world.posts[: self.world.visible_count()]
        below = {post.id}
        descendants = []
        for p in visible:
            if p.parent_id in below:
                below.add(p.id)
                descendants.append(status_json(self.world, p))
        return web.json_response({"ancestors": ancestors, "descendants": descendants}, headers=self.headers())

    async def post_status(self, request: web.Request) -> web.StreamResponse:
        fault = self.world.take_fault("mastodon-post")
        headers = self.headers()
        early = await _early_fault(fault, headers)
        if early is not None:
            return early
        user = self.viewer(request)
        if user is None:
            return _error(401, "The access token is invalid")
        form = dict(await request.json()) if request.content_type == "application/json" else dict(await request.post())
        text, reply_to = str(form.get("status") or ""), form.get("in_reply_to_id")
        visibility = str(form.get("visibility") or "public")
        key = (user.id, request.headers.get("Idempotency-Key", ""))
        if key[1] and key in self.idempotency:
            return web.json_response(status_json(self.world, self.world.by_id[self.idempotency[key]]), headers=headers)
        if not text.strip() or mastodon_length(text) > self.max_characters:  # StatusLengthValidator's count
            return _error(422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
                          if text.strip() else "Validation failed: Text can't be blank", headers)
        parent = self._post(str(reply_to)) if reply_to else None
        if reply_to and parent is None:
            return _error(404, "Record not found", headers)
        post = SimPost(ref=f"live-m-{len(self.world.posts)}", at=0, platform="mastodon", user=user, text=text,
                       reply_to=parent.ref if parent else None, visibility=visibility)
        self.world.append_live(post)
        if key[1]:
            self.idempotency[key] = post.id
        return web.json_response(status_json(self.world, post), headers=headers)

    def _post(self, sid: str) -> SimPost | None:
        post = self.world.by_id.get(sid)
        return post if post is not None and post.platform == "mastodon" else None


def _listing(fault: Fault | None, items: list[dict[str, Any]], headers: dict[str, str]) -> web.Response:
    """Mastodon listings are bare JSON arrays: the shared fault behaviour, applied to the array."""
    wrapper: dict[str, Any] = {"items": items}
    response = listing_response(fault, wrapper, items, {"id": "not-a-number", "created_at": 3}, headers)
    if fault is None or fault.kind not in ("truncated", "bad_json"):
        response.text = json.dumps(wrapper["items"])
    return response


async def _early_fault(fault: Fault | None, headers: dict[str, str]) -> web.StreamResponse | None:
    if fault is None:
        return None
    if fault.kind == "429":
        reset = datetime.fromtimestamp(time.time() + fault.seconds, UTC)
        return _error(429, "Too many requests", {**headers, "X-RateLimit-Remaining": "0",
                                                 "X-RateLimit-Reset": _iso(reset)})
    if fault.kind == "500":
        return _error(503, "Service Unavailable", headers)
    if fault.kind == "timeout":
        await asyncio.sleep(fault.seconds or 30)
    return None


def add_routes(app: web.Application, world: World) -> MastodonFace:
    face = MastodonFace(world)
    for suffix in ("", "/"):
        app.router.add_get("/api/v1/instance" + suffix, face.instance)
        app.router.add_get("/api/v2/instance" + suffix, face.instance)
    app.router.add_get("/api/v1/accounts/verify_credentials", face.verify_credentials)
    app.router.add_get("/api/v1/notifications", face.notifications)
    app.router.add_get("/api/v1/timelines/tag/{tag}", face.tag)
    app.router.add_get(r"/api/v1/accounts/{id:\d+}/statuses", face.account_statuses)
    app.router.add_get(r"/api/v1/statuses/{id:\d+}", face.status)
    app.router.add_get(r"/api/v1/statuses/{id:\d+}/context", face.context)
    app.router.add_post("/api/v1/statuses", face.post_status)
    return face
