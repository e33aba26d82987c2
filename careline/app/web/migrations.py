"""Tables only the web app uses: login sessions and imported survey answers.

Registered as their own ``Migrations`` set so the shared schema stays the stages' business. The app
applies this set at start-up (``app.create_app``) as well as through ``Store(extra=...)``, so a store
opened by a test or a CLI command without ``extra`` still gets the tables before the first request.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

WEB = Migrations("careline-web")


@WEB()
def w001_sessions_and_surveys(db: Database) -> None:
    db.executescript(
        """
        CREATE TABLE IF NOT EXISTS web_sessions (
            token_hash TEXT PRIMARY KEY,
            username TEXT NOT NULL REFERENCES users(username),
            csrf TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions(username);

        CREATE TABLE IF NOT EXISTS survey_answers (
            id INTEGER PRIMARY KEY,
            brand TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'nps',
            score INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            conversation_id INTEGER,
            imported_by TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS survey_answers_brand ON survey_answers(brand, answered_at);
        """
    )


@WEB()
def w002_survey_answer_ids(db: Database) -> None:
    """The survey tool's id of each imported answer, unique per brand, so a batch imported twice counts once."""
    if "answer_id" not in db["survey_answers"].columns_dict:
        db.execute("ALTER TABLE survey_answers ADD COLUMN answer_id TEXT")
    db.execute("CREATE UNIQUE INDEX IF NOT EXISTS survey_answers_answer_id ON survey_answers(brand, answer_id) "
               "WHERE answer_id IS NOT NULL")
