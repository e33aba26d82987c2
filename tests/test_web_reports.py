"""The lead's report (``/api/reports/sla``): SQL over ``report_targets`` agrees with the Python summary,
follows two agents and a lead working at once, splits, surveys with comments, and refuses bad input."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlite_utils import Database

from careline.app.web.auth import create_token, create_user
from careline.app.web.reports import sla_summary
from careline.app.web.slareport import lead_report, parse_range
from careline.domain import Role, from_iso, to_iso, utcnow
from careline.store import Store
from careline.store.migrations import CORE
from responder.metrics import percentile
from responder.slastate import sla_state
from tests.helpers.seed import seed
from tests.test_web_app import client, web_store  # the fixtures

__all__ = ["client", "web_store"]


def _db(n: int, now: datetime) -> Database:
    db = Database(memory=True)
    CORE.apply(db)
    with db.conn:
        seed(db, n, now, days=10)
    return db


def _decide(due: datetime | None, done: datetime | None, now: datetime) -> tuple[str, datetime] | None:
    """The decision rule, written plainly: ``("hit"|"missed", decided_at)`` for one target, or None while it
    is still running (the triggers of ``careline.store.reporting`` keep the same in SQL)."""
    if due is None:
        return None
    if done is not None and done <= due:
        return "hit", done
    if done is not None or due <= now:
        return "missed", due
    return None


def _reference(db: Database, now: datetime, since: datetime) -> dict[str, Any]:
    """The SLA page's figures recomputed the slow way, row by row from ``conversations`` with the
    decision rule (``_decide``) and exact order statistics: what the aggregates must equal."""
    hits = misses = 0
    frt: list[float] = []
    for c in db.query("SELECT * FROM conversations"):
        created, responded = from_iso(c["created_at"]), from_iso(c["first_responded_at"])
        resolved = from_iso(c["resolved_at"]) if c["status"] == "resolved" else None
        for due, done in ((from_iso(c["first_response_due"]), responded), (from_iso(c["resolution_due"]), resolved)):
            decided = _decide(due, done, now)
            if decided is not None and decided[1] >= since:
                hits += decided[0] == "hit"
                misses += decided[0] == "missed"
        if responded is not None and created is not None and responded >= since and c["first_response_due"]:
            frt.append((responded - created).total_seconds())
    return {"targets_hit": hits, "targets_missed": misses, "frt_count": len(frt),
            "frt_median_s": percentile(frt, 50), "frt_p90_s": percentile(frt, 90)}


def test_the_sla_page_figures_match_a_row_by_row_recount() -> None:
    """The cards (SQL over the trigger-kept aggregates) against a recount of every conversation:
    the same hits and misses, and medians and p90s within the histogram's 10 % buckets."""
    now = datetime.now(UTC)
    db = _db(600, now)
    summary = sla_summary(db, now)
    for name, since in (("30d", now - timedelta(days=30)), ("7d", now - timedelta(days=7))):
        got, want = summary["periods"][name], _reference(db, now, since)
        assert (got["targets_hit"], got["targets_missed"]) == (want["targets_hit"], want["targets_missed"]), name
        assert want["targets_hit"] > 0 and want["targets_missed"] > 0
        for key in ("frt_median_s", "frt_p90_s"):
            assert got[key] == pytest.approx(want[key], rel=0.1), (name, key)


def test_breaches_at_risk_and_backlog_follow_the_one_sla_state_rule() -> None:
    """Counts in SQL agree with ``slastate.sla_state`` over every active row, including a policy whose
    warning lead (60 min) is longer than the default 15: a row due in 30 minutes is at risk under it."""
    now = datetime.now(UTC)
    db = _db(400, now)
    with db.conn:
        db.conn.execute("UPDATE conversations SET first_responded_at = NULL, first_response_due = ?, "
                        "sla_snapshot = ? WHERE id IN "
                        "(SELECT id FROM conversations WHERE status IN ('new', 'open') LIMIT 5)",
                        (to_iso(now + timedelta(minutes=30)), json.dumps({"warn_before_minutes": 60})))
        db.conn.execute("UPDATE conversations SET first_responded_at = NULL, first_response_due = ? WHERE id IN "
                        "(SELECT id FROM conversations WHERE status = 'pending' LIMIT 5)",  # waiting: clocks stand
                        (to_iso(now - timedelta(minutes=30)),))
    summary = sla_summary(db, now)
    states = [sla_state(c, now)["state"] for c in db.query(
        "SELECT * FROM conversations WHERE status IN ('new', 'open', 'pending', 'snoozed')")]
    assert summary["breach_count"] == states.count("breached") > 0
    assert summary["near_breach_count"] == states.count("at_risk") >= 5
    assert {b["state"] for b in summary["breaches"]} == {"breached"}
    assert {b["state"] for b in summary["near_breaches"]} == {"at_risk"}
    assert sum(b["count"] for b in summary["backlog"]) == len(states)
    assert states.count("paused") >= 5 and "pending" not in {b["status"] for b in summary["breaches"]}
    dues = [b["due"] for b in summary["breaches"]]
    assert dues == sorted(dues)  # the most overdue first


def test_groups_add_up_to_the_total_for_every_split() -> None:
    now = datetime.now(UTC)
    db = _db(300, now)
    rng = parse_range(None, None, "UTC", now.date())
    for by in ("brand", "platform", "intent", "agent"):
        report = lead_report(db, rng, by, now)
        assert sum(r.targets_hit for r in report.rows) == report.total.targets_hit, by
        assert sum(r.targets_missed for r in report.rows) == report.total.targets_missed, by
        assert sum(r.first_response.count for r in report.rows) == report.total.first_response.count, by
    assert {r.group for r in lead_report(db, rng, "platform", now).rows} == {"x", "reddit"}
    assert {r.group for r in lead_report(db, rng, "agent", now).rows} == {"agent", "(none)"}


def test_a_range_counts_only_what_was_decided_inside_it() -> None:
    """Yesterday alone holds fewer decisions than the month, and a day before the data holds none."""
    now = datetime.now(UTC)
    db = _db(400, now)
    month = lead_report(db, parse_range(None, None, "UTC", now.date()), "brand", now).total
    day = now.date() - timedelta(days=1)
    one = lead_report(db, parse_range(str(day), str(day), "UTC", now.date()), "brand", now).total
    assert 0 < one.targets_hit + one.targets_missed < month.targets_hit + month.targets_missed
    old = now.date() - timedelta(days=200)
    empty = lead_report(db, parse_range(str(old), str(old), "UTC", now.date()), "brand", now)
    assert empty.rows == [] and empty.total.attainment_pct is None


def test_reopening_keeps_the_first_resolution_counts_a_reopen_and_a_dismissal_keeps_it() -> None:
    """The first resolution decides the target (``reporting.RESOLUTION_KEPT``): a reopen leaves it counted
    and counts it reopened; dismissing the follow-up (nothing more to answer) leaves it as it was."""
    now = datetime.now(UTC)
    db = _db(200, now)
    rng = parse_range(None, None, "UTC", now.date())
    before = lead_report(db, rng, "brand", now).total
    conv = db.conn.execute("SELECT id FROM conversations WHERE status = 'resolved' LIMIT 1").fetchone()[0]
    with db.conn:
        db.conn.execute("UPDATE conversations SET status = 'open', resolved_at = NULL WHERE id = ?", (conv,))
    after = lead_report(db, rng, "brand", now).total
    figures = (after.resolution.count, after.targets_hit, after.targets_missed)
    assert figures == (before.resolution.count, before.targets_hit, before.targets_missed)
    assert after.reopened == before.reopened + 1
    with db.conn:
        db.conn.execute("UPDATE conversations SET status = 'dismissed' WHERE id = ?", (conv,))
    dismissed = lead_report(db, rng, "brand", now).total
    assert (dismissed.resolution.count, dismissed.targets_hit, dismissed.targets_missed) == figures
    assert dismissed.reopened == after.reopened


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _work(client: TestClient, token: str, conv: int, n: int) -> None:
    """One agent claims, answers and resolves one conversation over the JSON API."""
    r = await client.post(f"/api/conversations/{conv}/claim", json={}, headers=_auth(token))
    assert r.status == 200, await r.text()
    r = await client.post(f"/api/conversations/{conv}/replies", headers=_auth(token),
                          json={"text": f"Thanks for telling us, we are on it ({n}).",
                                "idempotency_key": f"reply-{conv:08d}"})
    assert r.status == 201 and (await r.json())["state"] == "sent", await r.text()
    r = await client.post(f"/api/conversations/{conv}/resolve", json={}, headers=_auth(token))
    assert r.status == 200, await r.text()


async def test_report_follows_two_agents_and_a_lead_at_once(client: TestClient, web_store: Store) -> None:
    def users(db: Database) -> dict[str, str]:
        create_user(db, "agent2", Role.AGENT, "agent2-pw")
        return {name: create_token(db, name, "tests") for name in ("agent", "agent2", "lead")}

    tokens = await web_store.write(users)
    queue = await client.get("/api/queue?limit=40&status=new&platform=x", headers=_auth(tokens["agent"]))
    convs = [c["id"] for c in (await queue.json())["items"] if c["priority"] < 60][:6]
    assert len(convs) == 6
    before = await (await client.get("/api/reports/sla?by=agent", headers=_auth(tokens["lead"]))).json()

    async def lead_reads() -> list[dict[str, Any]]:
        out = []
        for _ in range(6):
            r = await client.get("/api/reports/sla?by=agent", headers=_auth(tokens["lead"]))
            assert r.status == 200
            out.append(await r.json())
        return out

    work = [_work(client, tokens["agent" if i % 2 else "agent2"], conv, i) for i, conv in enumerate(convs)]
    *_, reads = await asyncio.gather(*work, lead_reads())
    assert all(r["total"]["replies_sent"] <= 6 for r in reads)
    after = await (await client.get("/api/reports/sla?by=agent", headers=_auth(tokens["lead"]))).json()
    rows = {r["group"]: r for r in after["rows"]}
    assert rows["agent"]["replies_sent"] == rows["agent2"]["replies_sent"] == 3
    assert rows["agent2"]["resolution"]["count"] == 3 and rows["agent2"]["handle"]["count"] == 3
    decided = after["total"]["targets_hit"] + after["total"]["targets_missed"]
    assert decided > before["total"]["targets_hit"] + before["total"]["targets_missed"]
    now = datetime.now(UTC)
    python = await web_store.read(lambda db: sla_summary(db, now)["periods"]["30d"])
    assert (after["total"]["targets_hit"], after["total"]["targets_missed"]) == (
        python["targets_hit"], python["targets_missed"])


async def test_a_first_response_counts_for_who_sent_it_whoever_holds_the_conversation_later(
        client: TestClient, web_store: Store) -> None:
    """The audit: the agent replied, the lead then took the conversation over, and the report credited the lead
    with the met first response (its row was written again, with the holder of the moment, when the SLA job
    filled in the clock)."""
    tokens = await web_store.write(lambda db: {n: create_token(db, n, "tests") for n in ("agent", "lead")})
    queue = await client.get("/api/queue?limit=40&status=new&platform=x", headers=_auth(tokens["agent"]))
    conv = next(c["id"] for c in (await queue.json())["items"] if c["priority"] < 60)
    r = await client.post(f"/api/conversations/{conv}/claim", json={}, headers=_auth(tokens["agent"]))
    assert r.status == 200, await r.text()
    r = await client.post(f"/api/conversations/{conv}/replies", headers=_auth(tokens["agent"]),
                          json={"text": "Thanks for telling us, we are on it.", "idempotency_key": f"first-{conv}"})
    assert r.status == 201, await r.text()
    r = await client.post(f"/api/conversations/{conv}/assign", json={"agent": "lead"}, headers=_auth(tokens["lead"]))
    assert r.status == 200, await r.text()
    await web_store.write(lambda db: db.conn.execute(  # what the SLA job writes once it has the clock
        "UPDATE conversations SET first_response_clock_s = 42.0 WHERE id = ?", (conv,)))
    credited = await web_store.read(lambda db: db.conn.execute(
        "SELECT agent FROM report_targets WHERE conversation_id = ? AND target = 'first_response'",
        (conv,)).fetchone()[0])
    assert credited == "agent"
    daily = await web_store.read(lambda db: dict(db.conn.execute(
        "SELECT agent, sum(n) FROM report_daily WHERE kind = 'first_response' GROUP BY agent").fetchall()))
    recount = await web_store.read(lambda db: dict(db.conn.execute(
        "SELECT agent, count(*) FROM report_targets WHERE target = 'first_response' GROUP BY agent").fetchall()))
    assert {k: v for k, v in daily.items() if v} == recount  # the daily totals follow

    from careline.store.migrations import m140_first_response_counts_for_its_author

    def old_credit_then_migrate(db: Database) -> str:  # a row an older version wrote, for the holder
        db.conn.execute("DROP TRIGGER report_first_update")
        db.conn.execute("DELETE FROM report_targets WHERE conversation_id = ? AND target = 'first_response'", (conv,))
        db.conn.execute("UPDATE conversations SET first_response_clock_s = 43.0 WHERE id = ?", (conv,))
        db.conn.execute("INSERT INTO report_targets (conversation_id, target, decided_at, hit, done_at, wall_s, "
                        "clock_s, brand, platform, agent, intent) SELECT id, 'first_response', first_responded_at, "
                        "1, first_responded_at, 1.0, 43.0, brand, platform, 'lead', '' FROM conversations "
                        "WHERE id = ?", (conv,))
        m140_first_response_counts_for_its_author(db)
        return str(db.conn.execute("SELECT agent FROM report_targets WHERE conversation_id = ? AND target = "
                                   "'first_response'", (conv,)).fetchone()[0])

    assert await web_store.write(old_credit_then_migrate) == "agent"


async def test_an_approval_shows_the_customers_earlier_messages_and_the_escalation_note(
        client: TestClient, web_store: Store) -> None:
    """The audit: an escalated €400 claim sat two messages up, and the lead's card showed only the customer's latest
    message, about something else; the lead approved the reply without the context."""
    from careline.app.web.reports import approvals_waiting

    tokens = await web_store.write(lambda db: {n: create_token(db, n, "tests") for n in ("agent",)})
    queue = await client.get("/api/queue?limit=40&status=new&platform=x", headers=_auth(tokens["agent"]))
    conv = (await queue.json())["items"][0]["id"]

    def earlier_posts(db: Database) -> None:  # two earlier posts of the same customer in the thread
        m = db.conn.execute("SELECT m.* FROM mentions m JOIN conversations c ON c.thread_key = m.thread_key "
                            "WHERE c.id = ? ORDER BY m.created_at LIMIT 1", (conv,)).fetchone()
        cols = [d[0] for d in db.conn.execute("SELECT * FROM mentions LIMIT 0").description]
        row = dict(zip(cols, m, strict=True))
        for n, text in enumerate(("They owe me €400 for the cancelled flight", "Still no refund of the €400")):
            when = to_iso(from_iso(row["created_at"]) - timedelta(hours=2 - n))
            db.conn.execute(f"INSERT INTO mentions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                            [{"key": f"{row['key']}-e{n}", "platform_id": f"{row['platform_id']}{n}e", "text": text,
                              "created_at": when}.get(c, row[c]) for c in cols])

    await web_store.write(earlier_posts)
    for path, body in ((f"/api/conversations/{conv}/claim", {}),
                       (f"/api/conversations/{conv}/escalate", {"note": "refund claim of €400, needs a lead"})):
        r = await client.post(path, json=body, headers=_auth(tokens["agent"]))
        assert r.status == 200, await r.text()
    await web_store.write(lambda db: db.conn.execute(  # held by the approval rules (the test settings hold none)
        "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key, "
        "in_reply_to) SELECT ?, 'We will refund the €400 within 5 days.', 'awaiting_approval', 'agent', ?, ?, "
        "'held-400-1', (SELECT m.key FROM mentions m JOIN conversations c ON c.thread_key = m.thread_key WHERE "
        "c.id = ? ORDER BY m.created_at DESC LIMIT 1)", (conv, to_iso(utcnow()), to_iso(utcnow()), conv)))
    card = next(a for a in await web_store.read(approvals_waiting) if a["conversation_id"] == conv)
    assert card["escalation"] == {"by": "agent", "note": "refund claim of €400, needs a lead"}
    assert card["earlier"][-2:] == ["They owe me €400 for the cancelled flight", "Still no refund of the €400"]
    assert card["customer_text"] not in card["earlier"]


async def test_survey_answers_and_comments_reach_the_report(client: TestClient, web_store: Store) -> None:
    now = datetime.now(UTC)

    def answered(db: Database) -> str:
        conv = db.conn.execute("SELECT id FROM conversations WHERE assignee = 'agent' LIMIT 1").fetchone()[0]
        for i, (kind, score, comment) in enumerate((("nps", 10, "<b>fast</b> =1+1"), ("nps", 3, None),
                                                    ("csat", 5, "kind"), ("ces", 6, ""))):
            db.conn.execute("INSERT INTO surveys (token, conversation_id, kind, agent, brand, platform, created_at, "
                            "answered_at, score, comment) VALUES (?, ?, ?, 'agent', 'skylark', 'x', ?, ?, ?, ?)",
                            (f"t{i}", conv, kind, now.isoformat(), now.isoformat(), score, comment))
        return create_token(db, "lead", "tests")

    lead = await web_store.write(answered)
    report = await (await client.get("/api/reports/sla?by=agent", headers=_auth(lead))).json()
    agent = next(r for r in report["rows"] if r["group"] == "agent")
    assert agent["nps"] == {"answers": 2, "score": 0} and agent["csat"] == {"answers": 1, "score": 100.0}
    assert agent["ces"] == {"answers": 1, "score": 6.0}
    assert sorted(c["comment"] for c in agent["comments"]) == ["<b>fast</b> =1+1", "kind"]
    # the total row's scores too (it summed counts and durations only: NPS read "none" under a group's 0)
    assert report["total"]["nps"] == {"answers": 2, "score": 0} and report["total"]["ces"]["answers"] == 1


async def test_bad_report_requests_are_400s_in_the_error_shape(client: TestClient, web_store: Store) -> None:
    tokens = await web_store.write(lambda db: (create_token(db, "lead", "t"), create_token(db, "agent", "t")))
    lead, agent = tokens
    for query, words in (("from=2026-13-01", "from must be a date"), ("to=yesterday", "to must be a date"),
                         ("from=2026-05-02&to=2026-05-01", "on or before"), ("from=2020-01-01&to=2026-01-01",
                                                                            "at most 366 days"),
                         ("by=colour", "by must be one of"), ("by=team", "no teams yet"),
                         ("from=9999-12-30&to=9999-12-31", "between the years"),
                         ("to=0001-01-05", "between the years")):  # its default from was a 500
        r = await client.get(f"/api/reports/sla?{query}", headers=_auth(lead))
        body = await r.json()
        assert r.status == 400 and body["error"]["code"] == "bad_request", query
        assert words in body["error"]["message"], (query, body)
    assert (await client.get("/api/reports/sla", headers=_auth(agent))).status == 403


async def test_the_report_page_keeps_its_form_for_a_range_it_cannot_take(client: TestClient, web_store: Store) -> None:
    """A reversed range or a split by team before any team exists was an error page with only "Back to Queue";
    the page now shows the default report with the reason on top, and offers "team" once a team exists."""
    lead = await web_store.write(lambda db: create_token(db, "lead", "t"))
    html = {"Accept": "text/html", **_auth(lead)}
    page = await client.get("/reports?from=2026-05-02&to=2026-05-01", headers=html)
    text = await page.text()
    assert page.status == 400 and 'id="report-error"' in text and "From must be on or before to" in text
    assert 'id="report-total"' in text and 'name="from"' in text  # the report and its form are there
    text = await (await client.get("/reports", headers=html)).text()
    assert '<option value="team"' not in text  # nothing to split by yet
    from careline.store import workspace

    await web_store.write(lambda db: (workspace.add_team(db, "tier1", utcnow()),
                                      workspace.join_team(db, "tier1", "lead")))
    text = await (await client.get("/reports?by=team", headers=html)).text()
    assert '<option value="team" selected' in text and 'id="report-error"' not in text


def test_histogram_percentiles_stay_within_a_bucket_of_the_exact_ones() -> None:
    """Spread-out durations (not the seed's few values): median and p90 within 10 % of exact."""
    import random

    from careline.app.web.slareport import durations
    from careline.store.reporting import BUCKET_EDGES
    from responder.metrics import percentile

    rnd = random.Random(3)
    values = [rnd.lognormvariate(7, 1.5) for _ in range(5000)]
    counts: dict[int, list[float]] = {}
    for v in values:
        b = next((i for i, edge in enumerate(BUCKET_EDGES) if v < edge), len(BUCKET_EDGES))
        cell = counts.setdefault(b, [0, 0.0])
        cell[0] += 1
        cell[1] += v
    got = durations(counts)
    assert got.count == 5000
    for estimate, p in ((got.median, 50), (got.p90, 90)):
        exact = percentile(values, p)
        assert estimate is not None and exact is not None and abs(estimate - exact) <= 0.1 * exact


async def test_reports_page_and_the_approvals_badge(client: TestClient, web_store: Store) -> None:
    """The lead's nav counts held replies on every page; the report page shows the range and split."""
    from tests.test_web_app import login

    def hold(db: Database) -> None:
        conv = db.conn.execute("SELECT id FROM conversations LIMIT 1").fetchone()[0]
        db.conn.execute("INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, "
                        "idempotency_key) VALUES (?, 'held <b>draft</b>', 'awaiting_approval', 'agent', ?, ?, "
                        "'held-key-1')", (conv, datetime.now(UTC).isoformat(), datetime.now(UTC).isoformat()))

    await web_store.write(hold)
    await login(client, "lead")
    page = await (await client.get("/reports?by=platform")).text()
    assert 'class="badge nav-count"' in page and ">1<span" in page
    assert 'href="/reports" aria-current="page"' in page and "By platform" in page
    assert '<th scope="row">x</th>' in page and '<th scope="row">reddit</th>' in page
    # quick ranges beside the two date fields, the one shown marked (the default is the last 30 days)
    marked = r'<a href="/reports\?from=[\d-]+&amp;to=[\d-]+&amp;by=platform" aria-current="true">Last 30 days</a>'
    assert re.search(marked, page), page[page.index('class="presets"'):][:600]
    bad = await client.get("/reports?from=nope")
    assert bad.status == 400 and "From must be a date" in await bad.text()
    sla = await (await client.get("/sla")).text()  # its "updated" time said UTC where every other page the team's
    assert re.search(r'id="sla-now" datetime="[^"]+" data-zone="UTC">\d\d:\d\d:\d\d \(UTC\)</time>', sla)
    client.session.cookie_jar.clear()
    await login(client, "agent")
    queue = await (await client.get("/")).text()
    assert "nav-count" not in queue and 'href="/reports"' not in queue


def test_local_days_and_today_agree_with_the_fact_rows_in_any_time_zone() -> None:
    """Whole UTC days come from the daily tables, the edges from the facts: the sum is what a plain
    query over every fact row in the local range says, today included (up to now)."""
    from responder.metrics import median

    now = datetime.now(UTC)
    db = _db(800, now)
    for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
        today = now.astimezone(__import__("zoneinfo").ZoneInfo(tz)).date()
        for first, last in ((today - timedelta(days=1), today), (today - timedelta(days=4), today - timedelta(days=2)),
                            (today, today)):
            rng = parse_range(str(first), str(last), tz, today)
            span = (rng.start.isoformat(), min(rng.end, now).isoformat())
            hits, misses = db.conn.execute("SELECT coalesce(sum(hit = 1), 0), coalesce(sum(hit = 0), 0) FROM "
                                           "report_targets WHERE decided_at >= ? AND decided_at < ?", span).fetchone()
            walls = [r[0] for r in db.conn.execute(
                "SELECT wall_s FROM report_targets WHERE target = 'first_response' AND wall_s IS NOT NULL "
                "AND decided_at >= ? AND decided_at < ?", span)]
            total = lead_report(db, rng, "brand", now).total
            assert (total.targets_hit, total.targets_missed) == (hits, misses), (tz, first, last)
            assert total.first_response.count == len(walls)
            assert total.first_response.median == (round(median(walls), 1) if walls else None), (tz, first, last)


async def test_csv_carries_the_post_link_and_the_reply_sent(client: TestClient, web_store: Store) -> None:
    """One conversation answered through the API: its row has the post URL, the reply and who sent it."""
    import csv
    import io

    tokens = await web_store.write(lambda db: {n: create_token(db, n, "t") for n in ("agent", "lead")})
    queue = await client.get("/api/queue?limit=40&status=new&platform=x", headers=_auth(tokens["agent"]))
    conv = next(c["id"] for c in (await queue.json())["items"] if c["priority"] < 60)
    await _work(client, tokens["agent"], conv, 1)
    text = await (await client.get("/api/sla/conversations.csv", headers=_auth(tokens["lead"]))).text()
    records = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text))}
    row = records[conv]
    assert row["reply_text"] == "Thanks for telling us, we are on it (1)." and row["replied_by"] == "agent"
    assert row["post_url"].startswith("https://") and row["replied_at"]
    assert all(r["post_url"] for r in records.values())


async def test_report_csv_has_a_line_per_group_and_the_total(client: TestClient, web_store: Store) -> None:
    import csv
    import io

    lead = await web_store.write(lambda db: create_token(db, "lead", "t"))
    data = await (await client.get("/api/reports/sla?by=platform", headers=_auth(lead))).json()
    r = await client.get("/api/reports/sla.csv?by=platform", headers=_auth(lead))
    assert r.status == 200 and "by-platform" in r.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(await r.text())))
    assert [x["group"] for x in lines] == [*[g["group"] for g in data["rows"]], "all"]
    assert int(lines[-1]["targets_hit"]) == data["total"]["targets_hit"]
    bad = await client.get("/api/reports/sla.csv?by=team", headers=_auth(lead))
    assert bad.status == 400


def test_a_competitor_brand_is_trended_but_never_queued() -> None:
    """Its mentions are classified and counted in share of voice; intake marks them tracked."""
    from careline.app.web.trends import share_of_voice
    from careline.settings import BrandSettings
    from responder.intake import route_classified

    now = datetime.now(UTC)
    db = Database(memory=True)
    CORE.apply(db)
    with db.conn:
        seed(db, 30, now, brands=("skylark", "globex"))
        ids = [r[0] for r in db.conn.execute("SELECT key FROM mentions")]
        db.conn.execute("DELETE FROM conversations")
        db.conn.execute(f"UPDATE mentions SET stage = 'classified' WHERE key IN ({', '.join('?' * len(ids))})", ids)

    def due(m: dict[str, Any], at: datetime) -> Any:
        from responder.intake import Deadlines

        return Deadlines(None, None, None, None)

    with db.conn:
        route_classified(db, now=now, due=due, priority=lambda m, n: (1.0, []), track_only=frozenset({"globex"}))
    brands = {r[0] for r in db.conn.execute("SELECT brand FROM conversations")}
    assert brands == {"skylark"}
    stages = dict(db.conn.execute("SELECT brand, group_concat(DISTINCT stage) FROM mentions GROUP BY brand"))
    assert stages == {"skylark": "routed", "globex": "tracked"}
    sov = share_of_voice(db, [BrandSettings(name="skylark", display_name="Skylark"),
                              BrandSettings(name="globex", display_name="Globex", kind="competitor")],
                         now - timedelta(days=30), "skylark")
    assert {(s["brand"], s["competitor"], s["count"]) for s in sov} == {("Skylark", False, 15), ("Globex", True, 15)}


def test_by_team_splits_agents_by_their_team() -> None:
    """With teams configured (``teams``/``team_members``), agents' figures add up per team."""
    now = datetime.now(UTC)
    db = _db(300, now)
    rng = parse_range(None, None, "UTC", now.date())
    with db.conn:
        db.conn.execute("INSERT INTO teams (name, created_at) VALUES ('billing', ?)", (now.isoformat(),))
        db.conn.execute("INSERT INTO team_members (team, username) VALUES ('billing', 'agent')")
    by_team = {r.group: r for r in lead_report(db, rng, "team", now).rows}
    by_agent = {r.group: r for r in lead_report(db, rng, "agent", now).rows}
    assert set(by_team) == {"billing", "(none)"}
    assert by_team["billing"].targets_hit == by_agent["agent"].targets_hit
    assert by_team["billing"].first_response.count == by_agent["agent"].first_response.count
    # the SLA audit: an agent in two teams counted in one of them, picked by no rule; now in each, and the total
    # stays the brands' (no conversation counted twice)
    with db.conn:
        db.conn.execute("INSERT INTO teams (name, created_at) VALUES ('tier1', ?)", (now.isoformat(),))
        db.conn.execute("INSERT INTO team_members (team, username) VALUES ('tier1', 'agent')")
    report = lead_report(db, rng, "team", now)
    two = {r.group: r for r in report.rows}
    assert set(two) == {"billing", "tier1", "(none)"}
    assert two["billing"].targets_hit == two["tier1"].targets_hit == by_agent["agent"].targets_hit
    assert two["tier1"].first_response.count == by_agent["agent"].first_response.count
    brands = lead_report(db, rng, "brand", now).total
    assert (report.total.targets_hit, report.total.targets_missed) == (brands.targets_hit, brands.targets_missed)
    assert report.total.first_response.count == brands.first_response.count


def test_the_sla_page_indexes_name_the_active_statuses() -> None:
    """The partial indexes spell the active set by hand (SQLite matches them textually, and the page's
    queries pin them with INDEXED BY, which fails if they stop matching): it must be the domain's."""
    from careline.domain import ACTIVE_STATUSES
    from careline.store.reporting import ACTIVE_WHERE

    assert set(ACTIVE_WHERE.split("(", 1)[1].rstrip(")").replace("'", "").split(", ")) == set(ACTIVE_STATUSES)
    db = _db(50, datetime.now(UTC))
    assert sla_summary(db, datetime.now(UTC))["backlog"]  # the pinned queries plan on a fresh database


async def test_first_responses_made_on_the_platform_are_named_so_beside_the_replies_sent(client: TestClient,
                                                                                         web_store: Store) -> None:
    """"1 min · 30 replies" stood beside "Replies sent 0", and the 30 were an agent called "(none)": first responses
    the brand made on the platform, outside Careline."""
    lead = await web_store.write(lambda db: create_token(db, "lead", "t"))
    report = await (await client.get("/api/reports/sla?by=agent", headers=_auth(lead))).json()
    assert "(none)" in {row["group"] for row in report["rows"]}  # the seed's answers were made outside Careline
    text = await (await client.get("/reports?by=agent", headers={"Accept": "text/html", **_auth(lead)})).text()
    assert "answered, in Careline or on the platform" in text and "through Careline" in text
    assert '<th scope="row">no agent in Careline</th>' in text
    assert '<th scope="row">(none)</th>' not in text
    sla = await (await client.get("/sla", headers={"Accept": "text/html", **_auth(lead)})).text()
    assert '<th scope="row">no agent in Careline</th>' in sla


@pytest.mark.parametrize("today,week,last_month", [
    ("2026-12-07", "2026-12-07", ("2026-11-01", "2026-11-30")),  # a Monday
    ("2026-03-01", "2026-02-23", ("2026-02-01", "2026-02-28")),  # a Sunday, the first of a month
    ("2027-01-15", "2027-01-11", ("2026-12-01", "2026-12-31")),  # a new year
])
def test_the_reports_quick_ranges(today: str, week: str, last_month: tuple[str, str]) -> None:
    from datetime import date

    from careline.app.web.lead import range_presets

    ranges = {label: (first, last) for label, first, last in range_presets(date.fromisoformat(today))}
    assert ranges["Today"] == (today, today) and ranges["This week"] == (week, today)
    assert ranges["Last month"] == last_month
    assert (date.fromisoformat(today) - date.fromisoformat(ranges["Last 7 days"][0])).days == 6
