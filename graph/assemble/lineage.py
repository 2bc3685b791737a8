"""Lineage tags and roles for every node of the citation graph.

The graph carries the declared lineages in ``G.graph["lineages"]`` (lineage name → list of stages,
each a list of seed node keys). :func:`tag_lineages` gives every node a ``lineages`` attribute
(lineage name → membership score in [0, 1]): declared seeds get 1.0 for their lineages, every other
node a score from how strongly it links to each lineage's seeds. :func:`assign_roles` sets ``role``
(``seed`` / ``ancestor`` / ``descendant`` / ``other``). Both are linear in the number of edges: they
walk the seeds' neighbourhoods, never all pairs.

Membership score of a non-seed node ``n`` for lineage ``L`` with seed set ``S_L``::

    direct  = |{s in S_L : n cites s or s cites n}|
    own(n)  = min(1, direct / min(|S_L|, saturate))
    score   = own(n)                                          if direct > 0
            = two_hop_weight * sum(own(m) for m in N(n)) / deg(n)   otherwise (m: non-seed neighbours)

so a paper linked to ``saturate`` (default 4) seeds of a lineage is a full member, one linked to a
single seed of a four-seed lineage scores 0.25, and a paper with no direct link inherits
``two_hop_weight`` (default 0.5) times the mean direct score of its neighbours.
Scores below ``threshold`` (default 0.05) are dropped to keep attributes small.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from graph.core.errors import UnknownLineageError
from graph.core.gcpause import gc_paused

__all__ = [
    "ROLES",
    "assign_roles",
    "bridges",
    "declared_lineages",
    "lineage_seeds",
    "tag_lineages",
]

log = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("seed", "ancestor", "descendant", "other")
"""The values of the ``role`` node attribute."""

LineageSpec = Mapping[str, Any]


def _from_catalogue(catalogue: Any) -> tuple[dict[str, list[list[str]]], dict[str, list[str]]]:
    """Stages and members as node keys from a ``Catalogue``-like object (duck typed)."""
    seeds = catalogue.seeds

    def key(alias: str) -> str:
        seed = seeds.get(alias)
        return seed.key if seed is not None else alias

    stages: dict[str, list[list[str]]] = {}
    members: dict[str, list[str]] = {}
    for name, lin in catalogue.lineages.items():
        stages[name] = [[key(a) for a in stage] for stage in lin.stages]
        members[name] = [key(a) for a in getattr(lin, "members", ())]
    return stages, members


def _normalise_spec(G: nx.DiGraph, lineages: Any) -> tuple[dict[str, list[list[str]]], dict[str, list[str]]]:
    if lineages is None:
        lineages = G.graph.get("lineages") or {}
    if hasattr(lineages, "lineages") and hasattr(lineages, "seeds"):
        return _from_catalogue(lineages)
    stages = {name: [list(stage) for stage in st] for name, st in dict(lineages).items()}
    return stages, {}


def declared_lineages(
    G: nx.DiGraph,
    lineages: Any = None,
    *,
    members: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, list[str]]:
    """Lineage name → its declared seed keys present in ``G`` (stages in order, then members).

    Parameters
    ----------
    G : networkx.DiGraph
        The citation graph (edge ``u → v``: u cites v).
    lineages : dict or Catalogue, optional
        Lineage name → list of stages (lists of node keys), or a ``Catalogue``-like object
        (``.lineages[name].stages`` of aliases, ``.seeds[alias].key``). Defaults to
        ``G.graph["lineages"]``.
    members : dict, optional
        Lineage name → extra member keys (seeds of the lineage outside its stages). Members recorded
        in ``G.graph["lineage_members"]`` are always included.

    Returns
    -------
    dict[str, list[str]]
        Keys are unique per lineage; keys absent from ``G`` are skipped.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from(["a", "b", "c"])
    >>> G.graph["lineages"] = {"L": [["a"], ["b", "zz"]]}
    >>> declared_lineages(G, members={"L": ["c", "a"]})
    {'L': ['a', 'b', 'c']}
    """
    stages, cat_members = _normalise_spec(G, lineages)
    extra: dict[str, list[str]] = defaultdict(list)
    for source in (cat_members, G.graph.get("lineage_members") or {}, members or {}):
        for name, keys in source.items():
            extra[name].extend(keys)
    out: dict[str, list[str]] = {}
    for name in [*stages, *[n for n in extra if n not in stages]]:
        seen: dict[str, None] = {}
        for stage in stages.get(name, []):
            for k in stage:
                if k in G:
                    seen.setdefault(k, None)
        for k in extra.get(name, []):
            if k in G:
                seen.setdefault(k, None)
        out[name] = list(seen)
    return out


def lineage_seeds(G: nx.DiGraph, name: str, lineages: Any = None) -> list[str]:
    """The declared seed keys of one lineage, raising :class:`UnknownLineageError` for a bad name.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_nodes_from(["a", "b"])
    >>> G.graph["lineages"] = {"L": [["a"], ["b"]]}
    >>> lineage_seeds(G, "L")
    ['a', 'b']
    >>> lineage_seeds(G, "M")
    Traceback (most recent call last):
    ...
    graph.core.errors.UnknownLineageError: unknown lineage 'M' (valid: L)
    """
    table = declared_lineages(G, lineages)
    if name not in table:
        raise UnknownLineageError(name, list(table))
    return table[name]


def tag_lineages(
    G: nx.DiGraph,
    lineages: Any = None,
    *,
    members: Mapping[str, Iterable[str]] | None = None,
    threshold: float = 0.05,
    saturate: int = 4,
    two_hop_weight: float = 0.5,
    max_sections: int = 3,
) -> None:
    """Set the ``lineages`` (and, where empty, ``sections``) attribute of every node, in place.

    Parameters
    ----------
    G : networkx.DiGraph
        The citation graph (edge ``u → v``: u cites v).
    lineages : dict or Catalogue, optional
        Lineage name → list of stages of seed keys, or a ``Catalogue``-like object. Defaults to
        ``G.graph["lineages"]``.
    members : dict, optional
        Lineage name → extra declared member keys.
    threshold : float
        Scores below it are dropped.
    saturate : int
        A node linked directly to this many seeds of a lineage is a full member (score 1).
    two_hop_weight : float
        Weight of the 2-hop evidence (share of a node's neighbours linked to the lineage).
    max_sections : int
        A non-seed without sections gets the (at most this many) most common sections of the seeds
        it links to.

    Notes
    -----
    Declared seeds get 1.0 for their lineages and computed scores for the others (so a seed can be a
    bridge). The declared members are recorded in ``G.graph["lineage_members"]``. Runs in
    ``O(E · k)`` where ``k`` is the (small) number of lineages a node links to.

    Examples
    --------
    Seeds ``a`` and ``b`` form lineage ``L``; ``x`` cites both, ``y`` is cited by ``a`` only, ``z``
    only cites ``x`` (2-hop: its single neighbour is linked to ``L``).

    >>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("a", "y"), ("z", "x")])
    >>> G.graph["lineages"] = {"L": [["a"], ["b"]]}
    >>> tag_lineages(G)
    >>> G.nodes["a"]["lineages"], G.nodes["x"]["lineages"], G.nodes["y"]["lineages"]
    ({'L': 1.0}, {'L': 1.0}, {'L': 0.5})
    >>> G.nodes["z"]["lineages"]
    {'L': 0.5}
    """
    with gc_paused():  # many small dicts on a large graph: the counted, thread-safe pause
        _tag(G, lineages, members, threshold, saturate, two_hop_weight, max_sections)


def _tag(G: nx.DiGraph, lineages: Any, members: Mapping[str, Iterable[str]] | None, threshold: float,
         saturate: int, two_hop_weight: float, max_sections: int) -> None:
    table = declared_lineages(G, lineages, members=members)
    stages, _ = _normalise_spec(G, lineages)
    G.graph["lineage_members"] = {
        name: [k for k in keys if not any(k in stage for stage in stages.get(name, []))]
        for name, keys in table.items()
    }
    declared: dict[str, set[str]] = defaultdict(set)
    for name, keys in table.items():
        for k in keys:
            declared[k].add(name)

    # 1. direct links: node -> lineage -> set of seeds it links to (either direction)
    direct: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, keys in table.items():
        for s in keys:
            for n in G.successors(s):
                if n != s:
                    direct[n][name].add(s)
            for n in G.predecessors(s):
                if n != s:
                    direct[n][name].add(s)

    # 2. 2-hop: for every node, how many of its neighbours are linked to (or are seeds of) each lineage
    members_of = {name: set(keys) for name, keys in table.items()}
    sizes = {name: max(1, min(len(keys), saturate)) for name, keys in table.items()}
    hop2: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for m, by_lineage in direct.items():
        names = [name for name in by_lineage if m not in members_of[name]]
        if not names:
            continue
        for n in set(G.successors(m)) | set(G.predecessors(m)):
            if n == m:
                continue
            near = direct.get(n, {})
            for name in names:
                if name not in near and n not in members_of[name]:
                    hop2[n][name] += min(1.0, len(by_lineage[name]) / sizes[name])

    seed_sections: dict[str, list[str]] = {}
    for k in declared:
        seed_sections[k] = list(G.nodes[k].get("sections") or [])
    for n in G.nodes:
        scores: dict[str, float] = {}
        deg = G.in_degree(n) + G.out_degree(n)
        candidates = set(direct.get(n, {})) | set(hop2.get(n, {}))
        for name in candidates:
            d = len(direct.get(n, {}).get(name, ()))
            if d:
                score = min(1.0, d / sizes[name])
            else:
                score = min(1.0, two_hop_weight * hop2[n][name] / deg) if deg else 0.0
            if score >= threshold:
                scores[name] = round(score, 4)
        for name in declared.get(n, ()):
            scores[name] = 1.0
        G.nodes[n]["lineages"] = dict(sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])))
        if n not in declared and not G.nodes[n].get("sections") and n in direct:
            counts: Counter[str] = Counter()
            for seeds in direct[n].values():
                for s in seeds:
                    counts.update(seed_sections.get(s, []))
            G.nodes[n]["sections"] = [sec for sec, _ in counts.most_common(max_sections)]
        elif "sections" not in G.nodes[n]:
            G.nodes[n]["sections"] = []
    log.debug("tagged %d nodes with %d lineages", G.number_of_nodes(), len(table))


def assign_roles(G: nx.DiGraph) -> None:
    """Set the ``role`` attribute of every node, in place.

    ``seed`` (``is_seed`` true), else ``ancestor`` (cited by at least one seed), else ``descendant``
    (cites at least one seed), else ``other``.

    Examples
    --------
    >>> G = nx.DiGraph([("s", "p"), ("c", "s"), ("p", "q")])
    >>> G.nodes["s"]["is_seed"] = True
    >>> assign_roles(G)
    >>> {n: G.nodes[n]["role"] for n in sorted(G)}
    {'c': 'descendant', 'p': 'ancestor', 'q': 'other', 's': 'seed'}
    """
    seeds = [n for n, a in G.nodes(data=True) if a.get("is_seed")]
    roles: dict[str, str] = {}
    for s in seeds:
        roles[s] = "seed"
    for s in seeds:
        for n in G.successors(s):
            if roles.get(n) != "seed":
                roles[n] = "ancestor"
    for s in seeds:
        for n in G.predecessors(s):
            roles.setdefault(n, "descendant")
    for n in G.nodes:
        G.nodes[n]["role"] = roles.get(n, "other")


def bridges(G: nx.DiGraph, *, min_score: float = 0.5) -> list[str]:
    """Nodes that belong to two or more lineages with a score of at least ``min_score``.

    Run :func:`tag_lineages` first. Sorted by number of such lineages (descending), then by the sum
    of their scores (descending), then by key.

    Examples
    --------
    >>> G = nx.DiGraph([("x", "a"), ("x", "b"), ("y", "a")])
    >>> G.graph["lineages"] = {"L": [["a"]], "M": [["b"]]}
    >>> tag_lineages(G)
    >>> bridges(G)
    ['x', 'b']
    >>> G.nodes["x"]["lineages"], G.nodes["b"]["lineages"]
    ({'L': 1.0, 'M': 1.0}, {'M': 1.0, 'L': 0.5})

    ``b`` (a seed of ``M``) inherits half of ``x``'s score for ``L`` through its only neighbour ``x``.
    ``y`` is a plain member of ``L``:

    >>> bridges(G, min_score=0.6), G.nodes["y"]["lineages"]
    (['x'], {'L': 1.0})
    """
    found: list[tuple[int, float, str]] = []
    for n, attrs in G.nodes(data=True):
        strong = [v for v in (attrs.get("lineages") or {}).values() if v >= min_score]
        if len(strong) >= 2:
            found.append((-len(strong), -sum(strong), n))
    return [n for _, _, n in sorted(found)]
