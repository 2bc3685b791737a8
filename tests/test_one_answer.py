"""One question, one answer: the CLI and the app (through its own code path, in AppTest) agree.

For every shipped lineage and for an uploaded BibTeX list, every analysis (ancestors, frontier, check,
order, main path, path, show) is run once through ``lineage ... --format json`` and once through the
app, and the papers, their order and the verdicts must be identical. The HTML export is checked to
mark the same missing ancestors and frontier papers as the app.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from graph.catalogue.load import load_catalogue
from graph.cli import app as cli_app

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
BIB = ROOT / "tests" / "data" / "seeds" / "user_list.bib"
TOP = 10  # the app's default "Top missing ancestors" / "Top frontier"
LINEAGES = list(load_catalogue().lineages)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_OFFLINE", "1")
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)


def cli(*args: str, seeds: Path | None = None) -> Any:
    extra = ["--seeds", str(seeds)] if seeds else []
    res = CliRunner().invoke(cli_app, [*args, "--format", "json", "--offline", *extra])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def frames(at: AppTest) -> dict[str, list[dict[str, Any]]]:
    """The app's tables by the column that only that analysis shows."""
    out: dict[str, list[dict[str, Any]]] = {}
    marker = {"cited_by": "ancestors", "cites": "frontier", "verdict": "check", "weight": "mainpath",
              "role": "order", "step": "path"}
    for df in at.dataframe:
        cols = set(df.value.columns)
        for col, name in marker.items():
            if col in cols:
                out[name] = df.value.to_dict("records")
    return out


def unescape(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def app_for(lineage: str | None, upload: Path | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if lineage:
        at.query_params["lineage"] = lineage
    at.run()
    if upload is not None:
        at.sidebar.file_uploader[0].set_value((upload.name, upload.read_bytes(), "application/x-bibtex"))
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    return at


def agree(at: AppTest, name: str, seeds: Path | None = None) -> None:
    tables = frames(at)
    # ranked lists: same papers, same order
    for question in ("ancestors", "frontier"):
        rows = cli(question, "--lineage", name, "--top", str(TOP), seeds=seeds)
        assert [r["title"] for r in tables.get(question, [])] == [r["title"] for r in rows], question
    # verdicts, paths through the same papers
    rows = cli("check", "--lineage", name, seeds=seeds)
    assert [(r["from"], r["to"], r["verdict"], r["via"] or "") for r in tables.get("check", [])] == [
        (r["from"], r["to"], r["verdict"], ", ".join(r["via"])) for r in rows]
    for question in ("order", "mainpath"):
        rows = cli(question, "--lineage", name, seeds=seeds)
        assert [r["title"] for r in tables.get(question, [])] == [r["title"] for r in rows], question
    # show: the details panel opens on the chain's first seed
    key = at.selectbox(key="detail").value
    shown = cli("show", key, "--lineage", name, seeds=seeds)
    text = "\n".join(unescape(m.value) for m in at.markdown)
    assert f"#### {' '.join(str(shown['title']).split())}" in text
    assert f"Cites (in graph): {shown['references_in_graph']}" in text
    assert f"Cited by (in graph): {shown['citations_in_graph']}" in text
    # path: from the first seed to the newest main-path paper the view shows
    options = at.selectbox(key="path_to").options
    ids = [r["paper_id"] for r in cli("mainpath", "--lineage", name, seeds=seeds)]
    target = next((k for k in reversed(ids) if k != key and k in options), None)
    if target is None:
        return
    at.selectbox(key="path_to").set_value(target).run()
    res = CliRunner().invoke(cli_app, ["path", key, target, "--lineage", name, "--format", "json", "--offline",
                                       *(["--seeds", str(seeds)] if seeds else [])])
    cli_path = [r["title"] for r in json.loads(res.stdout)] if res.exit_code == 0 else []
    assert [r["title"] for r in frames(at).get("path", [])] == cli_path


@pytest.mark.parametrize("lineage", LINEAGES)
def test_app_and_cli_agree_on_every_shipped_lineage(lineage: str) -> None:
    agree(app_for(lineage), lineage)


def test_app_and_cli_agree_on_an_uploaded_bibtex() -> None:
    at = app_for(None, upload=BIB)
    name = at.sidebar.multiselect(key="lineages").value[0]
    agree(at, name, seeds=BIB)


def test_html_export_marks_what_the_app_marks(tmp_path: Path) -> None:
    out = tmp_path / "v.html"
    res = CliRunner().invoke(cli_app, ["export", "--format", "html", "--out", str(out), "--lineage",
                                       "preference-optimization", "--offline"])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    ma = cli("ancestors", "--lineage", "preference-optimization", "--top", str(TOP))
    fr = cli("frontier", "--lineage", "preference-optimization", "--top", str(TOP))
    ids = json.loads(re.search(r'"id":(\[[^\]]*\])', html).group(1))
    marks = json.loads(re.search(r'"marks":(\[[^\]]*\])', html).group(1))  # the lineage view: one per paper
    marked = {k: m for k, m in zip(ids, marks, strict=True) if m in ("missing-ancestor", "frontier")}
    assert marked, "the export marks no paper"
    want = {r["paper_id"]: "missing-ancestor" for r in ma} | {r["paper_id"]: "frontier" for r in fr}
    assert marked == {k: v for k, v in want.items() if k in ids}  # every paper shown is marked as in the app
