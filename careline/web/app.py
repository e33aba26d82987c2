"""aiohttp app factory. Long-lived resources arrive from the service; routes live in their modules."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import jinja2
from aiohttp import web

from careline.errors import CarelineError, Conflict, Forbidden, NotFound
from careline.settings import Settings
from careline.store import Store
from careline.web import api, pages
from careline.web.keys import CLASSIFIER, SETTINGS, STORE, TEMPLATES
from classifiers.abc import Classifier

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_body(status: int, code: str, message: str) -> dict[str, dict[str, object]]:
    """The one JSON error shape of the API."""
    return {"error": {"status": status, "code": code, "message": message}}


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Business errors become JSON with words; bugs become a 500 that says "see the log"."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return web.json_response(error_body(exc.status, exc.reason.lower().replace(" ", "_"), exc.text or exc.reason),
                                 status=exc.status)
    except NotFound as exc:
        return web.json_response(error_body(404, "not_found", str(exc)), status=404)
    except Conflict as exc:
        return web.json_response(error_body(409, "conflict", str(exc)), status=409)
    except Forbidden as exc:
        return web.json_response(error_body(403, "forbidden", str(exc)), status=403)
    except CarelineError as exc:
        return web.json_response(error_body(400, "bad_request", str(exc)), status=400)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response(error_body(500, "internal", "internal error; see the server log"), status=500)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:")
    return response


def create_app(settings: Settings, store: Store, *, classifier: Classifier | None = None) -> web.Application:
    app = web.Application(middlewares=[security_headers, errors_middleware], client_max_size=1024**2)
    app[SETTINGS] = settings
    app[STORE] = store
    app[CLASSIFIER] = classifier
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    pages.add_routes(app)
    api.add_routes(app)
    app.router.add_static("/static/", HERE / "static", name="static")
    return app
