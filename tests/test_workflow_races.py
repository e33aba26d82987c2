# ruff: noqa: F811  (the fixtures imported from test_responder_sending are parameters here)
"""Races between people and the scheduler on one conversation, found by a concurrency audit (2026-12-06).

Each actor has its own ``Store`` (its own SQLite writer connection, as separate processes would) and the
replies go to the real X simulator through tweepy. What must hold whatever the interleaving:
- nothing is posted to a conversation after it was resolved or dismissed;
- a lead approves only the text they read;
- a reply claimed late in a slow send run is not posted a second time by a person's retry;
- a customer message that arrives while a reply is being posted is not hidden behind "pending" or closed over;
- a customer message that arrives as someone snoozes, resolves or marks it waiting is not hidden or closed over unseen;
- waiting on the customer, a take-over and a resolve at once each happen whole or are refused in words.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from careline.domain import Role, utcnow
from careline.errors import Conflict, Forbidden
from careline.settings import Settings, XSourceSettings
from careline.store import Store
from platforms.simulator.server import Simulator
from platforms.simulator.world import World
from platforms.x.reply import XReplySender
from responder import queue, sending, workflow
from responder.transitions import Action
from responder.workflow import Actor, Desk
from tests.test_responder_sending import add_reply, add_thread, brand_posts, world, x_sender  # noqa: F401

AGENT, LEE, BOB = Actor("agent1", Role.AGENT), Actor("lee", Role.LEAD), Actor("bob", Role.LEAD)


@pytest.fixture
async def stores(tmp_path: Path) -> AsyncIterator[list[Store]]:
    """Three connections to one database file: the owner's, a lead's and the scheduler's."""
    opened = [Store(tmp_path / "careline.db").open_sync() for _ in range(3)]
    yield opened
    for s in opened:
        s.close_sync()


def _held_settings() -> Settings:
    settings = Settings()
    settings.responder.approval_agents.append("agent1")
    return settings


def _state(store: Store, sql: str, *args: Any) -> Any:
    return store.read_sync(lambda db: db.conn.execute(sql, args).fetchone())


@pytest.mark.parametrize("action", [Action.RESOLVE, Action.DISMISS])
@pytest.mark.parametrize("round_", range(6))
async def test_nothing_is_posted_to_a_conversation_after_it_closes(
        stores: list[Store], world: World, x_sender: XReplySender, action: Action, round_: int) -> None:
    """The owner closes while a lead approves the held reply and the scheduler's send job runs."""
    owner, _, job = stores
    conv = add_thread(owner, world, "x", ["x1", "x2"])
    owner.write_sync(lambda db: db.conn.execute("UPDATE conversations SET assignee = 'agent1' WHERE id = ?", (conv,)))
    reply = add_reply(owner, conv, state="awaiting_approval")
    settings = _held_settings()
    desks = [Desk(s, settings, {"x": x_sender}) for s in stores]
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    results = await asyncio.gather(
        later(workflow.change_status(desks[0], AGENT, conv, action, now=utcnow())),
        later(workflow.approve(desks[1], LEE, reply, now=utcnow())),
        later(workflow.send_due(desks[2], now=utcnow())), return_exceptions=True)
    assert all(not isinstance(r, BaseException) or isinstance(r, Conflict) for r in results), results
    status, = _state(job, "SELECT status FROM conversations WHERE id = ?", conv)
    state, = _state(job, "SELECT state FROM replies WHERE id = ?", reply)
    posts = len(brand_posts(world))
    assert posts == (state == "sent")  # posted once, and only a reply that says so
    assert state in ("sent", "superseded", "approved", "awaiting_approval", "failed"), state
    if status in ("resolved", "dismissed"):
        assert state in ("sent", "superseded")  # nothing left to go out on a closed conversation
        if state == "sent":  # then it went out before the close
            sent_at, closed_at = _state(job, "SELECT (SELECT max(id) FROM events WHERE kind = 'reply.sent'), "
                                             "(SELECT max(id) FROM events WHERE kind = 'conversation.status' "
                                             "AND json_extract(data, '$.to') = ?)", status)
            assert sent_at < closed_at
    # a later send job finds nothing to post on a closed conversation
    await workflow.send_due(desks[2], now=utcnow() + timedelta(minutes=5))
    assert len(brand_posts(world)) == posts


async def test_a_lead_approves_only_the_text_they_read(stores: list[Store], world: World,
                                                       x_sender: XReplySender) -> None:
    """Lee opens the approvals list; Bob sends the reply back and its author resubmits it; Lee's approval of
    the text on their screen must not post the new one."""
    store = stores[0]
    desk = Desk(store, _held_settings(), {"x": x_sender})
    conv = add_thread(store, world, "x", ["x1", "x2"])
    store.write_sync(lambda db: db.conn.execute("UPDATE conversations SET assignee = 'agent1' WHERE id = ?", (conv,)))
    reply = add_reply(store, conv, "Sorry Ana, we are on it.", state="awaiting_approval")
    seen, = _state(store, "SELECT updated_at FROM replies WHERE id = ?", reply)  # what Lee's page shows
    await workflow.send_back(desk, BOB, reply, "Offer a DM", now=utcnow())
    await workflow.resubmit(desk, AGENT, reply, "Ana, DM us your booking code and we will trace it today.",
                            now=utcnow() + timedelta(seconds=1))
    with pytest.raises(Conflict, match="edited after you opened it"):
        await workflow.approve(desk, LEE, reply, now=utcnow(), seen=seen)
    assert brand_posts(world) == []
    fresh, = _state(store, "SELECT updated_at FROM replies WHERE id = ?", reply)
    out = await workflow.approve(desk, LEE, reply, now=utcnow(), seen=fresh)
    assert out.reply is not None and out.reply.state.value == "sent"
    assert [p.text for p in brand_posts(world)] == ["Ana, DM us your booking code and we will trace it today."]


class SlowSender(XReplySender):
    """The real X sender, each post taking a while (a slow platform): the run outlasts a short lease."""

    async def post(self, text: str, in_reply_to: str) -> str:
        await asyncio.sleep(0.3)
        return await super().post(text, in_reply_to)


@pytest.fixture
async def slow_sender(simulator: Simulator) -> AsyncIterator[SlowSender]:
    sender = SlowSender(XSourceSettings(api_base_url=simulator.base_url), handle="SkylarkAir",
                        bearer_token="SkylarkAir", timeout=5.0)
    await sender.start()
    yield sender
    await sender.close()


async def test_a_reply_claimed_late_in_a_slow_send_run_is_not_posted_twice_by_a_retry(
        stores: list[Store], world: World, slow_sender: SlowSender, monkeypatch: pytest.MonkeyPatch) -> None:
    """The send job used to stamp every claim with the time the job started: the fourth reply of a slow run
    began with a lease that had already run out, and a person's retry of it posted it a second time."""
    monkeypatch.setattr(sending, "SEND_LEASE", timedelta(seconds=0.8))
    job, person = stores[0], stores[1]
    conv = add_thread(job, world, "x", ["x1", "x2"])
    replies = [add_reply(job, conv, f"Update {i}: we are on it.") for i in range(4)]
    desks = [Desk(s, Settings(), {"x": slow_sender}) for s in (job, person)]

    async def retry_the_last_as_it_goes_out() -> Any:
        # the job's progress shows only in the database (its own connection), so poll it
        while _state(person, "SELECT state FROM replies WHERE id = ?", replies[-1])[0] != "sending":  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        return await workflow.deliver(desks[1], AGENT, replies[-1], now=utcnow(), retry=True)

    sent, retried = await asyncio.gather(workflow.send_due(desks[0], now=utcnow()), retry_the_last_as_it_goes_out(),
                                         return_exceptions=True)
    assert isinstance(retried, Conflict) and "is being posted (since" in str(retried), retried
    assert sent == 4
    texts = [p.text for p in brand_posts(world)]
    assert sorted(texts) == sorted(f"Update {i}: we are on it." for i in range(4))  # each once


class WritesBackSender(XReplySender):
    """The real X sender; the customer writes again while the reply is on its way (stored by the listener)."""

    store: Store

    async def post(self, text: str, in_reply_to: str) -> str:
        posted = await super().post(text, in_reply_to)
        thread, = _state(self.store, "SELECT thread_key FROM conversations")
        later = (utcnow() + timedelta(minutes=5)).isoformat()  # after the thread's posts (the world runs ahead)

        def customer_writes(db: Any) -> None:
            db.conn.execute(
                "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
                "fetched_at, conversation_id, thread_key, raw) SELECT 'x:999', 'x', '999', brand, source, author_key, "
                "'and now my card was charged twice', '', ?, ?, conversation_id, thread_key, '{}' FROM mentions "
                "WHERE thread_key = ? LIMIT 1", (later, later, thread))
        await self.store.write(customer_writes)
        return posted


@pytest.fixture
async def writes_back(simulator: Simulator, stores: list[Store]) -> AsyncIterator[WritesBackSender]:
    sender = WritesBackSender(XSourceSettings(api_base_url=simulator.base_url), handle="SkylarkAir",
                              bearer_token="SkylarkAir", timeout=5.0)
    sender.store = stores[2]
    await sender.start()
    yield sender
    await sender.close()


async def test_a_customer_message_during_the_post_is_not_closed_over_or_hidden(
        stores: list[Store], world: World, writes_back: WritesBackSender) -> None:
    store = stores[0]
    desk = Desk(store, Settings(), {"x": writes_back})
    conv = add_thread(store, world, "x", ["x1", "x2"])
    out = await workflow.send(desk, AGENT, conv, "Sorry Ana, found your bag: it arrives tonight.", "key-close-1",
                              now=utcnow(), resolve=True)
    assert out.reply is not None and out.reply.state.value == "sent"
    assert "Not resolved: the customer wrote again" in out.message
    status, due = _state(store, "SELECT status, next_response_due FROM conversations WHERE id = ?", conv)
    assert status == "open"  # not resolved, and not "pending" behind the unanswered message
    assert due is not None  # the newer message's clock runs on


async def test_a_reused_key_with_another_text_is_refused_not_silently_dropped(
        stores: list[Store], world: World, x_sender: XReplySender) -> None:
    """The same key with corrected text used to answer "Already saved" and post nothing: the agent believed
    the correction had gone out."""
    store = stores[0]
    desk = Desk(store, Settings(), {"x": x_sender})
    conv = add_thread(store, world, "x", ["x1", "x2"])
    first = await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", "key-reuse-1", now=utcnow())
    again = await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it. ", "key-reuse-1", now=utcnow())
    assert again.reply is not None and first.reply is not None and again.reply.id == first.reply.id
    with pytest.raises(Conflict, match="different text"):
        await workflow.send(desk, AGENT, conv, "Sorry Ana, your bag arrives tonight.", "key-reuse-1", now=utcnow())
    assert len(brand_posts(world)) == 1


def test_a_repeated_send_reads_the_tone_in_the_customers_language(stores: list[Store], world: World) -> None:
    """The first answer read a German reply's tone in German, the repeat (same key) in English: defensive, then
    not."""
    from responder.replies import Saved, save_reply

    store = stores[0]
    conv = add_thread(store, world, "x", ["x1", "x2"])
    store.write_sync(lambda db: db.conn.execute("UPDATE mentions SET language = 'de'"))

    def save(db: object) -> Saved:
        return save_reply(db, conv, "Wie wir Ihnen bereits mitgeteilt haben, ist das nicht unsere Schuld.",  # type: ignore[arg-type]
                          actor="agent1", now=utcnow(), settings=Settings(), idempotency_key="k-de-tone-1")

    first, again = store.write_sync(save), store.write_sync(save)
    assert first.reply.id == again.reply.id and first.tone.defensive and again.tone.defensive


@pytest.mark.parametrize("round_", range(6))
async def test_a_withdrawal_and_an_approval_at_once_do_one_thing(stores: list[Store], world: World,
                                                                 x_sender: XReplySender, round_: int) -> None:
    """The author withdraws a held reply to edit it at the moment a lead approves it, each on their own
    connection: either it is posted (and the withdrawal refused) or it is a draft again (and the approval
    refused), never a posted text that its author is editing."""
    owner, lead = (Desk(s, _held_settings(), {"x": x_sender}) for s in stores[:2])
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    stores[0].write_sync(lambda db: db.conn.execute("UPDATE conversations SET assignee = 'agent1' WHERE id = ?",
                                                    (conv,)))
    reply = add_reply(stores[0], conv, "Sorry Ana, we are on it.", state="awaiting_approval")
    random.seed(round_)

    async def attempt(done: str, act: Any) -> str:
        """``done`` when ``act()`` goes through, "refused" when the other got there first."""
        await asyncio.sleep(random.random() / 50)
        try:
            await act()
        except Conflict:
            return "refused"
        return done

    said = sorted(await asyncio.gather(
        attempt("withdrawn", lambda: workflow.withdraw(owner, AGENT, reply, now=utcnow())),
        attempt("approved", lambda: workflow.approve(lead, LEE, reply, now=utcnow()))))
    state, = _state(stores[2], "SELECT state FROM replies WHERE id = ?", reply)
    posted = [p.text for p in brand_posts(world)]
    assert said in (["approved", "refused"], ["refused", "withdrawn"]), said
    if said == ["approved", "refused"]:
        assert state == "sent" and posted == ["Sorry Ana, we are on it."]
    else:
        assert state == "draft" and posted == []


async def test_a_sent_back_reply_withdrawn_and_resubmitted_still_goes_to_a_lead(
        stores: list[Store], world: World, x_sender: XReplySender) -> None:
    """Resubmitted once, withdrawn, resubmitted again: the lead who asked for the change still reads it first
    (the author's own rules would not hold it)."""
    desk = Desk(stores[0], Settings(), {"x": x_sender})
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    stores[0].write_sync(lambda db: db.conn.execute("UPDATE conversations SET assignee = 'agent1' WHERE id = ?",
                                                    (conv,)))
    reply = add_reply(stores[0], conv, "Sorry Ana, we are on it.", state="awaiting_approval")
    await workflow.send_back(desk, LEE, reply, "Offer a DM", now=utcnow())
    first = await workflow.resubmit(desk, AGENT, reply, "Ana, please DM us.", now=utcnow())
    assert first.reply is not None and first.reply.state.value == "awaiting_approval"
    await workflow.withdraw(desk, AGENT, reply, now=utcnow())
    with pytest.raises(Conflict, match="only a reply waiting for approval"):
        await workflow.withdraw(desk, AGENT, reply, now=utcnow())  # a draft already
    with pytest.raises(Forbidden):
        await workflow.withdraw(desk, BOB, reply, now=utcnow())  # not the author's
    # a lead who approves it now is told where it went ("is draft, not awaiting approval" left them to guess)
    with pytest.raises(Conflict, match=f"reply {reply} was withdrawn by its author to edit it: nothing to approve"):
        await workflow.approve(desk, LEE, reply, now=utcnow())
    again = await workflow.resubmit(desk, AGENT, reply, "Ana, please DM us your booking code.", now=utcnow())
    assert again.reply is not None and again.reply.state.value == "awaiting_approval"
    assert again.held == ("lee sent it back, so a lead reads the new text",)
    assert brand_posts(world) == []


# -- the reply lifecycle against take-overs, closes and retries (a second concurrency audit, 2026-12-07) ---------
AGENT2 = Actor("agent2", Role.AGENT)


async def _held_draft(desk: Desk, conv: int, how: str) -> int:
    """agent1's reply, held for a lead, then a draft again: withdrawn by its author or sent back by a lead."""
    out = await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", f"k-{conv}-{how}", now=utcnow())
    assert out.reply is not None and out.reply.state.value == "awaiting_approval"
    if how == "withdrawn":
        await workflow.withdraw(desk, AGENT, out.reply.id, now=utcnow())
    else:
        await workflow.send_back(desk, LEE, out.reply.id, "Offer a DM", now=utcnow())
    return out.reply.id


@pytest.mark.parametrize("how", ["withdrawn", "sent back"])
async def test_a_draft_resubmitted_after_the_close_never_posts(stores: list[Store], world: World,
                                                               x_sender: XReplySender, how: str) -> None:
    """The resubmit was refused with "resolved; reopen it" but had saved the reply as approved (or, sent back,
    answered 200 "waiting for approval"); after a reopen the send job posted the old text with nobody sending it."""
    desk = Desk(stores[0], _held_settings(), {"x": x_sender})
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    reply = await _held_draft(desk, conv, how)
    await workflow.change_status(desk, AGENT, conv, Action.RESOLVE, now=utcnow())
    with pytest.raises(Conflict, match="is resolved; reopen it to reply"):
        await workflow.resubmit(desk, AGENT, reply, "Ana, please DM us your booking code.", now=utcnow())
    assert _state(stores[1], "SELECT state FROM replies WHERE id = ?", reply) == ("draft",)
    await workflow.change_status(desk, AGENT, conv, Action.REOPEN, now=utcnow())
    await workflow.send_due(Desk(stores[2], Settings(), {"x": x_sender}), now=utcnow() + timedelta(minutes=5))
    assert brand_posts(world) == []


@pytest.mark.parametrize("round_", range(6))
async def test_a_resubmit_racing_a_resolve_leaves_nothing_to_post(stores: list[Store], world: World,
                                                                  x_sender: XReplySender, round_: int) -> None:
    """The author resubmits (no rule holds the new text) at the moment a lead resolves, each on their own
    connection: either the reply went out before the close, or nothing of it is left to go out after a reopen."""
    settings = Settings()
    owner, lead, job = (Desk(s, settings, {"x": x_sender}) for s in stores)
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    reply = await _held_draft(Desk(stores[0], _held_settings(), {"x": x_sender}), conv, "withdrawn")
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    results = await asyncio.gather(
        later(workflow.resubmit(owner, AGENT, reply, "Ana, we have found your bag.", now=utcnow())),
        later(workflow.change_status(lead, LEE, conv, Action.RESOLVE, now=utcnow())), return_exceptions=True)
    assert all(not isinstance(r, BaseException) or isinstance(r, Conflict) for r in results), results
    posted = len(brand_posts(world))
    state, = _state(stores[2], "SELECT state FROM replies WHERE id = ?", reply)
    assert posted == (state == "sent") and state in ("sent", "draft", "superseded"), state
    status, = _state(stores[2], "SELECT status FROM conversations WHERE id = ?", conv)
    if status == "resolved":
        await workflow.change_status(lead, LEE, conv, Action.REOPEN, now=utcnow())
    await workflow.send_due(job, now=utcnow() + timedelta(minutes=5))
    assert len(brand_posts(world)) == posted


@pytest.mark.parametrize("how", ["withdrawn", "sent back"])
async def test_a_draft_does_not_answer_beside_a_colleagues_reply_after_a_take_over(
        stores: list[Store], world: World, x_sender: XReplySender, how: str) -> None:
    """agent2 took the conversation over and answered while agent1's draft was being edited; agent1's resubmit
    was posted ("Sent.") beside it, or went to a lead who approved a second answer."""
    desk = Desk(stores[0], _held_settings(), {"x": x_sender})
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    reply = await _held_draft(desk, conv, how)
    await workflow.take_over(desk, AGENT2, conv, now=utcnow())
    answer = await workflow.send(desk, AGENT2, conv, "Ana, your bag is on its way.", f"k2-{conv}", now=utcnow())
    assert answer.reply is not None and answer.reply.state.value == "sent"
    with pytest.raises(workflow.HeldBy):
        await workflow.resubmit(desk, AGENT, reply, "Ana, please DM us.", now=utcnow())
    await workflow.take_over(desk, AGENT, conv, now=utcnow())
    with pytest.raises(workflow.AlreadyAnswered, match=f"reply {answer.reply.id} by agent2 already answers"):
        await workflow.resubmit(desk, AGENT, reply, "Ana, please DM us.", now=utcnow())
    assert [p.text for p in brand_posts(world)] == ["Ana, your bag is on its way."]
    assert _state(stores[1], "SELECT state FROM replies WHERE id = ?", reply) == ("draft",)


async def _failed_reply(stores: list[Store], world: World) -> tuple[int, int]:
    """agent1's reply that failed to post (no sender for X at the time): (conversation, reply)."""
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    out = await workflow.send(Desk(stores[0], Settings(), {}), AGENT, conv, "Sorry Ana, we are on it.", f"kf-{conv}",
                              now=utcnow())
    assert out.reply is not None and out.reply.state.value == "failed"
    return conv, out.reply.id


async def test_a_failed_reply_is_retired_when_a_colleague_answers_and_only_its_holder_retries(
        stores: list[Store], world: World, x_sender: XReplySender) -> None:
    """agent2 took over and answered; agent1's Retry then posted a second answer to the same message (a failed
    reply does not count as an answer, so agent2 was not stopped). And anyone could retry anyone's reply."""
    desk = Desk(stores[0], Settings(), {"x": x_sender})
    conv, failed = await _failed_reply(stores, world)
    with pytest.raises(workflow.HeldBy):
        await workflow.deliver(desk, AGENT2, failed, now=utcnow(), retry=True)  # agent1 holds it
    await workflow.take_over(desk, AGENT2, conv, now=utcnow())
    answer = await workflow.send(desk, AGENT2, conv, "Ana, your bag is on its way.", f"k2-{conv}", now=utcnow())
    assert answer.reply is not None and answer.reply.state.value == "sent"
    row = _state(stores[1], "SELECT state, superseded_by FROM replies WHERE id = ?", failed)
    assert row == ("superseded", f"reply:{answer.reply.id}")
    with pytest.raises(Conflict, match=f"no longer to be sent: reply {answer.reply.id} answered that message"):
        await workflow.deliver(desk, LEE, failed, now=utcnow(), retry=True)
    assert [p.text for p in brand_posts(world)] == ["Ana, your bag is on its way."]


@pytest.mark.parametrize("round_", range(6))
async def test_a_lead_retrying_a_failed_reply_while_the_holder_answers_posts_once(
        stores: list[Store], world: World, x_sender: XReplySender, round_: int) -> None:
    """A lead retries agent1's failed reply at the moment agent2, who took the conversation over, sends a new
    one, each on their own connection: the customer gets one answer."""
    conv, failed = await _failed_reply(stores, world)
    holder, lead = (Desk(s, Settings(), {"x": x_sender}) for s in stores[:2])
    await workflow.take_over(holder, AGENT2, conv, now=utcnow())
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    results = await asyncio.gather(
        later(workflow.deliver(lead, LEE, failed, now=utcnow(), retry=True)),
        later(workflow.send(holder, AGENT2, conv, "Ana, your bag is on its way.", f"k2-{conv}", now=utcnow())),
        return_exceptions=True)
    assert all(not isinstance(r, BaseException) or isinstance(r, Conflict) for r in results), results
    assert len(brand_posts(world)) == 1, [p.text for p in brand_posts(world)]


@pytest.mark.parametrize("round_", range(8))
async def test_an_approval_racing_a_resolve_never_says_being_sent_of_a_withdrawn_reply(
        stores: list[Store], world: World, x_sender: XReplySender, round_: int) -> None:
    """When the resolve landed between the approval and the send's claim, the lead read "Approved; being sent."
    of a reply the close had withdrawn, which never posted."""
    owner, lead = (Desk(s, _held_settings(), {"x": x_sender}) for s in stores[:2])
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    out = await workflow.send(owner, AGENT, conv, "Sorry Ana, we are on it.", f"ka-{conv}", now=utcnow())
    assert out.reply is not None
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.01))
        return await act

    approved, _ = await asyncio.gather(later(workflow.approve(lead, LEE, out.reply.id, now=utcnow())),
                                       later(workflow.change_status(owner, AGENT, conv, Action.RESOLVE, now=utcnow())),
                                       return_exceptions=True)
    state, = _state(stores[2], "SELECT state FROM replies WHERE id = ?", out.reply.id)
    if isinstance(approved, BaseException):
        assert isinstance(approved, Conflict) and state != "sent", (approved, state)
    else:
        assert state in ("approved", "sending", "sent"), (approved.message, state)
    assert len(brand_posts(world)) == (state == "sent")


async def test_a_repeated_send_of_a_withdrawn_reply_is_refused_not_already_saved(
        stores: list[Store], world: World, x_sender: XReplySender) -> None:
    """The same request again, after the close withdrew its reply, answered 201 "Already saved" for a reply that
    will never post; a script took it as success."""
    desk = Desk(stores[0], _held_settings(), {"x": x_sender})
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    first = await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", "k-repeat-closed", now=utcnow())
    await workflow.change_status(desk, AGENT, conv, Action.RESOLVE, now=utcnow())
    await workflow.change_status(desk, AGENT, conv, Action.REOPEN, now=utcnow())
    assert first.reply is not None
    with pytest.raises(Conflict, match=f"reply {first.reply.id} is no longer to be sent: the conversation was "
                                       "resolved first"):
        await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", "k-repeat-closed", now=utcnow())


async def test_an_approved_reply_leaves_the_conversation_with_whoever_took_it_over(
        stores: list[Store], world: World, x_sender: XReplySender) -> None:
    """agent2 took over and snoozed the conversation while agent1's reply waited for a lead; the approval's post
    gave it back to agent1, silently, and left agent2's snooze time behind."""
    desk = Desk(stores[0], _held_settings(), {"x": x_sender})
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    out = await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", f"ks-{conv}", now=utcnow())
    assert out.reply is not None
    await workflow.take_over(desk, AGENT2, conv, now=utcnow())
    await workflow.change_status(desk, AGENT2, conv, Action.SNOOZE, now=utcnow(), until=utcnow() + timedelta(hours=2))
    sent = await workflow.approve(desk, LEE, out.reply.id, now=utcnow())
    assert sent.reply is not None and sent.reply.state.value == "sent"
    row = _state(stores[1], "SELECT status, assignee, snoozed_until FROM conversations WHERE id = ?", conv)
    assert row == ("pending", "agent2", None)


@pytest.mark.parametrize("action", [Action.RESOLVE, Action.DISMISS])
async def test_undoing_a_close_puts_back_the_replies_it_withdrew(stores: list[Store], world: World,
                                                                 x_sender: XReplySender, action: Action) -> None:
    """Undo reopened the conversation but left the held reply withdrawn: the agent's work, which they believed
    undone with the close, was gone (an audit found it after a bulk resolve and its undo)."""
    desk = Desk(stores[0], _held_settings(), {"x": x_sender})
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    held = await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", f"ku-{conv}", now=utcnow())
    assert held.reply is not None
    closed = await workflow.change_status(desk, AGENT, conv, action, now=utcnow())
    assert "1 reply not yet posted withdrawn" in closed.message
    out = await workflow.undo(desk, AGENT, conv, now=utcnow())
    assert out.message == "Undone: back to open. 1 withdrawn reply back as before."
    assert _state(stores[1], "SELECT state, superseded_by FROM replies WHERE id = ?", held.reply.id) == (
        "awaiting_approval", None)
    sent = await workflow.approve(desk, LEE, held.reply.id, now=utcnow())
    assert sent.reply is not None and sent.reply.state.value == "sent"
    assert [p.text for p in brand_posts(world)] == ["Sorry Ana, we are on it."]


async def test_a_double_click_on_undo_undoes_once(stores: list[Store], world: World, x_sender: XReplySender) -> None:
    """Two undos at once (a double-click): the second undid the undo, closing the conversation again without
    withdrawing the reply the first had put back, which then waited, approvable, on a resolved conversation."""
    desks = [Desk(s, _held_settings(), {"x": x_sender}) for s in stores[:2]]
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    held = await workflow.send(desks[0], AGENT, conv, "Sorry Ana, we are on it.", f"kd-{conv}", now=utcnow())
    assert held.reply is not None
    await workflow.change_status(desks[0], AGENT, conv, Action.RESOLVE, now=utcnow())
    results = await asyncio.gather(*(workflow.undo(d, AGENT, conv, now=utcnow()) for d in desks),
                                   return_exceptions=True)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict) and "already undone" in str(refused[0]), results
    assert _state(stores[2], "SELECT status FROM conversations WHERE id = ?", conv) == ("open",)
    assert _state(stores[2], "SELECT state FROM replies WHERE id = ?", held.reply.id) == ("awaiting_approval",)


def _customer_writes_again(db: Any, conv: int) -> None:
    """The listener stores and routes a new customer message into ``conv`` (one transaction, as intake does)."""
    later = (utcnow() + timedelta(minutes=5)).isoformat()
    db.conn.execute(
        "INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url, created_at, "
        "fetched_at, conversation_id, thread_key, raw) SELECT 'x:999', 'x', '999', brand, source, author_key, "
        "'still nothing, and now I am stranded', '', ?, ?, conversation_id, thread_key, '{}' FROM mentions "
        "WHERE conversation_id = (SELECT conversation_id FROM mentions m JOIN conversations c "
        "ON c.thread_key = m.thread_key WHERE c.id = ? LIMIT 1) LIMIT 1", (later, later, conv))
    queue.act(db, conv, Action.CUSTOMER_MESSAGE, actor="system", now=utcnow())


@pytest.mark.parametrize("action", [Action.SNOOZE, Action.RESOLVE, Action.WAIT])
@pytest.mark.parametrize("round_", range(6))
async def test_a_customer_message_arriving_as_the_agent_looks_away_is_not_hidden(
        stores: list[Store], world: World, action: Action, round_: int) -> None:
    """The agent snoozes (resolves, marks waiting on the customer) the conversation as they see it, while the
    listener routes a new message into it. Whichever comes first, the new message is never left snoozed, closed
    or waiting with its clock stopped: the action is refused (the agent's page carries the newest message it
    showed), or the message wakes the conversation."""
    owner, _, listener = stores
    conv = add_thread(owner, world, "x", ["x1"])
    owner.write_sync(lambda db: db.conn.execute(  # answered once already: it may wait on the customer
        "UPDATE conversations SET assignee = 'agent1', status = 'open', first_responded_at = created_at "
        "WHERE id = ?", (conv,)))
    seen, = _state(owner, "SELECT max(key) FROM mentions")
    desk = Desk(owner, Settings(), {})
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    until = utcnow() + timedelta(hours=4)
    results = await asyncio.gather(
        later(workflow.change_status(desk, AGENT, conv, action, now=utcnow(), seen=seen,
                                     until=until if action is Action.SNOOZE else None)),
        later(listener.write(lambda db: _customer_writes_again(db, conv))), return_exceptions=True)
    refused = isinstance(results[0], Conflict)
    assert refused or not isinstance(results[0], BaseException), results
    assert not isinstance(results[1], BaseException), results
    if refused:
        assert "the customer wrote again since this conversation was loaded" in str(results[0])
    status, snoozed = _state(listener, "SELECT status, snoozed_until FROM conversations WHERE id = ?", conv)
    assert status not in ("snoozed", "resolved", "pending") and snoozed is None, (status, refused)


@pytest.mark.parametrize("round_", range(6))
async def test_an_agent_waiting_on_the_customer_while_a_lead_takes_over_and_resolves(
        stores: list[Store], world: World, round_: int) -> None:
    """The owner marks the conversation as waiting on the customer while a lead takes it over and resolves it,
    and the scheduler's send job runs: each step is taken whole or refused in words, and the conversation ends
    where its audit trail says it went."""
    owner, lead, job = stores
    conv = add_thread(owner, world, "x", ["x1"])
    owner.write_sync(lambda db: db.conn.execute(  # answered once already: it may wait on the customer
        "UPDATE conversations SET assignee = 'agent1', status = 'open', first_responded_at = created_at "
        "WHERE id = ?", (conv,)))
    seen, = _state(owner, "SELECT max(key) FROM mentions")
    settings = Settings()
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    async def take_over_and_resolve() -> Any:
        await workflow.take_over(Desk(lead, settings, {}), LEE, conv, now=utcnow())
        return await workflow.change_status(Desk(lead, settings, {}), LEE, conv, Action.RESOLVE, now=utcnow())

    results = await asyncio.gather(
        later(workflow.change_status(Desk(owner, settings, {}), AGENT, conv, Action.WAIT, now=utcnow(), seen=seen)),
        later(take_over_and_resolve()), later(workflow.send_due(Desk(job, settings, {}), now=utcnow())),
        return_exceptions=True)
    assert not isinstance(results[1], BaseException) and not isinstance(results[2], BaseException), results
    waited = not isinstance(results[0], BaseException)
    assert waited or isinstance(results[0], Conflict | Forbidden), results  # after the take-over: theirs now
    status, assignee = _state(job, "SELECT status, assignee FROM conversations WHERE id = ?", conv)
    assert (status, assignee) == ("resolved", "lee"), (status, assignee, results)
    trail = [r[0] for r in job.read_sync(lambda db: db.conn.execute(
        "SELECT json_extract(data, '$.action') FROM events WHERE subject = ? AND kind = 'conversation.status' "
        "ORDER BY id", (f"conversation:{conv}",)).fetchall())]
    assert trail[-1] == "resolve" and ("wait" in trail) == waited, trail


@pytest.mark.parametrize("round_", range(4))
async def test_a_conversations_trail_never_goes_back_in_time(stores: list[Store], world: World, round_: int) -> None:
    """Each action's time is taken as its request arrives, and its write waits its turn: the audit probe found a
    dismiss stamped before the claim it followed. Two agents, a lead and the scheduler at once; the times of the
    conversation's events, in the order the writes took effect, never decrease."""
    conv = add_thread(stores[0], world, "x", ["x1", "x2"])
    desks = [Desk(s, Settings()) for s in stores]
    jitter = random.Random(round_)
    ann, ben = Actor("ann", Role.AGENT), Actor("ben", Role.AGENT)
    arrived = [utcnow() + timedelta(milliseconds=jitter.uniform(0, 50)) for _ in range(6)]  # out of order on purpose

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    await asyncio.gather(
        later(workflow.claim(desks[0], ann, conv, now=arrived[0])),
        later(workflow.claim(desks[1], ben, conv, now=arrived[1])),
        later(workflow.take_over(desks[2], LEE, conv, now=arrived[2])),
        later(workflow.tag(desks[0], ann, conv, "vip", now=arrived[3])),
        later(workflow.change_status(desks[1], ben, conv, Action.DISMISS, now=arrived[4])),
        later(workflow.assign_team(desks[2], LEE, conv, None if round_ % 2 else "billing", now=arrived[5])),
        return_exceptions=True)
    times = [r[0] for r in stores[0].read_sync(lambda db: db.conn.execute(
        "SELECT at FROM events WHERE subject = ? ORDER BY id", (f"conversation:{conv}",)).fetchall())]
    assert len(times) >= 2 and times == sorted(times), times


@pytest.mark.parametrize("round_", range(3))
async def test_claims_racing_a_move_to_marketing_leave_nothing_with_them(stores: list[Store], world: World,
                                                                         round_: int) -> None:
    """An admin moves an agent to marketing while that agent claims from pages loaded before: a claim that landed
    after the move left the conversation with someone who could not open it, until the scheduler's next tick.
    The move hands back what they hold, and a claim after it is refused in its own transaction."""
    from careline.app.web.accounts import update_account
    from careline.app.web.auth import create_user

    def people(db: Any) -> None:
        create_user(db, "root", Role.ADMIN, "a long enough password")
        create_user(db, "agent1", Role.AGENT, "a long enough password")

    stores[0].write_sync(people)
    convs = [add_thread(stores[0], world, "x", ["x1", "x2"])] * 2  # a claim from two pages loaded before the move
    desks = [Desk(s, Settings()) for s in stores]
    jitter = random.Random(round_)

    async def later(act: Any) -> Any:
        await asyncio.sleep(jitter.uniform(0, 0.02))
        return await act

    async def move() -> Any:
        def write(db: Any) -> Any:
            update_account(db, "root", "agent1", {"role": Role.MARKETING})
            return workflow.hand_back_work(db, "agent1", now=utcnow())
        return await stores[2].write(write)

    results = await asyncio.gather(*(later(workflow.claim(desks[i % 2], AGENT, conv, now=utcnow()))
                                     for i, conv in enumerate(convs)), later(move()), return_exceptions=True)
    assert all(not isinstance(r, BaseException) or isinstance(r, Forbidden) for r in results), results
    held, = _state(stores[0], "SELECT count(*) FROM conversations WHERE assignee = 'agent1' AND status = 'open'")
    assert held == 0  # no tick of the scheduler needed


async def test_a_reply_whose_conversation_is_erased_while_it_posts_says_it_was_posted(
        stores: list[Store], world: World, x_sender: XReplySender, monkeypatch: pytest.MonkeyPatch) -> None:
    """The concurrency audit: an erasure landing after the post was recorded and before the conversation moved on
    answered the agent 404 "conversation does not exist", as if nothing had gone out; the scheduler's run stopped
    on it."""
    from careline.store.customers import erase_customer

    store = stores[0]
    desk = Desk(store, Settings(), {"x": x_sender})
    conv = add_thread(store, world, "x", ["x1", "x2"])
    real = sending.send_reply

    async def then_erased(*args: Any, **kwargs: Any) -> Any:
        row = await real(*args, **kwargs)
        handle, = _state(store, "SELECT a.handle FROM conversations c JOIN authors a ON a.key = c.author_key "
                                "WHERE c.id = ?", conv)
        await store.write(lambda db: erase_customer(db, "x", handle, actor="admin", now=utcnow()))
        return row

    monkeypatch.setattr(sending, "send_reply", then_erased)
    with pytest.raises(Conflict, match="was posted, but its conversation was erased meanwhile"):
        await workflow.send(desk, AGENT, conv, "Sorry Ana, we are on it.", "key-erased-1", now=utcnow())
