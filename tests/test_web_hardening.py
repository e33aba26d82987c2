# ruff: noqa: F811  (the fixtures imported from test_web_app are parameters here)
"""The 21 inputs the security probe (issue 19) found crashing a handler, and the wrong-type cases it found
coerced: each must now answer a 4xx in the one error shape, change nothing, and log no traceback."""

from __future__ import annotations

import asyncio
import base64
import html
import json
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from aiohttp.test_utils import TestClient

from careline.app.web import schemas
from careline.store import Store
from responder.textlimits import LIMITS
from tests.test_web_app import client, login, web_store  # noqa: F401  (fixtures)

DEEP = ("[" * 5000 + "]" * 5000).encode()
DEEP_OBJECT = ('{"a":' * 5000 + "1" + "}" * 5000).encode()


def bearer(store: Store) -> dict[str, str]:
    return {"Authorization": f"Bearer {store.token}"}  # type: ignore[attr-defined]


async def open_conversation(client: TestClient, store: Store) -> int:
    """A conversation the test's agent has claimed, so every action is legal on it."""
    conv = (await (await client.get("/api/queue?limit=1&status=new", headers=bearer(store))).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/claim", json={}, headers=bearer(store))
    assert r.status == 200, await r.text()
    return int(conv)


async def survey_link(client: TestClient, store: Store) -> str:
    conv = await open_conversation(client, store)
    r = await client.post(f"/api/conversations/{conv}/resolve", json={}, headers=bearer(store))
    return str((await r.json())["survey_path"])


async def refused(r: Any, *statuses: int) -> dict[str, Any]:
    """The answer is one of ``statuses`` and, for JSON, in the documented error shape."""
    text = await r.text()
    assert r.status in statuses, (r.status, text[:300])
    if r.content_type == "application/json":
        body = await r.json()
        assert set(body["error"]) - {"field"} == {"status", "code", "message"} and body["error"]["status"] == r.status
        return dict(body["error"])
    return {}


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Any:
    """None of these inputs may reach the 500 branch (which logs ``unhandled error``)."""
    yield
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


# -- the 21 crashing inputs -----------------------------------------------------------------------
async def test_non_utf8_login_form_is_a_400(client: TestClient) -> None:
    r = await client.post("/login", data=b"username=\xff\xfe&password=\xc3(",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    await refused(r, 400)


async def test_non_utf8_survey_form_is_a_400(client: TestClient, web_store: Store) -> None:
    link = await survey_link(client, web_store)
    r = await client.post(link, data=b"score=9&comment=\xff\xfe\xfa",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    await refused(r, 400)
    page = await (await client.get(link)).text()
    assert "recommend" in page.lower()  # still unanswered: nothing was recorded


async def test_non_utf8_session_form_is_a_400(client: TestClient, web_store: Store) -> None:
    await login(client, "agent")
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/conversations/{conv}/escalate", data=b"csrf_token=\xff\xfe",
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    await refused(r, 400)


@pytest.mark.parametrize("body", [DEEP, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize("path", ["/api/conversations/{id}/snooze", "/api/conversations/{id}/replies",
                                  "/api/conversations/{id}/assign", "/api/drafts/check", "/api/surveys",
                                  "/api/replies/1/send-back"])
async def test_json_nested_5000_deep_is_a_400(client: TestClient, web_store: Store, path: str, body: bytes) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(path.format(id=conv), data=body,
                          headers={**bearer(web_store), "Content-Type": "application/json"})
    await refused(r, 400, 403)  # 403: the agent's token may not assign or import: refused before parsing


@pytest.mark.parametrize("body", [{"until": "notadate"}, {"minutes": 1e20}, {"until": "2026-12-04T17:00:00"},
                                  {"minutes": 0}, {"minutes": "60"}, {"until": 17},
                                  {"until": "2020-01-01T00:00:00Z"}, {"until": "2099-01-01T00:00:00Z"}])
async def test_bad_snooze_is_a_422_and_changes_nothing(client: TestClient, web_store: Store,
                                                       body: dict[str, Any]) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/snooze", json=body, headers=bearer(web_store))
    error = await refused(r, 422)
    assert error["code"] == "invalid"
    status = (await (await client.get(f"/api/conversations/{conv}", headers=bearer(web_store))).json())
    assert status["conversation"]["status"] == "open"


@pytest.mark.parametrize("form", [{"until": "notadate"}, {"minutes": "1e20"}, {"minutes": "²"}])
async def test_bad_snooze_form_shows_the_page_with_the_reason(client: TestClient, web_store: Store,
                                                              form: dict[str, str]) -> None:
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&status=new")).json())["items"][0]["id"]
    await client.post(f"/api/conversations/{conv}/claim", json={}, headers={"X-CSRF-Token": csrf})
    r = await client.post(f"/conversations/{conv}/snooze", data={"csrf_token": csrf, **form},
                          headers={"Accept": "text/html"}, allow_redirects=False)
    assert r.status == 422
    page = await r.text()
    assert 'role="alert"' in page and ("until" in page or "minutes" in page)


async def test_draft_check_platform_list_is_a_422(client: TestClient, web_store: Store) -> None:
    r = await client.post("/api/drafts/check", json={"text": "hi", "platform": ["x"]}, headers=bearer(web_store))
    assert (await refused(r, 422))["message"].startswith("platform:")


async def test_survey_import_brand_list_is_a_422(client: TestClient) -> None:
    csrf = await login(client, "marketing")
    body = {"answers": [{"brand": [], "score": 9, "answered_at": "2026-11-01T10:00:00Z"}]}
    r = await client.post("/api/surveys", json=body, headers={"X-CSRF-Token": csrf})
    assert "brand" in (await refused(r, 422))["message"]


@pytest.mark.parametrize("user,path", [("marketing", "/api/trends?days=²"),
                                       ("lead", "/api/sla/conversations.csv?days=²"),
                                       ("marketing", "/api/trends?days=%EF%BC%93"),  # fullwidth 3
                                       ("agent", "/api/queue?limit=²")])
async def test_unicode_digits_in_queries_are_a_422(client: TestClient, user: str, path: str) -> None:
    await login(client, user)
    await refused(await client.get(path), 422)


# -- wrong JSON types are refused, never coerced ----------------------------------------------------
@pytest.mark.parametrize("body", [
    {"text": {"a": 1}, "idempotency_key": "key-12345678"},
    {"text": "hello", "idempotency_key": ["key-12345678"]},
    {"text": "hello", "idempotency_key": "key-12345678", "another": "yes"},
    {"text": 12345, "idempotency_key": "key-12345678"},
])
async def test_reply_with_wrong_types_is_a_422_and_posts_nothing(client: TestClient, web_store: Store,
                                                                 body: dict[str, Any]) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/replies", json=body, headers=bearer(web_store))
    await refused(r, 422)
    detail = await (await client.get(f"/api/conversations/{conv}", headers=bearer(web_store))).json()
    assert detail["replies"] == []


async def test_minutes_true_does_not_snooze(client: TestClient, web_store: Store) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/snooze", json={"minutes": True}, headers=bearer(web_store))
    await refused(r, 422)


@pytest.mark.parametrize("raw", [b"[1, 2]", b"\"text\"", b"{\"note\": ", b"\xff{}", b"null"])
async def test_bodies_that_are_not_a_json_object_are_a_400(client: TestClient, web_store: Store, raw: bytes) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/escalate", data=raw,
                          headers={**bearer(web_store), "Content-Type": "application/json"})
    await refused(r, 400)


async def test_a_body_over_the_size_limit_is_a_413(client: TestClient, web_store: Store) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/replies", data=b'{"text": "' + b"a" * 2_000_000 + b'"}',
                          headers={**bearer(web_store), "Content-Type": "application/json"})
    await refused(r, 413)


async def test_good_snooze_still_works(client: TestClient, web_store: Store) -> None:
    conv = await open_conversation(client, web_store)
    until = (datetime.now(UTC) + timedelta(days=1)).astimezone(timezone(timedelta(hours=1))).isoformat()
    r = await client.post(f"/api/conversations/{conv}/snooze", json={"until": until}, headers=bearer(web_store))
    assert r.status == 200 and (await r.json())["status"] == "snoozed"
    # the page said "Snoozed." and nowhere until when: the flash, the status and the queue row say it now
    await login(client, "agent")
    shown = datetime.fromisoformat(until).astimezone(UTC).strftime("%Y-%m-%d %H:%M")  # the test zone is UTC
    page = await (await client.get(f"/conversations/{conv}?done=snooze")).text()
    assert f"Snoozed until {shown} (UTC)" in page and f'<small id="snoozed-until">until {shown}</small>' in page
    queue = await (await client.get("/?status=snoozed")).text()
    assert f"until {shown}" in queue


def test_draft_platforms_are_the_length_limits() -> None:
    """The schema's enum and the limits table name the same platforms (one definition each)."""
    from typing import get_args

    assert set(get_args(schemas.DRAFT_PLATFORMS)) == set(LIMITS)


@pytest.mark.parametrize("path,body", [
    ("/api/conversations/{id}/presence", {"typing": "yes"}),
    ("/api/conversations/{id}/notes", {"text": {"a": 1}}),
    ("/api/conversations/{id}/notes", {"text": "   "}),
    ("/api/conversations/{id}/notes", {"text": "\u200b\u2060"}),  # shows nothing, as "   "
    ("/api/conversations/{id}/notes", {"text": "a\u0000b"}),  # was stored; tags and replies refuse it
    ("/api/replies/1/resubmit", {"text": ["edited"]}),
])
async def test_workflow_bodies_with_wrong_types_are_a_422(client: TestClient, web_store: Store, path: str,
                                                          body: dict[str, Any]) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(path.format(id=conv), json=body, headers=bearer(web_store))
    await refused(r, 422)


# -- the second probe (2026-12-06): each crashed a handler or let a link act for someone --------------
async def test_non_utf8_set_password_form_is_a_400(client: TestClient) -> None:
    r = await client.post("/set-password", data=b"link=\xff", headers={"Content-Type":
                                                                       "application/x-www-form-urlencoded"})
    await refused(r, 400)


async def _bulk_dismiss(client: TestClient, csrf: str, ids: list[int]) -> str:
    """Where the browser lands after a bulk dismiss through the queue's form."""
    r = await client.post("/bulk", data=[("csrf_token", csrf), ("action", "dismiss"), *(("id", str(i)) for i in ids)],
                          headers={"Referer": "/?status=new"}, allow_redirects=False)
    assert r.status == 303, await r.text()
    return str(r.headers["Location"])


async def test_only_the_undo_the_server_signed_for_this_session_becomes_a_button(client: TestClient) -> None:
    """A link's ``undo`` used to become a form posting a bulk action with the viewer's CSRF token: anyone's
    link could put an "Undo" on an agent's queue that dismissed conversations of the link writer's choosing."""
    csrf = await login(client, "agent")
    for forged in ("abc", "a:b", "dismiss::1,2,3", "dismiss::1,2,3~" + "0" * 32):
        page = await client.get("/?" + urlencode({"bulk": "Done", "undo": forged}))
        assert page.status == 200 and 'id="bulk-undo"' not in await page.text(), forged
    ids = [c["id"] for c in (await (await client.get("/api/queue?limit=2&status=new")).json())["items"]]
    location = await _bulk_dismiss(client, csrf, ids)
    page = await (await client.get(location)).text()
    assert 'id="bulk-undo"' in page and 'name="action" value="undo"' in page
    undo_form = re.search(r'<form[^>]*action="/bulk"[^>]*>(?:(?!</form>).)*id="bulk-undo"', page, re.S)
    assert undo_form and sorted(int(i) for i in re.findall(r'name="id" value="(\d+)"', undo_form[0])) == sorted(ids)
    undo = parse_qs(urlsplit(location).query)["undo"][0]
    tampered = undo.replace(f"{ids[0]}", "9", 1)
    assert 'id="bulk-undo"' not in await (await client.get("/?" + urlencode({"bulk": "x", "undo": tampered}))).text()


async def test_deleting_a_saved_view_says_so_and_undo_saves_it_again(client: TestClient) -> None:
    """The view's × used to reload the queue without a word, and a view already deleted in another tab
    looked the same as one deleted now."""
    csrf = await login(client, "agent")
    r = await client.post("/views", data={"csrf_token": csrf, "name": "Refunds <b>", "query": "?q=refund&intent=x"},
                          allow_redirects=False)
    assert r.status == 303
    [view] = (await (await client.get("/api/workspace")).json())["views"]
    r = await client.post(f"/views/{view['id']}/delete", data={"csrf_token": csrf},
                          headers={"Referer": str(client.make_url("/?status=new"))}, allow_redirects=False)
    location = str(r.headers["Location"])
    assert r.status == 303 and location.startswith("/?status=new&")
    page = await (await client.get(location)).text()
    assert "Deleted the view “Refunds &lt;b&gt;”." in page and "<b>" not in page.split("bulk-result")[1][:400]
    assert (await (await client.get("/api/workspace")).json())["views"] == []
    undo = re.search(r'<form[^>]*action="/views"[^>]*>(?:(?!</form>).)*id="view-undo"', page, re.S)
    assert undo is not None
    fields = {k: html.unescape(v) for k, v in re.findall(r'name="(\w+)" value="([^"]*)"', undo[0])}
    assert (fields["name"], fields["query"]) == (view["name"], view["query"]) == ("Refunds <b>", "q=refund&intent=x")
    await client.post("/views", data={"csrf_token": csrf, "name": "Refunds <b>", "query": view["query"]})
    [back] = (await (await client.get("/api/workspace")).json())["views"]
    assert (back["name"], back["query"]) == (view["name"], view["query"])

    for _ in range(2):  # the second time, as from a tab opened before the first
        r = await client.post(f"/views/{back['id']}/delete", data={"csrf_token": csrf}, allow_redirects=False)
    page = await (await client.get(str(r.headers["Location"]))).text()
    assert "That view was already deleted." in page and 'id="view-undo"' not in page
    forged = urlencode({"bulk": "x", "restore": '["evil", "q=x"]~' + "0" * 32})
    assert 'id="view-undo"' not in await (await client.get("/?" + forged)).text()


def _customer_writes(store: Store, conv: int, texts: list[str]) -> list[str]:
    """New customer messages in ``conv``'s thread, each a minute after the last (as the listener stores them)."""
    def write(db: Any) -> list[str]:
        thread, author, brand, newest, origin = db.conn.execute(
            "SELECT c.thread_key, c.author_key, c.brand, max(m.created_at), min(m.conversation_id) "
            "FROM conversations c JOIN mentions m ON m.thread_key = c.thread_key WHERE c.id = ?", (conv,)).fetchone()
        keys = []
        for i, text in enumerate(texts):
            at = (datetime.fromisoformat(newest) + timedelta(minutes=i + 1)).isoformat()
            key = f"x:later{conv}-{i}"
            db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                            "created_at, fetched_at, conversation_id, thread_key, raw) "
                            "VALUES (?, 'x', ?, ?, 't', ?, ?, '', ?, ?, ?, ?, '{}')",
                            (key, key[2:], brand, author, text, at, at, origin, thread))
            keys.append(key)
        return keys
    return list(store.write_sync(write))


async def test_a_snooze_over_a_message_the_agent_has_not_seen_is_refused_on_the_page(
        client: TestClient, web_store: Store) -> None:
    """The page's actions carry the newest customer message it showed: one that came in meanwhile was snoozed
    (or resolved) with the conversation, out of sight for hours."""
    conv = await open_conversation(client, web_store)
    csrf = await login(client, "agent")
    page = await (await client.get(f"/conversations/{conv}")).text()
    seen = re.search(r'id="form-snooze".*?name="seen" value="([^"]+)"', page, re.S)[1]  # type: ignore[index]
    _customer_writes(web_store, conv, ["and now the app logs me out too"])
    r = await client.post(f"/conversations/{conv}/snooze", data={"csrf_token": csrf, "seen": seen, "minutes": "60"},
                          allow_redirects=False)
    page = await r.text()
    assert r.status == 409 and "the customer wrote again since this conversation was loaded" in page
    assert "and now the app logs me out too" in page  # the page shown with the refusal has the new message
    fresh = re.search(r'id="form-snooze".*?name="seen" value="([^"]+)"', page, re.S)[1]  # type: ignore[index]
    r = await client.post(f"/conversations/{conv}/snooze", data={"csrf_token": csrf, "seen": fresh, "minutes": "60"},
                          allow_redirects=False)
    assert r.status == 303 and (await (await client.get(f"/api/conversations/{conv}", headers=bearer(web_store))
                                       ).json())["conversation"]["status"] == "snoozed"
    r = await client.post(f"/api/conversations/{conv}/resolve", json={"seen": seen}, headers=bearer(web_store))
    assert "the customer wrote again" in (await refused(r, 409))["message"]


def _answered(store: Store, conv: int) -> None:
    """The conversation as the routing leaves one answered once whose customer wrote again: its first response
    made an hour ago, its next response due in an hour."""
    now = datetime.now(UTC)
    store.write_sync(lambda db: db.conn.execute(
        "UPDATE conversations SET first_responded_at = ?, next_response_due = ? WHERE id = ?",
        ((now - timedelta(hours=1)).isoformat(), (now + timedelta(hours=1)).isoformat(), conv)))


async def test_waiting_on_the_customer_from_the_page_and_the_api(client: TestClient, web_store: Store) -> None:
    """An agent whose customer was answered (in Careline or on the platform) marks the conversation as waiting on
    the customer, which pauses its SLA clock until they write: "Waiting on customer" (key w) on the page, ``/wait``
    on the API. It had no route, so the only way was a reply through Careline. Like a snooze, it is refused over a
    customer message the person has not seen; and before anyone answered, since it would stop the first response
    clock with the customer unanswered (the audit of 2026-12-07 stopped a breach that way)."""
    conv = await open_conversation(client, web_store)
    csrf = await login(client, "agent")
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert 'id="act-wait"' not in page  # nobody has answered yet: not offered
    r = await client.post(f"/api/conversations/{conv}/wait", json={}, headers=bearer(web_store))
    assert "nobody has answered them yet" in (await refused(r, 409))["message"]
    _answered(web_store, conv)
    page = await (await client.get(f"/conversations/{conv}")).text()
    assert 'id="act-wait" data-key="w"' in page
    seen = re.search(r'id="form-wait".*?name="seen" value="([^"]+)"', page, re.S)[1]  # type: ignore[index]
    _customer_writes(web_store, conv, ["still nothing, by the way"])
    r = await client.post(f"/conversations/{conv}/wait", data={"csrf_token": csrf, "seen": seen},
                          allow_redirects=False)
    page = await r.text()
    assert r.status == 409 and ("the customer wrote again since this conversation was loaded; read it before you "
                                "mark as waiting on the customer") in page
    fresh = re.search(r'id="form-wait".*?name="seen" value="([^"]+)"', page, re.S)[1]  # type: ignore[index]
    r = await client.post(f"/conversations/{conv}/wait", data={"csrf_token": csrf, "seen": fresh},
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].endswith("?done=wait")
    page = await (await client.get(r.headers["Location"])).text()
    assert "Waiting on the customer: the SLA clock is paused until they write." in page
    assert 'id="act-wait"' not in page  # pending already: not offered again
    assert 'class="badge paused"' in page and "next response clock stopped: waiting on the customer" in page
    stream = await client.get(f"/api/conversations/{conv}/stream")  # what a colleague's open page hears: the badge
    event = (await asyncio.wait_for(stream.content.readuntil(b"\n\n"), 5)).decode()  # counted down before
    stream.close()
    sla = json.loads(event.split("data: ", 1)[1])["sla"]
    assert sla == {"target": "next_response", "due": None, "state": "paused",
                   "words": "next response clock stopped: waiting on the customer"}, sla
    body = (await (await client.get(f"/api/conversations/{conv}", headers=bearer(web_store))).json())
    assert body["conversation"]["status"] == "pending"
    other = await open_conversation(client, web_store)
    _answered(web_store, other)
    r = await client.post(f"/api/conversations/{other}/wait", json={"seen": "nonsense"}, headers=bearer(web_store))
    assert "seen names no message of this conversation" in (await refused(r, 422))["message"]  # not "wrote again"
    r = await client.post(f"/api/conversations/{other}/wait", json={}, headers=bearer(web_store))
    assert r.status == 200 and (await r.json())["status"] == "pending"
    r = await client.post(f"/api/conversations/{other}/wait", json={}, headers=bearer(web_store))
    assert (await refused(r, 409))["message"] == (  # in words a person uses: no "wait a", no "customer_message"
        "cannot mark as waiting on the customer: the conversation is pending (allowed: claim, snooze, resolve, "
        "dismiss)")


async def test_a_bulk_dismiss_leaves_a_conversation_whose_customer_wrote_since_the_queue_was_loaded(
        client: TestClient, web_store: Store) -> None:
    csrf = await login(client, "lead")
    page = await (await client.get("/?status=new")).text()
    seen = dict(re.findall(r'<input type="hidden" name="seen-(\d+)" value="([^"]+)"', page))
    first, second = re.findall(r'name="id" value="(\d+)"', page)[:2]
    first_seen, second_seen = seen[first], seen[second]
    _customer_writes(web_store, int(first), ["wait, it happened again"])
    r = await client.post("/bulk", data=[("csrf_token", csrf), ("action", "dismiss"), ("id", first), ("id", second),
                                         (f"seen-{first}", first_seen), (f"seen-{second}", second_seen)],
                          headers={"Referer": str(client.make_url("/?status=new"))}, allow_redirects=False)
    said = parse_qs(urlsplit(str(r.headers["Location"])).query)["bulk"][0]
    assert said.startswith("Dismissed 1 conversation. 1 refused: ") and \
        f"#{first} the customer wrote again since this conversation was loaded" in said, said
    statuses = {int(c): (await (await client.get(f"/api/conversations/{c}")).json())["conversation"]["status"]
                for c in (first, second)}
    assert statuses == {int(first): "new", int(second): "dismissed"}
    r = await client.post("/api/bulk", json={"ids": [int(first)], "action": "dismiss", "seen": {first: first_seen}},
                          headers={"X-CSRF-Token": csrf})
    assert (await r.json())["refused"][0]["id"] == int(first)
    r = await client.post("/api/bulk", json={"ids": [int(first)], "action": "dismiss", "seen": {first: 7}},
                          headers={"X-CSRF-Token": csrf})
    await refused(r, 422)
    r = await client.post("/api/bulk", json={"ids": [int(second)], "action": "dismiss", "seen": {"abc": "x:1"}},
                          headers={"X-CSRF-Token": csrf})  # a check on nothing went ahead in silence
    assert "seen names conversations not in ids: abc" in (await refused(r, 422))["message"]


async def test_a_long_thread_shows_its_newest_messages(client: TestClient, web_store: Store) -> None:
    """A thread past 200 messages showed its oldest 200: the message to answer was not on the page."""
    conv = await open_conversation(client, web_store)
    await login(client, "agent")
    _customer_writes(web_store, conv, [f"message number {i}" for i in range(205)])
    page = await (await client.get(f"/conversations/{conv}")).text()
    total, = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM mentions WHERE thread_key = (SELECT thread_key FROM conversations WHERE id = ?)",
        (conv,)).fetchone())
    assert "message number 204<" in page and "message number 0<" not in page
    assert f'id="earlier">{total - 200} earlier messages from the customer not shown: these are the newest 200.' \
        in page
    assert re.search(r'name="seen" value="x:later\d+-204"', page)


@pytest.mark.parametrize("path", ["/api/trends/posts?days=²", "/api/trends/posts?limit=²",
                                  "/api/trends/posts?offset=¹"])
async def test_superscript_digits_in_trend_posts_are_a_4xx(client: TestClient, path: str) -> None:
    await login(client, "marketing")
    await refused(await client.get(path), 400, 422)


async def test_superscript_days_of_a_token_are_a_400(client: TestClient) -> None:
    csrf = await login(client, "agent")
    r = await client.post("/api/account/tokens", json={"label": "x", "days": "²"}, headers={"X-CSRF-Token": csrf})
    await refused(r, 400, 422)


@pytest.mark.parametrize("cursor", [[10**400, None, 1], [1.0, None, 10**30], [1.0, "x" * 500, 1], [True, None, 1]])
async def test_a_forged_queue_cursor_is_a_4xx(client: TestClient, web_store: Store, cursor: list[Any]) -> None:
    raw = json.dumps(cursor, separators=(",", ":")).encode()
    after = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    await refused(await client.get(f"/api/queue?after={after}", headers=bearer(web_store)), 400, 422)


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2999-01-01T00:00:00Z",
                                "1970-01-01T00:00:00Z"])
async def test_survey_answers_from_no_real_time_are_a_422(client: TestClient, at: str) -> None:
    csrf = await login(client, "marketing")
    body = {"answers": [{"brand": "skylark", "score": 5, "answered_at": at}]}
    error = await refused(await client.post("/api/surveys", json=body, headers={"X-CSRF-Token": csrf}), 422)
    assert "answered_at" in error["message"]


async def test_a_survey_batch_sent_twice_counts_once_by_answer_id(client: TestClient, web_store: Store) -> None:
    csrf = await login(client, "marketing")
    at = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    answers = [{"brand": "skylark", "score": s, "answered_at": at, "answer_id": f"r-{s}"} for s in (2, 9)]
    first = await client.post("/api/surveys", json={"answers": [*answers, answers[0]]}, headers={"X-CSRF-Token": csrf})
    assert first.status == 201 and await first.json() == {"imported": 2, "skipped": 1}
    again = await client.post("/api/surveys", json={"answers": answers}, headers={"X-CSRF-Token": csrf})
    assert await again.json() == {"imported": 0, "skipped": 2}
    other_brand = [{**answers[0], "brand": "brightwave"}]  # ids are the survey tool's, per brand
    r = await client.post("/api/surveys", json={"answers": other_brand}, headers={"X-CSRF-Token": csrf})
    assert await r.json() == {"imported": 1, "skipped": 0}
    count = await web_store.read(lambda db: db.conn.execute("SELECT count(*) FROM survey_answers").fetchone()[0])
    assert count == 3
    nul = [{**answers[0], "answer_id": "r-\u0000-2"}]  # an id with a NUL was stored as given
    await refused(await client.post("/api/surveys", json={"answers": nul}, headers={"X-CSRF-Token": csrf}), 422)
    assert await web_store.read(lambda db: db.conn.execute("SELECT count(*) FROM survey_answers").fetchone()[0]) == 3


@pytest.mark.parametrize("body,words", [
    ({"username": "ünï", "role": "agent"}, "ASCII"),  # the admin routes could not name it: never disabled
    ({"username": "nina", "role": "agent", "display_name": "x\u0000\u0001"}, "control characters"),
])
async def test_accounts_the_admin_pages_could_not_manage_are_refused(client: TestClient, body: dict[str, str],
                                                                     words: str) -> None:
    csrf = await login(client, "admin")
    r = await client.post("/api/admin/users", json=body, headers={"X-CSRF-Token": csrf})
    assert words in (await refused(r, 400, 422))["message"]
    listed = await (await client.get("/api/admin", headers={"X-CSRF-Token": csrf})).text()
    assert body["username"] not in listed


@pytest.mark.parametrize("text", ["hello\u0000there", "bell \u0007", "esc \u001b[31mred"])
async def test_a_reply_with_control_characters_is_a_422_and_posts_nothing(client: TestClient, web_store: Store,
                                                                          text: str) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/replies", json={"text": text, "idempotency_key": "k-123456789"},
                          headers=bearer(web_store))
    assert "control characters" in (await refused(r, 422))["message"]
    detail = await (await client.get(f"/api/conversations/{conv}", headers=bearer(web_store))).json()
    assert detail["replies"] == []


async def test_a_links_own_words_never_show_as_the_queues_result_message(client: TestClient) -> None:
    await login(client, "agent")
    page = await (await client.get("/?" + urlencode({"bulk": "Your session expired: sign in at https://phish-here.test"}))).text()
    assert "phish-here.test" not in page and "session expired" not in page


async def test_a_bulk_tag_leaves_out_and_its_undo_leaves_alone_what_already_had_the_tag(
        client: TestClient, web_store: Store) -> None:
    """A colleague had tagged one of them: the bulk Undo used to take that tag off too."""
    csrf = await login(client, "agent")
    ids = [c["id"] for c in (await (await client.get("/api/queue?limit=2&status=new")).json())["items"]]
    r = await client.post(f"/conversations/{ids[0]}/tag", data={"csrf_token": csrf, "tag": "vip"},
                          allow_redirects=False)
    assert r.status == 303
    r = await client.post("/bulk", data=[("csrf_token", csrf), ("action", "tag"), ("tag", "vip"),
                                         *(("id", str(i)) for i in ids)], headers={"Referer": "/"},
                          allow_redirects=False)
    page = await (await client.get(r.headers["Location"])).text()
    assert "Tagged 1 conversation." in page and "1 refused" in page and "already had #vip" in page
    undo_form = re.search(r'<form[^>]*action="/bulk"[^>]*>(?:(?!</form>).)*id="bulk-undo"', page, re.S)
    assert undo_form and re.findall(r'name="id" value="(\d+)"', undo_form[0]) == [str(ids[1])]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', undo_form[0]))
    await client.post("/bulk", data=[("csrf_token", csrf), ("action", fields["action"]), ("tag", fields["tag"]),
                                     ("id", str(ids[1]))], allow_redirects=False)
    tags = await web_store.read(lambda db: db.conn.execute(
        "SELECT conversation_id FROM conversation_tags WHERE tag = 'vip'").fetchall())
    assert tags == [(ids[0],)]  # the colleague's tag stays, the bulk one is undone


async def test_a_bulk_claim_from_the_queue_says_what_it_took_and_its_undo_gives_it_back(
        client: TestClient, web_store: Store) -> None:
    """The bulk bar had no Claim, and Resolve refuses a new conversation: ten new posts took ten page visits."""
    csrf = await login(client, "agent")
    assert '<option value="claim">Claim</option>' in await (await client.get("/")).text()
    ids = [c["id"] for c in (await (await client.get("/api/queue?limit=3&status=new")).json())["items"]]
    r = await client.post("/bulk", data=[("csrf_token", csrf), ("action", "claim"), *(("id", str(i)) for i in ids)],
                          headers={"Referer": "/"}, allow_redirects=False)
    page = await (await client.get(r.headers["Location"])).text()
    assert "Claimed 3 conversations." in page
    undo_form = re.search(r'<form[^>]*action="/bulk"[^>]*>(?:(?!</form>).)*id="bulk-undo"', page, re.S)
    assert undo_form and dict(re.findall(r'name="(\w+)" value="([^"]*)"', undo_form[0]))["action"] == "release"

    def holders() -> list[tuple[str, str | None]]:
        return web_store.read_sync(lambda db: [tuple(db.conn.execute(
            "SELECT status, assignee FROM conversations WHERE id = ?", (i,)).fetchone()) for i in ids])

    assert holders() == [("open", "agent")] * 3
    r = await client.post("/bulk", data=[("csrf_token", csrf), ("action", "release"), *(("id", str(i)) for i in ids)],
                          headers={"Referer": "/"}, allow_redirects=False)
    assert "Released 3 conversations." in await (await client.get(r.headers["Location"])).text()
    assert holders() == [("new", None)] * 3


async def test_a_notes_name_that_told_nobody_says_so_under_it(client: TestClient, web_store: Store) -> None:
    """"@lea" for "@lee" told nobody, and nothing said so: its writer went on thinking the lead had been told. A
    marketing account, which cannot open the conversation, is not told either; the customer's handle is not a
    colleague's name to flag."""
    csrf = await login(client, "agent")
    conv = (await (await client.get("/api/queue?limit=1&status=new")).json())["items"][0]
    note = f"@lea please check; @LEAD too, @marketing FYI; @{conv['handle']} sounds upset"
    r = await client.post(f"/conversations/{conv['id']}/notes", data={"csrf_token": csrf, "text": note},
                          allow_redirects=False)
    assert r.status == 303
    page = await (await client.get(f"/conversations/{conv['id']}")).text()
    said = re.findall(r'<div class="untold"><small>(.*?)</small>', page)
    assert said == ["Nobody was told of <bdi>@lea</bdi> (no colleague goes by that name), <bdi>@marketing</bdi> "
                    "(cannot open conversations)."]
    told = await web_store.read(lambda db: db.conn.execute(
        "SELECT subject FROM events WHERE kind = 'note.mention'").fetchall())
    assert told == [("user:lead",)]
    detail = await (await client.get(f"/api/conversations/{conv['id']}")).json()
    assert [n["untold"] for n in detail["notes"]] == [[["lea", "no colleague goes by that name"],
                                                       ["marketing", "cannot open conversations"]]]


async def test_the_live_check_says_what_send_would_refuse(client: TestClient, web_store: Store) -> None:
    """``/api/drafts/check`` said ok for a NUL that Send then refused with a 422: the editor warned nothing."""
    r = await (await client.post("/api/drafts/check", json={"text": "Sorry\x00 about that", "platform": "x"},
                                 headers=bearer(web_store))).json()
    assert not r["ok"] and r["refused"] == "the reply holds control characters; only line breaks and tabs may be in it"
    fine = await (await client.post("/api/drafts/check", json={"text": "Sorry\tabout\nthat", "platform": "x"},
                                    headers=bearer(web_store))).json()
    assert fine["ok"] and fine["refused"] is None


async def test_a_reply_typed_in_another_language_than_the_thread_is_checked_in_it(client: TestClient,
                                                                                   web_store: Store) -> None:
    """An agent answers a Spanish customer on a thread read as English (or undetermined) in Spanish: the rude reply
    passed the live check and Send, which ran English rules only."""
    rude = "Cálmate, ya te dijimos que leas la política. No es nuestra culpa."
    r = await (await client.post("/api/drafts/check", json={"text": rude, "platform": "x", "language": "en"},
                                 headers=bearer(web_store))).json()
    assert {f["category"] for f in r["tone"]["findings"]} == {"dismissive", "defensive"}
    assert r["tone"]["defensive"]


async def test_a_search_of_emoji_alone_says_why_it_finds_nothing(client: TestClient, web_store: Store) -> None:
    """"😡" searched nothing and said only "Nothing matches", though posts of nothing but 😡 were in the queue."""
    page = await (await client.get("/?q=%F0%9F%98%A1", headers=bearer(web_store))).text()
    assert "Search reads words, @handles and #tags: emoji and symbols alone find nothing." in page
    words = await (await client.get("/?q=zzzzqqq", headers=bearer(web_store))).text()
    assert "Nothing matches" in words and "emoji and symbols" not in words


async def test_the_live_length_check_counts_the_mention_mastodon_adds(client: TestClient, web_store: Store) -> None:
    """Mastodon's sender puts @handle in front of a reply: the editor's count said 496 of 500 for a reply
    the platform would refuse."""
    body = {"text": "a" * 496, "platform": "mastodon"}
    alone = await (await client.post("/api/drafts/check", json=body, headers=bearer(web_store))).json()
    answered = await (await client.post("/api/drafts/check", json={**body, "author": "anna"},
                                        headers=bearer(web_store))).json()
    assert alone["ok"] and alone["length"] == 496
    assert not answered["ok"] and answered["length"] == 502


@pytest.mark.parametrize("query,words", [
    ("status=weird", "status must be one of new, open, pending, snoozed, resolved, dismissed"),
    ("platform=myspace", "platform must be one of x, reddit, bluesky, mastodon"),
    ("corrected=maybe", "corrected must be 1 or 0"),
    ("mine=2", "mine must be 1 or 0"),
])
async def test_a_queue_filter_outside_its_closed_set_is_a_400_not_an_empty_queue(
        client: TestClient, web_store: Store, query: str, words: str) -> None:
    """``/api/queue?status=weird`` answered 200 with nothing in it, which reads as "nothing to do"."""
    error = await refused(await client.get("/api/queue?" + query, headers=bearer(web_store)), 400)
    assert words in error["message"], error
    page = await client.get("/?" + query, headers=bearer(web_store))  # the queue page says it as well
    assert page.status == 400 and words in await page.text()
    ok = await client.get("/api/queue?status=resolved&platform=reddit&mine=0&corrected=on", headers=bearer(web_store))
    assert ok.status == 200


async def test_an_open_filter_the_lists_do_not_offer_is_shown_as_chosen(client: TestClient, web_store: Store) -> None:
    """``/?brand=nope`` emptied the queue while the Brand list said "all" (a saved view of a removed brand does
    the same). Brands, intents, tags and teams stay open filters (old ones still filter); the page says which."""
    page = await (await client.get("/?brand=no<pe&intent=zzz", headers=bearer(web_store))).text()
    assert '<option value="no&lt;pe" selected>no&lt;pe (not a configured brand)</option>' in page
    assert '<option value="zzz" selected>zzz (not an intent here)</option>' in page
    assert "No conversations match these filters" in page
    page = await (await client.get("/?intent=refund_return", headers=bearer(web_store))).text()
    assert "(not an intent here)" not in page and "(not a configured brand)" not in page


# -- the second probe (2026-12-06): a broken multipart body, lone surrogates, percent-escapes that are not UTF-8 --
async def test_a_broken_multipart_body_is_a_400_at_the_login_and_behind_it(client: TestClient,
                                                                          web_store: Store) -> None:
    headers = {"Content-Type": "multipart/form-data; boundary=x"}
    await refused(await client.post("/login", data=b"--x\r\nbroken", headers=headers), 400)  # was a 500
    await login(client, "agent")
    conv = await open_conversation(client, web_store)
    await refused(await client.post(f"/conversations/{conv}/notes", data=b"--x\r\nbroken", headers=headers), 400)


@pytest.mark.parametrize("body", ['{"label": "\\ud800"}', '{"\\udfff": 1}', '{"label": ["ok", {"x": "\\ud83d"}]}'])
async def test_a_lone_surrogate_in_a_json_body_is_a_400_and_makes_nothing(client: TestClient, web_store: Store,
                                                                           body: str) -> None:
    """``"\\ud800"`` reached scrypt and SQLite as a lone surrogate: a 500 on every endpoint that reads its body
    with ``json_body`` (tokens, passwords, the admin's users and settings)."""
    before = web_store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM api_tokens").fetchone()[0])
    csrf = await login(client, "agent")  # a token changes no account: the person, signed in
    r = await client.post("/api/account/tokens", data=body.encode(),
                          headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"})
    assert "not Unicode" in (await refused(r, 400))["message"]
    assert web_store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM api_tokens").fetchone()[0]) == before


@pytest.mark.parametrize("escaped", ["%ff%fe", "%ED%A0%80", "ok%C3"])
async def test_percent_escapes_that_are_not_utf8_are_a_400_not_replacement_characters(
        client: TestClient, web_store: Store, escaped: str) -> None:
    """``text=%ff%fe`` saved a note reading "��" (the raw bytes were a 400 already)."""
    await login(client, "agent")
    conv = await open_conversation(client, web_store)
    page = await (await client.get(f"/conversations/{conv}")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = await client.post(f"/conversations/{conv}/notes", data=f"csrf_token={csrf}&text={escaped}".encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"}, allow_redirects=False)
    await refused(r, 400)
    notes = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM notes WHERE conversation_id = ?", (conv,)).fetchone()[0])
    assert notes == 0
    good = await client.post(f"/conversations/{conv}/notes", data=f"csrf_token={csrf}&text=caf%C3%A9".encode(),
                             headers={"Content-Type": "application/x-www-form-urlencoded"}, allow_redirects=False)
    assert good.status == 303
    assert web_store.read_sync(lambda db: db.conn.execute(
        "SELECT text FROM notes WHERE conversation_id = ?", (conv,)).fetchone()[0]) == "café"


@pytest.mark.parametrize("query", ["day=9999-12-31", "before=9999-12-31", "hour=9999-12-31T23", "day=0001-01-01"])
async def test_trend_posts_at_the_ends_of_the_calendar_are_a_400(client: TestClient, query: str) -> None:
    """``day=9999-12-31`` is a real date whose next day overflowed: a 500."""
    await login(client, "marketing")
    error = await refused(await client.get(f"/api/trends/posts?{query}"), 400)
    assert "between the years 2 and 9998" in error["message"], error


@pytest.mark.parametrize(("form", "words"), [({"action": "explode", "id": ["1"]}, "no bulk action 'explode'"),
                                              ({"action": "resolve", "id": [str(i) for i in range(1, 250)]},
                                               "select 1 to ")])
async def test_a_bulk_form_the_rules_refuse_is_a_422_not_a_conflict(client: TestClient, web_store: Store,
                                                                    form: dict[str, Any], words: str) -> None:
    """An unknown action or too many ids in the queue's form was a 409, which says "the state changed", not
    "you asked wrongly" (the API's schema says 422 already)."""
    csrf = await login(client, "agent")
    data = [("csrf_token", csrf), ("action", form["action"]), *(("id", i) for i in form["id"])]
    error = await refused(await client.post("/bulk", data=data, allow_redirects=False), 422)
    assert words in error["message"], error


async def test_an_approval_whose_seen_is_no_time_is_a_422(client: TestClient, web_store: Store) -> None:
    """``{"seen": "x"}`` was told the reply "was edited after you opened it" (409)."""
    csrf = await login(client, "lead")
    r = await client.post("/api/replies/1/approve", json={"seen": "x"}, headers={"X-CSRF-Token": csrf})
    error = await refused(r, 422)
    assert "seen must be a time" in error["message"], error


async def test_a_client_that_goes_away_mid_request_is_no_bug_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    """A browser closing during POST /api/drafts/check was logged as "unhandled error" with a traceback."""
    from aiohttp.test_utils import make_mocked_request

    from careline.app.web.app import errors_middleware

    async def gone(request: Any) -> Any:
        raise ConnectionResetError("Connection lost")

    caplog.set_level(logging.INFO, logger="careline.app.web.app")
    with pytest.raises(ConnectionResetError):
        await errors_middleware(make_mocked_request("POST", "/api/drafts/check"), gone)
    assert "the client went away" in caplog.text and "unhandled error" not in caplog.text


async def test_an_assignment_to_nobody_is_refused_not_reported_done(client: TestClient, web_store: Store) -> None:
    """The lead's assign form with no person chosen (and no teams to route to) redirected to "Assigned." and
    changed nothing."""
    csrf = await login(client, "lead")
    conv = web_store.read_sync(lambda db: db.conn.execute("SELECT id FROM conversations LIMIT 1").fetchone()[0])
    before = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT assignee, team FROM conversations WHERE id = ?", (conv,)).fetchone())
    r = await client.post(f"/conversations/{conv}/assign", data={"csrf_token": csrf, "agent": ""},
                          allow_redirects=False)
    error = await refused(r, 422)
    assert error["message"] == "choose the person to assign it to", error
    assert web_store.read_sync(lambda db: db.conn.execute(
        "SELECT assignee, team FROM conversations WHERE id = ?", (conv,)).fetchone()) == before


def test_a_required_field_sent_empty_is_said_to_be_empty() -> None:
    """``text=`` to resubmit answered "text: Field required", though the field was sent (empty)."""
    from careline.errors import Invalid

    with pytest.raises(Invalid, match=r"^text is empty: write it first$"):
        schemas.validate_text(schemas.Resubmit, {"text": ""})
    with pytest.raises(Invalid, match=r"^text: Field required$"):  # not sent at all: as before
        schemas.validate_text(schemas.Resubmit, {})


async def test_a_filtered_queue_says_how_many_match_beside_the_open_total(client: TestClient, web_store: Store) -> None:
    """The heading said "83 open · 126 mentions" over a filtered list of three, as if the filter showed them all."""
    page = await (await client.get("/?platform=reddit&status=new", headers=bearer(web_store))).text()
    heading = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    shown = page.count('<tr class="conv')
    assert re.search(rf'<span id="shown-count">{shown}\+?</span> match the filters of <span id="open-count">\d+',
                     heading), heading
    plain = (await (await client.get("/", headers=bearer(web_store))).text()).split("<h1>", 1)[1].split("</h1>")[0]
    assert "match the filters" not in plain and " posts heard" in plain  # not "mentions", the @mentions' word


async def test_disabling_an_agent_hands_their_open_conversations_back_and_stops_new_work(
        client: TestClient, web_store: Store) -> None:
    """A disabled agent kept their conversations (with reassign_after_minutes = 0, for good), a lead could
    still assign them more, and round-robin handed them 14 of 50 new ones."""
    from datetime import datetime as _dt

    from careline.settings import Settings
    from responder import housekeeping
    from responder.queue import available_agents

    mine = [await open_conversation(client, web_store) for _ in range(3)]  # claimed by the token's agent
    web_store.write_sync(lambda db: db.conn.execute(  # one waits on the customer
        "UPDATE conversations SET status = 'pending' WHERE id = ?", (mine[2],)))
    web_store.write_sync(lambda db: db.conn.execute(
        "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key, "
        "in_reply_to) SELECT ?, 'Sorry!', 'awaiting_approval', 'agent', ?, ?, 'held-key-1', key FROM mentions "
        "WHERE conversation_id = (SELECT min(m.conversation_id) FROM mentions m JOIN conversations c "
        "ON c.thread_key = m.thread_key WHERE c.id = ?) LIMIT 1",
        (mine[0], _dt.now(UTC).isoformat(), _dt.now(UTC).isoformat(), mine[0])))
    later, = web_store.read_sync(lambda db: db.conn.execute(  # the seed's, and the one made pending above
        "SELECT count(*) FROM conversations WHERE assignee = 'agent' AND status IN ('pending', 'snoozed')").fetchone())
    opened, = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM conversations WHERE assignee = 'agent' AND status = 'open'").fetchone())
    assert later >= 1 and opened >= 2
    csrf = await login(client, "admin")
    r = await client.post("/api/admin/users/agent", json={"disabled": True}, headers={"X-CSRF-Token": csrf})
    said = (await r.json())["message"]
    assert r.status == 200 and said == (
        f"Saved agent. {opened} open conversations of theirs back in the queue. {later} pending or snoozed "
        f"conversation{'s' if later != 1 else ''} of theirs go{'es' if later == 1 else ''} back to the queue when the "
        "customer writes. 1 reply of theirs still waits for a lead on the approvals page."), said
    for conv in mine[:2]:
        row = (await (await client.get(f"/api/conversations/{conv}")).json())["conversation"]
        assert (row["status"], row["assignee"]) == ("new", None)
    r = await client.post(f"/api/conversations/{mine[0]}/assign", json={"agent": "agent"},
                          headers={"X-CSRF-Token": csrf})
    assert "agent is disabled" in (await refused(r, 409))["message"]
    assert "agent" not in web_store.read_sync(available_agents)
    r = await client.post(f"/api/conversations/{mine[0]}/assign", json={"agent": "marketing"},
                          headers={"X-CSRF-Token": csrf})  # it was "no agent called 'marketing'", as if unknown
    assert "marketing has the marketing role, without the queue" in (await refused(r, 409))["message"]
    web_store.write_sync(lambda db: db.conn.execute(  # a pending one of theirs opens again: the customer wrote
        "UPDATE conversations SET status = 'open', assignee = 'agent' WHERE id = ?", (mine[1],)))
    tick = await housekeeping.tick(web_store, Settings(), now=_dt.now(UTC))
    assert tick.reassigned == 1
    row = (await (await client.get(f"/api/conversations/{mine[1]}")).json())["conversation"]
    assert row["assignee"] != "agent"


# -- the third probe (2026-12-07): bytes that are not UTF-8 in credentials, an unknown charset, a false encoding --
async def raw_status(client: TestClient, head: bytes, body: bytes = b"") -> int:
    """The status of a request written byte for byte (a client library refuses such header bytes)."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(head + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                 + (f"Content-Length: {len(body)}\r\n".encode() if body else b"") + b"\r\n" + body)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status


@pytest.mark.parametrize(("head", "status"), [
    (b"GET /health HTTP/1.1\r\nAuthorization: Bearer abc\xe9", 401),
    (b"GET /api/queue HTTP/1.1\r\nAuthorization: Bearer \xff\xfe", 401),
    (b"GET /api/queue HTTP/1.1\r\nCookie: careline_session=\xff", 401),
    (b"GET /login HTTP/1.1\r\nCookie: careline_session=ab\xe9cd", 200),
    (b"POST /login HTTP/1.1\r\nCookie: careline_login=\xff\r\nContent-Type: application/x-www-form-urlencoded", 403)])
async def test_a_credential_that_is_not_utf8_is_refused_not_a_500(client: TestClient, head: bytes,
                                                                   status: int) -> None:
    """One byte that is not UTF-8 in a token or cookie reached ``token_hash`` as a lone surrogate: a 500 on every
    route, ``/health`` included, for anyone."""
    body = b"username=agent&password=agent-pw&csrf_token=x" if head.startswith(b"POST") else b""
    assert await raw_status(client, head, body) == status


async def test_a_csrf_header_that_is_not_utf8_is_a_403(client: TestClient, web_store: Store) -> None:
    await login(client, "lead")
    conv = await open_conversation(client, web_store)
    cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
    head = (f"POST /api/conversations/{conv}/notes HTTP/1.1\r\nCookie: {cookie}\r\n".encode()
            + b"Content-Type: application/json\r\nX-CSRF-Token: \xff\xfe")
    assert await raw_status(client, head, b'{"text": "hello"}') == 403


@pytest.mark.parametrize("path", ["/login", "/set-password"])
async def test_a_form_in_a_charset_python_does_not_know_is_a_400(client: TestClient, path: str) -> None:
    r = await client.post(path, data=b"username=a&password=b",
                          headers={"Content-Type": "application/x-www-form-urlencoded; charset=nope"})
    await refused(r, 400)


async def test_a_form_in_an_unknown_charset_behind_the_login_is_a_400(client: TestClient, web_store: Store) -> None:
    await login(client, "lead")
    conv = await open_conversation(client, web_store)
    page = await (await client.get(f"/conversations/{conv}")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = await client.post(f"/conversations/{conv}/notes", data=f"csrf_token={csrf}&text=hi".encode(),
                          headers={"Content-Type": "application/x-www-form-urlencoded; charset=nope"})
    await refused(r, 400)


@pytest.mark.parametrize(("path", "encoding"), [("/api/conversations/{conv}/notes", "gzip"),
                                                ("/api/drafts/check", "deflate"), ("/api/account/tokens", "gzip")])
async def test_a_body_that_is_not_in_its_content_encoding_is_a_400(client: TestClient, web_store: Store, path: str,
                                                                   encoding: str) -> None:
    conv = await open_conversation(client, web_store)
    account = path.startswith("/api/account/")  # a token changes no account: the person, signed in
    signed_in = {"X-CSRF-Token": await login(client, "agent")} if account else bearer(web_store)
    r = await client.post(path.format(conv=conv), data=b"not compressed at all",
                          headers={**signed_in, "Content-Type": "application/json", "Content-Encoding": encoding})
    assert "Content-Encoding" in (await refused(r, 400))["message"]
    notes = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM notes WHERE conversation_id = ?", (conv,)).fetchone()[0])
    assert notes == 0


async def test_a_survey_answer_with_two_scores_is_refused_and_records_nothing(client: TestClient,
                                                                            web_store: Store) -> None:
    """``score=1&score=2`` stored 2 without a word."""
    link = await survey_link(client, web_store)
    r = await client.post(link, data=b"score=1&score=2", headers={"Content-Type": "application/x-www-form-urlencoded"})
    await refused(r, 400, 422)
    assert "score is given more than once" in await r.text()
    assert "recommend" in (await (await client.get(link)).text()).lower()  # still unanswered
    same = await client.post(link, data=b"score=7&score=7", allow_redirects=False,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert same.status == 303  # the same value twice says one thing


async def test_moving_an_agent_to_marketing_hands_their_open_conversations_back(client: TestClient,
                                                                                web_store: Store) -> None:
    """An agent made marketing kept their conversations, which they could no longer open (nor anyone else answer,
    with reassign_after_minutes = 0); a lead made admin keeps theirs."""
    mine = [await open_conversation(client, web_store) for _ in range(2)]  # claimed by the token's agent
    opened, = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM conversations WHERE assignee = 'agent' AND status = 'open'").fetchone())
    csrf = await login(client, "admin")
    r = await client.post("/api/admin/users/agent", json={"role": "marketing"}, headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and f"{opened} open conversations of theirs back in the queue" in (await r.json())["message"]
    held = web_store.read_sync(lambda db: db.conn.execute(
        f"SELECT count(*) FROM conversations WHERE assignee = 'agent' AND id IN ({mine[0]}, {mine[1]})").fetchone()[0])
    assert held == 0
    why = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT data FROM events WHERE kind = 'conversation.reassigned' AND subject = ?",
        (f"conversation:{mine[0]}",)).fetchone()[0])
    assert json.loads(why) == {"from": "agent", "role": "marketing"}
    web_store.write_sync(lambda db: db.conn.execute(
        "UPDATE conversations SET assignee = 'lead', status = 'open' WHERE id = ?", (mine[1],)))
    r = await client.post("/api/admin/users/lead", json={"role": "admin"}, headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and (await r.json())["message"] == "Saved lead."
    assert web_store.read_sync(lambda db: db.conn.execute(
        "SELECT assignee FROM conversations WHERE id = ?", (mine[1],)).fetchone()[0]) == "lead"


async def test_a_refused_reply_keeps_its_text_on_the_page_even_without_a_reply_box(client: TestClient,
                                                                                  web_store: Store) -> None:
    """A lead's reply refused because an agent had moved the conversation on came back as a page with no reply box,
    and the typed text was gone."""
    conv = await open_conversation(client, web_store)
    r = await client.post(f"/api/conversations/{conv}/resolve", json={}, headers=bearer(web_store))
    assert r.status == 200, await r.text()
    await login(client, "lead")
    page = await (await client.get(f"/conversations/{conv}")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    typed = "Hi, lead here: so sorry <b>again</b>, we are on it."
    r = await client.post(f"/conversations/{conv}/send", allow_redirects=False,
                          data={"csrf_token": csrf, "text": typed, "idempotency_key": "lead-key-12345"})
    page = await r.text()
    assert r.status == 409 and 'id="editor-form"' not in page
    assert '<section class="kept-draft" id="kept-draft"><label' in page and html.escape(typed, quote=False) in page


async def test_an_address_over_8_kb_is_a_414_in_words_not_the_parsers_plain_400(web_store: Store) -> None:
    from aiohttp.test_utils import TestServer

    from careline.app.web.app import MAX_LINE, create_app
    from careline.settings import Settings

    server = TestServer(create_app(Settings(), web_store))
    await server.start_server(max_line_size=MAX_LINE)  # as the service starts it (careline.app.service)
    async with TestClient(server) as c:
        long = "x" * 9_000
        r = await c.get(f"/api/queue?q={long}", headers=bearer(web_store))
        assert "over the 8,000 this app reads" in (await refused(r, 414))["message"]
        page = await c.get(f"/?q={long}", headers={**bearer(web_store), "Accept": "text/html"})
        assert page.status == 414 and "over the 8,000 this app reads" in await page.text()
        assert (await c.get("/api/queue?q=refund", headers=bearer(web_store))).status == 200


async def test_saving_a_view_says_so_and_says_when_it_replaced_one_of_that_name(client: TestClient) -> None:
    """A view saved again under a name in use changed its filters without a word."""
    csrf = await login(client, "agent")
    first = await client.post("/views", data={"csrf_token": csrf, "name": "Mine", "query": "?q=refund"})
    assert "Saved the view “Mine”." in await first.text()
    again = await client.post("/views", data={"csrf_token": csrf, "name": "Mine", "query": "?status=new"})
    assert "The view “Mine” now shows this (it showed other filters before)." in await again.text()
    assert [v["query"] for v in (await (await client.get("/api/workspace")).json())["views"]] == ["status=new"]


@pytest.mark.parametrize(("action", "body"), [("escalate", {"note": "why\x00\x1b[31mred\x07"}),
                                              ("dismiss", {"reason": "spam\x00\x1b"})])
async def test_an_escalation_note_or_dismissal_reason_with_control_characters_is_refused(
        client: TestClient, web_store: Store, action: str, body: dict[str, str]) -> None:
    """The security audit: notes and replies refused them, while these two took a NUL and an escape code into
    the audit log, and changed the conversation."""
    conv = await open_conversation(client, web_store)
    before = web_store.read_sync(lambda db: db.conn.execute("SELECT max(id) FROM events").fetchone()[0])
    r = await client.post(f"/api/conversations/{conv}/{action}", json=body, headers=bearer(web_store))
    assert "control characters" in (await refused(r, 400, 422))["message"]
    assert web_store.read_sync(lambda db: db.conn.execute(
        "SELECT status, escalation_level FROM conversations WHERE id = ?", (conv,)).fetchone()) == ("open", 0)
    assert web_store.read_sync(lambda db: db.conn.execute("SELECT max(id) FROM events").fetchone()[0]) == before


@pytest.mark.parametrize("name", ["v\x00\x1b\x0c", "\u200b\u200b"])
async def test_a_saved_view_needs_a_name_you_can_see(client: TestClient, name: str) -> None:
    csrf = await login(client, "agent")
    r = await client.post("/views", data={"csrf_token": csrf, "name": name, "query": "?q=refund"},
                          headers={"Accept": "application/json"}, allow_redirects=False)
    assert "letters you can see" in (await refused(r, 400, 422))["message"]
    assert (await (await client.get("/api/workspace")).json())["views"] == []
