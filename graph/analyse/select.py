"""Views: the subgraph a user is looking at, shared by the app and ``lineage export``.

One function, :func:`view`, turns the expanded graph plus the user's filters into the subgraph that
is drawn and exported, so that what the app shows and what the CLI exports are the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import networkx as nx

from graph.core.errors import LineageError, UnknownPaperError
from graph.core.ids import PaperRef, parse_paper_ref

__all__ = ["ViewSpec", "find_node", "search", "view"]


@dataclass(frozen=True)
class ViewSpec:
    """The user's filters. Every field is optional; the default shows everything."""

    lineages: tuple[str, ...] = ()
    """Keep seeds of these lineages and papers with a membership in any of them (score > 0)."""
    sections: tuple[str, ...] = ()
    """Keep seeds of these sections (topic tags) and papers linked to them."""
    years: tuple[int, int] | None = None
    """Inclusive year range; papers with no year are kept (they are flagged as undated)."""
    min_citations: int = 0
    """Drop non-seed papers whose known citation count is below this (unknown counts are kept)."""
    around: str | None = None
    """Focus: a node key (or alias / id) at the centre."""
    radius: int = 1
    """Neighbourhood radius around ``around``, ignoring edge direction."""


def find_node(G: nx.DiGraph, ref: str) -> str:
    """The node key for a user reference: a key, a seed alias, an arXiv id, a DOI or an S2 id.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_node("arxiv:2305.18290", alias="dpo", s2_id=None)
    >>> find_node(G, "dpo"), find_node(G, "arXiv:2305.18290")
    ('arxiv:2305.18290', 'arxiv:2305.18290')
    """
    if ref in G:
        return ref
    r: PaperRef = parse_paper_ref(ref)
    if r.alias:
        for n, d in G.nodes(data=True):
            if d.get("alias") == r.alias:
                return n
    key = r.key()
    if key and key in G:
        return key
    for n, d in G.nodes(data=True):
        if (
            (r.arxiv_id and d.get("arxiv_id") == r.arxiv_id)
            or (r.doi and d.get("doi") == r.doi)
            or (r.s2_id and d.get("s2_id") == r.s2_id)
        ):
            return n
    aliases = sorted(d["alias"] for _, d in G.nodes(data=True) if d.get("alias"))
    import difflib

    close = difflib.get_close_matches(ref, aliases, n=3)
    hint = ("did you mean " + ", ".join(close) + "? " if close else "") + (
        "use a seed alias (see 'lineage seeds'), an arXiv id, DOI:... or an S2 id of a paper in the graph"
    )
    raise UnknownPaperError(ref, hint=hint)


def search(G: nx.DiGraph, query: str) -> str | None:
    """The node a search box names: a key, alias or id (:func:`find_node`), else the best paper whose
    title contains the text (seeds first, then the most connected). None when nothing matches.

    Examples
    --------
    >>> G = nx.DiGraph([("b", "a")])
    >>> G.nodes["a"].update(title="Attention Is All You Need", alias=None, is_seed=False)
    >>> G.nodes["b"].update(title="BERT", alias="bert", is_seed=True)
    >>> search(G, "attention"), search(G, "bert"), search(G, "nothing like this")
    ('a', 'b', None)
    """
    q = query.strip()
    if not q:
        return None
    try:
        return find_node(G, q)
    except LineageError:
        pass
    ql = q.casefold()
    hits = [n for n, d in G.nodes(data=True)
            if ql in str(d.get("title") or "").casefold() or ql == str(d.get("alias") or "").casefold()]
    if not hits:
        return None
    return min(hits, key=lambda n: (not G.nodes[n].get("is_seed"), -G.degree(n), str(n)))


def _keep_lineage(d: dict, names: Sequence[str]) -> bool:
    lin = d.get("lineages") or {}
    return any(lin.get(n, 0) > 0 for n in names)


def view(G: nx.DiGraph, spec: ViewSpec | None = None) -> nx.DiGraph:
    """The subgraph selected by ``spec`` (a copy; ``G.graph`` is carried over).

    Examples
    --------
    >>> G = nx.DiGraph([("b", "a"), ("c", "b")])
    >>> for n, y in zip("abc", (2014, 2017, 2019)):
    ...     G.nodes[n].update(year=y, is_seed=n == "b", lineages={"x": 1.0} if n != "c" else {},
    ...                       citation_count=None, sections=[])
    >>> sorted(view(G, ViewSpec(lineages=("x",))).nodes)
    ['a', 'b']
    >>> sorted(view(G, ViewSpec(years=(2016, 2020))).nodes)
    ['b', 'c']
    """
    spec = spec or ViewSpec()
    keep = set(G.nodes)
    if spec.lineages:
        keep = {n for n in keep if _keep_lineage(G.nodes[n], spec.lineages)}
    if spec.sections:
        wanted = set(spec.sections)
        seeds_in = {n for n in keep if G.nodes[n].get("is_seed") and wanted & set(G.nodes[n].get("sections") or [])}
        linked = set(seeds_in)
        for s in seeds_in:
            linked.update(G.successors(s))
            linked.update(G.predecessors(s))
        keep &= linked
    if spec.years:
        lo, hi = spec.years
        keep = {n for n in keep if G.nodes[n].get("year") is None or lo <= int(G.nodes[n]["year"]) <= hi}
    if spec.min_citations:
        keep = {
            n
            for n in keep
            if G.nodes[n].get("is_seed")
            or G.nodes[n].get("citation_count") is None
            or G.nodes[n]["citation_count"] >= spec.min_citations
        }
    if spec.around:
        centre = find_node(G, spec.around)
        ego = nx.ego_graph(G.to_undirected(as_view=True), centre, radius=max(0, spec.radius))
        keep &= set(ego.nodes)
        keep.add(centre)
    H = G.subgraph(keep).copy()
    H.graph.update(G.graph)
    if spec.lineages and isinstance(G.graph.get("lineages"), dict):
        chosen = [n for n in spec.lineages if n in G.graph["lineages"]]
        H.graph["lineages"] = {n: G.graph["lineages"][n] for n in [*chosen, *G.graph["lineages"]]}
    return H
