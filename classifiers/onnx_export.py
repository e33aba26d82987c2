"""Optional ONNX Runtime path for the encoder: dynamo export, parity gate, optional int8.

Why the gate: with transformers 5.x the legacy TorchScript exporter silently produced wrong hidden
states (shared/notes/LIBRARIES.md section 5), so an exported graph is only used after
:func:`parity` shows it matches torch on real texts. Needs the ``onnx`` extra (onnxruntime,
onnxscript). The exported graph is ~90 MB and is written to a temp dir, never committed.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.encoder import Encoder

PARITY_MAX_ABS = 1e-3  # on L2-normalised pooled embeddings


def export(encoder: Encoder, out_dir: Path) -> Path:
    """Export the (possibly LoRA-merged) encoder with dynamic batch and sequence axes."""
    import torch

    if encoder.model is None:
        encoder.load()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "encoder.onnx"
    enc = encoder.tokenize(["an example sentence for tracing", "short"])
    batch = torch.export.Dim("batch", min=1, max=1024)
    seq = torch.export.Dim("seq", min=2, max=512)
    args = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
    shapes = ({0: batch, 1: seq}, {0: batch, 1: seq}, {0: batch, 1: seq})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(encoder.model, args, str(path), dynamo=True, dynamic_shapes=shapes,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"])
    return path


def quantize(path: Path) -> Path:
    """Dynamic int8 weights (onnxruntime.quantization): the better-supported int8 route on CPU."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = path.with_name(path.stem + ".int8.onnx")
    quantize_dynamic(str(path), str(out), weight_type=QuantType.QInt8)
    return out


class OrtEncoder:
    """Same ``embed`` contract as :class:`Encoder`, forward pass in ONNX Runtime."""

    dim = 384

    def __init__(self, onnx_path: Path, tokenizer_from: Encoder, threads: int = 2) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.source = tokenizer_from
        self.inputs = {i.name for i in self.session.get_inputs()}

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self.forward([texts[i] for i in idx])
        return out

    def forward(self, texts: Sequence[str]) -> np.ndarray:
        enc = self.source.tokenizer(list(texts), padding=True, truncation=True,
                                    max_length=self.source.max_length, return_tensors="np")
        feeds = {k: v.astype(np.int64) for k, v in enc.items() if k in self.inputs}
        hidden = self.session.run(["last_hidden_state"], feeds)[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def parity(torch_encoder: Encoder, ort_encoder: Any, texts: Sequence[str]) -> dict[str, float]:
    """Max abs difference and min cosine between torch and ORT embeddings of the same texts."""
    a = torch_encoder.embed(texts)
    b = ort_encoder.embed(texts)
    return {"max_abs_diff": float(np.abs(a - b).max()), "min_cosine": float((a * b).sum(1).min()),
            "ok": float(np.abs(a - b).max() < PARITY_MAX_ABS)}
