"""Settings edited in the browser: what one save costs, and what the per-request version check costs.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/settings_overlay.py [--brands 50] [--saves 200]

On a real SQLite file (a temp dir): a bootstrap with ``--brands`` brands, 20 SLA policies and a template
per brand; ``--saves`` saves of one brand's keywords through ``LiveSettings.change`` (read the overlay,
apply it to the bootstrap, validate everything, write the row and the audit event in one transaction,
publish), then the same number of version checks (``refresh`` with nothing changed: one read of a
one-row table). Prints p50 / p99 / max in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]

from careline.live import LiveSettings  # noqa: E402
from careline.settings import (  # noqa: E402
    BrandSettings,
    ResponderSettings,
    Settings,
    SLAPolicySettings,
    SLASettings,
)
from careline.store import Store  # noqa: E402


def bootstrap(brands: int) -> Settings:
    """A large installation: many brands, 20 policies, a template per brand."""
    names = [f"brand{i}" for i in range(brands)]
    return Settings(
        brands=[BrandSettings(name=n, keywords=[f"{n} shoes", f"#{n}"], handles=[f"{n}_help"]) for n in names],
        sla=SLASettings(policies=[SLAPolicySettings(name=f"p{i}", brands=[names[i % brands]]) for i in range(20)]),
        responder=ResponderSettings(templates={f"{n}/delivery": "{{ greeting }} {{ name }}, sorry. {{ case_ref }}"
                                               for n in names}))


def figures(label: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{label}: n={len(ms)} p50 {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms"


async def main(brands: int, saves: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store(Path(tmp) / "bench.db").open()
        try:
            live = LiveSettings(bootstrap(brands), store)
            await live.refresh()
            save_times, version = [], 0
            for i in range(saves):
                started = time.perf_counter()
                saved = await live.change("brands", "brand1", {"keywords": f"brand1 shoes\nrun {i}"},
                                          expected=version, actor="bench")
                save_times.append(time.perf_counter() - started)
                version = saved.version
            check_times = []
            for _ in range(saves):
                started = time.perf_counter()
                await live.refresh()
                check_times.append(time.perf_counter() - started)
        finally:
            await store.close()
    print(f"{brands} brands, 20 SLA policies, {brands} templates")
    print(figures("save (validate all + write + audit + publish)", save_times))
    print(figures("version check (nothing changed)", check_times))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--saves", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.brands, args.saves))
