"""The schema behind marketing's trends: daily and hourly counts of classified mentions, topics, spike alerts.

Why aggregates kept by triggers: the trends page sums 90 days of mentions on every view, and a
``GROUP BY`` over a million joined rows takes seconds. A classification is written once per mention
(and rewritten when a mention is classified again), so triggers on ``classifications`` keep small
tables current inside the same transaction; the page then sums a few thousand rows
(``benchmarks/trends.py``). Triggers sit on ``classifications``, not ``mentions``, so ingest pays
nothing and the charts count exactly what they always counted: classified mentions.

Tables (migration ``m110_trends``):

* ``trend_daily``: per UTC day, brand, platform and sentiment: mentions, complaints (complaint >= 0.5),
  posts read as detractors and as promoters (the estimated-NPS rule, applied per post; the page's
  estimated NPS counts people instead, below).
* ``trend_languages``: per UTC day, brand, platform and language (``und`` when not known): mentions,
  complaints, negative ones and positive ones (m133: sentiment by language). ``trend_intents``: per UTC
  day, brand, platform, intent and language (m136): mentions.
* ``trend_names``: per UTC day, brand, platform, tracked name and language (``tracked_names``: the competitors
  named in brands' settings, added by :func:`track_names`): posts whose text contains the name.
* ``trend_hourly``: per UTC hour (``YYYY-MM-DDTHH``), brand and platform: mentions (spikes).
* ``topics``: complaint topics (``classifiers.topics`` maintains them): centroid, top words, size.
* ``mention_topics``: the topic of each complaint mention, written once when it is assigned; removed
  with the mention's classification (retention, erasure), which every deletion of a mention precedes.
* ``topic_daily``: per UTC day, brand, topic and language (m136): mentions, kept by triggers on ``mention_topics``.
* ``topic_state``: the topic job's cursor (the last ``classifications.rowid`` it read).
* ``spike_alerts``: each spike found by the hourly job, unique per (brand, hour), so a restart or a
  second process never alerts twice; its webhook rows are written in the same transaction.

Estimated NPS counts people (migration ``m131``, :func:`people_statements`): ``trend_people`` holds each
person's (author, platform, brand) latest classified post of each UTC day, ``trend_latest`` their latest
of all, each as detractor or promoter and in that post's language; ``trend_people_daily`` counts them per day and
language, the second on the day of that latest post, so any window ending today sums each person once. Both are
recounted from the posts by triggers on ``classifications`` whenever one of the person's posts is (re)classified,
corrected or deleted.

The language keys (m136, ``LANGUAGE_KEYED``) are there for marketing's language filter: one market's figures are
then a sum over these few rows, as the unfiltered page's are, not a read of every post in that language.

``INSERT OR REPLACE`` into ``classifications`` (the worker's write) deletes the old row and fires the
delete trigger, because every Careline connection is a sqlite-utils ``Database``, which turns on
``PRAGMA recursive_triggers``: the old row's counts go, the new row's come. The delete also drops the
mention's topic, so a reclassified complaint is assigned afresh (and a post that is no longer a
complaint leaves its topic).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from careline.domain import to_iso
from careline.languages import UNDETERMINED
from careline.store.records import like_anywhere

#: The estimated-NPS rule: a detractor at >= 0.5 detractor likelihood, a promoter when positive below 0.3.
DETRACTOR_AT, PROMOTER_BELOW = 0.5, 0.3
COMPLAINT_AT = 0.5
#: ``topic_state``'s key that asks the topic job to name the topics again at its next run, whatever is pending: an
#: erasure took posts out of topics whose names were made of their words.
RENAME_DUE = "rename_due"


def set_topic_state(db: Database, key: str, value: str) -> None:
    """One of the topic job's own values (its cursor, its encoders' means, :data:`RENAME_DUE`)."""
    db.conn.execute("INSERT INTO topic_state (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def ask_topic_rename(db: Database, now: datetime) -> None:
    set_topic_state(db, RENAME_DUE, to_iso(now) or "")


def topic_rename_due(db: Database) -> bool:
    return db.conn.execute("SELECT 1 FROM topic_state WHERE key = ?", (RENAME_DUE,)).fetchone() is not None

# -- the workspace's days --------------------------------------------------------------------------------------
#: ``trend_zone``: each instant from which the workspace's time zone (``service.timezone``) is some number of
#: minutes off UTC (its first row's ``since`` is ``''``: before everything). Why a table and not a SQL function:
#: the counts are kept by triggers, which must work on every connection, the sqlite shell's and a backup's too.
ZONE_TABLE = """CREATE TABLE IF NOT EXISTS trend_zone (since TEXT PRIMARY KEY, minutes INTEGER NOT NULL,
    zone TEXT NOT NULL) WITHOUT ROWID"""
#: The years whose offset changes ``trend_zone`` lists; an instant after them keeps the last offset.
ZONE_YEARS = (1970, 2100)


def local_day(column: str) -> str:
    """SQL for the workspace's date (``YYYY-MM-DD``) of the stored UTC time in ``column``: the day a team in
    ``service.timezone`` calls it, which is what its trends, reports and exports count by."""
    return (f"date({column}, coalesce((SELECT z.minutes FROM trend_zone z WHERE z.since <= {column} "
            f"ORDER BY z.since DESC LIMIT 1), 0) || ' minutes')")


def zone_shifts(zone: str) -> list[tuple[str, int]]:
    """Each instant (``to_iso``) the zone's offset from UTC changes within ``ZONE_YEARS``, and the offset from
    then in minutes; the first row (``''``) holds the offset in force at the start. Found day by day, then to
    the second by halving, so a zone whose clocks move at any minute is followed exactly."""
    tz = ZoneInfo(zone)

    def offset(second: int) -> int:
        delta = datetime.fromtimestamp(second, tz).utcoffset() or timedelta(0)
        return int(delta.total_seconds() // 60)

    day = 86_400
    at = int(datetime(ZONE_YEARS[0], 1, 1, tzinfo=UTC).timestamp())
    end = int(datetime(ZONE_YEARS[1], 1, 1, tzinfo=UTC).timestamp())
    out, current = [("", offset(at))], offset(at)
    while at < end:
        if offset(at + day) != current:
            lo, hi = at, at + day  # offset(lo) == current != offset(hi): halve to the first second of the new one
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == current else (lo, mid)
            current = offset(hi)
            out.append((str(to_iso(datetime.fromtimestamp(hi, UTC))), current))
        at += day
    return out


def day_zone(db: Database) -> ZoneInfo:
    """The zone the stored daily counts are keyed in (``keep_days_in``), which every reader of them must use."""
    row = db.conn.execute("SELECT zone FROM trend_zone LIMIT 1").fetchone()
    return ZoneInfo(row[0] if row else "UTC")

def language_of(c: str, m: str) -> str:
    """SQL: the language of mention ``m`` as the trends count it, with ``c`` its classification: the classifier's
    detection where it made one, else the listener's, else ``und`` (``UNDETERMINED``)."""
    und = UNDETERMINED
    return (f"CASE WHEN {c}.language IS NOT NULL AND {c}.language <> '{und}' THEN {c}.language "
            f"ELSE coalesce({m}.language, {c}.language, '{und}') END")


#: ``language_of`` with the mention as ``m`` and the classification's alias left to fill in (``{c}``).
LANGUAGE_OF = language_of("{c}", "m")


def language_is(language: str | None, mention: str = "m") -> str:
    """SQL: ``mention`` is a post in ``:language`` (``und``: not known), the language ``LANGUAGE_OF`` counts it in
    (the worker writes the detected language onto the mention in the same transaction), in a form the
    (language, created_at) index answers; always true with no language chosen."""
    if language is None:
        return "1"
    if language == UNDETERMINED:
        return f"({mention}.language IS NULL OR {mention}.language = '{UNDETERMINED}')"
    return f"{mention}.language = :language"


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
        {"day": local_day("m.created_at"), "brand": "m.brand", "platform": "m.platform",
         "sentiment": "{c}.sentiment"},
        {"n": "1", "complaints": f"({{c}}.complaint >= {COMPLAINT_AT})",
         "detractors": f"({{c}}.detractor >= {DETRACTOR_AT})",
         "promoters": f"({{c}}.sentiment = 'positive' AND {{c}}.detractor < {PROMOTER_BELOW})"}),
    "trend_languages": (
        {"day": local_day("m.created_at"), "brand": "m.brand", "platform": "m.platform", "language": LANGUAGE_OF},
        {"n": "1", "complaints": f"({{c}}.complaint >= {COMPLAINT_AT})", "negative": "({c}.sentiment = 'negative')",
         "positive": "({c}.sentiment = 'positive')"}),
    "trend_intents": (  # by language too (m136), so a market's intents are a sum, not a count of its posts
        {"day": local_day("m.created_at"), "brand": "m.brand", "platform": "m.platform", "intent": "{c}.intent",
         "language": LANGUAGE_OF},
        {"n": "1"}),
    "trend_hourly": (
        {"hour": "substr(m.created_at, 1, 13)", "brand": "m.brand", "platform": "m.platform"},
        {"n": "1"}),
}


def _named(c: str, sign: int) -> str:
    """Count (or uncount) the post once under each tracked name its text contains."""
    source = f"""SELECT {local_day("m.created_at")} AS day, m.brand AS brand, m.platform AS platform,
            tn.name AS name, {LANGUAGE_OF.format(c=c)} AS language, {sign} AS n
        FROM mentions m JOIN tracked_names tn ON {names_match("m.text", "tn.pattern")}
        WHERE m.key = {c}.mention_key"""
    return _add("trend_names", ("day", "brand", "platform", "name", "language"), ("n",), source)


def name_pattern(text: str) -> str:
    """The pattern :func:`names_match` finds ``text`` by, anywhere in a post: LIKE's for a name in ASCII (SQLite's
    LIKE folds ASCII case, four times faster than GLOB's classes), :func:`any_case_pattern` for any other."""
    if text.isascii():
        return like_anywhere(text.lower())
    return any_case_pattern(text)


def names_match(text: str, pattern: str) -> str:
    """SQL: whether ``text`` holds the name :func:`name_pattern` made ``pattern`` of (a GLOB one starts with ``*``,
    a LIKE one with ``%``)."""
    return (f"(CASE WHEN substr({pattern}, 1, 1) = '*' THEN {text} GLOB {pattern} "
            f"ELSE lower({text}) LIKE {pattern} ESCAPE '\\' END)")


def any_case_pattern(text: str) -> str:
    """``text`` anywhere, in any case of any script, with or without its accents, as a GLOB pattern: each cased
    letter a class of its cases and its bare letter's ("Öresund" -> ``*[OÖoö][Rr][Ee]...*``). SQLite's ``lower()``
    and ``LIKE`` fold ASCII letters only, so "öresund air" never counted for the competitor "Öresund Air", nor
    "AEROMÉXICO" for "Aeroméxico", nor a Greek name in capitals, which drop their accents; people also type a name
    without its accents ("Aeromexico"). A SQL function of our own would fail every trigger on a connection without
    it (the sqlite3 shell, a backup tool), and GLOB's classes need none."""
    out = []
    for ch in text:
        bare = unicodedata.normalize("NFD", ch)[0]
        forms = (ch, ch.lower(), ch.upper(), ch.upper().lower(), bare, bare.lower(), bare.upper())
        cases = sorted({c for c in forms if len(c) == 1})
        if len(cases) > 1:
            out.append("[" + "".join(cases) + "]")
        else:
            out.append(f"[{ch}]" if ch in "*?[" else ch)  # GLOB's own characters, as themselves
    return "*" + "".join(out) + "*"


#: Count the stored posts under each tracked name (``{names}``: which of ``tracked_names`` as ``tn``), by day.
COUNT_NAMES = f"""INSERT INTO trend_names (day, brand, platform, name, language, n)
    SELECT {local_day("m.created_at")}, m.brand, m.platform, tn.name, {LANGUAGE_OF.format(c="c")}, count(*)
    FROM classifications c JOIN mentions m ON m.key = c.mention_key
    JOIN tracked_names tn ON {names_match("m.text", "tn.pattern")} WHERE {{names}} GROUP BY 1, 2, 3, 4, 5"""
#: ``trend_names``: per day, brand, platform, tracked name and language (m136), posts naming it.
TREND_NAMES = """CREATE TABLE trend_names (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL,
            name TEXT NOT NULL, language TEXT NOT NULL, n INTEGER NOT NULL,
            PRIMARY KEY (day, brand, platform, name, language)) WITHOUT ROWID"""


def track_names(db: Database, names: Iterable[str]) -> int:
    """Start counting posts that name each of ``names`` (competitors in a brand's ``competitors`` list):
    a name new to ``tracked_names`` is counted over the stored posts once, here, and by the triggers
    from then on. Returns the names added. Runs in the caller's write transaction."""
    known = {r[0] for r in db.conn.execute("SELECT name FROM tracked_names")}
    added = list(dict.fromkeys(n for n in names if n.strip() and n not in known))
    db.conn.executemany("INSERT INTO tracked_names (name, pattern) VALUES (?, ?)",
                        [(name, name_pattern(name)) for name in added])
    if added:
        db.conn.execute(COUNT_NAMES.format(names="tn.name IN (SELECT value FROM json_each(?))"), (json.dumps(added),))
    return len(added)


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


#: A topic's post's language, from the mention alone: a topic is assigned after the worker wrote the detected
#: language onto the mention, and unassigned (its classification deleted) before a new one is written there.
TOPIC_LANGUAGE = "coalesce(m.language, 'und')"


def _topic(row: str, sign: int) -> str:
    source = f"""SELECT {local_day("m.created_at")} AS day, m.brand AS brand, {row}.topic_id AS topic_id,
            {TOPIC_LANGUAGE} AS language, {sign} AS n
        FROM mentions m WHERE m.key = {row}.mention_key"""
    return _add("topic_daily", ("day", "brand", "topic_id", "language"), ("n",), source)


#: ``topic_daily``: per day, brand, topic and language (m136), its posts.
TOPIC_DAILY = """CREATE TABLE topic_daily (
            day TEXT NOT NULL, brand TEXT NOT NULL, topic_id INTEGER NOT NULL, language TEXT NOT NULL,
            n INTEGER NOT NULL, PRIMARY KEY (day, brand, topic_id, language)) WITHOUT ROWID"""
#: ``topic_daily`` counted afresh from the topics' posts.
TOPIC_RECOUNT = f"""INSERT INTO topic_daily (day, brand, topic_id, language, n)
        SELECT {local_day("m.created_at")}, m.brand, t.topic_id, {TOPIC_LANGUAGE}, count(*)
        FROM mention_topics t JOIN mentions m ON m.key = t.mention_key GROUP BY 1, 2, 3, 4"""


#: The triggers that keep the count tables (``TABLES``, ``trend_names``) in step with ``classifications``.
COUNT_TRIGGERS = ("trend_classification_added", "trend_classification_removed", "trend_classification_changed")


def count_triggers() -> list[str]:
    """``COUNT_TRIGGERS``: every count table follows each classification written, rewritten or deleted."""
    return [
        f"CREATE TRIGGER trend_classification_added AFTER INSERT ON classifications BEGIN {_count('NEW', 1)} END",
        f"""CREATE TRIGGER trend_classification_removed AFTER DELETE ON classifications BEGIN {_count('OLD', -1)}
            DELETE FROM mention_topics WHERE mention_key = OLD.mention_key; END""",
        f"""CREATE TRIGGER trend_classification_changed AFTER UPDATE OF sentiment, complaint, detractor, intent,
            language ON classifications BEGIN {_count('OLD', -1)} {_count('NEW', 1)} END""",
    ]


def recount(table: str) -> list[str]:
    """Count ``table`` afresh from the classifications stored (a migration that adds one of its columns)."""
    return [f"DELETE FROM {table}", _backfill(table)]


def schema_statements() -> list[str]:
    """Tables, triggers and the backfill of migration m110, one statement each."""
    return [
        ZONE_TABLE,
        *[_create(table) for table in TABLES],
        """CREATE TABLE topics (
            id INTEGER PRIMARY KEY, centroid BLOB NOT NULL, size INTEGER NOT NULL DEFAULT 0,
            words TEXT NOT NULL DEFAULT '[]', label TEXT NOT NULL DEFAULT '', merged_into INTEGER,
            encoder TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        """CREATE TABLE mention_topics (
            mention_key TEXT PRIMARY KEY, topic_id INTEGER NOT NULL,
            similarity REAL NOT NULL, assigned_at TEXT NOT NULL)""",
        "CREATE INDEX mention_topics_topic ON mention_topics(topic_id)",
        TOPIC_DAILY,
        "CREATE TABLE topic_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE tracked_names (name TEXT PRIMARY KEY, pattern TEXT NOT NULL)",
        TREND_NAMES,
        """CREATE TABLE spike_alerts (
            id INTEGER PRIMARY KEY, brand TEXT NOT NULL, hour TEXT NOT NULL, count INTEGER NOT NULL,
            mean REAL NOT NULL, threshold REAL NOT NULL, at TEXT NOT NULL, UNIQUE (brand, hour))""",
        *count_triggers(),
        f"CREATE TRIGGER topic_assigned AFTER INSERT ON mention_topics BEGIN {_topic('NEW', 1)} END",
        f"CREATE TRIGGER topic_unassigned AFTER DELETE ON mention_topics BEGIN {_topic('OLD', -1)} END",
        f"""CREATE TRIGGER topic_moved AFTER UPDATE OF topic_id ON mention_topics
            BEGIN {_topic('OLD', -1)} {_topic('NEW', 1)} END""",
        *[_backfill(table) for table in TABLES],  # every classification already stored, counted once
    ]


# -- estimated NPS counts people, not posts (migration m131) ----------------------------------------------------
#: A person's reading as estimated NPS sorts it (the ``trend_daily`` rule, one definition), over ``c``.
PERSON_READING = {"detractor": TABLES["trend_daily"][1]["detractors"].format(c="c"),
                  "promoter": TABLES["trend_daily"][1]["promoters"].format(c="c")}
#: Each state table: the columns that name one person in it (an author on a platform, about one brand;
#: ``author_key`` carries the platform), per UTC day in ``trend_people``, over all time in ``trend_latest``.
PERSON_KEYS = {"trend_people": ("day", "brand", "platform", "author_key"),
               "trend_latest": ("brand", "platform", "author_key")}
#: ``trend_people_daily``'s key: by language too (m136), each person counted in the language of the post that
#: holds their reading, so one market's estimated NPS is a sum over a few rows, not a read of every person.
PEOPLE_DAILY_KEYS = ("day", "brand", "platform", "language")
#: ``trend_people_daily``'s columns each state table counts into: per day, the people who posted that day;
#: and the people whose latest post is that day (``latest_*``): summed over the days of any window that
#: ends today, that counts each person once, by their latest reading in the window.
PEOPLE_COUNTS = {"trend_people": ("people", "detractors", "promoters"),
                 "trend_latest": ("latest_people", "latest_detractors", "latest_promoters")}
_OF_M = {"day": local_day("m.created_at"), "brand": "m.brand", "platform": "m.platform",
         "author_key": "m.author_key"}
_COLUMNS = "day, brand, platform, author_key, at, mention_key, detractor, promoter, language"
_READING = f"{PERSON_READING['detractor']}, {PERSON_READING['promoter']}, {language_of('c', 'm')}"


def _person_of(table: str, mention: str) -> str:
    """The condition on ``table``'s rows for the person who wrote ``mention`` (a primary-key lookup)."""
    keys = PERSON_KEYS[table]
    of_m = ", ".join(_OF_M[k] for k in keys)
    return f"({', '.join(keys)}) IN (SELECT {of_m} FROM mentions m WHERE m.key = {mention})"


def _take(table: str, mention: str) -> str:
    """``mention``'s reading becomes its author's in ``table`` unless a later post of theirs holds it
    (a post newly classified or corrected): two key lookups, however many posts the author wrote."""
    return f"""DELETE FROM {table} WHERE {_person_of(table, mention)}
            AND (at, mention_key) <= (SELECT m.created_at, m.key FROM mentions m WHERE m.key = {mention});
        INSERT INTO {table} ({_COLUMNS})
            SELECT {_OF_M['day']}, m.brand, m.platform, m.author_key, m.created_at, m.key, {_READING}
            FROM mentions m JOIN classifications c ON c.mention_key = m.key WHERE m.key = {mention}
              AND NOT EXISTS (SELECT 1 FROM {table} WHERE {_person_of(table, mention)});"""


def _rescan(table: str, mention: str) -> str:
    """The author's latest classified post (of the UTC day for ``trend_people``) holds their reading again,
    once ``mention``, which held it, lost its classification: the newest time is walked down the author's
    index (author, time), then the greatest key on a tie."""
    person = ("mentions p JOIN classifications c ON c.mention_key = p.key WHERE p.author_key = m.author_key "
              "AND +p.brand = m.brand AND +p.platform = m.platform AND m.key = " + mention)
    day = f"AND {local_day('p.created_at')} = {_OF_M['day']}"
    newest = (f"SELECT p.created_at FROM mentions m, {person} {day if 'day' in PERSON_KEYS[table] else ''} "
              "ORDER BY p.created_at DESC LIMIT 1")
    return f"""DELETE FROM {table} WHERE {_person_of(table, mention)};
        INSERT INTO {table} ({_COLUMNS})
            SELECT {local_day('p.created_at')}, p.brand, p.platform, p.author_key, p.created_at, p.key,
                   {PERSON_READING['detractor']}, {PERSON_READING['promoter']}, {language_of('c', 'p')}
            FROM mentions m, {person} AND p.created_at = ({newest}) ORDER BY p.key DESC LIMIT 1;"""


def _count_person(table: str, row: str, sign: int) -> str:
    people, detractors, promoters = PEOPLE_COUNTS[table]
    source = (f"SELECT {row}.day AS day, {row}.brand AS brand, {row}.platform AS platform, "
              f"{row}.language AS language, {sign} AS {people}, "
              f"{sign} * {row}.detractor AS {detractors}, {sign} * {row}.promoter AS {promoters}")
    return _add("trend_people_daily", PEOPLE_DAILY_KEYS, PEOPLE_COUNTS[table], source)


def _person_count_triggers(table: str) -> list[str]:
    """``trend_people_daily`` follows each row of ``table`` added or removed."""
    return [
        f"CREATE TRIGGER {table}_added AFTER INSERT ON {table} BEGIN {_count_person(table, 'NEW', 1)} END",
        f"CREATE TRIGGER {table}_removed AFTER DELETE ON {table} BEGIN {_count_person(table, 'OLD', -1)} END"]


def _person_triggers(table: str) -> list[str]:
    """Keep ``table`` and its counts current: a classified or corrected post is taken when it is its author's
    latest; a deleted classification that held its author's reading hands it to their next latest post."""
    held = f"(SELECT mention_key FROM {table} WHERE {_person_of(table, 'OLD.mention_key')}) = OLD.mention_key"
    return [
        *_person_count_triggers(table),
        f"""CREATE TRIGGER {table}_post_classified AFTER INSERT ON classifications
            BEGIN {_take(table, 'NEW.mention_key')} END""",
        f"""CREATE TRIGGER {table}_post_corrected AFTER UPDATE OF sentiment, detractor ON classifications
            BEGIN {_take(table, 'NEW.mention_key')} END""",
        f"""CREATE TRIGGER {table}_post_removed AFTER DELETE ON classifications WHEN {held}
            BEGIN {_rescan(table, 'OLD.mention_key')} END""",
    ]


def _people_fill(table: str) -> list[str]:
    """Fill state table ``table`` from the stored posts (each person's latest classified post) and add its
    people into ``trend_people_daily``: for a table whose triggers are not there (yet)."""
    keys = PERSON_KEYS[table]
    people, detractors, promoters = PEOPLE_COUNTS[table]
    by = ", ".join(_OF_M[k] for k in keys)
    return [
        f"""INSERT INTO {table} ({_COLUMNS}) SELECT {_COLUMNS} FROM (
            SELECT {_OF_M['day']} AS day, m.brand, m.platform, m.author_key, m.created_at AS at,
                   m.key AS mention_key, {PERSON_READING['detractor']} AS detractor,
                   {PERSON_READING['promoter']} AS promoter, {language_of('c', 'm')} AS language,
                   row_number() OVER (PARTITION BY {by} ORDER BY m.created_at DESC, m.key DESC) AS k
            FROM classifications c JOIN mentions m ON m.key = c.mention_key) WHERE k = 1""",
        f"""INSERT INTO trend_people_daily (day, brand, platform, language, {people}, {detractors}, {promoters})
            SELECT day, brand, platform, language, count(*), sum(detractor), sum(promoter) FROM {table} WHERE true
            GROUP BY 1, 2, 3, 4 ON CONFLICT (day, brand, platform, language) DO UPDATE SET {people} = excluded.{people},
            {detractors} = excluded.{detractors}, {promoters} = excluded.{promoters}"""]


def people_statements() -> list[str]:
    """Migration m131: who posted, per day and overall, with their latest post and its reading; the daily
    counts of those; filled from the stored posts, then kept by triggers on ``classifications``."""
    counts = ", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for cols in PEOPLE_COUNTS.values() for c in cols)
    out = [ZONE_TABLE, f"""CREATE TABLE trend_people_daily (day TEXT NOT NULL, brand TEXT NOT NULL,
            platform TEXT NOT NULL, language TEXT NOT NULL, {counts},
            PRIMARY KEY ({', '.join(PEOPLE_DAILY_KEYS)})) WITHOUT ROWID"""]
    for table, keys in PERSON_KEYS.items():
        out += [
            f"""CREATE TABLE {table} (day TEXT NOT NULL, brand TEXT NOT NULL, platform TEXT NOT NULL,
                author_key TEXT NOT NULL, at TEXT NOT NULL, mention_key TEXT NOT NULL, detractor INTEGER NOT NULL,
                promoter INTEGER NOT NULL, language TEXT NOT NULL, PRIMARY KEY ({', '.join(keys)})) WITHOUT ROWID""",
            *_people_fill(table),
            *_person_triggers(table),
        ]
    return out


# -- keyed by the workspace's days (migration m135) --------------------------------------------------------------
def day_triggers() -> list[str]:
    """Every trigger that keys a count by day, dropped and made again (migration m135: from UTC days to the
    workspace's)."""
    made = [*count_triggers(), *[s for s in schema_statements() if s.startswith("CREATE TRIGGER topic_")],
            *(s for table in PERSON_KEYS for s in _person_triggers(table))]
    return [*(f"DROP TRIGGER IF EXISTS {_trigger_name(s)}" for s in made), *made]


def _trigger_name(statement: str) -> str:
    """The name a ``CREATE TRIGGER`` statement makes."""
    return statement.split(None, 3)[2]


def _recount_days() -> list[str]:
    """Every day-keyed count afresh from the stored posts, in the days ``trend_zone`` defines now. The people
    tables are refilled with their count triggers off (made again after), so the refill is one pass each."""
    out = [s for table in TABLES if "day" in TABLES[table][0] for s in recount(table)]
    out += ["DELETE FROM trend_names", COUNT_NAMES.format(names="true")]
    out += ["DELETE FROM topic_daily", TOPIC_RECOUNT]
    for table in PERSON_KEYS:
        out += [f"DROP TRIGGER IF EXISTS {_trigger_name(s)}" for s in _person_count_triggers(table)]
        out.append(f"DELETE FROM {table}")
    out.append("DELETE FROM trend_people_daily")
    for table in PERSON_KEYS:
        out += [*_people_fill(table), *_person_count_triggers(table)]
    return out


def keep_days_in(db: Database, zone: str) -> bool:
    """Key the daily counts by ``zone``'s days (``service.timezone``): when the zone (or its rules, with a new
    tzdata) differs from the one they are kept in, ``trend_zone`` is rewritten and every day-keyed count is
    counted afresh from the posts. Returns whether it recounted. Runs in the caller's write transaction, at
    start-up: the zone is read from the settings file, which changes only with a restart."""
    shifts = zone_shifts(zone)
    stored = db.conn.execute("SELECT since, minutes, zone FROM trend_zone ORDER BY since").fetchall()
    if [(since, minutes, zone) for since, minutes in shifts] == [tuple(r) for r in stored]:
        return False
    db.conn.execute("DELETE FROM trend_zone")
    db.conn.executemany("INSERT INTO trend_zone (since, minutes, zone) VALUES (?, ?, ?)",
                        [(since, minutes, zone) for since, minutes in shifts])
    if not stored and shifts == [("", 0)]:
        return False  # counted in UTC days (no zone stored yet, as before m135), and UTC is the zone asked for
    for statement in _recount_days():
        db.conn.execute(statement)
    return True


def any_case_statements(db: Database) -> list[str]:
    """Migration m137: every tracked name's pattern as :func:`name_pattern` makes it, the count triggers made again
    to match by :func:`names_match`, and ``trend_names`` counted afresh (names in other scripts and cases were
    missed)."""
    names = [r[0] for r in db.conn.execute("SELECT name FROM tracked_names")]
    db.conn.executemany("UPDATE tracked_names SET pattern = ? WHERE name = ?", [(name_pattern(n), n) for n in names])
    return [*day_triggers(), "DELETE FROM trend_names", COUNT_NAMES.format(names="true")]


# -- intents, topics and people by language (migration m136) -------------------------------------------------------
#: The count tables m136 gives a language key: a filter on one language then sums their rows, where reading every
#: post of that language took seconds at a million mentions (``benchmarks/trends.py``).
LANGUAGE_KEYED = ("trend_intents", "topic_daily", "trend_names", "trend_people", "trend_latest", "trend_people_daily")


def language_key_statements(missing: set[str]) -> list[str]:
    """Migration m136: each table of ``LANGUAGE_KEYED`` in ``missing`` (it has no ``language`` column) made again
    with one and counted afresh from the posts, between every day trigger dropped and made again."""
    triggers = day_triggers()
    out = [s for s in triggers if s.startswith("DROP TRIGGER")]
    if "trend_intents" in missing:
        out += ["DROP TABLE trend_intents", _create("trend_intents"), _backfill("trend_intents")]
    if "topic_daily" in missing:
        out += ["DROP TABLE topic_daily", TOPIC_DAILY, TOPIC_RECOUNT]
    if "trend_names" in missing:
        out += ["DROP TABLE trend_names", TREND_NAMES, COUNT_NAMES.format(names="true")]
    if missing & {"trend_people", "trend_latest", "trend_people_daily"}:
        out += ["DROP TABLE IF EXISTS trend_people", "DROP TABLE IF EXISTS trend_latest",
                "DROP TABLE IF EXISTS trend_people_daily", *people_statements()]
    return [*out, *triggers]
