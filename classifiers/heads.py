"""Linear heads on the sentence embedding, with their calibration, as plain arrays.

A head is ``logits = x @ W.T + b`` followed by a calibration map: temperature (and optional per-class
bias) for multi-class heads, Platt scaling for binary ones. A binary head may add an n-gram logit
(``classifiers.ngrams``) as a second input to its Platt map. The standard-scaler used in training is
folded into ``W`` and ``b``, so inference is one matrix product per head and no pickles are shipped:
weights live in ``heads.safetensors`` and the small calibration numbers in ``manifest.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import scipy.sparse as sp

    from classifiers.ngrams import NGramModel


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def logit(p: np.ndarray) -> np.ndarray:
    """The inverse of :func:`sigmoid`, clipped so a probability of 0 or 1 stays finite."""
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


@dataclass
class Head:
    """One trained head. ``classes`` has one entry per output; a binary head has ``classes=['1']``."""

    name: str
    classes: list[str]
    weight: np.ndarray  # (k, d) float32
    bias: np.ndarray  # (k,)
    calibration: dict[str, Any] = field(default_factory=dict)
    ngrams: NGramModel | None = None

    @property
    def binary(self) -> bool:
        return len(self.classes) == 1

    def logits(self, x: np.ndarray, counts: sp.csr_matrix | None = None, *,
               ngram_x: sp.csr_matrix | None = None) -> np.ndarray:
        """Embedding logits, plus the n-gram logit as a last column when the head has one.

        The n-gram part reads the texts' hashed ``counts``, or ``ngram_x``, this head's features
        of them already computed (the classifier reuses those to quote words in the reasons).
        """
        z = x @ self.weight.T + self.bias
        if self.ngrams is None:
            return z
        if ngram_x is None:
            if counts is None:
                raise ValueError(f"the {self.name} head stacks n-grams: pass the texts' hashed counts")
            ngram_x = self.ngrams.features(counts)
        return np.c_[z, self.ngrams.logits_of(ngram_x)]

    def proba(self, x: np.ndarray, counts: sp.csr_matrix | None = None, *,
              ngram_x: sp.csr_matrix | None = None) -> np.ndarray:
        """Calibrated probabilities: (n,) for binary heads, (n, k) rows summing to 1 otherwise."""
        return calibrate(self.logits(x, counts, ngram_x=ngram_x), self.calibration)

    def proba_of_texts(self, x: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        """:meth:`proba` for the posts ``texts`` whose embeddings are ``x``: they are hashed into n-gram
        counts only when this head stacks n-grams."""
        from classifiers.ngrams import hashed_counts

        return self.proba(x, hashed_counts(texts) if self.ngrams is not None else None)

    def meta(self) -> dict[str, Any]:
        return {"classes": self.classes, "calibration": self.calibration}


def calibrate(z: np.ndarray, cal: dict[str, Any]) -> np.ndarray:
    if "a_ngram" in cal:  # binary head with an n-gram logit in column 1
        return sigmoid(cal["a"] * z[:, 0] + cal["a_ngram"] * z[:, 1] + cal["c"])
    if z.shape[1] == 1:
        return sigmoid(cal.get("a", 1.0) * z[:, 0] + cal.get("c", 0.0))
    t = cal.get("temperature", 1.0)
    shift = np.asarray(cal.get("class_bias", [0.0] * z.shape[1]), dtype=np.float64)
    return softmax(z / t + shift)


def fit_platt(z: np.ndarray, y: np.ndarray) -> dict[str, Any]:
    """Platt scaling on out-of-fold scores: p = sigmoid(a*z + c), or with an n-gram column, + a_ngram*z1."""
    from sklearn.linear_model import LogisticRegression

    z = z.reshape(len(z), -1)
    lr = LogisticRegression(C=1e4).fit(z, y)
    out = {"method": "platt", "a": float(lr.coef_[0, 0]), "c": float(lr.intercept_[0])}
    if z.shape[1] == 2:
        out["a_ngram"] = float(lr.coef_[0, 1])
    return out


def fit_temperature(z: np.ndarray, y: np.ndarray, *, with_bias: bool = False) -> dict[str, Any]:
    """Temperature scaling (Guo et al. 2017) on out-of-fold logits; optional per-class bias.

    The bias undoes the prior shift that class-balanced training introduces, at the cost of some
    recall on the rare class; the trainer decides which matters for the head.
    """
    from scipy.optimize import minimize

    k = z.shape[1]

    def nll(params: np.ndarray) -> float:
        t = np.exp(params[0])
        shift = params[1:] if with_bias else np.zeros(k)
        p = softmax(z / t + shift)
        return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())

    x0 = np.zeros(1 + (k if with_bias else 0))
    res = minimize(nll, x0, method="L-BFGS-B")
    out: dict[str, Any] = {"method": "temperature", "temperature": float(np.exp(res.x[0]))}
    if with_bias:
        out["class_bias"] = [float(v) for v in res.x[1:]]
    return out


def fold_scaler(coef: np.ndarray, intercept: np.ndarray, mean: np.ndarray, scale: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Turn ``coef @ ((x - mean) / scale) + intercept`` into ``W @ x + b``."""
    w = coef / scale
    b = intercept - w @ mean
    return w.astype(np.float32), b.astype(np.float32)


def save_heads(heads: Sequence[Head], path: Path) -> None:
    from safetensors.numpy import save_file

    tensors: dict[str, np.ndarray] = {}
    for h in heads:
        tensors[f"{h.name}.weight"] = np.ascontiguousarray(h.weight, dtype=np.float32)
        tensors[f"{h.name}.bias"] = np.ascontiguousarray(h.bias, dtype=np.float32)
        if h.ngrams is not None:
            tensors[f"{h.name}.ngram.index"] = np.ascontiguousarray(h.ngrams.index, dtype=np.int32)
            tensors[f"{h.name}.ngram.idf"] = np.ascontiguousarray(h.ngrams.idf, dtype=np.float32)
            tensors[f"{h.name}.ngram.weight"] = np.ascontiguousarray(h.ngrams.weight, dtype=np.float32)
            tensors[f"{h.name}.ngram.bias"] = np.asarray([h.ngrams.bias], dtype=np.float32)
    save_file(tensors, str(path))


def load_heads(path: Path, meta: dict[str, dict[str, Any]]) -> dict[str, Head]:
    from safetensors.numpy import load_file

    from classifiers.ngrams import NGramModel

    tensors = load_file(str(path))

    def ngrams(name: str) -> NGramModel | None:
        if f"{name}.ngram.index" not in tensors:
            return None
        return NGramModel(tensors[f"{name}.ngram.index"], tensors[f"{name}.ngram.idf"],
                          tensors[f"{name}.ngram.weight"], float(tensors[f"{name}.ngram.bias"][0]))

    return {
        name: Head(name, list(m["classes"]), tensors[f"{name}.weight"], tensors[f"{name}.bias"],
                   dict(m.get("calibration", {})), ngrams(name))
        for name, m in meta.items()
    }
