"""Word and character n-gram evidence, stacked on the embedding logit of the binary heads.

Why: the fine-tuned encoder reads meaning, but the complaint and detractor labels also hang on
surface cues that a 6-layer MiniLM blurs: "still waiting", "3rd time", "#fail", a misspelt brand
name, a run of exclamation marks. A TF-IDF logistic regression on n-grams alone is the weaker model
(complaint macro-F1 about 0.84 against 0.88), but it errs on different posts. A two-input Platt map,
``sigmoid(a * embedding_logit + a_ngram * ngram_logit + c)``, fitted on the rows the adapter never
saw, weighs the two; the cross-fitted figures are in the model card.

Features are hashed, so there is no vocabulary to ship and nothing to unpickle: word 1-2-grams and
``char_wb`` 2-5-grams, each hashed into 2**20 buckets, sublinear term frequency times a smoothed idf
from the training texts, L2-normalised per block. Buckets seen in fewer than two training texts are
dropped (as ``min_df=2`` would), which keeps a head's n-gram part at a few tens of thousands of
weights. Hashing 32 tweets costs 1-3 ms on one core (less once their words are cached), against
about 90 ms for the int8 forward pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

N_BUCKETS = 2**20
ANALYZERS: tuple[tuple[str, tuple[int, int]], ...] = (("word", (1, 2)), ("char_wb", (2, 5)))
MIN_DF = 2


def hashed_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Raw n-gram counts, one row per text, ``len(ANALYZERS) * N_BUCKETS`` columns; shared by every head.

    The same matrix as sklearn's ``HashingVectorizer`` for each analyzer, stacked (a test holds them
    equal). The character block is built here rather than by the vectorizer: ``char_wb`` grams never
    cross a word boundary, so a word's buckets are the same in every post and are hashed once
    (``_char_buckets``), which made the n-gram rows 2-3x cheaper on support tweets.
    """
    word = _word_vectorizer().transform(texts)
    words = [text.lower().split() for text in texts]
    buckets = _char_buckets({w for ws in words for w in ws})
    parts = [buckets[w] for ws in words for w in ws]
    flat = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([sum(len(buckets[w]) for w in ws) for ws in words])
    char = sp.csr_matrix((np.ones(len(flat), dtype=np.float32), flat, indptr), shape=(len(texts), N_BUCKETS))
    char.sum_duplicates()
    return sp.hstack([word, char], format="csr")


@functools.cache
def _word_vectorizer() -> Any:
    from sklearn.feature_extraction.text import HashingVectorizer

    analyzer, ngrams = ANALYZERS[0]
    return HashingVectorizer(analyzer=analyzer, ngram_range=ngrams, n_features=N_BUCKETS, alternate_sign=False,
                             norm=None, lowercase=True, dtype=np.float32)


_CHAR_CACHE: dict[str, np.ndarray] = {}
CHAR_CACHE_WORDS = 2**17  # ~40 MB at most; support posts repeat their words, and 1,024 tweets hold ~4,800


def _char_buckets(words: set[str]) -> dict[str, np.ndarray]:
    """Each lowercased word's ``char_wb`` buckets, with repeats, from the cache or hashed now in one
    call of sklearn's own hasher (a Python call per gram cost more than the vectorizer it replaced).
    The cache is dropped whole when full: simpler than LRU, and a refill is one batch's words. The
    answer never reads the cache back, so a clear from another thread cannot lose a word."""
    from sklearn.feature_extraction import FeatureHasher

    found = {w: _CHAR_CACHE.get(w) for w in words}
    missing = [w for w, b in found.items() if b is None]
    if missing:
        if len(_CHAR_CACHE) + len(missing) > CHAR_CACHE_WORDS:
            _CHAR_CACHE.clear()
        hashed = sp.csr_matrix(FeatureHasher(n_features=N_BUCKETS, input_type="string", alternate_sign=False,
                                             dtype=np.float32).transform(_char_grams(w) for w in missing))
        for i, w in enumerate(missing):
            span = slice(hashed.indptr[i], hashed.indptr[i + 1])
            found[w] = _CHAR_CACHE[w] = np.repeat(hashed.indices[span].astype(np.int32),
                                                   hashed.data[span].astype(np.int64))
    return {w: b for w, b in found.items() if b is not None}


def _char_grams(word: str) -> list[str]:
    """sklearn's ``_char_wb_ngrams`` for one word: padded with a space each side, every gram of each
    length in ``ANALYZERS[1]``, a word no longer than a length counted once there and no longer ones."""
    lo, hi = ANALYZERS[1][1]
    padded = f" {word} "
    grams: list[str] = []
    for n in range(lo, hi + 1):
        grams.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
        if len(padded) <= n:
            break
    return grams


@dataclass
class NGramModel:
    """One head's n-gram logistic regression: kept buckets (sorted), their idf and weights."""

    index: np.ndarray  # (m,) int32 bucket numbers, ascending
    idf: np.ndarray  # (m,) float32
    weight: np.ndarray  # (m,) float32
    bias: float
    _table: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Bucket -> column of ``index``, over every bucket, the missing ones marked by the dtype's
        largest value: one gather per batch instead of a binary search per gram, which was half the
        cost of the rows. 4 MB per head (uint16 while a head keeps fewer than 65,535 buckets)."""
        dtype = np.uint16 if len(self.index) < np.iinfo(np.uint16).max else np.int32
        self._table = np.full(len(ANALYZERS) * N_BUCKETS, np.iinfo(dtype).max, dtype=dtype)
        self._table[self.index] = np.arange(len(self.index), dtype=dtype)

    def features(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF rows over the kept buckets, each analyzer's block normalised on its own.

        Written out in numpy rather than ``counts[:, index]`` and ``normalize``: scipy's column
        selection builds a map over all 2**21 columns on every call, 1.8 ms even for one post,
        which made quoting a post's words cost more than the heads.
        """
        counts = sp.csr_matrix(counts)
        pos = self._table[counts.indices]
        keep = pos != np.iinfo(self._table.dtype).max
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
        cols = pos[keep].astype(np.intp)
        data = (1.0 + np.log(counts.data[keep].astype(np.float32))) * self.idf[cols]
        block = rows * 2 + (self.index[cols] >= N_BUCKETS)
        norms = np.sqrt(np.bincount(block, weights=data.astype(np.float64) ** 2, minlength=2 * counts.shape[0]))
        data = (data / norms[block]).astype(np.float32)
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=counts.shape[0]))])
        return sp.csr_matrix((data, cols, indptr), shape=(counts.shape[0], len(self.index)))

    def logits(self, counts: sp.csr_matrix) -> np.ndarray:
        return self.logits_of(self.features(counts))

    def logits_of(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.weight, dtype=np.float64) + self.bias


def fit_ngrams(counts: sp.csr_matrix, y: np.ndarray, c: float, *, nb: bool = False) -> NGramModel:
    """idf from ``counts``' rows only (so out-of-fold use never sees the held-out texts), then the LR.

    ``nb``: the regression reads each feature scaled by its naive-Bayes log-count ratio (Wang and
    Manning's NBSVM, 2012), so a gram that tells the classes apart in the training rows costs less
    of the penalty than one that does not. The stored weight is the product, so the head's file and
    its inference are the same either way. On the detractor head's cross-fitted rows it raised AUROC
    0.935 -> 0.939 (model card); on the complaint head it changed nothing.
    """
    from sklearn.linear_model import LogisticRegression

    df = np.bincount(counts.indices, minlength=counts.shape[1])
    index = np.flatnonzero(df >= MIN_DF).astype(np.int32)
    n = counts.shape[0]
    idf = (np.log((1.0 + n) / (1.0 + df[index])) + 1.0).astype(np.float32)
    model = NGramModel(index, idf, np.zeros(len(index), dtype=np.float32), 0.0)
    features = model.features(counts)
    scale = nb_ratios(features, y) if nb else None
    lr = LogisticRegression(C=c, max_iter=3000).fit(features if scale is None else features @ sp.diags(scale), y)
    model.weight = (lr.coef_[0] if scale is None else lr.coef_[0] * scale).astype(np.float32)
    model.bias = float(lr.intercept_[0])
    return model


def nb_ratios(features: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Log of (share of positive rows with the gram) over (share of negative rows with it), smoothed by ``alpha``."""
    present = (features > 0).astype(np.float64)
    y = np.asarray(y)
    pos = np.asarray(present[y == 1].sum(0)).ravel() + alpha
    neg = np.asarray(present[y == 0].sum(0)).ravel() + alpha
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


def oof_ngram_logits(counts: sp.csr_matrix, y: np.ndarray, folds: Sequence[tuple[np.ndarray, np.ndarray]],
                     c: float, *, nb: bool = False) -> np.ndarray:
    z = np.zeros(len(y), dtype=np.float64)
    for tr, te in folds:
        z[te] = fit_ngrams(counts[tr], y[tr], c, nb=nb).logits(counts[te])
    return z


@functools.cache
def _word_analyzer() -> Callable[[str], list[str]]:
    """The word grams of the vectorizer that built the heads' counts, for quoting them."""
    analyzer: Callable[[str], list[str]] = _word_vectorizer().build_analyzer()
    return analyzer


@functools.lru_cache(maxsize=2**16)
def _bucket(gram: str) -> int:
    """The bucket HashingVectorizer puts an n-gram in (sklearn's FeatureHasher, signed murmur3).
    Cached for the word grams quoted as reasons, which recur from post to post."""
    from sklearn.utils import murmurhash3_32

    h = int(murmurhash3_32(gram, seed=0))
    return (2**31 - 1 - (N_BUCKETS - 1)) % N_BUCKETS if h == -(2**31) else abs(h) % N_BUCKETS


CONTRACTION_TAILS = frozenset({"ll", "ve", "re"})  # the tokenizer cuts "I'll" to "ll"


def _readable(gram: str, stop_words: frozenset[str]) -> bool:
    """Whether a gram means something quoted alone: no "rude and", no "ll" from "I'll", no "ok"."""
    words = gram.split()
    return (words[-1] not in stop_words and not CONTRACTION_TAILS & set(words)
            and (len(words) > 1 or len(gram) >= 3))


def word_evidence(model: NGramModel, features: sp.csr_matrix, row: int, text: str, k: int = 3) -> list[str]:
    """The word n-grams of ``text`` that raise this head's n-gram logit most, for the reasons an agent reads.

    ``features`` is ``model.features`` of the batch ``text`` is row ``row`` of, computed once for
    all its posts. Hashing keeps no vocabulary, so the words are found by hashing the text's own
    n-grams again and matching buckets. Only the word block is searched (character grams read as
    noise to a person), grams that read as nothing alone are skipped (``_readable``), and a gram that
    shares a word with a stronger one is left out, so "still waiting" is not followed by "waiting".
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    span = slice(features.indptr[row], features.indptr[row + 1])
    cols = features.indices[span]
    buckets = model.index[cols]
    push = features.data[span] * model.weight[cols]
    up = (buckets < N_BUCKETS) & (push > 0)
    by_bucket = dict(zip(buckets[up].tolist(), push[up].tolist(), strict=True))
    scored = sorted(((by_bucket[b], g) for g in set(_word_analyzer()(text))
                     if (b := _bucket(g)) in by_bucket and _readable(g, ENGLISH_STOP_WORDS)), reverse=True)
    chosen: list[str] = []
    for _, gram in scored:
        if not any(set(gram.split()) & set(c.split()) for c in chosen):
            chosen.append(gram)
            if len(chosen) == k:
                break
    return chosen
