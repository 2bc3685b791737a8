"""A benchmark the ancestor score cannot overfit: two protocols, a fixed dev/test split, every baseline.

**Protocol 1, bibliography recovery** (``protocol="bibliography"``): for every paper ``q`` of the whole
snapshot with a complete reference list, hide ``k_hidden`` of its references that are cited by at least
one other paper and are not newer than ``q``; remove ``q`` (its edges are ignored); rank every other
paper not newer than ``q`` with ``q``'s remaining references as the seeds. A hidden reference's rank is
taken among the candidates less the other hidden references ("filtered" rank).

**Protocol 2, leave-one-out over seeds** (``protocol="loo"``): in a lineage's analysis graph, every seed
cited by at least two other seeds of the lineage is hidden in turn (it becomes a non-seed whose own
reference list is ignored) and ranked with the other seeds as ``S``.

**Split**: a case belongs to ``dev`` when the first hex digit of ``sha1(paper key)`` is below 8, else to
``test``. Weights are chosen on ``dev`` only; figures are reported on ``test``.

**Ties** are scored by expectation over a random order of the tied candidates (no method gains from a
key tie-break): with ``g`` candidates scored above and ``t`` tied (the target included), ``P(rank ≤ k) =
clip((k − g) / t, 0, 1)`` and ``E[1/rank] = (H(g + t) − H(g)) / t``.

**Figures**: recall@10, recall@20 and MRR per case (mean over its hidden papers), averaged over cases,
with percentile bootstrap 95 % intervals over cases (paired, so the interval of a difference between
two methods comes from the same resamples).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from graph.analyse.ancestors import all_seeds, scope_seeds
from graph.analyse.metrics import (
    METRICS,
    EvalReport,
    Interval,
    bootstrap,
    expected_hits,
    split_of,
    summarise,
)
from graph.analyse.scores import DEFAULT_WEIGHTS, METHODS, evidence, score_candidates, stage_votes
from graph.core.errors import LineageError

__all__ = [
    "METRICS",
    "Case",
    "EvalReport",
    "Interval",
    "bibliography_cases",
    "bootstrap",
    "evaluate",
    "expected_hits",
    "lineage_groups",
    "loo_cases",
    "run_cases",
    "split_of",
    "summarise",
]

Protocol = Literal["bibliography", "loo"]
Split = Literal["dev", "test", "all"]


@dataclass
class Case:
    """One ranking task: seeds, hidden targets and the candidate filter."""

    key: str
    """The query paper (protocol 1) or the hidden seed (protocol 2)."""
    seeds: list[str]
    hidden: list[str]
    exclude: frozenset[str] = frozenset()
    """Papers whose edges are ignored (the query paper)."""
    until: int | None = None
    """Candidates newer than this year are not ranked."""
    lineage: str | None = None
    graph: nx.DiGraph | None = field(default=None, repr=False)
    """The graph of this case when it is not the evaluation's graph (protocol 2)."""


# --------------------------------------------------------------------------------------------------
# cases


def bibliography_cases(G: nx.DiGraph, *, split: Split = "test", k_hidden: int = 3, seed: int = 0,
                       min_seeds: int = 3) -> list[Case]:
    """Protocol 1 cases: papers with a complete reference list, ``k_hidden`` references hidden.

    A reference can be hidden when another paper cites it too and its year is known and not after the
    query's. A paper needs ``k_hidden`` such references and ``min_seeds`` others to be a case.

    Examples
    --------
    ``q`` (2020, complete) cites ``a, b, c, d``; ``o`` cites ``a`` and ``b``; ``c`` is from 2021.

    >>> G = nx.DiGraph([("q", "a"), ("q", "b"), ("q", "c"), ("q", "d"), ("o", "a"), ("o", "b"), ("o", "c")])
    >>> nx.set_node_attributes(G, {"q": 2020, "a": 2019, "b": 2018, "c": 2021, "d": 2019}, "year")
    >>> G.nodes["q"]["references_status"] = "complete"
    >>> [(c.key, sorted(c.hidden), sorted(c.seeds)) for c in bibliography_cases(G, split="all", k_hidden=1,
    ...                                                                        min_seeds=2)]
    [('q', ['b'], ['a', 'c', 'd'])]
    """
    out = []
    for q in sorted(G):
        a = G.nodes[q]
        if a.get("references_status") != "complete" or (split != "all" and split_of(q) != split):
            continue
        year = a.get("year")
        if year is None:
            continue
        refs = sorted(G.successors(q))
        eligible = [r for r in refs if G.in_degree(r) >= 2 and (y := G.nodes[r].get("year")) is not None
                    and y <= year]
        if len(eligible) < k_hidden or len(refs) - k_hidden < min_seeds:
            continue
        rng = random.Random(f"{seed}:{q}")
        hidden = rng.sample(eligible, k_hidden)
        hs = set(hidden)
        out.append(Case(key=q, seeds=[r for r in refs if r not in hs], hidden=hidden, exclude=frozenset([q]),
                        until=year))
    return out


def lineage_groups(G: nx.DiGraph, table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Tag papers with a lineage: a seed with its (first) lineage, another paper with the lineage whose
    seeds it cites most (the first declared on ties); papers citing no seed are left out.

    >>> G = nx.DiGraph([("p", "a"), ("p", "b"), ("p", "c"), ("q", "z")])
    >>> lineage_groups(G, {"L": ["a"], "M": ["b", "c"]})
    {'a': 'L', 'b': 'M', 'c': 'M', 'p': 'M'}
    """
    out: dict[str, str] = {}
    for name, keys in table.items():
        for k in keys:
            out.setdefault(k, name)
    for n in G:
        if n in out:
            continue
        refs = G._succ[n]
        best, hits = None, 0
        for name, keys in table.items():
            c = sum(1 for k in keys if k in refs)
            if c > hits:
                best, hits = name, c
        if best is not None:
            out[n] = best
    return dict(sorted(out.items()))


def loo_cases(G: nx.DiGraph, *, lineage: str | None = None, split: Split = "test", min_citers: int = 2) -> list[Case]:
    """Protocol 2 cases: each seed cited by ``min_citers`` other seeds of the scope, hidden in turn.

    The hidden seed's own references are ignored when it is ranked (see :func:`run_cases`).

    >>> G = nx.DiGraph([("B", "A"), ("C", "A"), ("B", "g")])
    >>> for n in "ABC": G.nodes[n]["is_seed"] = True
    >>> G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    >>> [(c.key, c.seeds) for c in loo_cases(G, lineage="L", split="all")]
    [('A', ['B', 'C'])]
    """
    scope = scope_seeds(G, lineage)
    sset = set(scope)
    out = []
    for h in scope:
        if split != "all" and split_of(h) != split:
            continue
        citers = [s for s in G.predecessors(h) if s in sset and s != h]
        if len(citers) >= min_citers:
            out.append(Case(key=h, seeds=[s for s in scope if s != h], hidden=[h], lineage=lineage))
    return out


# --------------------------------------------------------------------------------------------------
# running


def _ranks(scores: Mapping[str, float], target: str, others: set[str], n_cand: int,
           ok: Callable[[str], bool]) -> tuple[int, int]:
    """(candidates scored above the target, candidates tied with it incl. itself)."""
    st = scores.get(target, 0.0)
    above = tied = 0
    reached = 0
    for c, v in scores.items():
        if c in others or not ok(c):
            continue
        if v > 0:
            reached += 1
        if v > st:
            above += 1
        elif v == st:
            tied += 1
    if st <= 0:
        # every unreached candidate ties with the target
        tied = n_cand - reached
    return above, max(tied, 1)


def run_cases(
    G: nx.DiGraph,
    cases: Sequence[Case],
    *,
    methods: Sequence[str] = METHODS,
    weights: Mapping[str, float] | None = None,
    background: nx.DiGraph | None = None,
    hide_references: bool = True,
) -> list[dict[str, Any]]:
    """Rank every case with every method: one row per case with per-method metrics (and ranks).

    In protocol-2 cases (no ``exclude``), the hidden seed's out-edges are removed from a copy of the
    graph while it is ranked (``hide_references``); other seeds stay seeds, the hidden one is a candidate.

    Examples
    --------
    Seeds ``B, C`` both cite ``A`` and ``g``; ``g`` is cited by 3 more papers: every baseline but
    co-citation ties ``A`` and ``g`` or prefers ``g``; ours puts ``A`` first.

    >>> G = nx.DiGraph([("B", "A"), ("C", "A"), ("B", "g"), ("C", "g"), ("x", "g"), ("y", "g"), ("z", "g")])
    >>> rows = run_cases(G, [Case("A", ["B", "C"], ["A"])], methods=("ours", "top_cited"))
    >>> rows[0]["ours"]["mrr"], rows[0]["top_cited"]["mrr"]
    (1.0, 0.75)
    """
    rows: list[dict[str, Any]] = []
    copies: dict[int, nx.DiGraph] = {}
    for case in cases:
        H = case.graph if case.graph is not None else G
        removed: list[tuple[str, str, dict[str, Any]]] = []
        if not case.exclude and hide_references:
            if id(H) not in copies:
                copies[id(H)] = H.copy()
            H = copies[id(H)]
            for h in case.hidden:
                removed += [(h, v, dict(d)) for v, d in H._succ[h].items()]
                H.remove_edges_from([(h, v) for v in list(H._succ[h])])
        try:
            rows.append(_run_case(H, case, methods, weights, background))
        finally:
            for u, v, d in removed:
                H.add_edge(u, v, **d)
    return rows


def _run_case(G: nx.DiGraph, case: Case, methods: Sequence[str], weights: Mapping[str, float] | None,
              background: nx.DiGraph | None) -> dict[str, Any]:
    ex = case.exclude
    seeds = set(case.seeds) | (all_seeds(G) - set(case.hidden) if not ex else set())
    until = case.until
    nodes = G.nodes
    succ, pred = G._succ, G._pred

    def ok(c: str) -> bool:
        if c in seeds or c in ex:
            return False
        if until is not None:
            y = nodes[c].get("year")
            if y is not None and y > until:
                return False
        return True

    def alive(c: str) -> bool:
        return any(v not in ex for v in succ[c]) or any(v not in ex for v in pred[c])

    n_cand = sum(1 for c in G if ok(c) and alive(c))
    row: dict[str, Any] = {"key": case.key, "lineage": case.lineage, "hidden": list(case.hidden),
                           "seeds": len(case.seeds), "candidates": n_cand}
    votes = None
    if case.lineage is not None and not ex and "ours" in methods:  # protocol 2: the lineage's stages vote
        votes = stage_votes(G, case.lineage, {**DEFAULT_WEIGHTS, **(weights or {})}["root"])
    ev = evidence(G, case.seeds, exclude=ex, weights=weights, votes=votes) if "ours" in methods else None
    for m in methods:
        scores = score_candidates(G, case.seeds, method=m, exclude=ex, background=background, weights=weights,
                                  ev=ev if m == "ours" else None)
        scores = {c: v for c, v in scores.items() if c not in seeds}
        acc = dict.fromkeys(METRICS, 0.0)
        ranks = []
        gt = []
        hidden = set(case.hidden)
        for h in case.hidden:
            g, t = _ranks(scores, h, hidden - {h}, n_cand - (len(hidden) - 1), ok)
            ranks.append(g + (t + 1) / 2)
            gt.append((g, t))
            for k, v in expected_hits(g, t).items():
                acc[k] += v / len(case.hidden)
        acc["ranks"] = ranks
        acc["gt"] = gt
        row[m] = acc
    return row


def evaluate(
    G: Any,
    *,
    protocol: Protocol = "bibliography",
    split: Split = "test",
    k_hidden: int = 3,
    seed: int = 0,
    methods: Sequence[str] = METHODS,
    weights: Mapping[str, float] | None = None,
    lineages: Iterable[str] | Mapping[str, nx.DiGraph] | None = None,
    background: nx.DiGraph | None = None,
    reps: int = 1000,
    groups: Mapping[str, str] | None = None,
) -> EvalReport:
    """Run one protocol on one split with every method; figures with bootstrap intervals.

    Parameters
    ----------
    G : networkx.DiGraph or Snapshot
        Protocol 1: the whole snapshot (a graph, or a ``Snapshot``-like object with ``papers`` and
        ``edges``). Protocol 2: a graph holding the lineages (``G.graph["lineages"]``), or pass
        ``lineages`` as name → that lineage's analysis graph.
    protocol : {"bibliography", "loo"}
    split : {"dev", "test", "all"}
    k_hidden : int
        References hidden per paper (protocol 1).
    seed : int
        Seed of the hidden-reference draw and of the bootstrap.
    methods : sequence of str
        Methods to run (:data:`graph.analyse.ancestors.METHODS`).
    weights : dict, optional
        Overrides of the ``ours`` weights.
    lineages : iterable of str or dict, optional
        Protocol 2: lineages to evaluate (each seed case tagged with its lineage); all when None.
    background : networkx.DiGraph, optional
        Whole-snapshot graph for specificity; protocol 1 uses ``G`` itself.
    reps : int
        Bootstrap resamples.
    groups : dict, optional
        Protocol 1: paper key → lineage (:func:`lineage_groups`), for the per-lineage figures.

    Examples
    --------
    >>> G = nx.DiGraph([("B", "A"), ("C", "A"), ("B", "g"), ("C", "g"), ("x", "g")])
    >>> for n in "ABC": G.nodes[n]["is_seed"] = True
    >>> G.graph["lineages"] = {"L": [["A"], ["B", "C"]]}
    >>> rep = evaluate(G, protocol="loo", split="all", methods=("ours", "top_cited"), reps=10)
    >>> rep.cases, rep.methods["ours"]["mrr"].mean, rep.methods["top_cited"]["mrr"].mean
    (1, 1.0, 0.75)
    """
    if hasattr(G, "papers") and hasattr(G, "edges") and not isinstance(G, nx.Graph):
        from graph.analyse.ancestors import background_graph

        G = background_graph(G)
    methods = tuple(dict.fromkeys("top_cited" if m == "baseline" else m for m in methods))
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise LineageError(f"unknown method '{bad[0]}'", hint="use one of " + ", ".join(METHODS))
    if protocol == "bibliography":
        cases = bibliography_cases(G, split=split, k_hidden=k_hidden, seed=seed)
        for c in cases:
            c.lineage = (groups or {}).get(c.key)
        rows = run_cases(G, cases, methods=methods, weights=weights, background=background or G)
    elif protocol == "loo":
        cases = []
        if isinstance(lineages, Mapping):
            for name, H in lineages.items():
                for c in loo_cases(H, lineage=name, split=split):
                    c.graph = H
                    cases.append(c)
        else:
            names = list(lineages) if lineages is not None else list(G.graph.get("lineages") or {})
            for name in names:
                cases += loo_cases(G, lineage=name, split=split)
        rows = run_cases(G, cases, methods=methods, weights=weights, background=background)
    else:
        raise LineageError(f"unknown protocol '{protocol}'", hint="use bibliography or loo")
    return summarise(rows, methods, protocol=protocol, split=split, k_hidden=k_hidden, reps=reps, seed=seed,
                     weights={**DEFAULT_WEIGHTS, **(weights or {})})
