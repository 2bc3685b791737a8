"""Analyses of the citation graph: missing ancestors, frontier, chain check, paths, reading order, eval.

Every function is a plain ``f(G, *, ...) -> result`` over the contract graph (edge ``u → v``: u cites
v; ``G.graph["lineages"]``: lineage name → stages of seed keys). The scoring of missing ancestors is
described in ``docs/analysis.md``; its leave-one-out evaluation in ``docs/eval.md``.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any, Literal

import networkx as nx

from graph.build.lineage import declared_lineages, lineage_seeds
from graph.core.errors import LineageError, UnknownPaperError

__all__ = [
    "DEFAULT_WEIGHTS",
    "ChainVerdict",
    "CitationPath",
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

Method = Literal["ours", "baseline"]

DEFAULT_WEIGHTS: dict[str, float] = {
    "partial": 0.7,  # vote weight of a seed whose reference list is partial
    "unknown": 0.85,  # ... whose completeness is unknown (None)
    "none_found": 0.5,  # ... marked none_found but with some references in the graph anyway
    "influential": 1.5,  # multiplier of a vote flagged is_influential
    "core": 0.5,  # extra vote weight per other lineage seed the voting seed cites (co-citation)
    "descendants": 0.5,  # weight of the later-papers term
    "specificity": 0.5,  # exponent of the share of citing seeds that belong to the lineage
    "age_halflife": 8.0,  # years between the citing seeds and the candidate that halve the age factor
}
"""Weights of the ``ours`` score (see ``docs/analysis.md``; chosen as described in ``docs/eval.md``)."""


class NoPathError(LineageError):
    """No citation path joins two papers of the graph."""

    exit_code = 1

    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"no citation path between '{a}' and '{b}'",
                         hint="the two papers are in different components of the graph; try a deeper graph")
        self.a = a
        self.b = b


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


@dataclass(frozen=True)
class ChainVerdict:
    """What the citation data says about one declared arrow ``a → b`` (b builds on a)."""

    from_: str
    """The earlier paper ``a`` (as given)."""
    to: str
    """The later paper ``b`` (as given)."""
    verdict: str
    """``direct`` (b cites a), ``path`` (b cites x, x cites a) or ``none`` (no evidence in the data)."""
    via: list[str] = field(default_factory=list)
    """Intermediate papers x of a ``path`` verdict."""
    note: str | None = None
    """Set when b's reference list is not complete: absence is not evidence."""

    def to_dict(self) -> dict[str, Any]:
        """Plain dict with keys ``from, to, verdict, via, note``."""
        return {"from": self.from_, "to": self.to, "verdict": self.verdict, "via": list(self.via),
                "note": self.note}


class CitationPath(list[str]):
    """A list of node keys with a ``direction``.

    ``forward``: each paper cites the next; ``backward``: each paper is cited by the next; ``mixed``:
    an undirected path whose steps go either way.
    """

    def __init__(self, keys: Iterable[str], direction: str) -> None:
        super().__init__(keys)
        self.direction = direction


# --------------------------------------------------------------------------------------------------
# helpers


def _name(G: nx.DiGraph, key: str) -> str:
    return G.nodes[key].get("alias") or key


def _resolve(G: nx.DiGraph, ref: str) -> str:
    if ref in G:
        return ref
    for n, a in G.nodes(data=True):
        if a.get("alias") == ref:
            return n
    for prefix in ("arxiv:", "doi:"):
        if prefix + ref.lower() in G:
            return prefix + ref.lower()
        if prefix + ref in G:
            return prefix + ref
    raise UnknownPaperError(ref)


def _all_seeds(G: nx.DiGraph) -> set[str]:
    return {n for n, a in G.nodes(data=True) if a.get("is_seed")}


def _scope(G: nx.DiGraph, lineage: str | None) -> list[str]:
    """Seeds of the lineage, or every seed of the graph when ``lineage`` is None."""
    if lineage is None:
        return sorted(_all_seeds(G))
    return lineage_seeds(G, lineage)


def _vote_weight(G: nx.DiGraph, s: str, w: Mapping[str, float]) -> float:
    status = G.nodes[s].get("references_status")
    if status == "complete":
        return 1.0
    if status == "partial":
        return w["partial"]
    if status == "none_found":
        return w["none_found"]
    return w["unknown"]


def _result(G: nx.DiGraph, key: str, score: float, explanation: str, *, cited_by: Sequence[str] = (),
            cites: Sequence[str] = (), kind: str = "ancestor") -> Result:
    a = G.nodes[key]
    return Result(paper_id=key, title=a.get("title"), year=a.get("year"), arxiv_id=a.get("arxiv_id"),
                  doi=a.get("doi"), score=score, explanation=explanation, cited_by=list(cited_by),
                  cites=list(cites), lineages=dict(a.get("lineages") or {}), kind=kind)


@dataclass
class _Scored:
    key: str
    score: float
    citing_seeds: list[str]
    descendants: int


def _score_candidates(
    G: nx.DiGraph,
    scope: Sequence[str],
    seeds: set[str],
    *,
    method: Method,
    hidden: frozenset[str] = frozenset(),
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    specific: bool = True,
) -> tuple[list[_Scored], dict[str, Any]]:
    """Score the candidates (non-seeds cited by a seed of ``scope``), best first.

    ``hidden`` nodes are treated as non-seeds whose reference lists were never fetched: their
    out-edges are ignored. Returns the ranked list and context for explanations.
    """
    w = {**DEFAULT_WEIGHTS, **weights}
    scope_set = [s for s in scope if s not in hidden]
    scope_lookup = set(scope_set)
    seeds = seeds - hidden
    citing: dict[str, list[str]] = defaultdict(list)
    for s in scope_set:
        for c in G.successors(s):
            if c not in seeds and c != s:
                citing[c].append(s)
    voters = [s for s in scope_set if G.out_degree(s) > 0]
    ctx: dict[str, Any] = {"voters": voters, "descendant_pool": 0}
    if method == "baseline":
        out = [_Scored(c, float(len(ss)), ss, 0) for c, ss in citing.items()]
        out.sort(key=lambda r: (-r.score, r.key))
        return out, ctx

    # seed vote weights: completeness x (1 + core * other lineage seeds it cites)
    vote: dict[str, float] = {}
    for s in scope_set:
        cites_scope = sum(1 for t in G.successors(s) if t in scope_lookup and t != s)
        vote[s] = _vote_weight(G, s, w) * (1.0 + w["core"] * cites_scope)
    total_vote = sum(vote[s] for s in voters) or 1.0

    # later papers: non-seeds citing a seed of the scope (the hidden seed's own references are unknown)
    # only later papers whose reference lists reach beyond the seeds vote: in a graph expanded one hop,
    # a citing paper's edges go to seeds only, and the hidden seed's would be an artefact of the build
    descendants: set[str] = set()
    for s in scope_set:
        for d in G.predecessors(s):
            if d in seeds or d in hidden or d in descendants:
                continue
            if any(c not in seeds and c not in hidden for c in G.successors(d)):
                descendants.add(d)
    desc_count: dict[str, int] = defaultdict(int)
    for d in descendants:
        for c in G.successors(d):
            if c in citing:
                desc_count[c] += 1
    ctx["descendant_pool"] = len(descendants)
    desc_norm = math.log1p(len(descendants)) or 1.0

    out = []
    for c, ss in citing.items():
        v = 0.0
        years = []
        for s in ss:
            infl = G.edges[s, c].get("is_influential")
            v += vote[s] * (w["influential"] if infl else 1.0)
            y = G.nodes[s].get("year")
            if y is not None:
                years.append(y)
        score = v / total_vote + w["descendants"] * math.log1p(desc_count.get(c, 0)) / desc_norm
        if specific and w["specificity"]:
            n_all = sum(1 for p in G.predecessors(c) if p in seeds)
            score *= (len(ss) / max(n_all, len(ss))) ** w["specificity"]
        year = G.nodes[c].get("year")
        if years and year is not None and w["age_halflife"] > 0:
            gap = max(0.0, median(years) - year)
            score *= 0.5 ** (gap / w["age_halflife"])
        out.append(_Scored(c, score, ss, desc_count.get(c, 0)))
    out.sort(key=lambda r: (-r.score, r.key))
    return out, ctx


# --------------------------------------------------------------------------------------------------
# missing ancestors


def missing_ancestors(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    top: int = 20,
    method: Method = "ours",
    weights: Mapping[str, float] | None = None,
) -> list[Result]:
    """Papers cited by the seeds that are not seeds themselves, best candidates first.

    Parameters
    ----------
    G : networkx.DiGraph
        The contract graph (edge ``u → v``: u cites v).
    lineage : str, optional
        Only seeds of this lineage vote; all seeds when None. An unknown name raises
        :class:`graph.core.errors.UnknownLineageError`.
    top : int
        How many results to return.
    method : {"ours", "baseline"}
        ``baseline`` is Local Citation Network's "Top Cited": the number of seeds citing the paper.
        ``ours`` weighs each seed's vote by the completeness of its reference list and by how many
        other lineage seeds it cites, adds the later papers (non-seeds citing the lineage's seeds)
        that also cite the candidate, and discounts papers cited mostly by other lineages and much
        older papers (see ``docs/analysis.md``).
    weights : dict, optional
        Overrides of :data:`DEFAULT_WEIGHTS`.

    Returns
    -------
    list[Result]
        ``cited_by`` lists the citing seeds (aliases).

    Examples
    --------
    Seeds ``A`` (2020) and ``B`` (2021); both cite ``x`` (2019), only ``B`` cites ``y`` (2019);
    a later paper ``d`` cites ``A`` and ``y``.

    >>> G = nx.DiGraph([("A", "x"), ("B", "x"), ("B", "y"), ("d", "A"), ("d", "y")])
    >>> for n, y in {"A": 2020, "B": 2021, "x": 2019, "y": 2019, "d": 2022}.items():
    ...     G.nodes[n].update(year=y, is_seed=n in "AB", alias=n if n in "AB" else None,
    ...                       references_status="complete")
    >>> G.graph["lineages"] = {"L": [["A"], ["B"]]}
    >>> [(r.paper_id, r.score) for r in missing_ancestors(G, method="baseline")]
    [('x', 2.0), ('y', 1.0)]
    >>> r = missing_ancestors(G, lineage="L")[0]
    >>> r.paper_id, r.cited_by
    ('x', ['A', 'B'])
    >>> r.explanation
    'cited by 2 of 2 L seeds with reference lists: A, B'
    """
    scope = _scope(G, lineage)
    ranked, ctx = _score_candidates(G, scope, _all_seeds(G), method=method, weights=weights or {},
                                    specific=lineage is not None)
    label = f"{lineage} seeds" if lineage else "seeds"
    out = []
    for r in ranked[:top]:
        names = [_name(G, s) for s in r.citing_seeds]
        shown = ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        text = f"cited by {len(names)} of {len(ctx['voters'])} {label} with reference lists: {shown}"
        if r.descendants:
            text += f"; also cited by {r.descendants} later papers that cite these seeds"
        partial = sum(1 for s in r.citing_seeds if G.nodes[s].get("references_status") != "complete")
        if partial:
            text += f" ({partial} of the citing seeds have incomplete reference lists)"
        out.append(_result(G, r.key, round(r.score, 6), text, cited_by=names))
    return out


def evaluate_ancestors(
    G: nx.DiGraph,
    *,
    lineage: str | None = None,
    ks: Sequence[int] = (5, 10),
    weights: Mapping[str, float] | None = None,
    hide_references: bool = True,
) -> dict[str, Any]:
    """Leave-one-out evaluation of :func:`missing_ancestors`, ``ours`` against ``baseline``.

    Every seed cited by at least two other seeds (of its lineage when ``lineage`` is given, of the
    whole catalogue otherwise) is hidden in turn: it is treated as a non-seed and, with
    ``hide_references`` (the default), its own reference list is ignored as well (a non-seed's
    references would not have been fetched). Both methods rank the candidates; the hit is the hidden
    seed's rank.

    Parameters
    ----------
    G : networkx.DiGraph
        The contract graph.
    lineage : str, optional
        Evaluate within one lineage; all seeds when None.
    ks : sequence of int
        Cut-offs for recall@k.
    weights : dict, optional
        Overrides of :data:`DEFAULT_WEIGHTS` for ``ours``.
    hide_references : bool
        Ignore the hidden seed's out-edges.

    Returns
    -------
    dict
        ``{"cases": N, "ours": {"recall@5", "recall@10", "mrr"}, "baseline": {...}, "per_case": [...]}``;
        a per-case row holds ``seed``, ``alias``, ``cited_by_seeds``, ``candidates``, ``rank_ours``,
        ``rank_baseline`` (None when the seed is not a candidate).

    Examples
    --------
    Seeds ``A, B, C``; ``B`` and ``C`` cite ``A`` and a generic paper ``g``; only ``B`` and ``C`` are
    cited by nobody, so ``A`` is the one case. Both methods tie ``A`` and ``g`` at two votes; keys
    break the baseline's tie (``A`` < ``g``); ours ranks ``A`` first too since ``g`` is much older.

    >>> G = nx.DiGraph([("B", "A"), ("C", "A"), ("B", "g"), ("C", "g")])
    >>> for n, y in {"A": 2020, "B": 2021, "C": 2022, "g": 1990}.items():
    ...     G.nodes[n].update(year=y, is_seed=n != "g", references_status="complete")
    >>> G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    >>> ev = evaluate_ancestors(G, lineage="L")
    >>> ev["cases"], ev["ours"], ev["baseline"]
    (1, {'recall@5': 1.0, 'recall@10': 1.0, 'mrr': 1.0}, {'recall@5': 1.0, 'recall@10': 1.0, 'mrr': 1.0})
    """
    scope = _scope(G, lineage)
    seeds = _all_seeds(G)
    scope_set = set(scope)
    cases = []
    for h in scope:
        citers = [s for s in G.predecessors(h) if s in scope_set and s != h]
        if len(citers) >= 2:
            cases.append((h, len(citers)))
    per_case: list[dict[str, Any]] = []
    for h, n_citers in cases:
        row: dict[str, Any] = {"seed": h, "alias": G.nodes[h].get("alias"), "cited_by_seeds": n_citers}
        for method in ("ours", "baseline"):
            ranked, _ = _score_candidates(
                G, [s for s in scope if s != h], seeds - {h}, method=method,
                hidden=frozenset([h]) if hide_references else frozenset(),
                weights=weights or {}, specific=lineage is not None,
            )
            rank = next((i + 1 for i, r in enumerate(ranked) if r.key == h), None)
            row[f"rank_{method}"] = rank
            row["candidates"] = len(ranked)
        per_case.append(row)
    report: dict[str, Any] = {"cases": len(per_case)}
    for method in ("ours", "baseline"):
        ranks = [row[f"rank_{method}"] for row in per_case]
        stats: dict[str, float] = {}
        for k in ks:
            stats[f"recall@{k}"] = (round(sum(1 for r in ranks if r is not None and r <= k) / len(ranks), 4)
                                    if ranks else 0.0)
        stats["mrr"] = round(sum(1.0 / r for r in ranks if r) / len(ranks), 4) if ranks else 0.0
        report[method] = stats
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
) -> list[Result]:
    """Non-seed papers citing at least two seeds of the lineage (of any lineage when None).

    Ranked by the number of seeds cited, then year (newest first), then citation count; papers
    without a year come after dated ones of the same count, and are dropped when ``since`` is given.

    Examples
    --------
    >>> G = nx.DiGraph([("p", "A"), ("p", "B"), ("q", "A"), ("q", "B"), ("r", "A")])
    >>> for n, y in {"A": 2020, "B": 2021, "p": 2023, "q": 2024, "r": 2025}.items():
    ...     G.nodes[n].update(year=y, is_seed=n in "AB", alias=n if n in "AB" else None)
    >>> G.graph["lineages"] = {"L": [["A"], ["B"]]}
    >>> [(r.paper_id, r.score, r.cites) for r in frontier(G, lineage="L")]
    [('q', 2.0, ['A', 'B']), ('p', 2.0, ['A', 'B'])]
    >>> [r.paper_id for r in frontier(G, since=2024)]
    ['q']
    >>> frontier(G)[0].to_dict()["cites"]
    ['A', 'B']
    """
    if lineage is None:
        scope = sorted({k for keys in declared_lineages(G).values() for k in keys} or _all_seeds(G))
    else:
        scope = lineage_seeds(G, lineage)
    seeds = _all_seeds(G) | set(scope)
    cites: dict[str, list[str]] = defaultdict(list)
    for s in scope:
        for p in G.predecessors(s):
            if p not in seeds:
                cites[p].append(s)
    rows = []
    for p, ss in cites.items():
        if len(ss) < 2:
            continue
        year = G.nodes[p].get("year")
        if since is not None and (year is None or year < since):
            continue
        cc = G.nodes[p].get("citation_count") or 0
        rows.append((-len(ss), year is None, -(year or 0), -cc, p, ss))
    rows.sort()
    label = f"{lineage} seeds" if lineage else "seeds"
    out = []
    for neg, _, _, _, p, ss in rows[:top]:
        names = [_name(G, s) for s in ss]
        text = f"cites {-neg} {label}: " + ", ".join(names[:8]) + (", …" if len(names) > 8 else "")
        out.append(_result(G, p, float(-neg), text, cites=names, kind="frontier"))
    return out


# --------------------------------------------------------------------------------------------------
# chain check, paths, reading order


def check_chain(G: nx.DiGraph, arrows: Iterable[tuple[str, str]]) -> list[ChainVerdict]:
    """Check declared arrows ``(a, b)`` ("b builds on a") against the citations.

    ``direct`` when b cites a; ``path`` when b cites some x that cites a (``via`` names every such
    x); ``none`` otherwise. A ``note`` says when b's reference list is not complete, since then the
    absence of an edge is not evidence. Papers are node keys or seed aliases.

    Examples
    --------
    >>> G = nx.DiGraph([("b", "a"), ("c", "x"), ("x", "a")])
    >>> G.nodes["c"]["references_status"] = "complete"
    >>> G.nodes["b"]["references_status"] = "complete"
    >>> [v.verdict for v in check_chain(G, [("a", "b"), ("a", "c"), ("b", "c")])]
    ['direct', 'path', 'none']
    >>> check_chain(G, [("a", "c")])[0].to_dict()
    {'from': 'a', 'to': 'c', 'verdict': 'path', 'via': ['x'], 'note': None}
    >>> check_chain(G, [("c", "x")])[0].note
    "x's reference list completeness is unknown: absence is not evidence"
    """
    out = []
    for a_ref, b_ref in arrows:
        a, b = _resolve(G, a_ref), _resolve(G, b_ref)
        if G.has_edge(b, a):
            verdict, via = "direct", []
        else:
            via = sorted(x for x in G.successors(b) if x != a and G.has_edge(x, a))
            verdict = "path" if via else "none"
        status = G.nodes[b].get("references_status")
        who = _name(G, b)
        note = None
        if status == "partial":
            note = f"{who}'s reference list is partial: absence is not evidence"
        elif status == "none_found":
            note = f"no reference list was found for {who}: absence is not evidence"
        elif status != "complete":
            note = f"{who}'s reference list completeness is unknown: absence is not evidence"
        out.append(ChainVerdict(from_=a_ref, to=b_ref, verdict=verdict, via=[_name(G, x) for x in via], note=note))
    return out


def citation_path(G: nx.DiGraph, a: str, b: str) -> CitationPath:
    """Shortest path between two papers along citations.

    Tries ``a → … → b`` (each cites the next; ``direction="forward"``), then ``b → … → a``
    (returned from a to b with ``direction="backward"``), then an undirected path
    (``direction="mixed"``). Raises :class:`graph.core.errors.UnknownPaperError` for a missing paper and
    :class:`NoPathError` when there is no path at all.

    Examples
    --------
    >>> G = nx.DiGraph([("c", "b"), ("b", "a"), ("c", "d")])
    >>> p = citation_path(G, "c", "a"); p, p.direction
    (['c', 'b', 'a'], 'forward')
    >>> p = citation_path(G, "a", "c"); p, p.direction
    (['a', 'b', 'c'], 'backward')
    >>> p = citation_path(G, "a", "d"); p, p.direction
    (['a', 'b', 'c', 'd'], 'mixed')
    """
    a, b = _resolve(G, a), _resolve(G, b)
    try:
        return CitationPath(nx.shortest_path(G, a, b), "forward")
    except nx.NetworkXNoPath:
        pass
    try:
        return CitationPath(reversed(nx.shortest_path(G, b, a)), "backward")
    except nx.NetworkXNoPath:
        pass
    try:
        return CitationPath(nx.shortest_path(G.to_undirected(as_view=True), a, b), "mixed")
    except nx.NetworkXNoPath:
        raise NoPathError(a, b) from None


def reading_order(G: nx.DiGraph, lineage: str, *, ancestors: int = 5) -> list[str]:
    """A reading list for a lineage: top missing ancestors, then its seeds and members.

    Each part is in topological order of its citation subgraph (cited before citing), ties and
    cycles (mutual citations) broken by year, then key; papers without a year go last among ties.

    Examples
    --------
    ``B`` cites ``A`` though both are dated 2020; ``A`` and ``B`` cite the non-seed ``x``.

    >>> G = nx.DiGraph([("B", "A"), ("A", "x"), ("B", "x")])
    >>> for n, y in {"A": 2020, "B": 2020, "x": 2015}.items():
    ...     G.nodes[n].update(year=y, is_seed=n != "x", references_status="complete")
    >>> G.graph["lineages"] = {"L": [["B", "A"]]}
    >>> reading_order(G, "L")
    ['x', 'A', 'B']
    """
    seeds = lineage_seeds(G, lineage)
    anc = [r.paper_id for r in missing_ancestors(G, lineage=lineage, top=ancestors)] if ancestors > 0 else []
    return _topo(G, anc) + _topo(G, seeds)


def _topo(G: nx.DiGraph, keys: Sequence[str]) -> list[str]:
    if not keys:
        return []
    sub = G.subgraph(keys)
    cond = nx.condensation(sub)  # an edge u -> v in sub: u cites v, so v is read first

    def year_key(n: str) -> tuple[int, str]:
        y = G.nodes[n].get("year")
        return (y if y is not None else 10**6, n)

    members = cond.graph["mapping"]
    groups: dict[int, list[str]] = defaultdict(list)
    for n, c in members.items():
        groups[c].append(n)
    rev = cond.reverse(copy=True)
    order = nx.lexicographical_topological_sort(rev, key=lambda c: min(year_key(n) for n in groups[c]))
    out: list[str] = []
    for c in order:
        out.extend(sorted(groups[c], key=year_key))
    return out
