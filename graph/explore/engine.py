"""The engine: the one orchestration layer, with the views it draws (the full graph view and the lineage view)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import networkx as nx

from graph.assemble.meta import GraphMeta
from graph.explore.core import load_user_catalogue
from graph.explore.questions import Questions
from graph.explore.records import VIEW_GRAPH, Answer, ProgressFn, View

__all__ = ["Engine", "load_user_catalogue"]


class Engine(Questions):
    """The orchestration layer: every surface asks it (see the package docstring).

    Its core (:class:`graph.explore.core.EngineCore`) owns settings, catalogue, graphs, stores and notes;
    :class:`graph.explore.questions.Questions` adds the analyses; this class adds the views.
    """

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

    def _members_off_spine(self, G: nx.DiGraph, lineage: str, stages: list[list[str]]) -> list[str]:
        """The lineage's seeds shown beside the spine: its declared members, and for a suggested chain
        every seed of the list that the main path does not pass through."""
        on = {k for s in stages for k in s}
        meta = GraphMeta.of(G)
        gone = {meta.seed_keys.get(a) for a in meta.unresolved}  # entries no source knows are not drawn
        return [k for k in meta.lineage_keys(lineage) if k not in on and k not in gone and k in G]

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
                               members=self._members_off_spine(G, one, stages))
        H.graph.update({k: v for k, v in G.graph.items() if k not in H.graph})
        highlight = {k: "missing-ancestor" for k in ma.paper_keys() if k in H}
        highlight.update({k: "frontier" for k in fr.paper_keys() if k in H})
        why = {r["paper_id"]: f"missing ancestor — {r['explanation']}" for r in ma.rows}
        why.update({r["paper_id"]: f"frontier — {r['explanation']}" for r in fr.rows})
        return View(H, G, ma, fr, highlight, why, stages=stages)

