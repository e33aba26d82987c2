"""Imports go one way: stages use ``careline``'s core, never each other; only the wiring sees stages."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

STAGES = ("listener", "classifiers", "responder")
#: The parts of ``careline`` that wire the stages together (app, service, CLI); the rest is shared core.
WIRING = ("careline/pipeline.py", "careline/service.py", "careline/cli.py", "careline/web/")


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def sources(folder: str) -> list[Path]:
    return sorted((REPO / folder).rglob("*.py"))


def test_stages_do_not_import_each_other() -> None:
    crossing = [f"{p.relative_to(REPO)} imports {other}" for stage in STAGES for p in sources(stage)
                for other in imported_packages(p) & set(STAGES) - {stage}]
    assert crossing == []


def test_shared_core_imports_no_stage() -> None:
    core = [p for p in sources("careline") if not str(p.relative_to(REPO)).startswith(WIRING)]
    assert len(core) >= 5
    leaking = [f"{p.relative_to(REPO)} imports {s}" for p in core for s in imported_packages(p) & set(STAGES)]
    assert leaking == []
