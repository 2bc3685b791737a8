"""The typed contract of ``G.graph``: what a built graph says about itself.

:func:`graph.assemble.expand.build_graph` fills ``G.graph`` with the keys below and stores one
:class:`GraphMeta` under ``G.graph["meta"]``. Front ends and the orchestration layer read the record
(``GraphMeta.of(G)``), never the loose keys; library functions that take hand-built graphs (doctests,
analyses on tiny graphs) may still read ``G.graph["lineages"]`` directly, which is why the keys stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import networkx as nx

__all__ = ["BuiltFrom", "GraphMeta"]

BuiltFrom = Literal["snapshot", "online", "cache"]


@dataclass(frozen=True)
class GraphMeta:
    """What one expansion produced, beside the nodes and edges.

    Examples
    --------
    >>> G = nx.DiGraph()
    >>> G.graph.update(lineages={"L": [["a"], ["b"]]}, completeness={"a": "complete", "b": None},
    ...                seed_keys={"x": "a", "y": "b"})
    >>> m = GraphMeta.of(G)
    >>> m.lineage_keys("L"), m.completeness_counts(["a", "b"])
    (['a', 'b'], {'complete': 1, 'partial': 0, 'none_found': 0, 'unknown': 1})
    """

    lineages: dict[str, list[list[str]]] = field(default_factory=dict)
    """Lineage name -> declared stages, each a list of seed node keys (lineages with a seed in the graph)."""
    lineage_members: dict[str, list[str]] = field(default_factory=dict)
    """Lineage name -> node keys of its declared (unordered) members."""
    seed_keys: dict[str, str] = field(default_factory=dict)
    """Seed alias -> node key."""
    completeness: dict[str, str | None] = field(default_factory=dict)
    """Seed node key -> ``complete`` / ``partial`` / ``none_found`` / None (unknown) reference list."""
    unresolved: tuple[str, ...] = ()
    """Aliases of seeds no source could find."""
    notices: tuple[str, ...] = ()
    """Plain-words notices for the user (e.g. the API is unreachable)."""
    built_from: BuiltFrom = "snapshot"
    """Where the facts came from."""
    requests: int = 0
    """HTTP requests this build sent."""
    cache_hits: int = 0
    """Facts answered by the local cache."""
    depth: int = 1
    """Hops from the seeds."""
    direction: str = "both"
    """Direction of the first hop."""
    pruned: int = 0
    """Least-connected papers dropped to respect ``max_nodes``."""

    @classmethod
    def of(cls, G: nx.DiGraph) -> GraphMeta:
        """The record of ``G`` (built from its keys when the graph was made by hand)."""
        m = G.graph.get("meta")
        if isinstance(m, GraphMeta):
            return m
        g: Any = G.graph
        return cls(
            lineages=dict(g.get("lineages") or {}),
            lineage_members=dict(g.get("lineage_members") or {}),
            seed_keys=dict(g.get("seed_keys") or {}),
            completeness=dict(g.get("completeness") or {}),
            unresolved=tuple(g.get("unresolved") or ()),
            notices=tuple(g.get("notices") or ()),
            built_from=g.get("built_from") or "snapshot",
            requests=int(g.get("requests") or 0),
            cache_hits=int(g.get("cache_hits") or 0),
            depth=int(g.get("depth") or 0),
            direction=str(g.get("direction") or "both"),
            pruned=int(g.get("pruned") or 0),
        )

    def lineage_keys(self, name: str) -> list[str]:
        """Seed keys of a lineage in stage order, then its members."""
        keys = [k for stage in self.lineages.get(name, []) for k in stage]
        return list(dict.fromkeys([*keys, *self.lineage_members.get(name, [])]))

    def completeness_counts(self, keys: list[str]) -> dict[str, int]:
        """How many of ``keys`` have a complete, partial, none-found or unknown reference list."""
        out = {"complete": 0, "partial": 0, "none_found": 0, "unknown": 0}
        for k in keys:
            s = self.completeness.get(k)
            out[s if s in out else "unknown"] += 1
        return out
