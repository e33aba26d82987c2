"""Click commands for each stage; plain functions of the stages do the work."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import click

from careline.errors import CarelineError, ConfigError
from careline.settings import Settings, load_settings
from careline.store import backup as backups


def settings_of(ctx: click.Context) -> Settings:
    """The settings the root command loaded (``--config``, with the browser's overlay), else
    ``$CARELINE_CONFIG`` or defaults: one rule for every stage command, run from ``careline`` or alone."""
    settings = getattr(ctx.find_root().obj, "settings", None)
    return settings if isinstance(settings, Settings) else load_settings()


def check_brand(settings: Settings, brand: str | None, *, also: Iterable[str] = ()) -> None:
    """Refuse ``--brand`` naming no brand, as a usage error (exit 2) listing the brands: a typo would otherwise
    select nothing and the command report 0 rows, which reads as "nothing to do". ``also`` adds brands that
    are no longer configured but still have data (an export of a brand removed from the settings)."""
    if brand is None:
        return
    names = sorted({b.name for b in settings.brands} | set(also))
    if brand not in names:
        raise ConfigError("--brand", f"no brand {brand!r}; the brands are {', '.join(names) or 'none yet'}")


def new_database_note(settings: Settings) -> str:
    """What a command that creates ``service.database`` says when it is about to (else ""): a typo in the path
    would otherwise leave a second, empty database that nobody notices until the service runs without data."""
    path = str(settings.service.database)
    if path == ":memory:" or Path(path).exists():
        return ""
    return (f"note: created a new database at {path}; if you meant an existing one, check service.database "
            "(or $CARELINE_SERVICE__DATABASE)")


def check_output(database: str | Path, file: str | Path, *, settings_file: str | Path | None = None) -> None:
    """Refuse an output file before any work: one in a folder that does not exist (a typo in a script's path
    made folders nobody looked in), the database's own files (an export written over ``careline.db``
    destroyed every conversation), any other database (a backup), and the settings file in use
    (``config export`` over it dropped its comments, a backup over it made it unreadable)."""
    parent = Path(file).parent
    if not parent.is_dir():
        raise CarelineError(f"cannot write {file}: no folder {parent}")
    backups.refuse_own_file(database, file, "cannot write over the database; choose another name")
    if backups.is_database(file):
        raise CarelineError(f"cannot write {file}: it is a SQLite database (a backup?); choose another name")
    if settings_file and Path(settings_file).exists() and backups.same_file(Path(file), Path(settings_file)):
        raise CarelineError(f"cannot write {file}: it is the settings file in use; choose another name")


#: ``--yes`` on the commands that write a file: write over one that is there without asking.
OVERWRITE = click.option("--yes", "overwrite", is_flag=True,
                         help="Write over an existing output file without asking (for scripts).")


def confirm_overwrite(file: str | Path, overwrite: bool) -> None:
    """Ask before an export writes over a file that has something in it: an earlier customer export may be the
    only copy left once that customer is erased, and a CSV may hold someone's afternoon of work. Without a
    terminal the command refuses instead (a script says ``--yes``); an empty file is written without asking."""
    import sys

    path = Path(file)
    if overwrite or not path.is_file() or path.stat().st_size == 0:
        return
    if not sys.stdin.isatty():
        raise click.UsageError(f"{file} exists. Choose another name, or add --yes to write over it.")
    if not click.confirm(f"{file} exists. Write over it?", default=False, err=True):
        raise click.ClickException("nothing was written")


def write_output(database: str | Path, file: str | Path, text: str, *, private: bool = True) -> None:
    """Write ``text`` to ``file`` after :func:`check_output`; ``private`` files are readable by their owner
    only (0600), from the moment they exist: exports hold customers' posts. OS errors are one line."""
    check_output(database, file)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, backups.PRIVATE if private else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            if private:
                os.fchmod(out.fileno(), backups.PRIVATE)  # an existing file keeps its mode through O_CREAT
            out.write(text)
    except OSError as exc:
        raise CarelineError(f"cannot write {file}: {exc.strerror or exc}") from exc
