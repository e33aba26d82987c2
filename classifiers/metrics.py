"""The metrics the issue asks for, plus bootstrap confidence intervals for the model card.

Kept dependency-light (numpy + scikit-learn's well-tested ranking metric) so ``careline evaluate``
and the trainer report numbers computed the same way.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np


def classification_metrics(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """macro-F1, macro-recall and accuracy over ``labels`` (classes absent from y_true still count)."""
    yt = np.asarray(y_true)
    yp = np.asarray(y_pred)
    f1s: list[float] = []
    recalls: list[float] = []
    for label in labels:
        tp = float(np.sum((yt == label) & (yp == label)))
        fp = float(np.sum((yt != label) & (yp == label)))
        fn = float(np.sum((yt == label) & (yp != label)))
        if tp + fn == 0 and tp + fp == 0:
            continue
        recalls.append(tp / (tp + fn) if tp + fn else 0.0)
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {
        "macro_f1": float(np.mean(f1s)) if f1s else 0.0,
        "macro_recall": float(np.mean(recalls)) if recalls else 0.0,
        "accuracy": float(np.mean(yt == yp)) if len(yt) else 0.0,
    }


def binary_metrics(y_true: Sequence[int] | np.ndarray, p: Sequence[float] | np.ndarray,
                   threshold: float = 0.5) -> dict[str, Any]:
    """Classification metrics at ``threshold`` plus AUROC, Brier and 10-bin ECE of the probability."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true, dtype=int)
    prob = np.asarray(p, dtype=float)
    out = classification_metrics([str(v) for v in y], [str(int(v >= threshold)) for v in prob], ["0", "1"])
    out["auroc"] = float(roc_auc_score(y, prob)) if len(set(y.tolist())) == 2 else float("nan")
    out["brier"] = float(np.mean((prob - y) ** 2))
    out["ece"] = ece(prob, y)
    return out


def ece(prob: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of a binary probability, equal-width bins."""
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in itertools.pairwise(edges):
        sel = (prob >= lo) & ((prob < hi) if hi < 1 else (prob <= hi))
        if sel.any():
            total += sel.mean() * abs(prob[sel].mean() - y[sel].mean())
    return float(total)


def log_loss(y: np.ndarray, p: np.ndarray) -> float:
    """Binary cross-entropy of probability ``p`` of class 1; a proper scoring rule, so it rewards calibration."""
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-12, 1 - 1e-12)
    y = np.asarray(y, dtype=np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def multiclass_brier(y_idx: np.ndarray, proba: np.ndarray) -> float:
    onehot = np.eye(proba.shape[1])[y_idx]
    return float(np.mean(np.sum((proba - onehot) ** 2, axis=1)))


def paired_ci(metric: Any, y: np.ndarray, new: np.ndarray, old: np.ndarray, *, n: int = 1000, seed: int = 0
              ) -> list[float]:
    """95 % bootstrap interval of ``metric(y, new) - metric(y, old)`` over the same resampled rows, rounded to 4
    places: how a change is judged against what it replaces (``bootstrap_ci``'s resamples, skipped alike)."""
    def gain(y: np.ndarray, new: np.ndarray, old: np.ndarray) -> float:
        return float(metric(y, new) - metric(y, old))

    return [round(v, 4) for v in bootstrap_ci(gain, y, new, old, n=n, seed=seed)]


def bootstrap_ci(fn: Any, *arrays: np.ndarray, n: int = 500, seed: int = 7) -> tuple[float, float]:
    """95 % percentile bootstrap interval of ``fn(*resampled arrays)``.

    A resample the metric is undefined on (one class only: AUROC raises, or returns NaN with a warning
    in recent scikit-learn) is skipped, so the interval is over the resamples that have a value, and is
    (NaN, NaN) only when none does."""
    rng = np.random.default_rng(seed)
    size = len(arrays[0])
    vals = []
    for _ in range(n):
        idx = rng.integers(0, size, size)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # sklearn's "only one class present" on such resamples
                v = float(fn(*(a[idx] for a in arrays)))
        except ValueError:
            continue
        if np.isfinite(v):
            vals.append(v)
    if not vals:
        return float("nan"), float("nan")
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))
