"""The lineage view's layout: x = publication time on an honest scale, a deterministic layered placement
with collision resolution so that no label box overlaps another label or paper, nothing outside the canvas.

:func:`lineage_layout` is re-exported by :mod:`graph.present.layout`. Label boxes are estimated from the
font metrics (:func:`text_width`, Arial / Liberation Sans advance widths, the font the page draws with:
:data:`graph.present.style.LABEL_FONT`) and vis-network's own label placement under a shape (top at
``y + size + font/2 + 4``, one font size per line); ``tests/test_browser_lineage.py`` measures the real
boxes in Chromium.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

__all__ = ["BOX_GAP", "NONE_MARKER", "LineageLayout", "label_lines", "lineage_layout", "lineage_node_size",
           "text_width"]

Position = tuple[float, float]


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
#: Share of the papers the layout may leave out (filler papers only) before it grows the canvas instead.
_HIDE_AT_MOST = 0.3
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
    fit, filler papers (``view_role`` "other", at most a fifth of the view) are left out (``hidden``);
    when a paper of the lineage, or more filler papers, do not fit, the canvas grows by the factors in
    ``grow`` (the page then shows it smaller); at the largest, papers that still find no room are left
    out too, never a seed.

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
            elif not last and len(hidden) + 1 > _HIDE_AT_MOST * len(H):
                return None  # many asked for (a larger view): smaller text rather than most of them left out
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
