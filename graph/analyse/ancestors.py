"""Missing ancestors: rank the papers a set of seeds builds on, ideas over tools.

A *tool* (a base model, a benchmark, a dataset, a library, an optimizer, a kernel) is cited across
unrelated lineages and by later papers that merely use it. An *idea* the lineage builds on is cited by
the lineage's seeds (above all by its first stage), is co-cited with them by the papers that build on
them, and is specific to them. The ``ours`` score (:func:`graph.analyse.scores.score_candidates`)
measures exactly that::

    vote(s)    = ρ(s) · (1 + root · (n − 1 − stage(s)) / (n − 1))    first stage 1 + root, last stage 1
    direct(c)  = Σ_{s ∈ S, s → c} vote(s)                            seeds citing c
    cocite(c)  = Σ_{p → c} Σ_{s ∈ S, p → s} cit(s) ^ −seed_norm       papers (seeds or later papers)
                                                                      citing c together with seeds
    citesS(c)  = |{s ∈ S : c → s}|                                    c builds on seeds itself
    ours(c)    = (direct_w · direct + cocite_w · cocite + cites_w · citesS)
                 / (cit_all(c) + smoothing) ^ specificity             specificity against the snapshot

``S`` the seeds, ``ρ`` the completeness of a seed's reference list (complete 1, partial 0.7, unknown
0.85, none found 0.5), ``n`` the number of declared stages, ``cit`` the in-degree in the analysed graph,
``cit_all`` the in-degree in the whole snapshot (``background``). Candidates are every paper the
evidence reaches, so papers no seed cites (co-cited ones) are ranked too. The weights
(:data:`DEFAULT_WEIGHTS`) were chosen on the dev half of the bibliography-recovery benchmark
(``bench/tune_ancestors.py``, ``docs/eval.md``), except ``root``, which has no effect there (a
reference list has no stages) and was set by reading the lineages' top tens. The age factor and the
"later papers" term of the first score are gone: neither helped out of sample.

The baselines are scored by the same function (``method=``): ``top_cited`` (Local Citation Network's
Top Cited: seeds citing c; alias ``baseline``), ``cocitation`` (Salton), ``coupling`` (Adamic–Adar
bibliographic coupling), ``ppr`` (personalized PageRank from the seeds) and ``popular`` (citations in the
snapshot).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.analyse.scores import (
    DEFAULT_WEIGHTS,
    METHODS,
    Evidence,
    Method,
    _indeg,
    evidence,
    score_candidates,
    stage_votes,
)
from graph.assemble.lineage import lineage_seeds

__all__ = [
    "DEFAULT_WEIGHTS",
    "METHODS",
    "Evidence",
    "Method",
    "Result",
    "all_seeds",
    "background_graph",
    "evidence",
    "make_result",
    "missing_ancestors",
    "name_of",
    "rank_ancestors",
    "scope_seeds",
    "score_candidates",
    "stage_votes",
]


@dataclass(frozen=True)
class Result:
    """One ranked paper (a missing ancestor or a frontier paper)."""

    paper_id: str
    """Node key."""
    title: str | None
    """Title, when known."""
    year: int | None
    """Year, when known."""
    arxiv_id: str | None
    """arXiv id, when known."""
    doi: str | None
    """DOI, when known."""
    score: float
    """Ranking score (higher is better); its meaning depends on the analysis and method."""
    explanation: str
    """One sentence saying why the paper is ranked here."""
    cited_by: list[str] = field(default_factory=list)
    """Seeds citing the paper (aliases, or keys when no alias): missing ancestors."""
    cites: list[str] = field(default_factory=list)
    """Seeds the paper cites (aliases, or keys when no alias): frontier."""
    lineages: dict[str, float] = field(default_factory=dict)
    """The node's lineage memberships (``lineages`` attribute)."""
    kind: str = "ancestor"
    """``ancestor`` (serialised with ``cited_by``) or ``frontier`` (serialised with ``cites``)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict: ``paper_id, title, year, arxiv_id, doi, score, explanation, cited_by|cites, lineages``."""
        d: dict[str, Any] = {
            "paper_id": self.paper_id,
            "title": self.title,
            "year": self.year,
            "arxiv_id": self.arxiv_id,
            "doi": self.doi,
            "score": self.score,
            "explanation": self.explanation,
        }
        if self.kind == "frontier":
            d["cites"] = list(self.cites)
        else:
            d["cited_by"] = list(self.cited_by)
        d["lineages"] = dict(self.lineages)
        return d


# --------------------------------------------------------------------------------------------------
# helpers shared with the other analyses


def name_of(G: nx.DiGraph, key: str) -> str:
    """The seed alias of a node, else its title (shortened), else its key.

    >>> G = nx.DiGraph(); G.add_node("k", alias="dpo"); G.add_node("t", title="A title"); G.add_node("z")
    >>> name_of(G, "k"), name_of(G, "t"), name_of(G, "z")
    ('dpo', 'A title', 'z')
    """
    a = G.nodes[key]
    if a.get("alias"):
        return str(a["alias"])
    title = a.get("title")
    if title:
        return title if len(title) <= 60 else title[:57].rstrip() + "…"
    return key


def all_seeds(G: nx.DiGraph) -> set[str]:
    """Every node flagged ``is_seed``."""
    return {n for n, a in G.nodes(data=True) if a.get("is_seed")}


def scope_seeds(G: nx.DiGraph, lineage: str | None) -> list[str]:
    """Seeds of the lineage, or every seed of the graph when ``lineage`` is None."""
    if lineage is None:
        return sorted(all_seeds(G))
    return lineage_seeds(G, lineage)


def make_result(G: nx.DiGraph, key: str, score: float, explanation: str, *, cited_by: Sequence[str] = (),
                cites: Sequence[str] = (), kind: str = "ancestor") -> Result:
    """A :class:`Result` from a node's attributes."""
    a = G.nodes[key]
    return Result(paper_id=key, title=a.get("title"), year=a.get("year"), arxiv_id=a.get("arxiv_id"),
                  doi=a.get("doi"), score=score, explanation=explanation, cited_by=list(cited_by),
                  cites=list(cites), lineages=dict(a.get("lineages") or {}), kind=kind)


_BACKGROUND: dict[int, tuple[Any, nx.DiGraph]] = {}


def background_graph(snapshot: Any) -> nx.DiGraph:
    """The whole snapshot as one graph, built once per snapshot object (the specificity background).

    ``snapshot`` is a :class:`graph.store.snapshot.Snapshot` (anything with ``papers`` and ``edges``);
    the caller loads it (this layer does not read files). Pass the result as ``background=`` to
    :func:`missing_ancestors`.

    >>> from graph.core.models import Citation, Paper
    >>> class Snap: papers = {"a": Paper("a"), "b": Paper("b")}; edges = [Citation("a", "b", source="x")]
    >>> s = Snap(); background_graph(s).number_of_edges(), background_graph(s) is background_graph(s)
    (1, True)
    """
    hit = _BACKGROUND.get(id(snapshot))
    if hit is not None and hit[0] is snapshot:
        return hit[1]
    from graph.assemble.expand import graph_from_records

    B = graph_from_records(snapshot.papers.values(), snapshot.edges)
    _BACKGROUND[id(snapshot)] = (snapshot, B)
    return B


# --------------------------------------------------------------------------------------------------
# missing ancestors


def rank_ancestors(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    top: int = 20,
    method: Method = "ours",
    weights: Mapping[str, float] | None = None,
    background: nx.DiGraph | None = None,
) -> tuple[list[str], list[tuple[float, str]], Evidence | None]:
    """The scope's seeds, the best ``top`` candidates as ``(−score, key)`` pairs, and the evidence (ours).

    What :func:`missing_ancestors` ranks, without building results (the frontier uses it).

    >>> G = nx.DiGraph([("A", "x"), ("A", "y"), ("B", "x")]); G.graph["lineages"] = {"L": [["A", "B"]]}
    >>> for n in "AB": G.nodes[n]["is_seed"] = True
    >>> rank_ancestors(G, lineage="L", method="top_cited")[:2]
    (['A', 'B'], [(-2.0, 'x'), (-1.0, 'y')])
    """
    scope = scope_seeds(G, lineage)
    seeds = all_seeds(G) | set(scope)
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    if method == "baseline":
        method = "top_cited"
    ev = evidence(G, scope, weights=w, votes=stage_votes(G, lineage, w["root"])) if method == "ours" else None
    scores = score_candidates(G, scope, method=method, background=background, weights=w, ev=ev)
    years = [y for s in scope if (y := G.nodes[s].get("year")) is not None]
    until = max(years) if years else None
    nodes = G._node
    ranked = []
    for c, v in scores.items():
        if c in seeds:
            continue
        y = nodes[c].get("year")
        if until is not None and y is not None and y > until:
            continue
        ranked.append((-v, c))
    return scope, heapq.nsmallest(top, ranked), ev


def missing_ancestors(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    top: int = 20,
    method: Method = "ours",
    weights: Mapping[str, float] | None = None,
    background: nx.DiGraph | None = None,
) -> list[Result]:
    """Papers the seeds build on that are not seeds themselves, best candidates first.

    Parameters
    ----------
    G : networkx.DiGraph
        The contract graph (edge ``u → v``: u cites v), best the lineage's depth-2 analysis graph.
    lineage : str, optional
        The lineage whose seeds are ``S``; all seeds when None. An unknown name raises
        :class:`graph.core.errors.UnknownLineageError`.
    top : int
        How many results to return.
    method : str
        ``ours`` (module docstring) or a baseline: ``top_cited`` (alias ``baseline``), ``cocitation``,
        ``coupling``, ``ppr``, ``popular``.
    weights : dict, optional
        Overrides of :data:`DEFAULT_WEIGHTS`.
    background : networkx.DiGraph, optional
        The whole snapshot (:func:`background_graph`) for specificity; ``G`` itself when None.

    Returns
    -------
    list[Result]
        No paper newer than the lineage's newest seed; ties by key. ``cited_by``: the citing seeds.

    Examples
    --------
    Seeds ``A`` (2020) and ``B`` (2021) both cite ``x`` (2019) and the tool ``t`` (2018), which four other
    papers cite too; only ``B`` cites ``y`` (2019); ``d`` (2022) cites ``A`` and ``y``. Top Cited ties
    ``t`` and ``x``; ours puts ``x`` first: (4 + 1) / sqrt(2 + 5) against (4 + 1) / sqrt(6 + 5).

    >>> G = nx.DiGraph([("A", "x"), ("B", "x"), ("A", "t"), ("B", "t"), ("B", "y"), ("d", "A"), ("d", "y")]
    ...                + [(f"o{k}", "t") for k in range(4)])
    >>> for n, y in {"A": 2020, "B": 2021, "x": 2019, "y": 2019, "d": 2022, "t": 2018}.items():
    ...     G.nodes[n].update(year=y, is_seed=n in "AB", alias=n if n in "AB" else None,
    ...                       references_status="complete", title=f"Paper {n}")
    >>> G.graph["lineages"] = {"L": [["A"], ["B"]]}
    >>> [(r.paper_id, r.score) for r in missing_ancestors(G, method="baseline")]
    [('t', 2.0), ('x', 2.0), ('y', 1.0)]
    >>> [r.paper_id for r in missing_ancestors(G, lineage="L")]  # A, the first stage, votes 1 + root = 4
    ['x', 't', 'y']
    >>> missing_ancestors(G, lineage="L")[0].explanation
    'cited by 2 of 2 L seeds with reference lists (A, B); 2 of its 2 citations in this graph are from L'
    """
    scope, ranked, ev = rank_ancestors(G, lineage=lineage, top=top, method=method, weights=weights,
                                       background=background)
    pos = {s: i for i, s in enumerate(scope)}
    voters = [s for s in scope if G.out_degree(s) > 0]
    label = f"{lineage} seeds" if lineage else "seeds"
    B = background if background is not None else G
    out = []
    for neg, c in ranked[:top]:
        citing = sorted((s for s in G._pred[c] if s in pos), key=pos.__getitem__)
        names = [name_of(G, s) for s in citing]
        parts = []
        if citing:
            shown = ", ".join(names[:6]) + (", …" if len(names) > 6 else "")
            parts.append(f"cited by {len(citing)} of {len(voters)} {label} with reference lists ({shown})")
        else:
            parts.append(f"cited by none of the {label}")
        if ev is not None:
            if ev.cociting.get(c):
                parts.append(f"co-cited with them by {ev.cociting[c]} later papers")
            if ev.cites_seeds.get(c):
                parts.append(f"cites {ev.cites_seeds[c]} of them")
            n_all = _indeg(B, c, ()) if c in B else G.in_degree(c)
            n_lin = len(citing) + ev.cociting.get(c, 0)
            where = "the snapshot" if background is not None else "this graph"
            parts.append(f"{min(n_lin, max(n_all, n_lin))} of its {max(n_all, n_lin)} citations in {where} "
                         f"are from {lineage or 'the seeds'}")
        out.append(make_result(G, c, round(-neg, 6), "; ".join(parts), cited_by=names))
    return out
