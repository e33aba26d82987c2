"""The clean holdout report for an adapter: the scores the model card and the targets quote.

Why a module: the numbers that decide whether a target is met must come from one protocol that
anyone can rerun, not from a notebook. The adapter was trained on the stratified 80 % split (seed
13) of every set; here heads are fitted on that same 80 % with the shipped head protocol (C by
5-fold CV, calibration on out-of-fold scores) and scored once on the 20 % that neither adapter nor
heads saw. Sentiment's head is the shipped one's: fitted on the whole SemEval pool, which TweetEval
val is not part of, and scored on TweetEval val and an airline-tweet sample.

    python -m classifiers.holdout --adapter data/models/careline-tagger/adapter [--write-manifest DIR]
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
            "part with C by 5-fold CV over the shipped grid; sentiment head on the whole SemEval pool (as shipped), "
            "scored on TweetEval val and 2,000 airline tweets; 95% bootstrap intervals (500 resamples). "
            "python -m classifiers.holdout")


def report(adapter_dir: Path | None, progress: Any = None) -> dict[str, Any]:
    """Clean holdout scores of the heads on ``adapter_dir``'s embeddings (None: the frozen encoder)."""
    from classifiers import data
    from classifiers.encoder import Encoder
    from classifiers.lora import split
    from classifiers.metrics import binary_metrics, bootstrap_ci
    from classifiers.train import EmbeddingCache, TrainConfig, _round, check_head, train_head

    embed = EmbeddingCache(Encoder(adapter_dir=adapter_dir), None, progress)
    cfg = TrainConfig(Path("unused"), seed=SPLIT_SEED)
    out: dict[str, Any] = {}
    sets = {"complaint": data.complaints(), "detractor": data.nps_detractor(),
            "intent (old mix labels)": data.intents(INTENT_PER_SOURCE_CLASS, SPLIT_SEED)[0]}
    for label, lab in sets.items():
        train, test = split(lab, HOLDOUT, SPLIT_SEED)
        name = label.split()[0]
        head, rep = train_head(name, embed(f"{name} 80%", train.texts), train.labels, cfg)
        x_test = embed(f"{name} 20%", test.texts)
        if name == "intent":
            m = check_head(head, x_test, test.labels)
            out[label] = {"macro_f1": m["macro_f1"], "macro_recall": m["macro_recall"], "C": rep["C"], "n": len(test)}
            continue
        y, p = np.asarray([int(v) for v in test.labels]), head.proba(x_test)
        m = binary_metrics(y, p)
        out[label] = {k: m[k] for k in ("macro_f1", "auroc", "brier", "ece")}
        out[label]["macro_f1_ci95"] = bootstrap_ci(lambda a, b: binary_metrics(a, b)["macro_f1"], y, p)
        out[label]["auroc_ci95"] = bootstrap_ci(lambda a, b: binary_metrics(a, b)["auroc"], y, p)
        out[label].update(C=rep["C"], n=len(test))
    pool = data.semeval_pool()
    head, rep = train_head("sentiment", embed("sentiment pool", pool.texts), pool.labels, cfg)
    for check in (data.tweeteval_val(), data.airline_sentiment().subsample(2000, SPLIT_SEED)):
        m = check_head(head, embed(check.name, check.texts), check.labels)
        out[f"sentiment {check.name}"] = {k: m[k] for k in ("macro_recall", "macro_recall_ci95", "macro_f1")}
        out[f"sentiment {check.name}"]["n"] = len(check)
    out["sentiment tweeteval-val"]["C"] = rep["C"]
    return dict(_round(out))


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--adapter", default=None, help="adapter directory (default: the frozen encoder)")
    ap.add_argument("--write-manifest", default=None, metavar="MODEL_DIR",
                    help="store the report as protocol.lora_holdout.this_adapter in MODEL_DIR/manifest.json")
    args = ap.parse_args(argv)
    from tqdm import tqdm

    rep = report(Path(args.adapter) if args.adapter else None,
                 progress=lambda desc, n: tqdm(total=n, desc=desc, unit="text", file=sys.stderr))
    sys.stdout.write(json.dumps(rep, indent=2) + "\n")
    if args.write_manifest:
        path = Path(args.write_manifest) / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["protocol"]["lora_holdout"] = {"protocol": PROTOCOL, "this_adapter": rep}
        path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
