"""Analyses on tiny hand-computed graphs: exact scores, ranks and verdicts."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graph.analyse.analysis import (
    DEFAULT_WEIGHTS,
    ChainVerdict,
    NoPathError,
    Result,
    check_chain,
    citation_path,
    evaluate_ancestors,
    frontier,
    missing_ancestors,
    reading_order,
)
from graph.core.errors import LineageError, UnknownLineageError, UnknownPaperError


def _node(G: nx.DiGraph, key: str, year: int | None, *, seed: bool = False, status: str | None = "complete",
          alias: str | None = None) -> None:
    G.add_node(key)
    G.nodes[key].update(year=year, is_seed=seed, references_status=status, alias=alias, title=f"T {key}",
                        arxiv_id=None, doi=None, lineages={})


def _graph() -> nx.DiGraph:
    """Lineage L: A (2020), B (2021), C (2022, partial); lineage M: Z (2021).

    A, B cite x (2019) and old (1990); C and Z cite y (2019); B cites A, C cites A and B;
    the later paper d (2023) cites A and x.
    """
    G = nx.DiGraph()
    for key, year, seed, status in [
        ("A", 2020, True, "complete"), ("B", 2021, True, "complete"), ("C", 2022, True, "partial"),
        ("Z", 2021, True, "complete"), ("x", 2019, False, None), ("y", 2019, False, None),
        ("old", 1990, False, None), ("d", 2023, False, "complete"),
    ]:
        _node(G, key, year, seed=seed, status=status, alias=key.lower() if seed else None)
    G.add_edges_from([("A", "x"), ("B", "x"), ("A", "old"), ("B", "old"), ("C", "y"), ("Z", "y"),
                      ("B", "A"), ("C", "A"), ("C", "B"), ("d", "A"), ("d", "x")])
    G.graph["lineages"] = {"L": [["A"], ["B"], ["C"]], "M": [["Z"]]}
    return G


# ------------------------------------------------------------------------------------------------
# missing ancestors


def test_baseline_counts_and_key_ties() -> None:
    got = [(r.paper_id, r.score) for r in missing_ancestors(_graph(), lineage="L", method="baseline")]
    assert got == [("old", 2.0), ("x", 2.0), ("y", 1.0)]


def test_ours_exact_scores() -> None:
    w = DEFAULT_WEIGHTS
    vote_a, vote_b, vote_c = 1.0, 1.0 * (1 + w["core"] * 1), w["partial"] * (1 + w["core"] * 2)
    total = vote_a + vote_b + vote_c  # 3.9
    x = ((vote_a + vote_b) / total + w["descendants"] * math.log1p(1) / math.log1p(1)) * 0.5 ** (1.5 / 8)
    y = vote_c / total * math.sqrt(1 / 2) * 0.5 ** (3 / 8)  # C and Z cite y: half of its seed citers are L's
    old = (vote_a + vote_b) / total * 0.5 ** (30.5 / 8)
    got = {r.paper_id: r.score for r in missing_ancestors(_graph(), lineage="L")}
    assert list(got) == ["x", "y", "old"]
    assert got["x"] == pytest.approx(x, abs=1e-6)
    assert got["y"] == pytest.approx(y, abs=1e-6)
    assert got["old"] == pytest.approx(old, abs=1e-6)


def test_explanation_and_to_dict() -> None:
    r = missing_ancestors(_graph(), lineage="L")[0]
    assert r.cited_by == ["a", "b"]
    assert r.explanation == ("cited by 2 of 3 L seeds with reference lists: a, b; "
                             "also cited by 1 later papers that cite these seeds")
    d = r.to_dict()
    assert list(d) == ["paper_id", "title", "year", "arxiv_id", "doi", "score", "explanation", "cited_by",
                       "lineages"]
    y = next(r for r in missing_ancestors(_graph(), lineage="L") if r.paper_id == "y")
    assert "(1 of the citing seeds have incomplete reference lists)" in y.explanation


def test_all_seeds_scope_and_top() -> None:
    G = _graph()
    got = [r.paper_id for r in missing_ancestors(G, method="baseline")]
    assert got == ["old", "x", "y"]  # y: C and Z
    assert len(missing_ancestors(G, top=1)) == 1


def test_unknown_and_empty_lineage() -> None:
    G = _graph()
    with pytest.raises(UnknownLineageError):
        missing_ancestors(G, lineage="nope")
    G.graph["lineages"]["E"] = []
    assert missing_ancestors(G, lineage="E") == []
    assert evaluate_ancestors(G, lineage="E")["cases"] == 0


def test_none_found_seed_cannot_vote_and_partial_weight() -> None:
    G = nx.DiGraph()
    _node(G, "S1", 2020, seed=True, status="none_found")
    _node(G, "S2", 2020, seed=True, status="partial")
    _node(G, "c", 2020)
    G.add_edge("S2", "c")
    G.graph["lineages"] = {"L": [["S1", "S2"]]}
    (r,) = missing_ancestors(G, lineage="L")
    assert r.score == pytest.approx(1.0)  # 0.7 / 0.7: S1 has no references, so it is not in the denominator
    assert r.explanation.startswith("cited by 1 of 1 L seeds with reference lists")


def test_influential_and_no_year() -> None:
    G = nx.DiGraph()
    _node(G, "S1", 2020, seed=True)
    _node(G, "S2", 2020, seed=True)
    _node(G, "p", None)
    _node(G, "q", None)
    G.add_edge("S1", "p", is_influential=True)
    G.add_edge("S2", "q", is_influential=None)
    G.graph["lineages"] = {"L": [["S1", "S2"]]}
    got = {r.paper_id: r.score for r in missing_ancestors(G, lineage="L")}
    assert got == {"p": pytest.approx(0.75), "q": pytest.approx(0.5)}  # 1.5 / 2 and 1 / 2; no age factor


def test_descendants_must_reach_beyond_seeds() -> None:
    # d cites only seeds and the candidate that is itself a seed elsewhere: not a voter
    G = nx.DiGraph()
    _node(G, "S1", 2020, seed=True)
    _node(G, "S2", 2020, seed=True)
    _node(G, "c", 2020)
    _node(G, "d", 2022)
    G.add_edges_from([("S1", "c"), ("d", "S1"), ("d", "S2")])
    G.graph["lineages"] = {"L": [["S1"], ["S2"]]}
    (r,) = missing_ancestors(G, lineage="L")
    assert r.score == pytest.approx(1.0)  # no later-paper term: d's references are all seeds
    G.add_edge("d", "c")
    (r,) = missing_ancestors(G, lineage="L")
    assert r.score == pytest.approx(1.0 + 0.5)


# ------------------------------------------------------------------------------------------------
# evaluation


def _eval_graph() -> nx.DiGraph:
    """Seeds A (2020) <- B (2021), C (2022); B and C also cite "0old" (1990); A cites "a-ref"."""
    G = nx.DiGraph()
    for key, year, seed in [("A", 2020, True), ("B", 2021, True), ("C", 2022, True), ("0old", 1990, False),
                            ("a-ref", 2019, False)]:
        _node(G, key, year, seed=seed)
    G.add_edges_from([("B", "A"), ("C", "A"), ("B", "0old"), ("C", "0old"), ("A", "a-ref"), ("B", "a-ref")])
    G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    return G


def test_evaluate_hand_computed() -> None:
    ev = evaluate_ancestors(_eval_graph(), lineage="L")
    assert ev["cases"] == 1
    (case,) = ev["per_case"]
    # baseline: A and 0old tie at 2 votes, "0old" < "A" by key; ours: 0old is 30 years older
    assert case["rank_baseline"] == 2
    assert case["rank_ours"] == 1
    assert case["candidates"] == 3  # A, 0old, a-ref (B's vote only: A's own references are hidden)
    assert ev["baseline"] == {"recall@5": 1.0, "recall@10": 1.0, "mrr": 0.5}
    assert ev["ours"] == {"recall@5": 1.0, "recall@10": 1.0, "mrr": 1.0}
    assert evaluate_ancestors(_eval_graph())["cases"] == 1


def test_evaluate_ks_and_not_hiding_references() -> None:
    ev = evaluate_ancestors(_eval_graph(), lineage="L", ks=(1,), hide_references=False)
    assert set(ev["ours"]) == {"recall@1", "mrr"}
    assert ev["baseline"]["recall@1"] == 0.0


# ------------------------------------------------------------------------------------------------
# frontier


def test_frontier_order_since_and_no_year() -> None:
    G = _graph()
    for key, year in [("f1", 2024), ("f2", 2025), ("f3", None), ("f4", 2026)]:
        _node(G, key, year)
    G.add_edges_from([("f1", "A"), ("f1", "B"), ("f1", "C"), ("f2", "A"), ("f2", "B"), ("f3", "A"), ("f3", "C"),
                      ("f4", "A")])
    G.nodes["f2"]["citation_count"] = 10
    got = [(r.paper_id, r.score) for r in frontier(G, lineage="L")]
    assert got == [("f1", 3.0), ("f2", 2.0), ("f3", 2.0)]
    assert [r.paper_id for r in frontier(G, lineage="L", since=2025)] == ["f2"]
    r = frontier(G, lineage="L")[0]
    assert r.cites == ["a", "b", "c"]
    assert r.explanation == "cites 3 L seeds: a, b, c"
    assert "cites" in r.to_dict() and "cited_by" not in r.to_dict()
    # with no lineage, any lineage's seeds count: d cites A only, so it is not a frontier paper
    assert [r.paper_id for r in frontier(G, top=2)] == ["f1", "f2"]


# ------------------------------------------------------------------------------------------------
# chain check


def test_check_chain_verdicts_and_notes() -> None:
    G = _graph()
    _node(G, "w", 2019)
    G.add_edges_from([("Z", "w"), ("w", "old")])
    got = check_chain(G, [("a", "b"), ("old", "Z"), ("Z", "C"), ("A", "C")])
    assert [v.verdict for v in got] == ["direct", "path", "none", "direct"]
    assert got[1].via == ["w"]
    assert got[2].note == "c's reference list is partial: absence is not evidence"
    assert got[0].note is None
    assert got[1].to_dict() == {"from": "old", "to": "Z", "verdict": "path", "via": ["w"], "note": None}
    G.nodes["B"]["references_status"] = "none_found"
    assert check_chain(G, [("A", "B")])[0].note == "no reference list was found for b: absence is not evidence"
    assert isinstance(got[0], ChainVerdict)


def test_check_chain_unknown_paper() -> None:
    with pytest.raises(UnknownPaperError):
        check_chain(_graph(), [("a", "nonexistent")])


# ------------------------------------------------------------------------------------------------
# paths


def test_citation_path_directions() -> None:
    G = _graph()
    p = citation_path(G, "c", "x")
    assert p == ["C", "A", "x"] and p.direction == "forward"
    p = citation_path(G, "x", "C")
    assert p == ["x", "A", "C"] and p.direction == "backward"
    p = citation_path(G, "x", "y")
    assert p.direction == "mixed" and p[0] == "x" and p[-1] == "y" and len(p) == 4


def test_citation_path_errors() -> None:
    G = _graph()
    _node(G, "island", 2000)
    with pytest.raises(NoPathError) as err:
        citation_path(G, "A", "island")
    assert isinstance(err.value, LineageError)
    with pytest.raises(UnknownPaperError):
        citation_path(G, "A", "missing")


# ------------------------------------------------------------------------------------------------
# reading order


def test_reading_order_ancestors_then_topological() -> None:
    assert reading_order(_graph(), "L", ancestors=2) == ["x", "y", "A", "B", "C"]
    assert reading_order(_graph(), "L", ancestors=0) == ["A", "B", "C"]


def test_reading_order_cycle_broken_by_year() -> None:
    G = nx.DiGraph()
    for key, year in [("P", 2021), ("Q", 2020), ("R", None)]:
        _node(G, key, year, seed=True)
    G.add_edges_from([("P", "Q"), ("Q", "P"), ("R", "P")])  # P and Q cite each other
    G.graph["lineages"] = {"L": [["P", "Q", "R"]]}
    assert reading_order(G, "L") == ["Q", "P", "R"]
    with pytest.raises(UnknownLineageError):
        reading_order(G, "nope")


def test_result_is_frozen() -> None:
    r = Result("k", None, None, None, None, 1.0, "e")
    with pytest.raises(AttributeError):
        r.score = 2.0  # type: ignore[misc]
