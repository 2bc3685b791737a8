"""``lineage snapshot refresh`` against the fake Semantic Scholar server, and ``snapshot info``."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from graph.assemble.expand import build_graph
from graph.assemble.refresh import refresh_snapshot, snapshot_info
from graph.catalogue.load import load_catalogue
from graph.cli import app
from graph.core.settings import Settings
from graph.store.snapshot import load_snapshot
from tests.fakes.s2_server import FakeS2


def _catalogue(tmp_path: Path):  # type: ignore[no-untyped-def]
    f = tmp_path / "po.yaml"
    f.write_text(
        "papers:\n"
        "  - {alias: dpo, arxiv: '2305.18290'}\n"
        "  - {alias: kto, arxiv: '2402.01306'}\n"
        "  - {alias: orpo, arxiv: '2403.07691'}\n"
        "lineages:\n  po: [[dpo], [kto, orpo]]\n",
        encoding="utf-8",
    )
    return load_catalogue(f)


def test_refresh_rewrites_the_snapshot_in_the_same_format(fake_s2: FakeS2, s2_settings: Settings,
                                                          tiny_dataset, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake_s2.add_models(tiny_dataset.papers, tiny_dataset.edges)
    cat = _catalogue(tmp_path)
    out = tmp_path / "snap"
    meta = refresh_snapshot(cat, settings=s2_settings, out=out)
    assert meta["counts"]["seeds_resolved"] == 3
    # 1 ping + 1 batch + a references and a citations page per seed
    assert fake_s2.counts["batch"] == 1
    assert fake_s2.counts["references"] == 3 and fake_s2.counts["citations"] == 3
    snap = load_snapshot(out)
    assert {"arxiv:2305.18290", "arxiv:2402.01306", "arxiv:2403.07691"} <= set(snap.papers)
    assert snap.papers["arxiv:2305.18290"].references_status == "complete"
    tiny_edges = {(e.citing, e.cited) for e in tiny_dataset.edges}
    got = {(e.citing, e.cited) for e in snap.edges}
    seeds = {"arxiv:2305.18290", "arxiv:2402.01306", "arxiv:2403.07691"}
    assert got == {e for e in tiny_edges if e[0] in seeds or e[1] in seeds}
    assert all(e.source == "semanticscholar" and e.fetched_at for e in snap.edges)

    # the refreshed snapshot drives an offline build and `snapshot info`
    G = build_graph(cat, settings=Settings(cache_dir=tmp_path / "c", offline=True), snapshot=snap)
    assert G.has_edge("arxiv:2402.01306", "arxiv:2305.18290")  # KTO cites DPO
    info = snapshot_info(snap, cat)
    assert info["lineages"][0]["complete"] == 3


def test_refresh_through_the_cli(fake_s2: FakeS2, tiny_dataset, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake_s2.add_models(tiny_dataset.papers, tiny_dataset.edges)
    _catalogue(tmp_path)
    monkeypatch.setenv("S2_API_URL", fake_s2.url)
    monkeypatch.setenv("LINEAGE_RATE", "1000")
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.delenv("LINEAGE_OFFLINE", raising=False)
    out = tmp_path / "snap2"
    r = CliRunner().invoke(app, ["snapshot", "refresh", "--out", str(out), "--seeds", str(tmp_path / "po.yaml"), "-q"])
    assert r.exit_code == 0, r.stderr
    assert (out / "papers.jsonl").exists() and "snapshot written" in r.stderr
