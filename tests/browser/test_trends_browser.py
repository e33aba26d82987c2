"""Marketing's trends split by platform and language, complaint topics and a spike alert's link, in
Chromium at desktop width and on a 390 px phone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from careline.domain import to_iso
from tests.browser.conftest import login, shot, watched_page
from tests.helpers.live import LiveServer
from tests.test_web_trends_platforms import add_posts

pytestmark = pytest.mark.browser
NOW = datetime.now(UTC)


def _more(db: Any) -> None:
    """Posts on Bluesky and Mastodon (in German), and two new complaint topics: 6 posts (rising) and 4
    (too few to flag)."""
    keys = add_posts(db, "bluesky", 6, at=NOW - timedelta(hours=3))
    keys += add_posts(db, "mastodon", 4, language="de", sentiment="neutral", start=50, at=NOW - timedelta(days=2))
    stamp = to_iso(NOW)
    db.conn.executemany("INSERT INTO topics (id, centroid, size, words, label, encoder, created_at, updated_at) "
                        "VALUES (?, x'00', ?, ?, ?, 'test', ?, ?)",
                        [(1, 6, '["luggage", "lost", "bag"]', "luggage · lost · bag", stamp, stamp),
                         (2, 4, '["wifi", "<b>onboard</b>"]', "wifi · <b>onboard</b>", stamp, stamp)])
    db.conn.executemany("INSERT INTO mention_topics (mention_key, topic_id, similarity, assigned_at) "
                        "VALUES (?, ?, 0.6, ?)",
                        [(k, 1 if i < 6 else 2, stamp) for i, k in enumerate(keys)])


@pytest.fixture(scope="module")
def more(live: LiveServer) -> LiveServer:
    live.store.write_sync(_more)  # type: ignore[attr-defined]
    return live


@pytest.fixture(params=[1360, 390], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Any, more: LiveServer) -> Iterator[tuple[Any, int]]:
    context, p = watched_page(browser, more.url, request.param)
    yield p, request.param
    context.close()


def _drill(page: Any) -> Any:
    drill = page.locator("#drill")
    drill.wait_for(state="visible", timeout=10_000)
    drill.locator(".status", has_text=re.compile(r"^Showing")).wait_for(timeout=10_000)
    return drill


def test_platform_chart_and_topics_lead_to_their_posts(sized: tuple[Any, int]) -> None:
    page, width = sized
    login(page, "marketing")
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    legend = page.locator("#chart-platforms .legendtext").all_text_contents()
    assert sorted(legend) == ["Bluesky", "Mastodon", "Reddit", "X"]
    # the first row: four figures, side by side on a desk and two by two on a phone, the first being the
    # sentiment chart's posts summed; the seed's 14 days leave nothing in the 30 days before, and it says so
    cards = page.locator("#headline .card")
    assert cards.locator("h2").all_inner_texts() == ["Mentions", "Negative", "Complaint rate", "Estimated NPS"]
    total = page.evaluate("JSON.parse(document.getElementById('trends-data').textContent).daily"
                          ".reduce(function (n, d) { return n + d.total; }, 0)")
    assert cards.first.locator(".big").inner_text() == f"{total:,}"
    assert cards.nth(1).inner_text().endswith("nothing counted in the 30 days before")
    assert "nothing before this window to compare with" in page.locator("#headline-heard").inner_text()
    tops = {round(cards.nth(i).bounding_box()["y"]) for i in range(4)}
    assert len(tops) == (1 if width > 500 else 2)
    # the languages chart names each language, not its code
    ticks = page.evaluate("Array.from(document.querySelectorAll('#chart-languages .ytick text'))"
                          ".sort(function (a, b) { return a.getBoundingClientRect().top"
                          " - b.getBoundingClientRect().top; })"
                          ".map(function (e) { return e.textContent; })")
    assert ticks[:2] == ["English", "German"]  # named, the largest on top
    shares = page.locator("#chart-platform-sentiment .xtick text")
    assert shares.all_text_contents()[-1] == "100%"
    label = shares.last.bounding_box()
    figure = page.locator("#chart-platform-sentiment svg.main-svg").first.bounding_box()
    assert label and figure and label["x"] + label["width"] <= figure["x"] + figure["width"]  # it was cut at the edge
    bar = page.locator("#chart-platforms g.trace.bars").nth(3).locator("g.point path").last  # Mastodon
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    drill = _drill(page)
    assert drill.locator("h2").inner_text().startswith("Posts: Mastodon on ")
    metas = drill.locator("li.post .meta").all_inner_texts()
    assert metas and all(" on mastodon " in m for m in metas)
    topics = page.locator("#topics")
    assert topics.locator("tr.rising").count() == 1  # luggage (6 new); wifi has 4, below the minimum of 5
    assert topics.get_by_role("link", name="wifi · <b>onboard</b>").count() == 1  # a label is text, not HTML
    topics.get_by_role("link", name="luggage · lost · bag").click()
    drill.locator("h2", has_text="luggage").wait_for(timeout=10_000)
    drill.locator(".status", has_text="Showing 6 of 6").wait_for(timeout=10_000)
    # sentiment by language: a segment opens that language's posts of that sentiment, as many as it says
    languages = page.evaluate("JSON.parse(document.getElementById('trends-data').textContent).languages")
    at, german = next((i, lang) for i, lang in enumerate(languages) if lang["language"] == "de")
    mood = max(("negative", "neutral", "positive"), key=lambda s: german[s])
    segment = page.locator("#chart-language-sentiment g.trace.bars").nth(["negative", "neutral", "positive"]
                                                                          .index(mood)).locator("g.point path").nth(at)
    segment.scroll_into_view_if_needed()
    box = segment.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    drill.locator("h2", has_text=f"{mood} posts in German").wait_for(timeout=10_000)
    drill.locator(".status", has_text=f"Showing {german[mood]} of {german[mood]}").wait_for(timeout=10_000)
    market = drill.get_by_role("link", name="every chart for German")  # that market's own trends, one click away
    assert "language=de" in (market.get_attribute("href") or "") and market.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.locator("#topics").scroll_into_view_if_needed()
    shot(page, f"trends-platforms-{'phone' if width < 500 else 'desktop'}")
    # a bar of more than a page: 50 first, "Show more" adds the next 50 under them, none twice
    most = languages[0]["total"]
    assert most > 50
    bar = page.locator("#chart-languages g.trace.bars g.point path").first
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    drill.locator(".status", has_text=f"Showing 50 of {most}").wait_for(timeout=10_000)
    drill.get_by_role("button", name="Show more").click()
    drill.locator(".status", has_text=f"Showing {min(100, most)} of {most}").wait_for(timeout=10_000)
    texts = drill.locator("li.post").all_inner_texts()
    assert len(texts) == min(100, most) and drill.get_by_role("button", name="Show more").is_visible() == (most > 100)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert not page.errors, page.errors


def test_the_platform_filter_and_a_spike_alert_link(page: Any, more: LiveServer) -> None:
    login(page, "marketing")
    page.goto("/trends")
    page.locator("select[name=platform]").select_option("bluesky")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"platform=bluesky"))
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    assert "bluesky" in page.locator("h1 small").inner_text()
    assert page.locator("#chart-platforms g.trace.bars").count() == 1  # Bluesky only
    hour = (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H")
    page.goto(f"/trends?brand=skylark&days=7#hour={hour}")  # what a spike alert links to
    drill = _drill(page)
    assert hour.replace("T", " ") in drill.locator("h2").inner_text()
    assert drill.locator("li.post").count() >= 6
    assert not page.errors, page.errors


def test_the_language_filter_shows_one_markets_trends(sized: tuple[Any, int]) -> None:
    """Marketing picks German: every figure is of the German posts, the drill-down stays in German, and the page
    still fits a phone with a fourth filter."""
    page, width = sized
    login(page, "marketing")
    page.goto("/trends")
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    choices = page.locator("select[name=language] option").all_inner_texts()
    assert choices[:3] == ["all", "English", "German"]  # most mentions first, by name
    page.locator("select[name=language]").select_option(label="German")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"language=de"))
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    assert page.locator("h1 small").inner_text().endswith("posts in German")
    data = page.evaluate("JSON.parse(document.getElementById('trends-data').textContent)")
    assert [r["language"] for r in data["languages"]] == ["de"]
    assert page.locator("#headline .card .big").first.inner_text() == str(data["languages"][0]["total"]) == "4"
    assert [p["platform"] for p in data["platform_totals"] if p["total"]] == ["mastodon"]
    ticks = page.locator("#chart-sentiment .ytick text").all_text_contents()  # 4 posts: 0 1 2 3 4, not 0.5 steps
    assert ticks and all(t.isdigit() for t in ticks), ticks
    shares = page.locator("#chart-platform-sentiment .xtick text").all_text_contents()
    assert shares[-1] == "100%", shares  # the bars reach 100 %: the axis stopped at 80
    assert "Names and counts here are of the posts in German" in page.locator("#topics").inner_text()
    topics = page.locator("#topics a.topic")
    assert topics.count() == 1  # the German posts' topic, named by them now, not "wifi · <b>onboard</b>"
    topics.first.click()
    drill = _drill(page)
    drill.locator(".status", has_text="Showing 4 of 4").wait_for(timeout=10_000)
    assert "language=de" in (drill.locator("a.json").get_attribute("href") or "")
    assert drill.locator(".market").is_hidden()  # the page is that market's already
    csv = page.locator("a.csv").first.get_attribute("href") or ""
    assert "language=de" in csv and "bom=1" in csv
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.locator("form.filters").scroll_into_view_if_needed()
    shot(page, f"trends-language-{'phone' if width < 500 else 'desktop'}")
    assert not page.errors, page.errors


def test_a_filter_that_matches_nothing_draws_a_readable_day_axis(sized: tuple[Any, int]) -> None:
    """The newcomer audit: with no day of posts (a first day, a filter matching nothing) each day chart drew
    Plotly's default year 2000 with a tick a day, 367 labels smeared into a black band."""
    page, width = sized
    login(page, "marketing")
    page.goto("/trends?platform=mastodon&language=th")
    page.wait_for_selector("#chart-sentiment .xtick text", state="attached", timeout=20_000)
    page.wait_for_selector("body[data-charts-drawn]", state="attached", timeout=20_000)
    for chart in ("#chart-sentiment", "#chart-complaints"):
        labels = page.locator(f"{chart} .xtick text").all_text_contents()
        assert 0 < len(labels) <= 16, (chart, labels)
        assert not any("Jan" in label and "2000" in label for label in labels), labels
    shot(page, f"trends-empty-{width}")
    assert not page.errors, page.errors
