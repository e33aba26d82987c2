"""A team in New York reads its trends in New York's days and hours: the window names the zone, a post from
late in the evening is on that evening's bar (not the next UTC day's), and the posts behind the bar and the
hourly chart read in New York time, at desktop width and on a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from careline.app.web.app import create_app
from careline.app.web.auth import create_user
from careline.app.web.migrations import WEB
from careline.domain import Role
from careline.settings import BrandSettings, ServiceSettings, Settings
from careline.store import Store
from tests.browser.conftest import login, real_errors, shot, watched_page
from tests.helpers.live import LiveServer
from tests.test_trend_days import NEW_YORK, post

pytestmark = pytest.mark.browser
ZONE = ZoneInfo(NEW_YORK)
#: A post at 02:00 UTC (today's, or yesterday's while today's is under an hour old): the evening before in New
#: York (21:00 or 22:00), which is the day before there.
AT = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0) - timedelta(days=datetime.now(UTC).hour < 3)


@pytest.fixture(scope="module")
def new_york(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = Store(tmp_path_factory.mktemp("days") / "careline.db", extra=[WEB]).open_sync()
    store.write_sync(lambda db: (create_user(db, "marketing", Role.MARKETING, "demo-password"), post(db, "late", AT)))
    settings = Settings(service=ServiceSettings(timezone=NEW_YORK),
                        brands=[BrandSettings(name="skylark", display_name="Skylark Air")])
    server = LiveServer(create_app(settings, store)).start()
    yield server
    server.stop()
    store.close_sync()


@pytest.mark.parametrize("width", [1360, 390])
def test_the_evening_post_is_on_new_yorks_day_and_hour(browser: Any, new_york: LiveServer, width: int) -> None:
    context, page = watched_page(browser, new_york.url, width)
    try:
        login(page, "marketing")
        page.goto("/trends?days=7")
        page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
        local = AT.astimezone(ZONE)
        assert "(America/New_York)" in page.locator("h1").inner_text()
        page.locator("figure:has(#chart-volume) details.chart-data summary").click()
        hours = dict(zip(page.locator("figure:has(#chart-volume) details.chart-data tbody tr th").all_inner_texts(),
                         page.locator("figure:has(#chart-volume) details.chart-data tbody tr td:first-of-type")
                         .all_inner_texts(), strict=True))
        assert hours[f"{local:%Y-%m-%d %H}:00"] == "1"  # the hour read in New York's clock
        page.locator("figure:has(#chart-sentiment) details.chart-data summary").click()
        rows = page.locator("figure:has(#chart-sentiment) details.chart-data tbody tr th").all_inner_texts()
        assert rows == [f"{local:%Y-%m-%d}"]  # New York's day; UTC's is the next one
        # a lone day's axis names that day alone: the padding's day before sat under the lowest y label
        for chart in ("chart-sentiment", "chart-complaints"):
            ticks = page.locator(f"#{chart} .xtick text").evaluate_all("ts => ts.map(t => t.textContent)")
            assert ticks == [f"{local:%d %b}"], (chart, ticks)
        page.locator("figure:has(#chart-sentiment) details.chart-data tbody tr td a").first.click()
        drill = page.locator("#drill")
        drill.locator(".status", has_text=re.compile(r"^Showing")).wait_for(timeout=10_000)
        assert f" · {local:%Y-%m-%d %H:%M} · negative · " in drill.locator("li.post .meta").inner_text()
        shot(page, f"trends-new-york-{width}")
        assert real_errors(page) == []
    finally:
        context.close()
