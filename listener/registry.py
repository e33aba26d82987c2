"""Build the pollers the settings ask for: one per source endpoint and brand."""

from __future__ import annotations

import logging
from collections.abc import Callable

from careline.settings import BrandSettings, RedditSourceSettings, Settings, XSourceSettings
from careline.store import Store
from listener.abc import Source
from listener.poller import Budget, Poller
from listener.sources.reddit import RedditInboxSource, RedditSearchSource, RedditSubredditSource
from listener.sources.twitter import XMentionsSource, XSearchSource

log = logging.getLogger(__name__)

#: (source, budget, most pages per run)
Planned = tuple[Source, Budget | None, int]


def x_sources(brand: BrandSettings, x: XSourceSettings) -> list[Planned]:
    """Keyword search stops at the daily budget; the mentions timeline is costed but never stopped."""
    out: list[Planned] = []
    if brand.keywords or brand.handles:
        out.append((XSearchSource(brand, x), Budget(x.cost_per_post_usd, x.daily_budget_usd), x.max_pages))
    if brand.x_user_id:
        out.append((XMentionsSource(brand, x), Budget(x.mentions_cost_per_post_usd, None), x.max_pages))
    return out


def reddit_sources(brand: BrandSettings, reddit: RedditSourceSettings) -> list[Planned]:
    """Reddit's free tier is rate-limited, not billed: no budget; pages cover the ~1,000-item listings."""
    out: list[Planned] = []
    if brand.keywords:
        out.append((RedditSearchSource(brand, reddit), None, 11))
    if brand.own_subreddits:
        out.append((RedditSubredditSource(brand, reddit), None, 22))
    if brand.reddit_username:
        if reddit.username and reddit.username.lower() != brand.reddit_username.lower():
            log.info("reddit-inbox:%s logs in as u/%s (not the configured u/%s) with the configured password",
                     brand.name, brand.reddit_username, reddit.username)
        out.append((RedditInboxSource(brand, reddit), None, 11))
    return out


def build_sources(settings: Settings) -> list[Planned]:
    """(source, budget, max pages) for every enabled platform endpoint of every brand."""
    out: list[Planned] = []
    for brand in settings.brands:
        if settings.sources.x.enabled:
            out.extend(x_sources(brand, settings.sources.x))
        if settings.sources.reddit.enabled:
            out.extend(reddit_sources(brand, settings.sources.reddit))
    return out


def build_pollers(settings: Settings, store: Store, *, on_stored: Callable[[int], None] | None = None) -> list[Poller]:
    return [Poller(src, store, max_pages=pages, budget=budget, on_stored=on_stored)
            for src, budget, pages in build_sources(settings)]
