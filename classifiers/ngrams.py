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
weights. Hashing 32 posts costs about 3 ms on one core, against about 90 ms for the forward pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

N_BUCKETS = 2**20
ANALYZERS: tuple[tuple[str, tuple[int, int]], ...] = (("word", (1, 2)), ("char_wb", (2, 5)))
MIN_DF = 2


def hashed_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Raw n-gram counts, one row per text, ``len(ANALYZERS) * N_BUCKETS`` columns; shared by every head."""
    from sklearn.feature_extraction.text import HashingVectorizer

    blocks = [HashingVectorizer(analyzer=analyzer, ngram_range=ngrams, n_features=N_BUCKETS, alternate_sign=False,
                                norm=None, lowercase=True, dtype=np.float32).transform(texts)
              for analyzer, ngrams in ANALYZERS]
    return sp.hstack(blocks, format="csr")


@dataclass
class NGramModel:
    """One head's n-gram logistic regression: kept buckets (sorted), their idf and weights."""

    index: np.ndarray  # (m,) int32 bucket numbers, ascending
    idf: np.ndarray  # (m,) float32
    weight: np.ndarray  # (m,) float32
    bias: float

    def features(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF rows over the kept buckets, each analyzer's block normalised on its own.

        Written out in numpy rather than ``counts[:, index]`` and ``normalize``: scipy's column
        selection builds a map over all 2**21 columns on every call, 1.8 ms even for one post,
        which made quoting a post's words cost more than the heads.
        """
        counts = sp.csr_matrix(counts)
        pos = np.searchsorted(self.index, counts.indices)
        pos[pos == len(self.index)] = 0
        keep = self.index[pos] == counts.indices
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))[keep]
        cols = pos[keep]
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


def fit_ngrams(counts: sp.csr_matrix, y: np.ndarray, c: float) -> NGramModel:
    """idf from ``counts``' rows only (so out-of-fold use never sees the held-out texts), then the LR."""
    from sklearn.linear_model import LogisticRegression

    df = np.bincount(counts.indices, minlength=counts.shape[1])
    index = np.flatnonzero(df >= MIN_DF).astype(np.int32)
    n = counts.shape[0]
    idf = (np.log((1.0 + n) / (1.0 + df[index])) + 1.0).astype(np.float32)
    model = NGramModel(index, idf, np.zeros(len(index), dtype=np.float32), 0.0)
    lr = LogisticRegression(C=c, max_iter=3000).fit(model.features(counts), y)
    model.weight = lr.coef_[0].astype(np.float32)
    model.bias = float(lr.intercept_[0])
    return model


def oof_ngram_logits(counts: sp.csr_matrix, y: np.ndarray, folds: Sequence[tuple[np.ndarray, np.ndarray]],
                     c: float) -> np.ndarray:
    z = np.zeros(len(y), dtype=np.float64)
    for tr, te in folds:
        z[te] = fit_ngrams(counts[tr], y[tr], c).logits(counts[te])
    return z


@functools.cache
def _word_analyzer() -> Callable[[str], list[str]]:
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(ngram_range=ANALYZERS[0][1], lowercase=True).build_analyzer()


def _word_bucket(gram: str) -> int:
    """The bucket HashingVectorizer puts a word n-gram in (sklearn's FeatureHasher, signed murmur3)."""
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
                     if (b := _word_bucket(g)) in by_bucket and _readable(g, ENGLISH_STOP_WORDS)), reverse=True)
    chosen: list[str] = []
    for _, gram in scored:
        if not any(set(gram.split()) & set(c.split()) for c in chosen):
            chosen.append(gram)
            if len(chosen) == k:
                break
    return chosen
