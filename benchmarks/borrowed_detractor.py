"""The detractor likelihood of languages we do not cover: the English-trained head against the borrowed blend.

    .venv/bin/python benchmarks/borrowed_detractor.py [--json]

A post in a language no written group serves (Swedish, Czech, ...) keeps the detractor head trained on English
NPS comments. The experiment: would ``BORROWED_GROUP``'s detractor blend (the English-trained head's logit weighed
with the borrowed complaint score's, as the seven languages of that group have it) read them better? This scores
survey comments in such languages (``data/dev/nps_uncovered.csv``; detractor = score 0-6) through ``predict`` both
ways, by adding "detractor" to ``multilingual.BORROWED_SCORES`` for the second. It was refused: 0.617 -> 0.654,
difference [-0.037, +0.113].

The rule it was judged by (2026-12-06, written before the comments existed; model card, "Detractor likelihood of
languages we do not cover"): adopt if AUROC rises with the paired 95 % bootstrap interval above 0 and no language's
AUROC falls by more than 0.10. About a minute.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

COMMENTS = ROOT / "data" / "dev" / "nps_uncovered.csv"


def scores(clf: Any, texts: list[str], borrowed: tuple[str, ...]) -> np.ndarray:
    """Detractor likelihoods through ``predict`` with ``borrowed`` as the scores an uncovered language borrows."""
    from classifiers import multilingual

    shipped = multilingual.BORROWED_SCORES
    multilingual.BORROWED_SCORES = borrowed
    try:
        return np.asarray([p.detractor for p in clf.predict(texts)])
    finally:
        multilingual.BORROWED_SCORES = shipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    from sklearn.metrics import roc_auc_score

    from classifiers import multilingual
    from classifiers.metrics import paired_ci
    from classifiers.minilm import MiniLMClassifier

    with COMMENTS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    y = np.asarray([int(r["score"]) <= 6 for r in rows])
    languages = np.asarray([r["language"] for r in rows])
    clf = MiniLMClassifier(threads=2, precision="int8")
    clf.load()
    before = scores(clf, texts, multilingual.BORROWED_SCORES)
    after = scores(clf, texts, (*multilingual.BORROWED_SCORES, "detractor"))
    by_language = {lang: [round(float(roc_auc_score(y[m], v[m])), 3) for v in (before, after)]
                   for lang in sorted(set(languages.tolist())) for m in [languages == lang]}
    ci = paired_ci(roc_auc_score, y, after, before, n=2000)
    out = {"n": len(rows), "detractors": int(y.sum()), "auroc_before": round(float(roc_auc_score(y, before)), 4),
           "auroc_after": round(float(roc_auc_score(y, after)), 4), "difference_ci95": ci,
           "auroc_by_language": by_language,
           "adopt": ci[0] > 0 and all(new >= old - 0.10 for old, new in by_language.values())}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"{clf.version}: {out['n']} comments ({out['detractors']} detractors) in languages no group serves")
    print(f"detractor AUROC, English-trained head {out['auroc_before']} -> borrowed blend {out['auroc_after']}, "
          f"difference {ci}")
    print("by language: " + ", ".join(f"{k} {a:.2f}->{b:.2f}" for k, (a, b) in by_language.items()))
    print(f"adopt: {out['adopt']}")


if __name__ == "__main__":
    main()
