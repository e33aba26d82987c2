# ruff: noqa: F811  (the fixtures imported from test_web_app are parameters here)
"""A customer's data on request (export, erase), backups and restores, file modes: on real SQLite files,
through the real app, the admin API and the CLI."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from aiohttp.test_utils import TestClient
from click.testing import CliRunner

from careline.app.cli import _load_stage_commands
from careline.app.cli import main as cli_main_function
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.domain import Role
from careline.errors import NotFound
from careline.store import Store
from careline.store.backup import StoreFileError, backup, restore, verify
from careline.store.customers import erase_customer, export_customer
from careline.views import queue_rows
from tests.helpers.seed import seed
from tests.test_web_app import client, web_store  # noqa: F401  (fixtures)

_load_stage_commands()


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def cli_main(argv: tuple[str, ...]) -> None:
    """``careline.app.cli.main`` (its error handling included) under CliRunner's env and output capture."""
    cli_main_function(list(argv))


def everything(db_path: Path, platform: str | None = None) -> list[tuple[str, str, str]]:
    """Every text value in every table of the file: (table, column, value); with ``platform``, without the
    author rows of other platforms (another person who happens to have the same handle there)."""
    conn = sqlite3.connect(db_path)
    try:
        out = []
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            where = " WHERE platform = ?" if table == "authors" and platform else ""
            cursor = conn.execute(f'SELECT * FROM "{table}"{where}', (platform,) if where else ())
            columns = [d[0] for d in cursor.description]  # the full-text index's tables too
            for row in cursor:
                out += [(table, c, str(v)) for c, v in zip(columns, row, strict=True) if v is not None]
        return out
    finally:
        conn.close()


def naming(db_path: Path, *needles: str, platform: str | None = None) -> list[tuple[str, str, str]]:
    lowered = [n.lower() for n in needles]
    return [cell for cell in everything(db_path, platform) if any(n in cell[2].lower() for n in lowered)]


async def _busy_author(client: TestClient, token: str) -> dict[str, Any]:
    """Claim, reply (the draft greets them by name), escalate, resolve: every table gets a row about them."""
    auth = {"Authorization": f"Bearer {token}"}
    conv = (await (await client.get("/api/queue?limit=1&status=new&platform=x", headers=auth)).json())["items"][0]
    assert (await client.post(f"/api/conversations/{conv['id']}/claim", json={}, headers=auth)).status == 200
    detail = await (await client.get(f"/api/conversations/{conv['id']}", headers=auth)).json()
    text = detail["draft"]["text"] + f" (@{conv['handle']})"
    r = await client.post(f"/api/conversations/{conv['id']}/replies", headers=auth,
                          json={"text": text, "idempotency_key": "erase-key-1"})
    assert r.status == 201, await r.text()
    r = await client.post(f"/api/conversations/{conv['id']}/escalate", headers=auth,
                          json={"note": f"@{conv['handle']} is a frequent flyer"})
    assert r.status == 200, await r.text()
    r = await client.post(f"/api/conversations/{conv['id']}/resolve", json={}, headers=auth)
    assert r.status == 200, await r.text()
    return {**conv, "author_key": detail["conversation"]["author_key"],
            "name": detail["conversation"].get("author_name") or ""}


async def test_export_then_erase_through_the_admin_api_leaves_no_row_naming_them(
        client: TestClient, web_store: Store) -> None:
    agent = web_store.token  # type: ignore[attr-defined]
    admin = web_store.write_sync(lambda db: create_token(db, "admin", "gdpr"))
    who = await _busy_author(client, agent)
    handle, key = who["handle"], who["author_key"]
    web_store.write_sync(lambda db: db.conn.execute(  # another customer quotes them in their own post
        "UPDATE mentions SET text = text || ?, raw = ? WHERE key = (SELECT key FROM mentions WHERE author_key != ? "
        "LIMIT 1)", (f" same as @{handle}", json.dumps({"text": f"same as @{handle}"}), key)))
    auth = {"Authorization": f"Bearer {admin}"}

    r = await client.get(f"/api/customers/export?platform=x&handle=@{handle.upper()}", headers=auth)
    assert r.status == 200, await r.text()
    exported = (await r.json())["tables"]
    assert exported["authors"][0]["key"] == key and exported["mentions"] and exported["conversations"]
    assert exported["replies"][0]["state"] == "sent" and exported["surveys"] and exported["events"]
    assert isinstance(exported["mentions"][0]["raw"], dict | list)  # the raw payload as JSON, not a string

    assert (await client.post("/api/customers/erase", headers=auth,
                              json={"platform": "x", "handle": handle, "confirm": "someone-else"})).status == 422
    assert (await client.post("/api/customers/erase", headers={"Authorization": f"Bearer {agent}"},
                              json={"platform": "x", "handle": handle, "confirm": handle})).status == 403
    r = await client.post("/api/customers/erase", headers=auth, json={"platform": "x", "handle": handle,
                                                                     "confirm": handle})
    assert r.status == 200, await r.text()
    done = await r.json()
    assert done["authors"] == 1 and done["conversations"] >= 1 and done["fields_scrubbed"] >= 1

    assert naming(web_store.path, handle, key) == []
    audit = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT actor, subject, data FROM events WHERE kind = 'customer.erased'").fetchall())
    assert audit == [("admin", "customer:erased", audit[0][2])] and handle not in audit[0][2]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):  # the guard is back after the erasure
        web_store.write_sync(lambda db: db.conn.execute("DELETE FROM events"))
    assert (await client.get(f"/api/customers/export?platform=x&handle={handle}", headers=auth)).status == 404


def test_erasure_is_whole_or_nothing_and_unknown_customers_are_a_not_found(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db", extra=[WEB]).open_sync()
    now = datetime.now(UTC)
    try:
        store.write_sync(lambda db: seed(db, 30, now))
        with pytest.raises(NotFound):
            store.write_sync(lambda db: erase_customer(db, "x", "nobody-here", actor="t", now=now))
        handle = store.read_sync(lambda db: db.conn.execute(
            "SELECT handle FROM authors WHERE platform = 'x' LIMIT 1").fetchone()[0])
        before = store.read_sync(lambda db: export_customer(db, "x", handle, now=now))

        def erase_then_fail(db: Any) -> None:
            erase_customer(db, "x", handle, actor="t", now=now)
            raise RuntimeError("crash mid-transaction")

        with pytest.raises(RuntimeError):
            store.write_sync(erase_then_fail)
        after = store.read_sync(lambda db: export_customer(db, "x", handle, now=now))
        assert after.tables == before.tables  # rolled back as a whole, triggers included
    finally:
        store.close_sync()


def run(*args: str, env: dict[str, str]) -> tuple[int, str]:
    """``careline ARGS`` through ``main``, the way a shell runs it: its error lines, exit code, no stdin."""
    result = CliRunner().invoke(cli_main, list(args), env=env)
    code = result.exception.code if isinstance(result.exception, SystemExit) else result.exit_code
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return int(code or 0), result.output


def seeded_with_a_reddit_author(db_path: Path, conversations: int) -> str:
    """A database of ``conversations`` seeded conversations; the handle of one Reddit author in it."""
    store = Store(db_path, extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, conversations, datetime.now(UTC)))
        return str(store.read_sync(lambda db: db.conn.execute(
            "SELECT handle FROM authors WHERE platform = 'reddit' LIMIT 1").fetchone()[0]))
    finally:
        store.close_sync()


def test_customer_export_and_erase_on_the_command_line(tmp_path: Path) -> None:
    db_path = tmp_path / "c.db"
    handle = seeded_with_a_reddit_author(db_path, 30)
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    out_file = tmp_path / "export.json"
    code, out = run("customer", "export", "--platform", "reddit", "--handle", handle, "-o", str(out_file), env=env)
    assert code == 0, out
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert json.loads(out_file.read_text())["tables"]["mentions"]
    code, out = run("customer", "erase", "--platform", "reddit", "--handle", handle, env=env)
    assert code == 1 and "aborted" in out.lower(), out  # no confirmation (no stdin): nothing erased
    assert naming(db_path, handle)
    code, out = run("customer", "erase", "--platform", "reddit", "--handle", handle, "--yes", env=env)
    assert code == 0 and "erased: 1 author record" in out, out
    assert naming(db_path, handle, platform="reddit") == []  # the X author of the same handle is someone else


def test_customer_export_names_the_handle_as_stored(tmp_path: Path) -> None:
    """The export and its line said the handle as typed ("@DANA_K") rather than as the platform spells it."""
    db_path = tmp_path / "c.db"
    handle = seeded_with_a_reddit_author(db_path, 30)
    assert handle != handle.upper()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    empty = tmp_path / "empty.json"
    empty.touch()  # made by a script's mktemp: nothing in it to lose, so no question
    code, out = run("customer", "export", "--platform", "reddit", "--handle", handle.upper(), "-o", str(empty),
                    env=env)
    assert code == 0 and f"rows about @{handle} to {empty}" in out, out
    assert json.loads(empty.read_text(encoding="utf-8"))["handle"] == handle


FEDIVERSE = {"bluesky": "bob.bsky.social", "mastodon": "user@instance.social"}


def _as_platform(store: Store, platform: str, handle: str, nth: int) -> str:
    """Turn the ``nth`` seeded Reddit author into an author of ``platform`` with ``handle``; returns its key."""
    key = store.read_sync(lambda db: db.conn.execute(
        "SELECT key FROM authors WHERE platform = 'reddit' ORDER BY key LIMIT 1 OFFSET ?", (nth,)).fetchone()[0])
    store.write_sync(lambda db: db.conn.execute("UPDATE authors SET platform = ?, handle = ? WHERE key = ?",
                                                (platform, handle, key)))
    return str(key)


def test_customers_of_bluesky_and_mastodon_can_be_exported_and_erased_on_the_command_line(tmp_path: Path) -> None:
    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, 30, datetime.now(UTC)))
    for nth, (platform, handle) in enumerate(FEDIVERSE.items()):
        _as_platform(store, platform, handle, nth)
    store.close_sync()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    for platform, handle in FEDIVERSE.items():
        code, out = run("customer", "export", "--platform", platform, "--handle", "@" + handle, env=env)
        assert code == 0, out
        exported = json.loads(out[out.index("{"):])
        assert exported["platform"] == platform and exported["tables"]["authors"][0]["handle"] == handle
        code, out = run("customer", "erase", "--platform", platform, "--handle", handle, "--yes", env=env)
        assert code == 0 and "erased: 1 author record" in out, out
        assert naming(db_path, handle) == []


def test_a_handle_with_an_invisible_character_is_found_as_it_reads(tmp_path: Path) -> None:
    """A handle stored with a zero-width space is drawn as the plain one, and the admin types the plain one: the
    export answered "no x author". Two accounts that read alike (one may impersonate the other) are not merged:
    both are named, spelt out, and the spelling typed back finds one."""
    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, 30, datetime.now(UTC)))
    hidden = _as_platform(store, "x", "dana\u200bk", 0)
    store.close_sync()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    code, out = run("customer", "export", "--platform", "x", "--handle", "@DanaK", env=env)
    assert code == 0, out
    assert json.loads(out[out.index("{"):])["tables"]["authors"][0]["key"] == hidden
    code, out = run("customer", "export", "--platform", "x", "--handle", "ｄａｎａｋ", env=env)  # fullwidth typed
    assert code == 0 and json.loads(out[out.index("{"):])["tables"]["authors"][0]["key"] == hidden, out

    store = Store(db_path, extra=[WEB]).open_sync()
    other = _as_platform(store, "x", "dana\u2060k", 1)
    store.close_sync()
    code, out = run("customer", "erase", "--platform", "x", "--handle", "danak", "--yes", env=env)
    assert code != 0 and "2 x authors have a handle that reads 'danak'" in out, out
    assert "dana\\u200bk" in out and "dana\\u2060k" in out, out
    code, out = run("customer", "erase", "--platform", "x", "--handle", "dana\\u2060k", "--yes", env=env)
    assert code == 0 and "erased: 1 author record" in out, out
    keys = [r[0] for r in sqlite3.connect(db_path).execute("SELECT key FROM authors WHERE platform = 'x'")]
    assert hidden in keys and other not in keys  # the look-alike stays: a different person
    from careline.app.web.customers import read_typed

    assert read_typed("@DanaK") == read_typed("dana\\u200bk") == read_typed("dana\u200bk")  # the API's confirm


async def test_customers_of_bluesky_and_mastodon_through_the_admin_api(
        client: TestClient, web_store: Store) -> None:
    admin = web_store.write_sync(lambda db: create_token(db, "admin", "gdpr"))
    auth = {"Authorization": f"Bearer {admin}"}
    for nth, (platform, handle) in enumerate(FEDIVERSE.items()):
        _as_platform(web_store, platform, handle, nth)
        r = await client.get("/api/customers/export", params={"platform": platform, "handle": handle}, headers=auth)
        assert r.status == 200, await r.text()
        assert (await r.json())["tables"]["authors"][0]["handle"] == handle
        r = await client.post("/api/customers/erase", headers=auth,
                              json={"platform": platform, "handle": handle, "confirm": "@" + handle})
        assert r.status == 200, await r.text()
    r = await client.get("/api/customers/export", params={"platform": "myspace", "handle": "bob"}, headers=auth)
    assert r.status == 422


# -- backups --------------------------------------------------------------------------------------
def _queue(path: Path) -> list[dict[str, Any]]:
    store = Store(path, extra=[WEB]).open_sync()
    try:
        return store.read_sync(lambda db: queue_rows(db, limit=500))
    finally:
        store.close_sync()


def test_a_backup_taken_while_the_service_writes_restores_the_same_queue(tmp_path: Path) -> None:
    live = Store(tmp_path / "live.db", extra=[WEB]).open_sync()
    now = datetime.now(UTC)
    live.write_sync(lambda db: seed(db, 400, now))
    stop, written = threading.Event(), []

    def keep_writing() -> None:  # the audit log grows while the copy runs; the queue does not change
        while not stop.is_set():
            written.append(live.write_sync(lambda db: db.conn.execute(
                "INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'system', 'tick', 'x', "
                "?)", (now.isoformat(), "{}" + " " * 4000)).lastrowid))

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        report = backup(live.path, tmp_path / "nightly.db")
    finally:
        stop.set()
        writer.join()
    assert len(written) > 0 and report.pages > 0
    assert stat.S_IMODE(os.stat(tmp_path / "nightly.db").st_mode) == 0o600
    verify(tmp_path / "nightly.db")
    expected = live.read_sync(lambda db: queue_rows(db, limit=500))
    with pytest.raises(StoreFileError, match="another process holds the database"):
        restore(tmp_path / "nightly.db", live.path)  # refuses while the service has the file open
    live.close_sync()

    restore(tmp_path / "nightly.db", tmp_path / "restored.db")
    assert stat.S_IMODE(os.stat(tmp_path / "restored.db").st_mode) == 0o600
    assert _queue(tmp_path / "restored.db") == expected


def test_backup_and_restore_commands_and_their_errors(tmp_path: Path) -> None:
    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: (seed(db, 20, datetime.now(UTC)), create_user(db, "ann", Role.AGENT, "pw-pw-pw")))
    store.close_sync()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    code, out = run("backup", str(tmp_path / "b.db"), env=env)
    assert code == 0 and "integrity ok" in out, out
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    code, out = run("restore", str(tmp_path / "junk.db"), "--yes", env=env)
    assert code == 1 and str(tmp_path / "junk.db") in out and "not a SQLite database" in out, out
    code, out = run("restore", str(tmp_path / "b.db"), "--yes",
                    env={"CARELINE_SERVICE__DATABASE": str(tmp_path / "fresh.db")})
    assert code == 0 and "restored" in out, out
    assert _queue(tmp_path / "fresh.db") == _queue(db_path)


def test_a_restore_keeps_the_database_it_replaces_and_asks_only_when_it_can_run(tmp_path: Path) -> None:
    """A restore had no undo, asked "Replace everything?" before finding that the service still held the file, and
    without a terminal printed the question and "aborted" with exit 1."""
    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, 20, datetime.now(UTC)))
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    code, out = run("backup", str(tmp_path / "b.db"), env=env)
    assert code == 0, out
    store.write_sync(lambda db: seed(db, 5, datetime.now(UTC), seed=99))  # work done after the backup

    def held(path: Path) -> list[tuple[Any, ...]]:
        return [(r["id"], r["status"], r["priority"], r["text"]) for r in _queue(path)]

    before = held(db_path)
    holder = sqlite3.connect(db_path)  # another process, in the middle of a write
    holder.execute("BEGIN IMMEDIATE")
    try:
        code, out = run("restore", str(tmp_path / "b.db"), "--yes", env=env)
        assert code == 1 and "another process holds the database" in out and "Replace everything" not in out, out
    finally:
        holder.rollback()
        holder.close()
    store.close_sync()
    code, out = run("restore", str(tmp_path / "b.db"), env=env)  # no terminal, no --yes: a usage error
    assert code == 2 and "--yes" in out, out
    code, out = run("restore", str(tmp_path / "b.db"), "--yes", env=env)
    assert code == 0 and "the database as it was is kept as" in out, out
    kept = next(tmp_path.glob("c.db.before-restore-*"))
    assert held(db_path) == held(tmp_path / "b.db") != before
    code, out = run("restore", str(kept), "--yes", env=env)  # the undo
    assert code == 0 and held(db_path) == before, out


def test_a_restored_backup_older_than_an_erasure_does_not_bring_the_customer_back(tmp_path: Path) -> None:
    """A backup from before a customer asked to be forgotten held them again after ``restore``, their digest with
    them gone, so the pollers would store their old posts once more; nothing said so."""
    db_path = tmp_path / "c.db"
    handle = seeded_with_a_reddit_author(db_path, 30)
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    sending = ("INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, "
               "idempotency_key) SELECT c.id, 'on its way', 'sending', 'ada', '2026-12-06T10:00:00+00:00', "
               "'2026-12-06T10:00:00+00:00', 'k-sending-9' FROM conversations c JOIN authors a ON a.key = c.author_key "
               "WHERE a.handle = ? AND a.platform = 'reddit' LIMIT 1")
    with contextlib.closing(sqlite3.connect(db_path)) as conn:  # the backup catches a reply to them mid-post
        conn.execute(sending, (handle,))
        conn.commit()
    assert run("backup", str(tmp_path / "b.db"), env=env)[0] == 0
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE replies SET state = 'sent' WHERE idempotency_key = 'k-sending-9'")
        conn.commit()
    code, out = run("customer", "erase", "--platform", "reddit", "--handle", handle, "--yes", env=env)
    assert code == 0, out
    code, out = run("restore", str(tmp_path / "b.db"), "--yes", env=env)
    assert code == 0 and "the 1 erasure(s) the replaced database recorded still hold: 1 customer(s) in the " \
        "backup erased again" in out, out
    assert naming(db_path, handle, platform="reddit") == []
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM erased_authors").fetchone()[0] == 1
    assert naming(tmp_path / "b.db", handle, platform="reddit")  # the backup file itself is untouched


def test_a_restore_keeps_the_brand_s_replies_in_an_erased_customer_s_threads_out(tmp_path: Path) -> None:
    """The admin audit: a backup older than the customer's first post was restored; their author digest was carried
    over, their threads' were not, so the pollers stored the brand's reply "Hello @dana_k, so sorry Dana Kowalska"
    again."""
    from careline.domain import Author, Mention
    from careline.store.records import store_mentions

    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, 5, datetime.now(UTC), hostile=False))
    store.close_sync()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    assert run("backup", str(tmp_path / "monday.db"), env=env)[0] == 0
    now = datetime.now(UTC)
    dana, brand = Author("x", "77001", "dana_k", "Dana Kowalska"), Author("x", "900001", "SkylarkAir", "Skylark Air")
    post = Mention("x", "5001", "skylark", dana, "@SkylarkAir my bag never arrived", "https://x.com/dana_k/5001",
                   now - timedelta(hours=5), now - timedelta(hours=5), "5001")
    answer = Mention("x", "5002", "skylark", brand, "Hello @dana_k, so sorry Dana Kowalska, please DM us",
                     "https://x.com/SkylarkAir/5002", now - timedelta(hours=4), now - timedelta(hours=4), "5001",
                     in_reply_to_id="5001", from_brand=True)

    def read_again() -> list[str]:
        again = Store(db_path, extra=[WEB]).open_sync()
        try:
            again.write_sync(lambda db: store_mentions(db, [post, answer], None, now))
            return again.read_sync(lambda db: [r[0] for r in db.conn.execute(
                "SELECT text FROM brand_posts WHERE text LIKE '%dana_k%' UNION ALL "
                "SELECT text FROM mentions WHERE author_key = 'x:77001'")])
        finally:
            again.close_sync()

    assert len(read_again()) == 2  # the customer wrote, the brand answered

    def routed(db: Any) -> None:  # their post became a conversation, as the router makes one
        columns = [r[1] for r in db.conn.execute("PRAGMA table_info(conversations)")]
        row = dict(zip(columns, db.conn.execute("SELECT * FROM conversations LIMIT 1").fetchone(), strict=True))
        row.update(id=500, thread_key=post.thread_key, author_key=dana.key)
        db.conn.execute(f"INSERT INTO conversations ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                        list(row.values()))

    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(routed)
    store.close_sync()
    code, out = run("customer", "erase", "--platform", "x", "--handle", "dana_k", "--yes", env=env)
    assert code == 0, out
    assert read_again() == []
    code, out = run("restore", str(tmp_path / "monday.db"), "--yes", env=env)
    assert code == 0 and "the 1 erasure(s) the replaced database recorded still hold" in out, out
    assert read_again() == []


def test_run_refuses_another_applications_database(tmp_path: Path) -> None:
    """``careline run`` added some 150 tables to another application's SQLite file after a warning."""
    other = tmp_path / "app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    before = other.read_bytes()
    code, out = run("run", env={"CARELINE_SERVICE__DATABASE": str(other)})
    assert code == 1 and "holds tables but no Careline migration" in out and "cannot start" in out, out
    assert other.read_bytes() == before
    code, out = run("doctor", env={"CARELINE_SERVICE__DATABASE": str(other)})
    assert code == 1 and "ERROR   migrations" in out, out


def test_a_new_database_is_private(tmp_path: Path) -> None:
    Store(tmp_path / "new.db").open_sync().close_sync()
    assert stat.S_IMODE((tmp_path / "new.db").stat().st_mode) == 0o600


# -- one-line errors and the doctor ---------------------------------------------------------------
def _seeded(path: Path) -> Path:
    store = Store(path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, 200, datetime.now(UTC)))
    store.close_sync()
    return path


def _damage_middle(path: Path) -> None:
    """Overwrite pages in the middle of the file (the header stays valid, so only a check finds it)."""
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        fh.seek(size // 2)
        fh.write(b"\xde\xad\xbe\xef" * 2048)


@pytest.mark.parametrize("damage,cause", [
    (lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50), "corrupt"),
    (lambda p: p.write_bytes(p.read_bytes()[:1500]), "corrupt"),
    (_damage_middle, "corrupt"),
    (lambda p: p.write_bytes(b"just some text, not a database at all" * 50), "not a SQLite database"),
], ids=["header-only", "truncated", "middle", "text"])
def test_a_damaged_database_is_one_line_naming_the_file(tmp_path: Path, damage: Any, cause: str) -> None:
    db_path = _seeded(tmp_path / "c.db")
    damage(db_path)
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    for command in (["queue"], ["status"], ["doctor"]):
        code, out = run(*command, env=env)
        assert code == 1, (command, out)
        assert str(db_path) in out and cause in out and "Traceback" not in out, (command, out)
        assert "something went wrong" not in out


@pytest.mark.parametrize("damage", [lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50),
                                    _damage_middle,
                                    lambda p: p.write_bytes(b"just some text, not a database at all" * 50)],
                         ids=["header", "middle", "text"])
def test_a_backup_restores_over_a_damaged_database(tmp_path: Path, damage: Any) -> None:
    """The admin audit: the doctor's advice for a damaged database is "(restore a backup)", and the restore refused
    to replace it ("the database is corrupt (restore a backup)"), as it could not copy it first. It is moved aside,
    byte for byte, and the backup goes in its place."""
    db_path = _seeded(tmp_path / "c.db")
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    assert run("backup", str(tmp_path / "nightly.db"), env=env)[0] == 0
    damage(db_path)
    damaged = db_path.read_bytes()
    code, out = run("restore", "--yes", str(tmp_path / "nightly.db"), env=env)
    assert code == 0 and "could not be read (damaged), so it was moved aside as" in out, out
    [aside] = [p for p in tmp_path.iterdir() if ".damaged-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert aside.read_bytes() == damaged
    code, out = run("doctor", env=env)
    assert code == 0, out
    assert sqlite3.connect(db_path).execute("SELECT count(*) FROM conversations").fetchone()[0] == 200


def test_damage_in_the_schema_pages_reads_as_corrupt(tmp_path: Path) -> None:
    """Bytes lost inside the schema (a trigger's text, where a damaged middle of the file can land) made SQLite
    say "malformed database schema (...) near 'AS'", which named no cause a person could act on."""
    db_path = _seeded(tmp_path / "c.db")
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA writable_schema = ON")
    con.execute("UPDATE sqlite_master SET sql = 'CREATE TRIGGER \xde\xad AS garbage' "
                "WHERE name = 'trend_classification_changed'")
    con.commit()
    con.close()
    code, out = run("queue", env={"CARELINE_SERVICE__DATABASE": str(db_path)})
    assert code == 1 and str(db_path) in out and "corrupt" in out and "restore a backup" in out, out


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "careline.toml"
    config.write_bytes(b'[service]\ndatabase = "caf\xe9.db"\n')
    code, out = run("--config", str(config), "queue", env={})
    assert code == 2 and str(config) in out and "not UTF-8" in out and "Traceback" not in out, out


def test_a_folder_at_the_database_path_is_called_a_folder(tmp_path: Path) -> None:
    """The admin audit: the doctor said "cannot write: disk I/O error (is the disk full?)" and the other commands
    "the database could not be read (disk I/O error)" then "no database at"."""
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path)}
    for command in (["doctor"], ["status"], ["backup", str(tmp_path.parent / "b.db")]):
        code, out = run(*command, env=env)
        assert code in (1, 2) and f"{tmp_path} is a folder" in out, (command, out)
        assert "disk I/O" not in out and "Traceback" not in out, (command, out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files anyway")
def test_a_read_only_database_is_one_line(tmp_path: Path) -> None:
    db_path = _seeded(tmp_path / "c.db")
    db_path.chmod(0o400)
    code, out = run("doctor", env={"CARELINE_SERVICE__DATABASE": str(db_path)})
    assert code == 1 and "read-only" in out, out


def test_doctor_reports_missing_secrets_and_loose_permissions(tmp_path: Path) -> None:
    db_path = _seeded(tmp_path / "c.db")
    db_path.chmod(0o644)
    env = {"CARELINE_SERVICE__DATABASE": str(db_path), "CARELINE_SOURCES__X__ENABLED": "true",
           "CARELINE_X_BEARER_TOKEN": ""}
    code, out = run("doctor", env=env)
    assert code == 0, out  # warnings only: the service would start
    assert "CARELINE_X_BEARER_TOKEN is not set" in out and "mode 644" in out and "quick_check ok" in out
    assert "migrations: all applied" in out


@pytest.mark.parametrize("folder", ["care#2", "what?", "100%25 ours"])
def test_a_database_in_a_folder_with_uri_characters_is_read_as_itself(tmp_path: Path, folder: str) -> None:
    """The read-only opening wrote the path into a ``file:`` URI as it was: "#" and "?" cut it ("care#2/c.db"
    opened "care") and "%" was read as an escape, so doctor checked another file, or none."""
    db_path = _seeded(tmp_path / folder / "c.db")
    (tmp_path / "care").touch()  # what the cut path named: an empty file, not this database
    code, out = run("doctor", env={"CARELINE_SERVICE__DATABASE": str(db_path)})
    assert code == 0 and "quick_check ok" in out and "migrations: all applied" in out, out
    code, out = run("backup", str(tmp_path / "copy.db"), env={"CARELINE_SERVICE__DATABASE": str(db_path)})
    assert code == 0, out
    code, out = run("restore", str(tmp_path / "copy.db"), "--yes", env={"CARELINE_SERVICE__DATABASE": str(db_path)})
    assert code == 0 and "restored" in out, out  # its check that nobody holds the file opened the file itself


def test_doctor_and_run_say_when_nothing_is_listened_for_and_nobody_can_log_in(tmp_path: Path) -> None:
    """``careline run`` with no settings said "Careline is up" and then polled nothing (no brand), with nobody able
    to sign in to see so (no account)."""
    from careline.app.doctor import check_setup
    from careline.settings import BrandSettings, ServiceSettings, Settings

    fresh = tmp_path / "fresh.db"
    code, out = run("doctor", env={"CARELINE_SERVICE__DATABASE": str(fresh)})
    assert code == 0, out  # warnings: it would start
    assert "WARNING brands: no brand is configured, so nothing is polled" in out
    assert "WARNING users: no account can log in: make one with careline user add NAME --role admin" in out
    assert not fresh.exists()  # the doctor made no database
    code, out = run("doctor", "--json", env={"CARELINE_SERVICE__DATABASE": str(fresh)})
    assert code == 0 and {"level": "warning", "check": "brands"} in [
        {k: f[k] for k in ("level", "check")} for f in json.loads(out)], out
    db_path = _seeded(tmp_path / "c.db")
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM users")
    settings = Settings(brands=[BrandSettings(name="skylark")], service=ServiceSettings(database=str(db_path)))
    assert [f.level for f in check_setup(settings)] == ["ok", "warning"]
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: create_user(db, "ann", Role.ADMIN, "a long enough password"))
    store.close_sync()
    assert [(f.level, f.message) for f in check_setup(settings)] == [("ok", "listening for skylark"),
                                                                     ("ok", "1 account can log in")]


def test_a_backup_of_a_serving_app_restores_into_an_app_that_serves_the_same_queue(tmp_path: Path) -> None:
    """The done-when check: the web app serves and agents act while the backup runs; the restored file,
    opened by a second app, answers /api/queue with the same conversations in the same order."""
    import urllib.request

    from careline.app.web.app import create_app
    from careline.settings import BrandSettings, Settings
    from tests.helpers.live import LiveServer

    brands = [BrandSettings(name="skylark", display_name="Skylark Air"),
              BrandSettings(name="brightwave", display_name="Brightwave")]
    live = Store(tmp_path / "live.db", extra=[WEB]).open_sync()
    token = live.write_sync(lambda db: (seed(db, 300, datetime.now(UTC)), create_user(db, "ann", Role.AGENT, "pw"),
                                        create_token(db, "ann", "t"))[2])

    def queue_of(url: str) -> list[tuple[Any, ...]]:
        request = urllib.request.Request(url + "/api/queue?limit=500", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=30) as r:
            return [(i["id"], i["status"], i["priority"], i["assignee"]) for i in json.loads(r.read())["items"]]

    server = LiveServer(create_app(Settings(brands=brands), live)).start()
    stop = threading.Event()

    def agents() -> None:  # reads through the app and writes to the audit log while the copy runs
        while not stop.is_set():
            queue_of(server.url)
            live.write_sync(lambda db: db.conn.execute(
                "INSERT INTO events (at, actor, kind, subject, data) VALUES ('2026-12-04T00:00:00Z', 'ann', "
                "'viewed', 'queue', '{}')"))

    worker = threading.Thread(target=agents)
    worker.start()
    try:
        backup(live.path, tmp_path / "b.db")
    finally:
        stop.set()
        worker.join()
    served = queue_of(server.url)
    server.stop()
    live.close_sync()
    restore(tmp_path / "b.db", tmp_path / "restored.db")
    restored = Store(tmp_path / "restored.db", extra=[WEB]).open_sync()
    second = LiveServer(create_app(Settings(brands=brands), restored)).start()
    try:
        assert len(served) > 50 and queue_of(second.url) == served
    finally:
        second.stop()
        restored.close_sync()


def test_run_checks_first_stops_on_a_corrupt_file_and_warns_loudly_about_secrets(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import dataclasses

    from careline.app.commands.data import preflight
    from careline.errors import CarelineError
    from careline.settings import Settings

    db_path = _seeded(tmp_path / "c.db")
    settings = Settings()
    settings = dataclasses.replace(settings, service=dataclasses.replace(settings.service, database=str(db_path)))
    with caplog.at_level("WARNING"):
        preflight(settings)  # X is enabled by default and its token is not set: a warning, not a stop
    assert any("!!!" in r.getMessage() and "CARELINE_X_BEARER_TOKEN" in r.getMessage() for r in caplog.records)
    _damage_middle(db_path)
    with pytest.raises(CarelineError, match=r"cannot start: (integrity|database: .*corrupt)"):
        preflight(settings)


def test_erasing_a_customer_named_like_a_status_or_a_brand_leaves_other_rows_alone(tmp_path: Path) -> None:
    """The scrub used to rewrite every text column: erasing a customer whose handle is "new" blanked every
    status 'new' (the queue emptied), one named "Skylark" every brand column."""
    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 30, datetime.now(UTC)))
        key = _as_platform(store, "reddit", "new", 0)
        store.write_sync(lambda db: db.conn.execute("UPDATE authors SET name = 'Skylark' WHERE key = ?", (key,)))
        before = store.read_sync(lambda db: db.conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'new'), count(*) FILTER (WHERE brand = 'skylark') "
            "FROM conversations WHERE author_key != ?", (key,)).fetchone())
        store.write_sync(lambda db: erase_customer(db, "reddit", "new", actor="admin", now=datetime.now(UTC)))
        after = store.read_sync(lambda db: db.conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'new'), count(*) FILTER (WHERE brand = 'skylark') "
            "FROM conversations").fetchone())
        assert after == before and before[0] > 0 and before[1] > 0
    finally:
        store.close_sync()


def test_erasure_keeps_others_posts_findable_and_leaves_no_words_in_the_index(tmp_path: Path) -> None:
    """Another customer's post in the thread stays searchable (it was deleted from the index with the
    customer's); the index's segments are merged, so the erased words are not left in its pages."""
    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 30, datetime.now(UTC)))
        theirs, other = store.read_sync(lambda db: db.conn.execute(
            "SELECT m.key, (SELECT o.key FROM mentions o WHERE o.author_key != m.author_key LIMIT 1) "
            "FROM mentions m JOIN authors a ON a.key = m.author_key WHERE a.platform = 'x' LIMIT 1").fetchone())

        def write(db: Any) -> str:  # a unique word each, the other customer's post moved into their thread
            db.conn.execute("UPDATE mentions SET text = 'zanzibarqux passport qq1234567' WHERE key = ?", (theirs,))
            thread = db.conn.execute("SELECT thread_key FROM mentions WHERE key = ?", (theirs,)).fetchone()[0]
            db.conn.execute("DELETE FROM search")  # rebuilt from the mentions as they are now
            db.conn.execute("INSERT INTO search (body, thread_key, kind) SELECT m.text || ' @' || a.handle || ' ' "
                            "|| a.name, m.thread_key, 'message' FROM mentions m JOIN authors a ON a.key = m.author_key")
            db.conn.execute("INSERT INTO search (body, thread_key, kind) VALUES ('quokkaberry reply', ?, 'message')",
                            (thread,))
            return str(db.conn.execute("SELECT handle FROM authors a JOIN mentions m ON m.author_key = a.key "
                                       "WHERE m.key = ?", (theirs,)).fetchone()[0])

        handle = store.write_sync(write)
        store.write_sync(lambda db: erase_customer(db, "x", handle, actor="admin", now=datetime.now(UTC)))
        def found(word: str) -> int:
            return int(store.read_sync(lambda db: db.conn.execute(
                "SELECT count(*) FROM search WHERE search MATCH ?", (word,)).fetchone()[0]))

        assert found("quokkaberry") == 1 and found("zanzibarqux") == 0  # the other one's post is still indexed
        blobs = store.read_sync(lambda db: b"".join(r[0] or b"" for r in db.conn.execute(
            "SELECT block FROM search_data").fetchall()))
        assert b"zanzibarqux" not in blobs and b"qq1234567" not in blobs
        assert other is not None  # the seed has another author to stand beside them
    finally:
        store.close_sync()


def test_erasure_waits_while_a_reply_to_the_customer_is_being_posted(tmp_path: Path) -> None:
    """The post would go out and then find its rows gone (an internal error on the send): refuse instead."""
    from careline.errors import Conflict

    store = Store(tmp_path / "c.db", extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 12, datetime.now(UTC)))
        conv, handle = store.read_sync(lambda db: db.conn.execute(
            "SELECT c.id, a.handle FROM conversations c JOIN authors a ON a.key = c.author_key "
            "WHERE c.platform = 'x' LIMIT 1").fetchone())
        store.write_sync(lambda db: db.conn.execute(
            "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key) "
            "VALUES (?, 'on its way', 'sending', 'ada', '2026-12-06T10:00:00+00:00', '2026-12-06T10:00:00+00:00', "
            "'k-sending-1')", (conv,)))
        with pytest.raises(Conflict, match="being posted"):
            store.write_sync(lambda db: erase_customer(db, "x", handle, actor="admin", now=datetime.now(UTC)))
        assert store.read_sync(lambda db: db.conn.execute(
            "SELECT count(*) FROM conversations WHERE id = ?", (conv,)).fetchone()[0]) == 1
    finally:
        store.close_sync()


def _post(db: Any, author: Any, text: str, conversation: str, brand: str, n: int) -> str:
    """A post stored as the pollers store one (the search triggers index it with the name it came under)."""
    from careline.domain import Mention
    from careline.store.records import store_mentions

    now = datetime.now(UTC)
    post = Mention("x", f"99000{n}", brand, author, text, f"https://x.example/{n}", now, now, conversation,
                   raw={"text": text, "user": {"name": author.name, "screen_name": author.handle}})
    store_mentions(db, [post], None, now)
    return post.key


def test_an_erasure_finds_the_customer_under_every_name_they_had(tmp_path: Path) -> None:
    """The audit's erasure left behind: the posts a customer wrote before a rename (the index keeps the name a
    post came under), their old name in others' posts, a non-ASCII name quoted in capitals (LIKE folds ASCII
    only; a raw payload escapes it), and the brand's answer to them in another customer's thread. The export
    did not list the last two; the erased text stayed in the file until SQLite's next checkpoint."""
    from careline.domain import Author

    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, 30, datetime.now(UTC)))
    (key, old_handle, thread, brand), (their_conv, other_key, other_thread) = store.read_sync(lambda db: (
        db.conn.execute("SELECT a.key, a.handle, m.conversation_id, m.brand FROM authors a JOIN mentions m ON "
                        "m.author_key = a.key WHERE a.platform = 'x' AND length(a.handle) >= 4 LIMIT 1").fetchone(),
        db.conn.execute("SELECT c.id, c.author_key, m.conversation_id FROM conversations c JOIN mentions m ON "
                        "m.thread_key = c.thread_key WHERE c.platform = 'x' AND c.author_key != (SELECT a.key FROM "
                        "authors a JOIN mentions m ON m.author_key = a.key WHERE a.platform = 'x' AND "
                        "length(a.handle) >= 4 LIMIT 1) LIMIT 1").fetchone()))
    pid = key.split(":", 1)[1]

    def write(db: Any) -> None:
        first = _post(db, Author("x", pid, old_handle, "Zofía Qwertyúk"), "QWPOST1 my bag is lost", thread, brand, 1)
        _post(db, Author("x", pid, "zofia_renamed", "Zo Q"), "QWPOST2 still lost", thread, brand, 2)
        other = db.conn.execute("SELECT handle FROM authors WHERE key = ?", (other_key,)).fetchone()[0]
        _post(db, Author("x", other_key.split(":", 1)[1], other, "Someone Else"),
              "ZOFÍA QWERTYÚK told me the same", other_thread, brand, 3)
        db.conn.execute("INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, "
                        "idempotency_key, in_reply_to) VALUES (?, 'Thanks Zofía, booking QW-REF-991 found', 'sent', "
                        "'agent', '2026-12-06T10:00:00+00:00', '2026-12-06T10:00:00+00:00', 'qw-1', ?)",
                        (their_conv, first))

    store.write_sync(write)
    store.close_sync()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    code, out = run("customer", "export", "--platform", "x", "--handle", "zofia_renamed", env=env)
    assert code == 0, out
    exported = json.loads(out[out.index("{"):])
    assert {m["text"] for m in exported["tables"]["mentions"]} >= {"QWPOST1 my bag is lost", "QWPOST2 still lost"}
    assert any("QW-REF-991" in r["text"] for r in exported["tables"]["replies"])
    elsewhere = {(e["table"], e["column"]): e["text"] for e in exported["tables"]["named_elsewhere"]}
    assert sorted(elsewhere) == [("mentions", "raw"), ("mentions", "text")], elsewhere  # the quote, as posted
    assert elsewhere["mentions", "text"] == "ZOFÍA QWERTYÚK told me the same"

    code, out = run("customer", "erase", "--platform", "x", "--handle", "zofia_renamed", "--yes", env=env)
    assert code == 0 and "erased: 1 author record" in out, out
    assert naming(db_path, "qwerty", "QWPOST", "QW-REF", old_handle, "zofia_renamed") == []
    assert naming(db_path, "someone else")  # the other customer's own post stays, their name with it
    assert not db_path.with_name("c.db-wal").exists() or db_path.with_name("c.db-wal").stat().st_size == 0
    assert b"QWPOST" not in db_path.read_bytes() and b"QW-REF" not in db_path.read_bytes()


def test_nothing_points_at_an_erased_conversations_id(tmp_path: Path) -> None:
    """SQLite gives the highest ids out again: a lead's "@lead" note event for an erased conversation pointed at
    the next customer's conversation and note, and showed that private note in the lead's mentions."""
    from careline.domain import Event
    from careline.store.records import append_event, next_id_sql

    store = Store(tmp_path / "c.db", extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 30, datetime.now(UTC)))
        conv, handle, platform = store.read_sync(lambda db: db.conn.execute(
            "SELECT c.id, a.handle, a.platform FROM conversations c JOIN authors a ON a.key = c.author_key "
            "ORDER BY c.id DESC LIMIT 1").fetchone())

        def write(db: Any) -> None:
            append_event(db, Event(datetime.now(UTC), "agent", "note.mention", "user:lead",
                                   {"conversation": conv, "note": 1}))
            db.conn.execute("INSERT INTO survey_answers (brand, kind, score, answered_at, conversation_id) "
                            "VALUES ('skylark', 'nps', 9, '2026-12-06T10:00:00+00:00', ?)", (conv,))
            db.conn.execute("INSERT OR REPLACE INTO report_targets (conversation_id, target, decided_at, hit, brand, "
                            "platform, agent, intent) VALUES (?, 'first_response', '2026-12-06T10:00:00+00:00', 1, "
                            "'skylark', 'x', 'agent', 'other')", (conv,))

        store.write_sync(write)
        counted = "SELECT (SELECT count(*) FROM survey_answers), (SELECT count(*) FROM report_targets WHERE hit = 1)"
        before = store.read_sync(lambda db: db.conn.execute(counted).fetchone())
        store.write_sync(lambda db: erase_customer(db, platform, handle, actor="admin", now=datetime.now(UTC)))
        left = store.read_sync(lambda db: db.conn.execute(
            "SELECT (SELECT count(*) FROM events WHERE json_valid(data) AND json_extract(data, '$.conversation') = ?),"
            " (SELECT count(*) FROM survey_answers WHERE conversation_id = ?),"
            " (SELECT count(*) FROM report_targets WHERE conversation_id = ?),"
            f" {next_id_sql('conversations')}", (conv, conv, conv)).fetchone())
        assert left[:3] == (0, 0, 0)
        assert left[3] == conv + 1  # SQLite alone would give the erased id out again
        assert store.read_sync(lambda db: db.conn.execute(counted).fetchone()) == before  # the figures stand
    finally:
        store.close_sync()


def test_a_topic_named_after_an_erased_customers_words_is_named_again(tmp_path: Path) -> None:
    """A topic's label ("danajp · ...") was made of an erased customer's words and kept them: the erasure asks
    the topic job to name the topics again, from the posts left."""
    from careline.store.trending import topic_rename_due
    from classifiers.topics import TopicParams, name_topics

    store = Store(tmp_path / "c.db", extra=[WEB]).open_sync()
    try:
        now = datetime.now(UTC)
        store.write_sync(lambda db: seed(db, 30, now))
        theirs, handle = store.read_sync(lambda db: db.conn.execute(
            "SELECT m.key, a.handle FROM mentions m JOIN authors a ON a.key = m.author_key WHERE a.platform = 'x' "
            "LIMIT 1").fetchone())

        def write(db: Any) -> None:
            db.conn.execute("UPDATE mentions SET text = 'quuxbrand quuxbrand quuxbrand lost baggage' WHERE key = ?",
                            (theirs,))
            db.conn.execute("INSERT INTO topics (id, centroid, size, encoder, created_at, updated_at) VALUES "
                            "(1, x'00', 3, 'minilm', ?, ?)", (now.isoformat(), now.isoformat()))
            others = [r[0] for r in db.conn.execute("SELECT key FROM mentions WHERE key != ? LIMIT 2", (theirs,))]
            db.conn.execute("UPDATE mentions SET text = 'lost baggage again, baggage desk closed' WHERE key IN "
                            "(?, ?)", others)
            db.conn.executemany("INSERT INTO mention_topics (mention_key, topic_id, similarity, assigned_at) VALUES "
                                "(?, 1, 0.9, ?)", [(k, now.isoformat()) for k in (theirs, *others)])
            name_topics(db, TopicParams(), now)

        store.write_sync(write)
        assert "quuxbrand" in store.read_sync(lambda db: db.conn.execute("SELECT label FROM topics").fetchone()[0])
        store.write_sync(lambda db: erase_customer(db, "x", handle, actor="admin", now=now))
        assert store.read_sync(topic_rename_due)
        store.write_sync(lambda db: name_topics(db, TopicParams(), now))  # what the topic job's next run does
        label = store.read_sync(lambda db: db.conn.execute("SELECT label FROM topics").fetchone()[0])
        assert "quuxbrand" not in label and "baggage" in label, label
        assert not store.read_sync(topic_rename_due)
    finally:
        store.close_sync()


EXPORTS = {"customer": ("customer", "export", "--platform", "reddit", "--handle", "HANDLE", "-o"),
           "readings": ("readings", "export", "-o"),
           "config": ("config", "export")}


@pytest.mark.parametrize("command", sorted(EXPORTS))
def test_an_export_makes_no_folders_and_never_writes_over_the_database(tmp_path: Path, command: str) -> None:
    """Every command that writes a file refuses a missing folder (a typo in a cron line made folders nobody
    looked in) and the database's own files (``-o careline.db`` replaced every conversation with JSON), in
    the same words, before it reads anything."""
    db_path = tmp_path / "c.db"
    handle = seeded_with_a_reddit_author(db_path, 5)
    args = [handle if a == "HANDLE" else a for a in EXPORTS[command]]
    before = db_path.read_bytes()
    env = {"CARELINE_SERVICE__DATABASE": str(db_path)}
    missing = tmp_path / "typo" / "out.json"
    code, out = run(*args, str(missing), env=env)
    assert code == 1 and out.strip() == f"error: cannot write {missing}: no folder {missing.parent}", out
    assert not missing.parent.exists()
    for own in (db_path, Path(f"{db_path}-wal"), tmp_path / "." / "c.db"):
        code, out = run(*args, str(own), env=env)
        assert code == 1 and "cannot write over the database; choose another name" in out, out
    assert db_path.read_bytes() == before
    existing = tmp_path / "old.json"
    existing.write_text("x" * 100_000)
    existing.chmod(0o644)
    code, out = run(*args, str(existing), env=env)  # no terminal to ask on: refused, the file kept
    assert code == 2 and f"{existing} exists. Choose another name, or add --yes to write over it." in out, out
    assert existing.read_text() == "x" * 100_000
    code, out = run(*args, str(existing), "--yes", env=env)
    assert code == 0, out
    assert len(existing.read_text()) < 100_000  # replaced, not appended to
    mode = stat.S_IMODE(existing.stat().st_mode)
    assert mode == (0o644 if command == "config" else 0o600)  # the settings leave their secrets out


# -- an erasure holds against the pollers ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["x-search", "reddit-search", "bluesky-search", "mastodon-mentions"])
async def test_an_erased_customers_posts_do_not_come_back_with_the_next_poll(name: str, tmp_path: Path) -> None:
    """The pollers read feeds again (a search window, a restart, a cursor lost): the demo's erased Bluesky
    customer had two old posts back 20 seconds after her erasure. Now only what she writes afterwards is new."""
    from platforms.simulator.server import Simulator
    from platforms.simulator.world import World, load_scenario_data
    from tests.helpers.scenarios import mixed_scenario
    from tests.test_listener_hostile import poll_once

    world = load_scenario_data(mixed_scenario(), World(manual=True))
    world.publish_all()
    sim, store = Simulator(world), await Store(tmp_path / "erase.db").open()
    await sim.start()
    try:
        while (await poll_once(name, sim, store)).inserted:  # everything published, stored
            pass
        by_author = await store.read(lambda db: db.conn.execute(
            "SELECT a.key, a.platform, a.handle, count(*) FROM mentions m JOIN authors a ON a.key = m.author_key "
            "GROUP BY a.key ORDER BY 4 DESC, 1").fetchall())
        key, platform, handle, _ = by_author[0]
        before, theirs = await store.read(lambda db: (
            {r[0] for r in db.conn.execute("SELECT key FROM mentions")},
            {r[0] for r in db.conn.execute("SELECT key FROM mentions WHERE author_key = ?", (key,))}))
        newest = await store.read(lambda db: db.conn.execute("SELECT max(created_at) FROM mentions").fetchone()[0])
        # the simulated world stamps its posts ahead of this clock: erase after the newest
        at = max(datetime.now(UTC), datetime.fromisoformat(newest)) + timedelta(seconds=1)
        erased = await store.write(lambda db: erase_customer(db, platform, handle, actor="t", now=at))
        assert erased.mentions >= 1
        await store.write(lambda db: db.conn.execute("DELETE FROM cursors"))  # every feed is read from the top
        runs = [await poll_once(name, sim, store) for _ in range(5)]  # the whole feed again, page after page
        after = await store.read(lambda db: (
            {r[0] for r in db.conn.execute("SELECT key FROM mentions")},
            db.conn.execute("SELECT count(*) FROM authors WHERE key = ?", (key,)).fetchone()[0],
            db.conn.execute("SELECT count(*) FROM erased_authors").fetchone()[0]))
        assert erased.mentions == len(theirs)
        assert sum(r.erased for r in runs) >= len(theirs) and all(r.duplicates >= 0 for r in runs)  # told apart
        assert after[0] == before - theirs  # none of theirs came back; everyone else's are all there
        assert after[1] == 0 and after[2] == 1  # no author row either; a digest only
        assert key not in json.dumps(everything(store.path))  # the digest does not spell the id
    finally:
        await store.close()
        await sim.stop()


def test_an_erased_customer_writing_afterwards_is_stored_and_a_page_in_flight_is_not(tmp_path: Path) -> None:
    """A page fetched before the erasure and written after it (a poll racing the erasure) keeps none of the
    customer's posts; a post they write after the erasure is new contact. Two writers on one file at once."""
    from careline.domain import Author, Mention
    from careline.store.records import store_mentions

    store = Store(tmp_path / "race.db").open_sync()
    other = Store(store.path).open_sync()  # the poller's process
    erased_at = datetime.now(UTC)
    dana = Author(platform="x", platform_id="42", handle="dana_k", name="Dana")

    def post(i: int, at: datetime, author: Author = dana) -> Mention:
        return Mention(platform="x", platform_id=str(1000 + i), brand="skylark", author=author, text=f"post {i}",
                       url=f"https://x.com/i/{1000 + i}", created_at=at, fetched_at=at, conversation_id=str(1000 + i),
                       in_reply_to_id=None, language="en", source="x-search")

    old = [post(i, erased_at - timedelta(minutes=10 - i)) for i in range(5)]
    store.write_sync(lambda db: store_mentions(db, old[:2], None, erased_at))
    errors: list[BaseException] = []

    def poll() -> None:
        try:
            for _ in range(20):
                other.write_sync(lambda db: store_mentions(db, old, None, datetime.now(UTC)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=poll)
    thread.start()
    store.write_sync(lambda db: erase_customer(db, "x", "dana_k", actor="t", now=erased_at))
    thread.join()
    assert not errors
    assert store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM mentions").fetchone()[0]) == 0
    later = post(9, erased_at + timedelta(seconds=30))
    result = other.write_sync(lambda db: store_mentions(db, [*old, later], None, datetime.now(UTC)))
    assert (result.inserted, result.erased) == (1, 5)
    assert store.read_sync(lambda db: db.conn.execute("SELECT key FROM mentions").fetchall()) == [("x:1009",)]
    other.close_sync()
    store.close_sync()


def test_the_brands_own_replies_in_an_erased_thread_are_not_stored_again(tmp_path: Path) -> None:
    """The concurrency audit: a reply posted to a customer just before their erasure was read back by the pollers
    seconds later and stored again, "Hello @maria_travels, ..." with their platform id in its payload."""
    from careline.domain import Author, Mention
    from careline.store.records import store_mentions

    store = Store(tmp_path / "c.db", extra=[WEB]).open_sync()
    try:
        now = datetime.now(UTC)
        store.write_sync(lambda db: seed(db, 12, now))
        handle, thread, brand = store.read_sync(lambda db: db.conn.execute(
            "SELECT a.handle, m.conversation_id, m.brand FROM conversations c JOIN authors a ON a.key = c.author_key "
            "JOIN mentions m ON m.thread_key = c.thread_key WHERE c.platform = 'x' LIMIT 1").fetchone())
        store.write_sync(lambda db: erase_customer(db, "x", handle, actor="admin", now=now))

        def brand_reply(n: int, at: datetime) -> Mention:
            return Mention("x", f"77{n}", brand, Author("x", "1", "SkylarkAir", "Skylark"), f"Hello @{handle}, on it",
                           "https://x.example/b", at, at, thread, raw={"in_reply_to_user_id": "42"}, from_brand=True)

        store.write_sync(lambda db: store_mentions(db, [brand_reply(1, now - timedelta(seconds=5)),
                                                        brand_reply(2, now + timedelta(minutes=5))], None, now))
        kept = store.read_sync(lambda db: [r[0] for r in db.conn.execute("SELECT platform_id FROM brand_posts "
                                                                         "WHERE platform_id LIKE '77%'")])
        assert kept == ["772"]  # the one written after the erasure is new contact, as a customer's would be
    finally:
        store.close_sync()


def test_an_export_reads_one_moment_and_a_checkpoint_does_not_wait_on_other_readers(tmp_path: Path) -> None:
    """The concurrency audit: an export running while an erasure committed came back with the customer's author
    row and none of their posts (each statement read its own moment); the checkpoint after an erasure waited on
    another process's reader for the whole busy timeout, 30 s, holding every write of the service."""
    from careline.store.records import snapshot

    db_path = tmp_path / "c.db"
    store = Store(db_path, extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 12, datetime.now(UTC)))
        count = "SELECT count(*) FROM events"
        added = ("INSERT INTO events (at, actor, kind, subject, data) VALUES ('2026-12-07T10:00:00+00:00', 't', "
                 "'test.event', 'test:1', '{}')")

        def read_while_written(db: Any, whole: bool) -> tuple[int, int]:
            with snapshot(db) if whole else contextlib.nullcontext(db):
                before = db.conn.execute(count).fetchone()[0]
                store.write_sync(lambda w: w.conn.execute(added))
                return before, db.conn.execute(count).fetchone()[0]

        first, second = store.read_sync(lambda db: read_while_written(db, True))
        assert first == second  # one moment
        first, second = store.read_sync(lambda db: read_while_written(db, False))
        assert second == first + 1  # without it, the second statement saw the write

        reader = sqlite3.connect(db_path)  # another process, in the middle of a long read (a backup, an export)
        reader.execute("BEGIN")
        reader.execute(count).fetchone()
        try:
            started = datetime.now(UTC)
            store.write_sync(lambda db: db.conn.execute(added))
            assert store.checkpoint_sync() is False  # it says it could not finish, and does not wait
            assert datetime.now(UTC) - started < timedelta(seconds=10)
        finally:
            reader.rollback()
            reader.close()
        assert store.checkpoint_sync() is True
    finally:
        store.close_sync()
