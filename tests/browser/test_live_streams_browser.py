"""The queue's and a conversation's live updates in Chromium when the server will not or cannot stream: a person
over the cap of live streams (429 with Retry-After), a dropped network, a signed-out session. Each page says so
in a small status line and comes back by itself, or, signed out, stops and points to sign in."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from careline.app.web import api
from careline.app.web.auth import create_user
from careline.domain import Role
from tests.browser.conftest import login, real_errors, watched_page
from tests.helpers.live import LiveServer

pytestmark = pytest.mark.browser
PAUSED = "Live updates paused: too many open tabs"


def _unclaimed(live: LiveServer) -> int:
    return live.store.read_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined,no-any-return]
        "SELECT id FROM conversations WHERE status = 'new' AND assignee IS NULL ORDER BY id LIMIT 1").fetchone()[0])


def _until(page: Any, check: Any, seconds: float) -> None:
    """Wait in ``page`` (Playwright's sync API hears a page's events only while it is called) for ``check()``."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        page.wait_for_timeout(100)


@pytest.fixture
def agent(browser: Any, live: LiveServer) -> Iterator[Any]:
    context, page = watched_page(browser, live.url)
    page.stream_requests = []
    page.on("request", lambda r: page.stream_requests.append((time.monotonic(), r.url)) if "stream" in r.url else None)
    yield page
    context.close()


@pytest.fixture
def token_client(live: LiveServer) -> Iterator[httpx.Client]:
    """The agent's API token in a script on another machine: its streams count against the same person."""
    token = live.store.token  # type: ignore[attr-defined]
    with httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        yield client


def _hold(client: httpx.Client, n: int) -> list[httpx.Response]:
    streams = [client.send(client.build_request("GET", "/api/stream"), stream=True) for _ in range(n)]
    assert [r.status_code for r in streams] == [200] * n
    return streams


def test_a_page_over_the_stream_cap_says_so_waits_retry_after_and_comes_back(agent: Any, live: LiveServer,
                                                                             token_client: httpx.Client) -> None:
    slots = live.app[api.STREAMS]
    shipped = slots.person_limit
    slots.person_limit = slots.limit  # the person cap at one sign-in's size: a token and a browser tab reach it
    held = _hold(token_client, slots.limit - 1)  # a script and other tabs hold all but one of the agent's slots
    try:
        login(agent, "agent")  # the queue takes the last one
        _until(agent, lambda: slots.held("agent") == slots.limit, 10)
        conv = _unclaimed(live)
        queue = agent
        page = queue.context.new_page()  # a conversation in another tab: no slot is left for it
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        asked: list[float] = []
        page.on("request", lambda r: asked.append(time.monotonic()) if r.url.endswith(f"/{conv}/stream") else None)
        page.goto(f"/conversations/{conv}")
        state = page.locator("#live-state")
        state.get_by_text(PAUSED).wait_for(timeout=10_000)
        assert state.is_visible()
        assert queue.locator("#live-state").is_hidden()  # the queue, which got its slot, is live
        page.wait_for_timeout(6000)
        assert len(asked) >= 2  # it tried again ...
        gaps = [b - a for a, b in itertools.pairwise(asked)]
        assert min(gaps) >= 4.5, gaps  # ... no sooner than Retry-After (5 s) said: not at once, nor after 1 s
        assert state.is_visible()
        second = queue.context.new_page()  # a second queue tab is refused too, and says so
        second.goto("/?status=new")
        second.locator("#live-state").get_by_text(PAUSED).wait_for(timeout=10_000)
        for r in held[:2]:  # two tabs are closed: both pages come back by themselves
            r.close()
        state.wait_for(state="hidden", timeout=15_000)
        second.locator("#live-state").wait_for(state="hidden", timeout=15_000)
        assert slots.held("agent") == slots.limit
        # live again: a colleague's change (here the agent's own script) shows without a reload
        assert token_client.post(f"/api/conversations/{conv}/claim").status_code == 200
        page.locator("#conv-assignee", has_text="agent").wait_for(timeout=10_000)
        assert page.locator("#live-note").is_visible()
        assert not real_errors(page), page.errors
    finally:
        for r in held:
            r.close()
        slots.person_limit = shipped


def test_a_dropped_network_shows_reconnecting_then_the_page_is_live_again(agent: Any, live: LiveServer) -> None:
    login(agent, "agent")
    state = agent.locator("#live-state")
    _until(agent, lambda: len(agent.stream_requests) == 1, 10)
    agent.wait_for_timeout(1000)
    assert state.is_hidden()
    agent.context.set_offline(True)
    state.get_by_text("Reconnecting…").wait_for(timeout=10_000)
    # back on the network, but the server restarts behind its proxy (a 502 for a while): still reconnecting
    refused: list[int] = []
    agent.route("**/api/stream*", lambda route: (refused.append(502), route.fulfill(status=502, body="restarting")))
    agent.context.set_offline(False)
    _until(agent, lambda: refused, 15)
    assert state.inner_text() == "Reconnecting…"
    agent.unroute("**/api/stream*")
    state.wait_for(state="hidden", timeout=40_000)  # hidden again only once a push arrived
    assert not real_errors(agent), agent.errors


def test_signed_out_the_page_stops_and_points_to_sign_in(agent: Any, live: LiveServer) -> None:
    login(agent, "agent")
    _until(agent, lambda: len(agent.stream_requests) == 1, 10)
    other = agent.context.new_page()  # another tab of the same browser logs out
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    state = agent.locator("#live-state")
    state.get_by_text("Live updates stopped: you are signed out.").wait_for(timeout=20_000)
    link = state.get_by_role("link", name="Sign in again")
    assert link.get_attribute("href") == "/login?next=%2F"
    asked = len(agent.stream_requests)
    agent.wait_for_timeout(4000)
    assert len(agent.stream_requests) == asked  # it stopped: no retry while signed out
    link.click()
    agent.wait_for_url("**/login?next=%2F")


def test_a_role_taken_away_stops_the_page_with_a_link_to_sign_in(agent: Any, live: LiveServer) -> None:
    live.store.write_sync(lambda db: create_user(db, "moved", Role.AGENT, "demo-password"))  # type: ignore[attr-defined]
    login(agent, "moved")
    _until(agent, lambda: len(agent.stream_requests) == 1, 10)
    # an admin makes them marketing (what /admin writes): the queue's stream is no longer theirs
    live.store.write_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]
        "UPDATE users SET role = 'marketing' WHERE username = 'moved'"))
    state = agent.locator("#live-state")
    state.get_by_text("Live updates stopped: your access changed.").wait_for(timeout=20_000)
    assert state.get_by_role("link", name="Sign in again").get_attribute("href") == "/login?next=%2F"
    asked = len(agent.stream_requests)
    agent.wait_for_timeout(3000)
    assert len(agent.stream_requests) == asked  # a 403 is not retried


def test_signed_out_a_conversation_stops_saying_it_is_open(agent: Any, live: LiveServer) -> None:
    """After "Log out" in another tab, the conversation page went on posting its presence every 6 s, each
    refused with a 401."""
    posted: list[int] = []
    agent.on("response", lambda r: posted.append(r.status) if r.url.endswith("/presence") else None)
    login(agent, "agent")
    agent.goto(f"/conversations/{_unclaimed(live)}")
    _until(agent, lambda: posted and posted[-1] == 200, 10)
    other = agent.context.new_page()
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    _until(agent, lambda: 401 in posted, 15)
    refused = len(posted)
    agent.wait_for_timeout(13_000)  # two more rounds of the 6 s report
    assert len(posted) == refused, posted
