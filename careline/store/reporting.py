"""The schema behind the lead's report: decided targets and their daily totals, kept by triggers.

Why triggers: every path that answers or resolves a conversation (the sender, the queue's resolve,
the workflow, imports, seeders, a reopen) already writes ``conversations`` and ``replies``; a trigger
on those writes keeps the report's tables current inside the same transaction, so no caller has to
remember them and no report ever disagrees with the rows it summarises.

Three tables (migration ``m090_report_targets``):

* ``report_targets``: one row per SLA target of a conversation (``first_response``, ``resolution``)
  as soon as it has a due time or is done. ``decided_at`` is when it is (or will be) decided: the
  reply or resolution time when done by the due time (a hit) or without a target; the due time
  otherwise (a miss, once that time has passed). So a report counts a target exactly when
  ``decided_at`` lies in its range and before now, the rule ``careline.app.web.reports`` applies
  in Python. Durations (wall clock, SLA clock, handle time) and ``done_at`` (the reply or resolution
  time; column added by m130) are set once it is done. A decided resolution row stays as its first
  resolution decided it (:data:`RESOLUTION_KEPT`): reopening never turns a met target into a miss, and
  ``reopened`` (m132) says the conversation was reopened after it.
* ``report_daily``: per UTC day, target kind (and ``reply`` for sent replies) and split key
  (brand, platform, agent, intent; ``''`` for none): how many, how many hit, how many missed, and how
  many resolutions were reopened afterwards.
* ``report_buckets``: per UTC day, measure and split key, a histogram of durations over
  :data:`BUCKET_EDGES` (10 % apart) with each bucket's count and sum, so medians and p90s of any
  range come from a few thousand rows: the mean of the bucket holding the rank, never further off
  than the bucket is wide (10 %), exact when a bucket holds one value.

The daily tables follow ``report_targets`` by its own insert and delete triggers, so an update there
is written as a delete and an insert (the ``reopened`` flag alone is updated in place: :func:`daily_triggers`).
"""

from __future__ import annotations

#: Upper edges (seconds) of the duration buckets: 0, 1, 2, ... then 10 % apart, up to 60 days;
#: bucket ``i`` holds values in ``[BUCKET_EDGES[i-1], BUCKET_EDGES[i])``. Frozen by migration m090.
BUCKET_EDGES: tuple[int, ...] = tuple(sorted({round(1.1 ** k) for k in range(0, 183)} | {0}))[1:]
#: The measures ``report_buckets`` holds, each with its ``report_targets`` kind and column.
MEASURES = {"first_response": ("first_response", "wall_s"), "first_response_clock": ("first_response", "clock_s"),
            "resolution": ("resolution", "wall_s"), "resolution_clock": ("resolution", "clock_s"),
            "handle": ("resolution", "handle_s")}
SPLIT_COLUMNS = "brand, platform, agent, intent"
#: The active conversations and the due time of the target running now (first response until the first
#: reply, then the next response), spelt exactly as the partial indexes of migration m095 spell them:
#: SQLite uses a partial or expression index only for the identical expression.
ACTIVE_WHERE = "status IN ('new', 'open', 'pending', 'snoozed')"
#: The due time of the target that runs: the first response's until it is answered, or cancelled by a resolution
#: (its due cleared: ``responder.history``), then the next response's.
RUNNING_DUE = ("(CASE WHEN first_responded_at IS NULL AND first_response_due IS NOT NULL THEN first_response_due "
               "ELSE next_response_due END)")


def sla_page_indexes() -> list[str]:
    """Migration m095: the SLA page counts breaches, near breaches and the backlog's ages from these
    two partial indexes instead of reading every active conversation."""
    return [f"CREATE INDEX conversations_active_due ON conversations({RUNNING_DUE}) WHERE {ACTIVE_WHERE}",
            f"CREATE INDEX conversations_active_created ON conversations(created_at) WHERE {ACTIVE_WHERE}"]


def bucket_column(column: str) -> str:
    """The stored bucket index beside a duration column of ``report_targets`` (``wall_s`` -> ``wall_b``)."""
    return column.removesuffix("_s") + "_b"


def bucket_sql(value: str) -> str:
    """SQL for the bucket index of ``value``: a balanced tree of comparisons (about 8 per value, no
    math functions needed), NULL for NULL."""
    return f"(CASE WHEN {value} IS NULL THEN NULL ELSE {_bucket_tree(value, 0, len(BUCKET_EDGES))} END)"


def _bucket_tree(value: str, lo: int, hi: int) -> str:
    """The bucket index in ``lo..hi``: bucket ``i`` holds values below ``BUCKET_EDGES[i]``."""
    if lo == hi:
        return str(lo)
    mid = (lo + hi) // 2
    return (f"CASE WHEN {value} < {BUCKET_EDGES[mid]} THEN {_bucket_tree(value, lo, mid)} "
            f"ELSE {_bucket_tree(value, mid + 1, hi)} END")


def _intent(thread: str) -> str:
    return ("(SELECT cl.intent FROM mentions m JOIN classifications cl ON cl.mention_key = m.key "
            f"WHERE m.thread_key = {thread} ORDER BY m.created_at LIMIT 1)")


#: Who a first response counts for: the author of the first reply Careline sent (a lead's reassignment after it, or
#: the SLA job filling in its clock later, moved the met target to whoever held the conversation then); for an
#: answer made outside Careline, whoever holds it.
FIRST_AGENT = ("coalesce((SELECT r.created_by FROM replies r WHERE r.conversation_id = NEW.id AND r.sent_at IS NOT NULL"
               " ORDER BY r.sent_at, r.id LIMIT 1), NEW.assignee, '')")


def _target_sql(kind: str, due: str, done: str, clock: str, handle: str, done_when: str, *, kept: str = "0",
                cancelled: str = "0", agent: str = "coalesce(NEW.assignee, '')") -> str:
    """Delete then re-insert one conversation's ``kind`` row from its NEW values; a dismissed conversation
    (spam, not ours to answer) decides no target that was not done yet, and reopening it brings its targets
    back. A target done before the dismissal (answered, resolved) stays as it was decided: dismissing the
    customer's "thanks" after a resolution in time took the met target out of the report.

    ``kept`` (SQL over the stored row) leaves a decided row as it is: the row is then not re-inserted.
    ``cancelled`` (SQL over NEW) decides no target, as the SLA engine cancels it."""
    is_done = f"({done_when})"
    return f"""DELETE FROM report_targets WHERE conversation_id = NEW.id AND target = '{kind}' AND NOT ({kept});
        INSERT INTO report_targets (conversation_id, target, decided_at, hit, done_at, wall_s, clock_s, handle_s,
                                    {SPLIT_COLUMNS})
        SELECT NEW.id, '{kind}',
            CASE WHEN {is_done} AND (NEW.{due} IS NULL OR NEW.{done} <= NEW.{due}) THEN NEW.{done} ELSE NEW.{due} END,
            CASE WHEN NEW.{due} IS NULL THEN NULL ELSE coalesce({is_done} AND NEW.{done} <= NEW.{due}, 0) END,
            CASE WHEN {is_done} THEN NEW.{done} END,
            CASE WHEN {is_done} THEN round((julianday(NEW.{done}) - julianday(NEW.created_at)) * 86400.0, 3) END,
            CASE WHEN {is_done} THEN NEW.{clock} END,
            CASE WHEN {is_done} THEN {handle} END,
            NEW.brand, NEW.platform, {agent}, coalesce({_intent('NEW.thread_key')}, '')
        WHERE (NEW.{due} IS NOT NULL OR {is_done}) AND (NEW.status <> 'dismissed' OR {is_done})
          AND NOT coalesce({cancelled}, 0)
          AND NOT EXISTS (SELECT 1 FROM report_targets WHERE conversation_id = NEW.id AND target = '{kind}');"""


#: When the conversation was first resolved: its decided resolution row's, else this update's resolution.
FIRST_RESOLVED = ("coalesce((SELECT done_at FROM report_targets WHERE conversation_id = NEW.id "
                  "AND target = 'resolution'), CASE WHEN NEW.status = 'resolved' THEN NEW.resolved_at END)")
#: The SLA engine's rule (``responder.sla``): resolving cancels an unanswered first response that was not
#: overdue yet (resolved with no reply needed); it decides no target, not a miss at its due time.
FIRST_CANCELLED = (f"{FIRST_RESOLVED} <= NEW.first_response_due AND "
                   f"(NEW.first_responded_at IS NULL OR NEW.first_responded_at > {FIRST_RESOLVED})")
#: The first resolution decides the resolution target for good: a customer's "thanks" or any later message
#: (which reopens the conversation) and an agent's reopen leave it as it was decided, and so does the
#: resolution after a reopen, and so does a dismissal after it. The row is rewritten only for that same
#: resolution (its SLA clock filled in afterwards), and dropped by an undo (``UNDONE``).
RESOLUTION_KEPT = "done_at IS NOT NULL AND NOT (NEW.status = 'resolved' AND NEW.resolved_at = done_at)"

FIRST = _target_sql("first_response", "first_response_due", "first_responded_at", "first_response_clock_s",
                    "NULL", "NEW.first_responded_at IS NOT NULL", cancelled=FIRST_CANCELLED, agent=FIRST_AGENT)
RESOLUTION = _target_sql(
    "resolution", "resolution_due", "resolved_at", "resolution_clock_s",
    "CASE WHEN NEW.assigned_at IS NOT NULL AND NEW.assigned_at <= NEW.resolved_at "
    "THEN round((julianday(NEW.resolved_at) - julianday(NEW.assigned_at)) * 86400.0, 3) END",
    "NEW.status = 'resolved' AND NEW.resolved_at IS NOT NULL", kept=RESOLUTION_KEPT)
#: An undo of a resolve (``responder.queue.restore``, which has put the conversation back before it writes
#: this event) takes back the resolution it undid: it never happened, so neither target may keep it.
_UNDONE_ID = "CAST(substr(NEW.subject, 14) AS INTEGER)"  # after 'conversation:'
UNDONE = f"""CREATE TRIGGER report_resolution_undone AFTER INSERT ON events
    WHEN NEW.kind = 'conversation.undone'
     AND CASE WHEN json_valid(NEW.data) THEN json_extract(NEW.data, '$.action') END = 'resolve' BEGIN
    DELETE FROM report_targets WHERE conversation_id = {_UNDONE_ID} AND target = 'resolution'
        AND done_at = (SELECT e.at FROM events e WHERE e.id = json_extract(NEW.data, '$.event'));
    UPDATE conversations SET first_response_due = first_response_due, resolution_due = resolution_due
        WHERE id = {_UNDONE_ID};
END"""


def _daily(row: str, sign: int) -> str:
    """Add (``sign`` 1) or take away (-1) one ``report_targets`` row from the daily tables."""
    day = f"substr({row}.decided_at, 1, 10)"
    keys = f"{row}.brand, {row}.platform, {row}.agent, {row}.intent"
    out = [f"""INSERT INTO report_daily (day, kind, {SPLIT_COLUMNS}, n, hits, misses, reopened)
        VALUES ({day}, {row}.target, {keys}, {sign}, {sign} * coalesce({row}.hit = 1, 0),
                {sign} * coalesce({row}.hit = 0, 0), {sign} * {row}.reopened)
        ON CONFLICT (day, kind, {SPLIT_COLUMNS})
        DO UPDATE SET n = n + excluded.n, hits = hits + excluded.hits, misses = misses + excluded.misses,
                      reopened = reopened + excluded.reopened;"""]
    for measure, (kind, column) in MEASURES.items():
        out.append(f"""INSERT INTO report_buckets (day, measure, {SPLIT_COLUMNS}, bucket, n, total)
            SELECT {day}, '{measure}', {keys}, {row}.{bucket_column(column)}, {sign}, {sign} * {row}.{column}
            WHERE {row}.target = '{kind}' AND {row}.{column} IS NOT NULL
            ON CONFLICT (day, measure, {SPLIT_COLUMNS}, bucket)
            DO UPDATE SET n = n + excluded.n, total = total + excluded.total;""")
    return "\n".join(out)


def _replies(sign: int) -> str:
    """Count a reply into (or out of) its day when it becomes (or stops being) sent."""
    return f"""INSERT INTO report_daily (day, kind, {SPLIT_COLUMNS}, n, hits, misses)
        SELECT substr(r.sent_at, 1, 10), 'reply', c.brand, c.platform, r.created_by,
               coalesce({_intent('c.thread_key')}, ''), {sign}, 0, 0
        FROM (SELECT {'NEW' if sign > 0 else 'OLD'}.sent_at AS sent_at,
                     {'NEW' if sign > 0 else 'OLD'}.created_by AS created_by,
                     {'NEW' if sign > 0 else 'OLD'}.conversation_id AS conversation_id) r
        JOIN conversations c ON c.id = r.conversation_id WHERE r.sent_at IS NOT NULL
        ON CONFLICT (day, kind, {SPLIT_COLUMNS}) DO UPDATE SET n = n + excluded.n;"""


#: Covering: a report reads part of a day from this index alone.
DECIDED_INDEX = f"""CREATE INDEX report_targets_decided ON report_targets(decided_at, target, {SPLIT_COLUMNS}, hit,
    wall_b, clock_b, handle_b, wall_s, clock_s, handle_s, reopened)"""

#: A resolution's row says once that its conversation was reopened afterwards (the customer wrote again, or
#: an agent reopened it): the report's reopen rate counts those among the resolutions of its range. An undo
#: of the resolve (``UNDONE``) also moves the conversation out of ``resolved``, and then drops the row.
REOPENED = f"""CREATE TRIGGER report_resolution_reopened AFTER UPDATE OF status ON conversations
    WHEN OLD.status = 'resolved' AND NEW.{ACTIVE_WHERE} BEGIN
    UPDATE report_targets SET reopened = 1
        WHERE conversation_id = NEW.id AND target = 'resolution' AND done_at IS NOT NULL AND reopened = 0;
END"""
#: The daily tables follow ``report_targets`` (its inserts, deletes and reopened flag), and the flag follows a
#: conversation leaving ``resolved``.
DAILY_TRIGGERS = ("report_targets_added", "report_targets_removed", "report_targets_reopened",
                  "report_resolution_reopened")


def daily_triggers() -> list[str]:
    """``DAILY_TRIGGERS``, in that order."""
    return [
        f"CREATE TRIGGER report_targets_added AFTER INSERT ON report_targets BEGIN {_daily('NEW', 1)} END",
        f"CREATE TRIGGER report_targets_removed AFTER DELETE ON report_targets BEGIN {_daily('OLD', -1)} END",
        """CREATE TRIGGER report_targets_reopened AFTER UPDATE OF reopened ON report_targets BEGIN
            UPDATE report_daily SET reopened = reopened + NEW.reopened - OLD.reopened
            WHERE day = substr(NEW.decided_at, 1, 10) AND kind = NEW.target AND brand = NEW.brand
              AND platform = NEW.platform AND agent = NEW.agent AND intent = NEW.intent; END""",
        REOPENED,
    ]


#: The triggers that keep ``report_targets`` in step with ``conversations`` (by name, for migrations).
TARGET_TRIGGERS = ("report_first_insert", "report_first_update", "report_resolution_insert",
                   "report_resolution_update", "report_resolution_undone")


def target_triggers() -> list[str]:
    """``TARGET_TRIGGERS``: each target's row follows its conversation's due, done and status columns."""
    return [
        f"CREATE TRIGGER report_first_insert AFTER INSERT ON conversations BEGIN {FIRST} END",
        f"""CREATE TRIGGER report_first_update AFTER UPDATE OF status, first_responded_at, first_response_due,
            first_response_clock_s ON conversations BEGIN {FIRST} END""",
        f"CREATE TRIGGER report_resolution_insert AFTER INSERT ON conversations BEGIN {RESOLUTION} END",
        f"""CREATE TRIGGER report_resolution_update AFTER UPDATE OF status, resolved_at, resolution_due,
            resolution_clock_s ON conversations BEGIN {RESOLUTION} END""",
        UNDONE,
    ]


def schema_statements() -> list[str]:
    """Tables, indexes and triggers of migration m090, then the backfill through those triggers, one
    statement each (sqlite-utils' ``executescript`` splits a script in quadratic time: seconds here)."""
    split = "brand TEXT NOT NULL, platform TEXT NOT NULL, agent TEXT NOT NULL, intent TEXT NOT NULL"
    sent_old = _replies(-1).replace("WHERE r.sent_at IS NOT NULL", "WHERE r.sent_at IS NOT NULL AND OLD.state = 'sent'")
    sent_new = _replies(1).replace("WHERE r.sent_at IS NOT NULL", "WHERE r.sent_at IS NOT NULL AND NEW.state = 'sent'")
    return [
        f"""CREATE TABLE report_targets (
            conversation_id INTEGER NOT NULL, target TEXT NOT NULL, decided_at TEXT NOT NULL, hit INTEGER,
            done_at TEXT, wall_s REAL, clock_s REAL, handle_s REAL, {split}, reopened INTEGER NOT NULL DEFAULT 0,
            wall_b INTEGER GENERATED ALWAYS AS ({bucket_sql('wall_s')}) STORED,
            clock_b INTEGER GENERATED ALWAYS AS ({bucket_sql('clock_s')}) STORED,
            handle_b INTEGER GENERATED ALWAYS AS ({bucket_sql('handle_s')}) STORED,
            PRIMARY KEY (conversation_id, target)) WITHOUT ROWID""",
        DECIDED_INDEX,
        f"""CREATE TABLE report_daily (
            day TEXT NOT NULL, kind TEXT NOT NULL, {split},
            n INTEGER NOT NULL, hits INTEGER NOT NULL, misses INTEGER NOT NULL, reopened INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, kind, {SPLIT_COLUMNS})) WITHOUT ROWID""",
        f"""CREATE TABLE report_buckets (
            day TEXT NOT NULL, measure TEXT NOT NULL, {split}, bucket INTEGER NOT NULL, n INTEGER NOT NULL,
            total REAL NOT NULL,
            PRIMARY KEY (day, measure, {SPLIT_COLUMNS}, bucket)) WITHOUT ROWID""",
        "CREATE INDEX replies_sent_at ON replies(sent_at) WHERE state = 'sent'",
        "CREATE INDEX surveys_answered ON surveys(answered_at) WHERE answered_at IS NOT NULL",
        *daily_triggers(),
        *target_triggers(),
        f"""CREATE TRIGGER report_reply_sent AFTER UPDATE OF state, sent_at ON replies
            WHEN OLD.state = 'sent' OR NEW.state = 'sent' BEGIN {sent_old} {sent_new} END""",
        f"CREATE TRIGGER report_reply_inserted AFTER INSERT ON replies WHEN NEW.state = 'sent' BEGIN {_replies(1)} END",
        "UPDATE conversations SET first_response_due = first_response_due",
        "UPDATE conversations SET resolution_due = resolution_due",
        f"""INSERT INTO report_daily (day, kind, {SPLIT_COLUMNS}, n, hits, misses)
            SELECT substr(r.sent_at, 1, 10), 'reply', c.brand, c.platform, r.created_by,
                   coalesce({_intent('c.thread_key')}, ''), count(*), 0, 0
            FROM replies r JOIN conversations c ON c.id = r.conversation_id
            WHERE r.state = 'sent' AND r.sent_at IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6""",
    ]
