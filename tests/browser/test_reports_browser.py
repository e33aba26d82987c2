"""The lead's reports and marketing's drill-down in Chromium, at desktop width and on a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.browser.conftest import login, shot, watched_page
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(params=[1360, 390], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Any, live: LiveServer) -> Iterator[tuple[Any, int]]:
    context, p = watched_page(browser, live.url, request.param)
    yield p, request.param
    context.close()


def _fits(page: Any, width: int) -> None:
    """Nothing but a table's own scroller is wider than the screen."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def test_lead_picks_a_range_and_a_split(sized: tuple[Any, int], live: LiveServer) -> None:
    page, width = sized

    def hold(db: Any) -> None:
        now = datetime.now(UTC).isoformat()
        db.conn.execute("INSERT OR IGNORE INTO replies (conversation_id, text, state, created_by, created_at, "
                        "updated_at, idempotency_key) VALUES (1, 'Sorry <b>again</b>', 'awaiting_approval', "
                        "'agent', ?, ?, 'browser-held-1')", (now, now))

    live.store.write_sync(hold)  # type: ignore[attr-defined]
    login(page, "lead")
    page.goto("/reports")
    assert page.locator(".top nav .nav-count").first.inner_text().startswith("1")
    assert re.search(r"\d+(\.\d)?%", page.locator("#report-total .card").first.inner_text())
    assert page.locator("#report-rows tbody tr").count() >= 1  # by agent: the seeded agent and nobody
    page.get_by_label("Split by").select_option("platform")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"by=platform"))
    groups = page.locator("#report-rows tbody th[scope=row]").all_inner_texts()
    assert sorted(groups) == ["reddit", "x"]
    _fits(page, width)
    shot(page, f"reports-{'phone' if width < 500 else 'desktop'}")
    page.goto("/sla")
    _fits(page, width)
    shot(page, f"sla-{'phone' if width < 500 else 'desktop'}")
    assert not page.errors, page.errors


def test_marketing_clicks_a_bar_and_reads_the_posts(sized: tuple[Any, int]) -> None:
    page, width = sized
    login(page, "marketing")
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    bar = page.locator("#chart-sentiment g.point path").last
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    drill = page.locator("#drill")
    drill.wait_for(state="visible", timeout=10_000)
    # a locator wait, not wait_for_function: the page's CSP (script-src 'self') forbids its eval
    drill.locator(".status", has_text=re.compile(r"^Showing")).wait_for(timeout=10_000)
    assert drill.locator("h2").inner_text().startswith("Posts: ")
    assert drill.locator("li.post").count() >= 1
    assert drill.locator("li.post button, li.post form").count() == 0  # read-only
    assert page.evaluate("window.pwned === undefined")
    _fits(page, width)
    shot(page, f"trends-drill-{'phone' if width < 500 else 'desktop'}")
    assert not page.errors, page.errors


def test_one_day_of_data_keeps_day_labels(page: Any) -> None:
    login(page, "marketing")
    page.goto("/trends?days=1")
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    labels = page.locator("#chart-sentiment .xtick text").all_text_contents()
    assert labels and not any(re.search(r"\d\d:\d\d", t) for t in labels), labels
