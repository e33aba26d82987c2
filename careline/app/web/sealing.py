"""Two-factor secrets are stored sealed (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``), so a
copy of the database alone (a backup, a leaked file) cannot mint anyone's codes.

The key comes from ``$CARELINE_TOTP_KEY`` (a Fernet key: ``python -c "from cryptography.fernet import
Fernet; print(Fernet.generate_key().decode())"``) or, when that is unset, from a key file beside the
database, ``<database>.totp-key``, created once with mode 0600. Keep that file (or the variable) with
your backups: without it, people with two-factor on sign in with a recovery code and set it up again.
The key file is made only while no secret is sealed; with sealed secrets and no key file, this process
uses a key of its own that it never writes, so the real key file can still be put back. It only reads with
that key: sealing with it would lose the secret at the next restart, so two-factor set-up is refused until
the key file is back (:func:`require_lasting_key`).
Secrets stored before sealing existed are sealed at the next start (:func:`seal_stored`).
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlite_utils import Database

from careline.errors import CarelineError, Conflict

ENV = "CARELINE_TOTP_KEY"
PREFIX = "fernet:"
log = logging.getLogger(__name__)


def key_file(db: Database) -> Path | None:
    """``<database>.totp-key``; None for an in-memory database."""
    row = db.conn.execute("PRAGMA database_list").fetchone()
    path = row[2] if row else ""
    return Path(path + ".totp-key") if path else None


@functools.lru_cache(maxsize=8)
def _fernet(env_key: str, path: str) -> Fernet:
    if env_key:
        try:
            return Fernet(env_key.encode())
        except ValueError:
            raise CarelineError(f"${ENV} is not a Fernet key (32 url-safe base64 bytes)") from None
    if not path:
        return Fernet(Fernet.generate_key())  # an in-memory database lives no longer than this process
    return Fernet(_read_or_create(Path(path)))


def _read_or_create(path: Path) -> bytes:
    """The key file's key, made once (O_EXCL, 0600) when absent; two processes starting at once agree."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    key = Fernet.generate_key()
    with os.fdopen(fd, "wb") as out:
        out.write(key + b"\n")
    return key


@functools.lru_cache(maxsize=8)
def _throwaway(path: str) -> Fernet:
    """A key for this process only, never written: ``path`` is missing but secrets are sealed already."""
    log.warning("two-factor secrets are sealed but %s is missing: put back the key file backed up with the "
                "database (until then those people must use a recovery code)", path)
    return Fernet(Fernet.generate_key())


def sealed_exist(db: Database) -> bool:
    """Whether any two-factor secret in ``db`` is sealed (and so needs its key)."""
    try:
        return db.conn.execute("SELECT 1 FROM users WHERE totp_secret LIKE 'fernet:%' LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:  # no users table: nothing sealed
        return False


def missing_key(db: Database) -> Path | None:
    """The key file the secrets in ``db`` were sealed with, when it is gone and ``$CARELINE_TOTP_KEY`` is unset:
    this process then has only a key of its own, and anything sealed with it is unreadable after a restart."""
    path = key_file(db)
    if os.environ.get(ENV) or path is None or path.exists() or not sealed_exist(db):
        return None
    return path


def require_lasting_key(db: Database) -> None:
    """Refuse to seal a new secret with a key that dies with this process: the person would be locked out of
    their authenticator after the next restart (or two-factor would silently stop asking for it)."""
    path = missing_key(db)
    if path is not None:
        log.error("two-factor set-up refused: %s is missing while secrets are sealed with it; put back the key "
                  "file backed up with the database ('careline doctor' checks it)", path)
        raise Conflict("two-factor sign-in cannot be set up now: the server's two-factor key file is missing, so "
                       "a secret stored now would stop working at the next restart. Ask an admin to put it back "
                       "('careline doctor' names the file), then try again")


def fernet(db: Database) -> Fernet:
    """The key for ``db``. A key file is made only while no secret is sealed: restored without its key
    file, a database with sealed secrets must not get a fresh one (it opens none of them, yet looks right,
    and would stand in the way of the real one being put back)."""
    path = key_file(db)
    env_key = os.environ.get(ENV, "")
    if not env_key and path is not None and not path.exists() and sealed_exist(db):
        return _throwaway(str(path))
    return _fernet(env_key, str(path or ""))


def forget_keys() -> None:
    """Drop the keys this process has read (after the key file or ``$CARELINE_TOTP_KEY`` was replaced)."""
    _fernet.cache_clear()
    _throwaway.cache_clear()


def seal(db: Database, secret: str) -> str:
    require_lasting_key(db)
    return PREFIX + fernet(db).encrypt(secret.encode()).decode()


def unseal(db: Database, stored: str | None) -> str | None:
    """The secret, or None; a secret sealed with another key is unusable (the person uses a recovery code)."""
    if not stored or not stored.startswith(PREFIX):
        return stored or None  # stored before sealing (until the next start seals it)
    try:
        return fernet(db).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        return None


def seal_stored(db: Database) -> int:
    """Seal every two-factor secret still stored in plain text; the count sealed. None while the key file is
    missing: a plain secret still works, one sealed with this process's own key would not after a restart."""
    if missing_key(db) is not None:
        return 0
    plain = db.conn.execute("SELECT username, totp_secret FROM users WHERE totp_secret IS NOT NULL "
                            "AND totp_secret NOT LIKE 'fernet:%'").fetchall()
    for username, secret in plain:
        db.conn.execute("UPDATE users SET totp_secret = ? WHERE username = ?", (seal(db, secret), username))
    return len(plain)
