"""Settings edited in the browser (role admin): brands, SLA policies, calendars, webhooks, sources and reply
templates, as JSON under ``/api/admin/settings`` and as the forms of ``/admin/config`` and ``/admin/templates``.

Each save goes through :meth:`careline.live.LiveSettings.change`: validated like ``careline config --check``
(a 400 naming the field, nothing saved), checked against the version the editor started from (a 409
with the current values when someone else saved first), audited with before and after, and in effect
for the whole service at once. Secrets never appear here: they stay in the environment.
"""

from __future__ import annotations

import dataclasses
import os
import re
import typing
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from careline.app.web.api import error_body, json_body
from careline.app.web.auth import allow, user_of
from careline.app.web.fields import digits
from careline.app.web.keys import LIVE
from careline.domain import Role
from careline.errors import ConfigError
from careline.overlay import SECTIONS, Entry, Section, items, section
from careline.settings import check_template
from careline.store.overlay import ItemExists, Saved, StaleEdit, item_version
from responder.drafts import BrandVoice, draft_reply

#: Fields of a body that steer the save rather than set a value.
META = ("version", "csrf_token", "item")


@dataclass(frozen=True)
class FormField:
    """How one editable field is shown in a form: its input kind, help text, bounds and current value."""

    name: str
    kind: str  # text | lines | table | bool | number | choice | template
    help: str
    value: Any
    choices: tuple[str, ...] = ()
    step: str = "1"
    min: Any = None
    max: Any = None


def form_fields(sec: Section, key: str, value: dict[str, Any] | None) -> list[FormField]:
    """The form of one item (``value`` ``None``: a new item with the defaults)."""
    if sec.name == "templates":
        return [FormField("template", "template", "Jinja text, rendered in the sandbox.",
                          (value or {}).get("template", ""))]
    kind = sec.kind_for(key) if sec.name == "sources" else sec.kind
    assert kind is not None
    hints, fields = typing.get_type_hints(kind), {f.name: f for f in dataclasses.fields(kind)}
    out = []
    for name in sec.fields_for(key):
        f, tp = fields[name], hints[name]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        current = default if value is None else value.get(name, default)
        out.append(_form_field(name, tp, f.metadata, current))
    return out


def _form_field(name: str, tp: Any, meta: Any, value: Any) -> FormField:
    origin, help_text = typing.get_origin(tp), meta.get("help", "")
    if "choices" in meta:
        return FormField(name, "choice", help_text, value, tuple(meta["choices"]))
    if origin is list:
        return FormField(name, "lines", help_text, "\n".join(str(v) for v in value))
    if origin is dict:
        return FormField(name, "table", help_text, "\n".join(f"{k} = {v}" for k, v in value.items()))
    if tp is bool:
        return FormField(name, "bool", help_text, value)
    if tp in (int, float):
        return FormField(name, "number", help_text, value, step="1" if tp is int else "any", min=meta.get("min"),
                         max=meta.get("max"))
    return FormField(name, "text", help_text, value, max=meta.get("max_length"))  # the form allows what the check does


@dataclass(frozen=True)
class Row:
    """One item of a section as the page and the API show it."""

    key: str
    version: int
    origin: str  # "file" (the TOML bootstrap) or "browser" (the overlay)
    value: dict[str, Any]


def section_rows(live_items: dict[str, dict[str, Any]], entries: list[Entry], name: str) -> list[Row]:
    """Every item of section ``name`` with the version and origin an editor needs."""
    stored = {e.item for e in entries if e.section == name}
    return [Row(key, item_version(entries, name, key), "browser" if key in stored else "file", value)
            for key, value in live_items.items()]


async def overview(request: web.Request) -> dict[str, Any]:
    """All editable sections, their items with versions, the overall version, and any overlay problem."""
    live = request.app[LIVE]
    version, entries, settings = await live.at_once()
    return {"version": version, "problem": live.problem, "sections": {
        name: {"title": sec.title, "items": [dataclasses.asdict(r) for r in
                                             section_rows(items(settings, name), entries, name)]}
        for name, sec in SECTIONS.items()}}


@allow(Role.ADMIN)
async def get_settings(request: web.Request) -> web.Response:
    return web.json_response(await overview(request))


def _expected(body: dict[str, Any]) -> int | None:
    """The version the editor started from; absent or empty: a new item (refused when it exists)."""
    raw = body.get("version")
    if raw is None or raw == "":
        return None
    if isinstance(raw, str) and digits(raw.strip()) and len(raw) < 18:
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < 2**53:
        raise web.HTTPBadRequest(text="version must be the whole number the item was loaded at")
    return raw


def _item_key(request: web.Request, sec: Section, body: dict[str, Any]) -> str:
    """``?item=`` names the item; a new one takes its key from the body (name, url, or brand/language/intent)."""
    key = request.query.get("item") or body.get("item")
    if not key and sec.name == "templates":
        parts = [body.get("brand"), body.get("language") or None, body.get("intent")]
        key = "/".join(p for p in parts if p) if all(isinstance(p, str) for p in parts if p is not None) else None
    if not key and sec.key:
        key = body.get(sec.key)
    if not isinstance(key, str) or not key:
        raise web.HTTPBadRequest(text=f"say which item: ?item=<{sec.key or 'key'}>")
    return key


def _renders(key: str, template: str) -> None:
    """A template must also render for a sample customer (strict variables: a typo is a 400, not a broken
    suggestion later); checked for loops and arithmetic first, so the render cannot tie up the loop."""
    match = re.fullmatch(r"([^/]+)/(?:([a-z]{2})/)?([a-z_]+)", key)
    if match is None:
        return  # the settings check names what is wrong with the key (an intent neither built in nor the brand's)
    brand, language, intent = match.groups()
    check_template(f"templates[{key}].template", template)
    voice = BrandVoice(display_name=brand, templates={f"{language}/{intent}" if language else intent: template})
    draft_reply(intent, brand, "Priya Natarajan", "C-10442", "x", voice=voice, language=language)


def stale(exc: StaleEdit, sec: Section | None = None) -> web.Response:
    """409 in the one error shape, with the item as it now is, so the editor can merge and retry; a new item
    whose key is taken names the field that makes the key, for the form to mark."""
    said = str(exc)
    if isinstance(exc, ItemExists) and sec is not None:  # named as a person says it: "the reply template 'x'"
        said = f"the {one_of(sec)} {exc.item!r} already exists: {said.split(': ', 1)[-1]}"
    body: dict[str, Any] = error_body(409, "conflict", said)
    body["current"] = {"version": exc.version, "value": exc.current}
    if isinstance(exc, ItemExists) and sec is not None:
        body["error"]["field"] = "intent" if sec.name == "templates" else sec.key or ""
    return web.json_response(body, status=409)


def refused(sec: Section, key: str, exc: ConfigError) -> web.Response:
    """A 400 in the one error shape, in the words of the form it came from: a field of the item being saved is
    named as the form names it ("name: use 1-40 lower-case letters ...", with ``field`` for the page to mark);
    another item that the change would break is named by its section and key. The admin read
    "config error at 'brands[2].name'" before, an index into the file's and the browser's items together."""
    own = f"{sec.name}[{key}]"
    if exc.key == own or exc.key.startswith((own + ".", own + "[")):
        path = exc.key[len(own):].lstrip(".")
        field = re.match(r"[A-Za-z_]*", path)
        message = f"{path}: {exc.reason}" if path else exc.reason
        body: dict[str, Any] = error_body(400, "bad_request", message)
        body["error"]["field"] = field.group(0) if field else ""
        return web.json_response(body, status=400)
    other = f"{exc.key}: {exc.reason}"
    return web.json_response(error_body(400, "bad_request", f"not saved: it would leave {other}"), status=400)


def _unsent(sec: Section, key: str, saved: Saved) -> str:
    """A saved webhook whose signing key is not in Careline's environment is never sent (Careline signs every
    webhook), which the admin learnt only from "Send a test": said at once, with what to do."""
    hooks = saved.settings.responder.webhooks if sec.name == "responder.webhooks" else []
    env = next((h.secret_env for h in hooks if h.url == key), "")
    if not env or os.environ.get(env):
        return ""
    return (f" It will not be sent yet: ${env} is not set where Careline runs, and Careline never sends unsigned "
            f"webhooks; set it to a whsec_ key and restart Careline.")


@allow(Role.ADMIN)
async def save_item(request: web.Request) -> web.Response:
    """Set the fields the body gives on one item (adding it when ``version`` is absent)."""
    sec = section(request.match_info["section"])
    body = await json_body(request)
    key = _item_key(request, sec, body)
    skip = {*META, "brand", "language", "intent"} if sec.name == "templates" else set(META)
    data = {k: v for k, v in body.items() if k not in skip}
    if not data:
        raise ConfigError(f"{sec.name}[{key}]", "nothing to change: send the fields to set")
    try:
        if sec.name == "templates" and isinstance(data.get("template"), str):
            _renders(key, data["template"])
        saved = await request.app[LIVE].change(sec.name, key, data, expected=_expected(body),
                                                actor=user_of(request).username)
    except StaleEdit as exc:
        return stale(exc, sec)
    except ConfigError as exc:
        return refused(sec, key, exc)
    message = f"Saved {one_of(sec)} {key!r}: in effect now (version {saved.version})." + _unsent(sec, key, saved)
    return web.json_response({"version": saved.version, "item": key, "value": saved.after, "message": message})


@allow(Role.ADMIN)
async def delete_item(request: web.Request) -> web.Response:
    """Delete one item (a file's item is hidden by the overlay); needs the version it was loaded at."""
    sec = section(request.match_info["section"])
    body = await json_body(request)
    key = _item_key(request, sec, body)
    expected = _expected(body)
    if expected is None:
        raise web.HTTPBadRequest(text="version is required to delete")
    before = items(request.app[LIVE].current, sec.name).get(key)
    if before is None:
        raise web.HTTPNotFound(text=f"no {one_of(sec)} {key!r}")
    try:
        saved = await request.app[LIVE].change(sec.name, key, None, expected=expected, actor=user_of(request).username)
    except StaleEdit as exc:
        return stale(exc)
    except ConfigError as exc:  # another item needs this one (a policy on a calendar)
        return refused(sec, key, exc)
    # what puts it back: the page offers Undo (re-adding a file's brand by its form failed on its empty fields)
    undo = {"api": f"/api/admin/settings/{sec.name}?{urlencode({'item': key})}", "body": before,
            "label": f"Undo: put {one_of(sec)} {key!r} back"}
    return web.json_response({"version": saved.version, "item": key, "undo": undo,
                              "message": f"Deleted {one_of(sec)} {key!r} (version {saved.version})."})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/admin/settings", get_settings)
    app.router.add_post("/api/admin/settings/{section}", save_item)
    app.router.add_post("/api/admin/settings/{section}/delete", delete_item)


NOUNS = {"brands": "a brand", "sla.policies": "an SLA policy", "sla.calendars": "a business calendar",
         "responder.webhooks": "a webhook", "templates": "a reply template", "sources": "a source"}


def one_of(sec: Section) -> str:
    """One item of ``sec`` named as a person says it: "Saved SLA policy 'urgent'", where the section's title made
    "Saved sla policies 'urgent'"."""
    return NOUNS.get(sec.name, "an item").split(" ", 1)[1]


@dataclass(frozen=True)
class Editor:
    """What the page needs to edit one section: each item's form, and the form of a new item."""

    name: str
    title: str
    noun: str
    key: str
    rows: list[tuple[Row, list[FormField]]]
    new: list[FormField]


async def editors(request: web.Request) -> dict[str, Editor]:
    """The forms of every editable section, filled with the effective values and versions."""
    _version, entries, settings = await request.app[LIVE].at_once()
    out = {}
    for name, sec in SECTIONS.items():
        rows = section_rows(items(settings, name), entries, name)
        new = [] if sec.name == "sources" else form_fields(sec, "", None)
        out[name] = Editor(name, sec.title, NOUNS.get(name, "an item"), sec.key or "item",
                           [(r, form_fields(sec, r.key, r.value)) for r in rows], new)
    return out
