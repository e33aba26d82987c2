"""Typed fields out of a JSON body: a wrong type or range is a 400 in the one error shape naming the field (for a
form to mark it), never coerced."""

from __future__ import annotations

from datetime import date
from typing import Any

from careline.domain import Role
from careline.errors import CarelineError, about


def text(body: dict[str, Any], key: str, *, required: bool = True, limit: int = 200) -> str:
    """``body[key]`` as text; a 400 naming the field (for a form to mark) when it is not, is missing or is long."""
    value = body.get(key, "")
    if not isinstance(value, str):
        raise about(key, CarelineError(f"{key} must be a string"))
    if required and not value.strip():
        raise about(key, CarelineError(f"{key} is required"))
    if len(value) > limit:
        raise about(key, CarelineError(f"{key} must be at most {limit} characters"))
    return value


def digits(text: str) -> bool:
    """Whether ``text`` is ASCII digits only: ``"²".isdigit()`` is true, but ``int("²")`` raises."""
    return text.isascii() and text.isdigit()


def number(body: dict[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    """An integer, also accepted as the digits a form field sends."""
    value = body.get(key, default)
    if isinstance(value, str) and digits(value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise about(key, CarelineError(f"{key} must be a whole number from {lo} to {hi}"))
    return value


def role(body: dict[str, Any], key: str = "role", *, required: bool = True) -> Role | None:
    value = body.get(key)
    if value in (None, "") and not required:
        return None
    try:
        return Role(str(value))
    except ValueError:
        raise about(key, CarelineError(f"{key} must be one of {', '.join(r.value for r in Role)}")) from None


def flag(body: dict[str, Any], key: str) -> bool:
    value = body.get(key)
    if not isinstance(value, bool):
        raise about(key, CarelineError(f"{key} must be true or false"))
    return value


def beyond_calendar(name: str, day: date) -> str | None:
    """Why a date from a query is refused, or None: one a day or a zone's offset away from the ends of Python's
    calendar (years 1 and 9999) overflowed the arithmetic behind the trends' posts and the SLA reports (a 500)."""
    return None if 1 < day.year < 9999 else f"{name} must be a date between the years 2 and 9998"
