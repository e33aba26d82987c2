"""The customer-facing survey page: ``GET``/``POST /s/{token}``, server-rendered, no JavaScript, no login.

The survey token in the URL is the credential (see ``responder.surveys``), so the routes are
``@public`` and the form needs no CSRF token: a forged POST would have to know the token, and then
it could only answer that one survey once. The answer is posted, then redirected back (303) to the
same URL, which shows the thank-you; a reload therefore never re-posts. Responses are not cached
and send no referrer, so the token does not leak into caches or other sites' logs.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from careline.app.web import schemas
from careline.app.web.auth import public
from careline.app.web.fields import digits
from careline.app.web.keys import LIVE, SETTINGS, STORE, TEMPLATES, settings_now
from careline.domain import utcnow
from careline.errors import CarelineError, Conflict, NotFound
from responder.surveys import MAX_COMMENT, answer_survey, get_survey, survey_kind

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _brand_name(app: web.Application, brand: str) -> str:
    settings = settings_now(app) if LIVE in app or SETTINGS in app else None
    if settings is None:
        return brand
    try:
        return settings.brand(brand).display_name or brand
    except KeyError:
        return brand


def _render(request: web.Request, survey: dict[str, Any] | None, state: str, *, status: int = 200,
            error: str = "", comment: str = "") -> web.Response:
    """One template, three states (question, thanks, missing); every variable always defined."""
    brand = _brand_name(request.app, survey["brand"]) if survey else "Careline"
    kind = survey_kind(survey["kind"]) if survey else survey_kind("nps")
    context = {
        "state": state, "brand": brand, "title": "Thank you" if state == "thanks" else "One quick question",
        "token": survey["token"] if survey else "", "question": kind.question.format(brand=brand),
        "low": kind.low, "high": kind.high, "low_label": kind.low_label, "high_label": kind.high_label,
        "scale": list(kind.scale), "error": error, "comment": comment, "max_comment": MAX_COMMENT,
    }
    html = request.app[TEMPLATES].get_template("survey.html").render(**context)
    return web.Response(text=html, status=status, content_type="text/html", headers=PRIVATE)


async def _load(request: web.Request) -> dict[str, Any] | None:
    token = request.match_info["token"]
    try:
        return await request.app[STORE].read(lambda db: get_survey(db, token))
    except NotFound:
        return None


@public
async def survey_page(request: web.Request) -> web.Response:
    survey = await _load(request)
    if survey is None:
        return _render(request, None, "missing", status=404)
    return _render(request, survey, "thanks" if survey["answered_at"] else "question")


@public
async def survey_answer(request: web.Request) -> web.StreamResponse:
    survey = await _load(request)
    if survey is None:
        return _render(request, None, "missing", status=404)
    form = await schemas.read_form(request, schemas.SurveyForm)
    comment = form.comment
    if not (digits(form.score.strip())):
        return _render(request, survey, "question", status=400, error="Please pick a number.", comment=comment)
    score = int(form.score)
    now = utcnow()
    try:
        await request.app[STORE].write(lambda db: answer_survey(db, survey["token"], score, comment, now=now))
    except Conflict:
        pass  # answered already (a double click): the thank-you page is the truthful answer
    except CarelineError as exc:
        return _render(request, survey, "question", status=400, error=str(exc), comment=comment)
    raise web.HTTPSeeOther(f"/s/{survey['token']}", headers=PRIVATE)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/s/{token}", survey_page)
    app.router.add_post("/s/{token}", survey_answer)
