"""Missing ancestors: rank the papers a set of seeds builds on, ideas over tools.

A *tool* (a base model, a benchmark, a dataset, a library, an optimizer, a kernel) is cited across
unrelated lineages and by later papers that merely use it. An *idea* the lineage builds on is cited by
the lineage's seeds (above all by its first stage), is co-cited with them by the papers that build on
them, and is specific to them. The ``ours`` score (:func:`score_candidates`) measures exactly that::

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
import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

from graph.build.lineage import lineage_seeds

__all__ = [
    "DEFAULT_WEIGHTS",
    "METHODS",
    "Method",
    "Result",
    "background_graph",
    "missing_ancestors",
    "rank_ancestors",
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
    from graph.build.expand import graph_from_records

    B = graph_from_records(snapshot.papers.values(), snapshot.edges)
    _BACKGROUND[id(snapshot)] = (snapshot, B)
    return B


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


# --------------------------------------------------------------------------------------------------
# missing ancestors


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
