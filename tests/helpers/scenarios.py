"""Scenarios for the listener tests: X, Reddit, Bluesky and Mastodon traffic for one brand, and what each
source must store.

``expected(world, source)`` is written from the simulator's published posts with the rules of what
counts as a mention (not the brand's own posts, no retweets), independently of the adapters, so the
contract tests compare the stored set with what the platform really published.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from careline.platform import Source
from careline.settings import (
    BlueskySourceSettings,
    BrandSettings,
    MastodonSourceSettings,
    RedditSourceSettings,
    Settings,
    XSourceSettings,
)
from careline.store import Store
from platforms.bluesky.read import BlueskyMentionsSource, BlueskySearchSource
from platforms.mastodon.read import MastodonHashtagSource, MastodonMentionsSource
from platforms.reddit.read import RedditInboxSource, RedditSearchSource, RedditSubredditSource
from platforms.reddit.simulator import fullname
from platforms.simulator.world import SimPost, World
from platforms.x.read import XMentionsSource, XSearchSource
from tests.conftest import BRAND, tiny_scenario

SOURCES = ("x-search", "x-mentions", "reddit-search", "reddit-subreddit", "reddit-inbox", "bluesky-search",
           "bluesky-mentions", "mastodon-mentions", "mastodon-hashtags")
ENDPOINTS = {"x-search": ("search",), "x-mentions": ("mentions",), "reddit-search": ("reddit-search",),
             "reddit-subreddit": ("reddit-new", "reddit-comments"), "reddit-inbox": ("reddit-mentions",),
             "bluesky-search": ("bluesky-search",),
             "bluesky-mentions": ("bluesky-notifications", "bluesky-author-feed"),
             "mastodon-mentions": ("mastodon-notifications", "mastodon-statuses"),
             "mastodon-hashtags": ("mastodon-tag",)}
SKY = "skylarkair.bsky.social"
SKY_DID = "did:plc:skylarkair00000000000000"
MASTO_ID = "900100"
REDDIT_BRAND = dataclasses.replace(BRAND, subreddits=["travel"], own_subreddits=["skylarkair"],
                                   reddit_username="SkylarkCare", bluesky_handle=SKY,
                                   mastodon_account="SkylarkAir@sim.social")
OWN_SUB = "skylarkair"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"


def reddit_posts(n: int, start: float = 0.0) -> list[dict[str, Any]]:
    """``n`` rounds of Reddit traffic: a submission in the brand's subreddit with a comment under it,
    a keyword hit in r/travel, a comment tagging u/SkylarkCare, and every 5th round a brand reply."""
    posts: list[dict[str, Any]] = []
    for i in range(n):
        at = start + i
        posts += [
            {"ref": f"rs{i}", "at": at, "platform": "reddit", "kind": "submission", "subreddit": OWN_SUB,
             "user": f"redditor{i % 7}", "title": f"Refund question {i}", "text": f"Waiting {i} days for a refund."},
            {"ref": f"rc{i}", "at": at + 0.1, "platform": "reddit", "kind": "comment", "subreddit": OWN_SUB,
             "user": f"redditor{(i + 1) % 7}", "reply_to": f"rs{i}", "text": f"Same here ({i})."},
            {"ref": f"rt{i}", "at": at + 0.2, "platform": "reddit", "kind": "submission", "subreddit": "travel",
             "user": f"redditor{(i + 2) % 7}", "title": f"Skylark Air lost my bag {i}", "text": ""},
            {"ref": f"rm{i}", "at": at + 0.3, "platform": "reddit", "kind": "comment", "subreddit": "travel",
             "user": f"redditor{(i + 3) % 7}", "reply_to": f"rt{i}", "text": f"u/SkylarkCare can you help? {i}"},
            {"ref": f"rn{i}", "at": at + 0.4, "platform": "reddit", "kind": "submission", "subreddit": "cooking",
             "user": f"redditor{(i + 4) % 7}", "title": f"Soup {i}", "text": "nothing about airlines"},
        ]
        if i % 5 == 0:
            posts.append({"ref": f"rb{i}", "at": at + 0.5, "platform": "reddit", "kind": "comment",
                          "subreddit": OWN_SUB, "user": "SkylarkCare", "reply_to": f"rs{i}",
                          "text": "Sorry to hear that, please PM us. (u/SkylarkCare)"})
    return posts


def bluesky_posts(n: int, start: float = 0.0) -> list[dict[str, Any]]:
    """``n`` rounds on Bluesky: a keyword post, an @mention, a customer reply under the keyword post, and
    every 5th round the brand's reply to the customer (from_brand), a customer's answer to it, the brand's
    own top-level post with a self-reply (dropped), and a repost (never a post)."""
    posts: list[dict[str, Any]] = []
    for i in range(n):
        at, user = start + i, f"flyer{i % 7}.bsky.social"
        posts += [
            {"ref": f"bs{i}", "at": at, "platform": "bluesky", "user": user, "text": f"Skylark Air lost my bag {i}"},
            {"ref": f"bm{i}", "at": at + 0.1, "platform": "bluesky", "user": f"flyer{(i + 1) % 7}.bsky.social",
             "text": f"@{SKY} where is my refund? {i}", "lang": "en"},
            {"ref": f"bc{i}", "at": at + 0.2, "platform": "bluesky", "user": f"flyer{(i + 2) % 7}.bsky.social",
             "reply_to": f"bs{i}", "text": f"same thing happened to me {i}"},
        ]
        if i % 5 == 0:
            posts += [
                {"ref": f"bb{i}", "at": at + 0.3, "platform": "bluesky", "user": SKY, "reply_to": f"bs{i}",
                 "text": f"So sorry, please DM us your booking ref. Skylark Air team {i}"},
                {"ref": f"ba{i}", "at": at + 0.4, "platform": "bluesky", "user": user, "reply_to": f"bb{i}",
                 "text": f"done, thanks {i}"},
                {"ref": f"bo{i}", "at": at + 0.5, "platform": "bluesky", "user": SKY,
                 "text": f"Skylark Air winter sale {i} #skylarkair"},
                {"ref": f"bx{i}", "at": at + 0.6, "platform": "bluesky", "user": SKY, "reply_to": f"bo{i}",
                 "text": f"Skylark Air: more dates added {i}"},
                {"ref": f"bp{i}", "at": at + 0.7, "platform": "bluesky", "user": user, "retweet_of": f"bs{i}",
                 "text": ""},
            ]
    return posts


def mastodon_posts(n: int, start: float = 0.0) -> list[dict[str, Any]]:
    """``n`` rounds on Mastodon: a public #SkylarkAir post, an @mention from another server (every 3rd
    one direct), and every 5th round the brand's reply (from_brand), the customer's answer, the brand's
    own tagged post and its self-reply (dropped) and a boost (dropped)."""
    posts: list[dict[str, Any]] = []
    for i in range(n):
        at, user = start + i, f"traveller{i % 7}"
        posts += [
            {"ref": f"mh{i}", "at": at, "platform": "mastodon", "user": user,
             "text": f"Flight {i} cancelled again #SkylarkAir"},
            {"ref": f"mm{i}", "at": at + 0.1, "platform": "mastodon", "user": f"fan{i % 5}@other.social",
             "text": f"@SkylarkAir@sim.social where is my refund? {i}",
             "visibility": "direct" if i % 3 == 0 else "public"},
        ]
        if i % 5 == 0:
            posts += [
                {"ref": f"mb{i}", "at": at + 0.2, "platform": "mastodon", "user": "SkylarkAir", "reply_to": f"mh{i}",
                 "text": f"@{user} sorry about that, please DM us {i}"},
                {"ref": f"ma{i}", "at": at + 0.3, "platform": "mastodon", "user": user, "reply_to": f"mb{i}",
                 "text": f"@SkylarkAir done {i}"},
                {"ref": f"mo{i}", "at": at + 0.4, "platform": "mastodon", "user": "SkylarkAir",
                 "text": f"New routes {i} #SkylarkAir"},
                {"ref": f"mx{i}", "at": at + 0.5, "platform": "mastodon", "user": "SkylarkAir", "reply_to": f"mo{i}",
                 "text": f"More dates {i} #SkylarkAir"},
                {"ref": f"mr{i}", "at": at + 0.6, "platform": "mastodon", "user": f"fan{i % 5}@other.social",
                 "retweet_of": f"mh{i}", "text": f"Flight {i} cancelled again #SkylarkAir"},
            ]
    return posts


def fediverse_users() -> list[dict[str, Any]]:
    users = [{"id": f"did:plc:flyer{i}", "username": f"flyer{i}.bsky.social", "name": f"Flyer {i}",
              "platform": "bluesky"} for i in range(7)]
    users.append({"id": SKY_DID, "username": SKY, "name": "Skylark Air", "platform": "bluesky"})
    users += [{"id": str(800 + i), "username": f"traveller{i}", "name": f"Traveller {i}", "platform": "mastodon"}
              for i in range(7)]
    users += [{"id": str(850 + i), "username": f"fan{i}@other.social", "platform": "mastodon"} for i in range(5)]
    users.append({"id": MASTO_ID, "username": "SkylarkAir", "name": "Skylark Air", "platform": "mastodon"})
    return users


def mixed_scenario(x_posts: int = 30, reddit_rounds: int = 30, fedi_rounds: int | None = None) -> dict[str, Any]:
    """X, then Reddit, Bluesky and Mastodon traffic (``fedi_rounds`` rounds each; default: ``reddit_rounds``)."""
    data = tiny_scenario(x_posts)
    data["users"] += [{"id": f"r{i}", "username": f"redditor{i}", "platform": "reddit"} for i in range(7)]
    data["users"].append({"id": "r900", "username": "SkylarkCare", "platform": "reddit"})
    data["users"] += fediverse_users()
    data["posts"] += reddit_posts(reddit_rounds, start=x_posts + 10)
    rounds = reddit_rounds if fedi_rounds is None else fedi_rounds
    data["posts"] += bluesky_posts(rounds, start=x_posts + 10)
    data["posts"] += mastodon_posts(rounds, start=x_posts + 10)
    return data


def expected(world: World, source: str) -> set[str]:
    """Keys a faithful ``source`` must store from what the simulator has published."""
    x = [p for p in world.visible("x") if p.user.id != "900001" and not p.retweet_of]
    reddit = [p for p in world.visible("reddit") if p.user.username != "SkylarkCare"]
    if source == "x-search":
        return {f"x:{p.id}" for p in x if "skylark" in p.text.lower()}
    if source == "x-mentions":
        return {f"x:{p.id}" for p in x if "@skylarkair" in p.text.lower()}
    if source.startswith(("bluesky", "mastodon")):
        return _expected_fediverse(world, source)
    if source == "reddit-search":
        hits = [p for p in reddit if p.kind == "submission" and p.subreddit == "travel"
                and "skylark" in (p.title + p.text).lower()]
    elif source == "reddit-subreddit":
        hits = [p for p in reddit if p.subreddit == OWN_SUB]
    elif source == "reddit-inbox":
        hits = [p for p in reddit if p.kind == "comment" and "u/skylarkcare" in p.text.lower()]
    else:
        raise KeyError(source)
    return {f"reddit:{fullname(p)}" for p in hits}


def _brand_reply(world: World, post: SimPost, brand_id: str) -> bool:
    """A brand post kept with ``from_brand``: a reply to someone else's post."""
    parent = world.by_id.get(post.parent_id or "")
    return post.user.id == brand_id and parent is not None and parent.user.id != brand_id


def _expected_fediverse(world: World, source: str, *, brand: bool = False) -> set[str]:
    platform, brand_id = ("bluesky", SKY_DID) if source.startswith("bluesky") else ("mastodon", MASTO_ID)
    posts = [p for p in world.visible(platform) if not p.retweet_of]
    customers = [p for p in posts if p.user.id != brand_id]
    replies = [p for p in posts if _brand_reply(world, p, brand_id)]
    candidates = replies if brand else customers

    def to_brand(p: SimPost) -> bool:
        parent = world.by_id.get(p.parent_id or "")
        return (parent is not None and parent.user.id == brand_id) or (
            f"@{SKY}" in p.text if platform == "bluesky" else "@skylarkair" in p.text.lower())

    if source == "bluesky-search":
        hits = [p for p in candidates if "skylark air" in p.text.lower() or "#skylarkair" in p.text.lower()]
    elif source == "mastodon-hashtags":
        hits = [p for p in candidates if "#skylarkair" in p.text.lower() and p.visibility == "public"]
    else:  # the account's mentions (and replies to it); its own replies to others (its own timeline)
        hits = candidates if brand else [p for p in candidates if to_brand(p)]
    return {f"{platform}:{p.id}" for p in hits}


def expected_brand(world: World, source: str) -> set[str]:
    """Keys of the brand-account posts a faithful ``source`` returns with ``from_brand`` (its replies to
    others in threads it reads); the store keeps them in ``brand_posts``, never in ``mentions``."""
    if source.startswith(("bluesky", "mastodon")):
        return _expected_fediverse(world, source, brand=True)
    if source == "reddit-subreddit":
        return {f"reddit:{fullname(p)}" for p in world.visible("reddit")
                if p.user.username == "SkylarkCare" and p.kind == "comment" and p.subreddit == OWN_SUB
                and _brand_reply(world, p, p.user.id)}
    return set()  # the X scenario's brand post is top-level; Reddit search and inbox never show the brand's


def brand_for(base_url: str, brand: BrandSettings = REDDIT_BRAND) -> BrandSettings:
    """The test brand with its Mastodon account on the simulator."""
    return dataclasses.replace(brand, mastodon_instance=base_url)


def make_source(name: str, base_url: str, *, brand: BrandSettings = REDDIT_BRAND, timeout: float = 5.0) -> Source:
    if name.startswith("bluesky"):
        sky = BlueskySourceSettings(enabled=True, service_url=base_url, app_password=APP_PASSWORD)
        cls = BlueskySearchSource if name == "bluesky-search" else BlueskyMentionsSource
        return cls(brand, sky, timeout=timeout, environ={})
    if name.startswith("mastodon"):
        masto = MastodonSourceSettings(enabled=True, access_token="SkylarkAir")
        mcls = MastodonHashtagSource if name == "mastodon-hashtags" else MastodonMentionsSource
        return mcls(brand_for(base_url, brand), masto, timeout=timeout, environ={})
    x = XSourceSettings(api_base_url=base_url, bearer_token="test-token")
    reddit = RedditSourceSettings(enabled=True, oauth_url=base_url, reddit_url=base_url, client_id="id",
                                  client_secret="secret", username="tester", password="pw")
    classes: dict[str, Any] = {"x-search": (XSearchSource, x), "x-mentions": (XMentionsSource, x),
                               "reddit-search": (RedditSearchSource, reddit),
                               "reddit-subreddit": (RedditSubredditSource, reddit),
                               "reddit-inbox": (RedditInboxSource, reddit)}
    cls, settings = classes[name]
    return cls(brand, settings, timeout=timeout)  # type: ignore[no-any-return]


async def poll_and_route(source: Source, store: Store, settings: Settings) -> None:
    """One poll of ``source`` (started and closed here), then one pipeline step with the lexicon
    classifier: the posts land in the queue as the running service would route them."""
    from careline.app.pipeline import Pipeline
    from classifiers.lexicon import LexiconClassifier
    from listener.poller import Poller

    await source.start()
    try:
        await Poller(source, store).run_once()
    finally:
        await source.close()
    await Pipeline(store, LexiconClassifier(), settings).step()
