"""Imports run one way: wiring (``careline.app``) -> stages and platforms -> ground (the rest of ``careline``).

* The stages (``listener``, ``classifiers``, ``responder``) and the platform packages never import
  each other's internals: the listener polls ``careline.platform.Source``s and the responder posts
  through ``careline.platform.ReplySender``s that the wiring builds with ``platforms.registry``.
* The ground imports no stage, no platform and no wiring.
* Nothing but the wiring itself (and tests and benchmarks) imports ``careline.app``.
* The responder's rules carry no web framework: ``aiohttp`` appears in no stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

STAGES = ("listener", "classifiers", "responder")
PLATFORMS = "platforms"
WIRING = "careline.app"


def imported_modules(path: Path) -> set[str]:
    """Every absolute module an import statement names (``from a.b import c`` gives ``a.b`` and ``a.b.c``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def sources(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def uses_wiring(names: set[str]) -> bool:
    return any(n == WIRING or n.startswith(WIRING + ".") for n in names)


def test_stages_and_platforms_do_not_import_each_other_or_the_wiring() -> None:
    layers = (*STAGES, PLATFORMS)
    crossing = [f"{p.relative_to(REPO)} imports {other}" for layer in layers for p in sources(layer)
                for other in top(imported_modules(p)) & set(layers) - {layer}]
    wiring = [str(p.relative_to(REPO)) for layer in layers for p in sources(layer) if uses_wiring(imported_modules(p))]
    assert crossing == [] and wiring == []


def test_ground_imports_no_stage_platform_or_wiring() -> None:
    ground = [p for p in sources("careline") if not p.relative_to(REPO).as_posix().startswith("careline/app/")]
    assert len(ground) >= 8
    leaking = [f"{p.relative_to(REPO)} imports {s}" for p in ground
               for s in top(imported_modules(p)) & {*STAGES, PLATFORMS}]
    wiring = [str(p.relative_to(REPO)) for p in ground if uses_wiring(imported_modules(p))]
    assert leaking == [] and wiring == []


def test_stages_carry_no_web_framework() -> None:
    found = [str(p.relative_to(REPO)) for stage in STAGES for p in sources(stage)
             if "aiohttp" in top(imported_modules(p)) or "aiohttp" in p.read_text(encoding="utf-8")]
    assert found == []


def test_the_checker_sees_a_crossing() -> None:
    """The checker sees what the wiring imports (guards against a rule that passes because it sees nothing)."""
    service = imported_modules(REPO / "careline" / "app" / "service.py")
    assert uses_wiring(service)  # careline.app.service imports careline.app.pipeline
    assert {"listener", "platforms", "responder", "classifiers"} <= top(service)
