"""Rendering shared by every page: the template, the signed-in user, the CSRF token, the nav.

Jinja2 autoescaping is on for every template (mention text and author names are hostile); data that
page scripts need travels in ``<script type="application/json">`` islands built by
``security.json_for_html``, never inside inline script.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from careline.app.web.auth import USER_KEY, Principal
from careline.app.web.keys import SETTINGS, TEMPLATES
from careline.app.web.security import json_for_html
from careline.domain import Role

NAV = (("/", "Queue", Role.AGENT), ("/sla", "SLAs", Role.LEAD), ("/trends", "Trends", Role.MARKETING),
       ("/admin", "Admin", Role.ADMIN))


def home_for(who: Principal) -> str:
    """Where a role lands after login: marketing has no queue."""
    return "/trends" if who.role is Role.MARKETING else "/"


def render(request: web.Request, template: str, *, status: int = 200, **context: Any) -> web.Response:
    who: Principal | None = request.get(USER_KEY)
    nav = [(href, label) for href, label, role in NAV if who is not None and who.can(role)]
    if who is not None and who.role is Role.LEAD and request.app[SETTINGS].accounts.leads_manage_team:
        nav.append(("/admin", "Team"))
    html = request.app[TEMPLATES].get_template(template).render(
        user=who, csrf=who.csrf if who else "", nav=nav, path=request.path,
        timezone=request.app[SETTINGS].service.timezone, island=json_for_html, **context)
    return web.Response(text=html, content_type="text/html", status=status,
                        headers={"Cache-Control": "no-store"})
