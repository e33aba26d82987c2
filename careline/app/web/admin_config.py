"""What the running service is configured with, for admins: brands, sources, SLA policies and
calendars (with a live due-time preview), webhooks (with a signed test delivery), each with the forms
that change it without a restart (``admin_settings``: validated, versioned, audited). Secrets are never
shown, only whether they are set: they stay in the environment.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from careline.app.http import AiohttpTransport, webhook_session
from careline.app.web.admin_settings import editors
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import LIVE, STORE, settings_now
from careline.app.web.pages import render
from careline.domain import Event, Role, to_iso, utcnow
from careline.errors import Conflict
from careline.settings import Settings
from careline.store.records import append_event
from responder.alerts import TransportError, signed_headers, target_problem
from responder.policy import configured_policies
from responder.sla import SLAPolicy, due_times


def _preview(policy: SLAPolicy, at: datetime) -> dict[str, Any]:
    """When a customer message at ``at`` is due under ``policy``, in the policy calendar's zone."""
    zone = ZoneInfo(policy.calendar.timezone)
    try:
        due = due_times(policy, at)
        return {"policy": policy.name, "calendar": policy.calendar.name or "24/7", "timezone": zone.key,
                "at": at.astimezone(zone).isoformat(timespec="minutes"),
                "first_response": due.first_response.astimezone(zone).isoformat(timespec="minutes"),
                "next_response": due.next_response.astimezone(zone).isoformat(timespec="minutes"),
                "resolution": due.resolution.astimezone(zone).isoformat(timespec="minutes")}
    except (ValueError, OverflowError) as exc:  # the calendar runs out of dates near year 1 or 9999 (a 500)
        raise web.HTTPBadRequest(text=f"at is too far from today to count business hours from ({exc})") from None


def _sources(settings: Settings) -> list[dict[str, Any]]:
    x, reddit = settings.sources.x, settings.sources.reddit
    return [{"name": "x", "enabled": x.enabled, "interval_seconds": x.interval_seconds,
             "daily_budget_usd": x.daily_budget_usd, "credentials": "set" if x.bearer_token else "missing"},
            {"name": "reddit", "enabled": reddit.enabled, "interval_seconds": reddit.interval_seconds,
             "daily_budget_usd": None, "credentials": "set" if reddit.client_id else "missing"},
            *({"name": name, "enabled": cfg.enabled, "interval_seconds": cfg.interval_seconds, "daily_budget_usd": None,
               "credentials": "per brand (environment)"}
              for name, cfg in (("bluesky", settings.sources.bluesky), ("mastodon", settings.sources.mastodon)))]


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
    settings = settings_now(request.app)
    now = utcnow()
    previews = [_preview(p, now) for p in configured_policies(settings)]
    return render(request, "admin_config.html", title="Configuration", settings=settings,
                  sources=_sources(settings), previews=previews, webhooks=settings.responder.webhooks,
                  unsigned={h.secret_env for h in settings.responder.webhooks if not os.environ.get(h.secret_env)},
                  editors=await editors(request), problem=request.app[LIVE].problem,
                  version=request.app[LIVE].version)


@allow(Role.ADMIN)
async def sla_preview(request: web.Request) -> web.Response:
    """``?policy=NAME&at=ISO``: the due times a message at that moment gets (all policies without ``policy``)."""
    policies = configured_policies(settings_now(request.app))
    name = request.query.get("policy", "")
    chosen = [p for p in policies if not name or p.name == name]
    if name and not chosen:
        raise web.HTTPNotFound(text=f"no policy named {name!r}")
    return web.json_response({"previews": [
        _preview(p, _parse_at(request.query.get("at", ""), p.calendar.timezone)) for p in chosen]})




@allow(Role.ADMIN)
async def test_webhook(request: web.Request) -> web.Response:
    """POST a signed ``{"event": "test"}`` to the configured webhook number ``n`` and say what came back."""
    hooks = settings_now(request.app).responder.webhooks
    index = int(request.match_info["n"])
    if index >= len(hooks):
        raise web.HTTPNotFound(text=f"no webhook number {index}")
    hook, actor = hooks[index], user_of(request).username
    secret = os.environ.get(hook.secret_env, "")
    if not secret:
        raise Conflict(f"${hook.secret_env} is not set: Careline never sends unsigned webhooks")
    allow = settings_now(request.app).responder.webhook_allow
    # the alerts' own guard: the button must not reach (or, by its answer, map) what alerts may not
    if problem := await target_problem(hook.url, allow):
        raise Conflict(f"not sent: {problem}")
    body = json.dumps({"event": "test", "sent_at": to_iso(utcnow()), "by": actor}).encode()
    async with webhook_session(lambda: allow, seconds=15) as session:
        try:
            headers = {"Content-Type": "application/json", "X-Careline-Event": "test",
                       **signed_headers(secret, 0, body, sent_at=utcnow())}  # Standard Webhooks, as the alerts
            status, _ = await AiohttpTransport(session).post(hook.url, body, headers, seconds=10)
            result = f"HTTP {status}"
        except TransportError as exc:
            status, result = 0, str(exc)[:300]
    await request.app[STORE].write(lambda db: append_event(db, Event(utcnow(), actor, "webhook.tested",
                                                                     f"webhook:{hook.url}", {"result": result})))
    ok = 200 <= status < 300
    return web.json_response({"ok": ok, "status": status,
                              "message": f"{hook.url} answered {result}" if status else f"no answer: {result}"})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/admin/config", config_page)
    app.router.add_get("/api/admin/sla/preview", sla_preview)
    app.router.add_post(r"/api/admin/webhooks/{n:\d{1,3}}/test", test_webhook)
