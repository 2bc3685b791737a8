"""Main path analysis of a citation graph: search path counts (SPC, SPLC, SPNP) and key-route main paths.

The graph follows the contract: an edge ``u → v`` means *u cites v*, so knowledge flows ``v → u``, from
the older paper to the newer one. Main path analysis (Hummon & Doreian 1989) weights every citation by
how many search paths of the citation network run through it and follows the heaviest citations from
the oldest papers to the newest: the backbone of a field. Batagelj (2003) gave the linear-time counts
used here; Liu & Lu (2012) the key-route variant. The method, the handling of citation cycles and the
complexity are described in ``docs/mainpath.md``.

The counting half (the analysed network, cycle breaking, the ``N⁻`` / ``N⁺`` passes and
:func:`search_path_counts`, with the vocabulary and the weight table) is in
:mod:`graph.analyse.search_paths`; this module follows the heaviest citations (local and key-route
main paths). :data:`WEIGHTS`, :data:`Weight` and :func:`search_path_counts` are re-exported here.

For a lineage, the network analysed by default is the lineage's *corridor*: its seeds and the papers
on a citation path from one seed to another (``anchors``), so the main path runs from seed to seed
instead of following whatever dense cluster of papers the two-hop neighbourhood holds (see
``docs/mainpath.md`` for why).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.analyse.search_paths import (
    WEIGHTS,
    Edge,
    Weight,
    check_weight,
    paper_date,
    path_counts,
    prepare_flow,
    search_path_counts,
)
from graph.core.errors import LineageError
from graph.core.gcpause import gc_paused

__all__ = [
    "WEIGHTS",
    "MainPath",
    "Weight",
    "main_path",
    "search_path_counts",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MainPath:
    """The main path(s) of a citation graph (see :func:`main_path`)."""

    nodes: tuple[str, ...]
    """Node keys on the main path(s), old → new: a topological order of the path's citations (the
    cited paper before the citing one), ties broken by date, then key."""
    edges: tuple[Edge, ...]
    """The citations on the main path(s), each ``(citing, cited)`` as in the graph, ordered old → new."""
    weights: dict[Edge, int] = field(default_factory=dict)
    """Search path count of every citation in :attr:`edges`."""
    weight: str = "spc"
    """The weight used: ``spc``, ``splc`` or ``spnp``."""
    dropped_edges: tuple[Edge, ...] = ()
    """Citations ``(citing, cited)`` removed to break citation cycles before counting (see
    ``docs/mainpath.md``); empty when the analysed subgraph was already acyclic."""
    key_routes: int = 1
    """``0``: the local (forward) main path from the heaviest source citation; ``k ≥ 1``: the union of
    the greedy extensions of the ``k`` heaviest citations (key routes)."""
    lineage: str | None = None
    """The lineage analysed, if any."""
    anchors: tuple[str, ...] = ()
    """The anchors whose corridor was analysed (sorted keys); empty when the subgraph's own sources and
    sinks were used (no anchors asked for, or no citation path joins two of them)."""

    def __len__(self) -> int:
        return len(self.nodes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict.

        Keys ``weight, key_routes, lineage, anchors, nodes, edges`` (``[citing, cited]`` pairs), ``weights``
        (``[citing, cited, weight]`` triples, in :attr:`edges` order) and ``dropped_edges``.

        Examples
        --------
        >>> MainPath(nodes=("a", "b"), edges=(("b", "a"),), weights={("b", "a"): 1}).to_dict()["weights"]
        [['b', 'a', 1]]
        """
        return {
            "weight": self.weight,
            "key_routes": self.key_routes,
            "lineage": self.lineage,
            "anchors": list(self.anchors),
            "nodes": list(self.nodes),
            "edges": [[u, v] for u, v in self.edges],
            "weights": [[u, v, self.weights[(u, v)]] for u, v in self.edges],
            "dropped_edges": [[u, v] for u, v in self.dropped_edges],
        }


def main_path(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    nodes: Iterable[str] | None = None,
    weight: Weight = "spc",
    key_routes: int = 1,
    anchors: Iterable[str] | None = None,
) -> MainPath:
    """The main path(s) of the citation DAG by search path count.

    Parameters
    ----------
    G : networkx.DiGraph
        The citation graph (edge ``u → v``: u cites v). Node attributes used: ``lineages`` (lineage →
        membership score), ``publication_date`` / ``year`` (only to break citation cycles).
    lineage : str, optional
        Analyse only this lineage's subgraph: the nodes whose ``lineages`` attribute gives it a score
        > 0, plus its declared seeds (every key of its stages in ``G.graph["lineages"]`` and its
        members in ``G.graph["lineage_members"]``, see :func:`graph.assemble.lineage.lineage_seeds`),
        with the citations among them. Raises :class:`~graph.core.errors.UnknownLineageError` for an
        undeclared name.
    nodes : iterable of str, optional
        Analyse only the subgraph induced by these keys (intersected with the lineage's when both are
        given). Raises :class:`~graph.core.errors.UnknownPaperError` for a key not in ``G``.
    weight : {"spc", "splc", "spnp"}
        Search path count (source-to-sink), search path link count (every paper a source), search
        path node pair (every paper a source and a sink). See :mod:`graph.analyse.search_paths`.
    key_routes : int
        ``k ≥ 1`` (default 1): the key-route main path (Liu & Lu 2012): the ``k`` heaviest citations,
        each extended greedily backward to a source and forward to a sink, united. ``0``: the local
        main path (Hummon & Doreian 1989): from the heaviest citation leaving a source, greedily
        forward to a sink. Greedy steps take the heaviest next citation; ties go to the smaller key.
    anchors : iterable of str, optional
        Papers the main path runs between. Default: the lineage's seeds when ``lineage`` is given,
        none otherwise. With anchors, the analysed network is narrowed to their *corridor*: the
        anchors and every paper on a citation path from one anchor to another. Its sources and sinks
        are anchors, so every search path counted runs from an anchor that cites no other corridor paper
        to an anchor that no corridor paper cites. Pass ``anchors=()`` to
        use the subgraph's own sources and sinks (classical main path analysis) with a lineage. If no
        citation path joins two anchors, the classical network is used and :attr:`MainPath.anchors`
        is empty. Raises :class:`~graph.core.errors.UnknownPaperError` for a key not in ``G``.

    Returns
    -------
    MainPath
        Empty (no nodes) when the subgraph has no citation. Citation cycles are broken first (see
        :attr:`MainPath.dropped_edges` and ``docs/mainpath.md``).

    Notes
    -----
    One pass in topological order and one in reverse: ``O(V + E)`` integer additions (the counts can
    grow exponentially with the path length, so an addition costs O(digits)); the ``k`` heaviest
    citations take ``O(E log k)``. Cycle breaking only touches the strongly connected components.

    Examples
    --------
    Seven papers; flow (cited → citing) ``A→C, B→C, B→D, C→E, D→E, D→F, E→G, F→G``, i.e. the
    graph's edges ``C→A`` ("C cites A") and so on. Sources A, B; sink G. By hand::

        N⁻ (paths from a source):  A 1, B 1, C 2, D 1, E 3, F 1, G 4
        N⁺ (paths to a sink):      G 1, E 1, F 1, C 1, D 2, A 1, B 3
        SPC = N⁻(cited) · N⁺(citing):
          C→A 1·1=1  C→B 1·1=1  D→B 1·2=2  E→C 2·1=2  E→D 1·1=1  F→D 1·1=1  G→E 3·1=3  G→F 1·1=1

    (4 source-to-sink paths: ACEG, BCEG, BDEG, BDFG.) The heaviest citation is ``G→E`` (3);
    backward from E the heavier cited paper is C (N⁻ 2 > 1), then A and B tie (N⁻ 1) and A wins by
    key:

    >>> G = nx.DiGraph([("C", "A"), ("C", "B"), ("D", "B"), ("E", "C"), ("E", "D"), ("F", "D"),
    ...                 ("G", "E"), ("G", "F")])
    >>> mp = main_path(G)
    >>> mp.nodes, mp.weights[("G", "E")]
    (('A', 'C', 'E', 'G'), 3)

    The local main path starts at the heaviest citation leaving a source, ``D→B`` (2), and then
    takes the heavier of E (N⁺ 1) and F (N⁺ 1) by key:

    >>> main_path(G, key_routes=0).nodes
    ('B', 'D', 'E', 'G')

    Two key routes: the next heaviest are ``D→B`` and ``E→C`` (2 each; ``D→B`` wins by key), so the
    union adds B → D → E:

    >>> mp2 = main_path(G, key_routes=2)
    >>> mp2.nodes
    ('A', 'B', 'C', 'D', 'E', 'G')
    >>> mp2.edges
    (('C', 'A'), ('D', 'B'), ('E', 'C'), ('E', 'D'), ('G', 'E'))

    SPLC: every paper is a source, ``N⁻ = 1 + Σ N⁻(cited)``: A 1, B 1, C 3, D 2, E 6, F 3, G 10;
    N⁺ as for SPC. Weights: C→A 1, C→B 1, D→B 2, E→C 3, E→D 2, F→D 2, G→E 6, G→F 3:

    >>> mp = main_path(G, weight="splc")
    >>> mp.nodes, [mp.weights[e] for e in mp.edges]
    (('A', 'C', 'E', 'G'), [1, 3, 6])

    SPNP: also every paper a sink, ``N⁺ = 1 + Σ N⁺(citing)``: G 1, E 2, F 2, C 3, D 5, A 4, B 9.
    Weights: C→A 1·3=3, C→B 1·3=3, D→B 1·5=5, E→C 3·2=6, E→D 2·2=4, F→D 2·2=4, G→E 6·1=6,
    G→F 3·1=3. ``E→C`` and ``G→E`` tie at 6 and ``E→C`` wins by key; backward from C, A and B
    tie (N⁻ 1) and A wins:

    >>> mp = main_path(G, weight="spnp")
    >>> mp.nodes, [mp.weights[e] for e in mp.edges]
    (('A', 'C', 'E', 'G'), [3, 6, 6])

    Anchored at B and G, the corridor drops A: A cites nothing, so no anchor-to-anchor path runs
    through it. Flow
    ``B→C, B→D, C→E, D→E, D→F, E→G, F→G``; N⁻: B 1, C 1, D 1, E 2, F 1, G 3; N⁺: G 1, E 1, F 1,
    C 1, D 2, B 3 (three paths from B to G: BCEG, BDEG, BDFG). ``D→B`` and ``G→E`` tie at 2 and
    ``D→B`` wins by key:

    >>> mp = main_path(G, anchors=["B", "G"])
    >>> mp.anchors, mp.nodes, [mp.weights[e] for e in mp.edges]
    (('B', 'G'), ('B', 'D', 'E', 'G'), [2, 1, 2])

    A 2-cycle: ``x`` (2020) and ``y`` (2021) cite each other and ``z`` cites ``y``. The citation of
    the newer ``y`` by the older ``x`` is dropped:

    >>> H = nx.DiGraph([("x", "y"), ("y", "x"), ("z", "y")])
    >>> H.nodes["x"]["year"], H.nodes["y"]["year"], H.nodes["z"]["year"] = 2020, 2021, 2022
    >>> mp = main_path(H, key_routes=2)
    >>> mp.dropped_edges, mp.nodes, mp.edges
    ((('x', 'y'),), ('x', 'y', 'z'), (('y', 'x'), ('z', 'y')))

    Same year: the cycle's citation with the lowest one-step pair count is dropped,
    ``x→y`` (1 + 1)·(1 + 1) = 4 against ``y→x`` (1 + 1)·(1 + 2) = 6:

    >>> H.nodes["x"]["year"] = 2021
    >>> main_path(H).dropped_edges
    (('x', 'y'),)
    """
    if isinstance(key_routes, bool) or not isinstance(key_routes, int) or key_routes < 0:
        raise LineageError(f"key_routes must be an integer >= 0, not {key_routes!r}",
                           hint="0 = local main path, k >= 1 = k key routes")
    check_weight(weight)
    with gc_paused():
        f, used = prepare_flow(G, lineage, nodes, anchors)
        fw, bw = path_counts(f, weight)
    keys, pred, succ = f.keys, f.pred, f.succ
    n = len(keys)
    rank = [0] * n
    for r, i in enumerate(sorted(range(n), key=keys.__getitem__)):
        rank[i] = r

    def forward(x: int) -> int:  # heaviest citing paper; ties -> smaller key
        return max(succ[x], key=lambda c: (bw[c], -rank[c]))

    def backward(x: int) -> int:  # heaviest cited paper
        return max(pred[x], key=lambda c: (fw[c], -rank[c]))

    if key_routes == 0:
        starts = [(fw[a] * bw[b], -rank[a], -rank[b], a, b) for a in range(n) if not pred[a] for b in succ[a]]
        picked = [max(starts)[3:]] if starts else []
    else:
        # the k-th heaviest citation weighs at least the k-th largest of the per-paper maxima (those are k
        # distinct citations), so only citations at or above that bound can be among the k heaviest
        get_bw = bw.__getitem__
        best = [fw[a] * max(map(get_bw, succ[a])) if succ[a] else -1 for a in range(n)]
        bound = heapq.nlargest(key_routes, best)[-1] if best else -1
        picked = [t[3:] for t in heapq.nlargest(
            key_routes, ((fw[a] * bw[b], -rank[a], -rank[b], a, b)
                         for a in range(n) if best[a] >= bound for b in succ[a] if fw[a] * bw[b] >= bound))]
    flow_edges: set[tuple[int, int]] = set()
    done_fw: set[int] = set()
    done_bw: set[int] = set()
    for a, b in picked:
        flow_edges.add((a, b))
        x = b
        while succ[x] and x not in done_fw:
            done_fw.add(x)
            y = forward(x)
            flow_edges.add((x, y))
            x = y
        x = a
        while key_routes and pred[x] and x not in done_bw:
            done_bw.add(x)
            y = backward(x)
            flow_edges.add((y, x))
            x = y

    P = nx.DiGraph()
    P.add_edges_from((keys[a], keys[b]) for a, b in flow_edges)  # flow direction: cited -> citing

    def sort_key(k: str) -> str:  # "YYYY|MM|DD|key", month and day 00 when unknown; undated last
        w = paper_date(G.nodes[k]) or (9999,)
        return "|".join(f"{p:04d}" for p in (*w, 0, 0)[:3]) + "|" + k

    order = list(nx.lexicographical_topological_sort(P, key=sort_key))
    pos = {k: i for i, k in enumerate(order)}
    edges = tuple(sorted(((b, a) for a, b in P.edges), key=lambda e: (pos[e[1]], pos[e[0]])))
    idx = {k: i for i, k in enumerate(keys)} if edges else {}
    weights = {(u, v): fw[idx[v]] * bw[idx[u]] for u, v in edges}
    if not edges:
        log.info("main path: no citation among the %d analysed papers", n)
    return MainPath(nodes=tuple(order), edges=edges, weights=weights, weight=weight,
                    dropped_edges=tuple(f.dropped), key_routes=key_routes, lineage=lineage, anchors=used)
