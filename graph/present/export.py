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
- ``bibtex``: bibtexparser v2 entries (@article / @book / @misc), unique ASCII keys, LaTeX specials
  escaped (:func:`bibtex_escape`, undone by :func:`bibtex_unescape`).
- ``ris``: one TY … ER record per paper (EndNote, Zotero).
- ``csv``: one row per paper, :data:`CSV_COLUMNS`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import re
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from graph.core.errors import LineageError
from graph.present.layout import lineage_bands, strongest_lineage, time_layout
from graph.present.render import lineage_pairs, paper_links, render_html

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

CSV_COLUMNS = ("key", "title", "authors", "year", "venue", "arxiv_id", "doi", "citation_count", "role", "is_seed",
               "alias", "lineages", "in_degree", "out_degree")

#: Keyword arguments of ``nx.node_link_data`` / ``nx.node_link_graph`` for our JSON export.
JSON_LINK_KEYS: dict[str, str] = {"edges": "edges", "source": "from", "target": "to"}

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PALETTE = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
            (227, 119, 194), (23, 190, 207), (188, 189, 34), (57, 59, 121), (173, 73, 74), (99, 121, 57))


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
        return _bibtex(G)
    if fmt == "ris":
        return _ris(G)
    return _csv(G)


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


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _year(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return int(value)


def _authors(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(a) for a in value if a]


def _lineage_text(value: Any) -> str:
    """``"name:score; …"`` strongest first.

    >>> _lineage_text({"b": 0.25, "a": 1.0})
    'a:1; b:0.25'
    """
    return "; ".join(f"{name}:{score:g}" for name, score in lineage_pairs(value))


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
            return _xml_text(_lineage_text(value))
        return _xml_text(json.dumps(value, ensure_ascii=False, default=_json_default))
    if isinstance(value, (list, tuple, set, frozenset)):
        return _xml_text("; ".join(_s(v) for v in value))
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


def _with_viz(H: nx.DiGraph, G: nx.DiGraph) -> nx.DiGraph:
    """Add GEXF ``viz`` (time-layout position, lineage colour, size) and a short ``label``."""
    pos = time_layout(G)
    colour = {name: _PALETTE[i % len(_PALETTE)] for i, name in enumerate(lineage_bands(G))}
    for node, d in G.nodes(data=True):
        h = H.nodes[_xml_text(str(node))]
        x, y = pos.get(node, (0.0, 0.0))
        r, g, b = colour.get(strongest_lineage(d.get("lineages")) or "", (176, 176, 176))
        cc = d.get("citation_count")
        size = 4.0 + 3.0 * math.log10(1.0 + (cc if isinstance(cc, int) and cc > 0 else 0))
        h["viz"] = {"position": {"x": float(x), "y": float(-y), "z": 0.0}, "color": {"r": r, "g": g, "b": b, "a": 1.0},
                    "size": round(size, 2)}
        h["label"] = _xml_text(_s(d.get("alias")) or _s(d.get("title")) or str(node))[:120]
    return H


# ---------------------------------------------------------------------------------------------- BibTeX

_BIB_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
                "$": r"\$", "_": r"\_"}
_BIB_SPECIAL_RE = re.compile(r"[\\{}%&#$_]")
_BIB_UNESCAPE_RE = re.compile(r"\\textbackslash\{\}|\\[{}%&#$_]")


def bibtex_escape(text: str) -> str:
    r"""Escape LaTeX/BibTeX specials so any text is a balanced, literal field value.

    Examples
    --------
    >>> bibtex_escape("Q&A {x} 100% \\o/") == r"Q\&A \{x\} 100\% \textbackslash{}o/"
    True
    >>> bibtex_unescape(bibtex_escape("a}{b\\c_$#")) == "a}{b\\c_$#"
    True
    """
    return _BIB_SPECIAL_RE.sub(lambda m: _BIB_SPECIAL[m.group()], text)


def bibtex_unescape(text: str) -> str:
    """Undo :func:`bibtex_escape`."""
    return _BIB_UNESCAPE_RE.sub(lambda m: "\\" if m.group().startswith("\\textbackslash") else m.group()[1], text)


def _ascii_word(text: str) -> str:
    t = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]", "", t)


def citation_keys(G: nx.DiGraph) -> dict[Hashable, str]:
    """A unique ASCII citation key per node: the seed alias, else surname + year + first title word.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.add_node("a", alias="dpo", title="Direct Preference Optimization")
    >>> G.add_node("b", authors=["Ashish Vaswani"], year=2017, title="Attention is all you need")
    >>> G.add_node("c", authors=["Ashish Vaswani"], year=2017, title="Attention again")
    >>> G.add_node("d", authors=["José Núñez"], title="¿Qué?")
    >>> citation_keys(G)
    {'a': 'dpo', 'b': 'vaswani2017attention', 'c': 'vaswani2017attentionb', 'd': 'nunezque'}
    """
    keys: dict[Hashable, str] = {}
    used: set[str] = set()
    for node, d in G.nodes(data=True):
        alias = re.sub(r"[^A-Za-z0-9_:\-.]", "", unicodedata.normalize("NFKD", _s(d.get("alias"))))
        if alias:
            base = alias
        else:
            authors = _authors(d.get("authors"))
            surname = _ascii_word(authors[0].split(",")[0].split()[-1]) if authors and authors[0].split() else ""
            words = [_ascii_word(w) for w in _s(d.get("title")).split()]
            first = next((w for w in words if len(w) > 3), next((w for w in words if w), ""))
            year = _year(d.get("year"))
            base = (surname.lower() + (str(year) if year else "") + first.lower()) or "paper"
        key = base
        suffix = 1
        while key in used:
            suffix += 1
            key = base + (chr(ord("a") + suffix - 1) if suffix <= 26 else str(suffix))
        used.add(key)
        keys[node] = key
    return keys


def _bibtex(G: nx.DiGraph) -> str:
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field

    lib = Library()
    keys = citation_keys(G)
    for node, d in G.nodes(data=True):
        kind = _s(d.get("kind")) or "paper"
        venue = _s(d.get("venue"))
        if kind == "book":
            entry_type = "book"
        elif kind == "paper" and venue and venue.lower() not in ("arxiv", "arxiv.org", "corr"):
            entry_type = "article"
        else:
            entry_type = "misc"
        fields: list[tuple[str, str]] = [("title", _s(d.get("title")) or str(node))]
        authors = _authors(d.get("authors"))
        if authors:
            # a literal " and " inside one name would split it: brace-protect such names
            fields.append(("author", " and ".join(a.replace(" and ", " {and} ") for a in authors)))
        year = _year(d.get("year"))
        if year:
            fields.append(("year", str(year)))
        if venue:
            fields.append(({"article": "journal", "book": "publisher"}.get(entry_type, "howpublished"), venue))
        links = dict(paper_links(d))
        doi = _s(d.get("doi"))
        if "DOI" in links:
            fields.append(("doi", doi.strip()))
        if "arXiv" in links:
            fields.append(("eprint", links["arXiv"].rsplit("/abs/", 1)[1]))
            fields.append(("archiveprefix", "arXiv"))
        url = links.get("Link") or links.get("arXiv") or links.get("Semantic Scholar")
        if url:
            fields.append(("url", url))
        escaped = []
        for name, value in fields:
            text = " ".join(value.split())  # newlines and U+2028 inside a field confuse some readers
            if name == "author":
                text = bibtex_escape(text).replace(r"\{and\}", "{and}")
            elif name not in ("url", "doi"):
                text = bibtex_escape(text)
            else:
                text = text.replace("{", "%7B").replace("}", "%7D")
            escaped.append(Field(name, "{" + text + "}"))
        lib.add(Entry(entry_type, keys[node], escaped))
    return write_string(lib, unparse_stack=[])


# ---------------------------------------------------------------------------------------------- RIS


def _ris(G: nx.DiGraph) -> str:
    out: list[str] = []
    keys = citation_keys(G)

    def line(tag: str, value: Any) -> None:
        text = " ".join(_s(value).split())
        if text:
            out.append(f"{tag}  - {text}")

    for node, d in G.nodes(data=True):
        kind = _s(d.get("kind")) or "paper"
        venue = _s(d.get("venue"))
        ty = "BOOK" if kind == "book" else "JOUR" if kind == "paper" and venue else "BLOG" if kind == "blog" else "GEN"
        out.append(f"TY  - {ty}")
        line("ID", keys[node])
        line("TI", d.get("title") or node)
        for author in _authors(d.get("authors")):
            line("AU", author)
        line("PY", _year(d.get("year")))
        line("JO" if ty == "JOUR" else "T2", venue)
        line("AB", d.get("abstract"))
        links = dict(paper_links(d))
        if "DOI" in links:
            line("DO", d.get("doi"))
        for label in ("Link", "arXiv", "DOI", "Semantic Scholar"):
            if label in links:
                line("UR", links[label])
                break
        if "arXiv" in links:
            line("N1", "arXiv:" + links["arXiv"].rsplit("/abs/", 1)[1])
        for name, score in lineage_pairs(d.get("lineages")):
            line("KW", f"lineage:{name}:{score:g}")
        out.append("ER  - ")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- CSV


def _csv(G: nx.DiGraph) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for node, d in G.nodes(data=True):
        cc = d.get("citation_count")
        writer.writerow([
            str(node), _cell(_s(d.get("title"))), _cell("; ".join(_authors(d.get("authors")))),
            _s(_year(d.get("year"))), _cell(_s(d.get("venue"))), _s(d.get("arxiv_id")), _s(d.get("doi")),
            str(cc) if isinstance(cc, int) and not isinstance(cc, bool) else "", _s(d.get("role")),
            str(bool(d.get("is_seed"))), _s(d.get("alias")), _lineage_text(d.get("lineages")),
            G.in_degree(node), G.out_degree(node),
        ])
    return buf.getvalue()


def _cell(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a text cell starting with ``= + - @`` or a
    control character gets a leading apostrophe, which Excel and LibreOffice show as plain text.

    >>> _cell("=1+1"), _cell("Deep learning"), _cell("")
    ("'=1+1", 'Deep learning', '')
    """
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
