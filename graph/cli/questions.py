"""The questions: show, ancestors, frontier, check, path, order. Each asks the engine and prints."""

from __future__ import annotations

from typing import Annotated

import typer

from graph.cli._shell import (
    Fmt,
    FormatOpt,
    LineageOpt,
    LineagesOpt,
    OfflineOpt,
    QuietOpt,
    RefreshOpt,
    SeedsOpt,
    dump,
    engine,
    err,
    handle_errors,
    print_answer,
)

__all__ = ["register"]

SHOW_FIELDS = (
    "paper_id", "title", "authors", "year", "venue", "abstract", "tldr", "arxiv_id", "doi", "s2_id", "alias", "role",
    "lineages", "sections", "references_status", "references_in_graph", "citations_in_graph", "source", "fetched_at",
)


def show_cmd(paper: str, lineage: LineagesOpt = None, fmt: FormatOpt = Fmt.table, offline: OfflineOpt = False,
             seeds: SeedsOpt = None, quiet: QuietOpt = False, refresh: RefreshOpt = False,
             with_references: Annotated[bool, typer.Option("--with-references", help="Also its full reference "
                                                           "and citation lists (online: up to 2 requests).")] = False,
             ) -> None:
    """Show any paper (alias, arXiv id, DOI:..., S2 id): metadata, ids, lineages, its neighbours in the graph."""
    ans = engine(seeds, offline, quiet=quiet, refresh=refresh).show(paper, lineages=lineage,
                                                                    with_references=with_references)
    d = ans.rows[0]
    if fmt == Fmt.json:
        dump(d)
        return
    for note in ans.notes[:-1]:
        err(note)
    for k in (*SHOW_FIELDS, "references", "citations"):
        if k in ("references", "citations") and k not in d:
            continue
        v = d.get(k)
        if isinstance(v, list):
            v = ", ".join(map(str, v))
        if isinstance(v, dict):
            v = ", ".join(f"{a} {b:.2f}" for a, b in sorted(v.items(), key=lambda kv: -kv[1]))
        typer.echo(f"{k:>20}: {'' if v is None else v}")


def ancestors_cmd(
    lineage: LineageOpt = None,
    top: Annotated[int, typer.Option(min=1)] = 20,
    method: Annotated[str, typer.Option(help="ours, or a baseline (see docs/eval.md)")] = "ours",
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
    quiet: QuietOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """Missing ancestors: papers the seeds build on that the list lacks, ranked and explained."""
    print_answer(engine(seeds, offline, quiet=quiet, refresh=refresh).ancestors(lineage, top=top, method=method), fmt)


def frontier_cmd(
    lineage: LineageOpt = None,
    since: Annotated[int | None, typer.Option(help="Only papers from this year on.")] = None,
    top: Annotated[int, typer.Option(min=1)] = 20,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
    quiet: QuietOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """The frontier: later papers that extend a lineage, ranked and explained."""
    print_answer(engine(seeds, offline, quiet=quiet, refresh=refresh).frontier(lineage, since=since, top=top), fmt)


def check_cmd(lineage: LineageOpt = None, fmt: FormatOpt = Fmt.table, offline: OfflineOpt = False,
              seeds: SeedsOpt = None, quiet: QuietOpt = False, refresh: RefreshOpt = False) -> None:
    """Chain check: is every declared arrow A -> B backed by citations (direct, path, none)?"""
    print_answer(engine(seeds, offline, quiet=quiet, refresh=refresh).check(lineage), fmt)


def path_cmd(paper_a: str, paper_b: str, lineage: LineagesOpt = None, fmt: FormatOpt = Fmt.table,
             offline: OfflineOpt = False, seeds: SeedsOpt = None, quiet: QuietOpt = False,
             refresh: RefreshOpt = False) -> None:
    """A citation path between two papers, in either direction."""
    print_answer(engine(seeds, offline, quiet=quiet, refresh=refresh).path(paper_a, paper_b, lineages=lineage), fmt)


def order_cmd(
    lineage: Annotated[str, typer.Option("--lineage", "-l", help="A lineage name.")],
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
    quiet: QuietOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """Reading order for a lineage: ancestors first, then topological, ties by year."""
    print_answer(engine(seeds, offline, quiet=quiet, refresh=refresh).order(lineage), fmt)


def mainpath_cmd(
    lineage: Annotated[str, typer.Option("--lineage", "-l", help="A lineage name.")],
    weight: Annotated[str, typer.Option(help="spc, splc or spnp (search path count variants)")] = "spc",
    key_routes: Annotated[int, typer.Option("--key-routes", min=0, max=20, help="Union of the k heaviest routes.")] = 1,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
    quiet: QuietOpt = False,
    refresh: RefreshOpt = False,
) -> None:
    """Main path of a lineage's citation DAG (Hummon & Doreian; key routes by Liu & Lu), old to new."""
    if weight not in ("spc", "splc", "spnp"):
        from graph.core.errors import LineageError

        raise LineageError(f"unknown weight '{weight}'", hint="use spc, splc or spnp")
    eng = engine(seeds, offline, quiet=quiet, refresh=refresh)
    print_answer(eng.mainpath(lineage, weight=weight, key_routes=key_routes), fmt)


def register(app: typer.Typer) -> None:
    """Add the question commands to ``app``."""
    for name, fn in (("show", show_cmd), ("ancestors", ancestors_cmd), ("frontier", frontier_cmd),
                     ("check", check_cmd), ("path", path_cmd), ("order", order_cmd), ("mainpath", mainpath_cmd)):
        app.command(name)(handle_errors(fn))

