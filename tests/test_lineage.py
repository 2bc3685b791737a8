"""Lineage tags, roles and bridges on tiny hand-computed graphs."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import pytest

from graph.assemble.lineage import assign_roles, bridges, declared_lineages, lineage_seeds, tag_lineages
from graph.core.errors import UnknownLineageError


def _graph() -> nx.DiGraph:
    # lineage L: seeds a, b, c, d, e (saturate 4); lineage M: seed m
    G = nx.DiGraph(
        [
            ("x", "a"), ("x", "b"), ("x", "c"), ("x", "d"), ("x", "e"),  # x cites all five L seeds
            ("a", "y"),  # y cited by one L seed
            ("z", "y"),  # z's only neighbour y has direct L score 1/4
            ("w", "a"), ("w", "m"),  # w bridges L and M
            ("b", "a"),  # seed-to-seed
        ]
    )
    for n in G:
        G.nodes[n]["is_seed"] = n in "abcdem"
    G.nodes["a"]["sections"] = ["Alignment"]
    G.nodes["b"]["sections"] = ["Alignment", "RL"]
    G.graph["lineages"] = {"L": [["a"], ["b", "c"], ["d", "e"]], "M": [["m"]]}
    return G


def test_scores_direct_and_two_hop() -> None:
    G = _graph()
    tag_lineages(G)
    assert G.nodes["x"]["lineages"] == {"L": 1.0}  # 5 seeds, saturates at 4
    assert G.nodes["y"]["lineages"] == {"L": 0.25}  # 1 of min(5, 4)
    assert G.nodes["z"]["lineages"] == {"L": 0.125}  # 0.5 * 0.25 / deg 1
    assert G.nodes["w"]["lineages"] == {"M": 1.0, "L": 0.25}
    assert G.nodes["a"]["lineages"]["L"] == 1.0
    assert G.nodes["m"]["lineages"]["M"] == 1.0


def test_threshold_drops_small_scores() -> None:
    G = _graph()
    tag_lineages(G, threshold=0.2)
    assert G.nodes["z"]["lineages"] == {}
    assert G.nodes["y"]["lineages"] == {"L": 0.25}


def test_sections_propagate_to_non_seeds() -> None:
    G = _graph()
    tag_lineages(G)
    assert G.nodes["x"]["sections"] == ["Alignment", "RL"]  # counts: Alignment 2 (a, b), RL 1
    assert G.nodes["z"]["sections"] == []
    tag_lineages(G, max_sections=1)
    assert G.nodes["y"]["sections"] == ["Alignment"]


def test_members_and_catalogue_duck_typing() -> None:
    G = nx.DiGraph([("x", "arxiv:1"), ("x", "arxiv:2")])
    cat = SimpleNamespace(
        seeds={"one": SimpleNamespace(key="arxiv:1"), "two": SimpleNamespace(key="arxiv:2")},
        lineages={"L": SimpleNamespace(stages=(("one",),), members=("two",))},
    )
    assert declared_lineages(G, cat) == {"L": ["arxiv:1", "arxiv:2"]}
    tag_lineages(G, cat)
    assert G.nodes["arxiv:2"]["lineages"] == {"L": 1.0}
    assert G.graph["lineage_members"] == {"L": ["arxiv:2"]}
    assert G.nodes["x"]["lineages"] == {"L": 1.0}  # 2 of min(2, 4)


def test_members_keyword() -> None:
    G = nx.DiGraph([("x", "a"), ("x", "b")])
    G.graph["lineages"] = {"L": [["a"]]}
    tag_lineages(G, members={"L": ["b"]})
    assert G.nodes["b"]["lineages"] == {"L": 1.0}
    assert lineage_seeds(G, "L") == ["a", "b"]


def test_empty_lineage_and_no_lineages() -> None:
    G = nx.DiGraph([("x", "a")])
    G.graph["lineages"] = {"Empty": [], "Gone": [["not-in-graph"]]}
    tag_lineages(G)
    assert G.nodes["x"]["lineages"] == {}
    assert lineage_seeds(G, "Empty") == []
    H = nx.DiGraph([("x", "a")])
    tag_lineages(H)
    assert H.nodes["x"]["lineages"] == {}


def test_unknown_lineage() -> None:
    G = _graph()
    with pytest.raises(UnknownLineageError) as err:
        lineage_seeds(G, "K")
    assert err.value.name == "K"
    assert sorted(err.value.choices) == ["L", "M"]


def test_roles() -> None:
    G = _graph()
    G.add_edge("a", "x")  # x is both cited by a seed and cites seeds: ancestor wins
    G.add_node("lonely", is_seed=False)
    assign_roles(G)
    roles = {n: G.nodes[n]["role"] for n in G}
    assert roles["a"] == "seed"
    assert roles["y"] == "ancestor"
    assert roles["x"] == "ancestor"
    assert roles["w"] == "descendant"
    assert roles["z"] == "other"
    assert roles["lonely"] == "other"


def test_bridges() -> None:
    G = _graph()
    tag_lineages(G)
    assert bridges(G, min_score=0.25) == ["w"]
    assert bridges(G, min_score=0.3) == []


def test_idempotent() -> None:
    G = _graph()
    tag_lineages(G)
    first = {n: dict(G.nodes[n]["lineages"]) for n in G}
    tag_lineages(G)
    assert {n: G.nodes[n]["lineages"] for n in G} == first
