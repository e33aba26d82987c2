"""Build the pollers the settings ask for: one per source endpoint and brand."""

from __future__ import annotations

import logging
from collections.abc import Callable

from careline.settings import Settings
from careline.store import Store
from listener.abc import Source
from listener.poller import Budget, Poller
from listener.sources.twitter import XSearchSource

log = logging.getLogger(__name__)


def build_sources(settings: Settings) -> list[tuple[Source, Budget | None, int]]:
    """(source, budget, max pages) for every enabled platform endpoint of every brand."""
    out: list[tuple[Source, Budget | None, int]] = []
    x = settings.sources.x
    for brand in settings.brands:
        if x.enabled and (brand.keywords or brand.handles):
            out.append((XSearchSource(brand, x), Budget(x.cost_per_post_usd, x.daily_budget_usd), x.max_pages))
    return out


def build_pollers(settings: Settings, store: Store, *, on_stored: Callable[[int], None] | None = None) -> list[Poller]:
    return [Poller(src, store, max_pages=pages, budget=budget, on_stored=on_stored)
            for src, budget, pages in build_sources(settings)]
