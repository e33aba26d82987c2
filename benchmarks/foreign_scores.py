"""How the scores other than complaint read posts in other languages, by proxy.

    .venv/bin/python benchmarks/foreign_scores.py [--sets b d f] [--json]

No foreign post we have carries a sentiment, detractor or intent label; our multilingual dev sets
(``data/dev/multilingual_*.csv``, written apart, never fitted on) carry a complaint label and the
kind of post the writer was asked for (praise, thanks after a fix, question, request, chatter,
explicit, polite, factual, sarcastic or question-form complaint). A kind says what a score should
lean to: praise is positive, an explicit complaint negative, a question neutral and of the question
intent, and no praise, thank-you, question, request or chatter is a likely detractor. This prints,
per kind and for every non-English post through the public ``predict`` (language ID and routing
included): the share whose detractor score is 0.5 or more, the sentiment and intent each post is
read as, and how well the detractor and negative-sentiment scores rank complaints above the rest
(AUROC against the complaint label). A proxy for direction, not an accuracy.

Intent and sentiment also have labelled check sets abroad: ``data/dev/intent_multilingual.csv`` (300
posts, 2 a language and intent) and ``data/dev/sentiment_multilingual.csv`` (225 posts, 5 a language and
sentiment), in fifteen languages, written apart from the training posts and never fitted on. Their
macro-F1 (intent) and macro-recall (sentiment) and each language's accuracy are printed too, through
the same ``predict`` (the praise head and Hungarian's keyword path included). The detractor score is
checked on NPS survey comments we wrote in the same languages (``data/dev/nps_multilingual.csv``, 180
comments with their 0-10 score), as the English detractor target is on English survey comments.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def dev_rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "data" / "dev" / f"multilingual_{name}.csv").open(encoding="utf-8", newline="") as fh:
        return [r for r in csv.DictReader(fh) if r["language"] != "en"]


def by_kind(rows: list[dict[str, str]], preds: list[Any]) -> dict[str, dict[str, Any]]:
    """Per kind: n, share of likely detractors, the commonest sentiment and intent readings."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for row, pred in zip(rows, preds, strict=True):
        groups[row["kind"]].append(pred)
    return {kind: {"n": len(ps),
                   "detractor_at_half": round(sum(p.detractor >= 0.5 for p in ps) / len(ps), 2),
                   "sentiment": dict(Counter(p.sentiment_label for p in ps).most_common()),
                   "intent": dict(Counter(p.intent_label for p in ps).most_common())}
            for kind, ps in sorted(groups.items())}


def check_set_scores(clf: Any, task: Any) -> dict[str, Any]:
    """``task``'s score (a ``train_extra.ForeignTask``: intent macro-F1, sentiment macro-recall) on its check
    set through ``predict``, each language's accuracy, and the score on the posts no training post repeats."""
    from classifiers.data import written_labelled
    from classifiers.train_extra import far_from

    with task.dev.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    preds = clf.predict([r["text"] for r in rows])
    y = [task.classes.index(r[task.name]) for r in rows]
    got = [task.classes.index(getattr(p, f"{task.name}_label")) for p in preds]
    languages = sorted({r["language"] for r in rows})

    def score(mask: list[bool]) -> float:
        return round(task.score(*(np.asarray([v for v, k in zip(a, mask, strict=True) if k]) for a in (y, got))), 3)

    def accuracy(lang: str) -> float:
        return round(float(np.mean([g == t for g, t, r in zip(got, y, rows, strict=True) if r["language"] == lang])), 2)

    out: dict[str, Any] = {"n": len(rows), task.metric: score([True] * len(rows)),
                           "accuracy_by_language": {lang: accuracy(lang) for lang in languages}}
    if clf.multilingual is not None:
        encoder = clf.multilingual.encoder
        seen = encoder.embed(written_labelled(task.name, task.classes)[0].texts)
        keep = far_from(encoder.embed([r["text"] for r in rows]), seen).tolist()
        out["no_near_duplicate"] = {"n": int(sum(keep)), task.metric: score(keep)}
    return out


NPS_CHECK = ROOT / "data" / "dev" / "nps_multilingual.csv"


def detractor_scores(clf: Any) -> dict[str, Any]:
    """AUROC of the detractor score against the survey score (0-6 = detractor) on survey comments we wrote in
    fifteen languages (``data/dev/nps_multilingual.csv``): the foreign twin of the English detractor target."""
    from sklearn.metrics import roc_auc_score

    from classifiers.data import is_detractor
    from classifiers.metrics import bootstrap_ci

    with NPS_CHECK.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    preds = clf.predict([r["text"] for r in rows])
    y = np.asarray([is_detractor(r["score"]) for r in rows])
    p = np.asarray([pred.detractor for pred in preds])
    return {"n": len(rows), "auroc": round(float(roc_auc_score(y, p)), 3),
            "auroc_ci95": [round(v, 3) for v in bootstrap_ci(roc_auc_score, y, p, n=500, seed=0)],
            "paths": dict(Counter(pred.path for pred in preds))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["b", "d", "f"], help="dev sets by letter (default: b d f)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    from sklearn.metrics import roc_auc_score

    from classifiers.minilm import MiniLMClassifier
    from classifiers.train_extra import FOREIGN_TASKS

    clf = MiniLMClassifier(threads=2, precision="int8")
    clf.load()
    out: dict[str, Any] = {"model": clf.version}
    for name in args.sets:
        rows = dev_rows(name)
        preds = clf.predict([r["text"] for r in rows])
        y = [int(r["label"]) for r in rows]
        negative = [p.sentiment["negative"] for p in preds]
        out[name] = {"n": len(rows),
                     "detractor_auroc_vs_complaint": round(roc_auc_score(y, [p.detractor for p in preds]), 3),
                     "negative_auroc_vs_complaint": round(roc_auc_score(y, negative), 3),
                     "kinds": by_kind(rows, preds)}
    for task in FOREIGN_TASKS.values():
        if task.dev.exists():
            out[f"{task.name}_check_set"] = check_set_scores(clf, task)
    if NPS_CHECK.exists():
        out["detractor_check_set"] = detractor_scores(clf)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"model {out['model']}")
    for name in args.sets:
        r = out[name]
        print(f"\nset {name}: {r['n']} non-English posts; AUROC against the complaint label: detractor "
              f"{r['detractor_auroc_vs_complaint']}, negative sentiment {r['negative_auroc_vs_complaint']}")
        print(f"  {'kind':20s} {'n':>3s}  {'detractor>=.5':>13s}  sentiment / intent")
        for kind, k in r["kinds"].items():
            intents = dict(list(k["intent"].items())[:3])  # the three commonest; --json has them all
            print(f"  {kind:20s} {k['n']:3d}  {k['detractor_at_half']:13.2f}  {k['sentiment']} / {intents}")
    for task in FOREIGN_TASKS.values():
        if (r := out.get(f"{task.name}_check_set")) is None:
            continue
        print(f"\n{task.name}, {task.dev.relative_to(ROOT)} ({r['n']} posts): {task.metric} "
              f"{r[task.metric]}; accuracy by language {r['accuracy_by_language']}")
        if "no_near_duplicate" in r:
            clean = r["no_near_duplicate"]
            print(f"  the {clean['n']} posts no training post repeats (USE cosine < 0.75): "
                  f"{task.metric} {clean[task.metric]}")
    if (d := out.get("detractor_check_set")) is not None:
        print(f"\ndetractor, {NPS_CHECK.relative_to(ROOT)} ({d['n']} survey comments): AUROC {d['auroc']} "
              f"{d['auroc_ci95']} against the score (0-6 = detractor); paths {d['paths']}")


if __name__ == "__main__":
    main()
