"""How every Careline command line ends: one rule for ``careline`` and for a stage run alone
(``python -m classifiers.cli``), which may not import the app.

Errors Careline raises on purpose are one line and an exit status a script can branch on: 2 for bad
configuration or usage, 1 for a refused or failed command, 130 for Ctrl-C
(:data:`careline.errors.INTERRUPTED`); anything else is a bug, logged with its traceback. A closed pipe
(``careline config | head -2``) is click's quiet 1, as Python's documentation advises: the output was cut
short and no one is left to read a message.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable, Sequence

import click

from careline.errors import INTERRUPTED, CarelineError, ConfigError, interrupted

log = logging.getLogger("careline")


def not_utf8(args: Sequence[str]) -> str | None:
    """The first argument with bytes that are not UTF-8 (Python keeps them as lone surrogates), shown with
    those bytes replaced; None when all are text. A handle typed in a Latin-1 terminal reached SQLite and the
    password hasher as surrogates: a traceback, then "something went wrong"."""
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in arg)
    return None


def _global_option_hint(group: click.Command, exc: click.NoSuchOption, prog_name: str) -> str | None:
    """Where an option of the top-level command goes, when it was given after a subcommand: ``careline queue -c
    my.toml`` answered "No such option: -c" alone."""
    option = exc.option_name
    command = exc.ctx.info_name if exc.ctx is not None and exc.ctx.command is not group else None
    for param in getattr(group, "params", []):
        if isinstance(param, click.Option) and option in param.opts + param.secondary_opts:
            return f"{option} goes before the command: {prog_name} {option} VALUE {command or 'COMMAND'} ..."
    return None


def run(group: click.Command, prog_name: str, argv: Sequence[str] | None = None, *,
        before: Callable[[], None] | None = None) -> None:
    """Run ``group`` as ``prog_name`` with ``argv`` (else ``sys.argv``), ``before`` first (loading commands
    may fail too), and exit as the module docstring says; returns only on success with no exit code."""
    args = list(argv) if argv is not None else sys.argv[1:]
    if (bad := not_utf8(args)) is not None:
        click.echo(f"error: argument {bad!r} is not UTF-8 text (check the terminal's or the script's encoding)",
                   err=True)
        sys.exit(2)
    try:
        if before is not None:
            before()
        code = group.main(args=args, prog_name=prog_name, standalone_mode=False)
    except (click.exceptions.Abort, KeyboardInterrupt) as exc:
        click.echo("interrupted" if interrupted(exc) else "aborted", err=True)
        sys.exit(INTERRUPTED if interrupted(exc) else 1)
    except click.ClickException as exc:
        exc.show()
        if isinstance(exc, click.NoSuchOption) and (hint := _global_option_hint(group, exc, prog_name)):
            click.echo(hint, err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except CarelineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except sqlite3.Error as exc:  # Store names the file itself; this is the backstop for any other query
        click.echo(f"error: database: {exc}", err=True)
        sys.exit(1)
    except Exception:
        log.exception("unexpected error")
        click.echo("error: something went wrong; see the log above", err=True)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)
