"""The command line: README and --help agree, and the shared commands work on a real database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from careline.app.cli import _load_stage_commands, cli
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


def test_classify_honours_the_config_file(tmp_path: Path) -> None:
    """`careline -c FILE classify` reads the classifier from FILE (it used to read the defaults)."""
    config = tmp_path / "careline.toml"
    config.write_text('[classifier]\nkind = "vader"\n', encoding="utf-8")
    code, out = run("-c", str(config), "classify", "--json", "my bag is lost and nobody answers")
    assert code == 0, out
    assert json.loads(out)["model_version"].startswith("vader")
