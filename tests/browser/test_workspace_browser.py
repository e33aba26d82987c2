"""The agent's workspace in Chromium, on a desktop and on a phone: search, bulk work with undo, notes
with @mentions, tags, saved views, the saved-reply picker and the dense queue."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import login, said, shot
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser
#: A lead on a desktop and an agent on a phone: both roles, both widths, in two runs of one test.
AS_LEAD_AND_AGENT = pytest.mark.parametrize(("who", "width"), [("lead", 1360), ("agent", 390)],
                                            ids=["lead-desktop", "agent-phone"])


@pytest.mark.parametrize("width", [1360, 390], ids=["desktop", "phone"])
def test_search_bulk_tag_and_undo(browser: Any, live: LiveServer, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    login(page, "lead")
    page.goto("/")
    page.get_by_label("Search", exact=True).fill("refund")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q=refund"))
    texts = page.locator("tr.conv td.text a").all_inner_texts()
    assert texts and all("refund" in t.lower() for t in texts)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    shot(page, f"search-{'phone' if width < 500 else 'desktop'}", full_page=False)

    boxes = page.locator("td.pick input")
    boxes.nth(0).check()
    boxes.nth(1).check()
    assert page.locator("#selected-count").inner_text() == "2 selected"
    page.locator("#bulk-action").select_option("tag")
    page.locator("#bulk-tag").fill(f"refund-wave-{width}")
    page.locator("#bulk-apply").click()
    said(page, r"bulk=")
    assert page.locator("#bulk-result").inner_text().startswith("Tagged 2 conversations.")
    page.goto(f"/?tag=refund-wave-{width}")
    assert page.locator("tr.conv").count() == 2
    page.goto("/?q=refund")
    page.locator("td.pick input").nth(0).check()
    page.locator("#bulk-action").select_option("resolve")
    page.locator("#bulk-apply").click()  # confirm() is accepted
    said(page, r"bulk=")
    result = page.locator("#bulk-result").inner_text()
    assert result.startswith("Resolved 1 conversation.") or "refused" in result
    if result.startswith("Resolved 1"):
        page.locator("#bulk-undo").click()
        said(page, r"bulk=")
        assert page.locator("#bulk-result").inner_text().startswith("Undid 1 conversation.")
    assert not errors, errors
    context.close()


def test_notes_mentions_tags_saved_view_and_saved_replies(page: Any, live: LiveServer) -> None:
    login(page, "agent")
    page.goto("/?status=new")
    page.locator("tr.conv td.text a").first.click()
    page.wait_for_url(re.compile(r"/conversations/\d+$"))
    conv_url = page.url
    page.get_by_label("Note for colleagues").fill("Checked the booking: @lead can you approve a goodwill voucher?")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_url(re.compile(r"#notes$"))
    assert "goodwill voucher" in page.locator("#notes .notes").inner_text()
    page.get_by_label("New tag").fill("Goodwill")
    page.get_by_role("button", name="Tag", exact=True).click()
    assert "#goodwill" in page.locator("#tags .tags-list").inner_text()

    editor = page.get_by_label(re.compile("^Reply"))
    page.locator(".saved-replies summary").click()
    page.locator(".use-template").filter(has_text="question").click()  # replaces the text after confirm()
    assert editor.input_value() and "@" not in editor.input_value()[:1]
    page.wait_for_selector("#count")

    page.goto("/?q=goodwill")
    assert page.locator("tr.conv").count() >= 1
    page.get_by_label("View name").fill("Goodwill cases")
    page.get_by_role("button", name="Save view").click()
    page.wait_for_url(re.compile(r"q=goodwill"))
    assert page.get_by_role("link", name="Goodwill cases").count() == 1
    page.get_by_role("button", name="Delete view Goodwill cases").click()
    page.wait_for_selector("#view-undo")
    assert "Deleted the view “Goodwill cases”." in page.locator("#bulk-result").inner_text()
    assert page.get_by_role("link", name="Goodwill cases").count() == 0
    page.locator("#view-undo").click()
    page.wait_for_url(re.compile(r"q=goodwill"))
    assert page.get_by_role("link", name="Goodwill cases").count() == 1
    page.goto("/?dense=1")
    assert page.locator("table.queue.dense").count() == 1
    assert page.locator("tr.conv").count() > 50  # twice the rows of a normal page (seeded 225)

    login(page, "lead")
    page.goto("/")
    assert "1 new" in page.locator("#mentions-link").inner_text()
    page.locator("#mentions-link").click()
    assert "goodwill voucher" in page.locator("ol.notes").inner_text()
    assert conv_url.endswith(page.locator("ol.notes a").first.get_attribute("href").split("#")[0])
    assert not page.errors, page.errors  # type: ignore[attr-defined]


@pytest.mark.parametrize(("who", "width"), [("agent", 1360), ("lead", 390)], ids=["agent-desktop", "lead-phone"])
def test_correcting_the_model_s_reading_and_restoring_it(browser: Any, live: LiveServer, who: str,
                                                         width: int) -> None:
    """The classifier panel's "The model misread this?": the correction shows who made it and what the
    model said, moves the priority, and "Restore the model's reading" takes it back."""
    from tests.browser.conftest import watched_page

    context, page = watched_page(browser, live.url, width)
    try:
        login(page, who)
        found = live.store.read_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]
            "SELECT v.id, v.priority FROM conversations v JOIN mentions m ON m.thread_key = v.thread_key "
            "JOIN classifications c ON c.mention_key = m.key LEFT JOIN reading_corrections r ON r.mention_key = m.key "
            "WHERE c.complaint >= 0.5 AND r.mention_key IS NULL AND v.status = 'new' ORDER BY v.id DESC LIMIT 1"
        ).fetchone())
        conv_id = found[0]
        page.goto(f"/conversations/{conv_id}")
        page.get_by_text("The model misread this?").click()
        page.get_by_label("not a complaint").check()
        page.get_by_label("Sentiment").select_option("neutral")
        page.locator("#reading-intent").select_option("refund_return")
        page.get_by_role("button", name="Save correction").click()
        said(page, r"done=reading")
        note = page.locator("#classifier .corrected-note")
        assert f"Corrected by {who}" in note.inner_text() and "The model read it as a complaint" in note.inner_text()
        assert page.locator("#classifier meter").first.get_attribute("value") == "0.0"  # complaint 0 %
        assert "refund return 100%" in page.locator("#classifier").inner_text()
        box = note.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width  # no sideways scrolling on a phone
        after = live.store.read_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]
            "SELECT priority FROM conversations WHERE id = ?", (conv_id,)).fetchone()[0])
        assert after < found[1]
        shot(page, f"reading-corrected-{width}")
        page.goto("/")  # a lead reviewing the team's corrections ticks "Corrected"
        if page.locator("button.more-toggle").is_visible():  # a phone folds the filters beyond search
            page.locator("button.more-toggle").click()
        page.get_by_label("Corrected").check()
        page.get_by_role("button", name="Filter").click()
        page.wait_for_url(re.compile(r"corrected=1"))
        row = page.locator(f'tr.conv[data-id="{conv_id}"]')
        assert f"corrected by {who}" in row.inner_text()
        assert all("corrected by" in t for t in page.locator("tr.conv").all_inner_texts())
        if who == "lead":  # the SLA page counts the team's corrections, by direction, language and person
            page.goto("/sla")
            panel = page.locator("#corrections")
            panel.evaluate("e => e.scrollIntoView({block: 'start'})")
            assert "complaint the model missed" in panel.inner_text() or "complaints the model missed" in \
                panel.inner_text()
            assert f"{who} (" in panel.inner_text() and panel.locator("table tbody tr").count() >= 1
            box = panel.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width
            shot(page, f"sla-corrections-{width}", full_page=False)
        page.goto(f"/conversations/{conv_id}")
        page.get_by_role("button", name="Restore the model's reading").click()
        said(page, r"done=reading_restored")
        assert page.locator("#classifier .corrected-note").count() == 0
        assert not page.errors, page.errors
    finally:
        context.close()


@AS_LEAD_AND_AGENT
def test_correcting_an_earlier_message_returns_to_that_message(browser: Any, live: LiveServer, who: str,
                                                                width: int) -> None:
    """An earlier customer message's "Misread?" form saves its own reading and brings the person back to
    that message, not to the panel at the foot of a phone's page."""
    from tests.browser.conftest import watched_page

    def follow_up(db: Any) -> int:
        """The customer writes again on an open, uncorrected conversation: its first message is now an
        earlier one, with its own form."""
        from careline.domain import to_iso

        conv_id, key, at = db.conn.execute(
            "SELECT v.id, m.key, m.created_at FROM conversations v "
            "JOIN mentions m ON m.thread_key = v.thread_key LEFT JOIN reading_corrections r ON r.mention_key = m.key "
            "WHERE v.status = 'new' AND r.mention_key IS NULL AND m.key LIKE '%:seed%' ORDER BY v.id LIMIT 1"
        ).fetchone()
        db.conn.execute(
            "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
            "fetched_at, conversation_id, thread_key, in_reply_to_id, language, raw, stage) "
            "SELECT key || ':again', platform, platform_id || 'b', brand, source, author_key, 'Any news on this?', "
            "url, ?, fetched_at, conversation_id, thread_key, NULL, 'en', '{}', 'routed' FROM mentions WHERE key = ?",
            (to_iso(datetime.fromisoformat(at) + timedelta(minutes=1)), key))
        db.conn.execute(
            "INSERT INTO classifications (mention_key, model_version, sentiment, sentiment_scores, complaint, "
            "detractor, intent, intent_scores, urgency, reasons, classified_at) SELECT mention_key || ':again', "
            "model_version, 'neutral', '{}', 0.2, 0.2, 'question', '{}', 0, '[]', classified_at "
            "FROM classifications WHERE mention_key = ?", (key,))
        return int(conv_id)

    conv_id = live.store.write_sync(follow_up)  # type: ignore[attr-defined]
    context, page = watched_page(browser, live.url, width)
    try:
        login(page, who)
        page.goto(f"/conversations/{conv_id}")
        first = page.locator("#message-1")
        first.get_by_text("Misread?").click()
        first.get_by_label("a complaint", exact=True).check()
        first.get_by_role("button", name="Save correction").click()
        said(page, r"done=reading#message-1$")
        assert f"corrected by {who}" in page.locator("#message-1 .tags").inner_text()
        assert page.locator("#classifier .corrected-note").count() == 0  # the latest message is untouched
        top = page.locator("#message-1").bounding_box()
        assert top is not None and -5 <= top["y"] < 900  # the message is in view, not the page's head or foot
        assert not page.errors, page.errors
    finally:
        context.close()


@AS_LEAD_AND_AGENT
def test_marking_a_wave_of_misread_posts_from_the_queue_and_undoing_it(browser: Any, live: LiveServer, who: str,
                                                                        width: int) -> None:
    """Select rows, "Mark latest message not a complaint", confirm: each row says who corrected it and the flash offers
    Undo, which puts the model's reading back on every one."""
    from tests.browser.conftest import watched_page

    context, page = watched_page(browser, live.url, width)
    try:
        page.on("dialog", lambda d: d.accept())
        login(page, who)
        page.goto("/?q=refund")
        rows = page.locator("tr.conv:not(:has(.tag.corrected))")
        ids = [rows.nth(i).get_attribute("data-id") for i in range(2)]
        for i in ids:
            page.locator(f'tr.conv[data-id="{i}"] td.pick input').check()
        page.locator("#bulk-action").select_option("mark_not_complaint")
        page.locator("#bulk-apply").click()  # the confirm() dialog is accepted
        said(page, r"bulk=")
        done = page.locator("#bulk-result").inner_text()
        assert done.startswith("Marked the latest message not a complaint in 2 conversations."), done
        for i in ids:
            assert f"corrected by {who}" in page.locator(f'tr.conv[data-id="{i}"]').inner_text()
        page.locator("#bulk-undo").click()
        said(page, r"bulk=")
        assert page.locator("#bulk-result").inner_text().startswith("Restored the model's reading of 2 conversations.")
        for i in ids:
            assert "corrected by" not in page.locator(f'tr.conv[data-id="{i}"]').inner_text()
        shot(page, f"bulk-mark-undone-{width}", full_page=False)
        assert not page.errors, page.errors
    finally:
        context.close()


def test_a_bulk_action_missing_its_value_is_asked_for_and_a_refused_one_keeps_the_choice(browser: Any,
                                                                                         live: LiveServer) -> None:
    """An assignment to nobody was confirmed, then "2 refused: no agent called ''"; a refused tag came back to
    a queue with nothing ticked and "Resolve" chosen, one confirmation away from resolving the rows."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=live.url)
    page = context.new_page()
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    try:
        login(page, "lead")
        page.goto("/?status=new&platform=reddit")
        boxes = page.locator("td.pick input")
        ids = [boxes.nth(i).get_attribute("value") for i in (1, 2)]
        boxes.nth(1).check()
        boxes.nth(2).check()
        page.locator("#bulk-action").select_option("assign")
        page.locator("#bulk-apply").click()
        assert asked == []  # no confirmation for an assignment to nobody: the person is asked for
        asking = page.locator("#bulk-agent").evaluate("s => s.validationMessage")
        assert asking == "Choose the person to assign them to.", asking
        assert page.locator("#bulk-result").count() == 0

        page.locator("#bulk-action").select_option("tag")
        page.locator("#bulk-tag").fill("bad!tag")
        page.locator("#bulk-apply").click()
        said(page, r"oops=")
        assert asked and asked[-1].startswith("Add tag: 2 conversations?")
        assert "tag" in page.locator("#refused").inner_text().lower()
        ticked = [b.get_attribute("value") for b in page.locator("td.pick input:checked").all()]
        assert ticked == ids and page.locator("#selected-count").inner_text() == "2 selected"
        assert page.locator("#bulk-action").input_value() == "tag"
        assert page.locator("#bulk-tag").input_value() == "bad!tag"
        page.reload()  # kept for the refusal's own page only
        assert page.locator("td.pick input:checked").count() == 0
    finally:
        context.close()


def test_a_long_view_name_without_spaces_keeps_its_delete_button_on_a_phone(browser: Any, live: LiveServer) -> None:
    """A 40-letter name with no space made the queue 399 px wide on a 390 px phone, its × off the screen."""
    context = browser.new_context(viewport={"width": 390, "height": 900}, base_url=live.url)
    page = context.new_page()
    login(page, "lead")
    page.goto("/?brand=skylark")
    name = "V" * 40
    page.get_by_label("View name").fill(name)
    page.get_by_role("button", name="Save view").click()
    page.wait_for_url(re.compile(r"brand=skylark"))
    delete = page.get_by_role("button", name=f"Delete view {name}")
    box = delete.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    delete.click()
    page.wait_for_selector("#view-undo")
    context.close()
