"""Declared chains against the citations: chain check, citation paths, reading order.

``check_chain`` reads an arrow ``a → b`` ("b builds on a") as evidence when b cites a (``direct``) or
cites some x that cites a (``path``, the second hop, through any paper, seed or not). Rows name papers
by seed alias or title, never by key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.analyse.ancestors import missing_ancestors, name_of
from graph.analyse.select import find_node
from graph.assemble.lineage import lineage_seeds
from graph.core.errors import LineageError

__all__ = [
    "ChainVerdict",
    "CitationPath",
    "NoPathError",
    "check_chain",
    "citation_path",
    "reading_order",
]


class NoPathError(LineageError):
    """No citation path joins two papers of the graph."""

    exit_code = 1

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"no citation path between '{a}' and '{b}'",
                         hint="the two papers are in different components of the graph; try a deeper graph")
        self.a = a
        self.b = b


@dataclass(frozen=True)
class ChainVerdict:
    """What the citation data says about one declared arrow ``a → b`` (b builds on a)."""

    from_: str
    """The earlier paper ``a`` (as given)."""
    to: str
    """The later paper ``b`` (as given)."""
    verdict: str
    """``direct`` (b cites a), ``path`` (b cites x, x cites a) or ``none`` (no evidence in the data)."""
    via: list[str] = field(default_factory=list)
    """Intermediate papers x of a ``path`` verdict (alias or title)."""
    note: str | None = None
    """Set for a ``none`` verdict when b's reference list is not complete: absence is not evidence."""
    from_name: str | None = None
    """``a`` by seed alias or title."""
    to_name: str | None = None
    """``b`` by seed alias or title."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with keys ``from, to, from_name, to_name, verdict, via, note``."""
        return {"from": self.from_, "to": self.to, "from_name": self.from_name, "to_name": self.to_name,
                "verdict": self.verdict, "via": list(self.via), "note": self.note}


class CitationPath(list[str]):
    """A list of node keys with a ``direction``.

    ``forward``: each paper cites the next; ``backward``: each paper is cited by the next; ``mixed``:
    an undirected path whose steps go either way.
    """

    def __init__(self, keys: Iterable[str], direction: str) -> None:
        super().__init__(keys)
        self.direction = direction


def check_chain(G: nx.DiGraph, arrows: Iterable[tuple[str, str]], *,
                background: nx.DiGraph | None = None) -> list[ChainVerdict]:
    """Check declared arrows ``(a, b)`` ("b builds on a") against the citations.

    ``direct`` when b cites a; ``path`` when b cites some paper x (seed or not) that cites a, the
    second hop (``via`` names every such x, up to 5, by alias or title); ``none`` otherwise. Edges of
    ``background`` (the whole snapshot) count as well, so a second hop outside the analysed graph is
    found. A ``none`` verdict gets a ``note`` when b's reference list is not complete, since then the
    absence of an edge is not evidence. Papers are node keys or seed aliases.

    Examples
    --------
    >>> G = nx.DiGraph([("b", "a"), ("c", "x"), ("x", "a")])
    >>> G.nodes["c"]["references_status"] = "complete"
    >>> G.nodes["b"]["references_status"] = "complete"
    >>> G.nodes["x"]["title"] = "Paper X"
    >>> [v.verdict for v in check_chain(G, [("a", "b"), ("a", "c"), ("b", "c")])]
    ['direct', 'path', 'none']
    >>> check_chain(G, [("a", "c")])[0].to_dict()
    {'from': 'a', 'to': 'c', 'from_name': 'a', 'to_name': 'c', 'verdict': 'path', 'via': ['Paper X'], 'note': None}
    >>> check_chain(G, [("c", "x")])[0].note
    "no citation found, but Paper X's reference list completeness is unknown: absence is not evidence"

    A second hop known only to the whole snapshot:

    >>> B = nx.DiGraph([("c", "y"), ("y", "b")])
    >>> check_chain(G, [("b", "c")], background=B)[0].verdict
    'path'
    """
    out = []
    for a_ref, b_ref in arrows:
        a, b = find_node(G, a_ref), find_node(G, b_ref)
        via: list[str] = []
        if G.has_edge(b, a) or (background is not None and background.has_edge(b, a)):
            verdict = "direct"
        else:
            refs = set(G.successors(b))
            if background is not None and b in background:
                refs |= set(background.successors(b))
            refs.discard(a)
            via = sorted(x for x in refs if G.has_edge(x, a) or (background is not None and background.has_edge(x, a)))
            verdict = "path" if via else "none"
        note = None
        if verdict == "none":
            status = G.nodes[b].get("references_status")
            who = name_of(G, b)
            if status == "partial":
                note = f"no citation found, but {who}'s reference list is partial: absence is not evidence"
            elif status == "none_found":
                note = f"no citation found, but no reference list was found for {who}: absence is not evidence"
            elif status != "complete":
                note = f"no citation found, but {who}'s reference list completeness is unknown: absence is not evidence"
        names = [_label(G, x, background) for x in via]
        out.append(ChainVerdict(from_=a_ref, to=b_ref, verdict=verdict,
                                via=names[:5] + ([f"… {len(names) - 5} more"] if len(names) > 5 else []),
                                note=note, from_name=name_of(G, a), to_name=name_of(G, b)))
    return out


def _label(G: nx.DiGraph, key: str, background: nx.DiGraph | None) -> str:
    if key in G:
        return name_of(G, key)
    if background is not None and key in background:
        return name_of(background, key)
    return key


def citation_path(G: nx.DiGraph, a: str, b: str) -> CitationPath:
    """Shortest path between two papers along citations.

    Tries ``a → … → b`` (each cites the next; ``direction="forward"``), then ``b → … → a``
    (returned from a to b with ``direction="backward"``), then an undirected path
    (``direction="mixed"``). Raises :class:`graph.core.errors.UnknownPaperError` for a missing paper and
    :class:`NoPathError` when there is no path at all.

    Examples
    --------
    >>> G = nx.DiGraph([("c", "b"), ("b", "a"), ("c", "d")])
    >>> p = citation_path(G, "c", "a"); p, p.direction
    (['c', 'b', 'a'], 'forward')
    >>> p = citation_path(G, "a", "c"); p, p.direction
    (['a', 'b', 'c'], 'backward')
    >>> p = citation_path(G, "a", "d"); p, p.direction
    (['a', 'b', 'c', 'd'], 'mixed')
    """
    a, b = find_node(G, a), find_node(G, b)
    try:
        return CitationPath(nx.shortest_path(G, a, b), "forward")
    except nx.NetworkXNoPath:
        pass
    try:
        return CitationPath(reversed(nx.shortest_path(G, b, a)), "backward")
    except nx.NetworkXNoPath:
        pass
    try:
        return CitationPath(nx.shortest_path(G.to_undirected(as_view=True), a, b), "mixed")
    except nx.NetworkXNoPath:
        raise NoPathError(a, b) from None


def reading_order(G: nx.DiGraph, lineage: str, *, ancestors: int = 5,
                  background: nx.DiGraph | None = None) -> list[str]:
    """A reading list for a lineage: top missing ancestors, then its seeds and members.

    Each part is in topological order of its citation subgraph (cited before citing), ties and
    cycles (mutual citations) broken by year, then key; papers without a year go last among ties.

    Examples
    --------
    ``B`` cites ``A`` though both are dated 2020; ``A`` and ``B`` cite the non-seed ``x``.

    >>> G = nx.DiGraph([("B", "A"), ("A", "x"), ("B", "x")])
    >>> for n, y in {"A": 2020, "B": 2020, "x": 2015}.items():
    ...     G.nodes[n].update(year=y, is_seed=n != "x", references_status="complete")
    >>> G.graph["lineages"] = {"L": [["B", "A"]]}
    >>> reading_order(G, "L")
    ['x', 'A', 'B']
    """
    seeds = lineage_seeds(G, lineage)
    anc = [r.paper_id for r in missing_ancestors(G, lineage=lineage, top=ancestors,
                                                               background=background)] if ancestors > 0 else []
    return _topo(G, anc) + _topo(G, seeds)


def _topo(G: nx.DiGraph, keys: Sequence[str]) -> list[str]:
    if not keys:
        return []
    sub = G.subgraph(keys)
    cond = nx.condensation(sub)  # an edge u -> v in sub: u cites v, so v is read first

    def year_key(n: str) -> tuple[int, str]:
        y = G.nodes[n].get("year")
        return (y if y is not None else 10**6, n)

    members = cond.graph["mapping"]
    groups: dict[int, list[str]] = defaultdict(list)
    for n, c in members.items():
        groups[c].append(n)
    rev = cond.reverse(copy=True)
    order = nx.lexicographical_topological_sort(rev, key=lambda c: min(year_key(n) for n in groups[c]))
    out: list[str] = []
    for c in order:
        out.extend(sorted(groups[c], key=year_key))
    return out
