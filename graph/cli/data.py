"""Commands about the data: expand, export, the snapshot and the cache."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from graph.cli._shell import (
    Fmt,
    FormatOpt,
    LineagesOpt,
    OfflineOpt,
    Progress,
    QuietOpt,
    RefreshOpt,
    SeedsOpt,
    dump,
    engine,
    err,
    handle_errors,
    table,
)
from graph.explore import FORMATS, GraphSpec

__all__ = ["app_commands", "cache_app", "snapshot_app"]

app_commands = typer.Typer()
snapshot_app = typer.Typer(help="The embedded offline snapshot.", no_args_is_help=True)
cache_app = typer.Typer(help="The local SQLite cache.", no_args_is_help=True)


class Direction(str, Enum):
    references = "references"
    citations = "citations"
    both = "both"


ExportFmt = Enum("ExportFmt", {k: k for k in FORMATS}, type=str)  # type: ignore[misc]


@app_commands.command("expand")
@handle_errors
def expand_cmd(
    lineage: LineagesOpt = None,
    depth: Annotated[int, typer.Option(min=0, max=3, help="Hops from the seeds.")] = 1,
    direction: Annotated[Direction, typer.Option(help="references, citations or both")] = Direction.both,
    max_nodes: Annotated[int | None, typer.Option("--max-nodes", min=1, help="Keep the most connected.")] = None,
    offline: OfflineOpt = False,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the graph as node-link JSON.")] = None,
    quiet: QuietOpt = False,
    seeds: SeedsOpt = None,
    refresh: RefreshOpt = False,
) -> None:
    """Expand seeds into a citation graph; ends with 'nodes=N edges=M requests=R cache_hits=H'."""
    eng = engine(seeds, offline, quiet=quiet, refresh=refresh)
    spec = GraphSpec(lineages=tuple(lineage or ()), depth=depth, direction=direction.value, max_nodes=max_nodes)
    G = eng.graph(spec)
    for note in eng.notes(G)[:-1]:
        err(note)
    if out:
        eng.write_graph(G, "json", out)
        err(f"wrote {out}")
    m = eng.meta(G)
    typer.echo(f"nodes={G.number_of_nodes()} edges={G.number_of_edges()} "
               f"requests={m.requests} cache_hits={m.cache_hits}")


class ViewKind(str, Enum):
    lineage = "lineage"
    full = "full"


@app_commands.command("export")
@handle_errors
def export_cmd(
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help=", ".join(FORMATS))],
    out: Annotated[Path, typer.Option("--out", "-o", help="The file to write.")],
    lineage: LineagesOpt = None,
    view: Annotated[ViewKind, typer.Option(help="lineage: the lineage view (one lineage; the default then); "
                                                "full: every paper of the expansion")] = ViewKind.lineage,
    nodes: Annotated[int, typer.Option(min=10, max=400, help="Lineage view: about this many papers.")] = 50,
    all_edges: Annotated[bool, typer.Option("--all-edges", help="Lineage view: every citation, not the "
                                                                 "transitive reduction.")] = False,
    around: Annotated[str | None, typer.Option(help="Full view: focus on this paper (alias / id).")] = None,
    radius: Annotated[int, typer.Option(min=0, max=5)] = 1,
    ancestors: Annotated[int | None, typer.Option(min=0, help="Full view: only seeds + the top-K missing "
                                                              "ancestors.")] = None,
    depth: Annotated[int, typer.Option(min=0, max=3)] = 1,
    direction: Annotated[Direction, typer.Option()] = Direction.both,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Export exactly what the app shows: the lineage view of one lineage, or the full view (same marks)."""
    eng = engine(seeds, offline)
    names = eng.lineage_names(lineage)
    if view == ViewKind.lineage and len(names) == 1 and around is None and ancestors is None:
        v = eng.lineage_view(names[0], nodes=nodes, all_edges=all_edges)
    else:
        v = eng.view(names, depth=depth, direction=direction.value, around=around, radius=radius,
                     top_ancestors=ancestors if ancestors is not None else 10, only_top=ancestors is not None,
                     top_frontier=0 if ancestors is not None else 10)
    data = v.export(fmt.value)
    out.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    err(f"wrote {out} ({fmt.value}): {v.graph.number_of_nodes()} papers, {v.graph.number_of_edges()} citations")


@snapshot_app.command("info")
@handle_errors
def snapshot_info_cmd(fmt: FormatOpt = Fmt.table, seeds: SeedsOpt = None) -> None:
    """Counts, sources, dates and completeness per lineage of the embedded snapshot."""
    info = engine(seeds, True).snapshot_info()
    if fmt == Fmt.json:
        dump(info)
        return
    for k in ("papers", "edges", "built_at", "gathered"):
        if k in info:
            typer.echo(f"{k:>10}: {info[k]}")
    typer.echo("   sources: " + "; ".join(f"{s['name']} ({s['count']})" for s in info.get("sources", [])))
    if ident := info.get("identity"):
        m, r, d = ident["merges"], ident["rejected_ids"], ident["suspected_duplicates"]
        typer.echo(f"    merges: {m.get('ids_bridged')} nodes bridged, {m.get('fuzzy_unions')} title variants "
                   f"merged, {m.get('unions_refused')} unions refused")
        typer.echo("  rejected: " + ", ".join(f"{k} {v}" for k, v in r.items() if k != "total")
                   + f" (total {r.get('total', 0)} ids)")
        typer.echo(f"duplicates: {d.get('pairs')} suspected pairs, {d.get('nodes')} nodes "
                   f"({100 * (d.get('share_of_nodes') or 0):.2f}% of nodes)")
    table(
        info["lineages"],
        ["lineage", "seeds", "in_snapshot", "complete", "partial", "none_found", "missing"],
        title="reference lists per lineage",
    )


@snapshot_app.command("refresh")
@handle_errors
def snapshot_refresh_cmd(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write (default: seeds/snapshot).")] = None,
    quiet: QuietOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Re-fetch every seed's metadata, references and citations from Semantic Scholar; rewrite the snapshot."""
    bar = Progress(quiet)
    bar.armed = not quiet  # a refresh always fetches
    meta = engine(seeds, False).refresh_snapshot(out, progress=bar)
    err(f"snapshot written: {meta['counts']}")


@cache_app.command("clear")
@handle_errors
def cache_clear_cmd() -> None:
    """Delete the cache file (works on a corrupt cache too)."""
    err(f"cleared {engine(None, True).clear_cache()}")


@cache_app.command("info")
@handle_errors
def cache_info_cmd(fmt: FormatOpt = Fmt.table) -> None:
    """Where the cache is and what it holds."""
    st = engine(None, True).cache_info()
    if fmt == Fmt.json:
        dump(st)
    else:
        for k, v in st.items():
            typer.echo(f"{k:>10}: {v}")


