"""The one orchestration layer: every surface (CLI, app, HTML export, docs snippets) asks it.

An :class:`Engine` owns the settings (read once), the catalogue, the graphs each question needs (built
once and cached), the resolution of any paper reference, and every analysis with its display rows. The
shells (``graph/cli``, ``app.py``) only turn flags and widgets into calls here and print or draw what
comes back, so the same question gets the same answer everywhere.

Two graphs, documented once:

* the **analysis graph** (:data:`ANALYSIS_GRAPH`): the seeds' references and citing papers, plus what
  those citing papers cite (co-citation evidence), at most 400 citing papers expanded. Every analysis
  (ancestors, frontier, check, order, path, main path, show) runs on it.
* the **view graph** (:data:`VIEW_GRAPH`, depth and direction chosen by the user): what the full graph
  view draws and exports.

Both are scoped by the lineages asked about (all of the catalogue when none).
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import networkx as nx

from graph.build.meta import GraphMeta
from graph.catalogue.load import Catalogue, load_catalogue
from graph.core.settings import Settings

__all__ = [
    "ANALYSIS_GRAPH",
    "COLUMNS",
    "VIEW_GRAPH",
    "Answer",
    "Engine",
    "GraphSpec",
    "View",
    "display_name",
]

ProgressFn = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GraphSpec:
    """How to expand the seeds of ``lineages`` (all when empty) into a graph."""

    lineages: tuple[str, ...] = ()
    depth: int = 1
    direction: str = "both"
    later_direction: str | None = None
    hop_limit: int | None = None
    max_nodes: int | None = None


ANALYSIS_GRAPH = GraphSpec(depth=2, direction="both", later_direction="references", hop_limit=400)
"""The graph behind every analysis: depth 2, both directions on the first hop, references on the second."""

VIEW_GRAPH = GraphSpec(depth=1, direction="both", max_nodes=4000)
"""The default graph the full view draws (the app's depth/direction controls change depth and direction)."""

COLUMNS: dict[str, list[str]] = {
    "ancestors": ["#", "title", "year", "score", "explanation", "cited_by"],
    "frontier": ["#", "title", "year", "score", "explanation", "cites"],
    "check": ["lineage", "from", "to", "verdict", "via", "note"],
    "order": ["#", "alias", "title", "year", "role"],
    "path": ["step", "alias", "title", "year"],
    "mainpath": ["#", "alias", "title", "year", "weight"],
}
"""The columns each surface shows for each analysis (the JSON rows carry more)."""


@dataclass(frozen=True)
class Answer:
    """The answer to one question: rows in order, plus the notes that qualify them."""

    question: str
    """``ancestors``, ``frontier``, ``check``, ``order``, ``path``, ``mainpath`` or ``show``."""
    rows: list[dict[str, Any]]
    """One dict per result, in order; ``paper_id`` is the node key where a row is a paper."""
    notes: list[str] = field(default_factory=list)
    """Completeness and data caveats, in plain words (the CLI prints them on stderr, the app as captions)."""
    title: str = ""
    """A heading for tables."""

    @property
    def columns(self) -> list[str]:
        """The columns to display."""
        return COLUMNS.get(self.question, list(self.rows[0]) if self.rows else [])

    def paper_keys(self) -> list[str]:
        """The node keys of the rows, in order (rows without a paper are skipped)."""
        return [r["paper_id"] for r in self.rows if r.get("paper_id")]


@dataclass(frozen=True)
class View:
    """What the full graph view draws and exports: the subgraph, the analyses marked on it, and why."""

    graph: nx.DiGraph
    """The subgraph shown (a copy; safe to hand to a renderer)."""
    full: nx.DiGraph
    """The graph it was cut from."""
    ancestors: Answer
    """The missing ancestors of the lineages in view (from the analysis graph)."""
    frontier: Answer
    """The frontier of the lineages in view (from the analysis graph)."""
    highlight: dict[str, str]
    """Node key -> ``missing-ancestor`` / ``frontier`` / ``focus``, for nodes in :attr:`graph`."""
    why: dict[str, str]
    """Node key -> one line saying why it is marked."""
    stages: list[list[str]] | None = None
    """The spine (lineage view only): stages of node keys, oldest first."""

    def export(self, fmt: str, **html_options: Any) -> str | bytes:
        """The view in an export format (``graph.present.export.FORMATS``); HTML marks the same papers as the app."""
        from graph.present.export import export_graph

        if fmt == "html":
            extra: dict[str, Any] = {"highlight": self.highlight}
            if self.stages is not None:
                extra.update(layout="lineage", stages=self.stages)
            return export_graph(self.graph, fmt, **{**extra, **html_options})
        return export_graph(self.graph, fmt)


def display_name(G: nx.DiGraph, key: str, width: int = 60) -> str:
    """What a person reads for a node: its alias, else its (shortened) title, else the key.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_node("arxiv:1", alias="dpo", title="Direct Preference Optimization")
    >>> G.add_node("doi:x", alias=None, title="A very long title " * 5)
    >>> display_name(G, "arxiv:1"), display_name(G, "doi:x", width=20), display_name(G, "nope")
    ('dpo', 'A very long title A…', 'nope')
    """
    if key not in G:
        return key
    d = G.nodes[key]
    if d.get("alias"):
        return str(d["alias"])
    title = " ".join(str(d.get("title") or "").split())
    if not title:
        return key
    return title if len(title) <= width else title[: width - 1] + "…"


def catalogue_hash(path: Path) -> str:
    """A content hash of a seeds file or folder (the snapshot excluded)."""
    h = hashlib.sha256(str(path).encode())
    files = sorted(p for p in path.rglob("*") if p.is_file() and "snapshot" not in p.parts) if path.is_dir() else [path]
    for p in files:
        if p.exists():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


class Engine:
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

    def view(
        self,
        lineages: Sequence[str] | None = None,
        *,
        depth: int = VIEW_GRAPH.depth,
        direction: str = VIEW_GRAPH.direction,
        sections: Sequence[str] = (),
        years: tuple[int, int] | None = None,
        min_citations: int = 0,
        around: str | None = None,
        radius: int = 1,
        top_ancestors: int = 10,
        top_frontier: int = 10,
        only_top: bool = False,
        focus: Sequence[str] = (),
        progress: ProgressFn | None = None,
    ) -> View:
        """The full graph view of ``lineages`` with the user's filters, the analyses marked on it.

        ``only_top`` shows the seeds, the top missing ancestors and the top frontier papers, cut from the
        analysis graph (where those analyses were computed).
        """
        from graph.analyse.select import ViewSpec, view

        names = self.lineage_names(lineages)
        one = names[0] if len(names) == 1 else None
        G = self.view_graph(names, depth=depth, direction=direction, progress=progress)
        ma = self.ancestors(one, top=top_ancestors, lineages=names) if top_ancestors else Answer("ancestors", [])
        fr = self.frontier(one, top=top_frontier, lineages=names) if top_frontier else Answer("frontier", [])
        spec = ViewSpec(lineages=names, sections=tuple(sections), years=years, min_citations=min_citations,
                        around=around, radius=radius)
        if only_top:
            A = self.analysis_graph(names)
            keep = {n for n in GraphMeta.of(A).seed_keys.values() if n in A}
            keep |= {*ma.paper_keys(), *fr.paper_keys()}
            H = view(A.subgraph(keep).copy(), replace(spec, lineages=()))
            H.graph.update(A.graph)
            G = A
        else:
            H = view(G, spec)
        highlight = {k: "missing-ancestor" for k in ma.paper_keys() if k in H}
        highlight.update({k: "frontier" for k in fr.paper_keys() if k in H})
        for k in focus:
            if k and k in H:
                highlight[k] = "focus"
        why = {r["paper_id"]: f"missing ancestor — {r['explanation']}" for r in ma.rows}
        why.update({r["paper_id"]: f"frontier — {r['explanation']}" for r in fr.rows})
        return View(H, G, ma, fr, highlight, why)

    # ------------------------------------------------------------------ analyses

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

    def ancestors(self, lineage: str | None = None, *, top: int = 20, method: str = "ours",
                  lineages: Sequence[str] | None = None) -> Answer:
        """Missing ancestors of ``lineage`` (or of every seed in scope), ranked and explained."""
        names, one = self._scope(lineage, lineages)

        def make() -> Answer:
            from graph.analyse.analysis import missing_ancestors

            G = self.analysis_graph(names)
            res = missing_ancestors(G, lineage=one, top=top, method=method)
            rows = _ranked(G, [r.to_dict() for r in res], "cited_by")
            return Answer("ancestors", rows, self.notes(G, one), f"missing ancestors{' of ' + one if one else ''}")

        return self._memo(("ancestors", names, one, top, method), make)

    def frontier(self, lineage: str | None = None, *, since: int | None = None, top: int = 20,
                 lineages: Sequence[str] | None = None) -> Answer:
        """Later papers that extend ``lineage`` (or the seeds in scope)."""
        names, one = self._scope(lineage, lineages)

        def make() -> Answer:
            from graph.analyse.analysis import frontier

            G = self.analysis_graph(names)
            res = frontier(G, lineage=one, since=since, top=top)
            notes = self.notes(G, one)
            if GraphMeta.of(G).built_from != "online":
                notes.insert(0, "frontier offline: from the citing papers in the snapshot (a sample of later work)")
            rows = _ranked(G, [r.to_dict() for r in res], "cites")
            return Answer("frontier", rows, notes, f"frontier{' of ' + one if one else ''}")

        return self._memo(("frontier", names, one, since, top), make)

    def check(self, lineage: str | None = None, *, lineages: Sequence[str] | None = None) -> Answer:
        """Chain check of every declared arrow of ``lineage`` (or of every lineage in scope, or all)."""
        names, one = self._scope(lineage, lineages)
        todo = [one] if one else list(names or self.catalogue.lineages)

        def make() -> Answer:
            from graph.analyse.analysis import check_chain

            G = self.analysis_graph(names)
            key_of = GraphMeta.of(G).seed_keys
            rows: list[dict[str, Any]] = []
            for name in todo:
                if self.catalogue.get_lineage(name).declared:
                    arrows = [(key_of[a], key_of[b]) for a, b in self.catalogue.get_lineage(name).arrows()
                              if a in key_of and b in key_of]
                else:  # a list without declared stages: check the suggested chain
                    spine = [s[0] for s in self.chain(name)[0]]
                    arrows = list(itertools.pairwise(spine))
                for v in check_chain(G, arrows):
                    d = v.to_dict()
                    rows.append({
                        "lineage": name,
                        "from": display_name(G, d["from"]),
                        "to": display_name(G, d["to"]),
                        "verdict": d["verdict"],
                        "via": [display_name(G, x) for x in d.get("via") or []],
                        "note": d.get("note"),
                        "from_id": d["from"],
                        "to_id": d["to"],
                        "via_ids": list(d.get("via") or []),
                    })
            return Answer("check", rows, self.notes(G, one), "chain check")

        return self._memo(("check", names, one), make)

    def mainpath(self, lineage: str, *, weight: str = "spc", key_routes: int = 1) -> Answer:
        """The main path(s) of ``lineage``'s citation DAG (``graph.analyse.mainpath``), old to new."""
        names, one = self._scope(lineage, None)
        assert one is not None

        def make() -> Answer:
            from graph.analyse.mainpath import main_path

            G = self.analysis_graph(names)
            mp = main_path(G, lineage=one, weight=weight, key_routes=key_routes)  # type: ignore[arg-type]
            best: dict[str, int] = {}
            for (u, v), w in mp.weights.items():
                best[u] = max(best.get(u, 0), w)
                best[v] = max(best.get(v, 0), w)
            rows = [_paper_row(G, k, **{"#": i}, weight=best.get(k, 0)) for i, k in enumerate(mp.nodes, 1)]
            notes = self.notes(G, one)
            if mp.dropped_edges:
                dropped = "; ".join(f"{display_name(G, u)} -> {display_name(G, v)}" for u, v in mp.dropped_edges[:5])
                notes.insert(0, f"{len(mp.dropped_edges)} citation(s) dropped to break citation cycles: {dropped}")
            title = f"main path of {one} ({weight}, {key_routes} key route(s))"
            return Answer("mainpath", rows, notes, title)

        return self._memo(("mainpath", names, one, weight, key_routes), make)

    def chain(self, lineage: str) -> tuple[list[list[str]], bool]:
        """The spine of ``lineage``: its declared stages as node keys, or, for a list without declared stages
        (a BibTeX file, an id list, an upload), the seeds in main-path order. Returns (stages, suggested)."""
        names, one = self._scope(lineage, None)
        assert one is not None
        G = self.analysis_graph(names)
        stages = [list(s) for s in GraphMeta.of(G).lineages.get(one, []) if s]
        if self.catalogue.get_lineage(one).declared and len(stages) > 1:
            return stages, False
        seeds = set(GraphMeta.of(G).lineage_keys(one))
        on_path = [k for k in self.mainpath(one).paper_keys() if k in seeds]
        if len(on_path) < 2:
            by_year = sorted(seeds & set(G), key=lambda k: (G.nodes[k].get("year") or 0, k))
            on_path = by_year
        return [[k] for k in on_path], True

    def suggested_yaml(self, lineage: str) -> str:
        """The suggested chain of a list without declared stages, as a ``lineages:`` YAML snippet."""
        stages, _ = self.chain(lineage)
        G = self.analysis_graph(self.lineage_names([lineage]))
        names = [display_name(G, s[0]) for s in stages]
        return "lineages:\n  " + _yaml_key(lineage) + ": [" + ", ".join(f"[{_yaml_key(n)}]" for n in names) + "]\n"

    def lineage_view(self, lineage: str, *, nodes: int = 50, all_edges: bool = False, top_ancestors: int = 10,
                     top_frontier: int = 10) -> View:
        """The lineage view (historiograph) of one lineage: the chain as the spine, its main path bold,
        its top missing ancestors and frontier around it, about ``nodes`` papers."""
        from graph.present.lineage_view import build_lineage_view

        names, one = self._scope(lineage, None)
        assert one is not None
        G = self.analysis_graph(names)
        stages, _ = self.chain(one)
        chk = self.check(one)
        verdicts = [{"from": r["from_id"], "to": r["to_id"], "verdict": r["verdict"], "via": r["via_ids"],
                     "note": r["note"]} for r in chk.rows]
        ma = self.ancestors(one, top=top_ancestors) if top_ancestors else Answer("ancestors", [])
        fr = self.frontier(one, top=top_frontier) if top_frontier else Answer("frontier", [])
        from graph.analyse.mainpath import main_path

        mp = main_path(G, lineage=one)
        H = build_lineage_view(G, stages=stages, verdicts=verdicts or None, ancestors=ma.paper_keys(),
                               frontier=fr.paper_keys(), main_path=list(mp.nodes), main_path_edges=list(mp.edges),
                               max_nodes=nodes, all_edges=all_edges,
                               members=GraphMeta.of(G).lineage_members.get(one, []))
        H.graph.update({k: v for k, v in G.graph.items() if k not in H.graph})
        highlight = {k: "missing-ancestor" for k in ma.paper_keys() if k in H}
        highlight.update({k: "frontier" for k in fr.paper_keys() if k in H})
        why = {r["paper_id"]: f"missing ancestor — {r['explanation']}" for r in ma.rows}
        why.update({r["paper_id"]: f"frontier — {r['explanation']}" for r in fr.rows})
        return View(H, G, ma, fr, highlight, why, stages=stages)

    def evaluate_loo(self, lineage: str | None = None) -> dict[str, Any]:
        """Leave-one-out over the seeds of ``lineage`` (or all) on the analysis graph: ours vs Top Cited."""
        from graph.analyse.analysis import evaluate_ancestors

        names, one = self._scope(lineage, None)
        res = evaluate_ancestors(self.analysis_graph(names), lineage=one)
        return {"cases": res["cases"], "ours": res["ours"], "baseline": res["baseline"]}

    def order(self, lineage: str) -> Answer:
        """A reading order for ``lineage``: its top missing ancestors, then its seeds, cited before citing."""
        names, one = self._scope(lineage, None)
        assert one is not None

        def make() -> Answer:
            from graph.analyse.analysis import reading_order

            G = self.analysis_graph(names)
            rows = [_paper_row(G, k, **{"#": i}) for i, k in enumerate(reading_order(G, one), 1)]
            return Answer("order", rows, self.notes(G, one), f"reading order: {one}")

        return self._memo(("order", names, one), make)

    def path(self, paper_a: str, paper_b: str, *, lineages: Sequence[str] | None = None) -> Answer:
        """A citation path between two papers, in either direction."""
        from graph.analyse.analysis import citation_path

        names, _ = self._scope(None, lineages)
        G = self.analysis_graph(names)
        p = citation_path(G, self.resolve(paper_a, G), self.resolve(paper_b, G))
        rows = [_paper_row(G, k, step=i) for i, k in enumerate(p)]
        return Answer("path", rows, [], f"citation path ({p.direction}: each cites or is cited by the next)")

    def show(self, ref: str, *, lineages: Sequence[str] | None = None) -> Answer:
        """One paper: metadata, ids, lineages, completeness, and its references and citations in the graph.

        The paper is looked up in the analysis graph of ``lineages``; without lineages, in that of the
        lineages the catalogue declares it in (the whole catalogue when it is not a seed).
        """
        names, _ = self._scope(None, lineages)
        if not names:
            seed = self.catalogue.seeds.get(ref)
            names = self.lineage_names(list(seed.lineages)) if seed is not None else ()
        G = self.analysis_graph(names)
        key = self.resolve(ref, G)
        return Answer("show", [self.details(G, key)], self.notes(G), f"paper {display_name(G, key)}")

    def details(self, G: nx.DiGraph, key: str) -> dict[str, Any]:
        """The details of one node: a copy of its attributes, arXiv abstract/authors added from the cache
        (or arXiv when online), plus its in-graph reference and citation counts. ``G`` is not modified."""
        d = dict(G.nodes[key])
        d["paper_id"] = key
        d["lineages"] = dict(d.get("lineages") or {})
        d["references_in_graph"] = G.out_degree(key)
        d["citations_in_graph"] = G.in_degree(key)
        d["cites_in_graph"] = [display_name(G, n) for n in _by_year(G, G.successors(key))]
        d["cited_by_in_graph"] = [display_name(G, n) for n in _by_year(G, G.predecessors(key))]
        if d.get("arxiv_id") and not d.get("abstract"):
            from graph.build.enrich import arxiv_metadata

            extra = arxiv_metadata(key, d["arxiv_id"], settings=self.settings, offline=self.offline)
            for f, v in extra.items():
                if v and not d.get(f):
                    d[f] = v
        return d


# ---------------------------------------------------------------------- rows


def _yaml_key(text: str) -> str:
    """A YAML-safe plain scalar (quoted when it holds anything but letters, digits, ``-``, ``_``, ``.``)."""
    import re

    return text if re.fullmatch(r"[A-Za-z][\w.-]*", text) else '"' + text.replace('"', "'") + '"'


def _by_year(G: nx.DiGraph, nodes: Any) -> list[str]:
    return sorted(nodes, key=lambda n: (-(G.nodes[n].get("year") or 0), str(n)))


def _paper_row(G: nx.DiGraph, key: str, **extra: Any) -> dict[str, Any]:
    d = G.nodes[key]
    return {**extra, "paper_id": key, "name": display_name(G, key), "alias": d.get("alias"),
            "title": d.get("title"), "year": d.get("year"), "role": d.get("role")}


def _ranked(G: nx.DiGraph, rows: list[dict[str, Any]], link: str) -> list[dict[str, Any]]:
    """Number the rows and show linked seeds by name (alias or title), never by key."""
    out = []
    for i, r in enumerate(rows, 1):
        r = {"#": i, **r}
        r[link] = [display_name(G, x) if x in G else x for x in r.get(link) or []]
        out.append(r)
    return out
