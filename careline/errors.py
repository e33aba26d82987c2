"""One exception tree for Careline.

Library errors are translated into these at the edge (``raise X from exc``) so the core and the
UI only ever reason about our own types: business errors are shown to people in words, anything
else is a bug that gets logged with its traceback.
"""

from __future__ import annotations


class CarelineError(Exception):
    """Base of every error Careline raises on purpose. ``field``: the request field it is about, which the
    API's error names so a form can mark it (empty: none in particular)."""

    field: str = ""


def about(field: str, exc: CarelineError) -> CarelineError:
    """``exc``, said to be about the request's ``field`` (``raise about("password", exc) from exc``)."""
    exc.field = field
    return exc


#: ``ConfigError``'s key for the settings file as a whole (it cannot be found or read): the message names the file.
FILE = "<file>"


class ConfigError(CarelineError):
    """The configuration is invalid; the message names the key and the reason. A command-line option
    (``--since``) is named as the option it is, not as a key of the settings file."""

    def __init__(self, key: str, reason: str) -> None:
        where = (f"invalid value for {key}" if key.startswith("--") else "config error" if key == FILE
                 else f"config error at {key!r}")
        super().__init__(f"{where}: {reason}")
        self.key = key
        self.reason = reason


class SourceError(CarelineError):
    """A platform source failed. ``temporary`` says whether a retry can help."""

    temporary: bool = False

    def __init__(self, source: str, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.retry_after = retry_after


class TemporarySourceError(SourceError):
    """Timeouts, 5xx, dropped connections: back off and try again."""

    temporary = True


class RateLimited(TemporarySourceError):
    """The platform said 429; ``retry_after`` holds the seconds until its reset."""


class PermanentSourceError(SourceError):
    """Bad credentials, forbidden, a query the platform rejects: retrying will not help."""


class MalformedPayload(CarelineError):
    """One item of a platform payload could not be understood; it is logged and skipped."""


class NotFound(CarelineError):
    """A thing asked for by id does not exist."""


class Conflict(CarelineError):
    """The request clashes with the current state (e.g. an illegal status transition)."""


class Forbidden(CarelineError):
    """The user's role does not allow this."""


class Invalid(CarelineError):
    """Input has the right syntax but the wrong type, range, choice or length (HTTP 422)."""


#: The exit status of a command stopped by Ctrl-C: 128 + SIGINT, as a shell reports a process the signal
#: ended. Scripts and cron wrappers tell an interruption from a failure (1) or a usage error (2) by it.
INTERRUPTED = 130


def interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` stands for Ctrl-C: click turns a KeyboardInterrupt into Abort (as its cause, or as its
    context when a prompt had it), while a declined confirmation or a prompt at the end of input is a bare Abort
    (exit 1). A KeyboardInterrupt outside click's handling (while the commands load) arrives as itself. Shared
    by ``careline`` and ``python -m classifiers.cli``."""
    return any(isinstance(e, KeyboardInterrupt) for e in (exc, exc.__cause__, exc.__context__))
