"""Every platform Careline speaks, built from the settings: the sources to poll and the reply senders.

This is the one place that knows the list of platforms. Adding one (docs/listener.md, "Adding a
platform") means a package beside ``platforms/x`` and one line in each function here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from careline.platform import Budget, Planned, ReplySender
from careline.settings import (
    BlueskySourceSettings,
    BrandSettings,
    MastodonSourceSettings,
    RedditSourceSettings,
    Settings,
    XSourceSettings,
    brand_env,
)
from platforms.bluesky.client import APP_PASSWORD_ENV, brand_app_password
from platforms.bluesky.read import BlueskyMentionsSource, BlueskySearchSource
from platforms.bluesky.reply import BlueskyReplySender
from platforms.mastodon.client import TOKEN_ENV, brand_token, instance_url, split_account
from platforms.mastodon.read import MastodonHashtagSource, MastodonMentionsSource, brand_hashtags
from platforms.mastodon.reply import MastodonReplySender
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


def bluesky_sources(brand: BrandSettings, bluesky: BlueskySourceSettings) -> list[Planned]:
    """Free and rate-limited; both need the brand account's login (search too, since 2025)."""
    if not brand.bluesky_handle:
        return []
    out: list[Planned] = [(BlueskyMentionsSource(brand, bluesky), None, bluesky.max_pages)]
    if brand.keywords:
        out.append((BlueskySearchSource(brand, bluesky), None, bluesky.max_pages))
    return out


def mastodon_sources(brand: BrandSettings, mastodon: MastodonSourceSettings,
                     environ: Mapping[str, str] | None = None) -> list[Planned]:
    """The account's mentions; its server's hashtag timelines for the brand's '#' keywords."""
    if not brand.mastodon_account:
        return []
    out: list[Planned] = [(MastodonMentionsSource(brand, mastodon, environ=environ), None, mastodon.max_pages)]
    if mastodon.hashtags and brand_hashtags(brand):
        out.append((MastodonHashtagSource(brand, mastodon, environ=environ), None, mastodon.max_pages))
    return out


def simulated_tokens(settings: Settings) -> dict[str, str] | None:
    """On the simulator a Mastodon token is the account's username (as X's bearer token is its handle)."""
    if not settings.simulator.enabled:
        return None
    return {brand_env(TOKEN_ENV, b.name): split_account(b.mastodon_account)[0] for b in settings.brands}


#: What a source's row says once its platform is switched off or its brand removed: its last health ("ok" from
#: before) read as if it were still polled, in ``careline status`` and ``/health`` alike.
OFF = "off"
OFF_WHY = "not polled: its platform is switched off or its brand removed in the settings"


def mark_unpolled(rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """``rows`` (a source's health, keyed by ``source`` and ``brand``) with those no longer configured marked off."""
    polled = {(src.name, src.brand) for src, _budget, _pages in build_sources(settings)}
    return [row if (row["source"], row["brand"]) in polled else {**row, "status": OFF, "last_error": OFF_WHY}
            for row in rows]


def build_sources(settings: Settings) -> list[Planned]:
    """(source, budget, max pages) for every enabled platform endpoint of every brand."""
    out: list[Planned] = []
    src = settings.sources
    for brand in settings.brands:
        if src.x.enabled:
            out.extend(x_sources(brand, src.x))
        if src.reddit.enabled:
            out.extend(reddit_sources(brand, src.reddit))
        if src.bluesky.enabled:
            out.extend(bluesky_sources(brand, src.bluesky))
        if src.mastodon.enabled:
            out.extend(mastodon_sources(brand, src.mastodon, simulated_tokens(settings)))
    return out


def fediverse_senders(settings: Settings, brand: BrandSettings, env: dict[str, str]) -> dict[str, ReplySender]:
    """Bluesky posts as the brand's account with its app password; Mastodon with the account's token."""
    out: dict[str, ReplySender] = {}
    bluesky, mastodon = settings.sources.bluesky, settings.sources.mastodon
    password = brand_app_password(brand, bluesky, env)
    if bluesky.enabled and brand.bluesky_handle and password:
        out[f"bluesky:{brand.name}"] = BlueskyReplySender(
            bluesky, handle=brand.bluesky_handle, password=password,
            password_env=brand_env(APP_PASSWORD_ENV, brand.name))
    token = brand_token(brand, mastodon, simulated_tokens(settings) or env)
    if mastodon.enabled and brand.mastodon_account and token:
        out[f"mastodon:{brand.name}"] = MastodonReplySender(mastodon, base_url=instance_url(brand), token=token,
                                                            token_env=brand_env(TOKEN_ENV, brand.name))
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
        out.update(fediverse_senders(settings, brand, env))
    return out
