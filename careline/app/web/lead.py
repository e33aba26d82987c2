"""The team lead's SLA page, its JSON, the per-conversation CSV export and reply approvals."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from careline.app.web import actions, schemas
from careline.app.web.actions import actor_of
from careline.app.web.auth import allow, user_of
from careline.app.web.keys import SLA_CACHE, STORE, settings_now
from careline.app.web.pages import render, waiting_approvals
from careline.app.web.reports import approvals_waiting, export_rows, sla_summary, to_csv
from careline.app.web.security import BOM, csv_cell, opened_message, seal_message, wants_bom
from careline.app.web.slareport import SPLITS, ReportError, has_teams, lead_report, parse_range
from careline.domain import Role, utcnow
from careline.errors import CarelineError, Invalid
from careline.store import readings


async def _summary(request: web.Request) -> dict:
    """The summary, held for a multiple of its cost (``SLA_CACHE``; a cheap one only until the next
    write); its ``now`` says when it was computed. Approvals are read fresh every time: a lead who
    just approved a reply must not see it still waiting."""
    tz = settings_now(request.app).service.timezone
    store = request.app[STORE]

    async def compute() -> dict:
        now = utcnow()
        return await store.read(lambda db: {**sla_summary(db, now, tz, approvals=False),
                                            "corrections": readings.summary(db, now).as_dict()})

    summary = await request.app[SLA_CACHE].get(tz, compute, version=store.commits)
    return {**summary, "approvals": await store.read(approvals_waiting)}


def _back_to_approvals(request: web.Request, text: str, *, ok: bool) -> web.HTTPSeeOther:
    """Back to the approvals panel with what happened in words. The words travel in the query, signed
    with the lead's session secret, so a link cannot put a message of someone else's choosing there."""
    kind = "ok" if ok else "refused"
    query = urlencode({kind: text[:300], "sig": seal_message(user_of(request).csrf, f"{kind}:{text[:300]}")})
    return web.HTTPSeeOther(f"/sla?{query}#approvals")


def _review_flash(request: web.Request) -> tuple[str, bool] | None:
    """The signed message ``_back_to_approvals`` put in the query: (text, ok), or None."""
    for kind in ("ok", "refused"):
        text = request.query.get(kind)
        if text is not None:
            good = opened_message(user_of(request).csrf, f"{kind}:{text}", request.query.get("sig", ""))
            return (text, kind == "ok") if good else None
    return None


@allow(Role.LEAD)
async def sla_page(request: web.Request) -> web.Response:
    return render(request, "sla.html", title="SLAs", s=await _summary(request),
                  retention=settings_now(request.app).retention, review=_review_flash(request))


@allow(Role.LEAD)
async def sla_json(request: web.Request) -> web.Response:
    return web.json_response(await _summary(request))


@allow(Role.LEAD)
async def export_csv(request: web.Request) -> web.StreamResponse:
    """One row per conversation created in the last ``days`` days (default 30, at most 366); ``bom=1`` puts the
    byte-order mark Excel needs first."""
    days = schemas.read_query(request, schemas.ExportQuery).days
    bom = wants_bom(request.query)
    now = utcnow()
    since = now - timedelta(days=days)
    records = await request.app[STORE].read(lambda db: export_rows(db, since, now))
    response = web.StreamResponse(headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="careline-conversations-{now:%Y%m%d}.csv"'})
    await response.prepare(request)
    if bom:
        await response.write(BOM.encode("utf-8"))
    for chunk in to_csv(records):
        if chunk:
            await response.write(chunk.encode("utf-8"))
    await response.write_eof()
    return response


async def _report(request: web.Request, query: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The lead's report for ``from``..``to`` (local days, default the last 30) split by ``by``, as the request's
    query (or ``query``) asks."""
    asked = request.query if query is None else query
    tz = settings_now(request.app).service.timezone
    now = utcnow()
    rng = parse_range(asked.get("from"), asked.get("to"), tz, _team_today(request, now))
    by = asked.get("by", "agent")
    report = await request.app[STORE].read(lambda db: lead_report(db, rng, by, now))
    return report.as_dict()


REPORT_COLUMNS = ("group", "attainment_pct", "targets_hit", "targets_missed", "first_response_median_s",
                  "first_response_p90_s", "first_response_clock_median_s", "resolution_median_s",
                  "resolution_clock_median_s", "handle_median_s", "resolutions", "reopened", "reopened_pct",
                  "replies_sent", "nps", "nps_answers", "csat", "csat_answers", "ces", "ces_answers")


def _report_line(r: dict[str, Any]) -> list[Any]:
    flat = {"group": r["group"], "attainment_pct": r["attainment_pct"], "targets_hit": r["targets_hit"],
            "targets_missed": r["targets_missed"], "replies_sent": r["replies_sent"],
            "resolutions": r["resolution"]["count"], "reopened": r["reopened"], "reopened_pct": r["reopened_pct"]}
    for name, key in (("first_response", "first_response"), ("first_response_clock", "first_response_clock"),
                      ("resolution", "resolution"), ("resolution_clock", "resolution_clock"), ("handle", "handle")):
        flat[f"{name}_median_s"] = r[key]["median"]
        flat[f"{name}_p90_s"] = r[key]["p90"]
    for kind in ("nps", "csat", "ces"):
        flat[kind] = r[kind]["score"] if r[kind] else None
        flat[f"{kind}_answers"] = r[kind]["answers"] if r[kind] else 0
    return [csv_cell(flat.get(c)) for c in REPORT_COLUMNS]


@allow(Role.LEAD)
async def report_csv(request: web.Request) -> web.Response:
    """The report's rows and its total as CSV (the same query string as the JSON; ``bom=1`` for Excel)."""
    bom = wants_bom(request.query)
    report = await _report(request)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(REPORT_COLUMNS)
    for r in [*report["rows"], report["total"]]:
        writer.writerow(_report_line(r))
    name = f"careline-report-{report['from']}-{report['to']}-by-{report['by']}.csv"
    return web.Response(text=(BOM if bom else "") + buf.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@allow(Role.LEAD)
async def report_page(request: web.Request) -> web.Response:
    """The report, or (for dates or a split it cannot take) the default one with the reason on top: a bad range
    was an error page whose only way out was the queue. "team" is offered once a team exists."""
    try:
        report, refused, status = await _report(request), "", 200
    except ReportError as exc:
        report, refused, status = await _report(request, {}), str(exc), 400
    teams = await request.app[STORE].read(has_teams)
    return render(request, "reports.html", status=status, title="Reports", r=report, report_error=refused,
                  splits=[b for b in SPLITS if b != "team" or teams],
                  presets=range_presets(_team_today(request, utcnow())))


def _team_today(request: web.Request, now: datetime) -> date:
    """The day it is where the team works (``service.timezone``): the report's days and its quick ranges."""
    return now.astimezone(ZoneInfo(settings_now(request.app).service.timezone)).date()


def range_presets(today: date) -> list[tuple[str, str, str]]:
    """(label, from, to) of the ranges a lead asks for most, in the team's days: only two date fields made
    "this week" a matter of counting back on a calendar."""
    week = today - timedelta(days=today.weekday())
    last_month_end = today.replace(day=1) - timedelta(days=1)
    return [("Today", today.isoformat(), today.isoformat()),
            ("Last 7 days", (today - timedelta(days=6)).isoformat(), today.isoformat()),
            ("This week", week.isoformat(), today.isoformat()),
            ("Last 30 days", (today - timedelta(days=29)).isoformat(), today.isoformat()),
            ("This month", today.replace(day=1).isoformat(), today.isoformat()),
            ("Last month", last_month_end.replace(day=1).isoformat(), last_month_end.isoformat())]


@allow(Role.LEAD)
async def report_json(request: web.Request) -> web.Response:
    return web.json_response(await _report(request))


#: What an approval without a usable ``seen`` is told: which field, and where its value comes from.
SEEN_NEEDED = ("send seen, the reply's updated_at as you read it (approvals[].updated_at in GET /api/sla/summary, "
               "or replies[].updated_at in GET /api/conversations/{id}): nobody approves a text they did not see")


async def _seen(request: web.Request, *, form: bool) -> str:
    """The ``seen`` of an approval, required: without it a script (or a race with the author's resubmission)
    would approve a text its lead never read; the check itself is ``responder.replies.review``'s."""
    try:
        body = await (schemas.read_form(request, schemas.Approve) if form else
                      schemas.read_json(request, schemas.Approve, required=False))
    except Invalid as exc:
        raise Invalid(f"{exc}; {SEEN_NEEDED}") from None
    return body.seen


async def _approve(request: web.Request, seen: str) -> dict:
    return await actions.review(request.app, int(request.match_info["id"]), actor_of(user_of(request)), approve=True,
                                seen=seen)


@allow(Role.LEAD)
async def approve_json(request: web.Request) -> web.Response:
    return web.json_response(await _approve(request, await _seen(request, form=False)))


def _handle_of(db: Any, conversation_id: int) -> str:
    row = db.conn.execute("SELECT a.handle FROM conversations c JOIN authors a ON a.key = c.author_key "
                          "WHERE c.id = ?", (conversation_id,)).fetchone()
    return f"@{row[0]}" if row and row[0] else "the customer"


@allow(Role.LEAD)
async def approve_form(request: web.Request) -> web.Response:
    """Approve from the SLA page, then back to the approvals with what happened: sent (to whom), not
    sent (why), or the refusal (edited since the lead opened it, already reviewed...)."""
    try:
        out = await _approve(request, await _seen(request, form=True))
    except CarelineError as exc:
        raise _back_to_approvals(request, f"Not approved: {exc}", ok=False) from None
    to = await request.app[STORE].read(lambda db: _handle_of(db, out["conversation_id"]))
    if out.get("state") == "sent":
        raise _back_to_approvals(request, f"Approved and sent to {to}.", ok=True)
    if out.get("state") == "failed":
        why = out.get("error") or "the platform refused it"
        raise _back_to_approvals(request, f"Approved, but not sent to {to}: {why}. It can be retried from the "
                                 "conversation.", ok=False)
    raise _back_to_approvals(request, f"Approved; being sent to {to}.", ok=True)


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
    try:
        out = await _send_back(request, form.note)
    except CarelineError as exc:
        raise _back_to_approvals(request, f"Not sent back: {exc}", ok=False) from None
    raise _back_to_approvals(request, out.get("message") or "Sent back with your note.", ok=True)


@allow(Role.LEAD)
async def approvals_count(request: web.Request) -> web.Response:
    """How many replies wait for a lead: what the navigation's Approvals entry follows on an open page (it showed
    the count of when the page loaded, "0" while an agent's reply waited)."""
    return web.json_response({"waiting": await request.app[STORE].read(waiting_approvals)})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/sla", sla_page)
    app.router.add_get("/api/approvals/count", approvals_count)
    app.router.add_get("/api/sla/summary", sla_json)
    app.router.add_get("/api/reports/sla", report_json)
    app.router.add_get("/reports", report_page)
    app.router.add_get("/api/reports/sla.csv", report_csv)
    app.router.add_get("/api/sla/conversations.csv", export_csv)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/approve", approve_json)
    app.router.add_post(r"/replies/{id:\d{1,12}}/approve", approve_form)
    app.router.add_post(r"/api/replies/{id:\d{1,12}}/send-back", send_back_json)
    app.router.add_post(r"/replies/{id:\d{1,12}}/send-back", send_back_form)
