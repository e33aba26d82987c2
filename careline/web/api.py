"""JSON API: the same read models the pages use, one error shape (see ``app.error_body``)."""

from __future__ import annotations

from aiohttp import web

from careline.views import counts, queue_rows, source_health
from careline.web.keys import STORE


def _int(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise web.HTTPBadRequest(text=f"{name} must be an integer") from None
    if not lo <= value <= hi:
        raise web.HTTPBadRequest(text=f"{name} must be between {lo} and {hi}")
    return value


async def get_queue(request: web.Request) -> web.Response:
    limit = _int(request, "limit", 50, 1, 500)
    offset = _int(request, "offset", 0, 0, 10_000_000)
    filters = {k: request.query.get(k) for k in ("platform", "brand", "status", "intent", "assignee")}
    rows = await request.app[STORE].read(lambda db: queue_rows(db, limit=limit, offset=offset, **filters))
    return web.json_response({"items": rows, "limit": limit, "offset": offset})


async def health(request: web.Request) -> web.Response:
    store = request.app[STORE]
    sources = await store.read(source_health)
    numbers = await store.read(counts)
    degraded = [s for s in sources if s["status"] == "degraded"]
    body = {"status": "degraded" if degraded else "ok", "sources": sources, **numbers}
    return web.json_response(body)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/queue", get_queue)
    app.router.add_get("/health", health)
