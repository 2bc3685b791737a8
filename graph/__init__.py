"""paper-lineage: seed papers -> citation graph -> lineages, missing ancestors, frontier.

The public API is re-exported here. Light modules (errors, ids, models, settings) are imported
eagerly; the rest load on first use (``graph.build_graph`` imports ``graph.assemble.expand``
then), so that
``import graph`` stays cheap. Front ends (``app.py``, ``graph.cli``) are thin shells over
``graph.Engine`` (``graph.explore``), the one orchestration layer.
"""

from __future__ import annotations

import importlib
from typing import Any

from graph.core.errors import *  # noqa: F403
from graph.core.errors import __all__ as _errors_all
from graph.core.identity import *  # noqa: F403
from graph.core.identity import __all__ as _identity_all
from graph.core.ids import *  # noqa: F403
from graph.core.ids import __all__ as _ids_all
from graph.core.models import *  # noqa: F403
from graph.core.models import __all__ as _models_all
from graph.core.settings import *  # noqa: F403
from graph.core.settings import __all__ as _settings_all

__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, ...]] = {
    "graph.explore": ("Answer", "Engine", "FetchPlan", "GraphSpec", "View"),
    "graph.catalogue.load": ("Appearance", "Catalogue", "Lineage", "Seed", "load_catalogue"),
    "graph.store.snapshot": ("Snapshot", "SnapshotError", "load_snapshot", "write_snapshot"),
    "graph.store.cache": ("Cache", "clear_cache"),
    "graph.assemble.expand": ("NODE_ATTRS", "build_graph", "graph_from_records", "merge_duplicates", "prune",
                              "select_seeds"),
    "graph.assemble.meta": ("GraphMeta",),
    "graph.catalogue.resolve": ("EntryResolution", "resolve_entries"),
    "graph.analyse.mainpath": ("MainPath", "main_path"),
    "graph.present.lineage_view": ("build_lineage_view",),
    "graph.present.lineage_layout": ("lineage_layout",),
    "graph.assemble.lineage": ("assign_roles", "bridges", "tag_lineages"),
    "graph.analyse.analysis": ("ChainVerdict", "Result", "check_chain", "citation_path", "evaluate_ancestors",
                               "frontier", "missing_ancestors", "reading_order"),
    "graph.analyse.select": ("ViewSpec", "find_node", "view"),
    "graph.present.render": ("render_html",),
    "graph.present.export": ("FORMATS", "export_graph", "write_export"),
    "graph.assemble.refresh": ("refresh_snapshot", "snapshot_info"),
    "graph.assemble.enrich": ("enrich_from_arxiv",),
    "graph.sources.s2": ("S2Source",),
    "graph.sources.arxiv": ("ArxivSource",),
}
_WHERE = {name: mod for mod, names in _LAZY.items() for name in names}

__all__ = [*_errors_all, *_ids_all, *_identity_all, *_models_all, *_settings_all, *_WHERE]


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'graph' has no attribute '{name}'")
    value = getattr(importlib.import_module(mod), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
