"""Queue operations on stored conversations: claim, assign, round-robin, reassign, act, escalate.

Every function runs inside the caller's write transaction (``store.write(lambda db: ...)``) and
takes ``now``: the status change, the fields that go with it and the audit event commit together or
not at all. Status changes go through ``responder.transitions`` only.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.domain import ACTIVE_STATUSES, QUEUE_ROLES, Event, from_iso, to_iso
from careline.errors import Conflict, Forbidden, NotFound
from careline.store.conversations import latest_customer_key
from careline.store.records import StoredEvent, append_event, rows
from responder.history import record_clock
from responder.sla import TargetKind
from responder.transitions import Action, transition_event

MAX_ESCALATION = 3
#: A hand-escalated conversation goes to the top of the queue (the "urgent" band starts at 75).
ESCALATED_PRIORITY = 95.0


def load(db: Database, conv_id: int) -> dict[str, Any]:
    found = rows(db, "SELECT * FROM conversations WHERE id = ?", (conv_id,))
    if not found:
        raise NotFound(f"conversation {conv_id} does not exist")
    return found[0]



def act(db: Database, conv_id: int, action: Action | str, *, actor: str, now: datetime,
        until: datetime | None = None, agent: str | None = None) -> dict[str, Any]:
    """Apply one action from the transition table, with the fields it implies, and audit it."""
    conv = load(db, conv_id)
    action = Action(action)
    data: dict[str, Any] = {}
    if action is Action.SNOOZE:
        if until is None or until <= now:
            raise Conflict("snooze needs a time in the future")
        data["until"] = to_iso(until)
    if action is Action.CLAIM:
        data["agent"] = agent or actor
        may_hold(db, agent or actor)
    data["before"] = {column: conv[column] for column in RESTORABLE}  # what an undo puts back
    new, event = transition_event(conv_id, conv["status"], action, actor=actor, now=now, data=data)
    sets = {"status": new.value, "updated_at": to_iso(now), **implied(action, now, until=until, agent=agent or actor)}
    _update(db, conv_id, sets)
    append_event(db, event)
    if action is Action.RESOLVE:  # after the event, so the evaluation sees the resolution
        sets["resolution_clock_s"] = record_clock(db, conv_id, TargetKind.RESOLUTION, now)
    return {**conv, **sets}


#: The columns an undo restores beside the status (what the undone action changed).
#: What an undo puts back; the due times too, since a resolution decides them (``responder.history``): undone, it
#: left a cancelled first response with no due time, and the report without its miss.
RESTORABLE = ("assignee", "assigned_at", "snoozed_until", "resolved_at", "resolution_clock_s", "first_response_due",
              "resolution_due")


def restore(db: Database, conv_id: int, change: StoredEvent, *, actor: str, now: datetime) -> None:
    """Put a conversation back as it was before ``change`` (a status event), with an audit event."""
    conv = load(db, conv_id)
    if conv["status"] != change.data["to"]:
        raise Conflict("the conversation has moved since; nothing to undo")
    before = change.data.get("before") or {}
    sets = {"status": change.data["from"], "updated_at": to_iso(now),
            **{column: before.get(column) for column in RESTORABLE if column in before}}  # older events lack some
    _update(db, conv_id, sets)
    append_event(db, Event(now, actor, "conversation.undone", f"conversation:{conv_id}",
                           {"event": change.id, "from": change.data["to"], "to": change.data["from"],
                            "action": change.data["action"]}))


def answered(db: Database, conv_id: int, *, agent: str, actor: str, now: datetime, answering: str | None = None
             ) -> None:
    """A reply went out: the conversation waits on the customer (SLA paused), owned by whoever holds it, or by
    the reply's author (``agent``) when nobody does.

    The same for every path that posts, so the scheduler's sends move the conversation as a person's do.
    ``answering``: the customer message the reply answered; when the customer has written since (while it
    was being posted), the conversation stays open so the newer message is not hidden behind "pending".
    A colleague who took the conversation over while the reply waited for a lead keeps it: a lead's approval
    handed it back to the author, silently, and left the colleague's snooze time behind. An author who can no
    longer work the queue (disabled, or moved to marketing, while their reply waited) does not get it back: the
    approving lead does, and after the scheduler's send it stays in the queue. The reply is out by then: refusing
    here told the lead 403 about a reply already posted and left the conversation "new".
    """
    conv = load(db, conv_id)
    if conv["status"] in ("new", "snoozed") or (conv["status"] == "pending" and not conv["assignee"]):
        held_by = [who for who in (conv["assignee"], agent) if who and _can_hold(db, who)]
        owner = held_by[0] if held_by else (actor if _can_hold(db, actor, account=True) else None)
        if owner is None:  # posted, and nobody here can hold it (its author was disabled while a lead approved)
            return
        act(db, conv_id, Action.CLAIM, actor=actor, now=now, agent=owner)
        conv["status"] = "open"
    if conv["status"] == "open" and (answering is None or latest_customer_key(db, conv["thread_key"]) == answering):
        act(db, conv_id, Action.WAIT, actor=actor, now=now)


def implied(action: Action, now: datetime, *, until: datetime | None = None, agent: str | None = None
            ) -> dict[str, Any]:
    """The columns an action sets beside status and updated_at. One place for :func:`act` and for
    the intake, which applies customer messages in its own statement."""
    if action is Action.CLAIM:  # from any status to open: a snooze time left behind would read as still snoozed
        return {"assignee": agent, "assigned_at": to_iso(now), "snoozed_until": None}
    if action is Action.RELEASE:
        return {"assignee": None, "assigned_at": None}
    if action is Action.SNOOZE:
        return {"snoozed_until": to_iso(until)}
    if action is Action.WAKE:
        return {"snoozed_until": None}
    if action is Action.RESOLVE:
        return {"resolved_at": to_iso(now)}
    if action is Action.REOPEN:
        return {"resolved_at": None, "resolution_clock_s": None}
    if action is Action.CUSTOMER_MESSAGE:  # the customer is back: no longer resolved, no longer snoozed
        return {"resolved_at": None, "resolution_clock_s": None, "snoozed_until": None}
    return {}


def _update(db: Database, conv_id: int, sets: dict[str, Any]) -> None:
    assignments = ", ".join(f"{column} = ?" for column in sets)  # column names are ours, never input
    db.conn.execute(f"UPDATE conversations SET {assignments} WHERE id = ?", (*sets.values(), conv_id))


def why_off_queue(db: Database, username: str) -> str | None:
    """Why ``username`` cannot work the queue ("is disabled", "has the marketing role, without the queue"), or None when
    they can: the one reading of "works the queue" that claims and assignments share (:func:`release_stranded`
    and the note's ``@name`` read the same rule in SQL, for many rows at once). NotFound when there is no such
    account."""
    row = db.conn.execute("SELECT role, disabled_at FROM users WHERE username = ?", (username,)).fetchone()
    if row is None:
        raise NotFound(f"no agent called {username!r}")
    if row[1] is not None:
        return "is disabled"
    return None if row[0] in QUEUE_ROLES else f"has the {row[0]} role, without the queue"


def _can_hold(db: Database, username: str, *, account: bool = False) -> bool:
    """Whether ``username`` may hold a conversation (:func:`may_hold` without the refusal): a name with no account
    may, unless ``account`` asks for one (the scheduler's "system" holds nothing)."""
    try:
        return why_off_queue(db, username) is None
    except NotFound:
        return not account


def may_hold(db: Database, username: str) -> None:
    """Refuse a conversation to an account that can no longer work the queue (disabled, or moved to a role without
    it), read in the claim's own transaction: a claim from a page loaded before the change landed after it, and
    the conversation sat with someone who could not open it until the scheduler's next tick. An actor with no
    account (the system, a script's fixed name) is not refused."""
    try:
        why = why_off_queue(db, username)
    except NotFound:
        return
    if why:
        raise Forbidden(f"{username} {why}: the conversation stays in the queue")


def assign(db: Database, conv_id: int, agent: str, *, actor: str, now: datetime) -> dict[str, Any]:
    """A lead (or round-robin) gives the conversation to ``agent``: someone who works the queue (a marketing
    account was answered "no agent called", as if it did not exist)."""
    why = why_off_queue(db, agent)
    if why:  # it would sit with someone who could not answer it
        raise Conflict(f"{agent} {why}; assign it to someone who can work it")
    return act(db, conv_id, Action.CLAIM, actor=actor, now=now, agent=agent)


NEXT_SQL = """
SELECT id FROM conversations
WHERE status = 'new' AND assignee IS NULL
ORDER BY priority DESC, COALESCE(next_response_due, first_response_due), id
LIMIT 1
"""


def claim_next(db: Database, agent: str, *, now: datetime) -> dict[str, Any] | None:
    """The agent's "next" button: the most urgent unassigned new conversation, claimed atomically."""
    row = db.conn.execute(NEXT_SQL).fetchone()
    if row is None:
        return None
    return act(db, row[0], Action.CLAIM, actor=agent, now=now)


def available_agents(db: Database) -> list[str]:
    """The agents round-robin hands work to: available, and not disabled (a disabled agent got 14 of 50)."""
    return [r[0] for r in db.conn.execute(
        "SELECT username FROM users WHERE role = 'agent' AND available = 1 AND disabled_at IS NULL "
        "ORDER BY username")]


def round_robin(db: Database, *, now: datetime, agents: Sequence[str] | None = None, limit: int = 200) -> int:
    """Hand unassigned new conversations, most urgent first, to the agent with the lightest load.

    A conversation assigned to a team goes to that team's available members only. Ties go to whoever
    was assigned least recently, so agents take turns.
    """
    pool = list(agents if agents is not None else available_agents(db))
    if not pool:
        return 0
    marks = ",".join("?" * len(pool))
    load_rows = db.conn.execute(
        f"""SELECT assignee, count(*), max(assigned_at) FROM conversations
            WHERE assignee IN ({marks}) AND status IN ('open', 'pending', 'snoozed') GROUP BY assignee""",
        pool).fetchall()
    load_of = {a: (n, last or "") for a, n, last in load_rows}
    members: dict[str, set[str]] = {}
    for team, who in db.conn.execute("SELECT team, username FROM team_members"):
        members.setdefault(team, set()).add(who)
    waiting = db.conn.execute(
        "SELECT id, team FROM conversations WHERE status = 'new' AND assignee IS NULL "
        "ORDER BY priority DESC, first_response_due, id LIMIT ?", (limit,)).fetchall()
    handed = 0
    for conv_id, team in waiting:
        candidates = [a for a in pool if team is None or a in members.get(team, set())]
        if not candidates:
            continue  # nobody of that team is available: it waits for one
        agent = min(candidates, key=lambda a: (load_of.get(a, (0, ""))[0], load_of.get(a, (0, ""))[1], a))
        act(db, conv_id, Action.CLAIM, actor="round-robin", now=now, agent=agent)
        n, _last = load_of.get(agent, (0, ""))
        load_of[agent] = (n + 1, to_iso(now) or "")
        handed += 1
    return handed


def last_activity(db: Database, conv_id: int, agent: str) -> datetime | None:
    """When ``agent`` last did anything on the conversation (an event they authored or a reply)."""
    row = db.conn.execute(
        """SELECT max(at) FROM (
               SELECT at FROM events WHERE subject = ? AND actor = ?
               UNION ALL SELECT updated_at FROM replies WHERE conversation_id = ? AND created_by = ?)""",
        (f"conversation:{conv_id}", agent, conv_id, agent)).fetchone()
    return from_iso(row[0]) if row and row[0] else None


def reassign_silent(db: Database, *, now: datetime, after: timedelta) -> int:
    """Open conversations whose assignee stayed silent past ``after`` go back to the unassigned queue."""
    if after <= timedelta(0):
        return 0
    stale = rows(db, "SELECT id, assignee, assigned_at FROM conversations WHERE status = 'open' "
                     "AND assignee IS NOT NULL AND assigned_at <= ?", (to_iso(now - after),))
    moved = 0
    for conv in stale:
        seen = last_activity(db, conv["id"], conv["assignee"]) or from_iso(conv["assigned_at"])
        if seen is None or now - seen < after:
            continue
        _hand_back(db, conv["id"], now, {"from": conv["assignee"],
                                         "silent_minutes": int((now - seen).total_seconds() // 60)})
        moved += 1
    return moved


def release_stranded(db: Database, *, now: datetime) -> int:
    """Open conversations held by someone who can no longer work the queue (disabled, or moved to a role without
    it: marketing) go back to the unassigned queue at once, whatever ``reassign_after_minutes`` says (0 held them
    for good): nobody can answer them there. Their pending and snoozed ones follow when the customer writes and
    they open again."""
    held = rows(db, "SELECT c.id, c.assignee, u.disabled_at IS NOT NULL AS disabled, u.role FROM conversations c "
                    "JOIN users u ON u.username = c.assignee "
                    f"WHERE c.status = 'open' AND (u.disabled_at IS NOT NULL OR u.role NOT IN {QUEUE_ROLES}) "
                    "ORDER BY c.id")
    for conv in held:
        why = {"disabled": True} if conv["disabled"] else {"role": conv["role"]}
        _hand_back(db, conv["id"], now, {"from": conv["assignee"], **why})
    return len(held)


def _hand_back(db: Database, conv_id: int, now: datetime, why: dict[str, Any]) -> None:
    """The system takes a conversation back from its assignee into the unassigned queue, saying ``why``."""
    act(db, conv_id, Action.RELEASE, actor="system", now=now)
    append_event(db, Event(now, "system", "conversation.reassigned", f"conversation:{conv_id}", why))


def wake_snoozed(db: Database, *, now: datetime) -> int:
    due = [r[0] for r in db.conn.execute(
        "SELECT id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= ?", (to_iso(now),))]
    for conv_id in due:
        act(db, conv_id, Action.WAKE, actor="system", now=now)
    return len(due)


#: The highest level a person escalated the conversation to since it was last closed (0: never). Read from
#: the audit trail, so the SLA sweep (which sets the level its clocks give) and a re-scoring (which sets the
#: priority its messages give) keep a person's escalation instead of writing over it.
MANUAL_ESCALATION_SQL = """
SELECT COALESCE(MAX(json_extract(e.data, '$.level')), 0) FROM events e
 WHERE e.subject = 'conversation:' || :id AND e.kind = 'conversation.escalated'
   AND e.id > COALESCE((SELECT MAX(s.id) FROM events s WHERE s.subject = 'conversation:' || :id
                          AND s.kind = 'conversation.status'
                          AND json_extract(s.data, '$.to') IN ('resolved', 'dismissed')), 0)"""


def manual_escalation(db: Database, conv_id: int) -> int:
    """The level a person escalated ``conv_id`` to, since it was last closed (0: not escalated by hand)."""
    return int(db.conn.execute(MANUAL_ESCALATION_SQL, {"id": conv_id}).fetchone()[0])


def escalate(db: Database, conv_id: int, *, actor: str, now: datetime, note: str = "") -> dict[str, Any]:
    """Escalate by hand: one level up (at most 3) and into the top priority band, with who and why.

    Not a status change. The SLA sweep raises the level on breaches too; this is the person's lever.
    """
    conv = load(db, conv_id)
    if conv["status"] not in ACTIVE_STATUSES:
        raise Conflict(f"cannot escalate a {conv['status']} conversation")
    level = min(MAX_ESCALATION, int(conv["escalation_level"] or 0) + 1)
    reason = f"escalated by {actor}" + (f": {note[:120]}" if note else "")
    reasons = [reason, *json.loads(conv["priority_reasons"] or "[]")][:6]
    sets = {"escalation_level": level, "priority": max(float(conv["priority"] or 0), ESCALATED_PRIORITY),
            "priority_reasons": json.dumps(reasons), "updated_at": to_iso(now)}
    _update(db, conv_id, sets)
    append_event(db, Event(now, actor, "conversation.escalated", f"conversation:{conv_id}",
                           {"level": level, "note": note[:500], "priority": sets["priority"]}))
    return {**conv, **sets}
