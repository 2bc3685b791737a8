"""The graph's contract: the attributes every node carries, and graphs from Paper/Citation records.

Every node carries every attribute of :data:`NODE_ATTRS` (see ``docs/architecture.md``); edges carry
``is_influential``, ``source``, ``fetched_at`` and ``match``. ``G.graph`` follows
:class:`graph.assemble.meta.GraphMeta`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.core.models import Citation, Paper

if TYPE_CHECKING:
    from graph.catalogue.load import Seed

__all__ = ["NODE_ATTRS", "BuildStats", "ProgressFn", "add_paper", "graph_from_records", "seed_paper"]


ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as the expansion advances."""


NODE_ATTRS: dict[str, Any] = {
    "title": None,
    "authors": [],
    "year": None,
    "venue": None,
    "abstract": None,
    "tldr": None,
    "arxiv_id": None,
    "doi": None,
    "s2_id": None,
    "url": None,
    "citation_count": None,
    "influential_citation_count": None,
    "kind": "paper",
    "references_status": None,
    "is_seed": False,
    "alias": None,
    "role": "other",
    "lineages": {},
    "sections": [],
    "source": None,
    "fetched_at": None,
}
"""Every node carries every one of these attributes (defaults shown)."""


_PAPER_FIELDS = (
    "title",
    "year",
    "venue",
    "abstract",
    "tldr",
    "arxiv_id",
    "doi",
    "s2_id",
    "url",
    "citation_count",
    "influential_citation_count",
    "kind",
    "references_status",
    "source",
    "fetched_at",
)


@dataclass
class BuildStats:
    """Counters of one expansion (also stored in ``G.graph``)."""

    requests: int = 0
    cache_hits: int = 0
    built_from: str = "snapshot"
    unresolved: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def graph_from_records(papers: Iterable[Paper], edges: Iterable[Citation]) -> nx.DiGraph:
    """A contract graph from Paper and Citation records (no seeds, no lineages yet).

    Examples
    --------
    >>> G = graph_from_records([Paper("arxiv:1", title="A"), Paper("arxiv:2", title="B")],
    ...                        [Citation("arxiv:2", "arxiv:1", source="x")])
    >>> list(G.edges()), G.nodes["arxiv:1"]["role"]
    ([('arxiv:2', 'arxiv:1')], 'other')
    """
    G = nx.DiGraph()
    for p in papers:
        add_paper(G, p)
    for e in edges:
        for k in (e.citing, e.cited):
            if k not in G:
                add_paper(G, Paper(k))
        if e.citing != e.cited:
            G.add_edge(
                e.citing,
                e.cited,
                is_influential=e.is_influential,
                source=e.source,
                fetched_at=e.fetched_at,
                match=(e.extra or {}).get("match", "s2"),
            )
    return G


def add_paper(G: nx.DiGraph, p: Paper) -> None:
    """Add ``p`` as a node with every contract attribute (or fill the gaps of the node already there)."""
    attrs = {
        k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v) for k, v in NODE_ATTRS.items()
    }
    for f in _PAPER_FIELDS:
        attrs[f] = getattr(p, f)
    attrs["authors"] = list(p.authors)
    if p.publication_date:
        attrs["publication_date"] = p.publication_date
    if p.kind is None:
        attrs["kind"] = "paper"
    if G.has_node(p.paper_id):
        G.nodes[p.paper_id].update({k: v for k, v in attrs.items() if v not in (None, [], {})})
    else:
        G.add_node(p.paper_id, **attrs)


def seed_paper(seed: Seed) -> Paper:
    """The record a catalogue entry gives before any source is asked."""
    return Paper(
        paper_id=seed.key,
        title=seed.title,
        year=seed.year,
        arxiv_id=seed.arxiv_id,
        doi=seed.doi,
        s2_id=seed.s2_id,
        kind=seed.kind or "paper",
        url=seed.url,
        source=seed.source or "seeds catalogue",
    )
