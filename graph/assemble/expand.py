"""Seeds -> ``networkx.DiGraph`` (edge ``u -> v``: u cites v).

:func:`build_graph` walks from the seeds along references and/or citations, ``depth`` hops, through
a chain of stores (the embedded snapshot and the cache offline; cache then Semantic Scholar online),
merges preprint/published duplicates, prunes to the most connected papers, and annotates every node
with the attributes listed in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from graph.assemble.annotate import annotate
from graph.assemble.contract import NODE_ATTRS, BuildStats, ProgressFn, graph_from_records, seed_paper
from graph.assemble.dedup import merge_duplicates, prune
from graph.assemble.meta import GraphMeta
from graph.assemble.plan import FetchPlan, plan_fetch
from graph.core.merge import merge_papers
from graph.core.models import Citation, Paper
from graph.store.stores import CacheStore, Direction, OnlineStore, Store, Stores, open_stores

if TYPE_CHECKING:
    from datetime import timedelta

    from graph.catalogue.load import Catalogue, Seed
    from graph.core.settings import Settings
    from graph.store.snapshot import Snapshot

__all__ = [
    "NODE_ATTRS",
    "BuildStats",
    "ProgressFn",
    "build_graph",
    "graph_from_records",
    "merge_duplicates",
    "prune",
    "select_seeds",
]

log = logging.getLogger(__name__)


def select_seeds(catalogue: Catalogue, lineages: Sequence[str] | None = None) -> list[Seed]:
    """The seeds of the given lineages (all seeds when none), in catalogue order.

    Unknown lineage names raise :class:`graph.core.errors.UnknownLineageError`.
    """
    if not lineages:
        return list(catalogue.seeds.values())
    wanted: set[str] = set()
    for name in lineages:
        wanted.update(catalogue.get_lineage(name).aliases)
    return [s for a, s in catalogue.seeds.items() if a in wanted]


def build_graph(
    catalogue: Catalogue,
    *,
    lineages: Sequence[str] | None = None,
    depth: int = 1,
    direction: Literal["references", "citations", "both"] = "both",
    max_nodes: int | None = None,
    later_direction: Literal["references", "citations", "both"] | None = None,
    hop_limit: int | None = None,
    offline: bool | None = None,
    settings: Settings | None = None,
    snapshot: Snapshot | None = None,
    cache: Any = None,
    source: Any = None,
    progress: ProgressFn | None = None,
    fetch_hops: int | None = None,
    max_age: timedelta | None = None,
    stores: Stores | None = None,
    announce: Callable[[FetchPlan], None] | None = None,
) -> nx.DiGraph:
    """Expand the seeds (of ``lineages``, or all) into a citation graph.

    Parameters
    ----------
    catalogue:
        The seeds catalogue (:func:`graph.catalogue.load.load_catalogue`).
    lineages:
        Restrict the seeds to these lineages (all seeds when empty).
    depth:
        Hops from the seeds (0 = seeds and the edges among them only).
    direction:
        ``references`` (what the seeds cite), ``citations`` (who cites them) or ``both``.
    max_nodes:
        Keep all seeds plus the most connected papers up to this many nodes.
    later_direction:
        Direction of hops 2 and beyond (default: ``direction``). ``references`` with ``direction="both"``
        and ``depth=2`` brings in what the citing papers cite, which co-citation analysis needs,
        without the explosion of citations-of-citations.
    hop_limit:
        Expand at most this many papers (the most connected first) at each hop after the first
        (default: ``max_nodes``, else unlimited).
    offline:
        True: snapshot + cache only. False/None: Semantic Scholar when reachable (``settings.offline``
        forces offline), falling back to snapshot + cache with a notice in ``G.graph["notices"]``.
    progress:
        ``progress(stage, done, total)`` callback.
    fetch_hops:
        Online, Semantic Scholar is asked for the lists of the first ``fetch_hops`` hops only (None: every
        hop); later hops use the snapshot and the cache. The analyses ask for 1: the seeds' own lists.
    max_age:
        Online, cached lists older than this are fetched again (default 30 days; ``timedelta(0)``: all).
    stores:
        The stores to read (default :func:`graph.store.stores.open_stores` from the settings); the
        expansion never constructs a cache or a client itself.
    announce:
        Online, called once with the :class:`graph.assemble.plan.FetchPlan` before the first request
        (only when something is to be fetched).

    Returns
    -------
    networkx.DiGraph
        Nodes keyed by :func:`graph.core.ids.paper_key` with the attributes of :data:`NODE_ATTRS`;
        ``G.graph`` holds ``lineages``, ``completeness``, ``built_from``, ``requests``,
        ``cache_hits``, ``unresolved`` and ``notices``.
    """
    from graph.core.settings import Settings

    if depth < 0:
        raise ValueError("depth must be >= 0")
    if direction not in ("references", "citations", "both"):
        from graph.core.errors import LineageError

        raise LineageError(f"unknown direction '{direction}'", hint="use references, citations or both")
    settings = settings or Settings.from_env()
    offline = settings.offline if offline is None else offline
    seeds = select_seeds(catalogue, lineages)
    stats = BuildStats()
    chain = stores or open_stores(settings, offline=bool(offline), snapshot=snapshot, cache=cache, source=source,
                                  max_age=max_age)
    stats.built_from = "online" if chain.online else "snapshot"
    with chain:
        if chain.online and announce is not None:
            plan = plan_fetch(seeds, chain, depth=depth, direction=direction, fetch_hops=fetch_hops,
                              rate_per_s=settings.rate_per_s, keyed=bool(settings.s2_api_key))
            for st in chain:
                if isinstance(st, CacheStore):
                    st.hits = 0  # the plan's look-ups are not answers
            if plan.requests:
                announce(plan)
        G = _expand(
            seeds,
            list(chain),
            depth=depth,
            direction=direction,
            later_direction=later_direction or direction,
            hop_limit=hop_limit if hop_limit is not None else max_nodes,
            progress=progress,
            stats=stats,
            fetch_hops=fetch_hops,
        )
    for st in chain:
        if isinstance(st, CacheStore):
            stats.cache_hits += st.hits
        if isinstance(st, OnlineStore):
            stats.requests = st.source.requests
            if st.reachable is False:
                stats.built_from = "snapshot"
                stats.notices.append(
                    f"Semantic Scholar is unreachable at {settings.s2_api_url}: "
                    "working offline on the snapshot and cache."
                )
            elif st.reachable is None:
                stats.built_from = "cache"
    annotate(G, catalogue, seeds)
    if max_nodes is not None:
        G = prune(G, max_nodes)
    G.graph.update(
        requests=stats.requests,
        cache_hits=stats.cache_hits,
        built_from=stats.built_from,
        notices=stats.notices,
        depth=depth,
        direction=direction,
    )
    if G.graph.get("unresolved"):
        log.info("%d seeds not found in any source: %s", len(G.graph["unresolved"]), ", ".join(G.graph["unresolved"]))
    G.graph.setdefault("pruned", 0)
    G.graph["meta"] = GraphMeta.of(G)
    return G


def _expand(
    seeds: Sequence[Seed],
    stores: list[Store],
    *,
    depth: int,
    direction: str,
    later_direction: str,
    hop_limit: int | None,
    progress: ProgressFn | None,
    stats: BuildStats,
    fetch_hops: int | None = None,
) -> nx.DiGraph:
    if progress:
        progress("resolve", 0, len(seeds))
    seed_keys: dict[str, str] = {}
    remaining = list(seeds)
    for st in stores:
        if not remaining:
            break
        got = st.resolve(remaining)
        seed_keys.update(got)
        remaining = [s for s in remaining if s.alias not in got]
    unresolved = [s.alias for s in remaining]
    if progress:
        progress("resolve", len(seeds), len(seeds))

    papers: dict[str, Paper] = {}
    edges: dict[tuple[str, str], Citation] = {}
    status: dict[str, str | None] = {}
    keys = list(dict.fromkeys(seed_keys.values()))
    for st in stores:
        for k, p in st.papers([k for k in keys if k not in papers]).items():
            papers[k] = p
    for s in seeds:
        k = seed_keys.get(s.alias)
        if k is None:
            k = seed_keys[s.alias] = s.key
        papers[k] = merge_papers(seed_paper(s), papers[k]) if k in papers else seed_paper(s)

    def dirs_of(d: str) -> list[Direction]:
        return ["references", "citations"] if d == "both" else [d]  # type: ignore[list-item]

    visited = set(keys)
    frontier = list(keys)
    seed_set = set(seed_keys.values())
    for level in range(depth):
        nxt: Counter[str] = Counter()
        for dname in dirs_of(direction if level == 0 else later_direction):
            todo = list(frontier)
            for st in stores:
                if not todo:
                    break
                if st.fetches and fetch_hops is not None and level >= fetch_hops:
                    continue  # beyond the question's fetch scope: snapshot and cache only

                def cb(done: int, total: int, _d: str = dname, _l: int = level) -> None:
                    if progress:
                        progress(f"{_d} (hop {_l + 1})", done, total)

                got = st.neighbours(todo, dname, cb, records=papers)
                for k, pairs in got.items():
                    if dname == "references" and k in seed_set:
                        status[k] = _listing_status(st.name, papers.get(k), pairs)
                    for p, c in pairs:
                        papers[p.paper_id] = merge_papers(papers.get(p.paper_id), p)
                        if c.citing != c.cited:
                            edges.setdefault((c.citing, c.cited), c)
                        if p.paper_id not in visited:
                            nxt[p.paper_id] += 1
                todo = [k for k in todo if k not in got]
        if progress:
            progress("expand", level + 1, depth)
        new = [k for k, _ in sorted(nxt.items(), key=lambda kv: (-kv[1], kv[0]))]
        if hop_limit is not None and level + 1 < depth:
            new = new[:hop_limit]
        visited.update(new)
        frontier = new

    G = graph_from_records(papers.values(), edges.values())
    for k, st_ in status.items():
        if k in G and st_ is not None:
            G.nodes[k]["references_status"] = st_
    G.graph["seed_keys"] = dict(seed_keys)
    G.graph["unresolved"] = unresolved
    return G


def _listing_status(store: str, paper: Paper | None, pairs: list[tuple[Paper, Citation]]) -> str | None:
    """How complete a seed's reference list is, given where it came from."""
    if store == "snapshot":
        return paper.references_status if paper else None
    if pairs:
        return "complete"
    return "none_found"


