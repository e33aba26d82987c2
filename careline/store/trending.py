"""The schema behind marketing's trends: daily and hourly counts of classified mentions, topics, spike alerts.

Why aggregates kept by triggers: the trends page sums 90 days of mentions on every view, and a
``GROUP BY`` over a million joined rows takes seconds. A classification is written once per mention
(and rewritten when a mention is classified again), so triggers on ``classifications`` keep small
tables current inside the same transaction; the page then sums a few thousand rows
(``benchmarks/trends.py``). Triggers sit on ``classifications``, not ``mentions``, so ingest pays
nothing and the charts count exactly what they always counted: classified mentions.

Tables (migration ``m110_trends``):

* ``trend_daily``: per UTC day, brand, platform, language (``und`` when not known), sentiment and
  intent: mentions, complaints (complaint >= 0.5), detractors and promoters (the estimated-NPS
  rule of the trends page).
* ``trend_hourly``: per UTC hour (``YYYY-MM-DDTHH``), brand and platform: mentions (spikes).
* ``topics``: complaint topics (``classifiers.topics`` maintains them): centroid, top words, size.
* ``mention_topics``: the topic of each complaint mention, written once when it is assigned; removed
  with the mention's classification (retention, erasure), which every deletion of a mention precedes.
* ``topic_daily``: per UTC day, brand and topic: mentions, kept by triggers on ``mention_topics``.
* ``topic_state``: the topic job's cursor (the last ``classifications.rowid`` it read).
* ``spike_alerts``: each spike found by the hourly job, unique per (brand, hour), so a restart or a
  second process never alerts twice; its webhook rows are written in the same transaction.

``INSERT OR REPLACE`` into ``classifications`` (the worker's write) deletes the old row and fires the
delete trigger, because every Careline connection is a sqlite-utils ``Database``, which turns on
``PRAGMA recursive_triggers``: the old row's counts go, the new row's come. The delete also drops the
mention's topic, so a reclassified complaint is assigned afresh (and a post that is no longer a
complaint leaves its topic).
"""

from __future__ import annotations

#: The estimated-NPS rule: a detractor at >= 0.5 detractor likelihood, a promoter when positive below 0.3.
DETRACTOR_AT, PROMOTER_BELOW = 0.5, 0.3
COMPLAINT_AT = 0.5

_LANGUAGE = ("CASE WHEN {c}.language IS NOT NULL AND {c}.language <> 'und' THEN {c}.language "
             "ELSE coalesce(m.language, {c}.language, 'und') END")


def _add(table: str, keys: tuple[str, ...], values: tuple[str, ...], source: str) -> str:
    """Add the one row ``source`` yields (its ``keys`` and signed ``values`` columns) into ``table``.

    Not an UPSERT: the worker writes classifications with ``INSERT OR REPLACE``, and SQLite applies an
    outer statement's conflict policy to the statements of the triggers it fires, which would turn an
    ``ON CONFLICT DO UPDATE`` here into a REPLACE that loses the count. An insert of zeros where the
    row is missing (no conflict possible) and an UPDATE cannot be overridden that way.
    """
    match = " AND ".join(f"t.{k} = s.{k}" for k in keys)
    cols = ", ".join((*keys, *values))
    zeros = ", ".join((*(f"s.{k}" for k in keys), *("0" for _ in values)))
    sets = ", ".join(f"{v} = {table}.{v} + s.{v}" for v in values)
    on = " AND ".join(f"{table}.{k} = s.{k}" for k in keys)
    return f"""INSERT INTO {table} ({cols}) SELECT {zeros} FROM ({source}) s
            WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {match});
        UPDATE {table} SET {sets} FROM ({source}) s WHERE {on};"""


DAILY_KEYS = ("day", "brand", "platform", "language", "sentiment", "intent")
DAILY_VALUES = ("n", "complaints", "detractors", "promoters")


def _count(c: str, sign: int) -> str:
    """Add (``sign`` 1) or take away (-1) classification row ``c`` (``NEW`` or ``OLD``) from both tables."""
    language = _LANGUAGE.format(c=c)
    source = "mentions m"
    daily = f"""SELECT substr(m.created_at, 1, 10) AS day, m.brand AS brand, m.platform AS platform,
            {language} AS language, {c}.sentiment AS sentiment, {c}.intent AS intent, {sign} AS n,
            {sign} * ({c}.complaint >= {COMPLAINT_AT}) AS complaints,
            {sign} * ({c}.detractor >= {DETRACTOR_AT}) AS detractors,
            {sign} * ({c}.sentiment = 'positive' AND {c}.detractor < {PROMOTER_BELOW}) AS promoters
        FROM {source} WHERE m.key = {c}.mention_key"""
    hourly = f"""SELECT substr(m.created_at, 1, 13) AS hour, m.brand AS brand, m.platform AS platform, {sign} AS n
        FROM {source} WHERE m.key = {c}.mention_key"""
    return (_add("trend_daily", DAILY_KEYS, DAILY_VALUES, daily) + "\n"
            + _add("trend_hourly", ("hour", "brand", "platform"), ("n",), hourly))


def _topic(row: str, sign: int) -> str:
    source = f"""SELECT substr(m.created_at, 1, 10) AS day, m.brand AS brand, {row}.topic_id AS topic_id, {sign} AS n
        FROM mentions m WHERE m.key = {row}.mention_key"""
    return _add("topic_daily", ("day", "brand", "topic_id"), ("n",), source)


def schema_statements() -> list[str]:
    """Tables, triggers and the backfill of migration m110, one statement each."""
    return [
        """CREATE TABLE trend_daily (
            day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL, language TEXT NOT NULL,
            sentiment TEXT NOT NULL, intent TEXT NOT NULL, n INTEGER NOT NULL, complaints INTEGER NOT NULL,
            detractors INTEGER NOT NULL, promoters INTEGER NOT NULL,
            PRIMARY KEY (day, brand, platform, language, sentiment, intent)) WITHOUT ROWID""",
        """CREATE TABLE trend_hourly (
            hour TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (hour, brand, platform)) WITHOUT ROWID""",
        """CREATE TABLE topics (
            id INTEGER PRIMARY KEY, centroid BLOB NOT NULL, size INTEGER NOT NULL DEFAULT 0,
            words TEXT NOT NULL DEFAULT '[]', label TEXT NOT NULL DEFAULT '', merged_into INTEGER,
            encoder TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        """CREATE TABLE mention_topics (
            mention_key TEXT PRIMARY KEY, topic_id INTEGER NOT NULL,
            similarity REAL NOT NULL, assigned_at TEXT NOT NULL)""",
        "CREATE INDEX mention_topics_topic ON mention_topics(topic_id)",
        """CREATE TABLE topic_daily (
            day TEXT NOT NULL, brand TEXT NOT NULL, topic_id INTEGER NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (day, brand, topic_id)) WITHOUT ROWID""",
        "CREATE TABLE topic_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE spike_alerts (
            id INTEGER PRIMARY KEY, brand TEXT NOT NULL, hour TEXT NOT NULL, count INTEGER NOT NULL,
            mean REAL NOT NULL, threshold REAL NOT NULL, at TEXT NOT NULL, UNIQUE (brand, hour))""",
        f"CREATE TRIGGER trend_classification_added AFTER INSERT ON classifications BEGIN {_count('NEW', 1)} END",
        f"""CREATE TRIGGER trend_classification_removed AFTER DELETE ON classifications BEGIN {_count('OLD', -1)}
            DELETE FROM mention_topics WHERE mention_key = OLD.mention_key; END""",
        f"""CREATE TRIGGER trend_classification_changed AFTER UPDATE OF sentiment, complaint, detractor, intent,
            language ON classifications BEGIN {_count('OLD', -1)} {_count('NEW', 1)} END""",
        f"CREATE TRIGGER topic_assigned AFTER INSERT ON mention_topics BEGIN {_topic('NEW', 1)} END",
        f"CREATE TRIGGER topic_unassigned AFTER DELETE ON mention_topics BEGIN {_topic('OLD', -1)} END",
        f"""CREATE TRIGGER topic_moved AFTER UPDATE OF topic_id ON mention_topics
            BEGIN {_topic('OLD', -1)} {_topic('NEW', 1)} END""",
        # the backfill: every classification already stored, counted once
        f"""INSERT INTO trend_daily (day, brand, platform, language, sentiment, intent, n, complaints, detractors,
                                     promoters)
            SELECT substr(m.created_at, 1, 10), m.brand, m.platform, {_LANGUAGE.format(c='c')}, c.sentiment,
                   c.intent, count(*), sum(c.complaint >= {COMPLAINT_AT}), sum(c.detractor >= {DETRACTOR_AT}),
                   sum(c.sentiment = 'positive' AND c.detractor < {PROMOTER_BELOW})
            FROM classifications c JOIN mentions m ON m.key = c.mention_key GROUP BY 1, 2, 3, 4, 5, 6""",
        """INSERT INTO trend_hourly (hour, brand, platform, n)
            SELECT substr(m.created_at, 1, 13), m.brand, m.platform, count(*)
            FROM classifications c JOIN mentions m ON m.key = c.mention_key GROUP BY 1, 2, 3""",
    ]
