"""Surveys: tokens, validation per kind, one answer only, summaries; and the no-JavaScript page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import jinja2
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from hypothesis import given
from hypothesis import strategies as st

from careline.app.web import survey as survey_web
from careline.app.web.auth import auth_middleware
from careline.app.web.keys import SETTINGS, STORE, TEMPLATES
from careline.errors import CarelineError, Conflict, NotFound
from careline.settings import BrandSettings, ResponderSettings, Settings
from careline.store import Store
from responder.surveys import KINDS, answer_survey, create_survey, survey_summary, survey_url

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TEMPLATES_DIR = survey_web.__file__.rsplit("/", 1)[0] + "/templates"


def add_conversation(store: Store, *, assignee: str | None = "agent1", brand: str = "skylark",
                     platform: str = "x", key: str = "x:skylark:1") -> int:
    def write(db: Any) -> int:
        cur = db.conn.execute(
            "INSERT INTO conversations (thread_key, platform, brand, author_key, status, assignee, created_at, "
            "updated_at, last_customer_at) VALUES (?, ?, ?, 'x:1', 'resolved', ?, ?, ?, ?)",
            (key, platform, brand, assignee, NOW.isoformat(), NOW.isoformat(), NOW.isoformat()))
        return int(cur.lastrowid)

    return store.write_sync(write)


def new_survey(store: Store, conv: int, kind: str = "nps") -> str:
    return store.write_sync(lambda db: create_survey(db, conv, kind, now=NOW))


def answer(store: Store, token: str, score: Any, comment: str | None = None, at: datetime = NOW) -> dict[str, Any]:
    return store.write_sync(lambda db: answer_survey(db, token, score, comment, now=at))


def test_create_records_who_and_where_and_reuses_an_open_survey(store: Store) -> None:
    conv = add_conversation(store)
    token = new_survey(store, conv)
    assert len(token) >= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert new_survey(store, conv) == token  # resolved twice: still one link
    assert new_survey(store, conv, "csat") != token
    row = store.read_sync(lambda db: db.conn.execute(
        "SELECT agent, brand, platform, kind FROM surveys WHERE token = ?", (token,)).fetchone())
    assert tuple(row) == ("agent1", "skylark", "x", "nps")
    with pytest.raises(NotFound):
        new_survey(store, 999)
    with pytest.raises(CarelineError, match="unknown survey kind"):
        new_survey(store, conv, "stars")


@pytest.mark.parametrize(("kind", "good", "bad"), [("nps", (0, 10), (-1, 11)), ("csat", (1, 5), (0, 6)),
                                                   ("ces", (1, 7), (0, 8))])
def test_scores_are_checked_per_kind(store: Store, kind: str, good: tuple[int, int], bad: tuple[int, int]) -> None:
    conv = add_conversation(store)
    for score in (*bad, True, "5", 2.0):
        token = store.write_sync(lambda db: create_survey(db, conv, kind, now=NOW))
        with pytest.raises(CarelineError, match="whole number"):
            answer(store, token, score)
    for score in good:
        token = new_survey(store, conv, kind)
        assert answer(store, token, score)["score"] == score


@given(st.integers(-20, 20))
def test_nps_accepts_exactly_zero_to_ten(score: int) -> None:
    kind = KINDS["nps"]
    assert (score in kind.scale) == (0 <= score <= 10)


def test_answer_once_unknown_token_and_comment_cap(store: Store) -> None:
    token = new_survey(store, add_conversation(store))
    with pytest.raises(CarelineError, match="longer than"):
        answer(store, token, 9, "x" * 1001)
    row = answer(store, token, 9, "  Quick and kind.  ")
    assert row["comment"] == "Quick and kind." and row["answered_at"] == NOW.isoformat(timespec="microseconds")
    with pytest.raises(Conflict):
        answer(store, token, 3)
    with pytest.raises(NotFound):
        answer(store, "no-such-token", 3)
    assert store.read_sync(lambda db: db.conn.execute(
        "SELECT COUNT(*) FROM events WHERE kind = 'survey.answered'").fetchone()[0]) == 1


def test_summary_overall_by_agent_and_since(store: Store) -> None:
    a = add_conversation(store, assignee="ana", key="x:skylark:1")
    b = add_conversation(store, assignee="bo", key="x:skylark:2", platform="reddit")
    for conv, score in ((a, 10), (a, 9), (b, 3)):
        answer(store, new_survey(store, conv), score)  # each answer closes its survey: the next is new
    answer(store, new_survey(store, a, "csat"), 5)
    answer(store, new_survey(store, b, "ces"), 6, at=NOW - timedelta(days=40))
    summary = store.read_sync(lambda db: survey_summary(db))
    nps = summary["overall"]["nps"]
    assert (nps["score"], nps["zone"], nps["total"]) == (34, "improvement", 3)  # 67 % - 33 %, each rounded
    assert summary["overall"]["csat"]["pct"] == 100.0 and summary["overall"]["ces"]["mean"] == 6
    by_agent = store.read_sync(lambda db: survey_summary(db, by="agent"))["groups"]
    assert by_agent["ana"]["nps"]["score"] == 100 and by_agent["bo"]["nps"]["zone"] == "critical"
    recent = store.read_sync(lambda db: survey_summary(db, since=NOW - timedelta(days=7)))
    assert recent["overall"]["ces"] is None and recent["overall"]["answers"] == {"nps": 3, "csat": 1, "ces": 0}
    assert set(store.read_sync(lambda db: survey_summary(db, by="platform"))["groups"]) == {"x", "reddit"}
    with pytest.raises(CarelineError):
        store.read_sync(lambda db: survey_summary(db, by="mood"))


def test_survey_url_prefers_the_public_url() -> None:
    assert survey_url(ResponderSettings(), "tok", "http://127.0.0.1:8080/") == "http://127.0.0.1:8080/s/tok"
    public = Settings(responder=ResponderSettings(public_url="https://care.example.com"))
    assert survey_url(public, "tok", "http://127.0.0.1:8080") == "https://care.example.com/s/tok"


# -- the page -------------------------------------------------------------------------------------------
@pytest.fixture
async def client(store: Store) -> AsyncIterator[tuple[aiohttp.ClientSession, TestServer]]:
    app = web.Application(middlewares=[auth_middleware])  # the real auth: the page must stay public
    app[STORE] = store
    app[SETTINGS] = Settings(brands=[BrandSettings(name="skylark", display_name="Skylark <Air>")])
    app[TEMPLATES] = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
                                        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                                        undefined=jinja2.StrictUndefined)
    survey_web.add_routes(app)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with aiohttp.ClientSession() as session:
        yield session, server
    await server.close()


async def test_page_shows_one_question_then_thanks(
        store: Store, client: tuple[aiohttp.ClientSession, TestServer]) -> None:
    session, server = client
    token = new_survey(store, add_conversation(store))
    url = server.make_url(f"/s/{token}")
    async with session.get(url) as resp:
        html = await resp.text()
        assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    assert "How likely are you to recommend Skylark &lt;Air&gt;" in html and "<Air>" not in html
    assert re.findall(r'name="score" value="(\d+)"', html) == [str(n) for n in range(11)]
    assert "<script" not in html and f'action="/s/{token}"' in html
    async with session.post(url, data={"score": "9", "comment": "<script>alert(1)</script>"},
                            allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"] == f"/s/{token}"
    async with session.get(url) as resp:
        assert "Thank you" in await resp.text()
    async with session.post(url, data={"score": "0"}) as resp:  # a double submit lands on the thanks page
        assert resp.status == 200 and "Thank you" in await resp.text()
    row = store.read_sync(lambda db: db.conn.execute("SELECT score, comment FROM surveys").fetchone())
    assert tuple(row) == (9, "<script>alert(1)</script>")  # stored as typed, escaped on output


async def test_page_ces_question_errors_escaped_and_unknown_token(
        store: Store, client: tuple[aiohttp.ClientSession, TestServer]) -> None:
    session, server = client
    token = new_survey(store, add_conversation(store), "ces")
    url = server.make_url(f"/s/{token}")
    async with session.get(url) as resp:
        html = await resp.text()
    assert "How easy was it to get your issue resolved?" in html
    assert re.findall(r'name="score" value="(\d+)"', html) == [str(n) for n in range(1, 8)]
    async with session.post(url, data={"score": "9", "comment": "<b>bold</b>"}) as resp:
        html = await resp.text()
        assert resp.status == 400 and "from 1 to 7" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<b>bold" not in html
    async with session.post(url, data={"comment": "no score"}) as resp:
        assert resp.status == 400 and "Please pick a number" in await resp.text()
    async with session.get(server.make_url("/s/not-a-token")) as resp:
        assert resp.status == 404 and "Survey not found" in await resp.text()
    async with session.post(server.make_url("/s/not-a-token"), data={"score": "5"}) as resp:
        assert resp.status == 404


def test_only_a_public_http_url_is_a_base_for_links_in_replies() -> None:
    """The service's own address (``http://127.0.0.1:8080``) is not a link a customer can open: without a
    public URL there is no base for a link in a closing reply (the page keeps its own relative link)."""
    from careline.settings import Settings
    from responder.surveys import public_base

    assert public_base(Settings()) is None
    for url in ("care.example.com", "ftp://care.example.com", "https://"):
        assert public_base(Settings(responder=ResponderSettings(public_url=url))) is None
    good = Settings(responder=ResponderSettings(public_url="https://care.example.com/"))
    assert public_base(good) == "https://care.example.com"
    assert survey_url(good, "tok", public_base(good) or "") == "https://care.example.com/s/tok"
