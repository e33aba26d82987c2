"""Backups, restores and start-up migrations against the ways they lost data: real files, real processes.

Each test reproduces one finding of the data-safety audit: a backup written over the live file, a backup
starved by a steadily writing service, two processes migrating the same file at once, a restore of a newer
or foreign file, a two-factor key file that does not match the secrets, and copies that fail half-way.
"""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from careline.app.cli import main as cli_main_function
from careline.app.web import sealing
from careline.app.web.auth import create_user
from careline.app.web.migrations import WEB
from careline.domain import Role
from careline.store import Store, connect
from careline.store.backup import BackupReport, StoreFileError, backup, restore
from careline.store.migrations import CORE
from tests.conftest import REPO
from tests.helpers.seed import seed

ENV = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def cli_main(argv: tuple[str, ...]) -> None:
    """``careline.app.cli.main`` (its error handling included) under CliRunner's env and output capture."""
    cli_main_function(list(argv))


def run(database: Path, *args: str) -> tuple[int, str]:
    """``careline ARGS`` on ``database`` the way a shell runs it: exit code and output, no traceback allowed."""
    result = CliRunner().invoke(cli_main, list(args), env={"CARELINE_SERVICE__DATABASE": str(database)})
    code = result.exception.code if isinstance(result.exception, SystemExit) else result.exit_code
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output, result.output
    return int(code or 0), result.output


def seeded(path: Path, n: int = 40) -> Path:
    store = Store(path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: seed(db, n, datetime.now(UTC)))
    store.close_sync()
    return path


def counts(path: Path) -> tuple[int, int, list[tuple[str]]]:
    conn = sqlite3.connect(path)
    try:
        return (conn.execute("SELECT count(*) FROM conversations").fetchone()[0],
                conn.execute("SELECT count(*) FROM mentions").fetchone()[0],
                conn.execute("PRAGMA integrity_check").fetchall())
    finally:
        conn.close()


# -- 1. a backup over the live database --------------------------------------------------------------
def test_a_backup_over_the_live_database_or_its_side_files_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db")
    store = Store(live, extra=[WEB]).open_sync()  # the service has it open: -wal and -shm exist
    try:
        before = counts(live)
        (tmp_path / "link.db").symlink_to(live)
        os.link(live, tmp_path / "hard.db")
        for target in ("live.db", "live.db-wal", "live.db-shm", "live.db.totp-key", "link.db", "hard.db",
                       "../" + tmp_path.name + "/live.db"):
            code, out = run(live, "backup", str(tmp_path / target))
            assert code == 1 and out.count("\n") == 1 and "cannot back up over the database itself" in out, out
        with pytest.raises(StoreFileError, match="cannot restore the database from itself"):
            restore(live, live)
        assert counts(live) == before and before[2] == [("ok",)]
        assert not (tmp_path / "live.db.totp-key").exists()
    finally:
        store.close_sync()
    assert counts(live) == before


# -- 2. a backup while another process writes steadily ------------------------------------------------
WRITER = """
import sqlite3, sys
path, stop, me = sys.argv[1], sys.argv[2], sys.argv[3]
conn = sqlite3.connect(path, timeout=30, isolation_level=None)
conn.execute("PRAGMA foreign_keys = ON")
conn.execute("PRAGMA synchronous = NORMAL")  # as the service writes: no fsync a commit, many commits a second
conn.execute("PRAGMA wal_autocheckpoint = 0")  # no pause for a checkpoint: a commit every moment
now, i = "2026-01-01T00:00:00.000000+00:00", 0
while True:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO authors (key, platform, platform_id, handle, first_seen, last_seen) "
                 "VALUES (?, 'x', ?, ?, ?, ?)", (f"x:wa{me}{i}", f"wa{me}{i}", f"w{me}{i}", now, now))
    conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
                 "fetched_at, conversation_id, thread_key, raw) VALUES (?, 'x', ?, 'skylark', 'x-search', ?, ?, 'u', "
                 "?, ?, ?, ?, '{}')", (f"x:w{me}{i}", f"w{me}{i}", f"x:wa{me}{i}", "hello " * 300, now, now,
                                      f"w{me}{i}", f"x:skylark:w{me}{i}"))
    conn.execute("INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'w', 'w.tick', ?, '{}')",
                 (now, f"x:w{me}{i}"))
    conn.execute("COMMIT")
    i += 1
    if i % 20 == 0 and __import__("os").path.exists(stop):
        break
"""


def test_a_backup_finishes_while_other_processes_write_steadily_and_is_consistent(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db", 20)
    filler = sqlite3.connect(live)
    with filler:  # about 32 MB: a hundred steps of the old page-by-page copy, each restarted by a commit
        filler.executemany("INSERT INTO events (at, actor, kind, subject, data) VALUES ('t', 's', 'fill', 'x', ?)",
                           ((f"{i}" + " " * 4000,) for i in range(8000)))
    filler.close()
    stop = tmp_path / "stop"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(live), str(stop), name], env=ENV)
               for name in ("p", "q")]
    outcome: dict[str, BackupReport | BaseException] = {}

    def take() -> None:
        try:
            outcome["report"] = backup(live, tmp_path / "nightly.db")
        except BaseException as exc:  # reported by the assertion below
            outcome["error"] = exc

    try:
        watch = sqlite3.connect(live)
        while watch.execute("SELECT count(*) FROM events WHERE kind = 'w.tick'").fetchone()[0] < 40:
            time.sleep(0.02)
        watch.close()
        copier = threading.Thread(target=take, daemon=True)
        copier.start()
        copier.join(timeout=15)
        finished_while_writing = not copier.is_alive() and all(w.poll() is None for w in writers)
    finally:
        stop.touch()
        for writer in writers:
            writer.wait(timeout=30)
    copier.join(timeout=60)
    assert finished_while_writing and "report" in outcome, outcome
    copy = sqlite3.connect(tmp_path / "nightly.db")
    assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
    ticks = [copy.execute(sql).fetchone()[0] for sql in (
        "SELECT count(*) FROM authors WHERE key LIKE 'x:wa%'",
        "SELECT count(*) FROM mentions WHERE key LIKE 'x:w%' AND key NOT LIKE 'x:wa%'",
        "SELECT count(*) FROM events WHERE kind = 'w.tick'")]
    assert ticks[0] >= 40 and len(set(ticks)) == 1, ticks  # whole transactions only
    copy.close()


# -- 3. processes that start together ------------------------------------------------------------------
OPENER = """
import sys, time
from careline.store import Store
from careline.app.web.migrations import WEB
path, at = sys.argv[1], float(sys.argv[2])
while time.time() < at:
    pass
try:
    Store(path, extra=[WEB]).open_sync().close_sync()
    print("ok")
except Exception as exc:
    print(f"{type(exc).__name__}: {exc}")
"""


def start_together(paths: list[Path]) -> list[str]:
    """Open each path in its own process, all at one instant; what each says."""
    at = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(p), str(at)], env=ENV, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for p in paths]
    return [p.communicate(timeout=60)[0].strip() for p in procs]


def applied(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    finally:
        conn.close()


def test_three_processes_creating_one_database_at_once_all_start(tmp_path: Path) -> None:
    paths = [tmp_path / "a.db", tmp_path / "b.db"]
    said = start_together([p for p in paths for _ in range(3)])
    assert said == ["ok"] * 6, said
    everything = [m.name for m in CORE._migrations] + [m.name for m in WEB._migrations]
    assert all(applied(p) == everything for p in paths)


def test_a_start_waits_for_a_writer_before_switching_the_file_to_wal(tmp_path: Path) -> None:
    """SQLite fails the WAL switch at once, busy_timeout or not, while another connection writes.

    This is what made one of six processes starting together on a new file fail in CI; the
    start must wait for the writer as it waits for any other lock."""
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # a rollback-journal file (not yet WAL) with a writer in it
    releases = threading.Timer(0.4, lambda: other.execute("COMMIT"))
    releases.start()
    started = time.monotonic()
    Store(path).open_sync().close_sync()
    releases.join()
    other.close()
    assert time.monotonic() - started >= 0.35  # it waited for the writer, it did not fail at once
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert applied(path) == [m.name for m in CORE._migrations]


def test_two_processes_upgrading_an_older_database_at_once_both_start(tmp_path: Path) -> None:
    paths = [tmp_path / "a.db", tmp_path / "b.db"]
    for path in paths:
        db = connect(path)
        db.enable_wal()
        CORE.apply(db, stop_before=CORE._migrations[2].name)
        db.close()
    said = start_together([p for p in paths for _ in range(2)])
    assert said == ["ok"] * 4, said
    everything = [m.name for m in CORE._migrations] + [m.name for m in WEB._migrations]
    assert all(applied(p) == everything for p in paths)


# -- 4. restoring a newer or a foreign file --------------------------------------------------------------
def test_restore_refuses_a_newer_backup_and_another_apps_file_and_doctor_calls_newer_an_error(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db")
    before = counts(live)
    newer = tmp_path / "newer.bak"
    assert run(live, "backup", str(newer))[0] == 0
    conn = sqlite3.connect(newer)
    with conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('careline', 'm900_from_the_future', 'x')")
    conn.close()
    code, out = run(live, "restore", "--yes", str(newer))
    assert code == 1 and "newer Careline" in out and "m900_from_the_future" in out and str(newer) in out, out

    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    with conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.close()
    code, out = run(live, "restore", "--yes", str(other))
    assert code == 1 and "not a Careline database" in out and "--force" in out, out
    assert counts(live) == before  # neither refusal touched the database

    target = tmp_path / "forced.db"
    code, out = run(target, "restore", "--yes", "--force", str(other))
    assert code == 0 and "restored" in out, out

    code, out = run(live, "doctor")
    assert code == 0 and "migrations: all applied" in out, out
    conn = sqlite3.connect(live)
    with conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                     "VALUES ('careline-web', 'w900_from_the_future', 'x')")
    conn.close()
    code, out = run(live, "doctor")
    assert code == 1 and "ERROR   migrations" in out and "w900_from_the_future" in out, out
    before = counts(live)
    for args in (("user", "add", "ben", "--role", "agent", "--password", "a long enough password"),
                 ("queue",), ("sla", "backfill")):  # user add wrote to the file doctor had just called newer
        code, out = run(live, *args)
        assert code == 1 and f"{live}: written by a newer Careline" in out and "w900_from_the_future" in out, out
    assert counts(live) == before
    conn = sqlite3.connect(live)
    try:
        assert conn.execute("SELECT count(*) FROM users WHERE username = 'ben'").fetchone()[0] == 0
    finally:
        conn.close()


# -- 5. the two-factor key file ---------------------------------------------------------------------------
def _with_sealed_secret(path: Path) -> None:
    store = Store(path, extra=[WEB]).open_sync()
    store.write_sync(lambda db: (create_user(db, "ann", Role.AGENT, "pw-ann-123456"),
                                 db.conn.execute("UPDATE users SET totp_secret = ? WHERE username = 'ann'",
                                                 (sealing.seal(db, "JBSWY3DPEHPK3PXP"),))))
    store.close_sync()


def test_doctor_finds_a_key_file_that_does_not_open_the_secrets_and_none_is_made_for_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sealing.ENV, raising=False)
    sealing.forget_keys()
    live = tmp_path / "live.db"
    key = Path(f"{live}.totp-key")
    try:
        _with_sealed_secret(live)
        code, out = run(live, "doctor")
        assert "OK      two-factor key" in out, out
        original = key.read_bytes()

        key.unlink()  # restored onto a new box without the key file
        sealing.forget_keys()
        store = Store(live, extra=[WEB]).open_sync()
        secret = store.read_sync(lambda db: sealing.unseal(
            db, db.conn.execute("SELECT totp_secret FROM users").fetchone()[0]))
        store.close_sync()
        assert secret is None and not key.exists()  # no fresh key file stands in for the real one

        key.write_bytes(sealing.Fernet.generate_key() + b"\n")  # someone else's key
        key.chmod(0o600)
        code, out = run(live, "doctor")
        assert code == 0 and "WARNING two-factor key" in out, out  # the queue and every login still work
        said = " ".join(out.split())
        assert f"{key} is not the key the 1 two-factor secret(s) in this database were sealed with" in said, out
        assert "authenticator codes are refused" in said and "only with a recovery code" in said, out  # what breaks
        assert "put back the key backed up with this database" in said and "if that key is lost" in said, out

        key.write_bytes(original)  # the right one put back
        sealing.forget_keys()
        code, out = run(live, "doctor")
        assert code == 0 and "OK      two-factor key" in out, out
    finally:
        sealing.forget_keys()


def test_backup_and_restore_remind_to_keep_the_key_file_once_two_factor_is_in_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sealing.ENV, raising=False)
    live = seeded(tmp_path / "live.db")
    code, out = run(live, "backup", str(tmp_path / "a.db"))  # nobody uses two-factor: no key file to name
    assert code == 0 and "totp-key" not in out, out
    sealing.forget_keys()
    try:
        _with_sealed_secret(live)
        code, out = run(live, "backup", str(tmp_path / "b.db"))
        assert code == 0 and f"{live}.totp-key" in out and "keep the key file" in out, out
        restored = tmp_path / "restored.db"  # no key beside it yet: the reminder is what says to bring it
        code, out = run(restored, "restore", "--yes", str(tmp_path / "b.db"))
        assert code == 0 and f"{restored}.totp-key" in out and "keep the key file" in out, out
    finally:
        sealing.forget_keys()


# -- 6. copies that fail ----------------------------------------------------------------------------------
def test_a_target_that_cannot_be_written_is_one_line_naming_it(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db")
    (tmp_path / "a-file").write_text("in the way")
    target = tmp_path / "a-file" / "b.db"
    code, out = run(live, "backup", str(target))
    assert code == 1 and out.count("\n") == 1 and str(target) in out and "not a directory" in out, out


def test_a_pipe_or_a_folder_in_the_way_is_refused_and_stays_what_it_was(tmp_path: Path) -> None:
    """``careline backup pipe.db`` said "backed up" and left a file where the named pipe was (as root, /dev/full
    became a copy of the database)."""
    import stat

    live = seeded(tmp_path / "live.db")
    pipe, folder = tmp_path / "pipe.db", tmp_path / "folder.db"
    os.mkfifo(pipe)
    folder.mkdir()
    code, out = run(live, "backup", str(pipe))
    assert code == 1 and f"{pipe}: exists and is not a regular file" in out, out
    code, out = run(live, "backup", str(folder))  # refused by the argument's own check, a usage error
    assert code == 2 and "is a directory" in out, out
    assert stat.S_ISFIFO(pipe.stat().st_mode) and folder.is_dir() and not list(folder.iterdir())


def test_an_empty_target_is_refused_in_one_line(tmp_path: Path) -> None:
    """``careline backup ""`` (a script's unset variable) crashed: ``Path("")`` has no name to copy to."""
    live = seeded(tmp_path / "live.db")
    code, out = run(live, "backup", "")
    assert code == 1 and out == "error: '': no file name: name the backup file, e.g. careline-backup.db\n", out


def test_a_target_in_a_folder_that_does_not_exist_is_refused_and_no_folder_is_made(tmp_path: Path) -> None:
    """A typo in a cron line ("/var/backup/" for "/var/backups/") used to make the folders, and every night's copy
    went where nobody looked."""
    live = seeded(tmp_path / "live.db")
    target = tmp_path / "typo" / "nightly" / "b.db"
    code, out = run(live, "backup", str(target))
    assert code == 1 and out.count("\n") == 1, out
    assert out.startswith(f"error: {target}: no folder {target.parent} (a backup makes no folders"), out
    assert not (tmp_path / "typo").exists()
    (tmp_path / "typo" / "nightly").mkdir(parents=True)  # made on purpose, it is used
    assert run(live, "backup", str(target))[0] == 0 and counts(target)[2] == [("ok",)]


FULL_DISK = """
import sys
from careline.store.backup import StoreFileError, backup
try:
    backup(sys.argv[1], sys.argv[2])
except StoreFileError as exc:
    print(exc)
"""


def _small_disk() -> None:
    """The child's files can grow to 200 kB: as a full disk looks to SQLite (a short write)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_full_disk_names_the_target_and_leaves_no_partial_files(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db", 400)
    assert live.stat().st_size > 400_000
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "b.db"
    said = subprocess.run([sys.executable, "-c", FULL_DISK, str(live), str(target)], env=ENV, text=True,
                          capture_output=True, preexec_fn=_small_disk, timeout=60)
    assert said.stdout.startswith(f"{target}: ") and str(live) not in said.stdout, (said.stdout, said.stderr)
    assert os.listdir(tmp_path / "out") == []


KILLED = """
import signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # past the file size limit the kernel kills the copy mid-way
from careline.store.backup import backup
backup(sys.argv[1], sys.argv[2])
"""


def _killed_at_200_kb() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_backup_killed_half_way_leaves_no_journal_and_the_next_one_cleans_up(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db", 400)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "b.db"
    killed = subprocess.run([sys.executable, "-c", KILLED, str(live), str(target)], env=ENV,
                            preexec_fn=_killed_at_200_kb, capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    assert os.listdir(tmp_path / "out") == [".b.db.partial"]  # hidden, and no hot journal beside it
    report = backup(live, target)
    assert report.pages > 0 and os.listdir(tmp_path / "out") == ["b.db"]


def test_the_database_is_untouched_by_a_restore_it_refuses(tmp_path: Path) -> None:
    live = seeded(tmp_path / "live.db")
    before = counts(live)
    code, out = run(live, "restore", "--yes", str(live))
    assert code == 1 and "cannot restore the database from itself" in out, out
    assert counts(live) == before


def test_a_killed_backups_partial_is_reported_by_doctor_until_the_next_backup_removes_it(tmp_path: Path) -> None:
    """Named by weekday, the next backup to the same name comes a week later: until then a hidden copy of every
    customer's data sat in the backup folder and nothing said so."""
    live = seeded(tmp_path / "live.db", 400)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "careline-Mon.db"
    killed = subprocess.run([sys.executable, "-c", KILLED, str(live), str(target)], env=ENV,
                            preexec_fn=_killed_at_200_kb, capture_output=True, timeout=60)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr
    (out_dir / ".notes.txt").write_text("someone else's hidden file")  # not of the backup's naming pattern
    partial = out_dir / ".careline-Mon.db.partial"
    code, out = run(live, "doctor", "--backups", str(out_dir))
    assert code == 0, out  # a warning: the service starts
    [line] = [line for line in out.splitlines() if "backups:" in line]
    assert line.startswith(f"WARNING backups: {partial} (0.2 MB, 0 hour(s) old) was left by a backup to "
                           f"careline-Mon.db that was killed or crashed: delete it, or the next backup to {target} "
                           "removes it"), out
    code, out = run(live, "doctor")  # without --backups only the database's folder is looked in
    assert code == 0 and f"OK      backups: no copy left by an unfinished backup in {tmp_path}" in out, out

    assert run(live, "backup", str(target))[0] == 0
    assert sorted(os.listdir(out_dir)) == [".notes.txt", "careline-Mon.db"]
    code, out = run(live, "doctor", "--backups", str(out_dir))
    assert code == 0 and "OK      backups: no copy left by an unfinished backup in " in out, out
    code, out = run(live, "doctor", "--backups", str(tmp_path / "no-such-folder"))
    assert code == 2 and "'--backups'" in out and "does not exist" in out, out


def test_a_second_backup_to_the_same_file_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    """Two cron lines, or a person beside cron: the second used to delete the first one's temporary file mid-copy,
    and both failed ("read-only", "disk I/O error")."""
    live = seeded(tmp_path / "live.db")
    target = tmp_path / "b.db"
    partial = tmp_path / ".b.db.partial"
    partial.write_bytes(b"the first backup's pages so far")
    first = os.open(partial, os.O_RDWR)
    fcntl.flock(first, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as the running backup holds it
    try:
        code, out = run(live, "backup", str(target))
        assert code == 1 and out.strip() == f"error: {target}: another backup to this file is running; wait for " \
                                             "it to finish", out
        assert partial.read_bytes() == b"the first backup's pages so far" and not target.exists()
        code, out = run(live, "doctor", "--backups", str(tmp_path))
        assert code == 0 and str(partial) not in out, out  # in progress, not stale
    finally:
        os.close(first)
    code, out = run(live, "backup", str(target))  # the first one gone (killed): its file is stale and reused
    assert code == 0 and counts(target)[2] == [("ok",)], out
    assert not partial.exists() and target.is_file()


SECOND = """
import os, sys, time
from careline.store.backup import StoreFileError, backup
while not os.path.exists(sys.argv[3]):  # started first, it copies the moment the first backup's file appears
    time.sleep(0.0005)
try:
    backup(sys.argv[1], sys.argv[2])
except StoreFileError as exc:
    print(exc)
"""


def test_two_backups_to_one_file_at_once_leave_one_whole_copy(tmp_path: Path) -> None:
    """The same race with two real processes: one finishes, the other says why it did not, the copy is whole."""
    live = seeded(tmp_path / "live.db", 400)
    filler = sqlite3.connect(live)
    with filler:  # about 40 MB, so the first copy is still running when the second starts
        filler.executemany("INSERT INTO events (at, actor, kind, subject, data) VALUES ('t', 's', 'fill', 'x', ?)",
                           ((f"{i}" + " " * 4000,) for i in range(10000)))
    filler.close()
    (tmp_path / "out").mkdir()
    target, partial = tmp_path / "out" / "b.db", tmp_path / "out" / ".b.db.partial"
    second = subprocess.Popen([sys.executable, "-c", SECOND, str(live), str(target), str(partial)], env=ENV,
                              text=True, stdout=subprocess.PIPE)
    time.sleep(1.0)  # its imports done: it waits for the first backup's file
    first = subprocess.run([sys.executable, "-c", FULL_DISK, str(live), str(target)], env=ENV, text=True,
                           capture_output=True, timeout=120)
    said = second.communicate(timeout=120)[0]
    assert first.returncode == 0 and first.stdout == "", first.stdout + first.stderr
    refused = f"{target}: another backup to this file is running; wait for it to finish"
    assert said.strip() in (refused, ""), said  # "": on a busy box it ran after the first had finished
    assert counts(target)[2] == [("ok",)] and os.listdir(tmp_path / "out") == ["b.db"]
