"""Administration of people and API tokens (role admin), and the account audit trail.

Where ``accounts.leads_manage_team`` is on, a lead uses the same page and endpoints for the agents
of their own team: add agents to it, disable, log out, reset a password or two-factor (never roles or tokens).

Every change goes through :mod:`careline.app.web.accounts`, which audits it with who, when, and the
values before and after. New people get either a password (checked by the policy) or an invitation:
a one-time link where they choose their own; "reset password" ends their sessions and makes such a
link, so an admin never learns anyone's password. "Reset two-factor" rescues someone who lost their
authenticator and their recovery codes: it turns their two-factor off (audited), which otherwise took SQL.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from aiohttp import web

from careline.app.web.account import confirm_password
from careline.app.web.accounts import (
    DISPLAY_NAME_MAX,
    TEAMS_MAX,
    Account,
    accounts,
    audit,
    check_manages,
    create_link,
    create_token,
    end_sessions,
    lock_out,
    recent_account_events,
    reset_two_factor,
    revoke_token,
    tokens,
    update_account,
)
from careline.app.web.actions import plain
from careline.app.web.api import json_body
from careline.app.web.auth import USERNAME, account_problem, allow, create_user, user_of
from careline.app.web.fields import flag, number, role, text
from careline.app.web.keys import HASHER, STORE, settings_now
from careline.app.web.pages import render
from careline.app.web.passwords import check_new_password
from careline.app.web.security import hash_password
from careline.domain import QUEUE_ROLES, Role, utcnow
from careline.errors import CarelineError, Conflict, Forbidden, Invalid, about
from careline.store import workspace
from responder import workflow

USERNAME_ROUTE = f"{{name:{USERNAME}}}"


def _link(request: web.Request, token: str) -> str:
    """The set-password link as the person will open it."""
    base = settings_now(request.app).responder.public_url or str(request.url.origin())
    return f"{base.rstrip('/')}/set-password?token={token}"


def _leads(request: web.Request) -> bool:
    """Whether this caller acts as a lead for their team; a lead without the setting is refused."""
    if user_of(request).role is Role.ADMIN:
        return False
    if not settings_now(request.app).accounts.leads_manage_team:
        raise Forbidden("only admins manage accounts here (accounts.leads_manage_team is off)")
    return True


def _visible(people: list[Account], me: Account | None, lead: bool) -> list[Account]:
    """Everyone for an admin; a lead sees themselves and the agents who share a team with them."""
    if not lead:
        return people
    mine = set(me.teams) if me else set()
    return [p for p in people if p.username == (me.username if me else "")
            or (p.role is Role.AGENT and mine & set(p.teams))]


async def admin_state(request: web.Request) -> dict[str, Any]:
    store, now, lead = request.app[STORE], utcnow(), _leads(request)
    people = await store.read(accounts)
    me = next((p for p in people if p.username == user_of(request).username), None)
    all_tokens = [] if lead else await store.read(lambda db: tokens(db))
    trail = [] if lead else await store.read(recent_account_events)
    return {"people": plain(_visible(people, me, lead)), "tokens": [{**plain(t), "state": t.state(now)}
                                                                    for t in all_tokens],
            "audit": trail, "roles": ["agent"] if lead else [r.value for r in Role], "me": user_of(request).username,
            "lead": lead, "team": ", ".join(me.teams) if me else "",
            "token_days": settings_now(request.app).accounts.token_days}


@allow(Role.LEAD)
async def admin_page(request: web.Request) -> web.Response:
    return render(request, "admin.html", title="Administration", s=await admin_state(request))


@allow(Role.LEAD)
async def admin_json(request: web.Request) -> web.Response:
    return web.json_response(await admin_state(request))


@allow(Role.LEAD)
async def add_person(request: web.Request) -> web.Response:
    """Add with a password, or invite (no password: the answer carries a one-time link).

    A lead adds agents to their own team only (the team is theirs whatever the body says).
    """
    actor, body, lead = user_of(request).username, await json_body(request), _leads(request)
    name, scope = text(body, "username", limit=64).strip(), role(body)
    display = text(body, "display_name", required=False, limit=DISPLAY_NAME_MAX)
    team = text(body, "team", required=False, limit=TEAMS_MAX)
    if lead and scope is not Role.AGENT:
        raise Forbidden("a lead may add agents only")
    password = text(body, "password", required=False, limit=256)
    digest = None
    if (problem := account_problem(name, display.strip(), team.strip())) is not None:
        raise about("display_name" if problem.startswith("display") else "username", CarelineError(problem))
    for each in (t for t in team.split(",") if t.strip()):
        try:
            workspace.team_name(each)
        except CarelineError as exc:
            raise about("team", exc) from exc
    if password:
        try:
            check_new_password(password, name, settings_now(request.app).accounts.min_password_length)
        except CarelineError as exc:
            raise about("password", exc) from exc
        digest = await asyncio.get_running_loop().run_in_executor(request.app[HASHER], hash_password, password)

    def add(db):  # type: ignore[no-untyped-def]
        nonlocal team
        if lead:
            team = _lead_team(db, actor, team)
        create_user(db, name, scope or Role.AGENT, None, display.strip(), team=team.strip(), hashed=digest)
        audit(db, actor, "account.created", name, before=None,
              after={"role": (scope or Role.AGENT).value, "team": team.strip(), "display_name": display.strip()})
        return None if digest else create_link(db, actor, name, "invite")

    try:
        token = await request.app[STORE].write(add)
    except Conflict as exc:  # the name is taken
        raise about("username", exc) from exc
    answer = {"message": f"Added {name}."}
    if token:
        answer = {"message": f"Invited {name}: send them this link (valid 72 h, shown once).",
                  "link": _link(request, token)}
    return web.json_response(answer, status=201)


def _lead_team(db: Any, actor: str, asked: str) -> str:
    """Which of the acting lead's teams a new agent joins (read in the transaction): the one asked
    for if it is theirs, else their only one; a lead without a team manages nobody."""
    me = next((p for p in accounts(db) if p.username == actor), None)
    if me is None or me.role is not Role.LEAD or me.disabled_at or not me.teams:
        raise Forbidden("a lead needs a team (set by an admin) to add people to it")
    if asked.strip() in me.teams:
        return asked.strip()
    if len(me.teams) == 1:
        return me.teams[0]
    raise Forbidden(f"name one of your teams: {', '.join(me.teams)}")


@allow(Role.LEAD)
async def change_person(request: web.Request) -> web.Response:
    actor, name, body = user_of(request).username, request.match_info["name"], await json_body(request)
    changes: dict[str, Any] = {}
    if "role" in body:
        changes["role"] = role(body)
    for key, limit in (("team", TEAMS_MAX), ("display_name", DISPLAY_NAME_MAX)):
        if key in body:
            changes[key] = text(body, key, required=False, limit=limit)
    if "disabled" in body:
        changes["disabled"] = flag(body, "disabled")
    if not changes:
        raise web.HTTPBadRequest(text="send at least one of role, team, display_name, disabled")
    lead = _leads(request)
    expected = number(body, "version", 0, 0, 2**53) if "version" in body else None  # absent: last writer wins

    def save(db):  # type: ignore[no-untyped-def]
        after = update_account(db, actor, name, changes, leads=lead, expected=expected)
        off_queue = changes.get("disabled") or changes.get("role") not in (None, *QUEUE_ROLES)
        work = workflow.hand_back_work(db, name, now=utcnow()) if off_queue else None
        return after, work

    after, work = await request.app[STORE].write(save)
    said = f"Saved {name}."
    if work and work.released:
        n = work.released
        said += f" {n} open conversation{'s' if n != 1 else ''} of theirs back in the queue."
    if work and work.later:
        n = work.later
        said += f" {n} pending or snoozed conversation{'s' if n != 1 else ''} of theirs go{'es' if n == 1 else ''} " \
                "back to the queue when the customer writes."
    if work and work.waiting_replies:
        n = work.waiting_replies
        said += f" {n} repl{'ies' if n != 1 else 'y'} of theirs still wait{'s' if n == 1 else ''} for a lead on the " \
                "approvals page."
    return web.json_response({**plain(after), "message": said})


@allow(Role.LEAD)
async def reset_person(request: web.Request) -> web.Response:
    actor, name, lead = user_of(request).username, request.match_info["name"], _leads(request)

    def reset(db):  # type: ignore[no-untyped-def]
        _me, target = check_manages(db, actor, name, leads=lead)
        token = create_link(db, actor, name, "reset")
        end_sessions(db, name)
        return token, lock_out(db, actor, name), target.two_factor

    token, revoked, two_factor = await request.app[STORE].write(reset)
    tokens_note = f", {revoked} API token(s) revoked" if revoked else ""
    # a reset is for an account that may be in someone else's hands, who may have set up two-factor themselves
    factor_note = (" Their two-factor sign-in stays on: if they did not set it up themselves, turn it off too."
                   if two_factor else "")
    return web.json_response({"message": f"{name} is logged out everywhere and the old password no longer works"
                                         f"{tokens_note}; send them this link (72 h, shown once).{factor_note}",
                              "link": _link(request, token)})


@allow(Role.LEAD)
async def reset_two_factor_of(request: web.Request) -> web.Response:
    """Turn off someone's two-factor sign-in (lost authenticator, no recovery code left): audited, their sessions
    end. ``confirm`` must repeat the username (it weakens the account); on yourself, ``current`` must be your
    password too, as /account asks before two-factor changes. Who may: as for a password reset."""
    who, name, lead = user_of(request), request.match_info["name"], _leads(request)
    body = await json_body(request)
    if text(body, "confirm", limit=64).strip() != name:
        raise Invalid("confirm must repeat the username: this turns their two-factor sign-in off")
    yourself = name == who.username
    if yourself:
        await confirm_password(request, who, text(body, "current", limit=256))

    def reset(db):  # type: ignore[no-untyped-def]
        check_manages(db, who.username, name, leads=lead)
        return reset_two_factor(db, who.username, name, via="admin page",
                                keep_session=who.session if yourself else None)

    done = await request.app[STORE].write(reset)
    return web.json_response({"message": f"Two-factor sign-in of {name} is off: {done.recovery_codes} unused "
                                         f"recovery code(s) stopped working and {done.sessions} session(s) ended. "
                                         "Tell them to sign in with their password and set it up again at "
                                         "/account.", "sessions_ended": done.sessions,
                              "recovery_codes_ended": done.recovery_codes})


@allow(Role.LEAD)
async def logout_person(request: web.Request) -> web.Response:
    actor, name, lead = user_of(request).username, request.match_info["name"], _leads(request)

    def force(db):  # type: ignore[no-untyped-def]
        check_manages(db, actor, name, leads=lead)
        ended = end_sessions(db, name)
        audit(db, actor, "account.logged_out", name, sessions=ended)
        return ended

    ended = await request.app[STORE].write(force)
    return web.json_response({"message": f"Ended {ended} session(s) of {name}."})


@allow(Role.ADMIN)
async def add_token(request: web.Request) -> web.Response:
    actor, body = user_of(request).username, await json_body(request)
    owner, label, scope = text(body, "username", limit=64), text(body, "label", limit=80), role(body, required=False)
    days = number(body, "days", settings_now(request.app).accounts.token_days, 0, 3650)
    expires = utcnow() + timedelta(days=days) if days else None
    token = await request.app[STORE].write(
        lambda db: create_token(db, owner, label, role=scope, expires_at=expires, actor=actor))
    return web.json_response({"token": token, "message": f"Token for {owner}: copy it now, it is shown only once."},
                             status=201)


@allow(Role.ADMIN)
async def revoke_any_token(request: web.Request) -> web.Response:
    actor, token_id = user_of(request).username, request.match_info["tid"]
    found = await request.app[STORE].write(lambda db: revoke_token(db, actor, token_id))
    return web.json_response({**plain(found), "message": "Token revoked."})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin", admin_page)
    app.router.add_get("/api/admin", admin_json)
    app.router.add_post("/api/admin/users", add_person)
    app.router.add_post(f"/api/admin/users/{USERNAME_ROUTE}", change_person)
    app.router.add_post(f"/api/admin/users/{USERNAME_ROUTE}/reset", reset_person)
    app.router.add_post(f"/api/admin/users/{USERNAME_ROUTE}/logout", logout_person)
    app.router.add_post(f"/api/admin/users/{USERNAME_ROUTE}/two-factor/reset", reset_two_factor_of)
    app.router.add_post("/api/admin/tokens", add_token)
    app.router.add_post(r"/api/admin/tokens/{tid:[0-9a-f]{12}}/revoke", revoke_any_token)
