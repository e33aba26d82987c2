"""Core migrations on a real SQLite file: each applies once, and a later one keeps older rows' data."""

from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from careline.store.migrations import CORE
from responder.policy import effort_of


def _classification(key: str, reasons: list[str]) -> dict[str, object]:
    return {"mention_key": key, "model_version": "old", "sentiment": "negative", "sentiment_scores": "{}",
            "complaint": 0.9, "detractor": 0.8, "intent": "other", "intent_scores": "{}", "urgency": 0.5,
            "reasons": json.dumps(reasons), "classified_at": "2026-11-25T09:00:00+00:00"}


def test_effort_column_is_backfilled_from_the_reason_line_older_versions_wrote(tmp_path: Path) -> None:
    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = OFF")  # classification rows without their mentions, for brevity
    CORE.apply(db, stop_before="m004_classification_effort")
    assert "effort" not in db["classifications"].columns_dict
    db["classifications"].insert_all([_classification("x:1", ["complaint (0.90)", "effort score 0.70"]),
                                      _classification("x:2", ["complaint (0.90)"])])

    CORE.apply(db)
    CORE.apply(db)  # a second start is a no-op

    rows = {r["mention_key"]: r for r in db["classifications"].rows}
    assert rows["x:1"]["effort"] == 0.7
    assert rows["x:2"]["effort"] is None  # not recorded: readers fall back to the text heuristic
    assert effort_of({**rows["x:2"], "text": "third time asking, still waiting"}) > 0
    assert effort_of({**rows["x:1"], "text": "hello"}) == 0.7


def test_corrections_made_before_intent_could_be_corrected_keep_the_model_s_intent(tmp_path: Path) -> None:
    """m121: a correction saved before intents were correctable gets the classification's intent as the
    model's, so restoring it later never blanks the intent."""
    from datetime import UTC, datetime

    from careline.store import readings

    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = OFF")
    CORE.apply(db, stop_before="m121_intent_corrections")
    db["classifications"].insert(_classification("x:1", ["complaint (0.90)"]))
    db["reading_corrections"].insert({
        "mention_key": "x:1", "complaint": 0, "sentiment": None, "model_version": "old", "model_complaint": 0.9,
        "model_sentiment": "negative", "model_sentiment_scores": "{}", "model_severity": 2,
        "model_reasons": "[]", "corrected_by": "ada", "corrected_at": "2026-12-05T10:00:00.000000+00:00"})

    CORE.apply(db)
    CORE.apply(db)  # a second start is a no-op

    row = db["reading_corrections"].get("x:1")
    assert (row["intent"], row["model_intent"], row["model_intent_scores"]) == (None, "other", "{}")
    readings.restore(db, "x:1")
    assert db["classifications"].get("x:1")["intent"] == "other"
    assert readings.summary(db, datetime(2026, 12, 5, 12, tzinfo=UTC)).corrected == 0


def test_a_dismissed_conversation_decides_no_sla_target_and_m122_clears_those_counted_before(tmp_path: Path) -> None:
    """Spam dismissed unanswered counted as two SLA misses (first response and resolution) in every report."""
    db = Database(tmp_path / "old.db")
    db.conn.execute("PRAGMA foreign_keys = OFF")
    CORE.apply(db, stop_before="m122_dismissed_decide_no_target")

    def add(key: str, status: str) -> int:
        cur = db.conn.execute(
            "INSERT INTO conversations (thread_key, platform, brand, author_key, status, created_at, updated_at, "
            "last_customer_at, first_response_due, resolution_due) VALUES (?, 'x', 'acme', 'x:1', ?, "
            "'2026-12-01T09:00:00+00:00', '2026-12-01T09:00:00+00:00', '2026-12-01T09:00:00+00:00', "
            "'2026-12-01T10:00:00+00:00', '2026-12-02T09:00:00+00:00')", (key, status))
        return int(cur.lastrowid)

    def misses() -> int:
        return int(db.conn.execute("SELECT coalesce(sum(misses), 0) FROM report_daily").fetchone()[0])

    spam, real = add("x:acme:1", "new"), add("x:acme:2", "new")
    for name in ("report_first_update", "report_resolution_update"):  # m090 now builds today's triggers:
        db.conn.execute(f"DROP TRIGGER {name}")  # without them, a dismiss leaves its rows as before m122 did
    db.conn.execute("UPDATE conversations SET status = 'dismissed' WHERE id = ?", (spam,))
    assert misses() == 4  # before: the dismissed one's two targets counted as misses too
    CORE.apply(db)
    assert misses() == 2 and db.conn.execute(
        "SELECT count(*) FROM report_targets WHERE conversation_id = ?", (spam,)).fetchone()[0] == 0
    db.conn.execute("UPDATE conversations SET status = 'dismissed' WHERE id = ?", (real,))
    assert misses() == 0
    db.conn.execute("UPDATE conversations SET status = 'open' WHERE id = ?", (real,))  # reopened: back in
    assert misses() == 2
