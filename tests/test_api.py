"""The public API: everything in ``graph.__all__`` resolves, and the library stays free of front ends."""

from __future__ import annotations

import ast
from pathlib import Path

import graph

ROOT = Path(__file__).resolve().parent.parent


def test_every_public_name_resolves() -> None:
    for name in graph.__all__:
        assert getattr(graph, name) is not None, name


def test_library_never_imports_streamlit_or_prints() -> None:
    for f in (ROOT / "graph").rglob("*.py"):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                assert not any(a.name.split(".")[0] == "streamlit" for a in node.names), f
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").split(".")[0] != "streamlit", f
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                assert f.name == "cli.py", f"print() in {f}"


def test_every_public_module_declares_all() -> None:
    for f in (ROOT / "graph").rglob("*.py"):
        if f.name in ("__main__.py",):
            continue
        assert "__all__" in f.read_text(encoding="utf-8"), f
