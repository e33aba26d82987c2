"""Marketing's trends page (Plotly charts from a JSON island), its JSON and survey import."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from careline.app.web.api import json_body
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import SETTINGS, STORE
from careline.app.web.pages import render
from careline.app.web.trends import trends
from careline.domain import Role, from_iso, to_iso, utcnow
from careline.errors import CarelineError

MAX_SURVEY_BATCH = 1000


async def _trends(request: web.Request) -> dict[str, Any]:
    settings = request.app[SETTINGS]
    brand = request.query.get("brand") or None
    if brand is not None and brand not in {b.name for b in settings.brands}:
        raise web.HTTPBadRequest(text="unknown brand")
    raw = request.query.get("days", "30")
    if not raw.isdigit() or not 1 <= int(raw) <= 365:
        raise web.HTTPBadRequest(text="days must be an integer between 1 and 365")
    now = utcnow()
    return await request.app[STORE].read(lambda db: trends(db, now, settings.brands, brand=brand, days=int(raw)))


@allow(Role.MARKETING)
async def trends_page(request: web.Request) -> web.Response:
    data = await _trends(request)
    return render(request, "trends.html", title="Trends", t=data, brands=request.app[SETTINGS].brands)


@allow(Role.MARKETING)
async def trends_json(request: web.Request) -> web.Response:
    return web.json_response(await _trends(request))


def _survey_rows(body: dict[str, Any], brands: set[str], who: str) -> list[tuple[Any, ...]]:
    answers = body.get("answers")
    if not isinstance(answers, list) or not 1 <= len(answers) <= MAX_SURVEY_BATCH:
        raise CarelineError(f"answers must be a list of 1-{MAX_SURVEY_BATCH} objects")
    out = []
    for a in answers:
        if not isinstance(a, dict):
            raise CarelineError("each answer must be an object")
        score, brand, at = a.get("score"), a.get("brand"), a.get("answered_at")
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
            raise CarelineError("score must be an integer 0-10")
        if brand not in brands:
            raise CarelineError("brand must be one of the configured brands")
        try:
            when = from_iso(at) if isinstance(at, str) else None
        except ValueError:
            when = None
        if when is None:
            raise CarelineError("answered_at must be an ISO 8601 time")
        out.append((brand, "nps", score, to_iso(when), who))
    return out


@allow(Role.MARKETING)
async def import_surveys(request: web.Request) -> web.Response:
    """Import NPS survey answers (0-10) so survey NPS can sit next to the estimate."""
    brands = {b.name for b in request.app[SETTINGS].brands}
    records = _survey_rows(await json_body(request), brands, user_of(request).username)
    await request.app[STORE].write(lambda db: db.conn.executemany(
        "INSERT INTO survey_answers (brand, kind, score, answered_at, imported_by) VALUES (?, ?, ?, ?, ?)", records))
    return web.json_response({"imported": len(records)}, status=201)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/trends", trends_page)
    app.router.add_get("/api/trends", trends_json)
    app.router.add_post("/api/surveys", import_surveys)
