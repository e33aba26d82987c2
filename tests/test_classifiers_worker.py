"""The worker against a real SQLite store: every pending mention gets exactly one row, in one write."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from careline.domain import Author, Mention
from careline.store.db import Store
from careline.store.records import store_mentions
from classifiers.abc import INTENTS, Classifier, Prediction
from classifiers.worker import classify_pending

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class RecordingClassifier(Classifier):
    """A real implementation of the seam (not a mock of our IO): scores by keyword, records its threads."""

    version = "test-keywords-1"

    def __init__(self) -> None:
        self.threads: set[str] = set()
        self.batches: list[int] = []
        self.texts: list[list[str]] = []
        self.tags: list[list[str | None] | None] = []

    def load(self) -> None:
        pass

    def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
        self.threads.add(threading.current_thread().name)
        self.batches.append(len(texts))
        self.texts.append(list(texts))
        self.tags.append(list(tags) if tags is not None else None)
        out = []
        for t in texts:
            bad = "broken" in t.lower()
            s = {"negative": 0.8, "neutral": 0.1, "positive": 0.1} if bad else \
                {"negative": 0.1, "neutral": 0.8, "positive": 0.1}
            intent = dict.fromkeys(INTENTS, 0.0)
            intent["outage_bug" if bad else "other"] = 1.0
            out.append(Prediction(s, 0.9 if bad else 0.1, 0.7 if bad else 0.2, intent, ("test reason",)))
        return out


def _mention(i: int, text: str, *, author: str = "1", followers: int = 10, thread: str | None = None,
             minutes: int = 0) -> Mention:
    at = T0 + timedelta(minutes=minutes)
    return Mention(platform="x", platform_id=str(i), brand="acme",
                   author=Author("x", author, f"user{author}", followers=followers),
                   text=text, url=f"https://x.com/i/{i}", created_at=at, fetched_at=at,
                   conversation_id=thread or str(i), source="test")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "t.db").open_sync()
    yield s
    s.close_sync()


def _add(store: Store, mentions: list[Mention]) -> None:
    store.write_sync(lambda db: store_mentions(db, mentions, None, T0))


async def test_classifies_every_new_mention_once(store: Store) -> None:
    mentions = [_mention(i, f"post number {i}", author=str(i % 7), minutes=i) for i in range(70)]
    mentions.append(_mention(100, "", minutes=200))  # empty text still gets a row
    mentions.append(_mention(101, "The app is BROKEN, cancel my account", followers=500_000, minutes=201))
    _add(store, mentions)
    clf = RecordingClassifier()

    n = await classify_pending(store, clf, batch_size=32, now=T0 + timedelta(hours=5))

    assert n == 72
    assert clf.batches == [32, 32, 8]
    assert all(name.startswith("careline-model") for name in clf.threads)
    rows = store.read_sync(lambda db: list(db["classifications"].rows))
    assert len(rows) == 72 and {r["model_version"] for r in rows} == {"test-keywords-1"}
    stages = store.read_sync(lambda db: {r["stage"] for r in db["mentions"].rows})
    assert stages == {"classified"}
    assert await classify_pending(store, clf) == 0  # nothing left: idle call is a no-op

    by_key = {r["mention_key"]: r for r in rows}
    empty = by_key["x:100"]
    assert empty["sentiment"] == "neutral" and empty["classified_at"].startswith("2026-11-25T14:00")
    hot = by_key["x:101"]
    reasons = json.loads(hot["reasons"])
    assert hot["intent"] == "outage_bug" and hot["complaint"] == pytest.approx(0.9)
    assert any(r.startswith("threat to leave") for r in reasons)
    assert any(r.startswith("author reach") for r in reasons)
    assert hot["urgency"] > 0.7 > by_key["x:5"]["urgency"]
    assert json.loads(hot["sentiment_scores"])["negative"] == pytest.approx(0.8)


async def test_repeat_contacts_by_the_same_author_raise_effort(store: Store) -> None:
    _add(store, [_mention(1, "my router is broken", author="9", thread="t1", minutes=0)])
    clf = RecordingClassifier()
    assert await classify_pending(store, clf) == 1
    _add(store, [_mention(2, "still broken, third time asking", author="9", thread="t1", minutes=90),
                 _mention(3, "unrelated hello", author="8", minutes=91)])
    assert await classify_pending(store, clf) == 2
    rows = store.read_sync(lambda db: {r["mention_key"]: r for r in db["classifications"].rows})
    second = json.loads(rows["x:2"]["reasons"])
    assert any("repeat contact: 1 earlier" in r for r in second)
    assert any("same issue" in r for r in second)
    assert any(r.startswith("effort score") for r in second)
    assert rows["x:2"]["effort"] > 0 and rows["x:3"]["effort"] == 0  # a column, not only a reason line
    assert not any("repeat contact" in r for r in json.loads(rows["x:3"]["reasons"]))
    assert rows["x:2"]["urgency"] > rows["x:1"]["urgency"]


async def test_a_failing_batch_writes_nothing(store: Store) -> None:
    class Broken(RecordingClassifier):
        def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
            if len(self.batches) >= 1:
                raise RuntimeError("model crashed")
            return super().predict(texts)

    _add(store, [_mention(i, "x", minutes=i) for i in range(40)])
    with pytest.raises(RuntimeError, match="model crashed"):
        await classify_pending(store, Broken(), batch_size=32)
    assert store.read_sync(lambda db: db["classifications"].count) == 0
    assert store.read_sync(lambda db: db.execute("select count(*) from mentions where stage='new'").fetchone()[0]) == 40


async def test_batches_group_similar_lengths_and_rows_stay_with_their_mention(store: Store) -> None:
    """Length-sorted batches pad less (the benchmark's worker order); each row still lands on its mention."""
    texts = [("broken " * (i % 9 + 1) if i % 2 else "fine " * (i % 11 + 1)).strip() for i in range(64)]
    _add(store, [_mention(i, t, author=str(i), minutes=i) for i, t in enumerate(texts)])
    clf = RecordingClassifier()
    assert await classify_pending(store, clf, batch_size=16) == 64
    longest = [max(len(t) for t in batch) for batch in clf.texts]
    assert longest == sorted(longest) and longest[0] < longest[-1]
    rows = store.read_sync(lambda db: {r["mention_key"]: r for r in db["classifications"].rows})
    for i, text in enumerate(texts):
        assert rows[f"x:{i}"]["intent"] == ("outage_bug" if "broken" in text else "other")


class LanguageClassifier(RecordingClassifier):
    """Tags posts with a language the way the shipped classifier does (here: by a marker word)."""

    def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
        import dataclasses

        out = []
        for t, p in zip(texts, super().predict(texts), strict=True):
            lang = "de" if "kaputt" in t else "hu" if "nem" in t else "und" if len(t) < 3 else "en"
            out.append(dataclasses.replace(p, language=lang, path="english" if lang in ("en", "und") else
                                           "keywords" if lang == "hu" else "multilingual",
                                           language_covered=lang != "hu", severity={"0": 0.2, "3": 0.8},
                                           sarcasm=0.1, complaint=0.9))  # severity 3 only of a complaint
        return out


async def test_language_severity_and_sarcasm_are_stored_with_the_mention(store: Store) -> None:
    mentions = [_mention(1, "Die App ist kaputt"), _mention(2, "nem működik"), _mention(3, "ok"),
                _mention(4, "all fine here")]
    _add(store, mentions)
    # the platform's own tag is kept where detection cannot tell, replaced where it can
    store.write_sync(lambda db: db.conn.execute("UPDATE mentions SET language = 'pt' WHERE key IN ('x:3', 'x:4')"))

    assert await classify_pending(store, LanguageClassifier(), now=T0) == 4

    got = store.read_sync(lambda db: {r[0]: r[1:] for r in db.execute(
        """SELECT m.key, m.language, c.language, c.language_covered, c.language_path, c.severity, c.sarcasm
           FROM mentions m JOIN classifications c ON c.mention_key = m.key""").fetchall()})
    assert got["x:1"] == ("de", "de", 1, "multilingual", 3, 0.1)
    assert got["x:2"] == ("hu", "hu", 0, "keywords", 3, 0.1)
    assert got["x:3"][:2] == ("pt", "und")
    assert got["x:4"][:2] == ("en", "en")


async def test_the_platform_language_tag_reaches_the_classifier(store: Store) -> None:
    """The platform's tag (stored on the mention until it is classified) goes to ``predict`` beside each text,
    as the language identifier's prior; Reddit's posts have none."""
    _add(store, [_mention(1, "porad nefunguje internet"), _mention(2, "no tag here")])
    store.write_sync(lambda db: db.conn.execute("UPDATE mentions SET language = 'cs' WHERE key = 'x:1'"))
    clf = RecordingClassifier()
    assert await classify_pending(store, clf, now=T0) == 2
    seen = {t: tag for texts, tags in zip(clf.texts, clf.tags, strict=True) for t, tag in zip(texts, tags or [],
                                                                                                 strict=True)}
    assert seen == {"porad nefunguje internet": "cs", "no tag here": None}


async def test_one_post_the_model_chokes_on_is_queued_unread_and_the_rest_go_on(store: Store) -> None:
    """A post that makes the model raise used to fail every call: nothing after it was ever classified."""
    class Choking(RecordingClassifier):
        def predict(self, texts: Sequence[str], tags: Sequence[str | None] | None = None) -> list[Prediction]:
            if any("poison" in t for t in texts):
                raise ValueError("tokenizer blew up")
            return super().predict(texts)

    _add(store, [_mention(i, "my order is broken" if i != 7 else "\u2063poison", minutes=i) for i in range(40)])
    assert await classify_pending(store, Choking(), batch_size=32) == 40
    stages = store.read_sync(lambda db: db.execute("select stage, count(*) from mentions group by stage").fetchall())
    assert stages == [("classified", 40)]
    bad = store.read_sync(lambda db: db.execute(
        "select complaint, reasons, language_covered from classifications where mention_key = 'x:7'").fetchone())
    assert bad[0] == 0.5 and "could not read this post (ValueError)" in bad[1] and bad[2] == 0
    good = store.read_sync(lambda db: db.execute(
        "select count(*) from classifications where complaint = 0.9").fetchone())
    assert good[0] == 39
