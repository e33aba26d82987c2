"""Scenarios for the listener tests: X and Reddit traffic for one brand, and what each source must store.

``expected(world, source)`` is written from the simulator's published posts with the rules of what
counts as a mention (not the brand's own posts, no retweets), independently of the adapters, so the
contract tests compare the stored set with what the platform really published.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from careline.platform import Source
from careline.settings import BrandSettings, RedditSourceSettings, XSourceSettings
from platforms.reddit.read import RedditInboxSource, RedditSearchSource, RedditSubredditSource
from platforms.reddit.simulator import fullname
from platforms.simulator.world import World
from platforms.x.read import XMentionsSource, XSearchSource
from tests.conftest import BRAND, tiny_scenario

SOURCES = ("x-search", "x-mentions", "reddit-search", "reddit-subreddit", "reddit-inbox")
ENDPOINTS = {"x-search": ("search",), "x-mentions": ("mentions",), "reddit-search": ("reddit-search",),
             "reddit-subreddit": ("reddit-new", "reddit-comments"), "reddit-inbox": ("reddit-mentions",)}
REDDIT_BRAND = dataclasses.replace(BRAND, subreddits=["travel"], own_subreddits=["skylarkair"],
                                   reddit_username="SkylarkCare")
OWN_SUB = "skylarkair"


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


def mixed_scenario(x_posts: int = 30, reddit_rounds: int = 30) -> dict[str, Any]:
    data = tiny_scenario(x_posts)
    data["users"] += [{"id": f"r{i}", "username": f"redditor{i}", "platform": "reddit"} for i in range(7)]
    data["users"].append({"id": "r900", "username": "SkylarkCare", "platform": "reddit"})
    data["posts"] += reddit_posts(reddit_rounds, start=x_posts + 10)
    return data


def expected(world: World, source: str) -> set[str]:
    """Keys a faithful ``source`` must store from what the simulator has published."""
    x = [p for p in world.visible("x") if p.user.id != "900001" and not p.retweet_of]
    reddit = [p for p in world.visible("reddit") if p.user.username != "SkylarkCare"]
    if source == "x-search":
        return {f"x:{p.id}" for p in x if "skylark" in p.text.lower()}
    if source == "x-mentions":
        return {f"x:{p.id}" for p in x if "@skylarkair" in p.text.lower()}
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


def make_source(name: str, base_url: str, *, brand: BrandSettings = REDDIT_BRAND, timeout: float = 5.0) -> Source:
    x = XSourceSettings(api_base_url=base_url, bearer_token="test-token")
    reddit = RedditSourceSettings(enabled=True, oauth_url=base_url, reddit_url=base_url, client_id="id",
                                  client_secret="secret", username="tester", password="pw")
    classes: dict[str, Any] = {"x-search": (XSearchSource, x), "x-mentions": (XMentionsSource, x),
                               "reddit-search": (RedditSearchSource, reddit),
                               "reddit-subreddit": (RedditSubredditSource, reddit),
                               "reddit-inbox": (RedditInboxSource, reddit)}
    cls, settings = classes[name]
    return cls(brand, settings, timeout=timeout)  # type: ignore[no-any-return]
