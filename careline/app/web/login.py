"""Log in (password, then a two-factor code where set up), log out, and set a password from a link.

A login form carries its own CSRF token (double submit), since no session exists yet. Every attempt
is counted by the :class:`~careline.app.web.throttle.LoginThrottle` before the password is checked,
the scrypt check runs on the app's own hashing threads, and every success and failure is an audit
event with the caller's address.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from aiohttp import web
from sqlite_utils import Database

from careline.app.web import schemas
from careline.app.web.accounts import (
    LoginRecord,
    accept_totp_step,
    audit,
    end_sessions,
    link_owner,
    login_record,
    recovery_code,
    set_password_hash,
    start_session,
    use_recovery_code,
)
from careline.app.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    end_session,
    is_https,
    public,
    set_session_cookie,
    signed_in,
    user_of,
)
from careline.app.web.keys import HASHER, PENDING, PRESENCE, STORE, THROTTLE, PendingLogin, settings_now
from careline.app.web.pages import home_for, render
from careline.app.web.passwords import password_problem
from careline.app.web.security import hash_password, new_secret, same, verify_password
from careline.app.web.throttle import client_address
from careline.app.web.twofactor import matching_step
from careline.domain import Role, utcnow

#: A plain same-origin path: one leading slash, then only URL characters (no control characters,
#: spaces or backslashes, which browsers strip or turn into "/" and so into ``//host``).
SAFE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#]*")
PENDING_SECONDS = 300
#: A refused attempt is answered after this long (or Retry-After, if sooner): a client that guesses as
#: fast as answers come is slowed to one guess a second per connection, at the cost of a sleeping task.
TARPIT_SECONDS = 1.0
LINK_COOKIE = "careline_link"
WRONG = "Wrong username or password."
#: Said only to someone who gave the account's right password: a disabled person read "wrong password" and tried
#: again, with no idea that an admin could help. Anyone else still reads :data:`WRONG`, so it tells no stranger
#: which accounts exist or are disabled.
DISABLED = "This account is disabled. Ask an admin to enable it again."


def _safe_next(target: str | None) -> str:
    """Only a plain local path survives: an open redirect after login is a phishing gift."""
    if not target or not SAFE_PATH.fullmatch(target):
        return ""
    parts = urlsplit(target)
    return "" if parts.scheme or parts.netloc else target


def _form_secret(request: web.Request, response: web.Response, path: str, token: str) -> web.Response:
    response.set_cookie(LOGIN_COOKIE if path == "/login" else LINK_COOKIE, token, httponly=True, samesite="Strict",
                        secure=is_https(request), path=path, max_age=3600)
    return response


@public
async def login_page(request: web.Request) -> web.Response:
    token = new_secret()
    response = render(request, "login.html", title="Log in", login_csrf=token, error="", step="password",
                      pending="", next=_safe_next(request.query.get("next")))
    return _form_secret(request, response, "/login", token)


async def _login_form(request: web.Request) -> tuple[dict[str, str], str]:
    """The posted fields and the form's CSRF cookie; a missing or wrong token is a 403."""
    form = await schemas.form_of(request)  # bytes that are not UTF-8 are a 400, never a 500
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not same(fields.get("csrf_token", ""), cookie):
        raise web.HTTPForbidden(text="the login form expired; reload the page and try again")
    return fields, cookie


def _again(request: web.Request, cookie: str, nxt: str, status: int, error: str, *, step: str = "password",
           pending: str = "", retry: int = 0, username: str = "") -> web.Response:
    """The login form again, with the reason; a 429 carries Retry-After.

    A script (no ``text/html`` in Accept) gets a 429 in the one JSON error shape instead of the page:
    a flood of guesses is answered without rendering a template per guess.
    """
    if retry and "text/html" not in request.headers.get("Accept", ""):
        raise web.HTTPTooManyRequests(text=error, headers={"Retry-After": str(retry)})
    response = render(request, "login.html", status=status, title="Log in", login_csrf=cookie, next=nxt,
                      error=error, step=step, pending=pending, username=username,  # kept: only the password again
                      page_at="/login" + (f"?{urlencode({'next': nxt})}" if nxt else ""))
    if retry:
        response.headers["Retry-After"] = str(retry)
    return response


async def _refused(request: web.Request, username: str, address: str, wait: int) -> None:
    """Audit a throttled attempt (once a minute per name and address, so a flood is not a write flood),
    then hold the answer back a moment (:data:`TARPIT_SECONDS`)."""
    if request.app[THROTTLE].first_refusal(username, address):
        await request.app[STORE].write(
            lambda db: audit(db, username, "login.throttled", username, address=address, retry_after=wait))
    await asyncio.sleep(min(wait, TARPIT_SECONDS))


def _throttle_message(wait: int) -> str:
    span = f"{wait} seconds" if wait < 120 else f"{wait // 60} minutes"
    return f"Too many login attempts. Try again in {span}."


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    fields, cookie = await _login_form(request)
    username, password = fields.get("username", "").strip()[:64], fields.get("password", "")
    nxt, address = _safe_next(fields.get("next", "")), client_address(request)
    if not username or not password:
        return _again(request, cookie, nxt, 400, "Enter your username and password.", username=username)
    wait = request.app[THROTTLE].attempt(username, address)
    if wait:
        await _refused(request, username, address, wait)
        return _again(request, cookie, nxt, 429, _throttle_message(wait), retry=wait, username=username)
    record = await request.app[STORE].read(lambda db: login_record(db, username))
    loop = asyncio.get_running_loop()
    ok = await loop.run_in_executor(request.app[HASHER], verify_password, password,
                                    record.password_hash if record else None)
    if record is None or not ok or record.disabled:
        reason = "unknown user" if record is None else ("wrong password" if not ok else "disabled")
        await request.app[STORE].write(
            lambda db: audit(db, username, "login.failed", username, address=address, reason=reason))
        return _again(request, cookie, nxt, 401, DISABLED if record is not None and ok else WRONG,
                      username=username)
    if record.two_factor:
        return _ask_code(request, record, cookie, nxt)
    await _finish(request, record, nxt, address, "password")  # raises its redirect: no second step to fail
    raise web.HTTPInternalServerError(text="the session did not start")  # not reached


def _ask_code(request: web.Request, record: LoginRecord, cookie: str, nxt: str) -> web.Response:
    """Password right, two-factor on: remember the half-done login for five minutes, ask for the code."""
    pending = request.app[PENDING]
    now = time.monotonic()
    for key in [k for k, p in pending.items() if p.expires < now]:
        del pending[key]
    key = secrets.token_urlsafe(24)
    pending[key] = PendingLogin(record.username, nxt, now + PENDING_SECONDS)
    return _again(request, cookie, nxt, 200, "", step="code", pending=key)


@public
async def login_code(request: web.Request) -> web.StreamResponse:
    fields, cookie = await _login_form(request)
    key, address = fields.get("pending", ""), client_address(request)
    waiting = request.app[PENDING].get(key)
    if waiting is None or waiting.expires < time.monotonic():
        return _again(request, cookie, "", 401, "That sign-in took too long; enter your password again.")
    wait = request.app[THROTTLE].attempt(waiting.username, address)
    if wait:
        await _refused(request, waiting.username, address, wait)
        return _again(request, cookie, waiting.next, 429, _throttle_message(wait), step="code", pending=key,
                      retry=wait)
    record = await request.app[STORE].read(lambda db: login_record(db, waiting.username))
    spare = recovery_code(fields.get("recovery", ""))
    prove: Callable[[Database], bool] | None = None
    if spare is not None:
        prove = lambda db: use_recovery_code(db, waiting.username, spare) is not None  # noqa: E731
    else:
        secret = record.totp_secret if record else None  # None: sealed with a lost key, recovery codes only
        step = matching_step(secret, fields.get("code", ""), utcnow()) if secret else None
        if step is not None:
            prove = lambda db: accept_totp_step(db, waiting.username, step)  # noqa: E731
    method = "password and recovery code" if spare is not None else "password and two-factor code"
    if record is not None and not record.disabled and prove is not None:
        await _finish(request, record, waiting.next, address, method, prove=prove, pending=key)  # raises if proven
    reason = "recovery code" if spare is not None else "two-factor code"
    await request.app[STORE].write(lambda db: audit(db, waiting.username, "login.failed", waiting.username,
                                                    address=address, reason=reason))
    return _again(request, cookie, waiting.next, 401, "That code is not right (or was already used).",
                  step="code", pending=key)


async def _finish(request: web.Request, record: LoginRecord, nxt: str, address: str, method: str, *,
                  prove: Callable[[Database], bool] | None = None, pending: str | None = None) -> None:
    """Start the session, audit the success, clear the account's attempt count, go where asked (raised).

    ``prove`` (the second step: a code or recovery code used up) runs in the session's own transaction and
    returns without a session when it fails: were they two writes, an admin's two-factor reset landing between
    them ended every session but this one, which a code checked against the old secret then opened."""
    ttl = timedelta(hours=settings_now(request.app).accounts.session_hours)
    agent = request.headers.get("User-Agent", "")

    def go(db):  # type: ignore[no-untyped-def]
        if prove is not None and not prove(db):
            return None
        audit(db, record.username, "login.succeeded", record.username, address=address, method=method)
        return start_session(db, record.username, ttl=ttl, address=address, user_agent=agent)

    started = await request.app[STORE].write(go)
    if started is None:
        return
    request.app[THROTTLE].succeeded(record.username)
    if pending is not None:
        request.app[PENDING].pop(pending, None)
    sid, _csrf = started
    target = nxt or ("/trends" if record.role is Role.MARKETING else "/")
    response = web.HTTPSeeOther(target)
    set_session_cookie(request, response, sid)
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


@signed_in
async def logout(request: web.Request) -> web.StreamResponse:
    await end_session(request)
    request.app[PRESENCE].forget(user_of(request).username)  # not "typing" on a page they left
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@signed_in
async def whoami(request: web.Request) -> web.Response:
    who = user_of(request)
    return web.json_response({"username": who.username, "role": who.role.value, "display_name": who.display_name,
                              "home": home_for(who), "two_factor_required": who.needs_two_factor})


# -- set a password from an invitation or reset link ---------------------------------------------------
@public
async def set_password_page(request: web.Request) -> web.Response:
    link = request.query.get("token", "")
    owner = await request.app[STORE].read(lambda db: link_owner(db, link)) if link else None
    token = new_secret()
    response = render(request, "set_password.html", status=200 if owner else 404, title="Set your password",
                      owner=owner or "", link=link, form_csrf=token, error="" if owner else
                      "This link is not valid any more. Ask an admin for a new one.")
    return _form_secret(request, response, "/set-password", token)


@public
async def set_password_submit(request: web.Request) -> web.StreamResponse:
    form = await schemas.form_of(request)
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    cookie = request.cookies.get(LINK_COOKIE, "")
    if not cookie or not same(fields.get("csrf_token", ""), cookie):
        raise web.HTTPForbidden(text="the form expired; reload the page and try again")
    link, password = fields.get("link", ""), fields.get("password", "")
    owner = await request.app[STORE].read(lambda db: link_owner(db, link)) if link else None
    problem = ("This link is not valid any more. Ask an admin for a new one." if owner is None else
               "The two passwords differ." if password != fields.get("confirm", "") else
               password_problem(password, owner, settings_now(request.app).accounts.min_password_length))
    if problem:
        return render(request, "set_password.html", status=400 if owner else 404, title="Set your password",
                      owner=owner or "", link=link, form_csrf=cookie, error=problem[:1].upper() + problem[1:])
    digest = await asyncio.get_running_loop().run_in_executor(request.app[HASHER], hash_password, password)

    def save(db):  # type: ignore[no-untyped-def]
        """Spend the link in the same transaction that reads it: five submissions of one link at once each
        answered "done", and only the last password worked."""
        if link_owner(db, link) != owner:
            return False
        set_password_hash(db, owner or "", owner or "", digest)  # which deletes the link
        end_sessions(db, owner or "")
        return True

    if not await request.app[STORE].write(save):
        return render(request, "set_password.html", status=404, title="Set your password", owner="", link=link,
                      form_csrf=cookie, error="This link was used a moment ago. Ask an admin for a new one.")
    response = web.HTTPSeeOther("/login?reset=done")
    response.del_cookie(LINK_COOKIE, path="/set-password")
    raise response


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/login/code", login_code)
    app.router.add_post("/logout", logout)
    app.router.add_get("/api/me", whoami)
    app.router.add_get("/set-password", set_password_page)
    app.router.add_post("/set-password", set_password_submit)
