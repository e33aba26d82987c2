"""The team lead's SLA page, its JSON, the per-conversation CSV export and reply approvals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from careline.app.web import actions, schemas
from careline.app.web.actions import actor_of
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import SETTINGS, SLA_CACHE, STORE
from careline.app.web.pages import render
from careline.app.web.reports import approvals_waiting, export_rows, sla_summary, to_csv
from careline.domain import Role, utcnow


async def _summary(request: web.Request) -> dict:
    """The summary, held for a multiple of its cost (``SLA_CACHE``; a cheap one only until the next
    write); its ``now`` says when it was computed. Approvals are read fresh every time: a lead who
    just approved a reply must not see it still waiting."""
    tz = request.app[SETTINGS].service.timezone
    store = request.app[STORE]

    async def compute() -> dict:
        now = utcnow()
        return await store.read(lambda db: sla_summary(db, now, tz, approvals=False))

    summary = await request.app[SLA_CACHE].get(tz, compute, version=store.commits)
    return {**summary, "approvals": await store.read(approvals_waiting)}


@allow(Role.LEAD)
async def sla_page(request: web.Request) -> web.Response:
    return render(request, "sla.html", title="SLAs", s=await _summary(request),
                  retention=request.app[SETTINGS].retention)


@allow(Role.LEAD)
async def sla_json(request: web.Request) -> web.Response:
    return web.json_response(await _summary(request))


@allow(Role.LEAD)
async def export_csv(request: web.Request) -> web.StreamResponse:
    """One row per conversation created in the last ``days`` days (default 30, at most 366)."""
    days = schemas.read_query(request, schemas.ExportQuery).days
    now = utcnow()
    since = now - timedelta(days=days)
    records = await request.app[STORE].read(lambda db: export_rows(db, since, now))
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="careline-conversations-{now:%Y%m%d}.csv"'})
    await response.prepare(request)
    for chunk in to_csv(records):
        if chunk:
            await response.write(chunk.encode("utf-8"))
    await response.write_eof()
    return response


async def _approve(request: web.Request) -> dict:
    return await actions.review(request.app, int(request.match_info["id"]), actor_of(user_of(request)), approve=True)


@allow(Role.LEAD)
async def approve_json(request: web.Request) -> web.Response:
    return web.json_response(await _approve(request))


@allow(Role.LEAD)
async def approve_form(request: web.Request) -> web.Response:
    await _approve(request)
    raise web.HTTPSeeOther("/sla#approvals")


async def _send_back(request: web.Request, note: str) -> dict[str, Any]:
    return await actions.review(request.app, int(request.match_info["id"]), actor_of(user_of(request)),
                                approve=False, note=note)


@allow(Role.LEAD)
async def send_back_json(request: web.Request) -> web.Response:
    """The reply goes back to its author as a draft, with the lead's note."""
    body = await schemas.read_json(request, schemas.SendBack, required=False)
    return web.json_response(await _send_back(request, body.note))


@allow(Role.LEAD)
async def send_back_form(request: web.Request) -> web.Response:
    form = await schemas.read_form(request, schemas.SendBack)
    await _send_back(request, form.note)
    raise web.HTTPSeeOther("/sla#approvals")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sla", sla_page)
    app.router.add_get("/api/sla/summary", sla_json)
    app.router.add_get("/api/sla/conversations.csv", export_csv)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/approve", approve_json)
    app.router.add_post(r"/replies/{id:\d{1,12}}/approve", approve_form)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/send-back", send_back_json)
    app.router.add_post(r"/replies/{id:\d{1,12}}/send-back", send_back_form)
