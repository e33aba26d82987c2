"""Where the English path's time goes: each stage of ``MiniLMClassifier.predict``, per batch of 32.

    .venv/bin/python benchmarks/english_stages.py [--precision auto|fp32|bf16|int8] [--n 1024]

Runs the stages ``predict`` runs, one at a time, over real inbound tweets (twcs-sample) cut into
length-sorted batches as the worker cuts them: language ID, the encoder's forward pass, the
n-gram rows, the heads (the complaint head for posts with positive words included), the sarcasm
head (on the same embedding and n-grams, gated by positive words) and everything after the forward
pass together.
Then the whole ``predict`` again, for the posts/s figure. Torch and numpy on 2 threads. The stage
times are means over every batch; on a shared machine read them as ratios.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from classifiers.minilm import MiniLMClassifier  # noqa: E402
from classifiers.postprocess import reads_for_sarcasm  # noqa: E402

STAGES = ("language ID", "encoder", "n-gram rows", "heads", "sarcasm head", "all after the encoder")


def stage_times(clf: MiniLMClassifier, batches: list[list[str]]) -> dict[str, float]:
    """Mean milliseconds per batch of each stage."""
    assert clf.languages is not None
    total = dict.fromkeys(STAGES, 0.0)
    for batch in batches:
        t0 = time.perf_counter()
        clf.languages.detect_many(batch)
        t1 = time.perf_counter()
        x = clf.embed(batch)
        t2 = time.perf_counter()
        feats = clf._ngram_features(batch)
        t3 = time.perf_counter()
        ngram_x = {name: f for name, (_, f) in feats.items()}
        clf.heads["sentiment"].proba(x)
        praise = np.asarray([reads_for_sarcasm(t) for t in batch], dtype=bool)  # as predict_embeddings
        t4 = time.perf_counter()
        sarcasm = clf._sarcasm(x, praise, ngram_x.get("sarcasm"))
        t5 = time.perf_counter()
        clf._complaint(x, praise, sarcasm, ngram_x)
        clf.heads["detractor"].proba(x, ngram_x=ngram_x.get("detractor"))
        clf._intent_proba(x, batch)
        if "severity" in clf.heads:
            clf.heads["severity"].proba(x)
        t5b = time.perf_counter()
        clf.predict_embeddings(x, batch)
        t6 = time.perf_counter()
        stages = (t1 - t0, t2 - t1, t3 - t2, (t4 - t3) + (t5b - t5), t5 - t4, t6 - t5b)
        for name, dt in zip(STAGES, stages, strict=True):
            total[name] += dt
    return {name: 1000 * v / len(batches) for name, v in total.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--precision", default="auto", help="classifier.precision (default auto, the shipped one)")
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))  # after torch's imports: see the path note above
    from classify import sample_texts

    clf = MiniLMClassifier(threads=2, precision=args.precision)
    clf.load()
    texts = sorted(sample_texts(args.n), key=len)
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    clf.predict(batches[0])  # warm-up
    ms = stage_times(clf, batches)
    t = time.perf_counter()
    for batch in batches:
        clf.predict(batch)
    rate = len(texts) / (time.perf_counter() - t)
    print(f"{clf.version} ({args.n} tweets, batch {args.batch}), ms per batch:")
    for name in STAGES:
        print(f"  {name:22} {ms[name]:7.1f}")
    print(f"predict: {rate:.0f} posts/s (300/s is {1000 * args.batch / 300:.0f} ms a batch)")


if __name__ == "__main__":
    main()
