"""The settings overlay's rows (``m100_settings_overlay``), read and written inside the caller's transaction.

A change is checked against the version of the item the editor started from (optimistic concurrency:
two admins saving the same item at once, one wins and the other gets :class:`StaleEdit` with the
current values), validated as a whole before anything is written, and audited with before and after.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from careline.domain import Event, to_iso
from careline.errors import Conflict
from careline.overlay import Entry
from careline.settings import Settings
from careline.store.backup import read_only
from careline.store.records import append_event

#: Builds and validates the effective settings from a full list of overlay entries (raises ConfigError).
Check = Callable[[list[Entry]], Settings]


class StaleEdit(Conflict):
    """The item changed since the editor loaded it; ``current`` is what it is now, at ``version``."""

    def __init__(self, section: str, item: str, version: int, current: Mapping[str, Any] | None) -> None:
        super().__init__(f"{section} {item!r} was changed by someone else (now version {version}); "
                         "reload it and apply your change again")
        self.section, self.item, self.version, self.current = section, item, version, current


class ItemExists(StaleEdit):
    """A new item was asked for (no version) where one of that key already exists: nobody else changed anything,
    so "changed by someone else" was the wrong story ("Add brand" with a taken name, a second "Save a template"
    for the same brand and intent)."""

    def __init__(self, section: str, item: str, version: int, current: Mapping[str, Any] | None) -> None:
        super().__init__(section, item, version, current)
        self.args = (f"{section} {item!r} already exists: change it where it is listed, or use another "
                     f"{'brand, intent or language' if section == 'templates' else 'name'}",)


@dataclass(frozen=True)
class Saved:
    """What a change did: the new overall version, the effective settings, the item before and after."""

    version: int
    settings: Settings
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None


def overlay_version(db: Database) -> int:
    """The overall version: one read, what a running process compares to notice a change."""
    row = db.conn.execute("SELECT version FROM settings_version WHERE id = 1").fetchone()
    return int(row[0]) if row else 0


def load_entries(db: Database) -> list[Entry]:
    """Every overlay item, in the order each was first saved."""
    cur = db.conn.execute("SELECT section, item, value, version FROM settings_overlay ORDER BY seq")
    return [Entry(s, i, None if v is None else json.loads(v), n) for s, i, v, n in cur.fetchall()]


def read_entries(path: str | Path) -> list[Entry] | None:
    """The overlay of the database file at ``path``, read-only; ``None`` when there is no such file or it
    holds no overlay yet. For commands that only need the settings: they never create or migrate a file.
    ``sqlite3.Error`` propagates (``careline doctor`` reports an unreadable file on its own)."""
    if not Path(path).is_file():  # missing, or a folder: the command that opens it says which
        return None
    conn = read_only(path)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings_overlay'").fetchone() \
                is None:
            return None
        cur = conn.execute("SELECT section, item, value, version FROM settings_overlay ORDER BY seq")
        return [Entry(s, i, None if v is None else json.loads(v), n) for s, i, v, n in cur.fetchall()]
    finally:
        conn.close()


def item_version(entries: list[Entry], section: str, item: str) -> int:
    """The version an item was last changed at; 0 for one only the bootstrap sets (or none does)."""
    return next((e.version for e in entries if e.section == section and e.item == item), 0)


@dataclass(frozen=True)
class Change:
    """One edit: set ``value`` (``None`` deletes) on top of the item at ``expected`` version."""

    section: str
    item: str
    value: Mapping[str, Any] | None
    expected: int | None  # None: a new item, refused when one of that key exists
    actor: str


class Moved(Conflict):
    """Another change was saved between planning this one and writing it: plan again on top of it."""


@dataclass(frozen=True)
class Plan:
    """A change checked against the overlay as read at ``seen``: what to write, and what it makes."""

    change: Change
    seen: int
    saved: Saved


def plan(entries: list[Entry], seen: int, change: Change, *, check: Check,
         exists: Callable[[Settings], Mapping[str, Any] | None], current: Settings | None = None) -> Plan:
    """Check ``change`` on top of ``entries`` (read at version ``seen``): the stale-edit test, then the whole
    settings validated. Pure CPU, run outside the writer thread; ``current`` skips re-validating the
    settings as they are when the caller already holds them at ``seen``."""
    before = exists(current if current is not None else check(entries))
    version = item_version(entries, change.section, change.item)
    if change.expected is None and before is not None:
        raise ItemExists(change.section, change.item, version, before)
    if change.expected not in (None, version):
        raise StaleEdit(change.section, change.item, version, before)
    new = Entry(change.section, change.item, change.value, seen + 1)
    updated = [new if (e.section, e.item) == (new.section, new.item) else e for e in entries]
    if new not in updated:
        updated.append(new)
    settings = check(updated)  # ConfigError: nothing is written
    return Plan(change, seen, Saved(seen + 1, settings, before, exists(settings)))


def commit(db: Database, planned: Plan, *, now: datetime) -> Saved:
    """Write a planned change in the caller's short write transaction, unless the overlay moved since."""
    if overlay_version(db) != planned.seen:
        raise Moved("the settings changed while this change was checked")
    change, saved = planned.change, planned.saved
    _write(db, change, saved.version, now)
    append_event(db, Event(now, change.actor, "settings.changed", f"settings:{change.section}/{change.item}",
                           {"before": saved.before, "after": saved.after, "version": saved.version}))
    return saved


def replace_all(db: Database, entries: Sequence[tuple[str, str, Mapping[str, Any] | None]], *, check: Check,
                actor: str, now: datetime, before: Callable[[Settings, str, str], Mapping[str, Any] | None]) -> Saved:
    """Store ``entries`` as the whole overlay (``careline config import``), auditing each changed item, those
    the import drops included (a brand added in the browser and absent from the file). The version moves even
    when nothing is written (an import that goes back to the settings file): that is what a running service
    watches for."""
    old_entries = load_entries(db)
    old = check(old_entries)
    version = overlay_version(db) + 1
    settings = check([Entry(s, i, v, version) for s, i, v in entries])
    db.conn.execute("DELETE FROM settings_overlay")
    db.conn.execute("UPDATE settings_version SET version = ? WHERE id = 1", (version,))
    for s, i, v in entries:
        _write(db, Change(s, i, v, None, actor), version, now)
    touched = dict.fromkeys([*((s, i) for s, i, _ in entries), *((e.section, e.item) for e in old_entries)])
    for s, i in touched:
        was, now_is = before(old, s, i), before(settings, s, i)
        if was != now_is:
            append_event(db, Event(now, actor, "settings.changed", f"settings:{s}/{i}",
                                   {"before": was, "after": now_is, "version": version, "via": "import"}))
    return Saved(version, settings, None, None)


def _write(db: Database, change: Change, version: int, now: datetime) -> None:
    value = None if change.value is None else json.dumps(dict(change.value), ensure_ascii=False, allow_nan=False)
    db.conn.execute(
        """INSERT INTO settings_overlay (section, item, value, version, updated_by, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (section, item) DO UPDATE SET value = excluded.value, version = excluded.version,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at""",
        (change.section, change.item, value, version, change.actor, to_iso(now)))
    db.conn.execute("UPDATE settings_version SET version = ? WHERE id = 1", (version,))
