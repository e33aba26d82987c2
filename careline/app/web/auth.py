"""Who is asking, and may they: users, API tokens, login sessions, CSRF and role checks.

Every route declares who may call it with :func:`allow` (or :func:`public`); the middleware denies
any route that declares nothing, so a new route is closed until someone opens it on purpose.
People log in with a password and get a session cookie (HttpOnly, SameSite=Lax, Secure behind
https); each unsafe request from a cookie session must carry the session's CSRF token in the
``X-CSRF-Token`` header or a ``csrf_token`` form field. Scripts send ``Authorization: Bearer``; a
bearer token is not ambient (the browser never adds it), so it needs no CSRF token.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from aiohttp import web
from sqlite_utils import Database

from careline.app.web.accounts import (
    DISPLAY_NAME_MAX,
    GRANTABLE,
    TEAMS_MAX,
    create_token,
    set_teams,
    touch_session,
    touch_token,
)
from careline.app.web.keys import STORE, settings_now
from careline.app.web.schemas import form_of
from careline.app.web.security import hash_password, same, token_hash
from careline.app.web.throttle import is_loopback
from careline.domain import Role, from_iso, to_iso, utcnow
from careline.errors import CarelineError, Conflict, Forbidden
from careline.store.db import WRITE_GUARD

SESSION_COOKIE = "careline_session"
#: What a username may be; the admin routes (``/api/admin/users/{name}``) match the same pattern.
USERNAME = r"[A-Za-z0-9._]{1,64}"
LOGIN_COOKIE = "careline_login"
#: Last-use times are written at most this often, so a polling page does not make a write per request.
TOUCH_EVERY = timedelta(minutes=1)
#: What a person whose role requires two-factor may use before setting it up.
TWO_FACTOR_SETUP = ("/account", "/api/account", "/api/me", "/logout")
#: What a person changes about their own account (password, sessions, two-factor, tokens): never with an API token.
#: A token scoped to "agent" minted an unscoped one (its owner's admin role) that outlived its revocation, and any
#: token could turn two-factor on with a secret of its holder's choosing, locking the owner out.
ACCOUNT_CHANGES = "/api/account/"
TOKEN_CANNOT_CHANGE_ACCOUNT = ("an API token cannot change the account it belongs to (its password, sessions, "
                               "two-factor or tokens): sign in at /account to do that")
__all__ = ["create_token"]  # re-exported: tests and the CLI make tokens through this module
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BEARER = 'Bearer realm="careline"'  # the scheme a 401 names (RFC 6750 section 3)
#: Who else may use a route opened to a role: admin can do everything, leads can see agent pages.
IMPLIED: dict[Role, frozenset[Role]] = {
    Role.AGENT: frozenset({Role.AGENT, Role.LEAD, Role.ADMIN}),
    Role.LEAD: frozenset({Role.LEAD, Role.ADMIN}),
    Role.MARKETING: frozenset({Role.MARKETING, Role.ADMIN}),
    Role.ADMIN: frozenset({Role.ADMIN}),
}
H = TypeVar("H", bound=Callable[..., Awaitable[web.StreamResponse]])


@dataclass(frozen=True, slots=True)
class Principal:
    username: str
    role: Role
    display_name: str
    csrf: str | None  # None for bearer-token callers
    via: str  # "session" or "token"
    session: str | None = None  # the session's public id (the sessions page marks "this one")
    needs_two_factor: bool = False  # their role requires two-factor and they have not set it up
    token: str | None = None  # the API token's public id

    def can(self, role: Role) -> bool:
        return self.role in IMPLIED[role]

    @property
    def credential(self) -> str:
        """The one session or token this request came with: what a person holds several of."""
        return f"session:{self.session}" if self.via == "session" else f"token:{self.token}"


USER_KEY: web.RequestKey[Principal] = web.RequestKey("careline.user", Principal)


# -- users (run inside a Store.write) -------------------------------------------------------------
def account_problem(username: str, display_name: str = "", team: str = "") -> str | None:
    """Why a new account's names are refused, or None. Apart from :func:`create_user` so that the CLI can
    refuse them as a usage error before it makes a database or asks for a password."""
    if not re.fullmatch(USERNAME, username):  # the routes' pattern: an account they cannot name cannot be managed
        return "username must be 1-64 ASCII letters, digits, '.' or '_'"
    if any(c < " " or c == "\x7f" for c in f"{display_name}{team}"):
        return "display name and team: no control characters"
    if len(display_name) > DISPLAY_NAME_MAX or len(team) > TEAMS_MAX:  # the admin page's limits, for the CLI too
        return f"display name: at most {DISPLAY_NAME_MAX} characters; teams: at most {TEAMS_MAX}"
    return None


def create_user(db: Database, username: str, role: Role | str, password: str | None, display_name: str = "",
                *, team: str = "", hashed: str | None = None) -> None:
    """Add a user with a scrypt password hash; an existing username is a :class:`Conflict`.

    ``team``: the teams they join (comma-separated; made when missing). ``password`` None (and no
    ``hashed``) makes an invited account that cannot log in until its owner
    sets a password through a link. Callers that take a password from a person check it against
    :mod:`careline.app.web.passwords` first; an empty one is refused here whatever the caller.
    """
    role = Role(role)
    problem = account_problem(username, display_name, team)
    if problem:
        raise CarelineError(problem)
    if password is not None and not password.strip():
        raise CarelineError("the password must not be empty")
    same = db.conn.execute("SELECT username FROM users WHERE lower(username) = lower(?)", (username,)).fetchone()
    if same:  # "Dave" beside "dave": two accounts people cannot tell apart in a list or a mention
        raise Conflict(f"user {same[0]!r} already exists" + ("" if same[0] == username else " (names differ only "
                                                                                           "in case)"))
    digest = hashed or (hash_password(password) if password is not None else None)
    db.conn.execute(
        "INSERT INTO users (username, role, display_name, password_hash, created_at, password_changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?)", (username, role.value, display_name or username, digest, to_iso(utcnow()),
                                      to_iso(utcnow()) if digest else None))
    if team:
        set_teams(db, username, team)


def ensure_users(db: Database, users: dict[str, tuple[Role, str]]) -> list[str]:
    """Create the users that do not exist yet (the demo's fixed accounts); returns who was created."""
    made = []
    for name, (role, password) in users.items():
        if not db.conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
            create_user(db, name, role, password)
            made.append(name)
    return made


@dataclass(frozen=True, slots=True)
class Seen:
    """Who a credential belongs to, and when it was last used (to refresh that at most once a minute)."""

    who: Principal
    key: str  # the session's or the token's public id
    last: str | None


def _by_session(db: Database, sid: str, idle: timedelta, totp_roles: frozenset[str]) -> Seen | None:
    now = utcnow()
    row = db.conn.execute(
        "SELECT u.username, u.role, u.display_name, s.csrf, s.id, s.last_seen_at, u.totp_secret IS NULL "
        "FROM web_sessions s JOIN users u USING (username) WHERE s.token_hash = ? AND s.expires_at > ? "
        "AND s.last_seen_at > ? AND u.disabled_at IS NULL", (token_hash(sid), to_iso(now), to_iso(now - idle))
    ).fetchone()
    if row is None:
        return None
    needs = bool(row[6]) and row[1] in totp_roles
    return Seen(Principal(row[0], Role(row[1]), row[2], row[3], "session", row[4], needs), row[4], row[5])


def _by_token(db: Database, token: str, totp_roles: frozenset[str]) -> Seen | None:
    """A live token of an enabled user whose scope is still within the owner's role (roles can shrink). Its owner's
    missing two-factor holds it as it holds their sessions: a token made with the password alone opened the whole
    API to a role that must not reach it without a second factor."""
    row = db.conn.execute(
        "SELECT u.username, u.role, u.display_name, t.role, t.id, t.last_used_at, u.totp_secret IS NULL "
        "FROM api_tokens t JOIN users u USING (username) WHERE t.token_hash = ? AND t.revoked_at IS NULL "
        "AND u.disabled_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)",
        (token_hash(token), to_iso(utcnow()))).fetchone()
    if row is None or Role(row[3] or row[1]) not in GRANTABLE[Role(row[1])]:
        return None
    needs = bool(row[6]) and row[1] in totp_roles
    return Seen(Principal(row[0], Role(row[3] or row[1]), row[2], None, "token", needs_two_factor=needs, token=row[4]),
                row[4], row[5])


# -- route declarations --------------------------------------------------------------------------
def allow(role: Role) -> Callable[[H], H]:
    """Open a handler to ``role`` (and the roles :data:`IMPLIED` by it)."""
    def mark(handler: H) -> H:
        handler.careline_role = role  # type: ignore[attr-defined]
        return handler
    return mark


def signed_in(handler: H) -> H:
    """Open a handler to every signed-in user, whatever the role (log out, who am I)."""
    handler.careline_any = True  # type: ignore[attr-defined]
    return handler


def public(handler: H) -> H:
    handler.careline_public = True  # type: ignore[attr-defined]
    return handler


def user_of(request: web.Request) -> Principal:
    return request[USER_KEY]  # type: ignore[no-any-return]


def is_https(request: web.Request) -> bool:
    """Behind a TLS-terminating proxy on loopback the scheme arrives in X-Forwarded-Proto; only a loopback
    peer is believed (as for X-Forwarded-For), so nobody else's header decides how a cookie is set."""
    forwarded = request.headers.get("X-Forwarded-Proto", "").lower() == "https"
    return request.secure or (forwarded and is_loopback(request.remote or ""))


# -- middleware ----------------------------------------------------------------------------------
async def _credential(request: web.Request) -> tuple[bool, Seen | None]:
    """(whether the request names a bearer token, whose live credential it carries: None when none)."""
    store, accounts = request.app[STORE], settings_now(request.app).accounts
    roles = frozenset(accounts.totp_roles)
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        return True, (await store.read(lambda db: _by_token(db, token, roles)) if token else None)
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return False, None
    idle = timedelta(minutes=accounts.idle_minutes)
    return False, await store.read(lambda db: _by_session(db, sid, idle, roles))


async def _identify(request: web.Request) -> Principal | None:
    bearer, seen = await _credential(request)
    if bearer and seen is None:
        raise web.HTTPUnauthorized(text="invalid, expired or revoked API token",
                                   headers={"WWW-Authenticate": BEARER + ', error="invalid_token"'})
    if seen is None:
        return None
    await _touch(request, seen, touch_token if bearer else touch_session)
    return seen.who


async def still_signed_in(request: web.Request) -> bool:
    """Whether the credential this request came with still stands, its role no lower than when it came in
    (read, not touched). Why: a long-lived response (a live stream) must stop when its person logs out, is
    disabled, loses the role or has their sessions ended by an admin; the middleware checked only once."""
    was = user_of(request)
    _, seen = await _credential(request)
    return seen is not None and seen.who.username == was.username and seen.who.can(was.role)


def still_valid(db: Database, who: Principal) -> None:
    """Refuse (:class:`Forbidden`) a write by ``who`` once their credential has ended: the session logged out or
    ended by an admin, the token revoked or expired, the person disabled, or their role now below the one the
    request came in with. Run first in each write transaction of the request (:data:`WRITE_GUARD`), so a change
    already on its way is refused after the answer that ended the credential, never saved behind it."""
    now = to_iso(utcnow())
    if who.via == "session":
        row = db.conn.execute("SELECT u.role FROM web_sessions s JOIN users u USING (username) WHERE s.id = ? "
                              "AND s.expires_at > ? AND u.disabled_at IS NULL", (who.session, now)).fetchone()
        role = Role(row[0]) if row else None
    else:
        row = db.conn.execute("SELECT u.role, t.role FROM api_tokens t JOIN users u USING (username) WHERE t.id = ? "
                              "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) "
                              "AND u.disabled_at IS NULL", (who.token, now)).fetchone()
        role = Role(row[1] or row[0]) if row and Role(row[1] or row[0]) in GRANTABLE[Role(row[0])] else None
    if role is None or role not in IMPLIED[who.role]:
        raise Forbidden("your sign-in ended before this change was saved (logged out, disabled, password reset, "
                        "token revoked or role changed); nothing was changed")


async def _touch(request: web.Request, seen: Seen, touch: Callable[[Database, str, datetime], None]) -> None:
    """Record use (idle timeout, "last used") when the stored time is older than :data:`TOUCH_EVERY`."""
    now, last = utcnow(), from_iso(seen.last)
    if last is None or now - last >= TOUCH_EVERY:
        await request.app[STORE].write(lambda db: touch(db, seen.key, now))


async def _check_csrf(request: web.Request, who: Principal) -> None:
    if who.via != "session" or request.method not in UNSAFE:
        return
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        sent = str((await form_of(request)).get("csrf_token", ""))
    if not sent or not same(sent, who.csrf or ""):
        raise web.HTTPForbidden(text="missing or wrong CSRF token; reload the page and try again")


def _route_rule(request: web.Request) -> tuple[bool, bool, Role | None]:
    """(public, any signed-in user, role) declared by the matched route's handler."""
    route = request.match_info.route
    if isinstance(route.resource, web.StaticResource):
        return True, False, None
    handler: Any = route.handler
    return (bool(getattr(handler, "careline_public", False)), bool(getattr(handler, "careline_any", False)),
            getattr(handler, "careline_role", None))


def _return_to(request: web.Request) -> str:
    """Where to go back after logging in: the page asked for, or for a form posted after the session ended (a tab
    that outlived it) the page the form was on, by its Referer from this site; the form's own address answers
    only POST, and the person landed on "405 Method Not Allowed"."""
    if request.method in ("GET", "HEAD"):
        return request.path_qs
    came_from = urlsplit(request.headers.get("Referer", ""))
    if came_from.netloc == request.host and came_from.path.startswith("/"):
        return came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return "/"


@web.middleware
async def auth_middleware(request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Identify the caller, then enforce the route's role and CSRF; undeclared routes are closed."""
    if request.match_info.http_exception is not None:  # no such page (404, 405)
        if not request.path.startswith("/api/"):  # its page shows a signed-in person their menu, not "Log in"
            _, seen = await _credential(request)
            if seen is not None:
                request[USER_KEY] = seen.who
        raise request.match_info.http_exception
    is_public, anyone, role = _route_rule(request)
    who = await _identify(request)
    if who is not None:
        request[USER_KEY] = who
    if is_public:
        return await handler(request)
    if who is None:
        if request.path.startswith("/api/"):
            raise web.HTTPUnauthorized(text="log in or send Authorization: Bearer <token>",
                                      headers={"WWW-Authenticate": BEARER})
        raise web.HTTPSeeOther(f"/login?next={quote(_return_to(request), safe='')}")
    if not anyone and (role is None or not who.can(role)):
        raise web.HTTPForbidden(text=f"the {who.role.value} role cannot use this page")
    if who.needs_two_factor and not request.path.startswith(TWO_FACTOR_SETUP):
        if request.path.startswith("/api/"):
            raise web.HTTPForbidden(text="your role requires two-factor sign-in; set it up at /account first")
        raise web.HTTPSeeOther("/account#two-factor")
    if who.via == "token" and request.method in UNSAFE and request.path.startswith(ACCOUNT_CHANGES):
        raise web.HTTPForbidden(text=TOKEN_CANNOT_CHANGE_ACCOUNT)
    await _check_csrf(request, who)
    guard = WRITE_GUARD.set(functools.partial(still_valid, who=who))
    try:
        return await handler(request)
    finally:
        WRITE_GUARD.reset(guard)


def set_session_cookie(request: web.Request, response: web.StreamResponse, sid: str) -> None:
    """HttpOnly, SameSite=Lax, Secure behind https; the browser keeps it as long as the server would."""
    hours = settings_now(request.app).accounts.session_hours
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Lax", secure=is_https(request),
                        path="/", max_age=hours * 3600)


async def end_session(request: web.Request) -> None:
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        await request.app[STORE].write(
            lambda db: db.conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash(sid),)))
