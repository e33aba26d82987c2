"""Marketing's trends page (Plotly charts from a JSON island), its JSON and survey import."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from careline.app.web import schemas
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import SETTINGS, STORE
from careline.app.web.pages import render
from careline.app.web.trends import trends
from careline.domain import Role, to_iso, utcnow
from careline.errors import Invalid


async def _trends(request: web.Request) -> dict[str, Any]:
    settings = request.app[SETTINGS]
    query = schemas.read_query(request, schemas.TrendsQuery)
    brand = query.brand or None
    if brand is not None and brand not in {b.name for b in settings.brands}:
        raise web.HTTPBadRequest(text="unknown brand")
    now = utcnow()
    return await request.app[STORE].read(lambda db: trends(db, now, settings.brands, brand=brand, days=query.days))


@allow(Role.MARKETING)
async def trends_page(request: web.Request) -> web.Response:
    data = await _trends(request)
    return render(request, "trends.html", title="Trends", t=data, brands=request.app[SETTINGS].brands)


@allow(Role.MARKETING)
async def trends_json(request: web.Request) -> web.Response:
    return web.json_response(await _trends(request))


def _survey_rows(body: schemas.SurveyImport, brands: set[str], who: str) -> list[tuple[Any, ...]]:
    """Types and ranges are the schema's; whether the brand is configured is known only here."""
    out = []
    for a in body.answers:
        if a.brand not in brands:
            raise Invalid("brand must be one of the configured brands")
        out.append((a.brand, "nps", a.score, to_iso(a.answered_at), who))
    return out


@allow(Role.MARKETING)
async def import_surveys(request: web.Request) -> web.Response:
    """Import NPS survey answers (0-10) so survey NPS can sit next to the estimate."""
    brands = {b.name for b in request.app[SETTINGS].brands}
    records = _survey_rows(await schemas.read_json(request, schemas.SurveyImport), brands, user_of(request).username)
    await request.app[STORE].write(lambda db: db.conn.executemany(
        "INSERT INTO survey_answers (brand, kind, score, answered_at, imported_by) VALUES (?, ?, ?, ?, ?)", records))
    return web.json_response({"imported": len(records)}, status=201)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/trends", trends_page)
    app.router.add_get("/api/trends", trends_json)
    app.router.add_post("/api/surveys", import_surveys)
