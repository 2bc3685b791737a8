"""Export a lineage graph: offline HTML explorer, GraphML, GEXF, node-link JSON, BibTeX, RIS, CSV.

:func:`export_graph` exports exactly the graph it is given (selecting a subgraph is the caller's job).

- ``html``: :func:`graph.present.render.render_html` in explorer mode — search box, details panel, legend;
  loads nothing from the network, even from ``file://``.
- ``graphml`` / ``gexf`` (bytes, UTF-8 XML, for Gephi): lists joined with ``"; "``, ``lineages`` as
  ``"name:score; …"`` plus one numeric ``lineage:<name>`` column per lineage, ``None`` omitted, characters
  that XML 1.0 forbids dropped; GEXF also carries positions (time layout), colours and sizes.
- ``json``: ``nx.node_link_data(G, edges="edges", source="from", target="to")``; read it back with
  :func:`graph_from_json` (= ``nx.node_link_graph(data, **JSON_LINK_KEYS)``). The endpoint keys are
  ``from``/``to`` because the contract's edges carry an attribute named ``source`` (provenance), which
  networkx' default ``source`` endpoint key would silently overwrite.
- ``bibtex``, ``ris``, ``csv``: the bibliographic formats, written by :mod:`graph.present.biblio`
  (whose public names are re-exported here).

GEXF colours come from the one palette, :data:`graph.present.style.PALETTE`.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graph.core.errors import LineageError
from graph.present.biblio import (
    CSV_COLUMNS,
    as_text,
    bibtex_escape,
    bibtex_text,
    bibtex_unescape,
    citation_keys,
    csv_text,
    lineage_text,
    ris_text,
)
from graph.present.layout import lineage_bands, strongest_lineage, time_layout
from graph.present.render import lineage_pairs, render_html
from graph.present.style import GREY, PALETTE

__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "JSON_LINK_KEYS",
    "ExportFormat",
    "bibtex_escape",
    "bibtex_unescape",
    "citation_keys",
    "export_graph",
    "flatten_for_xml",
    "graph_from_json",
    "write_export",
]


@dataclass(frozen=True)
class ExportFormat:
    """How a format is saved and served: file extension, MIME type, whether the export is bytes."""

    extension: str
    mime: str
    binary: bool = False


FORMATS: dict[str, ExportFormat] = {
    "html": ExportFormat("html", "text/html"),
    "graphml": ExportFormat("graphml", "application/graphml+xml", binary=True),
    "gexf": ExportFormat("gexf", "application/gexf+xml", binary=True),
    "json": ExportFormat("json", "application/json"),
    "bibtex": ExportFormat("bib", "application/x-bibtex"),
    "ris": ExportFormat("ris", "application/x-research-info-systems"),
    "csv": ExportFormat("csv", "text/csv"),
}

#: Keyword arguments of ``nx.node_link_data`` / ``nx.node_link_graph`` for our JSON export.
JSON_LINK_KEYS: dict[str, str] = {"edges": "edges", "source": "from", "target": "to"}

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def export_graph(G: nx.DiGraph, fmt: str, *, title: str | None = None, **html_options: Any) -> str | bytes:
    """Export ``G`` as ``fmt`` (one of :data:`FORMATS`); bytes for graphml/gexf, str otherwise.

    ``title`` heads the HTML page; ``html_options`` (color_by, size_by, layout, highlight, height) are
    passed to :func:`graph.present.render.render_html` for ``html`` and ignored otherwise.

    Raises
    ------
    LineageError
        For an unknown format.

    Examples
    --------
    >>> G = nx.DiGraph([("arxiv:1", "arxiv:2")])
    >>> G.add_node("arxiv:1", title="Citing", authors=["A. Smith"], year=2020, lineages={"x": 1.0})
    >>> G.add_node("arxiv:2", title="Cited {paper}", authors=["B. Jones", "C. Kim"], year=2010, lineages={})
    >>> export_graph(G, "csv").splitlines()[1]
    'arxiv:1,Citing,A. Smith,2020,,,,,,False,,x:1,0,1'
    >>> export_graph(G, "ris").count("ER  - ")
    2
    >>> "title = {Cited \\\\{paper\\\\}}" in export_graph(G, "bibtex")
    True
    """
    if fmt not in FORMATS:
        raise LineageError(f"unknown export format {fmt!r}", hint=f"use one of: {', '.join(FORMATS)}")
    if fmt == "html":
        options = {"height": "88vh", **html_options}
        return render_html(G, title=title or "paper-lineage", explorer=True, **options)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(flatten_for_xml(G), buf, encoding="utf-8", prettyprint=True)
        return buf.getvalue()
    if fmt == "gexf":
        buf = io.BytesIO()
        nx.write_gexf(_with_viz(flatten_for_xml(G, graph_attrs=False), G), buf, encoding="utf-8", prettyprint=True)
        return buf.getvalue()
    if fmt == "json":
        data = nx.node_link_data(G, **JSON_LINK_KEYS)
        return json.dumps(data, ensure_ascii=False, indent=1, default=_json_default)
    if fmt == "bibtex":
        return bibtex_text(G)
    if fmt == "ris":
        return ris_text(G)
    return csv_text(G)


def write_export(G: nx.DiGraph, fmt: str, path: str | Path, *, title: str | None = None) -> Path:
    """Write :func:`export_graph` output to ``path`` (UTF-8, newlines untouched); returns the path."""
    out = export_graph(G, fmt, title=title)
    p = Path(path)
    p.write_bytes(out if isinstance(out, bytes) else out.encode("utf-8"))
    return p


def graph_from_json(text: str | bytes) -> nx.DiGraph:
    """The graph of a ``json`` export.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_edge("a", "b", source="s2", match="doi")
    >>> H = graph_from_json(export_graph(G, "json"))
    >>> H.edges["a", "b"]
    {'source': 's2', 'match': 'doi'}
    """
    G = nx.node_link_graph(json.loads(text), **JSON_LINK_KEYS)
    if not isinstance(G, nx.DiGraph):  # pragma: no cover - exports are always directed
        raise LineageError("the JSON export does not hold a directed graph")
    return G


# ---------------------------------------------------------------------------------------------- helpers


def _json_default(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)


def _xml_text(value: str) -> str:
    return _XML_ILLEGAL.sub("", value)


def _xml_value(value: Any) -> str | int | float | bool | None:
    """A GraphML/GEXF-writable scalar, or None to omit."""
    if value is None:
        return None
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _xml_text(value)
    if isinstance(value, Mapping):
        if all(isinstance(v, (int, float)) for v in value.values()):
            return _xml_text(lineage_text(value))
        return _xml_text(json.dumps(value, ensure_ascii=False, default=_json_default))
    if isinstance(value, (list, tuple, set, frozenset)):
        return _xml_text("; ".join(as_text(v) for v in value))
    return _xml_text(str(value))


def flatten_for_xml(G: nx.DiGraph, *, graph_attrs: bool = True) -> nx.DiGraph:
    """A copy of ``G`` with string node ids and only scalar attributes, ready for GraphML/GEXF writers.

    Lists become ``"a; b"``, ``lineages`` becomes ``"name:score; …"`` plus a float column
    ``lineage:<name>`` per lineage (0.0 when not a member), None is omitted, each attribute gets one type
    (mixed types fall back to str), XML-illegal characters are dropped.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2)])
    >>> G.add_node(1, authors=["A", "B"], lineages={"x": 0.5}, venue=None)
    >>> H = flatten_for_xml(G)
    >>> H.nodes["1"]
    {'authors': 'A; B', 'lineages': 'x:0.5', 'lineage:x': 0.5}
    >>> H.nodes["2"]
    {'lineage:x': 0.0}
    """
    names = sorted({name for _, d in G.nodes(data=True) for name, _ in lineage_pairs(d.get("lineages"))})
    H = nx.DiGraph()
    for node, d in G.nodes(data=True):
        attrs = {k: v for k, v in ((str(k), _xml_value(v)) for k, v in d.items()) if v is not None}
        scores = dict(lineage_pairs(d.get("lineages")))
        for name in names:
            attrs[f"lineage:{name}"] = float(scores.get(name, 0.0))
        H.add_node(_xml_text(str(node)), **attrs)
    for u, v, d in G.edges(data=True):
        attrs = {k: v for k, v in ((str(k), _xml_value(x)) for k, x in d.items()) if v is not None}
        H.add_edge(_xml_text(str(u)), _xml_text(str(v)), **attrs)
    for items in (H.nodes.values(), (d for _, _, d in H.edges(data=True))):
        items = list(items)
        kinds: dict[str, set[type]] = {}
        for d in items:
            for k, v in d.items():
                kinds.setdefault(k, set()).add(type(v))
        for k, types in kinds.items():
            if types == {int, float}:
                target: type = float
            elif len(types) > 1:
                target = str
            else:
                continue
            for d in items:
                if k in d:
                    d[k] = target(d[k])
    if graph_attrs:
        for k, v in G.graph.items():
            if k == "meta":  # the typed record repeats the plain keys
                continue
            x = _xml_value(v) if not isinstance(v, (Mapping, list, tuple)) else _xml_text(
                json.dumps(v, ensure_ascii=False, default=_json_default))
            if x is not None:
                H.graph[str(k)] = x
    return H


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    """``"#1f77b4"`` → ``(31, 119, 180)``.

    >>> _rgb("#1f77b4"), _rgb(GREY)
    ((31, 119, 180), (176, 176, 176))
    """
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _with_viz(H: nx.DiGraph, G: nx.DiGraph) -> nx.DiGraph:
    """Add GEXF ``viz`` (time-layout position, lineage colour, size) and a short ``label``."""
    pos = time_layout(G)
    colour = {name: _rgb(PALETTE[i % len(PALETTE)]) for i, name in enumerate(lineage_bands(G))}
    for node, d in G.nodes(data=True):
        h = H.nodes[_xml_text(str(node))]
        x, y = pos.get(node, (0.0, 0.0))
        r, g, b = colour.get(strongest_lineage(d.get("lineages")) or "", _rgb(GREY))
        cc = d.get("citation_count")
        size = 4.0 + 3.0 * math.log10(1.0 + (cc if isinstance(cc, int) and cc > 0 else 0))
        h["viz"] = {"position": {"x": float(x), "y": float(-y), "z": 0.0}, "color": {"r": r, "g": g, "b": b, "a": 1.0},
                    "size": round(size, 2)}
        h["label"] = _xml_text(as_text(d.get("alias")) or as_text(d.get("title")) or str(node))[:120]
    return H
