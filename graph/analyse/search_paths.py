"""Search path counts (SPC, SPLC, SPNP) of a citation graph: the counting half of main path analysis.

:func:`graph.analyse.mainpath.main_path` follows the heaviest citations these counts give; this module
builds the analysed network (scope, anchors' corridor, citation cycles broken) and counts. The method,
the handling of citation cycles and the complexity are described in ``docs/mainpath.md``.

The graph follows the contract: an edge ``u → v`` means *u cites v*, so knowledge flows ``v → u``, from
the older paper to the newer one.

Vocabulary, in the flow direction (cited → citing):

- a **source** is a paper that cites nothing inside the analysed subgraph (an oldest paper);
- a **sink** is a paper that nothing inside the analysed subgraph cites (a newest paper);
- ``N⁻(x)`` counts search paths that *end* at ``x`` and ``N⁺(x)`` those that *start* at ``x``:

=========  ===============================================  ===============================================
weight     ``N⁻(x)`` (one forward pass, old → new)          ``N⁺(x)`` (one backward pass, new → old)
=========  ===============================================  ===============================================
``spc``    1 at a source, else Σ N⁻(cited papers of x)      1 at a sink, else Σ N⁺(papers citing x)
``splc``   1 + Σ N⁻(cited papers of x)                      1 at a sink, else Σ N⁺(papers citing x)
``spnp``   1 + Σ N⁻(cited papers of x)                      1 + Σ N⁺(papers citing x)
=========  ===============================================  ===============================================

and the weight of the citation "u cites v" (flow ``v → u``) is ``N⁻(v) · N⁺(u)``: the number of
source-to-sink paths through it (SPC), of paths from any paper to a sink (SPLC), of pairs of papers
joined by a path through it (SPNP). Counts are exact Python integers.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from graph.assemble.lineage import lineage_seeds
from graph.core.errors import LineageError, UnknownPaperError
from graph.core.gcpause import gc_paused

__all__ = [
    "MEMBER_MIN",
    "WEIGHTS",
    "Edge",
    "Flow",
    "Weight",
    "check_weight",
    "paper_date",
    "path_counts",
    "prepare_flow",
    "search_path_counts",
]

log = logging.getLogger("graph.analyse.mainpath")  # the log lines are the main path's, as before the split

Weight = Literal["spc", "splc", "spnp"]
WEIGHTS: tuple[str, ...] = ("spc", "splc", "spnp")
"""The search path weights :func:`~graph.analyse.mainpath.main_path` accepts."""

Edge = tuple[str, str]
"""A citation ``(citing, cited)``, oriented as in the graph."""


# --------------------------------------------------------------------------------------------------
# the flow network: integer-indexed adjacency in the flow direction (cited -> citing)


@dataclass
class Flow:
    """The analysed network, integer-indexed, in the flow direction (cited → citing)."""

    keys: list[str]
    pred: list[list[int]]  # pred[i]: papers i cites (flow predecessors)
    succ: list[list[int]]  # succ[i]: papers citing i (flow successors)
    order: list[int]  # topological order, old -> new
    dropped: list[Edge]


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def paper_date(attrs: Mapping[str, Any]) -> tuple[int, ...] | None:
    """``(year, month, day)`` from ``publication_date``, else ``(year,)``, else None."""
    m = _DATE.match(str(attrs.get("publication_date") or ""))
    if m:
        return tuple(int(g) for g in m.groups() if g)
    year = attrs.get("year")
    return (int(year),) if isinstance(year, int) else None


def _older(a: tuple[int, ...] | None, b: tuple[int, ...] | None) -> bool:
    """``a`` strictly before ``b``, compared on the precision both have."""
    if a is None or b is None:
        return False
    n = min(len(a), len(b))
    return a[:n] < b[:n]


MEMBER_MIN = 0.5
"""A lineage's network keeps its seeds and the papers whose membership in it is at least this: papers
linked to its seeds, not only inherited through a second hop (``graph.assemble.lineage.tag_lineages``
gives pure two-hop inheritance at most 0.5 and usually far less). See docs/mainpath.md."""


def _scope(G: nx.DiGraph, lineage: str | None, nodes: Iterable[str] | None) -> list[str]:
    keep: list[str] | None = None
    if nodes is not None:
        keep = []
        seen: set[str] = set()
        for k in nodes:
            if k not in G:
                raise UnknownPaperError(k, hint="main_path(nodes=...) takes node keys of the graph")
            if k not in seen:
                seen.add(k)
                keep.append(k)
    if lineage is not None:
        seeds = set(lineage_seeds(G, lineage))
        member = [n for n, a in G.nodes(data=True)
                  if n in seeds or ((a.get("lineages") or {}).get(lineage) or 0) >= MEMBER_MIN]
        keep = member if keep is None else [k for k in keep if k in set(member)]
    return list(G) if keep is None else keep


def _topo(pred: Sequence[list[int]], succ: Sequence[list[int]]) -> list[int]:
    """Kahn's algorithm in the flow direction; nodes on or after a cycle are left out."""
    indeg = [len(p) for p in pred]
    queue = deque(i for i, d in enumerate(indeg) if d == 0)
    order: list[int] = []
    while queue:
        i = queue.popleft()
        order.append(i)
        for j in succ[i]:
            indeg[j] -= 1
            if indeg[j] == 0:
                queue.append(j)
    return order


def _break_cycles(G: nx.DiGraph, keys: list[str], pred: list[list[int]], succ: list[list[int]],
                  stuck: list[int]) -> list[Edge]:
    """Citations ``(citing, cited)`` to drop so that the nodes ``stuck`` (not sorted by Kahn) become acyclic.

    In every strongly connected component: first every citation whose citing paper is strictly older
    than the cited one (by ``publication_date``, else ``year``); then, while a cycle remains, the
    citation of that cycle with the lowest one-step pair count ``(1 + #papers the cited one cites) ·
    (1 + #papers citing the citing one)``, ties by ``(citing, cited)``.
    """
    stuck_set = set(stuck)
    H = nx.DiGraph()
    H.add_nodes_from(stuck)
    H.add_edges_from((j, i) for i in stuck for j in succ[i] if j in stuck_set)  # j cites i
    when = {i: paper_date(G.nodes[keys[i]]) for i in stuck}
    dropped: list[tuple[int, int]] = []
    for comp in nx.strongly_connected_components(H):
        if len(comp) < 2:
            continue
        sub = nx.DiGraph(H.subgraph(comp))
        back = sorted(((u, v) for u, v in sub.edges if _older(when[u], when[v])),
                      key=lambda e: (keys[e[0]], keys[e[1]]))
        sub.remove_edges_from(back)
        dropped.extend(back)
        todo = [c for c in nx.strongly_connected_components(sub) if len(c) > 1]
        while todo:
            c = todo.pop()
            cycle = nx.find_cycle(sub.subgraph(c))
            u, v = min(((u, v) for u, v, *_ in cycle),
                       key=lambda e: ((1 + len(pred[e[1]])) * (1 + len(succ[e[0]])), keys[e[0]], keys[e[1]]))
            sub.remove_edge(u, v)
            dropped.append((u, v))
            todo.extend(c2 for c2 in nx.strongly_connected_components(sub.subgraph(c)) if len(c2) > 1)
    out: list[Edge] = []
    for u, v in dropped:  # u cites v: flow v -> u
        succ[v].remove(u)
        pred[u].remove(v)
        out.append((keys[u], keys[v]))
    return out


def _corridor(f: Flow, anchors: Iterable[int]) -> Flow:
    """The papers on a citation path between two anchors (and the anchors): two linear sweeps."""
    n = len(f.keys)
    down = bytearray(n)  # reached from an anchor (flow direction: the anchor is cited by it, transitively)
    up = bytearray(n)  # reaches an anchor
    for flags, nxt in ((down, f.succ), (up, f.pred)):
        stack = list(anchors)
        for a in stack:
            flags[a] = 1
        while stack:
            x = stack.pop()
            for y in nxt[x]:
                if not flags[y]:
                    flags[y] = 1
                    stack.append(y)
    keep = [i for i in range(n) if down[i] and up[i]]
    new = {i: j for j, i in enumerate(keep)}
    pred = [[new[j] for j in f.pred[i] if j in new] for i in keep]
    succ = [[new[j] for j in f.succ[i] if j in new] for i in keep]
    order = [new[i] for i in f.order if i in new]
    return Flow([f.keys[i] for i in keep], pred, succ, order, f.dropped)


def _anchor_keys(G: nx.DiGraph, lineage: str | None, anchors: Iterable[str] | None) -> list[str]:
    if anchors is None:
        return lineage_seeds(G, lineage) if lineage is not None else []
    out = []
    for k in anchors:
        if k not in G:
            raise UnknownPaperError(k, hint="main_path(anchors=...) takes node keys of the graph")
        out.append(k)
    return out


def prepare_flow(G: nx.DiGraph, lineage: str | None, nodes: Iterable[str] | None,
                 anchors: Iterable[str] | None) -> tuple[Flow, tuple[str, ...]]:
    """The analysed flow network and the anchors actually used (empty: classical sources and sinks)."""
    f = _flow(G, lineage, nodes)
    wanted = _anchor_keys(G, lineage, anchors)
    if not wanted:
        return f, ()
    idx = {k: i for i, k in enumerate(f.keys)}
    used = sorted({idx[k] for k in wanted if k in idx})
    sub = _corridor(f, used)
    if not any(sub.succ):
        log.info("main path: no citation path joins two of the %d anchors; using the subgraph's own sources "
                 "and sinks", len(used))
        return f, ()
    return sub, tuple(sorted(f.keys[i] for i in used))


def _flow(G: nx.DiGraph, lineage: str | None, nodes: Iterable[str] | None) -> Flow:
    keys = _scope(G, lineage, nodes)
    idx = {k: i for i, k in enumerate(keys)}
    pred: list[list[int]] = [[] for _ in keys]
    succ: list[list[int]] = [[] for _ in keys]
    dropped: list[Edge] = []
    adj = G._succ  # u -> {v: attrs}: u cites v  (read-only fast path; same as G.adj)
    for i, u in enumerate(keys):
        p = pred[i]
        for v in adj[u]:
            j = idx.get(v)
            if j is None:
                continue
            if j == i:
                dropped.append((u, u))
                continue
            p.append(j)
            succ[j].append(i)
    order = _topo(pred, succ)
    if len(order) < len(keys):
        placed = set(order)
        stuck = [i for i in range(len(keys)) if i not in placed]
        dropped.extend(_break_cycles(G, keys, pred, succ, stuck))
        order = _topo(pred, succ)
    if dropped:
        log.info("main path: dropped %d citation(s) to break cycles: %s", len(dropped), dropped[:10])
    return Flow(keys, pred, succ, order, dropped)


def check_weight(weight: str) -> None:
    """Raise :class:`~graph.core.errors.LineageError` unless ``weight`` is one of :data:`WEIGHTS`."""
    if weight not in WEIGHTS:
        raise LineageError(f"unknown main path weight '{weight}'", hint="valid: " + ", ".join(WEIGHTS))


def path_counts(f: Flow, weight: str) -> tuple[list[int], list[int]]:
    """``N⁻`` (forward pass) and ``N⁺`` (backward pass) for ``weight``."""
    n = len(f.keys)
    every_source = weight in ("splc", "spnp")
    every_sink = weight == "spnp"
    fw = [0] * n
    bw = [0] * n
    get_fw = fw.__getitem__
    get_bw = bw.__getitem__
    for i in f.order:
        p = f.pred[i]
        fw[i] = sum(map(get_fw, p)) + 1 if (every_source or not p) else sum(map(get_fw, p))
    for i in reversed(f.order):
        s = f.succ[i]
        bw[i] = sum(map(get_bw, s)) + 1 if (every_sink or not s) else sum(map(get_bw, s))
    return fw, bw


def search_path_counts(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    nodes: Iterable[str] | None = None,
    weight: Weight = "spc",
    anchors: Iterable[str] | None = None,
) -> dict[Edge, int]:
    """Search path count of every citation of the analysed subgraph.

    Parameters
    ----------
    G, lineage, nodes, weight, anchors
        As in :func:`graph.analyse.mainpath.main_path`.

    Returns
    -------
    dict[tuple[str, str], int]
        ``(citing, cited)`` → weight, for every citation of the analysed network (after breaking
        cycles; inside the anchors' corridor when anchored).

    Examples
    --------
    ``c`` cites ``b``, ``b`` cites ``a`` and ``c`` cites ``a``: two source-to-sink paths (a→b→c and
    a→c), one through each citation. SPNP counts the pairs joined through a citation: ``(b, a)`` joins
    (a, b) and (a, c); ``(c, a)`` only (a, c):

    >>> G = nx.DiGraph([("c", "b"), ("b", "a"), ("c", "a")])
    >>> sorted(search_path_counts(G).items())
    [(('b', 'a'), 1), (('c', 'a'), 1), (('c', 'b'), 1)]
    >>> sorted(search_path_counts(G, weight="spnp").items())
    [(('b', 'a'), 2), (('c', 'a'), 1), (('c', 'b'), 2)]
    """
    check_weight(weight)
    with gc_paused():
        f, _ = prepare_flow(G, lineage, nodes, anchors)
        fw, bw = path_counts(f, weight)
    keys = f.keys
    return {(keys[b], keys[a]): fw[a] * bw[b] for a in range(len(keys)) for b in f.succ[a]}
