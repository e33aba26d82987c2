"""Who is asking, and may they: users, API tokens, login sessions, CSRF and role checks.

Every route declares who may call it with :func:`allow` (or :func:`public`); the middleware denies
any route that declares nothing, so a new route is closed until someone opens it on purpose.
People log in with a password and get a session cookie (HttpOnly, SameSite=Lax, Secure behind
https); each unsafe request from a cookie session must carry the session's CSRF token in the
``X-CSRF-Token`` header or a ``csrf_token`` form field. Scripts send ``Authorization: Bearer``; a
bearer token is not ambient (the browser never adds it), so it needs no CSRF token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web
from sqlite_utils import Database

from careline.app.web.keys import STORE
from careline.app.web.schemas import form_of
from careline.app.web.security import hash_password, new_secret, same, token_hash, verify_password
from careline.domain import Role, to_iso, utcnow
from careline.errors import CarelineError, Conflict, NotFound

SESSION_COOKIE = "careline_session"
LOGIN_COOKIE = "careline_login"
SESSION_TTL = timedelta(hours=12)
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

    def can(self, role: Role) -> bool:
        return self.role in IMPLIED[role]


USER_KEY: web.RequestKey[Principal] = web.RequestKey("careline.user", Principal)


# -- users and tokens (run inside a Store.write) -------------------------------------------------
def create_user(db: Database, username: str, role: Role | str, password: str, display_name: str = "") -> None:
    """Add a user with a scrypt password hash; an existing username is a :class:`Conflict`."""
    role = Role(role)
    if not username or len(username) > 64 or not username.replace("_", "").replace(".", "").isalnum():
        raise CarelineError("username must be 1-64 letters, digits, '.' or '_'")
    if db.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise Conflict(f"user {username!r} already exists")
    db.conn.execute(
        "INSERT INTO users (username, role, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)",
        (username, role.value, display_name or username, hash_password(password), to_iso(utcnow())))


def create_token(db: Database, username: str, label: str = "") -> str:
    """A new API token for ``username``; only its hash is stored, so this is the one time it is seen."""
    if not db.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise NotFound(f"no user {username!r}")
    token = new_secret("clt_")
    db.conn.execute("INSERT INTO api_tokens (token_hash, username, label, created_at) VALUES (?, ?, ?, ?)",
                    (token_hash(token), username, label, to_iso(utcnow())))
    return token


def ensure_users(db: Database, users: dict[str, tuple[Role, str]]) -> list[str]:
    """Create the users that do not exist yet (the demo's fixed accounts); returns who was created."""
    made = []
    for name, (role, password) in users.items():
        if not db.conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
            create_user(db, name, role, password)
            made.append(name)
    return made


def check_password(db: Database, username: str, password: str) -> tuple[str, str] | None:
    row = db.conn.execute("SELECT username, role, password_hash FROM users WHERE username = ?",
                          (username,)).fetchone()
    ok = verify_password(password, row[2] if row else None)
    return (row[0], row[1]) if ok and row else None


def start_session(db: Database, username: str) -> tuple[str, str]:
    """New session id and CSRF token; expired sessions are swept at the same time."""
    now = utcnow()
    db.conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (to_iso(now),))
    sid, csrf = new_secret(), new_secret()
    db.conn.execute("INSERT INTO web_sessions (token_hash, username, csrf, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?)", (token_hash(sid), username, csrf, to_iso(now), to_iso(now + SESSION_TTL)))
    return sid, csrf


def _by_session(db: Database, sid: str) -> Principal | None:
    row = db.conn.execute(
        "SELECT u.username, u.role, u.display_name, s.csrf FROM web_sessions s JOIN users u USING (username) "
        "WHERE s.token_hash = ? AND s.expires_at > ?", (token_hash(sid), to_iso(utcnow()))).fetchone()
    return Principal(row[0], Role(row[1]), row[2], row[3], "session") if row else None


def _by_token(db: Database, token: str) -> Principal | None:
    row = db.conn.execute(
        "SELECT u.username, u.role, u.display_name FROM api_tokens t JOIN users u USING (username) "
        "WHERE t.token_hash = ?", (token_hash(token),)).fetchone()
    return Principal(row[0], Role(row[1]), row[2], None, "token") if row else None


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
    """Behind a TLS-terminating proxy on loopback the scheme arrives in X-Forwarded-Proto."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


# -- middleware ----------------------------------------------------------------------------------
async def _identify(request: web.Request) -> Principal | None:
    store = request.app[STORE]
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
        found = await store.read(lambda db: _by_token(db, token)) if token else None
        if found is None:
            raise web.HTTPUnauthorized(text="invalid API token",
                                      headers={"WWW-Authenticate": BEARER + ', error="invalid_token"'})
        return found
    sid = request.cookies.get(SESSION_COOKIE)
    return await store.read(lambda db: _by_session(db, sid)) if sid else None


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


@web.middleware
async def auth_middleware(request: web.Request,
                          handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Identify the caller, then enforce the route's role and CSRF; undeclared routes are closed."""
    if request.match_info.http_exception is not None:
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
        raise web.HTTPSeeOther(f"/login?next={quote(request.path_qs, safe='')}")
    if not anyone and (role is None or not who.can(role)):
        raise web.HTTPForbidden(text=f"the {who.role.value} role cannot use this page")
    await _check_csrf(request, who)
    return await handler(request)


def set_session_cookie(request: web.Request, response: web.StreamResponse, sid: str) -> None:
    response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="Lax", secure=is_https(request),
                        path="/", max_age=int(SESSION_TTL.total_seconds()))


async def end_session(request: web.Request) -> None:
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        await request.app[STORE].write(
            lambda db: db.conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash(sid),)))
