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

The page sets ``window.network`` and ``window.__lineage``: ``{nodes, edges, stable}`` (serialisable, set
after the first draw) plus, read by name, ``network``, ``seeds``, ``mode``, ``view``, ``years``, ``zone``.
Computed parts live in :mod:`graph.present.page_parts`, safe text in :mod:`graph.present.page_text`.
"""

from __future__ import annotations

import html
import math
import re
import secrets
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, Literal

import networkx as nx

from graph.core.errors import LineageError
from graph.present.layout import (
    LineageLayout,
    force_layout,
    lineage_bands,
    lineage_layout,
    lineage_node_size,
    strongest_by_node,
    time_columns,
)
from graph.present.lineage_view import short_label
from graph.present.page_parts import (
    TOP_LABELS,
    ColumnPositions,
    Rows,
    declutter,
    fit_box,
    legend_html,
    lineage_payload,
    time_axis,
    top_cited,
    vis_options,
    year_color,
    zoom_k,
)
from graph.present.page_text import asset, count_of, lineage_pairs, paper_links, script_safe_json, text_of, year_of
from graph.present.style import GREY, PALETTE, ROLE_COLORS, VIEW_ROLES

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
#: Values accepted in ``highlight``, with how they are drawn.
HIGHLIGHTS: dict[str, str] = {
    "missing-ancestor": "diamond, dashed red border",
    "frontier": "triangle, green border",
    "focus": "larger, thick magenta border, labelled",
}

_HEIGHT = re.compile(r"^\d{1,5}(\.\d+)?(px|%|vh|em|rem)$")
_LABEL_ALL_BELOW = 40  # label every node in graphs smaller than this; else seeds, highlighted and the top cited


def _check(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise LineageError(f"unknown {name} {value!r}", hint=f"use one of: {', '.join(allowed)}")


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
        rows = Rows(shown, [G.nodes[node] for node in shown])
    else:
        node_data = G.nodes
        rows = Rows(list(G), [node_data[node] for node in G])
        if layout == "time":
            order, cx, cy = time_columns(G, strongest=strongest)
            where = {node: i for i, node in enumerate(order)}
            xcol = [cx[where[node]] for node in rows.keys]
            ycol = [cy[where[node]] for node in rows.keys]
            pos = ColumnPositions(where, cx, cy)
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
    years = [year_of(d) for _, d in rows]
    dated = [y for y in years if y is not None]
    lo, hi = (min(dated), max(dated)) if dated else (0, 0)

    # colour scheme and legend
    legend: list[tuple[str, str]] = []
    if color_by == "lineage":
        bands = lineage_bands(G, strongest=strongest)
        lineage_color = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(bands)}
        legend.extend(lineage_color.items())
        legend.append(("no lineage", GREY))
        colors = [lineage_color.get(strongest[node] or "", GREY) for node, _ in rows]
    elif color_by == "year":
        legend.extend((str(y), year_color(y, lo, hi)) for y in sorted({lo, (lo + hi) // 2, hi}) if dated)
        legend.append(("undated", GREY))
        color_of_year = {y: year_color(y, lo, hi) for y in set(dated)}
        colors = [color_of_year[y] if y is not None else GREY for y in years]
    else:
        legend.extend(ROLE_COLORS.items())
        colors = [ROLE_COLORS.get(d.get("role"), ROLE_COLORS["other"]) for _, d in rows]
    if lin is not None and color_by != "year":  # the lineage view: colour says the role, like the shape
        legend = []
        colors = [VIEW_ROLES.get(d.get("view_role"), VIEW_ROLES["other"])["color"] for _, d in rows]

    if lin is not None:
        weights = []
    elif size_by == "citations":
        weights = [count_of(d.get("citation_count")) for _, d in rows]
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
        sizes = [lineage_node_size(count_of(d.get("local_citations", G.in_degree(node))), d.get("view_role") or "other")
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
        candidates = list(dict.fromkeys([*focus, *marked, *top_cited(edge_to, n, ranked=True), *seeds_i]))
        texts = {i: short_label(rows[i][1], ids[i]) for i in candidates}
        label_px = round(max(14.0, 12.0 * zoom_k(xcol, ycol)), 1)
        labels = [[i, texts[i]] for i in declutter(candidates, texts, xcol, ycol, label_px)]

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
        payload["snippet"] = [(text_of(d.get("tldr")) or text_of(d.get("abstract")))[:240] for _, d in rows]

    shapes = [(glyph, label) for glyph, label, kind in (
        ("★", "seed", "seed"), ("◆", "missing ancestor (dashed)", "missing-ancestor"),
        ("▲", "frontier", "frontier"), ("◎", "focus", "focus"),
    ) if has[kind]]
    shapes.append(("→", "cites"))
    legend_div = legend_html(color_by, legend, shapes)
    if lin is not None:
        legend_div = lineage_payload(G, lin, rows, index, payload, edge_from, edge_to, color_by)
    payload["options"] = vis_options(n, lin.font_size if lin is not None else None)
    payload["explorer"] = explorer
    if layout == "time" and n:
        payload.update(time_axis([node for node, _ in rows], years, payload["x"], payload["y"], strongest))
    payload["label_px"] = label_px
    if lin is None:
        payload["seeds"] = [ids[i] for i, (_, d) in enumerate(rows) if d.get("is_seed") or d.get("role") == "seed"]
        payload["view"] = fit_box(payload, labels)
    try:
        data_json = script_safe_json(payload)
    except ValueError:  # NaN/inf somewhere in the data: clean the numeric columns and retry
        payload["lineages"] = [dict(lineage_pairs(v, keep_invalid=True)) for v in payload["lineages"]]
        payload["citations"] = [count_of(v) or None for v in payload["citations"]]
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
        "<style>", asset("vis.css"), "</style><style>", asset("lineage.css"),
        f"#mynetwork{{height:{height}}}</style></head>",
        f'<body class="{"explorer" if explorer else "plain"}{" lineage-view" if lin is not None else ""}">',
        f"<header><h1>{heading}</h1>" if heading else "<header>",
        toolbar,
        legend_div,
        f'<span id="counts">{counts}</span></header>',
        '<main><div id="mynetwork" role="img" aria-label="citation graph"></div>', details, "</main>",
        '<script type="application/json" id="lineage-data">', data_json, "</script>",
        f'<script nonce="{nonce}">', asset("vis.js"), "</script>",
        f'<script nonce="{nonce}">', asset("lineage.js"), "</script>",
        "</body></html>\n",
    ]
    return "".join(parts)
