"""ONNX parity gate: the dynamo-exported encoder must match torch before any ORT path is used.

Takes ~15 s of CPU; skipped with a reason when the ``onnx`` extra (onnxruntime, onnxscript) is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_dynamo_export_matches_torch(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    from classifiers import onnx_export
    from classifiers.encoder import Encoder

    enc = Encoder(threads=2)
    enc.load()
    ort = onnx_export.OrtEncoder(onnx_export.export(enc, tmp_path), enc)
    texts = ["", "my parcel never arrived", "thanks!!! 😍", "a much longer complaint " * 12]
    result = onnx_export.parity(enc, ort, texts)
    assert result["ok"] == 1.0, result
    assert result["min_cosine"] > 0.9999
