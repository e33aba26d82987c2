"""The web app through aiohttp's test client: login, CSRF, roles, agent actions, lead and marketing data."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlite_utils import Database

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.keys import SLA_CACHE, STORE
from careline.app.web.migrations import WEB
from careline.domain import Role, to_iso
from careline.settings import BrandSettings, Settings
from careline.store import Store
from platforms.simulator.server import Simulator
from platforms.simulator.world import Fault
from tests.conftest import mirror_x_world, x_reply_senders
from tests.helpers.seed import seed

BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air", competitors=["Bluejay"]),
          BrandSettings(name="brightwave", display_name="Brightwave", competitors=["Copperline"])]
SIM: web.AppKey[Simulator] = web.AppKey("simulator", Simulator)
USERS = {"agent": Role.AGENT, "lead": Role.LEAD, "marketing": Role.MARKETING, "admin": Role.ADMIN}


@pytest.fixture
def web_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "web.db", extra=[WEB]).open_sync()
    now = datetime.now(UTC)

    def fill(db):  # type: ignore[no-untyped-def]
        seed(db, 60, now)
        for name, role in USERS.items():
            create_user(db, name, role, f"{name}-pw")
        return create_token(db, "agent", "tests")

    store.token = store.write_sync(fill)  # type: ignore[attr-defined]
    yield store
    store.close_sync()


@pytest.fixture
async def client(web_store: Store) -> AsyncIterator[TestClient]:
    """The app with real reply senders, posting to the real X simulator that mirrors the seeded posts."""
    sim = Simulator(mirror_x_world(web_store, BRANDS))
    await sim.start()
    app = create_app(Settings(brands=BRANDS), web_store, senders=x_reply_senders(sim.base_url, BRANDS))
    app[SIM] = sim
    try:
        async with TestClient(TestServer(app)) as c:
            yield c
    finally:
        await sim.stop()


async def login(client: TestClient, user: str) -> str:
    """Log in through the form; returns the session's CSRF token from the page meta tag."""
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
    r = await client.post("/login", data={"username": user, "password": f"{user}-pw", "csrf_token": token},
                          allow_redirects=False)
    assert r.status == 303, await r.text()
    cookie = r.headers.getall("Set-Cookie")
    assert any("HttpOnly" in c and "SameSite=Lax" in c for c in cookie)
    home = await client.get(r.headers["Location"])
    return re.search(r'name="csrf-token" content="([^"]+)"', await home.text()).group(1)


async def test_pages_need_login_and_api_needs_credentials(client: TestClient) -> None:
    r = await client.get("/", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/login")
    r = await client.get("/api/queue")
    assert r.status == 401
    assert (await r.json())["error"]["code"] == "unauthorized"
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="careline"'
    r = await client.get("/api/queue", headers={"Authorization": "Bearer nope"})
    assert r.status == 401
    assert r.headers["WWW-Authenticate"] == 'Bearer realm="careline", error="invalid_token"'
    assert (await client.get("/api/openapi.json")).status == 200
    assert await (await client.get("/health")).json() == {"status": "ok"}


async def test_health_counts_only_the_sources_still_polled(client: TestClient, web_store: Store) -> None:
    """The newcomer audit: a switched-off platform's rows went on saying what they said before (here, degraded:
    the whole service read "degraded" for a source nobody polls any more)."""
    web_store.write_sync(lambda db: db.conn.executemany(
        "INSERT INTO source_health (source, brand, status, consecutive_failures) VALUES (?, 'skylark', ?, ?)",
        [("mastodon-mentions", "degraded", 3)]))
    assert await (await client.get("/health")).json() == {"status": "ok"}
    body = await (await client.get("/health", headers={"Authorization": f"Bearer {web_store.token}"})).json()  # type: ignore[attr-defined]
    statuses = {s["source"]: s["status"] for s in body["sources"]}
    assert body["status"] == "ok" and statuses["mastodon-mentions"] == "off"


async def test_a_person_gets_an_error_page_and_a_script_gets_json(client: TestClient) -> None:
    await login(client, "agent")
    html = {"Accept": "text/html,application/xhtml+xml"}
    r = await client.get("/conversations/999999", headers=html)
    assert r.status == 404 and r.content_type == "text/html"
    page = await r.text()
    assert "404 · Not Found" in page and "conversation 999999" in page.lower() and 'href="/">Back to Queue' in page
    r = await client.get("/conversations/999999")
    assert r.status == 404 and (await r.json())["error"]["code"] == "not_found"
    r = await client.get("/no/such/page", headers=html)
    assert r.status == 404 and "404 · Not Found" in await r.text()
    r = await client.post("/conversations/1/claim", data={}, headers=html)  # no CSRF token
    assert r.status == 403 and "reload the page" in await r.text() and r.content_type == "text/html"
    client.session.cookie_jar.clear()
    await login(client, "marketing")
    r = await client.get("/", headers=html)  # no queue for marketing: the way back is a page they can use
    assert r.status == 403 and 'href="/trends">Back to Trends' in await r.text()


async def test_wrong_password_and_bad_login_csrf(client: TestClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
    r = await client.post("/login", data={"username": "agent", "password": "nope", "csrf_token": token})
    assert r.status == 401 and "Wrong username or password" in await r.text()
    r = await client.post("/login", data={"username": "agent", "password": "agent-pw", "csrf_token": "forged"})
    assert r.status == 403


async def test_roles_are_enforced(client: TestClient) -> None:
    await login(client, "marketing")
    assert (await client.get("/", allow_redirects=False)).status == 403
    assert (await client.get("/api/sla/summary")).status == 403
    assert (await client.get("/trends")).status == 200
    client.session.cookie_jar.clear()
    await login(client, "lead")
    assert (await client.get("/")).status == 200  # leads can see agent pages
    assert (await client.get("/sla")).status == 200
    assert (await client.get("/api/trends")).status == 403
    client.session.cookie_jar.clear()
    await login(client, "admin")
    for path in ("/", "/sla", "/trends", "/api/trends", "/api/sla/summary"):
        assert (await client.get(path)).status == 200, path


async def test_unsafe_methods_need_the_csrf_token(client: TestClient, web_store: Store) -> None:
    csrf = await login(client, "agent")
    top = (await (await client.get("/api/queue?limit=1")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{top}/claim", json={})
    assert r.status == 403
    r = await client.post(f"/api/conversations/{top}/claim", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and (await r.json())["assignee"] == "agent"
    bearer = {"Authorization": f"Bearer {web_store.token}"}  # type: ignore[attr-defined]
    r = await client.post(f"/api/conversations/{top}/release", json={}, headers=bearer)
    assert r.status == 200, await r.text()


async def test_agent_claims_sends_and_the_sla_changes(client: TestClient, web_store: Store) -> None:
    csrf = await login(client, "agent")
    queue = (await (await client.get("/api/queue?limit=5&status=new&platform=x")).json())["items"]
    conv = queue[0]
    assert conv["sla"]["state"] in ("on_track", "at_risk", "breached")
    r = await client.post(f"/conversations/{conv['id']}/claim", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303
    detail = await (await client.get(f"/api/conversations/{conv['id']}")).json()
    assert detail["conversation"]["status"] == "open" and "send" in detail["actions"]
    text = detail["draft"]["text"] + " Thanks for your patience."
    r = await client.post(f"/conversations/{conv['id']}/send", allow_redirects=False,
                          data={"csrf_token": csrf, "text": text, "idempotency_key": "key-12345678"})
    assert r.status == 303
    again = await client.post(f"/api/conversations/{conv['id']}/replies", headers={"X-CSRF-Token": csrf},
                              json={"text": text, "idempotency_key": "key-12345678"})
    assert again.status == 201 and (await again.json())["state"] == "sent"
    detail = await (await client.get(f"/api/conversations/{conv['id']}")).json()
    assert detail["conversation"]["status"] == "pending"
    assert detail["conversation"]["first_responded_at"]
    assert detail["conversation"]["sla"]["state"] == "responded"
    assert len(detail["replies"]) == 1  # the retried send did not post twice
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds.count("conversation.status") == 2 and "reply.created" in kinds and "reply.sent" in kinds
    world = client.app[SIM].world  # the reply really reached the platform, once
    posted = [p for p in world.posts if p.text == text]
    assert len(posted) == 1 and posted[0].parent_id == conv["mention_key"].split(":", 1)[1]


async def test_send_and_resolve_from_the_page_posts_then_resolves_and_can_be_undone(client: TestClient) -> None:
    """The page's "Send and resolve" button: one post on the platform, the conversation resolved, the
    page says so with an Undo (which reopens it to pending, the reply staying posted)."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&status=new&platform=x")).json())["items"][0]
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert 'id="act-send-resolve"' in page
    r = await client.post(f"/conversations/{conv['id']}/send", allow_redirects=False,
                          data={"csrf_token": csrf, "text": "All sorted, thank you!", "resolve": "1",
                                "idempotency_key": "key-close-page"})
    assert r.status == 303 and r.headers["Location"].endswith("done=send_resolve")
    page = await (await client.get(r.headers["Location"])).text()
    assert "Sent and resolved." in page and 'id="act-undo"' in page
    detail = await (await client.get(f"/api/conversations/{conv['id']}")).json()
    assert detail["conversation"]["status"] == "resolved"
    assert [p.text for p in client.app[SIM].world.posts].count("All sorted, thank you!") == 1
    r = await client.post(f"/conversations/{conv['id']}/undo", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303
    detail = await (await client.get(f"/api/conversations/{conv['id']}")).json()
    assert detail["conversation"]["status"] == "pending" and detail["replies"][0]["state"] == "sent"


@pytest.mark.parametrize("blank", ["\u200b\u200b", "\ufeff \u2060", "\u3164", "\u2800\u2800\n", "\u200d\u00ad"])
async def test_a_reply_that_shows_nothing_is_refused_and_the_clock_keeps_running(client: TestClient,
                                                                                blank: str) -> None:
    """Two zero-width spaces passed ``strip()``: posted as a blank reply, they stopped the first-response clock."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x&status=new")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": blank, "idempotency_key": "blank-0001"})
    assert r.status == 409 and "the reply is empty" in (await r.json())["error"]["message"]
    detail = await (await client.get(f"/api/conversations/{conv}")).json()
    assert detail["replies"] == [] and detail["conversation"]["first_responded_at"] is None
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "\u200bThanks \U0001f469\u200d\U0001f4bb", "idempotency_key": "blank-0002"})
    assert r.status == 201  # an invisible character beside visible ones is a reply like any other


async def held_reply(client: TestClient, key: str) -> tuple[int, dict[str, Any]]:
    """The agent's defensive reply to the first X conversation, held for a lead: (conversation id, reply)."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "As we already explained, that is our policy.", "idempotency_key": key})
    reply = await r.json()
    assert reply["state"] == "awaiting_approval"
    return conv, reply


async def test_defensive_reply_waits_for_a_lead(client: TestClient) -> None:
    _, reply = await held_reply(client, "k" * 10)
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    cache = client.app[SLA_CACHE]
    cache.ratio, cache.slow_s = 1e9, 0.0  # hold the summary for good, writes or not, as a large store would
    summary = await (await client.get("/api/sla/summary")).json()
    assert [a["id"] for a in summary["approvals"]] == [reply["id"]]
    page = await (await client.get("/sla")).text()  # the customer's words and the draft find their own direction
    assert 'wrote: <q dir="auto">' in page and '<q dir="auto">As we already explained' in page  # (Arabic read LTR)
    r = await client.post(f"/api/replies/{reply['id']}/approve", headers={"X-CSRF-Token": csrf},
                          json={"seen": summary["approvals"][0]["updated_at"]})  # the text the lead read
    approved = await r.json()
    assert approved["state"] == "sent" and approved["reviewed_by"] == "lead"  # approval posts it at once
    again = await (await client.get("/api/sla/summary")).json()
    assert again["now"] == summary["now"] and again["approvals"] == []  # held summary, fresh approvals


async def test_a_failed_send_is_visible_and_retried_by_a_person(client: TestClient) -> None:
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x")).json())["items"][0]["id"]
    client.app[SIM].world.inject("create", Fault("500"))
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "Thanks for telling us, we're on it. Please DM us your booking reference.",
                                "idempotency_key": "retry-key-1"})
    failed = await r.json()
    assert r.status == 201 and failed["state"] == "failed" and "503" in failed["error"]
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert "Not sent:" in page and f'/replies/{failed["id"]}/retry' in page
    r = await client.post(f"/api/replies/{failed['id']}/retry", headers={"X-CSRF-Token": csrf})
    assert (await r.json())["state"] == "sent"
    posted = [p for p in client.app[SIM].world.posts if p.text.startswith("Thanks for telling us, we're on it")]
    assert len(posted) == 1


async def test_a_failed_reply_offers_retry_only_to_who_may_and_says_what_retired_it(
        client: TestClient, web_store: Store) -> None:
    """Anyone could retry anyone's failed reply; now the conversation's holder or a lead (the API refuses the
    others with a 409 naming the holder), and the page shows others why there is no button. A failed reply that
    another answer retired says which."""
    web_store.write_sync(lambda db: create_user(db, "agent2", Role.AGENT, "agent2-pw"))
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x&status=new")).json())["items"][0]["id"]
    client.app[SIM].world.inject("create", Fault("500"))
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "Sorry for the wait. Please DM us your booking reference.",
                                "idempotency_key": "retire-1"})
    failed = await r.json()
    assert failed["state"] == "failed"
    client.session.cookie_jar.clear()  # agent2 in another browser
    csrf = await login(client, "agent2")
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert f'/replies/{failed["id"]}/retry' not in page
    assert "agent holds the conversation: they or a lead can retry it" in page
    r = await client.post(f"/api/replies/{failed['id']}/retry", headers={"X-CSRF-Token": csrf})
    assert r.status == 409 and "agent" in (await r.json())["error"]["message"]
    r = await client.post(f"/api/conversations/{conv}/take_over", headers={"X-CSRF-Token": csrf})
    assert r.status == 200, await r.text()
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "Found it: your bag arrives tonight.", "idempotency_key": "retire-2"})
    answer = await r.json()
    assert answer["state"] == "sent"
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert f"Not posted: reply {answer['id']} answered that message first." in page
    assert f'/replies/{failed["id"]}/retry' not in page


async def test_a_draft_offers_its_editor_only_where_a_submit_can_work(client: TestClient) -> None:
    """The agent's withdrawn draft kept its "Edit and submit" form after a lead took the conversation over (or
    after a resolve): a submit there is refused, so the page says what to do instead."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x&status=new")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "As we already explained, this is our policy.",
                                "idempotency_key": "editor-draft-1"})
    held = await r.json()
    assert held.get("state") == "awaiting_approval", held
    r = await client.post(f"/api/replies/{held['id']}/withdraw", headers={"X-CSRF-Token": csrf})
    assert r.status == 200
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert f'action="/replies/{held["id"]}/resubmit"' in page
    r = await client.post(f"/api/conversations/{conv}/resolve", headers={"X-CSRF-Token": csrf})
    assert r.status == 200
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert "resubmit" not in page.split('id="reply-')[-1] and "reopen it to edit and submit this draft" in page
    r = await client.post(f"/api/conversations/{conv}/reopen", headers={"X-CSRF-Token": csrf})
    assert r.status == 200
    client.session.cookie_jar.clear()
    lead_csrf = await login(client, "lead")
    r = await client.post(f"/api/conversations/{conv}/take_over", headers={"X-CSRF-Token": lead_csrf})
    assert r.status == 200
    client.session.cookie_jar.clear()
    await login(client, "agent")
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert f'action="/replies/{held["id"]}/resubmit"' not in page
    assert "lead holds the conversation now: take it over to edit and submit this draft" in page


async def test_the_page_says_a_close_withdrew_a_reply_and_its_undo_put_it_back(client: TestClient) -> None:
    """"Resolved." alone hid that the agent's reply waiting for a lead would now never go out; "Undone." that it
    was back."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x&status=new")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "As we already explained, this is our policy.",
                                "idempotency_key": "withdrawn-said-1"})
    assert (await r.json()).get("state") == "awaiting_approval"
    r = await client.post(f"/conversations/{conv}/resolve", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303 and "withdrawn=1" in r.headers["Location"], r.headers["Location"]
    page = await (await client.get(r.headers["Location"])).text()
    assert "Resolved. 1 reply not yet posted withdrawn: Undo puts it back." in page
    r = await client.post(f"/conversations/{conv}/undo", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303 and "restored=1" in r.headers["Location"], r.headers["Location"]
    page = await (await client.get(r.headers["Location"])).text()
    assert ("Undone: the conversation is back as it was (a reply already posted stays posted). 1 reply withdrawn by "
            "the close back as before.") in page
    page = await (await client.get(f"/conversations/{conv}?done=resolve&withdrawn=99999")).text()
    assert "99999" not in page  # only a short count is said
    page = await (await client.get(f"/conversations/{conv}?done=undo&kept_withdrawn=1")).text()
    assert ("(a reply already posted stays posted). 1 reply left withdrawn: the customer&#39;s message was answered "
            "meanwhile.") in page


async def test_the_page_says_what_became_of_a_reply_sent_from_the_form(client: TestClient) -> None:
    """The form said "Sent." in green for a reply the platform refused, and "Retried." for a retry that failed
    again: the page reports the reply's outcome, as the API's message does."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x&status=new")).json())["items"][0]["id"]
    client.app[SIM].world.inject("create", Fault("500"))
    r = await client.post(f"/conversations/{conv}/send", allow_redirects=False, data={
        "csrf_token": csrf, "text": "Sorry for the trouble. Please DM us your booking reference.",
        "idempotency_key": "form-fail-1", "resolve": "1"})
    assert r.status == 303 and r.headers["Location"].endswith("done=not_sent_resolve"), r.headers["Location"]
    page = await (await client.get(r.headers["Location"])).text()
    alert = re.search(r'<p class="error" role="alert" id="flash">(.*?)</p>', page, re.S)
    assert alert and "Not sent, so not resolved" in alert.group(1) and "Sent." not in page
    reply = re.search(r'/replies/(\d+)/retry', page)
    assert reply is not None
    client.app[SIM].world.inject("create", Fault("500"))
    r = await client.post(f"/replies/{reply.group(1)}/retry", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.headers["Location"].endswith("done=not_sent")  # refused again: not "Retried."
    r = await client.post(f"/replies/{reply.group(1)}/retry", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.headers["Location"].endswith("done=retry")
    page = await (await client.get(r.headers["Location"])).text()
    assert '<p class="flash" role="status" id="flash">Sent on retry.' in page


async def test_a_refused_form_goes_back_to_its_page_saying_why(client: TestClient) -> None:
    """A tag the rules refuse left the conversation for an error page whose only link was the queue; now the
    person is back on the page they were on, the refusal on top, with the page's own query kept."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1")).json())["items"][0]["id"]
    page = f"/conversations/{conv}?done=claim"
    r = await client.post(f"/conversations/{conv}/tag", data={"csrf_token": csrf, "tag": "<b>x</b>"},
                          allow_redirects=False, headers={"Accept": "text/html", "Referer": f"http://{client.host}:{client.port}{page}"})
    assert r.status == 303 and r.headers["Location"].startswith(f"/conversations/{conv}?oops="), r.headers
    assert "done=" not in r.headers["Location"]  # not "Claimed." above the refusal
    html = await (await client.get(r.headers["Location"], headers={"Accept": "text/html"})).text()
    refused = re.search(r'<p class="error" role="alert" id="refused">(.*?)</p>', html, re.S)
    assert refused and "tag" in refused.group(1).lower(), refused
    forged = await (await client.get(f"/conversations/{conv}?oops=Your+session+expired&osig=0",
                                     headers={"Accept": "text/html"})).text()
    assert 'id="refused"' not in forged and "Your session expired" not in forged
    r = await client.post(f"/conversations/{conv}/tag", data={"csrf_token": csrf, "tag": "<b>x</b>"},
                          allow_redirects=False, headers={"Accept": "text/html", "Referer": "http://elsewhere.example/"})
    assert r.status == 400 and "text/html" in r.headers["Content-Type"]  # another site's page: no way back there
    r = await client.post(f"/api/conversations/{conv}/tag", json={"tag": "<b>x</b>"}, headers={"X-CSRF-Token": csrf})
    assert r.status >= 400 and "error" in await r.json()  # the API keeps its JSON shape


async def test_a_held_conversation_shows_each_person_only_the_buttons_that_work(client: TestClient) -> None:
    """Under "replying and changing it are theirs until you take it over" an agent saw Resolve, Snooze, Dismiss
    and Release, and Resolve was a 409; a lead, who may change its status, was told the same."""
    from responder import queue

    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&status=new")).json())["items"][0]["id"]
    await client.app[STORE].write(lambda db: queue.act(db, conv, "claim", actor="bob", now=datetime.now(UTC)))
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert "<b>bob</b> holds this conversation" in page and "(or escalate it)" in page
    assert 'id="act-take_over"' in page and 'id="act-escalate"' in page
    assert not any(f'id="act-{a}"' in page for a in ("resolve", "snooze", "dismiss", "release", "claim"))
    await client.post("/logout", data={"csrf_token": csrf})
    await login(client, "lead")
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert "as a lead you can still resolve, snooze, dismiss or release it" in page
    assert all(f'id="act-{a}"' in page for a in ("take_over", "resolve", "snooze", "dismiss", "release"))
    assert 'id="editor-form"' not in page  # replying stays the holder's


async def test_the_author_withdraws_a_held_reply_edits_it_and_submits_it(client: TestClient) -> None:
    """A reply held for a lead could not be taken back: the editor offered "send another" only."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x&status=new")).json())["items"][0]["id"]
    r = await client.post(f"/conversations/{conv}/send", allow_redirects=False, data={
        "csrf_token": csrf, "text": "As we already explained, this is our policy.", "idempotency_key": "held-w-1"})
    assert "done=held" in r.headers["Location"]
    page = await (await client.get(f"/conversations/{conv}")).text()
    reply = re.search(r'action="/replies/(\d+)/withdraw"', page)
    assert reply is not None and "Withdraw to edit" in page
    r = await client.post(f"/replies/{reply.group(1)}/withdraw", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303 and "done=withdraw" in r.headers["Location"]
    page = await (await client.get(r.headers["Location"].split("#")[0])).text()
    assert "withdrawn, being edited" in page and "Edit and submit" in page
    assert f'action="/replies/{reply.group(1)}/withdraw"' not in page
    r = await client.post(f"/replies/{reply.group(1)}/resubmit", allow_redirects=False, data={
        "csrf_token": csrf, "text": "Sorry about this. Please DM us your booking reference and we'll sort it."})
    assert "done=resubmit" in r.headers["Location"]  # no rule holds the new words: posted
    posted = [p.text for p in client.app[SIM].world.posts if p.text.startswith("Sorry about this. Please DM us")]
    assert len(posted) == 1


async def test_a_page_that_does_not_exist_keeps_a_signed_in_person_s_menu(client: TestClient) -> None:
    """A mistyped address showed a signed-in agent "Log in" and no menu, as if they had been signed out."""
    await login(client, "agent")
    r = await client.get("/conversation/1", headers={"Accept": "text/html"})
    page = await r.text()
    assert r.status == 404 and 'href="/login"' not in page and 'action="/logout"' in page
    assert "Back to Queue" in page
    client.session.cookie_jar.clear()
    page = await (await client.get("/nope", headers={"Accept": "text/html"})).text()
    assert 'href="/login"' in page and 'action="/logout"' not in page  # signed out: the way in


def test_times_on_the_pages_read_in_the_team_s_zone() -> None:
    """The conversation page showed UTC times (saying so only for the SLA's due time) while service.timezone is
    "the team's time zone: dates shown in the UI"."""
    from careline.app.web.app import team_time

    shown = team_time("America/New_York")
    assert shown("2026-12-07T02:30:00+00:00") == "2026-12-06 21:30"  # an evening post, on New York's day
    assert shown("2026-07-01T12:00:00Z") == "2026-07-01 08:00"  # summer time
    assert shown("not yet") == "not yet" and shown(None) == ""
    assert team_time("UTC")("2026-12-07T02:30:00+00:00") == "2026-12-07 02:30"
    assert shown("2026-12-07T02:30:59.123+00:00", seconds=True) == "2026-12-06 21:30:59"  # the admin's events


async def test_illegal_transition_is_a_409_in_the_error_shape(client: TestClient) -> None:
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&status=new")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/resolve", json={}, headers={"X-CSRF-Token": csrf})
    body = await r.json()
    assert r.status == 409 and body["error"]["code"] == "conflict" and "cannot resolve" in body["error"]["message"]


async def test_hostile_text_is_escaped_in_html_and_json_islands(client: TestClient) -> None:
    await login(client, "agent")
    html = await (await client.get("/?limit=100")).text()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;User&lt;/b&gt;" in html
    conv = (await (await client.get("/api/queue?limit=100")).json())["items"]
    hostile = next(c for c in conv if "<script>" in c["text"])
    page = await (await client.get(f"/conversations/{hostile['id']}")).text()
    assert "<script>alert" not in page
    island = re.search(r'<script type="application/json" id="conv-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in island and ">" not in island


async def test_csv_export_is_one_row_per_conversation_and_formula_safe(client: TestClient) -> None:
    await login(client, "lead")
    r = await client.get("/api/sla/conversations.csv")
    assert r.headers["Content-Type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(await r.text())))
    assert len(records) == 60
    formula = [x for x in records if "HYPERLINK" in x["latest_message"]]
    assert formula and all(x["latest_message"].startswith("'=") for x in formula)


async def test_csv_downloads_carry_a_byte_order_mark_only_when_asked(client: TestClient) -> None:
    """Excel reads a CSV without UTF-8's byte-order mark in the machine's legacy code page, so accents and emoji
    come out garbled: every download link on the pages asks for the mark (``bom=1``); a script's plain request
    gets the same rows without it; any other value is a 400 that says so."""
    import html

    for role, page, path in (("lead", "/sla", "/api/sla/conversations.csv"),
                             ("lead", "/reports", "/api/reports/sla.csv"),
                             ("marketing", "/trends", "/api/trends.csv")):
        client.session.cookie_jar.clear()
        await login(client, role)
        links = re.findall(r'href="(' + re.escape(path) + r'[^"]*)"', await (await client.get(page)).text())
        assert links and all("bom=1" in link for link in links), (page, links)
        link = html.unescape(links[0])
        marked = await (await client.get(link)).read()
        plain = await (await client.get(link.replace("bom=1", "bom=0"))).read()
        unasked = await (await client.get(link.replace("&bom=1", "").replace("?bom=1", ""))).read()
        assert marked.startswith(b"\xef\xbb\xbf"), path
        assert not plain.startswith(b"\xef\xbb\xbf") and not unasked.startswith(b"\xef\xbb\xbf"), path
        rows = list(csv.reader(io.StringIO(marked.decode("utf-8-sig"))))
        assert rows[0] == next(csv.reader(io.StringIO(plain.decode("utf-8")))) and len(rows) > 1, path
        bad = await client.get(link.replace("bom=1", "bom=yes"))
        assert bad.status == 400 and "bom must be 1" in await bad.text(), path


async def test_lead_summary_counts_hits_and_misses(client: TestClient) -> None:
    await login(client, "lead")
    s = await (await client.get("/api/sla/summary")).json()
    month = s["periods"]["30d"]
    assert month["targets_hit"] > 0 and month["targets_missed"] > 0
    assert 0 < month["attainment_pct"] < 100
    assert sum(b["count"] for b in s["backlog"]) > 0
    assert "agent" in s["by_agent"] and set(s["by_platform"]) <= {"x", "reddit"}


async def test_trends_and_survey_import(client: TestClient) -> None:
    csrf = await login(client, "marketing")
    now = datetime.now(UTC)
    answers = [{"brand": "skylark", "score": s, "answered_at": (now - timedelta(days=1)).isoformat()}
               for s in (10, 9, 9, 3, 7)]
    r = await client.post("/api/surveys", json={"answers": answers}, headers={"X-CSRF-Token": csrf})
    assert r.status == 201
    t = await (await client.get("/api/trends?brand=skylark")).json()
    assert t["survey_nps"][0]["nps"] == 40  # 60% promoters - 20% detractors
    assert sum(d["total"] for d in t["daily"]) == 30
    assert {s["brand"] for s in t["share_of_voice"]} == {"Skylark Air", "Bluejay"}
    page = await (await client.get("/trends")).text()
    assert '<script src="/static/vendor/plotly.min.js">' in page
    # everything the page loads is ours (no CDN); a bare "cdn" search also hit a random CSRF token once
    assert re.findall(r'(?:src|href)="(?:https?:)?//', page) == []
    js = await client.get("/static/vendor/plotly.min.js")
    assert js.status == 200 and len(await js.read()) > 1_000_000


async def test_security_headers_everywhere(client: TestClient) -> None:
    for path in ("/login", "/", "/api/queue"):
        r = await client.get(path, allow_redirects=False)
        assert "script-src 'self'" in r.headers["Content-Security-Policy"], path
        assert r.headers["X-Frame-Options"] == "DENY"


async def test_resolving_offers_a_survey_the_customer_can_answer_once(client: TestClient) -> None:
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&status=new")).json())["items"][0]["id"]
    for action in ("claim", "resolve"):
        r = await client.post(f"/api/conversations/{conv}/{action}", json={}, headers={"X-CSRF-Token": csrf})
        assert r.status == 200, await r.text()
    assert (await r.json())["survey_path"].startswith("/s/")
    page = await (await client.get(f"/conversations/{conv}")).text()
    url = re.search(r'<dd class="survey"><a href="(http://127\.0\.0\.1:8080/s/[^"]+)"', page).group(1)
    link = url.removeprefix("http://127.0.0.1:8080")  # absolute for the customer; the test client asks by path
    client.session.cookie_jar.clear()  # the customer has no account
    question = await client.get(link)
    assert question.status == 200 and "recommend" in (await question.text()).lower()
    answered = await client.post(link, data={"score": "9", "comment": "<b>quick</b> fix"})
    assert answered.status == 200 and "thank" in (await answered.text()).lower()
    again = await client.post(link, data={"score": "2"})  # a double submit: thanks again, the score stays 9
    assert again.status == 200 and "thank" in (await again.text()).lower()
    await login(client, "agent")
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert "answered: 9" in page


async def test_lead_assigns_and_agent_escalates(client: TestClient) -> None:
    csrf = await login(client, "lead")
    conv = (await (await client.get("/api/queue?limit=1&status=new")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/assign", json={"agent": "agent"},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and (await r.json())["assignee"] == "agent"
    r = await client.post(f"/api/conversations/{conv}/assign", json={"agent": "nobody"},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 404
    client.session.cookie_jar.clear()
    csrf = await login(client, "agent")
    r = await client.post(f"/api/conversations/{conv}/assign", json={"agent": "agent"},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 403  # agents cannot assign
    r = await client.post(f"/api/conversations/{conv}/escalate", json={"note": "VIP"},
                          headers={"X-CSRF-Token": csrf})
    body = await r.json()
    assert body["escalation_level"] == 1 and body["priority"] >= 95
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert "level 1 of 3" in page and "escalated by agent: VIP" in page
    # urgent for approval now, but its due times are the policy's it came in with: the page says so
    assert 'id="policy-kept">(given when it came in: an escalation does not change its due times)' in page
    # the audit log in words: an assignment read "conversation.status → open", as a claim did
    log = page[page.index('id="ev-h"'):]
    assert "lead assigned it to agent" in log and "agent escalated it (level 1): VIP" in log
    assert "conversation.status" not in log


async def test_lead_sends_a_held_reply_back_with_a_note(client: TestClient) -> None:
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": "You should have read our policy first.", "idempotency_key": "held-12345"})
    held = await r.json()
    assert held["state"] == "awaiting_approval"
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    r = await client.post(f"/api/replies/{held['id']}/send-back", headers={"X-CSRF-Token": csrf},
                          json={"note": "Don't blame the customer; offer the DM."})
    back = await r.json()
    assert r.status == 200 and back["state"] == "draft" and back["review_note"].startswith("Don't blame")
    summary = await (await client.get("/api/sla/summary")).json()
    assert held["id"] not in [a["id"] for a in summary["approvals"]]
    assert not [p for p in client.app[SIM].world.posts if p.text.startswith("You should have read")]


async def _speaks(store: Store, conv_id: int, language: str) -> None:
    """The conversation's posts detected as ``language`` (the worker's write)."""
    await store.write(lambda db: db.conn.execute(
        "UPDATE mentions SET language = ? WHERE thread_key = (SELECT thread_key FROM conversations WHERE id = ?)",
        (language, conv_id)))


async def test_a_wordless_follow_up_leaves_the_conversation_in_its_language(client: TestClient,
                                                                           web_store: Store) -> None:
    """The multilingual audit: an urgent Arabic complaint followed by "؟؟" (tagged und) left the Arabic queue
    (language=ar), its row read "und", and its suggested reply turned English."""
    await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=100")).json())["items"][0]
    await _speaks(web_store, conv["id"], "ar")

    def follow_up(db: Database) -> None:
        db.conn.execute(
            "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
            "fetched_at, conversation_id, thread_key, raw, stage, language) SELECT 'x:9999001', platform, '9999001', "
            "brand, source, author_key, '؟؟', '', '2099-01-01T00:00:00+00:00', '2099-01-01T00:00:00+00:00', "
            "conversation_id, thread_key, '{}', 'routed', 'und' FROM mentions WHERE thread_key = "
            "(SELECT thread_key FROM conversations WHERE id = ?) LIMIT 1", (conv["id"],))

    await web_store.write(follow_up)
    arabic = (await (await client.get("/api/queue?limit=200&language=ar")).json())["items"]
    assert conv["id"] in [c["id"] for c in arabic]
    assert next(c for c in arabic if c["id"] == conv["id"])["language"] == "ar"
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert "template in Arabic)" in page


async def test_the_brand_s_arabic_reply_reads_right_to_left(client: TestClient, web_store: Store) -> None:
    """The multilingual audit: a reply opening with the customer's @handle was laid out left to right (``dir=auto``
    reads the handle), its full stop before the first Arabic word."""
    await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=100")).json())["items"][0]
    await web_store.write(lambda db: db.conn.execute(
        "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key) "
        "VALUES (?, '@u_ar1 مرحبًا أحمد، نعتذر عن الانقطاع.', 'sent', 'agent', '2026-12-07T10:00:00+00:00', "
        "'2026-12-07T10:00:00+00:00', 'k-rtl-1')", (conv["id"],)))
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert '<p class="body" dir="rtl"><bdi>@u_ar1</bdi> مرحبًا أحمد، نعتذر عن الانقطاع.</p>' in page


async def test_the_template_language_is_named_and_arabic_reads_rtl(client: TestClient, web_store: Store) -> None:
    """The reply box says which language it suggests in ("in Thai", not "in th"): agents read names.
    Arabic posts and drafts read right to left, though a post starts with a Latin @handle."""
    await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=100")).json())["items"][0]
    await _speaks(web_store, conv["id"], "th")
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert "template in Thai)" in page and "สวัสดีค่ะ" in page
    assert 'title="detected language: Thai">th</span>' in page
    assert '<p class="body" dir="auto">' in page  # the browser decides for Thai
    queue = await (await client.get("/?language=th")).text()
    assert '<small class="lang" title="Thai">th</small>' in queue  # the row, named on hover
    assert '<option value="th">Thai</option>' in queue and 'list="language-list"' in queue  # type "Thai", get th
    assert 'pattern=' not in queue.split('name="language"')[1].split(">")[0]  # the browser blocked "Thai" typed
    typed = await (await client.get("/?language=Thai")).text()  # the name, as the README says one may type it
    assert '<small class="lang" title="Thai">th</small>' in typed and 'value="th"' in typed
    none = await (await client.get("/?language=Klingon")).text()
    assert "No conversations match these filters" in none and "The queue is empty" not in none  # not "all done"
    assert "Careline knows no language “Klingon”: use a code (sv) or an English name (Swedish)." in none
    unheard = await (await client.get("/?language=sw")).text()  # a code: the identifier may know it, so no hint
    searched = await (await client.get("/?q=refund&language=Klingon")).text()
    assert "Careline knows no language “Klingon”" in searched  # a search says so too
    tagged = await (await client.get("/?language=th-TH")).text()  # a language tag: its language
    assert '<small class="lang" title="Thai">th</small>' in tagged and "knows no language" not in tagged
    assert "No conversations match these filters" in unheard and "knows no language" not in unheard
    await _speaks(web_store, conv["id"], "ar")
    arabic = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert '<p class="body" dir="rtl">' in arabic and '<textarea id="reply" name="text" dir="rtl"' in arabic
    assert "template in Arabic)" in arabic
    row = await (await client.get("/?language=ar")).text()
    assert f'<a href="/conversations/{conv["id"]}" dir="rtl">' in row  # the queue row reads right to left too


async def test_a_conversation_of_an_author_without_a_name_has_no_stray_separator(client: TestClient,
                                                                                  web_store: Store) -> None:
    """The heading read "@handle · brightwave on reddit": a separator before a name that was not there."""
    conv = web_store.read_sync(lambda db: db.conn.execute("SELECT id FROM conversations LIMIT 1").fetchone()[0])
    web_store.write_sync(lambda db: db.conn.execute(
        "UPDATE authors SET name = '' WHERE key IN (SELECT m.author_key FROM mentions m JOIN conversations c "
        "ON m.thread_key = c.thread_key WHERE c.id = ?)", (conv,)))
    await login(client, "agent")
    page = await (await client.get(f"/conversations/{conv}")).text()
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "<small> ·" not in heading and " on " in heading, heading


@pytest.mark.parametrize(("agent", "named"), [
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/150.0.0.0 Safari/537.36",
     "Headless Chrome on Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 "
     "Edg/131.0", "Edge on Windows"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
     "Mobile/15E148 Safari/604.1", "Safari on iPhone"),
    ("Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
     "Chrome on Android"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on macOS"),
    ("python-httpx/0.28", "python-httpx/0.28"), ("", "unknown")])
def test_a_session_s_browser_reads_as_a_person_names_it(agent: str, named: str) -> None:
    """The account's sessions showed the raw User-Agent: on a phone, a column of "Mozilla/5.0 (X11; ..." per row."""
    from careline.app.web.app import browser_of

    assert browser_of(agent) == named


async def test_a_complaint_followed_by_lol_is_answered_as_the_complaint(client: TestClient, web_store: Store) -> None:
    """A complaint, then "@brand lol": the suggestion was the template of "lol" ("send us a DM with a few
    details")."""
    def follow_up(db: Database) -> int:
        conv, thread, author, brand, at = db.conn.execute(
            "SELECT c.id, c.thread_key, c.author_key, c.brand, m.created_at FROM conversations c JOIN classifications "
            "cl ON cl.mention_key = (SELECT key FROM mentions WHERE thread_key = c.thread_key) JOIN mentions m "
            "ON m.key = cl.mention_key WHERE cl.intent = 'billing' AND c.status = 'new' LIMIT 1").fetchone()
        later = to_iso(datetime.fromisoformat(at) + timedelta(minutes=3))
        db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                        "created_at, fetched_at, conversation_id, thread_key, language, raw, stage) VALUES "
                        "('x:lol', 'x', 'lol', ?, 'x-search', ?, '@brand lol', 'https://example.invalid/lol', ?, ?, "
                        "'lol', ?, 'en', '{}', 'routed')", (brand, author, later, later, thread))
        db.conn.execute("INSERT INTO classifications (mention_key, model_version, sentiment, sentiment_scores, "
                        "complaint, detractor, intent, intent_scores, classified_at) VALUES ('x:lol', 't', "
                        "'neutral', '{}', 0.08, 0.2, 'other', '{\"other\": 0.6}', ?)", (later,))
        return int(conv)

    conv = await web_store.write(follow_up)
    detail = await (await client.get(f"/api/conversations/{conv}",
                                     headers={"Authorization": f"Bearer {web_store.token}"})).json()  # type: ignore[attr-defined]
    assert detail["draft"]["intent"] == "billing", detail["draft"]
    assert detail["draft"]["note"].startswith("Answers the customer's earlier message")
    assert detail["classification"]["intent"] == "other"  # the reading shown is still the latest message's


async def test_a_leads_error_and_refusal_pages_keep_the_approvals_entry(client: TestClient, web_store: Store) -> None:
    """A page refused before its handler ran (a lead at /trends), or drawn as the answer to a refused form, lost the
    lead's Approvals entry in the navigation."""
    await login(client, "lead")
    html = {"Accept": "text/html"}
    normal = await (await client.get("/sla", headers=html)).text()
    assert 'href="/sla#approvals"' in normal
    refused = await client.get("/trends", headers=html)
    assert refused.status == 403 and 'href="/sla#approvals"' in await refused.text()
    missing = await client.get("/conversations/999999", headers=html)
    assert missing.status == 404 and 'href="/sla#approvals"' in await missing.text()


async def test_the_approvals_count_is_a_leads(client: TestClient, web_store: Store) -> None:
    lead = await web_store.write(lambda db: create_token(db, "lead", "t"))
    body = await (await client.get("/api/approvals/count", headers={"Authorization": f"Bearer {lead}"})).json()
    assert body == {"waiting": 0}
    agent = await client.get("/api/approvals/count", headers={"Authorization": f"Bearer {web_store.token}"})  # type: ignore[attr-defined]
    assert agent.status == 403


@pytest.mark.parametrize("event,said", [
    ({"kind": "conversation.status", "actor": "ann", "data": {"action": "claim", "agent": "ann", "from": "new",
                                                               "to": "open"}}, "claimed it"),
    ({"kind": "conversation.status", "actor": "system",
      "data": {"action": "customer_message", "from": "pending", "to": "open"}}, "the customer wrote (pending → open)"),
    ({"kind": "conversation.tagged", "actor": "ann", "data": {"tag": "refund"}}, "tagged it #refund"),
    ({"kind": "conversation.reassigned", "actor": "system", "data": {"from": "bo", "role": "marketing"}},
     "handed it back to the queue from bo (now marketing)"),
    ({"kind": "reply.created", "actor": "ann", "data": {"state": "awaiting_approval"}},
     "wrote a reply (held for approval)"),
    ({"kind": "conversation.team", "actor": "ann", "data": "not json"}, "took it off its team"),
    ({"kind": "something.new", "actor": "ann", "data": {}}, "something.new"),
])
def test_the_audit_log_says_events_in_words(event: dict[str, object], said: str) -> None:
    from careline.app.web.agent import event_words

    assert event_words(event) == said


@pytest.mark.parametrize("change", [{"disabled": True}, {"role": "marketing"}])
async def test_a_lead_approving_the_reply_of_someone_who_left_the_queue_keeps_the_conversation(
        client: TestClient, web_store: Store, change: dict[str, object]) -> None:
    """The concurrency audit: the agent's reply waited for approval; an admin disabled the agent (or made them
    marketing), which put the conversation back in the queue; the lead approved. The reply was posted, the lead
    was answered 403 "agent is disabled", and the conversation sat as "new" though answered."""
    conv, reply = await held_reply(client, "h" * 10)
    client.session.cookie_jar.clear()
    csrf = await login(client, "admin")
    r = await client.post("/api/admin/users/agent", json=change, headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and "back in the queue" in (await r.json())["message"]
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    seen = next(a["updated_at"] for a in (await (await client.get("/api/sla/summary")).json())["approvals"]
                if a["id"] == reply["id"])
    r = await client.post(f"/api/replies/{reply['id']}/approve", headers={"X-CSRF-Token": csrf}, json={"seen": seen})
    approved = await r.json()
    assert r.status == 200 and approved["state"] == "sent", approved
    row = (await (await client.get(f"/api/conversations/{conv}")).json())["conversation"]
    assert (row["assignee"], row["status"]) == ("lead", "pending")  # the approving lead holds it, answered
