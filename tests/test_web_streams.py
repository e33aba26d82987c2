# ruff: noqa: F811  (the fixtures imported from test_web_app are parameters here)
"""The live streams (server-sent events) end when their person's access does: at logout, when an admin
disables them or ends their sessions; and a client that stops reading cannot hold a handler for ever."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from aiohttp.test_utils import TestClient

from careline.app.web import api
from careline.app.web.keys import STORE
from tests.test_web_app import client, login, web_store  # noqa: F401  (fixtures)


async def _events(resp: object, n: int, seconds: float = 2.0) -> tuple[list[str], bool]:
    """Up to ``n`` events within ``seconds``, and whether the stream ended."""
    got: list[str] = []
    buf, ended = b"", False

    async def read() -> None:
        nonlocal buf, ended
        while len(got) < n:
            chunk = await resp.content.readany()  # type: ignore[attr-defined]
            if not chunk:
                ended = True
                return
            buf += chunk
            while b"\n\n" in buf:
                event, buf = buf.split(b"\n\n", 1)
                got.append(event.decode())

    try:
        async with asyncio.timeout(seconds):
            await read()
    except TimeoutError:
        pass
    return got, ended


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api, "STREAM_SECONDS", 0.05)
    monkeypatch.setattr(api, "CONVERSATION_STREAM_SECONDS", 0.05)


async def test_a_stream_ends_at_logout(client: TestClient, fast: None) -> None:
    csrf = await login(client, "agent")
    resp = await client.get("/api/stream")
    assert resp.status == 200 and (await _events(resp, 2))[0]
    r = await client.post("/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False)
    assert r.status == 303
    after, ended = await _events(resp, 5)
    assert ended and len(after) <= 1  # at most the event already on its way


async def test_a_stream_ends_when_an_admin_disables_the_person(client: TestClient, fast: None) -> None:
    await login(client, "agent")
    resp = await client.get("/api/stream")
    assert (await _events(resp, 1))[0]
    await client.app[STORE].write(lambda db: db.conn.execute(  # type: ignore[attr-defined]
        "UPDATE users SET disabled_at = '2026-12-06T00:00:00+00:00' WHERE username = 'agent'"))
    after, ended = await _events(resp, 5)
    assert ended and len(after) <= 1


async def test_a_client_that_stops_reading_is_dropped(client: TestClient,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """aiohttp's write waits in drain() without a limit: a socket nobody reads held the handler for ever
    (past its lifetime and past shutdown's signal)."""
    monkeypatch.setattr(api, "STREAM_SECONDS", 0.0)  # events as fast as they can be made: the buffers fill
    monkeypatch.setattr(api, "STALLED_WRITE", 0.5)
    ended: list[float] = []
    original = api.event_stream

    async def watched(*args: object, **kwargs: object) -> object:
        try:
            return await original(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            ended.append(time.monotonic())

    monkeypatch.setattr(api, "event_stream", watched)
    await login(client, "agent")
    cookie = "; ".join(f"{c.key}={c.value}" for c in client.session.cookie_jar)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((client.server.host, client.server.port))
    raw.setblocking(False)
    raw.send(f"GET /api/stream HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
    started = time.monotonic()
    try:
        for _ in range(150):
            if ended:
                break
            await asyncio.sleep(0.1)
        assert ended and ended[0] - started < 15
    finally:
        raw.close()


async def test_presence_takes_no_place_for_ids_that_are_no_conversation_and_ends_at_logout(
        client: TestClient) -> None:
    from careline.app.web.keys import PRESENCE

    csrf = await login(client, "agent")
    for i in range(20):
        r = await client.post(f"/api/conversations/{10**11 + i}/presence", json={}, headers={"X-CSRF-Token": csrf})
        assert r.status == 404
    presence = client.app[PRESENCE]  # type: ignore[index]
    assert not presence._by_conv
    conv = (await (await client.get("/api/queue?limit=1")).json())["items"][0]["id"]
    r = await client.post(f"/api/conversations/{conv}/presence", json={"typing": True}, headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and (await r.json())["typing"] == ["agent"]
    await client.post("/logout", headers={"X-CSRF-Token": csrf}, allow_redirects=False)
    assert presence.of(conv) == {"viewing": [], "typing": []}
