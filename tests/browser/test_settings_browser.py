"""The issue's "Done when": an admin adds a brand, an SLA policy and a reply template in the browser; without
a restart, a mention of the new brand arrives from the X simulator through the real pollers and pipeline,
and a newly added agent logs in on a phone, claims it and sends the suggestion the new template wrote.

Unlike the other browser tests, this runs the whole service (``careline.app.service.running``: scheduler,
pollers, pipeline, web app) on its own event loop in a thread, pointed at the platform simulator.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careline.app.service import running
from careline.app.web.auth import create_user
from careline.domain import Role
from careline.settings import Settings, SimulatorSettings, SourcesSettings, XSourceSettings
from classifiers.lexicon import LexiconClassifier
from platforms.simulator.server import Simulator
from platforms.simulator.world import SimPost, SimUser, World
from tests.browser.conftest import login, real_errors, said, shot
from tests.conftest import BRAND

ADMIN_PASSWORD = "the settings admin's passphrase"
TEMPLATE = ("{{ greeting }} {{ name }}, Zed Shoes here: sorry your parcel is late. Please {{ dm }} with the "
            "order number and we will chase it {{ promise }}. Ref {{ case_ref }}")


class ServiceThread:
    """``running(settings)`` with the simulator, on a loop in a daemon thread; ``call`` runs a coroutine there."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.url = folder, ""
        self.world = World(manual=True)
        self.world.add_user(SimUser("900001", "SkylarkAir", "Skylark Air", platform="x"))
        self.world.add_user(SimUser("900077", "ZedShoes", "Zed Shoes", platform="x"))  # on X before Careline knows it
        self.customer = self.world.add_user(SimUser("3001", "maria_runs", "María <Runner>", platform="x"))
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),), daemon=True)
        self.svc: Any = None

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        sim = Simulator(self.world)
        base = await sim.start()
        x = XSourceSettings(api_base_url=base, bearer_token="simulator", interval_seconds=1, jitter_seconds=0)
        s = Settings(brands=[BRAND], sources=SourcesSettings(x=x), simulator=SimulatorSettings(enabled=True))
        s = dataclasses.replace(s, service=dataclasses.replace(s.service, database=str(self.folder / "c.db"), port=0))
        try:
            async with running(s, classifier=LexiconClassifier()) as svc:
                self.svc, self.url = svc, svc.url.rstrip("/")
                self._ready.set()
                await self._stop.wait()
        finally:
            await sim.stop()

    def start(self) -> ServiceThread:
        self._thread.start()
        assert self._ready.wait(60), "the service did not start"
        return self

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def read(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return self.call(self.svc.store.read(lambda db: db.conn.execute(sql, params).fetchall()))  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceThread]:
    svc = ServiceThread(tmp_path_factory.mktemp("settings-browser")).start()
    svc.call(svc.svc.store.write(lambda db: create_user(db, "root", Role.ADMIN, ADMIN_PASSWORD, "Rita Root")))
    yield svc
    svc.stop()




def open_add_form(page: Any, section: str) -> Any:
    """The (closed) "Add ..." form of a section on /admin/config, opened."""
    page.locator(f'details.add:has(form[data-section="{section}"]) > summary').click()
    return page.locator(f'form[data-section="{section}"][data-item=""]')


def wait_until(page: Any, check: Any, seconds: float = 30.0) -> None:
    """Poll ``check`` while the page's own loop keeps turning (Playwright's sync API owns this thread)."""
    for _ in range(int(seconds * 4)):
        if check():
            return
        page.wait_for_timeout(250)
    raise AssertionError("timed out")


def test_admin_adds_brand_policy_and_template_and_a_new_agent_works_its_mention(browser: Any,
                                                                                service: ServiceThread) -> None:
    admin_ctx = browser.new_context(viewport={"width": 1360, "height": 900}, base_url=service.url)
    page = admin_ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("dialog", lambda d: d.accept())
    login(page, "root", ADMIN_PASSWORD)
    page.goto("/admin/config")

    brand = open_add_form(page, "brands")
    brand.locator("[name=name]").fill("Zed Shoes")
    brand.locator("[name=display_name]").fill("Zed Shoes")
    brand.locator("[name=handles]").fill("ZedShoes")
    brand.locator("[name=keywords]").fill("zedshoes\n\"zed shoes\"")
    brand.get_by_role("button", name="Add").click()
    page.wait_for_selector('form[data-section="brands"][data-item=""] .result.error')  # refused, the form kept
    assert brand.locator(".result").inner_text() == "name: use 1-40 lower-case letters, digits, '-' or '_'"
    assert brand.locator("[name=name]").get_attribute("aria-invalid") == "true"  # the field it names, marked
    assert brand.locator(".field-error").inner_text().startswith("name: use 1-40")  # and said beside it
    assert page.evaluate("document.activeElement.name") == "name"
    brand.locator("[name=name]").fill("zed")
    brand.get_by_role("button", name="Add").click()
    page.wait_for_selector('details.edit[data-item="zed"]')

    policy = open_add_form(page, "sla.policies")
    policy.locator("[name=name]").fill("zed-first")
    policy.locator("[name=brands]").fill("zed")
    policy.locator("[name=first_response_minutes]").fill("20")
    policy.get_by_role("button", name="Add").click()
    page.wait_for_selector('details.edit[data-item="zed-first"]')
    assert page.locator('#sla-preview tr[data-policy="zed-first"]').count() == 1  # the live preview has it
    shot(page, "admin-config-edited")

    page.goto("/admin/templates")
    form = page.locator("#template-save")
    form.get_by_label("Brand").select_option("zed")
    form.get_by_label("Intent").select_option("delivery")
    form.get_by_label("Template").fill("{% for i in range(9) %}{{ i }}{% endfor %}")
    form.get_by_role("button", name="Save").click()
    page.wait_for_selector("#template-save .result.error")  # a loop: refused before saving
    assert "cannot use for" in form.locator(".result").inner_text()
    form.get_by_label("Template").fill(TEMPLATE)
    form.get_by_role("button", name="Save").click()
    page.wait_for_selector('details.edit[data-item="zed/delivery"]')

    page.goto("/admin")
    person = page.locator("#add-person")
    person.get_by_label("Username").fill("zoe")
    person.get_by_label("Password").fill("first week on the night desk")
    person.get_by_role("button", name="Add").click()
    page.wait_for_selector('tr[data-user="zoe"]')

    # No restart: a customer mentions the new brand on X; the rebuilt pollers and the pipeline bring it in.
    def post() -> None:
        service.world.add_posts([SimPost(ref="zed1", at=5.0, platform="x", user=service.customer,
                                         text="@ZedShoes my zedshoes parcel never arrived, day 9 now")])
        service.world.advance_to(5.0)

    service.loop.call_soon_threadsafe(post)
    wait_until(page, lambda: service.read("SELECT id FROM conversations WHERE brand = 'zed'"))
    (conv_id, policy_name), = service.read("SELECT id, sla_policy FROM conversations WHERE brand = 'zed'")
    assert policy_name == "zed-first"

    agent_ctx = browser.new_context(viewport={"width": 390, "height": 844}, base_url=service.url)
    agent = agent_ctx.new_page()
    agent.errors = []
    agent.on("pageerror", lambda e: agent.errors.append(str(e)))
    login(agent, "zoe", "first week on the night desk")
    agent.wait_for_selector("table#queue")
    agent.locator(f'tr.conv a[href="/conversations/{conv_id}"]').first.click()
    agent.wait_for_url(re.compile(rf"/conversations/{conv_id}$"))
    agent.keyboard.press("c")
    said(agent, r"done=claim")
    assert agent.locator("#conv-assignee").inner_text() == "zoe"
    editor = agent.get_by_label(re.compile("^Reply"))
    suggested = editor.input_value()
    assert suggested.startswith("Hi María, Zed Shoes here: sorry your parcel is late.")
    editor.press("Control+Enter")
    said(agent, r"done=send")
    assert agent.locator("#conv-status").inner_text() == "pending"
    shot(agent, "new-brand-conversation-390")
    sent = [p for p in service.world.posts if p.user.username == "ZedShoes"]
    assert len(sent) == 1 and sent[0].text == suggested  # posted on X as the new brand, to the customer
    assert sent[0].in_reply_to_user == service.customer.id
    assert not real_errors(page) and not real_errors(agent), (page.errors, agent.errors)
    agent_ctx.close()
    admin_ctx.close()
