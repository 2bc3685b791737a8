"""The questions an engine answers: ancestors, frontier, check, main path, order, path, show."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import networkx as nx

from graph.assemble.meta import GraphMeta
from graph.core.errors import UnknownPaperError
from graph.explore.core import EngineCore
from graph.explore.records import Answer, _by_year, _paper_row, _ranked, _yaml_key, display_name

if TYPE_CHECKING:
    from graph.core.models import Paper

__all__ = ["Questions"]


class Questions(EngineCore):
    """The analysis methods of :class:`graph.explore.engine.Engine`; each returns an :class:`Answer`."""

    def ancestors(self, lineage: str | None = None, *, top: int = 20, method: str = "ours",
                  lineages: Sequence[str] | None = None) -> Answer:
        """Missing ancestors of ``lineage`` (or of every seed in scope), ranked and explained."""
        names, one = self._scope(lineage, lineages)

        def make() -> Answer:
            from graph.analyse.analysis import missing_ancestors

            G = self.analysis_graph(names)
            res = missing_ancestors(G, lineage=one, top=top, method=method, background=self.background())
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
            res = frontier(G, lineage=one, since=since, top=top, background=self.background())
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
                for v in check_chain(G, arrows, background=self.background()):
                    d = v.to_dict()
                    rows.append({
                        "lineage": name,
                        "from": d.get("from_name") or display_name(G, d["from"]),
                        "to": d.get("to_name") or display_name(G, d["to"]),
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

    def evaluate_loo(self, lineage: str | None = None) -> dict[str, Any]:
        """Leave-one-out over the seeds of ``lineage`` (or all) on the analysis graph: ours vs Top Cited."""
        from graph.analyse.analysis import evaluate_ancestors

        names, one = self._scope(lineage, None)
        res = evaluate_ancestors(self.analysis_graph(names), lineage=one, background=self.background())
        return {"cases": res["cases"], "ours": res["ours"], "baseline": res["baseline"]}

    def order(self, lineage: str) -> Answer:
        """A reading order for ``lineage``: its top missing ancestors, then its seeds, cited before citing."""
        names, one = self._scope(lineage, None)
        assert one is not None

        def make() -> Answer:
            from graph.analyse.analysis import reading_order

            G = self.analysis_graph(names)
            order = reading_order(G, one, background=self.background())
            rows = [_paper_row(G, k, **{"#": i}) for i, k in enumerate(order, 1)]
            return Answer("order", rows, self.notes(G, one), f"reading order: {one}")

        return self._memo(("order", names, one), make)

    def path(self, paper_a: str, paper_b: str, *, lineages: Sequence[str] | None = None) -> Answer:
        """A citation path between two papers, in either direction."""
        from graph.analyse.analysis import citation_path

        names, _ = self._scope(None, lineages)
        G = self.analysis_graph(names)
        ends, notes = [], []
        for ref in (paper_a, paper_b):
            try:
                ends.append(self.resolve(ref, G))
            except UnknownPaperError:  # a paper outside the graph: its record and lists join a copy of it
                G, key = self._with_paper(G, ref)
                ends.append(key)
                notes.append(f"{display_name(G, key)} is outside the lineage graph: its reference and citation "
                             "lists were added to find the path")
        p = citation_path(G, ends[0], ends[1])
        rows = [_paper_row(G, k, step=i) for i, k in enumerate(p)]
        return Answer("path", rows, notes, f"citation path ({p.direction}: each cites or is cited by the next)")

    def _with_paper(self, G: nx.DiGraph, ref: str) -> tuple[nx.DiGraph, str]:
        """A copy of ``G`` with one more paper (any id Semantic Scholar knows) and its lists."""
        from graph.assemble.contract import add_paper
        from graph.store.stores import paper_lists

        rec = self.paper(ref)
        with self.stores() as chain:
            lists = paper_lists(chain, rec)
        H = G.copy()
        add_paper(H, rec)
        for pairs in lists.values():
            for other, c in pairs:
                if other.paper_id not in H:
                    add_paper(H, other)
                if c.citing != c.cited:
                    H.add_edge(c.citing, c.cited, source=c.source, fetched_at=c.fetched_at, is_influential=None,
                               match="s2")
        return H, rec.paper_id

    def show(self, ref: str, *, lineages: Sequence[str] | None = None,
             with_references: bool = False) -> Answer:
        """One paper: metadata, ids, lineages, completeness, its references and citations in the graph.

        Fetches no more than the question needs. The paper is looked up in the analysis graph of
        ``lineages`` (without lineages: those the catalogue declares it in, or the whole catalogue) when
        that graph is built already, else in the same graph read from the snapshot and cache only. A
        paper outside it is fetched by id: one request cold, none warm. ``with_references`` adds its
        full reference and citation lists (two more requests online, unless cached or in the snapshot).
        An entry no source knows raises ``UnknownPaperError`` (never an empty record).
        """
        names, _ = self._scope(None, lineages)
        outside: Paper | None = None
        if not names:
            try:
                seed = self.catalogue.resolve(ref)
                names = self.lineage_names(list(seed.lineages))
            except UnknownPaperError:  # not in the list: its record first; a graph only if one can hold it
                p = self.paper(ref)
                outside = None if self._in_snapshot(p.paper_id) else p
        G = nx.DiGraph()
        if outside is not None:
            d, notes = self.record_details(outside), []
        else:
            spec = self.analysis_spec(names)
            G = self.graph(spec) if self.is_built(spec) else self.graph(replace(spec, network=False))
            meta = GraphMeta.of(G)
            try:
                key = self.resolve(ref, G)
                if G.nodes[key].get("alias") in meta.unresolved:
                    raise UnknownPaperError(ref)
                d = self.details(G, key)
                notes = self.notes(G)
            except UnknownPaperError:
                p = self.paper(ref)  # the snapshot, the cache, then one request; UnknownPaperError when unknown
                d = self.record_details(p)
                notes = []
        if with_references:
            from graph.store.stores import paper_lists

            rec = self.paper(d["paper_id"]) if d["paper_id"] not in G else _record(G, d["paper_id"])
            with self.stores() as chain:
                lists = paper_lists(chain, rec)
            for direction, pairs in lists.items():
                d[direction] = [p.title or p.paper_id for p, _ in pairs]
        return Answer("show", [d], notes, f"paper {d.get('alias') or d.get('title') or d['paper_id']}")

    def _in_snapshot(self, key: str) -> bool:
        from graph.store.snapshot import load_snapshot

        snap = self._snapshot or load_snapshot(self.settings.snapshot_path)
        return key in snap.papers

    def record_details(self, p: Paper) -> dict[str, Any]:
        """The details of a paper outside every graph: its record, no lineage, no in-graph neighbours."""
        from graph.present.render import paper_links

        d = {**p.to_dict(), "paper_id": p.paper_id, "role": "other", "lineages": {}, "is_seed": False,
             "references_in_graph": 0, "citations_in_graph": 0, "cites_in_graph": [], "cited_by_in_graph": []}
        d["links"] = paper_links(d)
        return d

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
        from graph.present.render import paper_links

        d["links"] = paper_links(d)
        if d.get("arxiv_id") and not d.get("abstract"):
            from graph.assemble.enrich import arxiv_metadata

            extra = arxiv_metadata(key, d["arxiv_id"], settings=self.settings, offline=self.offline)
            for f, v in extra.items():
                if v and not d.get(f):
                    d[f] = v
            if extra:
                d["metadata_sources"] = sorted({*d.get("metadata_sources", []), "arxiv"})
        return d




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

def _record(G: nx.DiGraph, key: str) -> Paper:
    """A node's ids and title as a Paper record (to ask a store for its lists)."""
    from graph.core.models import Paper

    d = G.nodes[key]
    return Paper(key, title=d.get("title"), year=d.get("year"), arxiv_id=d.get("arxiv_id"), doi=d.get("doi"),
                 s2_id=d.get("s2_id"))
