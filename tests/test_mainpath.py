"""Main path analysis: hand-computed counts, brute-force path enumeration, cycles, scopes, real data."""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Iterator

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.analyse.mainpath import WEIGHTS, MainPath, main_path, search_path_counts
from graph.core.errors import LineageError, UnknownLineageError, UnknownPaperError

# ------------------------------------------------------------------------------------------------
# helpers


def _seven() -> nx.DiGraph:
    """The module docstring's graph: flow A→C, B→C, B→D, C→E, D→E, D→F, E→G, F→G (years in key order)."""
    G = nx.DiGraph([("C", "A"), ("C", "B"), ("D", "B"), ("E", "C"), ("E", "D"), ("F", "D"), ("G", "E"), ("G", "F")])
    for i, k in enumerate("ABCDEFG"):
        G.nodes[k]["year"] = 2000 + i
    return G


def _paths(G: nx.DiGraph) -> Iterator[list[str]]:
    """Every citation path with at least one citation, written old → new (flow direction), by DFS."""
    F = G.reverse(copy=True)  # flow: cited -> citing

    def walk(path: list[str]) -> Iterator[list[str]]:
        if len(path) > 1:
            yield path
        for nxt in F.successors(path[-1]):
            yield from walk([*path, nxt])

    for start in F:
        yield from walk([start])


def _brute(G: nx.DiGraph, weight: str) -> dict[tuple[str, str], int]:
    """Count, for every citation, the enumerated paths through it whose ends qualify for ``weight``.

    spc: from a source (cites nothing) to a sink (cited by nothing); splc: from any paper to a sink;
    spnp: from any paper to any paper.
    """
    sources = {n for n in G if G.out_degree(n) == 0}
    sinks = {n for n in G if G.in_degree(n) == 0}
    counts: Counter[tuple[str, str]] = Counter({(u, v): 0 for u, v in G.edges})
    for p in _paths(G):
        if weight == "spc" and (p[0] not in sources or p[-1] not in sinks):
            continue
        if weight == "splc" and p[-1] not in sinks:
            continue
        for a, b in itertools.pairwise(p):
            counts[(b, a)] += 1
    return dict(counts)


@st.composite
def dags(draw: st.DrawFn, max_nodes: int = 8) -> nx.DiGraph:
    """A random citation DAG: paper i (year 2000 + i) may cite any older paper j < i."""
    n = draw(st.integers(1, max_nodes))
    pairs = [(i, j) for i in range(n) for j in range(i)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    G = nx.DiGraph()
    for i in range(n):
        G.add_node(f"p{i}", year=2000 + i)
    G.add_edges_from((f"p{i}", f"p{j}") for i, j in chosen)
    return G


@st.composite
def digraphs(draw: st.DrawFn, max_nodes: int = 7) -> nx.DiGraph:
    """A random citation graph that may have cycles and self-loops; years random (some missing)."""
    n = draw(st.integers(1, max_nodes))
    pairs = [(i, j) for i in range(n) for j in range(n)]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=min(len(pairs), 20)))
    G = nx.DiGraph()
    for i in range(n):
        G.add_node(f"p{i}", year=draw(st.one_of(st.none(), st.integers(2018, 2021))))
    G.add_edges_from((f"p{i}", f"p{j}") for i, j in chosen)
    return G


def _assert_chain(G: nx.DiGraph, mp: MainPath) -> None:
    """Every path edge is a citation of G, the nodes are exactly the edges' ends, old → new is topological."""
    assert set(mp.weights) == set(mp.edges)
    for u, v in mp.edges:
        assert G.has_edge(u, v)
        assert (u, v) not in set(mp.dropped_edges)
    assert set(mp.nodes) == {x for e in mp.edges for x in e}
    pos = {k: i for i, k in enumerate(mp.nodes)}
    assert all(pos[cited] < pos[citing] for citing, cited in mp.edges)
    assert len(set(mp.nodes)) == len(mp.nodes)


# ------------------------------------------------------------------------------------------------
# hand-computed


HAND = {
    # flow edge -> weight; the graph's edges are (citing, cited); numbers as in the docstring of main_path
    "spc": {("C", "A"): 1, ("C", "B"): 1, ("D", "B"): 2, ("E", "C"): 2, ("E", "D"): 1, ("F", "D"): 1,
            ("G", "E"): 3, ("G", "F"): 1},
    "splc": {("C", "A"): 1, ("C", "B"): 1, ("D", "B"): 2, ("E", "C"): 3, ("E", "D"): 2, ("F", "D"): 2,
             ("G", "E"): 6, ("G", "F"): 3},
    "spnp": {("C", "A"): 3, ("C", "B"): 3, ("D", "B"): 5, ("E", "C"): 6, ("E", "D"): 4, ("F", "D"): 4,
             ("G", "E"): 6, ("G", "F"): 3},
}


@pytest.mark.parametrize("weight", WEIGHTS)
def test_hand_computed_counts(weight: str) -> None:
    assert search_path_counts(_seven(), weight=weight) == HAND[weight]  # type: ignore[arg-type]


@pytest.mark.parametrize("weight", WEIGHTS)
def test_hand_counts_agree_with_enumeration(weight: str) -> None:
    assert _brute(_seven(), weight) == HAND[weight]


def test_hand_main_paths() -> None:
    G = _seven()
    assert main_path(G).nodes == ("A", "C", "E", "G")
    assert main_path(G, key_routes=0).nodes == ("B", "D", "E", "G")
    mp = main_path(G, key_routes=2)
    assert mp.edges == (("C", "A"), ("D", "B"), ("E", "C"), ("E", "D"), ("G", "E"))
    assert [mp.weights[e] for e in mp.edges] == [1, 2, 2, 1, 3]
    assert main_path(G, weight="splc").nodes == ("A", "C", "E", "G")
    mp = main_path(G, weight="spnp", key_routes=2)  # E→C and G→E (6 each): one chain
    assert mp.nodes == ("A", "C", "E", "G") and [mp.weights[e] for e in mp.edges] == [3, 6, 6]


def test_parallel_papers_are_ordered_by_date_then_key() -> None:
    G = nx.DiGraph([("c", "a"), ("c", "b"), ("c", "d")])
    G.nodes["a"].update(year=2021)
    G.nodes["b"].update(year=2021, publication_date="2021-02-03")
    G.nodes["c"].update(year=2023)
    G.nodes["d"].update(year=2019)
    assert main_path(G, key_routes=3).nodes == ("d", "a", "b", "c")  # a: 2021 (no month) before 2021-02
    del G.nodes["d"]["year"]
    assert main_path(G, key_routes=3).nodes == ("a", "b", "d", "c")  # undated last among the free ones


def test_key_routes_grow_monotonically() -> None:
    G = _seven()
    prev: set[tuple[str, str]] = set()
    for k in range(1, 10):
        cur = set(main_path(G, key_routes=k).edges)
        assert prev <= cur
        prev = cur
    assert prev == set(G.edges)  # 8 citations: k >= 8 covers them all


def test_to_dict_round_trip() -> None:
    mp = main_path(_seven(), weight="splc", key_routes=2)
    d = mp.to_dict()
    assert d["nodes"] == list(mp.nodes)
    assert [tuple(e) for e in d["edges"]] == list(mp.edges)
    assert {(u, v): w for u, v, w in d["weights"]} == mp.weights
    assert d["weight"] == "splc" and d["key_routes"] == 2 and d["dropped_edges"] == []


def test_empty_and_edgeless() -> None:
    assert main_path(nx.DiGraph()).nodes == ()
    G = nx.DiGraph()
    G.add_nodes_from(["a", "b"])
    mp = main_path(G)
    assert mp.nodes == () and mp.edges == () and mp.to_dict()["weights"] == []


# ------------------------------------------------------------------------------------------------
# random DAGs: counts against brute force, greedy and key-route invariants


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(G=dags(), weight=st.sampled_from(WEIGHTS))
def test_counts_equal_path_enumeration(G: nx.DiGraph, weight: str) -> None:
    assert search_path_counts(G, weight=weight) == _brute(G, weight)  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(G=dags())
def test_spc_is_sources_to_tail_times_head_to_sinks(G: nx.DiGraph) -> None:
    """The definition in the brief: SPC(u cites v) = #(source → v paths) · #(u → sink paths), by networkx."""
    F = G.reverse(copy=True)
    sources = [n for n in F if F.in_degree(n) == 0]
    sinks = [n for n in F if F.out_degree(n) == 0]

    @functools.cache
    def into(x: str) -> int:
        return sum(1 if s == x else sum(1 for _ in nx.all_simple_paths(F, s, x)) for s in sources)

    @functools.cache
    def out_of(x: str) -> int:
        return sum(1 if t == x else sum(1 for _ in nx.all_simple_paths(F, x, t)) for t in sinks)

    assert search_path_counts(G) == {(u, v): into(v) * out_of(u) for u, v in G.edges}


@settings(max_examples=150, deadline=None)
@given(G=dags(), weight=st.sampled_from(WEIGHTS), k=st.integers(0, 4))
def test_main_path_invariants_on_dags(G: nx.DiGraph, weight: str, k: int) -> None:
    mp = main_path(G, weight=weight, key_routes=k)  # type: ignore[arg-type]
    counts = search_path_counts(G, weight=weight)  # type: ignore[arg-type]
    assert mp.dropped_edges == ()
    if G.number_of_edges() == 0:
        assert mp.nodes == ()
        return
    _assert_chain(G, mp)
    assert all(mp.weights[e] == counts[e] for e in mp.edges)
    years = [G.nodes[n]["year"] for n in mp.nodes]
    assert years == sorted(years)  # every citation here goes from newer to older: the path follows time
    # the path reaches a source (cites nothing) and a sink (cited by nothing)
    assert any(G.out_degree(n) == 0 for n in mp.nodes)
    assert any(G.in_degree(n) == 0 for n in mp.nodes)
    if k >= 1:
        top = sorted(counts.values(), reverse=True)[:k]
        assert sorted((mp.weights[e] for e in mp.edges), reverse=True)[:len(top)] == top
    if k == 1:
        # one chain c0 (old) .. cm (new): the heaviest citation e_t, then greedy steps either side
        chain = list(mp.nodes)
        assert len(mp.edges) == len(chain) - 1
        w = [counts[(b, a)] for a, b in itertools.pairwise(chain)]

        def forward_ok(j: int) -> bool:  # e_j is the heaviest citation of c_j
            return w[j] == max(counts[(c, chain[j])] for c in G.predecessors(chain[j]))

        def backward_ok(j: int) -> bool:  # e_j is the heaviest reference of c_{j+1}
            return w[j] == max(counts[(chain[j + 1], x)] for x in G.successors(chain[j + 1]))

        assert any(w[t] == max(counts.values())
                   and all(forward_ok(j) for j in range(t + 1, len(w)))
                   and all(backward_ok(j) for j in range(t))
                   for t in range(len(w)))


@settings(max_examples=100, deadline=None)
@given(G=dags(), weight=st.sampled_from(WEIGHTS))
def test_local_path_forward_steps_are_greedy(G: nx.DiGraph, weight: str) -> None:
    mp = main_path(G, weight=weight, key_routes=0)  # type: ignore[arg-type]
    if not mp.nodes:
        return
    counts = search_path_counts(G, weight=weight)  # type: ignore[arg-type]
    first = mp.nodes[0]
    assert G.out_degree(first) == 0  # starts at a source
    starts = [counts[(c, s)] for s in G if G.out_degree(s) == 0 for c in G.predecessors(s)]
    assert counts[(mp.nodes[1], first)] == max(starts)
    for a, b in itertools.pairwise(mp.nodes[1:]):
        assert counts[(b, a)] == max(counts[(c, a)] for c in G.predecessors(a))
    assert G.in_degree(mp.nodes[-1]) == 0  # ends at a sink


# ------------------------------------------------------------------------------------------------
# cycles


def test_two_cycle_drops_the_citation_backward_in_time() -> None:
    G = nx.DiGraph([("x", "y"), ("y", "x"), ("z", "y")])
    G.nodes["x"]["year"], G.nodes["y"]["year"], G.nodes["z"]["year"] = 2020, 2021, 2022
    mp = main_path(G, key_routes=5)
    assert mp.dropped_edges == (("x", "y"),)
    assert mp.edges == (("y", "x"), ("z", "y"))
    assert "x" in G["y"] and "y" in G["x"]  # the caller's graph is untouched


def test_publication_date_breaks_a_same_year_cycle() -> None:
    G = nx.DiGraph([("x", "y"), ("y", "x")])
    G.nodes["x"].update(year=2023, publication_date="2023-03-01")
    G.nodes["y"].update(year=2023, publication_date="2023-09-30")
    assert main_path(G).dropped_edges == (("x", "y"),)  # x (March) cannot cite y (September)
    G.nodes["x"]["publication_date"], G.nodes["y"]["publication_date"] = "2023-10-01", "2023-09-30"
    assert main_path(G).dropped_edges == (("y", "x"),)


def test_undated_cycle_drops_the_lowest_one_step_pair_count() -> None:
    # a cites b, b cites c, c cites a (no years); d cites a and b; e cites a
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a"), ("e", "a"), ("d", "b")])
    # pair counts (1 + #cited cites) * (1 + #citing cited-by):
    #   a->b: (1+1)*(1+3) = 8   b->c: (1+1)*(1+2) = 6   c->a: (1+1)*(1+1) = 4
    mp = main_path(G)
    assert mp.dropped_edges == (("c", "a"),)
    assert nx.is_directed_acyclic_graph(nx.restricted_view(G, [], mp.dropped_edges))


def test_self_citation_is_dropped() -> None:
    G = nx.DiGraph([("a", "a"), ("b", "a")])
    mp = main_path(G)
    assert mp.dropped_edges == (("a", "a"),)
    assert mp.edges == (("b", "a"),)


@settings(max_examples=150, deadline=None)
@given(G=digraphs(), weight=st.sampled_from(WEIGHTS), k=st.integers(0, 3))
def test_any_graph_is_made_acyclic_and_counted(G: nx.DiGraph, weight: str, k: int) -> None:
    mp = main_path(G, weight=weight, key_routes=k)  # type: ignore[arg-type]
    dropped = set(mp.dropped_edges)
    assert dropped <= set(G.edges)
    rest = nx.DiGraph(nx.restricted_view(G, [], list(dropped)))
    assert nx.is_directed_acyclic_graph(rest)
    if nx.is_directed_acyclic_graph(G):
        assert not dropped
    # a dropped citation inside a cycle goes backward in time, unless no citation of its cycle's
    # component did: then the counts are those of the remaining DAG
    assert search_path_counts(G, weight=weight) == _brute(rest, weight)  # type: ignore[arg-type]
    if rest.number_of_edges():
        _assert_chain(rest, mp)


# ------------------------------------------------------------------------------------------------
# scopes and errors


def _tagged() -> nx.DiGraph:
    """Lineage L: seeds s1 (2020) and s3 (2022, untagged); a (tagged 0.5), o (not in L), m (in M only)."""
    G = nx.DiGraph([("s3", "a"), ("a", "s1"), ("s3", "s1"), ("o", "s3"), ("a", "m"), ("late", "s3")])
    years = {"s1": 2020, "m": 2019, "a": 2021, "s3": 2022, "o": 2023, "late": 2024}
    tags = {"s1": {"L": 1.0}, "a": {"L": 0.5}, "m": {"M": 1.0}, "o": {"L": 0.0}, "late": {"L": 0.25}}
    for n in G:
        G.nodes[n].update(year=years[n], lineages=tags.get(n, {}))
    G.graph["lineages"] = {"L": [["s1"], ["s3"]], "M": [["m"]]}
    return G


def test_lineage_scope_is_tagged_nodes_plus_seeds() -> None:
    G = _tagged()
    counts = search_path_counts(G, lineage="L", anchors=())
    # not o (score 0), not late (0.25 < MEMBER_MIN: inherited, not linked), not m (another lineage)
    assert set(counts) == {("s3", "a"), ("a", "s1"), ("s3", "s1")}


def test_lineage_default_anchors_at_its_seeds() -> None:
    G = _tagged()
    mp = main_path(G, lineage="L")
    assert mp.anchors == ("s1", "s3")
    assert mp.nodes == ("s1", "a", "s3")  # the corridor s1 .. s3; "late" cites s3 but no seed cites it
    assert mp.lineage == "L"
    classical = main_path(G, lineage="L", anchors=())
    assert classical.anchors == () and classical.nodes == ("s1", "a", "s3")
    everything = main_path(G, nodes=list(G), anchors=())  # the whole graph, not the lineage's network
    assert everything.nodes[-1] in {"late", "o"}


def test_nodes_scope_and_anchors() -> None:
    G = _tagged()
    mp = main_path(G, nodes=["s1", "a", "s3", "o"], key_routes=3)
    assert set(mp.nodes) == {"s1", "a", "s3", "o"}
    assert main_path(G, nodes=["s1", "a", "s3", "o"], anchors=["a", "s3"]).nodes == ("a", "s3")
    # anchors joined by no path: the classical network instead, and no anchors reported
    lone = main_path(G, anchors=["o", "late"])  # both cite s3, neither reaches the other
    assert lone.anchors == () and lone.nodes


@settings(max_examples=150, deadline=None)
@given(G=dags(), data=st.data())
def test_anchored_counts_are_those_of_the_corridor(G: nx.DiGraph, data: st.DataObject) -> None:
    """The corridor, by brute force: the anchors and every paper with an anchor on each side of it."""
    anchors = data.draw(st.lists(st.sampled_from(sorted(G)), unique=True, max_size=4))
    inside = {x for x in G if x in anchors or (
        any(nx.has_path(G, x, a) for a in anchors if a != x) and any(nx.has_path(G, a, x) for a in anchors if a != x))}
    C = G.subgraph(inside)
    mp = main_path(G, anchors=anchors, key_routes=2)
    if C.number_of_edges():
        assert search_path_counts(G, anchors=anchors) == _brute(nx.DiGraph(C), "spc")
        assert mp.anchors == tuple(sorted(anchors))
        assert set(mp.nodes) <= inside
        assert mp.nodes[0] in anchors and mp.nodes[-1] in anchors
    else:  # no citation path joins two anchors: the classical network
        assert search_path_counts(G, anchors=anchors) == _brute(G, "spc")
        assert mp.anchors == ()


def test_errors() -> None:
    G = _tagged()
    with pytest.raises(UnknownLineageError):
        main_path(G, lineage="nope")
    with pytest.raises(UnknownPaperError):
        main_path(G, nodes=["s1", "ghost"])
    with pytest.raises(UnknownPaperError):
        main_path(G, anchors=["ghost"])
    with pytest.raises(LineageError, match="weight"):
        main_path(G, weight="pagerank")  # type: ignore[arg-type]
    with pytest.raises(LineageError, match="key_routes"):
        main_path(G, key_routes=-1)


# ------------------------------------------------------------------------------------------------
# the real offline data


@pytest.fixture(scope="module")
def pref_graph() -> nx.DiGraph:
    from graph.assemble.expand import build_graph
    from graph.catalogue.load import load_catalogue

    return build_graph(load_catalogue(None), lineages=["preference-optimization"], depth=2, direction="both",
                       later_direction="references", hop_limit=400, offline=True)


@pytest.mark.parametrize("weight", WEIGHTS)
def test_real_preference_optimization_passes_through_dpo(pref_graph: nx.DiGraph, weight: str) -> None:
    G = pref_graph
    dpo = next(n for n, a in G.nodes(data=True) if a.get("alias") == "dpo")
    mp = main_path(G, lineage="preference-optimization", weight=weight)  # type: ignore[arg-type]
    assert dpo in mp.nodes
    _assert_chain(G, mp)
    seeds = {n for stage in G.graph["lineages"]["preference-optimization"] for n in stage}
    assert mp.nodes[0] in seeds and mp.nodes[-1] in seeds  # the corridor runs from seed to seed
    years = [G.nodes[n]["year"] for n in mp.nodes]
    assert years == sorted(years)
    assert len(mp.nodes) >= 4


def test_real_citation_cycles_are_reported(pref_graph: nx.DiGraph) -> None:
    from graph.analyse.search_paths import MEMBER_MIN
    from graph.assemble.lineage import lineage_seeds

    name = "preference-optimization"
    seeds = set(lineage_seeds(pref_graph, name))
    G = pref_graph.subgraph([n for n, d in pref_graph.nodes(data=True)  # the lineage's network
                             if n in seeds or (d.get("lineages") or {}).get(name, 0) >= MEMBER_MIN])
    mp = main_path(pref_graph, lineage=name, anchors=())
    cyclic = {e for c in nx.simple_cycles(G) for e in zip(c, [*c[1:], c[0]], strict=True)}
    assert cyclic, "the offline data holds citation cycles (FLAN, chain-of-thought, InstructGPT)"
    assert set(mp.dropped_edges) <= cyclic
    for citing, cited in mp.dropped_edges:  # here every dropped citation goes backward in time
        assert G.nodes[citing]["year"] < G.nodes[cited]["year"]
    assert nx.is_directed_acyclic_graph(nx.restricted_view(G, [], mp.dropped_edges))
    _assert_chain(G, mp)
