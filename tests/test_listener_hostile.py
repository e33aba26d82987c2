"""What a platform (or whatever answers in its place) may send that the faults of the simulator do not:
a reply's answer lost after the post was made, one malformed item, hostile text and links, absurd
rate-limit resets, timestamps and ids from the future or that cannot be real, a server that drips its
answer or its headers, a pagination token refused mid-walk.

Real tweepy, asyncpraw, atproto and Mastodon.py clients against the real loopback simulator; a
middleware on the simulator's app rewrites the responses of one path (the simulator still does the
work, so a post "lost" on the way back really was made).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from aiohttp import web

from careline.domain import from_iso
from careline.errors import Conflict
from careline.platform import ReplySender, SendOutcomeUnknown
from careline.settings import (
    BlueskySourceSettings,
    MastodonSourceSettings,
    RedditSourceSettings,
    XSourceSettings,
)
from careline.store import Store
from listener.poller import Poller, RetryPolicy, RunResult
from platforms.bluesky.reply import BlueskyReplySender
from platforms.guard import NAME_LIMIT
from platforms.mastodon.reply import MastodonReplySender
from platforms.reddit.reply import RedditReplySender
from platforms.reddit.simulator import fullname
from platforms.simulator.server import Simulator
from platforms.simulator.world import SimPost, World, load_scenario_data
from platforms.x.reply import XReplySender
from responder.sending import UNKNOWN, send_reply
from tests.conftest import tiny_scenario
from tests.helpers.scenarios import APP_PASSWORD, SKY, expected, make_source, mixed_scenario

Rewrite = Callable[[web.Request, web.StreamResponse], Awaitable[web.StreamResponse | None]]
NO_RETRY = RetryPolicy(retries_per_run=0)


@dataclass
class Rule:
    marker: str
    rewrite: Rewrite
    times: int | None  # None: every matching request


class Rewrites:
    """A middleware on the simulator: a rule rewrites the response of each request whose path contains
    its marker; a rule that returns ``None`` leaves that response alone."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def add(self, marker: str, rewrite: Rewrite, *, times: int | None = None) -> None:
        self.rules.append(Rule(marker, rewrite, times))

    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        response: web.StreamResponse = await handler(request)
        for rule in self.rules:
            if rule.times != 0 and rule.marker in request.path:
                out = await rule.rewrite(request, response)
                if out is not None:
                    rule.times = None if rule.times is None else rule.times - 1
                    return out
        return response


def body_of(response: web.StreamResponse) -> Any:
    text = getattr(response, "text", None)
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def edit_body(edit: Callable[[Any], bool]) -> Rewrite:
    """A rewrite that changes the JSON body in place (``edit`` says whether it did) and serves it."""
    async def rewrite(request: web.Request, response: web.StreamResponse) -> web.StreamResponse | None:
        body = body_of(response)
        if body is None or not edit(body):
            return None
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith(("x-", "ratelimit", "link"))}
        return web.Response(text=json.dumps(body), content_type="application/json", headers=headers)
    return rewrite


@pytest.fixture
def hostile_world() -> World:
    return load_scenario_data(mixed_scenario(), World(manual=True))


@pytest.fixture
async def hostile(hostile_world: World) -> AsyncIterator[tuple[Simulator, Rewrites]]:
    rewrites = Rewrites()
    sim = Simulator(hostile_world)
    sim.app.middlewares.append(rewrites.middleware)
    await sim.start()
    yield sim, rewrites
    await sim.stop()


async def no_sleep(_seconds: float) -> None:
    return None


async def poll_once(name: str, sim: Simulator, store: Store, *, source_timeout: float = 5.0,
                    retry: RetryPolicy = NO_RETRY, max_pages: int = 10) -> RunResult:
    source = make_source(name, sim.base_url, timeout=source_timeout)
    await source.start()
    try:
        return await Poller(source, store, retry=retry, sleep=no_sleep, max_pages=max_pages).run_once(
            ignore_backoff=True)
    finally:
        await source.close()


def stored(store: Store) -> set[str]:
    return store.read_sync(lambda db: {r[0] for r in db.conn.execute("SELECT key FROM mentions")})


def health(store: Store) -> dict[str, Any]:
    cur = store.read_sync(lambda db: db.conn.execute("SELECT * FROM source_health"))
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


# -- 1. a reply accepted by the platform whose answer is lost ---------------------------------------------
POSTS = {"reddit": "/api/comment", "x": "/2/tweets", "bluesky": "createRecord", "mastodon": "/api/v1/statuses"}


def sender_for(platform: str, base_url: str) -> ReplySender:
    if platform == "reddit":
        return RedditReplySender(RedditSourceSettings(oauth_url=base_url, reddit_url=base_url, client_id="cid",
                                                      client_secret="secret", username="SkylarkCare", password="pw"))
    if platform == "x":
        return XReplySender(XSourceSettings(api_base_url=base_url), handle="SkylarkAir", bearer_token="SkylarkAir")
    if platform == "bluesky":
        return BlueskyReplySender(BlueskySourceSettings(service_url=base_url), handle=SKY, password=APP_PASSWORD)
    return MastodonReplySender(MastodonSourceSettings(), base_url=base_url, token="SkylarkAir")


def target_of(world: World, platform: str) -> str:
    ref = {"reddit": "rs0", "x": "p0", "bluesky": "bs0", "mastodon": "mh0"}[platform]
    post = world.by_ref[ref]
    return fullname(post) if platform == "reddit" else post.id


def live_posts(world: World, platform: str) -> list[SimPost]:
    return [p for p in world.posts if p.platform == platform and p.ref.startswith("live")]


def lose_answer(how: str) -> Rewrite:
    """The post is made, then the answer is lost: a proxy's 502, or the body cut half way."""
    async def rewrite(request: web.Request, response: web.StreamResponse) -> web.StreamResponse | None:
        if request.method != "POST":
            return None
        if how == "502":
            return web.json_response({"error": "bad gateway"}, status=502)
        text = getattr(response, "text", None) or "{}"
        return web.Response(status=response.status, text=text[: len(text) // 2], content_type="application/json")
    return rewrite


@pytest.mark.parametrize("how", ["502", "cut"])
@pytest.mark.parametrize("platform", ["reddit", "x", "bluesky", "mastodon"])
async def test_a_reply_whose_answer_is_lost_is_in_doubt_not_a_plain_failure(
        platform: str, how: str, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add(POSTS[platform], lose_answer(how), times=1)
    sender = sender_for(platform, sim.base_url)
    await sender.start()
    try:
        with pytest.raises(SendOutcomeUnknown):
            await sender.post("Sorry about this, please DM us your booking code.", target_of(hostile_world, platform))
    finally:
        await sender.close()
    assert len(live_posts(hostile_world, platform)) == 1  # the platform did make it


def seed_reddit_reply(store: Store, world: World) -> int:
    """One Reddit conversation (the submission ``rs0``) with an approved reply; returns the reply's id."""
    post, stamp = world.by_ref["rs0"], "2026-03-02T11:00:00+00:00"
    key, thread = f"reddit:{fullname(post)}", f"reddit:skylark:{fullname(post)}"

    def write(db: Any) -> int:
        db.conn.execute("INSERT INTO authors VALUES (?, 'reddit', ?, ?, '', 0, 0, ?, ?)",
                        (f"reddit:{post.user.id}", post.user.id, post.user.username, stamp, stamp))
        db.conn.execute(
            "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
            "fetched_at, conversation_id, thread_key, raw) VALUES (?, 'reddit', ?, 'skylark', 't', ?, ?, '', ?, ?, ?, "
            "?, '{}')", (key, fullname(post), f"reddit:{post.user.id}", post.text, stamp, stamp, fullname(post),
                         thread))
        conv = db.conn.execute(
            "INSERT INTO conversations (thread_key, platform, brand, author_key, status, created_at, updated_at, "
            "last_customer_at, next_response_due) VALUES (?, 'reddit', 'skylark', ?, 'open', ?, ?, ?, ?)",
            (thread, f"reddit:{post.user.id}", stamp, stamp, stamp, stamp)).lastrowid
        return int(db.conn.execute(
            "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key) "
            "VALUES (?, 'Sorry, please DM us.', 'approved', 'agent1', ?, ?, 'k1')", (conv, stamp, stamp)).lastrowid)

    return store.write_sync(write)


@pytest.mark.parametrize("how", ["502", "cut"])
async def test_a_reddit_reply_whose_answer_is_lost_is_never_posted_twice_by_a_second_send(
        how: str, store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add(POSTS["reddit"], lose_answer(how), times=1)
    rid = seed_reddit_reply(store, hostile_world)
    sender = sender_for("reddit", sim.base_url)
    await sender.start()
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    try:
        row = await send_reply(store, rid, {"reddit": sender}, actor="agent1", now=now)
        assert row.state == "failed" and row.error.startswith(UNKNOWN)
        with pytest.raises(Conflict, match="outcome unknown"):  # the agent presses Send again
            await send_reply(store, rid, {"reddit": sender}, actor="agent1", now=now + timedelta(minutes=1))
    finally:
        await sender.close()
    assert len(live_posts(hostile_world, "reddit")) == 1


# -- 2. one malformed item, hostile text, an unexpected error ---------------------------------------------
def x_refs_null(body: Any) -> bool:
    if not (isinstance(body, dict) and body.get("data")):
        return False
    body["data"][-1]["referenced_tweets"] = [None]
    return True


def reddit_created_far_future(body: Any) -> bool:
    if not (isinstance(body, dict) and body.get("data", {}).get("children")):
        return False
    body["data"]["children"][-1]["data"]["created_utc"] = 1e18  # datetime.fromtimestamp: OSError
    return True


def bluesky_created_out_of_range(body: Any) -> bool:
    if not (isinstance(body, dict) and body.get("notifications")):
        return False
    body["notifications"][-1]["record"]["createdAt"] = "9999-12-31T23:59:59-14:00"  # to UTC: OverflowError
    return True


def mastodon_followers_infinite(body: Any) -> bool:
    if not (isinstance(body, list) and body):
        return False
    body[-1]["status"]["account"]["followers_count"] = float("inf")  # served as Infinity; int(): OverflowError
    return True


@pytest.mark.parametrize(("name", "marker", "edit", "skipped"), [
    ("x-search", "/2/tweets/search/recent", x_refs_null, 0),  # read leniently: the tweet is kept
    ("reddit-inbox", "/message/mentions", reddit_created_far_future, 1),
    ("bluesky-mentions", "listNotifications", bluesky_created_out_of_range, 1),
    ("mastodon-mentions", "/api/v1/notifications", mastodon_followers_infinite, 1),
])
async def test_one_malformed_item_is_skipped_and_the_rest_of_its_page_is_stored(
        name: str, marker: str, edit: Callable[[Any], bool], skipped: int, store: Store,
        hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add(marker, edit_body(edit), times=1)
    result = await poll_once(name, sim, store)
    assert result.status == "ok" and result.skipped == skipped
    assert stored(store) <= expected(hostile_world, name)
    assert len(expected(hostile_world, name) - stored(store)) == skipped


def x_old_date_format(body: Any) -> bool:
    """Every tweet's ``created_at`` in the old v1.1 form: an upstream change no post of the page survives."""
    if not (isinstance(body, dict) and body.get("data")):
        return False
    for tweet in body["data"]:
        tweet["created_at"] = "Mon Dec 07 15:43:42 +0000 2026"
    return True


def mastodon_one_infinite(body: Any) -> bool:
    if not (isinstance(body, list) and body):
        return False
    body[0]["status"]["account"]["followers_count"] = float("inf")
    return True


async def test_a_page_of_nothing_but_unreadable_posts_keeps_the_cursor_and_says_so(
        store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    """The ingest audit: with every post skipped as malformed the cursor moved past them all and the source said
    "ok" (in ``careline status`` too): a format change upstream lost every post with nothing to show. Now the page
    is not committed, the source is degraded with the reason, and once the posts can be read they are stored."""
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add("/2/tweets/search/recent", edit_body(x_old_date_format), times=1)
    result = await poll_once("x-search", sim, store)
    row = health(store)
    assert result.status == "degraded" and stored(store) == set()
    assert row["status"] == "degraded" and "could be read" in row["last_error"] and "format" in row["last_error"]
    assert store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM cursors").fetchone()[0]) == 0
    again = await poll_once("x-search", sim, store)  # the platform (or Careline) fixed: every post comes in
    assert again.status == "ok" and stored(store) == expected(hostile_world, "x-search")


async def test_a_page_with_an_unreadable_post_says_so_on_the_source(
        store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add("/api/v1/notifications", edit_body(mastodon_one_infinite), times=1)
    result = await poll_once("mastodon-mentions", sim, store)
    row = health(store)
    assert result.status == "ok" and result.skipped == 1 and row["status"] == "ok"
    assert row["last_warning"] == "1 post could not be read and was skipped (malformed: see the server log)"


EVIL = "a\x00b \u202egnp.exe\u202c \ud83d <script>alert(1)</script>"


def x_evil_text(body: Any) -> bool:
    if not (isinstance(body, dict) and body.get("data")):
        return False
    body["data"][-1]["text"] = EVIL
    for user in body.get("includes", {}).get("users", []):
        user["name"] = "\udc00name"
    return True


def mastodon_evil_text(body: Any) -> bool:
    if not (isinstance(body, list) and body):
        return False
    body[0]["status"]["content"] = "<p>" + EVIL.replace("<", "&lt;") + "</p>"
    for item in body:
        item["status"]["account"]["display_name"] = "\udc00name"
    return True


async def poll_edited(name: str, marker: str, edit: Callable[[Any], bool], store: Store, world: World,
                      hostile: tuple[Simulator, Rewrites]) -> None:
    """One poll of ``name`` whose first answer at ``marker`` is rewritten by ``edit``: every post still stored."""
    sim, rewrites = hostile
    world.publish_all()
    rewrites.add(marker, edit_body(edit), times=1)
    result = await poll_once(name, sim, store)
    assert result.status == "ok" and stored(store) == expected(world, name)


@pytest.mark.parametrize(("name", "marker", "edit"), [
    ("x-search", "/2/tweets/search/recent", x_evil_text),
    ("mastodon-mentions", "/api/v1/notifications", mastodon_evil_text),
])
async def test_lone_surrogates_and_nuls_are_stored_replaced_not_a_crash(
        name: str, marker: str, edit: Callable[[Any], bool], store: Store,
        hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    await poll_edited(name, marker, edit, store, hostile_world, hostile)
    texts = store.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT text FROM mentions WHERE text LIKE '%gnp.exe%'")])
    assert texts == ["a\ufffdb \u202egnp.exe\u202c \ufffd <script>alert(1)</script>"]
    names = store.read_sync(lambda db: {r[0] for r in db.conn.execute("SELECT name FROM authors")})
    assert "\ufffdname" in names


def x_long_names(body: Any) -> bool:
    users = body.get("includes", {}).get("users", []) if isinstance(body, dict) else []
    for user in users:
        user["name"] = "W" * 10_000
    return bool(users)


def mastodon_long_names(body: Any) -> bool:
    if not (isinstance(body, list) and body):
        return False
    for item in body:
        item["status"]["account"]["display_name"] = "W" * 10_000
    return True


@pytest.mark.parametrize(("name", "marker", "edit"), [
    ("x-search", "/2/tweets/search/recent", x_long_names),
    ("mastodon-mentions", "/api/v1/notifications", mastodon_long_names),
])
async def test_a_display_name_of_ten_thousand_characters_is_kept_short(
        name: str, marker: str, edit: Callable[[Any], bool], store: Store,
        hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    """The security audit: stored whole, it made the conversation page's heading 6,000 px tall."""
    await poll_edited(name, marker, edit, store, hostile_world, hostile)
    lengths = store.read_sync(lambda db: {len(r[0]) for r in db.conn.execute(
        "SELECT name FROM authors WHERE name LIKE 'WWW%'")})
    assert lengths == {NAME_LIMIT} and NAME_LIMIT <= 100


async def test_an_unexpected_error_marks_the_source_degraded_with_its_reason(
        store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    """A cursor no adapter can read (a hand edit, an older format): the poll records why, it does not raise."""
    sim, _ = hostile
    store.write_sync(lambda db: db.conn.execute(
        "INSERT INTO cursors (source, brand, value, updated_at) VALUES ('x-search', 'skylark', 'not json', ?)",
        (datetime.now(UTC).isoformat(),)))
    result = await poll_once("x-search", sim, store)
    assert result.status == "degraded" and "JSONDecodeError" in (result.error or "")
    row = health(store)
    assert row["status"] == "degraded" and "JSONDecodeError" in row["last_error"] and row["next_attempt_at"]


# -- 3. rate-limit resets ----------------------------------------------------------------------------------
def limited(headers: dict[str, str]) -> Rewrite:
    async def rewrite(request: web.Request, response: web.StreamResponse) -> web.StreamResponse | None:
        return web.json_response({"error": "RateLimitExceeded", "message": "slow down"}, status=429, headers=headers)
    return rewrite


@pytest.mark.parametrize(("name", "marker", "header", "value"), [
    ("reddit-search", "/search", "retry-after", "1e15"),
    ("reddit-search", "/search", "retry-after", "inf"),
    pytest.param("x-search", "/2/tweets/search/recent", "x-rate-limit-reset", str(time.time() + 1e9),
                 id="x-search-fractional-epoch"),  # not an int for tweepy; a stable id so every worker collects one
    pytest.param("x-search", "/2/tweets/search/recent", "x-rate-limit-reset", str(int(time.time()) + 10**12),
                 id="x-search-epoch-far-ahead"),
    ("bluesky-search", "searchPosts", "retry-after", "1e15"),
    ("mastodon-mentions", "/api/v1/notifications", "X-RateLimit-Reset", "9999-12-31T00:00:00Z"),
])
async def test_an_absurd_rate_limit_reset_waits_at_most_an_hour(
        name: str, marker: str, header: str, value: str, store: Store, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    rewrites.add(marker, limited({header: value}))
    before = datetime.now(UTC)
    result = await poll_once(name, sim, store)
    assert result.status == "retrying" and "429" in (result.error or "")
    due = from_iso(health(store)["next_attempt_at"])
    assert due is not None and before < due <= datetime.now(UTC) + timedelta(hours=1)


async def test_a_reddit_retry_after_given_as_an_http_date_is_the_wait(
        store: Store, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    rewrites.add("/search", limited({"retry-after": format_datetime(datetime.now(UTC) + timedelta(seconds=600),
                                                                    usegmt=True)}))
    result = await poll_once("reddit-search", sim, store)
    assert result.status == "retrying" and "429 rate limited" in (result.error or "")
    due = from_iso(health(store)["next_attempt_at"])
    assert due is not None and timedelta(seconds=560) < due - datetime.now(UTC) <= timedelta(seconds=600)


# -- 4. a timestamp or an id from the future ---------------------------------------------------------------
def bluesky_indexed_2099(body: Any) -> bool:
    if not (isinstance(body, dict) and body.get("notifications")):
        return False
    body["notifications"][0]["indexedAt"] = "2099-01-01T00:00:00.000Z"
    return True


def x_newest_id_2045(body: Any) -> bool:
    if not (isinstance(body, dict) and body.get("data")):
        return False
    body["meta"]["newest_id"] = str(2**62)  # a snowflake from 2045
    return True


def mastodon_id_2099(body: Any) -> bool:
    if not (isinstance(body, list) and body):
        return False
    body[0]["id"] = str(int(datetime(2099, 1, 1, tzinfo=UTC).timestamp() * 1000) << 16)
    return True


@pytest.mark.parametrize(("name", "marker", "edit", "until"), [
    ("bluesky-mentions", "listNotifications", bluesky_indexed_2099, 45),
    ("x-search", "/2/tweets/search/recent", x_newest_id_2045, 14),
    ("mastodon-mentions", "/api/v1/notifications", mastodon_id_2099, 45),
])
async def test_one_item_from_the_future_does_not_hide_every_later_post(
        name: str, marker: str, edit: Callable[[Any], bool], until: float, store: Store,
        hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.advance_to(until)
    rewrites.add(marker, edit_body(edit), times=1)
    await poll_once(name, sim, store)
    hostile_world.publish_all()
    result = await poll_once(name, sim, store)
    assert result.status == "ok" and stored(store) == expected(hostile_world, name)


def reddit_extra_thing(name: str, **data: Any) -> Callable[[Any], bool]:
    """An edit that puts a copy of the newest thing, renamed ``name`` (and ``data`` changed), on top of the page."""
    def edit(body: Any) -> bool:
        if not (isinstance(body, dict) and body.get("data", {}).get("children")):
            return False
        first = body["data"]["children"][0]
        body["data"]["children"].insert(0, {"kind": first["kind"], "data": {**first["data"], "name": name, **data}})
        return True
    return edit


@pytest.mark.parametrize("bogus", [
    "t3_" + "z" * 4000,  # a valid base-36 number, larger than any id Reddit will ever give
    "t3_" + "z" * 5000,  # past Python's 4,300-digit limit for int(): ValueError
    "t3_" + "z" * 13,  # 36**13 is past the 64 bits of Reddit's ids
])
async def test_a_reddit_fullname_that_cannot_be_real_is_skipped_and_never_becomes_the_watermark(
        bogus: str, store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.advance_to(55)  # half of the Reddit rounds
    rewrites.add("/search", edit_body(reddit_extra_thing(bogus)), times=1)
    first = await poll_once("reddit-search", sim, store)
    assert first.status == "ok" and first.skipped == 1 and stored(store) == expected(hostile_world, "reddit-search")
    hostile_world.publish_all()  # posts with real ids, all older than the bogus one
    result = await poll_once("reddit-search", sim, store)
    assert result.status == "ok" and stored(store) == expected(hostile_world, "reddit-search")
    cursor = store.read_sync(lambda db: db.conn.execute("SELECT value FROM cursors").fetchone()[0])
    assert bogus not in cursor


async def test_a_reddit_watermark_that_cannot_be_real_is_read_past_not_trusted(
        store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    """A cursor saved before bogus fullnames were refused: the listing is read again, nothing is hidden."""
    sim, _ = hostile
    hostile_world.publish_all()
    saved = json.dumps({"i": 0, "lists": {"search": {"seen": "t3_" + "z" * 4000}}})
    store.write_sync(lambda db: db.conn.execute(
        "INSERT INTO cursors (source, brand, value, updated_at) VALUES ('reddit-search', 'skylark', ?, ?)",
        (saved, datetime.now(UTC).isoformat())))
    result = await poll_once("reddit-search", sim, store)
    assert result.status == "ok" and stored(store) == expected(hostile_world, "reddit-search")


SPOOFS = {"plus": "+{}", "space": " {}", "zero": "0{}"}


def spoofed(tid: str, how: str) -> str:
    """Another way of writing the id ``tid`` that Python's ``int()`` reads as the same number."""
    if how == "fullwidth":
        return tid.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if how == "underscore":
        return tid[:2] + "_" + tid[2:]
    return SPOOFS[how].format(tid)


def x_spoof(how: str) -> Callable[[Any], bool]:
    def edit(body: Any) -> bool:
        if not (isinstance(body, dict) and body.get("data")):
            return False
        first = body["data"][0]
        body["data"].insert(0, {**first, "id": spoofed(str(first["id"]), how), "text": "SPOOF @SkylarkAir"})
        return True
    return edit


def mastodon_spoof(how: str) -> Callable[[Any], bool]:
    def edit(body: Any) -> bool:
        if not (isinstance(body, list) and body):
            return False
        first = body[0]
        status = {**first["status"], "id": spoofed(str(first["status"]["id"]), how), "content": "<p>SPOOF</p>"}
        body.insert(0, {**first, "id": spoofed(str(first["id"]), how), "status": status})
        return True
    return edit


@pytest.mark.parametrize("how", ["plus", "space", "zero", "underscore", "fullwidth"])
@pytest.mark.parametrize(("name", "marker", "spoof"), [
    ("x-search", "/2/tweets/search/recent", x_spoof),
    ("mastodon-mentions", "/api/v1/notifications", mastodon_spoof),
])
async def test_an_id_written_another_way_is_skipped_not_stored_as_the_post_it_names(
        name: str, marker: str, spoof: Callable[[str], Callable[[Any], bool]], how: str, store: Store,
        hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    """``int()`` reads "+12", " 12", "012", "1_2" and full-width digits as 12: stored under the real post's key, such
    an item would take its place (and its text), and the real post would be dropped as a duplicate."""
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add(marker, edit_body(spoof(how)), times=1)
    result = await poll_once(name, sim, store)
    assert result.status == "ok" and result.skipped == 1 and stored(store) == expected(hostile_world, name)
    texts = store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT text FROM mentions")])
    assert not any("SPOOF" in text for text in texts)


@pytest.mark.parametrize("parent", [{"id": 1}, "t1_" + "z" * 5000])
async def test_a_reddit_comment_with_a_parent_that_is_not_a_fullname_is_stored(
        parent: Any, store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()

    def edit(body: Any) -> bool:
        if not (isinstance(body, dict) and body.get("data", {}).get("children")):
            return False
        body["data"]["children"][0]["data"]["parent_id"] = parent
        return True

    rewrites.add("/message/mentions", edit_body(edit), times=1)
    result = await poll_once("reddit-inbox", sim, store)
    assert result.status == "ok" and stored(store) == expected(hostile_world, "reddit-inbox")
    parents = store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT in_reply_to_id FROM mentions")])
    assert all(p is None or len(p) < 20 for p in parents)


# -- 5. a server that drips its answer ---------------------------------------------------------------------
def drip(seconds_per_byte: float, head: int = 20) -> Rewrite:
    """Send the first ``head`` bytes one at a time: every read is quick, the whole answer is slow."""
    async def rewrite(request: web.Request, response: web.StreamResponse) -> web.StreamResponse | None:
        data = (getattr(response, "text", None) or "").encode()
        out = web.StreamResponse(status=response.status, headers={"Content-Type": "application/json",
                                                                   "Content-Length": str(len(data))})
        await out.prepare(request)
        try:
            for i in range(head):
                await out.write(data[i:i + 1])
                await asyncio.sleep(seconds_per_byte)
            await out.write(data[head:])
            await out.write_eof()
        except ConnectionError:  # the client gave up: what the test wants
            pass
        return out
    return rewrite


@pytest.mark.parametrize(("name", "marker"), [
    ("bluesky-mentions", "listNotifications"),
    ("mastodon-mentions", "/api/v1/notifications"),
])
async def test_a_server_that_drips_its_answer_is_cut_off_at_the_timeout(
        name: str, marker: str, store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add(marker, drip(0.4))  # 20 bytes at 0.4 s: 8 s for an answer, against a 1 s timeout
    started = time.monotonic()
    result = await poll_once(name, sim, store, source_timeout=1.0, max_pages=1)
    assert time.monotonic() - started < 5
    assert result.status == "retrying" and "time" in (result.error or "").lower()


class HeaderDrip:
    """A loopback proxy in front of the simulator that answers requests whose path contains ``marker`` by
    sending a status line, then one header byte every ``interval`` seconds (every read is quick, the headers
    never end), and records how long each client held on. Other requests go to the simulator, one per
    connection (``Connection: close``), so every request is seen here."""

    def __init__(self, upstream: str, marker: str, interval: float = 0.2) -> None:
        self.upstream_port = int(upstream.rsplit(":", 1)[1])
        self.marker, self.interval = marker, interval
        self.held: list[float] = []  # seconds each dripped client stayed connected
        self.stopping = False
        self.tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> str:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def stop(self) -> None:
        self.stopping = True
        self.server.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = await reader.readexactly(length)
            if self.marker.encode() in head.split(b"\r\n", 1)[0]:
                await self.drip(reader, writer)
            else:
                await self.forward(head, body, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            self.tasks.discard(task)

    async def drip(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        started = time.monotonic()
        writer.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        try:
            while not (self.stopping or reader.at_eof()):
                writer.write(b"a")
                await writer.drain()
                await asyncio.sleep(self.interval)
        except ConnectionError:
            pass
        self.held.append(time.monotonic() - started)

    async def forward(self, head: bytes, body: bytes, writer: asyncio.StreamWriter) -> None:
        lines = [line for line in head.split(b"\r\n") if line and not line.lower().startswith(b"connection:")]
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        up_writer.write(b"\r\n".join([*lines, b"Connection: close", b"", b""]) + body)
        writer.write(await up_reader.read())
        up_writer.close()
        await writer.drain()


def mastodon_threads() -> set[threading.Thread]:
    """The live threads of Mastodon accounts (each account reads on one of its own)."""
    return {t for t in threading.enumerate() if t.name.startswith("mastodon-")}


@pytest.mark.parametrize(("name", "marker"), [
    ("mastodon-mentions", "/api/v1/notifications"),
    ("bluesky-mentions", "listNotifications"),
    ("x-search", "/2/tweets/search/recent"),
    ("reddit-search", "/search"),
])
async def test_a_server_that_drips_its_headers_frees_the_connection_and_the_thread_at_the_timeout(
        name: str, marker: str, store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    """Mastodon.py reads on a thread that a timeout on the asyncio side cannot stop: the limit must hold in
    that thread, or each slow poll leaves it reading and the next poll (and ``close``) waits behind it."""
    sim, _ = hostile
    hostile_world.publish_all()
    threads_before = mastodon_threads()
    proxy = HeaderDrip(sim.base_url, marker)
    source = make_source(name, await proxy.start(), timeout=1.0)
    await source.start()
    try:
        for _ in range(2):  # the second poll is not stuck behind the first
            started = time.monotonic()
            result = await Poller(source, store, retry=NO_RETRY, sleep=no_sleep, max_pages=1).run_once(
                ignore_backoff=True)
            assert time.monotonic() - started < 2.5
            assert result.status == "retrying" and "time" in (result.error or "").lower()
    finally:
        try:
            await asyncio.wait_for(source.close(), 2.5)  # not waiting behind a thread still reading
        finally:
            await proxy.stop()
    assert len(proxy.held) == 2 and all(held < 2.0 for held in proxy.held)  # the client hung up
    for _ in range(40):  # the account's thread ends once it is free and the account closed
        if not mastodon_threads() - threads_before:
            break
        await asyncio.sleep(0.05)
    assert mastodon_threads() - threads_before == set()


# -- 6. a Mastodon link that is not a link ----------------------------------------------------------------
def mastodon_hostile_links(body: Any) -> bool:
    if not (isinstance(body, list) and len(body) > 1):
        return False
    body[0]["status"]["url"] = "javascript:alert(document.cookie)"
    body[0]["status"]["uri"] = "javascript:alert(1)"
    body[1]["status"]["url"] = "https://evil.example/@fan/1"  # not the host of the status's own uri
    return True


async def test_a_mastodon_status_link_is_https_on_its_own_host_or_built_from_account_and_id(
        store: Store, hostile_world: World, hostile: tuple[Simulator, Rewrites]) -> None:
    sim, rewrites = hostile
    hostile_world.publish_all()
    rewrites.add("/api/v1/notifications", edit_body(mastodon_hostile_links), times=1)
    result = await poll_once("mastodon-mentions", sim, store)
    assert result.status == "ok"
    urls = store.read_sync(lambda db: dict(db.conn.execute("SELECT platform_id, url FROM mentions").fetchall()))
    built = {pid: url for pid, url in urls.items() if url.startswith(sim.base_url)}
    assert len(built) == 1 and all(url.endswith(f"/{pid}") and "/@" in url for pid, url in built.items())
    assert all(url.startswith(("https://sim.social/", sim.base_url + "/@")) for url in urls.values())
    assert not any("evil" in url or "javascript" in url for url in urls.values())


# -- 7. a pagination token refused mid-walk ----------------------------------------------------------------
async def test_a_refused_pagination_token_restarts_the_walk_from_the_watermark(store: Store) -> None:
    world = load_scenario_data(tiny_scenario(250), World(manual=True))  # 3 pages of 100
    world.publish_all()
    rewrites = Rewrites()
    sim = Simulator(world)
    sim.app.middlewares.append(rewrites.middleware)
    await sim.start()
    try:
        first = await poll_once("x-search", sim, store, max_pages=1)  # stops mid-walk: the token is committed
        saved = json.loads(store.read_sync(lambda db: db.conn.execute("SELECT value FROM cursors").fetchone()[0]))
        assert first.status == "ok" and saved["next_token"]

        async def expired(request: web.Request, response: web.StreamResponse) -> web.StreamResponse | None:
            if request.query.get("next_token") != saved["next_token"]:
                return None
            return web.json_response({"title": "Invalid Request", "detail": "One or more parameters to your "
                                      "request was invalid.", "errors": [{"message": "Invalid 'next_token'"}]},
                                     status=400)

        rewrites.add("/2/tweets/search/recent", expired, times=1)  # expired: a fresh walk gets fresh tokens
        result = await poll_once("x-search", sim, store)
    finally:
        await sim.stop()
    assert result.status == "ok" and stored(store) == expected(world, "x-search")
    assert any("refused the saved page position" in n for n in result.notes)
    assert "refused" in (health(store)["last_warning"] or "")
