"""The schema behind marketing's trends: daily and hourly counts of classified mentions, topics, spike alerts.

Why aggregates kept by triggers: the trends page sums 90 days of mentions on every view, and a
``GROUP BY`` over a million joined rows takes seconds. A classification is written once per mention
(and rewritten when a mention is classified again), so triggers on ``classifications`` keep small
tables current inside the same transaction; the page then sums a few thousand rows
(``benchmarks/trends.py``). Triggers sit on ``classifications``, not ``mentions``, so ingest pays
nothing and the charts count exactly what they always counted: classified mentions.

Tables (migration ``m110_trends``):

* ``trend_daily``: per UTC day, brand, platform and sentiment: mentions, complaints (complaint >= 0.5),
  detractors and promoters (the estimated-NPS rule of the trends page).
* ``trend_languages``: per UTC day, brand, platform and language (``und`` when not known): mentions,
  complaints, negative ones. ``trend_intents``: per UTC day, brand, platform and intent: mentions.
* ``trend_names``: per UTC day, brand, platform and tracked name (``tracked_names``: the competitors
  named in brands' settings, added by :func:`track_names`): posts whose text contains the name.
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

from collections.abc import Iterable

from sqlite_utils import Database

#: The estimated-NPS rule: a detractor at >= 0.5 detractor likelihood, a promoter when positive below 0.3.
DETRACTOR_AT, PROMOTER_BELOW = 0.5, 0.3
COMPLAINT_AT = 0.5

#: A mention's language as the trends count it (``{c}``: its classification's alias, ``m``: the mention):
#: the classifier's detection where it made one, else the listener's, else ``und``.
LANGUAGE_OF = ("CASE WHEN {c}.language IS NOT NULL AND {c}.language <> 'und' THEN {c}.language "
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


#: Each count table: its keys and values as SQL over ``m`` (the mention) and ``{c}`` (the classification).
#: Three narrow daily tables instead of one wide one: the page sums at most a few thousand rows per
#: chart, where one table keyed by everything held a row per combination (150,000 at 90 days).
TABLES: dict[str, tuple[dict[str, str], dict[str, str]]] = {
    "trend_daily": (
        {"day": "substr(m.created_at, 1, 10)", "brand": "m.brand", "platform": "m.platform",
         "sentiment": "{c}.sentiment"},
        {"n": "1", "complaints": f"({{c}}.complaint >= {COMPLAINT_AT})",
         "detractors": f"({{c}}.detractor >= {DETRACTOR_AT})",
         "promoters": f"({{c}}.sentiment = 'positive' AND {{c}}.detractor < {PROMOTER_BELOW})"}),
    "trend_languages": (
        {"day": "substr(m.created_at, 1, 10)", "brand": "m.brand", "platform": "m.platform", "language": LANGUAGE_OF},
        {"n": "1", "complaints": f"({{c}}.complaint >= {COMPLAINT_AT})", "negative": "({c}.sentiment = 'negative')"}),
    "trend_intents": (
        {"day": "substr(m.created_at, 1, 10)", "brand": "m.brand", "platform": "m.platform", "intent": "{c}.intent"},
        {"n": "1"}),
    "trend_hourly": (
        {"hour": "substr(m.created_at, 1, 13)", "brand": "m.brand", "platform": "m.platform"},
        {"n": "1"}),
}


def _named(c: str, sign: int) -> str:
    """Count (or uncount) the post once under each tracked name its text contains."""
    source = f"""SELECT substr(m.created_at, 1, 10) AS day, m.brand AS brand, m.platform AS platform,
            tn.name AS name, {sign} AS n
        FROM mentions m JOIN tracked_names tn ON lower(m.text) LIKE tn.pattern ESCAPE '\\'
        WHERE m.key = {c}.mention_key"""
    return _add("trend_names", ("day", "brand", "platform", "name"), ("n",), source)


def like_pattern(name: str) -> str:
    """``name`` anywhere, any case, as a LIKE pattern with ``\\`` as the escape."""
    return "%" + name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def track_names(db: Database, names: Iterable[str]) -> int:
    """Start counting posts that name each of ``names`` (competitors in a brand's ``competitors`` list):
    a name new to ``tracked_names`` is counted over the stored posts once, here, and by the triggers
    from then on. Returns the names added. Runs in the caller's write transaction."""
    known = {r[0] for r in db.conn.execute("SELECT name FROM tracked_names")}
    added = 0
    for name in dict.fromkeys(n for n in names if n.strip() and n not in known):
        db.conn.execute("INSERT INTO tracked_names (name, pattern) VALUES (?, ?)", (name, like_pattern(name)))
        db.conn.execute("""INSERT INTO trend_names (day, brand, platform, name, n)
            SELECT substr(m.created_at, 1, 10), m.brand, m.platform, ?, count(*)
            FROM classifications c JOIN mentions m ON m.key = c.mention_key
            WHERE lower(m.text) LIKE ? ESCAPE '\\' GROUP BY 1, 2, 3""", (name, like_pattern(name)))
        added += 1
    return added


def _count(c: str, sign: int) -> str:
    """Add (``sign`` 1) or take away (-1) classification row ``c`` (``NEW`` or ``OLD``) from every table."""
    out = [_named(c, sign)]
    for table, (keys, values) in TABLES.items():
        cols = [f"{sql.format(c=c)} AS {name}" for name, sql in keys.items()]
        cols += [f"{sign} * {sql.format(c=c)} AS {name}" for name, sql in values.items()]
        source = f"SELECT {', '.join(cols)} FROM mentions m WHERE m.key = {c}.mention_key"
        out.append(_add(table, tuple(keys), tuple(values), source))
    return "\n".join(out)


def _create(table: str) -> str:
    keys, values = TABLES[table]
    columns = [f"{k} TEXT NOT NULL" for k in keys] + [f"{v} INTEGER NOT NULL" for v in values]
    return f"CREATE TABLE {table} ({', '.join(columns)}, PRIMARY KEY ({', '.join(keys)})) WITHOUT ROWID"


def _backfill(table: str) -> str:
    keys, values = TABLES[table]
    cols = [sql.format(c="c") for sql in keys.values()] + [f"sum({sql.format(c='c')})" for sql in values.values()]
    group = ", ".join(str(i) for i in range(1, len(keys) + 1))
    return f"""INSERT INTO {table} ({', '.join((*keys, *values))}) SELECT {', '.join(cols)}
        FROM classifications c JOIN mentions m ON m.key = c.mention_key GROUP BY {group}"""


def _topic(row: str, sign: int) -> str:
    source = f"""SELECT substr(m.created_at, 1, 10) AS day, m.brand AS brand, {row}.topic_id AS topic_id, {sign} AS n
        FROM mentions m WHERE m.key = {row}.mention_key"""
    return _add("topic_daily", ("day", "brand", "topic_id"), ("n",), source)


def schema_statements() -> list[str]:
    """Tables, triggers and the backfill of migration m110, one statement each."""
    return [
        *[_create(table) for table in TABLES],
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
        "CREATE TABLE tracked_names (name TEXT PRIMARY KEY, pattern TEXT NOT NULL)",
        """CREATE TABLE trend_names (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL,
            name TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, brand, platform, name)) WITHOUT ROWID""",
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
        *[_backfill(table) for table in TABLES],  # every classification already stored, counted once
    ]
