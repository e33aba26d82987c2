"""Sentiment on real sarcastic tweets the model never trained on, with and without the sarcasm correction.

SemEval-2014 Task 9's sarcasm test set (``semeval2017-4a/twitter-2014sarcasm-A.tsv`` in ../shared/data:
86 tweets chosen for sarcasm, labelled for sentiment) scored through ``predict`` with the shipped model,
then again with the correction switched off (the gate's ``sarcasm_on`` above any score). Prints macro-recall and
per-class recall for both, how many posts the correction fired on, and how many negative tweets read
as positive.

Not unseen data: these 86 tweets are inside the sentiment training pool
(``train_pool_2013_2016_minus_tweeteval_valtest.tsv``, ``source_file`` twitter-2014sarcasm-A.tsv), so
the figures flatter the model; they show how sarcasm fails even on posts it trained on.

Then sarcastic complaints against literal praise on each hand-written set in ``data/dev``, two
ways: the sarcasm signal's macro-F1 (what ``careline evaluate --task sarcasm`` reports), and the
complaint score's macro-F1 with and without the correction. ``sarcasm.csv`` (20 posts, ours),
``sarcasm_b.csv`` (100), ``sarcasm_c.csv`` (120) and ``sarcasm_e.csv`` (120) were written by people
who saw neither each other's sets, the training posts in ``data/train`` nor the model; none was
fitted on, and ``sarcasm_e.csv`` was first scored after every choice about the head was made.

    .venv/bin/python benchmarks/sarcasm_semeval.py
"""

from __future__ import annotations

import dataclasses
import sys

import classifiers.minilm as minilm
from careline.app.service import load_classifier
from careline.settings import Settings
from classifiers.data import shared_data_dir
from classifiers.metrics import binary_metrics
from classifiers.train_extra import sarcasm_dev_sets

CLASSES = ("negative", "neutral", "positive")


def read() -> tuple[list[str], list[str]]:
    path = shared_data_dir() / "semeval2017-4a" / "twitter-2014sarcasm-A.tsv"
    if not path.exists():
        sys.exit(f"{path} is missing: this benchmark needs ../shared/data")
    texts, gold = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] in CLASSES:
            texts.append(parts[2].strip('"'))
            gold.append(parts[1])
    return texts, gold


def recall(pred: list[str], gold: list[str]) -> tuple[float, dict[str, float]]:
    per = {c: sum(p == c for p, g in zip(pred, gold, strict=True) if g == c) / gold.count(c) for c in CLASSES}
    return sum(per.values()) / len(per), per


def dev_sets() -> dict[str, tuple[list[str], list[int]]]:
    return {name: (texts, [int(v) for v in labels]) for name, texts, labels in sarcasm_dev_sets()}


def main() -> None:
    texts, gold = read()
    clf = load_classifier(Settings())
    assert isinstance(clf, minilm.MiniLMClassifier), "needs the MiniLM model (classifier.kind = 'minilm')"
    sets = dev_sets()
    scored = {name: clf.predict(t) for name, (t, _) in sets.items()}
    complaint_with = {name: [p.complaint for p in preds] for name, preds in scored.items()}
    signal = {name: [p.sarcasm or 0.0 for p in preds] for name, preds in scored.items()}
    print(f"{len(texts)} sarcastic tweets ({', '.join(f'{c} {gold.count(c)}' for c in CLASSES)}); {clf.version}")
    with_fix = clf.predict(texts)
    fired = sum((p.sarcasm or 0) >= clf.gate.sarcasm_on for p in with_fix)
    clf.gate = dataclasses.replace(clf.gate, sarcasm_on=2.0)  # the correction never fires
    without = clf.predict(texts)
    complaint_without = {name: [p.complaint for p in clf.predict(t)] for name, (t, _) in sets.items()}
    for name, preds in (("with the sarcasm correction", with_fix), ("without it", without)):
        labels = [p.sentiment_label for p in preds]
        macro, per = recall(labels, gold)
        flipped = sum(g == "negative" and p == "positive" for p, g in zip(labels, gold, strict=True))
        print(f"{name:28} macro-recall {macro:.3f}  " + "  ".join(f"{c} {v:.3f}" for c, v in per.items())
              + f"  negative read as positive {flipped} of {gold.count('negative')}")
    print(f"the correction fired on {fired} of {len(texts)} posts")
    print("sarcastic complaints against literal praise (data/dev), macro-F1:")
    for name, (_, y) in sets.items():
        a, b = (binary_metrics(y, scores[name])["macro_f1"] for scores in (complaint_with, complaint_without))
        s = binary_metrics(y, signal[name])["macro_f1"]
        print(f"  {name:16} n={len(y):3}  sarcasm signal {s:.3f}  complaint with the correction {a:.3f}"
              f"  without {b:.3f}")


if __name__ == "__main__":
    main()
