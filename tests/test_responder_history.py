"""SLA clock durations: stored when a target is decided, shown to the lead beside wall-clock time.

A mention at 16:00 on a Friday, office hours 09:00-17:00 on weekdays, answered at 09:30 on Monday:
the customer waited 65.5 hours, the SLA clock ran 90 minutes. A lead comparing FRT with a 60-minute
target needs the second number; the wall-clock one alone makes every weekend look like a breach.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from careline.app.web.reports import export_rows, sla_summary
from careline.domain import to_iso
from careline.settings import CalendarSettings
from careline.store import Store
from responder.calendar import calendar_from_settings
from responder.history import record_clock
from responder.queue import act
from responder.sla import SLAPolicy, TargetKind

FRIDAY_4PM = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
MONDAY_930 = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
MONDAY_11 = datetime(2026, 3, 16, 11, 0, tzinfo=UTC)
OFFICE = calendar_from_settings(CalendarSettings(
    name="office", timezone="UTC", hours={d: "09:00-17:00" for d in ("mon", "tue", "wed", "thu", "fri")}))
POLICY = SLAPolicy("office", first_response_minutes=60, next_response_minutes=60, resolution_minutes=480,
                   calendar=OFFICE)


def add_answered_conversation(store: Store, *, snapshot: bool = True) -> int:
    """Friday's mention and Monday's sent reply, as the listener and the sender store them."""
    def write(db: Any) -> int:
        db.conn.execute("INSERT INTO authors VALUES ('x:1', 'x', '1', 'ana', '', 0, 0, ?, ?)",
                        (to_iso(FRIDAY_4PM), to_iso(FRIDAY_4PM)))
        cur = db.conn.execute(
            "INSERT INTO conversations (thread_key, platform, brand, author_key, status, assignee, created_at, "
            "updated_at, last_customer_at, first_responded_at, sla_policy, sla_snapshot) "
            "VALUES ('x:skylark:1', 'x', 'skylark', 'x:1', 'open', 'agent1', ?, ?, ?, ?, 'office', ?)",
            (to_iso(FRIDAY_4PM), to_iso(MONDAY_930), to_iso(FRIDAY_4PM), to_iso(MONDAY_930),
             json.dumps(POLICY.to_dict()) if snapshot else None))
        cid = int(cur.lastrowid)
        db.conn.execute("INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'system', "
                        "'conversation.created', ?, '{}')", (to_iso(FRIDAY_4PM), f"conversation:{cid}"))
        db.conn.execute(
            "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
            "fetched_at, conversation_id, thread_key, raw) VALUES ('x:1', 'x', '1', 'skylark', 't', 'x:1', "
            "'@SkylarkAir my bag is lost', '', ?, ?, '1', 'x:skylark:1', '{}')",
            (to_iso(FRIDAY_4PM), to_iso(FRIDAY_4PM)))
        db.conn.execute(
            "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key, "
            "sent_at) VALUES (?, 'Sorry, we are on it.', 'sent', 'agent1', ?, ?, 'k1', ?)",
            (cid, to_iso(MONDAY_930), to_iso(MONDAY_930), to_iso(MONDAY_930)))
        return cid

    return store.write_sync(write)


def clocks(store: Store, cid: int) -> tuple[float | None, float | None]:
    return store.read_sync(lambda db: db.conn.execute(
        "SELECT first_response_clock_s, resolution_clock_s FROM conversations WHERE id = ?", (cid,)).fetchone())


def test_business_hours_durations_are_stored_when_decided_and_cleared_on_reopen(store: Store) -> None:
    cid = add_answered_conversation(store)
    first = store.write_sync(lambda db: record_clock(db, cid, TargetKind.FIRST_RESPONSE, MONDAY_930))
    assert first == 90 * 60  # Friday 16:00-17:00 and Monday 09:00-09:30
    store.write_sync(lambda db: act(db, cid, "resolve", actor="agent1", now=MONDAY_11))
    assert clocks(store, cid) == (90 * 60, 3 * 3600)  # resolution: Friday's hour and Monday's two

    summary = store.read_sync(lambda db: sla_summary(db, MONDAY_11 + timedelta(minutes=1)))
    week = summary["periods"]["7d"]
    assert week["frt_median_s"] == 65.5 * 3600 and week["frt_clock_median_s"] == 90 * 60
    assert week["frt_clock_count"] == 1 and week["resolution_clock_median_s"] == 3 * 3600
    assert summary["by_agent"]["agent1"]["frt_clock_median_s"] == 90 * 60
    [row] = store.read_sync(lambda db: export_rows(db, FRIDAY_4PM - timedelta(days=1), MONDAY_11))
    assert (row["first_response_seconds"], row["first_response_clock_seconds"]) == (65.5 * 3600, 90 * 60)
    assert row["resolution_clock_seconds"] == 3 * 3600

    store.write_sync(lambda db: act(db, cid, "reopen", actor="agent1", now=MONDAY_11 + timedelta(minutes=5)))
    assert clocks(store, cid) == (90 * 60, None)  # undecided again; the next resolve records it anew


def test_a_conversation_without_a_snapshot_keeps_null_and_the_lead_sees_the_count(store: Store) -> None:
    cid = add_answered_conversation(store, snapshot=False)
    assert store.write_sync(lambda db: record_clock(db, cid, TargetKind.FIRST_RESPONSE, MONDAY_930)) is None
    week = store.read_sync(lambda db: sla_summary(db, MONDAY_11))["periods"]["7d"]
    assert week["frt_median_s"] == 65.5 * 3600  # the wall-clock figure still counts it
    assert week["frt_clock_count"] == 0 and week["frt_clock_median_s"] is None


def test_an_unreadable_snapshot_does_not_stop_the_resolve(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    cid = add_answered_conversation(store)
    store.write_sync(lambda db: db.conn.execute("UPDATE conversations SET sla_snapshot = '{\"name\": 1}'"))
    with caplog.at_level(logging.ERROR, logger="responder.history"):
        row = store.write_sync(lambda db: act(db, cid, "resolve", actor="agent1", now=MONDAY_11))
    assert row["status"] == "resolved" and row["resolution_clock_s"] is None
    assert "resolution_clock_s left empty" in caplog.text


def test_backfill_fills_what_conversations_decided_before_m006_lack(store: Store) -> None:
    """``careline sla backfill`` on the real file: the durations the live path would have stored."""
    from click.testing import CliRunner

    from careline.app.cli import _load_stage_commands, cli

    cid = add_answered_conversation(store)
    store.write_sync(lambda db: record_clock(db, cid, TargetKind.FIRST_RESPONSE, MONDAY_930))  # as the sender does
    store.write_sync(lambda db: act(db, cid, "resolve", actor="agent1", now=MONDAY_11))
    assert clocks(store, cid) == (90 * 60, 3 * 3600)
    store.write_sync(lambda db: db.conn.execute(  # as a row decided before the columns existed
        "UPDATE conversations SET first_response_clock_s = NULL, resolution_clock_s = NULL"))

    _load_stage_commands()
    env = {"CARELINE_SERVICE__DATABASE": str(store.path)}
    result = CliRunner().invoke(cli, ["sla", "backfill", "--batch", "1"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "1 conversation(s) lacked a duration" in result.output
    assert "filled 1 first-response and 1 resolution duration(s)" in result.output
    assert clocks(store, cid) == (90 * 60, 3 * 3600)
    again = CliRunner().invoke(cli, ["sla", "backfill"], env=env, catch_exceptions=False)
    assert "nothing to do" in again.output and clocks(store, cid) == (90 * 60, 3 * 3600)
