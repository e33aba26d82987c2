"""The clean holdout report for an adapter: the scores the model card and the targets quote.

Why a module: the numbers that decide whether a target is met must come from one protocol that
anyone can rerun, not from a notebook. The adapter was trained on the stratified 80 % split (seed
13) of every set; here heads are fitted on that same 80 % with the shipped head protocol (C by
5-fold CV, calibration on out-of-fold scores) and scored once on the 20 % that neither adapter nor
heads saw. Their n-gram stack is refused here: its map can only be fitted on rows the adapter
trained on, where the n-gram weight comes out negative, so these heads use the embedding alone and
``--crossfit`` measures the shipped recipe. Sentiment's head is the shipped one's: fitted on the
whole SemEval pool, from which TweetEval val's exact tweets were removed, and scored on TweetEval
val (whole, and without the tweets that nearly repeat a pool tweet) and an airline-tweet sample.

    python -m classifiers.holdout --adapter data/models/careline-tagger/adapter [--write-manifest DIR]
    python -m classifiers.holdout --adapter data/models/careline-tagger/adapter --crossfit
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.lora import HOLDOUT, INTENT_PER_SOURCE_CLASS, SPLIT_SEED

PROTOCOL = ("20% stratified holdout per task (seed 13) never seen by the adapter or the heads; heads fit on the 80% "
            "part with C by 5-fold CV over the shipped grid (the n-gram stack is refused: every row here "
            "trained the adapter; see protocol.crossfit); sentiment head on the whole SemEval pool (as shipped), "
            "scored on TweetEval val and 2,000 airline tweets; 95% bootstrap intervals (500 resamples). "
            "python -m classifiers.holdout")


SCORES = ("macro_f1", "auroc", "brier", "ece")


def _binary_scores(y: np.ndarray, p: np.ndarray, *, intervals: bool) -> dict[str, Any]:
    from classifiers.metrics import binary_metrics, bootstrap_ci

    m = binary_metrics(y, p)
    out: dict[str, Any] = {k: m[k] for k in SCORES}
    if intervals:
        out["macro_f1_ci95"] = bootstrap_ci(lambda a, b: binary_metrics(a, b)["macro_f1"], y, p)
        out["auroc_ci95"] = bootstrap_ci(lambda a, b: binary_metrics(a, b)["auroc"], y, p)
    return out


def report(adapter_dir: Path | None, progress: Any = None) -> dict[str, Any]:
    """Clean holdout scores of the heads on ``adapter_dir``'s embeddings (None: the frozen encoder)."""
    from classifiers import data
    from classifiers.encoder import Encoder
    from classifiers.lora import split
    from classifiers.train import EmbeddingCache, TrainConfig, _round, check_head, train_head

    embed = EmbeddingCache(Encoder(adapter_dir=adapter_dir), None, progress)
    cfg = TrainConfig(Path("unused"), seed=SPLIT_SEED)
    out: dict[str, Any] = {}
    sets = {"complaint": data.complaints(), "detractor": data.nps_detractor(),
            "intent (old mix labels)": data.intents(INTENT_PER_SOURCE_CLASS, SPLIT_SEED)[0]}
    for label, lab in sets.items():
        train, test = split(lab, HOLDOUT, SPLIT_SEED)
        name = label.split()[0]
        head, rep = train_head(name, embed(f"{name} 80%", train.texts), train.labels, cfg, texts=train.texts)
        x_test = embed(f"{name} 20%", test.texts)
        if name == "intent":
            m = check_head(head, x_test, test.labels)
            out[label] = {"macro_f1": m["macro_f1"], "macro_recall": m["macro_recall"], "C": rep["C"], "n": len(test)}
            continue
        y = np.asarray([int(v) for v in test.labels])
        out[label] = _binary_scores(y, head.proba_of_texts(x_test, test.texts), intervals=True)
        out[label].update(C=rep["C"], n=len(test), ngrams=head.ngrams is not None)
    pool = data.semeval_pool()
    head, rep = train_head("sentiment", embed("sentiment pool", pool.texts), pool.labels, cfg)
    checks = (data.tweeteval_val(), data.tweeteval_val_unmatched(), data.airline_check(seed=SPLIT_SEED))
    for check in (c for c in checks if len(c)):  # a stand-in val can repeat its whole pool
        m = check_head(head, embed(check.name, check.texts), check.labels)
        out[f"sentiment {check.name}"] = {k: m[k] for k in ("macro_recall", "macro_recall_ci95", "macro_f1")}
        out[f"sentiment {check.name}"]["n"] = len(check)
    out["sentiment tweeteval-val"]["C"] = rep["C"]
    return dict(_round(out))


CROSSFIT_PROTOCOL = ("the shipped head protocol (train_head with the unseen mask and n-grams) cross-fitted over the "
                     "rows the adapter never saw: 5 folds of those rows, per repeat a new draw; heads are trained "
                     "on every other row (the adapter's 80 % and four fifths of the 20 %) and score the fifth "
                     "that neither adapter, heads, calibration nor C selection saw; 95 % bootstrap intervals on "
                     "the first repeat. python -m classifiers.holdout --crossfit")


def crossfit(adapter_dir: Path, repeats: int = 2, folds: int = 5, progress: Any = None) -> dict[str, Any]:
    """Scores of the heads as ``careline train`` fits them, on rows nothing in the pipeline was fitted to.

    Why beside ``report``: the shipped heads also train on the 20 % the adapter never saw (more rows
    help new text) and calibrate on it, so the clean holdout above, whose heads never see it, scores
    a different recipe, and the "unseen" figures in the manifest chose C and calibration on the rows
    they score. Cross-fitting removes both. Each head is fitted twice per fold, with and without the
    n-gram logit, so the n-grams' gain is measured on the same folds.
    """
    from sklearn.model_selection import StratifiedKFold
    from tqdm import tqdm

    from classifiers.encoder import Encoder
    from classifiers.train import (
        EmbeddingCache,
        TrainConfig,
        _round,
        _unseen,
        adapter_seen_texts,
        load_training_sets,
        train_head,
    )

    cfg = TrainConfig(Path("unused"), adapter_dir=adapter_dir)
    sets = load_training_sets(cfg)
    embed = EmbeddingCache(Encoder(adapter_dir=adapter_dir), None, progress)
    seen = adapter_seen_texts(adapter_dir)
    out: dict[str, Any] = {"protocol": CROSSFIT_PROTOCOL}
    bar = tqdm(total=2 * repeats * folds, desc="cross-fit folds", file=sys.stderr)
    for name in ("complaint", "detractor"):
        lab = sets.train[name]
        texts, labels = list(lab.texts), np.asarray(lab.labels)
        x, y = embed(name, texts), labels.astype(int)
        unseen = _unseen(name, lab, seen, folds)
        if unseen is None:
            raise ValueError(f"{adapter_dir} does not record which {name} rows it held out")
        strata = np.asarray(sets.strata.get(name, labels))
        pool = np.flatnonzero(unseen)
        variants = {"with n-grams": cfg, "embedding alone": TrainConfig(Path("unused"), ngram_heads=())}
        scores: dict[str, list[dict[str, Any]]] = {v: [] for v in variants}
        for rep in range(repeats):
            p = {v: np.zeros(len(pool)) for v in variants}
            outer = StratifiedKFold(folds, shuffle=True, random_state=SPLIT_SEED + rep)
            for _, test_pos in outer.split(pool, y[pool]):
                test = pool[test_pos]
                train = np.setdiff1d(np.arange(len(y)), test)
                for v, vcfg in variants.items():
                    head, _ = train_head(name, x[train], list(labels[train]), vcfg, list(strata[train]),
                                         unseen[train], [texts[i] for i in train])
                    p[v][test_pos] = head.proba_of_texts(x[test], [texts[i] for i in test])
                bar.update()
            for v in variants:
                scores[v].append(_binary_scores(y[pool], p[v], intervals=rep == 0))
        out[name] = {v: {"repeats": s, "mean": {key: float(np.mean([r[key] for r in s])) for key in SCORES}}
                     for v, s in scores.items()}
        out[name]["n"] = len(pool)
    bar.close()
    return dict(_round(out))


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--adapter", default=None, help="adapter directory (default: the frozen encoder)")
    ap.add_argument("--write-manifest", default=None, metavar="MODEL_DIR",
                    help="store the report in MODEL_DIR/manifest.json: protocol.lora_holdout.this_adapter, "
                         "or protocol.crossfit with --crossfit")
    ap.add_argument("--crossfit", action="store_true",
                    help="instead: cross-fit the shipped head protocol over the rows the adapter never saw "
                         "(complaint and detractor, with and without n-grams; about 7 CPU min)")
    ap.add_argument("--repeats", type=int, default=2, help="--crossfit fold draws (default 2)")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    if args.crossfit:
        if not args.adapter:
            ap.error("--crossfit needs --adapter")
        rep = crossfit(Path(args.adapter), args.repeats,
                       progress=lambda desc, n: tqdm(total=n, desc=desc, unit="text", file=sys.stderr))
        sys.stdout.write(json.dumps(rep, indent=2) + "\n")
        if args.write_manifest:
            _store(Path(args.write_manifest), "crossfit", rep)
        return
    rep = report(Path(args.adapter) if args.adapter else None,
                 progress=lambda desc, n: tqdm(total=n, desc=desc, unit="text", file=sys.stderr))
    sys.stdout.write(json.dumps(rep, indent=2) + "\n")
    if args.write_manifest:
        _store(Path(args.write_manifest), "lora_holdout", {"protocol": PROTOCOL, "this_adapter": rep})


def _store(model_dir: Path, key: str, value: Any) -> None:
    """Keep a report in the model's manifest under ``protocol.<key>``, beside the training metrics.

    Entries already there and not in ``value`` stay (``lora_holdout.previous_adapter``, say).
    """
    path = model_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["protocol"][key] = {**manifest["protocol"].get(key, {}), **value}
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
