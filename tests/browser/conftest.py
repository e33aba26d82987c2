"""A live Careline on 127.0.0.1 (real app, seeded SQLite file) and Debian's Chromium driven by Playwright.

The server runs on its own event loop in a thread so the tests can use Playwright's sync API. The
browser is never downloaded: it is /usr/bin/chromium from apt (CI's .ci/run installs it), and the
tests skip with the reason when it is missing.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.domain import Role, to_iso
from careline.settings import BrandSettings, Settings
from careline.store import Store
from platforms.simulator.server import Simulator
from tests.conftest import mirror_x_world, x_reply_senders
from tests.helpers.live import LiveServer
from tests.helpers.seed import seed

CHROMIUM = Path("/usr/bin/chromium")
DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air", competitors=["Bluejay Airways"]),
          BrandSettings(name="brightwave", display_name="Brightwave", competitors=["Copperline"])]


def _fill(db: Any, now: datetime) -> str:
    seed(db, 200, now, days=14, answered=0.6)
    seed(db, 25, now, days=0.03, seed=99, answered=0.0, hostile=False)  # a fresh burst: on track, and a spike
    answers = [("skylark", "nps", s, to_iso(now - timedelta(days=d)), "seed")
               for d in (1, 3, 6) for s in (10, 9, 8, 6, 9, 3, 10)]
    db.conn.executemany("INSERT INTO survey_answers (brand, kind, score, answered_at, imported_by) "
                        "VALUES (?, ?, ?, ?, ?)", answers)
    for name, role in (("agent", Role.AGENT), ("lead", Role.LEAD), ("marketing", Role.MARKETING)):
        create_user(db, name, role, "demo-password")
    return create_token(db, "agent", "browser tests")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    store = Store(tmp_path_factory.mktemp("browser") / "careline.db", extra=[WEB]).open_sync()
    now = datetime.now(UTC)
    store.token = store.write_sync(lambda db: _fill(db, now))  # type: ignore[attr-defined]
    sim = Simulator(mirror_x_world(store, BRANDS))  # replies are posted for real, to the X simulator
    loop = asyncio.new_event_loop()
    starter = threading.Thread(target=loop.run_until_complete, args=(sim.start(),))  # pytest owns this thread's loop
    starter.start()
    starter.join(30)  # the simulator's socket is then served by the live server's loop once it runs
    app = create_app(Settings(brands=BRANDS), store, senders=x_reply_senders(sim.base_url, BRANDS))
    server = LiveServer(app, loop=loop).start()
    server.store = store  # type: ignore[attr-defined]
    server.simulator = sim  # type: ignore[attr-defined]
    yield server
    server.call(sim.stop())
    server.stop()
    store.close_sync()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def watched_page(browser: Any, base_url: str, width: int = 1360) -> tuple[Any, Any]:
    """A fresh context (its own session) and page at ``width`` px, collecting script errors in
    ``page.errors``; the caller closes the context."""
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=base_url)
    p = context.new_page()
    p.errors = []
    p.on("console", lambda m: p.errors.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: p.errors.append(str(e)))
    return context, p


@pytest.fixture
def page(browser: Any, live: LiveServer) -> Iterator[Any]:
    context, p = watched_page(browser, live.url)
    yield p
    context.close()


def login(page: Any, user: str, password: str = "demo-password") -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("domcontentloaded")


def said(page: Any, pattern: str, timeout: float = 30_000) -> None:
    """Wait until the page that says an outcome matching ``pattern`` (a regex on its address, such as
    ``done=claim``) has loaded. ``outcome.js`` takes those words off the address once shown, so a reload does
    not say them again; it keeps the address it came with in ``body[data-said]``, which this reads too."""
    page.wait_for_function("""(p) => {
        const r = new RegExp(p), body = document.body;
        return document.readyState === "complete" && (r.test(body && body.getAttribute("data-said") || "") ||
                                                      r.test(location.href));
    }""", arg=pattern, timeout=timeout)


def real_errors(page: Any) -> list[str]:
    """Script errors; a refused request (the 400 a form shows in words) is logged by Chromium too."""
    return [e for e in page.errors if not e.startswith("Failed to load resource")]


def shot(page: Any, name: str, *, full_page: bool = True) -> None:
    """Always rendered (a page that cannot be drawn fails here); kept in docs/ only for ``make screenshots``,
    so an ordinary test run never dirties the working tree."""
    keep = os.environ.get("CARELINE_SCREENSHOTS") == "1"
    folder = DOCS_SHOTS if keep else Path(tempfile.gettempdir()) / "careline-shots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 1000, f"{name}: screenshot is empty"
