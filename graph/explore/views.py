"""The views an engine draws: the full graph view and the lineage view (historiograph), and the chain."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from graph.build.meta import GraphMeta
from graph.explore.records import VIEW_GRAPH, Answer, ProgressFn, View, _yaml_key, display_name

if TYPE_CHECKING:
    from graph.explore.engine import Engine

__all__ = ["Views"]


class Views:
    """The view methods of :class:`graph.explore.engine.Engine`."""

    def view(
        self: Engine,
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

    def chain(self: Engine, lineage: str) -> tuple[list[list[str]], bool]:
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

    def suggested_yaml(self: Engine, lineage: str) -> str:
        """The suggested chain of a list without declared stages, as a ``lineages:`` YAML snippet."""
        stages, _ = self.chain(lineage)
        G = self.analysis_graph(self.lineage_names([lineage]))
        names = [display_name(G, s[0]) for s in stages]
        return "lineages:\n  " + _yaml_key(lineage) + ": [" + ", ".join(f"[{_yaml_key(n)}]" for n in names) + "]\n"

    def lineage_view(self: Engine, lineage: str, *, nodes: int = 50, all_edges: bool = False, top_ancestors: int = 10,
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

