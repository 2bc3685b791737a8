"""Precomputed node positions, so the browser shows a still graph at once (no physics).

Three pure functions, all deterministic (same graph, same positions):

- :func:`lineage_layout` — the lineage view: x = publication time on an honest scale, a layered
  placement with collision resolution so that no label box overlaps another label or paper;
- :func:`time_layout` — x by year on an honest scale (equal years, equal widths; the long tail of old
  years compressed left of a break), y by lineage band (a node's strongest lineage);
  nodes sharing a (band, year) cell are spread on a small grid inside the cell, with a hash-based
  jitter so that no two nodes overlap. Undated nodes go to an "undated" column at the far left, nodes
  without a lineage to a last band at the bottom. O(n log n).
- :func:`force_layout` — networkx ``spring_layout`` with a fixed seed and capped iterations for up to
  :data:`FORCE_MAX_NODES` nodes. Above that (spring_layout measured here: 500 nodes 1.6 s, 2,000 nodes
  19 s, 3,000 nodes 34 s) only a *backbone* of the :data:`FORCE_MAX_NODES` best-connected nodes gets a
  spring layout and every other node is placed, in breadth-first order from the backbone, at the mean
  of its already placed neighbours plus a small deterministic offset; nodes unreachable from the
  backbone go on a grid to the right. O(n + m) beyond the backbone: 10k nodes in about half a second.

Coordinates are in vis-network pixels (y grows downwards).
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["BOX_GAP", "CELL_SPACING", "FORCE_MAX_NODES", "NONE_MARKER", "LineageLayout", "Position", "force_layout",
           "label_lines", "lineage_bands", "lineage_layout", "lineage_node_size", "strongest_by_node",
           "strongest_lineage", "text_width", "time_axis_start", "time_columns", "time_layout"]

Position = tuple[float, float]
#: Distance in pixels between two nodes of the same (band, year) cell.
CELL_SPACING = 16.0
#: Above this many nodes :func:`force_layout` springs only a backbone of this many nodes.
FORCE_MAX_NODES = 300
_UNASSIGNED = "\x00unassigned"


def strongest_lineage(lineages: Mapping[str, float] | None, order: Mapping[str, int] | None = None) -> str | None:
    """The lineage with the highest score (ties: first in ``order``, then by name); None when empty.

    Examples
    --------
    >>> strongest_lineage({"rlhf": 0.4, "transformers": 0.9})
    'transformers'
    >>> strongest_lineage({"b": 0.5, "a": 0.5})
    'a'
    >>> strongest_lineage({"b": 0.5, "a": 0.5}, {"b": 0, "a": 1})
    'b'
    >>> strongest_lineage({}) is None
    True
    """
    if not lineages:
        return None
    if len(lineages) == 1:
        return next(iter(lineages))
    rank = order or {}
    return min(lineages, key=lambda name: (-float(lineages[name] or 0.0), rank.get(name, len(rank)), name))


def strongest_by_node(G: nx.DiGraph) -> dict[Hashable, str | None]:
    """node → :func:`strongest_lineage` of its ``lineages`` attribute; ties go to the lineage listed first
    in ``G.graph["lineages"]`` (the view puts the lineages the user chose first)."""
    order = {name: i for i, name in enumerate(G.graph.get("lineages") or {})}
    return {node: strongest_lineage(d.get("lineages"), order) for node, d in G.nodes(data=True)}


def lineage_bands(G: nx.DiGraph, lineage_order: Sequence[str] | None = None, *,
                  strongest: Mapping[Hashable, str | None] | None = None) -> list[str]:
    """Lineage names top to bottom: ``lineage_order`` first, then ``G.graph["lineages"]``, then the rest sorted.

    Only lineages that are some node's strongest lineage get a band. ``strongest`` (node → its
    :func:`strongest_lineage`) may be passed when already computed.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", lineages={"z": 1.0}); G.add_node("b", lineages={"y": 1.0, "x": 0.1})
    >>> lineage_bands(G)
    ['y', 'z']
    >>> lineage_bands(G, ["z"])
    ['z', 'y']
    """
    if strongest is None:
        strongest = strongest_by_node(G)
    used = set(strongest.values())
    used.discard(None)
    order: list[str] = []
    declared = G.graph.get("lineages") or {}
    for name in [*(lineage_order or ()), *declared, *sorted(n for n in used if isinstance(n, str))]:
        if name in used and name not in order:
            order.append(name)
    return order


def _jitter(node: Hashable, salt: int) -> float:
    """A deterministic number in [-0.5, 0.5) from the node (its str() and a salt)."""
    return (zlib.crc32(str(node).encode(), salt) & 0xFFFF) / 65536 - 0.5


def _spread(i: int) -> tuple[float, float]:
    """Two deterministic numbers in [-0.5, 0.5) for the i-th member of a cell (golden-ratio sequence)."""
    return (i * 0.6180339887) % 1.0 - 0.5, (i * 0.7548776662 + 0.5) % 1.0 - 0.5


def time_layout(G: nx.DiGraph, *, lineage_order: Sequence[str] | None = None,
                strongest: Mapping[Hashable, str | None] | None = None, _columns: bool = False
                ) -> dict[Hashable, Position]:
    """Positions with x by year and y by lineage band (the node's strongest lineage).

    Parameters
    ----------
    G : nx.DiGraph
        Nodes may carry ``year`` (int or None) and ``lineages`` ({name: score}); missing keys are fine.
    lineage_order : sequence of str, optional
        Bands top to bottom; by default the order of ``G.graph["lineages"]``, then by name. Nodes with no
        lineage go to a last band.
    strongest : mapping, optional
        node → strongest lineage, when the caller already has it (:func:`strongest_by_node`).

    Returns
    -------
    dict
        node → (x, y). Undated nodes are placed in a column left of the earliest year.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("old", year=1990, lineages={"a": 1.0})
    >>> G.add_node("new", year=2020, lineages={"a": 1.0})
    >>> G.add_node("other", year=2020, lineages={"b": 1.0})
    >>> G.add_node("undated", year=None, lineages={})
    >>> pos = time_layout(G)
    >>> pos["old"][0] < pos["new"][0]
    True
    >>> pos["undated"][0] < pos["old"][0]
    True
    >>> pos["new"][1] < pos["other"][1] < pos["undated"][1]  # bands a, b, unassigned top to bottom
    True
    >>> time_layout(G) == pos
    True
    >>> len(set(time_layout(nx.DiGraph([(i, i + 1) for i in range(100)])).values()))  # no overlaps
    101
    """
    strongest = strongest if strongest is not None else strongest_by_node(G)
    bands = lineage_bands(G, lineage_order, strongest=strongest)
    band_index = {name: i for i, name in enumerate(bands)}
    cells: dict[tuple[int, int | None], list[Hashable]] = defaultdict(list)
    years: set[int] = set()
    for node, d in G.nodes(data=True):
        year = d.get("year")
        ok = isinstance(year, (int, float)) and not isinstance(year, bool) and math.isfinite(year)
        year = int(year) if ok else None
        if year is not None:
            years.add(year)
        lineage = strongest[node]
        band = band_index.get(lineage, len(bands)) if lineage is not None else len(bands)
        cells[(band, year)].append(node)
    if not cells:
        return ([], [], []) if _columns else {}  # type: ignore[return-value]
    # An honest axis: from the first year of the main body of papers (:func:`time_axis_start`) every year
    # takes the same width, empty years too; the few older years are compressed into one column each,
    # left of a break (one 1952 paper must not squeeze 2020-2025 into a corner). A cell is a tall grid,
    # about 4 rows per column, so that crowded recent years grow downwards within their band.
    shape = {key: _cell_shape(len(members)) for key, members in cells.items()}
    col_w = (max(c for c, _ in shape.values()) + 1.5) * CELL_SPACING
    start = time_axis_start([y for (_, y), members in cells.items() if y is not None for _ in members])
    old = sorted(y for y in years if y < start)
    linear = max(years, default=start) - start + 1
    step = max(min(1.0, 0.3 * linear / len(old)), 2 * CELL_SPACING / col_w) if old else 1.0  # ≤ 30 % of the axis
    rank: dict[int, float] = {y: i * step for i, y in enumerate(old)}
    base = (len(old) - 1) * step + 2.0 if old else 0.0
    rank.update({y: base + (y - start) for y in years if y >= start})
    n_bands = max(b for b, _ in cells) + 1
    band_h = [0.0] * n_bands
    for (band, _), (_, rows) in shape.items():
        band_h[band] = max(band_h[band], (rows + 2.0) * CELL_SPACING)
    band_y, acc = [], 0.0
    for h in band_h:
        band_y.append(acc + h / 2)
        acc += h
    # plain float columns first, one tuple per node at the end: few objects survive (no cyclic GC work)
    order: list[Hashable] = []
    xs: list[float] = []
    ys: list[float] = []
    for (band, year), members in cells.items():
        x0 = rank[year] * col_w if year is not None else -1.5 * col_w
        y0 = band_y[band]
        members.sort(key=str)
        cols, rows = shape[(band, year)]
        for i, node in enumerate(members):
            r, c = divmod(i, cols)
            jx, jy = _spread(i)
            order.append(node)
            xs.append(x0 + (c - (cols - 1) / 2 + jx * 0.4) * CELL_SPACING)
            ys.append(y0 + (r - (rows - 1) / 2 + jy * 0.4) * CELL_SPACING)
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    k = max(1.0, 0.55 * width / height) if height > 0 else 1.0  # height ≈ 0.55 × width: never a flat line
    xs = [round(x, 1) for x in xs]
    ys = [round(y * k, 1) for y in ys]
    if _columns:
        return order, xs, ys  # type: ignore[return-value]
    return dict(zip(order, zip(xs, ys, strict=True), strict=True))


def time_columns(G: nx.DiGraph, *, lineage_order: Sequence[str] | None = None,
                 strongest: Mapping[Hashable, str | None] | None = None
                 ) -> tuple[list[Hashable], list[float], list[float]]:
    """:func:`time_layout` as three columns ``(nodes, xs, ys)``: no tuple per node (the page builder
    needs only the numbers, and 20,000 tuples would be 20,000 more objects for the cyclic GC).

    >>> G = nx.DiGraph([("b", "a")]); G.add_node("a", year=2001); G.add_node("b", year=2003)
    >>> nodes, xs, ys = time_columns(G)
    >>> dict(zip(nodes, zip(xs, ys))) == time_layout(G)
    True
    """
    pos = time_layout(G, lineage_order=lineage_order, strongest=strongest, _columns=True)
    return pos  # type: ignore[return-value]


def time_axis_start(years: Sequence[int], *, quantile: float = 0.05) -> int:
    """First year of the linear part of the full view's time axis: the year below which lie at most
    ``quantile`` of the papers (older years are compressed left of a break). ``years`` has one entry
    per dated paper; 0 when empty.

    Examples
    --------
    >>> time_axis_start([1952] + [2015 + i % 10 for i in range(99)])
    2015
    >>> time_axis_start([2001, 2003, 2020]), time_axis_start([])
    (2001, 0)
    """
    if not years:
        return 0
    ys = sorted(years)
    return ys[min(len(ys) - 1, int(len(ys) * quantile))]


def _cell_shape(n: int) -> tuple[int, int]:
    """Columns and rows of a cell of n nodes: about four rows per column.

    >>> _cell_shape(1), _cell_shape(16), _cell_shape(100)
    ((1, 1), (2, 8), (5, 20))
    """
    cols = max(1, math.ceil(math.sqrt(n / 4)))
    return cols, math.ceil(n / cols)


def force_layout(G: nx.DiGraph, *, seed: int = 42, iterations: int = 50) -> dict[Hashable, Position]:
    """A spring layout (fixed seed, capped iterations) scaled to pixels; backbone + placement for big graphs.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> pos = force_layout(G)
    >>> sorted(pos) == ["a", "b", "c"] and pos == force_layout(G)
    True
    >>> force_layout(nx.DiGraph())
    {}
    >>> big = nx.DiGraph([(i, i // 2) for i in range(1, 1000)]); big.add_node("isolated")
    >>> pos = force_layout(big)
    >>> len(pos) == 1001 and len(set(pos.values())) == 1001 and pos == force_layout(big)
    True
    """
    n = G.number_of_nodes()
    if n == 0:
        return {}
    scale = 40.0 * math.sqrt(n) + 100.0
    if n <= FORCE_MAX_NODES:
        raw = nx.spring_layout(G, seed=seed, iterations=iterations)
        return {node: (round(float(x) * scale, 1), round(float(y) * scale, 1)) for node, (x, y) in raw.items()}
    ranked = sorted(G.nodes, key=lambda v: (-G.degree(v), repr(v)))
    backbone = ranked[:FORCE_MAX_NODES]
    raw = nx.spring_layout(G.subgraph(backbone), seed=seed, iterations=iterations)
    pos: dict[Hashable, Position] = {v: (float(x) * scale, float(y) * scale) for v, (x, y) in raw.items()}
    offset = scale * 0.04
    frontier = list(backbone)
    while frontier:  # breadth-first from the backbone, over both edge directions
        nxt: list[Hashable] = []
        for u in frontier:
            for v in (*G.successors(u), *G.predecessors(u)):
                if v in pos:
                    continue
                placed = [pos[w] for w in (*G.successors(v), *G.predecessors(v)) if w in pos]
                mx = sum(p[0] for p in placed) / len(placed)
                my = sum(p[1] for p in placed) / len(placed)
                angle = (_jitter(v, 3) + 0.5) * 2 * math.pi
                radius = offset * (0.5 + _jitter(v, 4) + 0.5)
                pos[v] = (mx + radius * math.cos(angle), my + radius * math.sin(angle))
                nxt.append(v)
        frontier = nxt
    rest = sorted((v for v in G.nodes if v not in pos), key=repr)
    if rest:
        cols = math.ceil(math.sqrt(len(rest)))
        x0 = max(p[0] for p in pos.values()) + 4 * CELL_SPACING
        y0 = min(p[1] for p in pos.values())
        for i, v in enumerate(rest):
            r, c = divmod(i, cols)
            pos[v] = (x0 + c * CELL_SPACING * 2, y0 + r * CELL_SPACING * 2)
    return _distinct(pos)


def _distinct(pos: dict[Hashable, Position]) -> dict[Hashable, Position]:
    """Round to 0.1 px and nudge any node that lands exactly on an earlier one."""
    out: dict[Hashable, Position] = {}
    taken: set[Position] = set()
    for v, (x, y) in pos.items():
        p = (round(x, 1), round(y, 1))
        while p in taken:
            p = (round(p[0] + CELL_SPACING / 2, 1), p[1])
        taken.add(p)
        out[v] = p
    return out


# --------------------------------------------------------------------------------------------------
# the lineage view: honest time axis, layered placement, no label overlaps

#: Advance widths of ASCII 32..126 in Liberation Sans / Arial / Helvetica, in 1/1000 em.
_ADVANCE = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
)
_EXTRA_ADVANCE = {"·": 278, "…": 1000, "–": 556, "—": 1000, "’": 222, "‘": 222, "“": 333, "”": 333}
#: Space kept between two boxes, and the label's extra width (rounding, kerning, font fallbacks), in px.
BOX_GAP = 4.0
#: Room (px) kept between the canvas edge and the first / last year band, for the labels of edge papers.
_EDGE_PAD = 45.0
#: Text of the marker drawn on a declared arrow with no citation behind it.
NONE_MARKER = "declared, no citation found"


def text_width(text: str, size: float) -> float:
    """Width in px of ``text`` drawn at ``size`` px in Arial-metric fonts; non-ASCII counts 1 em (safe side).

    >>> text_width("Rafailov 2023", 10)
    61.14
    >>> text_width("", 13), text_width("日本", 10)
    (0.0, 20.0)
    """
    total = 0
    for ch in text:
        o = ord(ch)
        total += _ADVANCE[o - 32] if 32 <= o < 127 else _EXTRA_ADVANCE.get(ch, 1000)
    return round(total * size / 1000, 2)


def label_lines(label: str) -> list[str]:
    """A view label on two lines ("Surname YEAR" / "alias-or-short-title"), split at its first " · ".

    >>> label_lines("Rafailov 2023 · dpo"), label_lines("arxiv:1")
    (['Rafailov 2023', 'dpo'], ['arxiv:1'])
    """
    return label.split(" · ", 1) if " · " in label else [label]


def lineage_node_size(local_citations: int, role: str = "other") -> float:
    """vis-network ``size`` (radius, px) of a paper of the lineage view from its local citation score.

    >>> lineage_node_size(0), lineage_node_size(7), lineage_node_size(0, "seed"), lineage_node_size(10**6)
    (7.0, 16.0, 12.0, 22.0)
    """
    s = min(7.0 + 3.0 * math.log2(1 + max(0, int(local_citations))), 22.0)
    return round(max(s, 12.0) if role == "seed" else s, 1)


def _frac_time(d: Mapping[str, Any]) -> float | None:
    """Publication time as a fractional year: mid-month from a new-style arXiv id of the same year, else mid-year.

    >>> _frac_time({"year": 2024, "arxiv_id": "2402.03300"}), _frac_time({"year": 2018, "arxiv_id": "1706.06978"})
    (2024.125, 2018.5)
    >>> _frac_time({"year": None}) is None
    True
    """
    y = d.get("year")
    if isinstance(y, bool) or not isinstance(y, (int, float)) or not math.isfinite(y):
        return None
    y = int(y)
    a = d.get("arxiv_id")
    if isinstance(a, str) and len(a) >= 4 and a[:4].isdigit() and 2000 + int(a[:2]) == y and 1 <= int(a[2:4]) <= 12:
        return y + (int(a[2:4]) - 0.5) / 12
    return y + 0.5


@dataclass
class LineageLayout:
    """Positions and axis of the lineage view (vis-network px; the canvas is ``[0, width] × [0, height]``)."""

    pos: dict[Hashable, Position]
    """Node → (x, y) centre."""
    width: float
    """Width of the laid-out canvas (the page fits it to the screen)."""
    height: float
    """Height of the laid-out canvas."""
    years: list[tuple[float, float, int]]
    """``(x0, x1, year)``: the band of each year on the linear part of the axis; every paper of that year
    has its x inside it, and the tick is drawn at its centre."""
    zone: tuple[float, float, str] | None
    """``(x0, x1, caption)`` of the compressed zone of old (and undated) papers left of the axis break."""
    markers: dict[tuple[Hashable, Hashable], Position]
    """Declared arrow ``(a, b)`` with verdict "none" → centre of its :data:`NONE_MARKER` text."""
    boxes: dict[Hashable, tuple[float, float, float, float]]
    """Node → the (x0, y0, x1, y1) box its shape and label were estimated to take."""
    labels: dict[Hashable, str]
    """Node → its label as drawn: one line, or two ("Surname YEAR" / alias-or-title) when one is too wide."""
    hidden: list[Hashable]
    """Papers that found no room (never a seed); they are not in ``pos``."""
    font_size: float
    """Label font size the boxes were measured with."""
    top: float
    """y below which papers are placed (above it: the axis labels)."""


def _time_scale(times: Iterable[float | None], seed_times: Iterable[float | None], max_linear_years: int
                ) -> tuple[int | None, int | None, list[int], bool]:
    """``(first linear year B, last year, old years compressed left of the break, any undated)``.

    >>> _time_scale([1952.5, 2014.5, 2017.5, 2025.5], [2014.5, 2017.5], 12)
    (2014, 2025, [1952], False)
    >>> _time_scale([2020.5, 2024.5, None], [], 12)
    (2020, 2024, [], True)
    """
    years = sorted({int(t) for t in times if t is not None})
    undated = any(t is None for t in times)
    if not years:
        return None, None, [], undated
    lo, hi = years[0], years[-1]
    start = lo if hi - lo + 1 <= max_linear_years else hi + 1 - max_linear_years
    seeds = [int(t) for t in seed_times if t is not None]
    if seeds:
        start = min(start, min(seeds))
    return start, hi, [y for y in years if y < start], undated


def _free_y(placed: list[tuple[float, float, float, float]], x0: float, x1: float, dy0: float, dy1: float,
            lo: float, hi: float, want: float, gap: float) -> float | None:
    """The y closest to ``want`` in [lo, hi] at which the box [x0, x1] × [y + dy0, y + dy1] keeps ``gap``
    from every placed box; None when there is none.

    >>> _free_y([(0, 0, 10, 10)], 0, 10, -5, 5, 0, 100, 5, 2)
    17.0
    >>> _free_y([(0, 0, 10, 100)], 0, 10, -5, 5, 0, 100, 5, 2) is None
    True
    """
    if lo > hi:
        return None
    blocked = sorted((b0 - dy1 - gap, b1 - dy0 + gap) for a0, b0, a1, b1 in placed
                     if a0 < x1 + gap and a1 > x0 - gap)
    best: float | None = None
    cur = lo
    segments: list[tuple[float, float]] = []
    for s, e in blocked:
        if e <= cur:
            continue
        if s > cur:
            segments.append((cur, min(s, hi)))
        cur = e
        if cur > hi:
            break
    if cur <= hi:
        segments.append((cur, hi))
    for s, e in segments:
        if s > e:
            continue
        y = min(max(want, s), e)
        if best is None or abs(y - want) < abs(best - want):
            best = y
    return None if best is None else float(best)


def lineage_layout(
    H: nx.DiGraph,
    stages: Sequence[Sequence[Hashable]] | None = None,
    width: float = 1160.0,
    height: float = 820.0,
    *,
    font_size: float | None = None,
    margin: float = 16.0,
    max_linear_years: int = 9,
    grow: Sequence[float] = (1.0, 1.12, 1.25, 1.4, 1.6, 1.8),
) -> LineageLayout:
    """Deterministic layered placement of the lineage view: x = publication time, no box overlaps.

    x is time on an honest scale: every year of the linear part takes the same width (the paper's month,
    from its arXiv id, places it inside its year); years older than the linear part (at most
    ``max_linear_years`` wide, but always holding every seed) and undated papers go to one compressed
    zone at the left, drawn with a labelled axis break. Papers are placed one by one, seeds first in
    stage order along the middle line, then the others (in ``H``'s node order, the view's priority)
    as close as possible to the mean height of their placed neighbours, each at the free spot inside its
    year band nearest that height: a paper's box (its shape plus its label, measured from the font
    metrics) never overlaps another box, and every box stays inside the canvas. When the papers do not
    fit, filler papers (``view_role`` "other") are left out (``hidden``); when a paper of the lineage does
    not fit, the canvas grows by the factors in ``grow`` (the page then shows it smaller); at the largest,
    papers that still find no room are left out too, never a seed.

    Parameters
    ----------
    H : nx.DiGraph
        The view (:func:`graph.present.lineage_view.build_lineage_view`): nodes with ``year``,
        ``label``, ``view_role`` and ``local_citations``; edges with ``declared`` / ``verdict``.
    stages : sequence of sequence, optional
        Declared stages (default ``H.graph["view_stages"]``).
    width, height : float
        Canvas size the layout is made for, in px.
    font_size : float, optional
        Label font size (default :data:`graph.present.style.LABEL_FONT` size).

    Returns
    -------
    LineageLayout

    Examples
    --------
    >>> H = nx.DiGraph([("b", "a"), ("c", "b"), ("x", "a")])
    >>> for n, y in {"a": 2017, "b": 2019, "c": 2021, "x": 1990}.items():
    ...     H.add_node(n, year=y, label=f"Smith {y} · {n}", view_role="seed" if n != "x" else "other")
    >>> L = lineage_layout(H, [["a"], ["b"], ["c"]])
    >>> L.pos["a"][0] < L.pos["b"][0] < L.pos["c"][0] and L.pos["x"][0] < L.pos["a"][0]
    True
    >>> L.zone[2], [y for _, _, y in L.years][:2]
    ('1990', [2013, 2014])
    >>> all(x0 <= L.pos[n][0] <= x1 for n in "abc" for x0, x1, y in L.years if y == H.nodes[n]["year"])
    True
    >>> lineage_layout(H, [["a"], ["b"], ["c"]]) == L
    True
    """
    from graph.present.style import LABEL_FONT

    fs = float(font_size or LABEL_FONT["size"])
    stages = list(stages if stages is not None else H.graph.get("view_stages") or [])
    out: LineageLayout | None = None
    for i, k in enumerate(grow):
        out = _lineage_try(H, stages, width * k, height * k, fs, margin, max_linear_years, last=i == len(grow) - 1)
        if out is not None:
            break
    assert out is not None  # the last try always returns
    return out


def _lineage_try(H: nx.DiGraph, stages: list[Sequence[Hashable]], W: float, Hh: float, fs: float, margin: float,
                 max_linear_years: int, *, last: bool) -> LineageLayout | None:
    stage_of = {k: i for i, s in enumerate(stages) for k in s}
    times = {n: _frac_time(d) for n, d in H.nodes(data=True)}
    seeds = [n for n, d in H.nodes(data=True) if d.get("view_role") == "seed" or n in stage_of]
    start, end, old_years, undated = _time_scale(times.values(), [times[s] for s in seeds], max_linear_years)
    top = margin + fs * 2.4  # axis labels above
    bottom = Hh - margin
    left, right = margin, W - margin
    # compressed zone (old + undated), then the break, then the linear years
    slots: list[Any] = (["undated"] if undated else []) + old_years
    zone = None
    slot_band: dict[Any, tuple[float, float]] = {}
    x_lin = left
    if slots:
        old_nodes = [n for n, t in times.items() if t is None or int(t) < (start or 0)]
        widest = max((text_width(t, fs) for n in old_nodes for t in label_lines(str(H.nodes[n].get("label") or n))),
                     default=0.0)
        zw = min(0.2 * (right - left), max(widest * 1.04 + 20.0, 60.0 + 50.0 * len(slots)))
        for i, s in enumerate(slots):
            slot_band[s] = (left + i * zw / len(slots), left + (i + 1) * zw / len(slots))
        parts = [str(y) for y in old_years]
        span = (parts[0] if len(parts) == 1 else f"{parts[0]}–{parts[-1]}") if parts else ""
        caption = " · ".join(p for p in (span, "undated" if undated else "") if p)
        zone = (left, left + zw, caption)
        x_lin = left + zw + 28.0
    else:
        x_lin = left + _EDGE_PAD
    years: list[tuple[float, float, int]] = []
    yw = 0.0
    if start is not None and end is not None:
        yw = (right - _EDGE_PAD - x_lin) / (end + 1 - start)
        years = [(round(x_lin + (y - start) * yw, 1), round(x_lin + (y - start + 1) * yw, 1), y)
                 for y in range(start, end + 1)]

    def band_of(n: Hashable) -> tuple[float, float, float]:
        t = times[n]
        if t is None:
            a, b = slot_band["undated"]
            return zone[0], zone[1], (a + b) / 2
        if start is not None and int(t) >= start:
            return x_lin + (int(t) - start) * yw, x_lin + (int(t) - start + 1) * yw, x_lin + (t - start) * yw
        a, b = slot_band[int(t)]
        return zone[0], zone[1], (a + b) / 2  # anywhere in the compressed zone, near its year's slot

    # geometry of each node: box relative to its centre
    geo: dict[Hashable, tuple[float, float, float, float]] = {}
    texts: dict[Hashable, str] = {}
    for n, d in H.nodes(data=True):
        role = d.get("view_role") or "other"
        s = lineage_node_size(d.get("local_citations") or 0, role)
        label = str(d.get("label") or n)
        x0, x1, _ = band_of(n)
        lines = [label] if text_width(label, fs) <= max(110.0, 0.9 * (x1 - x0)) else label_lines(label)
        texts[n] = "\n".join(lines)
        lw = max(text_width(line, fs) for line in lines) * 1.04 + 4
        e = 1.2 * s + 1  # vis-network draws stars and triangles a little beyond ``size``, plus the border
        half = max(e, lw / 2)
        geo[n] = (-half, -e, half, max(e, s + fs / 2 + 4 + fs * len(lines) + 3))  # label under the shape
    mw = text_width(NONE_MARKER, fs - 1) * 1.04 + 6

    order = sorted(seeds, key=lambda n: (stage_of.get(n, len(stages)), times[n] or 0.0, str(n)))
    rest = [n for n in H if n not in set(order)]
    mid = (top + bottom) / 2
    placed: list[tuple[float, float, float, float]] = []
    pos: dict[Hashable, Position] = {}
    boxes: dict[Hashable, tuple[float, float, float, float]] = {}
    hidden: list[Hashable] = []
    nbrs = {n: set(H.predecessors(n)) | set(H.successors(n)) for n in H}

    def place(x_lo: float, x_hi: float, xp: float, box: tuple[float, float, float, float], yp: float
              ) -> tuple[float, float] | None:
        dx0, dy0, dx1, dy1 = box
        lo, hi = max(x_lo, left - dx0), min(x_hi, right - dx1)
        if lo > hi:
            return None
        xp = min(max(xp, lo), hi)
        step = max(6.0, (hi - lo) / 14)
        cands = [xp]
        j = 1
        while xp - j * step >= lo or xp + j * step <= hi:
            cands += [x for x in (xp - j * step, xp + j * step) if lo <= x <= hi]
            j += 1
        best: tuple[float, float, float] | None = None
        for x in cands:
            y = _free_y(placed, x + dx0, x + dx1, dy0, dy1, top - dy0, bottom - dy1, yp, BOX_GAP)
            if y is None:
                continue
            cost = abs(y - yp) + 1.5 * abs(x - xp)
            if best is None or cost < best[0] - 1e-9:
                best = (cost, x, y)
        return None if best is None else (best[1], best[2])

    for n in order + rest:
        x0, x1, xp = band_of(n)
        g = geo[n]
        if n in order:
            yp = mid - (g[1] + g[3]) / 2
        else:
            ys = [pos[m][1] for m in nbrs[n] if m in pos]
            yp = sum(ys) / len(ys) if ys else mid - (g[1] + g[3]) / 2
        if zone is not None and x1 <= zone[1] + 0.01:  # the compressed zone: the whole box stays inside it
            x0, x1 = x0 - g[0], x1 - g[2]
        inset = min(3.0, (x1 - x0) / 4)
        spot = place(x0 + inset, x1 - inset, xp, g, yp)
        if spot is None:
            if n in order and last:  # a seed is always shown: at its preferred spot
                spot = (min(max(xp, x0), x1), yp)
            elif n in order or (not last and H.nodes[n].get("view_role") not in (None, "other")):
                return None  # a seed or a paper of the lineage does not fit: try a larger canvas
            else:  # a filler paper does not fit (or nothing fits at the largest canvas): leave it out
                hidden.append(n)
                continue
        x, y = round(spot[0], 1), round(spot[1], 1)
        pos[n] = (x, y)
        boxes[n] = (x + g[0], y + g[1], x + g[2], y + g[3])
        placed.append(boxes[n])
    markers: dict[tuple[Hashable, Hashable], Position] = {}
    for a, b, d in H.edges(data=True):
        if not d.get("declared") or d.get("verdict") != "none" or a not in pos or b not in pos:
            continue
        (xa, ya), (xb, yb) = pos[a], pos[b]
        box = (-mw / 2, -fs / 2 - 2, mw / 2, fs / 2 + 2)
        spot = place(min(xa, xb), max(xa, xb), (xa + xb) / 2, box, (ya + yb) / 2)
        if spot is not None and abs(spot[1] - (ya + yb) / 2) <= 40 + abs(ya - yb) / 2:  # on, or near, the arrow
            markers[(a, b)] = (round(spot[0], 1), round(spot[1], 1))
            placed.append((spot[0] + box[0], spot[1] + box[1], spot[0] + box[2], spot[1] + box[3]))
    return LineageLayout(pos=pos, width=round(W, 1), height=round(Hh, 1), years=years, zone=zone, markers=markers,
                         boxes=boxes, labels=texts, hidden=hidden, font_size=fs, top=round(top, 1))
