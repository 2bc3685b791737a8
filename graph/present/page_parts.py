"""The pieces of a page that are computed, not copied: colours by year, the time axis, which papers of
the full view are labelled, the region fitted to the screen at first, and everything the lineage view
draws (shapes, styled edges, markers, click reach, legend).

Used by :func:`graph.present.render.render_html`; every string that reaches markup here is a constant
or goes through :func:`html.escape`.
"""

from __future__ import annotations

import heapq
import html
import math
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any

import networkx as nx

from graph.present.layout import NONE_MARKER, LineageLayout, text_width, time_axis_start
from graph.present.page_text import text_of
from graph.present.style import (
    CITATION_STYLE,
    LABEL_FONT,
    MAIN_PATH_STYLE,
    VERDICT_STYLES,
    VIEW_ROLES,
    YEAR_STOPS,
)

__all__ = ["TOP_LABELS", "ColumnPositions", "Rows", "declared_title", "declutter", "fit_box", "legend_html",
           "lineage_payload", "mid", "mix", "time_axis", "top_cited", "vis_options", "year_color", "zoom_k"]

#: Papers labelled in the time and force layouts besides focus/highlighted papers and seeds: this many of
#: the most cited inside the graph (local citation score).
TOP_LABELS = 15
_YEAR_STOPS = YEAR_STOPS


def mix(a: str, b: str, t: float) -> str:
    ra, ga, ba = int(a[1:3], 16), int(a[3:5], 16), int(a[5:7], 16)
    rb, gb, bb = int(b[1:3], 16), int(b[3:5], 16), int(b[5:7], 16)
    r, g, b_ = round(ra + (rb - ra) * t), round(ga + (gb - ga) * t), round(ba + (bb - ba) * t)
    return f"#{r:02x}{g:02x}{b_:02x}"


def year_color(year: int, lo: int, hi: int) -> str:
    if hi <= lo:
        return _YEAR_STOPS[-1]
    pos = (year - lo) / (hi - lo) * (len(_YEAR_STOPS) - 1)
    i = min(int(pos), len(_YEAR_STOPS) - 2)
    return mix(_YEAR_STOPS[i], _YEAR_STOPS[i + 1], pos - i)


def mid(v: list[float]) -> float:
    """The median (upper middle) of a non-empty list, rounded to 0.1."""
    v = sorted(v)
    return round(v[len(v) // 2], 1)


def time_axis(nodes: list[Hashable], years: list[int | None], xs: list[float], ys: list[float],
               strongest: Mapping[Hashable, str | None]) -> dict[str, Any]:
    """Year ticks above the columns and lineage names above the bands of the time layout (drawn on the
    canvas with ``fillText``, so names are text, never markup).

    >>> ax = time_axis(["a", "b"], [2017, 2020], [0.0, 50.0], [0.0, 30.0], {"a": "x", "b": None})
    >>> ax["axis"], ax["bands"], ax["axis_y"] < 0, ax["axis_break"]
    ([[0.0, '2017'], [50.0, '2020']], [[-28.0, 'x']], True, None)
    """
    cols: dict[int, list[float]] = {}
    band_top: dict[str, float] = {}
    for node, year, x, y in zip(nodes, years, xs, ys, strict=True):
        if year is not None:
            cols.setdefault(year, []).append(x)
        name = strongest.get(node)
        if name and y < band_top.get(name, math.inf):
            band_top[name] = y
    start = time_axis_start([y for y in years if y is not None])
    old = [x for y, v in cols.items() if y < start for x in v]
    new = [x for y, v in cols.items() if y >= start for x in v]
    brk = None
    if old and new:
        brk = [round((max(old) + min(new)) / 2, 1), f"{min(y for y in cols if y < start)}–{start - 1} compressed"]
    return {
        "axis_break": brk,
        "axis": [[mid(v), str(y)] for y, v in sorted(cols.items())],
        "axis_y": round(min(ys) - 60.0, 1),
        "bands": [[round(top - 28.0, 1), name] for name, top in sorted(band_top.items(), key=lambda kv: kv[1])],
        "bands_x": round(min(xs), 1),
    }


def legend_html(color_by: str, legend: list[tuple[str, str]], shapes: list[tuple[str, str]]) -> str:
    rows = [f'<span class="lg-title">Colour: {html.escape(color_by)}</span>']
    for label, color in legend:
        rows.append(f'<span class="lg-item"><i style="background:{color}"></i>{html.escape(label)}</span>')
    for glyph, label in shapes:
        rows.append(f'<span class="lg-item"><b>{glyph}</b>{html.escape(label)}</span>')
    return '<div id="legend" class="legend">' + "".join(rows) + "</div>"


class ColumnPositions(Mapping[Hashable, tuple[float, float]]):
    """node → (x, y) over position columns (a tuple is made only when one position is asked for).

    >>> p = ColumnPositions({"a": 0}, [1.0], [2.0])
    >>> p["a"], "a" in p, len(p), list(p)
    ((1.0, 2.0), True, 1, ['a'])
    """

    def __init__(self, where: dict[Hashable, int], xs: list[float], ys: list[float]) -> None:
        self.where, self.xs, self.ys = where, xs, ys

    def __getitem__(self, node: Hashable) -> tuple[float, float]:
        i = self.where[node]
        return self.xs[i], self.ys[i]

    def __contains__(self, node: object) -> bool:
        return node in self.where

    def __len__(self) -> int:
        return len(self.where)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.where)


class Rows(Sequence[tuple[Hashable, dict[str, Any]]]):
    """``(node, data)`` rows held as two lists: a list of 20,000 tuples would be 20,000 more objects for
    the cyclic garbage collector to scan (iterating yields tuples that die at once).

    >>> rows = Rows(["a", "b"], [{}, {"x": 1}])
    >>> len(rows), rows[1], [k for k, _ in rows]
    (2, ('b', {'x': 1}), ['a', 'b'])
    """

    def __init__(self, keys: list[Hashable], datas: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.datas = datas

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [(k, d) for k, d in zip(self.keys[i], self.datas[i], strict=True)]
        return self.keys[i], self.datas[i]

    def __iter__(self) -> Iterator[tuple[Hashable, dict[str, Any]]]:
        return zip(self.keys, self.datas, strict=True)


def top_cited(edge_to: list[int], n: int, k: int = TOP_LABELS, *, ranked: bool = False) -> list[int]:
    """Indices of the ``k`` papers most cited inside the graph (in-degree counted from the cited end of
    every edge; ties by position), cited at least once; in index order, or best first with ``ranked``.

    >>> top_cited([1, 1, 2], 3, 2), top_cited([2, 1, 2], 3, 2, ranked=True)
    ([1, 2], [2, 1])
    """
    indeg = [0] * n
    for j in edge_to:
        indeg[j] += 1
    best = [i for i in heapq.nlargest(k, range(n), key=lambda i: (indeg[i], -i)) if indeg[i] > 0]
    return best if ranked else sorted(best)


def zoom_k(xs: list[float], ys: list[float]) -> float:
    """Canvas units per screen px at the initial zoom, estimated for a canvas of about 1100 × 760 px
    (≥ 1: small graphs are not zoomed in). Axis text and labels of the full view are drawn this much
    larger so that they read at about their nominal size.

    >>> zoom_k([0.0, 100.0], [0.0, 50.0]), zoom_k([0.0, 4200.0], [0.0, 100.0])
    (1.0, 4.0)
    """
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    return round(1.0 / min(1.0, 1100.0 / max(w + 200.0, 1.0), 760.0 / max(h + 200.0, 1.0)), 3)


def declutter(candidates: list[int], texts: Mapping[int, str], xs: list[float], ys: list[float],
               font: float) -> list[int]:
    """The candidates (best first) whose label box, drawn under the node at ``font`` canvas units, overlaps
    no label kept before it; returned in index order.

    >>> declutter([0, 1, 2], {0: "Alpha 2020", 1: "Beta 2021", 2: "Gamma 2022"}, [0.0, 5.0, 500.0], [0.0] * 3, 14)
    [0, 2]
    """
    kept: list[tuple[float, float, float, float]] = []
    out = []
    for i in candidates:
        half = text_width(texts[i], font) / 2 + font * 0.3
        box = (xs[i] - half, ys[i] + font * 0.2, xs[i] + half, ys[i] + font * 1.9)
        if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in kept):
            continue
        kept.append(box)
        out.append(i)
    return sorted(out)


def fit_box(payload: Mapping[str, Any], labels: list[list[Any]]) -> dict[str, float]:
    """The region the page fits to the screen at first: every node, room for labels, the axis above.

    >>> fit_box({"x": [0.0, 100.0], "y": [0.0, 50.0]}, [])  # small: 1 px = 1 canvas unit
    {'x0': -30.0, 'y0': -30.0, 'x1': 130.0, 'y1': 80.0}
    """
    xs, ys = payload["x"], payload["y"]
    if not xs:
        return {"x0": -100.0, "y0": -100.0, "x1": 100.0, "y1": 100.0}
    k = zoom_k(xs, ys)
    pad = 30.0 * k
    label_w = 110.0 * k if labels else 0.0
    y0 = min(ys) - pad
    if "axis_y" in payload:
        y0 = min(ys) - 60.0 * k
    return {"x0": round(min(xs) - pad - label_w / 2, 1), "y0": round(y0, 1),
            "x1": round(max(xs) + pad + label_w / 2, 1), "y1": round(max(ys) + pad + (24.0 * k if labels else 0.0), 1)}


def declared_title(G: nx.DiGraph, a: Hashable, b: Hashable, d: Mapping[str, Any]) -> str:
    """Plain-text tooltip of a declared arrow (a → b: b builds on a)."""
    def name(k: Hashable) -> str:
        nd = G.nodes[k]
        return text_of(nd.get("alias")) or text_of(nd.get("label")) or str(k)

    verdict = d.get("verdict")
    if verdict == "direct":
        what = f"{name(b)} cites {name(a)}"
    elif verdict == "path":
        via = [name(x) if x in G else str(x) for x in d.get("via") or ()]
        what = f"{name(b)} cites {name(a)} through " + ", ".join(via[:4])
    else:
        what = NONE_MARKER
    note = text_of(d.get("note"))
    return f"declared: {name(a)} → {name(b)}\n{what}" + (f"\n{note}" if note else "")


def lineage_payload(G: nx.DiGraph, lin: LineageLayout, rows: Sequence[tuple[Hashable, dict[str, Any]]],
                     index: Mapping[Hashable, int], payload: dict[str, Any], edge_from: list[int],
                     edge_to: list[int], color_by: str) -> str:
    """Fill ``payload`` with what the lineage view draws (shapes, labels, styled edges, axis, markers,
    reach for the click highlight) and return its legend as HTML."""
    roles = [d.get("view_role") if d.get("view_role") in VIEW_ROLES else "other" for _, d in rows]
    payload["mode"] = "lineage"
    payload["shape"] = [VIEW_ROLES[r]["shape"] for r in roles]
    payload["border"] = [VIEW_ROLES[r]["border"] for r in roles]
    payload["vrole"] = roles
    payload["font"] = {"face": LABEL_FONT["face"], "size": lin.font_size}
    payload["view"] = {"x0": 0.0, "y0": 0.0, "x1": lin.width, "y1": lin.height}
    payload["years"] = [[x0, x1, str(y)] for x0, x1, y in lin.years]
    payload["zone"] = list(lin.zone) if lin.zone else None
    payload["axis_top"] = lin.top
    kinds: list[str] = []
    titles: list[str | None] = []

    def add(i: int, j: int, kind: str, title: str | None = None) -> None:
        edge_from.append(i)
        edge_to.append(j)
        kinds.append(kind)
        titles.append(title)

    direct = {(b, a) for a, b, d in G.edges(data=True) if d.get("declared") and d.get("verdict") == "direct"}
    cite = nx.DiGraph()
    cite.add_nodes_from(index)
    for u, v, d in G.edges(data=True):
        if u not in index or v not in index:
            continue
        if d.get("citation", not d.get("declared")):
            cite.add_edge(u, v)
        if d.get("declared") and not d.get("main_path"):
            continue
        if (u, v) in direct and not d.get("main_path"):
            continue  # drawn as the declared arrow
        add(index[u], index[v], "main" if d.get("main_path") else "cite")
    markers: list[list[Any]] = []
    verdicts: set[str] = set()
    n = len(rows)
    for a, b, d in G.edges(data=True):
        if not d.get("declared") or a not in index or b not in index:
            continue
        verdict = d.get("verdict") if d.get("verdict") in VERDICT_STYLES else "none"
        verdicts.add(verdict)
        title = declared_title(G, a, b, d)
        ia, ib = index[a], index[b]
        via = [x for x in d.get("via") or () if x in index][:2] if verdict == "path" else []
        if via:
            for x in via:
                add(ia, index[x], "path", title)
                add(index[x], ib, "path", title)
        elif verdict == "none" and (a, b) in lin.markers:
            x, y = lin.markers[(a, b)]
            mi = n + len(markers)
            markers.append([f"\u2063declared-none-{len(markers)}", x, y, NONE_MARKER, title])
            add(ia, mi, "none-in", title)
            add(mi, ib, "none", title)
        else:
            add(ia, ib, verdict, title)
    payload["ekind"] = kinds
    payload["etitle"] = titles
    payload["markers"] = markers
    seeds = [k for k in G.graph.get("view_seeds") or [] if k in index]
    if not seeds:
        seeds = [k for k, d in rows if d.get("view_role") == "seed"]
    payload["seeds"] = [payload["id"][index[k]] for k in seeds]
    reach = []
    for node, _ in rows:
        reach.append(sorted(index[x] for x in nx.descendants(cite, node) | nx.ancestors(cite, node)))
    payload["reach"] = reach
    payload["estyle"] = {
        "cite": {"color": CITATION_STYLE["color"], "width": CITATION_STYLE["width"]},
        "main": {"color": MAIN_PATH_STYLE["color"], "width": MAIN_PATH_STYLE["width"]},
        **{k: {"color": v["color"], "width": v["width"], "dashes": v["dashes"]} for k, v in VERDICT_STYLES.items()},
    }
    # legend: shapes and colours of the roles shown, then the edge styles
    items = ['<span class="lg-title">Lineage view</span>']
    for r, st in VIEW_ROLES.items():
        if r in roles:
            items.append(f'<span class="lg-item"><b style="color:{st["color"]}">{st["glyph"]}</b>'
                         f'{html.escape(st["legend"])}</span>')
    for v, st in VERDICT_STYLES.items():
        if v in verdicts:
            items.append(f'<span class="lg-item"><b style="color:{st["color"]}">{st["glyph"]}</b>'
                         f'{html.escape(st["legend"])}</span>')
    edge_kinds = set(kinds)
    for kind, st in (("main", MAIN_PATH_STYLE), ("cite", CITATION_STYLE)):
        if kind in edge_kinds:
            items.append(f'<span class="lg-item"><b style="color:{st["color"]}">{st["glyph"]}</b>'
                         f'{html.escape(st["legend"])}</span>')
    items.append('<span class="lg-item lg-hint">x = year · size = citations inside the graph · '
                 'click a paper for its ancestors and descendants</span>')
    if color_by == "year":
        items.insert(1, '<span class="lg-item">colour = year (old dark, new yellow)</span>')
    return '<div id="legend" class="legend">' + "".join(items) + "</div>"


def vis_options(n: int, lineage_font: float | None = None) -> dict[str, Any]:
    """vis-network options: physics off, still; the lineage view (``lineage_font`` given) labels in the
    font its layout measured, with a white halo, and never hides labels at its fitted zoom.

    >>> vis_options(10)["physics"], vis_options(10, 13.0)["nodes"]["font"]["size"]
    ({'enabled': False}, 13.0)
    """
    big = n > 2000
    options: dict[str, Any] = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": big, "hideEdgesOnZoom": big,
                        "keyboard": False, "multiselect": True},
        "nodes": {"shape": "dot", "borderWidth": 1, "font": {"size": 14, "face": "sans-serif"},
                  "scaling": {"label": {"drawThreshold": 6}}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.4}}, "smooth": False, "width": 0.6,
                  "color": {"color": "#8a9199", "highlight": "#222222", "hover": "#444444", "opacity": 0.55},
                  "selectionWidth": 1.5},
    }
    if lineage_font is not None:
        options["nodes"].update(font={"size": lineage_font, "face": LABEL_FONT["face"], "color": "#1d1d1f",
                                      "strokeWidth": 3, "strokeColor": "#ffffff"},
                                borderWidth=1.5, scaling={"label": {"drawThreshold": 3}})
        options["edges"].update(width=1.0, arrows={"to": {"enabled": True, "scaleFactor": 0.5}})
        options["interaction"].update(multiselect=False)
    return options
