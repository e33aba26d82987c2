"""Two-factor sign-in with time-based one-time codes (RFC 6238); ``pyotp`` does the arithmetic.

A code is accepted for its own 30-second step and one step either side (clock drift), and never
twice: the caller stores the matched step and refuses any step not newer than it.
"""

from __future__ import annotations

import re
from datetime import datetime

import pyotp

from careline.app.web.security import same

ISSUER = "Careline"
DRIFT_STEPS = 1


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app imports (typed in, or pasted)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30 s step whose code ``code`` is (within the allowed drift), or None."""
    code = re.sub(r"\s", "", code)
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(now)
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        if same(totp.generate_otp(step + offset), code):
            return step + offset
    return None


def valid_secret(secret: str) -> bool:
    """A base32 secret of at least 160 bits, as ``new_totp_secret`` makes."""
    return bool(re.fullmatch(r"[A-Z2-7]{32,}", secret or ""))
