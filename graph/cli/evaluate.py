"""``lineage eval``: how well the analyses recover what is known."""

from __future__ import annotations

import typer

from graph.cli._shell import (
    Fmt,
    FormatOpt,
    LineageOpt,
    OfflineOpt,
    SeedsOpt,
    dump,
    engine,
    handle_errors,
    table,
)

__all__ = ["eval_app"]

eval_app = typer.Typer(help="Evaluate the analyses.", no_args_is_help=True)


@eval_app.command("ancestors")
@handle_errors
def eval_ancestors_cmd(
    lineage: LineageOpt = None,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Leave-one-out: hide each seed cited by >= 2 others, rank; ours vs LCN 'Top Cited'."""
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
