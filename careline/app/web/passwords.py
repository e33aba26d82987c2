"""Which new passwords Careline accepts: long enough, not common, not the username.

NIST SP 800-63B's advice, which a security review will check against: a length floor (12 here),
no composition rules, and a refusal of passwords from known breach lists. The bundled list is
Django's 19,640 common passwords (``data/README.md``). A long password made of a common one plus
digits or symbols (``password123456``, ``Summer2026!!!``) is refused as well, since guessing
tools try exactly those.
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

from careline.errors import CarelineError

MIN_LENGTH = 12
MAX_LENGTH = 256  # scrypt cost does not grow with length, but a 1 MB "password" is not a password
COMMON_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
_EDGES = re.compile(r"^[\d\W_]+|[\d\W_]+$")


class WeakPassword(CarelineError):
    """A new password the policy refuses; the message says why, for the person choosing it."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The bundled list, read once."""
    with gzip.open(COMMON_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def _cores(password: str) -> set[str]:
    """The password lower-cased, and again without leading/trailing digits and symbols."""
    low = password.lower()
    return {low, _EDGES.sub("", low)}


def password_problem(password: str, username: str = "", min_length: int = MIN_LENGTH) -> str | None:
    """Why ``password`` is refused, or None when it is acceptable."""
    if not password.strip():
        return "the password must not be empty"
    if len(password) < max(min_length, MIN_LENGTH):
        return f"use at least {max(min_length, MIN_LENGTH)} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if len(set(password)) < 4:
        return "use more than a few different characters"
    if username and username.lower() in password.lower():
        return "the password must not contain the username"
    if _cores(password) & common_passwords():
        return "that password is on the list of common passwords; choose another"
    return None


def check_new_password(password: str, username: str = "", min_length: int = MIN_LENGTH) -> None:
    """Raise :class:`WeakPassword` (a 400 on the web) when the policy refuses ``password``."""
    problem = password_problem(password, username, min_length)
    if problem:
        raise WeakPassword(problem)
