"""SQLite access from async code: one writer thread, a small pool of reader threads.

SQLite allows one writer at a time and ``sqlite3`` connections are bound to the thread that made
them, so (as in datasette's ``database.py``) every write runs on a single dedicated thread that owns
the only writing connection, inside ``BEGIN IMMEDIATE`` ... ``COMMIT``. Reads run on their own
connections in a separate pool, so the dashboard never waits behind ingest and the event loop never
waits on either.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from careline.store.backup import (
    StoreFileError,
    applied_migrations,
    create_private,
    explain,
    integrity_errors,
    unknown_migrations,
)
from careline.store.migrations import CORE

log = logging.getLogger(__name__)
T = TypeVar("T")

#: A check that runs first in every write transaction of the task that set it, and refuses the write by raising.
#: The web app sets it per request to "the person's sign-in still stands": a change already on its way when an
#: admin disabled them, reset their password or revoked their token was saved after the answer that said it had
#: ended (23 accounts added by a just-disabled admin). Work started by the service, not a person, sets none.
WRITE_GUARD: ContextVar[Callable[[Database], None] | None] = ContextVar("careline_write_guard", default=None)


def _guarded(guard: Callable[[Database], None], fn: Callable[[Database], T]) -> Callable[[Database], T]:
    def both(db: Database) -> T:
        guard(db)
        return fn(db)
    return both


def connect(path: str | Path, *, any_thread: bool = False) -> Database:
    """Open one connection with the pragmas every Careline connection needs.

    ``any_thread`` is for reader connections: each is used by one pool thread only, but the pool
    owner closes them all at shutdown from its own thread.
    """
    if str(path) != ":memory:":
        create_private(path)  # a new database is 0600: it holds customers' posts and the team's sessions
    conn = sqlite3.connect(str(path), timeout=30, check_same_thread=not any_thread)
    db = Database(conn)
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def migrate(db: Database, extra: Iterable[Migrations] = ()) -> None:
    """Apply every pending migration; applying twice is a no-op (sqlite-utils records each).

    Processes that start together (the service and a command, two workers) must not both apply the
    same migration: sqlite-utils reads what is pending before any lock, so each set is applied inside
    one ``BEGIN IMMEDIATE`` transaction, which waits for any other process migrating (busy_timeout)
    and then reads what is pending afresh. Inside it each migration is a savepoint; a failure rolls the
    whole set back, and the next start applies it again.
    """
    use_wal(db)
    for migrations in (CORE, *extra):
        _apply_locked(db, migrations)


def refuse_newer(db: Database, path: str | Path, extra: Iterable[Migrations] = ()) -> None:
    """Refuse a file a newer Careline wrote (a migration of one of our sets this code does not know): this
    code would misread its tables, and writing to it (``user add`` after a downgrade) could break it for the
    version that made it. ``doctor`` reports the same file as an error."""
    newer = unknown_migrations(applied_migrations(db.conn) or set(), (CORE, *extra))
    if newer:
        raise StoreFileError(path, f"written by a newer Careline (migration {', '.join(newer[:3])} is unknown here): "
                                   "upgrade Careline to use it")


def use_wal(db: Database) -> None:
    """Put the file in WAL mode, waiting out other processes as long as the connection's busy_timeout.

    SQLite does not call the busy handler for this switch: it needs the write lock while already
    reading, so when another process is writing (or switching too, as when the service and a
    command create one file together) it fails at once with "database is locked". Retry with a
    growing pause until the file is WAL (whoever switched it) or the busy_timeout has passed.
    """
    deadline = time.monotonic() + db.execute("PRAGMA busy_timeout").fetchone()[0] / 1000
    pause = 0.005
    while db.journal_mode != "wal":
        try:
            db.enable_wal()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


def _apply_locked(db: Database, migrations: Migrations) -> None:
    """One migration set under the write lock (a start that finds nothing pending holds it a moment)."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(db)
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


#: How long a checkpoint after an erasure waits for other readers before leaving the rest to SQLite's own.
CHECKPOINT_WAIT_MS = 250


class Store:
    """Async facade over one SQLite file.

    ``write(fn)`` runs ``fn(db)`` on the writer thread inside one ``BEGIN IMMEDIATE`` transaction:
    either everything ``fn`` did is committed or none of it is. That is what makes "store a batch of
    mentions and advance the cursor" crash-safe.
    """

    def __init__(self, path: str | Path, *, readers: int = 2, extra: Iterable[Migrations] = ()) -> None:
        self.path = Path(path)
        self._extra = tuple(extra)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careline-writer")
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="careline-reader")
        self._local = threading.local()
        self._write_db: Database | None = None
        self._all_readers: list[Database] = []
        self._lock = threading.Lock()
        # write transactions this process committed: a version for caches of derived figures
        # (the lead's SLA summary). Other processes' writes are not counted.
        self.commits = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def open_sync(self) -> Store:
        """Create the file, migrate it, and bind the writer connection to the writer thread."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._writer.submit(self._open_writer).result()
        return self

    async def open(self) -> Store:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self._open_writer)
        return self

    def _open_writer(self) -> None:
        """Open and migrate; a corrupt, truncated or read-only file is a :class:`StoreFileError` naming it."""
        try:
            db = connect(self.path)
            if integrity_errors(db.conn, quick=True):
                raise sqlite3.DatabaseError("database disk image is malformed")
            try:
                refuse_newer(db, self.path, self._extra)
            except StoreFileError:
                db.close()
                raise
            migrate(db, self._extra)
        except (sqlite3.Error, OSError) as exc:
            raise explain(self.path, exc) from exc
        self._write_db = db

    def close_sync(self) -> None:
        def _close() -> None:
            if self._write_db is not None:
                self._write_db.close()
                self._write_db = None

        self._writer.submit(_close).result()
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        with self._lock:
            for db in self._all_readers:
                db.conn.close()
            self._all_readers.clear()

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close_sync)

    # -- work ------------------------------------------------------------------------------------
    def _transaction(self, fn: Callable[[Database], T]) -> T:
        db = self._write_db
        if db is None:
            raise RuntimeError("store is not open")
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(db)
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()
        self.commits += 1
        return result

    def _reader(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path, any_thread=True)
            db.execute("PRAGMA query_only = ON")
            self._local.db = db
            with self._lock:
                self._all_readers.append(db)
        return db

    async def write(self, fn: Callable[[Database], T]) -> T:
        """Run ``fn`` in one write transaction on the writer thread, after the :data:`WRITE_GUARD` of the
        calling task (if any) in the same transaction."""
        loop = asyncio.get_running_loop()
        guard = WRITE_GUARD.get()
        if guard is not None:
            return await loop.run_in_executor(self._writer, self._transaction, _guarded(guard, fn))
        return await loop.run_in_executor(self._writer, self._transaction, fn)

    async def record(self, fn: Callable[[Database], T]) -> T:
        """Run ``fn`` in one write transaction without the calling task's :data:`WRITE_GUARD`: for a write that
        records what already happened outside (a platform took the reply), not a change the person asks for. Why:
        an agent disabled while their reply was on its way was told "nothing was changed" about a public post, the
        post was left "sending", and on Reddit, which cannot be searched for it, a retry posted it twice."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, self._transaction, fn)

    async def read(self, fn: Callable[[Database], T]) -> T:
        """Run ``fn`` on a read-only connection in the reader pool."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, lambda: fn(self._reader()))

    def write_sync(self, fn: Callable[[Database], T]) -> T:
        """For the CLI and tests that have no loop: same transaction, same thread."""
        return self._writer.submit(self._transaction, fn).result()

    def read_sync(self, fn: Callable[[Database], T]) -> T:
        return self._readers.submit(lambda: fn(self._reader())).result()

    def _checkpoint(self) -> bool:
        db = self._write_db
        if db is None:
            raise RuntimeError("store is not open")
        # waiting for another process's readers held every write of the service (the writer thread is this one)
        # for the whole busy timeout: a short wait, then the automatic checkpoint finishes the work
        before = db.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        db.conn.execute(f"PRAGMA busy_timeout = {CHECKPOINT_WAIT_MS}")
        try:
            busy = db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        finally:
            db.conn.execute(f"PRAGMA busy_timeout = {int(before)}")
        return not busy

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and empty it; False when a reader kept it from
        finishing. After an erasure: until then the file still holds the erased pages as they were (``secure_delete``
        zeroes them in the log's new copies)."""
        return await asyncio.get_running_loop().run_in_executor(self._writer, self._checkpoint)

    def checkpoint_sync(self) -> bool:
        return self._writer.submit(self._checkpoint).result()
