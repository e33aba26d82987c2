"""Length-sorted batching, shared by every encoder (torch MiniLM, ONNX Runtime MiniLM, numpy USE).

It lives in its own module so ``classifiers.encoder`` and ``classifiers.onnx_export`` both import it
from here instead of from each other: the encoder only reaches the ONNX module lazily, on the int8
path, and the ONNX module needs the encoder's type for annotations only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

MINILM_DIM = 384


def embed_by_length(forward: Callable[[list[str]], np.ndarray], texts: Sequence[str], batch_size: int,
                    progress: Any = None, *, dim: int = MINILM_DIM) -> np.ndarray:
    """Embed in length-sorted batches (less padding, ~15 % faster), returned in input order."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        out[idx] = forward([texts[i] for i in idx])
        if progress is not None:
            progress.update(len(idx))
    return out
