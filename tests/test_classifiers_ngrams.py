"""The hashed n-gram logit that the complaint and detractor heads stack on their embedding logit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from classifiers.heads import load_heads, save_heads
from classifiers.ngrams import ANALYZERS, N_BUCKETS, _bucket, fit_ngrams, hashed_counts, nb_ratios, word_evidence
from classifiers.train import TrainConfig, train_head

FILLER = ["order", "app", "parcel", "team", "today", "week", "store", "phone", "card", "flight", "seat", "bag",
          "email", "login", "account", "price"]


def _posts(rng: np.random.Generator, y: np.ndarray) -> list[str]:
    """Posts whose words carry the label: 'still waiting' in 70 % of positives and 15 % of negatives."""
    out = []
    for label in y:
        words = list(rng.choice(FILLER, 6))
        if rng.random() < (0.7 if label else 0.15):
            words.insert(int(rng.integers(0, 6)), "still waiting")
        out.append(" ".join(words))
    return out


def _sklearn_counts(texts: list[str]) -> sp.csr_matrix:
    """What the shipped heads were trained on: sklearn's HashingVectorizer per analyzer, stacked."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return sp.hstack([HashingVectorizer(analyzer=a, ngram_range=r, n_features=N_BUCKETS, alternate_sign=False,
                                        norm=None, lowercase=True, dtype=np.float32).transform(texts)
                      for a, r in ANALYZERS], format="csr")


HOSTILE = ["", " ", "a", "ab", "abc", "İSTANBUL Şehir", "x\u2028y\x1cz\u00a0w\u3000v", "😀😀 🇩🇪 #fail", "a\u0301b",
           "ﬁ STRASSE Straße", "\t\n  ", "x" * 300, "@brand still   waiting!!! https://t.co/x", "客服 电话 没人接"]


def test_hashed_counts_equal_sklearns_vectorizer_on_hostile_text() -> None:
    """The character block is built from cached per-word buckets; it must be the exact matrix the
    heads were fitted on, whitespace, case folding and short words included."""
    texts = [*HOSTILE, " ".join(HOSTILE)]
    ours, ref = hashed_counts(texts), _sklearn_counts(texts)
    assert ours.shape == ref.shape and ours.dtype == ref.dtype
    assert (ours != ref).nnz == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=40), min_size=1, max_size=5))
def test_hashed_counts_equal_sklearns_vectorizer_on_any_text(texts: list[str]) -> None:
    assert (hashed_counts(texts) != _sklearn_counts(texts)).nnz == 0


def test_features_are_case_blind_tfidf_rows_normalised_per_analyzer() -> None:
    texts = ["Still WAITING for my refund", "still waiting for my refund", "love it", "love the refund"]
    counts = hashed_counts(texts)
    assert counts.shape == (4, 2 * N_BUCKETS)
    assert (counts[0] != counts[1]).nnz == 0  # lower-cased before hashing
    model = fit_ngrams(counts, np.array([1, 1, 0, 0]), c=1.0)
    assert len(model.index) and np.all(np.diff(model.index) > 0)
    x = model.features(counts)
    split = int(np.searchsorted(model.index, N_BUCKETS))
    for block in (x[:, :split], x[:, split:]):  # word block, char block: each row unit length
        norms = np.sqrt(np.asarray(block.multiply(block).sum(axis=1)).ravel())
        assert np.allclose(norms, 1.0, atol=1e-5)
    logits = model.logits(hashed_counts(["still waiting", "love it"]))
    assert logits[0] > logits[1]


def test_naive_bayes_weighting_scales_each_gram_by_how_well_it_splits_the_classes() -> None:
    """NBSVM's ratios ride in the stored weight: same file, same inference, and the same logits as a
    regression fitted on the scaled features."""
    from sklearn.linear_model import LogisticRegression

    texts = ["still waiting for my refund", "refund still not here", "waiting again, no refund", "love it",
             "love the new app", "thanks, love the crew", "still love it", "refund arrived, thanks"]
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0])
    counts = hashed_counts(texts)
    plain, nb = fit_ngrams(counts, y, c=1.0), fit_ngrams(counts, y, c=1.0, nb=True)
    assert np.array_equal(plain.index, nb.index) and np.array_equal(plain.idf, nb.idf)
    x = nb.features(counts)
    ratio = nb_ratios(x, y)
    grams = {g: int(np.searchsorted(nb.index, _bucket(g))) for g in ("still", "love")}
    assert all(nb.index[col] == _bucket(g) for g, col in grams.items())
    assert ratio[grams["still"]] > 0 > ratio[grams["love"]]  # 'still': 2 of 3 complaints, 1 of 5 others
    lr = LogisticRegression(C=1.0, max_iter=3000).fit(x @ sp.diags(ratio), y)
    assert np.allclose(nb.logits(counts), lr.decision_function(x @ sp.diags(ratio)), atol=1e-4)
    assert not np.allclose(nb.weight, plain.weight)
    held_out = hashed_counts(["still waiting on that refund", "love the crew"])
    assert nb.logits(held_out)[0] > 0 > nb.logits(held_out)[1]


def test_head_stacks_the_ngram_logit_when_words_carry_what_the_embedding_misses(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 600)
    x = rng.normal(0, 1, (600, 8))
    x[:, 0] += (2 * y - 1) * 0.5  # the embedding is only weakly informative
    texts, labels = _posts(rng, y), [str(v) for v in y]
    cfg = TrainConfig(Path("unused"), folds=5, c_grid=(1.0,))
    plain, plain_report = train_head("complaint", x, labels, cfg)
    head, report = train_head("complaint", x, labels, cfg, texts=texts)

    assert plain.ngrams is None and "ngram" not in plain_report
    assert report["ngram"]["adopted"] and head.ngrams is not None
    assert head.calibration["a"] > 0 and head.calibration["a_ngram"] > 0  # both inputs carry weight
    assert report["cv"]["macro_f1"] > plain_report["cv"]["macro_f1"] + 0.05
    assert set(report["ngram"]["log_loss_by_C"]) == {str(c) for c in cfg.ngram_c_grid}
    assert min(report["ngram"]["log_loss_by_C"].values()) < report["ngram"]["log_loss_embedding_alone"]
    assert report["ngram"]["naive_bayes_weighted"] is False  # only the detractor head's are (model card)
    detractor, d_report = train_head("detractor", x, labels, cfg, texts=texts)
    assert d_report["ngram"]["naive_bayes_weighted"] is True and detractor.ngrams is not None
    assert d_report["ngram"]["adopted"] and not np.allclose(detractor.ngrams.weight, head.ngrams.weight)

    with pytest.raises(ValueError, match="hashed counts"):
        head.proba(x[:3])
    new_texts = ["still waiting parcel order", "phone card store flight"]
    counts = hashed_counts(new_texts)
    p = head.proba(x[:2], counts)
    p_words = head.proba(np.zeros((2, 8)), counts)  # identical embeddings: only the words differ
    assert p_words[0] > p_words[1]
    assert head.ngrams is not None
    words = word_evidence(head.ngrams, head.ngrams.features(counts), 0, new_texts[0])  # what an agent is shown
    assert words[0] in {"still waiting", "still", "waiting"}
    assert sum("still" in w or "waiting" in w for w in words) == 1  # one gram per phrase, not three

    save_heads([head], tmp_path / "heads.safetensors")
    loaded = load_heads(tmp_path / "heads.safetensors", {"complaint": head.meta()})
    assert loaded["complaint"].ngrams is not None
    assert np.allclose(loaded["complaint"].proba(x[:2], counts), p)


def test_quoted_grams_read_as_words() -> None:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from classifiers.ngrams import _readable

    assert _readable("still waiting", ENGLISH_STOP_WORDS) and _readable("refund", ENGLISH_STOP_WORDS)
    assert _readable("my order", ENGLISH_STOP_WORDS)  # a stop word may lead a pair, not end it
    for junk in ("rude and", "ll", "ll cancel", "ok", "the"):
        assert not _readable(junk, ENGLISH_STOP_WORDS), junk


def test_head_refuses_a_negative_ngram_weight() -> None:
    """Where the embedding already holds the words' evidence, amplified (rows an adapter trained
    on), the map gives the n-gram logit a negative weight; such a stack fails on new text."""
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 600)
    texts = _posts(rng, y)
    keyword = np.asarray(["still waiting" in t for t in texts], dtype=float)
    x = rng.normal(0, 1, (600, 8))
    x[:, 0] += (2 * y - 1) * 2.0 + 1.5 * keyword  # the embedding over-counts the phrase
    head, report = train_head("complaint", x, [str(v) for v in y],
                              TrainConfig(Path("unused"), folds=5, c_grid=(1.0,)), texts=texts)
    assert report["ngram"]["weights"]["ngram"] < 0
    assert not report["ngram"]["adopted"] and head.ngrams is None and "a_ngram" not in head.calibration


def test_head_keeps_the_embedding_alone_for_multiclass_heads() -> None:
    rng = np.random.default_rng(6)
    y = rng.integers(0, 3, 300)
    x = rng.normal(0, 1, (300, 8))
    x[np.arange(300), y] += 2.0
    labels = [["negative", "neutral", "positive"][v] for v in y]
    head, report = train_head("sentiment", x, labels, TrainConfig(Path("unused"), folds=3, c_grid=(1.0,)),
                              texts=_posts(rng, y > 0))
    assert head.ngrams is None and "ngram" not in report


def test_a_full_word_cache_is_dropped_and_the_counts_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    from classifiers import ngrams

    monkeypatch.setattr(ngrams, "CHAR_CACHE_WORDS", 8)
    monkeypatch.setattr(ngrams, "_CHAR_CACHE", {})  # not the words earlier tests left behind
    texts = [f"still waiting for refund number {i} since monday" for i in range(6)]
    for start in range(0, len(texts), 2):  # each pair brings more new words than the cache holds
        assert (hashed_counts(texts[start : start + 2]) != _sklearn_counts(texts[start : start + 2])).nnz == 0
        assert 0 < len(ngrams._CHAR_CACHE) <= 8 + 9  # at most the cap plus one batch's new words
