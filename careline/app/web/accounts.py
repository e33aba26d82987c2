"""People, sessions, API tokens and set-password links as stored rows (each runs in a Store call).

Typed rows cross into the handlers; the audit trail is the shared append-only ``events`` table
(kinds ``login.*``, ``account.*``, ``token.*``, subject ``user:<name>``), each with who did it and,
for changes, the values before and after. Secrets are stored only as hashes (``security``).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.app.web.sealing import seal, unseal
from careline.app.web.security import new_secret, token_hash
from careline.domain import Event, Role, from_iso, to_iso, utcnow
from careline.errors import CarelineError, Conflict, Forbidden, NotFound
from careline.store import workspace
from careline.store.records import append_event

#: The longest display name and team list a user may have, wherever the account is made or edited.
DISPLAY_NAME_MAX, TEAMS_MAX = 80, 200

#: Roles a person with the key role may hand to a token or to someone else: never more than their own.
GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role), Role.LEAD: frozenset({Role.LEAD, Role.AGENT}),
    Role.AGENT: frozenset({Role.AGENT}), Role.MARKETING: frozenset({Role.MARKETING}),
}
LINK_TTL = timedelta(hours=72)


@dataclass(frozen=True, slots=True)
class LoginRecord:
    """What a login needs to know about a username."""

    username: str
    role: Role
    display_name: str
    password_hash: str | None
    disabled: bool
    totp_secret: str | None
    totp_last_step: int
    #: Two-factor is on: a secret is stored, whether or not this process can unseal it. A secret sealed with
    #: a key that is gone must still ask for a code (then only a recovery code works), never switch it off.
    two_factor: bool = False


@dataclass(frozen=True, slots=True)
class Account:
    """A person as the admin pages show them (never their hash or two-factor secret)."""

    username: str
    role: Role
    display_name: str
    teams: tuple[str, ...]
    disabled_at: str | None
    two_factor: bool
    created_at: str
    password_changed_at: str | None
    sessions: int
    #: The id of the newest change to the account's role, teams, name or state (0: none yet): what an edit
    #: started from, so that of two admins editing one person at once the second is told (409), not overruled.
    version: int = 0


@dataclass(frozen=True, slots=True)
class SessionInfo:
    id: str
    username: str
    created_at: str
    last_seen_at: str
    expires_at: str
    address: str
    user_agent: str


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    username: str
    label: str
    role: Role
    created_at: str
    expires_at: str | None
    revoked_at: str | None
    last_used_at: str | None

    def state(self, now: datetime) -> str:
        """active, expired or revoked: what the tokens table says in words."""
        if self.revoked_at:
            return "revoked"
        expires = from_iso(self.expires_at)
        return "expired" if expires is not None and expires <= now else "active"


def audit(db: Database, actor: str, kind: str, username: str, **data: Any) -> None:
    """One audit event about a person's account."""
    append_event(db, Event(utcnow(), actor, kind, f"user:{username}", data))


def _exists(db: Database, username: str) -> None:
    if not db.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone():
        raise NotFound(f"no user {username!r}")


# -- logging in -------------------------------------------------------------------------------------
def login_record(db: Database, username: str) -> LoginRecord | None:
    row = db.conn.execute("SELECT username, role, display_name, password_hash, disabled_at, totp_secret, "
                          "totp_last_step FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        return None
    return LoginRecord(row[0], Role(row[1]), row[2], row[3], row[4] is not None, unseal(db, row[5]), row[6],
                       two_factor=row[5] is not None)


def accept_totp_step(db: Database, username: str, step: int) -> bool:
    """Record ``step`` as used; False when it (or a later one) was already used: a replayed code, or when
    two-factor was turned off since the code was checked (an admin's reset between the check and this write:
    the old secret's code must not open a session after the reset ended them all)."""
    cur = db.conn.execute("UPDATE users SET totp_last_step = ? WHERE username = ? AND totp_last_step < ? "
                          "AND totp_secret IS NOT NULL", (step, username, step))
    return cur.rowcount == 1


def start_session(db: Database, username: str, *, ttl: timedelta, address: str = "",
                  user_agent: str = "") -> tuple[str, str]:
    """A new session id and CSRF token; expired sessions are swept at the same time."""
    now = utcnow()
    db.conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (to_iso(now),))
    sid, csrf = new_secret(), new_secret()
    digest = token_hash(sid)
    db.conn.execute(
        "INSERT INTO web_sessions (token_hash, id, username, csrf, created_at, last_seen_at, expires_at, address, "
        "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (digest, digest[:12], username, csrf, to_iso(now), to_iso(now), to_iso(now + ttl), address[:64],
         user_agent[:200]))
    return sid, csrf


def sessions_of(db: Database, username: str) -> list[SessionInfo]:
    """A person's live sessions, newest activity first."""
    rows = db.conn.execute(
        "SELECT id, username, created_at, last_seen_at, expires_at, address, user_agent FROM web_sessions "
        "WHERE username = ? AND expires_at > ? ORDER BY last_seen_at DESC", (username, to_iso(utcnow()))).fetchall()
    return [SessionInfo(*r) for r in rows]


def end_sessions(db: Database, username: str, *, only: str | None = None, keep: str | None = None) -> int:
    """End a person's sessions: all, only the one with public id ``only``, or all but ``keep``."""
    sql, args = "DELETE FROM web_sessions WHERE username = ?", [username]
    if only is not None:
        sql, args = sql + " AND id = ?", [*args, only]
    if keep is not None:
        sql, args = sql + " AND id != ?", [*args, keep]
    return db.conn.execute(sql, args).rowcount


def touch_session(db: Database, session_id: str, at: datetime) -> None:
    db.conn.execute("UPDATE web_sessions SET last_seen_at = ? WHERE id = ?", (to_iso(at), session_id))


def touch_token(db: Database, token_id: str, at: datetime) -> None:
    db.conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (to_iso(at), token_id))


# -- passwords and two-factor -------------------------------------------------------------------------
def set_password_hash(db: Database, actor: str, username: str, password_hash: str) -> None:
    _exists(db, username)
    db.conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE username = ?",
                    (password_hash, to_iso(utcnow()), username))
    db.conn.execute("DELETE FROM password_links WHERE username = ?", (username,))
    audit(db, actor, "account.password", username)


def set_totp(db: Database, actor: str, username: str, secret: str | None, step: int = 0) -> None:
    """Turn two-factor on (with the step of the code that proved it) or off (its recovery codes end too)."""
    db.conn.execute("UPDATE users SET totp_secret = ?, totp_last_step = ? WHERE username = ?",
                    (seal(db, secret) if secret else None, step, username))
    if secret is None:
        db.conn.execute("DELETE FROM totp_recovery_codes WHERE username = ?", (username,))
    audit(db, actor, "account.two_factor", username, before=None, after="on" if secret else "off")


#: Recovery codes: how many, and their letters (no 0/o, 1/l/i: read off paper and typed on a phone).
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10  # 31**10: about 50 bits each


def new_recovery_codes(db: Database, actor: str, username: str) -> list[str]:
    """A fresh set of one-time recovery codes (any earlier set ends); only their hashes are stored."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_CODES)]
    now = to_iso(utcnow())
    db.conn.execute("DELETE FROM totp_recovery_codes WHERE username = ?", (username,))
    db.conn.executemany("INSERT INTO totp_recovery_codes (code_hash, username, created_at) VALUES (?, ?, ?)",
                        [(token_hash(c), username, now) for c in codes])
    audit(db, actor, "account.recovery_codes", username, count=len(codes))
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def recovery_code(text: str) -> str | None:
    """The code as stored (lower case, no spaces or dashes), or None when it cannot be one."""
    code = re.sub(r"[\s-]", "", text).lower()
    return code if len(code) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in code) else None


def use_recovery_code(db: Database, username: str, code: str) -> int | None:
    """Spend one recovery code of ``username``: the number left, or None when it is wrong or was used."""
    cur = db.conn.execute("UPDATE totp_recovery_codes SET used_at = ? WHERE code_hash = ? AND username = ? "
                          "AND used_at IS NULL", (to_iso(utcnow()), token_hash(code), username))
    if cur.rowcount != 1:
        return None
    left = db.conn.execute("SELECT count(*) FROM totp_recovery_codes WHERE username = ? AND used_at IS NULL",
                           (username,)).fetchone()[0]
    audit(db, username, "account.recovery_code_used", username, left=left)
    return int(left)


def recovery_codes_left(db: Database, username: str) -> int:
    return int(db.conn.execute("SELECT count(*) FROM totp_recovery_codes WHERE username = ? AND used_at IS NULL",
                               (username,)).fetchone()[0])


@dataclass(frozen=True, slots=True)
class TwoFactorReset:
    """What an admin's reset of someone's two-factor undid (for the answer; the audit event holds the same)."""

    username: str
    recovery_codes: int  # unused recovery codes that stopped working
    sessions: int  # sessions ended


def two_factor_holder(db: Database, username: str) -> Role:
    """``username``'s role when their two-factor sign-in is on; NotFound or Conflict (already off) otherwise.
    Nothing is unsealed: it answers when the key is gone too."""
    row = db.conn.execute("SELECT role, totp_secret IS NOT NULL FROM users WHERE username = ?",
                          (username,)).fetchone()
    if row is None:
        raise NotFound(f"no user {username!r}")
    if not row[1]:
        raise Conflict(f"two-factor sign-in of {username} is already off")
    return Role(row[0])


def reset_two_factor(db: Database, actor: str, username: str, *, via: str,
                     keep_session: str | None = None) -> TwoFactorReset:
    """Turn ``username``'s two-factor sign-in off for them: the rescue of someone who lost the authenticator
    and has no recovery code left, or whose secret was sealed with a key that is gone (which only SQL undid).

    The secret and every recovery code go and their sessions end (all but ``keep_session``: an admin doing it
    to themselves keeps the session that proved their password), audited as ``account.two_factor_reset`` by
    ``actor``. Their password and API tokens stay: they sign in with the password and set two-factor up again
    (a role in ``totp_roles`` reaches only /account until they do); an account that may be in other hands
    wants a password reset as well. Nothing is unsealed, so a lost key is no obstacle. Read inside the write
    transaction: when two admins do it at once, the second gets a Conflict and one reset is audited."""
    two_factor_holder(db, username)
    codes = recovery_codes_left(db, username)
    db.conn.execute("UPDATE users SET totp_secret = NULL WHERE username = ?", (username,))
    db.conn.execute("DELETE FROM totp_recovery_codes WHERE username = ?", (username,))
    ended = end_sessions(db, username, keep=keep_session)
    audit(db, actor, "account.two_factor_reset", username, via=via, recovery_codes=codes, sessions=ended)
    return TwoFactorReset(username, codes, ended)


def create_link(db: Database, actor: str, username: str, purpose: str) -> str:
    """A one-time set-password link token (invite or reset); only its hash is stored."""
    _exists(db, username)
    token = new_secret()
    now = utcnow()
    db.conn.execute("DELETE FROM password_links WHERE username = ?", (username,))
    db.conn.execute("INSERT INTO password_links (token_hash, username, purpose, created_by, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (token_hash(token), username, purpose, actor, to_iso(now),
                                                  to_iso(now + LINK_TTL)))
    audit(db, actor, f"account.{purpose}", username, expires_at=to_iso(now + LINK_TTL))
    return token


def link_owner(db: Database, token: str) -> str | None:
    """Whose live set-password link ``token`` is, or None (unknown, used or expired)."""
    row = db.conn.execute("SELECT username FROM password_links WHERE token_hash = ? AND expires_at > ?",
                          (token_hash(token), to_iso(utcnow()))).fetchone()
    return row[0] if row else None


# -- administration -------------------------------------------------------------------------------------
def accounts(db: Database) -> list[Account]:
    now = to_iso(utcnow())
    rows = db.conn.execute(
        "SELECT u.username, u.role, u.display_name, u.disabled_at, u.totp_secret IS NOT NULL, u.created_at, "
        "u.password_changed_at, (SELECT count(*) FROM web_sessions s WHERE s.username = u.username "
        "AND s.expires_at > ?), (SELECT coalesce(max(e.id), 0) FROM events e WHERE e.subject = 'user:' || u.username "
        "AND e.kind = 'account.updated') FROM users u ORDER BY u.username", (now,)).fetchall()
    teams = workspace.teams(db)
    member_of: dict[str, list[str]] = {}
    for team, members in teams.items():
        for name in members:
            member_of.setdefault(name, []).append(team)
    return [Account(r[0], Role(r[1]), r[2], tuple(member_of.get(r[0], ())), r[3], bool(r[4]), r[5], r[6], r[7], r[8])
            for r in rows]


def set_teams(db: Database, username: str, names: str) -> tuple[str, ...]:
    """Make ``username`` a member of exactly the comma-separated teams in ``names`` (made when missing)."""
    asked = [workspace.team_name(n) for n in names.split(",") if n.strip()]  # every name checked before a change
    db.conn.execute("DELETE FROM team_members WHERE username = ?", (username,))
    joined = tuple(dict.fromkeys(workspace.add_team(db, name, utcnow()) for name in asked))
    for name in joined:
        workspace.join_team(db, name, username)
    return joined


#: What a lead may change about an agent of their own team (when ``accounts.leads_manage_team``).
LEAD_CHANGES = frozenset({"disabled", "display_name"})


def check_manages(db: Database, actor: str, username: str, *, leads: bool,
                  changes: frozenset[str] = frozenset()) -> tuple[Account, Account]:
    """(actor, target) when ``actor`` may manage ``username``'s account, else :class:`Forbidden`.

    Read inside the caller's write transaction, since roles and teams change. An active admin
    manages everyone; with ``leads``, an active lead manages the agents of their own (named) team,
    and only their state and display name (``changes``: the fields about to change). "Their team":
    the target shares a team with the lead.
    """
    people = {a.username: a for a in accounts(db)}
    me, target = people.get(actor), people.get(username)
    if me is None or me.disabled_at or me.role not in (Role.ADMIN, Role.LEAD):
        raise Forbidden("only an active admin (or a lead, for their team) can change accounts")
    if target is None:
        raise NotFound(f"no user {username!r}")
    # ``leads``: the caller acts as a lead, an admin too when through a lead-scoped token (the token's
    # role is the ceiling, not the owner's stored one)
    acting = Role.LEAD if leads else me.role
    if acting is Role.LEAD and not (leads and set(me.teams) & set(target.teams) and target.role is Role.AGENT
                                    and changes <= LEAD_CHANGES):
        raise Forbidden("a lead may manage only the agents of their own team (state and display name)")
    return me, target


def update_account(db: Database, actor: str, username: str, changes: dict[str, Any], *,
                   leads: bool = False, expected: int | None = None) -> Account:
    """Change role, team, display name or disabled; audited with before and after.

    Only an active admin (or, with ``leads``, a lead for an agent of their team) acts, read again
    inside the transaction; nobody changes their own role or disables themselves, so at least one
    active admin always remains, even when two admins demote each other at the same moment.
    """
    _me, before = check_manages(db, actor, username, leads=leads, changes=frozenset(changes))
    if expected is not None and expected != before.version:  # ``expected``: the version the editor showed
        raise Conflict(f"{username} was changed by someone else since this page was loaded; reload it to see the "
                       "change, then apply yours again")
    if username == actor and ({"role", "disabled"} & set(changes)):
        raise Forbidden("you cannot change your own role or disable yourself; ask another admin")
    # what is so already changes nothing: two admins disabling one person at once wrote a second event
    # "disabled -> disabled" and moved the time of the disable
    already = {"disabled": bool(before.disabled_at), "role": before.role}
    changes = {k: v for k, v in changes.items()
               if k not in already or already[k] != (bool(v) if k == "disabled" else v)}
    if not changes:
        return before
    for column, value in _columns(changes).items():
        db.conn.execute(f"UPDATE users SET {column} = ? WHERE username = ?", (value, username))
    if "team" in changes:
        set_teams(db, username, _short(changes["team"], "team", 200))
    if changes.get("disabled"):
        end_sessions(db, username)
    after = next(a for a in accounts(db) if a.username == username)
    audit(db, actor, "account.updated", username, before=_shown(before, changes), after=_shown(after, changes))
    return after


def _columns(changes: dict[str, Any]) -> dict[str, Any]:
    """Validated column values for ``update_account`` (the column names come from this fixed map)."""
    out: dict[str, Any] = {}
    if "role" in changes:
        out["role"] = Role(changes["role"]).value
    if "display_name" in changes:
        out["display_name"] = _short(changes["display_name"], "display name", DISPLAY_NAME_MAX)
    if "disabled" in changes:
        out["disabled_at"] = to_iso(utcnow()) if changes["disabled"] else None
    return out


def _short(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str) or len(value.strip()) > limit or any(c < " " or c == "\x7f" for c in value):
        raise CarelineError(f"{what}: up to {limit} characters of text, no control characters")
    return value.strip()


def _shown(account: Account, changes: dict[str, Any]) -> dict[str, Any]:
    full = {"role": account.role.value, "team": ", ".join(account.teams), "display_name": account.display_name,
            "disabled": account.disabled_at is not None}
    return {k: v for k, v in full.items() if k in changes}


def recent_account_events(db: Database, limit: int = 200) -> list[dict[str, Any]]:
    """The newest login and account events, for the admin's audit view."""
    cur = db.conn.execute(
        "SELECT id, at, actor, kind, subject, data FROM events WHERE kind LIKE 'login.%' OR kind LIKE 'account.%' "
        "OR kind LIKE 'token.%' OR kind LIKE 'settings.%' ORDER BY id DESC LIMIT ?", (limit,))
    return [{"id": r[0], "at": r[1], "actor": r[2], "kind": r[3], "subject": r[4], "data": r[5]} for r in cur]


# -- API tokens -------------------------------------------------------------------------------------------
def create_token(db: Database, username: str, label: str = "", *, role: Role | str | None = None,
                 expires_at: datetime | None = None, actor: str = "") -> str:
    """A new API token for ``username``, scoped to ``role`` (default: theirs, never above it).

    Only its hash is stored, so this is the one time the token is seen.
    """
    row = db.conn.execute("SELECT role FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise NotFound(f"no user {username!r}")
    owner, scope = Role(row[0]), Role(role or row[0])
    if scope not in GRANTABLE[owner]:
        article = "an" if owner.value[0] in "aeiou" else "a"
        raise Forbidden(f"{article} {owner.value}'s token cannot have the {scope.value} role")
    if expires_at is not None and expires_at <= utcnow():
        raise CarelineError("the expiry must be in the future")
    token = new_secret("clt_")
    digest = token_hash(token)
    db.conn.execute("INSERT INTO api_tokens (token_hash, id, username, label, role, created_at, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", (digest, digest[:12], username, _short(label, "label", 80),
                                                     scope.value, to_iso(utcnow()),
                                                     to_iso(expires_at) if expires_at else None))
    audit(db, actor or username, "token.created", username, token=digest[:12], role=scope.value,
          expires_at=to_iso(expires_at) if expires_at else None)
    return token


def tokens(db: Database, username: str | None = None) -> list[TokenInfo]:
    """Every token (or one person's), newest first; never the secret."""
    where, args = ("WHERE username = ?", (username,)) if username else ("", ())
    rows = db.conn.execute("SELECT id, username, label, role, created_at, expires_at, revoked_at, last_used_at "
                           f"FROM api_tokens {where} ORDER BY created_at DESC", args).fetchall()
    return [TokenInfo(r[0], r[1], r[2], Role(r[3]), r[4], r[5], r[6], r[7]) for r in rows]


def lock_out(db: Database, actor: str, username: str) -> int:
    """What a reset does besides sending a link: the old password stops working and every API token of
    the person is revoked (sessions end too, by the caller). Why: a reset is what an admin reaches for when
    an account may be in someone else's hands, and a password or token left working keeps them in.
    Returns the number of tokens revoked."""
    _exists(db, username)
    db.conn.execute("UPDATE users SET password_hash = NULL WHERE username = ?", (username,))
    revoked = db.conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE username = ? AND revoked_at IS NULL",
                              (to_iso(utcnow()), username)).rowcount
    audit(db, actor, "account.locked_out", username, tokens_revoked=revoked)
    return int(revoked)


def revoke_token(db: Database, actor: str, token_id: str, *, owner: str | None = None) -> TokenInfo:
    """Revoke a token by its public id (``owner``: only if it is theirs); revoking twice is a no-op."""
    found = next((t for t in tokens(db, owner) if t.id == token_id), None)
    if found is None:
        raise NotFound(f"no token {token_id!r}")
    if found.revoked_at is None:
        db.conn.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (to_iso(utcnow()), token_id))
        audit(db, actor, "token.revoked", found.username, token=token_id)
    return next(t for t in tokens(db, found.username) if t.id == token_id)
