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

Intent is the one of these scores with labels abroad: ``data/dev/intent_multilingual.csv`` (300 posts,
2 a language and intent in fifteen languages, written apart from the training posts and never fitted
on). Its macro-F1 over the ten intents and each language's accuracy are printed too, through the same
``predict`` (the praise head and Hungarian's keyword path included).
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


INTENT_DEV = ROOT / "data" / "dev" / "intent_multilingual.csv"


def intent_scores(clf: Any) -> dict[str, Any]:
    """Macro-F1 over the ten intents and accuracy per language, top intent against the writer's label."""
    from sklearn.metrics import f1_score

    from classifiers.abc import INTENTS

    with INTENT_DEV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    preds = clf.predict([r["text"] for r in rows])
    y = [r["intent"] for r in rows]
    got = [p.intent_label for p in preds]
    languages = sorted({r["language"] for r in rows})
    out = {"n": len(rows), "macro_f1": round(float(f1_score(y, got, average="macro", labels=list(INTENTS))), 3),
           "accuracy_by_language": {lang: round(sum(g == t for g, t, r in zip(got, y, rows, strict=True)
                                                    if r["language"] == lang)
                                                / sum(r["language"] == lang for r in rows), 2)
                                    for lang in languages}}
    keep = _repeat_no_training_post(clf, [r["text"] for r in rows])
    if keep is not None:
        out["no_near_duplicate"] = {"n": int(keep.sum()), "macro_f1": round(float(f1_score(
            [v for v, k in zip(y, keep, strict=True) if k], [v for v, k in zip(got, keep, strict=True) if k],
            average="macro", labels=list(INTENTS))), 3)}
    return out


def _repeat_no_training_post(clf: Any, texts: list[str]) -> Any:
    """Which dev posts have no written training post within ``train_extra.NEAR_DUPLICATE`` (USE cosine)."""
    from classifiers.data import intent_written
    from classifiers.train_extra import far_from

    if clf.multilingual is None:
        return None
    encoder = clf.multilingual.encoder
    return far_from(encoder.embed(texts), encoder.embed(intent_written()[0].texts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=["b", "d", "f"], help="dev sets by letter (default: b d f)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args()
    from sklearn.metrics import roc_auc_score

    from classifiers.minilm import MiniLMClassifier

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
    if INTENT_DEV.exists():
        out["intent"] = intent_scores(clf)
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
    if "intent" in out:
        r = out["intent"]
        print(f"\nintent, {INTENT_DEV.relative_to(ROOT)} ({r['n']} posts): macro-F1 over the ten intents "
              f"{r['macro_f1']}; accuracy by language {r['accuracy_by_language']}")
        if "no_near_duplicate" in r:
            clean = r["no_near_duplicate"]
            print(f"  the {clean['n']} posts no training post repeats (USE cosine < 0.75): "
                  f"macro-F1 {clean['macro_f1']}")


if __name__ == "__main__":
    main()
