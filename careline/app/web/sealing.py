"""Two-factor secrets are stored sealed (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``), so a
copy of the database alone (a backup, a leaked file) cannot mint anyone's codes.

The key comes from ``$CARELINE_TOTP_KEY`` (a Fernet key: ``python -c "from cryptography.fernet import
Fernet; print(Fernet.generate_key().decode())"``) or, when that is unset, from a key file beside the
database, ``<database>.totp-key``, created once with mode 0600. Keep that file (or the variable) with
your backups: without it, people with two-factor on sign in with a recovery code and set it up again.
Secrets stored before sealing existed are sealed at the next start (:func:`seal_stored`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlite_utils import Database

from careline.errors import CarelineError

ENV = "CARELINE_TOTP_KEY"
PREFIX = "fernet:"


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


def fernet(db: Database) -> Fernet:
    path = key_file(db)
    return _fernet(os.environ.get(ENV, ""), str(path or ""))


def forget_keys() -> None:
    """Drop the keys this process has read (after the key file or ``$CARELINE_TOTP_KEY`` was replaced)."""
    _fernet.cache_clear()


def seal(db: Database, secret: str) -> str:
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
    """Seal every two-factor secret still stored in plain text; the count sealed."""
    plain = db.conn.execute("SELECT username, totp_secret FROM users WHERE totp_secret IS NOT NULL "
                            "AND totp_secret NOT LIKE 'fernet:%'").fetchall()
    for username, secret in plain:
        db.conn.execute("UPDATE users SET totp_secret = ? WHERE username = ?", (seal(db, secret), username))
    return len(plain)
