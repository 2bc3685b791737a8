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
    assert missing_ancestors(_graph(), lineage="L", method="top_cited") == missing_ancestors(
        _graph(), lineage="L", method="baseline")


def _ours_by_hand(w: dict[str, float] = DEFAULT_WEIGHTS) -> dict[str, float]:
    """L's stages [A], [B], [C]: votes 1 + root, 1 + root / 2, 1; C's list is partial.

    In-degrees: A 3 (B, C, d), B 1 (C), C 0. Co-citing strength (cit(s) ** -seed_norm summed over the
    seeds a paper cites): B 3^-0.5, C 3^-0.5 + 1, d 3^-0.5. x is cited by A, B (seeds) and d; old by A,
    B; y by C and Z (lineage M).
    """
    a, b, c = 1 + w["root"], 1 + w["root"] / 2, w["partial"]
    s3 = 3 ** -w["seed_norm"]
    cocite = {"x": s3 + s3, "old": s3, "y": s3 + 1.0}
    direct = {"x": a + b, "old": a + b, "y": c}
    n_all = {"x": 3, "old": 2, "y": 2}
    return {k: (w["direct"] * direct[k] + w["cocite"] * cocite[k]) / (n_all[k] + w["smoothing"]) ** w["specificity"]
            for k in direct}


def test_ours_exact_scores() -> None:
    want = _ours_by_hand()
    got = {r.paper_id: r.score for r in missing_ancestors(_graph(), lineage="L")}
    assert list(got) == sorted(want, key=lambda k: -want[k])
    for k, v in want.items():
        assert got[k] == pytest.approx(v, abs=1e-6)
    # d (2023) cites seed A but is newer than L's newest seed: never an ancestor
    assert "d" not in got


def test_specificity_against_the_background_demotes_tools() -> None:
    """A paper every lineage cites (a tool) sinks once the whole snapshot shows how widely it is cited."""
    G = _graph()
    B = G.copy()
    for i in range(100):
        B.add_edge(f"user{i}", "old")
    plain = [r.paper_id for r in missing_ancestors(G, lineage="L")]
    with_bg = [r.paper_id for r in missing_ancestors(G, lineage="L", background=B)]
    assert plain.index("old") < plain.index("y")
    assert with_bg[-1] == "old"
    r = next(r for r in missing_ancestors(G, lineage="L", background=B) if r.paper_id == "old")
    assert r.explanation.endswith("2 of its 102 citations in the snapshot are from L")


def test_explanation_and_to_dict() -> None:
    r = missing_ancestors(_graph(), lineage="L")[0]
    assert r.paper_id == "x" and r.cited_by == ["a", "b"]
    assert r.explanation == ("cited by 2 of 3 L seeds with reference lists (a, b); co-cited with them by 1 later "
                             "papers; 3 of its 3 citations in this graph are from L")
    d = r.to_dict()
    assert list(d) == ["paper_id", "title", "year", "arxiv_id", "doi", "score", "explanation", "cited_by",
                       "lineages"]


def test_every_baseline_by_name() -> None:
    G = _graph()
    # Salton co-citation by hand: through A (cit 3): B, C, d; through B (cit 1): C
    want = {"x": (2 / math.sqrt(3)) / math.sqrt(3), "old": (1 / math.sqrt(3)) / math.sqrt(2),
            "y": (1 / math.sqrt(3) + 1) / math.sqrt(2)}
    got = {r.paper_id: r.score for r in missing_ancestors(G, lineage="L", method="cocitation")}
    assert got == pytest.approx({k: round(v, 6) for k, v in want.items()}, abs=1e-6)
    for m in ("coupling", "ppr", "popular"):
        res = missing_ancestors(G, lineage="L", method=m)  # type: ignore[arg-type]
        assert res and not {r.paper_id for r in res} & {"A", "B", "C", "Z", "d"}
        assert [r.score for r in res] == sorted((r.score for r in res), reverse=True)
    with pytest.raises(LineageError):
        missing_ancestors(G, lineage="L", method="magic")  # type: ignore[arg-type]


def test_reaches_papers_no_seed_cites() -> None:
    """Co-cited papers are candidates too: y2 is cited only by a later paper that cites two seeds."""
    G = _graph()
    _node(G, "y2", 2018)
    _node(G, "e", 2021)
    G.add_edges_from([("e", "A"), ("e", "B"), ("e", "y2")])
    res = {r.paper_id: r for r in missing_ancestors(G, lineage="L")}
    assert "y2" in res and res["y2"].cited_by == []
    assert res["y2"].explanation.startswith("cited by none of the L seeds; co-cited with them by 1 later papers")
    assert "y2" not in {r.paper_id for r in missing_ancestors(G, lineage="L", method="baseline")}


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


def test_none_found_and_partial_vote_weights() -> None:
    G = nx.DiGraph()
    _node(G, "S1", 2020, seed=True, status="none_found")
    _node(G, "S2", 2020, seed=True, status="partial")
    _node(G, "c", 2020)
    G.add_edge("S2", "c")
    G.graph["lineages"] = {"L": [["S1", "S2"]]}
    (r,) = missing_ancestors(G, lineage="L")
    w = DEFAULT_WEIGHTS
    assert r.score == pytest.approx(round(w["partial"] / (1 + w["smoothing"]) ** w["specificity"], 6))
    assert r.explanation.startswith("cited by 1 of 1 L seeds with reference lists")


# ------------------------------------------------------------------------------------------------
# evaluation


def _eval_graph() -> nx.DiGraph:
    """Seeds A (2020) <- B (2021), C (2022); B and C also cite "0old" (1990), which z cites too; A cites "a-ref"."""
    G = nx.DiGraph()
    for key, year, seed in [("A", 2020, True), ("B", 2021, True), ("C", 2022, True), ("0old", 1990, False),
                            ("a-ref", 2019, False), ("z", 2021, False)]:
        _node(G, key, year, seed=seed)
    G.add_edges_from([("B", "A"), ("C", "A"), ("B", "0old"), ("C", "0old"), ("A", "a-ref"), ("B", "a-ref"),
                      ("z", "0old")])
    G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    return G


def test_evaluate_hand_computed() -> None:
    ev = evaluate_ancestors(_eval_graph(), lineage="L")
    assert ev["cases"] == 1
    (case,) = ev["per_case"]
    # baseline: A and 0old tie at 2 votes: expected rank 1.5, never a key tie-break;
    # ours: 0old has 3 citations in the graph against A's 2, so A comes first
    assert case["rank_baseline"] == 1.5
    assert case["rank_ours"] == 1
    assert case["candidates"] == 4  # A, 0old, a-ref, z (A's own references are hidden, so A is not excluded)
    assert ev["baseline"] == {"recall@5": 1.0, "recall@10": 1.0, "mrr": 0.75}
    assert ev["ours"] == {"recall@5": 1.0, "recall@10": 1.0, "mrr": 1.0}
    assert evaluate_ancestors(_eval_graph())["cases"] == 1


def test_evaluate_ks_and_not_hiding_references() -> None:
    ev = evaluate_ancestors(_eval_graph(), lineage="L", ks=(1,), hide_references=False)
    assert set(ev["ours"]) == {"recall@1", "mrr"}
    assert ev["baseline"]["recall@1"] == 0.5  # tied with 0old for the first place


# ------------------------------------------------------------------------------------------------
# frontier


def test_frontier_extensions_before_users() -> None:
    G = _graph()
    for key, year in [("f1", 2024), ("f2", 2025), ("f3", None), ("f4", 2026), ("f5", 2025)]:
        _node(G, key, year)
    _node(G, "f6", 2025, status=None)
    G.add_edges_from([("f1", "A"), ("f1", "B"), ("f1", "C"), ("f2", "A"), ("f2", "B"), ("f3", "A"), ("f3", "C"),
                      ("f4", "A"), ("f5", "A"), ("f5", "B"), ("f6", "A"), ("f6", "B")])
    G.add_edges_from(("f5", f"r{i}") for i in range(18))  # a user: 2 lineage papers out of 20 references
    got = [(r.paper_id, r.score) for r in frontier(G, lineage="L")]
    # f1: 3 of 3 refs in L, 1 latest (C) -> 1 * 4; f3: 2/2 + C -> 3; f2: 2/2 -> 2; f5: 2/20 * 2; f6: 2/40 * 2
    assert got == [("f1", 4.0), ("f3", 3.0), ("f2", 2.0), ("f5", 0.2), ("f6", 0.1)]
    assert [r.paper_id for r in frontier(G, lineage="L", since=2025)] == ["f2", "f5", "f6"]
    r = frontier(G, lineage="L")[0]
    assert r.cites == ["a", "b", "c"]
    assert r.explanation == ("cites 3 of 3 L seeds; 1 of the latest stage; 100% of its 3 references are in "
                             "this lineage")
    assert "cites" in r.to_dict() and "cited_by" not in r.to_dict()
    f6 = next(r for r in frontier(G, lineage="L") if r.paper_id == "f6")
    assert f6.explanation.endswith("5% of an assumed 40 references (its list is not in the data)")
    # with no lineage, any lineage's seeds count: d cites A only, so it is not a frontier paper
    assert "d" not in {r.paper_id for r in frontier(G)}


def test_frontier_counts_top_ancestors() -> None:
    G = _graph()
    _node(G, "g", 2024)
    _node(G, "h", 2024)
    G.add_edges_from([("g", "A"), ("g", "B"), ("g", "x"), ("g", "old"), ("h", "A"), ("h", "B"), ("h", "u1"),
                      ("h", "u2")])
    got = {r.paper_id: r for r in frontier(G, lineage="L")}
    assert got["g"].score == 4.0 and got["h"].score == 1.0  # g: 4 of 4 in L; h: 2 of 4
    assert got["g"].explanation.startswith("cites 2 of 3 L seeds and 2 of its top ancestors; 100% of its 4")


# ------------------------------------------------------------------------------------------------
# chain check


def test_check_chain_verdicts_names_and_notes() -> None:
    G = _graph()
    _node(G, "w", 2019)
    G.add_edges_from([("Z", "w"), ("w", "old")])
    got = check_chain(G, [("a", "b"), ("old", "Z"), ("Z", "C"), ("A", "C")])
    assert [v.verdict for v in got] == ["direct", "path", "none", "direct"]
    assert got[1].via == ["T w"]  # the title, not the key
    assert got[2].note == "no citation found, but c's reference list is partial: absence is not evidence"
    assert got[0].note is None and got[3].note is None
    assert got[1].to_dict() == {"from": "old", "to": "Z", "from_name": "T old", "to_name": "z", "verdict": "path",
                                "via": ["T w"], "note": None}
    G.nodes["B"]["references_status"] = "none_found"
    G.remove_edge("B", "A")
    assert check_chain(G, [("A", "B")])[0].note == ("no citation found, but no reference list was found for b: "
                                                    "absence is not evidence")
    G.nodes["B"]["references_status"] = "complete"
    assert check_chain(G, [("A", "B")])[0].note is None  # a complete list: the absence is evidence
    assert isinstance(got[0], ChainVerdict)


def test_check_chain_second_hop_from_the_background() -> None:
    G = _graph()
    B = nx.DiGraph([("C", "q"), ("q", "Z")])
    assert check_chain(G, [("Z", "C")])[0].verdict == "none"
    v = check_chain(G, [("Z", "C")], background=B)[0]
    assert v.verdict == "path" and v.via == ["q"] and v.note is None


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
    top2 = [r.paper_id for r in missing_ancestors(_graph(), lineage="L", top=2)]
    assert sorted(top2) == ["old", "x"]
    assert reading_order(_graph(), "L", ancestors=2) == ["old", "x", "A", "B", "C"]  # by year: old is 1990
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
