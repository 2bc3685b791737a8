"""The records the orchestration layer answers with: graph specs, answers, views, and display names."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

__all__ = [
    "ANALYSIS_GRAPH",
    "COLUMNS",
    "VIEW_GRAPH",
    "Answer",
    "GraphSpec",
    "ProgressFn",
    "View",
    "catalogue_hash",
    "display_name",
]

ProgressFn = Callable[[str, int, int], None]
"""``progress(stage, done, total)``."""


@dataclass(frozen=True)
class GraphSpec:
    """How to expand the seeds of ``lineages`` (all when empty) into a graph."""

    lineages: tuple[str, ...] = ()
    depth: int = 1
    direction: str = "both"
    later_direction: str | None = None
    hop_limit: int | None = None
    max_nodes: int | None = None
    fetch_hops: int | None = None
    """Online, the hops whose lists may be fetched (None: all); later hops come from snapshot and cache."""
    network: bool = True
    """False: snapshot and cache only, even online (context graphs that must cost no request)."""


ANALYSIS_GRAPH = GraphSpec(depth=2, direction="both", later_direction="references", hop_limit=400, fetch_hops=1)
"""The graph behind every analysis: depth 2, both directions on the first hop, references on the second.
Online only the seeds' own lists are fetched (the question is about them); the second hop is read
from the snapshot and the cache."""

VIEW_GRAPH = GraphSpec(depth=1, direction="both", max_nodes=4000)
"""The default graph the full view draws (the app's depth/direction controls change depth and direction)."""

COLUMNS: dict[str, list[str]] = {
    "ancestors": ["#", "title", "year", "score", "explanation", "cited_by"],
    "frontier": ["#", "title", "year", "score", "explanation", "cites"],
    "check": ["lineage", "from", "to", "verdict", "via", "note"],
    "order": ["#", "alias", "title", "year", "role"],
    "path": ["step", "alias", "title", "year"],
    "mainpath": ["#", "alias", "title", "year", "weight"],
    "entries": ["alias", "status", "title", "year", "arxiv_id", "doi", "matched_by", "reason"],
}
"""The columns each surface shows for each analysis (the JSON rows carry more)."""


@dataclass(frozen=True)
class Answer:
    """The answer to one question: rows in order, plus the notes that qualify them."""

    question: str
    """``ancestors``, ``frontier``, ``check``, ``order``, ``path``, ``mainpath`` or ``show``."""
    rows: list[dict[str, Any]]
    """One dict per result, in order; ``paper_id`` is the node key where a row is a paper."""
    notes: list[str] = field(default_factory=list)
    """Completeness and data caveats, in plain words (the CLI prints them on stderr, the app as captions)."""
    title: str = ""
    """A heading for tables."""

    @property
    def columns(self) -> list[str]:
        """The columns to display."""
        return COLUMNS.get(self.question, list(self.rows[0]) if self.rows else [])

    def paper_keys(self) -> list[str]:
        """The node keys of the rows, in order (rows without a paper are skipped)."""
        return [r["paper_id"] for r in self.rows if r.get("paper_id")]


@dataclass(frozen=True)
class View:
    """What the full graph view draws and exports: the subgraph, the analyses marked on it, and why."""

    graph: nx.DiGraph
    """The subgraph shown (a copy; safe to hand to a renderer)."""
    full: nx.DiGraph
    """The graph it was cut from."""
    ancestors: Answer
    """The missing ancestors of the lineages in view (from the analysis graph)."""
    frontier: Answer
    """The frontier of the lineages in view (from the analysis graph)."""
    highlight: dict[str, str]
    """Node key -> ``missing-ancestor`` / ``frontier`` / ``focus``, for nodes in :attr:`graph`."""
    why: dict[str, str]
    """Node key -> one line saying why it is marked."""
    stages: list[list[str]] | None = None
    """The spine (lineage view only): stages of node keys, oldest first."""

    def render(self, **options: Any) -> str:
        """The view as one self-contained HTML page (``graph.present.render.render_html`` options)."""
        from graph.present.render import render_html

        extra: dict[str, Any] = {"highlight": self.highlight}
        if self.stages is not None:
            extra.update(layout="lineage", stages=self.stages)
        return render_html(self.graph, **{**extra, **options})

    def export(self, fmt: str, **html_options: Any) -> str | bytes:
        """The view in an export format (``graph.present.export.FORMATS``); HTML marks the same papers as the app."""
        from graph.present.export import export_graph

        if fmt == "html":
            extra: dict[str, Any] = {"highlight": self.highlight}
            if self.stages is not None:
                extra.update(layout="lineage", stages=self.stages)
            return export_graph(self.graph, fmt, **{**extra, **html_options})
        return export_graph(self.graph, fmt)


def display_name(G: nx.DiGraph, key: str, width: int = 60) -> str:
    """What a person reads for a node: its alias, else its (shortened) title, else the key.

    Examples
    --------
    >>> G = nx.DiGraph(); G.add_node("arxiv:1", alias="dpo", title="Direct Preference Optimization")
    >>> G.add_node("doi:x", alias=None, title="A very long title " * 5)
    >>> display_name(G, "arxiv:1"), display_name(G, "doi:x", width=20), display_name(G, "nope")
    ('dpo', 'A very long title A…', 'nope')
    """
    if key not in G:
        return key
    d = G.nodes[key]
    if d.get("alias"):
        return str(d["alias"])
    title = " ".join(str(d.get("title") or "").split())
    if not title:
        return key
    return title if len(title) <= width else title[: width - 1] + "…"


def catalogue_hash(path: Path) -> str:
    """A content hash of a seeds file or folder (the snapshot excluded)."""
    h = hashlib.sha256(str(path).encode())
    files = sorted(p for p in path.rglob("*") if p.is_file() and "snapshot" not in p.parts) if path.is_dir() else [path]
    for p in files:
        if p.exists():
            h.update(p.name.encode())
            h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _yaml_key(text: str) -> str:
    """A YAML-safe plain scalar (quoted when it holds anything but letters, digits, ``-``, ``_``, ``.``)."""
    import re

    return text if re.fullmatch(r"[A-Za-z][\w.-]*", text) else '"' + text.replace('"', "'") + '"'


def _by_year(G: nx.DiGraph, nodes: Any) -> list[str]:
    return sorted(nodes, key=lambda n: (-(G.nodes[n].get("year") or 0), str(n)))


def _paper_row(G: nx.DiGraph, key: str, **extra: Any) -> dict[str, Any]:
    d = G.nodes[key]
    return {**extra, "paper_id": key, "name": display_name(G, key), "alias": d.get("alias"),
            "title": d.get("title"), "year": d.get("year"), "role": d.get("role")}


def _ranked(G: nx.DiGraph, rows: list[dict[str, Any]], link: str) -> list[dict[str, Any]]:
    """Number the rows and show linked seeds by name (alias or title), never by key."""
    out = []
    for i, r in enumerate(rows, 1):
        r = {"#": i, **r}
        r[link] = [display_name(G, x) if x in G else x for x in r.get(link) or []]
        out.append(r)
    return out
