"""Settings edited in the browser: an overlay of items on top of the TOML bootstrap.

The TOML file (with the environment) stays the bootstrap. What an admin edits is stored, one item at a
time, in SQLite (``careline.store.overlay``); the *effective* settings are the bootstrap with every
overlay item applied in the order it was first saved, then validated exactly as ``careline config
--check`` validates a file (:func:`careline.settings.validate`). Only the sections below can be edited,
and only their listed fields: secrets, the service, accounts, retention and the model stay in the file.

* A list section (brands, SLA policies, calendars, webhooks) is keyed by one field (``name``, or a
  webhook's ``url``): an overlay item replaces the bootstrap item of that key, or adds one; a deleted
  item (value ``None``) removes it. Fields an item does not set keep the bootstrap's values.
* ``sources`` has one fixed item per platform (``x``, ``reddit``, ``bluesky``, ``mastodon``).
* ``templates`` items are ``<brand>/<intent>`` or ``<brand>/<language>/<intent>`` with the Jinja text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from careline.errors import ConfigError
from careline.settings import (
    BlueskySourceSettings,
    BrandSettings,
    CalendarSettings,
    MastodonSourceSettings,
    RedditSourceSettings,
    Settings,
    SLAPolicySettings,
    WebhookSettings,
    XSourceSettings,
    convert_field,
    validate,
)

#: The per-platform source sections an admin may switch on and off and pace.
SOURCE_KINDS: dict[str, type] = {"x": XSourceSettings, "reddit": RedditSourceSettings,
                                 "bluesky": BlueskySourceSettings, "mastodon": MastodonSourceSettings}


@dataclass(frozen=True)
class Section:
    """One editable section: the dataclass of its items, the key field, and the fields the browser may set."""

    name: str
    title: str
    kind: type | None
    key: str | None
    fields: tuple[str, ...]

    def fields_for(self, item: str) -> tuple[str, ...]:
        """The editable fields of ``item`` (only X has a daily budget)."""
        if self.name == "sources" and item != "x":
            return tuple(f for f in self.fields if f != "daily_budget_usd")
        return self.fields

    def kind_for(self, item: str) -> type | None:
        return SOURCE_KINDS.get(item) if self.name == "sources" else self.kind


_BRAND_FIELDS = tuple(f.name for f in dataclasses.fields(BrandSettings) if f.name != "intents")
SECTIONS: dict[str, Section] = {s.name: s for s in (
    Section("brands", "Brands", BrandSettings, "name", _BRAND_FIELDS),
    Section("sla.policies", "SLA policies", SLAPolicySettings, "name",
            tuple(f.name for f in dataclasses.fields(SLAPolicySettings))),
    Section("sla.calendars", "Business calendars", CalendarSettings, "name",
            tuple(f.name for f in dataclasses.fields(CalendarSettings))),
    Section("responder.webhooks", "Webhooks", WebhookSettings, "url", ("url", "events", "min_level")),
    Section("sources", "Sources", None, None, ("enabled", "interval_seconds", "daily_budget_usd")),
    Section("templates", "Reply templates", None, None, ("template",)),
)}


@dataclass(frozen=True)
class Entry:
    """One stored overlay item; ``value`` ``None`` deletes the bootstrap's item of that key."""

    section: str
    item: str
    value: Mapping[str, Any] | None
    version: int


def section(name: str) -> Section:
    """The editable section called ``name``; anything else is a clear config error (a 400)."""
    try:
        return SECTIONS[name]
    except KeyError:
        raise ConfigError(name, f"not editable in the browser (editable: {', '.join(SECTIONS)})") from None


def check_key(name: str, item: str) -> None:
    """An item's key is short printable text (brand and template keys get stricter checks in ``validate``)."""
    if not 0 < len(item) <= 300 or not item.isprintable() or item != item.strip():
        raise ConfigError(f"{name}[{item[:40]!r}]", "the name must be 1-300 printable characters, "
                                                    "without spaces around it")


def parse_item(name: str, item: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Typed, range-checked values of the editable fields ``data`` sets for ``item`` (JSON-ready)."""
    sec = section(name)
    check_key(name, item)
    allowed = sec.fields_for(item)
    out: dict[str, Any] = {}
    for field_name, value in data.items():
        key = f"{name}[{item}].{field_name}"
        if field_name not in allowed:
            raise ConfigError(key, f"cannot be set here (editable: {', '.join(allowed)})")
        if sec.name == "templates":
            if not isinstance(value, str):
                raise ConfigError(key, f"expected a string, got {value!r}")
            out[field_name] = value.replace("\r\n", "\n")
            continue
        kind = sec.kind_for(item)
        if kind is None:
            raise ConfigError(f"{name}[{item}]", f"no such item (items: {', '.join(SOURCE_KINDS)})")
        out[field_name] = convert_field(kind, field_name, value, key)
    if sec.key and sec.key in out and out[sec.key] != item:
        raise ConfigError(f"{name}[{item}].{sec.key}", "cannot be renamed: add a new item and delete this one")
    return out


def apply_overlay(bootstrap: Settings, entries: Iterable[Entry]) -> Settings:
    """The effective settings: ``bootstrap`` with ``entries`` applied in order, then validated."""
    by_section: dict[str, list[Entry]] = {}
    for e in entries:
        by_section.setdefault(e.section, []).append(e)
    get = by_section.get
    sla = dataclasses.replace(
        bootstrap.sla,
        policies=_apply_list(bootstrap.sla.policies, SECTIONS["sla.policies"], get("sla.policies")),
        calendars=_apply_list(bootstrap.sla.calendars, SECTIONS["sla.calendars"], get("sla.calendars")))
    responder = dataclasses.replace(
        bootstrap.responder,
        webhooks=_apply_list(bootstrap.responder.webhooks, SECTIONS["responder.webhooks"], get("responder.webhooks")),
        templates=_apply_templates(bootstrap.responder.templates, get("templates")))
    settings = dataclasses.replace(
        bootstrap, brands=_apply_list(bootstrap.brands, SECTIONS["brands"], get("brands")), sla=sla,
        responder=responder, sources=_apply_sources(bootstrap, get("sources")))
    try:
        validate(settings)
    except ConfigError as exc:
        raise ConfigError(item_path(settings, exc.key), exc.reason) from None
    return settings


_LISTED = re.compile(r"(brands|sla\.policies|sla\.calendars|responder\.webhooks)\[(\d+)\](.*)", re.S)


def item_path(settings: Settings, key: str) -> str:
    """``brands[2].name`` as ``brands[zed].name``, the form ``parse_item`` names a field in: after an overlay the
    list index counts the file's items and the browser's together, which no admin can map to a form."""
    match = _LISTED.fullmatch(key)
    if match is None:
        return key
    name, at, rest = match.groups()
    sec = SECTIONS[name]
    assert sec.key is not None
    listed = _listed(settings, name)
    return f"{name}[{getattr(listed[int(at)], sec.key)}]{rest}" if int(at) < len(listed) else key


def _listed(settings: Settings, name: str) -> list[Any]:
    holder: Any = settings
    for part in name.split("."):
        holder = getattr(holder, part)
    return list(holder)


def _apply_list(items: list[Any], sec: Section, entries: list[Entry] | None) -> list[Any]:
    out = list(items)
    assert sec.kind is not None and sec.key is not None
    for e in entries or ():
        at = next((i for i, x in enumerate(out) if getattr(x, sec.key) == e.item), None)
        if e.value is None:
            if at is not None:
                del out[at]
            continue
        values = {sec.key: e.item, **parse_item(sec.name, e.item, e.value)}
        if at is None:
            out.append(sec.kind(**values))
        else:
            out[at] = dataclasses.replace(out[at], **values)
    return out


def _apply_sources(bootstrap: Settings, entries: list[Entry] | None) -> Any:
    sources = bootstrap.sources
    for e in entries or ():
        if e.item in SOURCE_KINDS and e.value is not None:
            current = getattr(sources, e.item)
            sources = dataclasses.replace(sources, **{
                e.item: dataclasses.replace(current, **parse_item("sources", e.item, e.value))})
    return sources


def _apply_templates(templates: dict[str, str], entries: list[Entry] | None) -> dict[str, str]:
    out = dict(templates)
    for e in entries or ():
        if e.value is None:
            out.pop(e.item, None)
        else:
            out[e.item] = parse_item("templates", e.item, e.value)["template"]
    return out


def items(settings: Settings, name: str) -> dict[str, dict[str, Any]]:
    """Every item of section ``name`` in ``settings``, as the editable fields' plain values, by key."""
    sec = section(name)
    if sec.name == "sources":
        return {p: _fields(getattr(settings.sources, p), sec.fields_for(p)) for p in SOURCE_KINDS}
    if sec.name == "templates":
        return {k: {"template": v} for k, v in settings.responder.templates.items()}
    assert sec.key is not None
    parent: Any = settings
    for part in sec.name.split("."):
        parent = getattr(parent, part)
    return {getattr(x, sec.key): _fields(x, sec.fields) for x in parent}


def item(settings: Settings, name: str, key: str) -> dict[str, Any] | None:
    """One item's editable values, or ``None`` when the effective settings have no such item."""
    return items(settings, name).get(key)


def _fields(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: _plain(getattr(obj, n)) for n in names}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def entries_for(bootstrap: Settings, target: Settings) -> list[tuple[str, str, dict[str, Any] | None]]:
    """The overlay that turns ``bootstrap`` into ``target`` in the editable sections (``config import``):
    every item that differs or is new, and a deletion for each bootstrap item ``target`` lacks."""
    out: list[tuple[str, str, dict[str, Any] | None]] = []
    for name in SECTIONS:
        old, new = items(bootstrap, name), items(target, name)
        out.extend((name, key, value) for key, value in new.items() if old.get(key) != value)
        out.extend((name, key, None) for key in old if key not in new and name != "sources")
    return out


def dropped(current: Settings, target: Settings) -> list[tuple[str, str]]:
    """The items of the editable sections that ``current`` has and ``target`` lacks: what importing ``target``
    removes (a file with no ``[[brands]]`` removes every brand, and the listening for them)."""
    return [(name, key) for name in SECTIONS if name != "sources"
            for key in items(current, name) if key not in items(target, name)]


def outside_overlay(bootstrap: Settings, target: Settings) -> list[str]:
    """Where ``target`` differs from ``bootstrap`` in what the overlay cannot hold: the file's to set."""
    differing = [f.name for f in dataclasses.fields(Settings) if f.name not in {"brands", "sla", "sources", "responder"}
                 and getattr(bootstrap, f.name) != getattr(target, f.name)]

    def rest(r: Any) -> Any:
        return dataclasses.replace(r, webhooks=[], templates={})

    if rest(bootstrap.responder) != rest(target.responder):
        differing.append("responder")
    for name, kind in SOURCE_KINDS.items():
        reset = {f: getattr(kind(), f) for f in SECTIONS["sources"].fields_for(name)}
        if (dataclasses.replace(getattr(bootstrap.sources, name), **reset)
                != dataclasses.replace(getattr(target.sources, name), **reset)):
            differing.append(f"sources.{name}")
    known = {b.name: b.intents for b in bootstrap.brands}
    differing.extend(f"brands[{b.name}].intents" for b in target.brands if b.intents != known.get(b.name, {}))
    return differing
