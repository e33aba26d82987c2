"""The listener's commands for ``careline``: ``status`` (source health, spend, cursor age) and
``backfill`` (look back in time with a progress bar). ``careline.app.cli`` adds every command in
``COMMANDS``.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime, timedelta
from typing import Any

import click
from tqdm import tqdm

from careline.app.commands import check_brand, new_database_note, settings_of
from careline.domain import from_iso, utcnow
from careline.platform import Budget, Source
from careline.settings import Settings
from careline.store import Store
from careline.terminal import safe_line
from listener.backfill import BackfillResult, backfill_source, clamp_since, parse_since, select_sources
from platforms.registry import build_sources, mark_unpolled


def status_rows(settings: Settings, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every configured source (polled or not) with health, today's posts and cost, cursor age."""
    from careline.app.service import open_store
    from careline.views import source_status

    now = now or utcnow()
    store = open_store(settings, must_exist=True)
    try:
        found = store.read_sync(lambda db: source_status(db, now.date().isoformat()))
    finally:
        store.close_sync()
    by_key = {(r["source"], r["brand"]): r for r in found}
    for src, _budget, _pages in build_sources(settings):
        by_key.setdefault((src.name, src.brand), {
            "source": src.name, "brand": src.brand, "status": "not polled yet", "posts_today": 0,
            "cost_today": 0.0, "cursor_updated_at": None, "last_error": None, "last_warning": None,
            "last_warning_at": None})
    rows = sorted(mark_unpolled(list(by_key.values()), settings), key=lambda r: (r["brand"], r["source"]))
    for r in rows:
        if r["status"] == "unknown":  # usage from a backfill, but no scheduled poll yet
            r["status"] = "not polled yet"
        r["cursor_age_seconds"] = _seconds_since(r.get("cursor_updated_at"), now)
        r["warning_age_seconds"] = _seconds_since(r.get("last_warning_at"), now)
    return rows


def _seconds_since(stamp: str | None, now: datetime) -> int | None:
    at = from_iso(stamp)
    return None if at is None else round((now - at).total_seconds())


WARNING_SHOWN_FOR = 86400  # a day: long enough to be seen by the next shift, short enough to clear


def _problem(r: dict[str, Any]) -> str:
    """The last error of a failing source, else a warning from the last day (posts may be missing)."""
    if r["status"] != "ok":
        return r.get("last_error") or ""
    age = r.get("warning_age_seconds")
    if r.get("last_warning") and age is not None and age < WARNING_SHOWN_FOR:
        return f"{_age(age)} ago: {r['last_warning']}"
    return ""


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Sources with health, posts read today, estimated cost and cursor age."""
    rows = status_rows(settings_of(ctx))
    if as_json:
        click.echo(json.dumps(rows, indent=2, default=str))
        return
    click.echo(f"{'SOURCE':<18} {'BRAND':<12} {'STATUS':<15} {'POSTS TODAY':>11} {'COST TODAY':>10} "
               f"{'CURSOR AGE':>10}  PROBLEM")
    for r in rows:
        cost = "$" + format(float(r["cost_today"] or 0.0), ".3f")
        click.echo(f"{r['source']:<18} {r['brand']:<12} {r['status']:<15} {r['posts_today'] or 0:>11} "
                   f"{cost:>10} {_age(r['cursor_age_seconds']):>10}  {safe_line(_problem(r))[:100]}")
    total = sum(float(r["cost_today"] or 0) for r in rows)
    click.echo(f"Estimated spend today (UTC): ${total:.3f}")


@click.command()
@click.option("--source", "which", required=True,
              help="A platform (x, reddit, bluesky, mastodon) or one source: x-search, x-mentions, reddit-search, "
                   "reddit-subreddit, reddit-inbox, bluesky-search, bluesky-mentions, mastodon-mentions, "
                   "mastodon-hashtags.")
@click.option("--since", "since_text", required=True,
              help="How far back: 90m, 36h, 2d, 1w (X: 7 days at most; Mastodon: what the server keeps).")
@click.option("--brand", default=None, help="Only this brand (default: every brand).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def backfill(ctx: click.Context, which: str, since_text: str, brand: str | None, quiet: bool) -> None:
    """Fetch and store past mentions; live cursors are left alone, duplicates are ignored.

    Exits 1 when any source failed or cannot backfill (its line says why), so a cron job or script
    notices; a source stopped by its daily budget is not a failure. Exits 2, before fetching anything,
    for a --source, --since or --brand that names nothing. Before the first 'careline run' it
    creates the database (and says so).
    """
    settings = settings_of(ctx)
    window = parse_since(since_text)
    check_brand(settings, brand)
    note = new_database_note(settings)
    results = asyncio.run(run_backfill(settings, which, window, brand=brand, quiet=quiet))
    if note:
        click.echo(note, err=True)
    for r in results:
        tail = f" ({r.error})" if r.error else ""
        click.echo(f"{r.key}: {r.inserted} new mentions from {r.posts_read} posts read, "
                   f"{r.pages} pages, {r.status}{tail}")
    failed = [r.key for r in results if r.status in FAILED]
    if failed:
        click.echo(f"error: {len(failed)} of {len(results)} source(s) failed: {', '.join(failed)}", err=True)
        sys.exit(1)  # not ctx.exit: careline.app.cli.main runs click with standalone_mode=False


#: Backfill statuses that left history unread (``budget`` is the user's own limit, not a failure).
FAILED = ("failed", "unsupported")


async def run_backfill(settings: Settings, which: str, window: timedelta, *, brand: str | None = None,
                       quiet: bool = True) -> list[BackfillResult]:
    """Backfill every matching source in turn, one progress bar each."""
    planned = select_sources(build_sources(settings), which, brand)
    store = await Store(settings.service.database).open()
    now = utcnow()
    results = []
    try:
        for source, budget, _pages in planned:
            since = clamp_since(source, now - window, now)
            if since > now - window:  # the platform keeps less: said, so "30d" does not read as done
                click.echo(f"{source.key}: {source.platform} reaches back {_span(now - since)} at most; "
                           f"backfilling that", err=True)
            results.append(await _one(source, store, since, budget, now, quiet))
    finally:
        await store.close()
    return results


def _span(delta: timedelta) -> str:
    hours = round(delta.total_seconds() / 3600)
    return f"{hours // 24} days" if hours >= 48 and hours % 24 == 0 else f"{hours} hours"


async def _one(source: Source, store: Store, since: datetime, budget: Budget | None, now: datetime,
               quiet: bool) -> BackfillResult:
    """One source, with a tqdm bar measured in hours of history covered."""
    hours = max(1, round((now - since).total_seconds() / 3600))
    bars: list[Any] = []  # drawn at the first page: a source failing before any (a missing credential) drew an
    # empty bar, twice, before its error line

    def bar() -> Any:
        if not bars:
            bars.append(tqdm(total=hours, desc=source.key, unit="h", disable=quiet, leave=True))
        return bars[0]

    def progress(_key: str, stored: int, oldest: datetime | None) -> None:
        if oldest is not None:
            reached = min(hours, round((now - oldest).total_seconds() / 3600))
            bar().update(max(0, reached - bar().n))
        bar().set_postfix(stored=stored)

    await source.start()
    try:
        result = await backfill_source(source, store, since, budget=budget, progress=progress)
        if result.status == "ok":  # the walk reached ``since`` (or the start of the listing)
            bar().update(hours - bar().n)
    finally:
        await source.close()
        for drawn in bars:
            drawn.close()
    return result


COMMANDS: list[click.Command] = [status, backfill]
