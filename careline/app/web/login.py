"""Log in and out. A login form carries its own CSRF token (double submit), since no session exists yet."""

from __future__ import annotations

from aiohttp import web

from careline.app.web import schemas
from careline.app.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    check_password,
    end_session,
    is_https,
    public,
    set_session_cookie,
    signed_in,
    start_session,
    user_of,
)
from careline.app.web.keys import STORE
from careline.app.web.pages import home_for, render
from careline.app.web.security import new_secret, same
from careline.domain import Role


def _safe_next(target: str | None) -> str:
    """Only local paths: an open redirect after login is a phishing gift."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return ""
    return target


@public
async def login_page(request: web.Request) -> web.Response:
    token = new_secret()
    response = render(request, "login.html", title="Log in", login_csrf=token, error="",
                      next=_safe_next(request.query.get("next")))
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="Strict", secure=is_https(request),
                        path="/login", max_age=3600)
    return response


@public
async def login_submit(request: web.Request) -> web.StreamResponse:
    form = await schemas.read_form(request, schemas.LoginForm)
    sent, cookie = form.csrf_token, request.cookies.get(LOGIN_COOKIE, "")
    username, password = form.username.strip(), form.password
    nxt = _safe_next(form.next)
    if not cookie or not same(sent, cookie):
        raise web.HTTPForbidden(text="the login form expired; reload the page and try again")
    store = request.app[STORE]
    found = await store.read(lambda db: check_password(db, username, password)) if username else None
    if found is None:
        return render(request, "login.html", status=401, title="Log in", login_csrf=cookie, next=nxt,
                      error="Wrong username or password.")
    sid, _csrf = await store.write(lambda db: start_session(db, found[0]))
    target = nxt or ("/trends" if found[1] == Role.MARKETING.value else "/")
    response = web.HTTPSeeOther(target)
    set_session_cookie(request, response, sid)
    response.del_cookie(LOGIN_COOKIE, path="/login")
    raise response


@signed_in
async def logout(request: web.Request) -> web.StreamResponse:
    await end_session(request)
    response = web.HTTPSeeOther("/login")
    response.del_cookie(SESSION_COOKIE, path="/")
    raise response


@signed_in
async def whoami(request: web.Request) -> web.Response:
    who = user_of(request)
    return web.json_response({"username": who.username, "role": who.role.value, "display_name": who.display_name,
                              "home": home_for(who)})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login_submit)
    app.router.add_post("/logout", logout)
    app.router.add_get("/api/me", whoami)
