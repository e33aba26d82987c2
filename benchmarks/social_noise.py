"""Do the complaint scores of posts in other languages hold when posts look like real mentions?

    .venv/bin/python benchmarks/social_noise.py [--sets b d f] [--json]

Our multilingual dev sets (``data/dev/multilingual_*.csv``, written apart, never fitted on) are
mostly plain sentences; real mentions open with the brand's handle, end in a link, carry emoji and
hashtags, and are sometimes shouted in capitals. This takes every non-English post with its
@handles removed (the plain form) and scores it again in five dressed forms, each applied to every
post, through the public ``predict`` (language ID and routing included). Per form: complaint
macro-F1 and AUROC against the label, how many posts change language or cross 0.5, and the mean
change in the complaint score; and the same for the intent and sentiment check sets
(``data/dev/intent_multilingual.csv``, ``sentiment_multilingual.csv``, non-English posts): intent
macro-F1, sentiment macro-recall, and how many posts change their reading. Nothing here is fitted; it
says how far decoration alone moves a score, so a fall on some form is a failure mode to read in the
model card, not a number to tune.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

HANDLE = re.compile(r"@\w+\s*")

#: How real mentions dress a sentence. The handles and the link are made up; "#help" is a tag
#: brands ask customers to use, so it should not by itself make a post a complaint.
FORMS: dict[str, Callable[[str], str]] = {
    "brand handle first": lambda t: f"@BrandSupport {t}",
    "link at the end": lambda t: f"{t} https://t.co/x8Kq2",
    "two handles and an emoji": lambda t: f"@acme_help @acme {t} 🙄",
    "all capitals": str.upper,
    "#help at the end": lambda t: f"{t} #help",
}


def plain_rows(sets: list[str]) -> tuple[list[str], list[int]]:
    """Every non-English post of the named dev sets without its @handles, and its complaint label."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from foreign_scores import dev_rows

    rows = [r for name in sets for r in dev_rows(name)]
    return [HANDLE.sub("", r["text"]).strip() for r in rows], [int(r["label"]) for r in rows]


def check_rows(task: Any) -> tuple[list[str], list[str]]:
    """The non-English posts of ``task``'s check set (a ``train_extra.ForeignTask``: intent or sentiment)
    without their @handles, and their labels."""
    from classifiers.train_extra import dev_set

    rows = [r for r in dev_set(task.dev) if r["language"] != "en"]
    return [HANDLE.sub("", r["text"]).strip() for r in rows], [r[task.name].strip() for r in rows]


def compare_readings(clf: Any, task: Any, texts: list[str], y: list[str]) -> dict[str, Any]:
    """``task``'s score (intent macro-F1, sentiment macro-recall) plain and in each dressed form, and how
    many posts the form gives another reading."""
    from classifiers.metrics import classification_metrics

    def read(form: Callable[[str], str]) -> list[str]:
        return [getattr(p, f"{task.name}_label") for p in clf.predict([form(t) for t in texts])]

    def score(got: list[str]) -> float:
        return round(classification_metrics(y, got, task.classes)[task.metric], 3)

    plain = read(str)
    out: dict[str, Any] = {"plain": {task.metric: score(plain)}}
    for name, dress in FORMS.items():
        got = read(dress)
        out[name] = {task.metric: score(got),
                     "changed": sum(a != b for a, b in zip(plain, got, strict=True))}
    return out


def compare(clf: Any, texts: list[str], y: list[int]) -> dict[str, Any]:
    """The plain form's scores, then each dressed form's against them."""
    import numpy as np

    from classifiers.metrics import binary_metrics

    plain = clf.predict(texts)
    p0 = np.asarray([p.complaint for p in plain])
    m0 = binary_metrics(y, p0)
    out: dict[str, Any] = {"plain": {"macro_f1": round(m0["macro_f1"], 3), "auroc": round(m0["auroc"], 3)}}
    for name, dress in FORMS.items():
        preds = clf.predict([dress(t) for t in texts])
        p = np.asarray([q.complaint for q in preds])
        m = binary_metrics(y, p)
        out[name] = {"macro_f1": round(m["macro_f1"], 3), "auroc": round(m["auroc"], 3),
                     "language_changed": sum(a.language != b.language for a, b in zip(plain, preds, strict=True)),
                     "crossed_half": int(((p >= 0.5) != (p0 >= 0.5)).sum()),
                     "mean_change": round(float((p - p0).mean()), 3)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["b", "d", "f"], help="dev sets by letter (default: b d f)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--precision", default="auto", help="the English path's precision (default auto, as shipped)")
    args = parser.parse_args()
    from classifiers.minilm import MiniLMClassifier
    from classifiers.train_extra import FOREIGN_TASKS

    clf = MiniLMClassifier(threads=2, precision=args.precision)
    clf.load()
    texts, y = plain_rows(args.sets)
    out = {"model": clf.version, "sets": args.sets, "n": len(texts), "forms": compare(clf, texts, y)}
    for task in FOREIGN_TASKS.values():
        task_texts, labels = check_rows(task)
        out[task.name] = {"n": len(task_texts), "forms": compare_readings(clf, task, task_texts, labels)}
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(f"model {out['model']}; {out['n']} non-English posts of sets {' '.join(args.sets)}")
    print(f"  {'form':26s} {'macro-F1':>8s} {'AUROC':>6s} {'lang moved':>10s} {'crossed .5':>10s} {'mean change':>11s}")
    for name, r in out["forms"].items():
        rest = (f"{r['language_changed']:10d} {r['crossed_half']:10d} {r['mean_change']:+11.3f}"
                if name != "plain" else "")
        print(f"  {name:26s} {r['macro_f1']:8.3f} {r['auroc']:6.3f} {rest}")
    for task in FOREIGN_TASKS.values():
        print(f"\n{task.name}: {out[task.name]['n']} non-English posts of its check set")
        print(f"  {'form':26s} {task.metric:>12s} {'changed':>8s}")
        for name, r in out[task.name]["forms"].items():
            changed = f"{r['changed']:8d}" if name != "plain" else ""
            print(f"  {name:26s} {r[task.metric]:12.3f} {changed}")


if __name__ == "__main__":
    main()
