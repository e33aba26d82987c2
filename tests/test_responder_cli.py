"""``careline sla due`` and ``careline tone-check`` through the real top-level command group."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from careline.app import cli as careline_cli
from careline.app.commands.respond import COMMANDS

CONFIG = """
[[sla.calendars]]
name = "office"
timezone = "America/New_York"
hours = { mon = "09:00-17:00", tue = "09:00-17:00", wed = "09:00-17:00", thu = "09:00-17:00", fri = "09:00-17:00" }
holidays = ["2026-03-17"]

[[sla.policies]]
name = "standard"
first_response_minutes = 30
next_response_minutes = 60
resolution_minutes = 600
calendar = "office"

[[sla.policies]]
name = "always"
first_response_minutes = 30
"""


@pytest.fixture(scope="module")
def cli():
    careline_cli._load_stage_commands()
    assert {c.name for c in COMMANDS} <= set(careline_cli.cli.commands)
    return careline_cli.cli


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "careline.toml"
    path.write_text(CONFIG)
    return str(path)


def test_sla_due_friday_example(cli, config: str) -> None:
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "standard",
                                      "--at", "2026-03-13T16:45"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "calendar office (America/New_York)" in lines[0]
    assert "first_response  Mon 2026-03-16 09:15 EDT  (30 min)" in lines
    assert "resolution      Wed 2026-03-18 10:45 EDT  (600 min)" in lines  # Tuesday is a holiday


def test_sla_due_json_and_offsets(cli, config: str) -> None:
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "always",
                                      "--at", "2026-03-13T16:45:00Z", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["first_response"] == {"minutes": 30, "due": "2026-03-13T17:15:00+00:00"}
    assert data["timezone"] == "UTC"


def test_sla_due_reads_config_from_environment(cli, config: str) -> None:
    result = CliRunner(env={"CARELINE_CONFIG": config}).invoke(
        cli, ["sla", "due", "--policy", "standard", "--at", "2026-03-13T16:45"])
    assert result.exit_code == 0, result.output


def test_sla_due_unknown_policy_and_bad_time(cli, config: str) -> None:
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "gold", "--at", "2026-03-13"])
    assert result.exit_code == 2  # a usage error naming the option, not "config error at 'sla.policies'"
    assert "Invalid value for '--policy': no policy named 'gold' (known: standard, always)" in result.output
    # 02:30 on 8 March 2026 never happened in New York (the clocks went from 02:00 to 03:00): it was moved quietly
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "standard",
                                      "--at", "2026-03-08T02:30"])
    assert result.exit_code == 2 and "does not exist in America/New_York" in result.output, result.output
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "standard",
                                      "--at", "2026-03-08T02:30-05:00"])  # with its offset it is a moment
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "standard", "--at", "soon"])
    assert result.exit_code == 2
    assert "ISO 8601" in result.output
    result = CliRunner().invoke(cli, ["--config", config, "sla", "due", "--policy", "standard",
                                      "--at", "2026-02-30T10:00"])  # the shape of a time, but no such day
    assert result.exit_code == 2 and "(day is out of range for month)" in result.output, result.output


def test_tone_check_exit_codes(cli) -> None:
    bad = CliRunner().invoke(cli, ["tone-check", "As we already said, you should have read the FAQ."])
    assert bad.exit_code == 1
    data = json.loads(bad.output)
    assert data["defensive"] is True
    assert [f["category"] for f in data["findings"]] == ["defensive", "blaming"]
    good = CliRunner().invoke(cli, ["tone-check", "Thanks for telling us! Please send us a DM."])
    assert good.exit_code == 0
    out = json.loads(good.output)  # no findings, and the report says no language's rules are vouched for
    assert (out["defensive"], out["findings"], out["checked"]) == (False, [], False) and "by hand" in out["note"]
    odd = CliRunner().invoke(cli, ["tone-check", "--language", "x!", "Thanks!"])  # was checked as a language
    assert odd.exit_code == 2 and "expected a language code of 2-3 letters" in odd.output, odd.output


def test_tone_check_reads_the_replys_language(cli) -> None:
    """The reply box checks a draft in the conversation's language, and every other language's rules too (a reply
    typed in German on an English thread); the command does the same, and says the guard vouches for none."""
    reply = "Wie bereits mehrfach erklärt, liegt das an Ihnen."
    german = CliRunner().invoke(cli, ["tone-check", "--language", "de", reply])
    assert german.exit_code == 1
    data = json.loads(german.output)
    assert data["language"] == "de" and data["defensive"] and data["checked"] is False
    english = CliRunner().invoke(cli, ["tone-check", reply])  # English rules alone knew none of it
    assert english.exit_code == 1 and json.loads(english.output)["language"] == "en"
    assert "--language" in CliRunner().invoke(cli, ["tone-check", "--help"]).output


def test_tone_check_reads_stdin(cli) -> None:
    result = CliRunner().invoke(cli, ["tone-check", "-"], input="Calm down, it's not a big deal.")
    assert result.exit_code == 1
    assert json.loads(result.output)["findings"][0]["phrase"] == "Calm down"


def test_help_texts(cli) -> None:
    assert "first-response" in CliRunner().invoke(cli, ["sla", "due", "--help"]).output
    assert "Exits 1" in CliRunner().invoke(cli, ["tone-check", "--help"]).output


def test_tone_check_exit_code_survives_careline_main(capsys: pytest.CaptureFixture[str]) -> None:
    """``careline.app.cli.main`` runs click with standalone_mode=False; the exit code must still be 1."""
    with pytest.raises(SystemExit) as exc:
        careline_cli.main(["tone-check", "You should have read the manual."])
    assert exc.value.code == 1
    assert json.loads(capsys.readouterr().out)["defensive"] is True


@pytest.mark.parametrize("batch", ["0", "-5"])
def test_sla_backfill_refuses_a_batch_below_1_and_leaves_the_durations_to_a_real_run(cli, tmp_path: Path,
                                                                                      batch: str) -> None:
    """--batch 0 read no ids, then said "1 conversation(s) lacked a duration; filled ... 0" and exited 0 (a
    cron job saw success); a negative batch was SQLite's LIMIT -5, every conversation in one transaction."""
    from careline.app.web.migrations import WEB
    from careline.store import Store
    from tests.test_responder_history import add_answered_conversation

    db = tmp_path / "c.db"
    store = Store(db, extra=[WEB]).open_sync()
    try:
        cid = add_answered_conversation(store)  # answered, its first-response duration not recorded
        env = {"CARELINE_SERVICE__DATABASE": str(db)}
        result = CliRunner().invoke(cli, ["sla", "backfill", "--batch", batch], env=env)
        assert result.exit_code == 2 and "Invalid value for '--batch'" in result.output, result.output
        assert "1<=x<=10000" in result.output
        missing = store.read_sync(lambda d: d.conn.execute(
            "SELECT first_response_clock_s FROM conversations WHERE id = ?", (cid,)).fetchone()[0])
        assert missing is None
        result = CliRunner().invoke(cli, ["sla", "backfill", "--batch", "1"], env=env)
        assert result.exit_code == 0 and "filled 1 first-response and" in result.output, result.output
    finally:
        store.close_sync()
