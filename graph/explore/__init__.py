"""The one orchestration layer: every surface (CLI, app, HTML export, docs snippets) asks it.

An :class:`Engine` owns the settings (read once), the catalogue, the graphs each question needs (built
once and cached), the resolution of any paper reference, and every analysis with its display rows. The
shells (``graph/cli``, ``app.py``) only turn flags and widgets into calls here and print or draw what
comes back, so the same question gets the same answer everywhere.

Two graphs, documented once:

* the **analysis graph** (:data:`ANALYSIS_GRAPH`): the seeds' references and citing papers, plus what
  those citing papers cite (co-citation evidence), at most 400 citing papers expanded. Every analysis
  (ancestors, frontier, check, order, path, main path, show) runs on it.
* the **view graph** (:data:`VIEW_GRAPH`, depth and direction chosen by the user): what the full graph
  view draws and exports.

Both are scoped by the lineages asked about (all of the catalogue when none).
"""

from graph.assemble.plan import FetchPlan
from graph.explore.engine import Engine, load_user_catalogue
from graph.explore.records import (
    ANALYSIS_GRAPH,
    COLUMNS,
    VIEW_GRAPH,
    Answer,
    GraphSpec,
    ProgressFn,
    View,
    catalogue_hash,
    display_name,
)
from graph.present.export import FORMATS

__all__ = [
    "ANALYSIS_GRAPH",
    "COLUMNS",
    "FORMATS",
    "VIEW_GRAPH",
    "Answer",
    "Engine",
    "FetchPlan",
    "GraphSpec",
    "ProgressFn",
    "View",
    "catalogue_hash",
    "display_name",
    "load_user_catalogue",
]
