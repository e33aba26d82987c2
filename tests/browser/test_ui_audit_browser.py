"""Fixes from a UI audit, checked in Chromium as a person sees them: a lead's approvals (the nav entry, the
confirmation, the result in words), a sent-back reply's one editor, marketing's logo and spike link, the
charts on a phone, tap targets and the keyboard help."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from careline.domain import to_iso
from tests.browser.conftest import login, real_errors, said, shot, watched_page
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser
STATIC = Path(__file__).resolve().parents[2] / "careline" / "app" / "web" / "static"
DEFENSIVE = "As we already explained, this is our policy."


class Dialogs:
    """confirm() answers: accepted unless told otherwise; every message is kept."""

    def __init__(self, page: Any) -> None:
        self.messages: list[str] = []
        self.accept = True
        page.on("dialog", self._answer)

    def _answer(self, dialog: Any) -> None:
        self.messages.append(dialog.message)
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


@pytest.fixture
def people(browser: Any, live: LiveServer) -> Iterator[tuple[Any, Any]]:
    agent_ctx, agent = watched_page(browser, live.url, 1360)
    lead_ctx, lead = watched_page(browser, live.url, 390)  # the lead is on a phone
    yield agent, lead
    agent_ctx.close()
    lead_ctx.close()


def _held_reply(agent: Any, index: int) -> tuple[str, str]:
    """The agent claims a fresh X conversation and sends a defensive reply, which waits for a lead;
    its id and the customer's handle."""
    agent.goto("/?status=new&platform=x")
    agent.wait_for_selector("tr.conv")
    conv = str(agent.locator("tr.conv").nth(index).get_attribute("data-id"))
    agent.goto(f"/conversations/{conv}")
    agent.keyboard.press("c")
    said(agent, r"done=claim")
    handle = agent.locator("h1").inner_text().split()[0]
    agent.get_by_label(re.compile("^Reply")).fill(DEFENSIVE)
    agent.get_by_label(re.compile("^Reply")).press("Control+Enter")
    said(agent, r"done=held")
    return conv, handle


def _approval(lead: Any, conv: str) -> Any:
    return lead.locator("li.approval").filter(has=lead.locator(f'a[href="/conversations/{conv}"]'))


def test_lead_finds_confirms_and_hears_back_about_approvals(people: tuple[Any, Any], live: LiveServer) -> None:
    agent, lead = people
    asked = Dialogs(lead)
    login(agent, "agent")
    login(lead, "lead")
    sent_back, _ = _held_reply(agent, 5)
    approved, handle = _held_reply(agent, 6)

    # the nav has an Approvals entry with the count on every page, and it leads to the panel, first on /sla
    for where in ("/reports", f"/conversations/{approved}", "/sla"):
        lead.goto(where)
        entry = lead.locator("#nav-approvals")
        assert entry.is_visible() and entry.get_attribute("href") == "/sla#approvals"
        assert re.match(r"Approvals\s+\d+", entry.inner_text()) and int(entry.locator(".nav-count").inner_text()
                                                                         .split()[0]) >= 2
    lead.goto("/reports")
    lead.locator("#nav-approvals").click()
    lead.wait_for_url(re.compile(r"/sla#approvals$"))
    assert lead.evaluate("document.getElementById('approvals').compareDocumentPosition("
                         "document.getElementById('attainment')) & Node.DOCUMENT_POSITION_FOLLOWING")
    shot(lead, "audit-approvals-first-phone", full_page=False)

    # "Send back" with no note is refused in place: the browser says a note is needed, nothing is posted
    item = _approval(lead, sent_back)
    item.get_by_role("button", name="Send back").click()
    note = item.get_by_placeholder("what to change")
    assert note.evaluate("n => !n.validity.valid && n.validationMessage !== ''")
    assert lead.url.endswith("/sla#approvals") and _approval(lead, sent_back).count() == 1
    note.fill("Please apologise first and offer a DM.")
    item.get_by_role("button", name="Send back").click()
    said(lead, r"/sla\?ok=.*#approvals$")
    assert lead.locator("#review-result").inner_text() == "Sent back to agent with your note."

    # approving a reply with tone findings asks first; saying no posts nothing
    item = _approval(lead, approved)
    asked.accept = False
    item.get_by_role("button", name="Approve and send").click()
    assert asked.messages and "tone guard flagged this reply (defensive, policy hiding)" in asked.messages[-1]
    assert handle in asked.messages[-1]
    assert _approval(lead, approved).count() == 1
    asked.accept = True
    item.get_by_role("button", name="Approve and send").click()
    said(lead, r"/sla\?ok=.*#approvals$")
    flash = lead.locator("#review-result")
    assert flash.is_visible() and flash.inner_text() == f"Approved and sent to {handle}."
    assert _approval(lead, approved).count() == 0
    shot(lead, "audit-approved-phone", full_page=False)
    # the message is signed: an edited link shows nothing
    lead.goto("/sla?ok=Approved+and+sent+to+%40someone&sig=0#approvals")
    assert lead.locator("#review-result").count() == 0

    # the agent whose reply came back sees one editor: the resubmit one; a new reply is one click away
    agent.goto(f"/conversations/{sent_back}")
    assert agent.locator("form.resubmit textarea").is_visible()
    assert not agent.locator("#editor-form").is_visible()
    assert not agent.locator("#act-send").is_visible()
    shot(agent, "audit-sent-back-one-editor")
    agent.get_by_role("link", name="write a new reply instead").click()
    assert agent.locator("#editor-form").is_visible() and agent.locator("#act-send").is_visible()

    # a refusal comes back to the panel in words, not as an error page: the author edited it meanwhile
    box = agent.locator("form.resubmit textarea")
    box.fill(DEFENSIVE + " Again.")
    agent.locator("form.resubmit").get_by_role("button", name="Resubmit").click()
    said(agent, r"done=held")  # still defensive: back to a lead
    lead.goto("/sla#approvals")
    lead.reload()  # the address was this one already (outcome.js took ?ok off): the goto loaded nothing
    item = _approval(lead, sent_back)
    item.wait_for()
    live.store.write_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]
        "UPDATE replies SET updated_at = ? WHERE conversation_id = ? AND state = 'awaiting_approval'",
        (to_iso(datetime.now(UTC)), int(sent_back))))
    item.get_by_role("button", name="Approve and send").click()
    said(lead, r"/sla\?refused=.*#approvals$")
    refusal = lead.locator("#review-result")
    assert refusal.is_visible() and "edited after you opened it" in refusal.inner_text()
    assert refusal.get_attribute("role") == "alert"
    assert lead.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not real_errors(agent) and not real_errors(lead), (agent.errors, lead.errors)


def test_marketing_logo_spike_link_and_charts_on_a_phone(browser: Any, live: LiveServer) -> None:
    context, page = watched_page(browser, live.url, 390)
    try:
        login(page, "marketing")
        page.goto("/account")
        assert page.locator(".top .brand").get_attribute("href") == "/trends"
        page.locator(".top .brand").click()
        page.wait_for_url(re.compile(r"/trends$"))
        page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
        assert page.locator(".modebar").count() == 0  # no toolbar over the data on a phone

        # the spike alert's link opens the posts on the page, not JSON
        link = page.locator(".alerts a", has_text="The posts").first
        assert link.get_attribute("href").startswith("#hour=")
        link.click()
        drill = page.locator("#drill")
        drill.locator(".status", has_text=re.compile(r"^Showing")).wait_for(timeout=10_000)
        assert "/trends" in page.url and "/api/" not in page.url
        assert drill.locator("h2").inner_text().startswith("Posts in the hour from ")
        assert drill.locator("li.post").count() >= 1

        # top intents: horizontal bars, every label whole
        data = page.evaluate("JSON.parse(document.getElementById('trends-data').textContent).intents")
        ticks = page.locator("#chart-intents .ytick text").all()
        top_down = [t.text_content() for t in sorted(ticks, key=lambda t: t.bounding_box()["y"])]
        assert top_down == [i["intent"].replace("_", " ") for i in data]
        # sentiment by platform: the legend reads in the bars' order, left to right
        legend = page.locator("#chart-platform-sentiment .legend .traces")
        names = [t.locator(".legendtext").text_content() for t in legend.all()]
        legend.first.scroll_into_view_if_needed()
        boxes = [t.bounding_box() for t in legend.all()]
        at = [(round(b["y"]), b["x"]) for b in boxes]  # reading order: rows, then left to right
        assert [n for _, n in sorted(zip(at, names, strict=True))] == ["negative", "neutral", "positive"]

        # the smallest language is as easy to hit as the largest: a tap beyond its short bar opens its posts
        languages = page.evaluate("JSON.parse(document.getElementById('trends-data').textContent).languages")
        last = languages[-1]
        hit = page.locator("#chart-languages g.trace.bars").nth(1).locator("g.point path").nth(len(languages) - 1)
        hit.scroll_into_view_if_needed()
        box = hit.bounding_box()
        assert box["width"] > 150
        page.mouse.click(box["x"] + box["width"] - 10, box["y"] + box["height"] / 2)
        name = "an unknown language" if last["language"] == "und" else (last["name"] or last["language"])
        drill.locator("h2", has_text=f"Posts in {name}").wait_for(timeout=10_000)
        assert "Posts: posts" not in drill.locator("h2").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        shot(page, "audit-trends-phone")
        assert not real_errors(page), page.errors
    finally:
        context.close()


def test_queue_and_conversation_on_a_touch_phone(browser: Any, live: LiveServer) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live.url, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    try:
        login(page, "agent")
        page.goto("/")
        assert page.evaluate("matchMedia('(hover: none)').matches")
        assert not page.locator(".filters .hint").is_visible()  # no keyboard, no shortcut hints
        for link in page.locator(".top nav a, .top .who a").all():
            assert link.bounding_box()["height"] >= 40, link.inner_text()
        cell = page.locator("tr.conv td.pick").first
        box = cell.bounding_box()
        assert box["width"] >= 40 and box["height"] >= 40
        page.touchscreen.tap(box["x"] + 3, box["y"] + 3)  # the cell's corner, not the checkbox
        assert cell.locator("input").is_checked()
        assert page.locator("#selected-count").inner_text() == "1 selected"
        page.touchscreen.tap(box["x"] + 3, box["y"] + 3)
        assert not cell.locator("input").is_checked()

        page.goto("/?status=new&platform=x")
        conv = page.locator("tr.conv").nth(8).get_attribute("data-id")
        page.goto(f"/conversations/{conv}")
        page.locator("#act-claim").tap()
        said(page, r"done=claim")
        assert not page.locator("#act-resolve kbd").is_visible()
        page.locator("#tag-input").fill("audit")
        page.get_by_role("button", name="Tag", exact=True).tap()
        page.wait_for_selector(".tags-list .tag")
        remove = page.get_by_role("button", name="Remove tag audit").bounding_box()
        assert remove["width"] >= 40 and remove["height"] >= 40
        # the snooze length sits with its Snooze button, in one group on one line
        group = page.locator("#form-snooze")
        select, button = group.locator("select").bounding_box(), group.locator("button").bounding_box()
        assert abs(select["y"] - button["y"]) < 4 and 0 <= button["x"] - (select["x"] + select["width"]) < 4
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator(".actions").scroll_into_view_if_needed()
        shot(page, "audit-conversation-actions-touch", full_page=False)
    finally:
        context.close()


def test_keyboard_help_lists_every_bound_key(browser: Any, live: LiveServer) -> None:
    js = (STATIC / "queue.js").read_text() + (STATIC / "conversation.js").read_text()
    bound = set(re.findall(r'e\.key === "([^"]+)"', js))
    bound |= set(re.findall(r"\b([a-z]): \"act-", js))
    assert {"j", "k", "x", "/", "e", "u", "c", "r", "s", "d", "t", "l", "o"} <= bound
    context, page = watched_page(browser, live.url, 1360)
    try:
        login(page, "agent")
        page.goto("/")
        page.keyboard.press("?")
        help_ = page.locator("#help")
        help_.wait_for()
        shown = set(help_.locator("kbd").all_text_contents())
        shown |= {"Escape"} if "Esc" in shown else set()
        assert bound - shown == set(), bound - shown
        # the three lists' descriptions start at one place (each list sized its key column to its own keys)
        starts = help_.locator("dd").evaluate_all("ds => ds.map(d => Math.round(d.getBoundingClientRect().left))")
        assert len(set(starts)) == 1, starts
        shot(page, "audit-keyboard-help", full_page=False)
    finally:
        context.close()


def _agent_on_a_new_conversation(browser: Any, live: LiveServer, width: int, nth: int) -> tuple[Any, Any, str]:
    """A browser of ``width`` px where the agent has opened the ``nth`` new X conversation: (context, page, id)."""
    context = browser.new_context(viewport={"width": width, "height": 844 if width < 500 else 900}, base_url=live.url)
    page = context.new_page()
    login(page, "agent")
    page.goto("/?status=new&platform=x")
    conv = str(page.locator("tr.conv").nth(nth).get_attribute("data-id"))
    page.goto(f"/conversations/{conv}")
    return context, page, conv


def test_a_narrow_window_lines_up_the_actions_and_wraps_a_long_escalation_note(browser: Any,
                                                                               live: LiveServer) -> None:
    """A desktop browser at 390 px (no touch): Snooze was the full width beside a short Claim, and Escalate half
    as wide as Snooze; a 500-letter word in an escalation note (within its maxlength) pushed the conversation and
    the queue sideways."""
    context, page, conv = _agent_on_a_new_conversation(browser, live, 390, 9)
    try:
        for names in (("claim", "snooze", "dismiss", "escalate"), ("resolve", "snooze", "dismiss", "escalate")):
            boxes = [page.locator(f"#act-{name}").bounding_box() for name in names]
            widths = [b["width"] for b in boxes]
            assert max(widths) - min(widths) < 4, (names, widths)
            right = [b["x"] + b["width"] for b in boxes]  # the buttons of the right column end together
            assert abs(right[1] - right[3]) < 2, (names, right)
            if "claim" in names:
                page.locator("#act-claim").click()
                said(page, r"done=claim")
        page.locator("#escalate-note").fill("x" * 500)
        page.locator("#act-escalate").click()
        said(page, r"done=escalate")
        assert page.locator(".reasons li", has_text="x" * 40).count() >= 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.set_viewport_size({"width": 1360, "height": 900})
        page.goto("/")  # an escalated conversation is near the top
        assert page.locator(f'tr.conv[data-id="{conv}"] td.why li', has_text="x" * 40).count() == 1
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


def test_what_was_just_done_is_said_once_not_again_on_reload_or_back(browser: Any, live: LiveServer) -> None:
    """The words came from the address: a reload said "Claimed." again, and Back to a bulk result offered its
    Undo again after it had been used."""
    context, page, conv = _agent_on_a_new_conversation(browser, live, 1360, 10)
    try:
        page.locator("#act-claim").click()
        said(page, r"done=claim")
        assert page.locator("#flash").inner_text().startswith("Claimed")
        assert page.url.endswith(f"/conversations/{conv}")  # the words left the address once shown
        page.reload()
        assert page.locator("#flash").count() == 0 or not page.locator("#flash").inner_text().strip()
        page.goto("/")
        page.go_back()
        page.wait_for_load_state()
        assert page.url.endswith(f"/conversations/{conv}")
        assert page.locator("#flash").count() == 0 or not page.locator("#flash").inner_text().strip()
        assert page.locator("#act-claim").count() == 0  # the page is today's: claimed, by this agent
    finally:
        context.close()
