"""Seeds -> ``networkx.DiGraph`` (edge ``u -> v``: u cites v).

:func:`build_graph` walks from the seeds along references and/or citations, ``depth`` hops, through
a chain of stores (the embedded snapshot and the cache offline; cache then Semantic Scholar online),
merges preprint/published duplicates, prunes to the most connected papers, and annotates every node
with the attributes listed in ``docs/architecture.md``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import networkx as nx

from graph.build.meta import GraphMeta
from graph.core.ids import UnionFind, normalize_title
from graph.core.models import Citation, Paper
from graph.store.stores import CacheStore, Direction, OnlineStore, SnapshotStore, Store

if TYPE_CHECKING:
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


def _richness(p: Paper) -> int:
    return sum(getattr(p, f) is not None for f in _PAPER_FIELDS) + (1 if p.authors else 0)


def _merge_paper(old: Paper | None, new: Paper) -> Paper:
    """Keep the richer record; fill its gaps from the other one."""
    if old is None:
        return new
    base, other = (old, new) if _richness(old) >= _richness(new) else (new, old)
    patch: dict[str, Any] = {}
    for f in _PAPER_FIELDS:
        if getattr(base, f) is None and getattr(other, f) is not None:
            patch[f] = getattr(other, f)
    if not base.authors and other.authors:
        patch["authors"] = other.authors
    if patch:
        d = base.to_dict()
        d.update(patch)
        d["paper_id"] = base.paper_id
        return Paper.from_dict(d)
    return base


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
        _add_paper(G, p)
    for e in edges:
        for k in (e.citing, e.cited):
            if k not in G:
                _add_paper(G, Paper(k))
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


def _add_paper(G: nx.DiGraph, p: Paper) -> None:
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


def _seed_paper(seed: Seed) -> Paper:
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


def _make_stores(
    settings: Settings, *, offline: bool, snapshot: Snapshot | None, cache: Any, source: Any, stats: BuildStats
) -> tuple[list[Store], Any]:
    """Choose the stores: online (cache then S2, snapshot as fallback) or offline (snapshot, cache)."""
    from graph.store.snapshot import load_snapshot

    snap = snapshot if snapshot is not None else load_snapshot()
    own_cache = None
    if cache is None:
        from graph.store.cache import Cache

        cache = own_cache = Cache(settings.cache_path)
    if not offline:
        if source is None:
            from graph.sources.s2 import S2Source

            source = S2Source(settings)
        stats.built_from = "online"
        return [OnlineStore(cache, source), SnapshotStore(snap)], own_cache
    stats.built_from = "snapshot"
    return [SnapshotStore(snap), CacheStore(cache)], own_cache


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
    stores, own_cache = _make_stores(
        settings, offline=bool(offline), snapshot=snapshot, cache=cache, source=source, stats=stats
    )
    try:
        G = _expand(
            seeds,
            stores,
            depth=depth,
            direction=direction,
            later_direction=later_direction or direction,
            hop_limit=hop_limit if hop_limit is not None else max_nodes,
            progress=progress,
            stats=stats,
        )
    finally:
        if own_cache is not None:
            own_cache.close()
    for st in stores:
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
    _annotate(G, catalogue, seeds)
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
        papers[k] = _merge_paper(papers.get(k), _seed_paper(s)) if k in papers else _seed_paper(s)

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

                def cb(done: int, total: int, _d: str = dname, _l: int = level) -> None:
                    if progress:
                        progress(f"{_d} (hop {_l + 1})", done, total)

                got = st.neighbours(todo, dname, cb)
                for k, pairs in got.items():
                    if dname == "references" and k in seed_set:
                        status[k] = _listing_status(st.name, papers.get(k), pairs)
                    for p, c in pairs:
                        papers[p.paper_id] = _merge_paper(papers.get(p.paper_id), p)
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


def _sections(seed: Seed) -> list[str]:
    secs = getattr(seed, "sections", None)
    if secs:
        return [x for x in secs if x]
    return [seed.section] if seed.section else []


def _mark_other_seeds(G: nx.DiGraph, catalogue: Catalogue, selected: set[str]) -> None:
    """Papers of the catalogue that the expansion reached without starting from them are seeds too:
    the list already has them, so they are never reported as missing."""
    by_id: dict[tuple[str, str], str] = {}
    for n, d in G.nodes(data=True):
        if d.get("arxiv_id"):
            by_id[("a", d["arxiv_id"])] = n
        if d.get("doi"):
            by_id[("d", str(d["doi"]).lower())] = n
        t = normalize_title(d.get("title"))
        if len(t) >= 12:
            by_id.setdefault(("t", t), n)
    for alias, s in catalogue.seeds.items():
        if alias in selected:
            continue
        n = (
            (s.arxiv_id and by_id.get(("a", s.arxiv_id)))
            or (s.doi and by_id.get(("d", s.doi.lower())))
            or by_id.get(("t", normalize_title(s.title)))
        )
        if not n or G.nodes[n].get("is_seed"):
            continue
        d = G.nodes[n]
        d["is_seed"] = True
        d["alias"] = alias
        d["sections"] = sorted({*d.get("sections", []), *_sections(s)})
        d["lineages"] = {name: 1.0 for name in s.lineages}


def _annotate(G: nx.DiGraph, catalogue: Catalogue, seeds: Sequence[Seed]) -> None:
    """Seeds, lineages, sections, roles and completeness; then lineage tags for everyone."""
    seed_keys: dict[str, str] = G.graph["seed_keys"]
    for s in seeds:
        k = seed_keys[s.alias]
        if k not in G:
            _add_paper(G, _seed_paper(s))
        d = G.nodes[k]
        d["is_seed"] = True
        d["alias"] = s.alias
        d["sections"] = sorted({*d.get("sections", []), *_sections(s)})
        d["lineages"] = {name: 1.0 for name in s.lineages}
        if s.title and not d.get("title"):
            d["title"] = s.title
        if s.kind and s.kind != "paper":
            d["kind"] = s.kind
    _mark_other_seeds(G, catalogue, {s.alias for s in seeds})
    removed = merge_duplicates(G)
    if removed:
        log.info("merged %d duplicate nodes", removed)
    # keys may have moved during the merge: re-find seeds by alias
    alias_to_key = {d["alias"]: n for n, d in G.nodes(data=True) if d.get("is_seed") and d.get("alias")}
    G.graph["seed_keys"] = alias_to_key
    selected = {s.alias for s in seeds}
    G.graph["lineages"] = {
        name: [[alias_to_key[a] for a in stage if a in alias_to_key] for stage in lin.stages]
        for name, lin in catalogue.lineages.items()
        if any(a in selected for a in lin.aliases)
    }
    G.graph["lineage_members"] = {
        name: [alias_to_key[a] for a in lin.members if a in alias_to_key]
        for name, lin in catalogue.lineages.items()
        if name in G.graph["lineages"]
    }
    G.graph["completeness"] = {alias_to_key[a]: G.nodes[alias_to_key[a]].get("references_status") for a in alias_to_key}
    from graph.build.lineage import assign_roles, tag_lineages

    assign_roles(G)
    tag_lineages(G, G.graph["lineages"], members=G.graph["lineage_members"])
