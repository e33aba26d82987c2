"""``careline config export`` and ``careline config import``: what was set in the browser, as a TOML file.

Export writes the effective settings (the TOML bootstrap plus the browser's overlay from the database)
with every secret left out; import validates a file exactly as ``careline config --check`` does, then
stores its brands, SLA policies, calendars, webhooks, sources and reply templates as the overlay, each
changed item audited as the CLI user. A running service picks the import up within seconds.
"""

from __future__ import annotations

import dataclasses
import getpass
import sqlite3
from pathlib import Path
from typing import Any

import tomlkit

from careline.domain import utcnow
from careline.errors import ConfigError
from careline.overlay import apply_overlay, dropped, entries_for, items, outside_overlay
from careline.settings import Settings, load_settings
from careline.store import Store
from careline.store.overlay import Saved, load_entries, read_entries, replace_all


def effective(bootstrap: Settings, store: Store) -> Settings:
    """The settings the service runs with: the bootstrap and the stored overlay, validated."""
    return apply_overlay(bootstrap, store.read_sync(load_entries))


def with_browser_settings(bootstrap: Settings) -> tuple[Settings, str]:
    """The settings file plus what admins set in the browser (the database's overlay, read-only), as the
    running service uses them, and why the overlay was not applied (then the file alone) or ""."""
    try:
        entries = read_entries(bootstrap.service.database)
        return (bootstrap, "") if entries is None else (apply_overlay(bootstrap, entries), "")
    except sqlite3.Error as exc:
        return bootstrap, f"the database could not be read ({exc})"
    except ConfigError as exc:
        return bootstrap, f"the browser's settings do not apply on this settings file ({exc})"


def to_toml(settings: Settings) -> str:
    """``settings`` as TOML that ``load_settings`` reads back to the same values; secrets left out."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("careline config export: the effective settings (file + browser); secrets omitted"))
    for name, value in _plain(settings).items():
        doc.add(name, value)
    return tomlkit.dumps(doc)


def _plain(obj: Any) -> Any:
    """Dataclasses as tables without their secret fields (those come only from the environment)."""
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj) if not f.metadata.get("secret")}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


@dataclasses.dataclass(frozen=True)
class Imported:
    """What an import stored, and what it had to leave to the settings file."""

    saved: Saved
    changed: int
    ignored: list[str]


def removed_by_import(bootstrap: Settings, store: Store, path: str | Path) -> list[tuple[str, str]]:
    """What importing ``path`` would remove from the settings the service runs with, as (section, key)."""
    return dropped(effective(bootstrap, store), load_settings(path))


def import_file(bootstrap: Settings, store: Store, path: str | Path, *, actor: str | None = None) -> Imported:
    """Validate ``path`` like ``careline config --check`` and store its editable sections as the overlay."""
    target = load_settings(path)
    entries = entries_for(bootstrap, target)

    def check(e: list[Any]) -> Settings:
        return apply_overlay(bootstrap, e)

    who = actor or f"cli:{getpass.getuser()}"
    saved = store.write_sync(lambda db: replace_all(db, entries, check=check, actor=who, now=utcnow(),
                                                    before=lambda s, section, key: items(s, section).get(key)))
    return Imported(saved, len(entries), outside_overlay(bootstrap, target))
