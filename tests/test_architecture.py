"""The house's rules, enforced: which room may import which (docs/architecture.md draws them).

Data flows one way: core -> catalogue -> sources -> store -> build -> analyse -> present -> explore ->
shells. A room may import its own folder and the folders *before* it in that list, never after; the
shells (graph/cli, app.py) ask only the orchestration layer (graph.explore) plus core records.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["core", "catalogue", "sources", "store", "assemble", "analyse", "present", "explore", "cli"]

#: Extra rules beyond "only earlier rooms": what a room must never import even though it comes later.
NEVER: dict[str, set[str]] = {
    "analyse": {"sources", "store"},  # analyses are functions of a graph, never of where facts come from
    "present": {"sources", "store", "catalogue"},
    "cli": {"catalogue", "sources", "store", "assemble", "analyse", "present"},  # flags and printing only
}
#: What app.py may import from graph/.
APP_MAY = {"explore", "core", "catalogue"}


def room_of(path: Path) -> str:
    rel = path.relative_to(ROOT / "graph")
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def graph_imports(path: Path) -> list[tuple[int, str]]:
    """(line, room) of every ``graph.*`` import in a file, also those inside functions."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for n in names:
            parts = n.split(".")
            if parts[0] == "graph" and len(parts) > 1:
                out.append((node.lineno, parts[1]))
    return out


FILES = sorted(p for p in (ROOT / "graph").rglob("*.py") if room_of(p) in ORDER)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_data(path: Path) -> None:
    room = room_of(path)
    allowed = set(ORDER[: ORDER.index(room) + 1]) - NEVER.get(room, set())
    if room == "cli":
        allowed |= {"explore", "core", "cli"}
    bad = [f"{path.relative_to(ROOT)}:{line} imports graph.{target}" for line, target in graph_imports(path)
           if target not in allowed]
    assert not bad, bad


def test_the_app_asks_the_engine() -> None:
    bad = [f"app.py:{line} imports graph.{t}" for line, t in graph_imports(ROOT / "app.py") if t not in APP_MAY]
    assert not bad, bad


def test_no_room_is_over_400_lines() -> None:
    big = {str(p.relative_to(ROOT)): n for p in (ROOT / "graph").rglob("*.py")
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert not big, big


def test_every_room_is_in_the_order() -> None:
    rooms = {room_of(p) for p in (ROOT / "graph").rglob("*.py")} - {"__init__"}
    assert rooms <= set(ORDER), rooms - set(ORDER)
