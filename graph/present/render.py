"""Render a lineage graph as one self-contained HTML page (vis-network, as bundled by pyvis).

Why not ``pyvis.Network.generate_html``: its template always adds Bootstrap from a CDN, duplicates the
heading, and switches to an ``innerHTML`` popup as soon as any title contains "href"; feeding it through
``from_nx``/``add_edge`` is quadratic (11.2 s for 20k nodes). We take only pyvis' bundled vis-network
9.1.2 (JS + CSS, inlined) and write the page ourselves in one pass over the graph:

- Nothing is loaded from the network: vis-network, its CSS and our JS/CSS are inlined; a
  ``Content-Security-Policy`` meta tag (``default-src 'none'``, scripts only with a per-page nonce)
  blocks every fetch and any script that might still be injected.
- Graph data travels as JSON in ``<script type="application/json">``, with ``<``, ``>``, ``&``, U+2028
  and U+2029 written as ``\\uXXXX`` so no string can close the script element.
- Tooltips are *plain-text* strings: vis-network 9.1.2 renders a string ``title`` with ``innerText``
  (``Popup.setText``), so API text never reaches an HTML parser. Everything else that becomes markup in
  Python (page title, legend labels) goes through :func:`html.escape`; the explorer's details panel is
  built with ``textContent``.
- Positions are precomputed (:mod:`graph.present.layout`) and physics is off: the graph is still at once.

After the first draw the page sets ``window.network`` (the vis ``Network``) and
``window.__lineage = {nodes, edges, stable}`` so front ends and browser tests can check what was drawn.
"""

from __future__ import annotations

import contextlib
import heapq
import html
import importlib.util
import json
import math
import re
import secrets
from collections.abc import Hashable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from graph.core.errors import BadIdError, LineageError
from graph.core.ids import normalize_arxiv, normalize_doi
from graph.present.layout import (
    NONE_MARKER,
    LineageLayout,
    force_layout,
    lineage_bands,
    lineage_layout,
    lineage_node_size,
    strongest_by_node,
    text_width,
    time_axis_start,
    time_columns,
)
from graph.present.lineage_view import short_label
from graph.present.style import (
    CITATION_STYLE,
    GREY,
    LABEL_FONT,
    MAIN_PATH_STYLE,
    PALETTE,
    ROLE_COLORS,
    VERDICT_STYLES,
    VIEW_ROLES,
    YEAR_STOPS,
)

__all__ = [
    "COLOR_BY",
    "HIGHLIGHTS",
    "LAYOUTS",
    "LINEAGE_VIEW_SIZE",
    "SIZE_BY",
    "TOP_LABELS",
    "lineage_pairs",
    "paper_links",
    "render_html",
    "script_safe_json",
]

ColorBy = Literal["lineage", "year", "role"]
SizeBy = Literal["citations", "degree"]
LayoutName = Literal["time", "force", "lineage"]

COLOR_BY: tuple[str, ...] = ("lineage", "year", "role")
SIZE_BY: tuple[str, ...] = ("citations", "degree")
LAYOUTS: tuple[str, ...] = ("time", "force", "lineage")
#: Canvas the lineage layout is made for (width, height in px): beside the explorer's details panel,
#: and alone, in a 1500 × 1000 window.
LINEAGE_VIEW_SIZE: dict[str, tuple[float, float]] = {"explorer": (1180.0, 800.0), "plain": (1460.0, 800.0)}
#: Papers labelled in the time and force layouts: the seeds, highlighted papers and this many of the most
#: cited inside the graph (local citation score); every paper of graphs smaller than that is labelled.
TOP_LABELS = 15
#: Values accepted in ``highlight``, with how they are drawn.
HIGHLIGHTS: dict[str, str] = {
    "missing-ancestor": "diamond, dashed red border",
    "frontier": "triangle, green border",
    "focus": "larger, thick magenta border, labelled",
}

_TEMPLATES = Path(__file__).parent / "templates"
_PALETTE = PALETTE
_GREY = GREY
_ROLE_COLORS = ROLE_COLORS
_YEAR_STOPS = YEAR_STOPS
_HEIGHT = re.compile(r"^\d{1,5}(\.\d+)?(px|%|vh|em|rem)$")
_S2_ID = re.compile(r"^[0-9a-f]{40}$")
_LABEL_ALL_BELOW = 40  # label every node in graphs smaller than this; else seeds, highlighted and the top cited


def script_safe_json(value: Any) -> str:
    """JSON that can sit inside a ``<script>`` element: ``< > &`` U+2028 U+2029 become ``\\uXXXX``.

    Examples
    --------
    >>> script_safe_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> json.loads(script_safe_json(["a\\u2028b"])) == ["a\\u2028b"]
    True
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=str)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def paper_links(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(label, https URL)`` for the paper's arXiv / DOI / S2 ids and landing page, built only from ids
    that validate; anything else (``javascript:``, quotes, spaces) is dropped.

    Examples
    --------
    >>> paper_links({"arxiv_id": "1706.03762", "doi": "10.1/x y", "url": "javascript:alert(1)"})
    [('arXiv', 'https://arxiv.org/abs/1706.03762'), ('Semantic Scholar', 'https://www.semanticscholar.org/arxiv/1706.03762')]
    >>> paper_links({"doi": "10.1145/3.4", "s2_id": "0" * 40, "url": "https://example.org/p?q=1"})[0]
    ('DOI', 'https://doi.org/10.1145/3.4')
    >>> len(paper_links({"doi": "10.1145/3.4", "s2_id": "0" * 40, "url": "https://example.org/p?q=1"}))
    3
    """
    from urllib.parse import quote, urlsplit

    links: list[tuple[str, str]] = []
    arxiv = data.get("arxiv_id")
    if isinstance(arxiv, str):
        with contextlib.suppress(BadIdError):
            links.append(("arXiv", f"https://arxiv.org/abs/{normalize_arxiv(arxiv)}"))
    doi = data.get("doi")
    if isinstance(doi, str):
        with contextlib.suppress(BadIdError):
            links.append(("DOI", "https://doi.org/" + quote(normalize_doi(doi), safe="/.-_;()")))
    s2 = data.get("s2_id")
    if isinstance(s2, str) and _S2_ID.match(s2):
        links.append(("Semantic Scholar", f"https://www.semanticscholar.org/paper/{s2}"))
    elif links and links[0][0] == "arXiv":  # S2 resolves arXiv ids at this address
        links.append(("Semantic Scholar", links[0][1].replace("https://arxiv.org/abs/",
                                                              "https://www.semanticscholar.org/arxiv/")))
    url = data.get("url")
    if isinstance(url, str) and not any(c.isspace() or c in "\"'<>`\\" for c in url):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc and url not in {u for _, u in links}:
            links.append(("Link", url))
    return links


@cache
def _asset(name: str) -> str:
    """Text of a bundled asset: ``vis.js`` / ``vis.css`` from pyvis, anything else from graph/templates."""
    if name in ("vis.js", "vis.css"):
        # pyvis is only the carrier of vis-network 9.1.2: find its files without importing it (importing
        # pyvis pulls in IPython and jinja, about 0.6 s of the app's cold start)
        spec = importlib.util.find_spec("pyvis")
        if spec is None or not spec.origin:
            raise LineageError("pyvis is not installed", hint="pip install pyvis==0.3.2")
        lib = Path(spec.origin).parent / "lib" / "vis-9.1.2"
        text = (lib / ("vis-network.min.js" if name == "vis.js" else "vis-network.css")).read_text(encoding="utf-8")
    else:
        text = (_TEMPLATES / name).read_text(encoding="utf-8")
    if re.search(r"</(script|style)", text, re.I):  # would end the inline element early
        raise LineageError(f"bundled asset {name} contains a closing script/style tag")
    return text


def _mix(a: str, b: str, t: float) -> str:
    ra, ga, ba = int(a[1:3], 16), int(a[3:5], 16), int(a[5:7], 16)
    rb, gb, bb = int(b[1:3], 16), int(b[3:5], 16), int(b[5:7], 16)
    r, g, b_ = round(ra + (rb - ra) * t), round(ga + (gb - ga) * t), round(ba + (bb - ba) * t)
    return f"#{r:02x}{g:02x}{b_:02x}"


def _year_color(year: int, lo: int, hi: int) -> str:
    if hi <= lo:
        return _YEAR_STOPS[-1]
    pos = (year - lo) / (hi - lo) * (len(_YEAR_STOPS) - 1)
    i = min(int(pos), len(_YEAR_STOPS) - 2)
    return _mix(_YEAR_STOPS[i], _YEAR_STOPS[i + 1], pos - i)


def _mid(v: list[float]) -> float:
    """The median (upper middle) of a non-empty list, rounded to 0.1."""
    v = sorted(v)
    return round(v[len(v) // 2], 1)


def _time_axis(nodes: list[Hashable], years: list[int | None], xs: list[float], ys: list[float],
               strongest: Mapping[Hashable, str | None]) -> dict[str, Any]:
    """Year ticks above the columns and lineage names above the bands of the time layout (drawn on the
    canvas with ``fillText``, so names are text, never markup).

    >>> ax = _time_axis(["a", "b"], [2017, 2020], [0.0, 50.0], [0.0, 30.0], {"a": "x", "b": None})
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
        "axis": [[_mid(v), str(y)] for y, v in sorted(cols.items())],
        "axis_y": round(min(ys) - 60.0, 1),
        "bands": [[round(top - 28.0, 1), name] for name, top in sorted(band_top.items(), key=lambda kv: kv[1])],
        "bands_x": round(min(xs), 1),
    }


def _year_of(d: Mapping[str, Any]) -> int | None:
    y = d.get("year")
    return int(y) if isinstance(y, (int, float)) and not isinstance(y, bool) and math.isfinite(y) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _count(value: Any) -> int:
    """A non-negative int from a count attribute (None, bools, NaN and junk count as 0)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        return 0
    return int(value)


def lineage_pairs(value: Any, *, keep_invalid: bool = False) -> list[tuple[str, float]]:
    """``(name, score)`` of a ``lineages`` attribute, strongest first. Non-numeric or non-finite scores
    are dropped, or kept as 0.0 with ``keep_invalid``; anything but a mapping gives ``[]``.

    >>> lineage_pairs({"b": 0.25, "a": 1.0, "c": "x"}), lineage_pairs({"c": float("nan")}, keep_invalid=True)
    ([('a', 1.0), ('b', 0.25)], [('c', 0.0)])
    """
    if not isinstance(value, Mapping):
        return []
    pairs = []
    for name, score in value.items():
        try:
            f = float(score)
        except (TypeError, ValueError):
            f = math.nan
        if math.isfinite(f):
            pairs.append((str(name), f))
        elif keep_invalid:
            pairs.append((str(name), 0.0))
    return sorted(pairs, key=lambda t: (-t[1], t[0]))


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise LineageError(f"unknown {name} {value!r}", hint=f"use one of: {', '.join(allowed)}")


def _legend_html(color_by: str, legend: list[tuple[str, str]], shapes: list[tuple[str, str]]) -> str:
    rows = [f'<span class="lg-title">Colour: {html.escape(color_by)}</span>']
    for label, color in legend:
        rows.append(f'<span class="lg-item"><i style="background:{color}"></i>{html.escape(label)}</span>')
    for glyph, label in shapes:
        rows.append(f'<span class="lg-item"><b>{glyph}</b>{html.escape(label)}</span>')
    return '<div id="legend" class="legend">' + "".join(rows) + "</div>"


class _ColumnPositions(Mapping[Hashable, tuple[float, float]]):
    """node → (x, y) over position columns (a tuple is made only when one position is asked for).

    >>> p = _ColumnPositions({"a": 0}, [1.0], [2.0])
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


class _Rows(Sequence[tuple[Hashable, dict[str, Any]]]):
    """``(node, data)`` rows held as two lists: a list of 20,000 tuples would be 20,000 more objects for
    the cyclic garbage collector to scan (iterating yields tuples that die at once).

    >>> rows = _Rows(["a", "b"], [{}, {"x": 1}])
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


def _top_cited(edge_to: list[int], n: int, k: int = TOP_LABELS, *, ranked: bool = False) -> list[int]:
    """Indices of the ``k`` papers most cited inside the graph (in-degree counted from the cited end of
    every edge; ties by position), cited at least once; in index order, or best first with ``ranked``.

    >>> _top_cited([1, 1, 2], 3, 2), _top_cited([2, 1, 2], 3, 2, ranked=True)
    ([1, 2], [2, 1])
    """
    indeg = [0] * n
    for j in edge_to:
        indeg[j] += 1
    best = [i for i in heapq.nlargest(k, range(n), key=lambda i: (indeg[i], -i)) if indeg[i] > 0]
    return best if ranked else sorted(best)


def _zoom_k(xs: list[float], ys: list[float]) -> float:
    """Canvas units per screen px at the initial zoom, estimated for a canvas of about 1100 × 760 px
    (≥ 1: small graphs are not zoomed in). Axis text and labels of the full view are drawn this much
    larger so that they read at about their nominal size.

    >>> _zoom_k([0.0, 100.0], [0.0, 50.0]), _zoom_k([0.0, 4200.0], [0.0, 100.0])
    (1.0, 4.0)
    """
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    return round(1.0 / min(1.0, 1100.0 / max(w + 200.0, 1.0), 760.0 / max(h + 200.0, 1.0)), 3)


def _declutter(candidates: list[int], texts: Mapping[int, str], xs: list[float], ys: list[float],
               font: float) -> list[int]:
    """The candidates (best first) whose label box, drawn under the node at ``font`` canvas units, overlaps
    no label kept before it; returned in index order.

    >>> _declutter([0, 1, 2], {0: "Alpha 2020", 1: "Beta 2021", 2: "Gamma 2022"}, [0.0, 5.0, 500.0], [0.0] * 3, 14)
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


def _fit_box(payload: Mapping[str, Any], labels: list[list[Any]]) -> dict[str, float]:
    """The region the page fits to the screen at first: every node, room for labels, the axis above.

    >>> _fit_box({"x": [0.0, 100.0], "y": [0.0, 50.0]}, [])  # small: 1 px = 1 canvas unit
    {'x0': -30.0, 'y0': -30.0, 'x1': 130.0, 'y1': 80.0}
    """
    xs, ys = payload["x"], payload["y"]
    if not xs:
        return {"x0": -100.0, "y0": -100.0, "x1": 100.0, "y1": 100.0}
    k = _zoom_k(xs, ys)
    pad = 30.0 * k
    label_w = 110.0 * k if labels else 0.0
    y0 = min(ys) - pad
    if "axis_y" in payload:
        y0 = min(ys) - 60.0 * k
    return {"x0": round(min(xs) - pad - label_w / 2, 1), "y0": round(y0, 1),
            "x1": round(max(xs) + pad + label_w / 2, 1), "y1": round(max(ys) + pad + (24.0 * k if labels else 0.0), 1)}


def _declared_title(G: nx.DiGraph, a: Hashable, b: Hashable, d: Mapping[str, Any]) -> str:
    """Plain-text tooltip of a declared arrow (a → b: b builds on a)."""
    def name(k: Hashable) -> str:
        nd = G.nodes[k]
        return _text(nd.get("alias")) or _text(nd.get("label")) or str(k)

    verdict = d.get("verdict")
    if verdict == "direct":
        what = f"{name(b)} cites {name(a)}"
    elif verdict == "path":
        via = [name(x) if x in G else str(x) for x in d.get("via") or ()]
        what = f"{name(b)} cites {name(a)} through " + ", ".join(via[:4])
    else:
        what = NONE_MARKER
    note = _text(d.get("note"))
    return f"declared: {name(a)} → {name(b)}\n{what}" + (f"\n{note}" if note else "")


def _lineage_payload(G: nx.DiGraph, lin: LineageLayout, rows: Sequence[tuple[Hashable, dict[str, Any]]],
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
        title = _declared_title(G, a, b, d)
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


def render_html(
    G: nx.DiGraph,
    *,
    color_by: ColorBy = "lineage",
    size_by: SizeBy = "citations",
    layout: LayoutName = "time",
    highlight: Mapping[Hashable, str] | None = None,
    height: str = "750px",
    title: str | None = None,
    explorer: bool = False,
    stages: Sequence[Sequence[str]] | None = None,
    view_size: tuple[float, float] | None = None,
) -> str:
    """One self-contained HTML page drawing ``G`` with vis-network (offline, escaped, still).

    Parameters
    ----------
    G : nx.DiGraph
        A graph following the contract (edge u → v: u cites v); missing attributes are tolerated.
    color_by : {"lineage", "year", "role"}
        Node colour: strongest lineage, publication year (viridis, old → new), or role.
    size_by : {"citations", "degree"}
        Node size: log of ``citation_count``, or log of the degree in ``G``.
    layout : {"time", "force", "lineage"}
        Precomputed positions from :func:`graph.present.layout.time_layout` /
        :func:`graph.present.layout.force_layout` / :func:`graph.present.layout.lineage_layout`. ``lineage``
        draws a view made by :func:`graph.present.lineage_view.build_lineage_view`: every paper labelled
        (no label overlaps another label or paper at the initial zoom), shape and colour by ``view_role``,
        size by ``local_citations``, the declared arrows styled by verdict, main-path edges bold, a year
        axis with an optional compressed zone; clicking a paper highlights its ancestors and
        descendants in the view. ``color_by="year"`` colours it by year instead of role.
    highlight : mapping node → kind, optional
        Kinds ``missing-ancestor`` (diamond, dashed border), ``frontier`` (triangle), ``focus`` (thick
        border, labelled). Seeds are always drawn as stars. Nodes not in ``G`` are ignored.
    height : str
        CSS height of the drawing area (``750px``, ``80vh``, ``100%`` …).
    title : str, optional
        Page heading and ``<title>`` (escaped).
    explorer : bool
        Add a search box and a details panel (the offline explorer of :mod:`graph.present.export`); in
        the lineage layout the panel opens on the first seed.
    stages : sequence of sequence of str, optional
        Declared stages for the lineage layout (default ``G.graph["view_stages"]``).
    view_size : (float, float), optional
        Canvas the lineage layout is made for (default :data:`LINEAGE_VIEW_SIZE`); the page fits it to
        the screen.

    Returns
    -------
    str
        The page. It requests nothing from the network.

    Raises
    ------
    LineageError
        On an unknown option value, a bad ``height``, or two nodes whose ``str()`` collide.

    Examples
    --------
    >>> G = nx.DiGraph([("a", "b")])
    >>> G.add_node("a", title="<img src=x onerror=alert(1)>", is_seed=True, year=2020)
    >>> page = render_html(G, title="Demo & co")
    >>> "<img src=x" in page, "Demo &amp; co" in page, "https://" in page.split("<script")[0]
    (False, True, False)
    """
    return _render(G, color_by=color_by, size_by=size_by, layout=layout, highlight=highlight, height=height,
                   title=title, explorer=explorer, stages=stages, view_size=view_size)


def _render(
    G: nx.DiGraph,
    *,
    color_by: ColorBy,
    size_by: SizeBy,
    layout: LayoutName,
    highlight: Mapping[Hashable, str] | None,
    height: str,
    title: str | None,
    explorer: bool,
    stages: Sequence[Sequence[str]] | None = None,
    view_size: tuple[float, float] | None = None,
) -> str:
    _check("color_by", color_by, COLOR_BY)
    _check("size_by", size_by, SIZE_BY)
    _check("layout", layout, LAYOUTS)
    if not isinstance(height, str) or not _HEIGHT.match(height):
        raise LineageError(f"bad height {height!r}", hint="a CSS length such as 750px, 80vh or 100%")
    marks: dict[Hashable, str] = {}
    for node, kind in (highlight or {}).items():
        _check("highlight kind", kind, tuple(HIGHLIGHTS))
        if node in G:
            marks[node] = kind

    strongest = strongest_by_node(G)  # once: the time layout and the lineage colours both need it
    lin: LineageLayout | None = None
    pos: Mapping[Hashable, tuple[float, float]]
    if layout == "lineage":
        size = view_size or LINEAGE_VIEW_SIZE["explorer" if explorer else "plain"]
        lin = lineage_layout(G, stages if stages is not None else G.graph.get("view_stages"), *size)
        pos = lin.pos
        shown = [node for node in G if node in pos]
        rows = _Rows(shown, [G.nodes[node] for node in shown])
    else:
        node_data = G.nodes
        rows = _Rows(list(G), [node_data[node] for node in G])
        if layout == "time":
            order, cx, cy = time_columns(G, strongest=strongest)
            where = {node: i for i, node in enumerate(order)}
            xcol = [cx[where[node]] for node in rows.keys]
            ycol = [cy[where[node]] for node in rows.keys]
            pos = _ColumnPositions(where, cx, cy)
        else:
            pos = force_layout(G)
    if layout != "time":
        xcol = [pos[node][0] for node in rows.keys]
        ycol = [pos[node][1] for node in rows.keys]
    n = len(rows)
    ids = [node if isinstance(node, str) else str(node) for node, _ in rows]
    if len(set(ids)) != n:
        raise LineageError("two nodes have the same string form", hint="use string node keys (graph.core.ids)")
    index = {node: i for i, (node, _) in enumerate(rows)}
    years = [_year_of(d) for _, d in rows]
    dated = [y for y in years if y is not None]
    lo, hi = (min(dated), max(dated)) if dated else (0, 0)

    # colour scheme and legend
    legend: list[tuple[str, str]] = []
    if color_by == "lineage":
        bands = lineage_bands(G, strongest=strongest)
        lineage_color = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(bands)}
        legend.extend(lineage_color.items())
        legend.append(("no lineage", _GREY))
        colors = [lineage_color.get(strongest[node] or "", _GREY) for node, _ in rows]
    elif color_by == "year":
        legend.extend((str(y), _year_color(y, lo, hi)) for y in sorted({lo, (lo + hi) // 2, hi}) if dated)
        legend.append(("undated", _GREY))
        year_color = {y: _year_color(y, lo, hi) for y in set(dated)}
        colors = [year_color[y] if y is not None else _GREY for y in years]
    else:
        legend.extend(_ROLE_COLORS.items())
        colors = [_ROLE_COLORS.get(d.get("role"), _ROLE_COLORS["other"]) for _, d in rows]
    if lin is not None and color_by != "year":  # the lineage view: colour says the role, like the shape
        legend = []
        colors = [VIEW_ROLES.get(d.get("view_role"), VIEW_ROLES["other"])["color"] for _, d in rows]

    if lin is not None:
        weights = []
    elif size_by == "citations":
        weights = [_count(d.get("citation_count")) for _, d in rows]
    else:
        weights = [G.degree(node) for node, _ in rows]
    size_of: dict[int, float] = {}
    sizes = []
    for w in weights:
        s = size_of.get(w)
        if s is None:
            s = size_of[w] = round(min(8.0 + 5.0 * math.log10(1.0 + w), 40.0), 1)
        sizes.append(s)
    if lin is not None:
        sizes = [lineage_node_size(_count(d.get("local_citations", G.in_degree(node))), d.get("view_role") or "other")
                 for node, d in rows]

    # special shapes: seeds (always) and highlighted nodes; sparse [index, kind]
    styles: list[list[Any]] = []
    has = dict.fromkeys(("seed", *HIGHLIGHTS), False)
    for i, (node, d) in enumerate(rows):
        mark = marks.get(node)
        if d.get("is_seed") or d.get("role") == "seed":
            styles.append([i, "seed"])
            has["seed"] = True
        if mark:
            styles.append([i, mark])
            has[mark] = True
    edge_from: list[int] = []
    edge_to: list[int] = []
    if lin is None:
        for u, nbrs in G.adj.items():
            iu = index[u]
            for v in nbrs:
                edge_from.append(iu)
                edge_to.append(index[v])

    label_px = 14.0
    if lin is not None:
        styles = []
        labels = [[i, lin.labels[node]] for i, (node, _) in enumerate(rows)]
    elif n < _LABEL_ALL_BELOW:
        labels = [[i, short_label(d, ids[i])] for i, (_, d) in enumerate(rows)]
    else:
        # the most important papers first: focus, highlighted, the most cited inside the graph, the seeds; a label
        # that would cover one already kept is left to the tooltip
        focus = [i for i, kind in styles if kind == "focus"]
        marked = [i for i, kind in styles if kind in ("missing-ancestor", "frontier")]
        seeds_i = [i for i, kind in styles if kind == "seed"]
        candidates = list(dict.fromkeys([*focus, *marked, *_top_cited(edge_to, n, ranked=True), *seeds_i]))
        texts = {i: short_label(rows[i][1], ids[i]) for i in candidates}
        label_px = round(max(14.0, 12.0 * _zoom_k(xcol, ycol)), 1)
        labels = [[i, texts[i]] for i in _declutter(candidates, texts, xcol, ycol, label_px)]

    wanted = ("title", "authors", "venue", "role", "alias", "citation_count", "lineages")
    cols: dict[str, list[Any]] = {a: [] for a in wanted}
    appenders = [(a, cols[a].append) for a in wanted]
    for _, d in rows:  # one pass over the nodes for all the plain columns
        get = d.get
        for a, append in appenders:
            append(get(a))

    def column(attr: str) -> list[Any]:
        return cols[attr] if attr in cols else [d.get(attr) for _, d in rows]

    payload: dict[str, Any] = {
        "id": ids,
        "x": xcol,
        "y": ycol,
        "size": sizes,
        "color": colors,
        "styles": styles,
        "labels": labels,
        "title": column("title"),
        "authors": column("authors"),
        "year": years,
        "venue": column("venue"),
        "role": column("role"),
        "alias": column("alias"),
        "citations": column("citation_count"),
        "lineages": column("lineages"),
        "from": edge_from,
        "to": edge_to,
    }
    if explorer:
        payload.update(
            abstract=column("abstract"), tldr=column("tldr"), arxiv_id=column("arxiv_id"), doi=column("doi"),
            s2_id=column("s2_id"), kind=column("kind"), marks=[marks.get(node, "") for node, _ in rows],
            links=[paper_links(d) for _, d in rows],
        )
    else:
        # the tooltip shows 3 authors (+ "et al.") and 240 characters of text: send no more than that
        payload["authors"] = [a[:4] if isinstance(a, list) and len(a) > 4 else a for a in payload["authors"]]
        payload["snippet"] = [(_text(d.get("tldr")) or _text(d.get("abstract")))[:240] for _, d in rows]

    shapes = [(glyph, label) for glyph, label, kind in (
        ("★", "seed", "seed"), ("◆", "missing ancestor (dashed)", "missing-ancestor"),
        ("▲", "frontier", "frontier"), ("◎", "focus", "focus"),
    ) if has[kind]]
    shapes.append(("→", "cites"))
    legend_html = _legend_html(color_by, legend, shapes)
    if lin is not None:
        legend_html = _lineage_payload(G, lin, rows, index, payload, edge_from, edge_to, color_by)
    big = n > 2000
    payload["options"] = {
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
    payload["explorer"] = explorer
    if lin is not None:
        payload["options"]["nodes"].update(font={"size": lin.font_size, "face": LABEL_FONT["face"], "color": "#1d1d1f",
                                                 "strokeWidth": 3, "strokeColor": "#ffffff"},
                                           borderWidth=1.5, scaling={"label": {"drawThreshold": 3}})
        payload["options"]["edges"].update(width=1.0, arrows={"to": {"enabled": True, "scaleFactor": 0.5}})
        payload["options"]["interaction"].update(multiselect=False)
    if layout == "time" and n:
        payload.update(_time_axis([node for node, _ in rows], years, payload["x"], payload["y"], strongest))
    payload["label_px"] = label_px
    if lin is None:
        payload["seeds"] = [ids[i] for i, (_, d) in enumerate(rows) if d.get("is_seed") or d.get("role") == "seed"]
        payload["view"] = _fit_box(payload, labels)
    try:
        data_json = script_safe_json(payload)
    except ValueError:  # NaN/inf somewhere in the data: clean the numeric columns and retry
        payload["lineages"] = [dict(lineage_pairs(v, keep_invalid=True)) for v in payload["lineages"]]
        payload["citations"] = [_count(v) or None for v in payload["citations"]]
        data_json = script_safe_json(payload)

    counts = f"{n} papers · {len(edge_from)} citations"
    if lin is not None:
        counts = f"{n} papers · {len(edge_from)} links"
        if lin.hidden:
            counts += f" · {len(lin.hidden)} left out for room"
    nonce = secrets.token_urlsafe(16)
    heading = html.escape(title) if title else ""
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; "
           "font-src data:; connect-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'")
    toolbar = details = ""
    if explorer:
        toolbar = ('<div id="toolbar"><input id="search" type="search" autocomplete="off" '
                   'placeholder="Search title, alias or id…" aria-label="Search papers">'
                   '<span id="search-status" aria-live="polite"></span><div id="search-results"></div></div>')
        details = ('<aside id="details" aria-live="polite"><p class="hint">Click a paper to see its details.</p>'
                   "</aside>")
    parts = [
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{heading or 'paper-lineage graph'}</title>",
        "<style>", _asset("vis.css"), "</style><style>", _asset("lineage.css"),
        f"#mynetwork{{height:{height}}}</style></head>",
        f'<body class="{"explorer" if explorer else "plain"}{" lineage-view" if lin is not None else ""}">',
        f"<header><h1>{heading}</h1>" if heading else "<header>",
        toolbar,
        legend_html,
        f'<span id="counts">{counts}</span></header>',
        '<main><div id="mynetwork" role="img" aria-label="citation graph"></div>', details, "</main>",
        '<script type="application/json" id="lineage-data">', data_json, "</script>",
        f'<script nonce="{nonce}">', _asset("vis.js"), "</script>",
        f'<script nonce="{nonce}">', _asset("lineage.js"), "</script>",
        "</body></html>\n",
    ]
    return "".join(parts)
