"""Rendering shared by every page: the template, the signed-in user, the CSRF token, the nav.

Jinja2 autoescaping is on for every template (mention text and author names are hostile); data that
page scripts need travels in ``<script type="application/json">`` islands built by
``security.json_for_html``, never inside inline script.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import ParseResult, urlparse

from aiohttp import web
from sqlite_utils import Database

from careline.app.web.auth import USER_KEY, Principal
from careline.app.web.keys import STORE, TEMPLATES, settings_now
from careline.app.web.security import json_for_html, opened_message
from careline.domain import Role

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

NAV = (("/", "Queue", Role.AGENT), ("/sla", "SLAs", Role.LEAD), ("/reports", "Reports", Role.LEAD),
       ("/trends", "Trends", Role.MARKETING), ("/admin", "Admin", Role.ADMIN))
#: Replies waiting for a lead's approval, counted once per page a lead opens (``approvals_badge``).
APPROVALS: web.RequestKey[int] = web.RequestKey("careline.approvals_waiting", int)
APPROVALS_HREF = "/sla#approvals"


@web.middleware
async def approvals_badge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count the replies waiting for approval before a lead's page renders, for the nav badge:
    a lead who is not on the SLA page still sees that an agent is waiting (one indexed count)."""
    await count_approvals(request)
    return await handler(request)


async def count_approvals(request: web.Request) -> None:
    """``APPROVALS`` for a lead's page, once per request: the pages' middleware counts them, and so does the
    error middleware for the pages it draws (a page refused before the handler ran lost the lead's Approvals
    entry, and so did a refused form's page, counted for GET requests only)."""
    who: Principal | None = request.get(USER_KEY)
    if APPROVALS in request or who is None or not who.can(Role.LEAD) or request.path.startswith(("/api/", "/static/")):
        return
    request[APPROVALS] = await request.app[STORE].read(waiting_approvals)


def waiting_approvals(db: Database) -> int:
    """The replies waiting for a lead's approval (one indexed count)."""
    return int(db.conn.execute("SELECT count(*) FROM replies WHERE state = 'awaiting_approval'").fetchone()[0])


def home_for(who: Principal) -> str:
    """Where a role lands after login: marketing has no queue."""
    return "/trends" if who.role is Role.MARKETING else "/"


def page_sent_from(request: web.Request) -> ParseResult | None:
    """The page of this site the request came from (its ``Referer``), or None for another site's, a missing one
    or one that is no path: where a form's answer may send the person back to."""
    ref = urlparse(request.headers.get("Referer", ""))
    if ref.netloc != request.host or not ref.path.startswith("/") or ref.path.startswith("//"):
        return None
    return ref


#: The query keys of a refused form's words and their signature (``app.back_with_error``).
OOPS, OOPS_SIG = "oops", "osig"


def refusal(request: web.Request, who: Principal | None) -> str:
    """The words of a form this session sent and the server refused, when the server signed them (a link's own
    words never show)."""
    words = request.query.get(OOPS, "")
    if who is None or not words:
        return ""
    return words if opened_message(who.csrf, f"{OOPS}:{words}", request.query.get(OOPS_SIG, "")) else ""


def render(request: web.Request, template: str, *, status: int = 200, page_at: str = "",
           **context: Any) -> web.Response:
    """``template`` as the answer to ``request``. ``page_at``: the page's own address, for a page rendered as the
    answer to a form's POST (a refused action, with the person's draft kept): the browser shows it instead of
    the POST's address, so a reload fetches the page instead of asking to send the form again."""
    who: Principal | None = request.get(USER_KEY)
    nav = [(href, label) for href, label, role in NAV if who is not None and who.can(role)]
    if who is not None and who.role is Role.LEAD and settings_now(request.app).accounts.leads_manage_team:
        nav.append(("/admin", "Team"))
    badges: dict[str, int] = {}
    if APPROVALS in request:  # a lead's own entry for the replies waiting on them, with the count, on every page
        nav.insert(nav.index(("/sla", "SLAs")) + 1 if ("/sla", "SLAs") in nav else len(nav),
                   (APPROVALS_HREF, "Approvals"))
        badges[APPROVALS_HREF] = request[APPROVALS]
    html = request.app[TEMPLATES].get_template(template).render(
        user=who, csrf=who.csrf if who else "", nav=nav, badges=badges, path=request.path,
        brand_home=home_for(who) if who is not None else "/",
        timezone=settings_now(request.app).service.timezone, island=json_for_html, refused=refusal(request, who),
        page_at=page_at if request.method == "POST" else "", **context)
    return web.Response(text=html, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store"})
