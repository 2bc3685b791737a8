"""Which papers and which edges the lineage view (the historiograph of one declared chain) shows.

:func:`build_lineage_view` is a pure function of the citation graph and of results the analysis layer
already computed (stages, chain verdicts, missing ancestors, frontier, main path). It returns a small
``nx.DiGraph`` ready for :func:`graph.present.render.render_html` with ``layout="lineage"``:

- **nodes** — the declared chain (the spine), the main-path papers, the papers a ``path`` verdict goes
  through, the top missing ancestors and the top frontier papers (interleaved by rank), then the most
  cited papers (local citation score) next to the seeds, up to ``max_nodes`` (seeds are always kept).
  Each node keeps the attributes of ``G`` and gets ``view_role`` (:data:`VIEW_ROLE_NAMES`), ``label``
  ("Surname YEAR · alias-or-short-title"), ``local_citations`` (in-degree inside ``G``), ``stage``
  (index of its declared stage or None) and ``on_main_path``;
- **edges** — by default the transitive reduction of the citations among the shown papers (computed on
  the condensation, so citation cycles between preprints are kept, not lost), ``citation=True``; with
  ``all_edges`` every citation among them. Declared arrows ``a → b`` ("b builds on a") are edges
  ``(a, b)`` with ``declared=True``, ``verdict`` ("direct" / "path" / "none"), ``via`` (node keys) and
  ``note``. Main-path edges carry ``main_path=True``.

``H.graph`` holds ``view_stages`` (stages restricted to the shown seeds), ``view_seeds``,
``view_hidden`` (candidates left out for lack of room) and ``view_cycles`` (citation cycles found).
"""

from __future__ import annotations

import itertools
import logging
import math
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any

import networkx as nx

__all__ = ["DEFAULT_MAX_NODES", "VIEW_ROLE_NAMES", "build_lineage_view", "short_label", "surname"]

log = logging.getLogger(__name__)

#: Default number of papers in the view.
DEFAULT_MAX_NODES = 50
#: ``view_role`` values, most important first (a paper gets the first that applies).
VIEW_ROLE_NAMES: tuple[str, ...] = ("seed", "main-path", "missing-ancestor", "frontier", "other")
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_TITLE_CHARS = 26


def surname(author: Any) -> str:
    """The family name of one author string ("Surname, First" or "First Surname"); organisations kept whole.

    Examples
    --------
    >>> surname("Rafael Rafailov"), surname("Vaswani, Ashish"), surname("Inflection AI"), surname("Mark Smith Jr.")
    ('Rafailov', 'Vaswani', 'Inflection AI', 'Smith')
    >>> surname(None), surname("  ")
    ('', '')
    """
    if not isinstance(author, str) or not author.strip():
        return ""
    text = " ".join(author.split())
    if "," in text:
        return text.split(",", 1)[0].strip()
    parts = [p for p in text.split(" ") if p.lower() not in _SUFFIXES] or text.split(" ")
    last = parts[-1]
    if len(parts) > 1 and ((last.isupper() and len(last) <= 3) or not any(c.isalpha() for c in last)):
        return text if len(text) <= 18 else parts[0]  # "Inflection AI", "Meta AI"
    return last


def _short_title(title: str, limit: int = _TITLE_CHARS) -> str:
    """The title cut after a word, at most ``limit`` characters, with "…" when cut.

    >>> _short_title("Proximal Policy Optimization Algorithms")
    'Proximal Policy…'
    >>> _short_title("Attention Is All You Need")
    'Attention Is All You Need'
    """
    title = " ".join(title.split())
    head = re.split(r"[:?.!]\s", title, maxsplit=1)[0]  # a subtitle is the first thing to go
    if len(head) <= limit:
        return head
    cut = head[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;-–") + "…"


def short_label(data: Mapping[str, Any], key: Hashable = "") -> str:
    """"FirstAuthorSurname YEAR · alias-or-short-title" (parts that are unknown are left out).

    Examples
    --------
    >>> short_label({"authors": ["Rafael Rafailov"], "year": 2023, "alias": "dpo", "title": "Direct..."})
    'Rafailov 2023 · dpo'
    >>> short_label({"authors": [], "year": None, "title": "Proximal Policy Optimization Algorithms"})
    'Proximal Policy…'
    >>> short_label({}, "arxiv:1")
    'arxiv:1'
    """
    authors = data.get("authors")
    first = authors[0] if isinstance(authors, (list, tuple)) and authors else authors
    head = " ".join(p for p in (surname(first), _year_text(data.get("year"))) if p)
    alias = data.get("alias")
    title = data.get("title")
    tail = str(alias) if alias else _short_title(str(title)) if isinstance(title, str) and title.strip() else ""
    text = " · ".join(p for p in (head, tail) if p)
    return text or str(key)


def _year_text(year: Any) -> str:
    ok = isinstance(year, (int, float)) and not isinstance(year, bool) and math.isfinite(year)
    return str(int(year)) if ok else ""


def _resolver(G: nx.DiGraph) -> Any:
    """ref (node key, seed alias, or title as the chain check names ``via`` papers) → node key or None."""
    names: dict[str, Hashable] | None = None

    def resolve(ref: Any) -> Hashable | None:
        nonlocal names
        if not isinstance(ref, Hashable):
            return None
        if ref in G:
            return ref
        if names is None:
            names = {}
            for n, d in G.nodes(data=True):
                for attr in ("title", "alias"):  # an alias wins over a title
                    if isinstance(d.get(attr), str) and d[attr]:
                        names[d[attr]] = n
        return names.get(ref) if isinstance(ref, str) else None

    return resolve


def _verdicts_of(G: nx.DiGraph, stages: Sequence[Sequence[Hashable]]) -> list[dict[str, Any]]:
    from graph.analyse.analysis import check_chain

    arrows = [(a, b) for s, t in itertools.pairwise(stages) for a in s for b in t if a in G and b in G]
    return [v.to_dict() for v in check_chain(G, arrows)]


def _reduced_edges(S: nx.DiGraph) -> tuple[list[tuple[Hashable, Hashable]], int]:
    """Citations of ``S`` that survive the transitive reduction of its condensation, and the number of
    strongly connected components with more than one paper (citation cycles). Every edge inside a cycle
    is kept; between two components, every edge is kept when their link is not implied by a longer path.

    >>> S = nx.DiGraph([("c", "b"), ("b", "a"), ("c", "a"), ("x", "y"), ("y", "x")])
    >>> sorted(_reduced_edges(S)[0]), _reduced_edges(S)[1]
    ([('b', 'a'), ('c', 'b'), ('x', 'y'), ('y', 'x')], 1)
    """
    C = nx.condensation(S)
    comp = C.graph["mapping"]
    R = nx.transitive_reduction(C)
    keep = set(R.edges)
    cycles = sum(1 for c in C.nodes if len(C.nodes[c]["members"]) > 1)
    out = [(u, v) for u, v in S.edges if comp[u] == comp[v] or (comp[u], comp[v]) in keep]
    return out, cycles


def build_lineage_view(
    G: nx.DiGraph,
    *,
    stages: list[list[str]],
    verdicts: list[dict[str, Any]] | None,
    ancestors: list[str],
    frontier: list[str],
    main_path: list[str] | None,
    main_path_edges: list[tuple[str, str]] | None,
    max_nodes: int = DEFAULT_MAX_NODES,
    all_edges: bool = False,
    members: Iterable[str] | None = None,
) -> nx.DiGraph:
    """The papers and edges of the lineage view of one declared chain (see the module docstring).

    Parameters
    ----------
    G : nx.DiGraph
        The citation graph (edge u → v: u cites v).
    stages : list of list of str
        The declared chain, oldest stage first (node keys; keys not in ``G`` are skipped).
    verdicts : list of dict, optional
        ``check_chain(...).to_dict()`` rows (``from, to, verdict, via, note``; keys, aliases or titles) for the
        declared arrows; computed from ``stages`` with :func:`graph.analyse.analysis.check_chain` when None.
    ancestors, frontier : list of str
        Missing ancestors and frontier papers, best first.
    main_path : list of str, optional
        Papers of the main path(s); consecutive pairs are its edges when ``main_path_edges`` is None.
    main_path_edges : list of (str, str), optional
        Edges of the main path(s), in either direction.
    max_nodes : int
        Papers shown at most (the seeds are always shown, even beyond it).
    all_edges : bool
        Every citation among the shown papers instead of the transitive reduction.
    members : iterable of str, optional
        Seeds of the lineage outside the declared stages (shown as seeds, no arrows).

    Returns
    -------
    nx.DiGraph
        The view, with the node and edge attributes of the module docstring.

    Examples
    --------
    >>> G = nx.DiGraph([("b", "a"), ("c", "b"), ("c", "a"), ("a", "r"), ("b", "r"), ("f", "b"), ("f", "c")])
    >>> for n, y in {"r": 2010, "a": 2017, "b": 2019, "c": 2021, "f": 2023}.items():
    ...     G.nodes[n].update(year=y, authors=[f"Ann {n.upper()}ee"], title=f"Paper {n}")
    >>> H = build_lineage_view(G, stages=[["a"], ["c"]], verdicts=None, ancestors=["r"], frontier=["f"],
    ...                        main_path=["c", "b", "a"], main_path_edges=None)
    >>> sorted(H.nodes(data="view_role"))
    [('a', 'seed'), ('b', 'main-path'), ('c', 'seed'), ('f', 'frontier'), ('r', 'missing-ancestor')]
    >>> H.nodes["r"]["label"], H.nodes["b"]["local_citations"]
    ('Ree 2010 · Paper r', 2)
    >>> H.edges["a", "c"]["declared"], H.edges["a", "c"]["verdict"]
    (True, 'direct')
    >>> H.has_edge("c", "a")  # implied by c → b → a: not in the reduction
    False
    >>> H.edges["c", "b"]["main_path"], H.graph["view_stages"]
    (True, [['a'], ['c']])
    """
    resolve = _resolver(G)
    stages_in = [[k for k in stage if k in G] for stage in stages]
    seeds: list[Hashable] = list(dict.fromkeys(k for s in stages_in for k in s))
    for m in members or ():
        key = resolve(m)
        if key is not None and key not in seeds:
            seeds.append(key)
    stage_of = {k: i for i, s in enumerate(stages_in) for k in s}
    if verdicts is None:
        verdicts = _verdicts_of(G, stages_in)

    arrows: list[tuple[Hashable, Hashable, dict[str, Any]]] = []
    via_nodes: list[Hashable] = []
    for row in verdicts:
        a, b = resolve(row.get("from")), resolve(row.get("to"))
        if a is None or b is None:
            continue
        via = [x for x in (resolve(v) for v in row.get("via_keys") or row.get("via") or ()) if x is not None]
        verdict = row.get("verdict") if row.get("verdict") in ("direct", "path", "none") else "none"
        arrows.append((a, b, {"verdict": verdict, "via": via, "note": row.get("note")}))
        via_nodes.extend(via[:2])

    mp_nodes = [k for k in (main_path or ()) if k in G]
    if main_path_edges is None:
        mp_edges = list(itertools.pairwise(mp_nodes))
    else:
        mp_edges = [(u, v) for u, v in main_path_edges if u in G and v in G]
    mp_set = set(mp_nodes) | {x for e in mp_edges for x in e}

    anc = [k for k in ancestors if k in G]
    fro = [k for k in frontier if k in G]
    ranked: list[Hashable] = []
    for i in range(max(len(anc), len(fro))):
        ranked.extend(x[i] for x in (anc, fro) if i < len(x))

    chosen: dict[Hashable, None] = dict.fromkeys(seeds)
    wanted = [*[k for e in mp_edges for k in e], *mp_nodes, *via_nodes, *ranked]
    hidden = 0
    for k in wanted:
        if k in chosen:
            continue
        if len(chosen) < max_nodes:
            chosen[k] = None
        else:
            hidden += 1
    if len(chosen) < max_nodes and seeds:
        # fill with the most cited papers (inside G) next to the seeds
        near: set[Hashable] = set()
        for s in seeds:
            near.update(G.predecessors(s))
            near.update(G.successors(s))
        near.difference_update(chosen)
        fill = sorted(near, key=lambda k: (-G.in_degree(k), str(k)))
        room = max_nodes - len(chosen)
        for k in fill[:room]:
            chosen[k] = None

    anc_set, fro_set, seed_set = set(anc), set(fro), set(seeds)
    H = nx.DiGraph()
    for k in chosen:
        d = dict(G.nodes[k])
        if k in seed_set:
            role = "seed"
        elif k in mp_set:
            role = "main-path"
        elif k in anc_set:
            role = "missing-ancestor"
        elif k in fro_set:
            role = "frontier"
        else:
            role = "other"
        d.update(view_role=role, label=short_label(d, k), local_citations=int(G.in_degree(k)),
                 stage=stage_of.get(k), on_main_path=k in mp_set)
        H.add_node(k, **d)

    S = G.subgraph(chosen)
    if all_edges:
        citations, cycles = list(S.edges), sum(1 for c in nx.strongly_connected_components(S) if len(c) > 1)
    else:
        citations, cycles = _reduced_edges(S)
    for u, v in citations:
        H.add_edge(u, v, **{**G.edges[u, v], "citation": True})
    for u, v in mp_edges:
        if u not in H or v not in H:
            continue
        if not H.has_edge(u, v) and H.has_edge(v, u):
            u, v = v, u
        if not H.has_edge(u, v):
            H.add_edge(u, v, citation=G.has_edge(u, v))
        H.edges[u, v]["main_path"] = True
    for a, b, attrs in arrows:
        if a in H and b in H:
            if not H.has_edge(a, b):
                H.add_edge(a, b, citation=False)
            H.edges[a, b].update(declared=True, **attrs)
    if cycles:
        log.info("lineage view: %d citation cycle(s) among the shown papers kept as they are", cycles)
    H.graph.update(
        view_stages=[[k for k in s if k in H] for s in stages_in],
        view_seeds=[k for k in seeds if k in H],
        view_hidden=hidden,
        view_cycles=cycles,
        lineages=G.graph.get("lineages") or {},
    )
    return H
