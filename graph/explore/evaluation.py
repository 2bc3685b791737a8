"""The benchmark of the missing-ancestor ranking, as the engine runs it for ``lineage eval``.

Protocol 1 (``bibliography``) runs on the whole embedded snapshot; protocol 2 (``loo``) on each lineage's
analysis graph (:data:`graph.explore.records.ANALYSIS_GRAPH`) with the snapshot as the specificity
background. The logic is :func:`graph.analyse.evaluate.evaluate`; this module only gathers its inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.explore.engine import Engine

__all__ = ["background", "run_evaluation"]


def background(engine: Engine) -> Any:
    """The whole snapshot as one graph (built once per snapshot): the specificity background."""
    return engine.background()


def run_evaluation(
    engine: Engine,
    *,
    protocol: str = "bibliography",
    split: str = "test",
    lineages: Sequence[str] | None = None,
    k_hidden: int = 3,
    seed: int = 0,
    methods: Sequence[str] | None = None,
    reps: int = 1000,
    cases: bool = False,
) -> dict[str, Any]:
    """Every method's figures with bootstrap intervals (:meth:`graph.analyse.metrics.EvalReport.to_dict`).

    ``lineages`` only applies to ``loo`` (all lineages of the catalogue when empty); per-case rows are
    dropped unless ``cases``.
    """
    from graph.analyse.evaluate import evaluate, lineage_groups
    from graph.analyse.scores import METHODS
    from graph.assemble.lineage import declared_lineages

    B = background(engine)
    methods = tuple(methods) if methods else METHODS
    if protocol == "bibliography":
        groups = lineage_groups(B, declared_lineages(B, engine.catalogue))
        rep = evaluate(B, protocol="bibliography", split=split, k_hidden=k_hidden, seed=seed,  # type: ignore[arg-type]
                       methods=methods, reps=reps, groups=groups)
    else:
        names = engine.lineage_names(lineages) if lineages else tuple(engine.catalogue.lineages)
        graphs = {n: engine.analysis_graph([n]) for n in names}
        rep = evaluate(None, protocol=protocol, split=split, seed=seed, methods=methods,  # type: ignore[arg-type]
                       lineages=graphs, background=B, reps=reps)
    out = rep.to_dict()
    if not cases:
        out.pop("per_case")
    return out
