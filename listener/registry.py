"""Pollers for the planned sources: one per source endpoint and brand."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from careline.platform import Planned
from careline.store import Store
from listener.poller import Poller


def build_pollers(planned: Sequence[Planned], store: Store, *,
                  on_stored: Callable[[int], None] | None = None) -> list[Poller]:
    """``planned`` comes from ``platforms.registry.build_sources`` (the wiring passes it in)."""
    return [Poller(src, store, max_pages=pages, budget=budget, on_stored=on_stored)
            for src, budget, pages in planned]
