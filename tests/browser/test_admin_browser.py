"""An admin manages people and tokens in the browser; new people log in and work without a restart.

Same live server and Chromium as the other browser tests (module fixtures in ``conftest``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from careline.app.web.auth import create_user
from careline.domain import Role
from tests.browser.conftest import login, real_errors, said, shot
from tests.helpers.live import LiveServer

ADMIN_PASSWORD = "an admin's long passphrase"


@pytest.fixture(scope="module", autouse=True)
def admin_user(live: LiveServer) -> None:
    live.store.write_sync(lambda db: create_user(db, "root", Role.ADMIN, ADMIN_PASSWORD, "Rita Root"))  # type: ignore[attr-defined]




def accept_dialogs(page: Any) -> None:
    page.on("dialog", lambda d: d.accept())


def test_admin_adds_an_agent_who_logs_in_and_works_a_conversation(page: Any, browser: Any, live: LiveServer) -> None:
    accept_dialogs(page)
    login(page, "root", ADMIN_PASSWORD)
    page.get_by_role("link", name="Admin").click()
    page.wait_for_url(re.compile(r"/admin$"))
    form = page.locator("#add-person")
    form.get_by_label("Username").fill("nadia")
    form.get_by_label("Display name").fill("Nadia <b>N</b>")
    form.get_by_label("Team").fill("night")
    form.get_by_label("Password").fill("short")
    form.get_by_role("button", name="Add").click()
    page.wait_for_selector("#add-person .result.error")
    assert "at least 12" in form.locator(".result").inner_text()  # refused, nothing lost: the form keeps its values
    assert "at least 12" in form.locator("#field-error-password").inner_text()  # beside the field, which is marked
    assert form.get_by_label("Password").evaluate("e => e === document.activeElement")
    assert form.get_by_label("Username").input_value() == "nadia"
    form.get_by_label("Password").fill("the night shift passphrase")
    form.get_by_role("button", name="Add").click()
    page.wait_for_selector('tr[data-user="nadia"]')
    assert page.locator("#said").inner_text() == "Added nadia."  # it said so for 400 ms, then reloaded it away
    row = page.locator('tr[data-user="nadia"]')
    assert "Nadia <b>N</b>" in row.inner_text()  # hostile display names render as text
    shot(page, "admin")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "admin-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # tables scroll inside their panel
    events = page.evaluate("""() => { const t = document.querySelector('table.audit');
        return {wide: t.scrollWidth - t.clientWidth,
                tall: Math.max(...[...t.querySelectorAll('tbody tr')].map(
                    r => r.getBoundingClientRect().height))}; }""")
    assert events["wide"] <= 1 and events["tall"] <= 100, events  # a row was 127 px: details a word per line
    page.set_viewport_size({"width": 1360, "height": 900})

    other = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live.url)
    agent = other.new_page()
    login(agent, "nadia", "the night shift passphrase")
    agent.wait_for_selector("table#queue")
    agent.locator("tr.conv td.text a").first.click()
    agent.wait_for_url(re.compile(r"/conversations/\d+$"))
    if agent.locator("#conv-status").inner_text() == "new":
        agent.keyboard.press("c")
        said(agent, r"done=claim")
        assert agent.locator("#conv-assignee").inner_text() == "nadia"

    row.get_by_role("button", name="Disable").click()  # the admin disables her: her session ends at once
    page.wait_for_selector('tr[data-user="nadia"].disabled')
    agent.goto("/")
    assert "/login" in agent.url
    other.close()
    assert not real_errors(page), page.errors  # type: ignore[attr-defined]


def test_invitation_link_and_token_shown_once(page: Any, browser: Any, live: LiveServer) -> None:
    accept_dialogs(page)
    login(page, "root", ADMIN_PASSWORD)
    page.goto("/admin")
    form = page.locator("#add-person")
    form.get_by_label("Username").fill("omar")
    form.get_by_label("Role").select_option("lead")
    form.get_by_role("button", name="Add").click()
    link = form.locator("output code")
    link.wait_for()
    url = link.inner_text()
    assert "/set-password?token=" in url

    other = browser.new_context(viewport={"width": 390, "height": 844})
    invited = other.new_page()
    invited.goto(url)
    invited.get_by_label("New password").fill("leading the day team well")
    invited.get_by_label("The same again").fill("leading the day team well")
    invited.get_by_role("button", name="Set password").click()
    invited.wait_for_url(re.compile(r"/login"))
    invited.get_by_label("Username").fill("omar")
    invited.get_by_label("Password").fill("leading the day team well")
    invited.get_by_role("button", name="Log in").click()
    invited.wait_for_selector("table#queue")
    other.close()

    page.reload()
    tokens = page.locator("form[data-api='/api/admin/tokens']")
    tokens.get_by_label("Owner", exact=True).select_option("omar")
    tokens.get_by_label("Label").fill("reporting script")
    tokens.get_by_label("Role", exact=True).select_option("admin")  # above a lead: refused
    tokens.get_by_role("button", name="Create token").click()
    page.wait_for_selector("form[data-api='/api/admin/tokens'] .result.error")
    assert "cannot have the admin role" in tokens.locator(".result").inner_text()
    tokens.get_by_label("Role", exact=True).select_option("agent")
    tokens.get_by_role("button", name="Create token").click()
    secret = tokens.locator("output code")
    secret.wait_for()
    assert secret.inner_text().startswith("clt_")
    page.reload()
    assert page.locator("tr[data-token]", has_text="reporting script").count() == 1
    assert "login.succeeded" in page.locator("#audit ~ div").inner_text() or "login.succeeded" in page.content()


def test_two_factor_set_up_then_required_at_login(page: Any, browser: Any, live: LiveServer) -> None:
    live.store.write_sync(lambda db: create_user(db, "tess", Role.LEAD, "two factors are kept here"))  # type: ignore[attr-defined]
    login(page, "tess", "two factors are kept here")
    page.goto("/account")
    # before setup, only the way to start it: the "Turn on" form showed with an empty key (form.stack's grid
    # beat the hidden attribute), and a code typed there was refused with "secret is required"
    assert not page.locator("#totp-enable").is_visible()
    assert not page.get_by_role("button", name="Turn on").is_visible()
    page.get_by_role("button", name="Set up two-factor").click()
    page.wait_for_selector("#totp-enable:not([hidden])")
    assert page.locator("#totp-enable").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("The 6-digit code the app shows now").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_selector("#totp-enable ol.codes li")  # the recovery codes, shown once, not reloaded away
    codes = page.locator("#totp-enable ol.codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in codes)
    page.reload()
    page.wait_for_selector("text=On: each login asks for a code")
    shot(page, "account")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "account-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # no sideways scrolling at 390 px

    page.get_by_role("button", name="Log out", exact=True).first.click()
    login(page, "tess", "two factors are kept here")
    code = page.get_by_label("Code from your authenticator app")
    code.fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("text=That code is not right")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(pyotp.TOTP(secret).timecode(
        __import__("datetime").datetime.now(__import__("datetime").UTC)) * 30 + 30))  # the next step's code
    page.get_by_role("button", name="Verify").click()
    page.wait_for_selector("table#queue")

    for attempt in ("works", "spent"):  # a recovery code instead of the app: once only
        page.get_by_role("button", name="Log out", exact=True).first.click()
        login(page, "tess", "two factors are kept here")
        page.get_by_text("Lost your phone? Use a recovery code").click()
        page.get_by_label("Recovery code").fill(codes[0].upper().replace("-", " "))
        page.get_by_role("button", name="Use the recovery code").click()
        page.wait_for_selector("table#queue" if attempt == "works" else "text=That code is not right")
    page.get_by_text("Lost your phone? Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[1])
    page.get_by_role("button", name="Use the recovery code").click()
    page.wait_for_selector("table#queue")
    page.goto("/account")
    assert page.locator("#codes-left").inner_text() == "8"
    assert not real_errors(page), page.errors  # type: ignore[attr-defined]


def test_configuration_and_template_preview_pages(page: Any) -> None:
    login(page, "root", ADMIN_PASSWORD)
    page.goto("/admin/config")
    assert page.locator("h1").inner_text().startswith("Configuration")
    assert page.locator("text=Skylark Air").count() >= 1
    page.goto("/admin/templates")
    form = page.locator("#template-preview")  # beside the form that saves a template
    form.get_by_label("Brand", exact=True).select_option("skylark")
    form.get_by_label("Intent", exact=True).select_option("delivery")
    editor = form.get_by_role("textbox", name=re.compile("^Template"))
    editor.fill("As we already explained, {{ name }}, please {{ dm }}.")
    form.get_by_role("button", name="Preview").click()
    status = page.locator("#template-preview [role=status]")
    status.filter(has_text="tone:").wait_for()
    assert "Priya" in status.inner_text() and "already explained" in status.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "templates-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    # each template's text gets the row's width on a phone, not a squeezed fourth column
    cell = page.locator("table.templates td.template").first.bounding_box()
    assert cell is not None and cell["width"] > 250, cell
    assert not real_errors(page), page.errors  # type: ignore[attr-defined]


def test_a_long_display_name_fits_the_phone_header(browser: Any, live: LiveServer) -> None:
    """A long display name took three lines of a 390 px header and squeezed "Log out"."""
    name = "Maximiliane Alexandra von Hohenzollern-Sigmaringen"
    live.store.write_sync(lambda db: create_user(db, "maxi", Role.AGENT, "a long enough passphrase", name))  # type: ignore[attr-defined]
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live.url)
    page = context.new_page()
    try:
        login(page, "maxi", "a long enough passphrase")
        link = page.locator(".top .who > a")
        assert link.get_attribute("title") == name
        assert link.bounding_box()["height"] <= 44  # one line (a 40 px tap target)
        out = page.get_by_role("button", name="Log out", exact=True).bounding_box()
        assert out["height"] <= 44 and out["x"] + out["width"] <= 390
        assert out["width"] >= 60  # "Log out" whole: the name beside it squeezed the button to 46 px
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()


@pytest.fixture(scope="module")
def listening(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A service whose brand listens for something (the shared one's brands have no keywords, so no settings
    save passes its checks)."""
    from careline.app.web.app import create_app
    from careline.app.web.migrations import WEB
    from careline.settings import BrandSettings, Settings
    from careline.store import Store

    store = Store(tmp_path_factory.mktemp("keep") / "careline.db", extra=[WEB]).open_sync()
    store.write_sync(lambda db: create_user(db, "root", Role.ADMIN, ADMIN_PASSWORD, "Rita Root"))
    settings = Settings(brands=[BrandSettings(name="skylark", display_name="Skylark Air", keywords=["skylark"])])
    server = LiveServer(create_app(settings, store)).start()
    yield server
    server.stop()
    store.close_sync()


def test_a_save_after_someone_else_s_keeps_the_admin_s_changes_over_theirs(browser: Any,
                                                                           listening: LiveServer) -> None:
    """Two admins edit X's source; the second one's save is refused (409: reload it and apply your change again),
    and the reload lost the change they had typed. Now a button reloads and puts it back over the newest version."""
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=listening.url)
        page = context.new_page()
        page.on("dialog", lambda d: d.accept())
        login(page, "root", ADMIN_PASSWORD)
        page.goto("/admin/config")
        pages.append(page)
    first, second = pages
    form = 'form[data-section="sources"][data-item="x"]'
    try:
        for page in pages:
            page.locator(f"details.edit:has({form}) > summary").click()
        first.locator(f"{form} [name=interval_seconds]").fill("120")
        first.locator(form).get_by_role("button", name="Save").click()
        first.wait_for_selector("#said")  # saved, and the page reloaded
        second.locator(f"{form} [name=daily_budget_usd]").fill("2.5")
        second.locator(form).get_by_role("button", name="Save").click()
        keep = second.locator(form).get_by_role("button", name="Reload, keeping my changes")
        keep.wait_for()
        keep.click()
        second.locator(f"{form} [role=status]", has_text="Your changes are back").wait_for()
        assert second.locator(f"{form} [name=daily_budget_usd]").input_value() == "2.5"
        assert second.locator(f"{form} [name=interval_seconds]").input_value() == "120"  # theirs, kept
        second.locator(form).get_by_role("button", name="Save").click()
        second.wait_for_selector("#said")
        second.goto("/admin/config")
        second.locator(f"details.edit:has({form}) > summary").click()
        assert second.locator(f"{form} [name=daily_budget_usd]").input_value() == "2.5"
        assert second.locator(f"{form} [name=interval_seconds]").input_value() == "120"
    finally:
        for page in pages:
            page.context.close()


def test_a_deleted_brand_is_put_back_with_undo(browser: Any, listening: LiveServer) -> None:
    """The newcomer audit: a deleted brand (from the settings file) had no way back in the browser, and its "Add"
    form, re-filled, was refused for the fields left empty. The deletion's message offers Undo; on a phone."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=listening.url)
    page = context.new_page()
    page.on("dialog", lambda d: d.accept())
    try:
        login(page, "root", ADMIN_PASSWORD)
        page.goto("/admin/config")
        page.locator('details.edit[data-item="skylark"] > summary').first.click()
        page.get_by_role("button", name="Delete skylark").click()
        page.wait_for_selector("#said")
        assert "Deleted brand 'skylark'" in page.locator("#said").inner_text()
        assert page.locator('details.edit[data-item="skylark"]').count() == 0
        shot(page, "admin-brand-deleted-undo-390")
        page.get_by_role("button", name="Undo: put brand 'skylark' back").click()
        page.wait_for_selector("#said:has-text('Saved brand')")
        assert page.locator('details.edit[data-item="skylark"]').count() >= 1
        assert page.locator("#undo-delete").count() == 0
    finally:
        context.close()


def test_a_role_changed_by_another_admin_meanwhile_is_said_and_the_edit_kept(page: Any, live: LiveServer) -> None:
    """Two admins editing one person: the second save was taken over the first unseen."""
    from careline.app.web.accounts import update_account

    accept_dialogs(page)
    login(page, "root", ADMIN_PASSWORD)
    page.goto("/admin")
    row = page.locator('tr[data-user="marketing"]')
    live.store.write_sync(lambda db: update_account(  # type: ignore[attr-defined]
        db, "root", "marketing", {"display_name": "Marketing (changed elsewhere)"}))
    row.get_by_label("Role of marketing").select_option("lead")
    row.get_by_role("button", name="Save").click()
    refusal = row.locator(".result.error")
    refusal.wait_for()
    assert "marketing was changed by someone else since this page was loaded" in refusal.inner_text()
    row.get_by_role("button", name="Reload, keeping my changes").click()
    page.wait_for_load_state()
    row = page.locator('tr[data-user="marketing"]')
    assert row.get_by_label("Role of marketing").input_value() == "lead"  # the edit, over the newest version
    row.get_by_role("button", name="Save").click()
    page.wait_for_function("() => (document.getElementById('said') || {}).textContent === 'Saved marketing.'")
    assert "Marketing (changed elsewhere)" in page.locator('tr[data-user="marketing"]').inner_text()
    assert not real_errors(page), page.errors  # type: ignore[attr-defined]
    live.store.write_sync(lambda db: update_account(  # type: ignore[attr-defined]
        db, "root", "marketing", {"role": Role.MARKETING, "display_name": "marketing"}))


def test_a_password_reset_shows_the_link_and_the_sessions_it_ended(page: Any, browser: Any, live: LiveServer) -> None:
    """The day-use audit: after a reset the row still counted the person's sessions (the page stays for the link),
    though the reset had logged them out everywhere."""
    live.store.write_sync(lambda db: create_user(db, "resetme", Role.AGENT, "resetme's passphrase"))  # type: ignore[attr-defined]
    context = browser.new_context(base_url=live.url)
    try:
        login(context.new_page(), "resetme", "resetme's passphrase")  # a session of theirs
    finally:
        context.close()
    accept_dialogs(page)
    login(page, "root", ADMIN_PASSWORD)
    page.goto("/admin")
    row = page.locator('tr[data-user="resetme"]')
    assert row.locator("td.sessions").inner_text() == "1"
    row.get_by_role("button", name="Reset password").click()
    row.locator("output code.secret").wait_for()
    assert "/set-password?token=" in row.locator("output code.secret").inner_text()
    assert row.locator("td.sessions").inner_text() == "0"
    assert not real_errors(page), real_errors(page)
