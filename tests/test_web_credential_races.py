# ruff: noqa: F811  (the fixtures imported from test_web_accounts are parameters here)
"""A person's sign-in ending while their requests are on the way (an audit of several admins at once,
2026-12-07). Real concurrent requests against one app and one SQLite file; what must hold whatever the
interleaving: once the answer that ended a credential (a disable, a password reset, a revoked token) is out, no
later write by that credential is saved; a one-time link sets one password."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from careline.app.web.app import create_app
from careline.app.web.auth import create_user
from careline.domain import Role
from careline.platform import ReplySender
from careline.settings import Settings
from careline.store import Store
from platforms.simulator.server import Simulator
from tests.conftest import mirror_x_world, x_reply_senders
from tests.test_web_accounts import PASSWORDS, acc_store, form_token, make_client, post_login  # noqa: F401
from tests.test_web_admin import call, signed_in
from tests.test_web_app import BRANDS, web_store  # noqa: F401


def _events(store: Store) -> list[tuple[int, str, str, str]]:
    return store.read_sync(lambda db: db.conn.execute(
        "SELECT id, actor, kind, subject FROM events ORDER BY id").fetchall())


async def _admin(make_client: Any, store: Store, name: str) -> tuple[TestClient, str]:
    store.write_sync(lambda db: create_user(db, name, Role.ADMIN, "a long admin passphrase"))
    client = await make_client()
    r = await post_login(client, name, "a long admin passphrase")
    assert r.status == 303
    home = await client.get("/account")
    return client, re.search(r'name="csrf-token" content="([^"]+)"', await home.text())[1]  # type: ignore[index]


async def test_a_disabled_admins_requests_on_the_way_change_nothing_after_the_disable(
        make_client: Any, acc_store: Store) -> None:
    """25 accounts were added by an admin after another admin's "disabled" had answered."""
    boss, boss_csrf = await signed_in(make_client, "admin")
    rogue, rogue_csrf = await _admin(make_client, acc_store, "rogue")

    async def add(n: int) -> int:
        status, _ = await call(rogue, rogue_csrf, "/api/admin/users",
                               {"username": f"ghost{n}", "role": "admin", "password": f"ghost passphrase {n}"})
        return status

    async def disable() -> int:
        await asyncio.sleep(0.05)
        status, _ = await call(boss, boss_csrf, "/api/admin/users/rogue", {"disabled": True})
        return status

    *added, disabled = await asyncio.gather(*(add(n) for n in range(12)), disable())
    assert disabled == 200 and set(added) <= {201, 403}, added
    events = _events(acc_store)
    cut = next(i for i, actor, kind, subject in events if kind == "account.updated" and subject == "user:rogue")
    late = [(i, kind, subject) for i, actor, kind, subject in events if actor == "rogue" and i > cut]
    assert late == []  # nothing by rogue after the disable
    assert added.count(201) == sum(1 for _, actor, kind, _ in events if actor == "rogue" and kind == "account.created")


async def test_a_password_reset_leaves_no_token_made_by_the_session_it_ended(
        make_client: Any, acc_store: Store) -> None:
    """Tokens made by the person's session while an admin reset the password survived the reset, and worked."""
    boss, boss_csrf = await signed_in(make_client, "admin")
    held, held_csrf = await signed_in(make_client, "agent")

    async def make_tokens() -> list[int]:
        statuses = []
        for n in range(400):  # until the reset ends the session
            r = await held.post("/api/account/tokens", data=json.dumps({"label": f"t{n}"}),
                                headers={"X-CSRF-Token": held_csrf, "Content-Type": "application/json"})
            statuses.append(r.status)
            if r.status != 201:
                break
        return statuses

    async def reset() -> int:
        await asyncio.sleep(0.05)
        status, _ = await call(boss, boss_csrf, "/api/admin/users/agent/reset", {})
        return status

    made, status = await asyncio.gather(make_tokens(), reset())
    assert status == 200 and made[-1] in (401, 403), made
    live = acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM api_tokens WHERE username = 'agent' AND revoked_at IS NULL").fetchone()[0])
    assert live == 0


@pytest.mark.parametrize("delay", [0.0, 0.03, 0.06, 0.1, 0.15, 0.25])
async def test_a_reset_wins_over_a_password_change_on_the_way(make_client: Any, acc_store: Store,
                                                              delay: float) -> None:
    """The person's own "change password", hashing while the admin reset it, was saved after the reset: the
    session the reset was for chose the password, and the admin's link stopped working. The reset comes at
    several moments of the change (checking the old password, hashing the new one, saving)."""
    boss, boss_csrf = await signed_in(make_client, "admin")
    acc_store.write_sync(lambda db: create_user(db, "held", Role.LEAD, "the held passphrase"))
    held = await make_client()
    assert (await post_login(held, "held", "the held passphrase")).status == 303
    held_csrf = re.search(r'name="csrf-token" content="([^"]+)"',  # type: ignore[union-attr]
                          await (await held.get("/account")).text())[1]

    async def reset() -> tuple[int, dict[str, Any]]:
        await asyncio.sleep(delay)
        return await call(boss, boss_csrf, "/api/admin/users/held/reset", {})

    change, (status, answer) = await asyncio.gather(
        call(held, held_csrf, "/api/account/password", {"current": "the held passphrase", "new": "an intruder's pick"}),
        reset())
    # 401: the reset ended the session before the change was even read; 403: it ended it mid-change
    assert status == 200 and change[0] in (200, 401, 403), change
    hashed = acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT password_hash FROM users WHERE username = 'held'").fetchone()[0])
    assert hashed is None  # locked out until the link is used, whichever came first
    page = await (await make_client()).get(answer["link"][answer["link"].index("/set-password"):])
    assert page.status == 200  # the admin's link still works


async def test_a_one_time_link_sets_one_password(make_client: Any, acc_store: Store) -> None:
    """Five submissions of one link at once each answered "done"; only the last password worked."""
    from careline.app.web.accounts import create_link

    link = acc_store.write_sync(lambda db: create_link(db, "admin", "agent", "reset"))
    clients = [await make_client() for _ in range(5)]

    async def submit(client: TestClient, n: int) -> str:
        page = await client.get(f"/set-password?token={link}")
        assert page.status == 200, await page.text()
        csrf = re.findall(r'name="csrf_token" value="([^"]+)"', await page.text())[-1]
        r = await client.post("/set-password", data={"csrf_token": csrf, "link": link, "password": f"choice number {n}",
                                                     "confirm": f"choice number {n}"}, allow_redirects=False)
        return f"{r.status} {r.headers.get('Location', '')}"

    said = await asyncio.gather(*(submit(c, n) for n, c in enumerate(clients)))
    assert said.count("303 /login?reset=done") == 1, said
    assert all(s.startswith("404") for s in said if s != "303 /login?reset=done"), said
    winner = said.index("303 /login?reset=done")
    r = await post_login(clients[0], "agent", f"choice number {winner}")
    assert r.status == 303 and "/login" not in r.headers["Location"]


async def test_two_admins_disabling_one_person_at_once_write_one_event(make_client: Any, acc_store: Store) -> None:
    boss, boss_csrf = await signed_in(make_client, "admin")
    other, other_csrf = await _admin(make_client, acc_store, "second")
    answers = await asyncio.gather(call(boss, boss_csrf, "/api/admin/users/agent", {"disabled": True}),
                                   call(other, other_csrf, "/api/admin/users/agent", {"disabled": True}))
    assert [status for status, _ in answers] == [200, 200]
    assert [kind for _, _, kind, subject in _events(acc_store) if subject == "user:agent"] == ["account.updated"]


async def test_turning_two_factor_on_ends_the_other_sessions_and_off_twice_is_refused(
        make_client: Any, acc_store: Store) -> None:
    """The other sessions, opened by the password alone, stayed signed in; "off" when already off wrote an
    audit event "on -> off"."""
    import pyotp

    here, here_csrf = await signed_in(make_client, "lead")
    elsewhere, _ = await signed_in(make_client, "lead")
    new = pyotp.random_base32()
    status, answer = await call(here, here_csrf, "/api/account/two-factor/enable",
                                {"secret": new, "code": pyotp.TOTP(new).now()})
    assert status == 200 and answer["message"].endswith(" 1 other session ended."), answer
    assert (await elsewhere.get("/api/me")).status == 401 and (await here.get("/api/me")).status == 200
    assert (await call(here, here_csrf, "/api/account/two-factor/disable", {"current": PASSWORDS["lead"]}))[0] == 200
    status, answer = await call(here, here_csrf, "/api/account/two-factor/disable", {"current": PASSWORDS["lead"]})
    assert status == 409 and answer["error"]["message"] == "two-factor sign-in is already off"


async def test_two_admins_changing_one_persons_role_at_once_one_is_told(make_client: Any, acc_store: Store) -> None:
    """Both got 200 and the second overruled the first unseen; the admin page's edits now carry the version the
    row showed."""
    boss, boss_csrf = await signed_in(make_client, "admin")
    other, other_csrf = await _admin(make_client, acc_store, "second")
    shown = re.search(r'data-user="agent".*?name="version" value="(\d+)"', await (await boss.get("/admin")).text(),
                      re.S)[1]  # type: ignore[index]
    answers = await asyncio.gather(
        call(boss, boss_csrf, "/api/admin/users/agent", {"role": "lead", "version": shown}),
        call(other, other_csrf, "/api/admin/users/agent", {"role": "marketing", "version": shown}))
    assert sorted(status for status, _ in answers) == [200, 409], answers
    lost = next(body for status, body in answers if status == 409)
    assert "agent was changed by someone else since this page was loaded" in lost["error"]["message"]
    after = re.search(r'data-user="agent".*?name="version" value="(\d+)"', await (await boss.get("/admin")).text(),
                      re.S)[1]  # type: ignore[index]
    assert int(after) > int(shown)
    status, _ = await call(other, other_csrf, "/api/admin/users/agent", {"role": "marketing", "version": after})
    assert status == 200


class _Gated(ReplySender):
    """The real X sender, whose post waits for the test: the platform is taking the reply while someone acts."""

    platform = "x"
    can_find = False  # as on Reddit: a reply in doubt cannot be looked for, so only a recorded "sent" prevents a twin

    def __init__(self, real: ReplySender, posting: asyncio.Event, go: asyncio.Event) -> None:
        self.real, self.posting, self.go = real, posting, go

    async def start(self) -> None:
        await self.real.start()

    async def close(self) -> None:
        await self.real.close()

    async def post(self, text: str, in_reply_to: str) -> str:
        self.posting.set()
        await self.go.wait()
        return await self.real.post(text, in_reply_to)


async def test_a_sign_in_ending_while_the_reply_goes_out_still_records_it_as_sent(web_store: Store) -> None:
    """The sending audit: an admin disabled the agent while the platform was taking the reply. The post was public,
    but the reply stayed "sending" and the agent read "nothing was changed"; on Reddit (no search) a lead's retry
    two minutes later posted it a second time. The platform's answer is now recorded whoever's sign-in ended."""
    sim = Simulator(mirror_x_world(web_store, BRANDS))
    await sim.start()
    real = x_reply_senders(sim.base_url, BRANDS)
    posting, go = asyncio.Event(), asyncio.Event()
    gated = {key: _Gated(sender, posting, go) for key, sender in real.items()}
    app = create_app(Settings(brands=BRANDS), web_store, senders=gated)
    token = {"Authorization": f"Bearer {web_store.token}"}  # type: ignore[attr-defined]
    try:
        async with TestClient(TestServer(app)) as client:
            conv = (await (await client.get("/api/queue?limit=1&status=new&platform=x",
                                            headers=token)).json())["items"][0]["id"]
            assert (await client.post(f"/api/conversations/{conv}/claim", json={}, headers=token)).status == 200
            sending = asyncio.create_task(client.post(
                f"/api/conversations/{conv}/replies", json={"text": "Sorry Ana, we are on it.",
                                                          "idempotency_key": "gated-send-1", "resolve": True},
                headers=token))
            await asyncio.wait_for(posting.wait(), timeout=20)
            web_store.write_sync(lambda db: db.conn.execute(
                "UPDATE users SET disabled_at = '2026-12-07T00:00:00+00:00' WHERE username = 'agent'"))
            go.set()
            answer = await sending
            body = await answer.json()
    finally:
        await sim.stop()
    posted = [p for p in sim.world.posts if p.text.startswith("Sorry Ana, we are on it.")]
    state = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT state, platform_id FROM replies WHERE idempotency_key = 'gated-send-1'").fetchone())
    assert len(posted) == 1 and state == ("sent", posted[0].id)
    assert answer.status == 201 and body["state"] == "sent", body
    assert "Not resolved" in body["message"] and "nothing was changed" in body["message"], body["message"]
    status = web_store.read_sync(lambda db: db.conn.execute(
        "SELECT status, first_responded_at IS NOT NULL FROM conversations WHERE id = ?", (conv,)).fetchone())
    assert status == ("pending", 1)  # what the post did (the clocks stop) is recorded; the resolve was refused

