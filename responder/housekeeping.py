"""The responder's periodic job: wake snoozed conversations, reassign silent ones, hand out new ones.

One scheduled job runs this every ``interval`` seconds; each part is idempotent and commits with its
audit events, so a missed or doubled run changes nothing it should not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from careline.settings import Settings
from careline.store import Store
from responder.queue import reassign_silent, release_stranded, round_robin, wake_snoozed


@dataclass(frozen=True)
class Tick:
    woken: int
    reassigned: int
    assigned: int


async def tick(store: Store, settings: Settings, *, now: datetime) -> Tick:
    r = settings.responder

    def write(db: Database) -> Tick:
        woken = wake_snoozed(db, now=now)
        moved = reassign_silent(db, now=now, after=timedelta(minutes=r.reassign_after_minutes))
        moved += release_stranded(db, now=now)
        assigned = round_robin(db, now=now) if r.round_robin else 0
        return Tick(woken, moved, assigned)

    return await store.write(write)
