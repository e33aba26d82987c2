"""The recipe sweep's bookkeeping and the LoRA batch plan: what decides which adapter ships."""

from __future__ import annotations

import random
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from classifiers.data import Labelled
from classifiers.lora import LoraConfig, _plan
from classifiers.sweep import (
    DATA_KNOBS,
    RECIPES,
    Job,
    _examples,
    _pack,
    compare,
    format_comparison,
    jobs_for,
    select,
    summarise,
)


def _set(name: str, n: int) -> Labelled:
    return Labelled(name, "synthetic", [("word " * (1 + i % 7)).strip() for i in range(n)],
                    [str(i % 2) for i in range(n)])


def _result(recipe: str, fold: int | str, complaint: float, auroc: float, tweeteval: float) -> dict[str, Any]:
    return {"recipe": recipe, "fold": fold, "folds": 2, "metrics": {
        "complaint": {"macro_f1": complaint, "auroc": 0.9}, "detractor": {"auroc": auroc},
        "intent": {"macro_f1": 0.7}, "sentiment": {"tweeteval_macro_recall": tweeteval, "dev_macro_recall": 0.7}}}


def test_cv_jobs_come_before_any_holdout_job() -> None:
    jobs = jobs_for(["a", "b"], 3)
    assert [j.fold for j in jobs[:6]] == [0, 1, 2, 0, 1, 2] and [j.recipe for j in jobs[:3]] == ["a"] * 3
    assert jobs[6:] == [Job("a", "holdout", 3), Job("b", "holdout", 3)]
    assert jobs_for(["a"], 3, "holdout") == [Job("a", "holdout", 3)]
    assert all(j.fold != "holdout" for j in jobs_for(["a"], 3, "cv"))


def test_summary_averages_cv_folds_and_keeps_the_holdout_apart() -> None:
    rows = [_result("shipped", 0, 0.86, 0.93, 0.70), _result("shipped", 1, 0.88, 0.95, 0.72),
            _result("shipped", "holdout", 0.99, 0.99, 0.99)]
    s = summarise(rows)["shipped"]
    assert s["cv_folds_done"] == 2 and s["complaint"] == pytest.approx(0.87) and s["tweeteval"] == pytest.approx(0.71)
    assert s["complaint_sd"] == pytest.approx(0.01)
    assert s["holdout"]["complaint"] == 0.99  # reported beside the CV mean, never mixed into it


def _summary(**recipes: tuple[float, float, float]) -> dict[str, Any]:
    rows = [_result(name, f, c, a, t) for name, (c, a, t) in recipes.items() for f in (0, 1)]
    return summarise(rows)


def test_selection_takes_the_best_sentiment_among_recipes_that_keep_complaint_and_detractor() -> None:
    s = _summary(shipped=(0.865, 0.930, 0.703), big=(0.877, 0.928, 0.729), sentiment_only=(0.850, 0.930, 0.760))
    assert select(s)["choice"] == "big"  # sentiment_only gains more but gives up complaint F1


def test_selection_keeps_the_baseline_without_a_real_gain_or_a_finished_baseline() -> None:
    assert select(_summary(shipped=(0.865, 0.930, 0.703), other=(0.866, 0.930, 0.708)))["choice"] == "shipped"
    assert select(_summary(shipped=(0.865, 0.930, 0.703), worse_auroc=(0.87, 0.90, 0.75)))["choice"] == "shipped"
    unfinished = summarise([_result("shipped", 0, 0.86, 0.93, 0.70), _result("big", 0, 0.9, 0.95, 0.8),
                            _result("big", 1, 0.9, 0.95, 0.8)])
    assert select(unfinished)["choice"] is None


def test_holdout_adapters_are_packed_into_tars_under_the_size_cap(tmp_path: Path) -> None:
    adapters = tmp_path / "adapters"
    for name, size in (("a", 600), ("b", 600), ("c", 300)):
        (adapters / name).mkdir(parents=True)
        (adapters / name / "adapter_model.safetensors").write_bytes(b"x" * size)
    _pack(adapters, tmp_path, cap=1000)
    tars = sorted(tmp_path.glob("adapters-*.tar"))
    names = []
    for t in tars:
        with tarfile.open(t) as tar:
            names.append(sorted({m.name.split("/")[0] for m in tar.getmembers()}))
    assert names == [["a"], ["b", "c"]] and not adapters.exists()


def test_plan_shows_small_tasks_repeat_times_and_caps_sentiment() -> None:
    tasks = {"sentiment": _set("sentiment", 100), "complaint": _set("complaint", 30)}
    cfg = LoraConfig(Path("unused"), batch_size=8, repeat=2.0, sentiment_cap=40)
    plan = _plan(tasks, cfg, random.Random(1))
    shown: Counter[str] = Counter()
    for task, idx in plan:
        shown[task] += len(idx)
    assert shown == {"sentiment": 40, "complaint": 60}
    complaint_rows = Counter(i for task, idx in plan if task == "complaint" for i in idx)
    assert set(complaint_rows.values()) == {2}  # every row twice, none three times
    only = _plan(tasks, cfg, random.Random(1), sentiment_only=True)
    assert {t for t, _ in only} == {"sentiment"} and sum(len(i) for _, i in only) == 100


def test_bucketed_batches_hold_texts_of_similar_length() -> None:
    tasks = {"complaint": _set("complaint", 400)}
    lengths = {"complaint": [1 + i % 7 for i in range(400)]}
    cfg = LoraConfig(Path("unused"), batch_size=8, bucket=True, repeat=1.0)
    plan = _plan(tasks, cfg, random.Random(3), lengths)
    spread = [max(lengths["complaint"][i] for i in idx) - min(lengths["complaint"][i] for i in idx)
              for _, idx in plan]
    assert sum(len(idx) for _, idx in plan) == 400
    assert sum(spread) / len(spread) < 1.5  # unsorted batches of 8 span about 5 of the 7 lengths
    assert LoraConfig(Path("unused"), sentiment_first=1).stages() == [("sentiment", 1), ("multi", 2)]


def test_auxiliary_recipes_are_the_shipped_recipe_plus_their_data_flags() -> None:
    base = RECIPES["r32-16k-rep2"]
    assert {k: v for k, v in RECIPES["r32-16k-rep2-irony"].items() if k != "irony"} == base
    sevx = RECIPES["r32-16k-rep2-irony-sevx"]
    assert sevx["irony"] and sevx["severity_extra"]
    assert {k: v for k, v in sevx.items() if k not in ("irony", "severity_extra")} == base
    assert not any(r.get("irony") or r.get("severity_extra") for name, r in RECIPES.items() if "irony" not in name)
    for recipe in RECIPES.values():  # the data knobs never reach LoraConfig
        LoraConfig(Path("unused"), **{k: v for k, v in recipe.items() if k not in DATA_KNOBS})
    assert _examples(Job("r32-16k-rep2", 0, 3)) < _examples(Job("r32-16k-rep2-irony", 0, 3)) \
        < _examples(Job("r32-16k-rep2-irony-sevx", 0, 3))


def _aux(recipe: str, fold: int | str, irony: float, severity: float, complaint: float = 0.88) -> dict[str, Any]:
    row = _result(recipe, fold, complaint, 0.93, 0.72)
    row["metrics"]["irony"] = {"macro_f1": irony, "auroc": 0.7, "val_macro_f1": irony - 0.01, "val_auroc": 0.7}
    row["metrics"]["severity"] = {"macro_f1": severity}
    return row


def test_summary_reads_irony_and_severity_and_results_from_before_them() -> None:
    old = _result("r32-16k-rep2", 0, 0.88, 0.93, 0.72)  # a 2026-11 result: no irony or severity scores
    s = summarise([old, _aux("r32-16k-rep2", 1, 0.66, 0.45)])["r32-16k-rep2"]
    assert s["complaint"] == pytest.approx(0.88) and s["irony"] == 0.66 and s["severity"] == 0.45
    assert s["irony_val"] == pytest.approx(0.65) and s["cv_folds_done"] == 2


def test_comparison_pairs_each_recipe_with_the_baseline_fold_by_fold() -> None:
    rows = [_aux("base", 0, 0.60, 0.40), _aux("base", 1, 0.64, 0.44),
            _aux("irony", 0, 0.65, 0.40, 0.87), _aux("irony", 1, 0.63, 0.46), _aux("irony", "holdout", 0.7, 0.5)]
    c = compare(rows, "base")["irony"]
    assert c["irony"]["mean_diff"] == pytest.approx(0.02) and c["irony"]["folds_better"] == 1
    assert c["irony"]["by_fold"] == {0: 0.05, 1: -0.01}  # the holdout has no baseline partner here
    assert c["severity"]["mean_diff"] == pytest.approx(0.01) and c["complaint"]["mean_diff"] == pytest.approx(-0.005)
    assert "irony: irony +0.0200 (1/2)" in format_comparison(compare(rows, "base"), "base")
