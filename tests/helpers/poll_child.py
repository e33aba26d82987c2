"""Child process for the crash test: polls with real parts, then stalls before its Nth commit.

Usage: python -m tests.helpers.poll_child DB BASE_URL STALL_AT [SOURCE]. It prints ``STALLED`` once
the Nth page has been fetched but not committed, then sleeps until the parent SIGKILLs it. SOURCE
(default ``x-search`` for the thin-path brand) is any name in ``tests.helpers.scenarios.SOURCES``.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

from careline.platform import Source
from careline.settings import XSourceSettings
from careline.store import Store
from listener.poller import Poller
from platforms.x.read import XSearchSource
from tests.conftest import BRAND
from tests.helpers.scenarios import make_source


async def main(db: str, base_url: str, stall_at: int, name: str | None = None) -> None:
    store = await Store(db).open()
    calls = 0
    real_write = store.write

    async def stalling_write(fn: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == stall_at:
            print("STALLED", flush=True)
            time.sleep(120)  # noqa: ASYNC251 - block the whole process: fetched, not committed
        return await real_write(fn)

    store.write = stalling_write  # type: ignore[method-assign]
    if name is None:
        source: Source = XSearchSource(BRAND, XSourceSettings(api_base_url=base_url, bearer_token="t"))
    else:
        source = make_source(name, base_url)
    await source.start()
    await Poller(source, store, max_pages=50).run_once()
    print("DONE", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else None))
