"""Language-aware classifier benchmarks: language ID speed, per-path throughput, peak RSS, dev-set quality.

    .venv/bin/python benchmarks/multilingual.py [--n 1024] [--batch 32] [--json]

- language ID: py3langid on real inbound tweets (twcs-sample), one core, posts/s;
- throughput through the public ``predict`` at batch 32 in the worker's length order, torch and
  numpy limited to 2 threads: English tweets (language ID + fine-tuned MiniLM + every head) and
  non-English posts of sets a and g, fifteen languages (language ID + USE-multilingual + heads), median
  of 3 passes after a warm-up; and the same posts each addressed to a brand handle, as on X (the intent
  and sentiment heads of other languages read posts without handles, a second encoder pass);
- peak RSS (VmHWM) of a fresh process that loads every path and classifies 256 mixed posts, once
  with the int8 graph cached and once on a first start that builds it;
- the hand-written dev set (``data/dev/multilingual.csv``, ours, 14 posts per language): complaint
  accuracy and macro-F1 per language. It is a development set: the issue's held-back set is not ours.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from classifiers.metrics import binary_metrics  # noqa: E402
from classifiers.train_extra import dev_set  # noqa: E402

DEV = ROOT / "data" / "dev" / "multilingual.csv"
#: Posts in the second written group's languages (ar ja ko pl ru th tr), so both groups' heads are timed.
DEV_G = ROOT / "data" / "dev" / "multilingual_g.csv"


def _tweets(n: int) -> list[str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from classify import sample_texts

    return sample_texts(n)


def _foreign() -> list[str]:
    """Every non-English dev post of sets a and g: fifteen languages, both written groups."""
    return [r["text"] for r in dev_set(DEV) + dev_set(DEV_G) if r["language"] != "en"]


def rate(predict: Any, texts: list[str], batch: int, runs: int = 3) -> float:
    texts = sorted(texts, key=len)
    predict(texts[:batch])
    rates = []
    for _ in range(runs):
        t = time.perf_counter()
        for i in range(0, len(texts), batch):
            predict(texts[i : i + batch])
        rates.append(len(texts) / (time.perf_counter() - t))
    return statistics.median(rates)


def rss_child(precision: str) -> None:
    from classifiers.minilm import MiniLMClassifier

    clf = MiniLMClassifier(threads=2, precision=precision)
    clf.load()
    texts = [r["text"] for r in dev_set(DEV)] + _foreign() + _tweets(128)
    for i in range(0, len(texts), 32):
        clf.predict(texts[i : i + 32])
    with open("/proc/self/status", encoding="utf-8") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM"))
    print(json.dumps({"peak_rss_mb": round(hwm / 1024, 1)}))


def peak_rss(precision: str) -> dict[str, float]:
    """Peak RSS of a fresh process with every path loaded: with the int8 graph already built (every
    start but the first), and on the first start, which exports and quantises it (an empty temp dir)."""
    import tempfile

    out: dict[str, float] = {}
    cmd = [sys.executable, __file__, "--rss-child", "--precision", precision]
    with tempfile.TemporaryDirectory() as empty:
        for key, env in (("peak_rss_mb", None), ("peak_rss_mb_first_start", {**os.environ, "TMPDIR": empty})):
            child = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
            out[key] = json.loads(child.stdout.strip().splitlines()[-1])["peak_rss_mb"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--precision", default="auto", help="classifier.precision of the English path (default auto)")
    ap.add_argument("--rss-child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        rss_child(args.precision)
        return
    import torch

    from classifiers.language import LanguageIdentifier
    from classifiers.minilm import MiniLMClassifier

    torch.set_num_threads(2)
    tweets = _tweets(args.n)
    ident = LanguageIdentifier()
    ident.load()
    t = time.perf_counter()
    langs = ident.detect_many(tweets)
    lid_rate = len(tweets) / (time.perf_counter() - t)
    clf = MiniLMClassifier(threads=2, precision=args.precision)
    clf.load()
    dev = dev_set(DEV)
    foreign = _foreign()
    foreign = (foreign * (args.n // len(foreign) + 1))[: args.n]
    english = [t for t, d in zip(tweets, langs, strict=True) if d.code in ("en", "und")]
    out: dict[str, Any] = {
        "model_version": clf.version,
        "language_id_posts_per_s": round(lid_rate),
        "tweets_detected": {k: sum(d.code == k for d in langs) for k in sorted({d.code for d in langs})},
        "english_mentions_per_s": round(rate(clf.predict, english, args.batch), 1),
        "other_languages_mentions_per_s": round(rate(clf.predict, foreign, args.batch), 1),
        "other_languages_addressed_mentions_per_s": round(
            rate(clf.predict, [f"@BrandSupport {t}" if not t.startswith("@") else t for t in foreign], args.batch), 1),
    }
    preds = clf.predict([r["text"] for r in dev])
    per: dict[str, Any] = {}
    for lang in sorted({r["language"] for r in dev}):
        idx = [i for i, r in enumerate(dev) if r["language"] == lang]
        m = binary_metrics([int(dev[i]["label"]) for i in idx], [preds[i].complaint for i in idx])
        per[lang] = {"n": len(idx), "accuracy": round(m["accuracy"], 3), "macro_f1": round(m["macro_f1"], 3),
                     "paths": sorted({preds[i].path for i in idx})}
    non_en = [i for i, r in enumerate(dev) if r["language"] != "en"]
    m = binary_metrics([int(dev[i]["label"]) for i in non_en], [preds[i].complaint for i in non_en])
    out["dev_non_english_complaint"] = {"n": len(non_en), "macro_f1": round(m["macro_f1"], 3), "per_language": per}
    out.update(peak_rss(args.precision))
    print(json.dumps(out, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()
