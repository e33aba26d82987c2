"""Does anything else in complaints-xci-severity help the severity head? (issue 20; model card, "Severity")

X-CI labels each tweet with more than its severity: an annotated cause span (the words that carry
the complaint), an emotion and a polarity. Three ways to use them, and one other encoder, each scored
the way the model card scores severity: 5 stratified folds over the 2,758 tweets, a balanced
multinomial head trained on the other folds (the shipped recipe), macro-F1 over the five levels on
the 552 tweets the adapter never saw, out of fold, at every C of the grid and on two fold draws
(a gain must hold across both, not at one chosen point):

- ``spans``: the cause spans of the training folds' complaints as extra rows with their level;
- ``stack``: out-of-fold emotion (anger, sadness, joy, other) and polarity probabilities beside
  the embedding;
- ``use``: the multilingual USE embedding (512) beside MiniLM's (384).

Nothing here is fitted to a scored row, and nothing is shipped by it. About 2 minutes on 2 cores,
the embeddings cached under the temp dir. Run: ``PYTHONPATH=. python benchmarks/severity_aux.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
C_GRID = (0.002, 0.005, 0.01, 0.02)
SEEDS = (13, 14)
XCI = "complaints-xci-severity/train.csv"


def _softmax(z: Any) -> Any:
    import numpy as np

    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def aux_probs(x: Any, labels: Any, seed: int) -> Any:
    """Every row's out-of-fold probabilities of an auxiliary label (emotion, polarity)."""
    import numpy as np

    from classifiers.train import _fit_lr, _folds

    classes, y = np.unique(labels, return_inverse=True)
    p = np.zeros((len(y), len(classes)))
    for tr, te in _folds(y, None, 5, seed + 1):
        w, b = _fit_lr(x[tr], y[tr], 0.01, True, len(classes))
        p[te] = _softmax(x[te] @ w.T + b)
    return p


def score(y: Any, unseen: Any, strata: list[str], feats: Any, c: float, seed: int,
          extra: Callable[[Any], tuple[Any, Any]] | None = None) -> float:
    """Macro-F1 on the unseen rows, out of fold; ``extra(train_idx)`` adds training rows."""
    import numpy as np
    from sklearn.metrics import f1_score

    from classifiers.train import _fit_lr, _folds

    z = np.zeros((len(y), 5))
    for tr, te in _folds(y, strata, 5, seed):
        xt, yt = feats[tr], y[tr]
        if extra is not None:
            ex, ey = extra(tr)
            xt, yt = np.r_[xt, ex], np.r_[yt, ey]
        w, b = _fit_lr(xt, yt, c, True, 5)
        z[te] = feats[te] @ w.T + b
    return float(f1_score(y[unseen], z[unseen].argmax(1), average="macro"))


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    import numpy as np

    from classifiers import data
    from classifiers.multilingual import UseEncoder
    from classifiers.train import adapter_seen_texts
    from classifiers.train_extra import _minilm_embedder, use_embedder

    rows = [r for r in data._rows(XCI) if r["severity"].strip() in data.SEVERITIES]
    texts = [r["text_acl2019"] for r in rows]
    y = np.array([int(r["severity"]) for r in rows])
    spans = [r["cause_span"].strip() for r in rows]
    emotion = np.array([r["emotion"].strip().lower() for r in rows])
    emotion = np.where(np.isin(emotion, ["anger", "sadness", "joy"]), emotion, "other")  # the rest: 27 rows
    polarity = np.array([r["sentiment"].strip().lower() for r in rows])
    _, embed, adapter = _minilm_embedder(Path("data/models/careline-tagger"))
    seen = adapter_seen_texts(adapter)["complaint"]
    unseen = np.array([t not in seen for t in texts])
    strata = [f"{a}|{int(u)}" for a, u in zip(y, unseen, strict=True)]
    print(f"{len(y)} tweets, {int(unseen.sum())} the adapter never saw", file=sys.stderr)
    x = embed(texts)
    # a span worth adding: a complaint's, not empty, not "no cause", not the whole tweet again
    useful = np.array([bool(s) and s.lower() != "no cause" and s != t and int(lv) > 0
                       for s, t, lv in zip(spans, texts, y, strict=True)])
    xs = embed([s if ok else t for s, t, ok in zip(spans, texts, useful, strict=True)])
    use = UseEncoder(threads=2)
    use.load()
    xu = use_embedder(use)(texts)

    def spans_of(tr: Any) -> tuple[Any, Any]:
        keep = tr[useful[tr]]
        return xs[keep], y[keep]

    out: dict[str, Any] = {}
    for seed in SEEDS:
        stack = np.c_[x, aux_probs(x, emotion, seed), aux_probs(x, polarity, seed)]
        for c in C_GRID:
            row = {"head alone": score(y, unseen, strata, x, c, seed),
                   "+ cause spans": score(y, unseen, strata, x, c, seed, spans_of),
                   "+ emotion, polarity": score(y, unseen, strata, stack, c, seed),
                   "+ USE embedding": score(y, unseen, strata, np.c_[x, xu], c, seed)}
            out[f"draw {seed}, C={c}"] = {k: round(v, 4) for k, v in row.items()}
            print(f"draw {seed} C={c}: " + "  ".join(f"{k} {v:.3f}" for k, v in row.items()))
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
