"""Versioned schema of the shared Careline tables.

Migrations are append-only: never edit one that has shipped, add the next. sqlite-utils records each
applied migration in ``_sqlite_migrations``; ``db.migrate`` applies each set under one write lock
(``BEGIN IMMEDIATE``, each migration a savepoint inside) and rereads what is pending once it holds it, so
starting the app twice, two processes at once, or after a crash half-way through start-up, is safe.
Stages that need private tables register their own ``Migrations`` set under their own name and pass it
to the ``Store``.

Columns are declared explicitly because sqlite-utils infers types from the first batch otherwise, and
a column whose first values are ``None`` would become TEXT for ever.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from careline.languages import UNSPACED_CLASS
from careline.store.reporting import schema_statements, sla_page_indexes

CORE = Migrations("careline")


@CORE()
def m001_core(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE authors (
            key TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            handle TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            followers INTEGER NOT NULL DEFAULT 0,
            verified INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE TABLE mentions (
            key TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            brand TEXT NOT NULL,
            source TEXT NOT NULL,
            author_key TEXT NOT NULL REFERENCES authors(key),
            text TEXT NOT NULL,
            url TEXT NOT NULL,
            created_at TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            thread_key TEXT NOT NULL,
            in_reply_to_id TEXT,
            language TEXT,
            raw TEXT NOT NULL,
            stage TEXT NOT NULL DEFAULT 'new',
            UNIQUE (platform, platform_id)
        );
        CREATE INDEX mentions_stage ON mentions(stage);
        CREATE INDEX mentions_thread ON mentions(thread_key, created_at);
        CREATE INDEX mentions_author ON mentions(author_key, created_at);
        CREATE INDEX mentions_brand_created ON mentions(brand, created_at);

        CREATE TABLE classifications (
            mention_key TEXT PRIMARY KEY REFERENCES mentions(key),
            model_version TEXT NOT NULL,
            sentiment TEXT NOT NULL,
            sentiment_scores TEXT NOT NULL,
            complaint REAL NOT NULL,
            detractor REAL NOT NULL,
            intent TEXT NOT NULL,
            intent_scores TEXT NOT NULL,
            urgency REAL NOT NULL DEFAULT 0,
            reasons TEXT NOT NULL DEFAULT '[]',
            classified_at TEXT NOT NULL
        );

        CREATE TABLE cursors (
            source TEXT NOT NULL,
            brand TEXT NOT NULL,
            value TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (source, brand)
        );

        CREATE TABLE conversations (
            id INTEGER PRIMARY KEY,
            thread_key TEXT NOT NULL UNIQUE,
            platform TEXT NOT NULL,
            brand TEXT NOT NULL,
            author_key TEXT NOT NULL,
            status TEXT NOT NULL,
            priority REAL NOT NULL DEFAULT 0,
            priority_reasons TEXT NOT NULL DEFAULT '[]',
            assignee TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_customer_at TEXT NOT NULL,
            first_response_due TEXT,
            first_responded_at TEXT,
            next_response_due TEXT,
            resolution_due TEXT,
            resolved_at TEXT,
            snoozed_until TEXT,
            sla_policy TEXT
        );
        CREATE INDEX conversations_queue ON conversations(status, priority DESC, first_response_due);
        CREATE INDEX conversations_assignee ON conversations(assignee, status);

        CREATE TABLE replies (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            in_reply_to TEXT,
            text TEXT NOT NULL,
            state TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            platform_id TEXT,
            error TEXT,
            attempts INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX replies_conversation ON replies(conversation_id);

        CREATE TABLE events (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX events_subject ON events(subject, id);
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
            BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

        CREATE TABLE users (
            username TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            password_hash TEXT,
            available INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE TABLE api_tokens (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            label TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );

        CREATE TABLE source_health (
            source TEXT NOT NULL,
            brand TEXT NOT NULL,
            status TEXT NOT NULL,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_success_at TEXT,
            last_attempt_at TEXT,
            next_attempt_at TEXT,
            PRIMARY KEY (source, brand)
        );
        CREATE TABLE source_usage (
            source TEXT NOT NULL,
            brand TEXT NOT NULL,
            day TEXT NOT NULL,
            requests INTEGER NOT NULL DEFAULT 0,
            posts_read INTEGER NOT NULL DEFAULT 0,
            cost_usd REAL NOT NULL DEFAULT 0,
            PRIMARY KEY (source, brand, day)
        );
        """
    )


@CORE()
def m002_open_queue_order(db: Database) -> None:
    """The reply queue's exact order over open conversations only (web queue under 200 ms at 100k rows).

    A partial index: SQLite uses it when a query's WHERE repeats the index's WHERE term
    (``careline.views.OPEN_CLAUSE``), and then reads the first page in order without sorting.
    """
    db.execute(
        "CREATE INDEX IF NOT EXISTS conversations_open_queue ON conversations("
        "priority DESC, COALESCE(next_response_due, first_response_due), id) "
        "WHERE status IN ('new', 'open', 'pending', 'snoozed')")


@CORE()
def m003_responder(db: Database) -> None:
    """SLA snapshots and escalation state, approvals, SLA events, webhook deliveries and surveys.

    ``sla_snapshot`` freezes the policy (targets and calendar) a conversation was given, so editing the
    configuration later is not retroactive. ``sla_events`` is unique per (conversation, kind, target,
    level, due time): the sweep can run any number of times and each warning or breach fires once.
    """
    db.executescript(
        """
        ALTER TABLE conversations ADD COLUMN sla_snapshot TEXT;
        ALTER TABLE conversations ADD COLUMN sla_state TEXT NOT NULL DEFAULT 'active';
        ALTER TABLE conversations ADD COLUMN escalation_level INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE conversations ADD COLUMN assigned_at TEXT;
        ALTER TABLE conversations ADD COLUMN sla_next_check TEXT;
        CREATE INDEX conversations_sla_check ON conversations(sla_next_check)
            WHERE status IN ('new', 'open', 'pending', 'snoozed');
        ALTER TABLE replies ADD COLUMN reviewed_by TEXT;
        ALTER TABLE replies ADD COLUMN review_note TEXT;
        ALTER TABLE replies ADD COLUMN sent_at TEXT;
        CREATE INDEX replies_state ON replies(state);

        CREATE TABLE sla_events (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            kind TEXT NOT NULL,
            target TEXT NOT NULL,
            level INTEGER NOT NULL DEFAULT 0,
            due_at TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (conversation_id, kind, target, level, due_at)
        );
        CREATE TABLE webhook_deliveries (
            id INTEGER PRIMARY KEY,
            sla_event_id INTEGER REFERENCES sla_events(id),
            url TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at TEXT NOT NULL,
            delivered_at TEXT
        );
        CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
        CREATE TABLE surveys (
            token TEXT PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            kind TEXT NOT NULL,
            agent TEXT,
            brand TEXT NOT NULL,
            platform TEXT NOT NULL,
            created_at TEXT NOT NULL,
            answered_at TEXT,
            score INTEGER,
            comment TEXT
        );
        CREATE INDEX surveys_conversation ON surveys(conversation_id);
        """
    )


@CORE()
def m004_classification_effort(db: Database) -> None:
    """Customer effort (a CES proxy) gets its own column, so the priority reads a number instead of
    parsing the "effort score N" line back out of the reasons. NULL = classified by a version that
    did not record effort; readers fall back to the text heuristic. Existing rows are backfilled
    from that reason line, the only place older versions kept it.
    """
    import json
    import re

    db.execute("ALTER TABLE classifications ADD COLUMN effort REAL")
    pattern = re.compile(r"effort score (\d+(?:\.\d+)?)")
    updates = []
    for key, reasons in db.execute("SELECT mention_key, reasons FROM classifications WHERE reasons LIKE ?",
                                   ["%effort score%"]).fetchall():
        for reason in json.loads(reasons or "[]"):
            found = pattern.search(str(reason))
            if found:
                updates.append((min(1.0, float(found.group(1))), key))
                break
    db.conn.executemany("UPDATE classifications SET effort = ? WHERE mention_key = ?", updates)


@CORE()
def m005_source_warnings(db: Database) -> None:
    """A poll can succeed and still lose posts (a Reddit listing that ended before our watermark).
    That used to reach the log only; keeping the last such warning beside the source's health lets
    ``careline status`` and ``/health`` show it to whoever watches the sources, not only to
    whoever reads the log."""
    db.executescript(
        """
        ALTER TABLE source_health ADD COLUMN last_warning TEXT;
        ALTER TABLE source_health ADD COLUMN last_warning_at TEXT;
        """
    )


@CORE()
def m006_sla_clock_durations(db: Database) -> None:
    """The lead's response times in SLA clock time (business hours, pauses excluded), stored when
    each is decided: the first reply's sender and the resolve action evaluate the conversation's SLA
    snapshot once, so the report reads a number instead of replaying every conversation's history.
    NULL = not decided yet, or decided before this migration (the report says how many it has)."""
    db.executescript(
        """
        ALTER TABLE conversations ADD COLUMN first_response_clock_s REAL;
        ALTER TABLE conversations ADD COLUMN resolution_clock_s REAL;
        """
    )


@CORE()
def m007_team_workflow(db: Database) -> None:
    """What a team working one queue needs stored.

    * ``brand_posts``: posts by a brand account found in the threads we read. One made outside
      Careline (the native app, another tool) answers the customer as a Careline reply does, so it
      must show in the thread and stop the clocks; one that comes back from our own send is ours.
      ``state``: ``waiting`` (no conversation for its thread yet), ``outside`` (attached, counted as an
      answer), ``ours`` (a Careline reply seen again) or ``ignored`` (no tracked thread; stays out).
      Kept apart from ``mentions`` so no customer count, trend or classifier ever sees them.
    * ``notes``: internal notes on a conversation, never posted; a lead's "send back" is one too.
    * ``replies.superseded_by``: the brand post that answered first, for a draft left unsent.
    """
    db.executescript(
        """
        CREATE TABLE brand_posts (
            key TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            platform_id TEXT NOT NULL,
            brand TEXT NOT NULL,
            thread_key TEXT NOT NULL,
            handle TEXT NOT NULL,
            text TEXT NOT NULL,
            url TEXT NOT NULL,
            created_at TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            in_reply_to_id TEXT,
            raw TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'waiting',
            conversation_id INTEGER,
            UNIQUE (platform, platform_id)
        );
        CREATE INDEX brand_posts_state ON brand_posts(state, thread_key);
        CREATE INDEX brand_posts_conversation ON brand_posts(conversation_id, created_at);

        CREATE TABLE notes (
            id INTEGER PRIMARY KEY,
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            author TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'note',
            text TEXT NOT NULL,
            reply_id INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE INDEX notes_conversation ON notes(conversation_id, created_at);

        ALTER TABLE replies ADD COLUMN superseded_by TEXT;
        """
    )


@CORE()
def m008_workspace(db: Database) -> None:
    """What an agent's workspace stores beside the conversations.

    * ``search``: an FTS5 index, one row per customer message (its text with the author's handle and
      name), per internal note and per tag, keyed by the thread. Triggers keep it in step with the
      writes, so no job has to; rows are only ever added (a removed tag deletes its own row by rowid).
    * ``conversation_tags``, ``saved_views`` (a person's named queue filters), ``teams`` and
      ``team_members``; ``conversations.team`` for a conversation assigned to a team.
    * ``inbox_seen``: when a person last opened their @mentions, so new ones can be counted.
    """
    db.executescript(
        """
        CREATE VIRTUAL TABLE search USING fts5(
            body, thread_key UNINDEXED, kind UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');

        CREATE TRIGGER search_mention AFTER INSERT ON mentions BEGIN
            INSERT INTO search (body, thread_key, kind)
            SELECT new.text || ' @' || a.handle || ' ' || a.name, new.thread_key, 'message'
            FROM authors a WHERE a.key = new.author_key;
        END;
        CREATE TRIGGER search_note AFTER INSERT ON notes BEGIN
            INSERT INTO search (body, thread_key, kind)
            SELECT new.text || ' @' || new.author, c.thread_key, 'note' FROM conversations c
            WHERE c.id = new.conversation_id;
        END;

        CREATE TABLE conversation_tags (
            conversation_id INTEGER NOT NULL REFERENCES conversations(id),
            tag TEXT NOT NULL,
            added_by TEXT NOT NULL,
            added_at TEXT NOT NULL,
            search_rowid INTEGER,
            PRIMARY KEY (conversation_id, tag)
        );
        CREATE INDEX conversation_tags_tag ON conversation_tags(tag, conversation_id);

        CREATE TABLE saved_views (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            name TEXT NOT NULL,
            query TEXT NOT NULL,
            created_at TEXT NOT NULL,
            UNIQUE (username, name)
        );

        CREATE TABLE teams (
            name TEXT PRIMARY KEY,
            created_at TEXT NOT NULL
        );
        CREATE TABLE team_members (
            team TEXT NOT NULL REFERENCES teams(name),
            username TEXT NOT NULL,
            PRIMARY KEY (team, username)
        );
        ALTER TABLE conversations ADD COLUMN team TEXT;
        CREATE INDEX conversations_team ON conversations(team, status);

        CREATE TABLE inbox_seen (
            username TEXT PRIMARY KEY,
            seen_at TEXT NOT NULL
        );
        CREATE INDEX events_subject_kind ON events(subject, kind, id);
        """
    )
    db.execute("""INSERT INTO search (body, thread_key, kind)
                  SELECT m.text || ' @' || a.handle || ' ' || a.name, m.thread_key, 'message'
                  FROM mentions m JOIN authors a ON a.key = m.author_key ORDER BY m.rowid""")


@CORE()
def m050_classification_language(db: Database) -> None:
    """Language-aware triage (issue 20). The classifier detects each post's language (py3langid) and
    scores it on the path that reads it; a classification records the language, whether any path
    covers it (0 = scores are a guess, the priority gives a floor), the path (``english``,
    ``multilingual``, ``keywords``), complaint severity 0-4 and the sarcasm probability. The worker
    also fills ``mentions.language`` (m001) where the platform gave none, so lists can filter and
    trends can count by language; the index serves both. NULL = classified before this migration."""
    db.executescript(
        """
        ALTER TABLE classifications ADD COLUMN language TEXT;
        ALTER TABLE classifications ADD COLUMN language_covered INTEGER;
        ALTER TABLE classifications ADD COLUMN language_path TEXT;
        ALTER TABLE classifications ADD COLUMN severity INTEGER;
        ALTER TABLE classifications ADD COLUMN sarcasm REAL;
        CREATE INDEX IF NOT EXISTS mentions_language ON mentions(language, created_at);
        """
    )


@CORE()
def m070_accounts(db: Database) -> None:
    """What accounts a security team signs off need stored.

    * ``users``: ``disabled_at`` (a disabled person keeps
      their history but cannot log in or use a token), ``totp_secret`` / ``totp_last_step`` (two-factor;
      the last accepted 30 s step, so a code is never accepted twice), ``password_changed_at``.
    * ``api_tokens``: ``id`` (a short public id to name a token without its secret), ``role`` (the
      scope, never above the owner's), ``expires_at``, ``revoked_at``, ``last_used_at``.
    * ``web_sessions`` (created by the web's own set when absent; made complete here either way):
      ``id``, ``last_seen_at`` (idle timeout), ``address`` and ``user_agent`` (the sessions page).
    * ``password_links``: one-time set-password links (an invitation or a reset), stored as hashes.
    """
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN disabled_at TEXT;
        ALTER TABLE users ADD COLUMN totp_secret TEXT;
        ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN password_changed_at TEXT;

        ALTER TABLE api_tokens ADD COLUMN id TEXT;
        ALTER TABLE api_tokens ADD COLUMN role TEXT;
        ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
        ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
        ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
        UPDATE api_tokens SET id = substr(token_hash, 1, 12),
            role = (SELECT role FROM users WHERE users.username = api_tokens.username);
        CREATE UNIQUE INDEX api_tokens_id ON api_tokens(id);
        CREATE INDEX api_tokens_user ON api_tokens(username);

        CREATE TABLE IF NOT EXISTS web_sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        ALTER TABLE web_sessions ADD COLUMN id TEXT;
        ALTER TABLE web_sessions ADD COLUMN last_seen_at TEXT;
        ALTER TABLE web_sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
        ALTER TABLE web_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
        UPDATE web_sessions SET id = substr(token_hash, 1, 12), last_seen_at = created_at;
        CREATE UNIQUE INDEX web_sessions_id ON web_sessions(id);
        CREATE INDEX IF NOT EXISTS events_kind ON events(kind, id);

        CREATE TABLE password_links (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            purpose TEXT NOT NULL,
            created_by TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        """
    )


@CORE()
def m090_report_targets(db: Database) -> None:
    """The lead's report reads decided targets and their daily totals, kept current by triggers
    (``careline.store.reporting`` describes the tables); filled here from the rows already stored."""
    for statement in schema_statements():
        db.conn.execute(statement)


@CORE()
def m095_sla_page_indexes(db: Database) -> None:
    """Breaches, near breaches and the backlog by age counted from indexes (``reporting.sla_page_indexes``)."""
    for statement in sla_page_indexes():
        db.conn.execute(statement)


@CORE()
def m100_settings_overlay(db: Database) -> None:
    """Settings edited in the browser (``careline.overlay``): one row per section item with its validated
    JSON (``NULL``: the item is deleted), the overall version its last change made, and who made it; ``seq``
    keeps the order items were first saved (SLA policies match in order). ``settings_version`` holds one
    counter, bumped by every change, so a running process notices a change with one cheap read."""
    db.executescript(
        """
        CREATE TABLE settings_overlay (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            section TEXT NOT NULL,
            item TEXT NOT NULL,
            value TEXT,
            version INTEGER NOT NULL,
            updated_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (section, item)
        );
        CREATE TABLE settings_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        );
        INSERT INTO settings_version (id, version) VALUES (1, 0);
        """
    )


@CORE()
def m100_totp_recovery_codes(db: Database) -> None:
    """One-time recovery codes for two-factor sign-in, for when the authenticator app is lost: only each
    code's SHA-256 is kept (the codes carry ~50 random bits each), and ``used_at`` spends it."""
    db.executescript(
        """
        CREATE TABLE totp_recovery_codes (
            code_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            created_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX totp_recovery_codes_user ON totp_recovery_codes(username);
        """
    )


@CORE()
def m110_trends(db: Database) -> None:
    """Marketing's trends read daily and hourly counts kept by triggers on ``classifications``, complaint
    topics and their daily counts, and spike alerts unique per brand and hour
    (``careline.store.trending`` describes the tables); the counts are filled here from the rows stored."""
    from careline.store.trending import schema_statements as trend_statements

    for statement in trend_statements():
        db.conn.execute(statement)


@CORE()
def m120_reading_corrections(db: Database) -> None:
    """People's corrections of the model's reading of a mention (``careline.store.readings``), each with
    the model's reading it replaced; removed with the mention."""
    from careline.store.readings import SCHEMA

    db.executescript(SCHEMA)


@CORE()
def m121_intent_corrections(db: Database) -> None:
    """A correction may name the mention's intent too, and keeps the model's intent beside it. Rows
    made before this could not change the intent, so the classification's intent is the model's."""
    from careline.store.readings import INTENT_COLUMNS

    for column in INTENT_COLUMNS:
        db.conn.execute(f"ALTER TABLE reading_corrections ADD COLUMN {column} TEXT")
    db.conn.execute("""UPDATE reading_corrections SET
        model_intent = (SELECT c.intent FROM classifications c WHERE c.mention_key = reading_corrections.mention_key),
        model_intent_scores = (SELECT c.intent_scores FROM classifications c
                               WHERE c.mention_key = reading_corrections.mention_key)""")


@CORE()
def m122_dismissed_decide_no_target(db: Database) -> None:
    """A dismissed conversation (spam, not ours to answer) counted its unanswered targets as SLA misses: the
    target triggers now leave it out (``reporting.target_triggers``), and the rows of those already
    dismissed go (the daily tables follow through ``report_targets_removed``)."""
    from careline.store.reporting import TARGET_TRIGGERS, target_triggers

    for name in TARGET_TRIGGERS:
        db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in target_triggers():
        db.conn.execute(statement)
    db.conn.execute("DELETE FROM report_targets WHERE conversation_id IN "
                    "(SELECT id FROM conversations WHERE status = 'dismissed')")


@CORE()
def m123_inbox_seen_by_event(db: Database) -> None:
    """The @mentions inbox remembers the newest mention it showed (an event id), not a time: a note's time
    is taken before its write waits its turn, so one committed just after the inbox opened went uncounted."""
    db.conn.execute("ALTER TABLE inbox_seen ADD COLUMN seen_id INTEGER NOT NULL DEFAULT 0")
    db.conn.execute("""UPDATE inbox_seen SET seen_id = coalesce((SELECT max(e.id) FROM events e
                         WHERE e.subject = 'user:' || inbox_seen.username AND e.kind = 'note.mention'
                           AND e.at <= inbox_seen.seen_at), 0)""")


@CORE()
def m130_first_resolution_stays(db: Database) -> None:
    """A customer's "thanks" after a resolution reopened the conversation and took its met resolution target
    back out of every report (a miss once the due time passed). Each decided row now keeps when it was
    done (``done_at``), and the resolution target stays as the first resolution decided it
    (``reporting.RESOLUTION_KEPT``); an unanswered first response that a resolution cancelled decides no
    target (``reporting.FIRST_CANCELLED``). Resolutions reopened before this are not recovered: what their
    due time was when they were resolved is gone."""
    from careline.store.reporting import TARGET_TRIGGERS, target_triggers

    if "done_at" not in {c[1] for c in db.conn.execute("PRAGMA table_info(report_targets)")}:
        db.conn.execute("ALTER TABLE report_targets ADD COLUMN done_at TEXT")
    db.conn.execute("""UPDATE report_targets SET done_at = (SELECT CASE report_targets.target
            WHEN 'first_response' THEN c.first_responded_at
            WHEN 'resolution' THEN CASE WHEN c.status = 'resolved' THEN c.resolved_at END END
        FROM conversations c WHERE c.id = report_targets.conversation_id) WHERE wall_s IS NOT NULL""")
    for name in TARGET_TRIGGERS:
        db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in target_triggers():
        db.conn.execute(statement)
    db.conn.execute("""UPDATE conversations SET first_response_due = first_response_due
        WHERE status = 'resolved' AND resolved_at <= first_response_due
          AND (first_responded_at IS NULL OR first_responded_at > resolved_at)""")


@CORE()
def m131_estimated_nps_per_person(db: Database) -> None:
    """Estimated NPS counted posts: one customer's twenty angry posts were twenty detractors. It now counts
    people by their latest reading (``careline.store.trending.people_statements``), filled here from the
    posts stored."""
    from careline.store.trending import people_statements

    for statement in people_statements():
        db.conn.execute(statement)


@CORE()
def m132_reopen_rate_and_dismissals_keep_what_was_done(db: Database) -> None:
    """The report counts the resolutions reopened afterwards (``report_targets.reopened`` and its daily sum,
    ``reporting.daily_triggers``), filled here from the status events stored; and a dismissal no longer takes
    out a target done before it (``reporting.target_triggers``): the first responses of conversations
    dismissed after an answer come back. Resolutions a dismissal dropped before this are not recovered (the
    reopen that came first had already cleared the conversation's resolution time)."""
    from careline.store.reporting import DAILY_TRIGGERS, DECIDED_INDEX, TARGET_TRIGGERS, daily_triggers, target_triggers

    for table in ("report_targets", "report_daily"):
        if "reopened" not in {c[1] for c in db.conn.execute(f"PRAGMA table_info({table})")}:
            db.conn.execute(f"ALTER TABLE {table} ADD COLUMN reopened INTEGER NOT NULL DEFAULT 0")
    for name in (*DAILY_TRIGGERS, *TARGET_TRIGGERS):
        db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in (*daily_triggers(), *target_triggers()):
        db.conn.execute(statement)
    db.conn.execute("DROP INDEX IF EXISTS report_targets_decided")
    db.conn.execute(DECIDED_INDEX)
    db.conn.execute("""UPDATE report_targets SET reopened = 1 WHERE target = 'resolution' AND done_at IS NOT NULL
        AND reopened = 0 AND EXISTS (SELECT 1 FROM events e WHERE e.subject = 'conversation:' || conversation_id
            AND e.kind = 'conversation.status' AND e.at > report_targets.done_at
            AND CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.from') END = 'resolved'
            AND CASE WHEN json_valid(e.data) THEN json_extract(e.data, '$.to') END
                IN ('new', 'open', 'pending', 'snoozed'))""")
    db.conn.execute("UPDATE conversations SET first_response_due = first_response_due WHERE status = 'dismissed'")


@CORE()
def m133_sentiment_by_language(db: Database) -> None:
    """Marketing reads sentiment per language (the trends page's "Sentiment by language"): ``trend_languages``
    counts positive posts beside negative ones, counted afresh here, and the count triggers write it."""
    from careline.store.trending import COUNT_TRIGGERS, count_triggers, recount

    if "positive" not in {c[1] for c in db.conn.execute("PRAGMA table_info(trend_languages)")}:
        db.conn.execute("ALTER TABLE trend_languages ADD COLUMN positive INTEGER NOT NULL DEFAULT 0")
    for name in COUNT_TRIGGERS:
        db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in (*count_triggers(), *recount("trend_languages")):
        db.conn.execute(statement)


@CORE()
def m134_erased_authors(db: Database) -> None:
    """An erased customer's posts must not come back with the next poll: ``erased_authors`` keeps a digest
    of each erased author key and when (``careline.store.records.author_hash``). Customers erased before
    this migration are not in it (the audit event held counts only)."""
    db.conn.execute("""CREATE TABLE IF NOT EXISTS erased_authors (
        author_hash TEXT PRIMARY KEY, erased_at TEXT NOT NULL) WITHOUT ROWID""")


@CORE()
def m135_trend_days_in_the_workspace_zone(db: Database) -> None:
    """Trends counted UTC days while reports count the team's (``service.timezone``): a team in New York saw
    each evening's posts on the next day's bar. The triggers now key each count by the day ``trend_zone``
    holds for the post; empty until the service starts (``careline.store.trending.keep_days_in``), which is
    UTC days, as counted until now, so nothing is recounted here."""
    from careline.store.trending import ZONE_TABLE, day_triggers

    for statement in (ZONE_TABLE, *day_triggers()):
        db.conn.execute(statement)


@CORE()
def m136_trends_by_language(db: Database) -> None:
    """Marketing filters the trends by language: intents, complaint topics and the people behind estimated NPS
    are kept per language too (``careline.store.trending.LANGUAGE_KEYED``), counted afresh here from the posts
    (a database made since has them from m110 and m131)."""
    from careline.store.trending import LANGUAGE_KEYED, language_key_statements

    missing = {t for t in LANGUAGE_KEYED
               if "language" not in {c[1] for c in db.conn.execute(f"PRAGMA table_info({t})")}}
    if missing:
        for statement in language_key_statements(missing):
            db.conn.execute(statement)


@CORE()
def m137_tracked_names_in_any_case(db: Database) -> None:
    """Share of voice matched a competitor's name with SQLite's ``lower()``, which folds ASCII letters only:
    "öresund air" never counted for "Öresund Air", nor a Greek or Cyrillic name in another case. Names now match
    by GLOB classes of their cases (``careline.store.trending.any_case_pattern``), counted afresh here."""
    from careline.store.trending import any_case_statements

    for statement in any_case_statements(db):
        db.conn.execute(statement)


#: Characters of the scripts written without spaces between words (Han, kana, Hangul's particles, Thai, Lao, Khmer,
#: Burmese), as a GLOB class: a post holding any is indexed in ``search_unspaced`` too.
UNSPACED_GLOB = f"*{UNSPACED_CLASS}*"


@CORE()
def m138_search_inside_unspaced_scripts(db: Database) -> None:
    """The search index (``search``, unicode61) reads a run of Chinese or Japanese as one word, so "没人接" found
    nothing in "…打客服电话没人接" and "網络" nothing at all. ``search_unspaced`` is a trigram index of the messages
    and notes that hold such characters (the same rows, the same bodies), which search reads for a query in those
    scripts; the triggers fill both, and an erasure empties both."""
    db.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS search_unspaced USING fts5("
                    "body, thread_key UNINDEXED, kind UNINDEXED, tokenize = 'trigram')")
    db.conn.execute(f"""CREATE TRIGGER IF NOT EXISTS search_unspaced_mention AFTER INSERT ON mentions BEGIN
        INSERT INTO search_unspaced (body, thread_key, kind)
        SELECT new.text || ' @' || a.handle || ' ' || a.name, new.thread_key, 'message'
        FROM authors a WHERE a.key = new.author_key
          AND (new.text || ' ' || coalesce(a.name, '')) GLOB '{UNSPACED_GLOB}';
    END""")
    db.conn.execute(f"""CREATE TRIGGER IF NOT EXISTS search_unspaced_note AFTER INSERT ON notes BEGIN
        INSERT INTO search_unspaced (body, thread_key, kind)
        SELECT new.text || ' @' || new.author, c.thread_key, 'note' FROM conversations c
        WHERE c.id = new.conversation_id AND new.text GLOB '{UNSPACED_GLOB}';
    END""")
    db.conn.execute(f"""INSERT INTO search_unspaced (body, thread_key, kind)
        SELECT body, thread_key, kind FROM search WHERE kind IN ('message', 'note') AND body GLOB '{UNSPACED_GLOB}'
        ORDER BY rowid""")


@CORE()
def m139_topic_posts_newest_first(db: Database) -> None:
    """A topic's latest posts, newest first, by index: what names it (the topic job's sample, and with a language
    chosen on the trends page, that language's latest posts, which stop the walk once found). It starts with the
    topic as m110's ``mention_topics_topic`` does, which every query by topic can use instead: that one goes, and
    each placed complaint writes one index less."""
    db.conn.execute("CREATE INDEX IF NOT EXISTS mention_topics_latest ON mention_topics(topic_id, assigned_at)")
    db.conn.execute("DROP INDEX IF EXISTS mention_topics_topic")


@CORE()
def m140_first_response_counts_for_its_author(db: Database) -> None:
    """A met first response counted for whoever held the conversation when its row was last written (a lead's
    reassignment after the reply, or the SLA job filling in the clock): it now counts for the author of the
    first reply sent (``reporting.FIRST_AGENT``). The rows written for someone else are written again, so the
    daily totals follow."""
    from careline.store.reporting import FIRST_AGENT, TARGET_TRIGGERS, target_triggers

    for name in TARGET_TRIGGERS:
        db.conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    for statement in target_triggers():
        db.conn.execute(statement)
    author = FIRST_AGENT.replace("NEW.id", "t.conversation_id").replace("NEW.assignee", "t.agent")
    db.conn.execute(f"""UPDATE conversations SET first_response_due = first_response_due WHERE id IN (
        SELECT t.conversation_id FROM report_targets t WHERE t.target = 'first_response' AND t.done_at IS NOT NULL
          AND t.agent <> {author})""")


@CORE()
def m141_ids_never_given_twice_and_erased_threads(db: Database) -> None:
    """``id_floors``: the highest conversation, reply and note id given before rows were deleted
    (``records.keep_ids_unused``), so none is given again: SQLite reused an erased conversation's id, and an agent's
    page still open on it posted its reply to the next customer. ``erased_threads``: a digest of each erased
    customer's threads and when (``records.author_hash`` of the thread key), so the brand's own replies in them,
    read again by the pollers, are not stored again either."""
    db.conn.execute("CREATE TABLE IF NOT EXISTS id_floors (name TEXT PRIMARY KEY, last INTEGER NOT NULL)")
    db.conn.execute("CREATE TABLE IF NOT EXISTS erased_threads (thread_hash TEXT PRIMARY KEY, erased_at TEXT NOT NULL)")


@CORE()
def m142_cancelled_first_responses_run_no_more(db: Database) -> None:
    """A first response that a resolution cancelled (resolved unanswered before it was due) kept its due time, so
    when the customer wrote again the queue and the SLA page showed it breached, over the next response that
    runs. Its due is cleared now, as ``responder.history`` clears it at each resolution, and the SLA page's index
    follows the new running due (``reporting.RUNNING_DUE``)."""
    from careline.store.reporting import sla_page_indexes

    db.conn.execute("""UPDATE conversations SET first_response_due = NULL WHERE first_responded_at IS NULL
        AND resolved_at IS NOT NULL AND first_response_due IS NOT NULL AND resolved_at <= first_response_due""")
    db.conn.execute("DROP INDEX IF EXISTS conversations_active_due")
    db.conn.execute(sla_page_indexes()[0])


@CORE()
def m143_purged_threads_leave_no_index_rows(db: Database) -> None:
    """The retention purge deleted a closed conversation's posts but not their rows in the search indexes: the text,
    handle and name stayed for good, where no export or erasure could find them (their author was gone). Those left
    by earlier purges go; ``retention`` deletes them with the thread now."""
    for table in ("search", "search_unspaced"):
        if db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
            db.conn.execute(f"DELETE FROM {table} WHERE kind = 'message' AND thread_key NOT IN "
                            "(SELECT thread_key FROM mentions)")
