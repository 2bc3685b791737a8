"""arXiv enrichment: ``lineage show`` fills the abstract from arXiv once, then from the cache."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.core.models import Paper
from tests.fakes.arxiv_server import FakeArxiv

DPO = Paper("arxiv:2305.18290", title="Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
            authors=("Rafael Rafailov", "Archit Sharma"), year=2023, arxiv_id="2305.18290",
            abstract="While large-scale unsupervised language models (LMs) learn broad world knowledge ...",
            publication_date="2023-05-29")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LINEAGE_OFFLINE", raising=False)
    monkeypatch.setenv("S2_API_URL", f"http://127.0.0.1:{_closed_port()}/graph/v1")  # S2 down: snapshot
    monkeypatch.setenv("LINEAGE_RETRIES", "0")


def test_show_fills_the_abstract_from_arxiv_once(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeArxiv.from_models([DPO]) as fake:
        monkeypatch.setenv("ARXIV_API_URL", fake.url)
        r = CliRunner().invoke(app, ["show", "dpo", "--format", "json"])
        assert r.exit_code == 0, r.stderr
        d = json.loads(r.stdout)
        assert d["abstract"].startswith("While large-scale unsupervised")
        assert "arxiv" in d["metadata_sources"]
        assert fake.requests == 1
        r = CliRunner().invoke(app, ["show", "dpo", "--format", "json"])
        assert json.loads(r.stdout)["abstract"] and fake.requests == 1  # from the cache


def test_offline_show_never_calls_arxiv(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeArxiv.from_models([DPO]) as fake:
        monkeypatch.setenv("ARXIV_API_URL", fake.url)
        r = CliRunner().invoke(app, ["show", "dpo", "--format", "json", "--offline"])
        assert r.exit_code == 0 and fake.requests == 0
        assert json.loads(r.stdout).get("abstract") is None


def test_arxiv_down_is_not_an_error(env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARXIV_API_URL", f"http://127.0.0.1:{_closed_port()}/api/query")
    r = CliRunner().invoke(app, ["show", "dpo", "--format", "json"])
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["paper_id"] == "arxiv:2305.18290"
