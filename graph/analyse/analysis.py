"""Analyses of the citation graph: missing ancestors, frontier, chain check, paths, reading order, eval.

Every function is a plain ``f(G, *, ...) -> result`` over the contract graph (edge ``u → v``: u cites
v; ``G.graph["lineages"]``: lineage name → stages of seed keys). The ancestor score lives in
:mod:`graph.analyse.ancestors`, its benchmark in :mod:`graph.analyse.evaluate`, the chain check, paths
and reading order in :mod:`graph.analyse.chains`; this module keeps the frontier and re-exports the rest
under their old names.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from graph.analyse.ancestors import (
    DEFAULT_WEIGHTS,
    Method,
    Result,
    all_seeds,
    make_result,
    missing_ancestors,
    name_of,
    rank_ancestors,
    scope_seeds,
)
from graph.analyse.chains import (
    ChainVerdict,
    CitationPath,
    NoPathError,
    check_chain,
    citation_path,
    reading_order,
)
from graph.assemble.lineage import declared_lineages, lineage_seeds

__all__ = [
    "DEFAULT_WEIGHTS",
    "ChainVerdict",
    "CitationPath",
    "Method",
    "NoPathError",
    "Result",
    "check_chain",
    "citation_path",
    "evaluate_ancestors",
    "frontier",
    "missing_ancestors",
    "reading_order",
]

log = logging.getLogger(__name__)

FRONTIER_ANCESTORS = 20
"""How many top missing ancestors count as "the lineage's ancestors" for the frontier."""
TYPICAL_REFERENCES = 40
"""Assumed length of a reference list that is not known to be complete or partial (the graph holds
only the edges to the seeds of such a paper, which would make every such paper look 100 % in-lineage)."""


# --------------------------------------------------------------------------------------------------
# evaluation (the old leave-one-out entry point; the benchmark is graph.analyse.evaluate)


def evaluate_ancestors(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    ks: Sequence[int] = (5, 10),
    weights: Mapping[str, float] | None = None,
    hide_references: bool = True,
    background: nx.DiGraph | None = None,
) -> dict[str, Any]:
    """Leave-one-out over the seeds (protocol 2 of :mod:`graph.analyse.evaluate`), ``ours`` vs Top Cited.

    Every seed cited by at least two other seeds of the scope is hidden in turn (a non-seed whose own
    reference list is ignored with ``hide_references``); both methods rank the candidates; ties count
    at their expected rank. Both splits are pooled here; ``lineage eval --protocol loo`` reports them
    apart with intervals and every baseline.

    Returns
    -------
    dict
        ``{"cases": N, "ours": {"recall@5", "recall@10", "mrr"}, "baseline": {...}, "per_case": [...]}``;
        a per-case row holds ``seed``, ``alias``, ``cited_by_seeds``, ``candidates``, ``rank_ours`` and
        ``rank_baseline`` (expected ranks).

    Examples
    --------
    Seeds ``A, B, C``; ``B`` and ``C`` cite ``A`` and a generic paper ``g`` that two other papers cite
    as well. Top Cited ties ``A`` and ``g`` (expected rank 1.5); ours ranks ``A`` first (specificity).

    >>> G = nx.DiGraph([("B", "A"), ("C", "A"), ("B", "g"), ("C", "g"), ("x", "g"), ("y", "g")])
    >>> for n, y in {"A": 2020, "B": 2021, "C": 2022, "g": 1990}.items():
    ...     G.nodes[n].update(year=y, is_seed=n != "g", references_status="complete")
    >>> G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    >>> ev = evaluate_ancestors(G, lineage="L")
    >>> ev["cases"], ev["ours"]["mrr"], ev["baseline"]["mrr"], ev["per_case"][0]["rank_baseline"]
    (1, 1.0, 0.75, 1.5)
    """
    from graph.analyse.evaluate import expected_hits, loo_cases, run_cases

    cases = loo_cases(G, lineage=lineage, split="all")
    rows = run_cases(G, cases, methods=("ours", "top_cited"), weights=weights, background=background,
                     hide_references=hide_references)
    scope = set(scope_seeds(G, lineage))
    per_case = []
    for case, row in zip(cases, rows, strict=True):
        h = case.key
        per_case.append({"seed": h, "alias": G.nodes[h].get("alias"),
                         "cited_by_seeds": sum(1 for s in G.predecessors(h) if s in scope and s != h),
                         "candidates": row["candidates"], "rank_ours": row["ours"]["ranks"][0],
                         "rank_baseline": row["top_cited"]["ranks"][0]})
    report: dict[str, Any] = {"cases": len(per_case)}
    for method, col in (("ours", "ours"), ("baseline", "top_cited")):
        stats = dict.fromkeys([*(f"recall@{k}" for k in ks), "mrr"], 0.0)
        for row in rows:
            gt = row[col]["gt"]
            for g, t in gt:
                hits = expected_hits(g, t, ks)
                for k, v in hits.items():
                    stats[k] += v / len(gt)
        n = len(rows)
        report[method] = {k: round(v / n, 4) if n else 0.0 for k, v in stats.items()}
    report["per_case"] = per_case
    return report


# --------------------------------------------------------------------------------------------------
# frontier


def frontier(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    since: int | None = None,
    top: int = 20,
    background: nx.DiGraph | None = None,
) -> list[Result]:
    """Later papers that extend the lineage: those whose bibliography sits most in the lineage.

    For a non-seed paper ``p`` citing at least one seed of the lineage (of any declared lineage when
    None), with ``S`` the seeds, ``A`` the top :data:`FRONTIER_ANCESTORS` missing ancestors and ``T``
    the latest stage (the top ancestors are the best-ranked missing ancestors cited by a seed)::

        inside(p) = |refs(p) ∩ S| + |refs(p) ∩ A|
        share(p)  = inside(p) / n_refs(p)      n_refs: its reference count when the list is complete or
                                               partial, else max(count, TYPICAL_REFERENCES)
        score(p)  = share(p) · (inside(p) + |refs(p) ∩ T|)

    so a paper citing many lineage papers out of a short reference list is an extension, and one
    citing 2 of 200 is a user. Papers citing fewer than 2 seeds are left out; ``since`` drops older and
    undated papers. Ties: newest first, then key.

    Examples
    --------
    Seeds ``A`` (2020), ``B`` (2021, the latest stage); ``x`` is their missing ancestor. ``e`` cites
    ``A``, ``B`` and ``x`` out of 4 references; ``u`` cites ``A`` and ``B`` out of 20.

    >>> G = nx.DiGraph([("A", "x"), ("B", "x"), ("e", "A"), ("e", "B"), ("e", "x"), ("e", "o"),
    ...                 ("u", "A"), ("u", "B")] + [("u", f"r{i}") for i in range(18)])
    >>> for n, y in {"A": 2020, "B": 2021, "x": 2015, "e": 2023, "u": 2024}.items():
    ...     G.nodes[n].update(year=y, is_seed=n in "AB", alias=n if n in "AB" else None,
    ...                       references_status="complete")
    >>> G.graph["lineages"] = {"L": [["A"], ["B"]]}
    >>> [(r.paper_id, r.score) for r in frontier(G, lineage="L")]
    [('e', 3.0), ('u', 0.3)]
    >>> for part in frontier(G, lineage="L")[0].explanation.split("; "):
    ...     part
    'cites 2 of 2 L seeds and 1 of its top ancestors'
    '1 of the latest stage'
    '75% of its 4 references are in this lineage'
    >>> [r.paper_id for r in frontier(G, lineage="L", since=2024)], frontier(G, lineage="L")[0].to_dict()["cites"]
    (['u'], ['A', 'B'])
    """
    if lineage is None:
        table = declared_lineages(G)
        scope = sorted({k for keys in table.values() for k in keys} or all_seeds(G))
        latest = {k for stages in (G.graph.get("lineages") or {}).values() if stages for k in stages[-1]}
    else:
        scope = lineage_seeds(G, lineage)
        stages = (G.graph.get("lineages") or {}).get(lineage) or []
        latest = set(stages[-1]) if stages else set()
    seeds = all_seeds(G) | set(scope)
    scope_set = set(scope)
    pos = {s: i for i, s in enumerate(scope)}
    # the lineage's ancestors: top missing ancestors that a seed cites (a paper co-cited only by later
    # papers would make every later paper's own references look like the lineage)
    _, ranked, _ = rank_ancestors(G, lineage=lineage, top=5 * FRONTIER_ANCESTORS, background=background)
    pred = G._pred
    anc = {c for c in [c for _, c in ranked if any(s in scope_set for s in pred[c])][:FRONTIER_ANCESTORS]}
    candidates: set[str] = set()
    for s in scope:
        candidates.update(p for p in G.predecessors(s) if p not in seeds)
    rows = []
    for p in candidates:
        year = G.nodes[p].get("year")
        if since is not None and (year is None or year < since):
            continue
        refs = G._succ[p]
        cited_seeds = sorted((s for s in refs if s in scope_set), key=pos.__getitem__)
        if len(cited_seeds) < 2:
            continue
        n_anc = sum(1 for a in refs if a in anc)
        inside = len(cited_seeds) + n_anc
        n_latest = sum(1 for s in cited_seeds if s in latest)
        n_refs = len(refs)
        if G.nodes[p].get("references_status") not in ("complete", "partial"):
            n_refs = max(n_refs, TYPICAL_REFERENCES)
        share = inside / max(n_refs, inside)
        score = share * (inside + n_latest)
        rows.append((-score, year is None, -(year or 0), p, cited_seeds, n_anc, n_latest, share, n_refs))
    rows.sort()
    label = f"{lineage} seeds" if lineage else "seeds"
    out = []
    for neg, _, _, p, cited, n_anc, n_latest, share, n_refs in rows[:top]:
        names = [name_of(G, s) for s in cited]
        text = f"cites {len(cited)} of {len(scope)} {label}"
        if n_anc:
            text += f" and {n_anc} of its top ancestors"
        if n_latest:
            text += f"; {n_latest} of the latest stage"
        known = G.nodes[p].get("references_status") in ("complete", "partial")
        text += (f"; {share:.0%} of its {n_refs} references are in this lineage" if known else
                 f"; {share:.0%} of an assumed {n_refs} references (its list is not in the data)")
        out.append(make_result(G, p, round(-neg, 4), text, cites=names, kind="frontier"))
    return out
