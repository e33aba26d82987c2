"""Every platform Careline speaks, built from the settings: the sources to poll and the reply senders.

This is the one place that knows the list of platforms. Adding one (docs/listener.md, "Adding a
platform") means a package beside ``platforms/x`` and one line in each function here.
"""

from __future__ import annotations

import logging
import os

from careline.platform import Budget, Planned, ReplySender
from careline.settings import BrandSettings, RedditSourceSettings, Settings, XSourceSettings, brand_env
from platforms.reddit.client import REDDIT_PASSWORD_ENV, brand_reddit_password
from platforms.reddit.read import RedditInboxSource, RedditSearchSource, RedditSubredditSource
from platforms.reddit.reply import RedditReplySender
from platforms.x.read import XMentionsSource, XSearchSource
from platforms.x.reply import XReplySender

log = logging.getLogger(__name__)


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


def build_senders(settings: Settings, environ: dict[str, str] | None = None) -> dict[str, ReplySender]:
    """One reply sender per platform and brand that has credentials (see README, "Replying").

    X posts need the brand account's user-context token: ``CARELINE_X_REPLY_TOKEN_<BRAND>`` (or one
    ``CARELINE_X_REPLY_TOKEN`` for all). The simulator takes the brand's handle as that token.
    Reddit replies post as the brand's account (``reddit_username``) when
    ``CARELINE_REDDIT_PASSWORD_<BRAND>`` gives its password, else as the configured Reddit account.
    """
    env = dict(os.environ if environ is None else environ)
    out: dict[str, ReplySender] = {}
    simulated = settings.simulator.enabled
    for brand in settings.brands:
        handle = (brand.handles or [""])[0]
        token = handle if simulated else (env.get(brand_env("CARELINE_X_REPLY_TOKEN", brand.name))
                                          or env.get("CARELINE_X_REPLY_TOKEN", ""))
        if settings.sources.x.enabled and handle and token:
            out[f"x:{brand.name}"] = XReplySender(settings.sources.x, handle=handle, bearer_token=token)
        reddit = settings.sources.reddit
        own = env.get(brand_env(REDDIT_PASSWORD_ENV, brand.name), "")
        if simulated or (own and brand.reddit_username):  # the brand's own account
            user, password = brand.reddit_username, brand_reddit_password(brand, reddit, env)
        else:
            user, password = reddit.username, reddit.password
        if reddit.enabled and user and password:
            out[f"reddit:{brand.name}"] = RedditReplySender(reddit, username=user, password=password)
    return out
