"""The engine's core: settings read once, the catalogue, the graphs built once, stores, resolution, notes."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

from graph.assemble.meta import GraphMeta
from graph.assemble.plan import FetchPlan
from graph.catalogue.load import Catalogue, load_catalogue
from graph.core.errors import UnknownPaperError
from graph.core.models import Paper
from graph.core.settings import Settings
from graph.explore.records import ANALYSIS_GRAPH, VIEW_GRAPH, Answer, GraphSpec, ProgressFn
from graph.present.export import write_export
from graph.store.stores import Stores, find_paper, open_stores

__all__ = ["EngineCore", "load_user_catalogue"]


def load_user_catalogue(path: str | Path, settings: Settings | None = None) -> Catalogue:
    """A user's seeds file (YAML, BibTeX or text list), id-only entries named from the snapshot
    (first author + year, else a short title) so every explanation reads by name."""
    from graph.store.snapshot import load_snapshot

    settings = settings or Settings.from_env()
    return load_catalogue(path, snapshot=load_snapshot(settings.snapshot_path))


E = TypeVar("E", bound="EngineCore")


class EngineCore:
    """The core of :class:`graph.explore.engine.Engine`. Thread-safe: one engine may serve many app sessions.

    Parameters
    ----------
    catalogue:
        The seeds (default: ``settings.seeds_path``, i.e. ``LINEAGE_SEEDS`` or the built-in ``seeds/``).
    settings:
        Read once (default ``Settings.from_env()``).
    offline:
        True: snapshot + cache only. None: ``settings.offline``.
    snapshot, cache, source:
        Injected stores (tests, benchmarks); default: the embedded snapshot, the settings' cache, S2.
    refresh:
        Online, fetch the lists in a question's scope again even when the cache holds fresh ones.
    progress, announce:
        Default display callbacks of the shell: ``progress(stage, done, total)`` while a graph is built,
        ``announce(plan)`` once before anything is fetched (what, and how long it takes).
    """

    def __init__(
        self,
        catalogue: Catalogue | None = None,
        *,
        settings: Settings | None = None,
        offline: bool | None = None,
        snapshot: Any = None,
        cache: Any = None,
        source: Any = None,
        cache_size: int = 8,
        refresh: bool = False,
        progress: ProgressFn | None = None,
        announce: Callable[[FetchPlan], None] | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.offline = bool(self.settings.offline if offline is None else offline)
        self.catalogue = catalogue if catalogue is not None else load_catalogue(self.settings.seeds_path)
        self._snapshot = snapshot
        self._cache = cache
        self._source = source
        self._graphs: OrderedDict[GraphSpec, nx.DiGraph] = OrderedDict()
        self._size = cache_size
        self._lock = threading.RLock()
        self._answers: dict[tuple[Any, ...], Answer] = {}
        self.refresh = refresh
        self.progress = progress
        self.announce = announce

    @classmethod
    def from_env(cls: type[E], seeds: str | Path | None = None, *, offline: bool | None = None,
                 **options: Any) -> E:
        """An engine over ``seeds`` (a YAML/BibTeX/text file or folder; default the built-in catalogue)."""
        settings = Settings.from_env(offline=True if offline else None, seeds_path=seeds)
        cat = load_user_catalogue(seeds, settings) if seeds else None
        return cls(cat, settings=settings, offline=offline or None, **options)

    def entries(self) -> Answer:
        """Every entry of the catalogue resolved: title, year, ids and how it matched, or why not (offline
        from the snapshot and the cache; online, the API is asked only for what those lack)."""
        from graph.catalogue.resolve import resolve_entries, unresolved_warnings
        from graph.store.snapshot import load_snapshot

        snap = self._snapshot or load_snapshot(self.settings.snapshot_path)
        with self.stores() as chain:
            online = chain.online_store
            source = online.source if online is not None and online._net() else None
            res = resolve_entries(self.catalogue, snapshot=snap, cache=chain.cache, source=source)
        rows = [{"alias": r.alias, "input": r.input, "status": r.status, "title": r.title, "year": r.year,
                 "arxiv_id": r.arxiv_id, "doi": r.doi, "matched_by": r.matched_by, "found_in": r.found_in,
                 "reason": r.reason, "lineages": list(self.catalogue.seeds[r.alias].lineages)}
                for r in res]
        notes = unresolved_warnings(res)
        n_ok = sum(1 for r in res if r.resolved)
        return Answer("entries", rows, notes, f"{len(rows)} entries of {self.catalogue.path}: {n_ok} resolved")

    # ------------------------------------------------------------------ scope and graphs

    def lineage_names(self, lineages: Sequence[str] | None) -> tuple[str, ...]:
        """Validated lineage names (canonical spelling); unknown names raise ``UnknownLineageError``."""
        return tuple(self.catalogue.get_lineage(n).name for n in (lineages or ()))

    def graph(self, spec: GraphSpec, *, progress: ProgressFn | None = None,
              announce: Callable[[FetchPlan], None] | None = None) -> nx.DiGraph:
        """The graph for ``spec``, built once (LRU of ``cache_size`` graphs). Never mutate it."""
        spec = replace(spec, lineages=tuple(sorted(self.lineage_names(spec.lineages))))
        with self._lock:
            G = self._graphs.get(spec)
            if G is not None:
                self._graphs.move_to_end(spec)
                return G
            from graph.assemble.expand import build_graph

            G = build_graph(
                self.catalogue,
                lineages=list(spec.lineages) or None,
                depth=spec.depth,
                direction=spec.direction,  # type: ignore[arg-type]
                later_direction=spec.later_direction,  # type: ignore[arg-type]
                hop_limit=spec.hop_limit,
                max_nodes=spec.max_nodes,
                offline=self.offline or not spec.network,
                settings=self.settings,
                snapshot=self._snapshot,
                cache=self._cache,
                source=self._source,
                progress=progress or self.progress,
                fetch_hops=spec.fetch_hops,
                max_age=timedelta(0) if self.refresh else None,
                announce=announce or self.announce,
            )
            self._graphs[spec] = G
            while len(self._graphs) > self._size:
                self._graphs.popitem(last=False)
            return G

    def is_built(self, spec: GraphSpec) -> bool:
        """Whether the graph of ``spec`` is built already (the app shows progress only for a build)."""
        spec = replace(spec, lineages=tuple(sorted(self.lineage_names(spec.lineages))))
        with self._lock:
            return spec in self._graphs

    @staticmethod
    def analysis_spec(lineages: Sequence[str] | None = None) -> GraphSpec:
        """The :class:`GraphSpec` of :meth:`analysis_graph`."""
        return replace(ANALYSIS_GRAPH, lineages=tuple(lineages or ()))

    @staticmethod
    def view_spec(lineages: Sequence[str] | None = None, *, depth: int = VIEW_GRAPH.depth,
                  direction: str = VIEW_GRAPH.direction) -> GraphSpec:
        """The :class:`GraphSpec` of :meth:`view_graph`."""
        return replace(VIEW_GRAPH, lineages=tuple(lineages or ()), depth=depth, direction=direction)

    @staticmethod
    def meta(G: nx.DiGraph) -> GraphMeta:
        """The typed metadata of a graph this engine built."""
        return GraphMeta.of(G)

    def analysis_graph(self, lineages: Sequence[str] | None = None, *, progress: ProgressFn | None = None,
                       announce: Callable[[FetchPlan], None] | None = None) -> nx.DiGraph:
        """The graph every analysis of ``lineages`` runs on (:data:`ANALYSIS_GRAPH`)."""
        return self.graph(self.analysis_spec(lineages), progress=progress, announce=announce)

    def view_graph(self, lineages: Sequence[str] | None = None, *, depth: int = VIEW_GRAPH.depth,
                   direction: str = VIEW_GRAPH.direction, progress: ProgressFn | None = None,
                   announce: Callable[[FetchPlan], None] | None = None) -> nx.DiGraph:
        """The graph the full view draws (:data:`VIEW_GRAPH` with the user's depth and direction)."""
        return self.graph(self.view_spec(lineages, depth=depth, direction=direction), progress=progress,
                          announce=announce)

    def background(self) -> nx.DiGraph:
        """The whole snapshot as one graph (built once per snapshot): what makes a paper specific to a
        lineage rather than a tool every lineage cites."""
        from graph.analyse.ancestors import background_graph
        from graph.store.snapshot import load_snapshot

        return background_graph(self._snapshot or load_snapshot(self.settings.snapshot_path))

    def stores(self, *, network: bool = True) -> Stores:
        """The stores a question reads, in order (a context manager that closes the cache it opened)."""
        return open_stores(self.settings, offline=self.offline or not network, snapshot=self._snapshot,
                           cache=self._cache, source=self._source,
                           max_age=timedelta(0) if self.refresh else None)

    def paper(self, ref: str) -> Paper:
        """The record of any paper Semantic Scholar knows, by alias, arXiv id, DOI or S2 id: the snapshot
        and the cache first, then (online) one request, saved in the cache. Unknown: ``UnknownPaperError``."""
        from graph.core.ids import parse_paper_ref

        r = parse_paper_ref(ref)
        seed = self.catalogue.seeds.get(r.alias) if r.alias else None
        if r.alias and seed is None:
            raise UnknownPaperError(ref, hint="use a seed alias (see 'lineage seeds'), an arXiv id, DOI:... or an "
                                              "S2 id")
        ids = dict(arxiv_id=seed.arxiv_id, doi=seed.doi, s2_id=seed.s2_id, title=seed.title) if seed else dict(
            arxiv_id=r.arxiv_id, doi=r.doi, s2_id=r.s2_id, corpus_id=r.corpus_id)
        with self.stores() as chain:
            p = find_paper(chain, **ids)
        if p is None:
            how = "offline: the snapshot and the cache do not hold it" if self.offline else \
                "Semantic Scholar does not know it either"
            raise UnknownPaperError(ref, hint=f"{how}; check the id")
        return p

    def search(self, G: nx.DiGraph, query: str) -> str | None:
        """The node a search box names (key, alias, id, else the best title match); None when nothing matches."""
        from graph.analyse.select import search

        return search(G, query)

    def write_graph(self, G: nx.DiGraph, fmt: str, path: str | Path) -> Path:
        """Write a whole graph in an export format (``lineage expand --out``)."""
        return write_export(G, fmt, path)

    def snapshot_info(self) -> dict[str, Any]:
        """Counts, sources, dates and completeness per lineage of the embedded snapshot."""
        from graph.assemble.refresh import snapshot_info
        from graph.store.snapshot import load_snapshot

        return snapshot_info(self._snapshot or load_snapshot(self.settings.snapshot_path), self.catalogue)

    def refresh_snapshot(self, out: Path | None = None, *, progress: ProgressFn | None = None) -> dict[str, Any]:
        """Re-fetch every seed from Semantic Scholar and rewrite the snapshot (``out`` or ``seeds/snapshot``)."""
        from graph.assemble.refresh import refresh_snapshot

        return refresh_snapshot(self.catalogue, settings=self.settings, out=out, progress=progress)

    def cache_info(self) -> dict[str, Any]:
        """Where the cache is and what it holds."""
        from graph.store.cache import Cache

        with Cache(self.settings.cache_path) as c:
            return {"path": str(self.settings.cache_path), **c.stats()}

    def clear_cache(self) -> Path:
        """Delete the cache file (works on a corrupt cache too); returns its path."""
        from graph.store.cache import clear_cache

        clear_cache(self.settings.cache_path)
        return Path(self.settings.cache_path)

    def resolve(self, ref: str, G: nx.DiGraph) -> str:
        """The node key of any paper reference (key, alias, arXiv id, DOI, S2 id) in ``G``."""
        from graph.analyse.select import find_node

        return find_node(G, ref)

    def notes(self, G: nx.DiGraph, lineage: str | None = None) -> list[str]:
        """The notices and the completeness line that qualify every answer on ``G``."""
        m = GraphMeta.of(G)
        out = [f"notice: {n}" for n in dict.fromkeys(m.notices)]
        if m.unresolved:
            from graph.catalogue.resolve import entry_input

            for alias in m.unresolved:
                seed = self.catalogue.seeds.get(alias)
                what = f" ({entry_input(seed)})" if seed is not None else ""
                where = "the snapshot or the cache" if m.built_from != "online" else \
                    "the snapshot, the cache or Semantic Scholar"
                out.append(f"warning: '{alias}'{what} is unresolved: not found in {where}; it is left out "
                           "(check its id or title with 'lineage seeds')")
        out.append(self.completeness(G, lineage))
        return out

    def completeness(self, G: nx.DiGraph, lineage: str | None = None) -> str:
        """``reference lists of the N seeds of L: a complete, b partial, c none found`` (+ the caveat)."""
        m = GraphMeta.of(G)
        keys = m.lineage_keys(lineage) if lineage else list(m.completeness)
        keys = [k for k in keys if k in m.completeness]
        c = m.completeness_counts(keys)
        return (
            f"reference lists of the {len(keys)} seeds{' of ' + lineage if lineage else ''}: "
            f"{c['complete']} complete, {c['partial']} partial, {c['none_found']} none found"
            + (f", {c['unknown']} unknown" if c["unknown"] else "")
            + " (a missing edge from an incomplete list is missing data, not evidence)"
        )

    def _memo(self, key: tuple[Any, ...], make: Callable[[], Answer]) -> Answer:
        with self._lock:
            hit = self._answers.get(key)
        if hit is not None:
            return hit
        ans = make()
        with self._lock:
            self._answers[key] = ans
        return ans

    def _scope(self, lineage: str | None, lineages: Sequence[str] | None) -> tuple[tuple[str, ...], str | None]:
        names = self.lineage_names(lineages if lineages else ([lineage] if lineage else ()))
        one = self.lineage_names([lineage])[0] if lineage else (names[0] if len(names) == 1 else None)
        return names, one

