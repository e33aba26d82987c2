"""Should the intent and the detractor likelihood follow the sarcasm correction? An experiment; nothing here changes
the model (tried 2026-12-07 and not shipped, model card "Tried, not shipped").

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/sarcasm_follow.py      # about 1 CPU minute

An audit posted "@SkylarkAir Oh wonderful, another 6 hour delay with zero updates. Truly the best airline... Great
job guys": the sarcasm reason showed and the sentiment turned negative, but the intent stayed praise and the
detractor likelihood 0.13, so it sat at priority 35. The correction tried: the sarcasm share of the praise intent goes
to the other intents in their proportions, and the detractor likelihood becomes at least the sarcasm score (as the
complaint score already does). Two variants: wherever the sarcasm score passes the model's gate, and only where the
correction changed a decision (the posts that carry the sarcasm reason).

The rule, fixed before either ran: ship if (1) on sarcasm sets b, c and e (``data/dev``) fewer sarcastic complaints
keep intent praise and a detractor likelihood under 0.5; (2) the detractor AUROC on every nps-verbatims row falls by
0.002 at most; (3) the intent macro-F1 on the mixed intent set falls by 0.002 at most. Needs ``../shared``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, roc_auc_score

from classifiers.abc import Prediction
from classifiers.cli import _make_classifier
from classifiers.data import intents, nps_detractor

DEV = Path(__file__).resolve().parent.parent / "data" / "dev"


def following(intent: Mapping[str, float], detractor: float, sarcasm: float | None,
              on: float) -> tuple[dict[str, float], float]:
    """The intent and detractor likelihood with the correction applied (unchanged below ``on``)."""
    it = dict(intent)
    if sarcasm is None or sarcasm < on or "praise" not in it:
        return it, detractor
    moved = it["praise"] * sarcasm
    rest = sum(v for k, v in it.items() if k != "praise")
    it["praise"] -= moved
    for k in it:
        if k != "praise":
            it[k] += moved * (it[k] / rest if rest > 0 else 1 / (len(it) - 1))
    return it, max(detractor, sarcasm)


def _top(scores: Mapping[str, float]) -> str:
    return max(scores, key=lambda k: scores[k])


def main() -> None:
    clf = _make_classifier(None, None)
    gate = clf.gate.sarcasm_on  # type: ignore[attr-defined]

    def run(texts: Sequence[str]) -> list[Prediction]:
        return [p for i in range(0, len(texts), 64) for p in clf.predict(list(texts[i:i + 64]))]

    def turned(p: Prediction) -> bool:
        return any(r.startswith("sarcasm") for r in p.reasons)

    variants: dict[str, Callable[[Prediction], tuple[dict[str, float], float]]] = {
        "wherever sarcasm >= the gate": lambda p: following(p.intent, p.detractor, p.sarcasm, gate),
        "only where it changed a decision": lambda p: following(p.intent, p.detractor,
                                                                p.sarcasm if turned(p) else None, gate)}
    sets = {name: list(csv.DictReader((DEV / f"sarcasm_{name}.csv").open(encoding="utf-8"))) for name in "bce"}
    read = {name: run([r["text"] for r in rows]) for name, rows in sets.items()}
    nps = nps_detractor()
    nps_read = run(nps.texts)
    y = np.array([int(v) for v in nps.labels])
    mix, _ = intents()
    mix_read = run(mix.texts)
    labels = sorted(set(mix.labels))
    print(f"gate {gate}")
    for title, after in (("now", lambda p: (dict(p.intent), p.detractor)), *variants.items()):
        praise, detracting = [], []
        for name, rows in sets.items():
            sarcastic = [after(p) for r, p in zip(rows, read[name], strict=True) if r["label"] == "1"]
            praise.append(sum(_top(it) == "praise" for it, _ in sarcastic))
            detracting.append(sum(d >= 0.5 for _, d in sarcastic))
        scores = np.array([after(p)[1] for p in nps_read])
        moved = np.flatnonzero(scores != np.array([p.detractor for p in nps_read]))
        f1 = f1_score(mix.labels, [_top(after(p)[0]) for p in mix_read], labels=labels, average="macro")
        print(f"{title}: sarcastic complaints with intent praise (b, c, e) {praise}; with detractor >= 0.5 "
              f"{detracting}; NPS detractor AUROC {roc_auc_score(y, scores):.4f} ({len(moved)} comments moved, "
              f"{int(y[moved].sum())} of them detractors); intent macro-F1 {f1:.4f}")


if __name__ == "__main__":
    main()
