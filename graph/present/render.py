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
import gc
import html
import importlib.util
import json
import math
import re
import secrets
from collections.abc import Hashable, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import networkx as nx

from graph.core.errors import BadIdError, LineageError
from graph.core.ids import normalize_arxiv, normalize_doi
from graph.present.layout import force_layout, lineage_bands, strongest_by_node, time_layout

__all__ = [
    "COLOR_BY",
    "HIGHLIGHTS",
    "LAYOUTS",
    "SIZE_BY",
    "lineage_pairs",
    "paper_links",
    "render_html",
    "script_safe_json",
]

ColorBy = Literal["lineage", "year", "role"]
SizeBy = Literal["citations", "degree"]
LayoutName = Literal["time", "force"]

COLOR_BY: tuple[str, ...] = ("lineage", "year", "role")
SIZE_BY: tuple[str, ...] = ("citations", "degree")
LAYOUTS: tuple[str, ...] = ("time", "force")
#: Values accepted in ``highlight``, with how they are drawn.
HIGHLIGHTS: dict[str, str] = {
    "missing-ancestor": "diamond, dashed red border",
    "frontier": "triangle, green border",
    "focus": "larger, thick magenta border, labelled",
}

_TEMPLATES = Path(__file__).parent / "templates"
_PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
)
_GREY = "#b0b0b0"
_ROLE_COLORS = {"seed": "#d62728", "ancestor": "#1f77b4", "descendant": "#2ca02c", "other": "#9e9e9e"}
# viridis, sampled: old papers dark blue, new papers yellow
_YEAR_STOPS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
_HEIGHT = re.compile(r"^\d{1,5}(\.\d+)?(px|%|vh|em|rem)$")
_S2_ID = re.compile(r"^[0-9a-f]{40}$")
_LABEL_ALL_BELOW = 150  # label every node in graphs smaller than this; else seeds and highlighted only


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
    >>> ax["axis"], ax["bands"], ax["axis_y"] < 0
    ([[0.0, '2017'], [50.0, '2020']], [[-28.0, 'x']], True)
    """
    cols: dict[int, list[float]] = {}
    band_top: dict[str, float] = {}
    for node, year, x, y in zip(nodes, years, xs, ys, strict=True):
        if year is not None:
            cols.setdefault(year, []).append(x)
        name = strongest.get(node)
        if name and y < band_top.get(name, math.inf):
            band_top[name] = y
    return {
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
    layout : {"time", "force"}
        Precomputed positions from :func:`graph.present.layout.time_layout` / :func:`graph.present.layout.force_layout`.
    highlight : mapping node → kind, optional
        Kinds ``missing-ancestor`` (diamond, dashed border), ``frontier`` (triangle), ``focus`` (thick
        border, labelled). Seeds are always drawn as stars. Nodes not in ``G`` are ignored.
    height : str
        CSS height of the drawing area (``750px``, ``80vh``, ``100%`` …).
    title : str, optional
        Page heading and ``<title>`` (escaped).
    explorer : bool
        Add a search box and a details panel (the offline explorer of :mod:`graph.present.export`).

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
    gc_was_enabled = gc.isenabled()
    gc.disable()  # thousands of small lists and dicts: the cyclic GC would rescan the whole graph each time
    try:
        return _render(G, color_by=color_by, size_by=size_by, layout=layout, highlight=highlight, height=height,
                       title=title, explorer=explorer)
    finally:
        if gc_was_enabled:
            gc.enable()


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
    pos = time_layout(G, strongest=strongest) if layout == "time" else force_layout(G)
    rows = list(G.nodes(data=True))
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

    if size_by == "citations":
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
    labelled = range(n) if n < _LABEL_ALL_BELOW else sorted({i for i, _ in styles})
    labels = [[i, _text(rows[i][1].get("alias")) or _text(rows[i][1].get("title")) or ids[i]] for i in labelled]

    edge_from: list[int] = []
    edge_to: list[int] = []
    for u, nbrs in G.adj.items():
        iu = index[u]
        for v in nbrs:
            edge_from.append(iu)
            edge_to.append(index[v])

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
        "x": [pos[node][0] if node in pos else 0.0 for node, _ in rows],
        "y": [pos[node][1] if node in pos else 0.0 for node, _ in rows],
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
        payload["authors"] = [a[:4] if isinstance(a, list) else a for a in payload["authors"]]
        payload["snippet"] = [(_text(d.get("tldr")) or _text(d.get("abstract")))[:240] for _, d in rows]

    shapes = [(glyph, label) for glyph, label, kind in (
        ("★", "seed", "seed"), ("◆", "missing ancestor (dashed)", "missing-ancestor"),
        ("▲", "frontier", "frontier"), ("◎", "focus", "focus"),
    ) if has[kind]]
    shapes.append(("→", "cites"))
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
    if layout == "time" and n:
        payload.update(_time_axis([node for node, _ in rows], years, payload["x"], payload["y"], strongest))
    try:
        data_json = script_safe_json(payload)
    except ValueError:  # NaN/inf somewhere in the data: clean the numeric columns and retry
        payload["lineages"] = [dict(lineage_pairs(v, keep_invalid=True)) for v in payload["lineages"]]
        payload["citations"] = [_count(v) or None for v in payload["citations"]]
        data_json = script_safe_json(payload)

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
        f'<body class="{"explorer" if explorer else "plain"}">',
        f"<header><h1>{heading}</h1>" if heading else "<header>",
        toolbar,
        _legend_html(color_by, legend, shapes),
        f'<span id="counts">{n} papers · {len(edge_from)} citations</span></header>',
        '<main><div id="mynetwork" role="img" aria-label="citation graph"></div>', details, "</main>",
        '<script type="application/json" id="lineage-data">', data_json, "</script>",
        f'<script nonce="{nonce}">', _asset("vis.js"), "</script>",
        f'<script nonce="{nonce}">', _asset("lineage.js"), "</script>",
        "</body></html>\n",
    ]
    return "".join(parts)
