"""The scores behind every ranking of missing ancestors: ``ours`` and the baselines.

See :mod:`graph.analyse.ancestors` for the formula of ``ours`` and ``docs/eval.md`` for how the weights
were chosen (dev split only).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx

__all__ = [
    "DEFAULT_WEIGHTS",
    "METHODS",
    "PPR_ALPHA",
    "PPR_ITERATIONS",
    "Evidence",
    "Method",
    "evidence",
    "score_candidates",
    "stage_votes",
]

Method = Literal["ours", "baseline", "top_cited", "cocitation", "coupling", "ppr", "popular"]

METHODS: tuple[str, ...] = ("ours", "top_cited", "cocitation", "coupling", "ppr", "popular")
"""Every ranking method, ours first (``baseline`` is an alias of ``top_cited``)."""

DEFAULT_WEIGHTS: dict[str, float] = {
    "partial": 0.7,  # vote of a seed whose reference list is partial
    "unknown": 0.85,  # ... whose completeness is unknown (None)
    "none_found": 0.5,  # ... marked none_found but with references in the graph anyway
    "cocite": 1.0,  # weight of the co-citation evidence
    "seed_norm": 0.5,  # co-citation through seed s counts cit(s) ** -seed_norm (Salton's 0.5)
    "cites_seeds": 0.5,  # weight of each seed the candidate cites itself
    "specificity": 0.5,  # exponent of the candidate's citations in the whole snapshot
    "smoothing": 5.0,  # added to those citations (a paper cited once is not specific on that alone)
    "direct": 1.0,  # weight of each seed citing the candidate
    "root": 3.0,  # extra vote of the lineage's first stage (linearly down to 0 for its last stage)
}
"""Weights of the ``ours`` score, chosen on the dev split (``docs/eval.md``)."""

PPR_ALPHA = 0.85
"""Personalized PageRank: probability of following an edge (else restart at a seed)."""
PPR_ITERATIONS = 30


def _indeg(G: nx.DiGraph, x: str, exclude: Collection[str]) -> int:
    pred = G._pred.get(x)
    if pred is None:
        return 0
    return len(pred) - sum(1 for e in exclude if e in pred)


def _rho(G: nx.DiGraph, s: str, w: Mapping[str, float]) -> float:
    status = G.nodes[s].get("references_status")
    if status == "complete":
        return 1.0
    if status == "partial":
        return w["partial"]
    if status == "none_found":
        return w["none_found"]
    return w["unknown"]


# --------------------------------------------------------------------------------------------------
# evidence and scores


@dataclass
class Evidence:
    """The terms of the ``ours`` score for every reached candidate (see the module docstring)."""

    direct: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cocite: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cites_seeds: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    citing_seeds: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    cociting: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Number of non-seed papers citing the candidate and at least one seed."""


def evidence(G: nx.DiGraph, seeds: Iterable[str], *, exclude: Collection[str] = (),
             weights: Mapping[str, float] | None = None, votes: Mapping[str, float] | None = None) -> Evidence:
    """Collect ``direct``, ``cocite`` and ``citesS`` for every candidate reachable from the seeds.

    Candidates are nodes other than the seeds and ``exclude`` (papers whose edges are ignored).

    Examples
    --------
    Seeds ``A``, ``B``; ``A`` cites ``x``; the later paper ``p`` (2 references) cites ``A`` and ``y``;
    ``z`` cites ``A``.

    >>> G = nx.DiGraph([("A", "x"), ("p", "A"), ("p", "y"), ("z", "A")])
    >>> G.add_node("B"); G.nodes["A"]["references_status"] = "complete"
    >>> ev = evidence(G, ["A", "B"])
    >>> dict(ev.direct), dict(ev.cites_seeds), dict(ev.cociting)
    ({'x': 1.0}, {'p': 1, 'z': 1}, {'y': 1})
    >>> round(ev.cocite["y"], 4) == round(1 / math.sqrt(2), 4)  # p cites A, which 2 papers cite
    True
    """
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    seeds = [s for s in dict.fromkeys(seeds) if s in G and s not in exclude]
    seed_set = set(seeds)
    ex = set(exclude)
    ev = Evidence()
    succ, pred = G._succ, G._pred
    # co-citing papers p (seeds included) and their strength: Σ_{s ∈ S, p → s} cit(s) ^ -seed_norm
    strength: dict[str, float] = defaultdict(float)
    alpha = w["seed_norm"]
    for s in seeds:
        rho = _rho(G, s, w) * (votes.get(s, 1.0) if votes else 1.0)
        for c in succ[s]:
            if c not in seed_set and c not in ex:
                ev.direct[c] += rho
                ev.citing_seeds[c].append(s)
        inv = max(_indeg(G, s, ex), 1) ** -alpha
        for p in pred[s]:
            if p in ex:
                continue
            strength[p] += inv
            if p not in seed_set:
                ev.cites_seeds[p] += 1
    for p, st in strength.items():
        later = p not in seed_set
        for c in succ[p]:
            if c not in seed_set and c not in ex:
                ev.cocite[c] += st
                if later:
                    ev.cociting[c] += 1
    return ev


def score_candidates(
    G: nx.DiGraph,
    seeds: Iterable[str],
    *,
    method: Method = "ours",
    exclude: Collection[str] = (),
    background: nx.DiGraph | None = None,
    weights: Mapping[str, float] | None = None,
    ev: Evidence | None = None,
) -> dict[str, float]:
    """Score every candidate the method reaches (positive scores only; unreached candidates score 0).

    Parameters
    ----------
    G : networkx.DiGraph
        The graph the evidence is read from (edge ``u → v``: u cites v).
    seeds : iterable of str
        The papers whose ancestors are sought.
    method : str
        ``ours``, ``top_cited`` (alias ``baseline``), ``cocitation``, ``coupling``, ``ppr``, ``popular``.
    exclude : collection of str
        Papers treated as absent (their edges are ignored), e.g. the query paper of the benchmark.
    background : networkx.DiGraph, optional
        The whole snapshot, for ``cit_all`` (specificity) and ``popular``; ``G`` when None.
    weights : dict, optional
        Overrides of :data:`DEFAULT_WEIGHTS`.
    ev : Evidence, optional
        Precomputed :func:`evidence` (for ``ours`` only).

    Examples
    --------
    Seeds ``A``, ``B`` cite the tool ``t`` and the idea ``i``; ``t`` is also cited by 8 papers of other
    lineages. Top Cited ties them; ours prefers the idea by sqrt((10 + 5) / (2 + 5)) (specificity 0.5,
    smoothing 5).

    >>> G = nx.DiGraph([("A", "t"), ("B", "t"), ("A", "i"), ("B", "i")] + [(f"o{k}", "t") for k in range(8)])
    >>> score_candidates(G, ["A", "B"], method="top_cited")
    {'t': 2.0, 'i': 2.0}
    >>> s = score_candidates(G, ["A", "B"]); s["i"] > s["t"], round(s["i"] / s["t"], 3)
    (True, 1.464)
    >>> sorted(score_candidates(G, ["A", "B"], method="popular"), key=lambda k: k)
    ['i', 't']

    Co-citation: ``p`` cites seed ``A`` and ``x``; Salton = 1 / sqrt(cit(A) · cit(x)) = 1 / sqrt(1 · 1).

    >>> H = nx.DiGraph([("p", "A"), ("p", "x")])
    >>> score_candidates(H, ["A"], method="cocitation")
    {'x': 1.0}
    >>> round(score_candidates(H, ["A"], method="coupling")["x"], 4) == round(1 / math.log(2 + 1), 4)
    True

    PageRank on the path A – p – x restarting at A (0.15): exactly p = 0.1275 / 0.2775 ≈ 0.4595 and
    x = 0.425 · p ≈ 0.1953; 30 power iterations come within 0.01.

    >>> r = score_candidates(H, ["A"], method="ppr"); abs(r["p"] - 0.4595) < 0.01, abs(r["x"] - 0.1953) < 0.01
    (True, True)
    """
    if method == "baseline":
        method = "top_cited"
    seeds = [s for s in dict.fromkeys(seeds) if s in G and s not in exclude]
    seed_set = set(seeds)
    ex = set(exclude)
    succ, pred = G._succ, G._pred
    out: dict[str, float] = defaultdict(float)
    if method == "top_cited":
        for s in seeds:
            for c in succ[s]:
                if c not in seed_set and c not in ex:
                    out[c] += 1.0
        return dict(out)
    if method == "cocitation":
        for s in seeds:
            cs = _indeg(G, s, ex)
            if not cs:
                continue
            for p in pred[s]:
                if p in ex:
                    continue
                for c in succ[p]:
                    if c not in seed_set and c not in ex:
                        out[c] += 1.0 / math.sqrt(cs)
        return {c: v / math.sqrt(_indeg(G, c, ex)) for c, v in out.items()}
    if method == "coupling":
        strength: dict[str, float] = defaultdict(float)
        for s in seeds:
            inv = 1.0 / math.log(2 + _indeg(G, s, ex))
            for p in pred[s]:
                if p not in ex:
                    strength[p] += inv
        for p, st in strength.items():
            for c in succ[p]:
                if c not in seed_set and c not in ex:
                    out[c] += st
        return dict(out)
    if method == "popular":
        B = background if background is not None else G
        reached = set()
        for n in G:
            if n not in seed_set and n not in ex and (succ[n] or pred[n]):
                reached.add(n)
        return {c: float(_indeg(B, c, ex) if c in B else _indeg(G, c, ex)) for c in reached
                if (c in B and _indeg(B, c, ex)) or _indeg(G, c, ex)}
    if method == "ppr":
        return _ppr(G, seeds, seed_set, ex)
    if method != "ours":
        from graph.core.errors import LineageError

        raise LineageError(f"unknown method '{method}'", hint="use one of " + ", ".join(METHODS))
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    ev = ev if ev is not None else evidence(G, seeds, exclude=ex, weights=w)
    B = background if background is not None else G
    beta = w["specificity"]
    keys = set(ev.direct) | set(ev.cocite)
    if w["cites_seeds"]:
        keys |= set(ev.cites_seeds)
    wd, wc, ws, sm = w["direct"], w["cocite"], w["cites_seeds"], w["smoothing"]
    direct, cocite, cites = ev.direct, ev.cocite, ev.cites_seeds
    pred_b = B._pred
    for c in keys:
        v = wd * direct.get(c, 0.0) + wc * cocite.get(c, 0.0) + ws * cites.get(c, 0)
        if v <= 0:
            continue
        if beta:
            if ex:
                n_all = max(_indeg(B, c, ex) if c in B else 0, _indeg(G, c, ex), 1)
            else:
                pb = pred_b.get(c)
                n_all = max(len(pb) if pb is not None else 0, len(pred[c]), 1)
            v /= (n_all + sm) ** beta
        out[c] = v
    return dict(out)


def _ppr(G: nx.DiGraph, seeds: Sequence[str], seed_set: set[str], ex: set[str]) -> dict[str, float]:
    """Personalized PageRank on the undirected citation graph, restarting at the seeds (power iteration)."""
    if not seeds:
        return {}
    succ, pred = G._succ, G._pred
    deg: dict[str, int] = {}

    def degree(u: str) -> int:
        d = deg.get(u)
        if d is None:
            d = sum(1 for v in succ[u] if v not in ex) + sum(1 for v in pred[u] if v not in ex)
            deg[u] = d
        return d

    restart = (1 - PPR_ALPHA) / len(seeds)
    x: dict[str, float] = dict.fromkeys(seeds, 1.0 / len(seeds))
    for _ in range(PPR_ITERATIONS):
        nxt: dict[str, float] = defaultdict(float)
        for s in seeds:
            nxt[s] += restart
        for u, mass in x.items():
            d = degree(u)
            if not d:
                nxt[u] += PPR_ALPHA * mass  # a dangling node keeps its mass
                continue
            share = PPR_ALPHA * mass / d
            for v in succ[u]:
                if v not in ex:
                    nxt[v] += share
            for v in pred[u]:
                if v not in ex:
                    nxt[v] += share
        x = nxt
    return {c: v for c, v in x.items() if c not in seed_set and v > 0}


def stage_votes(G: nx.DiGraph, lineage: str | None, root: float) -> dict[str, float]:
    """Vote multipliers of a lineage's seeds: ``1 + root`` for the first stage, down to 1 for the last.

    The declared chain says each stage builds on the previous ones, so what the first stage cites is
    what the lineage is founded on; later stages add the tools of their own experiments. Members
    outside the stages vote 1.

    >>> G = nx.DiGraph(); G.add_nodes_from("abc")
    >>> G.graph["lineages"] = {"L": [["a"], ["b"], ["c"]]}
    >>> stage_votes(G, "L", 1.0)
    {'a': 2.0, 'b': 1.5, 'c': 1.0}
    """
    if lineage is None or not root:
        return {}
    stages = (G.graph.get("lineages") or {}).get(lineage) or []
    n = len(stages)
    out: dict[str, float] = {}
    for i, stage in enumerate(stages):
        for k in stage:
            out.setdefault(k, 1.0 + (root * (n - 1 - i) / (n - 1) if n > 1 else 0.0))
    return out
