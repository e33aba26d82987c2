"""A stop lets the scheduler's jobs in flight finish: APScheduler 3 cancelled them, so a send could be cut off
between its claim and its post (the reply left "sending", in doubt), and each cancelled job logged a traceback; a
SIGTERM right after the start, as every job ran for the first time, showed one in the service's log."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from careline.app.service import stop_scheduler


async def test_a_stop_waits_for_the_job_in_flight_and_starts_no_other(caplog: pytest.LogCaptureFixture) -> None:
    started, finished = asyncio.Event(), []

    async def send() -> None:
        started.set()
        await asyncio.sleep(0.3)  # a post on its way
        finished.append("send")

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(send, "interval", seconds=0.1, next_run_time=datetime.now(UTC), max_instances=1)
    scheduler.start()
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level(logging.WARNING):
        await stop_scheduler(scheduler, grace=5)
        await asyncio.sleep(0.3)  # nothing more runs after the stop
    assert finished == ["send"]
    assert not [r for r in caplog.records if "raised an exception" in r.getMessage()]


async def test_a_job_past_the_grace_is_cancelled_and_said(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()

    async def stuck() -> None:
        started.set()
        await asyncio.sleep(60)

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(stuck, "date", run_date=datetime.now(UTC))
    scheduler.start()
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level(logging.WARNING):
        await stop_scheduler(scheduler, grace=0.2)
    assert any("1 scheduled job(s) still running after 0 s are cancelled" in r.getMessage() for r in caplog.records)
