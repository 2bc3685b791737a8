"""Expansion: offline from the snapshot, online through the fake Semantic Scholar server, and both agree."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph.assemble.expand import NODE_ATTRS, build_graph, merge_duplicates
from graph.catalogue.load import load_catalogue
from graph.core.errors import UnknownLineageError
from graph.core.models import Citation, Paper
from graph.core.settings import Settings
from graph.sources.s2 import S2Source
from graph.store.cache import Cache
from graph.store.snapshot import load_snapshot
from tests.fakes.s2_server import FakeS2

LINEAGE = "preference-optimization"


@pytest.fixture(scope="module")
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue()


@pytest.fixture(scope="module")
def snapshot():  # type: ignore[no-untyped-def]
    return load_snapshot()


@pytest.fixture(scope="module")
def offline_graph(catalogue, snapshot, tmp_path_factory) -> nx.DiGraph:  # type: ignore[no-untyped-def]
    settings = Settings(cache_dir=tmp_path_factory.mktemp("cache"), offline=True)
    return build_graph(catalogue, lineages=[LINEAGE], settings=settings, snapshot=snapshot)


def test_offline_graph_has_contract_attributes(offline_graph: nx.DiGraph, catalogue) -> None:  # type: ignore[no-untyped-def]
    G = offline_graph
    assert G.graph["built_from"] == "snapshot"
    assert G.graph["requests"] == 0
    for _, d in G.nodes(data=True):
        assert set(NODE_ATTRS) <= set(d)
    seeds = {d["alias"] for _, d in G.nodes(data=True) if d["is_seed"]}
    assert set(catalogue.get_lineage(LINEAGE).aliases) <= seeds
    # papers of the catalogue reached from these seeds are seeds too (never "missing")
    assert "instructgpt" in seeds and seeds <= set(catalogue.seeds)
    dpo = G.graph["seed_keys"]["dpo"]
    assert dpo == "arxiv:2305.18290"
    # DPO cites InstructGPT (read from DPO's bibliography in the snapshot)
    assert G.has_edge(dpo, "arxiv:2203.02155")
    assert G.nodes["arxiv:2203.02155"]["alias"] == "instructgpt"
    assert G.nodes["arxiv:1707.06347"]["role"] == "ancestor"  # PPO: cited by DPO, not in the lists
    assert all(G.nodes[k]["role"] == "seed" for k in G.graph["seed_keys"].values())
    # every edge keeps its provenance
    assert all(d.get("source") for _, _, d in G.edges(data=True))
    assert G.graph["lineages"][LINEAGE][0] == [dpo]


def test_unknown_lineage_is_a_clear_error(catalogue) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownLineageError) as e:
        build_graph(catalogue, lineages=["preference-optimisation"], offline=True)
    assert "did you mean 'preference-optimization'" in str(e.value)


def _snapshot_subset(snapshot, keys: set[str]) -> tuple[list[Paper], list[Citation]]:  # type: ignore[no-untyped-def]
    """The seeds' papers, everything they cite or are cited by, and those edges."""
    edges = [e for e in snapshot.edges if e.citing in keys or e.cited in keys]
    nodes = keys | {e.citing for e in edges} | {e.cited for e in edges}
    return [snapshot.papers[k] for k in nodes if k in snapshot.papers], edges


def test_same_graph_offline_and_online(offline_graph: nx.DiGraph, snapshot, catalogue, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed_keys = set(offline_graph.graph["seed_keys"].values())
    papers, edges = _snapshot_subset(snapshot, seed_keys)
    with FakeS2.from_models(papers, edges) as fake:
        settings = Settings(
            s2_api_url=fake.url, cache_dir=tmp_path / "c", rate_per_s=1000, backoff_base_s=0.01, timeout_s=5
        )
        G = build_graph(catalogue, lineages=[LINEAGE], settings=settings, offline=False)
        assert G.graph["built_from"] == "online"
        assert set(G.nodes) == set(offline_graph.nodes)
        assert set(G.edges) == set(offline_graph.edges)
        # snapshot first: the seeds resolve from the snapshot (no batch call) and their complete reference
        # lists are read from it; only the citation lists (a sample in the snapshot) are fetched
        own = [offline_graph.graph["seed_keys"][a] for a in catalogue.get_lineage(LINEAGE).aliases]
        n_seeds = len(own)
        complete = sum(1 for k in own if snapshot.completeness(k) == "complete")
        assert fake.counts["batch"] == 0
        assert fake.counts["citations"] == n_seeds and fake.counts["references"] == n_seeds - complete
        first = fake.counts["total"]
        assert first == n_seeds + (n_seeds - complete) + 1  # + the one ping
        assert first == G.graph["requests"]

        # a warm cache makes 0 requests (counted at the server)
        G2 = build_graph(catalogue, lineages=[LINEAGE], settings=settings, offline=False)
        assert fake.counts["total"] == first
        assert G2.graph["requests"] == 0
        assert G2.graph["cache_hits"] > 0
        assert set(G2.edges) == set(G.edges)


def test_unreachable_api_falls_back_with_one_notice(catalogue, snapshot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(s2_api_url="http://127.0.0.1:9/graph/v1", cache_dir=tmp_path, timeout_s=1)
    G = build_graph(catalogue, lineages=[LINEAGE], settings=settings, snapshot=snapshot, offline=False)
    assert len(G.graph["notices"]) == 1
    assert "unreachable" in G.graph["notices"][0]
    assert G.number_of_nodes() > 100


def test_unknown_paper_is_listed_as_unresolved_and_the_rest_expands(tmp_path: Path) -> None:
    yaml = tmp_path / "mine.yaml"
    yaml.write_text(
        "papers:\n"
        "  - {alias: dpo, arxiv: '2305.18290'}\n"
        "  - {alias: ghost, arxiv: '2101.99999'}\n"
        "lineages:\n  mine: [[dpo], [ghost]]\n",
        encoding="utf-8",
    )
    cat = load_catalogue(yaml)
    dpo = Paper("arxiv:2305.18290", title="Direct Preference Optimization", year=2023, arxiv_id="2305.18290")
    ref = Paper("arxiv:2203.02155", title="Training language models to follow instructions", arxiv_id="2203.02155")
    with FakeS2.from_models([dpo, ref], [Citation(dpo.paper_id, ref.paper_id)]) as fake:
        settings = Settings(s2_api_url=fake.url, cache_dir=tmp_path / "c", rate_per_s=1000, backoff_base_s=0.01)
        empty = load_snapshot(Path(__file__).parent / "data" / "empty_snapshot")
        G = build_graph(cat, settings=settings, snapshot=empty, offline=False)
    assert G.graph["unresolved"] == ["ghost"]
    assert G.has_edge("arxiv:2305.18290", "arxiv:2203.02155")
    assert G.nodes["arxiv:2101.99999"]["is_seed"]  # still shown, from the catalogue


def test_preprint_and_published_versions_merge() -> None:
    G = nx.DiGraph()
    G.add_node(
        "arxiv:2006.05639",
        title="Search-based User Interest Modeling with Lifelong Sequential Behavior Data",
        arxiv_id="2006.05639",
        doi=None,
        year=2020,
        is_seed=False,
    )
    G.add_node(
        "doi:10.1145/3340531.3412744",
        title="Search-based user interest modeling with lifelong "
        "sequential behavior data for click-through rate prediction",
        arxiv_id=None,
        doi="10.1145/3340531.3412744",
        year=2020,
        is_seed=False,
    )
    G.add_node(
        "title:search based user interest modeling with lifelong sequential behavior data",
        title="Search-based user interest modeling with lifelong sequential behavior data",
        arxiv_id=None,
        doi="10.1145/3340531.3412744",
        year=2020,
        is_seed=False,
    )
    G.add_edge("a", "doi:10.1145/3340531.3412744")
    G.add_edge("b", "title:search based user interest modeling with lifelong sequential behavior data")
    # the middle record shares the DOI with the published version and the title with the preprint:
    # all three are one paper, kept under the arXiv key, with both citations
    assert merge_duplicates(G) == 2
    assert "arxiv:2006.05639" in G
    assert set(G.predecessors("arxiv:2006.05639")) == {"a", "b"}
    assert G.nodes["arxiv:2006.05639"]["doi"] == "10.1145/3340531.3412744"


def test_max_nodes_keeps_seeds_and_most_connected(
    offline_graph: nx.DiGraph, catalogue, snapshot, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(cache_dir=tmp_path, offline=True)
    G = build_graph(catalogue, lineages=[LINEAGE], settings=settings, snapshot=snapshot, max_nodes=30)
    assert G.number_of_nodes() == 30
    seeds = {k for k, d in offline_graph.nodes(data=True) if d["is_seed"]}
    assert seeds <= set(G.nodes)
    kept = set(G.nodes) - seeds
    dropped = set(offline_graph.nodes) - set(G.nodes)
    assert min(offline_graph.degree(n) for n in kept) >= max(offline_graph.degree(n) for n in dropped)


def test_progress_callback_reports(catalogue, snapshot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, int, int]] = []
    build_graph(
        catalogue,
        lineages=[LINEAGE],
        settings=Settings(cache_dir=tmp_path, offline=True),
        snapshot=snapshot,
        progress=lambda s, d, t: seen.append((s, d, t)),
    )
    assert ("resolve", 7, 7) in seen
    assert any(s == "expand" for s, _, _ in seen)


def test_online_batches_grow_with_ceil_papers_over_500(tmp_path: Path) -> None:
    # 1,100 seeds resolved with 3 batch calls; no per-paper GETs
    lines = [f"{2101 + i // 9000}.{10000 + i % 9000:05d}" for i in range(1100)]
    txt = tmp_path / "many.txt"
    txt.write_text("\n".join(lines), encoding="utf-8")
    cat = load_catalogue(txt)
    papers = [Paper(f"arxiv:{a}", title=f"Paper number {i}", arxiv_id=a, year=2021) for i, a in enumerate(lines)]
    with FakeS2.from_models(papers) as fake:
        settings = Settings(s2_api_url=fake.url, cache_dir=tmp_path / "c", rate_per_s=10000, backoff_base_s=0.01)
        empty = load_snapshot(Path(__file__).parent / "data" / "empty_snapshot")
        G = build_graph(cat, settings=settings, snapshot=empty, depth=0, offline=False)
        assert fake.counts["batch"] == 3
        assert fake.counts.get("paper", 0) == 1  # the ping
    assert G.number_of_nodes() == 1100


def test_s2source_used_directly_counts_requests(s2_settings: Settings, fake_s2: FakeS2, tiny_dataset) -> None:  # type: ignore[no-untyped-def]
    fake_s2.add_models(tiny_dataset.papers, tiny_dataset.edges)
    src = S2Source(s2_settings)
    got = src.get_papers(["ARXIV:2305.18290"])
    assert got["ARXIV:2305.18290"] is not None
    with Cache(s2_settings.cache_path) as c:
        c.put_papers([p for p in got.values() if p])
        assert c.get_paper("arxiv:2305.18290") is not None


def test_warm_cache_sends_nothing_even_for_title_only_and_unknown_seeds(tmp_path: Path) -> None:
    yaml = tmp_path / "titles.yaml"
    yaml.write_text(
        "papers:\n"
        "  - {alias: dpo, arxiv: '2305.18290'}\n"
        "  - {alias: ppo, title: 'Proximal Policy Optimization Algorithms'}\n"
        "  - {alias: book, kind: book, title: 'Reinforcement Learning: An Introduction'}\n"
        "lineages:\n  t: [[ppo], [dpo]]\n",
        encoding="utf-8",
    )
    cat = load_catalogue(yaml)
    dpo = Paper("arxiv:2305.18290", title="Direct Preference Optimization", year=2023, arxiv_id="2305.18290")
    ppo = Paper("arxiv:1707.06347", title="Proximal Policy Optimization Algorithms", year=2017, arxiv_id="1707.06347")
    empty = load_snapshot(Path(__file__).parent / "data" / "empty_snapshot")
    with FakeS2.from_models([dpo, ppo], [Citation(dpo.paper_id, ppo.paper_id)]) as fake:
        settings = Settings(s2_api_url=fake.url, cache_dir=tmp_path / "c", rate_per_s=1000, backoff_base_s=0.01)
        G = build_graph(cat, settings=settings, snapshot=empty, offline=False)
        assert fake.counts["match"] == 2 and G.graph["unresolved"] == ["book"]
        assert G.has_edge("arxiv:2305.18290", "arxiv:1707.06347")
        before = fake.counts["total"]
        G2 = build_graph(cat, settings=settings, snapshot=empty, offline=False)
        assert fake.counts["total"] == before  # not even the ping
        assert set(G2.edges) == set(G.edges)


def test_same_title_but_two_arxiv_ids_are_two_papers() -> None:
    G = nx.DiGraph()
    G.add_node("arxiv:1601.00001", title="Deep learning for everything", arxiv_id="1601.00001", doi=None, year=2016)
    G.add_node("arxiv:1602.00002", title="Deep learning for everything", arxiv_id="1602.00002", doi=None, year=2016)
    G.add_node("title:deep learning for everything", title="Deep learning for everything", arxiv_id=None,
               doi=None, year=2016)
    merge_duplicates(G)
    # the title-only reference joins one of them; the two arXiv records stay apart
    assert {"arxiv:1601.00001", "arxiv:1602.00002"} <= set(G.nodes)
    assert G.number_of_nodes() == 2
