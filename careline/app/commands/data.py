"""Data stewardship commands: ``careline doctor``, ``backup``, ``restore``, ``customer export|erase``, ``purge``.

Thin shells over ``careline.app.doctor``, ``careline.store.backup``, ``careline.store.customers`` and
``careline.store.retention``; every failure is one line naming the file and the cause.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click
from sqlite_utils import Database

from careline.app.commands import OVERWRITE, check_brand, check_output, confirm_overwrite, settings_of, write_output
from careline.app.doctor import ERROR, KNOWN_MIGRATIONS, WARNING, doctor
from careline.app.web.sealing import ENV
from careline.domain import Platform, utcnow
from careline.errors import CarelineError
from careline.settings import Settings
from careline.store import backup as backups
from careline.terminal import is_terminal, write_document

if TYPE_CHECKING:
    from careline.store.customers import Erased

log = logging.getLogger("careline")
T = TypeVar("T")

#: Every platform Careline listens on: a customer of any of them may ask for their data.
PLATFORMS = [p.value for p in Platform]


def preflight(settings: Settings) -> None:
    """``careline run``'s start: stop on an error, warn loudly (log and stderr) about anything else."""
    for finding in doctor(settings):
        if finding.level == ERROR:
            raise CarelineError(f"cannot start: {finding.check}: {finding.message}")
        if finding.level == WARNING:
            log.warning("!!! %s: %s", finding.check, finding.message)


@click.command("doctor")
@click.option("--backups", "backup_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="A folder you back up to: report copies that a killed backup left there (repeatable; the "
                   "database's folder is always looked at).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON (level, check, message).")
@click.pass_context
def doctor_cmd(ctx: click.Context, backup_dirs: tuple[str, ...], as_json: bool) -> None:
    """Check the database (integrity, migrations, permissions), a brand to listen for and an account to log in
    with, each source's secrets, the clock and copies left by unfinished backups.

    Exits 1 when a check fails ('careline run' would refuse to start); warnings exit 0.
    """
    root = ctx.find_root().obj  # the file: the doctor checks the browser's changes on top of it itself
    findings = doctor(root.bootstrap if hasattr(root, "bootstrap") else settings_of(ctx), backups=backup_dirs)
    if as_json:
        click.echo(json.dumps([{"level": f.level, "check": f.check, "message": f.message} for f in findings],
                              indent=2))
    for finding in findings if not as_json else ():
        click.echo(finding.line())
    if any(f.level == ERROR for f in findings):
        sys.exit(1)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def backup_cmd(ctx: click.Context, file: str) -> None:
    """Copy the database to FILE (0600, integrity-checked); safe while the service runs.

    FILE may not be the database or its -wal, -shm or .totp-key file, and its folder must exist (a
    typo in the path makes no folders). The two-factor key file is not in the copy: keep
    <database>.totp-key (or $CARELINE_TOTP_KEY) with your backups.

    \b
    A nightly backup kept for a week (one file per weekday, each replacing last week's), from cron (its PATH
    lacks the virtual environment: give the command's full path):
      15 3 * * *  /opt/careline/.venv/bin/careline backup /var/backups/careline/careline-$(date +\\%a).db
    """
    from careline.app.service import NoDatabase

    database = settings_of(ctx).service.database
    if not Path(database).is_file():  # the same words and exit 2 as every command that needs the database
        raise NoDatabase(database)
    report = backups.backup(database, file)
    click.echo(f"backed up {report.pages} pages ({report.bytes / 1e6:.1f} MB) to {report.path}; integrity ok")
    _remind_of_key(database)


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.option("--force", is_flag=True, help="Restore a file that is not a Careline database anyway.")
@click.pass_context
def restore_cmd(ctx: click.Context, file: str, yes: bool, force: bool) -> None:
    """Replace the database with the backup FILE (verified first). Stop the service before.

    A backup written by a newer Careline is refused (upgrade first), and so, without --force, is a
    file that is not a Careline database. The database as it was is kept first, as a backup beside it
    (<database>.before-restore-<time>), so the restore can be undone by restoring that file. Customers it
    erased stay erased: one the backup still holds is erased again.
    """
    database = settings_of(ctx).service.database
    backups.refuse_own_file(database, file, "cannot restore the database from itself")
    backups.verify_backup(file)
    backups.check_restorable(file, KNOWN_MIGRATIONS, force=force)
    damaged = _refuse_in_use(database)  # before the question, not after a yes
    had = Path(database).is_file() and Path(database).stat().st_size > 0
    kept = _unused(Path(f"{database}.before-restore-{utcnow():%Y%m%dT%H%M%SZ}"))
    if not yes:
        if not sys.stdin.isatty():  # it printed the question, then "aborted" with exit 1
            raise click.UsageError("restore replaces the whole database: run it in a terminal to confirm, or add "
                                   "--yes")
        click.confirm(f"Replace everything in {database} with {file}?"
                      + (f" (the database as it is now is kept as {kept})" if had else ""), abort=True)
    if had and not damaged:
        try:
            backups.backup(database, kept)
        except backups.StoreFileError as exc:
            if not exc.damaged:
                raise
            damaged = True  # damaged beyond its header: found by the copy
    erased = _erasures_of(database) if had and not damaged else []
    if damaged:
        kept = _unused(Path(f"{database}.damaged-{utcnow():%Y%m%dT%H%M%SZ}"))
        backups.move_aside(database, kept)
        click.echo(f"the database could not be read (damaged), so it was moved aside as {kept}, not copied; "
                   "erasures it recorded cannot be read from it: check them (careline customer) after the restore")
    report = backups.restore(file, database, known=KNOWN_MIGRATIONS, force=force)
    click.echo(f"restored {report.pages} pages into {report.path}"
               + (f"; the database as it was is kept as {kept}: careline restore {kept} undoes this"
                  if had and not damaged else ""))
    if erased:
        again = _erase_again(ctx, erased)
        customers = sum(e.kind == "authors" for e in erased)
        click.echo(f"the {customers} erasure(s) the replaced database recorded still hold: "
                   f"{again} customer(s) in the backup erased again")
    _remind_of_key(database)


def _refuse_in_use(database: str) -> bool:
    """:func:`backups.refuse_in_use`, or True where the file is too damaged to tell (its header unreadable): no
    service can run on such a file, and the restore moves it aside instead of copying it."""
    try:
        backups.refuse_in_use(database)
    except backups.StoreFileError as exc:
        if not exc.damaged:
            raise
        return True
    return False


def _erasures_of(database: str | Path) -> list[Erased]:
    """The erasures the database about to be replaced records (a file Careline did not write has none)."""
    from careline.store.customers import erasures

    return _peek(database, erasures, [])


def _erase_again(ctx: click.Context, erased: list[Erased]) -> int:
    """A restored backup older than an erasure held that customer again, and nothing said so."""
    from careline.app.service import open_store
    from careline.store.customers import erase_again

    store = open_store(settings_of(ctx), must_exist=True)
    try:
        again = store.write_sync(lambda db: erase_again(db, erased, now=utcnow()))
        store.checkpoint_sync()
    finally:
        store.close_sync()
    return again


def _unused(path: Path) -> Path:
    """``path``, or the first of ``path-2``, ``path-3`` ... that does not exist: an undo run within the same second
    named its own copy as the file it was restoring from, and wrote over it first."""
    found, n = path, 1
    while found.exists():
        n += 1
        found = path.with_name(f"{path.name}-{n}")
    return found


def _remind_of_key(database: str | Path) -> None:
    """After a backup or a restore: the key reminder, when two-factor is in use."""
    reminder = key_reminder(database)
    if reminder:
        click.echo(reminder)


def key_reminder(database: str | Path) -> str:
    """Sealed two-factor secrets open only with the key they were sealed with, which no backup holds; "" while
    two-factor is not in use (no key file, no sealed secret: the reminder named a file that was not there)."""
    if os.environ.get(ENV):
        return f"two-factor secrets are sealed with ${ENV}: keep that key with your backups"
    key = Path(f"{database}.totp-key")
    if not key.exists() and not _holds_sealed(database):
        return ""
    return (f"two-factor secrets are sealed with {key}, which is not in the backup: keep the key file "
            f"with your backups (restore it beside the database; 'careline doctor' checks it matches)")


def _peek(database: str | Path, read: Callable[[Database], T], otherwise: T) -> T:
    """``read`` on a read-only opening of ``database`` (a reminder or a restore's look at the file it replaces must
    not touch it); ``otherwise`` where it cannot be opened or read."""
    from careline.store.backup import read_only

    try:
        conn = read_only(database)
    except sqlite3.Error:
        return otherwise
    try:
        return read(Database(conn))
    except sqlite3.Error:
        return otherwise
    finally:
        conn.close()


def _holds_sealed(database: str | Path) -> bool:
    """Whether ``database`` holds sealed two-factor secrets."""
    from careline.app.web.sealing import sealed_exist

    return _peek(database, sealed_exist, False)


def _handle(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """A handle with something in it: ``--handle ''`` (or ``@``) was looked up and "not found", exit 1."""
    if not value.strip().lstrip("@").strip():
        raise click.BadParameter("give the author's handle (e.g. @ana or ana)")
    return value


HANDLE = click.option("--handle", required=True, callback=_handle,
                      help="The author's handle (a leading @ is ignored).")


@click.group("customer")
def customer() -> None:
    """One customer's data on request: export it, or erase it everywhere (GDPR articles 15 and 17)."""


@customer.command("export")
@click.option("--platform", type=click.Choice(PLATFORMS), required=True)
@HANDLE
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="File (0600); default stdout.")
@OVERWRITE
@click.pass_context
def customer_export(ctx: click.Context, platform: str, handle: str, output: str | None, overwrite: bool) -> None:
    """Everything held about one author, as JSON: mentions, raw payloads, conversations, replies, surveys, events.

    An existing --output file is written over only after a question (--yes skips it)."""
    from careline.app.service import open_store
    from careline.store.customers import export_customer, shown

    settings = settings_of(ctx)
    if output is not None:
        check_output(settings.service.database, output)
        confirm_overwrite(output, overwrite)
    store = open_store(settings, must_exist=True)
    try:
        found = store.read_sync(lambda db: export_customer(db, platform, handle, now=utcnow()))
    finally:
        store.close_sync()
    text = json.dumps(found.as_json(), indent=2, ensure_ascii=False, default=str)
    if output is None:
        write_document(text + "\n", sys.stdout)
        return
    write_output(settings.service.database, output, text + "\n")
    click.echo(f"wrote {sum(len(v) for v in found.tables.values())} rows about @{shown(found.handle)} to {output}",
               err=True)


@customer.command("erase")
@click.option("--platform", type=click.Choice(PLATFORMS), required=True)
@HANDLE
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def customer_erase(ctx: click.Context, platform: str, handle: str, yes: bool) -> None:
    """Delete everything held about one author and scrub their name from every other row.

    The audit log keeps one 'customer.erased' event with counts only. Backups still hold the data
    until they expire: keep backups no longer than your erasure promise.
    """
    from careline.app.service import open_store
    from careline.store.customers import erase_customer, find_customer, holdings, shown

    store = open_store(settings_of(ctx), must_exist=True)
    try:
        # an unknown or mistyped handle is said before the question, not after the person confirmed it
        who = store.read_sync(lambda db: find_customer(db, platform, handle))
        if not yes:
            posts, threads = store.read_sync(lambda db: holdings(db, who))  # the question named no amount
            click.confirm(f"Erase everything about {platform} author @{shown(who.handle)} ({posts} post"
                          f"{'s' if posts != 1 else ''} in {threads} conversation{'s' if threads != 1 else ''})? "
                          "This cannot be undone", abort=True)
        done = store.write_sync(lambda db: erase_customer(db, platform, handle, actor="cli", now=utcnow()))
        emptied = store.checkpoint_sync()
    finally:
        store.close_sync()
    click.echo(f"erased: {done.authors} author record(s), {done.mentions} mention(s), {done.conversations} "
               f"conversation(s), {done.rows_deleted} row(s) in all; name scrubbed from {done.fields_scrubbed} "
               "other field(s)")
    if not emptied:
        click.echo("note: another process was reading the database, so the erased text leaves the database file at "
                   "its next checkpoint (within minutes), not now", err=True)


@click.group("readings")
def readings_group() -> None:
    """People's corrections of the model's reading (complaint or not, sentiment, intent), as labelled data.

    Agents and leads correct a misread post on its conversation page (or POST
    /api/conversations/ID/reading); this exports those posts with the person's label."""


@readings_group.command("export")
@click.option("--task", type=click.Choice(["complaint", "sentiment", "intent"]), default="complaint",
              show_default=True, help="Which part of the reading: posts people corrected on it, labelled with theirs.")
@click.option("--brand", default=None, help="Only this brand's mentions.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="File (0600); default stdout.")
@click.option("--for-spreadsheet", is_flag=True,
              help="For Excel and other spreadsheets: start with UTF-8's byte-order mark (so accents and emoji read "
                   "right) and prefix cells that start like a formula (=, +, -, @) with a quote, so they show as "
                   "text. Leave it off for careline evaluate: it changes the text.")
@OVERWRITE
@click.pass_context
def readings_export(ctx: click.Context, task: str, brand: str | None, output: str | None,
                    for_spreadsheet: bool, overwrite: bool) -> None:
    """The corrected posts as CSV (text, label, language, brand, platform, model_label, corrected_by,
    corrected_at) that careline evaluate --task TASK --data FILE reads.

    Complaint labels are 1/0, sentiment labels negative/neutral/positive, intent labels the intent's
    name (a brand's own intents too, which the built-in model cannot score). The rows are posts people
    corrected, in every language the brand hears: on this part most were misread, and where model_label
    equals label the person kept the model's reading of it while correcting another part. A new model
    should do better on them, but they are no unbiased sample of the traffic, so do not read a score on
    them as the model's accuracy. On a terminal, control characters in the posts show as '?'; a file or
    a pipe gets them exactly."""
    import csv
    import io

    from careline.app.service import open_store
    from careline.app.web.security import BOM, csv_cell
    from careline.store.readings import brand_heard, labelled

    settings = settings_of(ctx)
    if output is not None:
        check_output(settings.service.database, output)
        confirm_overwrite(output, overwrite)
    store = open_store(settings, must_exist=True)
    try:
        heard = brand is not None and store.read_sync(lambda db: brand_heard(db, brand))
        check_brand(settings, brand, also=[brand] if heard and brand else [])
        found = store.read_sync(lambda db: labelled(db, task, brand=brand))
    finally:
        store.close_sync()
    marked = for_spreadsheet and not (output is None and is_terminal(sys.stdout))  # a terminal shows it as '?'
    buf = io.StringIO()
    buf.write(BOM if marked else "")
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["text", "label", "language", "brand", "platform", "model_label", "corrected_by", "corrected_at"])
    for r in found:
        cells = [r.text, r.label, r.language, r.brand, r.platform, r.model_label, r.corrected_by, r.corrected_at]
        out.writerow([csv_cell(c) for c in cells] if for_spreadsheet else cells)
    if output is None:
        write_document(buf.getvalue(), sys.stdout)
    else:
        write_output(settings.service.database, output, buf.getvalue())
    languages = sorted({r.language for r in found})
    click.echo(f"{len(found)} corrected post(s) for {task}" + (f" in {', '.join(languages)}" if languages else "")
               + (f" written to {output}" if output else ""), err=True)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what the retention policy would remove now.")
@click.option("--yes", is_flag=True, help="Do not ask before removing it (for scripts).")
@click.pass_context
def purge_cmd(ctx: click.Context, dry_run: bool, yes: bool) -> None:
    """Apply the retention policy ([retention] settings) now: what the daily job does at run_at_hour, with a count
    first of what it removes (raw payloads emptied, closed conversations deleted, audit events deleted).

    The service may run meanwhile: the purge goes in short batches beside it. Run it with --dry-run after changing
    the policy, to see what the next daily run will remove."""
    import asyncio

    from careline.app.service import open_store, purge
    from careline.store.retention import pending_purge

    settings = settings_of(ctx)
    policy = settings.retention
    store = open_store(settings, must_exist=True)
    try:
        now = utcnow()
        due = store.read_sync(lambda db: pending_purge(db, policy, now))
        click.echo(f"the policy (raw payloads {_days(policy.raw_payload_days)}, closed conversations "
                   f"{_days(policy.closed_conversation_days)}, audit events {_days(policy.audit_event_days)}) "
                   f"removes now: {due.raw_payloads} raw payload(s), {due.conversations} closed conversation(s) "
                   f"with their posts, {due.events} audit event(s)")
        if dry_run or not due.total:
            return
        if not yes:
            if not sys.stdin.isatty():
                raise click.UsageError("purge removes data for good: run it in a terminal to confirm, or add --yes")
            click.confirm("Remove it for good (backups keep what they hold)?", abort=True)
        done = asyncio.run(purge(store, settings, now=now))
        store.checkpoint_sync()  # the deleted pages leave the write-ahead log too
    finally:
        store.close_sync()
    click.echo(f"removed: {done.raw_payloads} raw payload(s) emptied, {done.conversations} closed conversation(s) and "
               f"{done.events} audit event(s) deleted")


def _days(days: int) -> str:
    return f"{days} days" if days else "kept for ever"


COMMANDS = [doctor_cmd, backup_cmd, restore_cmd, customer, readings_group, purge_cmd]
