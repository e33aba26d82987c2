"""``careline doctor``: the checks a start-up must pass, in words, before anything polls or serves.

``careline run`` performs the same checks first: an ``error`` stops the start with one line naming
the file and the cause; a ``warning`` (a missing secret above all) is logged loudly and the service
starts anyway, so a half-configured box still serves its queue.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from careline.app.web.migrations import WEB
from careline.domain import from_iso, utcnow
from careline.errors import ConfigError
from careline.overlay import apply_overlay
from careline.settings import Settings, brand_env
from careline.store.backup import (
    applied_migrations,
    explain,
    integrity_errors,
    read_only,
    stale_partials,
    unknown_migrations,
)
from careline.store.migrations import CORE
from careline.store.overlay import read_entries

ERROR, WARNING, OK = "error", "warning", "ok"
CLOCK_SLACK = timedelta(minutes=5)
KNOWN_MIGRATIONS = (CORE, WEB)  # the sets the service applies
#: How a person makes a two-factor key file when the old one is lost (``careline.app.web.sealing`` never does then).
NEW_KEY = "umask 077; python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())' > {key}"


@dataclass(frozen=True, slots=True)
class Finding:
    level: str  # error, warning or ok
    check: str
    message: str

    def line(self) -> str:
        return f"{self.level.upper():<7} {self.check}: {self.message}"


def check_database(path: str | Path, *, now: datetime) -> list[Finding]:
    """Exists, readable and writable, 0600, passes quick_check, every migration applied, clock not behind it."""
    db_path = Path(path)
    if not db_path.exists():
        return [Finding(OK, "database", f"{db_path} does not exist yet; it will be created (0600)")]
    if not db_path.is_file():  # SQLite calls a folder "disk I/O error (is the disk full?)"
        return [Finding(ERROR, "database", f"{db_path} is a folder (or another kind of file), not a database file: "
                                           "point service.database at a file in it")]
    found = [_permissions(db_path)]
    if not os.access(db_path, os.W_OK) or not os.access(db_path.parent, os.W_OK):
        found.append(Finding(ERROR, "database", f"{db_path}: read-only for this user (the service must write)"))
    try:
        conn = read_only(db_path)
        try:
            found += _contents(conn, db_path, now)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        found.append(Finding(ERROR, "database", str(explain(db_path, exc))))
    return found


def _permissions(path: Path) -> Finding:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Finding(WARNING, "permissions", f"{path} is mode {mode:o}; others can read customer data "
                                               f"(chmod 600 {path})")
    return Finding(OK, "permissions", f"{path} is mode {mode:o}")


def _contents(conn: sqlite3.Connection, path: Path, now: datetime) -> list[Finding]:
    problems = integrity_errors(conn, quick=True)
    if problems:
        return [Finding(ERROR, "integrity", f"{path}: corrupt ({'; '.join(problems[:2])}); restore a backup")]
    found = [Finding(OK, "integrity", f"{path}: quick_check ok")]
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    found.append(_migrations(applied_migrations(conn), tables, path))
    if "users" in tables:
        found.append(_two_factor_key(conn, path))
    newest = conn.execute("SELECT max(at) FROM events").fetchone()[0] if "events" in tables else None
    when = from_iso(newest) if newest else None
    if when is not None and when > now + CLOCK_SLACK:
        found.append(Finding(WARNING, "clock", f"the system clock ({now:%Y-%m-%d %H:%M} UTC) is behind the newest "
                                              f"audit event ({when:%Y-%m-%d %H:%M}): SLA times will be wrong"))
    else:
        found.append(Finding(OK, "clock", f"{now:%Y-%m-%d %H:%M:%S} UTC, not behind the database"))
    return found


def _migrations(applied: set[tuple[str, str]] | None, tables: set[str], path: Path) -> Finding:
    """What a start will apply; an error for a file a newer Careline wrote (this code would misread it)."""
    newer = unknown_migrations(applied or set(), KNOWN_MIGRATIONS)
    if newer:
        return Finding(ERROR, "migrations", f"{path} was written by a newer Careline (migration "
                                            f"{', '.join(newer[:3])} is unknown here): upgrade Careline")
    if applied is None and tables:  # an error: `careline run` added some 150 tables to it after a warning
        return Finding(ERROR, "migrations", f"{path} holds tables but no Careline migration: another application's "
                                            "database? Point service.database at Careline's own file (a new one is "
                                            "made on the first start)")
    done = {name for group, name in applied or set() if group == CORE.name}
    pending = [m.name for m in CORE._migrations if m.name not in done]
    if pending:
        return Finding(OK, "migrations", f"{len(pending)} to apply at start: {', '.join(pending)}")
    return Finding(OK, "migrations", "all applied")


def _two_factor_key(conn: sqlite3.Connection, path: Path) -> Finding:
    """Sealed two-factor secrets need their key (``careline.app.web.sealing``): the variable or the key file.

    A key that exists is not enough: restored without its key file, a database once got a fresh one, which
    opens none of the stored secrets. So one sealed secret is opened with the key as a test."""
    sealed = conn.execute("SELECT count(*) FROM users WHERE totp_secret LIKE 'fernet:%'").fetchone()[0]
    sample = conn.execute("SELECT totp_secret FROM users WHERE totp_secret LIKE 'fernet:%' LIMIT 1").fetchone()
    key = Path(f"{path}.totp-key")
    env_key = os.environ.get("CARELINE_TOTP_KEY")
    if env_key:
        mismatch = _key_matches(env_key.encode(), "$CARELINE_TOTP_KEY", sealed, sample)
        return mismatch or Finding(OK, "two-factor key", "$CARELINE_TOTP_KEY is set")
    if key.exists():
        mismatch = _key_matches(key.read_bytes().strip(), str(key), sealed, sample)
        if mismatch:
            return mismatch
        mode = stat.S_IMODE(key.stat().st_mode)
        if mode & 0o077:
            return Finding(WARNING, "two-factor key", f"{key} is mode {mode:o} (chmod 600 {key})")
        return Finding(OK, "two-factor key", f"{key} (back it up apart from the database)")
    if sealed:
        return Finding(WARNING, "two-factor key", f"{sealed} sealed two-factor secret(s) but no key "
                                                  f"($CARELINE_TOTP_KEY unset, {key} missing): those people must "
                                                  "use a recovery code, and nobody can set two-factor up. Fix: put "
                                                  "back the key file backed up with this database; if it is lost, "
                                                  f"make a new one ({NEW_KEY.format(key=key)}) and those people "
                                                  "set two-factor up again")
    return Finding(OK, "two-factor key", f"{key} will be made when someone turns two-factor on")


def _key_matches(key: bytes, where: str, sealed: int, sample: tuple[str] | None) -> Finding | None:
    """None when ``key`` opens a stored secret (or none is stored); else a warning naming the key and what
    breaks. A warning, not an error: the queue, replies and every login still work (recovery codes are
    hashed, not sealed), and refusing to start would stop the whole team over one file."""
    if sample is None:
        return None
    try:
        Fernet(key).decrypt(sample[0][len("fernet:"):].encode())
    except (InvalidToken, ValueError):
        return Finding(WARNING, "two-factor key", f"{where} is not the key the {sealed} two-factor secret(s) in "
                                                  "this database were sealed with. What breaks: those people's "
                                                  "authenticator codes are refused, so they can sign in only with "
                                                  "a recovery code (one with none left is locked out), and "
                                                  "two-factor set up from now on is sealed with this key. Fix: "
                                                  "stop the service, put back the key backed up with this "
                                                  "database, start it again; if that key is lost, keep this one "
                                                  "and those people sign in with a recovery code and set "
                                                  "two-factor up again")
    return None


def check_overlay(settings: Settings) -> tuple[list[Finding], Settings]:
    """Whether the browser's settings still validate on top of this settings file (else the service runs
    on the file), and the settings the service runs with: read once, for this check and the next ones."""
    try:
        entries = read_entries(settings.service.database)
        if entries is None:
            return [], settings
        effective = apply_overlay(settings, entries)
    except sqlite3.Error:
        return [], settings  # check_database reports the file
    except ConfigError as exc:
        why = (f"the browser's settings do not apply on this settings file ({exc}); "
               "the service will run on the file alone until an admin fixes it")
        return [Finding(WARNING, "settings", why)], settings
    return [Finding(OK, "settings", f"{len(entries)} item(s) set in the browser validate on top of the settings "
                                    "file (careline config export shows the effective settings)")], effective


def check_credentials(settings: Settings, env: dict[str, str] | None = None) -> list[Finding]:
    """Each enabled source's secrets, each brand's reply token, the cookie key and webhook secrets."""
    env = dict(os.environ) if env is None else env
    if settings.simulator.enabled:
        return [Finding(OK, "credentials", "simulator mode: no platform secrets needed")]
    found: list[Finding] = []
    x, reddit = settings.sources.x, settings.sources.reddit
    if x.enabled and not x.bearer_token:
        found.append(Finding(WARNING, "x", "CARELINE_X_BEARER_TOKEN is not set: every X poll will fail (401)"))
    for brand in settings.brands if x.enabled else ():
        variable = brand_env("CARELINE_X_REPLY_TOKEN", brand.name)
        if not (env.get(variable) or env.get("CARELINE_X_REPLY_TOKEN")):
            found.append(Finding(WARNING, "x", f"{variable} (or CARELINE_X_REPLY_TOKEN) is not set: replies to "
                                               f"{brand.name} on X cannot be posted"))
    if reddit.enabled:
        missing = [name for name, value in (("CARELINE_REDDIT_CLIENT_ID", reddit.client_id),
                                            ("CARELINE_REDDIT_CLIENT_SECRET", reddit.client_secret),
                                            ("CARELINE_REDDIT_USERNAME", reddit.username),
                                            ("CARELINE_REDDIT_PASSWORD", reddit.password)) if not value]
        if missing:
            found.append(Finding(WARNING, "reddit", f"{', '.join(missing)} not set: Reddit polls will fail"))
    bluesky, mastodon = settings.sources.bluesky, settings.sources.mastodon
    if bluesky.enabled and not bluesky.app_password and not any(
            env.get(brand_env("CARELINE_BLUESKY_APP_PASSWORD", b.name)) for b in settings.brands):
        found.append(Finding(WARNING, "bluesky", "CARELINE_BLUESKY_APP_PASSWORD (or _<BRAND>) is not set: "
                                                 "Bluesky polls will fail"))
    if mastodon.enabled and not mastodon.access_token and not any(
            env.get(brand_env("CARELINE_MASTODON_TOKEN", b.name)) for b in settings.brands):
        found.append(Finding(WARNING, "mastodon", "CARELINE_MASTODON_TOKEN (or _<BRAND>) is not set: "
                                                  "Mastodon polls will fail"))
    for hook in settings.responder.webhooks:
        if hook.url and not env.get(hook.secret_env):
            found.append(Finding(WARNING, "webhooks", f"${hook.secret_env} is not set: alerts to {hook.url} "
                                                      f"will not be sent"))
    return found or [Finding(OK, "credentials", "every enabled source has its secrets")]


def check_backups(folders: Iterable[str | Path], *, now: datetime) -> list[Finding]:
    """Temporary copies (``.<name>.partial``) that backups killed part-way left in ``folders``: each holds a
    whole database's customer data, hidden, and the disk space of a backup, until the next backup to the
    same name removes it (a name with the weekday or month in it comes round only a week or a year later)."""
    seen = [Path(f) for f in dict.fromkeys(str(f) for f in folders) if Path(f).is_dir()]
    found = [p for folder in seen for p in stale_partials(folder)]
    if not found:
        if not seen:
            return [Finding(OK, "backups", "no backup folder to look in yet")]
        return [Finding(OK, "backups", f"no copy left by an unfinished backup in {', '.join(map(str, seen))}")]
    return [Finding(WARNING, "backups", f"{p.path} ({p.bytes / 1e6:.1f} MB, {_ago(now - p.modified)} old) was left "
                                        f"by a backup to {p.target.name} that was killed or crashed: delete it, or "
                                        f"the next backup to {p.target} removes it") for p in found]


def _ago(age: timedelta) -> str:
    hours = max(0, int(age.total_seconds() // 3600))
    return f"{hours // 24} day(s)" if hours >= 24 else f"{hours} hour(s)"


def doctor(settings: Settings, *, now: datetime | None = None, env: dict[str, str] | None = None,
           backups: Iterable[str | Path] = ()) -> list[Finding]:
    """Every check, in the order a person fixes them; ``backups`` are folders to look for unfinished backups
    in besides the database's own."""
    at = now or utcnow()
    overlay, effective = check_overlay(settings)
    database = str(settings.service.database)
    folders = [*([] if database == ":memory:" else [Path(database).parent]), *backups]
    return [*check_database(settings.service.database, now=at), *overlay, *check_setup(effective),
            *check_credentials(effective, env), *check_backups(folders, now=at)]


def check_setup(settings: Settings) -> list[Finding]:
    """What a first start needs beyond a valid file: a brand to listen for and someone who can log in. A ``careline
    run`` without them said "Careline is up" and then polled nothing, with nobody able to sign in to see so."""
    own = [b.name for b in settings.brands if b.kind != "competitor"]
    found = [Finding(OK, "brands", f"listening for {', '.join(own)}") if own else
             Finding(WARNING, "brands", "no brand is configured, so nothing is polled: add [[brands]] to the settings "
                                        "file (config/careline.example.toml shows one), or in the browser once an "
                                        "admin can log in")]
    people = _people(settings.service.database)
    if people == 0:
        found.append(Finding(WARNING, "users", "no account can log in: make one with careline user add NAME --role "
                                               "admin"))
    elif people is not None:
        found.append(Finding(OK, "users", f"{people} account{'s' if people != 1 else ''} can log in"))
    return found


def _people(database: str | Path) -> int | None:
    """Accounts not disabled in ``database``; 0 where it does not exist yet, None where it cannot be read (its own
    check says why)."""
    path = Path(database)
    if str(database) == ":memory:" or not path.exists():
        return 0
    try:
        with contextlib.closing(read_only(path)) as conn:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(users)")}
            if not columns:
                return 0
            where = " WHERE disabled_at IS NULL" if "disabled_at" in columns else ""
            return int(conn.execute(f"SELECT count(*) FROM users{where}").fetchone()[0])
    except sqlite3.Error:
        return None

