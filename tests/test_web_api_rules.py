# ruff: noqa: F811  (the fixtures imported from test_web_app are parameters here)
"""Rules of the API that an audit found broken: reading is side-effect free (marking mentions seen is its
own POST), an API approval names the text its lead read, and neither one sign-in nor one person can hold
unbounded live streams. Real app, real SQLite file, real connections; the simulator is the X the replies go to."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from careline.app.web import api
from careline.app.web.app import create_app
from careline.app.web.auth import create_token
from careline.app.web.keys import STORE
from careline.settings import Settings
from careline.store import Store
from responder.tone import TONE_LANGUAGES
from tests.helpers.live import LiveServer
from tests.test_web_app import BRANDS, SIM, _speaks, client, login, web_store  # noqa: F401  (fixtures)

DEFENSIVE = "As we already explained, that is our policy."


async def _token(client: TestClient, user: str) -> dict[str, str]:
    token = await client.app[STORE].write(lambda db: create_token(db, user, "tests"))  # type: ignore[index]
    return {"Authorization": f"Bearer {token}"}


async def _note(client: TestClient, store: Store, text: str) -> None:
    """The agent (by their API token) writes a note on the top conversation."""
    bearer = {"Authorization": f"Bearer {store.token}"}  # type: ignore[attr-defined]
    conv = (await (await client.get("/api/queue?limit=1", headers=bearer)).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/notes", json={"text": text}, headers=bearer)
    assert r.status == 201, await r.text()


async def _badge(client: TestClient) -> str:
    """What the queue page's @mentions link says ("1 new", or "" when nothing is new)."""
    page = await (await client.get("/")).text()
    link = re.search(r'id="mentions-link"[^>]*>(.*?)</a>', page, re.S)
    assert link is not None
    found = re.search(r"(\d+ new)", link.group(1))
    return found.group(1) if found else ""


# -- 1. reading mentions marks nothing seen --------------------------------------------------------------
async def test_reading_mentions_marks_nothing_seen(client: TestClient, web_store: Store) -> None:
    """A prefetch, a link preview or a poll of the mentions page used to clear the person's new mentions."""
    await _note(client, web_store, "@lead can you approve a goodwill voucher?")
    await login(client, "lead")
    assert await _badge(client) == "1 new"
    for _ in range(3):
        page = await client.get("/mentions")
        assert page.status == 200 and "goodwill voucher" in await page.text()
    assert await _badge(client) == "1 new"
    for _ in range(3):
        assert (await (await client.get("/api/mentions")).json())["unseen"] == 1
    assert await _badge(client) == "1 new"


async def test_marking_seen_is_a_post_up_to_what_was_shown(client: TestClient, web_store: Store) -> None:
    """The page's button marks what it showed; a mention written after it rendered stays new."""
    await _note(client, web_store, "@lead first")
    csrf = await login(client, "lead")
    page = await (await client.get("/mentions")).text()
    up_to = re.search(r'name="up_to" value="(\d+)"', page)
    assert up_to is not None and "Mark 1 new as seen" in page
    await _note(client, web_store, "@lead second, written while the page was open")
    r = await client.post("/mentions/seen", data={"csrf_token": csrf, "up_to": up_to.group(1)},
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/mentions"
    assert await _badge(client) == "1 new"
    listed = await (await client.get("/api/mentions")).json()
    assert listed["unseen"] == 1 and listed["items"][0]["text"].startswith("@lead second")
    assert (await client.post("/mentions/seen", data={"up_to": listed["newest"]})).status == 403  # no CSRF token
    bearer = await _token(client, "lead")
    r = await client.post("/api/mentions/seen", json={"up_to": listed["newest"]}, headers=bearer)
    assert r.status == 200 and await r.json() == {"unseen": 0}
    assert await _badge(client) == ""


async def test_marking_seen_never_reaches_past_the_newest_mention(client: TestClient, web_store: Store) -> None:
    await _note(client, web_store, "@lead one")
    await login(client, "lead")
    bearer = await _token(client, "lead")
    r = await client.post("/api/mentions/seen", json={"up_to": 10**12}, headers=bearer)
    assert r.status == 200 and await r.json() == {"unseen": 0}
    await _note(client, web_store, "@lead two")  # later than anything shown: new, whatever up_to said
    assert (await (await client.get("/api/mentions", headers=bearer)).json())["unseen"] == 1
    r = await client.post("/api/mentions/seen", headers=bearer)  # no body: every mention there is now
    assert r.status == 200 and await r.json() == {"unseen": 0}


@pytest.mark.parametrize(("body", "status"), [({"up_to": "12"}, 422), ({"up_to": -1}, 422),
                                              ({"up_to": 10**13}, 422), ({"up_to": 1.5}, 422),
                                              ({"up_to": True}, 422), (b"{not json", 400), (b"[1]", 400)])
async def test_bad_marks_are_refused_and_change_nothing(client: TestClient, web_store: Store, body: Any,
                                                        status: int) -> None:
    await _note(client, web_store, "@lead hello")
    csrf = await login(client, "lead")
    bearer = await _token(client, "lead")
    kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
    r = await client.post("/api/mentions/seen", headers={**bearer, "Content-Type": "application/json"}, **kwargs)
    assert r.status == status and (await r.json())["error"]["status"] == status
    assert (await (await client.get("/api/mentions")).json())["unseen"] == 1
    r = await client.post("/mentions/seen", data={"csrf_token": csrf, "up_to": "abc"})
    assert r.status == 422 and "up_to" in (await r.json())["error"]["message"]
    assert (await (await client.get("/api/mentions")).json())["unseen"] == 1


# -- 2. an API approval names the text its lead read -----------------------------------------------------
async def _held_reply(client: TestClient) -> dict[str, Any]:
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&platform=x")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/replies", headers={"X-CSRF-Token": csrf},
                          json={"text": DEFENSIVE, "idempotency_key": "held-key-1"})
    reply = await r.json()
    assert reply["state"] == "awaiting_approval"
    return dict(reply)


def _posted(client: TestClient, text: str) -> int:
    return [p.text for p in client.app[SIM].world.posts].count(text)  # type: ignore[index]


async def _state(client: TestClient, reply_id: int) -> str:
    return str(await client.app[STORE].read(lambda db: db.conn.execute(  # type: ignore[index]
        "SELECT state FROM replies WHERE id = ?", (reply_id,)).fetchone()[0]))


@pytest.mark.parametrize("body", [None, {}, {"seen": ""}], ids=["no-body", "empty-object", "empty-seen"])
async def test_an_api_approval_without_seen_is_refused_and_names_the_field(client: TestClient,
                                                                          body: Any) -> None:
    reply = await _held_reply(client)
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    r = await client.post(f"/api/replies/{reply['id']}/approve", headers={"X-CSRF-Token": csrf},
                          **({} if body is None else {"json": body}))
    error = (await r.json())["error"]
    assert r.status == 422 and error["code"] == "invalid"
    assert error["message"].startswith("seen:") and "updated_at" in error["message"]
    assert "GET /api/sla/summary" in error["message"]  # where the value comes from
    assert await _state(client, reply["id"]) == "awaiting_approval" and _posted(client, DEFENSIVE) == 0


async def test_approving_a_text_resubmitted_after_the_lead_read_it_is_refused(client: TestClient) -> None:
    """Lead A reads the reply; lead B sends it back; the author resubmits other words; A's approval, which
    used to need no ``seen``, must not post words A never read."""
    reply = await _held_reply(client)
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    read = (await (await client.get("/api/sla/summary")).json())["approvals"][0]
    assert read["id"] == reply["id"] and read["text"] == DEFENSIVE
    r = await client.post(f"/api/replies/{reply['id']}/send-back", headers={"X-CSRF-Token": csrf},
                          json={"note": "soften it"})
    assert r.status == 200
    client.session.cookie_jar.clear()
    agent = await login(client, "agent")
    other = "As we already explained twice, that is still our policy."
    r = await client.post(f"/api/replies/{reply['id']}/resubmit", headers={"X-CSRF-Token": agent},
                          json={"text": other})
    assert (await r.json())["state"] == "awaiting_approval"
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    for body in ({}, {"seen": read["updated_at"]}):
        r = await client.post(f"/api/replies/{reply['id']}/approve", headers={"X-CSRF-Token": csrf}, json=body)
        assert r.status in (409, 422), (r.status, await r.text())
    assert await _state(client, reply["id"]) == "awaiting_approval" and _posted(client, other) == 0
    fresh = (await (await client.get("/api/sla/summary")).json())["approvals"][0]["updated_at"]
    r = await client.post(f"/api/replies/{reply['id']}/approve", headers={"X-CSRF-Token": csrf},
                          json={"seen": fresh})
    assert r.status == 200 and (await r.json())["state"] == "sent" and _posted(client, other) == 1


async def test_the_approval_form_without_seen_goes_back_with_the_reason(client: TestClient) -> None:
    reply = await _held_reply(client)
    client.session.cookie_jar.clear()
    csrf = await login(client, "lead")
    r = await client.post(f"/replies/{reply['id']}/approve", data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303
    assert parse_qs(urlsplit(r.headers["Location"]).query)["refused"][0].startswith("Not approved: seen:")
    assert await _state(client, reply["id"]) == "awaiting_approval" and _posted(client, DEFENSIVE) == 0


# -- 3. live streams per sign-in and person ---------------------------------------------------------------
@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "STREAM_SECONDS", 0.2)
    monkeypatch.setattr(api, "CONVERSATION_STREAM_SECONDS", 0.2)


async def _open(client: TestClient | aiohttp.ClientSession, path: str,
                headers: dict[str, str] | None = None) -> ClientResponse:
    """A stream on its own connection, once its first event arrived (or its refusal)."""
    resp = await client.get(path, headers=headers or {})
    if resp.status == 200:
        async with asyncio.timeout(5):
            assert (await resp.content.readuntil(b"\n\n")).startswith(b"event: ")
    return resp


async def _until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _held(client: TestClient, who: str = "agent") -> int:
    return int(client.app[api.STREAMS].held(who))  # type: ignore[index]


async def test_streams_are_capped_per_sign_in_and_per_person_with_a_429(client: TestClient, web_store: Store,
                                                                      quick: None) -> None:
    """One sign-in (a session or a token) holds at most ``limit`` streams, queue and conversation streams alike,
    and a person at most ``person_limit`` over all of theirs; one more is a 429 saying which (they were
    unbounded: 40 opened). Counted per person alone, a leaked token holding every slot shut its owner's own
    browser out; now it takes one sign-in's share. A colleague is not affected."""
    slots = client.app[api.STREAMS]  # type: ignore[index]
    slots.limit, slots.person_limit = 3, 5  # the shipped 12 and 36, smaller: the same rule with fewer streams
    await login(client, "agent")
    leaked = {"Authorization": f"Bearer {web_store.token}"}  # type: ignore[attr-defined]
    conv = (await (await client.get("/api/queue?limit=1")).json())["items"][0]["id"]
    opened: list[ClientResponse] = []

    async def refused(path: str, headers: dict[str, str], words: str) -> None:
        r = await _open(client, path, headers)
        error = (await r.json())["error"]
        assert r.status == 429 and error["status"] == 429 and words in error["message"], error
        assert int(r.headers["Retry-After"]) > 0

    try:
        for n in range(3):
            opened.append(await _open(client, "/api/stream" if n % 2 else f"/api/conversations/{conv}/stream", leaked))
        assert [r.status for r in opened] == [200] * 3
        await refused("/api/stream", leaked, "this sign-in has 3 live streams open already")
        for _ in range(2):  # the owner's own browser still has its slots
            opened.append(await _open(client, "/api/stream"))
        assert [r.status for r in opened] == [200] * 5 and _held(client) == 5
        await refused("/api/stream", {}, "agent has 5 live streams open already")
        await refused(f"/api/conversations/{conv}/stream", await _token(client, "agent"), "agent has 5 live streams")
        assert _held(client) == 5
        colleague = await _open(client, "/api/stream", await _token(client, "lead"))
        assert colleague.status == 200 and _held(client, "lead") == 1
        colleague.close()
    finally:
        for r in opened:
            r.close()
    await _until(lambda: _held(client) == 0 and _held(client, "lead") == 0)


@pytest.fixture
def served(web_store: Store) -> Iterator[LiveServer]:
    """The app behind ``web.AppRunner`` as the service runs it: unlike aiohttp's TestServer, it does not cancel
    a handler whose client went away."""
    server = LiveServer(create_app(Settings(brands=BRANDS), web_store)).start()
    yield server
    server.stop()


async def test_a_slot_comes_back_when_the_page_goes_away(served: LiveServer, web_store: Store,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """At once, not at the stream's next event (30 s here): a closed tab is heard between events."""
    monkeypatch.setattr(api, "STREAM_SECONDS", 30.0)
    slots = served.app[api.STREAMS]
    token = {"Authorization": f"Bearer {web_store.token}"}  # type: ignore[attr-defined]
    async with aiohttp.ClientSession(served.url) as session:
        opened = [await _open(session, "/api/stream", token) for _ in range(slots.limit)]
        try:
            assert [r.status for r in opened] == [200] * slots.limit
            refused = await _open(session, "/api/stream", token)
            assert refused.status == 429
            refused.close()
            opened.pop().close()  # the tab is closed
            await _until(lambda: slots.held("agent") == slots.limit - 1, seconds=3)
            again = await _open(session, "/api/stream", token)
            assert again.status == 200
            opened.append(again)
        finally:
            for r in opened:
                r.close()
        await _until(lambda: slots.held("agent") == 0, seconds=3)


async def test_slots_come_back_at_logout_and_when_a_token_is_revoked(client: TestClient, web_store: Store,
                                                                     quick: None) -> None:
    cap = client.app[api.STREAMS].limit  # type: ignore[index]
    csrf = await login(client, "agent")
    opened = [await _open(client, "/api/stream") for _ in range(cap)]
    r = await client.post("/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False)
    assert r.status == 303
    await _until(lambda: _held(client) == 0)
    for resp in opened:
        resp.close()
    token = await _token(client, "agent")
    opened = [await _open(client, "/api/stream", token) for _ in range(cap)]
    assert [r.status for r in opened] == [200] * cap
    await client.app[STORE].write(lambda db: db.conn.execute(  # type: ignore[index]
        "UPDATE api_tokens SET revoked_at = '2026-12-06T00:00:00+00:00' WHERE username = 'agent'"))
    await _until(lambda: _held(client) == 0)
    for resp in opened:
        resp.close()
    await login(client, "agent")
    again = await _open(client, "/api/stream")
    assert again.status == 200
    again.close()


async def test_a_slot_comes_back_when_the_stream_s_lifetime_ends(client: TestClient, quick: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "STREAM_LIFETIME", 0.5)
    await login(client, "agent")
    resp = await _open(client, "/api/stream")
    assert resp.status == 200 and _held(client) == 1
    async with asyncio.timeout(5):
        while await resp.content.readany():
            pass
    await _until(lambda: _held(client) == 0)
    resp.close()


# -- 4. the tone guard reads the reply's language, and says where it does not check -----------------------
async def test_the_live_tone_check_reads_the_reply_s_language(client: TestClient, web_store: Store) -> None:
    """The editor's check as the agent types used English rules only, whatever the draft's language: a German
    policy wall passed unflagged, and a Polish reply showed "no findings" though the guard does not check Polish."""
    bearer = {"Authorization": f"Bearer {web_store.token}"}  # type: ignore[attr-defined]
    german = "Wie bereits erwähnt, ist das unsere Richtlinie. Da können wir leider nichts machen."

    async def check(text: str, **extra: str) -> dict[str, Any]:
        r = await client.post("/api/drafts/check", json={"text": text, "platform": "x", **extra}, headers=bearer)
        assert r.status == 200, await r.text()
        return (await r.json())["tone"]

    typed_on_english = await check(german)  # a German reply on an English thread: German rules run too (2026-12-07)
    assert typed_on_english["defensive"] and typed_on_english["language"] == "en"
    tone = await check(german, language="de")
    assert tone["defensive"] and tone["findings"] and tone["checked"] is False  # German rules run, unvouched
    assert (await check("As we already explained, that is our policy.", language="en"))["defensive"]
    polish = await check("Dziękujemy za wiadomość, sprawdzimy to.", language="pl")
    assert polish["checked"] is False and "check this reply by hand" in polish["note"]
    for bad in ("", "EN", "de-DE<script>", "x" * 40):
        r = await client.post("/api/drafts/check", json={"text": "hi", "language": bad}, headers=bearer)
        assert r.status == 422 and "language" in await r.text()


async def test_the_conversation_page_says_when_the_tone_guard_does_not_check_the_draft(
        client: TestClient, web_store: Store) -> None:
    """A draft in a language the guard does not check said "Tone guard: no findings.", which an agent reads as
    checked; it says so instead, and the page tells the editor's live check which language it reads."""
    await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=100")).json())["items"][0]
    await _speaks(web_store, conv["id"], "pl")
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert ('id="tone-unchecked">The tone guard catches only some defensive Polish and English phrasings: check '
            'this reply by hand.') in page
    assert "Tone guard: no findings." not in page and '"language":"pl"' in page
    await _speaks(web_store, conv["id"], "en")
    english = await (await client.get(f"/conversations/{conv['id']}")).text()
    vouched = "en" in TONE_LANGUAGES  # the page says what the guard's list says, in English too
    assert ('id="tone-unchecked"' in english) is not vouched and ("Tone guard: no findings." in english) is vouched


async def test_the_page_checks_a_reply_in_the_post_s_language_as_the_send_does(
        client: TestClient, web_store: Store) -> None:
    """A Swedish post has no Swedish template, so the suggestion is English; the page's live check read the
    suggestion's language and said "English phrasings" over a reply typed in Swedish, while the send checked it
    as Swedish. Both read the post's language now, and the note names what ran."""
    await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=100")).json())["items"][1]
    await _speaks(web_store, conv["id"], "sv")
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    assert "No Swedish template: the suggestion is in English.</p>" in page
    assert '"language":"sv"' in page  # what the editor's live check sends
    assert ("The tone guard has no rules for Swedish (it looks only for some defensive English phrasings): check "
            "this reply by hand.") in page
