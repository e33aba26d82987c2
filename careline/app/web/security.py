"""Secrets and hostile text: password hashing, token hashing, JSON islands, CSV cells.

Passwords use ``hashlib.scrypt`` (a memory-hard KDF from the standard library) with a random salt per
user; API tokens and session ids are long random strings of which only a SHA-256 is stored, so a
copy of the database does not let anyone log in. Every comparison of secrets is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from typing import Any

import markupsafe

from careline.errors import CarelineError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_DKLEN = 32
#: What a CSV cell must not start with, or spreadsheets evaluate it (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash``: the parameters travel with the hash so they can be raised later."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            dklen=_DKLEN, maxmem=64 * 1024 * 1024)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check; a missing or malformed hash never matches (and still costs one KDF run)."""
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            raise ValueError(scheme)
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                                p=int(p), dklen=len(expected), maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        hash_password(password)  # same cost as a real check, so timing does not reveal unknown users
        return False
    return hmac.compare_digest(actual, expected)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def _sent(text: str) -> bytes:
    """A credential as it was sent: aiohttp keeps a header's or cookie's bytes that are not UTF-8 as lone
    surrogates, which plain UTF-8 refuses (a 500 on every route, ``/health`` too, for one such byte). Kept as they
    came (``surrogatepass``), such a value hashes and compares like any other, and matches nothing we issued."""
    return text.encode("utf-8", "surrogatepass")


def token_hash(token: str) -> str:
    """What is stored for an API token or session id. Tokens are 256-bit random, so no salt is needed."""
    return hashlib.sha256(_sent(token)).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(_sent(a), _sent(b))


def json_for_html(data: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: ``<``, ``>``, ``&`` and quotes escaped."""
    text = json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("'", "\\u0027").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def csv_cell(value: Any) -> str:
    """A CSV cell that spreadsheets show as text: formula-like starts get a leading single quote. Numbers
    stay numbers: ``-67`` (an NPS) is not a formula, and quoted it would sort and sum as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


#: UTF-8's byte-order mark. Without it Excel opens a CSV in the machine's legacy code page, so accents, emoji
#: and every non-Latin post come out garbled; with it, plain UTF-8 readers see an extra character first. So
#: the pages' download links ask for it (``bom=1``) and a script gets plain UTF-8 unless it asks.
BOM = "\ufeff"


def wants_bom(query: Mapping[str, str]) -> bool:
    """Whether a CSV request asked for the byte-order mark (``bom=1``); any other value than 1 or 0 is a 400,
    not silently the other file."""
    value = query.get("bom", "")
    if value not in ("", "0", "1"):
        raise CarelineError("bom must be 1 (a byte-order mark first, for Excel) or 0")
    return value == "1"


_HANDLE = re.compile(r"@[A-Za-z0-9_]+")


def isolate_handles(text: str) -> markupsafe.Markup:
    """``text`` escaped, each @handle in a ``<bdi>``: in a right-to-left post the browser otherwise
    moves a handle's ``@`` to its far end ("SkylarkAir@"). The escaped text holds no ``@`` of its own
    making and the pattern no markup, so nothing a customer wrote becomes a tag."""
    return markupsafe.Markup(_HANDLE.sub(r"<bdi>\g<0></bdi>", str(markupsafe.escape(text))))


def session_mac(secret: str, text: str) -> str:
    """An HMAC of ``text`` under a session's CSRF secret: what the server puts in a link and alone can make,
    so a page shows or acts on it (a bulk Undo, a result message) only when this server wrote it for this
    session."""
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def seal_message(secret: str | None, text: str) -> str:
    """The signature a result message (``?bulk=``) travels with, so only this server's words show."""
    return session_mac(secret or "", f"message:{text}")


def opened_message(secret: str | None, text: str, signature: str) -> str:
    """``text`` when this session's server signed it (``seal_message``), else "" (a link's own words
    such as "your session expired, sign in at ..." never appear in the page's status line)."""
    return text if secret and text and hmac.compare_digest(signature, seal_message(secret, text)) else ""
