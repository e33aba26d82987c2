"""An admin turns off the two-factor sign-in of someone who lost their phone and their recovery codes.

Same live server and Chromium as the other browser tests (module fixtures in ``conftest``).
"""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest

from careline.app.web.accounts import set_totp
from careline.app.web.auth import create_user
from careline.domain import Role
from tests.browser.conftest import login, real_errors
from tests.helpers.live import LiveServer

ADMIN_PASSWORD = "the reset admin's passphrase"
LOST_PASSWORD = "a phone lost on the night bus"


@pytest.fixture(scope="module", autouse=True)
def people(live: LiveServer) -> None:
    def add(db: Any) -> None:
        create_user(db, "rosa", Role.ADMIN, ADMIN_PASSWORD, "Rosa")
        create_user(db, "lostphone", Role.AGENT, LOST_PASSWORD, "Lost <i>Phone</i>")
        set_totp(db, "lostphone", "lostphone", pyotp.random_base32())

    live.store.write_sync(add)  # type: ignore[attr-defined]


def test_the_reset_asks_first_and_then_lets_them_in_with_the_password(page: Any, browser: Any,
                                                                      live: LiveServer) -> None:
    asked: list[str] = []
    answer = {"accept": False}

    def dialog(d: Any) -> None:
        asked.append(d.message)
        d.accept() if answer["accept"] else d.dismiss()

    page.on("dialog", dialog)
    login(page, "rosa", ADMIN_PASSWORD)
    page.goto("/admin")
    row = page.locator('tr[data-user="lostphone"]')
    row.get_by_role("button", name="Reset two-factor").click()  # dismissed: nothing is sent
    assert asked and asked[0].startswith("Turn off two-factor sign-in for lostphone?")
    page.wait_for_timeout(300)
    assert row.locator("td").nth(3).inner_text() == "on"
    answer["accept"] = True
    row.get_by_role("button", name="Reset two-factor").click()
    page.wait_for_selector('tr[data-user="lostphone"] td:nth-child(4):text-is("off")')  # the page reloaded
    assert "is off" in page.locator("#said").inner_text()  # what it said, kept over the reload
    assert page.locator('tr[data-user="lostphone"]').get_by_role("button", name="Reset two-factor").count() == 0
    assert page.locator("#audit").locator("xpath=..").get_by_text("account.two_factor_reset").count() == 1

    other = browser.new_context(base_url=live.url)
    person = other.new_page()
    login(person, "lostphone", LOST_PASSWORD)  # the password alone: no code step
    person.wait_for_url(re.compile(r"/$"))
    other.close()
    assert not real_errors(page), page.errors  # type: ignore[attr-defined]
