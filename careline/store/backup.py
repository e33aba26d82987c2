"""Backups and restores of the SQLite file, and the file-level checks ``careline doctor`` runs.

A backup uses SQLite's online backup API: it copies a consistent snapshot page by page while the
service keeps reading and writing (WAL mode lets a writer go on; the copy restarts the pages a write
changed), so no one has to stop anything. The copy is written to a temporary file created 0600
next to the target, checked with ``PRAGMA integrity_check``, fsynced and only then renamed into
place: a backup file that exists is a whole, verified one.

A restore is the same copy the other way, from a verified backup into the database path; it refuses
while another process holds the database (the service must be stopped first).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from careline.errors import CarelineError

PRIVATE = 0o600
PAGES_PER_STEP = 256  # about 1 MiB a step: the service's writer waits at most one step's copy


class StoreFileError(CarelineError):
    """A database or backup file cannot be used; the message names the file and the cause."""

    def __init__(self, path: str | Path, cause: str) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = str(path)
        self.cause = cause


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: str
    bytes: int
    pages: int


def create_private(path: str | Path) -> None:
    """Create ``path`` empty with mode 0600 unless it exists (SQLite gives -wal/-shm the same mode)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE))


def integrity_errors(conn: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    """``PRAGMA integrity_check`` (or the faster ``quick_check``): empty when the file is sound."""
    pragma = "quick_check" if quick else "integrity_check"
    found = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
    return [] if found == ["ok"] else found


def explain(path: str | Path, exc: sqlite3.Error | OSError) -> StoreFileError:
    """SQLite's and the OS's errors in words, naming the file (``careline`` prints this one line)."""
    text = str(exc)
    causes = {"file is not a database": "not a SQLite database, or corrupt (restore a backup)",
              "database disk image is malformed": "the database is corrupt (restore a backup)",
              "attempt to write a readonly database": "the database is read-only for this user",
              "unable to open database file": "cannot open: check the directory exists and is writable",
              "database is locked": "another process holds the database (stop the service first)"}
    cause = next((words for key, words in causes.items() if key in text), text)
    if isinstance(exc, PermissionError):
        cause = "permission denied"
    return StoreFileError(path, cause)


def _open_existing(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreFileError(path, "no such file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise explain(path, exc) from exc
    return conn


def backup(database: str | Path, target: str | Path) -> BackupReport:
    """Copy ``database`` to ``target`` (0600, integrity-checked), consistent while the service runs."""
    source_path, target_path = Path(database), Path(target)
    source = _open_existing(source_path)
    partial = target_path.with_name(f".{target_path.name}.partial")
    partial.unlink(missing_ok=True)
    create_private(partial)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=PAGES_PER_STEP)
            copy.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
            problems = integrity_errors(copy)
            pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        finally:
            copy.close()
        if problems:
            raise StoreFileError(target_path, "the copy failed its integrity check: " + "; ".join(problems[:3]))
        with open(partial, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target_path)
    except sqlite3.Error as exc:
        raise explain(source_path, exc) from exc
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return BackupReport(str(target_path), target_path.stat().st_size, pages)


def verify(path: str | Path) -> None:
    """Raise :class:`StoreFileError` unless ``path`` is a whole SQLite file that passes integrity_check."""
    conn = _open_existing(Path(path))
    try:
        problems = integrity_errors(conn)
    except sqlite3.Error as exc:
        raise explain(path, exc) from exc
    finally:
        conn.close()
    if problems:
        raise StoreFileError(path, "failed its integrity check: " + "; ".join(problems[:3]))


def restore(backup_file: str | Path, database: str | Path) -> BackupReport:
    """Replace ``database``'s content with a verified backup; refuses while the database is in use."""
    verify(backup_file)
    target = Path(database)
    create_private(target)
    source = _open_existing(Path(backup_file))
    try:
        live = sqlite3.connect(target, timeout=0.5)
        try:
            # In exclusive locking mode a WAL database cannot be opened while any other connection has it:
            # this fails at once if the service (or anyone) has the file open, and keeps them out after.
            live.execute("PRAGMA locking_mode = EXCLUSIVE")
            live.execute("BEGIN EXCLUSIVE")
            live.rollback()
            source.backup(live, pages=PAGES_PER_STEP)
            live.execute("PRAGMA journal_mode = WAL")
            pages = int(live.execute("PRAGMA page_count").fetchone()[0])
        finally:
            live.close()
    except sqlite3.Error as exc:
        raise explain(target, exc) from exc
    finally:
        source.close()
    return BackupReport(str(target), target.stat().st_size, pages)
