"""ONNX parity gate (opt-in: the dynamo export takes a minute of CPU and needs the ``onnx`` extra)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.skipif(os.environ.get("CARELINE_SLOW_TESTS") != "1",
                    reason="set CARELINE_SLOW_TESTS=1 to run the ONNX export + parity check (~1-2 min CPU)")
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
