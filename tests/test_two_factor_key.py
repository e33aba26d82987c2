"""Two-factor set-up while the key file is missing: refused, instead of sealing with a key that dies with the
process (the person was locked out of their authenticator, or two-factor silently stopped asking, after
the next restart). Real app, real SQLite file, real HTTP through aiohttp's test server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pyotp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from careline.app.web import sealing
from careline.app.web.accounts import login_record, set_totp
from careline.app.web.app import create_app
from careline.app.web.auth import create_user
from careline.app.web.migrations import WEB
from careline.domain import Role
from careline.errors import Conflict
from careline.settings import Settings
from careline.store import Store

PASSWORD = "agent password one"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A database where the lead's secret is sealed, restored without its key file."""
    monkeypatch.delenv(sealing.ENV, raising=False)
    sealing.forget_keys()
    opened = Store(tmp_path / "k.db", extra=[WEB]).open_sync()
    opened.write_sync(lambda db: (create_user(db, "agent", Role.AGENT, PASSWORD),
                                  create_user(db, "lead", Role.LEAD, "lead password two"),
                                  set_totp(db, "lead", "lead", pyotp.random_base32())))
    _key_file(tmp_path).unlink()  # a restore onto a new box, the key file left behind
    sealing.forget_keys()
    yield opened
    opened.close_sync()
    sealing.forget_keys()


@pytest.fixture
async def client(store: Store) -> AsyncIterator[TestClient]:
    made = TestClient(TestServer(create_app(Settings(), store)))
    await made.start_server()
    yield made
    await made.close()


async def _signed_in(client: TestClient) -> str:
    """Log the agent in; the CSRF token the account page's API calls carry."""
    page = await client.get("/login")
    token = re.findall(r'name="csrf_token" value="([^"]+)"', await page.text())[-1]
    r = await client.post("/login", data={"username": "agent", "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False)
    assert r.status == 303, await r.text()
    account = await (await client.get("/account")).text()
    return re.search(r'name="csrf-token" content="([^"]+)"', account).group(1)  # type: ignore[union-attr]


def _key_file(tmp_path: Path) -> Path:
    return Path(f"{tmp_path / 'k.db'}.totp-key")


def _new_key_file(tmp_path: Path) -> None:
    """What an admin does when the old key is lost: a new key file (the sealed secrets stay unreadable)."""
    _key_file(tmp_path).write_bytes(sealing.Fernet.generate_key() + b"\n")
    sealing.forget_keys()


def _secret_of(store: Store, username: str) -> str | None:
    return store.read_sync(lambda db: db.conn.execute("SELECT totp_secret FROM users WHERE username = ?",
                                                      (username,)).fetchone()[0])


async def test_two_factor_set_up_is_refused_while_the_key_file_is_missing(client: TestClient, store: Store,
                                                                         tmp_path: Path) -> None:
    csrf = await _signed_in(client)
    r = await client.post("/api/account/two-factor/start", headers={"X-CSRF-Token": csrf})
    assert r.status == 409, await r.text()
    message = (await r.json())["error"]["message"]
    assert "key file is missing" in message and "Ask an admin" in message and str(tmp_path) not in message
    secret = pyotp.random_base32()  # a client that skips start: enable refuses too, and stores nothing
    r = await client.post("/api/account/two-factor/enable", json={"secret": secret, "code": pyotp.TOTP(secret).now()},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 409 and "key file is missing" in await r.text()
    assert _secret_of(store, "agent") is None
    assert store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM totp_recovery_codes WHERE username = 'agent'").fetchone()[0]) == 0
    assert not _key_file(tmp_path).exists()  # no fresh key stands in for the real one


async def test_with_the_key_file_back_set_up_works_and_survives_a_restart(client: TestClient, store: Store,
                                                                         tmp_path: Path) -> None:
    _new_key_file(tmp_path)
    csrf = await _signed_in(client)
    r = await client.post("/api/account/two-factor/start", headers={"X-CSRF-Token": csrf})
    assert r.status == 200, await r.text()
    secret = (await r.json())["secret"]
    r = await client.post("/api/account/two-factor/enable", json={"secret": secret, "code": pyotp.TOTP(secret).now()},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 200, await r.text()
    sealing.forget_keys()  # what a restart forgets
    record = store.read_sync(lambda db: login_record(db, "agent"))
    assert record is not None and record.totp_secret == secret


def test_a_plain_secret_is_left_plain_at_start_while_the_key_file_is_missing(store: Store) -> None:
    """An older version's plain secret still works; sealed with this process's own key it would not after a
    restart. It is sealed at the first start with the key file back."""
    legacy = pyotp.random_base32()
    store.write_sync(lambda db: db.conn.execute("UPDATE users SET totp_secret = ? WHERE username = 'agent'",
                                                (legacy,)))
    assert store.write_sync(sealing.seal_stored) == 0 and _secret_of(store, "agent") == legacy
    with pytest.raises(Conflict, match="key file is missing"):
        store.write_sync(lambda db: set_totp(db, "agent", "agent", pyotp.random_base32()))
    assert _secret_of(store, "agent") == legacy
