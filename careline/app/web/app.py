"""aiohttp app factory. Long-lived resources arrive from the service; routes live in their modules."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

import jinja2
import plotly
from aiohttp import web

from careline.app.web import (
    account,
    actions,
    admin,
    admin_config,
    admin_settings,
    admin_templates,
    agent,
    api,
    customers,
    lead,
    login,
    marketing,
    survey,
    workspace,
)
from careline.app.web.auth import USER_KEY, auth_middleware, is_https, public
from careline.app.web.cache import CostBoundCache
from careline.app.web.keys import (
    CLASSIFIER,
    DESK,
    HASHER,
    LIVE,
    PENDING,
    PRESENCE,
    SENDERS,
    SETTINGS,
    SLA_CACHE,
    STOPPING,
    STORE,
    TEMPLATES,
    THROTTLE,
)
from careline.app.web.migrations import WEB
from careline.app.web.pages import OOPS, OOPS_SIG, approvals_badge, count_approvals, page_sent_from, render
from careline.app.web.presence import Presence
from careline.app.web.sealing import seal_stored
from careline.app.web.security import isolate_handles, seal_message
from careline.app.web.throttle import LoginThrottle
from careline.domain import from_iso
from careline.errors import CarelineError, Conflict, Forbidden, Invalid, NotFound
from careline.languages import LANGUAGE_CHOICES, language_name, text_direction, written_direction
from careline.live import LiveSettings
from careline.platform import ReplySender
from careline.settings import Settings
from careline.store import Store
from classifiers.abc import Classifier
from responder.workflow import Desk

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
#: Plotly's offline bundle, shipped inside the plotly wheel: charts never load from a CDN.
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def team_time(zone: str) -> Callable[[object], str]:
    """The ``team_time`` template filter: a stored UTC time as the team reads it, in ``service.timezone`` (the
    setting says "dates shown in the UI"; the conversation page showed UTC, and said so only for the SLA's due
    time). Anything that is not a time ("not yet") passes through as it is. ``seconds`` for the account events,
    where a login and what followed it fall within one minute."""
    tz = ZoneInfo(zone)

    def shown(value: object, seconds: bool = False) -> str:
        if value is None:
            return ""
        try:
            at = value if isinstance(value, datetime) else from_iso(str(value))
        except ValueError:
            return str(value)
        form = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
        return at.astimezone(tz).strftime(form) if at is not None else str(value)

    return shown


#: (what a User-Agent contains, what a person calls it), most specific first: Edge and Opera say "Chrome" too.
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("HeadlessChrome/", "Headless Chrome"),
            ("Chrome/", "Chrome"), ("CriOS/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl"))
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


#: How much of a post a list row shows (the queue; the conversation page shows it whole).
PREVIEW_CHARS = 600
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def preview(text: object) -> str:
    """A post as a list row shows it: runs of blank lines made one, and cut at :data:`PREVIEW_CHARS` with an ellipsis.
    A 10,000-character post made a 6,500 px queue row, and 230 line breaks in a tweet a 4,700 px one; the stylesheet
    clamps what is left to a few lines."""
    shown = _BLANK_LINES.sub("\n\n", str(text or ""))
    return shown if len(shown) <= PREVIEW_CHARS else shown[:PREVIEW_CHARS - 1].rstrip() + "…"


def browser_of(user_agent: object) -> str:
    """A session's User-Agent as a person names it ("Chrome on Android"): the raw string filled a phone's screen
    with one column of "Mozilla/5.0 (X11; ..." per session. The page keeps the raw string in a title."""
    ua = str(user_agent or "")
    browser = next((name for mark, name in BROWSERS if mark in ua), "")
    system = next((name for mark, name in SYSTEMS if mark in ua), "")
    if not browser:
        return ua[:40] or "unknown"
    return f"{browser} on {system}" if system else browser


def readable_data(data: object) -> str:
    """An audit event's data (stored JSON) as a person reads it: ``key: value`` pairs, letters as they are written,
    nested ones in parentheses (braces ran into a saved template's own ``{{ }}``). The account events showed the raw
    JSON, a name such as "Zoë" as ``Zo\\u00eb``."""
    try:
        value = json.loads(data) if isinstance(data, str) else data
    except ValueError:
        return str(data)

    def show(v: object) -> str:
        if isinstance(v, dict):
            return "(" + ", ".join(f"{k}: {show(x)}" for k, x in v.items()) + ")"
        if isinstance(v, list):
            return "[" + ", ".join(show(x) for x in v) + "]"
        return "none" if v is None else str(v)

    if isinstance(value, dict):
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items()) or "—"
    return show(value)


#: Business errors and their HTTP status and error code, most specific first.
BUSINESS_ERRORS: tuple[tuple[type[CarelineError], int, str], ...] = (
    (NotFound, 404, "not_found"), (Conflict, 409, "conflict"), (Forbidden, 403, "forbidden"),
    (Invalid, 422, "invalid"),
    (CarelineError, 400, "bad_request"))
#: Headers an error response must keep: the auth scheme on a 401 (RFC 9110), the wait on a 429, the verbs on a 405.
KEEP_HEADERS = ("WWW-Authenticate", "Retry-After", "Allow")


#: The longest address the app reads (its path and query), and what aiohttp's parser is let read so that a longer
#: one reaches the app: at aiohttp's own limit (8,190 bytes) the parser answered a plain-text 400 of its own, in
#: no shape of ours; up to ``MAX_LINE`` (the request line) the app now answers a 414 in words.
MAX_ADDRESS, MAX_LINE = 8_000, 65_536


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Business errors become words in the caller's format; bugs become a 500 that says "see the log"."""
    try:
        if len(request.raw_path) > MAX_ADDRESS:
            raise web.HTTPRequestURITooLong(text=f"the address is {len(request.raw_path):,} bytes long, over the "
                                                 f"{MAX_ADDRESS:,} this app reads: send fewer or shorter query values")
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        await count_approvals(request)
        return error_response(request, exc.status, exc.reason.lower().replace(" ", "_"), exc.text or exc.reason,
                              exc.headers)
    except CarelineError as exc:
        await count_approvals(request)
        status, code = next((s, c) for kind, s, c in BUSINESS_ERRORS if isinstance(exc, kind))
        return back_with_error(request, str(exc)) or error_response(request, status, code, str(exc),
                                                                    field=exc.field)
    except ConnectionResetError:  # the caller went away mid-request (a tab closed while its body was read)
        log.info("%s %s: the client went away before the answer", request.method, request.path)
        raise  # nobody to answer; aiohttp closes the connection (this was logged as a bug, with a traceback)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(request, 500, "internal", "internal error; see the server log")


#: Query keys of earlier outcomes, dropped from the page a refused form goes back to (they would say "Tagged.").
OUTCOME_KEYS = frozenset({OOPS, OOPS_SIG, "done", "held", "bulk", "bsig", "undo", "restore", "ok", "refused", "sig",
                          *actions.MOVED_REPLIES})


def back_with_error(request: web.Request, message: str) -> web.Response | None:
    """A person's refused form (a tag the rules refuse, a note of control characters) goes back to the page it
    was sent from, the refusal on top of it (``pages.render``), instead of an error page whose only way out
    is the queue. None for the API, scripts, and a page of another site or none."""
    who = request.get(USER_KEY)
    if (request.method != "POST" or request.path.startswith("/api/") or who is None or not who.csrf
            or "text/html" not in request.headers.get("Accept", "")):
        return None
    ref = page_sent_from(request)
    if ref is None:
        return None
    words = message[:300]
    query = [(k, v) for k, v in parse_qsl(ref.query) if k not in OUTCOME_KEYS]
    query += [(OOPS, words), (OOPS_SIG, seal_message(who.csrf, f"{OOPS}:{words}"))]
    return web.Response(status=303, headers={"Location": f"{ref.path}?{urlencode(query)}"})


def error_response(request: web.Request, status: int, code: str, message: str,
                   headers: Mapping[str, str] | None = None, *, field: str = "") -> web.Response:
    """JSON for the API and for scripts (with the ``field`` it is about, when one); a page with a way back for a
    person in a browser."""
    keep = {k: v for k, v in (headers or {}).items() if k in KEEP_HEADERS}
    if request.path.startswith("/api/") or "text/html" not in request.headers.get("Accept", ""):
        body = api.error_body(status, code, message)
        if field:
            body["error"]["field"] = field
        return web.json_response(body, status=status, headers=keep)
    reason = HTTPStatus(status).phrase  # every caller passes a standard code: aiohttp's, or BUSINESS_ERRORS, or 500
    response = render(request, "error.html", status=status, title=reason, code=status, reason=reason,
                      message=message)
    response.headers.update(keep)
    return response


CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
#: Over https (directly or behind a proxy on loopback): a year, this host only (other subdomains are not ours).
HSTS = "max-age=31536000"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
                    "Content-Security-Policy": CSP}


async def security_headers(request: web.BaseRequest, response: web.StreamResponse) -> None:
    """On every response (streams, redirects and error pages included), via ``on_response_prepare``."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if isinstance(request, web.Request) and is_https(request):  # browsers then never try plain http again
        response.headers.setdefault("Strict-Transport-Security", HSTS)


@public
async def plotly_js(request: web.Request) -> web.FileResponse:
    return web.FileResponse(PLOTLY_JS, headers={"Cache-Control": "public, max-age=86400",
                                                "Content-Type": "text/javascript; charset=utf-8"})


async def apply_web_migrations(app: web.Application) -> None:
    """The web tables exist even when the store was opened without ``extra`` (tests, CLI); two-factor secrets
    stored in plain text by an older version are sealed."""
    await app[STORE].write(WEB.apply)
    sealed = await app[STORE].write(seal_stored)
    if sealed:
        log.info("sealed %d two-factor secret(s) stored in plain text", sealed)


async def start_senders(app: web.Application) -> None:
    """Senders open aiohttp sessions, so they start on the app's own loop."""
    for sender in app[SENDERS].values():
        await sender.start()


async def close_senders(app: web.Application) -> None:
    for sender in app[SENDERS].values():
        await sender.close()


async def end_streams(app: web.Application) -> None:
    """On shutdown, before aiohttp waits for the handlers still running: the event streams end now."""
    app[STOPPING].set()


async def stop_hasher(app: web.Application) -> None:
    app[HASHER].shutdown(wait=False, cancel_futures=True)


async def settle_caches(app: web.Application) -> None:
    """A summary refresh still reading must finish before the store it reads is closed."""
    await app[SLA_CACHE].idle()


@web.middleware
async def fresh_settings(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A change another process saved (``careline config import``) reaches pages within a second."""
    await request.app[LIVE].refresh(max_age=1.0)
    return await handler(request)


async def load_settings_overlay(app: web.Application) -> None:
    """The browser's settings apply from the first request (the service has loaded them already)."""
    await app[LIVE].refresh()


def create_app(settings: Settings, store: Store, *, classifier: Classifier | None = None,
               senders: dict[str, ReplySender] | None = None, live: LiveSettings | None = None) -> web.Application:
    app = web.Application(middlewares=[errors_middleware, fresh_settings, auth_middleware, approvals_badge],
                          client_max_size=1024**2)
    app[SETTINGS] = settings
    app[LIVE] = live = live or LiveSettings(settings, store)
    app[STORE] = store
    app[CLASSIFIER] = classifier
    app[SENDERS] = dict(senders or {})
    app[DESK] = Desk(store, live.current, app[SENDERS])
    live.subscribe(app[DESK].reconfigure)
    app[PRESENCE] = Presence()
    app[SLA_CACHE] = CostBoundCache()
    accounts = settings.accounts
    app[HASHER] = ThreadPoolExecutor(max_workers=accounts.hash_threads, thread_name_prefix="careline-hasher")
    app[THROTTLE] = LoginThrottle(accounts.account_attempts, accounts.address_attempts)
    app[PENDING] = {}
    app[STOPPING] = asyncio.Event()
    app[TEMPLATES] = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # the templates of the code that runs: files upgraded under it wait for a restart
        cache_size=-1,
    )
    app[TEMPLATES].filters["language_name"] = language_name  # "in Thai", not "in th"
    app[TEMPLATES].filters["text_direction"] = text_direction  # Arabic posts and drafts read right to left
    app[TEMPLATES].filters["written_direction"] = written_direction  # and the brand's replies, by their letters
    app[TEMPLATES].filters["isolate_handles"] = isolate_handles
    app[TEMPLATES].filters["team_time"] = team_time(settings.service.timezone)
    app[TEMPLATES].filters["browser_of"] = browser_of
    app[TEMPLATES].filters["readable_data"] = readable_data
    app[TEMPLATES].filters["preview"] = preview
    app[TEMPLATES].filters["event_words"] = agent.event_words  # the audit log in words, not event kinds
    app[TEMPLATES].globals["outcome_keys"] = " ".join(sorted(OUTCOME_KEYS))  # outcome.js takes them off the address
    app[TEMPLATES].globals["language_choices"] = LANGUAGE_CHOICES  # the language inputs' suggestions, by name
    app.on_startup.append(apply_web_migrations)
    app.on_startup.append(load_settings_overlay)
    app.on_startup.append(start_senders)
    app.on_shutdown.append(end_streams)
    app.on_cleanup.append(close_senders)
    app.on_cleanup.append(settle_caches)
    app.on_cleanup.append(stop_hasher)
    app.on_response_prepare.append(security_headers)
    for module in (login, agent, api, lead, marketing, survey, workspace, account, admin, admin_config,
                   admin_templates, admin_settings, customers):
        module.add_routes(app)
    app.router.add_get("/static/vendor/plotly.min.js", plotly_js)
    app.router.add_static("/static/", HERE / "static", name="static")
    return app
