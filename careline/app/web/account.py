"""Your own account: password, two-factor, sessions ("log out everywhere"), your API tokens.

Open to every signed-in person (and to their scripts' tokens). Changing the password or turning
two-factor off asks for the current password again, checked on the hashing threads; a new password
ends every other session.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiohttp import web

from careline.app.web.accounts import (
    GRANTABLE,
    create_token,
    end_sessions,
    login_record,
    new_recovery_codes,
    recovery_codes_left,
    revoke_token,
    sessions_of,
    set_password_hash,
    set_totp,
    tokens,
)
from careline.app.web.actions import plain
from careline.app.web.api import json_body
from careline.app.web.auth import SESSION_COOKIE, Principal, signed_in, user_of
from careline.app.web.fields import number, role, text
from careline.app.web.keys import HASHER, STORE, settings_now
from careline.app.web.pages import render
from careline.app.web.passwords import check_new_password
from careline.app.web.sealing import require_lasting_key
from careline.app.web.security import hash_password, verify_password
from careline.app.web.twofactor import matching_step, new_totp_secret, provisioning_uri, valid_secret
from careline.domain import utcnow
from careline.errors import Conflict, Forbidden


async def _hashing(request: web.Request, fn: Any, *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(request.app[HASHER], fn, *args)


async def confirm_password(request: web.Request, who: Principal, password: str) -> None:
    """The current password again, for changes an unattended browser must not make."""
    record = await request.app[STORE].read(lambda db: login_record(db, who.username))
    ok = await _hashing(request, verify_password, password, record.password_hash if record else None)
    if not ok:
        raise Forbidden("the current password is not right")


async def account_state(request: web.Request) -> dict[str, Any]:
    who = user_of(request)
    store = request.app[STORE]
    record = await store.read(lambda db: login_record(db, who.username))
    codes_left = await store.read(lambda db: recovery_codes_left(db, who.username))
    mine = await store.read(lambda db: sessions_of(db, who.username))
    own = await store.read(lambda db: tokens(db, who.username))
    now = utcnow()
    return {"username": who.username, "role": who.role.value, "display_name": who.display_name,
            "two_factor": bool(record and record.two_factor), "recovery_codes_left": codes_left,
            "two_factor_required": who.needs_two_factor
            or who.role.value in settings_now(request.app).accounts.totp_roles,
            "sessions": [{**plain(s), "current": s.id == who.session} for s in mine],
            "tokens": [{**plain(t), "state": t.state(now)} for t in own],
            "grantable": sorted(r.value for r in GRANTABLE[who.role]),
            "token_days": settings_now(request.app).accounts.token_days}


@signed_in
async def account_page(request: web.Request) -> web.Response:
    return render(request, "account.html", title="Your account", a=await account_state(request))


@signed_in
async def account_json(request: web.Request) -> web.Response:
    return web.json_response(await account_state(request))


@signed_in
async def change_password(request: web.Request) -> web.Response:
    who, body = user_of(request), await json_body(request)
    current, new = text(body, "current", limit=256), text(body, "new", limit=256)
    await confirm_password(request, who, current)
    check_new_password(new, who.username, settings_now(request.app).accounts.min_password_length)
    digest = await _hashing(request, hash_password, new)

    def save(db):  # type: ignore[no-untyped-def]
        set_password_hash(db, who.username, who.username, digest)
        return end_sessions(db, who.username, keep=who.session or "")

    ended = await request.app[STORE].write(save)
    return web.json_response({"message": f"Password changed; {ended} other session(s) ended."})


@signed_in
async def end_one_session(request: web.Request) -> web.Response:
    who, sid = user_of(request), request.match_info["sid"]
    ended = await request.app[STORE].write(lambda db: end_sessions(db, who.username, only=sid))
    if not ended:
        raise web.HTTPNotFound(text="no such session of yours")
    return web.json_response({"message": "Session ended.", "current": sid == who.session})


@signed_in
async def end_all_sessions(request: web.Request) -> web.Response:
    """Log out everywhere, this browser included."""
    who = user_of(request)
    ended = await request.app[STORE].write(lambda db: end_sessions(db, who.username))
    response = web.json_response({"message": f"Logged out of {ended} session(s).", "current": True})
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@signed_in
async def two_factor_start(request: web.Request) -> web.Response:
    """A fresh secret to put in an authenticator app; nothing is stored until a code proves it. Refused before
    the person scans anything when the secret could not be kept (the key file is missing)."""
    await request.app[STORE].read(require_lasting_key)
    secret = new_totp_secret()
    return web.json_response({"secret": secret, "uri": provisioning_uri(secret, user_of(request).username)})


@signed_in
async def two_factor_enable(request: web.Request) -> web.Response:
    """Turn two-factor on with a code from the new secret; replacing a secret already on asks for the password
    too (``current``), as turning it off does: a stolen session must not move the second factor to the thief's
    phone and take the recovery codes with it."""
    who, body = user_of(request), await json_body(request)
    secret, code = text(body, "secret", limit=64), text(body, "code", limit=16)
    current = text(body, "current", required=False, limit=256)
    if not valid_secret(secret):
        raise web.HTTPBadRequest(text="secret must be the base32 secret from two-factor/start")
    step = matching_step(secret, code, utcnow())
    if step is None:
        raise web.HTTPBadRequest(text="that code does not match; check the app's clock and try the next code")
    record = await request.app[STORE].read(lambda db: login_record(db, who.username))
    replacing = bool(record and record.two_factor)
    if replacing:
        if not current:
            raise Forbidden("two-factor sign-in is already on: send your current password to replace it")
        await confirm_password(request, who, current)

    def enable(db):  # type: ignore[no-untyped-def]
        now_on = login_record(db, who.username)
        if not replacing and now_on is not None and now_on.two_factor:  # turned on meanwhile, elsewhere
            raise Conflict("two-factor sign-in was turned on meanwhile; send your current password to replace it")
        set_totp(db, who.username, who.username, secret, step)
        # the other sessions were opened by the password alone: they end, as after a password change
        return new_recovery_codes(db, who.username, who.username), end_sessions(db, who.username,
                                                                                keep=who.session or "")

    codes, ended = await request.app[STORE].write(enable)
    others = f" {ended} other session{'s' if ended != 1 else ''} ended." if ended else ""
    return web.json_response({"message": "Two-factor sign-in is on. Keep these recovery codes somewhere safe: "
                                         f"each works once, and they are shown only now.{others}",
                              "recovery_codes": codes})


@signed_in
async def two_factor_recovery_codes(request: web.Request) -> web.Response:
    """A new set of recovery codes (the old ones stop working); asks for the password."""
    who, body = user_of(request), await json_body(request)
    await confirm_password(request, who, text(body, "current", limit=256))

    def renew(db):  # type: ignore[no-untyped-def]
        record = login_record(db, who.username)
        if record is None or not record.two_factor:
            raise Conflict("two-factor sign-in is off: turn it on first")
        return new_recovery_codes(db, who.username, who.username)

    codes = await request.app[STORE].write(renew)
    return web.json_response({"message": "New recovery codes: the old ones no longer work. They are shown only now.",
                              "recovery_codes": codes})


@signed_in
async def two_factor_disable(request: web.Request) -> web.Response:
    who, body = user_of(request), await json_body(request)
    if who.role.value in settings_now(request.app).accounts.totp_roles:
        raise Forbidden(f"the {who.role.value} role requires two-factor sign-in")
    await confirm_password(request, who, text(body, "current", limit=256))

    def disable(db):  # type: ignore[no-untyped-def]
        record = login_record(db, who.username)
        if record is None or not record.two_factor:  # an audit event "on -> off" of something already off
            raise Conflict("two-factor sign-in is already off")
        set_totp(db, who.username, who.username, None)

    await request.app[STORE].write(disable)
    return web.json_response({"message": "Two-factor sign-in is off."})


@signed_in
async def new_own_token(request: web.Request) -> web.Response:
    who, body = user_of(request), await json_body(request)
    if who.needs_two_factor:  # it would be held as their sessions are: say why now, not at its first use
        raise Forbidden("your role requires two-factor sign-in: set it up first, then make a token")
    label, scope = text(body, "label", limit=80), role(body, required=False)
    days = number(body, "days", settings_now(request.app).accounts.token_days, 0, 3650)
    expires = utcnow() + timedelta(days=days) if days else None
    token = await request.app[STORE].write(
        lambda db: create_token(db, who.username, label, role=scope, expires_at=expires, actor=who.username))
    return web.json_response({"token": token, "message": "Copy the token now: it is shown only once."},
                             status=201)


@signed_in
async def revoke_own_token(request: web.Request) -> web.Response:
    who, token_id = user_of(request), request.match_info["tid"]
    found = await request.app[STORE].write(lambda db: revoke_token(db, who.username, token_id, owner=who.username))
    return web.json_response({**plain(found), "message": "Token revoked."})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/account", account_page)
    app.router.add_get("/api/account", account_json)
    app.router.add_post("/api/account/password", change_password)
    app.router.add_post(r"/api/account/sessions/{sid:[0-9a-f]{12}}/end", end_one_session)
    app.router.add_post("/api/account/sessions/end-all", end_all_sessions)
    app.router.add_post("/api/account/two-factor/start", two_factor_start)
    app.router.add_post("/api/account/two-factor/enable", two_factor_enable)
    app.router.add_post("/api/account/two-factor/disable", two_factor_disable)
    app.router.add_post("/api/account/two-factor/recovery-codes", two_factor_recovery_codes)
    app.router.add_post("/api/account/tokens", new_own_token)
    app.router.add_post(r"/api/account/tokens/{tid:[0-9a-f]{12}}/revoke", revoke_own_token)
