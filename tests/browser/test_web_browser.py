"""The four user journeys in Debian's Chromium: agent, lead, marketing, and hostile text."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from careline.app.web.keys import SLA_CACHE
from careline.domain import to_iso
from responder.tone import TONE_LANGUAGES
from tests.browser.conftest import login, said, shot
from tests.helpers.live import LiveServer
from tests.helpers.seed import seed

pytestmark = pytest.mark.browser


def _api(live: LiveServer, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    req = urllib.request.Request(live.url + path, method=method, data=json.dumps(body or {}).encode(),
                                 headers={"Authorization": f"Bearer {live.store.token}",  # type: ignore[attr-defined]
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_agent_claims_edits_sends_and_sees_the_sla_change(page: Any) -> None:
    login(page, "agent")
    page.wait_for_selector("table#queue")
    page.get_by_label("Status").select_option("new")
    page.get_by_label("Platform").select_option("x")  # the X simulator receives the reply
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=new"))
    shot(page, "queue", full_page=False)
    top = page.locator("tr.conv").first
    badge = top.locator(".sla .badge")
    assert badge.get_attribute("data-state") in ("on_track", "at_risk", "breached")
    countdowns = page.locator("tr.conv .sla .badge").all_inner_texts()
    shape = re.compile(r"^(\d+d \d+h|\d+h \d+m|(\d+m )?\d+s) (left|over)$")
    assert countdowns and all(shape.match(t) for t in countdowns), countdowns
    assert any(re.match(r"^\d+d \d+h over$", t) for t in countdowns)  # the seeded backlog is days overdue
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/conversations/\d+$"))
    assert page.locator("#conv-status").inner_text() == "new"
    page.keyboard.press("c")  # claim
    said(page, r"done=claim")
    assert page.locator("#conv-status").inner_text() == "open"
    assert page.locator("#conv-assignee").inner_text() == "agent"
    before = page.locator("#sla-badge").get_attribute("data-state")
    assert before in ("on_track", "at_risk", "breached")

    editor = page.get_by_label(re.compile("^Reply"))
    suggested = editor.input_value()
    assert suggested and "Ref: C" in suggested
    editor.fill("As we already explained, this is our policy.")
    page.wait_for_selector("#tone li.defensive")  # the live tone guard objects
    editor.fill(suggested + " We're checking now.")
    # no findings; the guard vouches for no language's rules, so it says to read the reply (CSP: no eval, rightly)
    page.wait_for_selector("#tone li", state="detached")  # the findings go
    assert page.locator("#tone .ok" if "en" in TONE_LANGUAGES else "#tone #tone-unchecked").count() == 1
    count = page.locator("#count").inner_text()
    assert re.fullmatch(r"\d+ / 280", count) or re.fullmatch(r"\d+ / 10000", count), count
    editor.press("Control+Enter")
    said(page, r"done=send")
    assert page.locator("#conv-status").inner_text() == "pending"
    assert page.locator("#sla-badge").get_attribute("data-state") == "responded"
    assert page.locator("#first-response").inner_text() != "not yet"
    assert "We're checking now." in page.locator(".msg.reply .body").last.inner_text()
    assert editor.input_value() == "" and page.locator("#tone").inner_text().strip() == ""  # no tone of nothing
    editor.fill("As we already explained, that's the courier's responsibility, not ours.")
    page.wait_for_selector("#tone li.defensive")
    assert "Try instead: “" in page.locator("#tone li.defensive").first.inner_text()  # a phrase for its place
    editor.fill("   ")
    page.wait_for_selector("#tone li", state="detached")
    assert page.locator("#tone").inner_text().strip() == ""  # emptied again: nothing said
    shot(page, "conversation")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def _sla_as_of(page: Any, live: LiveServer, since: datetime) -> None:
    """Open /sla until its figures were computed at or after ``since``.

    A summary that took over a quarter second is served as held (with its "updated" time) while it
    refreshes, which on a loaded machine is every one: waiting for the refresh is what a lead does
    by reloading. A held result is reused for five times its cost, which under load can be seconds:
    so the wait is bounded by time, not by a count of reloads."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page.goto("/sla")
        if datetime.fromisoformat(page.locator("#sla-now").get_attribute("datetime")) >= since:
            return
        live.call(live.app[SLA_CACHE].idle())
        page.wait_for_timeout(250)
    raise AssertionError(f"/sla still shows figures from before {since}")


def test_lead_sees_attainment_update(page: Any, live: LiveServer) -> None:
    login(page, "lead")
    _sla_as_of(page, live, datetime.now(UTC))
    today = page.locator("#att-today + .big")
    hits_before = int(re.search(r"(\d+) targets met", page.locator("#attainment .card").first.inner_text()).group(1))
    before = today.inner_text()
    fresh = _api(live, "GET", "/api/queue?status=new&platform=x&limit=100")["items"]
    target = next(c for c in fresh if c["sla"]["state"] == "on_track")
    _api(live, "POST", f"/api/conversations/{target['id']}/claim")
    _api(live, "POST", f"/api/conversations/{target['id']}/replies",
         {"text": "Hi, sorry about this. Please send us a DM with your booking number.",
          "idempotency_key": f"lead-test-{target['id']}"})
    _sla_as_of(page, live, datetime.now(UTC))
    hits_after = int(re.search(r"(\d+) targets met", page.locator("#attainment .card").first.inner_text()).group(1))
    assert hits_after == hits_before + 1
    after = today.inner_text()
    assert after.endswith("%") and (after != before or before == "100.0%")
    assert page.locator("#breach-count").inner_text().isdigit()
    shot(page, "sla")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_marketing_sees_charts_with_data(page: Any) -> None:
    login(page, "marketing")
    assert page.url.endswith("/trends")
    page.wait_for_selector("body[data-charts-drawn='10']", state="attached", timeout=20_000)
    assert page.locator("#chart-sentiment .main-svg").count() >= 1
    assert page.locator("#chart-sentiment g.point path").count() >= 10  # stacked bars, several days
    assert page.locator("#chart-nps .scatterlayer .trace").count() == 2  # estimate + survey
    assert page.locator("#chart-sov .point").count() == 4
    assert page.get_by_role("alert", name="Spike alerts").is_visible()
    shot(page, "trends")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_mention_with_a_script_tag_renders_as_text(page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, "agent")
    page.goto("/?q=pwned")  # found by search, whatever page of the queue it is on
    cell = page.get_by_text('<script>alert("pwned")</script>', exact=False).first
    assert cell.is_visible()
    cell.click()
    page.wait_for_url(re.compile(r"/conversations/\d+$"))
    body = page.locator(".msg.customer .body").first
    assert '<script>alert("pwned")</script> <img src=x onerror=alert(1)>' in body.inner_text()
    assert page.locator(".msg.customer .body script, .msg.customer .body img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []
    shot(page, "hostile-mention", full_page=False)


def test_a_new_conversation_is_announced_and_shown_on_request(page: Any, live: LiveServer) -> None:
    login(page, "agent")
    page.wait_for_selector("table#queue")
    before = page.locator("tr.conv").count()

    def slide_in(db: Any) -> int:  # an old conversation that moves into the first 100 without news of its own
        (old,) = seed(db, 1, datetime.now(UTC) - timedelta(days=2), days=0.001, seed=4343, answered=0.0,
                      hostile=False)
        db.conn.execute("UPDATE conversations SET priority = 999 WHERE id = ?", (old,))
        return old

    def arrive(db: Any) -> int:  # a fresh, urgent conversation, as the intake would write it
        (new,) = seed(db, 1, datetime.now(UTC), days=0.001, seed=4242, answered=0.0, hostile=False)
        db.conn.execute("UPDATE conversations SET priority = 1000, updated_at = ? WHERE id = ?",
                        (to_iso(datetime.now(UTC)), new))
        return new

    old = live.store.write_sync(slide_in)  # type: ignore[attr-defined]
    new = live.store.write_sync(arrive)  # type: ignore[attr-defined]
    assert page.locator(f'tr.conv[data-id="{new}"]').count() == 0  # not inserted under the agent's cursor
    button = page.get_by_role("button", name="Show 1 new conversation")
    button.wait_for(timeout=15_000)  # the stream pushes every 5 s
    assert page.locator("tr.conv").count() == before
    button.click()
    page.wait_for_selector(f'tr.conv[data-id="{new}"]')
    assert page.locator("tr.conv").first.get_attribute("data-id") == str(new)
    assert page.locator("tr.conv").nth(1).get_attribute("data-id") == str(old)  # shown, but never counted as new
    assert page.get_by_role("button", name=re.compile("^Show .* new conversation")).count() == 0
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_an_arabic_reply_box_follows_the_direction_of_what_is_typed(page: Any, live: LiveServer) -> None:
    """The box reads right to left for an Arabic customer; an English reply typed there showed its full stop at
    the wrong end ("fault." as ".fault"), so the box follows the first strong letter, the customer's @handle
    skipped."""
    conv = _api(live, "GET", "/api/queue?limit=1&status=new")["items"][0]["id"]
    live.store.write_sync(lambda db: db.conn.execute(  # type: ignore[attr-defined]
        "UPDATE mentions SET language = 'ar' WHERE thread_key = (SELECT thread_key FROM conversations WHERE id = ?)",
        (conv,)))
    login(page, "agent")
    page.goto(f"/conversations/{conv}")
    box = page.locator("#reply")
    assert box.get_attribute("dir") == "rtl"
    box.fill("@ana_q Sorry, that was our fault.")
    box.dispatch_event("input")
    assert box.evaluate("b => b.dir") == "ltr"
    box.fill("@ana_q نعتذر عن التأخير.")
    box.dispatch_event("input")
    assert box.evaluate("b => b.dir") == "rtl"


@pytest.mark.parametrize("width", [1360, 390], ids=["desktop", "phone"])
def test_hostile_display_names_stay_in_their_place(browser: Any, live: LiveServer, width: int) -> None:
    """A Mastodon name "Marta <RLO>evil" with nothing closing the override reversed the rest of the conversation
    header ("Marta 94# · nodotsam no evawthgirb"); a 300-letter name with no space made the queue's author column
    2,600 px wide, every row's message off-screen, and the page scroll sideways at 390 px."""
    from tests.browser.conftest import watched_page

    def two_authors(db: Any) -> list[int]:
        ids = seed(db, 2, datetime.now(UTC), days=0.001, seed=7070 + width, answered=0.0, hostile=False)
        for conv, name in zip(ids, ["Marta \u202eevil", "h" * 300], strict=True):
            key = f"x:odd{conv}"  # an author of its own: the seeded ones are shared with other conversations
            db.conn.execute("INSERT INTO authors (key, platform, platform_id, handle, name, followers, verified, "
                            "first_seen, last_seen) SELECT ?, platform, ?, ?, ?, followers, verified, first_seen, "
                            "last_seen FROM authors WHERE key = (SELECT author_key FROM conversations WHERE id = ?)",
                            (key, f"odd{conv}", f"odd{conv}", name, conv))
            db.conn.execute("UPDATE conversations SET author_key = ? WHERE id = ?", (key, conv))
            db.conn.execute("UPDATE mentions SET author_key = ? WHERE conversation_id = ?", (key, conv))
            db.conn.execute("UPDATE conversations SET priority = 1001 WHERE id = ?", (conv,))  # on top of the queue
        return list(ids)

    rtl, long_name = live.store.write_sync(two_authors)  # type: ignore[attr-defined]
    context, page = watched_page(browser, live.url, width)
    login(page, "agent")
    page.goto("/?status=new")
    page.wait_for_selector(f'tr.conv[data-id="{long_name}"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    row = page.locator(f'tr.conv[data-id="{long_name}"]')
    assert row.locator("td.text").bounding_box()["x"] < width  # type: ignore[index]  # the message is on screen
    page.goto(f"/conversations/{rtl}")
    order = page.evaluate("""() => {
      const small = document.querySelector("h1 small"), text = small.lastChild.textContent;
      const at = (i) => {
        const r = document.createRange();
        r.setStart(small.lastChild, i);
        r.setEnd(small.lastChild, i + 1);
        return r.getBoundingClientRect().left;
      };
      return [at(text.indexOf("#")), at(text.indexOf(" on ") + 1)];
    }""")
    hash_left, on_left = order
    assert hash_left > on_left  # "... on x · #12" reads left to right after the name, not reversed by it
    assert page.locator("h1 bdi.name").inner_text() == "Marta \u202eevil"
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    context.close()


@pytest.mark.parametrize("width", [1360, 390], ids=["desktop", "phone"])
def test_a_huge_post_or_survey_comment_keeps_the_queue_and_the_reports_in_their_window(browser: Any, live: LiveServer,
                                                                                         width: int) -> None:
    """A 10,000-character post made a 6,500 px queue row, a tweet of 230 line breaks a 4,700 px one, and a survey
    comment of one 900-letter word made /trends and /reports 12,700 px wide; an unclosed right-to-left override in
    a comment turned the quote marks around it; a 40-letter tag widened the queue's Tag filter past a phone."""
    from tests.browser.conftest import watched_page

    def huge(db: Any) -> list[int]:
        ids = seed(db, 3, datetime.now(UTC), days=0.001, seed=8080 + width, answered=0.0, hostile=False)
        for conv, text in zip(ids, ["refund " * 1500, "help\n" * 230, "W" * 5000], strict=True):
            db.conn.execute("UPDATE mentions SET text = ? WHERE conversation_id = ?", (text, conv))
            db.conn.execute("UPDATE conversations SET priority = 1002 WHERE id = ?", (conv,))
        now = datetime.now(UTC).isoformat()
        db.conn.execute("INSERT INTO conversation_tags (conversation_id, tag, added_by, added_at) "
                        "VALUES (?, ?, 'lead', ?)", (ids[1], f"{width}" + "t" * 36, now))  # the longest tag there is
        for n, comment in enumerate(["=HYPERLINK(1) " + "W" * 900, "\u202eGreat service!! Approved by lead"]):
            db.conn.execute("INSERT INTO surveys (token, conversation_id, kind, brand, platform, created_at, "
                            "answered_at, score, comment) SELECT ?, id, 'csat', brand, platform, ?, ?, 1, ? "
                            "FROM conversations WHERE id = ?", (f"huge{width}{n}", now, now, comment, ids[0]))
        return list(ids)

    ids = live.store.write_sync(huge)  # type: ignore[attr-defined]
    context, page = watched_page(browser, live.url, width)
    login(page, "lead")
    page.goto("/?status=new")
    for conv in ids:
        row = page.locator(f'tr.conv[data-id="{conv}"]')
        row.wait_for()
        assert row.bounding_box()["height"] < 260, conv  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.goto("/reports")
    page.wait_for_selector("ul.comments q bdi")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    context.close()
    context, page = watched_page(browser, live.url, width)
    login(page, "marketing")
    page.goto("/trends")
    page.wait_for_selector("ul.comments q bdi")
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert not page.errors, page.errors  # type: ignore[attr-defined]
    context.close()


def test_a_refused_login_stands_at_the_login_page(page: Any) -> None:
    """A wrong password shows the form again at /login (with where to go next): a reload fetches the login
    page instead of asking to send the password again."""
    page.goto("/login?next=/trends")
    page.get_by_label("Username").fill("nobody-here")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("text=Wrong username or password.")
    assert page.url.endswith("/login?next=%2Ftrends"), page.url
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.method) if r.resource_type == "document" else None)
    page.reload()
    assert asked == ["GET"] and page.get_by_label("Username").input_value() == "", asked
