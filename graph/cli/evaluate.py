"""``lineage eval``: how well the analyses recover what is known (flags and printing only).

``lineage eval --protocol bibliography --split test`` runs protocol 1 of :mod:`graph.analyse.evaluate`
on the whole snapshot; ``--protocol loo`` the leave-one-out over each lineage's seeds on the lineage's
analysis graph. Every method is run; figures come with bootstrap 95 % intervals, and the interval of
``ours − method`` for every other method. ``lineage eval ancestors`` is the older leave-one-out summary.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import typer

from graph.cli._shell import (
    Fmt,
    FormatOpt,
    LineageOpt,
    LineagesOpt,
    OfflineOpt,
    SeedsOpt,
    dump,
    engine,
    err,
    handle_errors,
    table,
)

__all__ = ["eval_app"]

eval_app = typer.Typer(
    help="Evaluate the missing-ancestor ranking: every method, a held-out test split, bootstrap intervals.",
    invoke_without_command=True,
)


class ProtocolChoice(str, Enum):
    bibliography = "bibliography"
    loo = "loo"


class SplitChoice(str, Enum):
    dev = "dev"
    test = "test"
    all = "all"


@eval_app.callback()
@handle_errors
def eval_cmd(
    ctx: typer.Context,
    protocol: Annotated[ProtocolChoice, typer.Option(
        help="bibliography: hide references of papers with complete lists; loo: hide each seed in turn.",
    )] = ProtocolChoice.bibliography,
    split: Annotated[SplitChoice, typer.Option(help="dev (weights are chosen here), test (report) or all.")]
    = SplitChoice.test,
    lineage: LineagesOpt = None,
    k_hidden: Annotated[int, typer.Option("--k", min=1, help="References hidden per paper (bibliography).")] = 3,
    seed: Annotated[int, typer.Option(help="Seed of the hidden draw and of the bootstrap.")] = 0,
    method: Annotated[list[str] | None, typer.Option(help="Only these methods (repeat); default all.")] = None,
    reps: Annotated[int, typer.Option(min=10, help="Bootstrap resamples.")] = 1000,
    cases: Annotated[bool, typer.Option("--cases", help="JSON: include the per-case rows.")] = False,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Every ranking method on one protocol and split, with 95% intervals (see docs/eval.md)."""
    if ctx.invoked_subcommand is not None:
        return
    from graph.explore.evaluation import run_evaluation

    if lineage and protocol == ProtocolChoice.bibliography:
        err("note: --lineage is ignored by the bibliography protocol (it uses every paper of the snapshot)")
    out = run_evaluation(engine(seeds, offline or protocol == ProtocolChoice.bibliography),
                         protocol=protocol.value, split=split.value, lineages=lineage, k_hidden=k_hidden,
                         seed=seed, methods=method, reps=reps, cases=cases)
    if fmt == Fmt.json:
        dump(out)
        return
    _print_tables(out)


def _print_tables(out: dict[str, Any]) -> None:
    what = f"{out['protocol']} · {out['split']} split · {out['cases']} cases · {out['targets']} hidden papers"
    rows = [{"method": m, **{k: _iv(v) for k, v in d.items()}} for m, d in out["methods"].items()]
    table(rows, ["method", "recall@10", "recall@20", "mrr"], title=what + " (mean [95% interval])")
    if out["diff_ours_minus"]:
        rows = [{"ours minus": m, **{k: _iv(v) for k, v in d.items()}} for m, d in out["diff_ours_minus"].items()]
        table(rows, ["ours minus", "recall@10", "recall@20", "mrr"], title="paired differences (95% interval)")
    if out["per_lineage"]:
        rows = [{"lineage": n, "cases": d["cases"],
                 **{m: f"{v['mrr']:.3f}" for m, v in d["methods"].items()}} for n, d in out["per_lineage"].items()]
        cols = ["lineage", "cases", *next(iter(out["per_lineage"].values()))["methods"]]
        table(rows, cols, title="MRR per lineage")


def _iv(v: dict[str, float]) -> str:
    return f"{v['mean']:.3f} [{v['lo']:.3f}, {v['hi']:.3f}]"


@eval_app.command("ancestors")
@handle_errors
def eval_ancestors_cmd(
    lineage: LineageOpt = None,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Leave-one-out: hide each seed cited by >= 2 others, rank; ours vs LCN 'Top Cited' (both splits)."""
    out = engine(seeds, offline).evaluate_loo(lineage)
    if fmt == Fmt.json:
        dump(out)
    else:
        rows = [{"method": m, **{k: f"{v:.3f}" for k, v in out[m].items()}} for m in ("ours", "baseline")]
        table(
            rows,
            ["method", "recall@5", "recall@10", "mrr"],
            title=f"leave-one-out over {out['cases']} cases{' in ' + lineage if lineage else ''}",
        )
