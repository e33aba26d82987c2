"""Stage 2 worker: classify mentions waiting in ``stage = 'new'``, off the event loop, in batches.

The forward pass is CPU-bound and holds the GIL for long stretches, so it runs in a one-thread
executor (the seam's contract: ``predict`` from one thread at a time) via ``run_in_executor``; the
reads and the write go through the store's own threads. All classifications of a call and the stage
change of their mentions commit in ONE ``store.write``, so a crash never leaves a mention marked
classified without its row, or a row whose mention is still queued.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from careline.domain import Classification, from_iso, to_iso, utcnow
from careline.store import readings
from classifiers.abc import Classifier, Prediction
from classifiers.signals import REPEAT_WINDOW, PriorContact, compute_signals, urgency_with_model

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 1024  # mentions per call; the caller loops while the return value is > 0
_default_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def default_executor() -> ThreadPoolExecutor:
    """The bounded pool (one thread) the model runs in when the caller brings none."""
    global _default_executor
    with _executor_lock:
        if _default_executor is None:
            _default_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="careline-model")
        return _default_executor


def read_pending(db: Database, limit: int) -> list[dict[str, Any]]:
    sql = """SELECT m.key, m.text, m.thread_key, m.author_key, m.created_at, m.language, a.followers
             FROM mentions m JOIN authors a ON a.key = m.author_key
             WHERE m.stage = 'new' ORDER BY m.created_at, m.key LIMIT ?"""
    cur = db.execute(sql, [limit])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def read_history(db: Database, pending: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Earlier mentions of the same authors (with their intent, when classified), per author."""
    authors = sorted({p["author_key"] for p in pending})
    if not authors:
        return {}
    oldest = min(from_iso(p["created_at"]) or utcnow() for p in pending) - REPEAT_WINDOW
    marks = ",".join("?" * len(authors))
    cur = db.execute(
        f"""SELECT m.key, m.author_key, m.created_at, m.thread_key, c.intent
            FROM mentions m LEFT JOIN classifications c ON c.mention_key = m.key
            WHERE m.author_key IN ({marks}) AND m.created_at >= ?""",
        [*authors, to_iso(oldest)],
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for key, author, created, thread, intent in cur.fetchall():
        out.setdefault(author, []).append(
            {"key": key, "created_at": created, "thread_key": thread, "intent": intent or ""})
    return out


def prior_contacts(row: dict[str, Any], history: dict[str, list[dict[str, Any]]]) -> list[PriorContact]:
    created = from_iso(row["created_at"])
    assert created is not None
    prior: list[PriorContact] = []
    for h in history.get(row["author_key"], []):
        at = from_iso(h["created_at"])
        if h["key"] != row["key"] and at is not None and at < created:
            prior.append(PriorContact(at, h["thread_key"], h["intent"]))
    return prior


def to_classification(row: dict[str, Any], pred: Prediction, version: str,
                      history: dict[str, list[dict[str, Any]]]) -> Classification:
    """Model scores + rule signals -> the stored row; the reasons say which rule fired and why."""
    sig = compute_signals(row["text"] or "", followers=int(row["followers"] or 0),
                          history=prior_contacts(row, history), thread_key=row["thread_key"],
                          intent=pred.intent_label, now=from_iso(row["created_at"]))
    urgency = urgency_with_model(sig, pred.complaint, pred.sentiment.get("negative", 0.0))
    reasons = tuple(dict.fromkeys((*pred.reasons, *sig.reasons)))
    if sig.effort > 0:
        reasons += (f"effort score {sig.effort:.2f}",)
    return Classification(
        mention_key=row["key"], model_version=version, sentiment=pred.sentiment_label,
        sentiment_scores=pred.sentiment, complaint=pred.complaint, detractor=pred.detractor,
        intent=pred.intent_label, intent_scores=pred.intent, urgency=round(urgency, 4), reasons=reasons,
        effort=round(sig.effort, 4), language=pred.language or None,
        language_covered=pred.language_covered if pred.language else None, language_path=pred.path or None,
        severity=pred.severity_level, sarcasm=None if pred.sarcasm is None else round(pred.sarcasm, 4),
    )


# The detected language (read with the platform's tag as a prior) replaces the platform's tag (X's ``lang``;
# Reddit gives none) when it is determined: the queue then shows the language the model read the post as.
_SET_LANGUAGE = """UPDATE mentions SET language = CASE WHEN ?1 <> 'und' THEN ?1 ELSE COALESCE(language, ?1) END
                   WHERE key = ?2"""


def _save(rows: list[dict[str, Any]], keys: list[str]) -> Any:
    def write(db: Database) -> None:
        # a person's correction of a mention's reading outlives a fresh model reading of it
        db.table("classifications").insert_all(readings.reapply(db, rows), pk="mention_key", replace=True)
        db.conn.executemany("UPDATE mentions SET stage = 'classified' WHERE key = ? AND stage = 'new'",
                            [(k,) for k in keys])
        db.conn.executemany(_SET_LANGUAGE, [(r["language"], r["mention_key"]) for r in rows if r.get("language")])

    return write


def unread(exc: BaseException) -> Prediction:
    """The reading of a post the model failed on: no opinion (neutral, complaint and detractor 0.5), the
    language flagged not covered so the priority floor puts it in front of a person, and the reason."""
    return Prediction(sentiment={"negative": 0.0, "neutral": 1.0, "positive": 0.0}, complaint=0.5, detractor=0.5,
                      intent={"other": 1.0}, reasons=(f"the model could not read this post ({type(exc).__name__})",),
                      language="und", path="", language_covered=False)


async def _predict(loop: asyncio.AbstractEventLoop, pool: Executor, classifier: Classifier, texts: list[str],
                   tags: list[str | None]) -> list[Prediction]:
    """The batch's predictions. When the model fails on the batch it reads each post alone: a post it still
    fails on while it reads others of the batch is :func:`unread`; if it fails on every one, the model is
    broken and the error stands (nothing of the call is written; the posts wait for a working model).

    Why: one post the model chokes on used to fail the whole call, every time, so no post after it was
    ever classified or queued; a broken model must not turn every post into an unread one either."""
    async def run(xs: list[str], ts: list[str | None]) -> list[Prediction]:
        preds = await loop.run_in_executor(pool, functools.partial(classifier.predict, xs, tags=ts))
        if len(preds) != len(xs):
            raise RuntimeError(f"classifier returned {len(preds)} predictions for {len(xs)} texts")
        return list(preds)

    try:
        return await run(texts, tags)
    except Exception:
        if len(texts) == 1:
            raise
        log.warning("the model failed on a batch of %d; reading its posts one by one", len(texts))
    out: list[Prediction | Exception] = []
    for text, tag in zip(texts, tags, strict=True):
        try:
            out += await run([text], [tag])
        except Exception as exc:
            out.append(exc)
    failed = [p for p in out if isinstance(p, Exception)]
    if len(failed) == len(out):
        raise failed[0]
    for err in failed:
        log.error("the model failed on one post (%s: %s); queued unread", type(err).__name__, err)
    return [unread(p) if isinstance(p, Exception) else p for p in out]


async def classify_pending(store: Any, classifier: Classifier, *, batch_size: int = 32,
                           executor: Executor | None = None, now: datetime | None = None,
                           limit: int = DEFAULT_LIMIT) -> int:
    """Classify up to ``limit`` pending mentions; returns how many were stored (0 when idle)."""
    pending = await store.read(lambda db: read_pending(db, limit))
    if not pending:
        return 0
    history = await store.read(lambda db: read_history(db, pending))
    loop = asyncio.get_running_loop()
    pool = executor or default_executor()
    stamp = to_iso(now or utcnow())
    rows: list[dict[str, Any]] = []
    # Similar lengths share a batch, so a batch pads to little more than its own texts: ~1.5x the
    # rate of arrival order on real tweets (benchmarks/classify.py). Order is free here: every row
    # commits in the one write below.
    by_length = sorted(pending, key=lambda r: len(r["text"] or ""))
    for start in range(0, len(by_length), batch_size):
        batch = by_length[start : start + batch_size]
        texts = [r["text"] or "" for r in batch]
        tags = [r["language"] for r in batch]  # the platform's tag until classified: a prior for language ID
        for row, pred in zip(batch, await _predict(loop, pool, classifier, texts, tags), strict=True):
            rows.append({**to_classification(row, pred, classifier.version, history).as_row(),
                         "classified_at": stamp})
    await store.write(_save(rows, [r["key"] for r in pending]))
    log.info("classified %d mention(s) with %s", len(rows), classifier.version)
    return len(rows)
