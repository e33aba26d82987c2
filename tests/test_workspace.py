"""The agent's workspace on a real SQLite file: search, keyset paging, tags, notes, bulk work, teams, views."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from careline.app.web.app import create_app
from careline.app.web.auth import create_token, create_user
from careline.domain import Role
from careline.errors import Conflict
from careline.settings import Settings
from careline.store import Store, workspace
from careline.views import QueueCursor, fts_query, queue_rows, search_rows
from responder import workflow
from responder.queue import round_robin
from responder.workflow import Actor, Desk
from tests.helpers.seed import seed
from tests.helpers.together import at_once

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
ADA, BOB, LEE = Actor("ada", Role.AGENT), Actor("bob", Role.AGENT), Actor("lee", Role.LEAD)


@pytest.fixture
def seeded(store: Store) -> Store:
    def fill(db: Any) -> None:
        seed(db, 300, NOW, days=5, answered=0.3)
        for name, role in (("ada", "agent"), ("bob", "agent"), ("lee", "lead")):
            create_user(db, name, role, "a long enough password")

    store.write_sync(fill)
    return store


def test_keyset_pages_walk_the_whole_queue_in_order_without_gaps_or_repeats(seeded: Store) -> None:
    everything = seeded.read_sync(lambda db: queue_rows(db, limit=1000))
    walked: list[int] = []
    cursor: QueueCursor | None = None
    while True:
        page = seeded.read_sync(lambda db, c=cursor: queue_rows(db, limit=37, after=c))
        walked += [r["id"] for r in page]
        if len(page) < 37:
            break
        cursor = QueueCursor.decode(QueueCursor.after_row(page[-1]).encode())
    assert walked == [r["id"] for r in everything] and len(walked) > 37 * 3


@pytest.mark.parametrize("bad", ["", "!!!", "x" * 10, "WyJhIl0", "bm90IGpzb24"])
def test_a_cursor_that_was_not_made_here_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        QueueCursor.decode(bad)


@pytest.mark.parametrize("text", ['refund" OR *', "NEAR(", "a AND", "-", '"', "(((", "col:refund", "^x"])
def test_search_syntax_typed_by_a_person_is_words_never_an_error(seeded: Store, text: str) -> None:
    found, _next = seeded.read_sync(lambda db: search_rows(db, text, limit=10))
    assert isinstance(found, list)
    assert fts_query("!!!") is None


def test_search_finds_messages_authors_notes_and_tags_and_pages(seeded: Store) -> None:
    desk = Desk(seeded, Settings())
    conv = seeded.read_sync(lambda db: queue_rows(db, limit=1))[0]["id"]
    import asyncio

    async def annotate() -> None:
        await workflow.add_internal_note(desk, ADA, conv, "customer is a journalist, @lee please check", now=NOW)
        await workflow.tag(desk, ADA, conv, "Press Enquiry", now=NOW)

    asyncio.run(annotate())
    for text in ("journalist", "press enq", "#press"):
        found, _ = seeded.read_sync(lambda db, t=text: search_rows(db, t, limit=20))
        assert conv in [r["id"] for r in found], text
    refunds, nxt = seeded.read_sync(lambda db: search_rows(db, "refund", limit=5))
    assert len(refunds) == 5 and nxt is not None
    more, _ = seeded.read_sync(lambda db: search_rows(db, "refund", limit=5, before=nxt))
    assert more and not {r["id"] for r in more} & {r["id"] for r in refunds}
    assert all("refund" in r["text"].lower() for r in refunds + more)
    only_new, _ = seeded.read_sync(lambda db: search_rows(db, "refund", limit=50, status="new"))
    assert only_new and all(r["status"] == "new" for r in only_new)
    tagged = seeded.read_sync(lambda db: queue_rows(db, limit=50, tag="press enquiry"))
    assert [r["id"] for r in tagged] == [conv] and tagged[0]["tags"] == "press enquiry"

    assert seeded.read_sync(lambda db: workspace.unseen_mentions(db, "lee")) == 1  # "@lee" in the note
    shown = seeded.read_sync(lambda db: workspace.mentions_of(db, "lee"))
    assert "@lee please check" in str(shown[0]["text"])
    seeded.write_sync(lambda db: workspace.mark_mentions_seen(db, "lee", NOW + timedelta(seconds=1),
                                                              int(shown[0]["id"])))  # type: ignore[call-overload]
    assert seeded.read_sync(lambda db: workspace.unseen_mentions(db, "lee")) == 0
    # a note whose time is older than the opening but that committed after it still counts as new
    asyncio.run(workflow.add_internal_note(desk, ADA, conv, "and @lee, one more", now=NOW - timedelta(minutes=5)))
    assert seeded.read_sync(lambda db: workspace.unseen_mentions(db, "lee")) == 1
    asyncio.run(workflow.tag(desk, ADA, conv, "press enquiry", now=NOW, remove=True))
    gone, _ = seeded.read_sync(lambda db: search_rows(db, "#press", limit=20))
    assert conv not in [r["id"] for r in gone]


UNSPACED_POSTS = ("@Brightwave 我家网络已经断了三天了，打客服电话没人接，太让人失望了",
                  "@Skylark 荷物が4日経っても届きません。電話しても誰も出ない。",
                  "@Brightwave ไฟดับทั้งซอยเมื่อเช้า โทรไปไม่มีใครรับสาย")


def _post_in(db: Any, conv: int, text: str, n: int) -> None:
    """A customer's second message in conversation ``conv``, written as the listener writes one (the triggers fill
    the search indexes)."""
    thread, author, platform, brand = db.conn.execute(
        "SELECT thread_key, author_key, platform, brand FROM conversations WHERE id = ?", (conv,)).fetchone()
    at = NOW.isoformat()
    db.conn.execute("""INSERT INTO mentions (key, platform, platform_id, brand, source, author_key, text, url,
        created_at, fetched_at, conversation_id, thread_key, in_reply_to_id, language, raw, stage)
        VALUES (?, ?, ?, ?, 'x-search', ?, ?, '', ?, ?, ?, ?, NULL, 'zh', '{}', 'routed')""",
                    (f"{platform}:cjk{n}", platform, f"cjk{n}", brand, author, text, at, at, f"cjk{n}", thread))


async def test_search_finds_words_inside_chinese_japanese_and_thai_runs(seeded: Store) -> None:
    """The index read a run of Chinese or Japanese as one word: "没人接" found nothing in "…打客服电话没人接", "网络"
    nothing at all, and only words at the start of a run were found. Two-character words too, and notes."""
    ids = [r["id"] for r in seeded.read_sync(lambda db: queue_rows(db, limit=3, status="new"))]
    for n, (conv, text) in enumerate(zip(ids, UNSPACED_POSTS, strict=True)):
        seeded.write_sync(lambda db, c=conv, t=text, i=n: _post_in(db, c, t, i))
    await workflow.add_internal_note(Desk(seeded, Settings()), ADA, ids[1], "客户很生气，请尽快回复", now=NOW)

    def found(words: str) -> list[int]:
        return [r["id"] for r in seeded.read_sync(lambda db: search_rows(db, words, limit=20)[0])]

    assert found("没人接") == [ids[0]] and found("网络") == [ids[0]] and found("客服电话") == [ids[0]]
    assert found("届きません") == [ids[1]] and found("誰も") == [ids[1]] and found("尽快回复") == [ids[1]]
    assert found("ไม่มีใครรับสาย") == [ids[2]] and found("ซอย") == [ids[2]]
    assert found("网络 refund") == [] and found("brightwave 网络") == [ids[0]]  # every word must match
    assert found("refund") and ids[0] not in found("没有")  # the spaced index as before; no false hit


def test_erasing_a_customer_who_wrote_chinese_empties_both_search_indexes(seeded: Store) -> None:
    """The second index (m138) holds the customer's words too: an erasure that left it would keep them findable."""
    from careline.store.customers import erase_customer

    conv = seeded.read_sync(lambda db: queue_rows(db, limit=1, status="new"))[0]["id"]
    seeded.write_sync(lambda db: _post_in(db, conv, UNSPACED_POSTS[0], 9))
    platform, handle = seeded.read_sync(lambda db: db.conn.execute(
        "SELECT a.platform, a.handle FROM conversations c JOIN authors a ON a.key = c.author_key WHERE c.id = ?",
        (conv,)).fetchone())
    assert seeded.read_sync(lambda db: search_rows(db, "没人接")[0])
    seeded.write_sync(lambda db: erase_customer(db, platform, handle, actor="t", now=NOW))
    assert seeded.read_sync(lambda db: search_rows(db, "没人接")[0]) == []
    left = seeded.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM search_unspaced WHERE body LIKE ?", (f"%{handle}%",)).fetchone()[0])
    assert left == 0


async def test_bulk_resolve_refuses_what_others_hold_and_undoes(seeded: Store) -> None:
    desk = Desk(seeded, Settings())
    ids = [r["id"] for r in seeded.read_sync(lambda db: queue_rows(db, limit=4, status="new"))]
    await workflow.claim(desk, BOB, ids[0], now=NOW)
    for conv in ids[1:]:
        await workflow.claim(desk, ADA, conv, now=NOW)
    result = await workflow.bulk(desk, ADA, ids, "resolve", now=NOW)
    assert result.done == tuple(ids[1:])
    assert result.refused == ((ids[0], f"bob is working on conversation {ids[0]}; take it over to resolve"),)
    statuses = seeded.read_sync(lambda db: [db.conn.execute("SELECT status FROM conversations WHERE id = ?",
                                                            (i,)).fetchone()[0] for i in ids])
    assert statuses == ["open", "resolved", "resolved", "resolved"]
    undone = await workflow.bulk(desk, ADA, list(result.done), workflow.BULK_UNDO["resolve"] or "",
                                 now=NOW + timedelta(minutes=1))
    assert undone.done == result.done and not undone.refused
    statuses = seeded.read_sync(lambda db: [db.conn.execute("SELECT status, assignee FROM conversations WHERE id = ?",
                                                            (i,)).fetchone() for i in ids[1:]])
    assert statuses == [("open", "ada")] * 3
    routed = await workflow.bulk(desk, ADA, ids[:1], "assign_team", now=NOW, team="billing")
    assert routed.refused == ((ids[0], "only a lead or an admin can assign conversations"),)


async def test_bulk_claim_takes_what_is_free_and_its_undo_releases_only_what_it_claimed(seeded: Store) -> None:
    """New conversations can only be claimed before they are resolved, so the bulk bar claims; what someone else
    holds, or the person already had, is refused; the Undo gives back what it claimed and nothing a colleague took
    over since, nor what was theirs before."""
    desk = Desk(seeded, Settings())
    ids = [r["id"] for r in seeded.read_sync(lambda db: queue_rows(db, limit=5, status="new"))]
    await workflow.claim(desk, BOB, ids[0], now=NOW)
    await workflow.claim(desk, ADA, ids[1], now=NOW)
    result = await workflow.bulk(desk, ADA, ids, "claim", now=NOW)
    assert result.done == tuple(ids[2:])
    assert result.refused == ((ids[0], f"bob is working on conversation {ids[0]}; take it over to claim it"),
                              (ids[1], "you already have it"))

    def holders() -> list[tuple[str, str]]:
        return [tuple(seeded.read_sync(lambda db, i=i: db.conn.execute(
            "SELECT status, assignee FROM conversations WHERE id = ?", (i,)).fetchone())) for i in ids]

    assert holders() == [("open", "bob")] + [("open", "ada")] * 4
    resolved = await workflow.bulk(desk, ADA, ids, "resolve", now=NOW + timedelta(minutes=1))
    assert resolved.done == tuple(ids[1:])  # what the claim opened can now be closed in bulk
    await workflow.bulk(desk, ADA, list(resolved.done), "undo", now=NOW + timedelta(minutes=2))
    await workflow.take_over(desk, BOB, ids[4], now=NOW + timedelta(minutes=3))
    undone = await workflow.bulk(desk, ADA, list(result.done), workflow.BULK_UNDO["claim"] or "",
                                 now=NOW + timedelta(minutes=4))
    assert undone.done == tuple(ids[2:4]) and undone.refused == ((ids[4], "bob has it now"),)
    assert holders() == [("open", "bob"), ("open", "ada"), ("new", None), ("new", None), ("open", "bob")]
    lead_undo = await workflow.bulk(desk, LEE, [ids[0]], "release", now=NOW + timedelta(minutes=5))
    assert lead_undo.refused == ((ids[0], "bob has it now"),)  # a bulk release is an undo, never a lead's release


def test_two_agents_bulk_claiming_overlapping_rows_at_once_each_get_a_conversation_once(seeded: Store) -> None:
    """Separate connections, one barrier: every conversation ends with exactly one of them, and the other is told
    who has it; nobody's claim is taken over by a bulk claim."""
    ids = [r["id"] for r in seeded.read_sync(lambda db: queue_rows(db, limit=12, status="new"))]
    ada, bob = at_once(seeded.path, [lambda s: workflow.bulk(Desk(s, Settings()), ADA, ids, "claim", now=NOW),
                                     lambda s: workflow.bulk(Desk(s, Settings()), BOB, ids[::-1], "claim", now=NOW)])
    assert sorted(ada.done + bob.done) == sorted(ids)
    assert {i for i, _ in ada.refused} == set(bob.done) and {i for i, _ in bob.refused} == set(ada.done)
    held = dict(seeded.read_sync(lambda db: db.conn.execute(
        f"SELECT id, assignee FROM conversations WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()))
    assert held == {**{i: "ada" for i in ada.done}, **{i: "bob" for i in bob.done}}
    claims = seeded.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM events WHERE kind = 'conversation.status' AND json_extract(data, '$.action') = 'claim' "
        f"AND subject IN ({','.join('?' * len(ids))})", [f"conversation:{i}" for i in ids]).fetchone()[0])
    assert claims == len(ids)  # one claim event each: no silent double claim


async def test_routing_where_a_conversation_already_is_changes_and_logs_nothing(seeded: Store) -> None:
    desk = Desk(seeded, Settings())
    seeded.write_sync(lambda db: workspace.add_team(db, "billing", NOW))
    ids = [r["id"] for r in seeded.read_sync(lambda db: queue_rows(db, limit=2, status="new"))]
    with pytest.raises(Conflict, match="team billing has nobody in it"):  # it would wait there for nobody
        await workflow.assign_team(desk, LEE, ids[0], "billing", now=NOW)
    seeded.write_sync(lambda db: workspace.join_team(db, "billing", "ada"))

    def events() -> int:
        return int(seeded.read_sync(lambda db: db.conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'conversation.team'").fetchone()[0]))

    nothing = await workflow.bulk(desk, LEE, ids, "assign_team", now=NOW, team="")  # neither has a team
    assert nothing.done == () and [why for _, why in nothing.refused] == ["it is already with no team"] * 2
    assert events() == 0
    first = await workflow.bulk(desk, LEE, ids[:1], "assign_team", now=NOW, team="billing")
    again = await workflow.bulk(desk, LEE, ids, "assign_team", now=NOW, team="billing")
    assert first.done == (ids[0],) and again.done == (ids[1],)
    assert again.refused == ((ids[0], "it is already with team billing"),) and events() == 2
    same = await workflow.assign_team(desk, LEE, ids[0], "billing", now=NOW)  # one conversation: said, not refused
    assert same.message == "No change: it is already with team billing." and events() == 2


async def test_round_robin_within_a_team(seeded: Store) -> None:
    desk = Desk(seeded, Settings())

    def teams(db: Any) -> None:
        workspace.add_team(db, "billing", NOW)
        workspace.join_team(db, "billing", "bob")
        db.conn.execute("UPDATE users SET available = 1")

    seeded.write_sync(teams)
    waiting = [r["id"] for r in seeded.read_sync(lambda db: queue_rows(db, limit=6, status="new"))]
    for conv in waiting[:3]:
        await workflow.assign_team(desk, LEE, conv, "billing", now=NOW)
    seeded.write_sync(lambda db: round_robin(db, now=NOW, agents=["ada", "bob"]))
    owners = seeded.read_sync(lambda db: {r[0]: r[1] for r in db.conn.execute(
        f"SELECT id, assignee FROM conversations WHERE id IN ({','.join(map(str, waiting))})")})
    assert {owners[c] for c in waiting[:3]} == {"bob"}  # only the team's members get its conversations
    assert "ada" in {owners[c] for c in waiting[3:]}


async def test_workspace_over_http(seeded: Store) -> None:
    token = seeded.write_sync(lambda db: create_token(db, "ada", "t"))
    app = create_app(Settings(), seeded)
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {token}"}) as client:
        first = await (await client.get("/api/queue", params={"limit": "10"})).json()
        second = await (await client.get("/api/queue", params={"limit": "10", "after": first["next"]})).json()
        assert len(second["items"]) == 10 and second["items"][0]["id"] not in {r["id"] for r in first["items"]}
        bad = await client.get("/api/queue", params={"after": "garbage"})
        assert bad.status == 400 and (await bad.json())["error"]["code"] == "bad_request"
        found = await (await client.get("/api/queue", params={"q": "refund", "limit": "5"})).json()
        assert found["items"] and found["next"].startswith("s")
        r = await client.post("/api/bulk", json={"ids": [first["items"][0]["id"]], "action": "tag", "tag": "vip"})
        assert r.status == 200 and (await r.json())["done"] == [first["items"][0]["id"]]
        r = await client.post("/api/bulk", json={"ids": ["1"], "action": "tag", "tag": "vip"})
        assert r.status == 422  # a string is not a conversation number (strict JSON)
        r = await client.post("/api/bulk", json={"ids": [1], "action": "explode"})
        assert r.status == 422 and "action" in (await r.json())["error"]["message"]
        r = await client.post(f"/api/conversations/{first['items'][0]['id']}/tag", json={"tag": "<b>"})
        assert r.status == 400
        ws = await (await client.get("/api/workspace")).json()
        assert ws["tags"] == ["vip"]


@pytest.mark.parametrize("note", ["Can you look at this, @lee.", "@lee, see above", "ask @lee... or me"])
def test_a_mention_at_the_end_of_a_sentence_names_the_person(seeded: Store, note: str) -> None:
    """Names may hold dots, so "@lee." was read as "lee." and notified nobody."""
    assert seeded.read_sync(lambda db: workspace.mentioned_users(db, note)) == ["lee"]


@pytest.mark.parametrize(("typed", "stored"), [("İstanbul", "i\u0307stanbul"), ("Cafe\u0301", "café"),
                                               ("Café", "café"), ("  Press   Enquiry ", "press enquiry")])
def test_tags_with_accents_are_accepted_and_stored_composed(typed: str, stored: str) -> None:
    """Lower-cased "İstanbul" and a typed combining accent were refused as "not letters"."""
    assert workspace.clean_tag(typed) == stored


async def test_an_account_that_cannot_work_the_queue_cannot_hold_a_conversation(seeded: Store) -> None:
    """A claim from a page loaded before the account was disabled, or moved to marketing, is refused in its own
    transaction (it left the conversation with someone who could not open it)."""
    from careline.errors import Forbidden

    desk = Desk(seeded, Settings())
    seeded.write_sync(lambda db: (create_user(db, "mia", Role.MARKETING, "a long enough password"),
                                  create_user(db, "dan", Role.AGENT, "a long enough password"),
                                  db.conn.execute("UPDATE users SET disabled_at = ? WHERE username = 'dan'",
                                                  (NOW.isoformat(),))))
    conv = seeded.read_sync(lambda db: queue_rows(db, limit=1, status="new"))[0]["id"]
    for who, words in ((Actor("mia", Role.AGENT), "mia has the marketing role, without the queue"),
                       (Actor("dan", Role.AGENT), "dan is disabled")):
        with pytest.raises(Forbidden, match=words):
            await workflow.claim(desk, who, conv, now=NOW)
    assert seeded.read_sync(lambda db: db.conn.execute(
        "SELECT assignee FROM conversations WHERE id = ?", (conv,)).fetchone()[0]) is None
