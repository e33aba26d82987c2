"""The admin and account JSON API: validation in the one error shape, audit with before and after,
and rules that hold when admins act at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pyotp
import pytest
from aiohttp.test_utils import TestClient

from careline.app.web.accounts import update_account
from careline.app.web.auth import create_user
from careline.domain import Role
from tests import test_web_accounts as accounts_tests
from tests.test_web_accounts import PASSWORDS, events, post_login

acc_store = accounts_tests.acc_store  # the same fixtures: a store with agent, lead, admin; app clients on it
make_client = accounts_tests.make_client


async def signed_in(make_client, user: str) -> tuple[TestClient, str]:  # type: ignore[no-untyped-def]
    client = await make_client()
    r = await post_login(client, user, PASSWORDS[user])
    assert r.status == 303
    home = await client.get("/account")
    return client, re.search(r'name="csrf-token" content="([^"]+)"', await home.text()).group(1)  # type: ignore[union-attr]


async def call(client: TestClient, csrf: str, path: str, body: object) -> tuple[int, dict]:
    r = await client.post(path, data=json.dumps(body), headers={"X-CSRF-Token": csrf,
                                                                "Content-Type": "application/json"})
    return r.status, await r.json()


async def test_only_admins_reach_administration(make_client) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "lead")
    assert (await client.get("/api/admin")).status == 403
    status, body = await call(client, csrf, "/api/admin/users", {"username": "x", "role": "admin"})
    assert status == 403 and body["error"]["code"] == "forbidden"


@pytest.mark.parametrize(("body", "message", "field"), [  # field: what the Add form marks (it only said so below)
    ({"username": "", "role": "agent"}, "username is required", "username"),
    ({"username": "x y", "role": "agent"}, "username must be", "username"),
    ({"username": "nina", "role": "boss"}, "role must be one of", "role"),
    ({"username": "nina", "role": "agent", "password": "short"}, "at least 12", "password"),
    ({"username": "nina", "role": "agent", "password": "password1234"}, "common passwords", "password"),
    ({"username": "nina", "role": "agent", "password": 123456789012}, "password must be a string", "password"),
    ({"username": "nina", "role": "agent", "team": "x" * 201}, "at most 200", "team"),
    ({"username": "nina", "role": "agent", "team": "night/<b>"}, "team name is", "team"),
    ({"username": "nina", "role": "agent", "display_name": "a\tb"}, "no control characters", "display_name"),
    ({"username": "agent", "role": "agent", "password": "a fine long passphrase"}, "already exists", "username"),
])
async def test_bad_input_is_a_clear_4xx_and_changes_nothing(make_client, acc_store, body, message, field) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "admin")
    status, answer = await call(client, csrf, "/api/admin/users", body)
    assert 400 <= status < 500 and message in answer["error"]["message"], answer
    assert answer["error"]["field"] == field, answer
    assert acc_store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM users").fetchone()[0]) == 3
    r = await client.post("/api/admin/users", data="{not json", headers={"X-CSRF-Token": csrf})
    assert r.status == 400 and (await r.json())["error"]["message"] == "the body must be a JSON object"


async def test_an_edited_display_name_is_held_to_the_rules_of_a_new_one(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    """The security audit: an edit took a DEL ("a\x7fb") that creating the account refused."""
    client, csrf = await signed_in(make_client, "admin")
    status, answer = await call(client, csrf, "/api/admin/users/agent", {"display_name": "a\x7fb"})
    assert status == 400 and "no control characters" in answer["error"]["message"], answer
    assert acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT display_name FROM users WHERE username = 'agent'").fetchone()[0]) != "a\x7fb"


async def test_changes_are_audited_with_before_and_after(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "admin")
    status, answer = await call(client, csrf, "/api/admin/users/agent", {"role": "lead", "team": "night"})
    assert status == 200 and answer["role"] == "lead" and answer["teams"] == ["night"]
    [change] = events(acc_store, "account.updated")
    assert change["actor"] == "admin" and change["subject"] == "user:agent"
    assert change["before"] == {"role": "agent", "team": ""} and change["after"] == {"role": "lead", "team": "night"}


async def test_invite_then_reset_give_one_time_links_and_end_sessions(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "admin")
    status, answer = await call(client, csrf, "/api/admin/users", {"username": "nina", "role": "agent"})
    assert status == 201 and "/set-password?token=" in answer["link"]
    victim = await make_client()
    assert (await post_login(victim, "lead", PASSWORDS["lead"])).status == 303
    status, answer = await call(client, csrf, "/api/admin/users/lead/reset", {})
    assert status == 200 and "/set-password?token=" in answer["link"]
    assert (await victim.get("/api/me")).status == 401  # logged out at once
    assert [e["subject"] for e in events(acc_store, "account.invite")] == ["user:nina"]
    assert [e["subject"] for e in events(acc_store, "account.reset")] == ["user:lead"]


async def test_an_admin_cannot_lock_themselves_or_everyone_out(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "admin")
    status, answer = await call(client, csrf, "/api/admin/users/admin", {"disabled": True})
    assert status == 403 and "yourself" in answer["error"]["message"]
    status, answer = await call(client, csrf, "/api/admin/users/admin", {"role": "agent"})
    assert status == 403


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    acc_store.write_sync(lambda db: create_user(db, "admin2", Role.ADMIN, "second admin passphrase"))
    PASSWORDS["admin2"] = "second admin passphrase"
    try:
        (a, csrf_a), (b, csrf_b) = await signed_in(make_client, "admin"), await signed_in(make_client, "admin2")
        results = await asyncio.gather(call(a, csrf_a, "/api/admin/users/admin2", {"role": "agent"}),
                                       call(b, csrf_b, "/api/admin/users/admin", {"role": "agent"}))
    finally:
        del PASSWORDS["admin2"]
    statuses = sorted(s for s, _ in results)
    assert statuses == [200, 403]  # the second finds its actor already demoted
    admins = acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT count(*) FROM users WHERE role = 'admin'").fetchone()[0])
    assert admins == 1


async def test_own_password_change_ends_other_sessions_only(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "agent")
    other = await make_client()
    assert (await post_login(other, "agent", PASSWORDS["agent"])).status == 303
    status, answer = await call(client, csrf, "/api/account/password", {"current": "wrong one", "new": "x" * 20})
    assert status == 403 and "current password" in answer["error"]["message"]
    status, answer = await call(client, csrf, "/api/account/password",
                                {"current": PASSWORDS["agent"], "new": "password12345"})
    assert status == 400 and "common" in answer["error"]["message"]
    status, answer = await call(client, csrf, "/api/account/password",
                                {"current": PASSWORDS["agent"], "new": "a brand new passphrase"})
    assert status == 200 and "1 other session" in answer["message"]
    assert (await client.get("/api/me")).status == 200 and (await other.get("/api/me")).status == 401


async def test_sessions_page_lists_and_log_out_everywhere(make_client) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "agent")
    other = await make_client()
    assert (await post_login(other, "agent", PASSWORDS["agent"], **{"User-Agent": "Phone <script>"})).status == 303
    state = await (await client.get("/api/account")).json()
    assert len(state["sessions"]) == 2 and sum(s["current"] for s in state["sessions"]) == 1
    page = await (await client.get("/account")).text()
    assert "Phone &lt;script&gt;" in page and "Phone <script>" not in page
    phone = next(s for s in state["sessions"] if not s["current"])
    status, _ = await call(client, csrf, f"/api/account/sessions/{phone['id']}/end", {})
    assert status == 200 and (await other.get("/api/me")).status == 401
    status, answer = await call(client, csrf, "/api/account/sessions/end-all", {})
    assert status == 200 and answer["current"] is True
    assert (await client.get("/api/me")).status == 401


async def test_two_factor_enrolment_checks_the_code(make_client, acc_store) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "lead")
    status, start = await call(client, csrf, "/api/account/two-factor/start", {})
    assert status == 200 and start["uri"].startswith("otpauth://totp/Careline:lead?")
    status, answer = await call(client, csrf, "/api/account/two-factor/enable", {"secret": start["secret"],
                                                                               "code": "12345"})
    assert status == 400
    status, answer = await call(client, csrf, "/api/account/two-factor/enable", {"secret": "not base32!",
                                                                               "code": "123456"})
    assert status == 400 and "secret" in answer["error"]["message"]
    code = pyotp.TOTP(start["secret"]).now()
    status, answer = await call(client, csrf, "/api/account/two-factor/enable", {"secret": start["secret"],
                                                                               "code": code})
    assert status == 200
    assert (await (await client.get("/api/account")).json())["two_factor"] is True
    assert events(acc_store, "account.two_factor")[0]["after"] == "on"


async def test_own_tokens_are_capped_at_the_owner_s_role(make_client) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "agent")
    status, answer = await call(client, csrf, "/api/account/tokens", {"label": "x", "role": "lead"})
    assert status == 403 and "cannot have the lead role" in answer["error"]["message"]
    status, answer = await call(client, csrf, "/api/account/tokens", {"label": "x", "days": "7"})
    assert status == 201 and answer["token"].startswith("clt_")
    status, answer = await call(client, csrf, "/api/account/tokens", {"label": "x", "days": 99999})
    assert status == 400 and "days" in answer["error"]["message"]
    token_id = (await (await client.get("/api/account")).json())["tokens"][0]["id"]
    status, answer = await call(client, csrf, f"/api/account/tokens/{token_id}/revoke", {})
    assert status == 200 and answer["revoked_at"]


async def test_configuration_page_and_sla_preview_follow_business_hours(acc_store) -> None:  # type: ignore[no-untyped-def]
    from aiohttp.test_utils import TestServer

    from careline.app.web.app import create_app
    from careline.settings import load_settings
    from tests.conftest import REPO

    settings = load_settings(REPO / "config" / "careline.example.toml", environ={})
    async with TestClient(TestServer(create_app(settings, acc_store))) as client:
        assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303
        page = await (await client.get("/admin/config")).text()
        assert 'data-policy="standard"' in page and "Europe/London" in page and "2026-12-25" in page
        r = await client.get("/api/admin/sla/preview", params={"policy": "standard", "at": "2026-12-24T16:45"})
        [preview] = (await r.json())["previews"]
        # 15 minutes left on Thursday, then Christmas, Boxing Day and a Sunday closed: Monday 09:45
        assert preview["first_response"] == "2026-12-28T09:45+00:00"
        assert (await client.get("/api/admin/sla/preview", params={"at": "soon"})).status == 400
        for far in ("9999-12-31", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"):  # were 500s
            r = await client.get("/api/admin/sla/preview", params={"at": far})
            assert r.status == 400 and "too far from today" in (await r.json())["error"]["message"], far
        assert (await client.get("/api/admin/sla/preview", params={"policy": "nope"})).status == 404
        assert len((await (await client.get("/api/admin/sla/preview")).json())["previews"]) == 2
    lead = TestClient(TestServer(create_app(settings, acc_store)))
    async with lead:
        assert (await post_login(lead, "lead", PASSWORDS["lead"])).status == 303
        assert (await lead.get("/api/admin/sla/preview")).status == 403


async def test_leads_manage_only_their_own_team_and_only_when_allowed(acc_store) -> None:  # type: ignore[no-untyped-def]
    from aiohttp.test_utils import TestServer

    from careline.app.web.accounts import update_account
    from careline.app.web.app import create_app
    from careline.settings import AccountsSettings, Settings

    def setup(db):  # type: ignore[no-untyped-def]
        update_account(db, "admin", "lead", {"team": "night"})
        update_account(db, "admin", "agent", {"team": "night"})
        create_user(db, "dayagent", Role.AGENT, "day agent passphrase", team="day")

    acc_store.write_sync(setup)
    for allowed in (False, True):
        app = create_app(Settings(accounts=AccountsSettings(leads_manage_team=allowed)), acc_store)
        async with TestClient(TestServer(app)) as client:
            assert (await post_login(client, "lead", PASSWORDS["lead"])).status == 303
            page = await client.get("/admin")
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', await page.text())
            if not allowed:
                assert page.status == 403
                continue
            text = await page.text()
            assert 'data-user="agent"' in text and "dayagent" not in text and "API tokens" not in text
            token = csrf.group(1)  # type: ignore[union-attr]
            assert (await call(client, token, "/api/admin/users/dayagent", {"disabled": True}))[0] == 403
            assert (await call(client, token, "/api/admin/users/agent", {"role": "lead"}))[0] == 403
            assert (await call(client, token, "/api/admin/users/admin/reset", {}))[0] == 403
            status, body = await call(client, token, "/api/admin/users/agent", {"disabled": True})
            assert status == 200 and body["disabled_at"]
            status, _ = await call(client, token, "/api/admin/users", {"username": "newbie", "role": "lead"})
            assert status == 403
            status, body = await call(client, token, "/api/admin/users", {"username": "newbie", "role": "agent",
                                                                          "team": "day"})
            assert status == 201 and "link" in body
            assert (await call(client, token, "/api/admin/tokens", {"username": "agent", "label": "x"}))[0] == 403
    teams = dict(acc_store.read_sync(lambda db: db.conn.execute("SELECT username, team FROM team_members").fetchall()))
    assert teams["newbie"] == "night"  # a lead adds to their own team, whatever the body said


async def test_a_webhook_test_delivery_is_signed_and_reported(acc_store, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from careline.app.web.app import create_app
    from careline.settings import ResponderSettings, Settings, WebhookSettings
    from responder.alerts import verify_delivery

    received: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.read(), dict(request.headers)))
        return web.Response(status=204)

    receiver = web.Application()
    receiver.router.add_post("/hook", hook)
    async with TestServer(receiver) as server:
        url = str(server.make_url("/hook"))
        settings = Settings(responder=ResponderSettings(webhooks=[
            WebhookSettings(url=url, secret_env="CARELINE_TEST_HOOK_SECRET"),
            WebhookSettings(url=url + "?unsigned", secret_env="CARELINE_TEST_NO_SUCH_SECRET"),
            WebhookSettings(url=url.replace("127.0.0.1", "127.0.0.2"), secret_env="CARELINE_TEST_HOOK_SECRET")],
            webhook_allow=["127.0.0.1"]))
        monkeypatch.setenv("CARELINE_TEST_HOOK_SECRET", "s3cret")
        monkeypatch.delenv("CARELINE_TEST_NO_SUCH_SECRET", raising=False)
        async with TestClient(TestServer(create_app(settings, acc_store))) as client:
            assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303
            csrf = re.search(r'name="csrf-token" content="([^"]+)"',  # type: ignore[union-attr]
                             await (await client.get("/admin/config")).text()).group(1)
            status, answer = await call(client, csrf, "/api/admin/webhooks/0/test", {})
            assert status == 200 and answer["ok"] and answer["status"] == 204
            status, answer = await call(client, csrf, "/api/admin/webhooks/1/test", {})
            assert status == 409 and "never sends unsigned" in answer["error"]["message"]
            status, answer = await call(client, csrf, "/api/admin/webhooks/2/test", {})  # the alerts' guard too
            assert status == 409 and "not a public address" in answer["error"]["message"]
            assert (await call(client, csrf, "/api/admin/webhooks/7/test", {}))[0] == 404
    [(body, headers)] = received
    assert json.loads(body)["event"] == "test" and verify_delivery("s3cret", body, headers)["event"] == "test"
    assert events(acc_store, "webhook.tested")[0]["result"] == "HTTP 204"


@contextlib.asynccontextmanager
async def templates_admin(acc_store) -> AsyncIterator[tuple[TestClient, str, str]]:  # type: ignore[no-untyped-def]
    """An admin signed in on /admin/templates of a one-brand app (with an intent of its own): (client, the page,
    its CSRF token)."""
    from aiohttp.test_utils import TestServer

    from careline.app.web.app import create_app
    from careline.settings import BrandSettings, Settings

    settings = Settings(brands=[BrandSettings(name="skylark", display_name="Skylark Air", keywords=["skylark"],
                                              intents={"lost_baggage": ["my bag is lost", "baggage did not arrive"]})])
    async with TestClient(TestServer(create_app(settings, acc_store))) as client:
        assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303
        page = await (await client.get("/admin/templates")).text()
        yield client, page, re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize(("template", "expect"), [
    ("", 200),
    ("{{ greeting }} {{ name }}, sorry about that. Please {{ dm }} with {{ case_ref }}.{{ sign_off }}", 200),
    ("As we already explained, {{ name }}, this is our policy.", 200),  # renders; the tone check flags it
    ("{{ nmae }}", 400),  # a typo is an error, not an empty string
    ("{{ ''.__class__.__mro__ }}", 400),  # the sandbox
    ("{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}", 400),
    ("{{ 'x' * 1000000000 }}", 400), ("{{ 10 ** 10000000 }}", 400), ("{% if %}", 400),
    ("{{ lipsum(n=2000, min=20, max=100) }}", 400), ("{{ name|center(5000000) }}", 400),  # calls, growing filters
    ("{{ name.center(5000000) }}", 400), ("{{ name|upper }}, {{ sign_off|trim }}", 200),
])
async def test_template_preview_is_sandboxed_and_tone_checked(acc_store, template: str, expect: int) -> None:  # type: ignore[no-untyped-def]
    async with templates_admin(acc_store) as (client, _page, csrf):
        status, answer = await call(client, csrf, "/api/admin/templates/preview", {
            "brand": "skylark", "intent": "delivery", "platform": "x", "template": template})
    assert status == expect, answer
    if expect == 200:
        assert answer["length"] <= answer["limit"] == 280 and "Skylark" not in answer.get("error", "")
        assert answer["tone"]["defensive"] == ("already explained" in template)


async def test_the_built_in_templates_of_other_languages_are_listed_with_the_brands_own(acc_store) -> None:  # type: ignore[no-untyped-def]
    """An admin sees what a Thai customer is sent, and which intents the brand replaced in Thai."""
    async with templates_admin(acc_store) as (client, page, csrf):
        assert '<details class="language-templates" id="lang-th"><summary>Thai <small>(th)</small>' in page
        assert page.index("<summary>Arabic") < page.index("<summary>Chinese") < page.index("<summary>Thai")
        assert 'lang="th" dir="auto">{{ greeting }}{% if name %} คุณ{{ name }}' in page
        assert 'lang="ar" dir="rtl">{{ greeting }} {{ name }}،' in page  # Arabic reads right to left
        status, answer = await call(client, csrf, "/api/admin/settings/templates", {
            "brand": "skylark", "language": "th", "intent": "praise", "template": "ขอบคุณครับ {{ name }}"})
        assert status in (200, 201), answer
        page = await (await client.get("/admin/templates")).text()
    assert "<summary>Thai <small>(th) · skylark's own: praise</small>" in page


async def test_the_preview_shows_what_a_post_in_another_language_gets(acc_store) -> None:  # type: ignore[no-untyped-def]
    async with templates_admin(acc_store) as (client, page, csrf):
        assert 'id="tp-language" name="language" list="ts-language-list"' in page

        async def preview(language: str, template: str = "") -> tuple[int, dict]:
            return await call(client, csrf, "/api/admin/templates/preview", {
                "brand": "skylark", "intent": "billing", "platform": "x", "language": language, "template": template})

        status, th = await preview("th")  # the built-in Thai template, checked in Thai
        assert status == 200 and th["language"] == "th" and th["text"].startswith("สวัสดีค่ะ คุณPriya")
        assert th["tone"]["language"] == "th" and th["tone"]["findings"] == [] and th["tone"]["checked"] is False
        status, own = await preview("th", "ตามนโยบายของบริษัท คุณ{{ name }} รอได้เลย")  # the brand's own, flagged
        assert status == 200 and own["text"].startswith("ตามนโยบายของบริษัท คุณPriya")
        assert [f["category"] for f in own["tone"]["findings"]] == ["policy_hiding"]
        status, sv = await preview("sv")  # no Swedish template: the English one, and the note says so
        assert status == 200 and sv["language"] == "en" and "no Swedish template" in sv["message"]
        status, bad = await preview("xx")
        assert status == 400 and "not a code we know" in bad["error"]["message"]


async def test_an_admins_lead_scoped_token_manages_accounts_as_a_lead(acc_store) -> None:  # type: ignore[no-untyped-def]
    """The token's role is the ceiling: it used to pass the lead check at the route and then act with the
    owner's stored admin role (promoting a lead to admin, resetting agents of other teams)."""
    from aiohttp.test_utils import TestServer

    from careline.app.web.accounts import create_token
    from careline.app.web.app import create_app
    from careline.settings import AccountsSettings, Settings

    token = acc_store.write_sync(lambda db: create_token(db, "admin", "scoped", role=Role.LEAD))
    app = create_app(Settings(accounts=AccountsSettings(leads_manage_team=True)), acc_store)
    bearer = {"Authorization": f"Bearer {token}"}
    async with TestClient(TestServer(app)) as client:
        r = await client.post("/api/admin/users/lead", json={"role": "admin"}, headers=bearer)
        assert r.status == 403
        assert (await client.post("/api/admin/users/agent/reset", json={}, headers=bearer)).status == 403
    roles = dict(acc_store.read_sync(lambda db: db.conn.execute("SELECT username, role FROM users").fetchall()))
    assert roles["lead"] == "lead"


# -- turning off someone's two-factor (lost authenticator, no recovery code left) ---------------------------
async def two_factor_login(client: TestClient, user: str, secret: str) -> int:
    """Password, then a current code of ``secret``: the status of the code step (303 when signed in)."""
    page = await (await post_login(client, user, PASSWORDS[user])).text()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    r = await client.post("/login/code", data={"pending": pending, "code": pyotp.TOTP(secret).now(),
                                               "csrf_token": token}, allow_redirects=False)
    return r.status


def lost_everything(acc_store, user: str) -> str:  # type: ignore[no-untyped-def]
    """``user`` with two-factor on and nine of ten recovery codes spent (the tenth lost with the phone): only SQL
    got them back in before."""
    from careline.app.web.accounts import new_recovery_codes, set_totp, use_recovery_code
    from careline.app.web.accounts import recovery_code as stored_form

    secret = pyotp.random_base32()
    acc_store.write_sync(lambda db: set_totp(db, user, user, secret))
    for code in acc_store.write_sync(lambda db: new_recovery_codes(db, user, user))[:9]:
        assert acc_store.write_sync(lambda db, c=code: use_recovery_code(db, user, stored_form(c) or "")) is not None
    return secret


def two_factor_rows(acc_store, user: str) -> tuple[bool, int, int]:  # type: ignore[no-untyped-def]
    """(a secret is stored, recovery codes stored, live sessions) for ``user``."""
    return acc_store.read_sync(lambda db: (
        db.conn.execute("SELECT totp_secret IS NOT NULL FROM users WHERE username = ?", (user,)).fetchone()[0] == 1,
        db.conn.execute("SELECT count(*) FROM totp_recovery_codes WHERE username = ?", (user,)).fetchone()[0],
        db.conn.execute("SELECT count(*) FROM web_sessions WHERE username = ?", (user,)).fetchone()[0]))


async def test_an_admin_turns_off_a_members_two_factor_audited_and_ending_their_sessions(make_client,  # type: ignore[no-untyped-def]
                                                                                          acc_store) -> None:
    secret = lost_everything(acc_store, "agent")
    phone = await make_client()
    assert await two_factor_login(phone, "agent", secret) == 303  # a session from before the phone was lost
    client, csrf = await signed_in(make_client, "admin")
    page = await (await client.get("/admin")).text()
    assert page.count("/two-factor/reset") == 1 and 'data-confirm="Turn off two-factor sign-in for agent?' in page
    for body, status, words in (({}, 400, "confirm is required"), ({"confirm": "lead"}, 422, "repeat the username"),
                                ({"confirm": 7}, 400, "confirm must be a string")):
        got, answer = await call(client, csrf, "/api/admin/users/agent/two-factor/reset", body)
        assert got == status and words in answer["error"]["message"], answer
    assert two_factor_rows(acc_store, "agent") == (True, 10, 1)  # a refused request changed nothing
    assert (await call(client, csrf, "/api/admin/users/nobody/two-factor/reset", {"confirm": "nobody"}))[0] == 404

    status, answer = await call(client, csrf, "/api/admin/users/agent/two-factor/reset", {"confirm": "agent"})
    assert status == 200 and answer["recovery_codes_ended"] == 1 and answer["sessions_ended"] == 1, answer
    assert two_factor_rows(acc_store, "agent") == (False, 0, 0)
    assert (await phone.get("/api/me")).status == 401  # their session ended
    [event] = events(acc_store, "account.two_factor_reset")
    assert event == {"actor": "admin", "subject": "user:agent", "via": "admin page", "recovery_codes": 1,
                     "sessions": 1}
    trail = await (await client.get("/admin")).text()
    assert "account.two_factor_reset" in trail and "/two-factor/reset" not in trail  # no button once it is off
    assert (await post_login(await make_client(), "agent", PASSWORDS["agent"])).status == 303  # the password alone
    status, answer = await call(client, csrf, "/api/admin/users/agent/two-factor/reset", {"confirm": "agent"})
    assert status == 409 and "already off" in answer["error"]["message"]


async def test_turning_off_two_factor_follows_the_account_rules(acc_store) -> None:  # type: ignore[no-untyped-def]
    """A lead only for the agents of their team (and only with leads_manage_team), never for an admin; an admin
    on themselves only with their password (a browser left open must not strip its owner's second factor)."""
    from aiohttp.test_utils import TestServer

    from careline.app.web.app import create_app
    from careline.settings import AccountsSettings, Settings

    lost_everything(acc_store, "agent")
    secret = lost_everything(acc_store, "admin")
    acc_store.write_sync(lambda db: (update_account(db, "admin", "lead", {"team": "night"}),
                                     update_account(db, "admin", "agent", {"team": "night"})))
    for allowed in (False, True):
        app = create_app(Settings(accounts=AccountsSettings(leads_manage_team=allowed)), acc_store)
        async with TestClient(TestServer(app)) as lead:
            assert (await post_login(lead, "lead", PASSWORDS["lead"])).status == 303
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', await (await lead.get("/account")).text())
            token = csrf.group(1)  # type: ignore[union-attr]
            status, _ = await call(lead, token, "/api/admin/users/admin/two-factor/reset", {"confirm": "admin"})
            assert status == 403
            status, _ = await call(lead, token, "/api/admin/users/agent/two-factor/reset", {"confirm": "agent"})
            assert status == (200 if allowed else 403)
    assert [two_factor_rows(acc_store, n)[0] for n in ("agent", "admin")] == [False, True]

    async with TestClient(TestServer(create_app(Settings(), acc_store))) as admin:
        assert await two_factor_login(admin, "admin", secret) == 303
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', await (await admin.get("/admin")).text())
        token = csrf.group(1)  # type: ignore[union-attr]
        for body in ({"confirm": "admin"}, {"confirm": "admin", "current": "not my password at all"}):
            status, answer = await call(admin, token, "/api/admin/users/admin/two-factor/reset", body)
            assert status in (400, 403) and two_factor_rows(acc_store, "admin")[0], answer
        status, answer = await call(admin, token, "/api/admin/users/admin/two-factor/reset",
                                    {"confirm": "admin", "current": PASSWORDS["admin"]})
        assert status == 200 and answer["sessions_ended"] == 0, answer
        assert (await admin.get("/api/me")).status == 200  # the session that gave the password stays
    assert [e["actor"] for e in events(acc_store, "account.two_factor_reset")] == ["lead", "admin"]


async def test_two_admins_turning_off_one_persons_two_factor_at_once_audit_one_reset(make_client,  # type: ignore[no-untyped-def]
                                                                                     acc_store) -> None:
    lost_everything(acc_store, "agent")
    acc_store.write_sync(lambda db: create_user(db, "admin2", Role.ADMIN, "second admin passphrase"))
    PASSWORDS["admin2"] = "second admin passphrase"
    try:
        (a, csrf_a), (b, csrf_b) = await signed_in(make_client, "admin"), await signed_in(make_client, "admin2")
        results = await asyncio.gather(
            call(a, csrf_a, "/api/admin/users/agent/two-factor/reset", {"confirm": "agent"}),
            call(b, csrf_b, "/api/admin/users/agent/two-factor/reset", {"confirm": "agent"}))
    finally:
        del PASSWORDS["admin2"]
    assert sorted(s for s, _ in results) == [200, 409], results  # the second finds it off already
    assert len(events(acc_store, "account.two_factor_reset")) == 1
    assert two_factor_rows(acc_store, "agent") == (False, 0, 0)


async def test_a_person_half_way_through_signing_in_during_the_reset_starts_again_without_a_code(  # type: ignore[no-untyped-def]
        make_client, acc_store) -> None:
    """Password given, code step open, then the admin's reset: the old secret's code opens nothing."""
    from careline.app.web.accounts import accept_totp_step

    secret = lost_everything(acc_store, "agent")
    person = await make_client()
    page = await (await post_login(person, "agent", PASSWORDS["agent"])).text()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    admin, csrf = await signed_in(make_client, "admin")
    assert (await call(admin, csrf, "/api/admin/users/agent/two-factor/reset", {"confirm": "agent"}))[0] == 200
    r = await person.post("/login/code", data={"pending": pending, "code": pyotp.TOTP(secret).now(),
                                               "csrf_token": token}, allow_redirects=False)
    assert r.status == 401 and (await person.get("/api/me")).status == 401
    assert two_factor_rows(acc_store, "agent") == (False, 0, 0)
    # a code checked just before the reset and recorded just after it is refused at the write
    step = pyotp.TOTP(secret).timecode(datetime.now(UTC)) + 1
    assert acc_store.write_sync(lambda db: accept_totp_step(db, "agent", step)) is False
    assert (await post_login(person, "agent", PASSWORDS["agent"])).status == 303  # then the password alone


async def test_a_reset_landing_between_the_code_and_the_session_leaves_no_session(  # type: ignore[no-untyped-def]
        make_client, acc_store, monkeypatch) -> None:
    """The code and the session were two writes: an admin's reset committed between them ended every session but
    the one about to start, which the old secret's code then opened. The store runs the reset right after the
    sign-in's first write, which is where a real one can land (writes are serialised)."""
    from careline.app.web.accounts import reset_two_factor

    secret = lost_everything(acc_store, "agent")
    person = await make_client()
    page = await (await post_login(person, "agent", PASSWORDS["agent"])).text()
    pending = re.search(r'name="pending" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    real, resets = acc_store.write, []

    async def write(fn):  # type: ignore[no-untyped-def]
        out = await real(fn)
        if not resets:
            resets.append(await real(lambda db: reset_two_factor(db, "admin", "agent", via="admin page")))
        return out

    monkeypatch.setattr(acc_store, "write", write)
    await person.post("/login/code", data={"pending": pending, "code": pyotp.TOTP(secret).now(), "csrf_token": token},
                      allow_redirects=False)
    monkeypatch.undo()
    assert resets and two_factor_rows(acc_store, "agent") == (False, 0, 0)
    assert (await person.get("/api/me")).status == 401  # whatever the answer said, no session outlived the reset


async def test_the_account_events_read_in_the_team_s_zone_to_the_second(acc_store) -> None:  # type: ignore[no-untyped-def]
    """The admin's events said "When (UTC)" while every other time on the pages reads in service.timezone."""
    from dataclasses import replace
    from zoneinfo import ZoneInfo

    from aiohttp.test_utils import TestServer

    from careline.app.web.app import create_app
    from careline.domain import from_iso
    from careline.settings import Settings

    settings = Settings()
    settings = replace(settings, service=replace(settings.service, timezone="Asia/Kolkata"))
    async with TestClient(TestServer(create_app(settings, acc_store))) as client:
        assert (await post_login(client, "admin", PASSWORDS["admin"])).status == 303
        page = await (await client.get("/admin")).text()
    [(at,)] = acc_store.read_sync(lambda db: db.conn.execute(
        "SELECT at FROM events WHERE kind = 'login.succeeded'").fetchall())
    shown = from_iso(at).astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%d %H:%M:%S")
    assert "When <small>(Asia/Kolkata)</small>" in page and "When (UTC)" not in page
    assert f'<time datetime="{at}">{shown}</time>' in page, page


async def test_the_template_preview_offers_each_platform_once(acc_store) -> None:  # type: ignore[no-untyped-def]
    """"twitter" and "x" were both offered: X's old name read as a sixth platform."""
    async with templates_admin(acc_store) as (_client, page, _csrf):
        offered = re.findall(r"<option>([a-z]+)</option>", page.split('id="tp-platform"', 1)[1].split("</select>")[0])
    assert offered == ["bluesky", "mastodon", "reddit", "x"]


async def test_a_brands_own_intent_gets_a_template_of_its_own(acc_store) -> None:  # type: ignore[no-untyped-def]
    """The demo's lost_baggage was tagged on posts, but its template could not be saved ("unknown intent"): a lost
    bag was answered with "send us your order number and a photo"."""
    async with templates_admin(acc_store) as (client, page, csrf):
        assert "<option>lost_baggage</option>" in page
        assert "none yet: the other template" in page  # the catalogue row of the intent before it has one
        template = "{{ greeting }} {{ name }}, so sorry your bag went missing. Please {{ dm }} your tag number."
        status, preview = await call(client, csrf, "/api/admin/templates/preview", {
            "brand": "skylark", "intent": "lost_baggage", "platform": "x", "template": template})
        assert status == 200 and "bag went missing" in preview["text"], preview
        status, answer = await call(client, csrf, "/api/admin/settings/templates", {
            "brand": "skylark", "intent": "lost_baggage", "template": template})
        assert status in (200, 201), answer
        page = await (await client.get("/admin/templates")).text()
        assert "none yet: the other template" not in page
        status, answer = await call(client, csrf, "/api/admin/settings/templates", {
            "brand": "skylark", "intent": "lost_luggage", "template": template})
        assert status == 400 and "unknown intent 'lost_luggage'" in answer["error"]["message"], answer


async def test_the_account_events_read_as_words_with_their_letters(acc_store) -> None:  # type: ignore[no-untyped-def]
    """The details column showed the stored JSON, a name such as "Zoë Ångström 山田" as \\u escapes."""
    async with templates_admin(acc_store) as (client, _page, csrf):
        status, answer = await call(client, csrf, "/api/admin/users", {
            "username": "zoe", "role": "agent", "display_name": "Zoë Ångström 山田"})
        assert status in (200, 201), answer
        page = await (await client.get("/admin")).text()
    audit = page.split('id="audit"', 1)[1]
    assert "Zoë Ångström 山田" in audit and "\\u00eb" not in audit and "&#34;" not in audit
    assert "role: agent" in audit


def test_event_data_reads_as_key_value_pairs() -> None:
    from careline.app.web.app import readable_data

    assert readable_data('{"before": null, "after": {"role": "lead", "teams": ["a", "b"]}}') == (
        "before: none; after: (role: lead, teams: [a, b])")
    assert readable_data("not json") == "not json" and readable_data("{}") == "—"


async def test_customise_starts_the_save_form_from_the_template_in_use(acc_store) -> None:  # type: ignore[no-untyped-def]
    """The save form started empty: an admin retyped a default to change one word of it."""
    from responder.drafts import DEFAULT_TEMPLATES

    async with templates_admin(acc_store) as (client, page, _csrf):
        assert 'href="/admin/templates?brand=skylark&amp;intent=billing#customise"' in page
        assert '<textarea id="ts-text" name="template" rows="4" maxlength="4000" required></textarea>' in page
        page = await (await client.get("/admin/templates?brand=skylark&intent=billing")).text()
        assert "<option selected>billing</option>" in page.split('id="ts-intent"', 1)[1].split("</select>", 1)[0]
        form = page.split('id="ts-text"', 1)[1].split("</textarea>", 1)[0].split(">", 1)[1]
        assert html.unescape(form) == DEFAULT_TEMPLATES["billing"]
        odd = await client.get("/admin/templates?brand=nobody&intent=<b>")  # not a row: the empty form, no error
        assert odd.status == 200
        status, answer = await call(client, _csrf, "/api/admin/settings/templates", {
            "brand": "skylark", "intent": "billing", "template": "Sorry about the bill, {{ name }}."})
        assert status in (200, 201), answer
        status, again = await call(client, _csrf, "/api/admin/settings/templates", {  # a second new one of that key
            "brand": "skylark", "intent": "billing", "template": "Sorry!"})
        assert status == 409 and again["error"]["message"].startswith(
            "the reply template 'skylark/billing' already exists: change it where it is listed"), again
        page = await (await client.get("/admin/templates?brand=skylark&intent=billing")).text()
        # saved already: Customise opens its own form (a new one of its key was refused), the new form stays empty
        assert '<details class="edit" data-item="skylark/billing" open id="customise">' in page
        assert page.split('id="ts-text"', 1)[1].split("</textarea>", 1)[0].endswith("required>")
