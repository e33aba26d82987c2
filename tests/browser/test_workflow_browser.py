"""Two people on one conversation in Chromium: presence, the owner rule, a held reply sent back and resubmitted.

An agent and a lead each have their own browser context (their own session) on the same live server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import login, said, shot, watched_page
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser


def _context(browser: Any, live: LiveServer, width: int) -> Any:
    context, page = watched_page(browser, live.url, width)
    page.on("dialog", lambda d: d.accept())  # confirm() of a destructive action: the person says yes
    return context, page


@pytest.fixture
def pair(browser: Any, live: LiveServer) -> Iterator[tuple[Any, Any]]:
    agent_ctx, agent = _context(browser, live, 1360)
    lead_ctx, lead = _context(browser, live, 390)  # the lead is on a phone
    yield agent, lead
    agent_ctx.close()
    lead_ctx.close()


def _fresh_conversation(page: Any) -> str:
    page.goto("/?status=new&platform=x")
    page.wait_for_selector("tr.conv")
    return str(page.locator("tr.conv").nth(2).get_attribute("data-id"))


def _claimed_by_the_agent(agent: Any, lead: Any) -> str:
    """Both signed in; the agent opens a fresh conversation and claims it with the keyboard."""
    login(agent, "agent")
    login(lead, "lead")
    conv = _fresh_conversation(agent)
    agent.goto(f"/conversations/{conv}")
    agent.keyboard.press("c")
    said(agent, r"done=claim")
    return conv


def test_agent_and_lead_on_one_conversation(pair: tuple[Any, Any]) -> None:
    agent, lead = pair
    conv = _claimed_by_the_agent(agent, lead)
    assert agent.locator("#owner").inner_text() == "You are working on this."
    agent.get_by_label(re.compile("^Reply")).fill("As we already explained, this is our policy.")

    lead.goto(f"/conversations/{conv}")
    assert "agent holds this conversation" in lead.locator(".held-by").inner_text()
    assert lead.locator("#editor-form").count() == 0  # no reply box: replying is the owner's
    lead.wait_for_selector("#presence:has-text('agent')", timeout=15_000)
    agent.wait_for_selector("#presence:has-text('viewing: lead')", timeout=15_000)
    shot(lead, "conversation-held-by-phone", full_page=False)

    agent.get_by_label(re.compile("^Reply")).press("Control+Enter")  # defensive: held for a lead
    said(agent, r"done=held")
    flash = agent.locator("#flash").inner_text()
    assert flash.startswith("Waiting for approval by a lead: tone guard: defensive ('As we already explained')")
    assert "waiting for approval by a lead" in agent.locator(".msg.reply .reply-state").last.inner_text()
    held_box = agent.get_by_label(re.compile("^Reply")).input_value()  # the words live in the held reply now,
    assert held_box != "As we already explained, this is our policy."  # with "Withdraw to edit" under it
    assert agent.locator("#answered").is_visible()  # a second reply needs the deliberate tick

    lead.goto("/sla#approvals")
    item = lead.locator("li.approval").filter(has=lead.locator(f'a[href="/conversations/{conv}"]'))
    assert "wrote:" in item.locator(".customer").inner_text()
    assert "As we already explained" in item.locator(".draft").inner_text()
    assert "defensive" in item.locator(".tone").inner_text()
    item.scroll_into_view_if_needed()
    shot(lead, "approvals-phone", full_page=False)
    item.get_by_placeholder("what to change").fill("Please apologise first and offer a DM.")
    item.get_by_role("button", name="Send back").click()
    lead.wait_for_url(re.compile(r"/sla"))

    agent.wait_for_selector("#live-note:not([hidden])", timeout=15_000)
    assert "sent your reply back" in agent.locator("#live-note").inner_text()
    assert agent.locator("#flash").is_hidden()  # "Waiting for approval by a lead" is the past now
    agent.locator("#live-show").click()
    agent.wait_for_selector(".send-back")
    assert "Please apologise first and offer a DM." in agent.locator(".send-back").inner_text()
    box = agent.locator("form.resubmit textarea")
    box.fill("Sorry about this. Please send us a DM and we'll sort it out today.")
    agent.locator("form.resubmit").get_by_role("button", name="Resubmit").click()
    said(agent, r"done=held")  # back to the lead who asked for the change
    assert "lead sent it back, so a lead reads the new text" in agent.locator("#flash").inner_text()
    assert "waiting for approval by a lead" in agent.locator(".msg.reply .reply-state").last.inner_text()
    assert "reviewed by" not in agent.locator(".msg.reply .meta").last.inner_text()  # the new text is not, yet
    shot(agent, "conversation-resubmitted")

    lead.goto("/sla#approvals")  # the lead sees what changed, and only then is it posted
    lead.reload()  # the address is the same (only the hash differs from it): the goto loaded nothing
    item = lead.locator("li.approval").filter(has=lead.locator(f'a[href="/conversations/{conv}"]'))
    assert "changes since you sent it back" in item.locator(".draft").inner_text()
    assert "Sorry" in item.locator(".draft ins").first.inner_text()
    item.get_by_role("button", name="Approve and send").click()
    lead.wait_for_url(re.compile(r"/sla"))
    agent.reload()
    assert agent.locator("#conv-status").inner_text() == "pending"  # posted, waiting on the customer
    assert "sent" in agent.locator(".msg.reply .reply-state").last.inner_text()
    assert "reviewed by lead" in agent.locator(".msg.reply .meta").last.inner_text()
    assert not agent.errors and not lead.errors, (agent.errors, lead.errors)


def test_take_over_dismiss_with_confirmation_and_undo(pair: tuple[Any, Any]) -> None:
    agent, lead = pair
    conv = _claimed_by_the_agent(agent, lead)

    lead.goto(f"/conversations/{conv}")
    lead.locator("#act-take_over").click()
    said(lead, r"done=take_over")
    assert lead.locator("#owner").inner_text() == "You are working on this."
    agent.wait_for_selector("#live-note:not([hidden])", timeout=15_000)
    assert "lead now holds this conversation" in agent.locator("#live-note").inner_text()
    assert agent.locator("#owner").inner_text() == "lead is working on this."  # it said "You are ..." still

    lead.locator("#act-dismiss").click()  # confirm() is accepted by the dialog handler
    said(lead, r"done=dismiss")
    assert lead.locator("#conv-status").inner_text() == "dismissed"
    lead.locator("#act-undo").click()
    said(lead, r"done=undo")
    assert lead.locator("#conv-status").inner_text() == "open"
    assert lead.locator("#conv-assignee").inner_text() == "lead"
    assert not agent.errors and not lead.errors, (agent.errors, lead.errors)


def test_send_and_resolve_on_a_phone(browser: Any, live: LiveServer) -> None:
    """An agent on a 390 px phone closes a conversation with one reply: posted once, resolved, Undo offered;
    the buttons fit the screen without sideways scrolling."""
    context, agent = _context(browser, live, 390)
    try:
        login(agent, "agent")
        conv = _fresh_conversation(agent)
        agent.goto(f"/conversations/{conv}")
        agent.get_by_label(re.compile("^Reply")).fill("All sorted now, thanks for bearing with us.")
        assert agent.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(agent, "send-and-resolve-phone")
        agent.locator("#act-send-resolve").click()
        said(agent, r"done=send_resolve")
        assert "Sent and resolved." in agent.locator("#flash").inner_text()
        assert agent.locator("#conv-status").inner_text() == "resolved"
        assert agent.locator("#act-undo").is_visible()
        posted = [p for p in live.simulator.world.posts  # type: ignore[attr-defined]
                  if p.text.startswith("All sorted now, thanks for bearing with us.")]
        assert len(posted) == 1
        assert not agent.errors, agent.errors
    finally:
        context.close()


def test_a_held_reply_withdrawn_is_edited_in_its_own_box_only(pair: tuple[Any, Any]) -> None:
    """After "Withdraw to edit" the reply box under the thread still held the same words (kept for the held
    reply), so one Send would have posted them beside the draft being edited."""
    agent, lead = pair
    _claimed_by_the_agent(agent, lead)
    words = "As we already explained, this is our policy."
    agent.get_by_label(re.compile("^Reply")).fill(words)
    agent.get_by_label(re.compile("^Reply")).press("Control+Enter")
    said(agent, r"done=held")
    agent.locator(".msg.reply").last.get_by_role("button", name="Withdraw to edit").click()
    said(agent, r"done=withdraw")
    assert agent.locator("form.resubmit textarea").input_value() == words
    assert agent.get_by_label(re.compile("^Reply")).input_value() != words
    assert "withdrawn, being edited" in agent.locator(".msg.reply .reply-state").last.inner_text()
    assert not agent.errors, agent.errors


def test_a_refused_action_leaves_the_page_at_its_own_address(pair: tuple[Any, Any]) -> None:
    """The lead took the conversation over and resolved it while the agent's page still showed Resolve: the
    agent's click is refused with the reason, and the page stands at /conversations/ID. At the POST's address
    (/conversations/ID/resolve) a reload asked to send the form again."""
    agent, lead = pair
    conv = _claimed_by_the_agent(agent, lead)
    lead.goto(f"/conversations/{conv}")
    lead.locator("#act-take_over").click()
    said(lead, r"done=take_over")
    lead.locator("#act-resolve").click()
    said(lead, r"done=resolve")

    agent.locator("#act-resolve").click()  # the page the agent has open still offers it
    agent.wait_for_selector("p.error[role=alert]")
    assert agent.url.endswith(f"/conversations/{conv}"), agent.url
    said_why = agent.locator("p.error[role=alert]").first.inner_text()  # what happened, not "take it over"
    assert said_why == "cannot resolve: the conversation is resolved (allowed: reopen)", said_why
    posted: list[str] = []
    agent.on("request", lambda r: posted.append(f"{r.method} {r.url}") if r.resource_type == "document" else None)
    agent.reload()
    assert posted == [f"GET {agent.url}"], posted  # the page, not the form sent again
    assert agent.locator("#conv-status").inner_text() == "resolved"
    assert not lead.errors, lead.errors


def test_a_lead_marking_it_waiting_pauses_the_agent_s_open_badge(pair: tuple[Any, Any], live: LiveServer) -> None:
    """The agent's open page followed the status to "pending" but its SLA badge kept counting down to the old
    due time (it would have said "breached") while the clock stood. Waiting is offered once the customer has been
    answered: before, it stopped the first response clock with nobody answered."""
    agent, lead = pair
    conv = _claimed_by_the_agent(agent, lead)
    lead.goto(f"/conversations/{conv}")
    assert lead.locator("#act-wait").count() == 0  # nobody has answered the customer yet
    now = datetime.now(UTC)
    live.store.write_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]  # answered once; they wrote again
        "UPDATE conversations SET first_responded_at = ?, next_response_due = ? WHERE id = ?",
        ((now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat(), int(conv))))
    agent.reload()
    assert agent.locator("#sla-badge").get_attribute("data-due")  # a countdown runs
    lead.reload()
    lead.locator("#act-wait").click()
    said(lead, r"done=wait")
    agent.wait_for_selector("#sla-badge.paused", timeout=15_000)
    assert agent.locator("#sla-badge").inner_text() == "paused"
    assert agent.locator("#sla-detail").inner_text() == "next response clock stopped: waiting on the customer"
    assert agent.locator("#conv-status").inner_text() == "pending"
    agent.wait_for_timeout(1_500)  # the once-a-second tick leaves a badge with no due time alone
    assert agent.locator("#sla-badge").inner_text() == "paused"
    assert not agent.errors and not lead.errors, (agent.errors, lead.errors)


def test_a_leads_typed_reply_stays_in_sight_after_a_refused_claim(pair: tuple[Any, Any]) -> None:
    """A lead typed a reply on an unclaimed conversation, the agent claimed it meanwhile, and the lead's stale
    Claim came back refused: the page had no reply box any more, and the typed text was nowhere to be seen."""
    agent, lead = pair
    login(agent, "agent")
    login(lead, "lead")
    conv = _fresh_conversation(lead)
    lead.goto(f"/conversations/{conv}")
    agent.goto(f"/conversations/{conv}")
    lead.get_by_label(re.compile("^Reply")).fill("Lead here: so sorry, we are on it.")
    agent.keyboard.press("c")
    said(agent, r"done=claim")
    lead.locator("#act-claim").click()
    lead.wait_for_selector("#kept-draft:not([hidden])", timeout=10_000)
    assert "agent is working on conversation" in lead.locator("main").inner_text()
    assert lead.locator("#editor-form").count() == 0
    assert lead.locator("#kept-text").input_value() == "Lead here: so sorry, we are on it."
    assert lead.evaluate("document.documentElement.scrollWidth") <= 390
    refused = [e for e in lead.errors if "status of 409" not in e]  # the browser logs the refused form's 409
    assert not agent.errors and not refused, (agent.errors, lead.errors)


def test_the_leads_approvals_entry_follows_a_reply_held_while_the_page_is_open(pair: tuple[Any, Any]) -> None:
    """The Approvals count showed the number of when the lead's page loaded: "0" while an agent's reply waited."""
    agent, lead = pair
    conv = _claimed_by_the_agent(agent, lead)
    lead.goto("/reports")
    before = int(lead.locator("#nav-approvals .nav-count").inner_text().split()[0])
    agent.get_by_label(re.compile("^Reply")).fill("As we already explained, this is our policy.")
    agent.get_by_label(re.compile("^Reply")).press("Control+Enter")  # defensive: held for a lead
    said(agent, r"done=held")
    lead.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # what the 20 s round does
    lead.locator("#nav-approvals .nav-count", has_text=re.compile(rf"^{before + 1}\b")).wait_for(timeout=10_000)
    assert "waiting for approval" in (lead.locator("#nav-approvals .nav-count").get_attribute("title") or "")
    assert conv and not agent.errors and not lead.errors, (agent.errors, lead.errors)


def test_a_note_refused_or_posted_after_the_session_ended_is_still_in_its_box(pair: tuple[Any, Any]) -> None:
    """The security audit: a note holding a form feed (pasted from a PDF) was refused and the box came back empty;
    a note posted after the session had ended went through the login to "405 Method Not Allowed" (the form's
    own address), its words gone. Now the refusal leaves the words in the box, and after logging in again the
    person is back on the conversation with the note still there."""
    agent, lead = pair
    conv = _claimed_by_the_agent(agent, lead)
    written = "Customer called twice;\fsee the PDF of the booking."
    agent.locator("#note-text").fill(written)
    agent.get_by_role("button", name="Add note").click()
    agent.wait_for_selector("p.error[role=alert]")
    assert "control characters" in agent.locator("p.error[role=alert]").first.inner_text()
    assert agent.locator("#note-text").input_value() == written
    agent.locator("#note-text").fill(written.replace("\f", " "))
    agent.get_by_role("button", name="Add note").click()
    said(agent, r"done=note")
    assert agent.locator("#note-text").input_value() == ""
    assert "see the PDF of the booking." in agent.locator("ol.notes").inner_text()

    agent.locator("#note-text").fill("Refund approved by finance, reference RF-2291.")
    agent.context.clear_cookies()  # the session ended while the page stood open (idle, or logged out elsewhere)
    agent.get_by_role("button", name="Add note").click()
    agent.wait_for_url(re.compile(r"/login\?next="))
    agent.get_by_label("Username").fill("agent")
    agent.get_by_label("Password").fill("demo-password")
    agent.get_by_role("button", name="Log in").click()
    agent.wait_for_url(re.compile(rf"/conversations/{conv}$"))
    agent.wait_for_selector("#note-text")
    assert agent.locator("#note-text").input_value() == "Refund approved by finance, reference RF-2291."
    assert not agent.errors, agent.errors
