# ruff: noqa: F811  (the fixtures imported from test_web_app are parameters here)
"""Retention: the daily purge removes exactly what the policy says, in small batches, beside live writes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from careline.app.service import purge
from careline.app.web.migrations import WEB
from careline.domain import to_iso
from careline.settings import RetentionSettings, Settings
from careline.store import Store
from careline.store.retention import purge_batch
from tests.helpers.seed import seed
from tests.test_web_app import client, login, web_store  # noqa: F401  (fixtures)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _count(store: Store, sql: str) -> int:
    return int(store.read_sync(lambda db: db.conn.execute(sql).fetchone()[0]))


@pytest.fixture
def aged(tmp_path: Path) -> Store:
    """120 conversations from the last 10 days; a third of them made old (closed ones), and old events."""
    store = Store(tmp_path / "r.db", extra=[WEB]).open_sync()

    def fill(db: object) -> None:
        seed(db, 120, NOW)  # type: ignore[arg-type]
        old = to_iso(NOW - timedelta(days=800))
        db.conn.execute("UPDATE conversations SET status = 'resolved', updated_at = ? WHERE id % 3 = 0", (old,))
        db.conn.execute("UPDATE mentions SET fetched_at = ?, raw = '{\"full\": \"payload\"}'",
                        (to_iso(NOW - timedelta(days=100)),))
        db.conn.executemany("INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'system', 'old', "
                            "'user:ann', '{}')", [(old,)] * 50)
        # an open conversation's own events stay as long as it does: its SLA is replayed from them
        db.conn.executemany("INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'system', 'kept', "
                            "'conversation:1', '{}')", [(old,)] * 3)
        db.conn.executemany("INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'system', 'new', "
                            "'conversation:2', '{}')", [(to_iso(NOW),)] * 5)

    store.write_sync(fill)  # type: ignore[arg-type]
    yield store
    store.close_sync()


async def test_purge_removes_what_the_policy_says_in_batches_beside_live_writes(aged: Store) -> None:
    settings = Settings(retention=RetentionSettings(raw_payload_days=90, closed_conversation_days=730,
                                                    audit_event_days=730, batch_size=7))
    open_before = _count(aged, "SELECT count(*) FROM conversations WHERE id % 3 != 0")
    stop, writes = asyncio.Event(), 0

    async def agents_keep_writing() -> None:  # the writer is shared: purge batches interleave with these
        nonlocal writes
        while not stop.is_set():
            await aged.write(lambda db: db.conn.execute(
                "INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'agent', 'live', 'x', '{}')",
                (to_iso(NOW),)))
            writes += 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(agents_keep_writing())
    done = await purge(aged, settings, now=NOW)
    stop.set()
    await writer
    assert writes > 0 and done.conversations == 40 and done.raw_payloads >= 80 and done.events >= 50
    assert _count(aged, "SELECT count(*) FROM conversations") == open_before
    assert _count(aged, "SELECT count(*) FROM conversations WHERE id % 3 = 0") == 0
    assert _count(aged, "SELECT count(*) FROM mentions WHERE raw != '{}'") == 0
    assert _count(aged, "SELECT count(*) FROM mentions m LEFT JOIN conversations c ON c.thread_key = m.thread_key "
                        "WHERE c.id IS NULL") == 0
    assert _count(aged, "SELECT count(*) FROM events WHERE kind = 'old'") == 0
    assert _count(aged, "SELECT count(*) FROM events WHERE kind = 'kept'") == 3  # conversation 1 is open
    for index in ("search", "search_unspaced"):  # the posts' text, handles and names went with them (the audit)
        assert _count(aged, f"SELECT count(*) FROM {index} WHERE kind = 'message' AND thread_key NOT IN "
                            "(SELECT thread_key FROM mentions)") == 0
    assert _count(aged, "SELECT count(*) FROM search WHERE kind = 'message'") == \
        _count(aged, "SELECT count(*) FROM mentions")
    assert _count(aged, "SELECT count(*) FROM events WHERE kind IN ('new', 'live')") == 5 + writes
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        aged.write_sync(lambda db: db.conn.execute("DELETE FROM events"))
    assert (await purge(aged, settings, now=NOW)).total == 0  # idempotent: nothing left


def test_zero_days_keeps_everything(aged: Store) -> None:
    keep = RetentionSettings(raw_payload_days=0, closed_conversation_days=0, audit_event_days=0)
    assert aged.write_sync(lambda db: purge_batch(db, keep, NOW)).total == 0


async def test_the_lead_page_shows_the_policy(client: TestClient) -> None:
    await login(client, "lead")
    page = await (await client.get("/sla")).text()
    assert "Data retention" in page and "90 days" in page and "730 days after their last change" in page


def test_a_customer_writing_again_to_an_old_closed_conversation_is_not_purged(aged: Store) -> None:
    """The listener stored the customer's new post in a thread closed 800 days ago; until the classifier and
    the router have reopened the conversation, the purge must leave the thread alone (it used to delete the
    post with the old ones)."""
    conv, thread = aged.read_sync(lambda db: db.conn.execute(
        "SELECT id, thread_key FROM conversations WHERE id % 3 = 0 ORDER BY id LIMIT 1").fetchone())

    def customer_writes(db: object) -> None:
        db.conn.execute(  # type: ignore[attr-defined]
            "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
            "fetched_at, conversation_id, thread_key, raw, stage) SELECT 'x:new-1', platform, 'new-1', brand, source, "
            "author_key, 'it broke again', '', ?, ?, conversation_id, thread_key, '{}', 'new' FROM mentions "
            "WHERE thread_key = ? LIMIT 1", (to_iso(NOW), to_iso(NOW), thread))

    aged.write_sync(customer_writes)  # type: ignore[arg-type]
    policy = RetentionSettings(closed_conversation_days=730, batch_size=500)
    done = aged.write_sync(lambda db: purge_batch(db, policy, NOW))
    assert done.conversations == 39  # the other old closed ones go
    assert _count(aged, f"SELECT count(*) FROM conversations WHERE id = {conv}") == 1
    assert _count(aged, "SELECT count(*) FROM mentions WHERE key = 'x:new-1'") == 1


def test_the_purge_command_counts_first_then_removes(aged: Store, tmp_path: Path) -> None:
    """The admin audit: the purge ran only as the daily job, with a log line after; an admin who shortened the
    policy had no way to see what it would remove, nor to run it. ``careline purge`` counts, asks, removes."""
    from tests.test_data_stewardship import run

    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "r.db"), "CARELINE_RETENTION__RAW_PAYLOAD_DAYS": "90",
           "CARELINE_RETENTION__CLOSED_CONVERSATION_DAYS": "730", "CARELINE_RETENTION__AUDIT_EVENT_DAYS": "730"}
    before = _count(aged, "SELECT count(*) FROM conversations")
    code, out = run("purge", "--dry-run", env=env)
    assert code == 0 and "removes now: 120 raw payload(s), 40 closed conversation(s) with their posts, 50 audit " \
        "event(s)" in out, out
    assert _count(aged, "SELECT count(*) FROM conversations") == before  # counted, not removed
    code, out = run("purge", env=env)  # no terminal to confirm in
    assert code == 2 and "--yes" in out, out
    code, out = run("purge", "--yes", env=env)
    assert code == 0 and "removed: 120 raw payload(s) emptied, 40 closed conversation(s) and 50 audit event(s)" in out
    assert _count(aged, "SELECT count(*) FROM conversations") == before - 40
    code, out = run("purge", "--dry-run", env=env)
    assert "removes now: 0 raw payload(s), 0 closed conversation(s)" in out, out
