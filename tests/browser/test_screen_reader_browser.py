"""What a screen reader and speech input meet on the conversation page (the accessibility audit of 2026-12-07):
the outcome of an action, the live tone check, one-key shortcuts that can be turned off; and the charts on a
phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import login, said
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser


def _claimed_any(page: Any, live: LiveServer) -> str:
    """Claim, with its key, the newest conversation nobody has touched, on any platform (the file's earlier tests
    claim the X ones)."""
    conv = str(live.store.read_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]
        "SELECT max(id) FROM conversations WHERE status = 'new' AND assignee IS NULL").fetchone()[0]))
    page.goto(f"/conversations/{conv}")
    page.keyboard.press("c")
    said(page, r"done=claim")
    return conv


def test_one_key_shortcuts_can_be_turned_off_and_an_outcome_is_read(page: Any, live: LiveServer) -> None:
    """The audit: a bare "r" resolved a conversation with no way to turn one-key shortcuts off (WCAG 2.1.4), and
    after an action the focus went back to the top of the page, past the line saying what happened."""
    login(page, "agent")
    conv = _claimed_any(page, live)
    assert page.evaluate("document.activeElement.id") == "flash"  # "Claimed." is where the focus is, so it is read
    page.keyboard.press("?")
    assert page.evaluate("document.activeElement.textContent") == "Close"  # the help opens on Close, as before
    page.locator("#single-keys").uncheck()
    page.keyboard.press("Escape")
    page.reload()
    page.keyboard.press("r")
    page.wait_for_timeout(400)
    assert page.url.endswith(f"/conversations/{conv}") and page.locator("#conv-status").inner_text() == "open"
    page.keyboard.press("?")  # the way back to the switch still works
    assert page.locator("#help").evaluate("d => d.open") and not page.locator("#single-keys").is_checked()
    page.locator("#single-keys").check()
    page.keyboard.press("Escape")


def test_the_tone_area_speaks_only_when_what_it_says_changes(page: Any, live: LiveServer) -> None:
    """#tone is a live region and was emptied and redrawn after every key: a screen reader read "Tone guard: no
    findings." again and again while the agent typed; the count, also live, read every number."""
    login(page, "agent")
    _claimed_any(page, live)
    assert page.locator("#count").get_attribute("aria-live") is None
    box = page.locator("#reply")
    with page.expect_response(re.compile(r"/api/drafts/check$")):
        box.fill("Thanks for telling us")
    page.wait_for_timeout(200)  # the answer drawn
    page.evaluate("""() => { window.toneChanges = 0;
      new MutationObserver(m => { window.toneChanges += m.length; })
        .observe(document.getElementById('tone'), {childList: true, subtree: true}); }""")
    for ch in " we are on it":
        box.press(ch if ch != " " else "Space")
        page.wait_for_timeout(300)  # past the check's 250 ms pause: each key is checked by the server
    assert page.evaluate("window.toneChanges") == 0
    box.fill("As we already explained, this is our policy.")
    page.wait_for_selector("#tone li.defensive")  # a change is still said
    assert page.evaluate("window.toneChanges") > 0


def test_a_phone_swipe_on_a_chart_scrolls_the_page_and_the_posts_are_not_read_whole(browser: Any,
                                                                                     live: LiveServer) -> None:
    """On a phone a swipe that began on a chart zoomed it (the page stayed put, the bars were cut); opening a bar's
    posts put all fifty into a live region, read out whole."""
    context = browser.new_context(viewport={"width": 390, "height": 800}, base_url=live.url, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    try:
        login(page, "marketing")
        page.goto("/trends")
        page.wait_for_selector("body[data-charts-drawn]", state="attached", timeout=20_000)
        fixed = page.evaluate("""() => { const l = document.getElementById('chart-sentiment')._fullLayout;
          return [l.dragmode, l.xaxis.fixedrange, l.yaxis.fixedrange]; }""")
        assert fixed == [False, True, True], fixed
        assert page.locator("#drill").get_attribute("aria-live") is None
        assert page.locator("#drill .status").get_attribute("role") == "status"  # "Showing 50 of 120" is said
    finally:
        context.close()


def test_on_a_phone_the_queue_filters_fold_behind_one_button(browser: Any, live: LiveServer) -> None:
    """The day-use audit: on a phone the filters took about 720 px before the first conversation. Search and Filter
    stay; the rest fold behind "More options", open when one of them is in use; at 1360 px nothing folds."""
    for width, folded in ((390, True), (1360, False)):
        context = browser.new_context(viewport={"width": width, "height": 800}, base_url=live.url)
        page = context.new_page()
        try:
            login(page, "agent")
            page.goto("/")
            platform = page.locator("select[name=platform]")
            assert platform.is_visible() is not folded and page.locator("#q").is_visible()
            if folded:
                first = page.locator("tr.conv").first.bounding_box()
                assert first is not None and first["y"] < 600, first  # the first conversation within the first screen
                more = page.locator("button.more-toggle")
                assert more.inner_text() == "More options"
                more.click()
                assert platform.is_visible() and more.get_attribute("aria-expanded") == "true"
                assert more.inner_text() == "Fewer options"
                page.goto("/?platform=x")  # a filter in use: shown open
                assert page.locator("select[name=platform]").is_visible()
            else:
                assert not page.locator(".more-toggle").is_visible()
        finally:
            context.close()
