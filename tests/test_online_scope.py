"""Online for real: fetch what the question needs, no more (requests counted at the fake server).

Every test drives the real CLI (typer's CliRunner) against the fake Semantic Scholar server, with the
embedded snapshot, and counts what the server saw.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.catalogue.load import load_catalogue
from graph.cli import app
from graph.core.models import Citation
from graph.store.snapshot import load_snapshot
from tests.fakes.future_papers import NEW, NEW_CITING, NEW_EDGES, NEW_REFS, OUTSIDE
from tests.fakes.s2_server import FakeS2

LINEAGE = "preference-optimization"

#: Five papers no snapshot holds (arXiv ids from a month that has not happened), each with two


@pytest.fixture
def fake() -> FakeS2:
    snap = load_snapshot()
    cat = load_catalogue()
    keys = {snap.find(arxiv_id=cat.seeds[a].arxiv_id, doi=cat.seeds[a].doi, title=cat.seeds[a].title)
            for a in cat.get_lineage(LINEAGE).aliases}
    keys.discard(None)
    edges = [e for e in snap.edges if e.citing in keys or e.cited in keys]
    nodes = {k for e in edges for k in (e.citing, e.cited)} | keys
    papers = [snap.papers[k] for k in nodes if k in snap.papers]
    outside_cites_ppo = Citation(OUTSIDE.key, "arxiv:1707.06347")  # PPO: cited by the seeds, not a seed
    with FakeS2.from_models([*papers, *NEW, *NEW_REFS, *NEW_CITING, OUTSIDE],
                            [*edges, *NEW_EDGES, outside_cites_ppo]) as f:
        yield f


@pytest.fixture
def env(fake: FakeS2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("S2_API_URL", fake.url)
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_RATE", "1000")
    monkeypatch.setenv("ARXIV_API_URL", "http://127.0.0.1:9/api/query")  # arXiv stays unreachable, locally
    monkeypatch.delenv("LINEAGE_OFFLINE", raising=False)
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)
    monkeypatch.delenv("S2_API_KEY", raising=False)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_show_a_doi_outside_the_catalogue_cold_then_warm(fake: FakeS2, env: Path) -> None:
    code, out, err = run("show", "DOI:10.9999/outside.2026", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["title"] == "A paper far from every seed"
    assert fake.counts["total"] <= 2, fake.log  # the network check and one batch call
    assert fake.counts["batch"] == 1 and fake.counts["references"] == fake.counts["citations"] == 0
    fake.counts.clear()
    code, out, _ = run("show", "DOI:10.9999/outside.2026", "--format", "json")
    assert code == 0 and json.loads(out)["doi"] == "10.9999/outside.2026"
    assert fake.counts["total"] == 0  # warm: the cache


def test_a_path_to_a_paper_far_from_every_seed(fake: FakeS2, env: Path) -> None:
    code, out, err = run("path", "kto", "DOI:10.9999/outside.2026", "--lineage", LINEAGE, "--format", "json")
    assert code == 0, err
    steps = [r["title"] for r in json.loads(out)]
    assert steps[-1] == "A paper far from every seed" and len(steps) >= 3  # kto -> ppo <- outside
    assert "outside the lineage graph" in err
    assert fake.counts["batch"] == 1 and fake.counts["references"] + fake.counts["citations"] == 2 + 7


def test_show_of_a_seed_costs_nothing_and_references_only_when_asked(fake: FakeS2, env: Path) -> None:
    code, out, err = run("show", "dpo", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["alias"] == "dpo"
    assert fake.counts["total"] == 0  # the snapshot knows DPO: no request at all
    code, out, err = run("show", "dpo", "--format", "json", "--with-references")
    d = json.loads(out)
    assert d["references"] and d["citations"]
    assert fake.counts["references"] == 0  # DPO's reference list is complete in the snapshot
    assert fake.counts["citations"] == 1 and fake.counts["total"] == 2  # + the network check


def test_scoped_ancestors_fetch_only_that_lineages_stale_or_missing_lists(fake: FakeS2, env: Path) -> None:
    cat = load_catalogue()
    own = {cat.seeds[a].arxiv_id for a in cat.get_lineage(LINEAGE).aliases}
    code, out, err = run("ancestors", "--lineage", LINEAGE, "--format", "json")
    assert code == 0, err
    assert json.loads(out)
    listed = [re.search(r"/paper/ARXIV:([^/]+)/(references|citations)", p) for _, p, _ in fake.log]
    fetched = {m.group(1) for m in listed if m}
    assert fetched and fetched <= own, fetched - own  # no other seed's list, no second-hop list
    # the snapshot holds complete reference lists for these seeds: only citation lists are fetched
    assert fake.counts["references"] == 0 and fake.counts["citations"] == len(own)
    assert fake.counts["total"] == len(own) + 1
    # said beforehand, with the time it takes; then a bar
    assert f"will fetch {len(own)} citation lists: about 1 s at 1000 requests/s" in err
    assert re.search(rf"citations \(hop 1\) .* {len(own)}/{len(own)}", err), err
    # a second run answers from the fresh cache; --refresh fetches the same lists again
    fake.counts.clear()
    assert run("ancestors", "--lineage", LINEAGE, "--format", "json")[0] == 0
    assert fake.counts["total"] == 0
    assert run("ancestors", "--lineage", LINEAGE, "--format", "json", "--refresh")[0] == 0
    assert fake.counts["citations"] == len(own) and fake.counts["references"] == 0


def test_a_five_paper_list_outside_the_snapshot_costs_the_minimum(fake: FakeS2, env: Path) -> None:
    mine = env / "mine.txt"
    mine.write_text("".join(f"arXiv:{p.arxiv_id}\n" for p in NEW), encoding="utf-8")
    code, out, err = run("expand", "--seeds", str(mine), "--depth", "1", "--direction", "both")
    assert code == 0, err
    minimum = 1 + 5 + 5  # one batch call resolves the five, then one reference and one citation list each
    assert fake.counts["batch"] == 1 and fake.counts["references"] == 5 and fake.counts["citations"] == 5
    assert fake.counts["total"] <= 1.1 * minimum + 0.5, fake.counts  # + the one network check
    assert out.startswith("nodes=12 edges=15 ")  # 5 seeds, the 2 papers they all cite, 5 citing papers
    assert "will fetch 5 reference lists, 5 citation lists, 1 batch call" in err


def test_an_id_that_does_not_exist_warns_once_in_every_command(fake: FakeS2, env: Path) -> None:
    mine = env / "mine.txt"
    mine.write_text("arXiv:2305.18290\narXiv:2402.01306\narXiv:2599.99999\n", encoding="utf-8")
    for cmd in (["seeds"], ["ancestors"], ["frontier"], ["check"]):
        code, _, err = run(*cmd, "--seeds", str(mine), "--offline")
        assert code == 0, err
        lines = [ln for ln in err.splitlines() if "2599.99999" in ln]
        assert len(lines) == 1 and lines[0].startswith("warning:") and "unresolved" in lines[0], (cmd, err)
    code, out, err = run("show", "arXiv:2599.99999", "--offline")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "2599.99999" in err


def test_offline_there_is_no_request_and_no_logger_line(fake: FakeS2, env: Path) -> None:
    code, _, err = run("ancestors", "--lineage", LINEAGE, "--offline")
    assert code == 0 and fake.counts["total"] == 0
    assert not re.search(r"^(WARNING|INFO|ERROR) graph", err, re.M), err


def test_the_app_online_says_what_it_fetches_and_shows_progress(fake: FakeS2, env: Path) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=60).run()
    assert not at.exception and fake.counts["total"] == 0  # offline by default: no request
    at.sidebar.toggle(key="online").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    cat = load_catalogue()
    n = len(cat.get_lineage(LINEAGE).aliases)
    plan = at.session_state["_last_plan"]
    assert plan.startswith(f"will fetch {n} citation lists: about 1 s at 1000 requests/s"), plan
    assert any("will fetch" in i.value for i in at.info)
    assert at.get("progress"), "no progress bar"
    # only the lineage on screen was fetched: its seeds' citation lists and the network check
    assert fake.counts["citations"] == n and fake.counts["total"] == n + 1, fake.counts
