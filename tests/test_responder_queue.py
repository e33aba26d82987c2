"""Queue operations and replies on a real SQLite store: claim, round-robin, reassign, approval."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest

from careline.app.web.auth import create_user
from careline.domain import Author, Classification, Mention
from careline.errors import Conflict, Forbidden, NotFound
from careline.settings import ResponderSettings, Settings
from careline.store import Store
from careline.store.records import events_for, store_mentions
from responder import queue, replies
from responder.intake import route_classified
from responder.policy import configured_policies, deadlines_for, priority_for
from tests.conftest import BRAND

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_mention(i: int, *, thread: str | None = None, text: str = "my bag is lost") -> Mention:
    author = Author("x", str(100 + i), f"cust{i}", f"Customer {i}", followers=10 * i)
    return Mention("x", str(5000 + i), "skylark", author, f"@SkylarkAir {text}", f"https://x.com/c/{i}",
                   NOW - timedelta(minutes=30 - i), NOW, thread or str(5000 + i), source="x-search")


def seed(store: Store, n: int, settings: Settings) -> None:
    mentions = [make_mention(i) for i in range(n)]
    policies = configured_policies(settings)

    def write(db):
        store_mentions(db, mentions, None, NOW)
        for i, m in enumerate(mentions):
            c = Classification(m.key, "test", "negative", {"negative": 1.0}, complaint=i / n, detractor=i / n,
                               intent="delivery", intent_scores={"delivery": 1.0})
            db["classifications"].insert({**c.as_row(), "classified_at": "2026-11-25T12:00:00+00:00"})
            db.conn.execute("UPDATE mentions SET stage = 'classified' WHERE key = ?", (m.key,))
        route_classified(db, now=NOW, due=lambda mm, at: deadlines_for(policies, mm, at), priority=priority_for)
        for name, role in (("ann", "agent"), ("bob", "agent"), ("lee", "lead")):
            create_user(db, name, role, "correct horse battery")

    store.write_sync(write)


@pytest.fixture
def settings() -> Settings:
    return Settings(brands=[BRAND])


@pytest.fixture
def seeded(store: Store, settings: Settings) -> Store:
    seed(store, 6, settings)
    return store


def ids_by_priority(store: Store) -> list[int]:
    return store.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT id FROM conversations ORDER BY priority DESC, id")])


def test_claim_next_takes_the_most_urgent_and_audits_it(seeded: Store) -> None:
    top = ids_by_priority(seeded)[0]
    got = seeded.write_sync(lambda db: queue.claim_next(db, "ann", now=NOW))
    assert got is not None and got["id"] == top and got["assignee"] == "ann" and got["status"] == "open"
    second = seeded.write_sync(lambda db: queue.claim_next(db, "bob", now=NOW))
    assert second is not None and second["id"] != top
    events = seeded.read_sync(lambda db: events_for(db, f"conversation:{top}"))
    assert events[-1].kind == "conversation.status" and events[-1].actor == "ann"
    assert events[-1].data["from"] == "new" and events[-1].data["to"] == "open"


def test_illegal_transition_is_a_conflict_and_changes_nothing(seeded: Store) -> None:
    conv = ids_by_priority(seeded)[0]
    with pytest.raises(Conflict, match="cannot resolve: the conversation is new"):
        seeded.write_sync(lambda db: queue.act(db, conv, "resolve", actor="ann", now=NOW))
    assert seeded.read_sync(lambda db: queue.load(db, conv))["status"] == "new"
    with pytest.raises(NotFound):
        seeded.write_sync(lambda db: queue.act(db, 999, "claim", actor="ann", now=NOW))


def test_snooze_needs_a_future_time_and_wakes(seeded: Store) -> None:
    conv = ids_by_priority(seeded)[0]
    with pytest.raises(Conflict):
        seeded.write_sync(lambda db: queue.act(db, conv, "snooze", actor="ann", now=NOW, until=NOW))
    seeded.write_sync(lambda db: queue.act(db, conv, "snooze", actor="ann", now=NOW, until=NOW + timedelta(hours=1)))
    assert seeded.write_sync(lambda db: queue.wake_snoozed(db, now=NOW + timedelta(minutes=59))) == 0
    assert seeded.write_sync(lambda db: queue.wake_snoozed(db, now=NOW + timedelta(hours=1))) == 1
    assert seeded.read_sync(lambda db: queue.load(db, conv))["status"] == "open"


def test_round_robin_spreads_work_and_reassigns_silent_agents(seeded: Store) -> None:
    assert seeded.write_sync(lambda db: queue.round_robin(db, now=NOW)) == 6
    owners = seeded.read_sync(lambda db: [r[0] for r in db.conn.execute(
        "SELECT assignee FROM conversations ORDER BY priority DESC, id")])
    assert sorted(owners) == ["ann"] * 3 + ["bob"] * 3
    assert owners[:2] in (["ann", "bob"], ["bob", "ann"])  # the two most urgent go to different agents
    busy = ids_by_priority(seeded)[0]
    later = NOW + timedelta(minutes=40)
    seeded.write_sync(lambda db: queue.escalate(db, busy, actor=owners[0], now=NOW + timedelta(minutes=20)))
    moved = seeded.write_sync(lambda db: queue.reassign_silent(db, now=later, after=timedelta(minutes=30)))
    assert moved == 5  # the one with recent activity keeps its assignee
    assert seeded.read_sync(lambda db: queue.load(db, busy))["assignee"] == owners[0]


def test_a_complaint_never_gets_the_praise_template(store: Store, settings: Settings) -> None:
    """Issue 20's first failure: a sarcastic post the sarcasm correction reads as a complaint keeps the
    intent head's praise, and the suggestion thanked the customer for the kind words. The suggestion
    now takes the next likeliest intent's template and says why; a sincere thank-you keeps praise."""
    sarcastic = make_mention(1, text="love how you send me a survey while I'm still sat at the gate")
    thanks = make_mention(2, text="thanks, lovely crew today")
    policies = configured_policies(settings)

    def write(db):
        store_mentions(db, [sarcastic, thanks], None, NOW)
        for m, complaint, felt in ((sarcastic, 0.97, "negative"), (thanks, 0.03, "positive")):
            c = Classification(m.key, "test", felt, {felt: 1.0}, complaint=complaint, detractor=0.2,
                               intent="praise", intent_scores={"praise": 0.44, "other": 0.19,
                                                               "service_experience": 0.25, "delivery": 0.12})
            db["classifications"].insert({**c.as_row(), "classified_at": "2026-11-25T12:00:00+00:00"})
            db.conn.execute("UPDATE mentions SET stage = 'classified' WHERE key = ?", (m.key,))
        route_classified(db, now=NOW, due=lambda mm, at: deadlines_for(policies, mm, at), priority=priority_for)

    store.write_sync(write)
    voices = replies.Voices.from_settings(settings)
    by_text = store.read_sync(lambda db: {r[1]: r[0] for r in db.conn.execute(
        "SELECT c.id, m.text FROM conversations c JOIN mentions m ON m.thread_key = c.thread_key")})
    complaint = store.read_sync(lambda db: replies.suggest(db, by_text[sarcastic.text], voices))
    assert complaint.intent == "service_experience" and "kind words" not in complaint.text
    assert complaint.note == "Not the praise template: the post reads as a complaint."
    praise = store.read_sync(lambda db: replies.suggest(db, by_text[thanks.text], voices))
    assert praise.intent == "praise" and "kind words" in praise.text and praise.note is None


def test_reply_approval_by_lead_and_idempotent_save(seeded: Store, settings: Settings) -> None:
    strict = dataclasses.replace(settings, responder=ResponderSettings(approval_agents=["ann"]))
    conv = ids_by_priority(seeded)[0]
    seeded.write_sync(lambda db: queue.act(db, conv, "claim", actor="ann", now=NOW))
    draft = seeded.read_sync(lambda db: replies.suggest(db, conv, replies.Voices.from_settings(strict)))
    assert "DM" in draft.text and draft.length.ok and not draft.tone.defensive
    r1 = seeded.write_sync(lambda db: replies.save_reply(db, conv, draft.text, actor="ann", now=NOW,
                                                         settings=strict, idempotency_key="k1"))
    r2 = seeded.write_sync(lambda db: replies.save_reply(db, conv, draft.text, actor="ann", now=NOW,
                                                         settings=strict, idempotency_key="k1"))
    assert r1.reply.id == r2.reply.id and r1.reply.state == "awaiting_approval"
    rid = r1.reply.id
    with pytest.raises(Forbidden):
        seeded.write_sync(lambda db: replies.review(db, rid, approve=True, reviewer="bob", role="agent", now=NOW))
    back = seeded.write_sync(lambda db: replies.review(db, rid, approve=False, reviewer="lee", role="lead",
                                                       now=NOW, note="add the case reference"))
    assert back.state == "draft" and back.review_note == "add the case reference"
    again = seeded.write_sync(lambda db: replies.resubmit(db, rid, draft.text + " Thanks!", actor="ann",
                                                          now=NOW, settings=strict))
    assert again.reply.state == "awaiting_approval" and again.held
    ok = seeded.write_sync(lambda db: replies.review(db, rid, approve=True, reviewer="lee", role="lead", now=NOW))
    assert ok.state == "approved"
    kinds = [e.kind for e in seeded.read_sync(lambda db: events_for(db, f"conversation:{conv}"))]
    assert kinds[-4:] == ["reply.created", "reply.sent_back", "reply.resubmitted", "reply.approved"]


def test_reply_checks_length_and_reports_tone(seeded: Store, settings: Settings) -> None:
    conv = ids_by_priority(seeded)[0]
    with pytest.raises(Conflict, match="280"):
        seeded.write_sync(lambda db: replies.save_reply(db, conv, "x" * 281, actor="ann", now=NOW, settings=settings))
    saved = seeded.write_sync(lambda db: replies.save_reply(
        db, conv, "As per our policy you should have read the terms.", actor="ann", now=NOW, settings=settings))
    assert saved.reply.state == "awaiting_approval" and saved.tone.defensive  # held for a lead
    assert saved.reply.in_reply_to.startswith("x:")


async def test_housekeeping_tick_assigns_in_turn_and_is_idempotent(seeded: Store, settings: Settings) -> None:
    from responder.housekeeping import tick

    first = await tick(seeded, settings, now=NOW)
    second = await tick(seeded, settings, now=NOW)
    assert (first.assigned, second.assigned) == (6, 0)
    off = dataclasses.replace(settings, responder=ResponderSettings(round_robin=False))
    assert (await tick(seeded, off, now=NOW)).assigned == 0


def test_priority_reasons_state_each_fact_once() -> None:
    reasons = ["sentiment negative (0.91)", "complaint (0.88)", "likely detractor (0.94)",
               'legal words: "small claims"', "effort score 0.70"]
    row = {"detractor": 0.94, "complaint": 0.88, "urgency": 0.8, "followers": 20_000,
           "reasons": json.dumps(reasons), "text": "small claims next"}
    score, why = priority_for(row, NOW)
    assert 50 <= score <= 100
    assert 'legal words: "small claims"' in why
    assert not any(r.startswith(("sentiment ", "complaint (0", "likely detractor (0", "effort score")) for r in why)


def test_a_customer_message_reopens_a_resolved_conversation_and_clears_what_resolving_set(
        seeded: Store, settings: Settings) -> None:
    conv = ids_by_priority(seeded)[0]
    seeded.write_sync(lambda db: queue.act(db, conv, "claim", actor="ann", now=NOW))
    seeded.write_sync(lambda db: queue.act(db, conv, "resolve", actor="ann", now=NOW + timedelta(hours=1)))
    row = seeded.read_sync(lambda db: queue.load(db, conv))
    assert row["status"] == "resolved" and row["resolution_clock_s"] is not None  # SLA clock time recorded
    thread = row["thread_key"].split(":")[-1]
    follow_up = make_mention(9, thread=thread, text="still not sorted, my bag is still lost")
    policies = configured_policies(settings)

    def write(db):
        store_mentions(db, [follow_up], None, NOW + timedelta(hours=2))
        c = Classification(follow_up.key, "test", "negative", {"negative": 1.0}, complaint=0.9, detractor=0.9,
                           intent="delivery", intent_scores={"delivery": 1.0})
        db["classifications"].insert({**c.as_row(), "classified_at": "2026-11-25T14:00:00+00:00"})
        db.conn.execute("UPDATE mentions SET stage = 'classified' WHERE key = ?", (follow_up.key,))
        return route_classified(db, now=NOW + timedelta(hours=2), due=lambda mm, at: deadlines_for(policies, mm, at),
                                priority=priority_for)

    assert seeded.write_sync(write) == 1
    row = seeded.read_sync(lambda db: queue.load(db, conv))
    assert (row["status"], row["resolved_at"], row["resolution_clock_s"]) == ("open", None, None)


@pytest.mark.parametrize(("thread", "answered", "note"), [
    ([("billing", 0.9), ("other", 0.1)], 0, True),  # a complaint, then "lol": the complaint's template
    ([("billing", 0.9), ("other", 0.8)], 1, False),  # the latest complains itself, of nothing in particular
    ([("billing", 0.9), ("praise", 0.1)], 1, False),  # "thanks, sorted": the thanks
    ([("other", 0.1), ("other", 0.1)], 1, False),  # nothing asked anywhere: the latest
    ([("question", 0.2), ("billing", 0.9), ("other", 0.0), ("other", 0.1)], 1, True),  # the nearest that asks
    ([], None, False),
])
def test_the_suggestion_answers_the_latest_message_that_asks_something(
        thread: list[tuple[str, float]], answered: int | None, note: bool) -> None:
    messages = [{"key": f"m{i}", "intent": intent, "complaint": complaint} for i, (intent, complaint) in
                enumerate(thread)]
    message, said = replies.answered_message([*messages, {"key": "unread", "intent": None}])
    assert (message["key"] if message else None) == (f"m{answered}" if answered is not None else None)
    assert said == (replies.EARLIER_NOTE if note else None)


def test_an_erased_conversations_id_is_never_given_again(seeded: Store, settings: Settings) -> None:
    """The concurrency audit: SQLite gave the erased newest conversation's id to the next one the pollers opened,
    and an agent's page still open on the erased one posted its reply there, to another customer. Replies and
    notes took erased ids again too."""
    from careline.store.conversations import add_note
    from careline.store.customers import erase_customer

    newest = seeded.read_sync(lambda db: db.conn.execute(
        "SELECT c.id, a.handle FROM conversations c JOIN authors a ON a.key = c.author_key ORDER BY c.id DESC "
        "LIMIT 1").fetchone())
    conv_id, handle = newest
    seeded.write_sync(lambda db: queue.act(db, conv_id, queue.Action.CLAIM, actor="ann", now=NOW))
    reply = seeded.write_sync(lambda db: replies.save_reply(db, conv_id, "We are on it.", actor="ann", now=NOW,
                                                            settings=settings))
    note = seeded.write_sync(lambda db: add_note(db, conv_id, "ann", "VIP customer", NOW))
    seeded.write_sync(lambda db: erase_customer(db, "x", handle, actor="admin", now=NOW))

    later = make_mention(99, text="my card was charged twice")
    policies = configured_policies(settings)

    def arrive(db):
        store_mentions(db, [later], None, NOW)
        c = Classification(later.key, "test", "negative", {"negative": 1.0}, complaint=0.9, detractor=0.5,
                           intent="billing", intent_scores={"billing": 1.0})
        db["classifications"].insert({**c.as_row(), "classified_at": "2026-11-25T12:00:00+00:00"})
        db.conn.execute("UPDATE mentions SET stage = 'classified' WHERE key = ?", (later.key,))
        route_classified(db, now=NOW, due=lambda mm, at: deadlines_for(policies, mm, at), priority=priority_for)
        return db.conn.execute("SELECT id FROM conversations WHERE thread_key = ?", (later.thread_key,)).fetchone()[0]

    new_id = seeded.write_sync(arrive)
    assert new_id > conv_id
    with pytest.raises(NotFound):  # the page still open on the erased conversation reaches nobody
        seeded.write_sync(lambda db: replies.save_reply(db, conv_id, "Your refund is on its way", actor="ann",
                                                        now=NOW, settings=settings))
    seeded.write_sync(lambda db: queue.act(db, new_id, queue.Action.CLAIM, actor="bob", now=NOW))
    again = seeded.write_sync(lambda db: replies.save_reply(db, new_id, "Looking into it.", actor="bob", now=NOW,
                                                            settings=settings))
    assert again.reply.id > reply.reply.id
    assert seeded.write_sync(lambda db: add_note(db, new_id, "bob", "new", NOW)).id > note.id
