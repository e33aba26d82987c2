"""Admin endpoints for one customer's data: export it, or erase it (the CLI's ``careline customer``)."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from careline.app.web import schemas
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import STORE
from careline.domain import Role, utcnow
from careline.errors import Invalid
from careline.store.customers import erase_customer, export_customer, handle_read, unescaped


@allow(Role.ADMIN)
async def customer_export(request: web.Request) -> web.Response:
    """Everything held about one author, as JSON, downloaded as a file."""
    who = schemas.read_query(request, schemas.CustomerQuery)
    found = await request.app[STORE].read(lambda db: export_customer(db, who.platform, who.handle, now=utcnow()))
    return web.json_response(found.as_json(), headers={
        "Content-Disposition": f'attachment; filename="careline-customer-{who.platform}.json"',
        "Cache-Control": "no-store"})


@allow(Role.ADMIN)
async def customer_erase(request: web.Request) -> web.Response:
    """Erase one author everywhere; ``confirm`` must repeat the handle (the action cannot be undone)."""
    body = await schemas.read_json(request, schemas.CustomerErase)
    if read_typed(body.confirm) != read_typed(body.handle):
        raise Invalid("confirm must repeat the handle: erasing cannot be undone")
    actor = user_of(request).username
    store = request.app[STORE]
    done = await store.write(lambda db: erase_customer(db, body.platform, body.handle, actor=actor, now=utcnow()))
    await store.checkpoint()  # the erased pages out of the file now, not at the next automatic checkpoint
    return web.json_response(dataclasses.asdict(done))


def read_typed(handle: str) -> str:
    """A typed handle as :func:`find_customer` reads it: the confirmation "zaraq" of the handle "zara\\u200bq"
    (or the other way round) is the same handle."""
    return handle_read(unescaped(handle.strip().lstrip("@")))


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/customers/export", customer_export)
    app.router.add_post("/api/customers/erase", customer_erase)
