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
from collections.abc import Hashable, Mapping, Sequence

import networkx as nx

from graph.present.lineage_layout import (
    BOX_GAP,
    NONE_MARKER,
    LineageLayout,
    label_lines,
    lineage_layout,
    lineage_node_size,
    text_width,
)

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
