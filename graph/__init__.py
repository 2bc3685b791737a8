"""paper-lineage: seed papers -> citation graph -> lineages, missing ancestors, frontier.

The public API is re-exported here; front ends (``app.py``, ``graph.cli``) are thin shells over it.
"""

from __future__ import annotations

from graph.errors import *  # noqa: F403
from graph.errors import __all__ as _errors_all
from graph.ids import *  # noqa: F403
from graph.ids import __all__ as _ids_all
from graph.models import *  # noqa: F403
from graph.models import __all__ as _models_all
from graph.settings import *  # noqa: F403
from graph.settings import __all__ as _settings_all

__version__ = "0.1.0"
__all__ = [*_errors_all, *_ids_all, *_models_all, *_settings_all]
