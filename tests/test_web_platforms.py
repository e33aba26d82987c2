"""The editor's length check and the queue's platform filter know Bluesky and Mastodon (API token, real app)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.settings import Settings
from careline.store import Store


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[TestClient]:
    store = Store(tmp_path / "web.db", extra=[WEB]).open_sync()

    def agent(db):  # type: ignore[no-untyped-def]
        create_user(db, "ada", "agent", "a long enough password")
        return create_token(db, "ada", "platform test")

    token = store.write_sync(agent)
    try:
        async with TestClient(TestServer(create_app(Settings(), store)),
                              headers={"Authorization": f"Bearer {token}"}) as c:
            yield c
    finally:
        store.close_sync()


@pytest.mark.parametrize(("platform", "text", "length", "limit", "ok"), [
    ("bluesky", "👨‍👩‍👧‍👦" * 120, 120, 300, True),  # graphemes, not the 840 code points; 3,000 bytes
    ("bluesky", "👨‍👩‍👧‍👦" * 300, 300, 300, False),  # 300 graphemes, but 7,500 bytes: over Bluesky's 3,000
    ("bluesky", "Danke schön 🇩🇪!", 14, 300, True),
    ("mastodon", "@ada@fosstodon.org see https://example.com/a/very/long/path", 9 + 23, 500, True),
])
async def test_draft_check_counts_each_platforms_way(client: TestClient, platform: str, text: str, length: int,
                                                     limit: int, ok: bool) -> None:
    r = await client.post("/api/drafts/check", json={"text": text, "platform": platform})
    body = await r.json()
    assert r.status == 200, body
    assert (body["length"], body["limit"], body["ok"]) == (length, limit, ok)


async def test_an_unknown_platform_is_a_clear_4xx(client: TestClient) -> None:
    r = await client.post("/api/drafts/check", json={"text": "hi", "platform": "myspace"})
    body = await r.json()
    assert r.status == 422 and body["error"]["code"] == "invalid"  # the schema layer's answer to a bad choice
    assert "bluesky" in body["error"]["message"] and "mastodon" in body["error"]["message"]


async def test_the_queue_filter_offers_every_platform(client: TestClient) -> None:
    page = await (await client.get("/")).text()
    for name in ("bluesky", "mastodon", "reddit", "x"):
        assert f'<option value="{name}"' in page
    r = await client.get("/api/queue", params={"platform": "bluesky"})
    assert r.status == 200 and (await r.json())["items"] == []
