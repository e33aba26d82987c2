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
