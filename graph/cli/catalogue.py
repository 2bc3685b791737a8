"""Commands about the catalogue: seeds and lineages."""

from __future__ import annotations

import typer

from graph.cli._shell import (
    Fmt,
    FormatOpt,
    OfflineOpt,
    SeedsOpt,
    dump,
    engine,
    err,
    handle_errors,
    table,
)

__all__ = ["app_commands"]

app_commands = typer.Typer()


@app_commands.command("seeds")
@handle_errors
def seeds_cmd(fmt: FormatOpt = Fmt.table, offline: OfflineOpt = False, seeds: SeedsOpt = None) -> None:
    """Every seed resolved: title, year, arXiv id, DOI and how it matched (id, DOI, title), or why not."""
    eng = engine(seeds, offline)
    ans = eng.entries()
    rows = []
    for r in ans.rows:
        s = eng.catalogue.seeds[r["alias"]]
        rows.append({**r, "title": r["title"] or s.title, "year": r["year"] or s.year,
                     "arxiv_id": r["arxiv_id"] or s.arxiv_id, "doi": r["doi"] or s.doi, "kind": s.kind,
                     "s2_id": s.s2_id, "section": s.section, "matched": r["matched_by"] or "unresolved"})
    for note in ans.notes:
        err(note)
    if fmt == Fmt.json:
        dump(rows)
    else:
        table(rows, ["alias", "title", "year", "arxiv_id", "doi", "matched", "lineages"], title=ans.title)


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


