"""The shipped model: loads offline from data/models + the wheel, beats trivial baselines on real rows.

The real-data checks read ../shared/data (relative to the repo root) and skip with a reason when it
is absent; the shape and calibration checks need only the committed artifacts. Complaint and NPS rows
were part of training (all of their labelled rows are), so these are sanity floors that catch a
broken or mis-wired model, not evaluations: the cross-validated numbers live in the manifest.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from classifiers.abc import INTENTS, SENTIMENTS
from classifiers.data import REPO_ROOT, shared_data_dir
from classifiers.minilm import DEFAULT_MODEL_DIR, MiniLMClassifier, ModelNotFoundError

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

SAMPLE = 120  # rows per set: a few seconds of CPU, still enough to separate from a trivial baseline


@pytest.fixture(scope="module")
def clf() -> MiniLMClassifier:
    c = MiniLMClassifier(DEFAULT_MODEL_DIR, threads=2)
    c.load()  # load time is a benchmark figure (benchmarks/classify.py), not a test assertion
    return c


def _shared() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path} (expected ../shared/data next to the repo)")
    return path


def test_manifest_records_version_data_date_and_metrics() -> None:
    manifest = json.loads((DEFAULT_MODEL_DIR / "manifest.json").read_text())
    assert manifest["version"].startswith("careline-tagger-")
    assert manifest["trained_at"][:4] == "2026"
    for head in ("sentiment", "complaint", "detractor", "intent"):
        assert head in manifest["heads"] and head in manifest["metrics"]
        assert manifest["training_data"][head]["n"] > 100
        assert "cv" in manifest["metrics"][head]
    size = sum(f.stat().st_size for f in DEFAULT_MODEL_DIR.rglob("*") if f.is_file())
    assert size < 10 * 1024 * 1024


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="careline train"):
        MiniLMClassifier(tmp_path).load()


def test_output_shapes_and_probabilities(clf: MiniLMClassifier) -> None:
    texts = ["", "😡 😡 😡 !!!", "My parcel never arrived and nobody answers", "Love the new update, thanks!"]
    preds = clf.predict(texts)
    assert len(preds) == len(texts)
    for p in preds:
        assert set(p.sentiment) == set(SENTIMENTS) and set(p.intent) == set(INTENTS)
        assert sum(p.sentiment.values()) == pytest.approx(1, abs=1e-5)
        assert sum(p.intent.values()) == pytest.approx(1, abs=1e-5)
        assert 0 <= p.complaint <= 1 and 0 <= p.detractor <= 1 and p.reasons
    assert any("empty text" in r for r in preds[0].reasons)
    assert any("only emoji or symbols" in r for r in preds[1].reasons)
    assert not any("only emoji" in r for r in preds[2].reasons + preds[3].reasons)
    assert preds[2].complaint > preds[3].complaint
    assert preds[3].sentiment_label == "positive" and preds[2].sentiment_label == "negative"
    assert clf.version.startswith("careline-tagger-")


def test_complaint_and_detractor_quote_the_words_behind_them(clf: MiniLMClassifier) -> None:
    """The shipped binary heads stack an n-gram logit, so their reasons can quote the post's words."""
    import re

    assert clf.heads["complaint"].ngrams is not None and clf.heads["detractor"].ngrams is not None
    text = "@acme STILL waiting for my refund, third time asking. Worst service ever"
    p = clf.predict([text])[0]
    line = next(r for r in p.reasons if r.startswith("complaint ("))
    quoted = re.findall(r"'([^']+)'", line)
    assert 1 <= len(quoted) <= 3 and all(q in text.lower() for q in quoted), line
    calm = clf.predict(["love the new update, thanks!"])[0]
    assert not any("words:" in r for r in calm.reasons)  # below 0.5 nothing is quoted


def test_batch_results_do_not_depend_on_batch_company(clf: MiniLMClassifier) -> None:
    a = clf.predict(["the app keeps crashing"])[0]
    b = clf.predict(["the app keeps crashing", "a much longer text " * 20])[0]
    assert a.complaint == pytest.approx(b.complaint, abs=1e-4)


def test_custom_intent_by_prototype(tmp_path: Path) -> None:
    c = MiniLMClassifier(DEFAULT_MODEL_DIR, extra_intents={
        "loyalty_points": ["where are my loyalty points", "my reward points are missing", "points not added"]})
    c.load()
    hit, miss = c.predict(["I still have not received my loyalty points", "the weather is nice"])
    assert hit.intent_label == "loyalty_points"
    assert miss.intent["loyalty_points"] < 0.2
    assert sum(hit.intent.values()) == pytest.approx(1, abs=1e-5)


def _csv_rows(rel: str, text: str, label: str) -> tuple[list[str], list[str]]:
    import csv

    with (_shared() / rel).open(encoding="utf-8", errors="replace") as fh:
        rows = list(csv.DictReader(fh))[-SAMPLE:]  # a fixed slice: the end of each file
    return [r[text] for r in rows], [r[label] for r in rows]


def test_complaint_beats_majority_baseline(clf: MiniLMClassifier) -> None:
    texts, labels = _csv_rows("complaints-acl2019/train.csv", "text", "label")
    y = np.asarray([int(v) for v in labels])
    p = np.asarray([x.complaint for x in clf.predict(texts)])
    acc = float(np.mean((p >= 0.5) == y))
    majority = max(y.mean(), 1 - y.mean())
    assert acc > majority + 0.05, (acc, majority)
    brier_prior = float(np.mean((y.mean() - y) ** 2))
    assert float(np.mean((p - y) ** 2)) < brier_prior  # calibrated probabilities beat the base rate


def test_sentiment_beats_chance_on_airline_tweets(clf: MiniLMClassifier) -> None:
    from classifiers.metrics import classification_metrics

    texts, labels = _csv_rows("airline-sentiment/train.csv", "text", "airline_sentiment")
    preds = [x.sentiment_label for x in clf.predict(texts)]
    m = classification_metrics(labels, preds, SENTIMENTS)
    assert m["macro_recall"] > 0.55, m  # chance / constant prediction = 0.33


def test_detractor_ranks_scores(clf: MiniLMClassifier) -> None:
    from sklearn.metrics import roc_auc_score

    rows = [(t, s) for t, s in zip(*_csv_rows("nps-verbatims/train.csv", "text", "NPS_SCORE"), strict=True) if s]
    y = [int(float(s) <= 6) for _, s in rows]
    p = [x.detractor for x in clf.predict([t for t, _ in rows])]
    assert roc_auc_score(y, p) > 0.75


def test_repo_root_is_the_checkout() -> None:
    assert (REPO_ROOT / "pyproject.toml").exists()


def test_brand_intents_match_in_the_base_encoder_space() -> None:
    """With an adapter loaded, prototypes use the base encoder: its space is the one trained for similarity."""
    c = MiniLMClassifier(DEFAULT_MODEL_DIR, extra_intents={"store_hours": ["when do you open", "opening hours?"]})
    c.load()
    assert c.encoder is not None and c.encoder.adapter_dir is not None  # the shipped model has an adapter
    assert c._proto_encoder is not None and c._proto_encoder.adapter_dir is None
    plain = MiniLMClassifier(DEFAULT_MODEL_DIR)
    plain.load()
    text = ["what time do you open on sunday"]
    with_brand, without = c.predict(text)[0], plain.predict(text)[0]
    assert with_brand.intent_label == "store_hours"
    assert with_brand.complaint == pytest.approx(without.complaint, abs=1e-6)  # other heads untouched


def test_thanks_after_a_fix_is_not_a_complaint_and_plain_complaints_keep_their_head() -> None:
    """Posts with positive words that the sarcasm head reads as sincere take the praise_complaint head,
    which learnt that thanks after a fix is not a complaint; every other post keeps the complaint
    head's score exactly."""
    from classifiers.postprocess import PRAISE_HEAD, has_praise

    c = MiniLMClassifier(DEFAULT_MODEL_DIR)
    c.load()
    assert PRAISE_HEAD in c.heads
    thanks = ["@Tellco charged me twice for May, one chat and the refund was back on my card within the hour. "
              "Thank you!",
              "@Bankly my card was cloned, you blocked it within minutes and refunded everything. Fantastic fraud team"]
    plain = ["I was overcharged. I want a refund.", "@Parcelco my parcel is lost and nobody answers. I want a refund.",
             # the demo's: positive words, but the sarcasm head is unsure (0.4), so the complaint head scores it
             "@SkylarkAir update: bag turned up on my doorstep. Soaked through and one wheel snapped off. Brilliant. "
             "Damage claim next I suppose"]
    texts = thanks + plain
    base = c.heads["complaint"].proba_of_texts(c.embed(texts), texts)
    preds = c.predict(texts)
    for text, pred, b in zip(thanks, preds[:2], base[:2], strict=True):
        assert has_praise(text) and b >= 0.5  # the complaint head alone would queue a thank-you
        assert pred.complaint < 0.3
    for text, pred, b in zip(plain, preds[2:], base[2:], strict=True):
        assert has_praise(text) == text.startswith("@SkylarkAir")
        assert pred.complaint == pytest.approx(b, abs=1e-6) and pred.complaint >= 0.5


def test_bf16_precision_keeps_labels_and_marks_the_version() -> None:
    from classifiers.encoder import native_bf16

    if not native_bf16():
        pytest.skip("this CPU has no native bf16 (AVX512-BF16/AMX): bf16 is emulated here, slower than fp32")
    texts = ["my parcel never arrived and nobody answers", "love the new update, thanks!",
             "is the app down for anyone else?", "I was charged twice for one order, refund me",
             "can't log in to my account since yesterday", "the seat was fine I guess"]
    fp32 = MiniLMClassifier(DEFAULT_MODEL_DIR, precision="fp32")
    fp32.load()
    bf16 = MiniLMClassifier(DEFAULT_MODEL_DIR, precision="bf16")
    bf16.load()
    assert bf16.version == fp32.version + "+bf16"
    for a, b in zip(fp32.predict(texts), bf16.predict(texts), strict=True):
        assert (a.sentiment_label, a.intent_label) == (b.sentiment_label, b.intent_label)
        assert a.complaint == pytest.approx(b.complaint, abs=0.03)


def test_unknown_precision_is_refused() -> None:
    from classifiers.encoder import Encoder

    with pytest.raises(ValueError, match="precision"):
        Encoder(precision="fp8")


def test_an_angry_face_alone_reads_negative_and_says_why(clf: MiniLMClassifier) -> None:
    """Every emoji is [UNK] to the tokenizer: the model alone read "😡😡😡" as positive 0.87."""
    angry, empty, words = clf.predict(["😡😡😡", "", "great, another 3 hour delay 😡"])
    assert angry.sentiment_label == "negative" and angry.reasons[0] == "no words: negative emoji"
    assert not any(r.startswith("sentiment ") for r in angry.reasons)
    assert empty.sentiment_label == "neutral"
    assert "no words" not in " ".join(words.reasons)  # words: the model's reading stands
