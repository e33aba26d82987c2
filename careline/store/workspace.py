"""Read and write functions for an agent's workspace: tags, saved views and teams.

Like ``careline.store.conversations``, each runs inside the caller's transaction and holds the SQL, so
the use cases in ``responder.workflow`` stay free of it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlite_utils import Database

from careline.domain import QUEUE_ROLES, to_iso
from careline.errors import CarelineError, Conflict, NotFound

#: Tags are short labels people type: letters (with their accents), digits, spaces, dashes and underscores.
TAG = re.compile(r"^\w[\w\u0300-\u036f \-]{0,39}$")


def clean_tag(text: str) -> str:
    """The tag as stored: lower case, composed (NFC: "Cafe" + a combining accent is "café"), single spaces.
    Lower-casing "İstanbul" leaves a combining dot, which is a mark, not a letter: allowed."""
    tag = unicodedata.normalize("NFC", " ".join(text.strip().lower().split()))
    if not TAG.fullmatch(tag):
        raise CarelineError("a tag is 1-40 letters, digits, spaces, dashes or underscores")
    return tag


def add_tag(db: Database, conv_id: int, tag: str, who: str, now: datetime) -> bool:
    """Tag the conversation (and index the tag for search); ``False`` when it already had it."""
    thread = db.conn.execute("SELECT thread_key FROM conversations WHERE id = ?", (conv_id,)).fetchone()
    if thread is None:
        raise NotFound(f"conversation {conv_id} does not exist")
    cur = db.conn.execute("INSERT INTO conversation_tags (conversation_id, tag, added_by, added_at) "
                          "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", (conv_id, tag, who, to_iso(now)))
    if cur.rowcount != 1:
        return False
    row = db.conn.execute("INSERT INTO search (body, thread_key, kind) VALUES (?, ?, 'tag')",
                          (f"#{tag} {tag}", thread[0]))
    db.conn.execute("UPDATE conversation_tags SET search_rowid = ? WHERE conversation_id = ? AND tag = ?",
                    (row.lastrowid, conv_id, tag))
    return True


def remove_tag(db: Database, conv_id: int, tag: str) -> bool:
    found = db.conn.execute("SELECT search_rowid FROM conversation_tags WHERE conversation_id = ? AND tag = ?",
                            (conv_id, tag)).fetchone()
    if found is None:
        return False
    db.conn.execute("DELETE FROM conversation_tags WHERE conversation_id = ? AND tag = ?", (conv_id, tag))
    if found[0] is not None:
        db.conn.execute("DELETE FROM search WHERE rowid = ?", (found[0],))
    return True


def tags_of(db: Database, conv_id: int) -> list[str]:
    return [r[0] for r in db.conn.execute(
        "SELECT tag FROM conversation_tags WHERE conversation_id = ? ORDER BY tag", (conv_id,))]


def all_tags(db: Database, limit: int = 200) -> list[str]:
    """Tags in use, most used first: the queue's tag filter and the editor's suggestions."""
    return [r[0] for r in db.conn.execute(
        "SELECT tag FROM conversation_tags GROUP BY tag ORDER BY count(*) DESC, tag LIMIT ?", (limit,))]


# -- saved views ----------------------------------------------------------------------------------------
def save_view(db: Database, who: str, name: str, query: str, now: datetime) -> bool:
    """Save ``who``'s view ``name``; whether it replaced one of that name (the page says so: a view saved again under
    a name in use changed without a word)."""
    had = db.conn.execute("SELECT 1 FROM saved_views WHERE username = ? AND name = ?", (who, name)).fetchone()
    db.conn.execute("INSERT INTO saved_views (username, name, query, created_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(username, name) DO UPDATE SET query = excluded.query", (who, name, query, to_iso(now)))
    return had is not None


def views_of(db: Database, who: str) -> list[dict[str, str]]:
    return [{"id": r[0], "name": r[1], "query": r[2]} for r in db.conn.execute(
        "SELECT id, name, query FROM saved_views WHERE username = ? ORDER BY name", (who,))]


def delete_view(db: Database, who: str, view_id: int) -> tuple[str, str] | None:
    """Delete one of ``who``'s views; its (name, query), so the page can say what went and offer to save it
    again, or None when it was not there (deleted in another tab, or someone else's)."""
    found = db.conn.execute("DELETE FROM saved_views WHERE id = ? AND username = ? RETURNING name, query",
                            (view_id, who)).fetchone()
    return (str(found[0]), str(found[1])) if found else None


# -- teams ------------------------------------------------------------------------------------------------------
def team_name(name: str) -> str:
    """``name`` as a team is named: spaces around it dropped and runs of spaces made one ("tier1 " and "tier1"
    were two teams that lists showed alike); 1-64 letters, digits, spaces, dashes or underscores."""
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= 64 or not cleaned.replace("-", "").replace("_", "").replace(" ", "").isalnum():
        raise CarelineError("a team name is 1-64 letters, digits, spaces, dashes or underscores")
    return cleaned


def add_team(db: Database, name: str, now: datetime) -> str:
    """Make the team ``name`` unless it exists, in any case ("Tier1" is the team "tier1"); returns its name."""
    cleaned = team_name(name)
    found = db.conn.execute("SELECT name FROM teams WHERE lower(name) = lower(?)", (cleaned,)).fetchone()
    if found:
        return str(found[0])
    db.conn.execute("INSERT INTO teams (name, created_at) VALUES (?, ?)", (cleaned, to_iso(now)))
    return cleaned


def join_team(db: Database, team: str, username: str) -> None:
    if db.conn.execute("SELECT 1 FROM teams WHERE name = ?", (team,)).fetchone() is None:
        raise NotFound(f"no team {team!r}")
    if db.conn.execute("SELECT 1 FROM users WHERE username = ?", (username,)).fetchone() is None:
        raise NotFound(f"no user {username!r}")
    db.conn.execute("INSERT INTO team_members (team, username) VALUES (?, ?) ON CONFLICT DO NOTHING",
                    (team, username))


def teams(db: Database) -> dict[str, list[str]]:
    """Every team with its members (a team may have none yet)."""
    out: dict[str, list[str]] = {r[0]: [] for r in db.conn.execute("SELECT name FROM teams ORDER BY name")}
    for team, member in db.conn.execute("SELECT team, username FROM team_members ORDER BY team, username"):
        out.setdefault(team, []).append(member)
    return out


def remove_team(db: Database, name: str) -> None:
    """Delete the team ``name`` once nobody is in it and no open conversation is routed to it: a team made by a typo
    ("suport") stayed for good, offered in the queue's team choices. Refused (Conflict) with what holds it."""
    found = db.conn.execute("SELECT name FROM teams WHERE lower(name) = lower(?)", (team_name(name),)).fetchone()
    if found is None:
        raise NotFound(f"no team {name!r}")
    team = str(found[0])
    members = [r[0] for r in db.conn.execute("SELECT username FROM team_members WHERE team = ? ORDER BY username",
                                             (team,))]
    if members:
        raise Conflict(f"team {team!r} still has {', '.join(members)}: take them out of it first (Admin, each "
                       "person's teams)")
    routed = db.conn.execute("SELECT count(*) FROM conversations WHERE team = ? AND status NOT IN "
                             "('resolved', 'dismissed')", (team,)).fetchone()[0]
    if routed:
        raise Conflict(f"team {team!r} has {routed} open conversation(s) routed to it: route them elsewhere first")
    db.conn.execute("DELETE FROM teams WHERE name = ?", (team,))  # closed ones keep its name, for the reports


def has_members(db: Database, team: str) -> bool:
    return db.conn.execute("SELECT 1 FROM team_members WHERE team = ? LIMIT 1", (team,)).fetchone() is not None


def set_team(db: Database, conv_id: int, team: str | None) -> None:
    if team is not None and db.conn.execute("SELECT 1 FROM teams WHERE name = ?", (team,)).fetchone() is None:
        raise NotFound(f"no team {team!r}")
    db.conn.execute("UPDATE conversations SET team = ? WHERE id = ?", (team, conv_id))


# -- @mentions in notes -------------------------------------------------------------------------------------
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.]{1,64})")


def _named(text: str) -> list[tuple[str, ...]]:
    """Each ``@name`` of ``text``, as the names it may be: a name may hold dots, so "@lead." at the end of a
    sentence is tried as "lead." and as "lead"."""
    return [tuple(dict.fromkeys(n for n in (m.group(1), m.group(1).rstrip(".")) if n)) for m in MENTION.finditer(text)]


def _named_users(db: Database, text: str) -> dict[str, tuple[str, bool]]:
    """Each name of ``text``'s ``@name``s that is a user's, in any case ("@LEAD" names lead): the username, and
    whether they may be told (they work the queue and are not disabled)."""
    names = list(dict.fromkeys(n.lower() for each in _named(text) for n in each))
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    found = db.conn.execute(f"SELECT username, role IN {QUEUE_ROLES} AND disabled_at IS NULL FROM users "
                            f"WHERE lower(username) IN ({marks}) ORDER BY username", names).fetchall()
    return {str(u).lower(): (str(u), bool(ok)) for u, ok in found}


def mentioned_users(db: Database, text: str) -> list[str]:
    """The people an ``@name`` in a note names, each once and in any case: those who work the queue and are not
    disabled, the only ones who can open the conversation (a marketing account was told of notes it could never
    read)."""
    named = _named_users(db, text)
    return list(dict.fromkeys(named[n.lower()][0] for each in _named(text) for n in each
                              if n.lower() in named and named[n.lower()][1]))


#: Why a note's ``@name`` told nobody, as the note says it.
NOBODY, CANNOT_READ = "no colleague goes by that name", "cannot open conversations"


def untold_names(db: Database, text: str, handles: set[str]) -> list[tuple[str, str]]:
    """The ``@name``s of a note that told nobody, each with why (:data:`NOBODY`, :data:`CANNOT_READ`): neither a
    colleague who can read it nor one of ``handles`` (the customers' and brands' handles the thread shows, lower
    case, which notes name as often as colleagues). The note says so, where a typo ("@lea" for "@lee") used to
    leave its writer thinking the lead was told."""
    named = _named_users(db, text)
    out: dict[str, str] = {}
    for each in _named(text):
        users = [named[n.lower()] for n in each if n.lower() in named]
        if any(ok for _, ok in users) or any(n.lower() in handles for n in each):
            continue
        out.setdefault(each[-1], CANNOT_READ if users else NOBODY)
    return list(out.items())


def mentions_of(db: Database, username: str, limit: int = 50) -> list[dict[str, object]]:
    """Notes that named ``username``, newest first, with the conversation and the note's text."""
    found = db.conn.execute(
        """SELECT e.at, e.actor, json_extract(e.data, '$.conversation'), n.text, e.id
           FROM events e LEFT JOIN notes n ON n.id = json_extract(e.data, '$.note')
           WHERE e.subject = ? AND e.kind = 'note.mention' ORDER BY e.id DESC LIMIT ?""",
        (f"user:{username}", limit)).fetchall()
    return [{"at": r[0], "by": r[1], "conversation": r[2], "text": r[3], "id": r[4]} for r in found]


def unseen_mentions(db: Database, username: str) -> int:
    """Mentions after the last one the person was shown (by event id: a note's time is taken before its
    write waits its turn, so by time one committed just after the inbox was opened was never counted)."""
    seen = db.conn.execute("SELECT seen_id FROM inbox_seen WHERE username = ?", (username,)).fetchone()
    return int(db.conn.execute("SELECT count(*) FROM events WHERE subject = ? AND kind = 'note.mention' AND id > ?",
                               (f"user:{username}", seen[0] if seen else 0)).fetchone()[0])


def mark_mentions_seen(db: Database, username: str, now: datetime, up_to: int) -> None:
    """The person was shown their mentions up to event ``up_to`` (the newest on the page), at ``now``."""
    db.conn.execute("INSERT INTO inbox_seen (username, seen_at, seen_id) VALUES (?, ?, ?) "
                    "ON CONFLICT(username) DO UPDATE SET seen_at = excluded.seen_at, "
                    "seen_id = max(seen_id, excluded.seen_id)", (username, to_iso(now), up_to))
