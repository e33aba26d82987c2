"""Backups and restores of the SQLite file, and the file-level checks ``careline doctor`` runs.

A backup uses SQLite's online backup API in one step: it copies a consistent snapshot inside a single
read transaction while the service keeps writing (WAL mode lets the writer go on). Copying a few pages
a step would restart whenever the service commits, so a steadily writing service starved it for ever.
The copy is written to a temporary file created 0600 next to the target, checked with
``PRAGMA integrity_check``, fsynced and only then renamed into place: a backup file that exists is a
whole, verified one. A failed copy leaves no temporary file behind; a killed one leaves its hidden
``.<name>.partial``, which the next backup to the same target reuses and ``careline doctor`` reports. A
backup holds an exclusive ``flock`` on its temporary file until the rename, so a second backup to the
same target (two cron lines, a person beside cron) is refused at once instead of deleting the first
one's file mid-copy (both used to fail, with misleading causes), and a temporary file nobody holds is
known to be stale. A target that is the live database or one of its side files is refused: renaming a
copy over the open file corrupts it.

A restore is the same copy the other way, from a verified backup into the database path; it refuses
while another process holds the database (the service must be stopped first), a backup written by a
newer Careline (a migration this code does not know) and, unless forced, another application's file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from sqlite_utils.migrations import Migrations

from careline.errors import CarelineError
from careline.store.migrations import CORE

T = TypeVar("T")

PRIVATE = 0o600
ONE_STEP = -1  # the whole file in one backup step: one snapshot, which a writer cannot restart
SIDE_FILES = ("-wal", "-shm", "-journal", ".totp-key")  # SQLite's files beside a database, and the 2FA key
PARTIAL_FILES = ("", "-journal", "-wal", "-shm")  # the temporary copy and what SQLite makes beside it


class StoreFileError(CarelineError):
    """A database or backup file cannot be used; the message names the file and the cause."""

    def __init__(self, path: str | Path, cause: str, *, damaged: bool = False) -> None:
        super().__init__(f"{path}: {cause}")
        self.path = str(path)
        self.cause = cause
        #: The file itself is damaged (not a database, or corrupt), not merely locked, missing or unwritable.
        self.damaged = damaged


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


def explain(path: str | Path, exc: sqlite3.Error | OSError, *, advice: str = " (restore a backup)") -> StoreFileError:
    """SQLite's and the OS's errors in words, naming the file (``careline`` prints this one line). ``advice``
    follows a damaged file's cause: a database is restored from a backup; a backup being restored is not."""
    text = str(exc)
    causes = {"file is not a database": f"not a SQLite database, or corrupt{advice}",
              "database disk image is malformed": f"the database is corrupt{advice}",
              # damage that lands in the schema's own pages (a trigger's text) reads as a broken schema
              "malformed database schema": f"the database is corrupt: its schema cannot be read{advice}",
              "attempt to write a readonly database": "the database is read-only for this user",
              "unable to open database file": "cannot open: check the directory exists and is writable",
              "database is locked": "another process holds the database (stop the service first)",
              "database or disk is full": "the disk is full (free some space or choose another disk)",
              "disk I/O error": "cannot write: disk I/O error (is the disk full?)"}
    cause = next((words for key, words in causes.items() if key in text), text)
    damaged = any(key in text for key in DAMAGED)
    if isinstance(exc, PermissionError):
        cause = "permission denied"
    elif isinstance(exc, OSError) and exc.strerror:
        cause = causes["database or disk is full"] if exc.errno == errno.ENOSPC else exc.strerror.lower()
    return StoreFileError(path, cause, damaged=damaged and not isinstance(exc, OSError))


#: SQLite's words for a file that is itself damaged (what ``restore`` then moves aside instead of copying).
DAMAGED = ("file is not a database", "database disk image is malformed", "malformed database schema")


def move_aside(database: str | Path, to: str | Path) -> None:
    """Move a damaged ``database`` (and its -wal and -shm) to ``to``, byte for byte: it cannot be copied through
    SQLite, and a restore over it failed with "the database is corrupt (restore a backup)", the advice it gave."""
    source, target = Path(database), Path(to)
    for suffix in ("", "-wal", "-shm"):
        side = Path(f"{source}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")


def open_existing(path: str | Path, *, mode: str = "ro", timeout: float = 5.0) -> sqlite3.Connection:
    """A connection to an existing file (``mode`` "ro" or "rw"), which it never creates or migrates.

    Through a ``file:`` URI built by :meth:`Path.as_uri`: a path written straight into the URI was cut at a "#"
    or "?" ("/srv/care#2/careline.db" opened "/srv/care"), and a "%" was read as an escape."""
    return sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode={mode}", uri=True, timeout=timeout)


def read_only(path: str | Path, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A read-only connection to an existing file (:func:`open_existing`)."""
    return open_existing(path, timeout=timeout)


def _open_existing(path: Path, *, advice: str = " (restore a backup)") -> sqlite3.Connection:
    if not path.is_file():
        raise StoreFileError(path, "no such file")
    try:
        conn = read_only(path, timeout=30)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        raise explain(path, exc, advice=advice) from exc
    return conn


def own_files(database: str | Path) -> list[Path]:
    """The database and the files beside it that belong to it: writing over any one damages it."""
    return [Path(database), *(Path(f"{database}{suffix}") for suffix in SIDE_FILES)]


def is_database(path: str | Path) -> bool:
    """Whether ``path`` is a file that begins as every SQLite database does (a backup, a database)."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def same_file(a: Path, b: Path) -> bool:
    """The same path once resolved, or the same file under another name (a hard link)."""
    if a.resolve() == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return False


def refuse_own_file(database: str | Path, path: str | Path, cause: str) -> None:
    """Raise :class:`StoreFileError` naming ``path`` when it is the database or one of its own files."""
    for own in own_files(database):
        if same_file(Path(path), own):
            raise StoreFileError(path, f"{cause} ({own.name} is the live database's own file)")


def _partial(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial")


def _remove_partial(partial: Path, *, keep_copy: bool = False) -> None:
    """The temporary copy and its journal: left by a failed copy, or by one killed half-way. ``keep_copy``:
    only the journal files beside it (a backup reusing the copy it holds locked)."""
    for suffix in PARTIAL_FILES[1:] if keep_copy else PARTIAL_FILES:
        Path(f"{partial}{suffix}").unlink(missing_ok=True)


def _locked(fd: int, *, tries: int = 1) -> bool:
    """Take the exclusive flock on ``fd``; False when another process still holds it after ``tries`` attempts
    0.05 s apart (a backup holds it for its whole copy, ``careline doctor`` looking at the file for a moment)."""
    for attempt in range(tries):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if attempt + 1 < tries:
                time.sleep(0.05)
    return False


def _still_at(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (the backup that held it may have renamed it)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def _claim(partial: Path, target: Path) -> int:
    """``partial`` open and locked for this backup, emptied: a fresh file, or a stale one a killed backup left.

    Refused while another backup holds it. A lock won on a file that was renamed meanwhile (the other backup
    finished) is a lock on the other's finished backup, so the path is opened again. A folder that does not
    exist is refused, never made: a typo in a cron line ("/var/backup/") used to make a folder nobody looked in
    (a file in the way is named by the open below: "not a directory")."""
    if not os.path.lexists(partial.parent):
        raise StoreFileError(target, f"no folder {partial.parent} (a backup makes no folders: check the path, "
                                     "or create it first)")
    try:
        for _ in range(5):
            fd = os.open(partial, os.O_RDWR | os.O_CREAT, PRIVATE)
            if not _locked(fd, tries=10):
                os.close(fd)
                raise StoreFileError(target, "another backup to this file is running; wait for it to finish")
            if _still_at(fd, partial):
                _remove_partial(partial, keep_copy=True)
                os.ftruncate(fd, 0)
                os.fchmod(fd, PRIVATE)
                return fd
            os.close(fd)
    except OSError as exc:
        raise explain(target, exc) from exc
    raise StoreFileError(target, "other backups to this file keep starting; try again")


@dataclass(frozen=True, slots=True)
class Partial:
    """A temporary backup copy that no backup is writing: left by one that was killed or crashed."""

    path: Path
    target: Path
    bytes: int
    modified: datetime


def stale_partials(folder: str | Path) -> list[Partial]:
    """The ``.<name>.partial`` files in ``folder`` that no running backup holds (``careline doctor``).

    Only files of the backup's own naming pattern are looked at, and a locked one (a backup in progress) is
    left out; nothing is removed: the next backup to the same target does that."""
    found = []
    for path in sorted(Path(folder).glob(".?*.partial")):
        if path.is_symlink() or not path.is_file():
            continue
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            try:
                if _locked(fd):
                    info = os.fstat(fd)
                    found.append(Partial(path, path.with_name(path.name[1:-len(".partial")]), info.st_size,
                                         datetime.fromtimestamp(info.st_mtime, UTC)))
            finally:
                os.close(fd)
    return found


def _copy_error(source: Path, target: Path, exc: sqlite3.Error) -> StoreFileError:
    """Reading a damaged database is the source's fault; anything else in the copy is the target's."""
    damaged = any(words in str(exc) for words in ("malformed", "not a database"))
    return explain(source if damaged else target, exc)


def _copy(source: sqlite3.Connection, source_path: Path, partial: Path, target: Path) -> int:
    """Copy into ``partial`` as one self-contained, checked file; its page count."""
    try:
        copy = sqlite3.connect(partial)
    except sqlite3.Error as exc:
        raise explain(target, exc) from exc
    try:
        copy.execute("PRAGMA journal_mode = OFF")  # no -journal: a copy that fails is thrown away whole
        source.backup(copy, pages=ONE_STEP)
        copy.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file
        problems = integrity_errors(copy)
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
    except sqlite3.Error as exc:
        raise _copy_error(source_path, target, exc) from exc
    finally:
        copy.close()
    if problems:
        raise StoreFileError(target, "the copy failed its integrity check: " + "; ".join(problems[:3]))
    return pages


def backup(database: str | Path, target: str | Path) -> BackupReport:
    """Copy ``database`` to ``target`` (0600, integrity-checked), consistent while the service runs."""
    source_path, target_path = Path(database), Path(target)
    if not target_path.name:  # "" or "." (a script's empty variable): no file name to write
        raise StoreFileError(str(target) or "''", "no file name: name the backup file, e.g. careline-backup.db")
    refuse_own_file(source_path, target_path, "cannot back up over the database itself; choose another path")
    if target_path.exists() and not target_path.is_file():
        # the copy is renamed over the target: a named pipe or a device (/dev/full, as root) was replaced by a file
        raise StoreFileError(target_path, "exists and is not a regular file (a folder, a pipe or a device): name "
                                          "a file for the backup")
    if target_path.is_file() and target_path.stat().st_size and not is_database(target_path):
        # a backup replaces an earlier backup (the nightly rotation); this would destroy a settings file, a CSV
        raise StoreFileError(target_path, "exists and is not a database: a backup replaces only an earlier "
                                          "backup (choose another name, or remove the file first)")
    source = _open_existing(source_path)
    partial = _partial(target_path)
    try:
        fd = _claim(partial, target_path)
    except StoreFileError:
        source.close()
        raise
    done = False
    try:
        pages = _copy(source, source_path, partial, target_path)
        os.fsync(fd)
        os.replace(partial, target_path)
        done = True
        size = target_path.stat().st_size
    except OSError as exc:
        raise explain(target_path, exc) from exc
    finally:
        source.close()
        if not done:  # removed before the lock goes: while it is held, no other backup uses this path
            with contextlib.suppress(OSError):
                _remove_partial(partial)
        os.close(fd)
    return BackupReport(str(target_path), size, pages)


def _read(path: str | Path, read: Callable[[sqlite3.Connection], T], *, advice: str = " (restore a backup)") -> T:
    """``read`` on the existing file ``path``, closed after; SQLite's errors named for ``path``."""
    conn = _open_existing(Path(path), advice=advice)
    try:
        return read(conn)
    except sqlite3.Error as exc:
        raise explain(path, exc, advice=advice) from exc
    finally:
        conn.close()


#: What follows the damage of a file given to restore from: "(restore a backup)" read oddly of the backup itself.
NOT_RESTORABLE = ": it cannot be restored; choose another backup"


def verify_backup(path: str | Path) -> None:
    """:func:`verify` of a file to restore from: its damage said without the advice meant for a database, and
    with :data:`NOT_RESTORABLE`."""
    try:
        verify(path, advice="")
    except StoreFileError as exc:
        raise StoreFileError(path, exc.cause + NOT_RESTORABLE) from None


def verify(path: str | Path, *, advice: str = " (restore a backup)") -> None:
    """Raise :class:`StoreFileError` unless ``path`` is a whole SQLite file that passes integrity_check."""
    problems = _read(path, integrity_errors, advice=advice)
    if problems:
        raise StoreFileError(path, "failed its integrity check: " + "; ".join(problems[:3]))


def applied_migrations(conn: sqlite3.Connection) -> set[tuple[str, str]] | None:
    """Every (migration set, name) the file records as applied; None when it records none at all."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" not in tables:
        return None
    return {(r[0], r[1]) for r in conn.execute("SELECT migration_set, name FROM _sqlite_migrations")}


def unknown_migrations(applied: set[tuple[str, str]], known: Iterable[Migrations]) -> list[str]:
    """Applied migrations of a set this code has that this code does not know: a newer Careline wrote the
    file. Sets not in ``known`` are left alone (a stage this process does not load may own them)."""
    names = {(m.name, one.name) for m in known for one in m._migrations}
    groups = {m.name for m in known}
    return sorted(f"{group}/{name}" for group, name in applied - names if group in groups)


def careline_wrote(applied: set[tuple[str, str]] | None) -> bool:
    """Whether a file's applied migrations (``applied_migrations``) include Careline's own set."""
    return any(group == CORE.name for group, _ in applied or ())


class ForeignDatabase(StoreFileError):
    """The file is a SQLite database of another application (see :func:`refuse_foreign`)."""


def refuse_foreign(path: str | Path) -> None:
    """Refuse a file with tables of its own and no Careline migration: another application's database, named
    by a typo in service.database. The commands that only read would add Careline's tables to it and show an
    empty answer as the truth (``doctor`` warns of the same file; ``restore`` refuses it without --force)."""
    def foreign(conn: sqlite3.Connection) -> bool:
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return bool(tables.fetchone()[0]) and not careline_wrote(applied_migrations(conn))

    if _read(path, foreign):
        raise ForeignDatabase(path, "not a Careline database (it has tables but records no Careline migration)")


def check_restorable(backup_file: str | Path, known: Iterable[Migrations], *, force: bool = False) -> None:
    """Refuse a backup from a newer Careline (its schema would break this one) and, unless ``force``,
    another application's database (Careline would add its tables to it and find none of its data)."""
    applied = _read(backup_file, applied_migrations) or set()
    if not force and not careline_wrote(applied):
        raise StoreFileError(backup_file, "not a Careline database (it records no Careline migration); "
                                          "restore --force uses it anyway")
    newer = unknown_migrations(applied, known)
    if newer:
        raise StoreFileError(backup_file, f"written by a newer Careline (migration {', '.join(newer[:3])} is "
                                          "unknown here): upgrade Careline first, then restore")


def refuse_in_use(database: str | Path) -> None:
    """Refuse, in the words ``restore`` would, while another process has ``database`` open: a restore asked "Replace
    everything?" and only then said the service still held the file. Nothing is written (a missing file is fine)."""
    target = Path(database)
    if not target.is_file():
        return
    try:
        probe = open_existing(target, mode="rw", timeout=0.5)
        try:
            _hold_alone(probe)
        finally:
            probe.close()
    except sqlite3.Error as exc:
        raise explain(target, exc) from exc


def _hold_alone(conn: sqlite3.Connection) -> None:
    """Take ``conn``'s database for this connection alone, or fail at once where another process has it open: in
    exclusive locking mode a WAL database cannot be opened while any other connection has it, and the lock stays
    with ``conn`` after (until it is closed)."""
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("BEGIN EXCLUSIVE")
    conn.rollback()


def restore(backup_file: str | Path, database: str | Path, *, known: Iterable[Migrations] = (),
            force: bool = False) -> BackupReport:
    """Replace ``database``'s content with a verified backup; refuses while the database is in use.

    ``known`` are the migration sets this code applies (the store's core set is always one)."""
    refuse_own_file(database, backup_file, "cannot restore the database from itself")
    verify_backup(backup_file)
    check_restorable(backup_file, [CORE, *known], force=force)
    target = Path(database)
    try:
        create_private(target)
    except OSError as exc:
        raise explain(target, exc) from exc
    source = _open_existing(Path(backup_file))
    try:
        live = sqlite3.connect(target, timeout=0.5)
        try:
            _hold_alone(live)  # fails at once if the service (or anyone) has the file open; keeps them out after
            source.backup(live, pages=ONE_STEP)
            live.execute("PRAGMA journal_mode = WAL")
            pages = int(live.execute("PRAGMA page_count").fetchone()[0])
        finally:
            live.close()
    except sqlite3.Error as exc:
        raise explain(target, exc) from exc
    finally:
        source.close()
    return BackupReport(str(target), target.stat().st_size, pages)
