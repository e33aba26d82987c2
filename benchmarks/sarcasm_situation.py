"""Does the sarcasm lift need a negative situation left once the praise words are taken out?

    .venv/bin/python benchmarks/sarcasm_situation.py [--json]

Sarcasm at a brand is praise around a bad situation (Riloff et al. 2013: "love" + "3 hour delay").
The shipped correction lifts the complaint score to the sarcasm score whenever that reaches the
gate's ``sarcasm_on``, and on real posts outside our register it mostly lifts posts that are no
complaint ("Good write-up. One addition: ...", CESAMARD's short reviews). The idea measured here: lift
only where the post with its praise words removed (``postprocess.praise_words``) still reads as a
complaint to the complaint head (``>= m``); that costs a second forward pass on the few posts the lift
would turn. Every set is scored with the shipped heads, none fitted on: the four written sarcasm dev
sets and two real sets outside our register (CESAMARD reviews, X-FINCORP bank tweets). For each, how
often the lift turns a decision, how often rightly, and complaint macro-F1 for each ``m`` (0: the
shipped correction). Result 2026-12-05 in the model card ("A negative situation left after the
praise words"): not shipped.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

FLOORS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5)


def without_praise(text: str) -> str:
    """``text`` with every positive word of VADER's (``praise_words``) removed."""
    from classifiers.postprocess import praise_words

    words = praise_words()
    return re.sub(r"[A-Za-z][A-Za-z']*", lambda m: "" if m.group(0).lower() in words else m.group(0), text)


def measure(texts: list[str], labels: list[int], heads: Any, embed: Any, gate: Any) -> dict[str, Any]:
    """The lift's turns on one set, and complaint macro-F1 with each situation floor."""
    import numpy as np

    from classifiers.postprocess import NEVER, PRAISE_HEAD
    from classifiers.train_extra import GateScores, _f1

    x = np.concatenate([embed(texts[i:i + 256]) for i in range(0, len(texts), 256)])
    g = GateScores.of_texts(np.asarray(labels), heads["complaint"].proba_of_texts(x, texts),
                            heads[PRAISE_HEAD].proba_of_texts(x, texts),
                            heads["sarcasm"].proba_of_texts(x, texts), texts)
    sarcasm = np.where(g.praise, g.sarcasm, 0.0)
    p = g.complaint(dataclasses.replace(gate, sarcasm_on=NEVER))  # the shipped gate without its lift
    lifted = sarcasm >= gate.sarcasm_on
    turns = lifted & (p < 0.5)
    situation = np.ones(len(texts))  # only the turned posts need it: elsewhere the floor changes nothing
    idx = np.flatnonzero(turns)
    if len(idx):
        stripped = [without_praise(texts[i]) for i in idx]
        situation[idx] = heads["complaint"].proba_of_texts(embed(stripped), stripped)
    out: dict[str, Any] = {"n": len(texts), "turns": int(turns.sum()), "turns_right": int((turns & (g.y == 1)).sum())}
    for m in FLOORS:
        out[f"macro_f1 floor {m}"] = _f1(g.y, np.where(lifted & (situation >= m), np.maximum(p, sarcasm), p))
    for y, name in ((1, "complaints"), (0, "non-complaints")):
        out[f"situation score of turned {name}, median"] = round(float(np.median(situation[turns & (g.y == y)]))
                                                               if (turns & (g.y == y)).any() else float("nan"), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    args = parser.parse_args()
    from classifiers import data
    from classifiers.heads import load_heads
    from classifiers.minilm import DEFAULT_MODEL_DIR
    from classifiers.postprocess import Gate
    from classifiers.train_extra import _minilm_embedder, sarcasm_dev_sets

    if not data.shared_data_dir().exists():
        raise SystemExit(f"needs the labelled sets in {data.shared_data_dir()} (../shared/data)")
    model = DEFAULT_MODEL_DIR if DEFAULT_MODEL_DIR.is_absolute() else ROOT / DEFAULT_MODEL_DIR
    manifest, embed, _ = _minilm_embedder(model)
    heads, gate = load_heads(model / "heads.safetensors", manifest["heads"]), Gate.of(manifest)
    sets = [(f"dev {name}", texts, [int(v) for v in labels]) for name, texts, labels in sarcasm_dev_sets()]
    reviews, _ = data.cesamard()
    sets += [(name, list(lab.texts), [int(v) for v in lab.labels])
             for name, lab in (("CESAMARD reviews", reviews), ("X-FINCORP bank tweets", data.fincorp_complaints()))]
    results = {name: measure(texts, labels, heads, embed, gate) for name, texts, labels in sets}
    out = {"gate": f"{gate.sincere_below}/{gate.sarcasm_on}", "sets": results}
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print(f"gate {out['gate']} (fp32)")
    for name, r in results.items():
        print(f"{name}: {json.dumps(r)}")


if __name__ == "__main__":
    main()
