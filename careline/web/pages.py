"""Server-rendered pages. Jinja2 autoescaping is on for every template: mention text is hostile."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from careline.views import counts, queue_rows
from careline.web.keys import STORE, TEMPLATES


def render(request: web.Request, template: str, **context: Any) -> web.Response:
    html = request.app[TEMPLATES].get_template(template).render(**context)
    return web.Response(text=html, content_type="text/html")


async def queue_page(request: web.Request) -> web.Response:
    store = request.app[STORE]
    rows = await store.read(lambda db: queue_rows(db, limit=100))
    for r in rows:
        r["reasons"] = json.loads(r.get("priority_reasons") or "[]")
    numbers = await store.read(counts)
    return render(request, "queue.html", rows=rows, counts=numbers, title="Reply queue")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", queue_page, name="queue")
