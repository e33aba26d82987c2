"""The command line: README and --help agree, and the shared commands work on a real database."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from careline.app.cli import _load_stage_commands, cli, main
from careline.errors import NotFound
from tests.conftest import REPO

_load_stage_commands()


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)
    return result.exit_code, result.output


def test_readme_and_help_list_the_same_commands() -> None:
    code, out = run("--help")
    assert code == 0
    listed = set(re.findall(r"^  ([a-z][a-z-]+)  ", out.split("Commands:")[1], re.M))
    readme = (REPO / "README.md").read_text()
    documented = set(re.findall(r"`careline ([a-z][a-z-]+)", readme))
    assert listed == set(cli.commands)
    assert listed <= documented, f"commands missing from README: {listed - documented}"
    assert documented <= listed, f"README mentions commands that do not exist: {documented - listed}"


def test_every_command_has_help() -> None:
    for name, command in cli.commands.items():
        code, out = run(name, "--help")
        assert code == 0 and "Usage:" in out, name
        assert command.help or command.short_help, name


def test_help_is_plain_text_for_every_command_and_subcommand() -> None:
    """--help prints docstrings as they are: Sphinx markup (``name``) reaches a newcomer as noise."""
    import click

    def walk(path: tuple[str, ...], command: click.Command) -> list[tuple[str, ...]]:
        subs = command.commands if isinstance(command, click.Group) else {}
        return [path, *(p for name, sub in subs.items() for p in walk((*path, name), sub))]

    paths = [p for name, command in cli.commands.items() for p in walk((name,), command)]
    assert len(paths) > len(cli.commands)  # the groups' subcommands are walked too
    for path in paths:
        code, out = run(*path, "--help")
        assert code == 0 and "``" not in out, " ".join(path)


def test_user_token_config_and_queue_on_a_real_file(tmp_path: Path) -> None:
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    code, out = run("user", "add", "ann", "--role", "agent", "--password", "a long password", env=env)
    assert code == 0 and "created agent 'ann'" in out
    code, token = run("user", "token", "ann", "--label", "script", env=env)
    assert code == 0 and len(token.strip()) >= 20
    code, out = run("config", "--check", env=env)
    assert code == 0 and out.startswith("ok:")
    code, out = run("queue", env=env)
    assert code == 0 and out.startswith("The queue is empty (database ") and "careline demo" in out


def test_teams_from_the_command_line(tmp_path: Path) -> None:
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    assert run("user", "add", "bea", "--role", "agent", "--password", "a long password", env=env)[0] == 0
    code, out = run("team", "add", "billing", "--member", "bea", env=env)
    assert code == 0 and out.strip() == "team 'billing': bea"
    code, out = run("team", "list", env=env)
    assert code == 0 and out.strip() == "billing: bea"
    with pytest.raises(NotFound, match="no user 'nobody'"):  # careline.app.cli.main prints it as one line
        run("team", "add", "billing", "--member", "nobody", env=env)
    # "billing " and "Billing" were two more teams that every list showed alike
    assert run("user", "add", "cat", "--role", "agent", "--password", "a long password", env=env)[0] == 0
    code, out = run("team", "add", " Billing  ", "--member", "cat", env=env)
    assert code == 0 and out.strip() == "team 'billing': bea, cat", out
    assert run("user", "add", "dan", "--role", "agent", "--team", "BILLING", "--password", "a long password",
               env=env)[0] == 0
    code, out = run("team", "list", env=env)
    assert out.strip() == "billing: bea, cat, dan", out
    assert run("team", "add", "night shift", "--member", "dan", env=env)[0] == 0
    header, *rows = run("user", "list", env=env)[1].splitlines()  # two teams pushed later columns out of line
    at = header.index("2FA")
    assert all(row[at:at + 3] in ("on ", "off") for row in rows), [header, *rows]
    code, out = run_main("user", "add", "Bea", "--role", "agent", "--password", "a long password", env=env)
    assert code == 1 and "user 'bea' already exists (names differ only in case)" in out, out
    # a team made by a typo goes; one with people in it stays until they are moved (the newcomer audit)
    assert run("team", "add", "suport", env=env)[0] == 0
    code, out = run_main("team", "remove", "billing", env=env)
    assert code == 1 and "team 'billing' still has bea, cat, dan" in out, out
    code, out = run("team", "remove", "Suport", env=env)
    assert code == 0 and out.strip() == "team 'Suport' removed"
    assert run("team", "list", env=env)[1].strip() == "billing: bea, cat, dan\nnight shift: dan"


def test_classify_honours_the_config_file(tmp_path: Path) -> None:
    """`careline -c FILE classify` reads the classifier from FILE (it used to read the defaults)."""
    config = tmp_path / "careline.toml"
    config.write_text('[classifier]\nkind = "vader"\n', encoding="utf-8")
    code, out = run("-c", str(config), "classify", "--json", "my bag is lost and nobody answers")
    assert code == 0, out
    assert json.loads(out)["model_version"].startswith("vader")


def test_classify_reads_posts_with_the_brands_own_intents(tmp_path: Path) -> None:
    """The service tags "my bag is lost" with Skylark's own lost_baggage; `careline classify` read it as delivery,
    since it loaded the model without the brands' intents."""
    config = tmp_path / "careline.toml"
    config.write_text('[[brands]]\nname = "skylark"\nkeywords = ["skylark"]\n'
                      'intents = { lost_baggage = ["my bag is lost", "baggage did not arrive"] }\n', encoding="utf-8")
    code, out = run("-c", str(config), "classify", "--json", "my bag is lost, it never arrived at Heathrow")
    assert code == 0, out
    start = re.search(r"^\{$", out, re.M)  # a fresh checkout's first run logs building the int8 graph before it
    assert start is not None, out
    assert json.loads(out[start.start():])["intent_label"] == "lost_baggage"


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("argv", nargs=-1, type=click.UNPROCESSED)
def _main(argv: tuple[str, ...]) -> None:
    """``careline.app.cli.main`` (its one-line errors and exit codes) under CliRunner's env and capture."""
    main(list(argv))


def run_main(*args: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple[int, str]:
    """``careline ARGS`` the way a shell runs it: exit code and every line it printed (stderr too)."""
    result = CliRunner().invoke(_main, list(args), env=env, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    code = result.exception.code if isinstance(result.exception, SystemExit) else result.exit_code
    return int(code or 0), result.output


READ_ONLY = [("queue",), ("queue", "--json"), ("status",), ("user", "list"), ("team", "list"),
             ("readings", "export"), ("customer", "export", "--platform", "x", "--handle", "ann"),
             ("customer", "erase", "--platform", "x", "--handle", "ann", "--yes"),
             ("user", "token", "ann"), ("user", "reset", "ann"), ("sla", "backfill"),
             ("team", "add", "ops"), ("team", "add", "ops", "--member", "ann"),  # a new file has no members to add
             ("user", "reset-two-factor", "ann", "--yes"),
             ("backup", "never-written.db")]  # said "PATH: no such file" with exit 1, unlike the others


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_read_only_commands_refuse_a_missing_database_instead_of_creating_it(tmp_path: Path,
                                                                            args: tuple[str, ...]) -> None:
    missing = tmp_path / "typo" / "careline.db"
    code, out = run_main(*args, env={"CARELINE_SERVICE__DATABASE": str(missing)})
    assert code == 2, out
    assert f"error: no database at {missing} (`careline run` or `careline user add NAME --role admin` creates it; " \
           "`careline demo` uses a file of its own" in out  # the demo never makes the configured file
    assert "Traceback" not in out
    assert not missing.parent.exists()  # neither the file nor its folder was made


def test_user_add_still_creates_the_database_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "new" / "careline.db"
    env = {"CARELINE_SERVICE__DATABASE": str(db)}
    code, out = run_main("user", "add", "ann", "--role", "agent", "--password", "a long password", env=env)
    assert code == 0 and db.is_file(), out
    assert f"note: created a new database at {db}; if you meant an existing one, check service.database" in out
    code, out = run_main("user", "add", "bea", "--role", "agent", "--password", "a long password", env=env)
    assert code == 0 and "created a new database" not in out, out  # said once, when it happened
    code, out = run_main("user", "list", env=env)
    assert code == 0 and out.startswith("USERNAME ") and out.splitlines()[1].startswith("ann "), out


def test_user_add_keeps_the_admin_pages_limits_on_names_and_teams(tmp_path: Path) -> None:
    """The CLI took a 3,000-character display name the admin page caps at 80: the account could not be saved
    again unchanged in the browser."""
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "careline.db")}
    args = ("user", "add", "ann", "--role", "agent", "--password", "a long password")
    for extra in (("--name", "\u202e" + "x" * 3000), ("--team", ",".join(["t"] * 101))):
        code, out = run_main(*args, *extra, env=env)
        assert code == 2 and "display name: at most 80 characters; teams: at most 200" in out, out
    code, out = run_main(*args, "--name", "A" * 80, env=env)
    assert code == 0, out
    with sqlite3.connect(tmp_path / "careline.db") as conn:
        assert conn.execute("SELECT username, display_name FROM users").fetchall() == [("ann", "A" * 80)]


@pytest.fixture
def refusing_server() -> Iterator[str]:
    """A loopback HTTP server that answers every request 401 (a revoked token): a source that fails at once."""

    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b'{"title": "Unauthorized", "status": 401}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(5)


def test_backfill_exits_1_when_a_source_failed(tmp_path: Path, refusing_server: str) -> None:
    config = tmp_path / "careline.toml"
    config.write_text(f"""
[service]
database = "{tmp_path / 'careline.db'}"

[[brands]]
name = "skylark"
keywords = ["skylark air"]

[sources.x]
api_base_url = "{refusing_server}"
""", encoding="utf-8")
    code, out = run_main("--config", str(config), "backfill", "--source", "x", "--since", "1d", "--quiet",
                         env={"CARELINE_X_BEARER_TOKEN": "revoked"})
    assert "x-search:skylark: 0 new mentions" in out and "failed (" in out, out
    assert code == 1 and "error: 1 of 1 source(s) failed: x-search:skylark" in out
    assert "Exits 1 when any source failed" in run("backfill", "--help")[1]


SLA_CONFIG = """
[service]
database = "{db}"

[[sla.calendars]]
name = "office"
timezone = "America/New_York"
hours = {{ mon = "09:00-17:00", tue = "09:00-17:00", wed = "09:00-17:00", thu = "09:00-17:00", fri = "09:00-17:00" }}

[[sla.policies]]
name = "standard"
first_response_minutes = 30
next_response_minutes = 60
resolution_minutes = 600
calendar = "office"
"""


def test_classify_with_a_missing_model_is_one_line(tmp_path: Path) -> None:
    code, out = run_main("classify", "--model-dir", str(tmp_path / "nope"), "hi")
    assert code == 1 and out.strip() == f"error: no trained model in {tmp_path / 'nope'} (run `careline train`)"


def test_config_export_to_a_missing_folder_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "careline.db"
    env = {"CARELINE_SERVICE__DATABASE": str(db)}
    code, out = run_main("config", "export", str(tmp_path / "nonexist" / "x.toml"), env=env)
    assert code == 1 and out.strip() == f"error: cannot write {tmp_path / 'nonexist' / 'x.toml'}: no folder " \
                                         f"{tmp_path / 'nonexist'}", out
    assert not db.exists()
    code, out = run_main("config", "export", str(tmp_path / "x.toml"), env=env)  # no database yet: the file alone
    assert code == 0 and "[service]" in (tmp_path / "x.toml").read_text() and not db.exists(), out


@pytest.mark.parametrize("at", ["9999-12-31T23:59", "0001-01-01T00:00+05:00"])
def test_sla_due_at_the_edge_of_time_is_one_line(tmp_path: Path, at: str) -> None:
    config = tmp_path / "careline.toml"
    config.write_text(SLA_CONFIG.format(db=tmp_path / "careline.db"), encoding="utf-8")
    code, out = run_main("--config", str(config), "sla", "due", "--policy", "standard", "--at", at)
    assert code == 2 and "Invalid value for '--at'" in out and "Traceback" not in out, out
    assert "something went wrong" not in out


@pytest.fixture
def root_level() -> Iterator[None]:
    """Put the root logger's level back: the commands below set it, as a real run does."""
    import logging

    before = logging.getLogger().level
    yield
    logging.getLogger().setLevel(before)


@pytest.mark.usefixtures("root_level")
def test_log_level_comes_from_the_settings_unless_given(tmp_path: Path) -> None:
    import logging

    config = tmp_path / "careline.toml"
    config.write_text(f'[service]\ndatabase = "{tmp_path / "c.db"}"\nlog_level = "ERROR"\n', encoding="utf-8")
    code, out = run_main("--config", str(config), "config", "--check")
    assert code == 0 and logging.getLogger().level == logging.ERROR, out
    code, out = run_main("--config", str(config), "--log-level", "debug", "config", "--check")
    assert code == 0 and logging.getLogger().level == logging.DEBUG, out
    code, out = run_main("--log-level", "LOUD", "config", "--check")
    assert code == 2 and "Invalid value for '--log-level'" in out and "'LOUD' is not one of" in out
    assert "default: service.log_level from the settings" in " ".join(run("--help")[1].split())


def test_config_check_exits_2_on_an_invalid_file_as_its_help_says(tmp_path: Path) -> None:
    config = tmp_path / "careline.toml"
    config.write_text('[service]\nlog_level = "LOUD"\n', encoding="utf-8")
    code, out = run_main("--config", str(config), "config", "--check")
    assert code == 2 and out.startswith("error: config error at 'service.log_level'"), out
    assert "exit 2 with the reason if invalid" in " ".join(run("config", "--help")[1].split())


def _queue_db(tmp_path: Path) -> dict[str, str]:
    """A database with four seeded conversations, two of them past their due time."""
    from datetime import UTC, datetime

    from careline.app.web.migrations import WEB
    from careline.store import Store
    from tests.helpers.seed import seed

    store = Store(tmp_path / "q.db", extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda db: seed(db, 4, datetime.now(UTC), hostile=False))
        store.write_sync(lambda db: db.conn.execute(
            "UPDATE conversations SET priority_reasons = ?, next_response_due = NULL, first_response_due = CASE "
            "WHEN id % 2 = 0 THEN '2020-01-01T12:00:00+00:00' ELSE '2999-06-01T12:00:00+00:00' END",
            (json.dumps(["complaint 0.91", "reach 25k"]),)))
    finally:
        store.close_sync()
    return {"CARELINE_SERVICE__DATABASE": str(tmp_path / "q.db"), "CARELINE_SERVICE__TIMEZONE": "Asia/Tokyo"}


def test_queue_json_has_the_reasons_as_a_list_and_the_table_the_due_time_in_the_team_zone(tmp_path: Path) -> None:
    env = _queue_db(tmp_path)
    code, out = run("queue", "--json", env=env)
    assert code == 0, out
    rows = json.loads(out)
    assert len(rows) == 4 and all(r["priority_reasons"] == ["complaint 0.91", "reach 25k"] for r in rows)
    code, out = run("queue", env=env)
    assert code == 0, out
    assert out.count("2020-01-01 21:00 JST overdue") == 2  # noon UTC is 21:00 in Tokyo, long past
    assert out.count("2999-06-01 21:00 JST ") == 2 and out.count("overdue") == 2


def test_queue_does_not_call_a_met_first_response_overdue(tmp_path: Path) -> None:
    """A conversation answered in time and waiting on the customer read "overdue" from its first response's due
    time; the CLI now shows the target that runs, as the web queue does."""
    env = _queue_db(tmp_path)
    conn = sqlite3.connect(tmp_path / "q.db")
    with conn:
        conn.execute("UPDATE conversations SET first_responded_at = '2019-12-31T12:00:00+00:00' WHERE id % 2 = 0")
    conn.close()
    code, out = run("queue", env=env)
    assert code == 0, out
    assert "overdue" not in out and out.count(" answered ") == 2, out


@pytest.mark.parametrize("limit", ["0", "-1", "501"])
def test_queue_refuses_a_limit_outside_1_to_500(tmp_path: Path, limit: str) -> None:
    code, out = run_main("queue", "--limit", limit, env=_queue_db(tmp_path))
    assert code == 2 and "Invalid value for '--limit'" in out and "1<=x<=500" in out, out


def test_user_add_refuses_a_bad_username_or_password_as_a_usage_error_before_making_a_database(
        tmp_path: Path) -> None:
    """They were exit 1 (a failure) after the new database was made: the command line was wrong, nothing failed."""
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    code, out = run_main("user", "add", "bad name!", "--role", "agent", "--password", "a long password", env=env)
    assert code == 2 and "username must be 1-64 ASCII letters" in out, out
    code, out = run_main("user", "add", "bob", "--role", "agent", "--password", "short", env=env)
    assert code == 2 and "Invalid value for '--password': use at least 12 characters" in out, out
    assert not (tmp_path / "c.db").exists()
    code, out = run_main("user", "add", "bob", "--role", "agent", env=env, stdin="short\nshort\n")
    assert code == 1 and "error: use at least 12 characters" in out, out  # typed at the prompt: refused as before
    assert not (tmp_path / "c.db").exists()


def test_user_add_says_a_name_is_taken_before_asking_for_the_password(tmp_path: Path) -> None:
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    code, out = run_main("user", "add", "ann", "--role", "agent", env=env,
                         stdin="a long password\na long password\n")  # asked, twice, when not given
    assert code == 0 and "created agent 'ann'" in out, out
    code, out = run_main("user", "add", "ann", "--role", "lead", env=env, stdin="")
    assert code == 1 and out.strip() == "error: user 'ann' already exists", out  # no password prompt
    code, out = run_main("user", "add", "bea", "--role", "lead", env=env, stdin="")  # a script gave none
    assert code == 2 and "no password: give --password" in out and "GetPassWarning" not in out, out
    fresh = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "new.db")}
    code, out = run_main("user", "add", "cai", "--role", "lead", env=fresh, stdin="")
    assert code == 2 and not (tmp_path / "new.db").exists(), out  # no password, no new database left behind


def test_customer_erase_says_an_unknown_author_before_asking_for_confirmation(tmp_path: Path) -> None:
    env = _queue_db(tmp_path)
    code, out = run_main("customer", "erase", "--platform", "x", "--handle", "@nobody", env=env, stdin="")
    assert code == 1 and out.strip() == "error: no x author with the handle 'nobody'", out
    code, out = run_main("customer", "erase", "--platform", "x", "--handle", "user_0", env=env, stdin="n\n")
    assert code == 1 and "aborted" in out, out
    asked = re.search(r"Erase everything about x author @user_0 \((\d+) posts? in (\d+) conversations?\)\?", out)
    assert asked and int(asked[1]) >= int(asked[2]) >= 1, out  # the question says how much it would erase


def test_classifiers_cli_runs_as_a_module() -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "classifiers.cli", "--help"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Usage: python -m classifiers.cli" in done.stdout
    assert all(name in done.stdout for name in ("classify", "evaluate", "train"))


def test_classifiers_cli_says_an_error_in_one_line_as_careline_does(tmp_path: Path) -> None:
    """Run alone, the stage printed a traceback for a model folder that holds no model (``careline classify``
    said it in one line): both now end through ``careline.commandline.run``."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "classifiers.cli", "classify", "--model-dir", str(tmp_path / "nope"),
                           "hi"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.strip() == f"error: no trained model in {tmp_path / 'nope'} (run `careline train`)"


def test_config_import_into_a_new_database_says_it_created_it_and_a_bad_file_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "careline.db"
    env = {"CARELINE_SERVICE__DATABASE": str(db)}
    bad = tmp_path / "bad.toml"
    bad.write_text('[[brands]]\nname = "Bad!"\nkeywords = ["x"]\n', encoding="utf-8")
    code, out = run_main("config", "import", str(bad), env=env)
    assert code == 2 and "brands[0].name" in out and not db.exists(), out  # refused before the file was made
    good = tmp_path / "good.toml"
    good.write_text('[[brands]]\nname = "zed"\nkeywords = ["zed shoes"]\n', encoding="utf-8")
    code, out = run_main("config", "import", str(good), env=env)
    assert code == 0 and db.is_file() and f"note: created a new database at {db}" in out, out
    code, out = run_main("config", "import", str(good), env=env)
    assert code == 0 and "created a new database" not in out, out


def test_backfill_into_a_new_database_says_it_created_it(tmp_path: Path, refusing_server: str) -> None:
    db = tmp_path / "careline.db"
    config = tmp_path / "careline.toml"
    config.write_text(f'[service]\ndatabase = "{db}"\n\n[[brands]]\nname = "skylark"\nkeywords = ["skylark air"]\n\n'
                      f'[sources.x]\napi_base_url = "{refusing_server}"\n', encoding="utf-8")
    env = {"CARELINE_X_BEARER_TOKEN": "revoked"}
    code, out = run_main("--config", str(config), "backfill", "--source", "x", "--since", "1d", "--quiet", env=env)
    assert code == 1 and db.is_file() and f"note: created a new database at {db}" in out, out
    code, out = run_main("--config", str(config), "backfill", "--source", "x", "--since", "1d", "--quiet", env=env)
    assert code == 1 and "created a new database" not in out, out


#: What a hostile post carries to an agent's terminal: OSC 52 writes the clipboard, CSI clears the screen and
#: hides text, a right-to-left override reorders the line.
ESCAPES = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07 \x1b[2J\x1b[8mhidden\x1b[0m \u202egnp.exe"


def test_queue_shows_hostile_text_and_handles_without_their_escape_sequences(tmp_path: Path) -> None:
    env = _queue_db(tmp_path)
    from careline.store import Store

    store = Store(env["CARELINE_SERVICE__DATABASE"]).open_sync()
    try:
        store.write_sync(lambda db: (
            db.conn.execute("UPDATE mentions SET text = ?", ("👨\u200d👩\u200d👧 my bag " + ESCAPES,)),
            db.conn.execute("UPDATE authors SET handle = ?", ("ev\x1b[31mil\u202e",))))
    finally:
        store.close_sync()
    result = CliRunner().invoke(cli, ["queue"], env=env, color=True, catch_exceptions=False)  # as on a terminal
    assert result.exit_code == 0, result.output
    rows = result.output.splitlines()[1:]
    assert len(rows) == 4
    assert not any(ch in result.output for ch in "\x1b\x07\u202e"), repr(result.output)
    shown = "👨\u200d👩\u200d👧 my bag ?]52;c;Y3VybCBldmlsIHwgc2g=? ?[2J?[8mhidden"  # an emoji's joiners are kept
    assert all("@ev?[31mil?" in row and shown in row for row in rows), rows


def test_queue_shows_each_row_s_language_and_marks_one_no_model_reads(tmp_path: Path) -> None:
    """The web queue showed the language and "language not covered"; the terminal's showed neither, so a Thai
    complaint at its priority floor looked like any other row. A platform's language tag is shown, not obeyed."""
    env = _queue_db(tmp_path)
    from careline.store import Store

    store = Store(env["CARELINE_SERVICE__DATABASE"]).open_sync()
    try:
        def tag(db: Database) -> None:
            ids = [r[0] for r in db.conn.execute("SELECT id FROM conversations ORDER BY id")]
            for conv, language, covered in zip(ids, ["de", "th", "und", "x\x1b[2Jyz"], [1, 0, 1, 1], strict=True):
                db.conn.execute("UPDATE mentions SET language = ? WHERE thread_key = (SELECT thread_key FROM "
                                "conversations WHERE id = ?)", (language, conv))
                db.conn.execute("UPDATE classifications SET language_covered = ? WHERE mention_key IN (SELECT key "
                                "FROM mentions WHERE thread_key = (SELECT thread_key FROM conversations WHERE id = ?))",
                                (covered, conv))
        store.write_sync(tag)
    finally:
        store.close_sync()
    code, out = run("queue", env=env)
    assert code == 0, out
    header, *rows = out.splitlines()
    assert "LANG" in header and "\x1b" not in out
    at = header.index("LANG")  # the columns before it are fixed-width ASCII
    assert sorted(row[at:at + 6].strip() for row in rows[:4]) == ["?", "de", "th*", "x?[2J"], rows
    assert rows[-1] == "* no model reads this language: its scores are a guess and its priority has a floor"


# -- turning off someone's two-factor from the shell -----------------------------------------------------------
def _two_factor_on(db: Path, username: str) -> None:
    """``username`` with two-factor on, ten recovery codes and a live session, as the web app leaves them."""
    from datetime import timedelta

    import pyotp

    from careline.app.web.accounts import new_recovery_codes, set_totp, start_session
    from careline.app.web.migrations import WEB
    from careline.store import Store

    store = Store(db, extra=[WEB]).open_sync()
    try:
        store.write_sync(lambda d: (set_totp(d, username, username, pyotp.random_base32()),
                                    new_recovery_codes(d, username, username),
                                    start_session(d, username, ttl=timedelta(hours=1))))
    finally:
        store.close_sync()


def _two_factor_state(db: Path, username: str) -> tuple[bool, int, int]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return (conn.execute("SELECT totp_secret IS NOT NULL FROM users WHERE username = ?", (username,)).fetchone()[0]
                == 1,
                conn.execute("SELECT count(*) FROM totp_recovery_codes WHERE username = ?", (username,)).fetchone()[0],
                conn.execute("SELECT count(*) FROM web_sessions WHERE username = ?", (username,)).fetchone()[0])
    finally:
        conn.close()


def test_user_reset_two_factor_turns_it_off_audited_after_asking(tmp_path: Path) -> None:
    """Lost authenticator and no recovery code left: `careline user reset` kept two-factor on, so only SQL helped."""
    import getpass
    import sqlite3

    db = tmp_path / "c.db"
    env = {"CARELINE_SERVICE__DATABASE": str(db)}
    assert run_main("user", "add", "ann", "--role", "admin", "--password", "a long password", env=env)[0] == 0
    _two_factor_on(db, "ann")
    code, out = run_main("user", "reset-two-factor", "ann", env=env, stdin="n\n")
    assert code == 1 and "Turn off two-factor sign-in for ann (admin)?" in out and "aborted" in out, out
    assert _two_factor_state(db, "ann") == (True, 10, 1)  # declined: nothing changed
    code, out = run_main("user", "reset-two-factor", "ann", env=env, stdin="y\n")
    assert code == 0 and "two-factor sign-in of ann is off: 10 unused recovery code(s) stopped working, 1 " \
                          "session(s) ended" in out, out
    assert _two_factor_state(db, "ann") == (False, 0, 0)
    conn = sqlite3.connect(db)
    try:
        [(actor, data)] = conn.execute("SELECT actor, data FROM events WHERE kind = 'account.two_factor_reset' "
                                       "AND subject = 'user:ann'").fetchall()
    finally:
        conn.close()
    assert actor == f"cli:{getpass.getuser()}" and json.loads(data)["via"] == "command line"
    code, out = run_main("user", "reset-two-factor", "ann", "--yes", env=env)
    assert code == 1 and out.strip() == "error: two-factor sign-in of ann is already off", out
    code, out = run_main("user", "reset-two-factor", "nobody", env=env, stdin="")
    assert code == 1 and out.strip() == "error: no user 'nobody'", out  # said before any question
    code, out = run_main("user", "list", env=env)
    header, ann = out.splitlines()[0], next(line for line in out.splitlines() if line.startswith("ann "))
    assert code == 0 and header.split() == ["USERNAME", "ROLE", "TEAMS", "2FA", "STATE", "SESSIONS"], out
    assert ann.split()[3] == "off", out  # the 2FA column: it had no header row, and read "2fa=off" inline
    code, out = run_main("user", "list", "--json", env=env)
    ann_json = next(a for a in json.loads(out) if a["username"] == "ann")
    assert code == 0 and ann_json["two_factor"] is False and ann_json["role"] in ("agent", "lead", "admin")


# -- Ctrl-C: exit 130, as scripts and cron wrappers expect ------------------------------------------------------
def _interrupted(command: list[str], env: dict[str, str], marker: bytes) -> tuple[int, str]:
    """Run ``command``, send it a real SIGINT once ``marker`` is on its stderr or stdout: its exit code and output."""
    import os
    import signal
    import subprocess
    import time

    def default_sigint() -> None:  # a test run in the background may ignore SIGINT, and children inherit that
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    seen = bytearray()
    proc = subprocess.Popen(command, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1",
                                                    **env}, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, preexec_fn=default_sigint)
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: [seen.extend(chunk) for chunk in iter(lambda: proc.stdout.read1(4096),
                                                                                   b"")], daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while marker not in seen and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker in seen and proc.poll() is None, bytes(seen)[-2000:]
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(timeout=10)
    return code, seen.decode("utf-8", "replace")


@pytest.mark.parametrize("entry", [["-c", "import sys; from careline.app.cli import main; main(sys.argv[1:])"],
                                   ["-m", "classifiers.cli"]], ids=["careline", "python -m classifiers.cli"])
def test_ctrl_c_during_a_progress_bar_exits_130(tmp_path: Path, entry: list[str]) -> None:
    """It said "aborted" (or click's "Aborted!") with exit 1, which a wrapper takes for a failure."""
    import sys

    data = tmp_path / "posts.csv"
    data.write_text("text,label\n" + "my bag is lost again and nobody answers,1\n" * 200_000, encoding="utf-8")
    command = [sys.executable, *entry, "evaluate", "--task", "complaint", "--data", str(data), "--kind", "vader",
               "--batch-size", "1"]
    code, out = _interrupted(command, {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}, b"evaluate:")
    assert code == 130, out[-2000:]
    assert out.rstrip().endswith("interrupted") and "Traceback" not in out, out[-2000:]


def test_ctrl_c_at_a_question_exits_130_and_changes_nothing(tmp_path: Path) -> None:
    import sys

    db = tmp_path / "c.db"
    env = {"CARELINE_SERVICE__DATABASE": str(db)}
    assert run_main("user", "add", "ann", "--role", "agent", "--password", "a long password", env=env)[0] == 0
    _two_factor_on(db, "ann")
    command = [sys.executable, "-c", "import sys; from careline.app.cli import main; main(sys.argv[1:])",
               "user", "reset-two-factor", "ann"]
    code, out = _interrupted(command, env, b"Turn off two-factor sign-in for ann")
    assert code == 130 and out.rstrip().endswith("interrupted") and "Traceback" not in out, out
    assert _two_factor_state(db, "ann") == (True, 10, 1)


def _answered_on_a_terminal(args: list[str], env: dict[str, str], answer: bytes) -> tuple[int, str]:
    """``careline ARGS`` with a real terminal (a pty) on stdin, answering its question with ``answer``."""
    import sys

    primary, secondary = os.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from careline.app.cli import main; main(sys.argv[1:])",
                             *args], cwd=REPO, stdin=secondary, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "PYTHONPATH": str(REPO), **env})
    os.close(secondary)
    try:
        os.write(primary, answer)
        out, _ = proc.communicate(timeout=120)
    finally:
        os.close(primary)
    return proc.returncode, out.decode("utf-8", "replace")


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    """``careline config | head -2``: exit 1 with nothing on stderr, no traceback and no "Exception ignored"
    line from the interpreter's last flush (operations.md says so)."""
    import sys

    reader, writer = os.pipe()
    os.close(reader)  # closed before the first line, as head is once it has its lines: every write fails
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from careline.app.cli import main; main(sys.argv[1:])",
                             "config"], cwd=tmp_path, stdout=writer, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    os.close(writer)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and err == b"", err


def test_exports_ask_before_writing_over_a_file(tmp_path: Path) -> None:
    """``config export FILE`` and ``readings export -o FILE`` wrote over whatever FILE held. On a terminal they
    ask; without one they refuse unless ``--yes``."""
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    mine = tmp_path / "mine.toml"
    mine.write_text("# a colleague's hand-written settings\n", encoding="utf-8")
    code, out = _answered_on_a_terminal(["config", "export", str(mine)], env, b"n\n")
    assert code == 1 and f"{mine} exists. Write over it?" in out and "nothing was written" in out, out
    assert mine.read_text(encoding="utf-8") == "# a colleague's hand-written settings\n"
    code, out = _answered_on_a_terminal(["config", "export", str(mine)], env, b"y\n")
    assert code == 0 and f"wrote {mine}" in out, out
    assert "[service]" in mine.read_text(encoding="utf-8")
    assert run_main("user", "add", "ann", "--role", "agent", "--password", "a long enough passphrase",
                    env=env)[0] == 0
    sheet = tmp_path / "corrected.csv"
    sheet.write_text("text,label\nmy own rows,1\n", encoding="utf-8")
    code, out = run_main("readings", "export", "-o", str(sheet), env=env)
    assert code == 2 and "add --yes to write over it" in out and sheet.read_text(encoding="utf-8").endswith("1\n")
    code, out = run_main("readings", "export", "-o", str(sheet), "--yes", env=env)
    assert code == 0 and sheet.read_text(encoding="utf-8").startswith("text,label,language"), out


@pytest.mark.parametrize("command", [("demo", "--database", "{db}", "--port", "{port}"), ("run",)])
def test_a_port_in_use_is_one_line_before_anything_starts(tmp_path: Path, command: tuple[str, ...]) -> None:
    """A busy port was a fifty-line traceback after ten seconds of loading the model; now one line, at once,
    and nothing was started (the demo's database is not even made)."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        db = tmp_path / "demo.db"
        args = [a.format(db=db, port=port) for a in command]
        env = {"CARELINE_SERVICE__PORT": str(port), "CARELINE_SERVICE__DATABASE": str(tmp_path / "run.db")}
        code, out = run_main(*args, env=env)
    assert code == 1, out
    assert f"error: 127.0.0.1:{port} is in use" in out and "Traceback" not in out, out
    assert not db.exists()


def test_backup_and_export_do_not_write_over_the_settings_file_or_a_backup(tmp_path: Path) -> None:
    """'careline backup careline.toml' turned the settings file into a database (every later command failed on
    it), and 'config export' over it dropped its comments; a CSV export could land on last night's backup."""
    config = tmp_path / "careline.toml"
    text = "# our settings\n[service]\ntimezone = \"Europe/London\"\n"
    config.write_text(text, encoding="utf-8")
    env = {"CARELINE_CONFIG": str(config), "CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    assert run_main("user", "add", "ann", "--role", "agent", "--password", "a long enough passphrase",
                    env=env)[0] == 0
    code, out = run_main("backup", str(config), env=env)
    assert code == 1 and "exists and is not a database" in out, out
    code, out = run_main("config", "export", str(config), env=env)
    assert code == 1 and "the settings file in use" in out, out
    assert config.read_text(encoding="utf-8") == text  # untouched by either
    nightly = tmp_path / "nightly.db"
    assert run_main("backup", str(nightly), env=env)[0] == 0
    assert run_main("backup", str(nightly), env=env)[0] == 0  # an earlier backup is replaced, as a rotation needs
    code, out = run_main("config", "export", str(nightly), env=env)
    assert code == 1 and "it is a SQLite database" in out, out
    code, out = run_main("readings", "export", "--output", str(nightly), env=env)
    assert code == 1 and "it is a SQLite database" in out, out


def test_run_says_why_it_stops_and_that_it_stopped_on_sigterm(tmp_path: Path) -> None:
    """A service stopped by systemd (SIGTERM) left no line in its log: an admin could not tell a stop from a
    hang or a crash. Now "stopping (SIGTERM)" and "stopped", exit 0, no traceback."""
    import os
    import signal
    import subprocess
    import sys
    import time

    env = {**os.environ, "PYTHONPATH": str(REPO), "CARELINE_SERVICE__PORT": "0", "CARELINE_CLASSIFIER__KIND": "vader",
           "CARELINE_SERVICE__DATABASE": str(tmp_path / "run.db")}
    env.pop("CARELINE_CONFIG", None)
    log = tmp_path / "run.log"
    with log.open("w") as out:
        careline = "import sys; from careline.app.cli import main; main(sys.argv[1:])"
        proc = subprocess.Popen([sys.executable, "-c", careline, "run"], cwd=tmp_path, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while "Careline is up" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "Careline is up" in log.read_text(), log.read_text()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    said = log.read_text()
    assert code == 0 and "stopping (SIGTERM)" in said and said.rstrip().endswith("stopped"), said
    assert "Traceback" not in said, said


@pytest.mark.parametrize("args", [[b"customer", b"export", b"--platform", b"x", b"--handle", b"a\xffb"],
                                  [b"user", b"add", b"a\xffb", b"--role", b"agent", b"--password", b"long enough pw1"],
                                  [b"readings", b"export", b"--brand", b"a\xffb"]], ids=["handle", "user", "brand"])
def test_an_argument_that_is_not_utf8_is_one_line_and_a_usage_error(tmp_path: Path, args: list[bytes]) -> None:
    """A handle typed in a Latin-1 terminal reached SQLite and the hasher as a lone surrogate: a traceback,
    then "something went wrong", exit 1; and nothing is made."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(REPO), "CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    careline = b"import sys; from careline.app.cli import main; main(sys.argv[1:])"
    done = subprocess.run([sys.executable.encode(), b"-c", careline, *args], env=env, capture_output=True,
                          timeout=120)
    said = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 2 and said == "error: argument 'a\ufffdb' is not UTF-8 text (check the terminal's " \
                                           "or the script's encoding)\n", said
    assert not (tmp_path / "c.db").exists()


def test_a_reading_command_refuses_another_applications_database(tmp_path: Path) -> None:
    """status and queue added Careline's 150 tables to a foreign SQLite file named by a typo, and answered as if
    it were an empty Careline; doctor warned of it and restore refused it, the readers did neither."""
    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    env = {"CARELINE_SERVICE__DATABASE": str(foreign)}
    for command in (("status",), ("queue",)):
        code, out = run_main(*command, env=env)
        assert code == 2 and "not a Careline database" in out, (command, out)
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


@pytest.mark.parametrize(("task", "body", "words"), [
    # a quote left open joined the rows after it into one text: 1 row of 2 scored, rc 0
    ("complaint", 'text,label\n"unterminated,1\n"x",0\n', "run over a line that ends like a row"),
    ("detractor", "text,label\ngood,42\n", "must be the 0-10 scores people gave"),  # were scored
    ("detractor", "text,label\ngood,nan\n", "must be the 0-10 scores people gave"),
    ("detractor", "text,label\ngood,1\nbad,0\n", "all 0 or 1"),  # both read as detractors: AUROC None
])
def test_evaluate_refuses_labels_it_would_score_wrongly(tmp_path: Path, task: str, body: str, words: str) -> None:
    data = tmp_path / "labels.csv"
    data.write_text(body, encoding="utf-8")
    code, out = run_main("evaluate", "--task", task, "--data", str(data), "--kind", "vader", "--quiet")
    assert code == 2 and words in out, out


def test_small_command_line_refusals(tmp_path: Path) -> None:
    """From a newcomer's audit: an empty draft was "no findings" (exit 0); an empty handle was looked up and not
    found (exit 1); a secret given as CARELINE_SOURCES__X__BEARER_TOKEN was told "secrets are read only from the
    environment", which is where it came from."""
    code, out = run_main("tone-check", "")
    assert code == 2 and "the draft is empty" in out, out
    env = {"CARELINE_SERVICE__DATABASE": str(tmp_path / "c.db")}
    code, out = run_main("customer", "export", "--platform", "x", "--handle", "@", env=env)
    assert code == 2 and "give the author's handle" in out, out
    code, out = run_main("config", "--check", env={"CARELINE_SOURCES__X__BEARER_TOKEN": "abc"})
    assert code == 2 and "give it as $CARELINE_X_BEARER_TOKEN in the environment" in out, out


def test_train_asks_before_replacing_a_model_and_keeps_the_shipped_adapter_for_a_new_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``careline train`` wrote over the shipped model without a question, and ``--out NEW`` trained on the plain
    encoder, saying only "encoder: base (frozen)"."""
    import classifiers.train
    from classifiers.cli import train

    model = tmp_path / "model"
    model.mkdir()
    (model / "manifest.json").write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(train, ["--out", str(model), "--limit", "5"], input="")
    assert result.exit_code == 2 and "holds a model; training writes over it" in result.output, result.output
    seen: list[Any] = []

    def fake_train(cfg: Any, progress: Any = None) -> dict[str, Any]:
        seen.append(cfg)
        return {"version": "test", "metrics": {}}

    monkeypatch.setattr(classifiers.train, "train", fake_train)
    fresh = tmp_path / "fresh"
    result = CliRunner().invoke(train, ["--out", str(fresh), "--limit", "5"])
    assert result.exit_code == 0, result.output
    adapter = seen[0].adapter_dir
    assert adapter is not None and adapter.parent == fresh and (adapter / "adapter_config.json").is_file()
    assert f"encoder: base + adapter {adapter}" in result.output


def test_more_newcomer_refusals(tmp_path: Path) -> None:
    """[brands] written for [[brands]] printed the whole table back; a host that is none passed the check and
    failed the start; restoring a file that is no database advised "(restore a backup)"; --since 0m did nothing
    and said it was done."""
    config = tmp_path / "c.toml"
    config.write_text('[brands]\nname = "a"\nkeywords = ["x"]\n', encoding="utf-8")
    code, out = run_main("--config", str(config), "config", "--check")
    assert code == 2 and "write [[brands]] (double brackets)" in out, out
    code, out = run_main("config", "--check", env={"CARELINE_SERVICE__HOST": "not a host"})
    assert code == 2 and "service.host" in out and "expected an IP address or a host name" in out, out
    for host in ("localhost", "0.0.0.0", "::", "care.example.com"):
        assert run_main("config", "--check", env={"CARELINE_SERVICE__HOST": host})[0] == 0, host
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"hello")
    code, out = run_main("restore", str(junk), "--yes", env={"CARELINE_SERVICE__DATABASE": str(tmp_path / "d.db")})
    assert code == 1 and "it cannot be restored; choose another backup" in out and "(restore a backup)" not in out
    code, out = run_main("backfill", "--source", "x", "--since", "0m",
                         env={"CARELINE_SERVICE__DATABASE": str(tmp_path / "d.db")})
    assert code == 2 and "must go back more than nothing" in out, out


def test_check_refuses_a_model_folder_with_no_model(tmp_path: Path) -> None:
    """A missing classifier.model_dir passed the check, and run then failed at start (exit 1)."""
    code, out = run_main("config", "--check", env={"CARELINE_CLASSIFIER__MODEL_DIR": str(tmp_path / "none")})
    assert code == 2 and "no trained model at" in out and "classifier.model_dir" in out, out
    code, out = run_main("config", "--check", env={"CARELINE_CLASSIFIER__MODEL_DIR": str(tmp_path / "none"),
                                                   "CARELINE_CLASSIFIER__KIND": "vader"})
    assert code == 0, out  # the lexicon needs no model folder


def test_the_demo_refuses_a_database_with_accounts_of_its_own(tmp_path: Path) -> None:
    """``careline demo --database prod.db`` added admin/agent/lead/marketing with the password "demo" to a real
    database, without a word; an earlier demo's file (its own four accounts) is still reused."""
    real = tmp_path / "real.db"
    with sqlite3.connect(real) as conn:
        conn.execute("CREATE TABLE users (username TEXT PRIMARY KEY)")
        conn.executemany("INSERT INTO users VALUES (?)", [("alice",), ("admin",)])
    before = real.read_bytes()
    code, out = run_main("demo", "--port", "0", "--database", str(real))
    assert code == 2 and "has accounts of its own (alice)" in out and "password 'demo'" in out, out
    assert real.read_bytes() == before
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, just words " * 100)
    code, out = run_main("demo", "--port", "0", "--database", str(junk))
    assert code == 2 and "cannot read" in out and "Traceback" not in out, out

    from careline.app.service import refuse_foreign_database
    earlier = tmp_path / "earlier-demo.db"
    with sqlite3.connect(earlier) as conn:
        conn.execute("CREATE TABLE users (username TEXT PRIMARY KEY)")
        conn.executemany("INSERT INTO users VALUES (?)", [("admin",), ("agent",)])
    refuse_foreign_database(earlier)  # no error: its own accounts only
    refuse_foreign_database(tmp_path / "new.db")


@pytest.mark.parametrize(("args", "said"), [(("--port", "99999"), "99999 is not in the range 0<=x<=65535"),
                                            (("--speed", "0"), "0.0 is not in the range 0<x<=1000"),
                                            (("--speed", "-1"), "not in the range")])
def test_demo_options_out_of_range_are_usage_errors_not_tracebacks(args: tuple[str, ...], said: str) -> None:
    """``--port 99999`` loaded the model for 11 s and ended in an OverflowError; ``--speed 0`` in a
    ZeroDivisionError."""
    code, out = run_main("demo", *args)
    assert code == 2 and said in out and "Traceback" not in out, out


def test_a_missing_settings_file_is_named_without_a_placeholder(tmp_path: Path) -> None:
    """"config error at '<file>': config file ... does not exist" showed the key's placeholder to a newcomer."""
    missing = tmp_path / "nope.toml"
    code, out = run_main("-c", str(missing), "config", "--check")
    assert code == 2 and out.strip() == f"error: config error: config file {str(missing)!r} does not exist", out


def test_classify_reads_a_post_from_standard_input() -> None:
    """``careline classify -`` classified the text "-" (tone-check reads standard input for it)."""
    code, out = run_main("classify", "--kind", "vader", "--json", "-", stdin="my flight was cancelled again 😡")
    assert code == 0, out
    assert json.loads(out[out.index("{"):])["text"] == "my flight was cancelled again 😡"


def test_train_without_the_labelled_data_says_where_it_looked(tmp_path: Path) -> None:
    """In a clean clone without ../shared, ``careline train`` ended in a FileNotFoundError traceback."""
    code, out = run_main("train", "--out", str(tmp_path / "m"), env={"CARELINE_SHARED_DATA": str(tmp_path / "none")})
    assert code == 2 and f"no labelled data at {tmp_path / 'none'}" in out and "Traceback" not in out, out
    assert not (tmp_path / "m").exists()  # nothing half-made left behind


def test_config_lists_the_values_in_effect_beside_the_defaults(tmp_path: Path) -> None:
    """``careline -c my.toml config`` printed the defaults alone: a newcomer checking an override read 8080 where
    the file and the environment said otherwise. A secret is said to be set, never printed."""
    settings = tmp_path / "my.toml"
    settings.write_text('[service]\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    code, out = run_main("-c", str(settings), "config", env={"CARELINE_SERVICE__PORT": "9100",
                                                             "CARELINE_X_BEARER_TOKEN": "very-secret-token"})
    assert code == 0, out
    assert "service.port = 8080\n    Port of the web app and JSON API.\n    in effect here: 9100" in out
    assert 'in effect here: "Europe/Berlin"' in out
    assert "very-secret-token" not in out and "in effect here: (set)" in out


def test_queue_columns_are_measured_as_the_terminal_draws_them() -> None:
    """Japanese and emoji rows ran 30-80 columns past the others: the columns were cut by characters, and a wide
    character takes two columns."""
    from careline.terminal import cell_width, fit

    assert fit("荷物が届きません", 9) == "荷物が届 " and cell_width("荷") == 2
    assert fit("ok", 4) == "ok  " and fit("e\u0301te\u0301", 3) == "e\u0301te\u0301"  # accents take no column
    rows = ["荷物が4日経っても届きません。電話しても誰も出ない。本当にひどい対応です。" * 2, "plain text " * 10,
            "😡" * 50]
    assert {sum(cell_width(c) for c in fit(r, 60)) for r in rows} == {60}


def test_a_global_option_after_the_command_says_where_it_goes() -> None:
    """``careline queue -c my.toml`` answered "No such option '-c'" and nothing more."""
    code, out = run_main("queue", "-c", "my.toml")
    assert code == 2 and "-c goes before the command: careline -c VALUE queue ..." in out, out
    code, out = run_main("queue", "--bogus")
    assert code == 2 and "goes before the command" not in out, out


def test_the_demo_tip_names_the_command_as_it_was_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``make demo`` the virtual environment is not on PATH: the tip's bare ``careline queue`` answered
    "command not found"."""
    from careline.app.service import _command_name

    script = tmp_path / ".venv" / "bin" / "careline"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script), "demo"])
    assert _command_name() == ".venv/bin/careline"
    monkeypatch.setattr("sys.argv", ["-c"])  # python -c, a test runner: the plain name
    assert _command_name() == "careline"


def test_the_demo_says_where_its_data_stays_and_how_to_delete_it(tmp_path: Path) -> None:
    """A newcomer who ran the demo a dozen times found a dozen ``careline-demo-*`` folders nobody had named."""
    import shlex

    from careline.app.service import demo_left_behind

    db = tmp_path / "a folder" / "careline.db"
    said = demo_left_behind(db)
    start_again = said.split(": ", 1)[1].split(" starts from it")[0]
    assert shlex.split(start_again)[1:] == ["demo", "--database", str(db)], said
    assert shlex.split(said.split("; ")[-1])[:3] == ["rm", "-r", str(db.parent)], said


def test_user_reset_says_what_its_link_is_for(tmp_path: Path) -> None:
    env = _queue_db(tmp_path)
    code, out = run_main("user", "add", "ann", "--role", "agent", "--password", "a long password", env=env)
    code, out = run_main("user", "reset", "ann", env=env)
    assert code == 0 and "/set-password?token=" in out and "works once, and expires in 72 hours" in out, out
