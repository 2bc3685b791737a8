"""The docs' Python snippets ask the same engine as the CLI, and print the same figures."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_OFFLINE", "1")
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)


def test_eval_snippet_agrees_with_the_cli() -> None:
    text = (ROOT / "docs" / "eval.md").read_text(encoding="utf-8")
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)  # type: ignore[union-attr]
    scope: dict[str, object] = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs/eval.md", "exec"), scope)
    loo, top = scope["loo"], scope["top"]
    r = CliRunner().invoke(app, ["eval", "ancestors", "-l", "preference-optimization", "--format", "json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == json.loads(json.dumps(loo))
    r = CliRunner().invoke(app, ["ancestors", "-l", "preference-optimization", "--top", "10", "--format", "json"])
    assert [row["title"] for row in json.loads(r.stdout)] == [row["title"] for row in top.rows]  # type: ignore[attr-defined]
    printed = out.getvalue().split()
    assert printed[0] == str(loo["cases"])  # type: ignore[index]
