"""SLA sweep (warnings, breaches, escalation levels fire once) and signed webhook delivery.

The receiver is a real aiohttp server on 127.0.0.1 that checks the HMAC signature over the raw body.
Time is always passed in: nothing here waits on a real schedule.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from careline.app.http import AiohttpTransport
from careline.domain import to_iso
from careline.settings import ResponderSettings, WebhookSettings
from careline.store import Store
from responder.alerts import (
    MAX_ATTEMPTS,
    REPLAY_WINDOW,
    _apply,
    _lease,
    _plan,
    backoff,
    deliver_webhooks,
    signed_headers,
    signing_key,
    sweep_sla,
    target_problem,
    verify_delivery,
)
from responder.sla import SLAPolicy

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET = "s3cret-for-tests"
POLICY = SLAPolicy("standard", first_response_minutes=60, next_response_minutes=30, resolution_minutes=1440,
                   warn_before_minutes=15, escalation_minutes=(0, 60, 240))


def add_conversation(store: Store, *, status: str = "new", snapshot: bool = True, key: str = "x:skylark:1") -> int:
    def write(db: Any) -> int:
        cur = db.conn.execute(
            "INSERT INTO conversations (thread_key, platform, brand, author_key, status, created_at, updated_at, "
            "last_customer_at, sla_policy, sla_snapshot) VALUES (?, 'x', 'skylark', 'x:1', ?, ?, ?, ?, 'standard', ?)",
            (key, status, to_iso(T0), to_iso(T0), to_iso(T0), json.dumps(POLICY.to_dict()) if snapshot else None))
        cid = int(cur.lastrowid)
        add_event(db, cid, T0, "conversation.created", {})
        return cid

    return store.write_sync(write)


def add_event(db: Any, cid: int, at: datetime, kind: str, data: dict[str, Any]) -> None:
    db.conn.execute("INSERT INTO events (at, actor, kind, subject, data) VALUES (?, 'agent1', ?, ?, ?)",
                    (to_iso(at), kind, f"conversation:{cid}", json.dumps(data)))


def sla_events(store: Store) -> list[tuple[str, str, int]]:
    return store.read_sync(lambda db: [tuple(r) for r in db.conn.execute(
        "SELECT kind, target, level FROM sla_events ORDER BY id")])


def conv(store: Store, cid: int) -> dict[str, Any]:
    cur = store.read_sync(lambda db: db.conn.execute("SELECT * FROM conversations WHERE id = ?", (cid,)))
    return dict(zip([d[0] for d in cur.description], cur.fetchone(), strict=True))


def deliveries(store: Store) -> list[dict[str, Any]]:
    cur = store.read_sync(lambda db: db.conn.execute("SELECT * FROM webhook_deliveries ORDER BY id"))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def hooks(url: str, **kw: Any) -> ResponderSettings:
    """One hook; the test receivers listen on loopback, which only the allow-list opens."""
    return ResponderSettings(webhooks=[WebhookSettings(url=url, secret_env="CARELINE_TEST_HOOK_SECRET", **kw)],
                             webhook_allow=["127.0.0.1"])


# -- pure helpers -----------------------------------------------------------------------------------------
def test_standard_webhooks_signature_round_trip_replay_window_and_backoff() -> None:
    body = b'{"event": "sla.breach"}'
    now = datetime.now(UTC)
    headers = signed_headers(SECRET, 7, body, sent_at=now)
    assert headers["webhook-id"] == "msg_careline_7" and headers["webhook-signature"].startswith("v1,")
    assert verify_delivery(SECRET, body, headers) == {"event": "sla.breach"}
    for wrong in ((SECRET, body + b" ", headers), ("other", body, headers),
                  (SECRET, body, {**headers, "webhook-id": "msg_careline_8"}),
                  (SECRET, body, {k: v for k, v in headers.items() if k != "webhook-signature"})):
        with pytest.raises(WebhookVerificationError):
            verify_delivery(*wrong)
    replayed = signed_headers(SECRET, 7, body, sent_at=now - REPLAY_WINDOW - timedelta(seconds=5))
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify_delivery(SECRET, body, replayed)  # a captured delivery sent again later is refused
    standard = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    assert signing_key(standard) == b"0123456789abcdef0123456789abcdef"
    assert Webhook(standard).verify(body, signed_headers(standard, 1, body, sent_at=now)) == {"event": "sla.breach"}
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


# -- sweep --------------------------------------------------------------------------------------------------
async def test_warning_breach_and_escalations_fire_once_each(store: Store) -> None:
    cid = add_conversation(store)
    settings = hooks("http://127.0.0.1:9/hook", events=["breach", "escalation"], min_level=2)
    assert await sweep_sla(store, settings, now=T0 + timedelta(minutes=10)) == 0
    c = conv(store, cid)
    assert c["first_response_due"] == to_iso(T0 + timedelta(minutes=60))
    assert c["sla_next_check"] == to_iso(T0 + timedelta(minutes=15))  # the 5-minute recheck cap

    assert await sweep_sla(store, settings, now=T0 + timedelta(minutes=50)) == 1
    assert sla_events(store) == [("warning", "first_response", 0)]
    assert await sweep_sla(store, settings, now=T0 + timedelta(minutes=50)) == 0  # not due again yet
    store.write_sync(lambda db: db.conn.execute("UPDATE conversations SET sla_next_check = NULL"))
    assert await sweep_sla(store, settings, now=T0 + timedelta(minutes=52)) == 0  # forced: still fires once

    assert await sweep_sla(store, settings, now=T0 + timedelta(minutes=61)) == 2
    c = conv(store, cid)
    assert (c["sla_state"], c["escalation_level"]) == ("active_with_misses", 1)
    assert await sweep_sla(store, settings, now=T0 + timedelta(minutes=200)) == 1
    assert sla_events(store)[1:] == [("breach", "first_response", 0), ("escalation", "first_response", 1),
                                     ("escalation", "first_response", 2)]
    sent = [(json.loads(d["payload"])["event"], json.loads(d["payload"])["level"]) for d in deliveries(store)]
    assert sent == [("sla.breach", 0), ("sla.escalation", 2)]  # no warning, no level 1 for this hook
    payload = json.loads(deliveries(store)[1]["payload"])
    assert payload["conversation"]["id"] == cid and payload["target"] == "first_response"
    assert payload["due_at"] == to_iso(T0 + timedelta(minutes=60))


async def test_a_sweep_exactly_at_the_due_time_looks_again_the_moment_it_is_missed(store: Store) -> None:
    """At the due instant the target is not missed yet (a reply then is on time); the next check is
    the first microsecond after it, not the 5-minute recheck, so the breach is not noticed late."""
    cid = add_conversation(store)
    due = T0 + timedelta(minutes=60)
    assert await sweep_sla(store, ResponderSettings(), now=due) == 1  # the warning only
    assert conv(store, cid)["sla_next_check"] == to_iso(due + timedelta(microseconds=1))
    assert await sweep_sla(store, ResponderSettings(), now=due + timedelta(microseconds=1)) == 2
    assert sla_events(store) == [("warning", "first_response", 0), ("breach", "first_response", 0),
                                 ("escalation", "first_response", 1)]


async def test_a_sent_reply_meets_the_first_response(store: Store) -> None:
    cid = add_conversation(store)

    def reply(db: Any) -> None:
        db.conn.execute("INSERT INTO replies (conversation_id, text, state, created_by, created_at, updated_at, "
                        "idempotency_key, sent_at) VALUES (?, 'hi', 'sent', 'a', ?, ?, 'k-1', ?)",
                        (cid, to_iso(T0), to_iso(T0), to_iso(T0 + timedelta(minutes=30))))

    store.write_sync(reply)
    assert await sweep_sla(store, ResponderSettings(), now=T0 + timedelta(minutes=90)) == 0
    c = conv(store, cid)
    assert c["sla_state"] == "active" and c["next_response_due"] is None
    assert c["first_response_due"] is None  # never written: the target was met, nothing owed


async def test_pending_pauses_and_inactive_or_unsnapshotted_are_skipped(store: Store) -> None:
    paused = add_conversation(store, key="x:skylark:1")
    store.write_sync(lambda db: add_event(db, paused, T0 + timedelta(minutes=5), "conversation.status",
                                          {"from": "new", "to": "pending", "action": "wait"}))
    add_conversation(store, key="x:skylark:2", status="resolved")
    bare = add_conversation(store, key="x:skylark:3", snapshot=False)
    assert await sweep_sla(store, ResponderSettings(), now=T0 + timedelta(hours=3)) == 0
    assert conv(store, paused)["sla_state"] == "active"
    assert conv(store, paused)["sla_next_check"] == to_iso(T0 + timedelta(hours=3, minutes=5))
    assert conv(store, bare)["sla_next_check"] is None and sla_events(store) == []


async def test_a_plan_made_stale_by_a_concurrent_change_is_not_written(store: Store) -> None:
    cid = add_conversation(store)
    now = T0 + timedelta(minutes=61)
    row = store.read_sync(lambda db: dict(zip(
        ("id", "thread_key", "platform", "brand", "status", "priority", "assignee", "created_at", "sla_policy",
         "sla_snapshot", "sla_state", "escalation_level"),
        db.conn.execute("SELECT id, thread_key, platform, brand, status, priority, assignee, created_at, "
                        "sla_policy, sla_snapshot, sla_state, escalation_level FROM conversations").fetchone(),
        strict=True)))
    plan = store.read_sync(lambda db: _plan(db, row, now, timedelta(minutes=5)))
    assert len(plan.fired) == 2
    store.write_sync(lambda db: add_event(db, cid, now, "conversation.status",
                                          {"from": "new", "to": "pending", "action": "wait"}))
    assert store.write_sync(lambda db: _apply(db, plan, [], now)) == 0
    assert sla_events(store) == [] and conv(store, cid)["sla_next_check"] is None


# -- delivery -----------------------------------------------------------------------------------------------
def _verifies(raw: bytes, headers: Any) -> bool:
    """What a receiver does with the standardwebhooks package: signature and replay window."""
    try:
        Webhook(signing_key(SECRET)).verify(raw, dict(headers))
    except WebhookVerificationError:
        return False
    return True


@dataclass
class Receiver:
    """Answers with the queued statuses (then 200) and keeps each request with its signature check."""

    statuses: list[int] = field(default_factory=list)
    got: list[dict[str, Any]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        self.got.append({"valid": _verifies(raw, request.headers),
                         "id": request.headers.get("webhook-id"),
                         "event": request.headers.get("X-Careline-Event"),
                         "delivery": request.headers.get("X-Careline-Delivery"), "body": json.loads(raw)})
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    rec = Receiver()
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield rec, str(server.make_url("/hook"))
    await server.close()


@pytest.fixture
async def session() -> AsyncIterator[AiohttpTransport]:
    """The service's own transport: a real aiohttp session posting to the loopback receiver."""
    async with aiohttp.ClientSession() as s:
        yield AiohttpTransport(s)


async def breach(store: Store, settings: ResponderSettings) -> datetime:
    add_conversation(store)
    now = T0 + timedelta(minutes=61)
    assert await sweep_sla(store, settings, now=now) == 2
    return now


async def test_delivery_is_signed_retried_with_backoff_then_delivered(
        store: Store, receiver: tuple[Receiver, str], session: AiohttpTransport,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", SECRET)
    rec, url = receiver
    settings = hooks(url, events=["breach"])
    now = await breach(store, settings)
    rec.statuses = [500]
    assert await deliver_webhooks(store, settings, session, now=now) == 0
    [row] = deliveries(store)
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, "HTTP 500")
    assert row["next_attempt_at"] == to_iso(now + timedelta(seconds=30))
    assert await deliver_webhooks(store, settings, session, now=now + timedelta(seconds=10)) == 0  # not yet due
    assert await deliver_webhooks(store, settings, session, now=now + timedelta(seconds=31)) == 1
    [row] = deliveries(store)
    assert (row["status"], row["attempts"]) == ("delivered", 2)
    assert [g["valid"] for g in rec.got] == [True, True]
    assert {g["delivery"] for g in rec.got} == {str(row["id"])} and rec.got[0]["event"] == "sla.breach"
    assert {g["id"] for g in rec.got} == {f"msg_careline_{row['id']}"}  # the same webhook-id on the retry
    assert rec.got[1]["body"]["kind"] == "breach"


async def test_missing_secret_refuses_to_send(store: Store, receiver: tuple[Receiver, str],
                                             session: AiohttpTransport,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARELINE_TEST_HOOK_SECRET", raising=False)
    rec, url = receiver
    settings = hooks(url, events=["breach"])
    now = await breach(store, settings)
    assert await deliver_webhooks(store, settings, session, now=now) == 0
    [row] = deliveries(store)
    assert row["status"] == "failed" and "CARELINE_TEST_HOOK_SECRET is not set" in row["last_error"]
    assert rec.got == []


async def test_gives_up_after_max_attempts(store: Store, receiver: tuple[Receiver, str],
                                          session: AiohttpTransport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", SECRET)
    rec, url = receiver
    settings = hooks(url, events=["breach"])
    now = await breach(store, settings)
    rec.statuses = [503] * (MAX_ATTEMPTS + 2)
    for i in range(MAX_ATTEMPTS + 2):
        await deliver_webhooks(store, settings, session, now=now + timedelta(hours=i))
    [row] = deliveries(store)
    assert (row["status"], row["attempts"]) == ("failed", MAX_ATTEMPTS) and len(rec.got) == MAX_ATTEMPTS


async def test_a_crash_mid_delivery_leaves_the_row_due_after_its_lease(
        store: Store, receiver: tuple[Receiver, str], session: AiohttpTransport,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", SECRET)
    rec, url = receiver
    settings = hooks(url, events=["breach"])
    now = await breach(store, settings)
    store.write_sync(lambda db: _lease(db, now, now + timedelta(seconds=40), 50))  # then the process died
    assert await deliver_webhooks(store, settings, session, now=now + timedelta(seconds=5)) == 0
    assert rec.got == []
    assert await deliver_webhooks(store, settings, session, now=now + timedelta(seconds=41)) == 1
    assert deliveries(store)[0]["status"] == "delivered"


@pytest.mark.parametrize("url,allow,refused", [
    ("http://169.254.169.254/latest/meta-data", [], True),
    ("http://127.0.0.1:9/hook", [], True),
    ("http://localhost:9/hook", [], True),
    ("http://10.1.2.3/hook", [], True),
    ("http://[::1]/hook", [], True),
    ("http://[::ffff:127.0.0.1]/hook", [], True),
    ("file:///etc/passwd", [], True),
    ("http://10.1.2.3/hook", ["10.0.0.0/8"], False),
    ("http://127.0.0.1:9/hook", ["127.0.0.1"], False),
    ("http://localhost:9/hook", ["localhost"], False),
    ("https://93.184.215.14/hook", [], False),
])
async def test_private_loopback_and_link_local_targets_need_the_allow_list(url: str, allow: list[str],
                                                                          refused: bool) -> None:
    assert (await target_problem(url, allow) is not None) is refused


async def test_a_refused_target_gets_no_request(store: Store, receiver: tuple[Receiver, str],
                                               session: AiohttpTransport, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", SECRET)
    rec, url = receiver
    settings = dataclasses.replace(hooks(url, events=["breach"]), webhook_allow=[])
    now = await breach(store, settings)
    assert await deliver_webhooks(store, settings, session, now=now) == 0
    [row] = deliveries(store)
    assert row["status"] == "failed" and "webhook_allow" in row["last_error"] and rec.got == []


async def test_one_hook_whose_url_cannot_be_resolved_does_not_lose_the_other_deliveries(
        store: Store, receiver: tuple[Receiver, str], session: AiohttpTransport,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The settings only check ``https?://\\S+``; a typo with an empty DNS label makes the resolver raise
    ``UnicodeError``, not ``OSError``. That used to escape ``asyncio.gather``: the good hook's POST went on
    unrecorded (its row stayed leased, to be sent again after the lease) and nothing was recorded."""
    monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", SECRET)
    rec, url = receiver
    bad = "https://alerts..example.com/hook"
    settings = ResponderSettings(webhooks=[WebhookSettings(url=u, secret_env="CARELINE_TEST_HOOK_SECRET",
                                                           events=["breach"]) for u in (url, bad)],
                                 webhook_allow=["127.0.0.1"])
    now = await breach(store, settings)
    assert await deliver_webhooks(store, settings, session, now=now) == 1
    rows = {row["url"]: row for row in deliveries(store)}
    assert (rows[url]["status"], rows[url]["attempts"]) == ("delivered", 1)
    assert (rows[bad]["status"], rows[bad]["attempts"]) == ("pending", 1) and "UnicodeError" in rows[bad]["last_error"]
    assert await deliver_webhooks(store, settings, session, now=now + timedelta(seconds=41)) == 0  # only the bad one
    assert len(rec.got) == 1  # the receiver heard the breach once
    assert {row["url"]: row["attempts"] for row in deliveries(store)} == {url: 1, bad: 2}


async def test_the_sweep_keeps_a_persons_escalation_until_the_conversation_closes(store: Store) -> None:
    """The sweep sets the level its clocks give; it used to write 0 over a lead's escalation a minute later."""
    from responder import queue

    cid = add_conversation(store)
    for minutes in (1, 2):
        store.write_sync(lambda db, m=minutes: queue.escalate(db, cid, actor="lee", now=T0 + timedelta(minutes=m)))
    await sweep_sla(store, ResponderSettings(), now=T0 + timedelta(minutes=10))
    assert conv(store, cid)["escalation_level"] == 2  # the clocks say 0; the lead said 2
    await sweep_sla(store, ResponderSettings(), now=T0 + timedelta(minutes=1000))
    assert conv(store, cid)["escalation_level"] >= 2  # missed by far: the higher of the two
    store.write_sync(lambda db: add_event(db, cid, T0 + timedelta(minutes=201), "conversation.status",
                                          {"from": "open", "to": "resolved", "action": "resolve"}))
    assert store.read_sync(lambda db: queue.manual_escalation(db, cid)) == 0  # closing ends a person's escalation


def test_rescoring_keeps_a_persons_escalation(tmp_path: Any) -> None:
    """A reading correction re-scores the conversation from its messages; the lead's escalation (top band,
    with who escalated it) used to vanish with it."""
    from responder import queue
    from responder.intake import reprioritise
    from responder.policy import priority_for
    from tests.helpers.seed import seed

    store = Store(tmp_path / "e.db").open_sync()
    try:
        cid = store.write_sync(lambda db: seed(db, 3, T0)[0])
        store.write_sync(lambda db: queue.escalate(db, cid, actor="lee", now=T0, note="VIP"))
        store.write_sync(lambda db: reprioritise(db, cid, now=T0 + timedelta(minutes=1), priority=priority_for))
        c = conv(store, cid)
        assert c["priority"] >= queue.ESCALATED_PRIORITY
        assert json.loads(c["priority_reasons"])[0] == "escalated by lee: VIP"
    finally:
        store.close_sync()


@pytest.mark.parametrize("address", ["100.100.100.200", "192.0.0.192", "100.64.0.1", "::ffff:169.254.169.254"])
async def test_addresses_that_are_not_public_are_refused(address: str) -> None:
    """Cloud metadata services on shared or special-purpose ranges, which a list of bad ranges missed."""
    host = f"[{address}]" if ":" in address else address
    assert "not a public address" in (await target_problem(f"http://{host}/hook", []) or "")


async def test_a_name_resolving_to_loopback_at_connect_time_is_refused() -> None:
    """The check at connect time (DNS rebinding: a name that passed ``target_problem`` as public and then
    answers 127.0.0.1): the wiring's resolver refuses it unless ``webhook_allow`` names it."""
    from careline.app.http import AiohttpTransport, webhook_session
    from responder.alerts import TransportError

    async def hook(request: web.Request) -> web.Response:
        return web.Response(status=204)

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    async with TestServer(receiver, host="127.0.0.1") as server:
        url = f"http://localhost:{server.port}/hook"
        async with webhook_session(lambda: []) as session:
            with pytest.raises(TransportError, match="may not reach"):
                await AiohttpTransport(session).post(url, b"{}", {}, seconds=5)
        async with webhook_session(lambda: ["localhost"]) as session:
            assert (await AiohttpTransport(session).post(url, b"{}", {}, seconds=5))[0] == 204
