"""Marketing's trends page (Plotly charts from a JSON island), its JSON and survey import."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging
import re
from datetime import datetime, tzinfo
from typing import Any

from aiohttp import web
from sqlite_utils import Database

from careline.app.web import schemas
from careline.app.web.auth import allow, user_of
from careline.app.web.fields import beyond_calendar, digits
from careline.app.web.keys import STORE, settings_now
from careline.app.web.pages import render
from careline.app.web.security import BOM, csv_cell, wants_bom
from careline.app.web.trends import (
    MAX_POSTS,
    PLATFORMS,
    SENTIMENTS,
    PostFilter,
    current_topic,
    own_brands,
    posts,
    trends,
)
from careline.domain import Role, from_iso, to_iso, utcnow
from careline.errors import CarelineError, Invalid, NotFound
from careline.languages import NAMES, language_code, looks_like_code
from careline.store.trending import day_zone, keep_days_in, track_names
from careline.trending import since_iso

MAX_SURVEY_BATCH = 1000
log = logging.getLogger(__name__)


async def _trends(request: web.Request, *, plain: bool = False) -> dict[str, Any]:
    """The trends the request's query asks for; ``plain``: the default ones (30 days of our brands), whatever it
    asks."""
    settings = settings_now(request.app)
    query = schemas.validate_text(schemas.TrendsQuery, {} if plain else request.query)
    brand = query.brand or None
    if brand is not None and brand not in {b.name for b in settings.brands}:
        raise web.HTTPBadRequest(text=f"there is no brand {brand[:40]!r}")
    now = utcnow()
    platform = query.platform or None
    language = chosen_language(query.language)

    def read(db: Database) -> dict[str, Any]:
        if language is not None and language not in NAMES and not heard_in(db, language):
            raise CarelineError(f"language {language!r} is not one we know, and no post was ever read as it: "
                                f"{LANGUAGE_HINT}")
        return trends(db, now, settings.brands, brand=brand, days=query.days, platform=platform, language=language)

    return await request.app[STORE].read(read)


#: How to say a language, in the words of every refusal of one.
LANGUAGE_HINT = "a code such as de, or its English name such as German"


def heard_in(db: Database, language: str) -> bool:
    """Whether any post was ever counted in ``language`` (the identifier knows more languages than have names)."""
    found = db.conn.execute("SELECT 1 FROM trend_languages WHERE language = ? LIMIT 1", (language,)).fetchone()
    return found is not None


def chosen_language(typed: str) -> str | None:
    """The trends' ``language`` filter as the code the posts carry: a code, a tag's language (``pt-BR``: ``pt``)
    or an English name (``German``); none for empty, and a 400 in words for anything else, where the queue's
    filter would match nothing (here every chart would read as a market that said nothing)."""
    if not typed.strip():
        return None
    code = language_code(typed)
    if not looks_like_code(code):
        raise CarelineError(f"language must be {LANGUAGE_HINT}, not {typed.strip()[:40]!r}")
    return code


#: What a field of the page's query may be, in words (its parser's own words read "Input should be greater than or
#: equal to 1").
QUERY_WORDS = {"days": "days must be a whole number from 1 to 365",
               "platform": f"platform must be one of {', '.join(PLATFORMS)}",
               "brand": "brand must be one of the brands in the list"}


@allow(Role.MARKETING)
async def trends_page(request: web.Request) -> web.Response:
    """The page, or (for a query it cannot take: a link with days=0, a platform or brand that is not there) the
    default one with the reason on top, as the lead's reports do: it was an error page in the parser's words."""
    try:
        data, refused, status = await _trends(request), "", 200
    except (CarelineError, web.HTTPBadRequest) as exc:
        said = (exc.text or "") if isinstance(exc, web.HTTPBadRequest) else str(exc)
        field = said.split(":", 1)[0] if ":" in said else ""
        data, refused, status = await _trends(request, plain=True), QUERY_WORDS.get(field, said), 400
    return render(request, "trends.html", status=status, title="Trends", t=data, trends_error=refused,
                  brands=settings_now(request.app).brands, platforms=PLATFORMS)


#: The charts a CSV can hold: each names its list in the trends data.
CHARTS = {"daily": "daily", "survey_nps": "survey_nps", "intents": "intents", "hourly": "hourly",
          "spikes": "spikes", "share_of_voice": "share_of_voice", "rising_terms": "rising_terms",
          "platforms": "platforms", "platform_totals": "platform_totals", "languages": "languages",
          "topics": "topics"}
_FIGURES = ("negative", "neutral", "positive", "total")
_PEOPLE = ("people", "estimated_nps", "zone")
#: Each chart's CSV columns, the same whether it has rows or not: an empty chart's file was "(no data)" with no
#: header, which a spreadsheet or a script reading by column name cannot take.
CHART_COLUMNS: dict[str, tuple[str, ...]] = {
    "daily": ("day", *_FIGURES, "complaint_rate", *_PEOPLE),
    "survey_nps": ("day", "nps", "answers", "zone"),
    "intents": ("intent", "count", "previous"),
    "hourly": ("hour", "label", "count"),
    "spikes": ("at", "count", "mean", "threshold", "label"),
    "share_of_voice": ("brand", "name", "count", "competitor", "tracked"),
    "rising_terms": ("term", "recent", "baseline", "ratio"),
    "platforms": ("day", "platform", *_FIGURES, "complaints", "complaint_rate", *_PEOPLE),
    "platform_totals": ("platform", *_FIGURES, "complaints", "complaint_rate", *_PEOPLE),
    "languages": ("language", "name", "total", "complaints", "negative", "positive", "neutral", "complaint_rate",
                  "negative_rate", "positive_rate"),
    "topics": ("id", "label", "words", "count", "previous", "rising"),
}


@allow(Role.MARKETING)
async def trends_csv(request: web.Request) -> web.Response:
    """One chart's numbers as CSV (``chart``), with the page's brand and days; formula-safe cells; ``bom=1``
    puts the byte-order mark Excel needs first."""
    chart = request.query.get("chart", "")
    if chart not in CHARTS:
        raise CarelineError(f"chart must be one of {', '.join(CHARTS)}")
    bom = wants_bom(request.query)
    records = (await _trends(request))[CHARTS[chart]]
    columns = CHART_COLUMNS[chart]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for r in records:
        writer.writerow([csv_cell(_flat(r.get(c))) for c in columns])
    return web.Response(text=(BOM if bom else "") + buf.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition":
                                 f'attachment; filename="careline-{chart}-{utcnow():%Y%m%d}.csv"'})


def _flat(value: Any) -> Any:
    """A list cell (a topic's top words) as one space-separated cell."""
    return " ".join(map(str, value)) if isinstance(value, list) else value


@allow(Role.MARKETING)
async def trends_json(request: web.Request) -> web.Response:
    return web.json_response(await _trends(request))


def _one_of(request: web.Request, name: str, allowed: set[str] | tuple[str, ...]) -> str | None:
    value = request.query.get(name) or None
    if value is not None and value not in allowed:
        raise CarelineError(f"{name} must be one of {', '.join(sorted(allowed))}")
    return value


def _matches(request: web.Request, name: str, pattern: str, words: str) -> str | None:
    value = request.query.get(name) or None
    if value is not None and not re.fullmatch(pattern, value):
        raise CarelineError(f"{name} must be {words}")
    return value


def post_filter(request: web.Request, now: datetime, zone: tzinfo) -> PostFilter:
    """The query of ``GET /api/trends/posts``, checked: every bad value is a 400 in words. ``zone``: the one
    the trends' days are kept in (``day_zone``), so ``days`` and ``day`` mean the days the charts show."""
    settings = settings_now(request.app)
    day = _matches(request, "day", r"\d{4}-\d{2}-\d{2}", "a date as YYYY-MM-DD")
    before = _matches(request, "before", r"\d{4}-\d{2}-\d{2}", "a date as YYYY-MM-DD")
    hour = _matches(request, "hour", r"\d{4}-\d{2}-\d{2}T\d{2}", "an hour as YYYY-MM-DDTHH (UTC)")
    for name, value, fmt in (("day", day, "%Y-%m-%d"), ("hour", hour, "%Y-%m-%dT%H"), ("before", before, "%Y-%m-%d")):
        try:
            parsed = datetime.strptime(value, fmt) if value is not None else None
        except ValueError:
            raise CarelineError(f"{name} is not a real date") from None
        problem = beyond_calendar(name, parsed.date()) if parsed is not None else None
        if problem:
            raise CarelineError(problem)
    term = request.query.get("term") or None
    if term is not None and (len(term) > 64 or not term.strip()):
        raise CarelineError("term must be 1-64 characters")
    return PostFilter(
        since=from_iso(since_iso(now, _int(request, "days", 30, 1, 365), zone)) or now,
        brand=_one_of(request, "brand", {b.name for b in settings.brands}),
        brands=own_brands(settings.brands),
        platform=_one_of(request, "platform", PLATFORMS), day=day, hour=hour, before=before,
        sentiment=_one_of(request, "sentiment", SENTIMENTS),
        intent=_matches(request, "intent", r"[a-z_]{1,40}", "an intent name (lowercase letters and _)"),
        complaint=_one_of(request, "complaint", ("0", "1")) == "1", term=term,
        language=chosen_language(request.query.get("language", "")),
        topic=_topic(request))


def _topic(request: web.Request) -> int | None:
    raw = _matches(request, "topic", r"[1-9]\d{0,17}", "a topic id (a positive whole number, from /api/trends)")
    return None if raw is None else int(raw)


def _int(request: web.Request, name: str, default: int, lo: int, hi: int) -> int:
    raw = request.query.get(name, str(default))
    if not digits(raw) or not lo <= int(raw) <= hi:
        raise CarelineError(f"{name} must be an integer between {lo} and {hi}")
    return int(raw)


@allow(Role.MARKETING)
async def posts_json(request: web.Request) -> web.Response:
    """The posts behind a chart's point or bar (read-only)."""
    now = utcnow()
    zone = await request.app[STORE].read(day_zone)
    f = post_filter(request, now, zone)
    limit, offset = _int(request, "limit", 50, 1, MAX_POSTS), _int(request, "offset", 0, 0, 1_000_000)

    def read(db: Database) -> dict[str, Any]:
        topic = None if f.topic is None else current_topic(db, f.topic)
        if f.topic is not None and topic is None:
            raise NotFound(f"there is no topic {f.topic}")
        return posts(db, dataclasses.replace(f, topic=topic), limit=limit, offset=offset, zone=zone)

    return web.json_response(await request.app[STORE].read(read))


def _survey_rows(body: schemas.SurveyImport, brands: set[str], who: str) -> list[tuple[Any, ...]]:
    """Types and ranges are the schema's; whether the brand is configured is known only here."""
    out = []
    for a in body.answers:
        if a.brand not in brands:
            raise Invalid("brand must be one of the configured brands")
        out.append((a.brand, "nps", a.score, to_iso(a.answered_at), who, a.answer_id))
    return out


@allow(Role.MARKETING)
async def import_surveys(request: web.Request) -> web.Response:
    """Import NPS survey answers (0-10) so survey NPS can sit next to the estimate; an answer whose
    ``answer_id`` its brand already has is skipped (a batch sent twice counts once)."""
    brands = {b.name for b in settings_now(request.app).brands}
    records = _survey_rows(await schemas.read_json(request, schemas.SurveyImport), brands, user_of(request).username)

    def insert(db: Database) -> int:
        before = db.conn.total_changes
        db.conn.executemany("INSERT OR IGNORE INTO survey_answers (brand, kind, score, answered_at, imported_by, "
                            "answer_id) VALUES (?, ?, ?, ?, ?, ?)", records)
        return int(db.conn.total_changes - before)

    imported = await request.app[STORE].write(insert)
    return web.json_response({"imported": imported, "skipped": len(records) - imported}, status=201)


async def track_competitors(app: web.Application) -> None:
    """Count posts naming each configured competitor by trigger from now on (new names once, here)."""
    names = [rival for b in settings_now(app).brands for rival in b.competitors]
    if names:
        await app[STORE].write(lambda db: track_names(db, names))


async def keep_trend_days(app: web.Application) -> None:
    """Key the trends' daily counts by the team's days (``service.timezone``); a zone changed since the last
    start recounts them from the posts, once, here, and says so (seconds per hundred thousand posts)."""
    zone = settings_now(app).service.timezone
    if await app[STORE].write(lambda db: keep_days_in(db, zone)):
        log.info("trend days are now counted in %s: recounted from the stored posts", zone)


def add_routes(app: web.Application) -> None:
    app.on_startup.append(keep_trend_days)
    app.on_startup.append(track_competitors)
    app.router.add_get("/trends", trends_page)
    app.router.add_get("/api/trends", trends_json)
    app.router.add_get("/api/trends/posts", posts_json)
    app.router.add_get("/api/trends.csv", trends_csv)
    app.router.add_post("/api/surveys", import_surveys)
