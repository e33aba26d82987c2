"""What the running service was configured with, for admins: brands, sources, SLA policies and
calendars (with a live due-time preview), webhooks. Read-only: the settings file is still where
these change (``careline config --check``, then a restart); secrets are never shown, only whether
they are set.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from careline.app.web.auth import allow
from careline.app.web.keys import SETTINGS
from careline.app.web.pages import render
from careline.domain import Role, utcnow
from careline.settings import Settings
from responder.policy import configured_policies
from responder.sla import SLAPolicy, due_times


def _preview(policy: SLAPolicy, at: datetime) -> dict[str, Any]:
    """When a customer message at ``at`` is due under ``policy``, in the policy calendar's zone."""
    zone = ZoneInfo(policy.calendar.timezone)
    due = due_times(policy, at)
    return {"policy": policy.name, "calendar": policy.calendar.name or "24/7", "timezone": zone.key,
            "at": at.astimezone(zone).isoformat(timespec="minutes"),
            "first_response": due.first_response.astimezone(zone).isoformat(timespec="minutes"),
            "next_response": due.next_response.astimezone(zone).isoformat(timespec="minutes"),
            "resolution": due.resolution.astimezone(zone).isoformat(timespec="minutes")}


def _sources(settings: Settings) -> list[dict[str, Any]]:
    x, reddit = settings.sources.x, settings.sources.reddit
    return [{"name": "x", "enabled": x.enabled, "interval_seconds": x.interval_seconds,
             "daily_budget_usd": x.daily_budget_usd, "credentials": "set" if x.bearer_token else "missing"},
            {"name": "reddit", "enabled": reddit.enabled, "interval_seconds": reddit.interval_seconds,
             "daily_budget_usd": None, "credentials": "set" if reddit.client_id else "missing"}]


def _parse_at(text: str, zone: str) -> datetime:
    """An ISO time from the query (naive: in ``zone``), or now; anything else is a 400."""
    if not text:
        return utcnow()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise web.HTTPBadRequest(text="at must be an ISO 8601 time, e.g. 2026-03-13T16:45") from None
    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo(zone))


@allow(Role.ADMIN)
async def config_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    now = utcnow()
    previews = [_preview(p, now) for p in configured_policies(settings)]
    return render(request, "admin_config.html", title="Configuration", settings=settings,
                  sources=_sources(settings), previews=previews, webhooks=settings.responder.webhooks)


@allow(Role.ADMIN)
async def sla_preview(request: web.Request) -> web.Response:
    """``?policy=NAME&at=ISO``: the due times a message at that moment gets (all policies without ``policy``)."""
    policies = configured_policies(request.app[SETTINGS])
    name = request.query.get("policy", "")
    chosen = [p for p in policies if not name or p.name == name]
    if name and not chosen:
        raise web.HTTPNotFound(text=f"no policy named {name!r}")
    return web.json_response({"previews": [
        _preview(p, _parse_at(request.query.get("at", ""), p.calendar.timezone)) for p in chosen]})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/config", config_page)
    app.router.add_get("/api/admin/sla/preview", sla_preview)
