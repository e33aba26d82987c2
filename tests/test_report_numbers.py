"""The numbers of the lead's report, the SLA page, the conversations CSV and the trends page, checked
against what a help desk means by them: a resolution met within its target stays met when the customer
writes again, an unanswered conversation resolved in time owes no first response, and estimated NPS
counts people, not posts.

Everything runs the real path: a SQLite file, the intake routing customer messages into
conversations, the queue's resolve, reopen and undo, the SLA sweep, and the report's SQL."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_utils import Database

from careline.app.web.reports import export_rows, sla_summary
from careline.app.web.slareport import ReportRow, lead_report, parse_range
from careline.app.web.trends import Scope, by_platform, daily
from careline.domain import Author, Classification, Mention, to_iso
from careline.errors import Conflict
from careline.settings import Settings
from careline.store import Store
from careline.store.customers import erase_customer
from careline.store.migrations import CORE
from careline.store.records import last_status_event, store_mentions
from careline.store.trending import DETRACTOR_AT, LANGUAGE_OF, PROMOTER_BELOW
from responder import queue
from responder.alerts import sweep_sla
from responder.intake import route_classified
from responder.metrics import nps_from_counts
from responder.policy import configured_policies, deadlines_for, priority_for
from tests.conftest import BRAND

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)  # a Wednesday; the default policy: 60 min first response, 24 h
SETTINGS = Settings(brands=[BRAND])


def customer_writes(store: Store, n: int, at: datetime, text: str, *, thread: str = "7000", author: str = "42",
                    detractor: float = 0.9, sentiment: str = "negative") -> None:
    """A customer's post, classified and routed as the worker and the intake do it."""
    who = Author("x", author, f"cust{author}", f"Customer {author}")
    m = Mention("x", str(7000 + n), "skylark", who, text, f"https://x.com/c/{n}", at, at, thread, source="x-search")
    policies = configured_policies(SETTINGS)

    def write(db: Database) -> None:
        store_mentions(db, [m], None, at)
        c = Classification(m.key, "t", sentiment, {sentiment: 1.0}, complaint=0.9 if detractor > 0.5 else 0.1,
                           detractor=detractor, intent="delivery", intent_scores={"delivery": 1.0})
        db["classifications"].insert({**c.as_row(), "classified_at": at.isoformat()})
        db.conn.execute("UPDATE mentions SET stage = 'classified' WHERE key = ?", (m.key,))
        route_classified(db, now=at, due=lambda mm, t: deadlines_for(policies, mm, t), priority=priority_for)

    store.write_sync(write)


def act(store: Store, conv: int, action: str, at: datetime) -> None:
    store.write_sync(lambda db: queue.act(db, conv, action, actor="ann", now=at))


def undo(store: Store, conv: int, at: datetime) -> None:
    """The workflow's undo: the actor's last status change put back (``queue.restore``)."""
    def write(db: Database) -> None:
        last = last_status_event(db, conv)
        assert last is not None
        queue.restore(db, conv, last, actor="ann", now=at)

    store.write_sync(write)


def total(store: Store, now: datetime) -> ReportRow:
    rng = parse_range("2026-11-20", "2026-12-20", "UTC", now.date())
    return store.read_sync(lambda db: lead_report(db, rng, "brand", now)).total


def csv_row(store: Store, now: datetime) -> dict[str, object]:
    [row] = store.read_sync(lambda db: export_rows(db, T0 - timedelta(days=1), now))
    return row


def opened(store: Store) -> int:
    """A conversation started at T0, claimed at once."""
    customer_writes(store, 0, T0, "@SkylarkAir my bag is lost")
    conv = int(store.read_sync(lambda db: db.conn.execute("SELECT id FROM conversations").fetchone()[0]))
    act(store, conv, "claim", T0 + timedelta(minutes=5))
    return conv


# -- resolution: the first resolution decides it -----------------------------------------------------------
def test_a_thanks_after_a_resolution_in_time_leaves_it_met(store: Store) -> None:
    """Resolved an hour in (due after 24 h), then the customer says thanks: before, the resolution left the
    report at once and, once its (moved) due time had passed, came back as a miss."""
    conv = opened(store)
    act(store, conv, "resolve", T0 + timedelta(hours=1))
    assert (total(store, T0 + timedelta(hours=2)).targets_hit, total(store, T0 + timedelta(hours=2)).targets_missed) \
        == (1, 0)
    customer_writes(store, 1, T0 + timedelta(hours=3), "@SkylarkAir thanks, all sorted!")
    assert store.read_sync(lambda db: queue.load(db, conv))["status"] == "open"  # the workflow reopened it
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(hours=3, minutes=1)))  # moves resolution_due on
    for now in (T0 + timedelta(hours=4), T0 + timedelta(days=3)):
        t = total(store, now)
        assert (t.targets_hit, t.targets_missed, t.resolution.count) == (1, 0, 1), now
        assert t.resolution.median == 3600.0
        row = csv_row(store, now)
        assert (row["resolution_sla"], row["first_resolved_at"]) == ("hit", "2026-11-25T10:00:00.000000+00:00")
    week = store.read_sync(lambda db: sla_summary(db, T0 + timedelta(days=3)))["periods"]["7d"]
    assert (week["targets_hit"], week["targets_missed"]) == (1, 0)


def test_a_reopen_and_a_second_resolution_do_not_move_the_first(store: Store) -> None:
    """Met first, reopened by hand, resolved again two days later: still met, at the first resolution,
    with the first resolution's duration; a late first resolution stays a miss however the second goes."""
    conv = opened(store)
    act(store, conv, "resolve", T0 + timedelta(minutes=45))
    act(store, conv, "reopen", T0 + timedelta(hours=3))
    act(store, conv, "resolve", T0 + timedelta(days=2))
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed, t.resolution.count, t.resolution.median) == (1, 0, 1, 2700.0)

    customer_writes(store, 5, T0, "@SkylarkAir and my other bag", thread="7100", author="43")
    late = int(store.read_sync(lambda db: db.conn.execute("SELECT max(id) FROM conversations").fetchone()[0]))
    act(store, late, "claim", T0 + timedelta(minutes=5))
    act(store, late, "resolve", T0 + timedelta(days=2))  # after its due time (24 h)
    customer_writes(store, 6, T0 + timedelta(days=2, hours=1), "@SkylarkAir thanks anyway", thread="7100",
                    author="43")
    act(store, late, "resolve", T0 + timedelta(days=2, hours=2))
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed) == (1, 2)  # the late one's first response and resolution


def test_an_undo_takes_the_resolution_back_and_a_later_dismissal_keeps_it(store: Store) -> None:
    conv = opened(store)
    act(store, conv, "resolve", T0 + timedelta(minutes=20))
    undo(store, conv, T0 + timedelta(minutes=21))  # it never happened: neither target keeps it
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed, t.resolution.count, t.reopened) == (0, 2, 0, 0)  # both ran out unmet
    act(store, conv, "resolve", T0 + timedelta(minutes=40))
    act(store, conv, "reopen", T0 + timedelta(minutes=50))
    act(store, conv, "resolve", T0 + timedelta(days=2))
    undo(store, conv, T0 + timedelta(days=2, minutes=1))  # the second resolve: the first stays
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed, t.resolution.count, t.reopened) == (1, 0, 1, 1)
    # the follow-up dismissed (nothing to answer), then the customer writes once more: before, the dismissal
    # dropped the met resolution and the customer's message brought it back as a new target, missed later
    act(store, conv, "dismiss", T0 + timedelta(days=2, minutes=2))
    customer_writes(store, 1, T0 + timedelta(days=2, minutes=30), "@SkylarkAir one more thing")
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(days=2, minutes=31)))
    for now in (T0 + timedelta(days=2, hours=1), T0 + timedelta(days=9)):
        t = total(store, now)
        assert (t.targets_hit, t.targets_missed, t.resolution.count, t.reopened) == (1, 0, 1, 1), now
        row = csv_row(store, now)
        assert (row["resolution_sla"], row["first_resolved_at"], row["reopened_after_resolution"]) == \
            ("hit", "2026-11-25T09:40:00.000000+00:00", "yes")


def test_a_dismissal_takes_out_only_what_was_not_done(store: Store) -> None:
    """Spam dismissed unanswered owes nothing; a conversation answered late and then dismissed keeps its miss."""
    conv = opened(store)
    act(store, conv, "dismiss", T0 + timedelta(hours=2))  # past its first-response due time, unanswered
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed) == (0, 0)
    assert (csv_row(store, T0 + timedelta(days=3))["first_response_sla"],
            csv_row(store, T0 + timedelta(days=3))["reopened_after_resolution"]) == ("", "")

    customer_writes(store, 5, T0, "@SkylarkAir and my other bag", thread="7100", author="43")
    late = int(store.read_sync(lambda db: db.conn.execute("SELECT max(id) FROM conversations").fetchone()[0]))
    store.write_sync(lambda db: db.conn.execute(  # answered after 2 hours (the sender's write, in short)
        "UPDATE conversations SET first_responded_at = ? WHERE id = ?", (to_iso(T0 + timedelta(hours=2)), late)))
    act(store, late, "dismiss", T0 + timedelta(hours=3))
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed, t.first_response.count) == (0, 1, 1)


def test_the_reopen_rate_counts_resolutions_reopened_after(store: Store) -> None:
    """Three resolved: one the customer wrote to again, one an agent reopened, one left alone; an undone
    resolve is no resolution and no reopen. Whole days come from the daily totals, today from the rows:
    both agree with the rows themselves."""
    convs = []
    for n in range(4):
        customer_writes(store, 10 + n, T0, f"@SkylarkAir problem {n}", thread=f"72{n}", author=f"5{n}")
        convs.append(int(store.read_sync(
            lambda db: db.conn.execute("SELECT max(id) FROM conversations").fetchone()[0])))
        act(store, convs[-1], "claim", T0 + timedelta(minutes=5))
        act(store, convs[-1], "resolve", T0 + timedelta(minutes=30 + n))
    customer_writes(store, 20, T0 + timedelta(hours=2), "@SkylarkAir still broken", thread="720", author="50")
    act(store, convs[1], "reopen", T0 + timedelta(hours=3))
    undo(store, convs[3], T0 + timedelta(minutes=40))
    for now in (T0 + timedelta(hours=4), T0 + timedelta(days=3)):  # today from rows, then whole days
        t = total(store, now)
        assert (t.resolution.count, t.reopened, t.reopened_pct) == (3, 2, 66.7), now
    daily, rows = store.read_sync(lambda db: (
        db.conn.execute("SELECT sum(reopened) FROM report_daily").fetchone()[0],
        db.conn.execute("SELECT sum(reopened) FROM report_targets").fetchone()[0]))
    assert daily == rows == 2


def test_resolving_before_the_first_response_was_due_owes_no_reply(store: Store) -> None:
    """Resolved unanswered 30 minutes in (nothing to answer): the SLA engine cancels the first-response
    target; the report counted it as a miss at its due time, and again after the customer's thanks."""
    conv = opened(store)
    act(store, conv, "resolve", T0 + timedelta(minutes=30))
    customer_writes(store, 1, T0 + timedelta(hours=3), "@SkylarkAir thanks!")
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed, t.first_response.count) == (1, 0, 0)
    assert csv_row(store, T0 + timedelta(days=3))["first_response_sla"] == ""

    customer_writes(store, 5, T0, "@SkylarkAir and my other bag", thread="7100", author="43")
    late = int(store.read_sync(lambda db: db.conn.execute("SELECT max(id) FROM conversations").fetchone()[0]))
    act(store, late, "claim", T0 + timedelta(minutes=5))
    act(store, late, "resolve", T0 + timedelta(hours=2))  # unanswered past its hour: that one is a miss
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed) == (2, 1)


def test_m130_keeps_resolutions_and_clears_cancelled_first_responses_of_an_older_database(tmp_path: Path) -> None:
    """A database made before m130: its rows gain ``done_at``, the first resolution then stays, and an
    unanswered first response resolved in time stops counting as a miss."""
    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = OFF")
    CORE.apply(db, stop_before="m130_first_resolution_stays")
    from careline.store.reporting import TARGET_TRIGGERS

    for name in (*TARGET_TRIGGERS, "report_resolution_reopened"):  # m090 builds today's table and triggers:
        db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")  # make them what m090 made then
    db.conn.execute("ALTER TABLE report_targets DROP COLUMN done_at")
    for kind, due, done in (("first_response", "first_response_due", "first_responded_at"),
                            ("resolution", "resolution_due", "resolved_at")):
        db.conn.execute(f"""CREATE TRIGGER old_{kind} AFTER INSERT ON conversations BEGIN
            INSERT INTO report_targets (conversation_id, target, decided_at, hit, wall_s, brand, platform, agent,
                                        intent)
            SELECT NEW.id, '{kind}', CASE WHEN NEW.{done} <= NEW.{due} THEN NEW.{done} ELSE NEW.{due} END,
                   coalesce(NEW.{done} <= NEW.{due}, 0),
                   CASE WHEN NEW.{done} IS NOT NULL THEN 1.0 END, NEW.brand, NEW.platform, '', ''; END""")
    db.conn.execute(
        "INSERT INTO conversations (thread_key, platform, brand, author_key, status, created_at, updated_at, "
        "last_customer_at, first_response_due, resolution_due, resolved_at) VALUES ('x:acme:1', 'x', 'acme', "
        "'x:1', 'resolved', '2026-12-01T09:00:00+00:00', '2026-12-01T09:00:00+00:00', '2026-12-01T09:00:00+00:00', "
        "'2026-12-01T10:00:00+00:00', '2026-12-02T09:00:00+00:00', '2026-12-01T09:30:00+00:00')")
    for name in ("old_first_response", "old_resolution"):
        db.conn.execute(f"DROP TRIGGER {name}")

    def misses() -> int:
        return int(db.conn.execute("SELECT coalesce(sum(misses), 0) FROM report_daily").fetchone()[0])

    assert misses() == 1  # the unanswered first response, though the conversation was resolved in time
    CORE.apply(db)
    assert misses() == 0
    assert db.conn.execute("SELECT done_at FROM report_targets WHERE target = 'resolution'").fetchone()[0] \
        == "2026-12-01T09:30:00+00:00"
    db.conn.execute("UPDATE conversations SET status = 'open', resolved_at = NULL")  # the customer wrote again
    assert db.conn.execute("SELECT decided_at, hit FROM report_targets").fetchall() == \
        [("2026-12-01T09:30:00+00:00", 1)]


def test_m132_counts_the_reopens_already_stored_and_brings_back_answered_dismissals(tmp_path: Path) -> None:
    """A database made before m132: a resolution the customer reopened is counted as reopened from its status
    event (an undo is not a reopen), and a first response answered before a dismissal counts again."""
    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = OFF")
    CORE.apply(db, stop_before="m132_reopen_rate_and_dismissals_keep_what_was_done")
    db.conn.execute("DROP TRIGGER report_resolution_reopened")  # what the code before m132 had: no reopen count
    columns = ("thread_key, platform, brand, author_key, status, created_at, updated_at, last_customer_at, "
               "first_response_due, resolution_due, resolved_at, first_responded_at")
    for n, (status, resolved, answered) in enumerate([("resolved", "2026-12-01T09:30:00+00:00", None),
                                                      ("resolved", "2026-12-01T09:40:00+00:00", None),
                                                      ("dismissed", None, "2026-12-01T09:20:00+00:00")]):
        db.conn.execute(f"INSERT INTO conversations ({columns}) VALUES (?, 'x', 'acme', 'x:1', ?, "
                        "'2026-12-01T09:00:00+00:00', '2026-12-01T09:00:00+00:00', '2026-12-01T09:00:00+00:00', "
                        "'2026-12-01T10:00:00+00:00', '2026-12-02T09:00:00+00:00', ?, ?)",
                        (f"x:acme:{n}", status, resolved, answered))
    db.conn.execute("DELETE FROM report_targets WHERE conversation_id = 3")  # the old rule: dismissed, no target
    for conv, kind in ((1, "conversation.status"), (2, "conversation.undone")):
        db.conn.execute("INSERT INTO events (at, actor, kind, subject, data) VALUES ('2026-12-01T11:00:00+00:00', "
                        "'ann', ?, ?, ?)", (kind, f"conversation:{conv}",
                                            '{"from": "resolved", "to": "open", "action": "customer_message"}'))
    db.conn.execute("UPDATE conversations SET status = 'open', resolved_at = NULL WHERE id IN (1, 2)")
    CORE.apply(db)
    assert db.conn.execute("SELECT conversation_id, reopened FROM report_targets WHERE target = 'resolution' "
                           "ORDER BY 1").fetchall() == [(1, 1), (2, 0)]
    assert db.conn.execute("SELECT sum(reopened) FROM report_daily").fetchone()[0] == 1
    assert db.conn.execute("SELECT hit FROM report_targets WHERE conversation_id = 3").fetchall() == [(1,)]
    db.conn.execute("UPDATE conversations SET status = 'resolved', resolved_at = '2026-12-01T12:00:00+00:00' "
                    "WHERE id = 2")
    db.conn.execute("UPDATE conversations SET status = 'open', resolved_at = NULL WHERE id = 2")  # from now on
    assert db.conn.execute("SELECT sum(reopened) FROM report_daily").fetchone()[0] == 2


@pytest.mark.parametrize("hours", [1, 30])
def test_the_sla_page_and_the_report_agree_after_a_reopen(store: Store, hours: int) -> None:
    """The SLA page's cards and the report read the same rows: a reopen moves neither."""
    conv = opened(store)
    act(store, conv, "resolve", T0 + timedelta(hours=hours))
    customer_writes(store, 1, T0 + timedelta(hours=hours + 1), "@SkylarkAir cheers")
    now = T0 + timedelta(days=3)
    week = store.read_sync(lambda db: sla_summary(db, now))["periods"]["7d"]
    t = total(store, now)
    assert (week["targets_hit"], week["targets_missed"]) == (t.targets_hit, t.targets_missed)
    assert t.targets_hit == (1 if hours == 1 else 0) and t.targets_missed == (0 if hours == 1 else 2)


# -- estimated NPS: people, not posts ------------------------------------------------------------------------
DAY = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
OWN = Scope("2026-11-29", None, None, ("skylark",))


def fresh_db(tmp_path: Path, *, stop_before: str | None = None) -> Database:
    db = Database(tmp_path / "trends.db")
    CORE.apply(db, stop_before=stop_before)
    return db


def say(db: Database, n: int, author: str, at: datetime, *, sentiment: str = "negative", detractor: float = 0.9,
        brand: str = "skylark", platform: str = "x", language: str | None = None) -> str:
    """One classified post, written as the worker writes it (INSERT OR REPLACE of the classification, then the
    detected ``language`` onto the mention)."""
    key, who = f"{platform}:p{n}", f"{platform}:{author}"
    db.conn.execute("INSERT OR IGNORE INTO authors (key, platform, platform_id, handle, name, first_seen, last_seen) "
                    "VALUES (?, ?, ?, ?, '', ?, ?)", (who, platform, author, author, to_iso(at), to_iso(at)))
    db.conn.execute("INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, "
                    "created_at, fetched_at, conversation_id, thread_key, raw, stage) VALUES "
                    "(?, ?, ?, ?, 'search', ?, ?, 'https://example.invalid/', ?, ?, ?, ?, '{}', 'classified')",
                    (key, platform, f"p{n}", brand, who, f"post {n}", to_iso(at), to_iso(at), f"p{n}",
                     f"{platform}:{brand}:p{n}"))
    reading(db, key, sentiment=sentiment, detractor=detractor, language=language)
    return key


def reading(db: Database, key: str, *, sentiment: str, detractor: float, language: str | None = None) -> None:
    db.table("classifications").insert({
        "mention_key": key, "model_version": "t", "sentiment": sentiment, "sentiment_scores": "{}",
        "complaint": 0.9 if detractor >= 0.5 else 0.1, "detractor": detractor, "intent": "delivery",
        "intent_scores": "{}", "classified_at": to_iso(DAY), "language": language}, pk="mention_key", replace=True)
    if language:
        db.conn.execute("UPDATE mentions SET language = ? WHERE key = ?", (language, key))


def recount(db: Database) -> dict[tuple[str, str, str, str], tuple[int, ...]]:
    """``trend_people_daily`` recomputed from the posts: each person's latest post of each day, and of all, in the
    language of that post."""
    of_day: dict[tuple[str, ...], tuple[tuple[str, str], bool, bool, str]] = {}
    of_all: dict[tuple[str, ...], tuple[tuple[str, str], bool, bool, str]] = {}
    for brand, platform, author, at, key, sentiment, det, language in db.conn.execute(
            "SELECT m.brand, m.platform, m.author_key, m.created_at, m.key, c.sentiment, c.detractor, "
            f"{LANGUAGE_OF.format(c='c')} FROM classifications c JOIN mentions m ON m.key = c.mention_key"):
        seen = ((at, key), det >= DETRACTOR_AT, sentiment == "positive" and det < PROMOTER_BELOW, language)
        for book, person in ((of_day, (at[:10], brand, platform, author)), (of_all, (brand, platform, author))):
            if person not in book or book[person][0] < seen[0]:
                book[person] = seen
    out: dict[tuple[str, str, str, str], list[int]] = {}
    for first, book in ((0, of_day), (3, of_all)):
        for person, ((at, _), det, pro, language) in book.items():
            cell = out.setdefault((at[:10], person[-3], person[-2], language), [0] * 6)
            for i, add in enumerate((1, det, pro)):
                cell[first + i] += add
    return {k: tuple(v) for k, v in out.items()}


def kept(db: Database) -> dict[tuple[str, str, str, str], tuple[int, ...]]:
    return {(day, brand, platform, language): tuple(counts) for day, brand, platform, language, *counts in
            db.conn.execute("SELECT day, brand, platform, language, people, detractors, promoters, latest_people, "
                            "latest_detractors, latest_promoters FROM trend_people_daily") if any(counts)}


def test_estimated_nps_counts_each_customer_once_by_their_latest_post(tmp_path: Path) -> None:
    """Twenty angry posts from one customer, one happy customer, one who complained and then thanked us:
    three people, one detractor and two promoters. Before: 21 detractor posts of 23, NPS -82."""
    db = fresh_db(tmp_path)
    with db.conn:
        for i in range(20):
            say(db, i, "angry", DAY + timedelta(minutes=i))
        say(db, 100, "happy", DAY + timedelta(hours=1), sentiment="positive", detractor=0.1)
        say(db, 200, "turned", DAY + timedelta(hours=2))
        say(db, 201, "turned", DAY + timedelta(hours=6), sentiment="positive", detractor=0.05)
        for i in range(30):  # a competitor's angry crowd: never in our estimated NPS
            say(db, 300 + i, f"rival{i}", DAY, brand="globex")
    [day] = daily(db, OWN)
    assert (day["total"], day["people"]) == (23, 3)
    assert day["estimated_nps"] == nps_from_counts(2, 0, 1).score == 34
    totals = {p["platform"]: p for p in by_platform(db, OWN)[1]}
    assert (totals["x"]["people"], totals["x"]["estimated_nps"]) == (3, 34)
    assert (totals["reddit"]["people"], totals["reddit"]["estimated_nps"]) == (0, None)  # nobody: no score


def test_a_customer_counts_once_a_day_and_once_over_the_window(tmp_path: Path) -> None:
    """Angry on Monday, thankful on Wednesday: a detractor on Monday's point, a promoter on Wednesday's, and
    one promoter (their latest reading) over the window, not one of each."""
    db = fresh_db(tmp_path)
    with db.conn:
        say(db, 1, "ann", DAY - timedelta(days=2))
        say(db, 2, "ann", DAY - timedelta(days=2, hours=-1))
        say(db, 3, "ann", DAY, sentiment="positive", detractor=0.1)
        say(db, 4, "bob", DAY - timedelta(days=2), sentiment="neutral", detractor=0.4)
    assert [(d["day"], d["people"], d["estimated_nps"]) for d in daily(db, OWN)] == [
        ("2026-12-03", 2, -50), ("2026-12-05", 1, 100)]
    x = next(p for p in by_platform(db, OWN)[1] if p["platform"] == "x")
    assert (x["total"], x["people"], x["estimated_nps"]) == (4, 2, 50)  # ann a promoter, bob passive
    days = {(d["day"], d["platform"]): d["people"] for d in by_platform(db, OWN)[0]}
    assert days == {("2026-12-03", "x"): 2, ("2026-12-05", "x"): 1}


def test_the_people_counts_follow_reclassifying_correcting_deleting_and_erasing(tmp_path: Path) -> None:
    db = fresh_db(tmp_path)
    with db.conn:
        keys = [say(db, i, f"a{i % 3}", DAY + timedelta(hours=i), sentiment=("negative", "positive")[i % 2],
                    detractor=(0.9, 0.1)[i % 2], platform=("x", "bluesky")[i % 4 == 3],
                    language=(None, "de", "fr", "en", "de")[i % 5]) for i in range(12)]
        say(db, 50, "a1", DAY - timedelta(days=1), brand="globex")
        assert kept(db) == recount(db) and kept(db)
        reading(db, keys[10], sentiment="negative", detractor=0.8)  # the worker classifies a post again
        reading(db, keys[10], sentiment="negative", detractor=0.8)  # the same again: counted once
        assert kept(db) == recount(db)
        reading(db, keys[11], sentiment="negative", detractor=0.8, language="es")  # read again in another language
        assert kept(db) == recount(db)
        db.conn.execute("UPDATE classifications SET sentiment = 'positive', detractor = 0.1 WHERE mention_key = ?",
                        (keys[9],))  # a lead corrects the reading
        assert kept(db) == recount(db)
        for key in keys[8:10]:  # retention: the classification goes first, then the post
            db.conn.execute("DELETE FROM classifications WHERE mention_key = ?", (key,))
            db.conn.execute("DELETE FROM mentions WHERE key = ?", (key,))
        assert kept(db) == recount(db)
        erase_customer(db, "x", "a2", actor="admin", now=DAY + timedelta(days=1))
        assert kept(db) == recount(db)
        assert not db.conn.execute("SELECT 1 FROM trend_people WHERE author_key = 'x:a2' UNION ALL "
                                   "SELECT 1 FROM trend_latest WHERE author_key = 'x:a2'").fetchall()


def test_m131_fills_the_people_counts_from_the_posts_already_stored(tmp_path: Path) -> None:
    db = fresh_db(tmp_path, stop_before="m131_estimated_nps_per_person")
    with db.conn:
        for i in range(15):
            say(db, i, f"a{i % 4}", DAY + timedelta(hours=i % 5, days=-(i % 3)),
                sentiment=("negative", "positive")[i % 2], detractor=(0.9, 0.1)[i % 2])
    CORE.apply(db)
    assert kept(db) == recount(db) and kept(db)


# -- several people at once ----------------------------------------------------------------------------------
def one_action(db: Database, *, name: str, n: int, conv: int, action: str, tick: Callable[[], datetime]) -> None:
    """One person's action on ``conv`` inside a write transaction, at the shared clock's next minute; "write"
    is the customer writing again (stored, classified, routed as the intake does it)."""
    now = tick()
    if action == "undo":
        last = last_status_event(db, conv)
        if last is not None and last.data["action"] in ("resolve", "dismiss"):
            queue.restore(db, conv, last, actor=name, now=now)
    elif action == "write":
        thread = db.conn.execute("SELECT substr(thread_key, 11) FROM conversations WHERE id = ?", (conv,)).fetchone()
        m = Mention("x", f"{name}{n}", "skylark", Author("x", "60", "c", "C"), "@SkylarkAir again",
                    f"https://x.com/c/{name}{n}", now, now, thread[0], source="x-search")
        store_mentions(db, [m], None, now)
        c = Classification(m.key, "t", "negative", {"negative": 1.0}, complaint=0.9, detractor=0.9,
                           intent="delivery", intent_scores={"delivery": 1.0})
        db["classifications"].insert({**c.as_row(), "classified_at": now.isoformat()})
        db.conn.execute("UPDATE mentions SET stage = 'classified' WHERE key = ?", (m.key,))
        policies = configured_policies(SETTINGS)
        route_classified(db, now=now, due=lambda mm, t: deadlines_for(policies, mm, t), priority=priority_for)
    else:
        queue.act(db, conv, action, actor=name, now=now)


def test_the_report_tables_agree_when_agents_a_lead_and_the_intake_act_at_once(tmp_path: Path) -> None:
    """Two agents (resolve, reopen, claim), a lead (dismiss, undo) and the intake (customers writing again),
    each through its own connection as the web app, the CLI and the scheduler have, on the same three
    conversations at once. Whatever the order, the daily totals are the sum of the rows, only a resolution
    that happened is marked reopened, and it is marked exactly when a status event took the conversation
    out of "resolved" after it (the rule m132 fills older databases by)."""
    path = tmp_path / "careline.db"
    seeded = Store(path).open_sync()
    for n in range(3):
        customer_writes(seeded, n, T0, f"@SkylarkAir problem {n}", thread=f"73{n}", author=f"6{n}")
    convs = [int(r[0]) for r in seeded.read_sync(lambda db: db.conn.execute("SELECT id FROM conversations")
                                                  .fetchall())]
    seeded.close_sync()
    clock = {"s": 0}
    clock_lock = threading.Lock()
    errors: list[BaseException] = []

    def tick() -> datetime:  # read inside the write transaction: commits and times keep one order
        with clock_lock:
            clock["s"] += 60
            return T0 + timedelta(seconds=clock["s"])

    def person(name: str, actions: tuple[str, ...], seed: int) -> None:
        rnd, store = random.Random(seed), Store(path).open_sync()
        try:
            for i in range(40):
                step = functools.partial(one_action, name=name, n=i, conv=rnd.choice(convs),
                                         action=rnd.choice(actions), tick=tick)
                with contextlib.suppress(Conflict):  # what the state no longer allows: the person is told so
                    store.write_sync(step)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            store.close_sync()

    people = [threading.Thread(target=person, args=("ann", ("claim", "resolve", "reopen"), 1)),
              threading.Thread(target=person, args=("bob", ("claim", "resolve", "reopen"), 2)),
              threading.Thread(target=person, args=("lead", ("dismiss", "undo", "resolve"), 3)),
              threading.Thread(target=person, args=("intake", ("write",), 4))]
    for t in people:
        t.start()
    for t in people:
        t.join()
    assert errors == []
    db = Database(path)
    summed = "SELECT day, kind, brand, platform, agent, intent, sum(n), sum(hits), sum(misses), sum(reopened) FROM "
    daily = {r[:6]: r[6:] for r in db.conn.execute(summed + "report_daily WHERE kind <> 'reply' GROUP BY 1, 2, 3, 4, "
                                                   "5, 6 HAVING sum(n) <> 0 OR sum(reopened) <> 0")}
    recount = {r[:6]: r[6:] for r in db.conn.execute(
        "SELECT substr(decided_at, 1, 10), target, brand, platform, agent, intent, count(*), sum(hit = 1), "
        "sum(hit = 0), sum(reopened) FROM report_targets GROUP BY 1, 2, 3, 4, 5, 6")}
    assert daily == recount
    assert db.conn.execute("SELECT count(*) FROM report_targets WHERE reopened = 1 AND (target <> 'resolution' "
                           "OR done_at IS NULL)").fetchone()[0] == 0
    marked = {r[0] for r in db.conn.execute("SELECT conversation_id FROM report_targets WHERE reopened = 1")}
    by_events = {r[0] for r in db.conn.execute("""SELECT t.conversation_id FROM report_targets t
        WHERE t.target = 'resolution' AND t.done_at IS NOT NULL AND EXISTS (SELECT 1 FROM events e
            WHERE e.subject = 'conversation:' || t.conversation_id AND e.kind = 'conversation.status'
              AND e.at > t.done_at AND json_extract(e.data, '$.from') = 'resolved'
              AND json_extract(e.data, '$.to') IN ('new', 'open', 'pending', 'snoozed'))""")}
    assert marked == by_events
    resolved = db.conn.execute("SELECT count(*) FROM events WHERE kind = 'conversation.status' "
                               "AND json_extract(data, '$.to') = 'resolved'").fetchone()[0]
    assert resolved >= 3 and db.conn.execute("SELECT count(*) FROM events WHERE kind = 'conversation.undone'"
                                             ).fetchone()[0] >= 1  # the run did what it is meant to test


# -- the due times a decision reads are the SLA engine's (the SLA audit of 2026-12-07) --------------------
def reply_sent(store: Store, conv: int, at: datetime, agent: str = "ann") -> None:
    """A reply posted at ``at``, recorded as the sender records it (``sending.record_sent``, ``queue.answered``)."""
    from careline.store.conversations import load_reply
    from responder.sending import record_sent

    def write(db: Database) -> None:
        thread = db.conn.execute("SELECT thread_key FROM conversations WHERE id = ?", (conv,)).fetchone()[0]
        key = db.conn.execute("SELECT key FROM mentions WHERE thread_key = ? ORDER BY created_at DESC LIMIT 1",
                              (thread,)).fetchone()[0]
        cur = db.conn.execute("INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, "
                              "idempotency_key, in_reply_to) VALUES (?, 'Sorry, on it.', 'sending', ?, ?, ?, ?, ?)",
                              (conv, agent, to_iso(at), to_iso(at), f"k-{at.timestamp()}", key))
        record_sent(db, load_reply(db, int(cur.lastrowid or 0)), thread, f"p{cur.lastrowid}", agent, at,
                    reconciled=False)
        queue.answered(db, conv, agent=agent, actor=agent, now=at, answering=key)

    store.write_sync(write)


def test_a_resolution_long_after_the_reply_is_met_by_its_sla_clock(store: Store) -> None:
    """Answered at 09:10, waiting on the customer (every clock stops), resolved the next day at 12:00: 27 hours of
    wall clock, 10 minutes of SLA clock against 24 hours. The report and the CSV said "missed" beside a resolution
    clock of 600 s: they compared with the due time stored before the pause."""
    conv = opened(store)
    reply_sent(store, conv, T0 + timedelta(minutes=10))
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(hours=12)))
    act(store, conv, "resolve", T0 + timedelta(days=1, hours=3))
    now = T0 + timedelta(days=3)
    t = total(store, now)
    assert (t.targets_hit, t.targets_missed) == (2, 0)
    row = csv_row(store, now)
    assert (row["first_response_sla"], row["resolution_sla"], row["resolution_clock_seconds"]) == ("hit", "hit", 600)


def test_waiting_on_the_customer_before_a_reply_then_resolved_owes_no_first_response(store: Store) -> None:
    """Marked waiting on the customer unanswered (the clock stops before its due time), resolved later: the SLA engine
    cancels the first response; the report kept a miss for good."""
    conv = opened(store)
    store.write_sync(lambda db: db.conn.execute("UPDATE conversations SET first_responded_at = NULL"))
    act(store, conv, "wait", T0 + timedelta(minutes=30))
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(minutes=31)))
    paused = total(store, T0 + timedelta(hours=2))  # past the due time from before the pause: the clock stands
    assert (paused.targets_hit, paused.targets_missed) == (0, 0)
    act(store, conv, "resolve", T0 + timedelta(hours=6))
    t = total(store, T0 + timedelta(days=3))
    assert (t.targets_hit, t.targets_missed) == (1, 0)  # the resolution, met; no first response is owed
    assert csv_row(store, T0 + timedelta(days=3))["first_response_sla"] == ""


def test_a_pause_before_the_first_reply_moves_its_due_time_by_the_pause(store: Store) -> None:
    """Waiting on the customer from 09:30, unanswered (30 of 60 minutes used); the customer writes at 12:00: the first
    response is due 12:30, and nothing was missed meanwhile."""
    conv = opened(store)
    act(store, conv, "wait", T0 + timedelta(minutes=30))
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(minutes=31)))
    customer_writes(store, 1, T0 + timedelta(hours=3), "@SkylarkAir hello??")
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(hours=3, minutes=1)))
    row = store.read_sync(lambda db: queue.load(db, conv))
    assert row["first_response_due"] == to_iso(T0 + timedelta(hours=3, minutes=30))
    t = total(store, T0 + timedelta(hours=3, minutes=5))
    assert (t.targets_hit, t.targets_missed) == (0, 0)


def test_resolved_unanswered_then_the_customer_writes_runs_the_next_response_not_a_breach(store: Store) -> None:
    """Resolved unanswered at 09:20 (the first response is cancelled), the customer writes at 15:00: the queue's badge
    and the SLA page showed the cancelled first response, due 10:00, as breached, while the engine ran the next
    response, due 17:00."""
    from responder.slastate import sla_state

    conv = opened(store)
    act(store, conv, "resolve", T0 + timedelta(minutes=20))
    customer_writes(store, 1, T0 + timedelta(hours=6), "@SkylarkAir it happened again")
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(hours=6, minutes=1)))
    row = store.read_sync(lambda db: queue.load(db, conv))
    badge = sla_state(row, T0 + timedelta(hours=6, minutes=5))
    assert (badge["target"], badge["state"]) == ("next_response", "on_track"), badge
    assert badge["due"] == (T0 + timedelta(hours=8)).isoformat()
    page = store.read_sync(lambda db: sla_summary(db, T0 + timedelta(hours=6, minutes=5)))
    assert page["breach_count"] == 0, page["breach_count"]


def test_an_answer_made_outside_careline_counts_for_the_sla_clock(store: Store) -> None:
    """Answered from the platform's own app at 09:30: the engine saw only Careline's replies, so the first response
    ran on, breached and escalated, the customer's next message at 12:00 got no due time, and the first response's
    clock came from a Careline reply hours later."""
    from responder.outside import place_brand_posts

    conv = opened(store)

    def answer(db: Database) -> None:
        thread = db.conn.execute("SELECT thread_key FROM conversations WHERE id = ?", (conv,)).fetchone()[0]
        db["brand_posts"].insert({"key": "x:b1", "platform": "x", "platform_id": "b1", "brand": "skylark",
                                  "thread_key": thread, "handle": "SkylarkAir", "text": "On it - JM",
                                  "url": "https://x.com/b", "created_at": to_iso(T0 + timedelta(minutes=30)),
                                  "fetched_at": to_iso(T0 + timedelta(minutes=30)), "in_reply_to_id": "7000",
                                  "raw": "{}"})
        place_brand_posts(db, now=T0 + timedelta(minutes=31))

    store.write_sync(answer)
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(minutes=32)))
    customer_writes(store, 1, T0 + timedelta(hours=3), "@SkylarkAir still nothing arrived")
    asyncio.run(sweep_sla(store, SETTINGS, now=T0 + timedelta(hours=3, minutes=45)))
    row = store.read_sync(lambda db: queue.load(db, conv))
    assert row["first_response_clock_s"] == 1800.0  # the post at 09:00, answered at 09:30
    assert row["next_response_due"] == to_iso(T0 + timedelta(hours=5)) and row["escalation_level"] == 0
    assert store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM sla_events").fetchone()[0]) == 0


def test_our_reply_settled_by_the_listener_counts_from_when_it_was_posted(store: Store) -> None:
    """The review of 2026-12-07: a reply whose answer was lost (posted 09:55, due 10:00), settled as sent when the
    listener read it hours later, was stamped with the placing time: a first-response miss that never happened."""
    from careline.store.conversations import load_reply
    from responder.outside import place_brand_posts

    conv = opened(store)
    posted = T0 + timedelta(minutes=55)

    def lost(db: Database) -> int:
        thread = db.conn.execute("SELECT thread_key FROM conversations WHERE id = ?", (conv,)).fetchone()[0]
        cur = db.conn.execute(
            "INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, idempotency_key, "
            "in_reply_to, error, attempts) VALUES (?, 'Sorry, on it.', 'failed', 'ann', ?, ?, 'k-lost', 'x:7000', "
            "'outcome unknown: x-reply: server error 503', 1)", (conv, to_iso(posted), to_iso(posted)))
        db["brand_posts"].insert({"key": "x:b9", "platform": "x", "platform_id": "b9", "brand": "skylark",
                                  "thread_key": thread, "handle": "SkylarkAir", "text": "@cust42 Sorry, on it.",
                                  "url": "https://x.com/b9", "created_at": to_iso(posted),
                                  "fetched_at": to_iso(T0 + timedelta(hours=6)), "in_reply_to_id": "7000",
                                  "raw": "{}"})
        place_brand_posts(db, now=T0 + timedelta(hours=6))
        return int(cur.lastrowid or 0)

    rid = store.write_sync(lost)
    reply = store.read_sync(lambda db: load_reply(db, rid))
    assert reply.state.value == "sent" and reply.sent_at == posted
    t = total(store, T0 + timedelta(hours=7))
    assert (t.first_response.count, t.targets_missed) == (1, 0)
