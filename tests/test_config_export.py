"""``careline config export`` / ``import`` round-trip what was set in the browser, on a real database file."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from careline.app.commands.configfile import effective
from careline.app.service import open_store
from careline.live import LiveSettings
from careline.settings import CalendarSettings, load_settings
from careline.store import Store
from tests.conftest import REPO

DEMO = REPO / "config" / "demo.toml"


def careline(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    """The real command line in its own process, as an operator runs it."""
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "CARELINE_SERVICE__DATABASE": str(db),
           "HOME": str(db.parent)}
    command = [sys.executable, "-c", "from careline.app.cli import main; main()", "-c", str(DEMO), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


async def browser_edits(db: Path) -> None:
    """What an admin does at /admin/config and /admin/templates (the same LiveSettings.change)."""
    bootstrap = load_settings(DEMO, environ={"CARELINE_SERVICE__DATABASE": str(db)})
    store = await Store(db).open()
    try:
        live = LiveSettings(bootstrap, store)
        await live.refresh()
        await live.change("brands", "zed", {"keywords": "zedshoes", "display_name": "Zed \"Shoes\" 👟"},
                          expected=None, actor="root")
        await live.change("brands", "brightwave", None, expected=0, actor="root")
        await live.change("sla.policies", "standard", {"first_response_minutes": 45}, expected=0, actor="root")
        await live.change("sources", "x", {"daily_budget_usd": 2.5, "enabled": False}, expected=0, actor="root")
        await live.change("templates", "zed/fr/delivery", {"template": "Bonjour {{ name }} ! Réf. {{ case_ref }}"},
                          expected=None, actor="root")
    finally:
        await store.close()


def test_export_then_import_into_a_fresh_database_gives_the_same_settings(tmp_path: Path) -> None:
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert careline("config", "--check", db=first).returncode == 0
    asyncio.run(browser_edits(first))
    exported = tmp_path / "exported.toml"
    done = careline("config", "export", str(exported), db=first)
    assert done.returncode == 0, done.stderr
    text = exported.read_text(encoding="utf-8")
    to_stdout = careline("config", "export", "-", db=first)  # "-" is standard output, as classify's "-" is its input
    assert to_stdout.returncode == 0 and to_stdout.stdout == text and not (REPO / "-").exists()
    secrets = re.findall(r"^(bearer_token|client_id|client_secret|username|password|app_password|access_token) =",
                         text, re.M)
    assert secrets == []  # secrets never leave the environment
    exported.write_text(text.replace('log_level = "INFO"', 'log_level = "DEBUG"', 1), encoding="utf-8")
    assert careline("config", "--check", db=second).returncode == 0
    refused = careline("config", "import", str(exported), db=second)  # it removes brightwave: not without asking
    assert refused.returncode == 1 and "removes them: brands brightwave" in refused.stderr, refused.stderr
    assert "Nothing was imported; run again with --yes" in refused.stderr
    done = careline("config", "import", "--yes", str(exported), db=second)
    assert done.returncode == 0, done.stderr
    assert "5 item(s)" in done.stdout
    assert "not imported (set it in the settings file): service" in done.stderr  # the browser cannot hold it

    env = {"CARELINE_SERVICE__DATABASE": str(first)}
    bootstrap = load_settings(DEMO, environ=env)
    a_store, b_store = open_store(bootstrap), open_store(load_settings(DEMO, environ={
        "CARELINE_SERVICE__DATABASE": str(second)}))
    try:
        a, b = effective(bootstrap, a_store), effective(bootstrap, b_store)
        assert [x.name for x in b.brands] == ["skylark", "zed"]
        assert b.brands == a.brands and b.sla == a.sla and b.sources == a.sources
        assert b.responder.templates == {**bootstrap.responder.templates,  # the file's, and the browser's
                                         "zed/fr/delivery": "Bonjour {{ name }} ! Réf. {{ case_ref }}"}
        events = b_store.read_sync(lambda db: db.conn.execute(
            "SELECT actor, subject, data FROM events WHERE kind = 'settings.changed' ORDER BY id").fetchall())
        assert len(events) == 5 and all(actor.startswith("cli:") for actor, _, _ in events)
        assert {json.loads(data)["via"] for _, _, data in events} == {"import"}
    finally:
        a_store.close_sync()
        b_store.close_sync()


def test_an_import_that_drops_items_asks_first_audits_each_and_moves_the_version(tmp_path: Path) -> None:
    """An empty file removed every brand, policy and calendar without a word, and stopped the listening; an
    import back to the settings file did not move the version, so a running service never saw it."""
    db = tmp_path / "c.db"
    asyncio.run(browser_edits(db))  # zed added in the browser, brightwave removed there
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    refused = careline("config", "import", str(empty), db=db)
    assert refused.returncode == 1 and "brands skylark" in refused.stderr and "brands zed" in refused.stderr
    bootstrap = load_settings(DEMO, environ={"CARELINE_SERVICE__DATABASE": str(db)})
    store = open_store(bootstrap)
    try:
        assert [b.name for b in effective(bootstrap, store).brands] == ["skylark", "zed"]  # nothing changed
        version = store.read_sync(lambda d: d.conn.execute("SELECT version FROM settings_version").fetchone()[0])
    finally:
        store.close_sync()

    back = careline("config", "import", "--yes", str(DEMO), db=db)  # back to the file: the overlay empties
    assert back.returncode == 0, back.stderr
    store = open_store(bootstrap)
    try:
        assert [b.name for b in effective(bootstrap, store).brands] == ["skylark", "brightwave"]
        now, events = store.read_sync(lambda d: (
            d.conn.execute("SELECT version FROM settings_version").fetchone()[0],
            d.conn.execute("SELECT subject, data FROM events WHERE kind = 'settings.changed' "
                           "AND json_extract(data, '$.via') = 'import'").fetchall()))
    finally:
        store.close_sync()
    assert now == version + 1  # what a running service watches
    audited = {subject: json.loads(data) for subject, data in events}
    assert audited["settings:brands/zed"]["after"] is None  # a browser-added brand the file lacks: audited too
    assert audited["settings:brands/brightwave"]["before"] is None


@pytest.mark.parametrize(("patch", "words"), [
    ('\n[[brands]]\nname = "Bad!"\nkeywords = ["x"]\n', "brands[2].name"),
    ('\n"skylark/delivery" = "{% for i in x %}{% endfor %}"\n', "cannot use for"),  # into the file's templates
    # a blank keyword made X's query "() -is:retweet", refused on every poll
    ('\n[[brands]]\nname = "blank"\nkeywords = ["refund", " "]\n', "brands[2].keywords[1]"),
    # a NUL in a name that goes into replies: every templated reply of the brand was refused
    ('\n[[brands]]\nname = "nul"\nkeywords = ["x"]\ndisplay_name = "Acme\\u0000"\n', "brands[2].display_name"),
])
def test_an_invalid_file_is_refused_naming_the_key_and_nothing_is_stored(tmp_path: Path, patch: str,
                                                                       words: str) -> None:
    db = tmp_path / "c.db"
    bad = tmp_path / "bad.toml"
    demo = DEMO.read_text(encoding="utf-8")
    table = "[responder.templates]"
    bad.write_text(demo.replace(table, table + patch, 1) if patch.startswith('\n"') else demo + patch,
                   encoding="utf-8")
    done = careline("config", "import", str(bad), db=db)
    assert done.returncode == 2 and words in done.stderr, done.stderr
    store = Store(db).open_sync()
    try:
        assert store.read_sync(lambda d: d.conn.execute("SELECT count(*) FROM settings_overlay").fetchone()[0]) == 0
    finally:
        store.close_sync()


def test_doctor_warns_when_the_browser_settings_no_longer_fit_the_file_or_a_two_factor_key_is_missing(
        tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    night = CalendarSettings(name="night", timezone="Europe/Paris", hours={"mon": "20:00-23:00"})
    bootstrap = load_settings(DEMO, environ={"CARELINE_SERVICE__DATABASE": str(db)})
    bootstrap = dataclasses.replace(bootstrap, sla=dataclasses.replace(
        bootstrap.sla, calendars=[*bootstrap.sla.calendars, night]))

    async def edits() -> None:  # set while the file had a "night" calendar, which it then lost
        store = await Store(db).open()
        try:
            live = LiveSettings(bootstrap, store)
            await live.change("sla.policies", "nights", {"calendar": "night"}, expected=None, actor="root")
        finally:
            await store.close()

    asyncio.run(edits())
    store = Store(db).open_sync()
    try:
        store.write_sync(lambda d: d.conn.execute(
            "INSERT INTO users (username, role, password_hash, created_at, totp_secret) "
            "VALUES ('tess', 'lead', 'x', '2026-01-01T00:00:00+00:00', 'fernet:sealed-elsewhere')"))
    finally:
        store.close_sync()
    done = careline("doctor", db=db)
    assert "WARNING settings: the browser's settings do not apply" in done.stdout, done.stdout
    assert "no calendar named 'night'" in done.stdout
    assert "1 sealed two-factor secret(s) but no key" in done.stdout


def test_cli_commands_see_the_brands_set_in_the_browser(tmp_path: Path) -> None:
    """``careline status`` lists the sources of a brand added in the browser, and loses a deleted one,
    like the running service; ``config --check`` still validates the file alone and, like reading the
    browser's settings, never creates the database."""
    db = tmp_path / "careline.db"
    assert careline("config", "--check", db=db).returncode == 0
    assert not db.exists()
    missing = careline("status", "--json", db=db)
    assert missing.returncode == 2 and "no database at" in missing.stderr and not db.exists()  # read-only
    Store(db).open_sync().close_sync()  # what `careline run` makes
    asyncio.run(browser_edits(db))  # adds brand zed, deletes brightwave
    done = careline("status", "--json", db=db)
    assert done.returncode == 0, done.stderr
    brands = {row["brand"] for row in json.loads(done.stdout)}
    assert "zed" in brands and "brightwave" not in brands
    check = careline("config", "--check", db=db)
    assert check.returncode == 0 and "2 brand(s)" in check.stdout  # the file: skylark and brightwave


def test_check_says_when_the_browsers_settings_no_longer_apply_on_the_file(tmp_path: Path) -> None:
    """An admin's policy on a calendar the settings file no longer has: the service runs on the file alone,
    ``doctor`` warned of it, and ``config --check`` said "ok"."""
    db = tmp_path / "c.db"

    async def add_policy() -> None:
        store = await Store(db).open()
        try:
            live = LiveSettings(load_settings(DEMO, environ={"CARELINE_SERVICE__DATABASE": str(db)}), store)
            await live.refresh()
            await live.change("sla.policies", "late", {"calendar": "uk-support", "priorities": ["low"]},
                              expected=None, actor="root")
        finally:
            await store.close()

    asyncio.run(add_policy())
    assert careline("config", "--check", db=db).returncode == 0
    text = DEMO.read_text(encoding="utf-8").replace('calendar = "uk-support"', "")
    start = text.index("[[sla.calendars]]")
    without = text[:start] + text[text.index("[[sla.policies]]", start):]  # the file's only calendar gone
    (tmp_path / "new.toml").write_text(without, encoding="utf-8")
    env_db = {"CARELINE_SERVICE__DATABASE": str(db)}
    done = subprocess.run([sys.executable, "-c", "from careline.app.cli import main; main()", "-c",
                           str(tmp_path / "new.toml"), "config", "--check"], capture_output=True, text=True,
                          timeout=120, check=False, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), **env_db})
    assert done.returncode == 2, done.stdout + done.stderr
    assert "the browser's settings do not apply on this settings file" in done.stderr
    assert "no calendar named 'uk-support'" in done.stderr
