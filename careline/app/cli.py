"""The ``careline`` command line.

The shared commands live here; each stage's commands are a ``COMMANDS`` list in a module of
``careline.app.commands`` (``listen``, ``respond``) or in ``classifiers.cli``. They are thin: plain
functions of the stages do the work, and every command reads the settings from the group's ``--config``.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import logging
import os
import sys
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import click

from careline import commandline as command_line
from careline.app.commands import OVERWRITE, check_output, confirm_overwrite, write_output
from careline.domain import from_iso, utcnow
from careline.errors import CarelineError
from careline.settings import SECRET_ENV, Settings, describe, load_settings
from careline.terminal import fit, safe_line

log = logging.getLogger("careline")

STAGE_CLI_MODULES = ("careline.app.commands.listen", "classifiers.cli", "careline.app.commands.respond",
                     "careline.app.commands.data")


#: The levels --log-level and service.log_level accept.
LEVELS = {"DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARNING": logging.WARNING, "ERROR": logging.ERROR}


def setup_logging(level: str = "INFO") -> None:
    """Log to stderr at ``level``; the level is set even when logging was configured before (basicConfig
    then does nothing), so --log-level always holds."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    logging.getLogger().setLevel(LEVELS.get(level.upper(), logging.INFO))
    for noisy in ("aiohttp.access", "apscheduler.executors.default", "apscheduler.scheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Context:
    """What every command may need, loaded lazily so ``--help`` stays instant."""

    def __init__(self, config: str | None, log_level: str | None = None) -> None:
        self.config_path = config
        self.log_level = log_level
        self._bootstrap: Settings | None = None
        self._settings: Settings | None = None

    @property
    def bootstrap(self) -> Settings:
        """The settings file alone: what ``run`` starts from (it applies the browser's changes itself) and
        what ``config --check``, ``export`` and ``import`` compare against. Loading it applies its
        service.log_level, unless --log-level was given: a bad file still fails its own command, not --help."""
        if self._bootstrap is None:
            self._bootstrap = load_settings(self.config_path)
            if self.log_level is None:
                logging.getLogger().setLevel(LEVELS.get(self._bootstrap.service.log_level.upper(), logging.INFO))
        return self._bootstrap

    @property
    def settings(self) -> Settings:
        """The effective settings, as the running service sees them: the file plus what admins set in the
        browser (read from the database, never creating it), so ``status``, ``backfill`` and ``queue`` know a
        brand added there. When that overlay does not apply, the file alone, with a warning."""
        if self._settings is None:
            from careline.app.commands.configfile import with_browser_settings

            self._settings, problem = with_browser_settings(self.bootstrap)
            if problem:
                click.echo(f"warning: {problem}; using the settings file alone", err=True)
        return self._settings


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "-c", type=click.Path(dir_okay=False), envvar="CARELINE_CONFIG",
              help="TOML settings file (default: $CARELINE_CONFIG, else built-in defaults).")
@click.option("--log-level", type=click.Choice(list(LEVELS), case_sensitive=False), default=None,
              help="Log level (default: service.log_level from the settings, else INFO).")
@click.version_option(package_name="careline")
@click.pass_context
def cli(ctx: click.Context, config: str | None, log_level: str | None) -> None:
    """Careline: social listening and complaint triage on one self-hosted box.

    \b
    Quick start:
      careline demo            simulator + real pollers + model + web UI, no accounts needed
      careline run             the service, from your config file
      careline queue           the reply queue in the terminal
    """
    ctx.obj = Context(config, log_level)
    setup_logging(log_level or "INFO")


@cli.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
              help="Web UI port (0 picks a free one).")
@click.option("--database", default=None, help="SQLite file (default: a fresh file in a temp dir); never one with "
                                               "accounts of its own: the demo adds its four with the password 'demo'.")
@click.option("--speed", type=click.FloatRange(0, 1000, min_open=True), default=5.0, show_default=True,
              help="Simulated seconds per real second.")
@click.option("--classifier", type=click.Choice(["minilm", "vader"]), default=None,
              help="Override the classifier (default: the trained model).")
def demo(port: int, database: str | None, speed: float, classifier: str | None) -> None:
    """Run everything on the embedded default: no accounts, no network.

    Starts the platform simulator on 127.0.0.1 seeded with data/demo/, the real tweepy/asyncpraw
    pollers pointed at it, the model, the reply queue and the web UI, and prints its URL.
    """
    from careline.app.service import refuse_foreign_database, run_demo

    if database:
        try:
            refuse_foreign_database(Path(database))
        except CarelineError as exc:  # a usage mistake (exit 2), before the simulator and the model start
            raise click.BadParameter(str(exc), param_hint="'--database'") from None
    # SIGINT or SIGTERM stop the service gracefully (exit 0); a Ctrl-C before that is in place (during the
    # start) reaches main() as an interruption (130)
    asyncio.run(run_demo(port=port, database=database, speed=speed, classifier=classifier))


@cli.command()
@pass_ctx
def run(ctx: Context) -> None:
    """Run the service from the config file: pollers, model, queue and web UI.

    Runs 'careline doctor' checks first: an error stops the start, a missing secret is a loud warning.
    """
    from careline.app.commands.data import preflight
    from careline.app.service import run_service

    preflight(ctx.bootstrap)
    asyncio.run(run_service(ctx.bootstrap))  # stopped as the demo is (above)


@cli.command()
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="Rows to show (1-500).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
def queue(ctx: Context, limit: int, as_json: bool) -> None:
    """Show the reply queue, highest priority first.

    DUE is the next reply's due time (the first response's until then) in service.timezone, marked
    'overdue' once it has passed. LANG is the latest post's language ('?' when not known), marked '*' when
    no model reads it (its scores are a guess and its priority has a floor), as the web queue shows."""
    from zoneinfo import ZoneInfo

    from careline.app.service import open_store
    from careline.views import queue_rows

    store = open_store(ctx.settings, must_exist=True)
    try:
        rows = store.read_sync(lambda db: queue_rows(db, limit=limit))
    finally:
        store.close_sync()
    if as_json:
        click.echo(json.dumps([_json_row(r) for r in rows], indent=2, default=str))
        return
    if not rows:
        click.echo(f"The queue is empty (database {ctx.settings.service.database}). The demo uses its own file: "
                   "`careline demo` prints the command that points the CLI at it.")
        return
    zone, now = ZoneInfo(ctx.settings.service.timezone), utcnow()
    click.echo(f"{'ID':>5}  {'PRI':>5}  {'STATUS':<9} {'DUE':<30} {'BRAND':<10} {'LANG':<6} {'AUTHOR':<16} TEXT")
    for r in rows:  # the author wrote the text and the handle: no escape sequence of theirs reaches the terminal
        click.echo(f"{r['id']:>5}  {r['priority']:>5.2f}  {r['status']:<9} {_due(r, zone, now):<30} "
                   f"{r['brand']:<10} {_language(r):<6} @{fit(safe_line(r['handle']), 15)} "
                   f"{fit(safe_line(r['text']), 60).rstrip()}")
    if any(r.get("language_covered") == 0 for r in rows):
        click.echo("* no model reads this language: its scores are a guess and its priority has a floor")


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A queue row for --json: the reasons stored as JSON text become a list, not a string inside JSON."""
    reasons = row.get("priority_reasons")
    return {**row, "priority_reasons": json.loads(reasons) if isinstance(reasons, str) and reasons else []}


def _language(row: dict[str, Any]) -> str:
    """The row's language code for the table ('?' when not known), '*' after one no model reads."""
    code = safe_line(row.get("language") or "und")[:5]  # platforms tag posts too: their tag is shown, not obeyed
    return ("?" if code == "und" else code) + ("*" if row.get("language_covered") == 0 else "")


def _due(row: dict[str, Any], zone: tzinfo, now: datetime) -> str:
    """The target that runs, as every page shows it (``sla_state``), its due time in the team's zone (stored as
    UTC, which misleads a team in another zone by hours) and 'overdue' once it has passed; 'answered' when
    the first response is met and nothing else runs (it said 'overdue' from the met first response's time)."""
    from responder.slastate import sla_state

    state = sla_state(row, now)
    due = from_iso(state["due"])
    if due is None:
        return {"responded": "answered", "paused": "paused"}.get(state["state"], "")  # waiting: the clock stands
    return f"{due.astimezone(zone):%Y-%m-%d %H:%M %Z}" + (" overdue" if state["state"] == "breached" else "")


@cli.group("config", invoke_without_command=True)
@click.option("--check", is_flag=True, help="Only validate the settings; exit 2 with the reason if invalid.")
@click.pass_context
def config_cmd(click_ctx: click.Context, check: bool) -> None:
    """Validate the settings, or list every key with its default and help; export / import what was set in
    the browser."""
    if click_ctx.invoked_subcommand:
        return
    root = click_ctx.find_object(Context)
    assert root is not None  # the top-level group always sets it
    settings = root.bootstrap
    if check:
        from careline.app.doctor import WARNING, check_overlay
        from careline.errors import ConfigError

        found, _ = check_overlay(settings)  # the browser's changes, where the database holds any
        problem = next((f.message for f in found if f.level == WARNING), None)
        if problem:  # the file is fine alone, but the service would drop what admins set in the browser
            raise ConfigError("<database>", problem)
        _check_model_dir(settings)
        click.echo(f"ok: {len(settings.brands)} brand(s), database {settings.service.database}")
        return
    shown = settings if root.config_path or any(k.startswith("CARELINE_") for k in os.environ) else None
    for key, help_text, default in describe():
        click.echo(f"{key} = {json.dumps(default)}\n    {help_text}")
        value = _value_at(shown, key) if shown is not None else _UNSET
        if value is not _UNSET and value != default:  # a newcomer checking an override saw the defaults alone
            click.echo(f"    in effect here: {'(set)' if key in SECRET_ENV else json.dumps(value, default=str)}")
    if shown is not None and shown.brands:
        click.echo(f"brands in effect here: {', '.join(b.name for b in shown.brands)} (careline config export shows "
                   "them whole, with what was set in the browser)")


_UNSET = object()


def _value_at(settings: Settings, key: str) -> object:
    """The value of a settings key such as ``service.port`` in ``settings``; ``_UNSET`` for a key of each brand,
    policy or calendar (``brands[].name``), listed after the keys."""
    if "[" in key:
        return _UNSET
    node: object = settings
    for part in key.split("."):
        if not hasattr(node, part):
            return _UNSET
        node = getattr(node, part)
    return list(node) if isinstance(node, tuple) else node


def _check_model_dir(settings: Settings) -> None:
    """The trained model the settings name must be there: a missing ``classifier.model_dir`` passed the check,
    then ``careline run`` failed at start (exit 1). Read from the Careline folder, as the service reads it."""
    from careline.app.service import model_folder
    from careline.errors import ConfigError

    if settings.classifier.kind != "minilm":
        return
    folder = model_folder(settings)
    if not (folder / "manifest.json").is_file():
        raise ConfigError("classifier.model_dir", f"no trained model at {folder} (its manifest.json is missing); "
                                                  "point it at one, or train one with careline train --out")


@config_cmd.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True), required=False)
@OVERWRITE
@pass_ctx
def config_export(ctx: Context, file: str | None, overwrite: bool) -> None:
    """Write the effective settings (file + browser changes) as TOML, secrets left out (stdout without FILE, or
    with "-").

    An existing FILE is written over only after a question (--yes skips it)."""
    from careline.app.commands.configfile import effective, to_toml
    from careline.app.service import open_store

    if file == "-":  # as classify and tone-check read "-": it wrote a file named "-"
        file = None
    if file:  # before any work, and before the database is touched
        check_output(ctx.bootstrap.service.database, file, settings_file=ctx.config_path)
        confirm_overwrite(file, overwrite)
    if Path(ctx.bootstrap.service.database).is_file():
        store = open_store(ctx.bootstrap)
        try:
            text = to_toml(effective(ctx.bootstrap, store))
        finally:
            store.close_sync()
    else:  # nothing was set in a browser yet; exporting must not create an empty database
        text = to_toml(ctx.bootstrap)
    if not file:
        click.echo(text, nl=False)
        return
    write_output(ctx.bootstrap.service.database, file, text, private=False)  # secrets are left out
    click.echo(f"wrote {file}", err=True)


@config_cmd.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Remove what the file lacks without asking (for scripts).")
@pass_ctx
def config_import(ctx: Context, file: str, yes: bool) -> None:
    """Validate FILE like --check, then store its brands, SLA policies, calendars, webhooks, sources and
    templates as the browser's settings (audited as you; a running service applies them within seconds).

    FILE is the whole of those sections: a brand, policy, calendar, webhook or template it lacks is removed.
    When it would remove any, they are listed and you are asked first (--yes skips the question; without
    a terminal to ask on, the import is refused unless --yes is given).

    On a new box this creates the database (and says so), as 'careline run' would."""
    from careline.app.commands import new_database_note
    from careline.app.commands.configfile import import_file, removed_by_import
    from careline.app.service import open_store
    from careline.settings import load_settings

    load_settings(file)  # an invalid file is refused before a database is created for it
    note = new_database_note(ctx.bootstrap)
    store = open_store(ctx.bootstrap)
    if note:
        click.echo(note, err=True)
    try:
        gone = removed_by_import(ctx.bootstrap, store, file)
        if gone and not yes:
            _confirm_removal(file, gone)
        done = import_file(ctx.bootstrap, store, file)
    finally:
        store.close_sync()
    click.echo(f"imported: {done.changed} item(s) differ from the settings file; settings version {done.saved.version}")
    for section in done.ignored:
        click.echo(f"not imported (set it in the settings file): {section}", err=True)


def _confirm_removal(file: str, gone: list[tuple[str, str]]) -> None:
    """List what an import removes and ask; without a terminal, refuse (a script says --yes)."""
    listed = ", ".join(f"{section} {key}" for section, key in gone[:12]) + (" ..." if len(gone) > 12 else "")
    words = f"{file} lacks {len(gone)} item(s) the service has, and importing it removes them: {listed}"
    if not sys.stdin.isatty():
        raise click.ClickException(f"{words}. Nothing was imported; run again with --yes to remove them.")
    if not click.confirm(f"{words}. Remove them?", default=False, err=True):
        raise click.ClickException("nothing was imported")


@cli.group()
def user() -> None:
    """People who log in to the web app, and API tokens for scripts."""


@user.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "lead", "marketing", "admin"]), required=True)
@click.option("--name", "display_name", default="", help="Name shown in the app.")
@click.option("--team", default="", help="Teams to join, comma-separated (made when missing).")
@click.option("--password", default=None, help="Asked for when not given (never put it in shell history). At least "
              "12 characters; common passwords are refused.")
@pass_ctx
def user_add(ctx: Context, username: str, role: str, display_name: str, team: str, password: str | None) -> None:
    """Create a user (the password is stored as a salted scrypt hash).

    The first user of a new box creates the database (and says so), as 'careline run' would."""
    from careline.app.commands import new_database_note
    from careline.app.service import open_store
    from careline.app.web.auth import account_problem, create_user
    from careline.app.web.passwords import check_new_password, password_problem
    from careline.errors import Conflict

    minimum = ctx.settings.accounts.min_password_length
    # what the command line says wrong is a usage error (exit 2), found before a database is made
    problem = account_problem(username, display_name, team)
    if problem:
        raise click.UsageError(problem)  # it names the field: "username must be ..."
    problem = password_problem(password, username, minimum) if password is not None else None
    if problem:
        raise click.BadParameter(problem, param_hint="'--password'")
    note = new_database_note(ctx.settings)
    if note and password is None:  # a new file has no names to be taken: ask first, so a prompt given up makes no file
        password = _ask_password()
        check_new_password(password, username, minimum)  # typed and refused: exit 1, and no file either
    store = open_store(ctx.settings)
    if note:
        click.echo(note, err=True)
    try:
        # asked before the password: typing one twice for a name that is taken wastes the admin's time
        if store.read_sync(lambda db: db.conn.execute("SELECT 1 FROM users WHERE username = ?",
                                                      (username,)).fetchone()):
            raise Conflict(f"user {username!r} already exists")
        if password is None:
            password = _ask_password()
        check_new_password(password, username, minimum)  # a typed one: exit 1, as the prompt's other refusals
        chosen = password
        store.write_sync(lambda db: create_user(db, username, role, chosen, display_name, team=team))
    finally:
        store.close_sync()
    click.echo(f"created {role} {username!r}")


def _ask_password() -> str:
    """The new password, typed twice. Without a terminal (a script) it is read from standard input, two lines,
    without getpass's warning about echo; nothing there is a usage error that says what to give, not
    "aborted" under a GetPassWarning naming a Python file."""
    import getpass
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", getpass.GetPassWarning)
        try:
            return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
        except click.Abort:
            if sys.stdin is not None and sys.stdin.isatty():
                raise  # Ctrl-C or Ctrl-D at the prompt: an interruption, as any prompt's
            raise click.UsageError("no password: give --password, or pipe it in twice (two lines), or run "
                                   "the command in a terminal to be asked") from None


@user.command("token")
@click.argument("username")
@click.option("--label", default="", help="What the token is for.")
@click.option("--role", type=click.Choice(["agent", "lead", "marketing", "admin"]), default=None,
              help="Scope of the token: a role no higher than the owner's (default: the owner's).")
@click.option("--days", type=click.IntRange(0, 3650), default=None,
              help="Days until it expires; 0 = never (default: accounts.token_days).")
@pass_ctx
def user_token(ctx: Context, username: str, label: str, role: str | None, days: int | None) -> None:
    """Create an API token for USERNAME; it is printed once and stored only as a hash."""
    from careline.app.service import open_store
    from careline.app.web.auth import create_token

    days = ctx.settings.accounts.token_days if days is None else days
    expires = utcnow() + timedelta(days=days) if days else None
    store = open_store(ctx.settings, must_exist=True)  # the person must exist
    try:
        token = store.write_sync(lambda db: create_token(db, username, label, role=role, expires_at=expires,
                                                         actor="cli"))
    finally:
        store.close_sync()
    click.echo(token)


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@pass_ctx
def user_list(ctx: Context, as_json: bool) -> None:
    """Everyone who can log in: role, team, two-factor, disabled, live sessions."""
    import dataclasses

    from careline.app.service import open_store
    from careline.app.web.accounts import accounts

    store = open_store(ctx.settings, must_exist=True)
    try:
        people = store.read_sync(accounts)
    finally:
        store.close_sync()
    if as_json:
        click.echo(json.dumps([{**dataclasses.asdict(a), "role": a.role.value} for a in people], indent=2))
        return
    # the columns as wide as what they hold: a person in two teams pushed every later column out of line
    teams = {a.username: ", ".join(a.teams) or "-" for a in people}
    names, wide = max([20, *(len(a.username) + 1 for a in people)]), max([12, *(len(t) + 1 for t in teams.values())])
    click.echo(f"{'USERNAME':<{names}} {'ROLE':<10} {'TEAMS':<{wide}} {'2FA':<8}{'STATE':<9} SESSIONS")
    for a in people:
        state = "disabled" if a.disabled_at else "active"
        click.echo(f"{a.username:<{names}} {a.role.value:<10} {teams[a.username]:<{wide}} "
                   f"{'on' if a.two_factor else 'off':<8}{state:<9} {a.sessions}")


@user.command("reset")
@click.argument("username")
@pass_ctx
def user_reset(ctx: Context, username: str) -> None:
    """End USERNAME's sessions, stop their old password and API tokens, and print a one-time link (72 h)
    where they set a new password."""
    from careline.app.service import open_store
    from careline.app.web.accounts import create_link, end_sessions, lock_out

    def reset(db):  # type: ignore[no-untyped-def]
        end_sessions(db, username)
        token = create_link(db, "cli", username, "reset")
        lock_out(db, "cli", username)
        return token

    store = open_store(ctx.settings, must_exist=True)  # the person must exist
    try:
        token = store.write_sync(reset)
    finally:
        store.close_sync()
    service = ctx.settings.service
    base = ctx.settings.responder.public_url or f"http://{service.host}:{service.port}"
    click.echo(f"{base.rstrip('/')}/set-password?token={token}")  # alone on stdout: a script may take it
    click.echo(f"note: send this link to {username} only: it sets their new password, works once, and expires in "
               "72 hours; their sessions and API tokens are already stopped", err=True)  # it was a bare address
    if not ctx.settings.responder.public_url and service.host in ("0.0.0.0", "::", ""):
        click.echo(f"note: {service.host or 'every address'} is where the service listens, not an address to open: "
                   "put this server's name in its place (responder.public_url sets it for good)", err=True)


@user.command("reset-two-factor")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def user_reset_two_factor(ctx: Context, username: str, yes: bool) -> None:
    """Turn off USERNAME's two-factor sign-in: for someone who lost their authenticator and has no recovery
    code left, or whose secret was sealed with a key file that is gone.

    Their secret and recovery codes are deleted and their sessions end; their password and API tokens
    stay, so they sign in with the password and set two-factor up again at /account. Audited as
    account.two_factor_reset by cli:<your user>. If the account may be in other hands, also run
    'careline user reset USERNAME'. Admins can do the same at /admin."""
    import getpass

    from careline.app.service import open_store
    from careline.app.web.accounts import reset_two_factor, two_factor_holder

    store = open_store(ctx.settings, must_exist=True)  # the person must exist
    try:  # said before the question: confirming for a mistyped name, or for nothing to do, wastes the admin's time
        role = store.read_sync(lambda db: two_factor_holder(db, username))
        if not yes:
            click.confirm(f"Turn off two-factor sign-in for {username} ({role.value})? They sign in with "
                          "the password alone until they set it up again", abort=True)
        actor = f"cli:{getpass.getuser()}"
        done = store.write_sync(lambda db: reset_two_factor(db, actor, username, via="command line"))
    finally:
        store.close_sync()
    click.echo(f"two-factor sign-in of {username} is off: {done.recovery_codes} unused recovery code(s) stopped "
               f"working, {done.sessions} session(s) ended; they sign in with their password and set it up again "
               "at /account")


@cli.group()
def team() -> None:
    """Teams: conversations assigned to a team go round-robin to its available members."""


@team.command("add")
@click.argument("name")
@click.option("--member", "members", multiple=True, help="Username to add (repeatable).")
@pass_ctx
def team_add(ctx: Context, name: str, members: tuple[str, ...]) -> None:
    """Create team NAME (or add people to it)."""
    from careline.app.service import open_store
    from careline.domain import utcnow
    from careline.store import workspace

    name = workspace.team_name(name)  # refused before the database is opened

    def write(db: Any) -> None:
        nonlocal name
        name = workspace.add_team(db, name, utcnow())  # "Tier1" joins the team "tier1"
        for member in members:
            workspace.join_team(db, name, member)

    store = open_store(ctx.settings, must_exist=True)  # its members must exist: a new file has nobody
    try:
        store.write_sync(write)
        listed = store.read_sync(workspace.teams)[name]
    finally:
        store.close_sync()
    click.echo(f"team {name!r}: {', '.join(listed) or 'no members yet'}")


@team.command("remove")
@click.argument("name")
@pass_ctx
def team_remove(ctx: Context, name: str) -> None:
    """Delete team NAME, once nobody is in it and no open conversation is routed to it (a team made by a typo)."""
    from careline.app.service import open_store
    from careline.store import workspace

    store = open_store(ctx.settings, must_exist=True)
    try:
        store.write_sync(lambda db: workspace.remove_team(db, name))
    finally:
        store.close_sync()
    click.echo(f"team {name!r} removed")


@team.command("list")
@pass_ctx
def team_list(ctx: Context) -> None:
    """Every team and its members."""
    from careline.app.service import open_store
    from careline.store import workspace

    store = open_store(ctx.settings, must_exist=True)
    try:
        found = store.read_sync(workspace.teams)
    finally:
        store.close_sync()
    if not found:
        click.echo("No teams yet: careline team add NAME --member USER")
    for name, members in found.items():
        click.echo(f"{name}: {', '.join(members) or '(no members)'}")


def _load_stage_commands() -> None:
    for name in STAGE_CLI_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for command in getattr(module, "COMMANDS", ()):
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """The ``careline`` command: the stages' commands loaded, then :func:`careline.commandline.run`."""
    command_line.run(cli, "careline", argv, before=_load_stage_commands)


def stage_path(*parts: str) -> Path:
    """Paths of shipped data are relative to the repo root, wherever the command is run from."""
    return Path(__file__).resolve().parents[2].joinpath(*parts)
