"""Team rules under real concurrency: one owner, one reply per customer message, one way to post.

The first test runs the app in one process and two agents in two more, each firing ten sends with
distinct idempotency keys at the same conversation: exactly one reply reaches the platform simulator,
and every other request is refused with a 409 that names who holds the conversation.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from careline.domain import Role, utcnow
from careline.errors import Conflict
from careline.settings import Settings, XSourceSettings
from careline.store import Store
from careline.store.conversations import load_conversation
from platforms.simulator.server import Simulator
from platforms.simulator.world import World
from platforms.x.reply import XReplySender
from responder import workflow
from responder.transitions import Action
from responder.workflow import Actor, AlreadyAnswered, Desk, HeldBy
from tests.conftest import REPO

ADA, BOB, LEE = Actor("ada", Role.AGENT), Actor("bob", Role.AGENT), Actor("lee", Role.LEAD)


def _child(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", *args], cwd=REPO, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.slow
def test_twenty_parallel_sends_from_two_agents_post_exactly_one_reply(tmp_path: Path) -> None:
    server = _child("tests.helpers.team_server", str(tmp_path / "team.db"))
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line, server.stderr.read() if server.stderr else "no output"
        info = json.loads(line)
        conv = str(info["conversation"])
        bursts = [_child("tests.helpers.send_burst", info["url"], info["tokens"][name], conv, "10", name)
                  for name in ("ada", "bob")]
        results: list[dict[str, Any]] = []
        for name, proc in zip(("ada", "bob"), bursts, strict=True):
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            results += [{**r, "who": name} for r in json.loads(out)]
    finally:
        server.send_signal(signal.SIGTERM)
        tail, _ = server.communicate(timeout=60)
    posted = json.loads(tail.strip().splitlines()[-1])
    created = [r for r in results if r["status"] == 201]
    refused = [r for r in results if r["status"] == 409]
    assert len(results) == 20
    assert len(created) == 1 and created[0]["message"] == "sent"
    assert len(refused) == 19
    assert posted["posted"] == 1  # the platform saw one reply
    winner = created[0]["who"]
    # the other agent is told who holds it; the winner's own extra sends that it is already answered
    held = f"{winner} is working on conversation {conv}; take it over to reply"
    assert all(r["message"] == held for r in refused if r["who"] != winner), refused
    answered = re.compile(rf"already has a reply \((approved|sending|sent), by {winner}\)")
    assert all(answered.search(r["message"]) or r["message"] == held for r in refused if r["who"] == winner), refused


# -- every path that posts moves the conversation the same way -----------------------------------------
@pytest.fixture
async def sender(simulator: Simulator) -> Any:
    s = XReplySender(XSourceSettings(api_base_url=simulator.base_url), handle="SkylarkAir", bearer_token="SkylarkAir")
    await s.start()
    yield s
    await s.close()


async def _conversation(store: Store, world: World, simulator: Simulator, settings: Settings) -> int:
    from platforms.x.read import XSearchSource
    from tests.conftest import BRAND
    from tests.helpers.scenarios import poll_and_route

    world.publish_all()
    await poll_and_route(XSearchSource(BRAND, XSourceSettings(api_base_url=simulator.base_url, bearer_token="t")),
                         store, settings)
    return int(store.read_sync(lambda db: db.conn.execute("SELECT min(id) FROM conversations").fetchone()[0]))


Path_ = Callable[[Desk, int], Awaitable[Any]]


async def _by_person(desk: Desk, conv: int) -> Any:
    return await workflow.send(desk, ADA, conv, "Sorry about the wait, we're on it.", "path-person", now=utcnow())


async def _by_approval(desk: Desk, conv: int) -> Any:
    desk.settings.responder.approval_agents.append("ada")
    held = await workflow.send(desk, ADA, conv, "Sorry about the wait, we're on it.", "path-approval", now=utcnow())
    assert held.reply is not None and held.reply.state.value == "awaiting_approval"
    return await workflow.approve(desk, LEE, held.reply.id, now=utcnow())


async def _by_scheduler(desk: Desk, conv: int) -> Any:
    desk.settings.responder.approval_agents.append("ada")
    held = await workflow.send(desk, ADA, conv, "Sorry about the wait, we're on it.", "path-sched", now=utcnow())
    assert held.reply is not None
    await desk.store.write(lambda db: db.conn.execute("UPDATE replies SET state = 'approved' WHERE id = ?",
                                                      (held.reply.id,)))  # approved, not yet posted
    assert await workflow.send_due(desk, now=utcnow()) == 1


async def _by_retry(desk: Desk, conv: int) -> Any:
    senders, desk.senders = desk.senders, {}
    failed = await workflow.send(desk, ADA, conv, "Sorry about the wait, we're on it.", "path-retry", now=utcnow())
    assert failed.reply is not None and failed.reply.state.value == "failed"  # no sender configured yet
    desk.senders = senders
    return await workflow.deliver(desk, ADA, failed.reply.id, now=utcnow(), retry=True)


async def _by_resubmit(desk: Desk, conv: int) -> Any:
    desk.settings.responder.approval_agents.append("ada")
    held = await workflow.send(desk, ADA, conv, "Calm down, it's not our fault.", "path-resub", now=utcnow())
    assert held.reply is not None
    await workflow.send_back(desk, LEE, held.reply.id, "Please apologise and offer a DM", now=utcnow())
    desk.settings.responder.approval_agents.remove("ada")
    again = await workflow.resubmit(desk, ADA, held.reply.id, "Sorry about the wait. Please DM us.", now=utcnow())
    assert again.reply is not None and again.reply.state.value == "awaiting_approval"  # the lead reads it again
    assert again.held[0] == "lee sent it back, so a lead reads the new text" and again.reply.reviewed_by is None
    return await workflow.approve(desk, LEE, held.reply.id, now=utcnow())


@pytest.mark.parametrize("post", [_by_person, _by_approval, _by_scheduler, _by_retry, _by_resubmit],
                         ids=["person", "approval", "scheduler", "retry", "resubmit"])
async def test_every_path_that_posts_moves_the_conversation_the_same_way(
        post: Path_, store: Store, world: World, simulator: Simulator, sender: XReplySender) -> None:
    import copy

    settings = copy.deepcopy(Settings())
    desk = Desk(store, settings, {"x": sender})
    conv = await _conversation(store, world, simulator, settings)
    before = len(world.posts)
    await post(desk, conv)
    c = store.read_sync(lambda db: load_conversation(db, conv))
    sent = store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*), max(created_by) FROM replies WHERE conversation_id = ? AND state = 'sent'", (conv,)
    ).fetchone())
    assert sent == (1, "ada")
    assert len(world.posts) == before + 1  # posted once
    assert c.status.value == "pending" and c.assignee == "ada"  # waiting on the customer, still ada's
    assert c.first_responded_at is not None and c.next_response_due is None


# -- ownership, take over, undo -----------------------------------------------------------------------------
async def test_owner_rules_take_over_and_undo(store: Store, world: World, simulator: Simulator,
                                              sender: XReplySender) -> None:
    desk = Desk(store, Settings(), {"x": sender})
    conv = await _conversation(store, world, simulator, desk.settings)
    now = utcnow()
    await workflow.claim(desk, ADA, conv, now=now)
    with pytest.raises(HeldBy, match="ada is working on conversation"):
        await workflow.claim(desk, BOB, conv, now=now)
    with pytest.raises(HeldBy):
        await workflow.send(desk, LEE, conv, "A lead must take over to reply.", "lead-send-1", now=now)
    with pytest.raises(HeldBy):
        await workflow.change_status(desk, BOB, conv, Action.RESOLVE, now=now)
    taken = await workflow.take_over(desk, BOB, conv, now=now)
    assert taken.conversation.assignee == "bob" and taken.message == "Taken over from ada."
    events = store.read_sync(lambda db: db.conn.execute(
        "SELECT actor, data FROM events WHERE kind = 'conversation.taken_over'").fetchall())
    assert [(a, json.loads(d)) for a, d in events] == [("bob", {"from": "ada", "to": "bob"})]

    done = await workflow.change_status(desk, BOB, conv, Action.DISMISS, now=now, reason="spam")
    assert done.undoable and done.conversation.status.value == "dismissed"
    with pytest.raises(Exception, match="nothing of yours to undo"):
        await workflow.undo(desk, ADA, conv, now=now)
    back = await workflow.undo(desk, BOB, conv, now=now + timedelta(minutes=1))
    assert back.conversation.status.value == "open" and back.conversation.assignee == "bob"
    await workflow.change_status(desk, BOB, conv, Action.RESOLVE, now=now + timedelta(minutes=1))  # after the undo
    with pytest.raises(Exception, match="too late to undo"):
        await workflow.undo(desk, BOB, conv, now=now + timedelta(minutes=12))


async def test_one_reply_per_customer_message_unless_deliberate(store: Store, world: World,
                                                                simulator: Simulator, sender: XReplySender) -> None:
    desk = Desk(store, Settings(), {"x": sender})
    conv = await _conversation(store, world, simulator, desk.settings)
    first = await workflow.send(desk, ADA, conv, "Sorry, we're looking into it.", "one-per-msg-1", now=utcnow())
    assert first.reply is not None and first.reply.state.value == "sent"
    await workflow.claim(desk, ADA, conv, now=utcnow())
    with pytest.raises(AlreadyAnswered, match="already has a reply"):
        await workflow.send(desk, ADA, conv, "And another thing.", "one-per-msg-2", now=utcnow())
    again = await workflow.send(desk, ADA, conv, "One more detail: check your DMs.", "one-per-msg-3", now=utcnow(),
                                another=True)
    assert again.reply is not None and again.reply.state.value == "sent"
    repeat = await workflow.send(desk, ADA, conv, "One more detail: check your DMs.", "one-per-msg-3", now=utcnow())
    assert repeat.reply is not None and repeat.reply.id == again.reply.id  # same key: the same reply
    with pytest.raises(Conflict, match="different text"):  # the same key for other words is a mistake
        await workflow.send(desk, ADA, conv, "ignored", "one-per-msg-3", now=utcnow())


async def test_snooze_hides_from_working_views_until_woken(store: Store, world: World, simulator: Simulator,
                                                           sender: XReplySender) -> None:
    from careline.views import queue_rows

    desk = Desk(store, Settings(), {"x": sender})
    conv = await _conversation(store, world, simulator, desk.settings)
    now = utcnow()
    await workflow.claim(desk, ADA, conv, now=now)
    await workflow.change_status(desk, ADA, conv, Action.SNOOZE, now=now, until=now + timedelta(hours=1))
    working = store.read_sync(lambda db: [r["id"] for r in queue_rows(db, limit=100)])
    snoozed = store.read_sync(lambda db: [r["id"] for r in queue_rows(db, limit=100, status="snoozed")])
    assert conv not in working and conv in snoozed
