"""The one palette, node shapes, edge styles and legend entries of every picture (render and app).

Everything a front end needs to draw or explain a node or an edge lives here, so that the HTML page,
the Streamlit legend and the docs name the same colours and shapes:

- :data:`PALETTE` — categorical colours (lineages), :data:`GREY` for "none";
- :data:`ROLE_COLORS` — colour by ``role`` attribute (seed / ancestor / descendant / other);
- :data:`VIEW_ROLES` — the roles of the lineage view (:mod:`graph.present.lineage_view`) with their
  vis-network shape, colour, border and legend glyph;
- :data:`VERDICT_STYLES` — how a declared arrow is drawn for each chain-check verdict;
- :data:`MAIN_PATH_STYLE` and :data:`CITATION_STYLE` — the other edges;
- :data:`LABEL_FONT` — the label font (face and size) the layout measures and the page draws with;
- :func:`legend_entries` — ``(glyph, text)`` rows for a legend.

Examples
--------
>>> sorted(VIEW_ROLES)
['frontier', 'main-path', 'missing-ancestor', 'other', 'seed']
>>> len({VIEW_ROLES[r]["shape"] for r in VIEW_ROLES}) == len(VIEW_ROLES)  # one shape per role
True
>>> legend_entries(["seed", "frontier"], ["none"])[:2]
[('★', 'seed (declared chain)'), ('▲', 'frontier (cites several seeds)')]
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "CITATION_STYLE",
    "GREY",
    "LABEL_FONT",
    "MAIN_PATH_STYLE",
    "PALETTE",
    "ROLE_COLORS",
    "VERDICT_STYLES",
    "VIEW_ROLES",
    "YEAR_STOPS",
    "legend_entries",
]

#: Categorical colours (tab10-like, then darker variants): one per lineage, in band order.
PALETTE: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#ad494a", "#637939",
)
#: "No lineage", "undated".
GREY = "#b0b0b0"
#: Colour by the ``role`` node attribute of the graph contract.
ROLE_COLORS: dict[str, str] = {"seed": "#d62728", "ancestor": "#1f77b4", "descendant": "#2ca02c", "other": "#9e9e9e"}
#: viridis, sampled: old papers dark blue, new papers yellow.
YEAR_STOPS: tuple[str, ...] = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")

#: Roles of the lineage view, in legend order, with vis-network shape, fill, border and legend glyph.
VIEW_ROLES: dict[str, dict[str, Any]] = {
    "seed": {"shape": "star", "color": "#d62728", "border": "#5c0a0a", "glyph": "★",
             "legend": "seed (declared chain)"},
    "main-path": {"shape": "square", "color": "#6a3d9a", "border": "#2d1745", "glyph": "■",
                  "legend": "on the main path"},
    "missing-ancestor": {"shape": "diamond", "color": "#1f77b4", "border": "#0b3a5c", "glyph": "◆",
                         "legend": "missing ancestor (cited by seeds, not in the list)"},
    "frontier": {"shape": "triangle", "color": "#2ca02c", "border": "#0f4d0f", "glyph": "▲",
                 "legend": "frontier (cites several seeds)"},
    "other": {"shape": "dot", "color": "#9e9e9e", "border": "#555555", "glyph": "●",
              "legend": "other paper"},
}

#: Declared arrows by chain-check verdict: colour, width, vis-network ``dashes`` and legend text.
VERDICT_STYLES: dict[str, dict[str, Any]] = {
    "direct": {"color": "#c0392b", "width": 3.0, "dashes": False, "glyph": "━",
               "legend": "declared, cited directly"},
    "path": {"color": "#d35400", "width": 2.5, "dashes": [10, 4], "glyph": "╍",
             "legend": "declared, cited through the papers named"},
    "none": {"color": "#7f8c8d", "width": 2.0, "dashes": [3, 6], "glyph": "┄",
             "legend": "declared, no citation found"},
}
#: Edges of the main path(s).
MAIN_PATH_STYLE: dict[str, Any] = {"color": "#6a3d9a", "width": 5.0, "glyph": "▬", "legend": "main path"}
#: Plain citations (u → v: u cites v).
CITATION_STYLE: dict[str, Any] = {"color": "#8a9199", "width": 1.0, "glyph": "→", "legend": "cites"}
#: Label font of the lineage view: the layout measures labels with these metrics, the page draws with them.
LABEL_FONT: dict[str, Any] = {"face": "Liberation Sans, Arial, Helvetica, sans-serif", "size": 13}


def legend_entries(roles: Iterable[str], verdicts: Iterable[str] = (), *, main_path: bool = False,
                   citations: bool = True) -> list[tuple[str, str]]:
    """``(glyph, text)`` legend rows for the roles and verdicts present, in a fixed order.

    Examples
    --------
    >>> legend_entries(["other", "seed"], ["path", "direct"], main_path=True, citations=False)[-3:]
    [('━', 'declared, cited directly'), ('╍', 'declared, cited through the papers named'), ('▬', 'main path')]
    """
    roles, verdicts = set(roles), set(verdicts)
    out = [(s["glyph"], s["legend"]) for r, s in VIEW_ROLES.items() if r in roles]
    out += [(s["glyph"], s["legend"]) for v, s in VERDICT_STYLES.items() if v in verdicts]
    if main_path:
        out.append((MAIN_PATH_STYLE["glyph"], MAIN_PATH_STYLE["legend"]))
    if citations:
        out.append((CITATION_STYLE["glyph"], CITATION_STYLE["legend"]))
    return out
