"""People correcting the model's reading of a mention, on real SQLite files: the queue's priority, the
trends' counts and the audit log follow; the model's reading is kept and comes back on undo; a fresh
model reading never undoes a person's; two agents, a lead and the classifier acting on one message at
the same moment leave one consistent reading."""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careline.domain import Role
from careline.errors import CarelineError, NotFound
from careline.settings import Settings
from careline.store import Store, readings
from careline.store.customers import erase_customer
from classifiers.worker import _save
from responder import workflow
from responder.intake import reprioritise
from responder.policy import priority_for
from responder.workflow import Actor, Desk
from tests.helpers.seed import seed
from tests.helpers.together import at_once

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
ADA, BOB, LEE = Actor("ada", Role.AGENT), Actor("bob", Role.AGENT), Actor("lee", Role.LEAD)


@pytest.fixture
def seeded(store: Store) -> tuple[Store, int, str]:
    """A seeded store and one open conversation whose message the model read as a complaint, its
    priority scored the way routing scores it."""
    def fill(db: Any) -> tuple[int, str]:
        seed(db, 40, NOW, days=2, answered=0.0, hostile=False)
        conv_id, key = db.conn.execute(
            "SELECT v.id, m.key FROM conversations v JOIN mentions m ON m.thread_key = v.thread_key "
            "JOIN classifications c ON c.mention_key = m.key WHERE c.complaint >= 0.5 ORDER BY v.id LIMIT 1").fetchone()
        reprioritise(db, conv_id, now=NOW, priority=priority_for)
        return int(conv_id), str(key)

    conv_id, key = store.write_sync(fill)
    return store, conv_id, key


def _with_intent(settings: Settings, brand: str, intent: str) -> Settings:
    """``settings`` with ``brand`` (added if absent) defining its own ``intent`` by example phrases."""
    import dataclasses

    from careline.settings import BrandSettings

    found = settings.find_brand(brand) or BrandSettings(name=brand, display_name=brand)
    changed = dataclasses.replace(found, intents={**found.intents, intent: ["where is my bag"]})
    return dataclasses.replace(settings, brands=[*(b for b in settings.brands if b.name != brand), changed])


def _reading(db: Any, key: str) -> dict[str, Any]:
    cur = db.conn.execute("SELECT complaint, sentiment, sentiment_scores, severity, reasons, model_version, intent, "
                          "intent_scores "
                          "FROM classifications WHERE mention_key = ?", (key,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def _complaints_counted(db: Any) -> int:
    return int(db.conn.execute("SELECT coalesce(sum(complaints), 0) FROM trend_daily").fetchone()[0])


def _priority(db: Any, conv_id: int) -> float:
    return float(db.conn.execute("SELECT priority FROM conversations WHERE id = ?", (conv_id,)).fetchone()[0])


def test_a_correction_moves_priority_and_trends_and_undo_restores_the_model_reading(
        seeded: tuple[Store, int, str]) -> None:
    store, conv_id, key = seeded
    desk = Desk(store, Settings())
    model = store.read_sync(lambda db: _reading(db, key))
    before_priority = store.read_sync(lambda db: _priority(db, conv_id))
    counted = store.read_sync(_complaints_counted)

    out = asyncio.run(workflow.correct_reading(desk, ADA, conv_id, complaint=False, sentiment="neutral", now=NOW))
    assert out.message == "Corrected: not a complaint (model 0.85); sentiment neutral (model negative)."
    now_read = store.read_sync(lambda db: _reading(db, key))
    assert now_read["complaint"] == 0.0 and now_read["sentiment"] == "neutral" and now_read["severity"] == 0
    assert json.loads(now_read["sentiment_scores"]) == {"negative": 0.0, "neutral": 1.0, "positive": 0.0}
    assert json.loads(now_read["reasons"])[0] == "corrected by ada: not a complaint (model 0.85); " \
                                                 "sentiment neutral (model negative)"
    assert out.conversation.priority < before_priority  # the complaint's 20 points are gone
    assert store.read_sync(_complaints_counted) == counted - 1
    events = store.read_sync(lambda db: db.conn.execute(
        "SELECT actor, kind, data FROM events WHERE subject = ? ORDER BY id", (f"conversation:{conv_id}",)).fetchall())
    actor, kind, data = events[-1]
    assert (actor, kind) == ("ada", "reading.corrected")
    assert json.loads(data)["priority"]["to"] == round(out.conversation.priority, 1)

    back = asyncio.run(workflow.restore_reading(desk, BOB, conv_id, now=NOW + timedelta(minutes=1)))
    assert back.message == "The model's reading is back."
    assert store.read_sync(lambda db: _reading(db, key)) == model
    assert back.conversation.priority == pytest.approx(before_priority)
    assert store.read_sync(_complaints_counted) == counted
    assert store.read_sync(lambda db: readings.correction_of(db, key)) is None
    again = asyncio.run(workflow.restore_reading(desk, BOB, conv_id, now=NOW + timedelta(minutes=2)))
    assert again.message.startswith("No correction to take back")


def test_a_second_correction_keeps_the_model_reading_not_the_first_correction(seeded: tuple[Store, int, str]) -> None:
    store, conv_id, key = seeded
    desk = Desk(store, Settings())
    asyncio.run(workflow.correct_reading(desk, ADA, conv_id, complaint=False, sentiment=None, now=NOW))
    asyncio.run(workflow.correct_reading(desk, LEE, conv_id, complaint=None, sentiment="positive", now=NOW))
    c = store.read_sync(lambda db: readings.correction_of(db, key))
    assert c is not None and c.corrected_by == "lee" and c.complaint is None and c.sentiment == "positive"
    assert (c.model_complaint, c.model_sentiment) == (0.85, "negative")
    read = store.read_sync(lambda db: _reading(db, key))
    assert read["complaint"] == 0.85 and read["sentiment"] == "positive"  # the lead's reading, the model's complaint


def test_a_fresh_model_reading_keeps_the_person_s_correction(seeded: tuple[Store, int, str]) -> None:
    store, conv_id, key = seeded
    desk = Desk(store, Settings())
    asyncio.run(workflow.correct_reading(desk, ADA, conv_id, complaint=False, sentiment="positive", now=NOW))
    row = {**store.read_sync(lambda db: _row(db, key)), "model_version": "seed-2", "complaint": 0.97,
           "sentiment": "negative", "reasons": json.dumps(["complaint"]),
           "sentiment_scores": json.dumps({"negative": 0.9, "neutral": 0.05, "positive": 0.05})}
    store.write_sync(_save([row], [key]))
    read = store.read_sync(lambda db: _reading(db, key))
    assert read["complaint"] == 0.0 and read["sentiment"] == "positive" and read["model_version"] == "seed-2"
    c = store.read_sync(lambda db: readings.correction_of(db, key))
    assert c is not None and (c.model_version, c.model_complaint, c.model_sentiment) == ("seed-2", 0.97, "negative")
    asyncio.run(workflow.restore_reading(desk, ADA, conv_id, now=NOW))
    assert store.read_sync(lambda db: _reading(db, key))["complaint"] == 0.97  # the newer model reading


@pytest.mark.parametrize(("complaint", "sentiment", "intent", "words"), [
    (None, None, None, "say whether it is a complaint"), (True, "furious", None, "sentiment must be one of"),
    (None, "<script>", None, "sentiment must be one of"), (None, None, "<b>refund</b>", "intent must be one of"),
    (None, None, "lost_baggage", "intent must be one of")])  # another brand's own intent is not this one's
def test_a_correction_that_says_nothing_or_nonsense_is_refused_and_changes_nothing(
        seeded: tuple[Store, int, str], complaint: bool | None, sentiment: str | None, intent: str | None,
        words: str) -> None:
    store, conv_id, key = seeded
    before = store.read_sync(lambda db: _reading(db, key))
    settings = _with_intent(Settings(), "nobody_s_brand", "lost_baggage")
    with pytest.raises(CarelineError, match=words):
        asyncio.run(workflow.correct_reading(Desk(store, settings), ADA, conv_id, complaint=complaint,
                                             sentiment=sentiment, now=NOW, intent=intent))
    assert store.read_sync(lambda db: _reading(db, key)) == before


def test_a_message_of_another_conversation_or_none_at_all_is_not_found(seeded: tuple[Store, int, str]) -> None:
    store, conv_id, _ = seeded
    other = store.read_sync(lambda db: db.conn.execute(
        "SELECT m.key FROM mentions m JOIN conversations v ON v.thread_key = m.thread_key WHERE v.id <> ? LIMIT 1",
        (conv_id,)).fetchone()[0])
    desk = Desk(store, Settings())
    with pytest.raises(NotFound):
        asyncio.run(workflow.correct_reading(desk, ADA, conv_id, complaint=False, sentiment=None, now=NOW,
                                             mention_key=other))
    with pytest.raises(NotFound):
        asyncio.run(workflow.correct_reading(desk, ADA, 10**9, complaint=False, sentiment=None, now=NOW))


def _one_round(stores: list[Store], conv_id: int, key: str, r: int) -> list[BaseException]:
    """Two agents, a lead (each with a store of their own) and the classifier's write of a fresh
    reading, released by one barrier; returns what any of them raised."""
    people = [(ADA, False, "neutral", None), (BOB, True, "negative", "billing"),
              (LEE, None, "positive", "refund_return")]
    gate = threading.Barrier(4)
    errors: list[BaseException] = []
    at = NOW + timedelta(seconds=r)

    def person(i: int, who: Actor, complaint: bool | None, sentiment: str, intent: str | None) -> None:
        try:
            gate.wait()
            asyncio.run(workflow.correct_reading(Desk(stores[i], Settings()), who, conv_id, complaint=complaint,
                                                 sentiment=sentiment, now=at, intent=intent))
        except BaseException as exc:
            errors.append(exc)

    def classifier() -> None:
        try:
            row = stores[3].read_sync(lambda db: _row(db, key))
            gate.wait()
            fresh = {**row, "model_version": f"round-{r}", "complaint": 0.9, "sentiment": "negative", "reasons": "[]",
                     "sentiment_scores": json.dumps({"negative": 0.9}), "intent": "outage_bug",
                     "intent_scores": json.dumps({"outage_bug": 0.8})}
            stores[3].write_sync(_save([fresh], [key]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=person, args=(i, *p)) for i, p in enumerate(people)]
    threads.append(threading.Thread(target=classifier))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def _row(db: Any, key: str) -> dict[str, Any]:
    cur = db.conn.execute("SELECT * FROM classifications WHERE mention_key = ?", (key,))
    return dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))


def test_two_agents_a_lead_and_the_classifier_on_one_message_at_once_leave_one_consistent_reading(
        seeded: tuple[Store, int, str]) -> None:
    """Four writers, each with its own connection to the file (as separate processes would have),
    released together, twenty rounds: whatever the order, the stored reading is the one the last
    correction made, exactly one correction row keeps a model's reading (never a person's), every
    correction is in the audit log, and the priority is the one the last reading gives."""
    store, conv_id, key = seeded
    first_intent = store.read_sync(lambda db: _reading(db, key))["intent"]
    stores = [Store(store.path).open_sync() for _ in range(4)]
    try:
        for r in range(20):
            assert _one_round(stores, conv_id, key, r) == []
        last = store.read_sync(lambda db: db.conn.execute(
            "SELECT actor, data FROM events WHERE subject = ? AND kind = 'reading.corrected' ORDER BY id",
            (f"conversation:{conv_id}",)).fetchall())
        assert len(last) == 60
        who, data = last[-1][0], json.loads(last[-1][1])
        read = store.read_sync(lambda db: _reading(db, key))
        assert read["sentiment"] == data["sentiment"]
        if data["intent"] is not None:
            assert read["intent"] == data["intent"]
        assert json.loads(read["reasons"])[0].startswith(f"corrected by {who}")
        if data["complaint"] is not None:
            assert read["complaint"] == float(data["complaint"])
        rows = store.read_sync(lambda db: db.conn.execute(
            "SELECT corrected_by, model_complaint, model_sentiment, model_intent FROM reading_corrections").fetchall())
        assert len(rows) == 1 and rows[0][0] == who
        assert (rows[0][1], rows[0][2]) in ((0.9, "negative"), (0.85, "negative"))  # a model's, never a person's
        assert rows[0][3] in (first_intent, "outage_bug")
        if data["intent"] is None:
            assert read["intent"] == rows[0][3]  # the model's intent stands where the last person left it
        expected = store.read_sync(lambda db: max(priority_for(m, NOW)[0] for m in _thread_rows(db, conv_id)))
        assert store.read_sync(lambda db: _priority(db, conv_id)) == pytest.approx(expected)
    finally:
        for s in stores:
            s.close_sync()


def _thread_rows(db: Any, conv_id: int) -> list[dict[str, Any]]:
    from careline.store.records import rows
    from responder.intake import THREAD_SQL

    thread = db.conn.execute("SELECT thread_key FROM conversations WHERE id = ?", (conv_id,)).fetchone()[0]
    return rows(db, THREAD_SQL, (thread,))


def test_corrections_become_labelled_rows_and_go_with_their_customer(seeded: tuple[Store, int, str]) -> None:
    store, conv_id, key = seeded
    asyncio.run(workflow.correct_reading(Desk(store, Settings()), ADA, conv_id, complaint=False, sentiment=None,
                                         now=NOW))
    rows = store.read_sync(lambda db: readings.labelled(db, "complaint"))
    text = store.read_sync(lambda db: db.conn.execute("SELECT text FROM mentions WHERE key = ?", (key,)).fetchone()[0])
    assert [(r.text, r.label, r.model_label, r.corrected_by) for r in rows] == [(text, "0", "1", "ada")]
    assert store.read_sync(lambda db: readings.labelled(db, "sentiment")) == []  # sentiment left to the model
    with pytest.raises(CarelineError):
        store.read_sync(lambda db: readings.labelled(db, "severity"))
    platform, handle = store.read_sync(lambda db: db.conn.execute(
        "SELECT a.platform, a.handle FROM mentions m JOIN authors a ON a.key = m.author_key WHERE m.key = ?",
        (key,)).fetchone())
    store.write_sync(lambda db: erase_customer(db, platform, handle, actor="admin", now=NOW))
    assert store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM reading_corrections").fetchone()[0]) == 0


async def test_the_page_and_the_api_correct_and_restore_and_refuse_bad_input(seeded: tuple[Store, int, str]) -> None:
    import re

    from aiohttp.test_utils import TestClient, TestServer

    from careline.app.web.app import create_app
    from careline.app.web.auth import create_token, create_user

    store, conv_id, key = seeded

    def people(db: Any) -> tuple[str, str]:
        create_user(db, "ada", "agent", "a long enough password")
        create_user(db, "mia", "marketing", "a long enough password")
        return create_token(db, "ada", "t"), create_token(db, "mia", "t")

    ada, mia = store.write_sync(people)
    app = create_app(Settings(), store)
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {ada}"}) as client:
        page = await (await client.get(f"/conversations/{conv_id}")).text()
        assert "The model misread this?" in page and f'name="mention_key" value="{key}"' in page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = {"csrf_token": csrf.group(1) if csrf else "", "mention_key": key, "complaint": "no",
                "sentiment": "positive"}
        r = await client.post(f"/conversations/{conv_id}/reading", data=form, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"].endswith("?done=reading#classifier")
        page = await (await client.get(r.headers["Location"])).text()
        assert "Corrected by ada" in page and "The model read it as a complaint (85%), negative." in page
        assert 'value="no" checked> not a complaint' in page and '<option value="positive" selected>' in page
        r = await client.post(f"/conversations/{conv_id}/reading", data={**form, "complaint": "maybe"})
        assert r.status == 422 and "complaint" in await r.text()  # the page again, with the error
        r = await client.post(f"/conversations/{conv_id}/reading", data={**form, "complaint": "", "sentiment": ""})
        assert r.status == 422 and "say whether it is a complaint" in await r.text()
        r = await client.post(f"/conversations/{conv_id}/reading/restore", data=form, allow_redirects=False)
        assert r.headers["Location"].endswith("?done=reading_restored#classifier")

        r = await client.post(f"/api/conversations/{conv_id}/reading", json={"complaint": True})
        body = await r.json()
        assert r.status == 200 and body["message"] == "Corrected: a complaint (model 0.85)."
        detail = await (await client.get(f"/api/conversations/{conv_id}")).json()
        assert [m["corrected_by"] for m in detail["thread"]] == ["ada"]
        r = await client.post(f"/api/conversations/{conv_id}/reading", json={"intent": "refund_return"})
        assert r.status == 200 and "intent refund_return (model " in (await r.json())["message"]
        page = await (await client.get(f"/conversations/{conv_id}")).text()
        assert '<option value="refund_return" selected>refund return</option>' in page
        assert re.search(r"The model read it as a complaint \(85%\), negative, intent [a-z ]+\.", page)
        for bad, status in (({"complaint": "yes"}, 422), ({"sentiment": "angry"}, 422), ({}, 422),
                            ({"intent": "made_up"}, 422), ({"intent": "<b>x</b>"}, 422),
                            ({"complaint": False, "mention_key": "x:nope"}, 404)):
            r = await client.post(f"/api/conversations/{conv_id}/reading", json=bad)
            assert r.status == status, (bad, await r.text())
        r = await client.post(f"/api/conversations/{conv_id}/reading", data=b"{not json",
                              headers={"Content-Type": "application/json"})
        assert r.status == 400
        r = await client.post(f"/api/conversations/{conv_id}/reading/restore")
        assert r.status == 200 and (await r.json())["message"] == "The model's reading is back."
        r = await client.post(f"/api/conversations/{conv_id}/reading", json={"complaint": False},
                              headers={"Authorization": f"Bearer {mia}"})
        assert r.status == 403  # marketing reads trends; correcting is the care team's


def _piped_under_latin1(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """``careline ARGS`` in a child process whose output is a pipe and whose locale encoding is latin-1."""
    import os
    import sys

    command = [sys.executable, "-c", "import sys; from careline.app.cli import main; main(sys.argv[1:])", *args]
    return subprocess.run(command, env={**os.environ, **env, "PYTHONIOENCODING": "latin-1"}, capture_output=True,
                          timeout=120, check=False)


def test_corrections_export_as_a_csv_that_careline_evaluate_reads(seeded: tuple[Store, int, str],
                                                                   tmp_path: Path) -> None:
    """The round trip a team would make: correct posts, export them, score a model on them."""
    import csv

    from careline.app.web.migrations import WEB
    from tests.test_data_stewardship import run

    store, conv_id, key = seeded
    hostile = "=HYPERLINK(\"http://evil.invalid\") @brand refund, \"quoted\"\nsecond line"
    store.write_sync(lambda db: db.conn.execute("UPDATE mentions SET text = ? WHERE key = ?", (hostile, key)))
    asyncio.run(workflow.correct_reading(Desk(store, Settings()), ADA, conv_id, complaint=False, sentiment=None,
                                         now=NOW))
    Store(store.path, extra=[WEB]).open_sync().close_sync()  # the web tables, as `careline run` would add
    env = {"CARELINE_SERVICE__DATABASE": str(store.path)}
    out = tmp_path / "corrected.csv"
    code, said = run("readings", "export", "--task", "complaint", "-o", str(out), env=env)
    assert code == 0 and f"1 corrected post(s) for complaint in en written to {out}" in said, said
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["text"], r["label"], r["model_label"], r["corrected_by"]) for r in rows] == [(hostile, "0", "1", "ada")]
    code, said = run("evaluate", "--task", "complaint", "--data", str(out), "--kind", "vader", env=env)
    assert code == 0 and "n              1" in said, said
    code, said = run("readings", "export", "--brand", "skylrak", env=env)  # exported 0 rows quietly
    assert code == 2 and "invalid value for --brand: no brand 'skylrak'; the brands are " in said, said
    code, said = run("readings", "export", "--brand", "skylark", env=env)
    assert code == 0 and "1 corrected post(s) for complaint" in said, said
    code, said = run("readings", "export", "--brand", "brightwave", env=env)  # in the data, no longer configured
    assert code == 0 and "0 corrected post(s) for complaint" in said, said
    code, said = run("readings", "export", "--for-spreadsheet", env=env)
    assert code == 0 and "'=HYPERLINK" in said  # the formula reads as text in a spreadsheet
    sheet = tmp_path / "for-excel.csv"
    code, said = run("readings", "export", "--for-spreadsheet", "-o", str(sheet), env=env)
    assert code == 0 and sheet.read_bytes().startswith(b"\xef\xbb\xbftext,label,"), said  # Excel reads UTF-8
    assert not out.read_bytes().startswith(b"\xef\xbb\xbf")  # what careline evaluate reads has no mark
    piped = _piped_under_latin1(["readings", "export", "--for-spreadsheet"], env)  # | cat, in a latin-1 locale
    assert piped.returncode == 0, piped.stderr  # was an encoding error at the byte-order mark
    assert piped.stdout.startswith(b"\xef\xbb\xbftext,label,") and b"'=HYPERLINK" in piped.stdout
    asyncio.run(workflow.correct_reading(Desk(store, Settings()), ADA, conv_id, complaint=None, sentiment=None,
                                         now=NOW, intent="refund_return"))
    code, said = run("readings", "export", "--task", "intent", "-o", str(out), "--yes", env=env)  # over the first
    assert code == 0 and "1 corrected post(s) for intent" in said, said
    code, said = run("evaluate", "--task", "intent", "--data", str(out), "--kind", "vader", env=env)
    assert code == 0 and "n              1" in said, said


async def test_the_queue_marks_and_filters_corrected_conversations_and_a_message_form_returns_to_its_message(
        seeded: tuple[Store, int, str]) -> None:
    """A lead reviewing the team's corrections finds them with one tick (``corrected=1``, page and API),
    each row says who corrected it, and an earlier message's form brings the agent back to that message."""
    import re

    from aiohttp.test_utils import TestClient, TestServer

    from careline.app.web.app import create_app
    from careline.app.web.auth import create_token, create_user

    store, conv_id, key = seeded
    token = store.write_sync(lambda db: (create_user(db, "ada", "agent", "a long enough password"),
                                         create_token(db, "ada", "t"))[1])
    app = create_app(Settings(), store)
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {token}"}) as client:
        everything = (await (await client.get("/api/queue?limit=100")).json())["items"]
        assert len(everything) > 1 and not any(r["corrected_by"] for r in everything)
        assert (await (await client.get("/api/queue?corrected=1")).json())["items"] == []

        page = await (await client.get(f"/conversations/{conv_id}")).text()
        assert 'id="message-1"' in page
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        form = {"csrf_token": csrf.group(1) if csrf else "", "mention_key": key, "complaint": "no",
                "back": "message-1"}
        r = await client.post(f"/conversations/{conv_id}/reading", data=form, allow_redirects=False)
        assert r.status == 303 and r.headers["Location"].endswith("?done=reading#message-1")
        r = await client.post(f"/conversations/{conv_id}/reading", data={**form, "back": "x\r\nLocation: /evil"},
                              allow_redirects=False)
        assert r.status == 422  # the anchor is only ever one of the page's own

        corrected = (await (await client.get("/api/queue?corrected=1")).json())["items"]
        assert [(r["id"], r["corrected_by"]) for r in corrected] == [(conv_id, "ada")]
        queue = await (await client.get("/?corrected=1")).text()
        assert f'data-id="{conv_id}"' in queue and "corrected by ada" in queue
        assert 'name="corrected" value="1" checked' in queue
        unticked = (await (await client.get("/api/queue?corrected=0&limit=100")).json())["items"]
        assert {r["id"] for r in unticked} == {r["id"] for r in everything}  # unticked: no filter
        nonsense = await client.get("/api/queue?corrected=nonsense&limit=100")  # neither: said, not guessed
        assert nonsense.status == 400 and "corrected must be 1 or 0" in (await nonsense.json())["error"]["message"]


def test_the_lead_s_summary_counts_corrections_by_direction_language_and_person(
        seeded: tuple[Store, int, str]) -> None:
    """Corrections of the last 30 days only, which way each went, each language's rate against the
    mentions the trends counted in it, and who made them."""
    store, conv_id, _ = seeded
    desk = Desk(store, Settings())
    others = store.read_sync(lambda db: db.conn.execute(
        "SELECT v.id, c.complaint FROM conversations v JOIN mentions m ON m.thread_key = v.thread_key "
        "JOIN classifications c ON c.mention_key = m.key WHERE v.id != ? ORDER BY v.id LIMIT 40",
        (conv_id,)).fetchall())
    calm = next(i for i, p in others if p < 0.5)
    angry = next(i for i, p in others if p >= 0.5)
    asyncio.run(workflow.correct_reading(desk, ADA, conv_id, complaint=False, sentiment=None, now=NOW))
    asyncio.run(workflow.correct_reading(desk, ADA, calm, complaint=True, sentiment="negative", now=NOW))
    asyncio.run(workflow.correct_reading(desk, LEE, angry, complaint=None, sentiment="positive",
                                         now=NOW - timedelta(days=31)))  # outside the window
    got = store.read_sync(lambda db: readings.summary(db, NOW))
    mentions = store.read_sync(lambda db: db.conn.execute(
        "SELECT sum(n) FROM trend_languages WHERE language = 'en'").fetchone()[0])
    assert (got.corrected, got.made_complaint, got.made_not_complaint) == (2, 1, 1)
    assert got.sentiment_changed == 1  # the calm post, model positive or neutral, now negative
    assert [(x.language, x.corrected, x.mentions) for x in got.by_language] == [("en", 2, mentions)]
    assert got.by_language[0].per_100 == round(200 / mentions, 1)
    assert got.by_person == (("ada", 2),)
    assert got.as_dict()["by_language"][0]["per_100"] == got.by_language[0].per_100
    assert store.read_sync(lambda db: readings.summary(db, NOW + timedelta(days=31))).corrected == 0


async def test_the_sla_page_and_its_json_show_the_team_s_corrections(seeded: tuple[Store, int, str]) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from careline.app.web.app import create_app
    from careline.app.web.auth import create_token, create_user

    store, conv_id, _ = seeded
    lead, agent = store.write_sync(lambda db: (create_user(db, "lee", "lead", "a long enough password"),
                                               create_user(db, "ada", "agent", "a long enough password"),
                                               create_token(db, "lee", "t"), create_token(db, "ada", "t"))[2:])
    app = create_app(Settings(), store)
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {lead}"}) as client:
        page = await (await client.get("/sla")).text()
        assert 'id="corrections"' in page and "None yet." in page
        r = await client.post(f"/api/conversations/{conv_id}/reading", json={"complaint": False},
                              headers={"Authorization": f"Bearer {agent}"})
        assert r.status == 200
        page = await (await client.get("/sla")).text()
        assert '<b id="corrections-count">1</b> corrected' in page and "read as a complaint that was none" in page
        assert 'href="/?corrected=1"' in page and "By ada (1)." in page
        assert '<meter min="0"' in page.split('id="corrections"')[1]  # 40 English mentions: enough to draw
        body = await (await client.get("/api/sla/summary")).json()
        assert body["corrections"]["corrected"] == 1 and body["corrections"]["by_person"] == [
            {"person": "ada", "corrected": 1}]
        r = await client.get("/sla", headers={"Authorization": f"Bearer {agent}"})
        assert r.status == 403  # a lead's page



def test_an_intent_correction_moves_the_trends_the_suggested_template_and_the_export(
        seeded: tuple[Store, int, str]) -> None:
    """The brand's own intent is a choice; the trends count the post under it, the export labels it, a
    fresh model reading keeps it, and restoring brings the model's intent and scores back."""
    store, conv_id, key = seeded
    brand = store.read_sync(lambda db: db.conn.execute("SELECT brand FROM conversations WHERE id = ?",
                                                       (conv_id,)).fetchone()[0])
    desk = Desk(store, _with_intent(Settings(), brand, "lost_baggage"))
    model = store.read_sync(lambda db: _reading(db, key))

    def counted(db: Any, intent: str) -> int:
        return int(db.conn.execute("SELECT coalesce(sum(n), 0) FROM trend_intents WHERE intent = ?",
                                   (intent,)).fetchone()[0])

    before = store.read_sync(lambda db: counted(db, "lost_baggage"))
    out = asyncio.run(workflow.correct_reading(desk, ADA, conv_id, complaint=None, sentiment=None, now=NOW,
                                               intent="lost_baggage"))
    assert out.message == f"Corrected: intent lost_baggage (model {model['intent']})."
    now_read = store.read_sync(lambda db: _reading(db, key))
    assert now_read["intent"] == "lost_baggage" and json.loads(now_read["intent_scores"]) == {"lost_baggage": 1.0}
    assert (now_read["complaint"], now_read["sentiment"]) == (model["complaint"], model["sentiment"])
    assert store.read_sync(lambda db: counted(db, "lost_baggage")) == before + 1
    rows = store.read_sync(lambda db: readings.labelled(db, "intent"))
    assert [(r.label, r.model_label) for r in rows] == [("lost_baggage", model["intent"])]
    assert store.read_sync(lambda db: readings.summary(db, NOW)).intent_changed == 1

    fresh = {**store.read_sync(lambda db: _row(db, key)), "model_version": "seed-2", "intent": "billing",
             "intent_scores": json.dumps({"billing": 0.9})}
    store.write_sync(_save([fresh], [key]))
    assert store.read_sync(lambda db: _reading(db, key))["intent"] == "lost_baggage"  # the person's still stands
    asyncio.run(workflow.restore_reading(desk, ADA, conv_id, now=NOW))
    back = store.read_sync(lambda db: _reading(db, key))
    assert (back["intent"], json.loads(back["intent_scores"])) == ("billing", {"billing": 0.9})  # the newer reading


def _complaints(store: Store, n: int) -> list[int]:
    """``n`` open conversations whose latest message the model read as a complaint."""
    return [int(r[0]) for r in store.read_sync(lambda db: db.conn.execute(
        "SELECT v.id FROM conversations v JOIN mentions m ON m.thread_key = v.thread_key JOIN classifications c "
        "ON c.mention_key = m.key WHERE c.complaint >= 0.5 AND v.status = 'new' ORDER BY v.id LIMIT ?",
        (n,)).fetchall())]


async def test_bulk_marking_skips_what_a_person_corrected_and_its_undo_takes_back_only_its_own(
        seeded: tuple[Store, int, str]) -> None:
    """A lead marks a wave of misread posts from the queue at once: a post a colleague already corrected
    keeps that person's reading (refused, with who), and Undo restores only the marks still the lead's."""
    from aiohttp.test_utils import TestClient, TestServer

    from careline.app.web.app import create_app
    from careline.app.web.auth import create_token, create_user

    store, _, _ = seeded
    first, second, third = _complaints(store, 3)
    desk = Desk(store, Settings())
    await workflow.correct_reading(desk, BOB, third, complaint=True, sentiment="negative", now=NOW)
    lead = store.write_sync(lambda db: (create_user(db, "lee", "lead", "a long enough password"),
                                        create_token(db, "lee", "t"))[1])
    app = create_app(Settings(), store)
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {lead}"}) as client:
        r = await client.post("/api/bulk", json={"ids": [first, second, third], "action": "mark_not_complaint"})
        body = await r.json()
        assert r.status == 200 and body["done"] == [first, second] and body["undo"] == "restore_reading"
        assert body["refused"] == [{"id": third, "reason": "already corrected by bob: change it on the "
                                                            "conversation page"}]
        marked = store.read_sync(lambda db: db.conn.execute(
            "SELECT count(*) FROM reading_corrections WHERE corrected_by = 'lee' AND complaint = 0").fetchone()[0])
        assert marked == 2
        await workflow.correct_reading(desk, ADA, second, complaint=True, sentiment=None, now=NOW)  # ada disagrees

        r = await client.post("/api/bulk", json={"ids": [first, second, third], "action": "restore_reading"})
        body = await r.json()
        assert body["done"] == [first]
        assert {(x["id"], x["reason"]) for x in body["refused"]} == {(second, "ada corrected it since"),
                                                                       (third, "bob corrected it since")}
        left = store.read_sync(lambda db: db.conn.execute(
            "SELECT corrected_by FROM reading_corrections ORDER BY corrected_by").fetchall())
        assert [w for (w,) in left] == ["ada", "bob"]
        r = await client.post("/api/bulk", json={"ids": [first], "action": "mark_maybe"})
        assert r.status == 422


def test_two_leads_bulk_marking_the_same_rows_at_once_mark_each_conversation_once(
        seeded: tuple[Store, int, str]) -> None:
    """Two people, separate connections, one barrier, overlapping selections: every conversation is
    marked by exactly one of them and the other is told who did; no reading is overwritten."""
    store, _, _ = seeded
    ids = _complaints(store, 8)
    lee, ada = at_once(store.path, [
        lambda s: workflow.bulk(Desk(s, Settings()), LEE, ids, "mark_not_complaint", now=NOW),
        lambda s: workflow.bulk(Desk(s, Settings()), ADA, ids[::-1], "mark_complaint", now=NOW)])
    assert sorted(lee.done + ada.done) == sorted(ids)  # each once, whichever came first
    assert {i for i, _ in lee.refused} == set(ada.done) and {i for i, _ in ada.refused} == set(lee.done)
    assert all(why == "already corrected by ada: change it on the conversation page" for _, why in lee.refused)
    stored = dict(store.read_sync(lambda db: db.conn.execute(
        "SELECT v.id, r.corrected_by FROM conversations v JOIN mentions m ON m.thread_key = v.thread_key "
        "JOIN reading_corrections r ON r.mention_key = m.key").fetchall()))
    assert stored == {**{i: "lee" for i in lee.done}, **{i: "ada" for i in ada.done}}
