"""The engine: settings read once, the catalogue, the graphs built once, resolution, notes, admin."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import networkx as nx

from graph.build.meta import GraphMeta
from graph.catalogue.load import Catalogue, load_catalogue
from graph.core.settings import Settings
from graph.explore.questions import Questions
from graph.explore.records import ANALYSIS_GRAPH, VIEW_GRAPH, Answer, GraphSpec, ProgressFn
from graph.explore.views import Views
from graph.present.export import write_export

__all__ = ["Engine"]


class Engine(Questions, Views):
    """The orchestration layer. Thread-safe: one engine may serve many app sessions.

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

    @classmethod
    def from_env(cls, seeds: str | Path | None = None, *, offline: bool | None = None) -> Engine:
        """An engine over ``seeds`` (a YAML/BibTeX/text file or folder; default the built-in catalogue)."""
        settings = Settings.from_env(offline=True if offline else None, seeds_path=seeds)
        return cls(load_catalogue(seeds) if seeds else None, settings=settings, offline=offline or None)

    # ------------------------------------------------------------------ scope and graphs

    def lineage_names(self, lineages: Sequence[str] | None) -> tuple[str, ...]:
        """Validated lineage names (canonical spelling); unknown names raise ``UnknownLineageError``."""
        return tuple(self.catalogue.get_lineage(n).name for n in (lineages or ()))

    def graph(self, spec: GraphSpec, *, progress: ProgressFn | None = None) -> nx.DiGraph:
        """The graph for ``spec``, built once (LRU of ``cache_size`` graphs). Never mutate it."""
        spec = replace(spec, lineages=tuple(sorted(self.lineage_names(spec.lineages))))
        with self._lock:
            G = self._graphs.get(spec)
            if G is not None:
                self._graphs.move_to_end(spec)
                return G
            from graph.build.expand import build_graph

            G = build_graph(
                self.catalogue,
                lineages=list(spec.lineages) or None,
                depth=spec.depth,
                direction=spec.direction,  # type: ignore[arg-type]
                later_direction=spec.later_direction,  # type: ignore[arg-type]
                hop_limit=spec.hop_limit,
                max_nodes=spec.max_nodes,
                offline=self.offline,
                settings=self.settings,
                snapshot=self._snapshot,
                cache=self._cache,
                source=self._source,
                progress=progress,
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

    def analysis_graph(self, lineages: Sequence[str] | None = None, *,
                       progress: ProgressFn | None = None) -> nx.DiGraph:
        """The graph every analysis of ``lineages`` runs on (:data:`ANALYSIS_GRAPH`)."""
        return self.graph(self.analysis_spec(lineages), progress=progress)

    def view_graph(self, lineages: Sequence[str] | None = None, *, depth: int = VIEW_GRAPH.depth,
                   direction: str = VIEW_GRAPH.direction, progress: ProgressFn | None = None) -> nx.DiGraph:
        """The graph the full view draws (:data:`VIEW_GRAPH` with the user's depth and direction)."""
        return self.graph(self.view_spec(lineages, depth=depth, direction=direction), progress=progress)

    def search(self, G: nx.DiGraph, query: str) -> str | None:
        """The node a search box names (key, alias, id, else the best title match); None when nothing matches."""
        from graph.analyse.select import search

        return search(G, query)

    def write_graph(self, G: nx.DiGraph, fmt: str, path: str | Path) -> Path:
        """Write a whole graph in an export format (``lineage expand --out``)."""
        return write_export(G, fmt, path)

    def snapshot_info(self) -> dict[str, Any]:
        """Counts, sources, dates and completeness per lineage of the embedded snapshot."""
        from graph.build.refresh import snapshot_info
        from graph.store.snapshot import load_snapshot

        return snapshot_info(self._snapshot or load_snapshot(self.settings.snapshot_path), self.catalogue)

    def refresh_snapshot(self, out: Path | None = None, *, progress: ProgressFn | None = None) -> dict[str, Any]:
        """Re-fetch every seed from Semantic Scholar and rewrite the snapshot (``out`` or ``seeds/snapshot``)."""
        from graph.build.refresh import refresh_snapshot

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
        for alias in m.unresolved:
            out.append(f"warning: seed '{alias}' was not found in the snapshot, the cache or Semantic Scholar; "
                       "it is left out (check its id or title)")
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

