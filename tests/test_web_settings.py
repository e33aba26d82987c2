"""Settings edited through /api/admin/settings: validated, versioned, audited, and live without a restart.

A real app on a real SQLite file (aiohttp's test server), called over HTTP with admin and agent tokens.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.keys import DESK, LIVE
from careline.app.web.migrations import WEB
from careline.domain import Role
from careline.live import LiveSettings
from careline.settings import BrandSettings, Settings
from careline.store import Store

BRANDS = [BrandSettings(name="skylark", display_name="Skylark Air", keywords=["skylark"], handles=["SkylarkAir"])]


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[tuple[TestClient, dict[str, str]]]:
    store = await Store(tmp_path / "c.db", extra=[WEB]).open()

    def users(db: Any) -> dict[str, str]:
        for name, role in (("root", Role.ADMIN), ("rita", Role.ADMIN), ("ada", Role.AGENT)):
            create_user(db, name, role, "a long enough password")
        return {name: create_token(db, name, "tests") for name in ("root", "rita", "ada")}

    tokens = await store.write(users)
    async with TestClient(TestServer(create_app(Settings(brands=BRANDS), store))) as c:
        yield c, tokens
    await store.close()


def auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


async def test_a_new_brand_applies_at_once_and_is_audited(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    r = await c.post("/api/admin/settings/brands", headers=auth(tokens, "root"),
                     json={"name": "zed", "display_name": "Zed <Shoes>", "keywords": "zedshoes\n\"zed shoes\"",
                           "handles": ["ZedShoes"]})
    assert r.status == 200, await r.text()
    body = await r.json()
    assert body["value"]["keywords"] == ["zedshoes", '"zed shoes"'] and body["version"] == 1
    assert body["message"] == "Saved brand 'zed': in effect now (version 1)."  # one brand, not "brands"
    live = c.server.app[LIVE]
    assert [b.name for b in live.current.brands] == ["skylark", "zed"]
    assert c.server.app[DESK].settings.brand("zed").display_name == "Zed <Shoes>"  # the use cases see it too
    listed = await (await c.get("/api/admin/settings", headers=auth(tokens, "root"))).json()
    rows = {row["key"]: row for row in listed["sections"]["brands"]["items"]}
    assert rows["zed"]["origin"] == "browser" and rows["zed"]["version"] == 1
    assert rows["skylark"]["origin"] == "file" and rows["skylark"]["version"] == 0
    events = await c.server.app[LIVE].store.read(lambda db: db.conn.execute(  # type: ignore[union-attr]
        "SELECT actor, subject, data FROM events WHERE kind = 'settings.changed'").fetchall())
    assert len(events) == 1
    actor, subject, data = events[0]
    assert (actor, subject) == ("root", "settings:brands/zed")
    change = json.loads(data)
    assert change["before"] is None and change["after"]["handles"] == ["ZedShoes"]


async def test_an_invalid_change_is_a_400_naming_the_field_and_saves_nothing(
        client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    root = auth(tokens, "root")
    cases = [
        ("brands", {"name": "Bad Name!", "keywords": "x"}, "name: use 1-40 lower-case letters"),
        ("brands", {"name": "empty"}, "a brand needs keywords"),
        ("sla.policies", {"name": "p", "first_response_minutes": "0"}, "first_response_minutes"),
        ("sla.policies", {"name": "p", "calendar": "nowhere"}, "no calendar named 'nowhere'"),
        ("sla.calendars", {"name": "c", "hours": "mon = 9-5"}, "expected HH:MM-HH:MM"),
        ("sla.calendars", {"name": "c", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ("sla.calendars", {"name": "c", "hours": {"mon": "10:00-09:00"}}, "ends before it starts"),
        ("sla.calendars", {"name": "c", "hours": {"mon": "09:00-12:00,14:00-13:00"}}, "'14:00-13:00' ends before"),
        ("sla.policies", {"name": "p", "first_response_minutes": 10**30}, "at most 527040"),
        ("responder.webhooks", {"url": "ftp://x"}, "expected an http(s) URL"),
        ("responder.webhooks", {"url": "https://hooks..example.com/x"}, "not a host name"),
        ("responder.webhooks", {"url": "https://hooks.example.com:99999/x"}, "Port out of range"),
        ("responder.webhooks", {"url": "https:///x"}, "names no host"),
        ("sources", {"item": "x", "bearer_token": "stolen"}, "cannot be set here"),
        ("sources", {"item": "x", "interval_seconds": "soon"}, "expected an integer"),
        ("sources", {"item": "x", "daily_budget_usd": "inf"}, "finite"),
        ("templates", {"brand": "skylark", "intent": "delivery", "template": "{% for i in x %}{% endfor %}"},
         "cannot use for"),
        ("templates", {"brand": "skylark", "intent": "delivery", "template": "Hi {{ nmae }}"}, "nmae"),
        ("templates", {"brand": "nobody", "intent": "delivery", "template": "Hi"}, "no brand named 'nobody'"),
        ("templates", {"brand": "skylark", "intent": "gossip", "template": "Hi"}, "unknown intent"),
        ("service", {"item": "port", "port": 1}, "not editable"),
    ]
    for section, body, words in cases:
        r = await c.post(f"/api/admin/settings/{section}", headers=root, json=body)
        error = (await r.json())["error"]
        assert r.status == 400, (section, body, r.status, error)
        assert words in error["message"], (words, error["message"])
    assert c.server.app[LIVE].version == 0
    assert await c.server.app[LIVE].store.read(  # type: ignore[union-attr]
        lambda db: db.conn.execute("SELECT count(*) FROM settings_overlay").fetchone()[0]) == 0


async def test_a_refusal_names_the_forms_field_or_the_other_item_it_would_break(
        client: tuple[TestClient, dict[str, str]]) -> None:
    """Words the admin can act on: "config error at 'brands[1].name'" counted the file's items and the browser's
    together, and named no field of the form."""
    c, tokens = client
    root = auth(tokens, "root")
    r = await c.post("/api/admin/settings/brands", headers=root, json={"name": "Zed Shoes", "keywords": "zed"})
    assert r.status == 400 and (await r.json())["error"] == {
        "status": 400, "code": "bad_request", "field": "name",
        "message": "name: use 1-40 lower-case letters, digits, '-' or '_'"}
    r = await c.post("/api/admin/settings/sla.calendars", headers=root,
                     json={"name": "night", "hours": {"mon": "10:00-09:00"}})
    error = (await r.json())["error"]
    assert r.status == 400 and error["field"] == "hours" and error["message"].startswith("hours.mon: "), error
    r = await c.post("/api/admin/settings/sla.calendars", headers=root, json={"name": "night"})
    assert r.status == 200, await r.text()
    r = await c.post("/api/admin/settings/sla.policies", headers=root, json={"name": "late", "calendar": "night"})
    assert r.status == 200, await r.text()
    r = await c.post("/api/admin/settings/sla.calendars/delete?item=night", headers=root, json={"version": 1})
    error = (await r.json())["error"]
    assert r.status == 400 and "field" not in error, error
    assert error["message"] == "not saved: it would leave sla.policies[late].calendar: no calendar named 'night'"


async def test_only_admins_edit_settings(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    r = await c.post("/api/admin/settings/brands", headers=auth(tokens, "ada"), json={"name": "zed", "keywords": "z"})
    assert r.status == 403
    assert (await c.get("/api/admin/settings", headers=auth(tokens, "ada"))).status == 403


async def test_two_admins_saving_the_same_item_at_once_one_wins_one_gets_409(
        client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    url = "/api/admin/settings/sources?item=x"

    async def save(who: str, seconds: int) -> tuple[int, dict[str, Any]]:
        r = await c.post(url, headers=auth(tokens, who), json={"version": 0, "interval_seconds": seconds})
        return r.status, await r.json()

    (s1, b1), (s2, b2) = await asyncio.gather(save("root", 30), save("rita", 90))
    assert sorted([s1, s2]) == [200, 409]
    won, lost = (b1, b2) if s1 == 200 else (b2, b1)
    assert lost["error"]["code"] == "conflict"
    assert lost["current"] == {"version": 1, "value": won["value"]}  # what the loser now merges with
    assert c.server.app[LIVE].current.sources.x.interval_seconds == won["value"]["interval_seconds"]
    r = await c.post(url, headers=auth(tokens, "rita"), json={"version": 1, "interval_seconds": 90})
    assert r.status == 200 and (await r.json())["version"] == 2


async def test_adding_an_item_whose_key_is_taken_says_so_instead_of_someone_else_changed_it(
        client: tuple[TestClient, dict[str, str]]) -> None:
    """"Add brand" with a taken name, and a second "Save a template" for the same brand and intent, were told
    "was changed by someone else ... reload it and apply your change again": reloading changed nothing."""
    c, tokens = client
    root = auth(tokens, "root")
    r = await c.post("/api/admin/settings/brands", headers=root, json={"name": "skylark", "keywords": "sky"})
    body = await r.json()
    assert r.status == 409 and body["error"]["field"] == "name", body
    assert body["error"]["message"] == ("the brand 'skylark' already exists: change it where it is listed, or use "
                                        "another name")
    first = {"brand": "skylark", "intent": "billing", "template": "Hi {{ name }}, first."}
    assert (await c.post("/api/admin/settings/templates", headers=root, json=first)).status == 200
    r = await c.post("/api/admin/settings/templates", headers=root, json={**first, "template": "Hi, second."})
    body = await r.json()
    assert r.status == 409 and body["error"]["field"] == "intent", body
    assert "the reply template 'skylark/billing' already exists" in body["error"]["message"]
    assert body["current"]["version"] == 1  # the editor's version, to change it where it is listed
    r = await c.post("/api/admin/settings/templates?item=skylark/billing", headers=root,
                     json={"version": 1, "template": "Hi, second."})
    assert r.status == 200, await r.text()


async def test_many_concurrent_edits_of_different_items_all_land(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client

    async def add(n: int) -> int:
        r = await c.post("/api/admin/settings/sla.policies", headers=auth(tokens, "root" if n % 2 else "rita"),
                         json={"name": f"p{n}", "brands": "skylark", "first_response_minutes": n + 1})
        return r.status

    assert await asyncio.gather(*(add(n) for n in range(12))) == [200] * 12
    live = c.server.app[LIVE]
    assert sorted(p.name for p in live.current.sla.policies) == sorted(f"p{n}" for n in range(12))
    assert live.version == 12


async def test_delete_needs_the_version_and_hides_a_file_item(client: tuple[TestClient, dict[str, str]]) -> None:
    c, tokens = client
    root = auth(tokens, "root")
    await c.post("/api/admin/settings/brands", headers=root, json={"name": "zed", "keywords": "zed"})
    assert (await c.post("/api/admin/settings/brands/delete?item=zed", headers=root, json={})).status == 400
    stale = await c.post("/api/admin/settings/brands/delete?item=zed", headers=root, json={"version": 0})
    assert stale.status == 409
    r = await c.post("/api/admin/settings/brands/delete?item=zed", headers=root, json={"version": 1})
    assert r.status == 200
    r = await c.post("/api/admin/settings/brands/delete?item=skylark", headers=root, json={"version": 0})
    assert r.status == 200
    assert c.server.app[LIVE].current.brands == []
    missing = await c.post("/api/admin/settings/brands/delete?item=skylark", headers=root, json={"version": 3})
    assert missing.status == 404


@pytest.mark.parametrize(("section", "add"), [("brands", {"name": "zed", "keywords": "zed", "handles": "ZedShoes"}),
                                            ("sla.policies", {"name": "fast", "first_response_minutes": 20})])
async def test_a_deleted_item_comes_back_whole_with_its_undo(client: tuple[TestClient, dict[str, str]], section: str,
                                                            add: dict[str, Any]) -> None:
    """The newcomer audit: a deleted brand (one of the settings file's too) could not be put back from the browser:
    its "Add" form, filled with the name, was refused for the fields it left empty. The deletion's answer says how
    to put it back, and doing so gives back the same item."""
    c, tokens = client
    root = auth(tokens, "root")
    assert (await c.post(f"/api/admin/settings/{section}", headers=root, json=add)).status == 200
    live = c.server.app[LIVE]
    for key in ([add["name"], "skylark"] if section == "brands" else [add["name"]]):
        before = live.current
        version = (await (await c.get("/api/admin/settings", headers=root)).json())
        version = next(i["version"] for i in version["sections"][section]["items"] if i["key"] == key)
        r = await c.post(f"/api/admin/settings/{section}/delete?item={key}", headers=root, json={"version": version})
        undo = (await r.json())["undo"]
        assert r.status == 200 and undo["label"].startswith("Undo: put")
        assert (await c.post(undo["api"], headers=root, json=undo["body"])).status == 200
        assert live.current.brands == before.brands and live.current.sla == before.sla


async def test_a_template_in_a_language_nobody_writes_in_is_refused(client: tuple[TestClient, dict[str, str]]) -> None:
    """The newcomer audit: 'skylark/xx/delivery' was saved ("in effect now"), while its preview refused 'xx'."""
    c, tokens = client
    r = await c.post("/api/admin/settings/templates", headers=auth(tokens, "root"),
                     json={"brand": "skylark", "language": "xx", "intent": "delivery", "template": "Hi {{ name }}"})
    body = await r.json()
    assert r.status == 400 and "language 'xx' is not a code we know" in body["error"]["message"], body
    assert c.server.app[LIVE].current.responder.templates == {}
    r = await c.post("/api/admin/settings/templates", headers=auth(tokens, "root"),
                     json={"brand": "skylark", "language": "sv", "intent": "delivery", "template": "Hej {{ name }}"})
    assert r.status == 200 and "skylark/sv/delivery" in c.server.app[LIVE].current.responder.templates


async def test_a_day_may_have_several_spans_of_opening_hours(client: tuple[TestClient, dict[str, str]]) -> None:
    """The SLA audit: a lunch break, or a weekday night shift (Tuesday's 00:00-06:00 end of Monday's shift and its
    own 22:00 start), could not be entered: one span a day, though the calendar computes with several."""
    c, tokens = client
    r = await c.post("/api/admin/settings/sla.calendars", headers=auth(tokens, "root"),
                     json={"name": "night", "timezone": "Europe/London",
                           "hours": {"mon": "22:00-24:00", "tue": "00:00-06:00,22:00-24:00",
                                     "wed": "09:00-12:30, 13:30-17:30"}})
    assert r.status == 200, await r.text()
    [night] = [x for x in c.server.app[LIVE].current.sla.calendars if x.name == "night"]
    assert night.hours["tue"] == "00:00-06:00,22:00-24:00"


async def test_a_change_saved_by_another_process_reaches_the_app(client: tuple[TestClient, dict[str, str]],
                                                                 tmp_path: Path) -> None:
    c, tokens = client
    other_store = await Store(tmp_path / "c.db").open()  # a second process's connection to the same file
    try:
        other = LiveSettings(Settings(brands=BRANDS), other_store)
        await other.refresh()
        await other.change("templates", "skylark/delivery", {"template": "{{ greeting }} {{ name }}, Zed desk here."},
                           expected=None, actor="cli")
    finally:
        await other_store.close()
    await asyncio.sleep(1.1)  # the app checks the version at most once a second
    r = await c.get("/api/admin/settings", headers=auth(tokens, "root"))
    templates = (await r.json())["sections"]["templates"]["items"]
    assert [t["key"] for t in templates] == ["skylark/delivery"]
    voice = c.server.app[DESK].voices.get("skylark")
    assert voice.templates["delivery"] == "{{ greeting }} {{ name }}, Zed desk here."


async def test_two_processes_saving_different_items_at_once_both_land(tmp_path: Path) -> None:
    """Each plans outside the writer, then commits only if nothing moved; the one that lost the race
    plans again on top of the other's change instead of overwriting it."""
    stores = [await Store(tmp_path / "shared.db").open() for _ in range(2)]
    try:
        lives = [LiveSettings(Settings(brands=BRANDS), s) for s in stores]

        async def add(live: LiveSettings, n: int) -> None:
            for i in range(10):
                await live.change("sla.policies", f"w{n}-{i}", {"first_response_minutes": i + 1}, expected=None,
                                  actor=f"process{n}")

        await asyncio.gather(add(lives[0], 0), add(lives[1], 1))
        await lives[0].refresh()
        assert lives[0].version == 20
        assert sorted(p.name for p in lives[0].current.sla.policies) == sorted(
            f"w{n}-{i}" for n in range(2) for i in range(10))
    finally:
        for s in stores:
            await s.close()


async def test_a_save_right_after_an_import_keeps_the_imported_values(
        client: tuple[TestClient, dict[str, str]], tmp_path: Path) -> None:
    """The admin page showed the import's version beside the values of a second before (the service refreshes
    from the database about once a second), and a save of one field on it put the other fields back."""
    from careline.app.commands.configfile import import_file

    c, tokens = client
    root = auth(tokens, "root")
    app_store = c.server.app[LIVE].store
    await c.get("/api/admin/settings", headers=root)  # the service has read the settings just now
    imported = tmp_path / "import.toml"
    imported.write_text('[[brands]]\nname = "skylark"\ndisplay_name = "Skylark Air"\nkeywords = ["skylark"]\n'
                        'handles = ["SkylarkAir"]\n[[sla.policies]]\nname = "urgent"\nfirst_response_minutes = 44\n'
                        'resolution_minutes = 480\n', encoding="utf-8")
    other = Store(app_store.path, extra=[WEB]).open_sync()  # `careline config import`, another process
    try:
        import_file(Settings(brands=BRANDS), other, imported, actor="cli:ops")
    finally:
        other.close_sync()
    shown = await (await c.get("/api/admin/settings", headers=root)).json()
    [urgent] = [i for i in shown["sections"]["sla.policies"]["items"] if i["key"] == "urgent"]
    assert (urgent["value"]["first_response_minutes"], urgent["value"]["resolution_minutes"]) == (44, 480)
    r = await c.post("/api/admin/settings/sla.policies?item=urgent", headers=root,
                     json={"version": urgent["version"], "next_response_minutes": 90})
    assert r.status == 200, await r.text()
    value = (await r.json())["value"]
    assert (value["first_response_minutes"], value["resolution_minutes"], value["next_response_minutes"]) == \
        (44, 480, 90)


async def test_a_webhook_saved_without_its_signing_key_in_the_environment_says_it_will_not_be_sent(
        client: tuple[TestClient, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The admin learnt only from "Send a test" that a webhook they saved is never sent (Careline signs every one)."""
    c, tokens = client
    monkeypatch.delenv("CARELINE_WEBHOOK_SECRET", raising=False)
    r = await c.post("/api/admin/settings/responder.webhooks", headers=auth(tokens, "root"),
                     json={"url": "https://hooks.example.com/careline", "events": ["breach"]})
    assert r.status == 200, await r.text()
    message = (await r.json())["message"]
    assert "It will not be sent yet: $CARELINE_WEBHOOK_SECRET is not set" in message
    page = await (await c.get("/admin/config", headers=auth(tokens, "root"))).text()
    assert "not set: nothing is sent" in page
    monkeypatch.setenv("CARELINE_WEBHOOK_SECRET", "whsec_" + "a" * 32)
    r = await c.post("/api/admin/settings/responder.webhooks?item=https://hooks.example.com/careline",
                     headers=auth(tokens, "root"), json={"version": 1, "events": ["breach", "warning"]})
    assert r.status == 200, await r.text()
    assert "will not be sent" not in (await r.json())["message"]
    assert "not set: nothing is sent" not in await (await c.get("/admin/config", headers=auth(tokens, "root"))).text()


async def test_the_settings_forms_allow_what_the_check_allows(client: tuple[TestClient, dict[str, str]]) -> None:
    """Every text input allowed 300 characters: a 120-letter display name was typed and then refused (80)."""
    c, tokens = client
    page = await (await c.get("/admin/config", headers=auth(tokens, "root"))).text()
    assert re.search(r'name="display_name" value="[^"]*" maxlength="80"', page)
    assert re.search(r'name="sign_off" value="[^"]*" maxlength="60"', page)
    assert re.search(r'name="name" value="" maxlength="40" required', page)  # a new brand's id
