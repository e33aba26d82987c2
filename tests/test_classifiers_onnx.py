"""ONNX: the dynamo-exported encoder must match torch before any ORT path is used, and the int8 path
(``classifier.precision = "auto"`` or ``"int8"``) is built once per weights behind that gate; where it
cannot be built, ``auto`` runs torch instead and ``int8`` says why.

Takes ~40 s of CPU (two graph builds).
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_dynamo_export_matches_torch(tmp_path: Path) -> None:
    from classifiers import onnx_export
    from classifiers.encoder import Encoder

    enc = Encoder(threads=2)
    enc.load()
    ort = onnx_export.OrtEncoder(onnx_export.export(enc, tmp_path), enc)
    texts = ["", "my parcel never arrived", "thanks!!! 😍", "a much longer complaint " * 12]
    result = onnx_export.parity(enc, ort, texts)
    assert result["ok"] == 1.0, result
    assert result["min_cosine"] > 0.9999


def test_int8_path_is_gated_cached_and_close_to_fp32(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    import logging
    import tempfile

    from classifiers import onnx_export
    from classifiers.minilm import DEFAULT_MODEL_DIR, MiniLMClassifier

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # a private graph cache for this test
    texts = ["my parcel never arrived and nobody answers", "love the new update, thanks!",
             "I was charged twice for one order, refund me", "can't log in to my account since yesterday"]
    fp32 = MiniLMClassifier(DEFAULT_MODEL_DIR)
    fp32.load()
    int8 = MiniLMClassifier(DEFAULT_MODEL_DIR, precision="int8")
    with caplog.at_level(logging.INFO):
        int8.load()
    chatter = [r for r in caplog.records if not r.name.startswith("classifiers")
               and (r.levelno < logging.WARNING or "pre-processing" in r.getMessage())]
    assert chatter == []  # the toolchain narrates every pass at INFO (~280 lines): only our own line stays
    assert any("quantising it to int8" in r.getMessage() for r in caplog.records)
    graphs = list((tmp_path / "careline-onnx").glob("*/encoder.int8.onnx"))
    assert len(graphs) == 1 and not list((tmp_path / "careline-onnx").glob("staging-*"))
    assert int8.version == fp32.version + "+int8"
    assert int8.encoder is not None and int8.encoder.model is None  # ORT runs it; torch weights released
    for a, b in zip(fp32.predict(texts), int8.predict(texts), strict=True):
        assert (a.complaint >= 0.5) == (b.complaint >= 0.5)
        assert a.complaint == pytest.approx(b.complaint, abs=0.15)

    calls: list[Path] = []
    monkeypatch.setattr(onnx_export, "export", lambda enc, out: calls.append(out))  # must not be needed
    again = MiniLMClassifier(DEFAULT_MODEL_DIR, precision="int8")
    again.load()
    assert calls == [] and again.predict(texts[:1])[0].complaint == pytest.approx(int8.predict(texts[:1])[0].complaint)

    auto = MiniLMClassifier(DEFAULT_MODEL_DIR, precision="auto")  # the shipped setting takes the same graph
    auto.load()
    assert calls == [] and auto.version == int8.version


def test_auto_runs_torch_where_the_int8_graph_cannot_be_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    import tempfile

    from classifiers import encoder as encoder_module
    from classifiers import onnx_export
    from classifiers.encoder import Encoder, resolve_precision, torch_precision

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # empty cache: a build is needed

    def broken(enc: object, out: Path) -> Path:
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(onnx_export, "export", broken)
    auto = Encoder(precision="auto", threads=1)
    with caplog.at_level("WARNING", logger="classifiers.encoder"):
        auto.load()
    assert auto.precision == torch_precision() and auto.ort is None and auto.model is not None
    assert "exporter broke" in caplog.text and auto.embed(["still waiting"]).shape == (1, 384)
    assert not list((tmp_path / "careline-onnx").glob("*/encoder.int8.onnx"))

    with pytest.raises(onnx_export.OnnxUnavailableError, match="exporter broke"):  # asked for by name: an error
        Encoder(precision="int8", threads=1).load()

    monkeypatch.setattr(encoder_module, "onnx_available", lambda: False)
    assert resolve_precision("auto") == torch_precision()
