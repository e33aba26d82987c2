"""Marketing's trends without a mouse: under each chart a "Data" table of the numbers it plots, each count a link
to the posts its bar opens, reached with Tab and Enter alone, at desktop width and on a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import login, real_errors, watched_page
from tests.browser.test_accessibility_browser import UNREACHABLE_SCROLL_JS
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser

#: What has the focus: its tag and text, the chart whose figure holds it, and, in a table, its column and row.
FOCUSED_JS = """() => { const e = document.activeElement;
  return {tag: e.tagName, text: e.textContent.trim(), chart: e.closest('figure')?.querySelector('.chart')?.id ?? null,
          column: e.closest('td')?.cellIndex ?? null,
          row: e.closest('tr')?.querySelector('th')?.textContent ?? null}; }"""
#: The sentiment chart's table as {sentiment: {day: count}}, and the bars Plotly drew from its traces.
TABLE_JS = """() => { const t = document.querySelector('figure:has(#chart-sentiment) details.chart-data table');
  const names = Array.from(t.tHead.rows[0].cells).slice(1).map(c => c.textContent), out = {};
  names.forEach((n, i) => { out[n] = {}; Array.from(t.tBodies[0].rows).forEach(r => {
    out[n][r.cells[0].textContent] = Number(r.cells[i + 1].textContent); }); });
  return out; }"""
CHART_JS = """() => { const out = {}; document.getElementById('chart-sentiment').data.forEach(tr => {
  out[tr.name] = {}; tr.x.forEach((x, i) => { out[tr.name][String(x).slice(0, 10)] = tr.y[i]; }); }); return out; }"""


@pytest.fixture(params=[1360, 390], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Any, live: LiveServer) -> Iterator[tuple[Any, int]]:
    context, p = watched_page(browser, live.url, request.param)
    yield p, request.param
    context.close()


def _tab_to(page: Any, wanted: Any, most: int = 120) -> dict[str, Any]:
    for _ in range(most):
        page.keyboard.press("Tab")
        focused: dict[str, Any] = page.evaluate(FOCUSED_JS)
        if wanted(focused):
            return focused
    raise AssertionError(f"{most} presses of Tab never reached it")


def test_tab_and_enter_reach_a_days_negative_posts_and_the_table_matches_the_chart(sized: tuple[Any, int]) -> None:
    page, width = sized
    login(page, "marketing")
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    _tab_to(page, lambda f: f["tag"] == "SUMMARY" and f["chart"] == "chart-sentiment")
    page.keyboard.press("Enter")  # opens the sentiment chart's data
    link = _tab_to(page, lambda f: f["tag"] == "A" and f["chart"] == "chart-sentiment" and f["column"] == 1)
    day, count = link["row"], int(link["text"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day) and count > 0
    page.keyboard.press("Enter")
    drill = page.locator("#drill")
    drill.locator(".status", has_text=re.compile(r"^Showing")).wait_for(timeout=10_000)
    assert drill.locator("h2").inner_text() == f"Posts: negative on {day}"
    assert page.evaluate("document.activeElement === document.querySelector('#drill h2')")  # the reader moves on
    status = drill.locator(".status").inner_text()
    assert status.endswith(f" of {count}, newest first; times in UTC.")  # the same posts as the bar, in the zone
    metas = drill.locator("li.post .meta").all_inner_texts()
    assert metas and all(re.search(rf" · {day} \d\d:\d\d · negative · ", m) for m in metas), metas  # the team's time

    # the numbers are the chart's and the server's
    table, chart = page.evaluate(TABLE_JS), page.evaluate(CHART_JS)
    assert table == chart and set(table) == {"negative", "neutral", "positive"}
    days = page.evaluate("JSON.parse(document.getElementById('trends-data').textContent).days")
    served = page.request.get(f"/api/trends?days={days}").json()["daily"]
    assert table == {s: {d["day"]: d[s] for d in served} for s in ("negative", "neutral", "positive")}

    # every chart's data open at once: the page keeps its width, and a table wider than the phone scrolls in itself
    page.evaluate("document.querySelectorAll('details.chart-data').forEach(d => { d.open = true; })")
    assert page.locator("details.chart-data").count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert page.evaluate(UNREACHABLE_SCROLL_JS) == []
    assert not real_errors(page), page.errors
