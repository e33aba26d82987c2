"""What do the English complaint score and its sarcasm gate cost on real posts outside our training register?

    .venv/bin/python benchmarks/external_complaints.py [--precision fp32] [--json]

The sarcasm gate was chosen on tweets at brands (``complaints-acl2019``) and our written posts. Two
other labelled complaint sets in ``../shared/data`` were never trained on: CESAMARD's Amazon.in
reviews (title and text; long, and often praise with a caveat) and X-FINCORP's bank tweets
(severity 1-4 as a complaint). Each is scored through the shipped heads under four readings, all
from the same embeddings: the complaint head alone, the praise head wherever a post has positive
words (no correction), the shipped gate as ``predict`` applies it (posts over
``postprocess.SARCASM_MAX_CHARS`` characters not read for sarcasm), and the same gate without that
length bound. Also CESAMARD's own version of the sarcasm target: its sarcastic complaints against
its positive non-complaints. Nothing here is fitted; figures go in the model card ("Known failure
modes"), they are not numbers to tune the gate on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def readings(clf: Any, texts: list[str], y: list[int]) -> tuple[dict[str, Any], Any]:
    """Each reading's complaint scores for ``texts`` (``train_extra.GateScores``, as the gate's own
    choice scores gates), keyed by name."""
    import numpy as np

    from classifiers.ngrams import hashed_counts
    from classifiers.postprocess import NEVER, PRAISE_HEAD, Gate, has_praise
    from classifiers.train_extra import PLAIN, GateScores

    x = np.concatenate([clf.embed(texts[i:i + 32]) for i in range(0, len(texts), 32)])
    counts = hashed_counts(texts)
    heads = clf.heads
    base, praise_p = heads["complaint"].proba(x, counts), heads[PRAISE_HEAD].proba(x, counts)
    sarcasm = heads["sarcasm"].proba(x, counts)
    labels = np.asarray(y)
    bounded = GateScores.of_texts(labels, base, praise_p, sarcasm, texts)  # as ``predict`` reads them
    unbounded = GateScores(labels, base, praise_p, sarcasm, np.asarray([has_praise(t) for t in texts]))
    return {"complaint head alone": bounded.complaint(PLAIN),
            "praise head, no correction": unbounded.complaint(Gate(NEVER, NEVER)),
            "shipped gate, no length bound": unbounded.complaint(clf.gate),
            "shipped gate (as predicted)": bounded.complaint(clf.gate)}, labels


def score(scores: dict[str, Any], y: Any) -> dict[str, Any]:
    import numpy as np

    from classifiers.metrics import binary_metrics, bootstrap_ci

    out: dict[str, Any] = {}
    for name, p in scores.items():
        m = binary_metrics(y, p)
        out[name] = {"macro_f1": round(m["macro_f1"], 4), "auroc": round(m["auroc"], 4)}
    both = np.column_stack([scores["complaint head alone"], scores["shipped gate (as predicted)"]])
    out["shipped minus head alone, macro-F1 95 %"] = [
        round(v, 4) for v in bootstrap_ci(lambda a, b: binary_metrics(a, b[:, 1])["macro_f1"]
                                          - binary_metrics(a, b[:, 0])["macro_f1"], y, both, n=300)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", default="auto", help="the English path's precision (default auto, as shipped)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args()
    from classifiers import data
    from classifiers.minilm import MiniLMClassifier

    if not data.shared_data_dir().exists():
        raise SystemExit(f"needs the labelled sets in {data.shared_data_dir()} (../shared/data)")
    clf = MiniLMClassifier(threads=2, precision=args.precision)
    clf.load()
    reviews, sarcastic = data.cesamard()
    out: dict[str, Any] = {"model": clf.version, "gate": f"{clf.gate.sincere_below}/{clf.gate.sarcasm_on}", "sets": {}}
    for name, lab in (("CESAMARD reviews", reviews), ("X-FINCORP bank tweets", data.fincorp_complaints())):
        scores, y = readings(clf, list(lab.texts), [int(v) for v in lab.labels])
        out["sets"][name] = {"n": len(y), **score(scores, y)}
        if name.startswith("CESAMARD"):
            keep = [i for i, (s, v) in enumerate(zip(sarcastic, y, strict=True)) if s == bool(v)]
            sub = {k: p[keep] for k, p in scores.items()}
            out["sets"]["CESAMARD sarcastic complaints vs non-sarcastic non-complaints"] = {
                "n": len(keep), **score(sub, y[keep])}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"model {out['model']}; gate {out['gate']}")
    for name, r in out["sets"].items():
        print(f"{name} (n={r['n']})")
        for reading, m in r.items():
            if isinstance(m, dict):
                print(f"  {reading:32s} macro-F1 {m['macro_f1']:.4f}  AUROC {m['auroc']:.4f}")
        print(f"  shipped minus head alone: {r['shipped minus head alone, macro-F1 95 %']}")


if __name__ == "__main__":
    main()
