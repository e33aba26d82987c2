"""The admin and account JSON API: validation in the one error shape, audit with before and after,
and rules that hold when admins act at the same moment."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncIterator

import pyotp
import pytest
from aiohttp.test_utils import TestClient

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


@pytest.mark.parametrize(("body", "message"), [
    ({"username": "", "role": "agent"}, "username is required"),
    ({"username": "x y", "role": "agent"}, "username must be"),
    ({"username": "nina", "role": "boss"}, "role must be one of"),
    ({"username": "nina", "role": "agent", "password": "short"}, "at least 12"),
    ({"username": "nina", "role": "agent", "password": 123456789012}, "password must be a string"),
    ({"username": "nina", "role": "agent", "team": "x" * 201}, "at most 200"),
    ({"username": "nina", "role": "agent", "team": "night/<b>"}, "team name is"),
    ({"username": "agent", "role": "agent", "password": "a fine long passphrase"}, "already exists"),
])
async def test_bad_input_is_a_clear_4xx_and_changes_nothing(make_client, acc_store, body, message) -> None:  # type: ignore[no-untyped-def]
    client, csrf = await signed_in(make_client, "admin")
    status, answer = await call(client, csrf, "/api/admin/users", body)
    assert 400 <= status < 500 and message in answer["error"]["message"], answer
    assert acc_store.read_sync(lambda db: db.conn.execute("SELECT count(*) FROM users").fetchone()[0]) == 3
    r = await client.post("/api/admin/users", data="{not json", headers={"X-CSRF-Token": csrf})
    assert r.status == 400 and (await r.json())["error"]["message"] == "the body must be a JSON object"


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
    """An admin signed in on /admin/templates of a one-brand app: (client, the page, its CSRF token)."""
    from aiohttp.test_utils import TestServer

    from careline.app.web.app import create_app
    from careline.settings import BrandSettings, Settings

    settings = Settings(brands=[BrandSettings(name="skylark", display_name="Skylark Air", keywords=["skylark"])])
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
