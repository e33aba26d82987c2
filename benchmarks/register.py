"""Complaint triage abroad on posts written the way people type them: slang, typos, English words.

    .venv/bin/python benchmarks/register.py [FILE.csv ...] [--json]

Every other set we wrote in other languages is written in full sentences, correctly spelled, with few
handles and no links (``benchmarks/social_noise.py`` dresses them up mechanically). The register sets
(``data/dev/register_<language>.csv``, default: all of them) were written apart by one helper a
language, told to write as people type on phones: lowercase, dropped accents, the language's own
abbreviations and internet slang, emoji, handles and hashtags on half the posts, links or order
numbers on a quarter, English words mixed in on a third. Each has 40 complaints and 40 other posts,
of set kinds (``kind``). Nothing was ever fitted on them.

Through the public ``predict`` (language identification and routing included) this prints, overall and
for each language the writer was asked for: complaint macro-F1 with a 95 % bootstrap interval,
accuracy, how often the identifier named the language (and what it named otherwise), the paths that
scored the posts, and accuracy per kind and for posts with and without a handle, link or code.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

#: A handle, a hashtag, a link or an order-number-like code: what a post carries besides its words.
DRESSING = re.compile(r"[@#]\w|https?://|bit\.ly|\b(?=\w*\d)(?=\w*[^\W\d])\w{4,}\b")


def rows_of(paths: list[Path]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for path in paths:
        with path.open(encoding="utf-8", newline="") as fh:
            out += list(csv.DictReader(fh))
    return out


def summary(y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    """Macro-F1 with its interval, and accuracy, of complaint scores ``p`` against labels ``y``."""
    from classifiers.metrics import binary_metrics, bootstrap_ci

    def f1(a: np.ndarray, b: np.ndarray) -> float:
        return binary_metrics(a, b)["macro_f1"]

    return {"n": len(y), "macro_f1": round(f1(y, p), 3),
            "macro_f1_ci95": [round(v, 3) for v in bootstrap_ci(f1, y, p, n=500, seed=0)],
            "accuracy": round(float(((p >= 0.5) == y).mean()), 3)}


def accuracy_by(keys: list[str], y: np.ndarray, p: np.ndarray) -> dict[str, Any]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[k].append(i)
    return {k: {"n": len(ix), "accuracy": round(float(((p[ix] >= 0.5) == y[ix]).mean()), 3)}
            for k, ix in sorted(groups.items())}


def score(rows: list[dict[str, str]], preds: list[Any]) -> dict[str, Any]:
    y = np.asarray([int(r["label"]) for r in rows])
    p = np.asarray([pred.complaint for pred in preds])
    asked = [r["language"] for r in rows]
    named = [pred.language or "?" for pred in preds]
    hit = np.mean([a == n for a, n in zip(asked, named, strict=True)])
    out: dict[str, Any] = {**summary(y, p), "language_named": round(float(hit), 3), "by_language": {}}
    for lang in sorted(set(asked)):
        at = [i for i, a in enumerate(asked) if a == lang]
        wrong = Counter(named[i] for i in at if named[i] != lang)
        out["by_language"][lang] = {
            **summary(y[at], p[at]),
            "language_named": round(1 - sum(wrong.values()) / len(at), 3), "named_instead": dict(wrong.most_common()),
            "paths": dict(Counter(preds[i].path for i in at)),
            "accuracy_when_named": round(float(np.mean([(p[i] >= 0.5) == y[i] for i in at if named[i] == lang]
                                                       or [np.nan])), 3)}
    out["by_kind"] = accuracy_by([f"{r['label']}:{r['kind']}" for r in rows], y, p)
    out["by_dressing"] = accuracy_by(["dressed" if DRESSING.search(r["text"]) else "bare" for r in rows], y, p)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="labelled CSVs with text, label, language, kind (default: data/dev/register_*.csv)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    from classifiers.minilm import MiniLMClassifier

    files = args.files or sorted((ROOT / "data" / "dev").glob("register_*.csv"))
    if not files:
        parser.error("no register set found: pass CSV files")
    rows = rows_of(files)
    clf = MiniLMClassifier(threads=2, precision="int8")
    clf.load()
    out = {"model": clf.version, **score(rows, clf.predict([r["text"] for r in rows]))}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(f"model {out['model']}: {out['n']} posts, complaint macro-F1 {out['macro_f1']} {out['macro_f1_ci95']}, "
          f"accuracy {out['accuracy']}, language named {out['language_named']}")
    print(f"{'language':<9}{'n':>4}{'macro-F1':>10}{'95 %':>16}{'accuracy':>10}{'named':>7}  named instead / paths")
    for lang, s in out["by_language"].items():
        ci = f"[{s['macro_f1_ci95'][0]:.3f}, {s['macro_f1_ci95'][1]:.3f}]"
        print(f"{lang:<9}{s['n']:>4}{s['macro_f1']:>10.3f}{ci:>16}{s['accuracy']:>10.3f}{s['language_named']:>7.2f}  "
              f"{s['named_instead']} {s['paths']}")
    for part in ("by_kind", "by_dressing"):
        print(part.replace("_", " ") + ": " + ", ".join(f"{k} {v['accuracy']:.2f} ({v['n']})"
                                                       for k, v in out[part].items()))


if __name__ == "__main__":
    main()
