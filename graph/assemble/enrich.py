"""Fill in metadata that Semantic Scholar's listings and the offline snapshot lack (abstract, authors,
dates) from arXiv, for the few papers a user is looking at. The cache is asked first, and what arXiv
returns is saved, so a paper costs at most one arXiv request ever."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.core.errors import ApiError
from graph.core.models import Paper
from graph.core.settings import Settings

__all__ = ["arxiv_metadata", "enrich_from_arxiv"]

log = logging.getLogger(__name__)

_FIELDS = ("abstract", "authors", "publication_date", "venue", "doi")


def _apply(G: nx.DiGraph, key: str, p: Paper) -> bool:
    d = G.nodes[key]
    changed = False
    for f in _FIELDS:
        v = getattr(p, f)
        v = list(v) if isinstance(v, tuple) else v
        if v and not d.get(f):
            d[f] = v
            changed = True
    if changed:
        d["metadata_sources"] = sorted({*d.get("metadata_sources", []), "arxiv"})
    return changed


def enrich_from_arxiv(G: nx.DiGraph, keys: Iterable[str], *, settings: Settings, cache: Any = None,
                      source: Any = None) -> int:
    """Give the nodes ``keys`` that have an arXiv id but no abstract their arXiv metadata, in place.

    Returns how many nodes gained a field. Network problems are logged and leave the graph as it was:
    enrichment is a nicety, never a reason to fail.
    """
    todo = [k for k in keys if k in G and G.nodes[k].get("arxiv_id") and not G.nodes[k].get("abstract")]
    if not todo:
        return 0
    from graph.store.cache import Cache

    own = cache is None
    cache = cache or Cache(settings.cache_path)
    try:
        n = 0
        cached = cache.get_papers([f"arxiv-meta:{k}" for k in todo])
        missing = []
        for k in todo:
            p = cached.get(f"arxiv-meta:{k}")
            if p is not None:
                n += _apply(G, k, p)
            else:
                missing.append(k)
        if not missing or settings.offline:
            return n
        if source is None:
            from graph.sources.arxiv import ArxivSource

            source = ArxivSource(settings)
        try:
            got = source.get([G.nodes[k]["arxiv_id"] for k in missing])
        except ApiError as e:
            log.warning("arXiv metadata not fetched: %s", e)
            return n
        store = []
        for k in missing:
            p = got.get(G.nodes[k]["arxiv_id"])
            if p is None:
                continue
            store.append(Paper.from_dict({**p.to_dict(), "paper_id": f"arxiv-meta:{k}"}))
            n += _apply(G, k, p)
        cache.put_papers(store)
        return n
    finally:
        if own:
            cache.close()


def arxiv_metadata(key: str, arxiv_id: str, *, settings: Settings, offline: bool | None = None, cache: Any = None,
                   source: Any = None) -> dict[str, Any]:
    """The arXiv fields (abstract, authors, date, venue, DOI) of one paper, without touching any graph.

    The cache is asked first; arXiv only when online, and what it returns is cached. Network problems
    are logged and give ``{}``.
    """
    G = nx.DiGraph()
    G.add_node(key, arxiv_id=arxiv_id)
    s = settings if offline is None or offline == settings.offline else settings.with_(offline=bool(offline))
    enrich_from_arxiv(G, [key], settings=s, cache=cache, source=source)
    d = G.nodes[key]
    return {f: d[f] for f in _FIELDS if d.get(f)}
