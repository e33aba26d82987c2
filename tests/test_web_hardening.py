# ruff: noqa: F811  (the fixtures imported from test_web_app are parameters here)
"""The 21 inputs the security probe (issue 19) found crashing a handler, and the wrong-type cases it found
coerced: each must now answer a 4xx in the one error shape, change nothing, and log no traceback."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

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
        assert set(body["error"]) == {"status", "code", "message"} and body["error"]["status"] == r.status
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
                                  {"minutes": 0}, {"minutes": "60"}, {"until": 17}])
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


def test_draft_platforms_are_the_length_limits() -> None:
    """The schema's enum and the limits table name the same platforms (one definition each)."""
    from typing import get_args

    assert set(get_args(schemas.DRAFT_PLATFORMS)) == set(LIMITS)


@pytest.mark.parametrize("path,body", [
    ("/api/conversations/{id}/presence", {"typing": "yes"}),
    ("/api/conversations/{id}/notes", {"text": {"a": 1}}),
    ("/api/conversations/{id}/notes", {"text": "   "}),
    ("/api/replies/1/resubmit", {"text": ["edited"]}),
])
async def test_workflow_bodies_with_wrong_types_are_a_422(client: TestClient, web_store: Store, path: str,
                                                          body: dict[str, Any]) -> None:
    conv = await open_conversation(client, web_store)
    r = await client.post(path.format(id=conv), json=body, headers=bearer(web_store))
    await refused(r, 422)
