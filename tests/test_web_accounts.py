"""Accounts a security team signs off: redirects, throttling, audit, two-factor, tokens, idle timeout.

Real app, real SQLite file, real HTTP through aiohttp's test server; concurrency is real requests
in flight together.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from cryptography.fernet import Fernet

from careline.app.web.accounts import (
    create_link,
    login_record,
    new_recovery_codes,
    revoke_token,
    set_totp,
    tokens,
    update_account,
)
from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.app.web.migrations import WEB
from careline.app.web.sealing import forget_keys
from careline.domain import Role, to_iso
from careline.errors import Forbidden
from careline.settings import AccountsSettings, Settings
from careline.store import Store

PASSWORDS = {"agent": "agent password one", "lead": "lead password two", "admin": "admin password three"}


@pytest.fixture
def acc_store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "acc.db", extra=[WEB]).open_sync()

    def fill(db):  # type: ignore[no-untyped-def]
        for name, password in PASSWORDS.items():
            create_user(db, name, Role(name), password)

    store.write_sync(fill)
    yield store  # type: ignore[misc]
    store.close_sync()


Make = Callable[..., "asyncio.Future[TestClient]"]


@pytest.fixture
async def make_client(acc_store: Store) -> AsyncIterator[Callable[..., object]]:
    """A client of an app with the given account settings (several may run against one store)."""
    made: list[TestClient] = []

    async def make(**accounts: object) -> TestClient:
        settings = Settings(accounts=AccountsSettings(**accounts))  # type: ignore[arg-type]
        client = TestClient(TestServer(create_app(settings, acc_store)))
        await client.start_server()
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()


async def form_token(client: TestClient, path: str = "/login") -> str:
    """The page form's own CSRF token (the last one: a signed-in page also has the log-out form's)."""
    page = await client.get(path)
    return re.findall(r'name="csrf_token" value="([^"]+)"', await page.text())[-1]


async def post_login(client: TestClient, user: str, password: str, nxt: str = "", **headers: str):  # type: ignore[no-untyped-def]
    token = await form_token(client)
    return await client.post("/login", data={"username": user, "password": password, "csrf_token": token,
                                             "next": nxt}, allow_redirects=False, headers=headers)


def events(store: Store, kind: str) -> list[dict]:
    rows = store.read_sync(lambda db: db.conn.execute(
        "SELECT actor, subject, data FROM events WHERE kind = ? ORDER BY id", (kind,)).fetchall())
    return [{"actor": a, "subject": s, **json.loads(d)} for a, s, d in rows]


# -- the open redirect ---------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", ["/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example",
                                     "//evil.example", "/%5Cevil.example", "/%5C/evil.example",
                                     "https:evil.example", "https://evil.example", "/%20/evil.example",
                                     "javascript:alert(1)", "%2F%2Fevil.example"])
async def test_login_never_redirects_off_site(make_client, payload: str) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    page = await client.get(f"/login?next={payload}")
    assert 'name="next" value=""' in await page.text()
    raw = payload.replace("%09", "\t").replace("%0a", "\n").replace("%0d", "\r").replace("%5C", "\\") \
        .replace("%20", " ").replace("%2F", "/")
    r = await post_login(client, "agent", PASSWORDS["agent"], nxt=raw)
    assert r.status == 303 and r.headers["Location"] == "/"


async def test_login_keeps_a_plain_local_next(make_client) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    r = await post_login(client, "lead", PASSWORDS["lead"], nxt="/sla?brand=skylark#top")
    assert r.status == 303 and r.headers["Location"] == "/sla?brand=skylark#top"


@pytest.mark.parametrize(("referer", "back_to"), [("/conversations/3?view=mine", "/conversations/3?view=mine"),
                                                 ("https://evil.example/conversations/3", "/"), ("", "/")])
async def test_a_form_posted_after_the_session_ended_comes_back_to_its_page(make_client, referer: str,  # type: ignore[no-untyped-def]
                                                                            back_to: str) -> None:
    """The security audit: the login sent the person on to the form's own address, which answers only POST:
    "405 Method Not Allowed" after logging in. Back to the page the form was on, when it was this site's."""
    client = await make_client()
    host = f"http://{client.host}:{client.port}"
    headers = {"Referer": host + referer if referer.startswith("/") else referer, "Accept": "text/html"}
    r = await client.post("/conversations/3/notes", data={"text": "typed before lunch"}, headers=headers,
                          allow_redirects=False)
    location = urlsplit(r.headers["Location"])
    assert r.status == 303 and location.path == "/login" and parse_qs(location.query)["next"] == [back_to]
    r = await post_login(client, "agent", PASSWORDS["agent"], nxt=back_to)
    assert r.status == 303 and r.headers["Location"] == back_to


# -- throttling and audit -----------------------------------------------------------------------------------
async def test_wrong_passwords_are_throttled_per_account_then_429_with_retry_after(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    statuses = [(await post_login(client, "admin", f"guess number {i}")).status for i in range(5)]
    assert statuses == [401] * 5
    r = await post_login(client, "admin", PASSWORDS["admin"])  # even the right one waits now
    assert r.status == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
    assert "Too many login attempts" in await r.text()
    failed = events(acc_store, "login.failed")
    assert len(failed) == 5 and all(e["address"] == "127.0.0.1" and e["reason"] == "wrong password" for e in failed)
    assert events(acc_store, "login.throttled")[0]["subject"] == "user:admin"
    assert (await post_login(client, "agent", PASSWORDS["agent"])).status == 303  # another account is unaffected


async def test_concurrent_guesses_cannot_slip_past_the_limit(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    token = await form_token(client)
    answers = await asyncio.gather(*(client.post(
        "/login", data={"username": "lead", "password": f"wrong {i}", "csrf_token": token}, allow_redirects=False)
        for i in range(20)))
    statuses = sorted(r.status for r in answers)
    assert statuses.count(401) == 5 and statuses.count(429) == 15
    assert len(events(acc_store, "login.failed")) == 5


async def test_a_forged_forwarded_line_does_not_dodge_the_address_limit(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    """The security audit: behind a local proxy that adds its own X-Forwarded-For line (HAProxy), a client's
    forged first line was the one read, so every guess counted under a new address. The lines are one list."""
    client = await make_client(address_attempts="8/minute")
    statuses = []
    for i in range(10):
        r = await post_login(client, f"user{i}", "some password here",
                             **{"X-Forwarded-For": f"198.51.100.{i}, 203.0.113.7"})
        statuses.append(r.status)
    token = await form_token(client)
    lines = [("X-Forwarded-For", "198.51.100.99"), ("X-Forwarded-For", "203.0.113.7")]
    r = await client.post("/login", data={"username": "user99", "password": "x" * 12, "csrf_token": token},
                          allow_redirects=False, headers=lines)
    assert statuses == [401] * 8 + [429] * 2 and r.status == 429
    assert {e["address"] for e in events(acc_store, "login.failed")} == {"203.0.113.7"}


async def test_the_address_limit_stops_spraying_many_usernames(make_client) -> None:  # type: ignore[no-untyped-def]
    client = await make_client(address_attempts="8/minute")
    statuses = [(await post_login(client, f"user{i}", "some password here")).status for i in range(10)]
    assert statuses == [401] * 8 + [429] * 2


async def test_success_is_audited_and_clears_the_account_count(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    for i in range(4):
        assert (await post_login(client, "agent", f"typo {i}")).status == 401
    assert (await post_login(client, "agent", PASSWORDS["agent"], **{"User-Agent": "pytest <b>"})).status == 303
    for i in range(4):
        assert (await post_login(client, "agent", f"typo again {i}")).status == 401
    ok = events(acc_store, "login.succeeded")
    assert ok == [{"actor": "agent", "subject": "user:agent", "address": "127.0.0.1", "method": "password"}]


async def test_unknown_and_disabled_users_fail_alike_unless_the_password_is_right(  # type: ignore[no-untyped-def]
        make_client, acc_store) -> None:
    """A stranger learns nothing of which accounts exist or are disabled; the person who gives a disabled
    account's right password is told it is disabled (they read "wrong password" and tried again and again)."""
    client = await make_client()
    acc_store.write_sync(lambda db: update_account(db, "admin", "agent", {"disabled": True}))
    a = await post_login(client, "agent", "not the password at all")
    b = await post_login(client, "nobody", "whatever it is here")
    assert a.status == b.status == 401 and "Wrong username or password." in await a.text()
    c = await post_login(client, "agent", PASSWORDS["agent"])
    said = await c.text()
    assert c.status == 401 and "This account is disabled. Ask an admin" in said and "Wrong username" not in said
    assert [e["reason"] for e in events(acc_store, "login.failed")] == ["wrong password", "unknown user", "disabled"]


async def test_hostile_username_is_stored_as_text_and_shown_escaped(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    r = await post_login(client, "<script>alert(1)</script>", "x" * 20)
    assert r.status == 401 and "<script>alert" not in await r.text()
    assert events(acc_store, "login.failed")[0]["subject"] == "user:<script>alert(1)</script>"


# -- two-factor -------------------------------------------------------------------------------------------
async def test_two_factor_login_needs_a_fresh_code(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    secret = pyotp.random_base32()
    acc_store.write_sync(lambda db: set_totp(db, "admin", "admin", secret))
    client = await make_client()
    r = await post_login(client, "admin", PASSWORDS["admin"], nxt="/sla")
    page = await r.text()
    assert r.status == 200 and 'action="/login/code"' in page and "careline_session" not in str(r.cookies)
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]

    async def code(value: str):  # type: ignore[no-untyped-def]
        return await client.post("/login/code", data={"pending": pending, "code": value, "csrf_token": token},
                                 allow_redirects=False)

    assert (await code("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")).status == 401
    good = pyotp.TOTP(secret).now()
    r = await code(good)
    assert r.status == 303 and r.headers["Location"] == "/sla"
    assert (await client.get("/api/me")).status == 200
    # the same code cannot be used again, even through a new password step
    r = await post_login(client, "admin", PASSWORDS["admin"])
    page = await r.text()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    r = await code(good)
    assert r.status == 401 and "already used" in await r.text()
    methods = [e["method"] for e in events(acc_store, "login.succeeded")]
    assert methods == ["password and two-factor code"]
    assert events(acc_store, "login.failed")[-1]["reason"] == "two-factor code"


async def _code_step(client: TestClient) -> tuple[str, str]:
    """Log in as admin with the password; the pending key and CSRF token of the code step."""
    page = await (await post_login(client, "admin", PASSWORDS["admin"])).text()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return pending, re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]


async def test_recovery_codes_are_hashed_work_once_even_when_raced_and_end_with_two_factor(  # type: ignore[no-untyped-def]
        make_client, acc_store) -> None:
    secret = pyotp.random_base32()
    acc_store.write_sync(lambda db: set_totp(db, "admin", "admin", secret))
    codes = acc_store.write_sync(lambda db: new_recovery_codes(db, "admin", "admin"))
    assert len(codes) == len(set(codes)) == 10
    stored = acc_store.read_sync(lambda db: db.conn.execute("SELECT code_hash FROM totp_recovery_codes").fetchall())
    assert all(len(h) == 64 and h not in {c.replace("-", "") for c in codes} for (h,) in stored)  # hashes only
    clients = [await make_client() for _ in range(2)]
    steps = [await _code_step(c) for c in clients]

    async def use(client: TestClient, pending: str, token: str) -> int:
        r = await client.post("/login/code", data={"pending": pending, "recovery": codes[0], "csrf_token": token},
                              allow_redirects=False)
        return r.status

    statuses = await asyncio.gather(*(use(c, p, t) for c, (p, t) in zip(clients, steps, strict=True)))
    assert sorted(statuses) == [303, 401]  # two logins racing with one code: exactly one gets in
    assert [e["left"] for e in events(acc_store, "account.recovery_code_used")] == [9]
    assert events(acc_store, "login.succeeded")[-1]["method"] == "password and recovery code"
    assert events(acc_store, "login.failed")[-1]["reason"] == "recovery code"
    signed_in = clients[statuses.index(303)]
    csrf = await form_token(signed_in, "/account")  # the session's token, as the page carries it
    wrong = await signed_in.post("/api/account/two-factor/recovery-codes", json={"current": "not my password"},
                                 headers={"X-CSRF-Token": csrf})
    assert wrong.status in (400, 401, 403)
    fresh = await signed_in.post("/api/account/two-factor/recovery-codes", json={"current": PASSWORDS["admin"]},
                                 headers={"X-CSRF-Token": csrf})
    new_codes = (await fresh.json())["recovery_codes"]
    assert fresh.status == 200 and not set(new_codes) & set(codes)  # the old set ended
    acc_store.write_sync(lambda db: set_totp(db, "admin", "admin", None))
    left = acc_store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM totp_recovery_codes").fetchone()[0])
    assert left == 0


async def test_a_role_that_requires_two_factor_is_sent_to_set_it_up(make_client) -> None:  # type: ignore[no-untyped-def]
    client = await make_client(totp_roles=["admin"])
    assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303
    r = await client.get("/sla", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/account#two-factor"
    r = await client.get("/api/queue")
    assert r.status == 403 and "two-factor" in (await r.json())["error"]["message"]
    assert (await client.get("/api/me")).status == 200


async def test_a_role_that_requires_two_factor_gets_no_way_round_it_with_a_token(  # type: ignore[no-untyped-def]
        make_client, acc_store) -> None:
    """The security audit: signed in with the password alone, an agent in ``totp_roles`` made a token at
    /api/account/tokens and reached the whole API with it (claimed a conversation). Minting is refused, and a
    token that already existed is held as the owner's sessions are, until two-factor is on."""
    before = acc_store.write_sync(lambda db: create_token(db, "agent", "made before the rule"))
    client = await make_client(totp_roles=["agent"])
    assert (await post_login(client, "agent", PASSWORDS["agent"])).status == 303
    csrf = await form_token(client, "/account")
    r = await client.post("/api/account/tokens", json={"label": "skip"}, headers={"X-CSRF-Token": csrf})
    assert r.status == 403 and "two-factor" in (await r.json())["error"]["message"]
    assert [t.label for t in acc_store.read_sync(lambda db: tokens(db, "agent"))] == ["made before the rule"]
    r = await client.get("/api/queue", headers={"Authorization": f"Bearer {before}"})
    assert r.status == 403 and "two-factor" in (await r.json())["error"]["message"]
    acc_store.write_sync(lambda db: set_totp(db, "agent", "agent", pyotp.random_base32()))
    assert (await client.get("/api/queue", headers={"Authorization": f"Bearer {before}"})).status == 200


@pytest.mark.parametrize(("path", "body"), [
    ("/api/account/tokens", {"label": "wider"}),
    ("/api/account/two-factor/enable", {"secret": "JBSWY3DPEHPK3PXP", "code": "123456"}),
    ("/api/account/password", {"current": PASSWORDS["admin"], "new": "a brand new passphrase here"}),
    ("/api/account/sessions/end-all", {}),
])
async def test_an_api_token_cannot_change_its_own_account(make_client, acc_store, path: str,  # type: ignore[no-untyped-def]
                                                           body: dict) -> None:
    """The security audit: an admin's token scoped to "agent" minted an unscoped token (the owner's admin role)
    that added an admin and outlived the first token's revocation; any token could turn two-factor on with a
    secret its holder chose. Account changes need the person, signed in."""
    scoped = acc_store.write_sync(lambda db: create_token(db, "admin", "script", role=Role.AGENT))
    client = await make_client()
    r = await client.post(path, json=body, headers={"Authorization": f"Bearer {scoped}"})
    assert r.status == 403 and "cannot change the account" in (await r.json())["error"]["message"]
    assert [t.label for t in acc_store.read_sync(lambda db: tokens(db, "admin"))] == ["script"]
    assert acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT totp_secret IS NULL FROM users WHERE username = 'admin'").fetchone()[0])
    assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303  # the password did not change
    assert (await client.get("/api/queue", headers={"Authorization": f"Bearer {scoped}"})).status == 200


# -- sessions: idle timeout ---------------------------------------------------------------------------------
async def test_idle_sessions_end(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client(idle_minutes=30)
    assert (await post_login(client, "agent", PASSWORDS["agent"])).status == 303
    assert (await client.get("/api/me")).status == 200
    stale = to_iso(datetime.now(UTC) - timedelta(minutes=31))
    acc_store.write_sync(lambda db: db.conn.execute("UPDATE web_sessions SET last_seen_at = ?", (stale,)))
    assert (await client.get("/api/me")).status == 401
    r = await client.get("/", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/login")


async def test_activity_keeps_a_session_alive(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client(idle_minutes=30)
    assert (await post_login(client, "agent", PASSWORDS["agent"])).status == 303
    old = to_iso(datetime.now(UTC) - timedelta(minutes=29))
    acc_store.write_sync(lambda db: db.conn.execute("UPDATE web_sessions SET last_seen_at = ?", (old,)))
    assert (await client.get("/api/me")).status == 200  # touched: last_seen_at moves to now
    seen = acc_store.read_sync(lambda db: db.conn.execute("SELECT last_seen_at FROM web_sessions").fetchone()[0])
    assert seen > old


# -- API tokens -----------------------------------------------------------------------------------------------
async def test_token_scope_expiry_revocation_and_last_use(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    soon = datetime.now(UTC) + timedelta(days=1)
    scoped = acc_store.write_sync(lambda db: create_token(db, "lead", "agent-scope", role=Role.AGENT, expires_at=soon))
    full = acc_store.write_sync(lambda db: create_token(db, "lead", "lead-scope"))

    def bearer(t: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {t}"}

    assert (await client.get("/api/queue", headers=bearer(scoped))).status == 200
    assert (await client.get("/api/sla/summary", headers=bearer(scoped))).status == 403  # a lead page, agent scope
    assert (await client.get("/api/sla/summary", headers=bearer(full))).status == 200
    listed = {t.label: t for t in acc_store.read_sync(lambda db: tokens(db, "lead"))}
    assert listed["agent-scope"].role is Role.AGENT and listed["agent-scope"].last_used_at is not None
    acc_store.write_sync(lambda db: revoke_token(db, "admin", listed["lead-scope"].id))
    r = await client.get("/api/sla/summary", headers=bearer(full))
    assert r.status == 401 and "revoked" in (await r.json())["error"]["message"]
    past = to_iso(datetime.now(UTC) - timedelta(seconds=1))
    acc_store.write_sync(lambda db: db.conn.execute("UPDATE api_tokens SET expires_at = ? WHERE label = ?",
                                                    (past, "agent-scope")))
    assert (await client.get("/api/queue", headers=bearer(scoped))).status == 401
    kinds = [e["token"] for e in events(acc_store, "token.revoked")]
    assert kinds == [listed["lead-scope"].id]


def test_a_token_never_outranks_its_owner(acc_store: Store) -> None:
    with pytest.raises(Forbidden, match=r"^an agent's token cannot have the admin role$"):
        acc_store.write_sync(lambda db: create_token(db, "agent", "sneaky", role=Role.ADMIN))
    with pytest.raises(Forbidden, match=r"^a lead's token cannot have the marketing role$"):
        acc_store.write_sync(lambda db: create_token(db, "lead", "sneaky", role=Role.MARKETING))


async def test_a_demoted_owner_s_wider_token_stops_working(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    token = acc_store.write_sync(lambda db: create_token(db, "lead", "lead-scope"))
    acc_store.write_sync(lambda db: update_account(db, "admin", "lead", {"role": "agent"}))
    assert (await client.get("/api/queue", headers={"Authorization": f"Bearer {token}"})).status == 401


# -- set-password links ---------------------------------------------------------------------------------------
async def test_a_reset_link_sets_a_good_password_once(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    link = acc_store.write_sync(lambda db: create_link(db, "admin", "agent", "reset"))
    token = await form_token(client, f"/set-password?token={link}")

    async def submit(password: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
        return await client.post("/set-password", allow_redirects=False, data={
            "link": link, "password": password, "confirm": password if confirm is None else confirm,
            "csrf_token": token})

    assert "at least 12" in await (await submit("short")).text()
    assert "common passwords" in await (await submit("password12345678")).text()
    assert "differ" in await (await submit("a fine new passphrase", "another one")).text()
    r = await submit("a fine new passphrase")
    assert r.status == 303 and r.headers["Location"] == "/login?reset=done"
    assert (await client.get(f"/set-password?token={link}")).status == 404  # used up
    assert (await post_login(client, "agent", "a fine new passphrase")).status == 303
    assert (await client.get("/set-password?token=made-up")).status == 404


# -- units: the password policy, the redirect rule, the throttle's arithmetic --------------------------------
@pytest.mark.parametrize(("password", "why"), [
    ("", "empty"), ("            ", "empty"), ("short pw", "at least 12"), ("aaaaaaaaaaaaaaaa", "different"),
    ("password123456", "common"), ("Summer2026!!!!", "common"), ("qwertyuiop1234", "common"),
    ("the admin's own secret", "username")])
def test_weak_passwords_are_refused_with_a_reason(password: str, why: str) -> None:
    from careline.app.web.passwords import password_problem
    assert why in (password_problem(password, "admin") or "")


def test_a_long_uncommon_password_is_accepted() -> None:
    from careline.app.web.passwords import common_passwords, password_problem
    assert password_problem("plum tree sonata", "admin") is None
    assert len(common_passwords()) > 19000


def test_the_throttle_refuses_without_counting_and_backs_off() -> None:
    from careline.app.web.throttle import LoginThrottle
    throttle = LoginThrottle("2/minute;3/hour", "100/minute")
    assert [throttle.attempt("Ann", "10.0.0.1") for _ in range(2)] == [0, 0]
    first_wait = throttle.attempt("ann ", "10.0.0.2")  # names are compared trimmed and lower-cased
    assert 1 <= first_wait <= 60
    throttle.succeeded("ann")
    assert throttle.attempt("ann", "10.0.0.1") == 0  # the minute window was cleared by the success
    throttle2 = LoginThrottle("2/minute;3/hour", "100/minute")
    for _ in range(2):
        throttle2.attempt("bob", "a")
    assert throttle2.attempt("bob", "a") <= 60  # refused, not counted: the hour still has room for one


def test_cli_refuses_empty_and_common_passwords(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from careline.app.cli import cli
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    for bad in ("", "password1234567"):
        result = CliRunner().invoke(cli, ["user", "add", "x", "--role", "admin", "--password", bad], env=env)
        assert result.exit_code != 0
    result = CliRunner().invoke(cli, ["user", "add", "x", "--role", "admin", "--password", "plum tree sonata"],
                                env=env)
    assert result.exit_code == 0, result.output


# -- upgrading a database made before m070 ----------------------------------------------------------------
async def test_sessions_and_tokens_made_before_m070_keep_working(tmp_path: Path) -> None:
    """An existing install: web_sessions came from the web's own set, tokens had no scope or id."""
    from sqlite_utils import Database

    from careline.app.web.security import hash_password, token_hash
    from careline.store.migrations import CORE

    path = tmp_path / "old.db"
    db = Database(path)
    CORE.apply(db, stop_before="m070_accounts")
    WEB.apply(db)
    db.conn.execute("INSERT INTO users (username, role, display_name, password_hash, created_at) "
                    "VALUES ('old', 'lead', 'Old', ?, '2026-11-01T00:00:00+00:00')", (hash_password("x" * 16),))
    db.conn.execute("INSERT INTO api_tokens (token_hash, username, label, created_at) "
                    "VALUES (?, 'old', 'legacy', '2026-11-01T00:00:00+00:00')", (token_hash("clt_legacy"),))
    db.conn.commit()
    db.conn.close()
    store = Store(path, extra=[WEB]).open_sync()
    try:
        [legacy] = store.read_sync(lambda d: tokens(d, "old"))
        assert legacy.role is Role.LEAD and legacy.id == token_hash("clt_legacy")[:12] and legacy.expires_at is None
        async with TestClient(TestServer(create_app(Settings(), store))) as client:
            r = await client.get("/api/sla/summary", headers={"Authorization": "Bearer clt_legacy"})
            assert r.status == 200
    finally:
        store.close_sync()


async def test_two_factor_secrets_are_sealed_at_rest_and_old_plain_ones_sealed_at_start(  # type: ignore[no-untyped-def]
        make_client, acc_store, tmp_path) -> None:
    secret, legacy = pyotp.random_base32(), pyotp.random_base32()
    acc_store.write_sync(lambda db: set_totp(db, "admin", "admin", secret))
    acc_store.write_sync(lambda db: db.conn.execute("UPDATE users SET totp_secret = ? WHERE username = 'lead'",
                                                    (legacy,)))  # as an older version stored it
    await make_client()  # the app's start seals what is still plain
    stored = dict(acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT username, totp_secret FROM users WHERE totp_secret IS NOT NULL").fetchall()))
    assert set(stored) == {"admin", "lead"}
    assert all(v.startswith("fernet:") and secret not in v and legacy not in v for v in stored.values())
    key = tmp_path / "acc.db.totp-key"
    assert key.stat().st_mode & 0o777 == 0o600
    record = acc_store.read_sync(lambda db: login_record(db, "lead"))
    assert record is not None and record.totp_secret == legacy  # still signs in with the same app
    key.write_bytes(Fernet.generate_key())  # a copy of the database without its key: the secret is unusable
    forget_keys()
    try:
        record = acc_store.read_sync(lambda db: login_record(db, "lead"))
        assert record is not None and record.totp_secret is None
    finally:
        forget_keys()


# -- the security audit of 2026-12-06 ------------------------------------------------------------------------
async def test_a_secret_sealed_with_a_lost_key_still_asks_for_a_code_and_takes_a_recovery_code(  # type: ignore[no-untyped-def]
        make_client, acc_store, tmp_path) -> None:
    """A replaced or lost key file used to turn two-factor off: the password alone signed in."""
    secret = pyotp.random_base32()
    await make_client()  # the key file exists from the first start
    acc_store.write_sync(lambda db: set_totp(db, "admin", "admin", secret))
    codes = acc_store.write_sync(lambda db: new_recovery_codes(db, "admin", "admin"))
    (tmp_path / "acc.db.totp-key").write_bytes(Fernet.generate_key())
    forget_keys()
    try:
        client = await make_client()
        pending, token = await _code_step(client)  # asked for a code, not signed in
        assert (await client.get("/api/me")).status == 401
        r = await client.post("/login/code", data={"pending": pending, "code": pyotp.TOTP(secret).now(),
                                                   "csrf_token": token}, allow_redirects=False)
        assert r.status == 401  # the app's code cannot be checked without the key
        r = await client.post("/login/code", data={"pending": pending, "recovery": codes[0], "csrf_token": token},
                              allow_redirects=False)
        assert r.status == 303 and (await client.get("/api/me")).status == 200
    finally:
        forget_keys()


async def test_a_secret_sealed_with_a_lost_key_and_no_recovery_code_is_turned_off_by_an_admin(  # type: ignore[no-untyped-def]
        make_client, acc_store, tmp_path) -> None:
    """Key file replaced and the recovery codes gone: only SQL let the person in again. An admin's reset needs no
    key (nothing is unsealed), and a role that requires two-factor is then sent to set it up anew."""
    await make_client()  # the key file exists from the first start
    acc_store.write_sync(lambda db: set_totp(db, "agent", "agent", pyotp.random_base32()))
    key = tmp_path / "acc.db.totp-key"
    key.write_bytes(Fernet.generate_key())
    before = key.read_bytes()
    forget_keys()
    try:
        client = await make_client(totp_roles=["agent"])
        page = await (await post_login(client, "agent", PASSWORDS["agent"])).text()
        assert 'action="/login/code"' in page  # stuck: no code can be checked and no recovery code is left
        admin = await make_client(totp_roles=["agent"])
        assert (await post_login(admin, "admin", PASSWORDS["admin"])).status == 303
        csrf = await form_token(admin, "/admin")
        r = await admin.post("/api/admin/users/agent/two-factor/reset", json={"confirm": "agent"},
                             headers={"X-CSRF-Token": csrf})
        assert r.status == 200, await r.text()
        assert (await post_login(client, "agent", PASSWORDS["agent"])).status == 303  # the password alone
        r = await client.get("/", allow_redirects=False)
        assert r.status == 303 and r.headers["Location"] == "/account#two-factor"  # set it up again first
        assert key.read_bytes() == before
    finally:
        forget_keys()


async def test_replacing_two_factor_asks_for_the_password(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    """A stolen session could move the second factor to another phone (and take fresh recovery codes)."""
    acc_store.write_sync(lambda db: set_totp(db, "agent", "agent", pyotp.random_base32()))
    client = await make_client()
    page = await (await post_login(client, "agent", PASSWORDS["agent"])).text()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    spare = acc_store.write_sync(lambda db: new_recovery_codes(db, "agent", "agent"))[0]
    await client.post("/login/code", data={"pending": pending, "recovery": spare, "csrf_token": token})
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', await (await client.get("/account")).text()).group(1)  # type: ignore[union-attr]
    new = pyotp.random_base32()
    body = {"secret": new, "code": pyotp.TOTP(new).now()}
    r = await client.post("/api/account/two-factor/enable", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status == 403 and "current password" in await r.text()
    r = await client.post("/api/account/two-factor/enable", json={**body, "current": "wrong password here"},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 403
    r = await client.post("/api/account/two-factor/enable", json={**body, "current": PASSWORDS["agent"]},
                          headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and len((await r.json())["recovery_codes"]) == 10
    record = acc_store.read_sync(lambda db: login_record(db, "agent"))
    assert record is not None and record.totp_secret == new


async def test_a_reset_stops_the_old_password_and_every_token(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    """An admin resets an account that may be in someone else's hands: sessions ended used to be all."""
    from careline.app.web.accounts import create_token

    stolen = acc_store.write_sync(lambda db: create_token(db, "agent", "made by whoever has the account"))
    client = await make_client()
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {stolen}"})).status == 200
    assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', await (await client.get("/admin")).text()).group(1)  # type: ignore[union-attr]
    r = await client.post("/api/admin/users/agent/reset", json={}, headers={"X-CSRF-Token": csrf})
    assert r.status == 200 and "1 API token(s) revoked" in (await r.json())["message"]
    assert (await client.get("/api/me", headers={"Authorization": f"Bearer {stolen}"})).status == 401
    other = await make_client()
    assert (await post_login(other, "agent", PASSWORDS["agent"])).status == 401  # the old password is gone


async def test_https_behind_a_local_proxy_gets_secure_cookies_and_hsts(make_client) -> None:  # type: ignore[no-untyped-def]
    client = await make_client()
    plain = await post_login(client, "agent", PASSWORDS["agent"])
    assert "Secure" not in str(plain.headers.getall("Set-Cookie")) and "Strict-Transport-Security" not in plain.headers
    proxied = await post_login(client, "agent", PASSWORDS["agent"], **{"X-Forwarded-Proto": "https"})
    cookies = proxied.headers.getall("Set-Cookie")
    assert all("Secure" in c for c in cookies if "Max-Age=0" not in c), cookies  # not on a deletion
    assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_only_a_loopback_peer_says_the_scheme() -> None:
    """A client's own X-Forwarded-Proto decided how cookies were set; only a proxy on this machine may."""
    from unittest.mock import Mock

    from aiohttp.test_utils import make_mocked_request

    from careline.app.web.auth import is_https

    for peer, trusted in (("127.0.0.1", True), ("::1", True), ("203.0.113.9", False)):
        transport = Mock()
        transport.get_extra_info.side_effect = (
            lambda key, default=None, p=peer: (p, 443) if key == "peername" else default)
        request = make_mocked_request("GET", "/", headers={"X-Forwarded-Proto": "https"}, transport=transport)
        assert is_https(request) is trusted, peer


async def test_a_wrong_password_keeps_the_username_and_asks_only_for_the_password(make_client) -> None:  # type: ignore[no-untyped-def]
    """The form came back empty after a wrong password: the name had to be typed again, every time."""
    client = await make_client()
    r = await post_login(client, "ag<ent", "not the password", Accept="text/html")
    page = await r.text()
    assert r.status == 401 and 'value="ag&lt;ent"' in page
    assert re.search(r'id="password"[^>]*autofocus', page) and not re.search(r'id="username"[^>]*autofocus', page)
