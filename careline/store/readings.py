"""People's corrections of the model's reading of a mention: complaint or not, its sentiment, its intent.

Why: the model misreads some posts (sarcasm it takes for praise, praise it takes for sarcasm, a
language it does not read; model card, "Known failure modes"), and a misread complaint sits low in the
queue and counts wrong in marketing's trends. Sprout's "reclassify sentiment" and Emplifi's label
override let a person fix that; here an agent or a lead does it from the conversation page or the API.

The correction is written into the mention's ``classifications`` row itself (the model's own reading
kept beside it in ``reading_corrections``), so every reader (the queue, priority, the trends' counts
kept by triggers, the author's history, the API) sees the corrected reading with no change of its own.
The row is rewritten with ``INSERT OR REPLACE``, as the worker writes it, so the trend triggers move
the counts and a post that stopped or started being a complaint leaves or gets its topic.
:func:`reapply` puts a correction back over a fresh model reading of the same mention, so a
reclassification never silently undoes a person's judgement. Corrections go with their mention:
the table cascades on ``mentions`` (retention, erasure).

The corrections are also labelled data from real traffic, in every language the brand hears:
:func:`labelled` feeds ``careline readings export``, whose CSV ``careline evaluate`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from careline.domain import from_iso, to_iso
from careline.errors import Invalid, NotFound
from careline.store.trending import LANGUAGE_OF, day_zone

SENTIMENTS = ("negative", "neutral", "positive")
#: The scores a corrected reading stores: sure of what the person said, so the queue's meters agree.
SURE, NOT = 1.0, 0.0
#: A complaint's severity the model had not given one (its level 0): unknown, so no severity points.
COMPLAINT_SEVERITY_UNKNOWN = None

SCHEMA = """
CREATE TABLE reading_corrections (
    mention_key TEXT PRIMARY KEY REFERENCES mentions(key) ON DELETE CASCADE,
    complaint INTEGER,
    sentiment TEXT,
    model_version TEXT NOT NULL,
    model_complaint REAL NOT NULL,
    model_sentiment TEXT NOT NULL,
    model_sentiment_scores TEXT NOT NULL,
    model_severity INTEGER,
    model_reasons TEXT NOT NULL,
    corrected_by TEXT NOT NULL,
    corrected_at TEXT NOT NULL
);
CREATE INDEX reading_corrections_at ON reading_corrections(corrected_at);
"""


#: The model's reading a correction keeps: its ``reading_corrections`` column -> the ``classifications`` column.
MODEL_COLUMNS = {"model_version": "model_version", "model_complaint": "complaint", "model_sentiment": "sentiment",
                 "model_sentiment_scores": "sentiment_scores", "model_severity": "severity", "model_reasons": "reasons",
                 "model_intent": "intent", "model_intent_scores": "intent_scores"}
#: Added by migration m121: the person's intent and the model's.
INTENT_COLUMNS = ("intent", "model_intent", "model_intent_scores")
_CORRECTIONS = ("SELECT mention_key, complaint, sentiment, model_version, model_complaint, model_sentiment, "
                "corrected_by, corrected_at, intent, model_intent FROM reading_corrections")


def _model_of(row: dict[str, Any]) -> dict[str, Any]:
    """The model's reading in a classification row, as ``reading_corrections`` keeps it."""
    return {kept: row.get(column) for kept, column in MODEL_COLUMNS.items()}


def _as_model_read(row: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    """The classification row with the kept ``model`` reading in place of whatever a person said."""
    return {**row, **{column: model[kept] for kept, column in MODEL_COLUMNS.items() if kept != "model_version"}}


@dataclass(frozen=True, slots=True)
class Correction:
    """What a person said about one mention (``None``: that part left as the model read it), and the
    model's own reading it replaced."""

    mention_key: str
    complaint: bool | None
    sentiment: str | None
    model_version: str
    model_complaint: float
    model_sentiment: str
    corrected_by: str
    corrected_at: datetime
    intent: str | None = None
    model_intent: str | None = None

    def describe(self) -> str:
        return describe(self.complaint, self.sentiment, self.model_complaint, self.model_sentiment, self.intent,
                        self.model_intent)


def describe(complaint: bool | None, sentiment: str | None, model_complaint: float, model_sentiment: str,
             intent: str | None = None, model_intent: str | None = None) -> str:
    """A correction in words, for reasons and messages: "not a complaint (model 0.94); sentiment negative
    (model positive); intent billing (model delivery)"."""
    parts = []
    if complaint is not None:
        parts.append(f"{'a complaint' if complaint else 'not a complaint'} (model {model_complaint:.2f})")
    if sentiment is not None:
        parts.append(f"sentiment {sentiment} (model {model_sentiment})")
    if intent is not None:
        parts.append(f"intent {intent} (model {model_intent or 'none'})")
    return "; ".join(parts)


def check(complaint: bool | None, sentiment: str | None, intent: str | None = None,
          intents: Collection[str] | None = ()) -> None:
    """A correction must say something, and only what a reading can be (``intents``: the brand's;
    None: the caller has already checked the intent against them)."""
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise Invalid(f"sentiment must be one of {', '.join(SENTIMENTS)}")
    if intent is not None and intents is not None and intent not in intents:
        raise Invalid(f"intent must be one of {', '.join(intents)}")
    if complaint is None and sentiment is None and intent is None:
        raise Invalid("say whether it is a complaint, or its sentiment or intent")


def correction_of(db: Database, mention_key: str) -> Correction | None:
    row = db.conn.execute(f"{_CORRECTIONS} WHERE mention_key = ?", (mention_key,)).fetchone()
    return None if row is None else _correction(row)


def _correction(row: Any) -> Correction:
    at = from_iso(row[7])
    assert at is not None
    return Correction(row[0], None if row[1] is None else bool(row[1]), row[2], row[3], float(row[4]), row[5],
                      row[6], at, row[8], row[9])


def _classification(db: Database, mention_key: str) -> dict[str, Any]:
    cur = db.conn.execute("SELECT * FROM classifications WHERE mention_key = ?", (mention_key,))
    row = cur.fetchone()
    if row is None:
        raise NotFound(f"mention {mention_key} has not been classified yet")
    return dict(zip([c[0] for c in cur.description], row, strict=True))


def _model_reading(db: Database, mention_key: str, current: dict[str, Any]) -> dict[str, Any]:
    """The model's own reading of the mention: kept from an earlier correction, else the row as it is."""
    kept = db.conn.execute(f"SELECT {', '.join(MODEL_COLUMNS)} FROM reading_corrections WHERE mention_key = ?",
                           (mention_key,)).fetchone()
    return _model_of(current) if kept is None else dict(zip(MODEL_COLUMNS, kept, strict=True))


def _corrected_row(model: dict[str, Any], row: dict[str, Any], complaint: bool | None, sentiment: str | None,
                   by: str, intent: str | None = None) -> dict[str, Any]:
    """The classification row with a person's reading over the model's, and a reason saying so."""
    out = _as_model_read(row, model)
    if complaint is not None:
        out["complaint"] = SURE if complaint else NOT
        severity = model["model_severity"]
        out["severity"] = (severity if severity else COMPLAINT_SEVERITY_UNKNOWN) if complaint else 0
    if sentiment is not None:
        out["sentiment"] = sentiment
        out["sentiment_scores"] = json.dumps({s: SURE if s == sentiment else NOT for s in SENTIMENTS})
    if intent is not None:
        out["intent"], out["intent_scores"] = intent, json.dumps({intent: SURE})
    words = describe(complaint, sentiment, float(model["model_complaint"]), model["model_sentiment"], intent,
                     model["model_intent"])
    out["reasons"] = json.dumps([f"corrected by {by}: {words}", *json.loads(model["model_reasons"] or "[]")])
    return out


def save(db: Database, mention_key: str, complaint: bool | None, sentiment: str | None, *, by: str,
         now: datetime, intent: str | None = None) -> Correction:
    """Record ``by``'s reading of the mention and write it into its classification, in the caller's
    transaction (``intent`` already checked against the brand's). A second correction replaces the
    first and keeps the model's reading it was made over."""
    check(complaint, sentiment, intent, intents=None)
    current = _classification(db, mention_key)
    model = _model_reading(db, mention_key, current)
    db.table("classifications").insert(_corrected_row(model, current, complaint, sentiment, by, intent),
                                       pk="mention_key", replace=True)
    row = {"mention_key": mention_key, "complaint": None if complaint is None else int(complaint),
           "sentiment": sentiment, "intent": intent, **model, "corrected_by": by, "corrected_at": to_iso(now)}
    marks = ", ".join("?" * len(row))
    db.conn.execute(f"INSERT OR REPLACE INTO reading_corrections ({', '.join(row)}) VALUES ({marks})",
                    tuple(row.values()))
    found = correction_of(db, mention_key)
    assert found is not None
    return found


def restore(db: Database, mention_key: str) -> Correction | None:
    """Put the model's reading back and forget the correction; returns the correction undone (None: none)."""
    undone = correction_of(db, mention_key)
    if undone is None:
        return None
    current = _classification(db, mention_key)
    model = _model_reading(db, mention_key, current)
    db.table("classifications").insert(_as_model_read(current, model), pk="mention_key", replace=True)
    db.conn.execute("DELETE FROM reading_corrections WHERE mention_key = ?", (mention_key,))
    return undone


def reapply(db: Database, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fresh classification rows (the worker's, about to be written) with any person's correction put
    back over them; the correction then remembers this newer model reading as the one it replaced."""
    if not rows:
        return rows
    keys = [r["mention_key"] for r in rows]
    marks = ",".join("?" * len(keys))
    found = {c.mention_key: c for c in map(_correction, db.conn.execute(
        f"{_CORRECTIONS} WHERE mention_key IN ({marks})", keys).fetchall())}
    if not found:
        return rows
    out = []
    for row in rows:
        c = found.get(row["mention_key"])
        if c is None:
            out.append(row)
            continue
        model = _model_of(row)
        db.conn.execute(f"UPDATE reading_corrections SET {', '.join(f'{k} = ?' for k in model)} WHERE mention_key = ?",
                        (*model.values(), row["mention_key"]))
        out.append(_corrected_row(model, row, c.complaint, c.sentiment, c.corrected_by, c.intent))
    return out


@dataclass(frozen=True, slots=True)
class Labelled:
    """One corrected mention as a labelled example: its text, the person's label and where it came from."""

    text: str
    label: str
    language: str
    brand: str
    platform: str
    model_label: str
    corrected_by: str
    corrected_at: str


TASKS = ("complaint", "sentiment", "intent")


def labelled(db: Database, task: str, *, brand: str | None = None) -> list[Labelled]:
    """Every mention a person corrected on ``task``, oldest first: complaint as '1'/'0', sentiment and
    intent by name."""
    if task not in TASKS:
        raise Invalid(f"task must be one of {', '.join(TASKS)}")
    column = f"r.{task}"
    model = ("CASE WHEN r.model_complaint >= 0.5 THEN '1' ELSE '0' END" if task == "complaint"
             else f"r.model_{task}")
    sql = (f"SELECT m.text, {column}, {LANGUAGE_OF.format(c='c')}, m.brand, m.platform, {model}, "
           "r.corrected_by, r.corrected_at FROM reading_corrections r JOIN mentions m ON m.key = r.mention_key "
           f"LEFT JOIN classifications c ON c.mention_key = r.mention_key WHERE {column} IS NOT NULL"
           + (" AND m.brand = ?" if brand else "") + " ORDER BY r.corrected_at, r.mention_key")
    out = []
    for text, label, language, b, platform, model_label, by, at in db.conn.execute(sql, (brand,) if brand else ()):
        out.append(Labelled(text, str(int(label)) if task == "complaint" else str(label), language or "und", b,
                            platform, str(model_label), by, at))
    return out


def brand_heard(db: Database, brand: str) -> bool:
    """Whether any stored mention is ``brand``'s: ``readings export --brand`` takes such a brand besides the
    configured ones, so a brand removed from the settings can still be exported (one index lookup)."""
    return db.conn.execute("SELECT 1 FROM mentions WHERE brand = ? LIMIT 1", (brand,)).fetchone() is not None


@dataclass(frozen=True, slots=True)
class LanguageCorrections:
    """How often people corrected the model in one language: where it misreads the brand's traffic."""

    language: str
    corrected: int
    mentions: int  # mentions in that language over the same days (the trends' count)

    @property
    def per_100(self) -> float | None:
        return round(100 * self.corrected / self.mentions, 1) if self.mentions else None


@dataclass(frozen=True, slots=True)
class CorrectionSummary:
    """The team's corrections over the last ``days``: how many, which way, in which languages, by whom.

    Why a lead wants it: corrections are where the model misreads this brand's traffic, so a rise in
    one language or one direction (complaints the model missed) says what to check or retrain on."""

    days: int
    corrected: int
    made_complaint: int  # the model read no complaint; a person said it is one
    made_not_complaint: int
    sentiment_changed: int
    intent_changed: int
    by_language: tuple[LanguageCorrections, ...]
    by_person: tuple[tuple[str, int], ...]

    def as_dict(self) -> dict[str, Any]:
        """For the JSON API and the page: every field, each language with its rate per 100 mentions."""
        return {"days": self.days, "corrected": self.corrected, "made_complaint": self.made_complaint,
                "made_not_complaint": self.made_not_complaint, "sentiment_changed": self.sentiment_changed,
                "intent_changed": self.intent_changed,
                "by_language": [{"language": x.language, "corrected": x.corrected, "mentions": x.mentions,
                                 "per_100": x.per_100} for x in self.by_language],
                "by_person": [{"person": who, "corrected": n} for who, n in self.by_person]}


def summary(db: Database, now: datetime, days: int = 30) -> CorrectionSummary:
    """Corrections made in the ``days`` before ``now``; each language's count beside its mentions."""
    since = now.astimezone(UTC) - timedelta(days=days)
    since_iso, since_day = to_iso(since), since.astimezone(day_zone(db)).date().isoformat()
    language = LANGUAGE_OF.format(c="c")
    totals = db.conn.execute(
        "SELECT count(*), coalesce(sum(complaint = 1 AND model_complaint < 0.5), 0), "
        "coalesce(sum(complaint = 0 AND model_complaint >= 0.5), 0), "
        "coalesce(sum(sentiment IS NOT NULL AND sentiment <> model_sentiment), 0), "
        "coalesce(sum(intent IS NOT NULL AND intent IS NOT model_intent), 0) "
        "FROM reading_corrections WHERE corrected_at >= ?", (since_iso,)).fetchone()
    langs = db.conn.execute(
        f"SELECT {language} AS lang, count(*) FROM reading_corrections r JOIN mentions m ON m.key = r.mention_key "
        "LEFT JOIN classifications c ON c.mention_key = r.mention_key WHERE r.corrected_at >= ? "
        "GROUP BY lang ORDER BY count(*) DESC, lang", (since_iso,)).fetchall()
    heard = dict(db.conn.execute("SELECT language, sum(n) FROM trend_languages WHERE day >= ? "
                                 "GROUP BY language", (since_day,)).fetchall())
    people = db.conn.execute("SELECT corrected_by, count(*) FROM reading_corrections WHERE corrected_at >= ? "
                             "GROUP BY corrected_by ORDER BY count(*) DESC, corrected_by", (since_iso,)).fetchall()
    corrected, made_complaint, made_not_complaint, sentiment_changed, intent_changed = map(int, totals)
    return CorrectionSummary(days, corrected, made_complaint, made_not_complaint, sentiment_changed, intent_changed,
                             tuple(LanguageCorrections(str(lang), int(n), int(heard.get(lang) or 0))
                                   for lang, n in langs),
                             tuple((str(who), int(n)) for who, n in people))
