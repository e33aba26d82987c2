"""SLA sweep and signed webhook alerts: pre-breach warnings, breaches and escalation levels.

Two scheduler jobs, both safe to run any number of times and to kill at any point:

* :func:`sweep_sla` re-evaluates the conversations whose ``sla_next_check`` has come (or that were
  never checked), from the history in the store, with the policy *snapshot* the conversation was
  given (not retroactive). A batch is read and evaluated off the writer thread, then applied in ONE
  write: stale plans (the conversation changed in between) are skipped and retried by the next
  sweep. ``sla_events`` is unique per (conversation, kind, target, level, due time), so each warning,
  breach and escalation fires once, and its webhook rows are written in the same transaction.
* :func:`deliver_webhooks` POSTs due rows signed as the Standard Webhooks specification says
  (``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
  "id.timestamp.body">``, through the ``standardwebhooks`` package), so any of its receiver libraries
  verifies them and refuses a captured delivery replayed outside the :data:`REPLAY_WINDOW`. A row
  exists before its POST and is marked delivered only after a 2xx, so delivery is *at least once*:
  receivers dedupe on ``webhook-id`` (the same for every retry of a delivery). Failures back off
  exponentially (``next_attempt_at``) and give up after :data:`MAX_ATTEMPTS`. A URL whose host is or
  resolves to a private, loopback or link-local address is refused unless
  ``responder.webhook_allow`` names it (no alert reaches a cloud metadata service or an admin port).
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from sqlite_utils import Database
from standardwebhooks.webhooks import Webhook

from careline.domain import ACTIVE_STATUSES, to_iso
from careline.settings import ResponderSettings, Settings, WebhookSettings
from careline.store import Store
from careline.store.records import rows
from responder.history import stored_evaluation
from responder.queue import manual_escalation
from responder.sla import SLAEvaluation, TargetKind, TargetState

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
#: How far a receiver's clock may be from ``webhook-timestamp`` (the standardwebhooks libraries' tolerance).
REPLAY_WINDOW = timedelta(minutes=5)
SECRET_PREFIX = "whsec_"
_warned_secrets: set[str] = set()


# -- the pure part -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Fired:
    """One SLA event an evaluation implies: ``kind`` is warning, breach or escalation."""

    kind: str
    target: str
    level: int
    due_at: datetime


@dataclass(frozen=True)
class Plan:
    """What one conversation's sweep writes; ``fingerprint`` detects a conversation changed meanwhile."""

    conversation: dict[str, Any]
    fingerprint: tuple[Any, ...]
    evaluation: SLAEvaluation
    next_check: datetime
    fired: tuple[Fired, ...] = field(default=())


def fired_events(evaluation: SLAEvaluation) -> list[Fired]:
    """Warnings, breaches (met late or still open) and every escalation level reached so far."""
    out: list[Fired] = []
    for t in evaluation.targets:
        if t.due_at is None:
            continue
        if t.warning:
            out.append(Fired("warning", t.kind.value, 0, t.due_at))
        if t.state is TargetState.MISSED:
            out.append(Fired("breach", t.kind.value, 0, t.due_at))
        out += [Fired("escalation", t.kind.value, level, t.due_at) for level in range(1, t.escalation_level + 1)]
    return out


def next_check(evaluation: SLAEvaluation, now: datetime, recheck: timedelta) -> datetime:
    """When to look again: the next warning/breach/escalation, but at least every ``recheck``.

    The cap covers changes that do not reset ``sla_next_check`` (a paused target has no due time,
    so a status change is the only thing that can make it due again).
    """
    latest = now + recheck
    return min(evaluation.next_check_at or latest, latest)


# -- sweep ---------------------------------------------------------------------------------------------
CANDIDATES_SQL = f"""
SELECT id, thread_key, platform, brand, status, priority, assignee, created_at, sla_policy, sla_snapshot,
       sla_state, escalation_level
FROM conversations
WHERE status IN ({", ".join("?" * len(ACTIVE_STATUSES))}) AND sla_snapshot IS NOT NULL
  AND (sla_next_check IS NULL OR sla_next_check <= ?)
ORDER BY sla_next_check IS NOT NULL, sla_next_check, id
LIMIT ?
"""

FINGERPRINT_SQL = """
SELECT c.status,
       (SELECT COUNT(*) FROM mentions m WHERE m.thread_key = c.thread_key),
       (SELECT COUNT(*) FROM replies r WHERE r.conversation_id = c.id AND r.state = 'sent'),
       (SELECT COALESCE(MAX(e.id), 0) FROM events e WHERE e.subject = 'conversation:' || c.id)
FROM conversations c WHERE c.id = ?
"""


async def sweep_sla(store: Store, settings: Settings | ResponderSettings, *, now: datetime, limit: int = 500,
                    recheck: timedelta = timedelta(minutes=5)) -> int:
    """Evaluate one batch of due conversations and record what fired; returns the new SLA events."""
    plans = await store.read(lambda db: _plan_batch(db, now, limit, recheck))
    if not plans:
        return 0
    hooks = _responder(settings).webhooks
    fired = await store.write(lambda db: sum(_apply(db, plan, hooks, now) for plan in plans))
    if fired:
        log.info("SLA sweep: %d conversations checked, %d new SLA events", len(plans), fired)
    return fired


def _plan_batch(db: Database, now: datetime, limit: int, recheck: timedelta) -> list[Plan]:
    plans = []
    for conv in rows(db, CANDIDATES_SQL, (*ACTIVE_STATUSES, to_iso(now), limit)):
        try:
            plans.append(_plan(db, conv, now, recheck))
        except (ValueError, KeyError, TypeError):
            log.exception("conversation %s: cannot evaluate its SLA snapshot; skipped", conv["id"])
    return plans


def _plan(db: Database, conv: dict[str, Any], now: datetime, recheck: timedelta) -> Plan:
    fingerprint = tuple(db.conn.execute(FINGERPRINT_SQL, (conv["id"],)).fetchone())
    evaluation = stored_evaluation(db, conv, now)
    if evaluation is None:  # the candidates query only takes snapshotted conversations
        raise ValueError("conversation has no SLA snapshot")
    return Plan(conv, fingerprint, evaluation, next_check(evaluation, now, recheck), tuple(fired_events(evaluation)))


def _apply(db: Database, plan: Plan, hooks: Sequence[WebhookSettings], now: datetime) -> int:
    """Write one plan unless the conversation changed since it was read; returns new SLA events."""
    conv, ev = plan.conversation, plan.evaluation
    if tuple(db.conn.execute(FINGERPRINT_SQL, (conv["id"],)).fetchone() or ()) != plan.fingerprint:
        return 0  # stale: its sla_next_check is unchanged, so the next sweep takes it again
    level = max(ev.escalation_level, manual_escalation(db, conv["id"]))  # a person's escalation stays
    first, resolution = ev.current(TargetKind.FIRST_RESPONSE), ev.current(TargetKind.RESOLUTION)
    db.conn.execute(
        "UPDATE conversations SET sla_state = ?, escalation_level = ?, "
        "first_response_due = CASE WHEN ? THEN ? ELSE first_response_due END, next_response_due = ?, "
        "resolution_due = CASE WHEN ? THEN ? ELSE resolution_due END, sla_next_check = ? WHERE id = ?",
        (ev.state.value, level, first is not None, to_iso(first.due_at if first else None),
         to_iso(ev.due(TargetKind.NEXT_RESPONSE)), resolution is not None,
         to_iso(resolution.due_at if resolution else None), to_iso(plan.next_check), conv["id"]))
    conv = {**conv, "sla_state": ev.state.value, "escalation_level": ev.escalation_level}
    return sum(_record_event(db, conv, fired, hooks, now) for fired in plan.fired)


def _record_event(db: Database, conv: dict[str, Any], fired: Fired, hooks: Sequence[WebhookSettings],
                  now: datetime) -> int:
    cur = db.conn.execute(
        "INSERT INTO sla_events (conversation_id, kind, target, level, due_at, at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (conversation_id, kind, target, level, due_at) DO NOTHING",
        (conv["id"], fired.kind, fired.target, fired.level, to_iso(fired.due_at), to_iso(now)))
    if cur.rowcount != 1:
        return 0
    event_id = int(cur.lastrowid or 0)
    body = json.dumps(alert_payload(event_id, conv, fired, now), sort_keys=True)
    for hook in hooks:
        if wants(hook, fired):
            db.conn.execute("INSERT INTO webhook_deliveries (sla_event_id, url, payload, next_attempt_at) "
                            "VALUES (?, ?, ?, ?)", (event_id, hook.url, body, to_iso(now)))
    return 1


def wants(hook: WebhookSettings, fired: Fired) -> bool:
    """``min_level`` filters escalations only; warnings and breaches go to every hook that lists them."""
    if not hook.url or fired.kind not in hook.events:
        return False
    return fired.kind != "escalation" or fired.level >= hook.min_level


def alert_payload(event_id: int, conv: dict[str, Any], fired: Fired, now: datetime) -> dict[str, Any]:
    """The JSON body receivers get; ``event`` is also sent as ``X-Careline-Event``."""
    keep = ("id", "thread_key", "platform", "brand", "status", "priority", "assignee", "sla_policy", "sla_state",
            "escalation_level")
    return {"event": f"sla.{fired.kind}", "sla_event_id": event_id, "kind": fired.kind, "target": fired.target,
            "level": fired.level, "due_at": to_iso(fired.due_at), "at": to_iso(now),
            "conversation": {k: conv.get(k) for k in keep}}


def _responder(settings: Settings | ResponderSettings) -> ResponderSettings:
    return settings.responder if isinstance(settings, Settings) else settings


# -- delivery ------------------------------------------------------------------------------------------
def signing_key(secret: str) -> bytes:
    """The HMAC key: a ``whsec_<base64>`` secret (the standard's form) decoded, any other text as UTF-8."""
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX):] + "==")
    return secret.encode()


def message_id(delivery_id: int) -> str:
    """``webhook-id``: one per delivery row, the same on each retry, so receivers can dedupe on it."""
    return f"msg_careline_{delivery_id}"


def signed_headers(secret: str, delivery_id: int, body: bytes, *, sent_at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    msg_id = message_id(delivery_id)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Webhook(signing_key(secret)).sign(msg_id, sent_at, body.decode())}


def verify_delivery(secret: str, body: bytes, headers: Mapping[str, str]) -> Any:
    """For receivers (and tests): the JSON payload, or :class:`WebhookVerificationError` when the signature is
    wrong or the timestamp is outside the replay window. Any Standard Webhooks library does the same."""
    return Webhook(signing_key(secret)).verify(body, dict(headers))


# -- where a webhook may go ------------------------------------------------------------------------------
#: Ranges Python's ``is_global`` still calls public on 3.11: IETF protocol assignments, where Oracle Cloud's
#: older metadata service (192.0.0.192) lives.
NOT_PUBLIC = (ipaddress.ip_network("192.0.0.0/24"),)


def _forbidden_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Anything but a public unicast address: a list of bad ranges let cloud metadata services through
    (Alibaba's 100.100.100.200 is shared address space, neither private nor loopback)."""
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    return not ip.is_global or ip.is_multicast or any(ip in net for net in NOT_PUBLIC if net.version == ip.version)


def address_refused(host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow: Sequence[str]) -> bool:
    """Whether a webhook for ``host`` may not connect to ``ip``: not public, and not in ``webhook_allow``.
    The wiring's resolver asks this of every address it is about to connect to, so a name that resolves
    to a public address for :func:`target_problem` and to 127.0.0.1 a moment later (DNS rebinding) is
    still refused."""
    return _forbidden_address(ip) and not _allowed(host, ip, allow)


def _allowed(host: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None, allow: Sequence[str]) -> bool:
    for entry in allow:
        if entry.lower() == host.lower():
            return True
        try:
            if ip is not None and ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


async def target_problem(url: str, allow: Sequence[str]) -> str | None:
    """Why ``url`` may not receive alerts (scheme, or a private, loopback or link-local address), or None.

    The host is resolved here, so a public name pointing at 10.0.0.5 is refused as well as the literal.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        return f"{url!r} is not an http(s) URL"
    try:
        literal: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if _allowed(host, literal, allow):
        return None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, parts.port or 443)
        except OSError as exc:
            return f"cannot resolve {host}: {exc}"
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    for ip in addresses:
        if address_refused(host, ip, allow):
            return (f"{host} is {ip}, not a public address (private, loopback, link-local or shared); name it "
                    "in responder.webhook_allow to send alerts there")
    return None


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at an hour: 8 attempts span about an hour and a half."""
    return min(BACKOFF_BASE * 2 ** max(0, attempts - 1), BACKOFF_CAP)


class TransportError(Exception):
    """The POST did not get an HTTP answer (timeout, refused, reset); the message says which."""


class Transport(Protocol):
    """The one method webhook delivery needs from an HTTP client (the wiring supplies one).

    It never follows redirects: a webhook URL that redirects is treated as its answer.
    """

    async def post(self, url: str, body: bytes, headers: Mapping[str, str], *,
                   seconds: float) -> tuple[int, Mapping[str, str]]:
        """POST ``body`` within ``seconds``; the status and response headers, or :class:`TransportError`."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    delivery_id: int
    attempts: int  # including this one
    ok: bool
    error: str | None = None
    final: bool = False  # retrying cannot help (no secret, hook no longer configured)
    retry_after: float | None = None


async def deliver_webhooks(store: Store, settings: Settings | ResponderSettings, transport: Transport, *,
                           now: datetime, limit: int = 50, request_seconds: float = 10.0, concurrency: int = 8) -> int:
    """POST due deliveries concurrently and record each outcome; returns how many were delivered.

    Rows are leased (``next_attempt_at`` moved past the request timeout) before the POSTs, so an
    overlapping run does not send them twice and a crash makes them due again after the lease.
    """
    lease = now + timedelta(seconds=request_seconds + 30)
    due = await store.write(lambda db: _lease(db, now, lease, limit))
    if not due:
        return 0
    responder = _responder(settings)
    hooks = {h.url: h for h in responder.webhooks}
    gate = asyncio.Semaphore(concurrency)

    async def one(row: dict[str, Any]) -> Outcome:
        async with gate:
            try:
                return await _attempt(transport, row, hooks.get(row["url"]), request_seconds,
                                      responder.webhook_allow)
            except Exception as exc:  # e.g. a URL the resolver rejects: gather would drop every other outcome
                log.exception("webhook delivery %s failed", row["id"])
                return Outcome(row["id"], row["attempts"] + 1, False, f"{type(exc).__name__}: {exc}"[:300])

    outcomes = await asyncio.gather(*(one(row) for row in due))
    await store.write(lambda db: _record_all(db, outcomes, now))
    return sum(o.ok for o in outcomes)


def _lease(db: Database, now: datetime, lease: datetime, limit: int) -> list[dict[str, Any]]:
    due = rows(db, "SELECT id, url, payload, attempts FROM webhook_deliveries "
                   "WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
               (to_iso(now), limit))
    db.conn.executemany("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?",
                        [(to_iso(lease), r["id"]) for r in due])
    return due


async def _attempt(transport: Transport, row: dict[str, Any], hook: WebhookSettings | None,
                   request_seconds: float, allow: Sequence[str]) -> Outcome:
    attempts = row["attempts"] + 1
    if hook is None:
        return Outcome(row["id"], attempts, False, "this webhook URL is no longer configured", final=True)
    problem = await target_problem(row["url"], allow)
    if problem is not None:
        log.warning("webhook delivery %s refused: %s", row["id"], problem)
        return Outcome(row["id"], attempts, False, problem, final=True)
    secret = os.environ.get(hook.secret_env, "")
    if not secret:
        if hook.secret_env not in _warned_secrets:
            _warned_secrets.add(hook.secret_env)
            log.warning("webhook %s: $%s is not set; refusing to send unsigned alerts", hook.url, hook.secret_env)
        return Outcome(row["id"], attempts, False, f"${hook.secret_env} is not set: refusing to send unsigned",
                       final=True)
    body = row["payload"].encode()
    sent_at = datetime.now(UTC)  # the wall clock at sending, which the receiver's replay check compares with
    headers = {"Content-Type": "application/json", **signed_headers(secret, row["id"], body, sent_at=sent_at),
               "X-Careline-Event": str(json.loads(body).get("event", "sla")),
               "X-Careline-Delivery": str(row["id"]), "User-Agent": "careline-webhooks/1"}
    try:
        status, answer = await transport.post(row["url"], body, headers, seconds=request_seconds)
    except TransportError as exc:
        return Outcome(row["id"], attempts, False, str(exc)[:300])
    if 200 <= status < 300:
        return Outcome(row["id"], attempts, True)
    return Outcome(row["id"], attempts, False, f"HTTP {status}", retry_after=_seconds(answer.get("Retry-After")))


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None


def _record_all(db: Database, outcomes: Sequence[Outcome], now: datetime) -> None:
    for outcome in outcomes:
        _record(db, outcome, now)


def _record(db: Database, o: Outcome, now: datetime) -> None:
    if o.ok:
        db.conn.execute("UPDATE webhook_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, "
                        "last_error = NULL WHERE id = ?", (o.attempts, to_iso(now), o.delivery_id))
        return
    give_up = o.final or o.attempts >= MAX_ATTEMPTS
    wait = max(backoff(o.attempts), timedelta(seconds=o.retry_after or 0))
    db.conn.execute("UPDATE webhook_deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ? "
                    "WHERE id = ?", ("failed" if give_up else "pending", o.attempts, o.error,
                                     to_iso(now + min(wait, BACKOFF_CAP)), o.delivery_id))
    if give_up:
        log.warning("webhook delivery %s failed for good after %d attempts: %s", o.delivery_id, o.attempts, o.error)
