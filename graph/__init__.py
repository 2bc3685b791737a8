"""paper-lineage: seed papers -> citation graph -> lineages, missing ancestors, frontier.

The public API is re-exported here. Light modules (errors, ids, models, settings) are imported
eagerly; the rest load on first use (``graph.build_graph`` imports ``graph.expand`` then), so that
``import graph`` stays cheap for the CLI. Front ends (``app.py``, ``graph.cli``) are thin shells over
this API.
"""

from __future__ import annotations

import importlib
from typing import Any

from graph.errors import *  # noqa: F403
from graph.errors import __all__ as _errors_all
from graph.ids import *  # noqa: F403
from graph.ids import __all__ as _ids_all
from graph.models import *  # noqa: F403
from graph.models import __all__ as _models_all
from graph.settings import *  # noqa: F403
from graph.settings import __all__ as _settings_all

__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, ...]] = {
    "graph.seeds": ("Appearance", "Catalogue", "Lineage", "Seed", "load_catalogue"),
    "graph.snapshot": ("Snapshot", "SnapshotError", "load_snapshot", "write_snapshot"),
    "graph.cache": ("Cache", "clear_cache"),
    "graph.expand": ("NODE_ATTRS", "build_graph", "graph_from_records", "merge_duplicates", "prune",
                     "select_seeds"),
    "graph.lineage": ("assign_roles", "bridges", "tag_lineages"),
    "graph.analysis": ("ChainVerdict", "Result", "check_chain", "citation_path", "evaluate_ancestors",
                       "frontier", "missing_ancestors", "reading_order"),
    "graph.select": ("ViewSpec", "find_node", "view"),
    "graph.render": ("render_html",),
    "graph.export": ("FORMATS", "export_graph", "write_export"),
    "graph.refresh": ("refresh_snapshot", "snapshot_info"),
    "graph.enrich": ("enrich_from_arxiv",),
    "graph.sources.s2": ("S2Source",),
    "graph.sources.arxiv": ("ArxivSource",),
}
_WHERE = {name: mod for mod, names in _LAZY.items() for name in names}

__all__ = [*_errors_all, *_ids_all, *_models_all, *_settings_all, *_WHERE]


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'graph' has no attribute '{name}'")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
