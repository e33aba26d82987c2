"""Classifier benchmarks: quality targets from the manifest, throughput, load time, peak RSS.

    .venv/bin/python benchmarks/classify.py [--n 1024] [--batch 32] [--json]

Throughput is "all heads" (tokenise + one forward pass + four heads + reasons) through the public
``predict`` at a fixed batch size on real inbound customer tweets (twcs-sample), torch limited to
2 threads, median of 3 passes after a warm-up. Batches are cut as the worker cuts them (the pending
texts sorted by length, so a batch pads little); one fp32 figure in arrival order shows the gain.
Load time and peak RSS are measured in a fresh subprocess (load + classify 256 texts), since
in-process numbers would include this script's state.
Quality numbers are the out-of-fold development scores recorded at training time.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# A script here named like a stdlib module would shadow it for torch (queue.py did, before it became
# queue_latency.py): drop the script dir from the path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
sys.path.insert(0, str(ROOT))

from classifiers.data import shared_data_dir  # noqa: E402
from classifiers.minilm import DEFAULT_MODEL_DIR, MiniLMClassifier  # noqa: E402

TARGETS = {"complaint macro-F1": 0.88, "sentiment TweetEval macro-recall": 0.72, "detractor AUROC": 0.93,
           "throughput mentions/s": 300, "load s": 5.0, "peak RSS MB": 1024}


def sample_texts(n: int) -> list[str]:
    """Inbound customer tweets from twcs-sample (real traffic); synthetic only if the data is absent."""
    path = shared_data_dir() / "twcs-sample" / "twcs_head5000.csv"
    texts: list[str] = []
    if path.exists():
        with path.open(encoding="utf-8", errors="replace") as fh:
            texts = [r["text"] for r in csv.DictReader(fh) if r["inbound"] == "True"]
    if not texts:
        texts = [f"@acme my order #{i} still hasn't arrived, this is the third time I ask" for i in range(n)]
    return (texts * (n // len(texts) + 1))[:n]


def worker_order(texts: list[str]) -> list[str]:
    """The order ``classifiers.worker.classify_pending`` batches in: by text length."""
    return sorted(texts, key=len)


def throughput(predict: Any, texts: list[str], batch: int, runs: int = 3) -> float:
    predict(texts[:batch])  # warm-up
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        for i in range(0, len(texts), batch):
            predict(texts[i : i + batch])
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def predict_all(predict: Any, texts: list[str], batch: int) -> list[Any]:
    return [p for i in range(0, len(texts), batch) for p in predict(texts[i : i + batch])]


def agreement(a: list[Any], b: list[Any]) -> dict[str, float]:
    n = len(a)
    return {"sentiment_label": sum(x.sentiment_label == y.sentiment_label for x, y in zip(a, b, strict=True)) / n,
            "complaint@0.5": sum((x.complaint >= .5) == (y.complaint >= .5) for x, y in zip(a, b, strict=True)) / n,
            "intent_label": sum(x.intent_label == y.intent_label for x, y in zip(a, b, strict=True)) / n,
            "complaint_max_abs": max(abs(x.complaint - y.complaint) for x, y in zip(a, b, strict=True))}


COLD = """
import resource, sys, time, os
os.environ['HF_HUB_OFFLINE'] = '1'
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import torch, transformers, peft
from classifiers.minilm import MiniLMClassifier
t1 = time.perf_counter()
c = MiniLMClassifier({model!r}, threads=2, precision={precision!r})
c.load()
t2 = time.perf_counter()
texts = {texts!r}
for i in range(0, len(texts), 32):
    c.predict(texts[i:i + 32])
def peak_mb():
    # VmHWM is this process's own high-water mark; Linux carries ru_maxrss over from the parent
    # through fork + exec, so a big benchmark parent would be reported as the child's peak
    try:
        with open('/proc/self/status') as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith('VmHWM:')) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(t1 - t0, t2 - t1, peak_mb())
"""


def cold_start(model_dir: Path, texts: list[str], precision: str = "fp32") -> dict[str, float]:
    code = COLD.format(root=str(ROOT), model=str(model_dir), precision=precision, texts=texts[:256])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import_s, load_s, rss_mb = (float(v) for v in out.stdout.split()[-3:])
    return {"imports_s": round(import_s, 2), "model_load_s": round(load_s, 2), "peak_rss_mb": round(rss_mb)}


def quality(model_dir: Path) -> dict[str, Any]:
    """The scores recorded at training time: the clean holdout (heads fitted on the 80 % only,
    scored on the 20 % neither adapter nor heads saw); "unseen", the shipped heads' out-of-fold
    scores on that same 20 % (heads fitted on the rest of every set, so on more rows: the figure
    to expect on new mentions); "cross-fitted", the shipped recipe scored on folds of that 20 %
    that nothing in the pipeline was fitted to (``python -m classifiers.holdout --crossfit``), the
    figure the targets are judged by; and the cross-validation over all rows, optimistic for a
    model whose adapter saw most of them."""
    manifest = json.loads((model_dir / "manifest.json").read_text())
    m = manifest["metrics"]
    clean = manifest.get("protocol", {}).get("lora_holdout", {}).get("this_adapter", {})
    crossfit = manifest.get("protocol", {}).get("crossfit", {})

    def unseen(head: str, key: str) -> Any:
        return m[head].get("unseen", {}).get(key)

    def crossfitted(head: str, key: str) -> Any:
        return crossfit.get(head, {}).get("with n-grams", {}).get("mean", {}).get(key)

    return {"version": manifest["version"],
            "complaint macro-F1 (cross-fitted, shipped recipe)": crossfitted("complaint", "macro_f1"),
            "detractor AUROC (cross-fitted, shipped recipe)": crossfitted("detractor", "auroc"),
            "complaint macro-F1 (clean holdout)": clean.get("complaint", {}).get("macro_f1"),
            "complaint macro-F1 (unseen, out-of-fold)": unseen("complaint", "macro_f1"),
            "complaint ECE (unseen, out-of-fold)": unseen("complaint", "ece"),
            "complaint macro-F1 (cv, optimistic)": m["complaint"]["cv"]["macro_f1"],
            "sentiment TweetEval macro-recall (val, never trained on)": m["sentiment"].get(
                "check:tweeteval-val", {}).get("macro_recall"),
            "detractor AUROC (clean holdout)": clean.get("detractor", {}).get("auroc"),
            "detractor AUROC (unseen, out-of-fold)": unseen("detractor", "auroc"),
            "detractor Brier (unseen, out-of-fold)": unseen("detractor", "brier"),
            "detractor ECE (unseen, out-of-fold)": unseen("detractor", "ece"),
            "detractor AUROC (cv, optimistic)": m["detractor"]["cv"]["auroc"],
            "intent macro-F1 (unseen, out-of-fold)": unseen("intent", "macro_f1"),
            "intent macro-F1 (cv, optimistic)": m["intent"]["cv"]["macro_f1"]}


def precision_path(model_dir: Path, precision: str, texts: list[str], batch: int,
                   fp32_preds: list[Any]) -> dict[str, Any]:
    """Rate and label agreement with fp32 for one ``classifier.precision``; int8 also times its first build."""
    import shutil

    from classifiers.onnx_export import OnnxUnavailableError

    entry: dict[str, Any] = {}
    if precision == "int8":
        cache = Path(tempfile.gettempdir()) / "careline-onnx"
        shutil.rmtree(cache, ignore_errors=True)  # time the export + parity gate + quantisation too
    start = time.perf_counter()
    clf = MiniLMClassifier(model_dir, threads=2, precision=precision)
    try:
        clf.load()
    except OnnxUnavailableError as exc:
        return {"skipped": str(exc)}
    entry["first_load_s"] = round(time.perf_counter() - start, 1)
    assert clf.encoder is not None
    if clf.encoder.precision != precision:
        return {"skipped": f"resolves to {clf.encoder.precision} on this CPU"}
    entry["mentions_per_s"] = round(throughput(clf.predict, texts, batch), 1)
    entry["agreement_vs_fp32"] = agreement(fp32_preds, predict_all(clf.predict, texts, batch))
    return entry


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model-dir", type=Path, default=DEFAULT_MODEL_DIR)
    ap.add_argument("--n", type=int, default=1024, help="texts per throughput pass")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(2)
    texts = worker_order(sample_texts(args.n))
    report: dict[str, Any] = {"quality": quality(args.model_dir), "n": len(texts), "batch": args.batch,
                              "torch_threads": torch.get_num_threads()}
    report["cold_fp32"] = cold_start(args.model_dir, texts)
    fp32 = MiniLMClassifier(args.model_dir, threads=2)
    fp32.load()
    fp32_preds = predict_all(fp32.predict, texts, args.batch)
    report["fp32_mentions_per_s"] = round(throughput(fp32.predict, texts, args.batch), 1)
    report["fp32_arrival_order_mentions_per_s"] = round(throughput(fp32.predict, sample_texts(args.n), args.batch), 1)
    # every batch, not the first: batches differ in length, and complaints cost more (quoted words)
    batches = [texts[i:i + args.batch] for i in range(0, len(texts), args.batch)]
    embedded = [fp32.embed(b) for b in batches]
    start = time.perf_counter()
    for b, x in zip(batches, embedded, strict=True):
        fp32.predict_embeddings(x, b)
    report["heads_only_ms_per_batch"] = round(1000 * (time.perf_counter() - start) / len(batches), 2)
    for precision in ("bf16", "int8"):
        report[precision] = precision_path(args.model_dir, precision, texts, args.batch, fp32_preds)
    report["cold_int8_cached_graph"] = cold_start(args.model_dir, texts, "int8")
    report["targets"] = TARGETS
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key}: {json.dumps(value)}")


if __name__ == "__main__":
    main()
