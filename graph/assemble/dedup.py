"""Deduplication and pruning of a built graph: one node per paper, and a size cap that keeps the seeds."""

from __future__ import annotations

import networkx as nx

from graph.core.identity import UnionFind
from graph.core.ids import normalize_title

__all__ = ["merge_duplicates", "prune"]


def _key_rank(key: str) -> int:
    return {"arxiv": 0, "doi": 1, "title": 2, "s2": 3}.get(key.split(":", 1)[0], 4)


def merge_duplicates(G: nx.DiGraph) -> int:
    """Merge nodes that are one paper (preprint and published versions), in place.

    Two nodes are one paper when they share an arXiv id, a DOI, or a normalised title (with years,
    where both are known, at most one apart). The merged node keeps the best key (arXiv, then DOI,
    then title), the union of edges and the richer metadata. Returns the number of nodes removed.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("arxiv:1810.04805", title="BERT: Pre-training", arxiv_id="1810.04805", doi=None, year=2018)
    >>> G.add_node("doi:10.18653/v1/n19-1423", title="BERT: Pre-training", arxiv_id=None,
    ...            doi="10.18653/v1/n19-1423", year=2019)
    >>> G.add_edge("x", "doi:10.18653/v1/n19-1423")
    >>> merge_duplicates(G), sorted(G.nodes), list(G.edges)
    (1, ['arxiv:1810.04805', 'x'], [('x', 'arxiv:1810.04805')])
    """
    uf = UnionFind()  # refuses to join two different arXiv ids: same title, two papers
    owner: dict[str, str] = {}
    for n, d in G.nodes(data=True):
        uf.add(n, arxiv=d.get("arxiv_id") or None)
    for n, d in G.nodes(data=True):
        if d.get("doi"):
            k = str(d["doi"]).lower()
            if k in owner:
                uf.union(owner[k], n)
            else:
                owner[k] = n
    by_arxiv: dict[str, str] = {}
    for n, d in G.nodes(data=True):
        if d.get("arxiv_id"):
            uf.union(by_arxiv.setdefault(str(d["arxiv_id"]), n), n)
    by_title: dict[str, list[str]] = {}
    for n, d in G.nodes(data=True):
        t = normalize_title(d.get("title"))
        if len(t) >= 12:
            by_title.setdefault(t, []).append(n)
    for nodes in by_title.values():
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                ya, yb = G.nodes[a].get("year"), G.nodes[b].get("year")
                if ya is None or yb is None or abs(int(ya) - int(yb)) <= 1:
                    uf.union(a, b)
    groups: dict[str, list[str]] = {}
    for n in list(G.nodes):
        groups.setdefault(uf.find(n), []).append(n)
    removed = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = min(members, key=lambda k: (not G.nodes[k].get("is_seed", False), _key_rank(k), k))
        kd = G.nodes[keep]
        for other in members:
            if other == keep:
                continue
            od = G.nodes[other]
            for a, v in od.items():
                if kd.get(a) in (None, [], {}) and v not in (None, [], {}):
                    kd[a] = v
            for u, _, ed in list(G.in_edges(other, data=True)):
                if u != keep and not G.has_edge(u, keep):
                    G.add_edge(u, keep, **ed)
            for _, v, ed in list(G.out_edges(other, data=True)):
                if v != keep and not G.has_edge(keep, v):
                    G.add_edge(keep, v, **ed)
            G.remove_node(other)
            removed += 1
    return removed


def prune(G: nx.DiGraph, max_nodes: int) -> nx.DiGraph:
    """Keep all seeds and the most connected other papers, up to ``max_nodes`` nodes.

    Ranking: degree in the graph, then citation count, then year (newer first), then key.

    Examples
    --------
    >>> G = nx.DiGraph([("s", "a"), ("s", "b"), ("t", "a"), ("s", "c")])
    >>> nx.set_node_attributes(G, False, "is_seed"); G.nodes["s"]["is_seed"] = True
    >>> sorted(prune(G, 2).nodes)
    ['a', 's']
    """
    if G.number_of_nodes() <= max_nodes:
        return G
    seeds = [n for n, d in G.nodes(data=True) if d.get("is_seed")]
    rest = [n for n in G.nodes if not G.nodes[n].get("is_seed")]
    rest.sort(key=lambda n: (-G.degree(n), -(G.nodes[n].get("citation_count") or 0), -(G.nodes[n].get("year") or 0), n))
    keep = set(seeds) | set(rest[: max(0, max_nodes - len(seeds))])
    H = G.subgraph(keep).copy()
    H.graph["pruned"] = G.number_of_nodes() - H.number_of_nodes()
    return H
