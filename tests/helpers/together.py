"""Several people acting at the same moment: one thread and one SQLite connection each, released by one barrier."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, TypeVar

from careline.store import Store

T = TypeVar("T")


def at_once(path: Path, acts: Sequence[Callable[[Store], Coroutine[Any, Any, T]]], timeout: float = 60) -> list[T]:
    """Run each of ``acts`` on its own connection to the database at ``path``, all let go together, and return
    their results in order; the first error any of them raised is raised here, after every one has finished."""
    stores = [Store(path).open_sync() for _ in acts]
    gate = threading.Barrier(len(acts))
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            gate.wait()
            results[i] = asyncio.run(acts[i](stores[i]))
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(acts))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=timeout)
    finally:
        for s in stores:
            s.close_sync()
    if errors:
        raise errors[0]
    return [results[i] for i in range(len(acts))]
