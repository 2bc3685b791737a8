"""Commands about the catalogue: seeds and lineages."""

from __future__ import annotations

import typer

from graph.cli._shell import (
    Fmt,
    FormatOpt,
    SeedsOpt,
    dump,
    engine,
    handle_errors,
    table,
)

__all__ = ["app_commands"]

app_commands = typer.Typer()


@app_commands.command("seeds")
@handle_errors
def seeds_cmd(fmt: FormatOpt = Fmt.table, seeds: SeedsOpt = None) -> None:
    """List the seed papers: alias, title, ids, year, section and lineages."""
    cat = engine(seeds, True).catalogue
    rows = [
        {
            "alias": s.alias,
            "title": s.title,
            "kind": s.kind,
            "arxiv_id": s.arxiv_id,
            "doi": s.doi,
            "s2_id": s.s2_id,
            "year": s.year,
            "section": s.section,
            "lineages": list(s.lineages),
        }
        for s in cat.seeds.values()
    ]
    if fmt == Fmt.json:
        dump(rows)
    else:
        for r in rows:
            r["lineages"] = ", ".join(r["lineages"])
        table(
            rows,
            ["alias", "title", "year", "arxiv_id", "doi", "section", "lineages"],
            title=f"{len(rows)} seeds from {cat.path}",
        )


@app_commands.command("lineages")
@handle_errors
def lineages_cmd(fmt: FormatOpt = Fmt.table, seeds: SeedsOpt = None) -> None:
    """List the declared lineages and their ordered stages."""
    cat = engine(seeds, True).catalogue
    rows = [
        {
            "name": lin.name,
            "stages": [list(st) for st in lin.stages],
            "members": list(lin.members),
            "description": lin.description,
        }
        for lin in cat.lineages.values()
    ]
    if fmt == Fmt.json:
        dump(rows)
    else:
        table(
            [
                {
                    **r,
                    "stages": " -> ".join("{" + ", ".join(s) + "}" if len(s) > 1 else s[0] for s in r["stages"]),
                    "members": ", ".join(r["members"]),
                }
                for r in rows
            ],
            ["name", "stages", "members"],
        )


