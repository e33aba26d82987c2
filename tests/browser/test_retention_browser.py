"""The lead's SLA page shows the retention policy, readable at 390 px without sideways scrolling."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import login, shot


def test_lead_sees_the_retention_policy_on_a_phone(page: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "lead")
    page.goto("/sla")
    section = page.locator("#retention")
    section.scroll_into_view_if_needed()
    assert "Raw platform payloads" in section.inner_text() and "90 days" in section.inner_text()
    assert "730 days after their last change" in section.inner_text()
    wide = page.evaluate("""() => [...document.querySelectorAll('main > *')]
        .filter(e => e.getBoundingClientRect().right > 391).map(e => e.id || e.className || e.tagName)""")
    print("wider than the phone:", wide)
    box = section.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(page, "sla-retention-390", full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
