"""The bibliographic exports: BibTeX, RIS and CSV, one record per paper (see :mod:`graph.present.export`).

- ``bibtex``: bibtexparser v2 entries (@article / @book / @misc), unique ASCII keys, LaTeX specials
  escaped (:func:`bibtex_escape`, undone by :func:`bibtex_unescape`).
- ``ris``: one TY … ER record per paper (EndNote, Zotero).
- ``csv``: one row per paper, :data:`CSV_COLUMNS`; cells that a spreadsheet would read as formulas are
  neutralised.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Hashable
from typing import Any

import networkx as nx

from graph.present.render import lineage_pairs, paper_links

__all__ = [
    "CSV_COLUMNS",
    "as_text",
    "bibtex_escape",
    "bibtex_text",
    "bibtex_unescape",
    "citation_keys",
    "csv_text",
    "lineage_text",
    "ris_text",
]

CSV_COLUMNS = ("key", "title", "authors", "year", "venue", "arxiv_id", "doi", "citation_count", "role", "is_seed",
               "alias", "lineages", "in_degree", "out_degree")


def as_text(value: Any) -> str:
    """``str(value)``, ``""`` for None."""
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


def lineage_text(value: Any) -> str:
    """The ``lineages`` attribute as ``"name:score; …"``, strongest first.

    >>> lineage_text({"b": 0.25, "a": 1.0})
    'a:1; b:0.25'
    """
    return "; ".join(f"{name}:{score:g}" for name, score in lineage_pairs(value))


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
        alias = re.sub(r"[^A-Za-z0-9_:\-.]", "", unicodedata.normalize("NFKD", as_text(d.get("alias"))))
        if alias:
            base = alias
        else:
            authors = _authors(d.get("authors"))
            surname = _ascii_word(authors[0].split(",")[0].split()[-1]) if authors and authors[0].split() else ""
            words = [_ascii_word(w) for w in as_text(d.get("title")).split()]
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


def bibtex_text(G: nx.DiGraph) -> str:
    """The ``bibtex`` export: one bibtexparser entry per node, keys from :func:`citation_keys`."""
    from bibtexparser import Library, write_string
    from bibtexparser.model import Entry, Field

    lib = Library()
    keys = citation_keys(G)
    for node, d in G.nodes(data=True):
        kind = as_text(d.get("kind")) or "paper"
        venue = as_text(d.get("venue"))
        if kind == "book":
            entry_type = "book"
        elif kind == "paper" and venue and venue.lower() not in ("arxiv", "arxiv.org", "corr"):
            entry_type = "article"
        else:
            entry_type = "misc"
        fields: list[tuple[str, str]] = [("title", as_text(d.get("title")) or str(node))]
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
        doi = as_text(d.get("doi"))
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


def ris_text(G: nx.DiGraph) -> str:
    """The ``ris`` export: one ``TY … ER`` record per node."""
    out: list[str] = []
    keys = citation_keys(G)

    def line(tag: str, value: Any) -> None:
        text = " ".join(as_text(value).split())
        if text:
            out.append(f"{tag}  - {text}")

    for node, d in G.nodes(data=True):
        kind = as_text(d.get("kind")) or "paper"
        venue = as_text(d.get("venue"))
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


def csv_text(G: nx.DiGraph) -> str:
    """The ``csv`` export: a header of :data:`CSV_COLUMNS`, then one row per node."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for node, d in G.nodes(data=True):
        cc = d.get("citation_count")
        writer.writerow([
            str(node), _cell(as_text(d.get("title"))), _cell("; ".join(_authors(d.get("authors")))),
            as_text(_year(d.get("year"))), _cell(as_text(d.get("venue"))), as_text(d.get("arxiv_id")),
            as_text(d.get("doi")),
            str(cc) if isinstance(cc, int) and not isinstance(cc, bool) else "", as_text(d.get("role")),
            str(bool(d.get("is_seed"))), as_text(d.get("alias")), lineage_text(d.get("lineages")),
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
