"""Settings: documented, validated at start, secrets only from the environment."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from careline.errors import ConfigError
from careline.settings import describe, load_settings
from tests.conftest import REPO

EXAMPLE = REPO / "config" / "careline.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "c.toml"
    p.write_text(text)
    return p


def test_example_and_demo_configs_load() -> None:
    s = load_settings(EXAMPLE, environ={})
    assert s.brands[0].name == "acme" and s.sla.policies[1].calendar == "support"
    demo = load_settings(REPO / "config" / "demo.toml", environ={})
    assert [b.name for b in demo.brands] == ["skylark", "brightwave"]


def test_example_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    missing = [key for key, _help, _default in describe()
               if not re.search(rf"^#? ?{re.escape(key.rsplit('.', 1)[-1])}[ :=]", text, re.M)]
    assert missing == []


def test_every_key_has_help() -> None:
    assert all(help_text for _k, help_text, _d in describe())


def test_every_number_has_bounds() -> None:
    """A number with no most (an interval of 10**20 seconds) passed the check and broke the job it set."""
    import dataclasses
    import typing

    from careline.settings import Settings

    unbounded: list[str] = []

    def walk(cls: type, prefix: str) -> None:
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            tp = hints[f.name]
            item = typing.get_args(tp)[-1] if typing.get_origin(tp) in (list, dict) else tp
            if dataclasses.is_dataclass(item):
                walk(item, f"{prefix}{f.name}.")  # type: ignore[arg-type]
            elif tp in (int, float) and not {"min", "max"} <= set(f.metadata):
                unbounded.append(prefix + f.name)

    walk(Settings, "")
    assert unbounded == []


@pytest.mark.parametrize(("text", "key", "reason"), [
    ("[service]\nport = 'eighty'", "service.port", "expected an integer"),
    ("[service]\nport = 70000", "service.port", "at most 65535"),
    ("[service]\nprot = 1", "service.prot", "unknown key"),
    ("[classifier]\nkind = 'gpt'", "classifier.kind", "must be one of"),
    ("[sources.x]\nbearer_token = 'abc'", "sources.x.bearer_token", "CARELINE_X_BEARER_TOKEN"),
    ("[[brands]]\nname = 'Bad Name'\nkeywords = ['x']", "brands[0].name", "lower-case"),
    ("[[brands]]\nname = 'a'", "brands[0]", "needs keywords"),
    ("[service]\ntimezone = 'Mars/Olympus'", "service.timezone", "unknown time zone"),
    ("[[sla.policies]]\nname = 'p'\ncalendar = 'nope'", "sla.policies[0].calendar", "no calendar"),
    ("[[sla.calendars]]\nname='c'\nhours = { mon = '9-5' }", "sla.calendars[0].hours.mon", "HH:MM-HH:MM"),
    ("not toml [", "<file>", "not valid TOML"),
    # nan passed every range check, and X's budget of nan never ran out: the spending cap was off
    ("[sources.x]\ndaily_budget_usd = nan", "sources.x.daily_budget_usd", "expected a finite number"),
    ("[sources.x]\ncost_per_post_usd = inf", "sources.x.cost_per_post_usd", "expected a finite number"),
    # saved in the browser, it stopped every Reddit poller ("Python int too large to convert to C int") while
    # /health said ok
    ("[sources.reddit]\ninterval_seconds = 99999999999999999999", "sources.reddit.interval_seconds",
     "at most 86400"),
    # went into every suggested reply, far over every platform's limit
    ("[[brands]]\nname = 'a'\nkeywords = ['a']\npromise = '" + "soon " * 1000 + "'", "brands[0].promise",
     "at most 100 characters, got 5000"),
    ("[[brands]]\nname = 'a'\nkeywords = ['a']\n[responder.templates]\n'a/billing' = '" + "x" * 4001 + "'",
     "responder.templates.a/billing", "at most 4000 characters, got 4001"),
])
def test_invalid_config_names_key_and_reason(tmp_path: Path, text: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), environ={})
    assert err.value.key == key
    assert reason in str(err.value)


BRAND_A = "[[brands]]\nname = 'a'\nkeywords = ['x']\n"


@pytest.mark.parametrize(("text", "key", "reason"), [
    # each passed the check and then broke something later: run stopped with a traceback, or a rule matched nothing
    ("[[sla.calendars]]\nname = 'c'\nholidays = ['christmas']", "sla.calendars[0].holidays[0]", "YYYY-MM-DD"),
    ("[[sla.calendars]]\nname = 'c'\nholidays = ['2026-13-45']", "sla.calendars[0].holidays[0]", "YYYY-MM-DD"),
    ("[[sla.calendars]]\nname = 'c'\n[[sla.calendars]]\nname = 'c'", "sla.calendars[1].name", "defined twice"),
    ("[[sla.policies]]\nname = ''", "sla.policies[0].name", "needs a name"),
    ("[[sla.policies]]\nname = 'p'\n[[sla.policies]]\nname = 'p'", "sla.policies[1].name", "defined twice"),
    ("[[sla.policies]]\nname = 'standard'\n[[sla.policies]]\nname = 'Standard'", "sla.policies[1].name",
     "'Standard' differs from 'standard' only in case"),
    ("[[sla.calendars]]\nname = 'UK'\n[[sla.calendars]]\nname = 'uk'", "sla.calendars[1].name", "only in case"),
    ("[[sla.policies]]\nname = ' vip'", "sla.policies[0].name", "no spaces at the ends"),
    ("[[sla.policies]]\nname = 'urgent'\nfirst_response_minutes = 15\nresolution_minutes = 5",
     "sla.policies[0].resolution_minutes", "5 is less than the first response target (15)"),
    ('[[sla.policies]]\nname = "v\\u0007ip"', "sla.policies[0].name", "no control characters"),
    ("[[sla.policies]]\nname = 'p'\npriorities = ['critical']", "sla.policies[0].priorities[0]",
     "no priority 'critical'; expected one of urgent, high, normal, low"),
    ("[[sla.policies]]\nname = 'p'\nplatforms = ['tiktok']", "sla.policies[0].platforms[0]", "no platform"),
    (BRAND_A + "[[sla.policies]]\nname = 'p'\nbrands = ['b']", "sla.policies[0].brands[0]",
     "no brand 'b'; expected one of a"),
    ("[responder]\napproval_priorities = ['asap']", "responder.approval_priorities[0]", "no priority 'asap'"),
    ("[[responder.webhooks]]\nurl = 'https://hooks.example.com/x'\nevents = ['breech']",
     "responder.webhooks[0].events[0]", "no event 'breech'"),
    (BRAND_A + "languages = ['english']", "brands[0].languages[0]", "write 'en'"),
    (BRAND_A + "languages = ['xx']", "brands[0].languages[0]", "not a language code"),
    (BRAND_A + "x_user_id = '@acme'", "brands[0].x_user_id", "numeric"),
    (BRAND_A + "mastodon_instance = 'not a url'", "brands[0].mastodon_instance", "https URL"),
    (BRAND_A + BRAND_A, "brands[1].name", "defined twice"),  # the second one, not the first
])
def test_values_that_select_by_name_must_name_something(tmp_path: Path, text: str, key: str, reason: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, text), environ={})
    assert err.value.key == key, err.value
    assert reason in str(err.value)


def test_environment_overrides_and_secrets(tmp_path: Path) -> None:
    env = {"CARELINE_SERVICE__PORT": "9001", "CARELINE_SOURCES__X__ENABLED": "false",
           "CARELINE_X_BEARER_TOKEN": "sekrit", "CARELINE_REDDIT_PASSWORD": "pw"}
    s = load_settings(write(tmp_path, "[service]\nport = 8000"), environ=env)
    assert s.service.port == 9001
    assert s.sources.x.enabled is False
    assert s.sources.x.bearer_token == "sekrit"
    assert s.sources.reddit.password == "pw"


def test_a_file_may_write_numbers_and_switches_as_the_environment_does(tmp_path: Path) -> None:
    """``port = "8080"`` was taken (the environment's values are all text) while ``round_robin = 1`` was
    refused; now 0 and 1 are switches too, and anything else still names the key."""
    s = load_settings(write(tmp_path, '[service]\nport = "8081"\n[responder]\nround_robin = 0'), environ={})
    assert (s.service.port, s.responder.round_robin) == (8081, False)
    assert load_settings(write(tmp_path, "[responder]\nround_robin = 1"), environ={}).responder.round_robin is True
    with pytest.raises(ConfigError, match="expected true or false, got 2") as err:
        load_settings(write(tmp_path, "[responder]\nround_robin = 2"), environ={})
    assert err.value.key == "responder.round_robin"


def test_bad_environment_value_names_the_key() -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(None, environ={"CARELINE_SERVICE__PORT": "abc"})
    assert err.value.key == "service.port"
    with pytest.raises(ConfigError, match="expected a finite number"):
        load_settings(None, environ={"CARELINE_SOURCES__X__DAILY_BUDGET_USD": "nan"})


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", environ={})


@pytest.mark.parametrize("url", ["https://hooks.example.com/a?b=c", "http://127.0.0.1:9000/hook", "http://[::1]/h",
                                 "https://münchen.de/h", "http://x.example.", "http://localhost:8080/"])
def test_webhook_urls_that_can_be_reached_are_accepted(tmp_path: Path, url: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[[responder.webhooks]]\nurl = "{url}"\n', encoding="utf-8")
    assert load_settings(path).responder.webhooks[0].url == url


def test_public_url_must_be_an_http_url_with_a_host(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"responder\.public_url.*http\(s\) address"):
        load_settings(write(tmp_path, '[responder]\npublic_url = "care.example.com"\n'), environ={})
    ok = load_settings(write(tmp_path, '[responder]\npublic_url = "https://care.example.com"\n'), environ={})
    assert ok.responder.public_url == "https://care.example.com"


def test_survey_in_reply_without_a_public_url_is_warned_about(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import careline.settings

    monkeypatch.setattr(careline.settings, "_WARNED", set())
    brand = '[[brands]]\nname = "acme"\nkeywords = ["acme"]\nsurvey_in_reply = true\n'
    load_settings(write(tmp_path, brand + '[responder]\nsurvey = "csat"\n'), environ={})
    assert "survey links stay out of closing replies" in caplog.text and "acme" in caplog.text
    load_settings(write(tmp_path, brand + '[responder]\nsurvey = "csat"\n'), environ={})  # a command loads twice
    assert caplog.text.count("survey links stay out of closing replies") == 1
    caplog.clear()
    load_settings(write(tmp_path, brand + '[responder]\nsurvey = "csat"\npublic_url = "https://care.example.com"\n'),
                  environ={})
    assert "survey_in_reply" not in caplog.text


def test_a_template_may_name_its_brands_own_intent_and_no_other_brands(tmp_path: Path) -> None:
    brands = ("[[brands]]\nname = 'skylark'\nkeywords = ['x']\nintents = { lost_baggage = ['my bag is lost'] }\n"
              "[[brands]]\nname = 'brightwave'\nkeywords = ['y']\n")
    ok = load_settings(write(tmp_path, brands + "[responder.templates]\n'skylark/lost_baggage' = 'Sorry {{ name }}'\n"),
                       environ={})
    assert "skylark/lost_baggage" in ok.responder.templates
    with pytest.raises(ConfigError) as err:
        load_settings(write(tmp_path, brands + "[responder.templates]\n'brightwave/lost_baggage' = 'Sorry'\n"),
                      environ={})
    assert "unknown intent 'lost_baggage'" in str(err.value)
