"""Can a learned signal beside the rules make the English tone guard hold on replies nobody wrote rules to?

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/tone_learned_en.py \
        --blind tests/data/tone_set8_blind.csv tests/data/tone_set9_blind.csv [--json]

The rules (``responder.tone``) caught 7 of 15 defensive English replies of set 7, written blind, so English is
not listed as checked (``TONE_LANGUAGES`` is empty). This asks whether "rules or a logistic regression on a
sentence embedding" reaches the bar on sets written blind by a writer who saw neither the rules nor any set.

The method, fixed on 2026-12-06 (23:50 UTC) before a blind set was written or scored:
1. Rows. English replies of the tone tests: set 1, the parametrised cases, ``NEW_CLASSES`` and ``LOOK_ALIKES``
   (group "dev"), and sets 5, 6 and 7, each its own group; the other languages' replies of the same sets ride
   along as training rows of their set's group (sets 5-7 hold the same writers' replies in other languages, so a
   held-out set takes its translations out with it). Real brand replies: the 2,222 agent tweets of
   ``shared/data/twcs-sample/twcs_head5000.csv``, leading @handles cut, as innocent, split in four quarters, one
   held out with each group (an unread real reply is innocent almost always; the rules flag 5 of them).
2. Choice, by leave-one-group-out over dev, set 5, set 6 and set 7: the encoder (USE v3, the multilingual one
   the service already loads; MiniLM, the English base; or both side by side) and C from ``C_GRID``, by the
   pooled out-of-fold log loss on the English labelled rows (class-balanced). The threshold ``t`` on the
   model's probability: the smallest of ``T_GRID`` whose out-of-fold flags stay within 1 in 20 of the English
   labelled innocent replies and 1 in 50 of the real brand replies (a guard that flags good replies is switched
   off by the people it nags).
3. Decision on a reply: defensive when the rules say so or the model's probability is at least ``t``.
4. Scored once, the model refitted on every row with the chosen encoder and C: each ``--blind`` file (the tone
   tests' format; its English rows). The bar for listing English as checked is the one the rules of every language
   were held to: at least 4 in 5 defensive replies caught and at most 1 in 10 innocent ones flagged, on every
   blind set.
Every labelled set was written by language models, in one register; the blind ones are 20 + 20 each. Intervals:
Wilson 95 % on the caught and flagged rates. About 3 minutes on 2 cores (mostly MiniLM over the brand replies).

Result (2026-12-06 23:57 UTC, the blind sets 8 and 9 written at 23:52 by a writer who saw no rule and no set, and
scored once): USE at C = 3 was chosen, threshold 0.8; out of fold the union caught 10 of 15 of set 7 (the rules
7); on the blind sets it caught 5/20 and 2/20 and flagged 0/20 twice (the model alone 0 and 1, the rules 5 and
1). Not shipped: see ``docs/model-card.md``, "Replies and tone".
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from responder.tone import check_tone  # noqa: E402
from tests import test_responder_tone as tone_sets  # noqa: E402

TWCS = ROOT.parent / "shared" / "data" / "twcs-sample" / "twcs_head5000.csv"
GROUPS = ("dev", "set 5", "set 6", "set 7")
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)
T_GRID = tuple(round(0.05 * k, 2) for k in range(2, 20))
ENCODERS = ("use", "minilm", "both")
INNOCENT_CAP, REAL_CAP = 0.05, 0.02
CAUGHT_BAR, FLAGGED_BAR = 0.8, 0.1
TWCS_WEIGHT = 0.2  # 2,222 real replies beside about 400 labelled ones: each counts a fifth, so they set the register


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    language: str
    defensive: int
    group: str  # dev, set 5-7, or "twcs k" (quarter k)


def _set_rows(path: Path, group: str) -> list[Reply]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [Reply(r["text"], r["language"], int(r["label"] == "defensive"), group) for r in csv.DictReader(fh)]


def _cases(test: Any) -> list[Any]:
    return list(test.pytestmark[0].args[1])


def labelled() -> list[Reply]:
    """Every labelled reply once: English and the other languages (the other languages only ever train)."""
    rows = [Reply(t, lang, 1, "dev") for lang, ts in tone_sets.DEFENSIVE.items() for t in ts]
    rows += [Reply(t, lang, 0, "dev") for lang, ts in tone_sets.INNOCENT.items() for t in ts]
    rows += [Reply(t, "en", int(cat in tone_sets.BLOCKING), "dev")
             for t, cat, _ in _cases(tone_sets.test_flags_category_with_exact_span)]
    rows += [Reply(t, "en", 0, "dev") for t in _cases(tone_sets.test_good_replies_have_no_findings)]
    ordinary = _cases(tone_sets.test_ordinary_phrases_that_share_words_with_a_rule_pass)
    rows += [Reply(t, "en", 0, "dev") for t in ordinary]
    rows += [Reply(t, lang, 1, "dev") for lang, t in tone_sets.NEW_CLASSES]
    rows += [Reply(t, lang, 0, "dev") for lang, t in tone_sets.LOOK_ALIKES]
    for path, group in ((tone_sets.SET5, "set 5"), (tone_sets.SET6, "set 6"), (tone_sets.SET7, "set 7")):
        rows += _set_rows(path, group)
    unique: dict[str, Reply] = {}
    for r in rows:
        unique.setdefault(r.text, r)
    return list(unique.values())


def brand_replies() -> list[Reply]:
    """The sample's agent tweets as an agent would type them (the leading @handles are the platform's)."""
    with TWCS.open(encoding="utf-8", newline="") as fh:
        texts = [re.sub(r"^(@\w+\s+)+", "", r["text"]).strip() for r in csv.DictReader(fh) if r["inbound"] == "False"]
    texts = sorted({t for t in texts if t})
    order = np.random.default_rng(0).permutation(len(texts))
    return [Reply(texts[i], "en", 0, f"twcs {k % 4}") for k, i in enumerate(order)]


def read_blind(path: Path) -> list[Reply]:
    """A blind set's English rows, in the tone tests' format (``language,label,text``)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [Reply(r["text"], "en", int(r["label"] == "defensive"), path.stem)
                for r in csv.DictReader(fh) if r["language"] == "en"]


class Embeddings:
    """Each encoder's vectors of every text, computed once."""

    def __init__(self, texts: Sequence[str]) -> None:
        from classifiers.encoder import Encoder
        from classifiers.multilingual import UseEncoder

        self.texts = list(texts)
        self.at = {t: i for i, t in enumerate(self.texts)}
        self.use = UseEncoder().embed(self.texts)
        self.minilm = Encoder().embed(self.texts)

    def of(self, encoder: str, rows: Sequence[Reply]) -> np.ndarray:
        idx = [self.at[r.text] for r in rows]
        if encoder == "use":
            return self.use[idx]
        if encoder == "minilm":
            return self.minilm[idx]
        return np.hstack([self.use[idx], self.minilm[idx]])


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    pos, neg = w[y == 1].sum(), w[y == 0].sum()
    balanced = w * np.where(y == 1, (pos + neg) / (2 * pos), (pos + neg) / (2 * neg))
    return LogisticRegression(C=c, max_iter=10_000).fit(x, y, sample_weight=balanced)


def _weights(rows: Sequence[Reply]) -> np.ndarray:
    return np.array([TWCS_WEIGHT if r.group.startswith("twcs") else 1.0 for r in rows])


def out_of_fold(emb: Embeddings, rows: list[Reply], encoder: str, c: float) -> np.ndarray:
    """Each English labelled row and each brand reply scored by a model that held out its group."""
    p = np.full(len(rows), np.nan)
    for k, group in enumerate(GROUPS):
        out = np.array([r.group in (group, f"twcs {k}") for r in rows])
        train = [r for r, o in zip(rows, out, strict=True) if not o]
        model = _fit(emb.of(encoder, train), np.array([r.defensive for r in train]), _weights(train), c)
        scored = [i for i, r in enumerate(rows) if out[i] and r.language == "en"]
        p[scored] = model.predict_proba(emb.of(encoder, [rows[i] for i in scored]))[:, 1]
    return p


def _log_loss(y: np.ndarray, p: np.ndarray) -> float:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    w = np.where(y == 1, 0.5 / max(1, (y == 1).sum()), 0.5 / max(1, (y == 0).sum()))
    return float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))))


def wilson(k: int, n: int) -> list[float]:
    if n == 0:
        return [0.0, 1.0]
    z, phat = 1.96, k / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(max(0.0, centre - half), 3), round(min(1.0, centre + half), 3)]


def tally(y: np.ndarray, flag: np.ndarray) -> dict[str, Any]:
    caught, flagged = int(flag[y == 1].sum()), int(flag[y == 0].sum())
    n_def, n_inn = int((y == 1).sum()), int((y == 0).sum())
    return {"caught": caught, "defensive": n_def, "flagged": flagged, "innocent": n_inn,
            "caught_ci": wilson(caught, n_def), "flagged_ci": wilson(flagged, n_inn),
            "meets_bar": caught >= CAUGHT_BAR * n_def and flagged <= FLAGGED_BAR * n_inn}


def choose(emb: Embeddings, rows: list[Reply]) -> dict[str, Any]:
    """Step 2: encoder and C by out-of-fold log loss on the English labelled rows, then the threshold."""
    en = np.array([r.language == "en" and not r.group.startswith("twcs") for r in rows])
    real = np.array([r.group.startswith("twcs") for r in rows])
    y = np.array([r.defensive for r in rows])
    losses, held = {}, {}
    for encoder in ENCODERS:
        for c in C_GRID:
            p = out_of_fold(emb, rows, encoder, c)
            losses[f"{encoder} C={c}"], held[(encoder, c)] = round(_log_loss(y[en], p[en]), 4), p
    encoder, c = min(held, key=lambda k: (losses[f"{k[0]} C={k[1]}"], k[1]))
    p = held[(encoder, c)]
    innocent = en & (y == 0)
    fits = [t for t in T_GRID if np.mean(p[innocent] >= t) <= INNOCENT_CAP and np.mean(p[real] >= t) <= REAL_CAP]
    t = min(fits) if fits else 1.0
    return {"encoder": encoder, "C": c, "threshold": t, "log_loss": losses, "p": p}


def oof_report(rows: list[Reply], p: np.ndarray, t: float) -> dict[str, Any]:
    """Out-of-fold figures per held-out group: model alone, rules alone, rules or model. The rules were written
    on dev, set 5 and set 6 (``NEW_CLASSES``), so only set 7 and the brand replies are fair to them."""
    rules = np.array([check_tone(r.text, r.language).defensive for r in rows])
    out = {}
    for group in (*GROUPS, "brand replies"):
        m = np.array([r.language == "en" and (r.group == group or (group == "brand replies" and
                                                                   r.group.startswith("twcs"))) for r in rows])
        y = np.array([r.defensive for r in rows])[m]
        out[group] = {"model": tally(y, p[m] >= t), "rules": tally(y, rules[m]),
                      "rules or model": tally(y, rules[m] | (p[m] >= t))}
    return out


def score_blind(emb_rows: list[Reply], chosen: dict[str, Any], blind: dict[str, list[Reply]]) -> dict[str, Any]:
    """Step 4, once: the model refitted on every row, each blind set scored."""
    from classifiers.encoder import Encoder
    from classifiers.multilingual import UseEncoder

    texts = [r.text for rows in blind.values() for r in rows]
    emb = Embeddings.__new__(Embeddings)
    emb.texts, emb.at = texts, {t: i for i, t in enumerate(texts)}
    emb.use, emb.minilm = UseEncoder().embed(texts), Encoder().embed(texts)
    model = chosen["model"]
    out = {}
    for name, rows in blind.items():
        y = np.array([r.defensive for r in rows])
        p = model.predict_proba(emb.of(chosen["encoder"], rows))[:, 1]
        rules = np.array([check_tone(r.text, "en").defensive for r in rows])
        flag = rules | (p >= chosen["threshold"])
        out[name] = {"model": tally(y, p >= chosen["threshold"]), "rules": tally(y, rules),
                     "rules or model": tally(y, flag),
                     "missed": [r.text for r, f in zip(rows, flag, strict=True) if r.defensive and not f],
                     "flagged": [r.text for r, f in zip(rows, flag, strict=True) if not r.defensive and f]}
    return out


def _cell(s: dict[str, Any]) -> str:
    return f"{s['caught']}/{s['defensive']} {s['flagged']}/{s['innocent']}" + (" *" if s["meets_bar"] else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blind", type=Path, nargs="*", default=[], help="blind sets to score once (text,defensive)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rows = labelled() + brand_replies()
    emb = Embeddings([r.text for r in rows])
    chosen = choose(emb, rows)
    train_y = np.array([r.defensive for r in rows])
    chosen["model"] = _fit(emb.of(chosen["encoder"], rows), train_y, _weights(rows), chosen["C"])
    result: dict[str, Any] = {
        "rows": {"labelled": sum(not r.group.startswith("twcs") for r in rows),
                 "english labelled": sum(r.language == "en" and not r.group.startswith("twcs") for r in rows),
                 "brand replies": sum(r.group.startswith("twcs") for r in rows)},
        "encoder": chosen["encoder"], "C": chosen["C"], "threshold": chosen["threshold"],
        "log_loss": chosen["log_loss"], "out_of_fold": oof_report(rows, chosen["p"], chosen["threshold"])}
    if args.blind:
        result["blind"] = score_blind(rows, chosen, {p.stem: read_blind(p) for p in args.blind})
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    print(f"rows: {result['rows']}; chosen: {chosen['encoder']}, C={chosen['C']}, threshold {chosen['threshold']}")
    print("out-of-fold log loss: " + ", ".join(f"{k} {v}" for k, v in chosen["log_loss"].items()))
    print("cells: defensive caught, innocent flagged; * meets the bar (>= 4/5 caught, <= 1/10 flagged)")
    for name, part in (("out of fold", result["out_of_fold"]), ("blind, once", result.get("blind", {}))):
        for group, cells in part.items():
            print(f"{name:<12}{group:<16}" + "".join(f"{who} {_cell(cells[who]):<18}"
                                                     for who in ("model", "rules", "rules or model")))
    for group, cells in result.get("blind", {}).items():
        print(f"{group}: missed {cells['missed']}\n{group}: flagged {cells['flagged']}")


if __name__ == "__main__":
    main()
