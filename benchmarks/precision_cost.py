"""What a reduced precision costs in quality: the shipped classifier's scores under two precisions,
on the same labelled rows, with a paired 95 % bootstrap interval of the difference. With
``--b-model-dir`` it compares two models instead (a refit against the shipped one, say) at one
precision each.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/precision_cost.py [--a bf16] [--b int8]
    PYTHONPATH=$PWD .venv/bin/python benchmarks/precision_cost.py --a int8 --b int8 --b-model-dir DIR

Why paired: every set here is scored twice by the same heads, so the question is how far the
second precision moves each score, not what the score is. The rows:

- complaint and detractor: the 20 % holdout split (seed 13) the adapter never trained on. The
  shipped heads calibrated on these rows, so the scores themselves are optimistic; the difference
  between precisions is not (both use the same heads);
- intent: the same 20 % holdout of the intent mix;
- sentiment: TweetEval val, its part that repeats no pool tweet, and the 2,000 airline tweets of
  the sentiment check (never fitted);
- sarcasm: the four written dev sets, the sarcasm signal and the complaint score after the
  correction (never fitted);
- severity: every labelled severity row (the adapter saw most of them: a paired comparison only);
- multilingual set d: complaint over all its languages (only its English rows take the MiniLM path).

Needs ``../shared``. Takes about 3 CPU minutes per precision on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from classifiers.abc import Prediction  # noqa: E402
from classifiers.cli import evaluate_predictions  # noqa: E402

# (set name, task, metric): the figure each set's target is stated in
SETS: tuple[tuple[str, str, str], ...] = (
    ("complaint holdout", "complaint", "macro_f1"),
    ("detractor holdout", "detractor", "auroc"),
    ("intent holdout", "intent", "macro_f1"),
    ("tweeteval val", "sentiment", "macro_recall"),
    ("tweeteval val unmatched", "sentiment", "macro_recall"),
    ("airline check", "sentiment", "macro_recall"),
    ("sarcasm b", "sarcasm", "macro_f1"), ("sarcasm b", "complaint", "macro_f1"),
    ("sarcasm c", "sarcasm", "macro_f1"), ("sarcasm c", "complaint", "macro_f1"),
    ("sarcasm e", "sarcasm", "macro_f1"), ("sarcasm e", "complaint", "macro_f1"),
    ("severity (all rows)", "severity", "macro_f1"),
    ("multilingual d", "complaint", "macro_f1"),
)


def labelled_sets() -> dict[str, tuple[list[str], list[str]]]:
    """Texts and CSV-style labels (as ``careline evaluate`` reads them) of every set above."""
    from classifiers import data
    from classifiers.lora import HOLDOUT, INTENT_PER_SOURCE_CLASS, SPLIT_SEED, split

    out: dict[str, tuple[list[str], list[str]]] = {}
    for name, lab in (("complaint", data.complaints()), ("detractor", data.nps_detractor()),
                      ("intent", data.intents(INTENT_PER_SOURCE_CLASS, SPLIT_SEED)[0])):
        test = split(lab, HOLDOUT, SPLIT_SEED)[1]
        labels = [str(v) for v in test.labels]
        if name == "detractor":  # the head's labels are 1 = detractor; evaluate reads 0-10 scores
            labels = ["0" if v == "1" else "10" for v in labels]
        out[f"{name} holdout"] = (list(test.texts), labels)
    for check in (data.tweeteval_val(), data.airline_check(seed=SPLIT_SEED)):
        out["tweeteval val" if "tweeteval" in check.name else "airline check"] = (list(check.texts), list(check.labels))
    unmatched = data.tweeteval_val_unmatched()
    out["tweeteval val unmatched"] = (list(unmatched.texts), list(unmatched.labels))
    for letter in "bce":
        out[f"sarcasm {letter}"] = data.read_eval_csv(ROOT / f"data/dev/sarcasm_{letter}.csv")
    sev = data.severity()
    out["severity (all rows)"] = (list(sev.texts), [str(v) for v in sev.labels])
    out["multilingual d"] = data.read_eval_csv(ROOT / "data/dev/multilingual_d.csv")
    return out


def predict_all(precision: str, texts: Sequence[str], model_dir: str | None = None, batch: int = 32
                ) -> list[Prediction]:
    from classifiers.minilm import build_classifier

    clf = build_classifier("minilm", model_dir, threads=2, precision=precision)
    clf.load()
    preds: list[Prediction] = []
    for i in range(0, len(texts), batch):
        preds.extend(clf.predict(list(texts[i : i + batch])))
    return preds


def paired(task: str, metric: str, labels: Sequence[str], a: Sequence[Prediction], b: Sequence[Prediction]
           ) -> tuple[float, float, tuple[float, float]]:
    """Both scores and a 95 % bootstrap interval of b - a over the same resampled rows."""
    from classifiers.metrics import bootstrap_ci

    def score(preds: Sequence[Prediction], idx: np.ndarray) -> float:
        return float(evaluate_predictions(task, [labels[i] for i in idx], [preds[i] for i in idx])[metric])

    every = np.arange(len(labels))
    diff: Callable[[np.ndarray], float] = lambda idx: score(b, idx) - score(a, idx)  # noqa: E731
    return score(a, every), score(b, every), bootstrap_ci(diff, every, n=200)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", default="bf16", help="first precision (default bf16)")
    ap.add_argument("--b", default="int8", help="second precision (default int8)")
    ap.add_argument("--a-model-dir", default=None, help="first model (default: the shipped one)")
    ap.add_argument("--b-model-dir", default=None, help="second model (default: the shipped one)")
    args = ap.parse_args()
    sets = labelled_sets()
    names = list(sets)
    texts = [t for n in names for t in sets[n][0]]
    runs = {"a": (args.a, args.a_model_dir), "b": (args.b, args.b_model_dir)}
    if runs["a"] == runs["b"]:
        ap.error("the two runs are the same: change a precision or a model directory")
    title = {k: precision + (f" ({Path(d).name})" if d else "") for k, (precision, d) in runs.items()}
    preds = {}
    for key, (precision, model_dir) in runs.items():
        t = time.perf_counter()
        preds[key] = predict_all(precision, texts, model_dir)
        print(f"{title[key]}: {len(texts)} posts in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    start, spans = 0, {}
    for n in names:
        spans[n] = (start, start + len(sets[n][0]))
        start += len(sets[n][0])
    print(f"| set | task | metric | {title['a']} | {title['b']} | b - a (95 % paired interval) | labels moved |")
    print("|---|---|---|---|---|---|---|")
    for name, task, metric in SETS:
        lo, hi = spans[name]
        a, b = preds["a"][lo:hi], preds["b"][lo:hi]
        labels = sets[name][1]
        sa, sb, (dlo, dhi) = paired(task, metric, labels, a, b)
        moved = label_moves(task, a, b)
        print(f"| {name} | {task} | {metric} | {sa:.4f} | {sb:.4f} | {sb - sa:+.4f} [{dlo:+.4f}, {dhi:+.4f}] "
              f"| {moved} of {len(labels)} |")


def label_moves(task: str, a: Sequence[Prediction], b: Sequence[Prediction]) -> int:
    """How many posts change their label for the task between the two runs."""
    def label(p: Prediction) -> object:
        return {"complaint": p.complaint >= 0.5, "detractor": p.detractor >= 0.5, "intent": p.intent_label,
                "sentiment": p.sentiment_label, "severity": p.severity_level,
                "sarcasm": (p.sarcasm or 0.0) >= 0.5}[task]
    return sum(label(x) != label(y) for x, y in zip(a, b, strict=True))


if __name__ == "__main__":
    main()
