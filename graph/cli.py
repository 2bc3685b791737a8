"""The ``lineage`` command: a thin typer shell over the ``graph`` library.

JSON goes to stdout, messages to stderr. A :class:`graph.core.errors.LineageError` becomes one line on
stderr and its exit code (2 for bad input such as an unknown lineage or paper, 1 for runtime
failures); nothing ever shows a traceback to the user.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from graph.core.errors import LineageError

__all__ = ["app", "main"]

log = logging.getLogger("graph")

app = typer.Typer(
    name="lineage",
    help="See where ideas in machine learning come from: seeds -> citation graph -> lineages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
snapshot_app = typer.Typer(help="The embedded offline snapshot.", no_args_is_help=True)
cache_app = typer.Typer(help="The local SQLite cache.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluate the analyses.", no_args_is_help=True)
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(cache_app, name="cache")
app.add_typer(eval_app, name="eval")


class Fmt(str, Enum):
    table = "table"
    json = "json"


class Direction(str, Enum):
    references = "references"
    citations = "citations"
    both = "both"


class ExportFmt(str, Enum):
    html = "html"
    graphml = "graphml"
    gexf = "gexf"
    json = "json"
    bibtex = "bibtex"
    ris = "ris"
    csv = "csv"


SeedsOpt = Annotated[
    Path | None,
    typer.Option("--seeds", envvar="LINEAGE_SEEDS", help="Your own seeds: a YAML, BibTeX or text file (or folder)."),
]
FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="table or json")]
OfflineOpt = Annotated[bool, typer.Option("--offline", help="Snapshot + cache only; no network.")]
LineageOpt = Annotated[str | None, typer.Option("--lineage", "-l", help="A lineage name (see 'lineage lineages').")]
LineagesOpt = Annotated[list[str] | None, typer.Option("--lineage", "-l", help="Lineage name; repeat for several.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]

F = TypeVar("F", bound=Callable[..., Any])


def _err(msg: str) -> None:
    typer.echo(msg, err=True)


def handle_errors(fn: F) -> F:
    """Map library errors to one line on stderr and an exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except LineageError as e:
            _err(f"error: {e}")
            raise typer.Exit(e.exit_code) from None
        except KeyboardInterrupt:
            _err("interrupted: what was fetched so far is saved in the cache; run the command again to resume")
            raise typer.Exit(130) from None
        except OSError as e:
            _err(f"error: {e.strerror or e} ({getattr(e, 'filename', '') or ''})")
            raise typer.Exit(1) from None
        except typer.Exit:
            raise
        except Exception as e:  # the user never sees a traceback; --verbose logs it
            log.debug("unexpected error", exc_info=True)
            _err(f"error: unexpected {type(e).__name__}: {e} (run with --verbose for details; please report it)")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at emit time (test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # pragma: no cover - logging must never raise
            self.handleError(record)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log each HTTP request.")] = False) -> None:
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO if verbose else logging.WARNING)
    log.propagate = False


# --------------------------------------------------------------------------- helpers


def _settings(offline: bool = False, seeds: Path | None = None) -> Any:
    from graph.core.settings import Settings

    return Settings.from_env(offline=True if offline else None, seeds_path=seeds)


def _catalogue(seeds: Path | None) -> Any:
    from graph.catalogue.load import load_catalogue

    return load_catalogue(seeds)


class _Progress:
    """A small progress display on stderr (silent with --quiet or when stderr is not a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        line = f"{stage}: {done}/{total}"
        if line != self.last:
            self.last = line
            if sys.stderr.isatty():
                sys.stderr.write("\r" + line.ljust(60))
                if done >= total:
                    sys.stderr.write("\n")
                sys.stderr.flush()
            elif done >= total:
                _err(line)


def _build(
    seeds: Path | None,
    *,
    lineages: Sequence[str] | None = None,
    depth: int = 1,
    direction: str = "both",
    max_nodes: int | None = None,
    offline: bool = False,
    quiet: bool = True,
    later_direction: str | None = None,
    hop_limit: int | None = None,
) -> Any:
    from graph.build.expand import build_graph

    settings = _settings(offline, seeds)
    cat = _catalogue(seeds)
    if lineages:
        for name in lineages:
            cat.get_lineage(name)
    G = build_graph(
        cat,
        lineages=lineages or None,
        depth=depth,
        direction=direction,  # type: ignore[arg-type]
        max_nodes=max_nodes,
        later_direction=later_direction,  # type: ignore[arg-type]
        hop_limit=hop_limit,
        offline=offline or settings.offline,
        settings=settings,
        progress=_Progress(quiet),
    )
    for note in G.graph.get("notices", []):
        _err(f"notice: {note}")
    return cat, G


ANALYSIS_GRAPH: dict[str, Any] = {"depth": 2, "direction": "both", "later_direction": "references", "hop_limit": 400}
"""The graph behind ancestors and their evaluation: the seeds' references and citing papers, plus what
those citing papers cite (co-citation evidence), expanding at most 400 citing papers."""


def _table(rows: list[dict[str, Any]], columns: list[str], *, title: str | None = None) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_lines=False)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows:
        t.add_row(*["" if r.get(c) is None else str(r.get(c)) for c in columns])
    Console(width=max(100, min(200, 40 * len(columns)))).print(t)


def _dump(obj: Any) -> None:
    typer.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


def _completeness_line(G: Any, lineage: str | None = None) -> str:
    comp: dict[str, Any] = G.graph.get("completeness", {})
    keys = list(comp)
    if lineage:
        lin = {k for stage in G.graph["lineages"].get(lineage, []) for k in stage}
        lin.update(G.graph.get("lineage_members", {}).get(lineage, []))  # members vote too
        keys = [k for k in keys if k in lin]
    n = len(keys)
    counts = {s: sum(1 for k in keys if comp[k] == s) for s in ("complete", "partial", "none_found")}
    unknown = n - sum(counts.values())
    return (
        f"reference lists of the {n} seeds{' of ' + lineage if lineage else ''}: "
        f"{counts['complete']} complete, {counts['partial']} partial, {counts['none_found']} none found"
        + (f", {unknown} unknown" if unknown else "")
        + " (a missing edge from an incomplete list is missing data, not evidence)"
    )


# --------------------------------------------------------------------------- commands


@app.command("seeds")
@handle_errors
def seeds_cmd(fmt: FormatOpt = Fmt.table, seeds: SeedsOpt = None) -> None:
    """List the seed papers: alias, title, ids, year, section and lineages."""
    cat = _catalogue(seeds)
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
        _dump(rows)
    else:
        for r in rows:
            r["lineages"] = ", ".join(r["lineages"])
        _table(
            rows,
            ["alias", "title", "year", "arxiv_id", "doi", "section", "lineages"],
            title=f"{len(rows)} seeds from {cat.path}",
        )


@app.command("lineages")
@handle_errors
def lineages_cmd(fmt: FormatOpt = Fmt.table, seeds: SeedsOpt = None) -> None:
    """List the declared lineages and their ordered stages."""
    cat = _catalogue(seeds)
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
        _dump(rows)
    else:
        _table(
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


@app.command("show")
@handle_errors
def show_cmd(paper: str, fmt: FormatOpt = Fmt.table, offline: OfflineOpt = False, seeds: SeedsOpt = None) -> None:
    """Show one paper: metadata, ids, lineages, completeness, in-graph references and citations."""
    from graph.analyse.select import find_node
    from graph.build.enrich import enrich_from_arxiv

    _, G = _build(seeds, offline=offline)
    key = find_node(G, paper)
    enrich_from_arxiv(G, [key], settings=_settings(offline, seeds))  # abstract & authors; cache first
    d = dict(G.nodes[key])
    d["paper_id"] = key
    d["references_in_graph"] = G.out_degree(key)
    d["citations_in_graph"] = G.in_degree(key)
    if fmt == Fmt.json:
        _dump(d)
    else:
        for k in (
            "paper_id",
            "title",
            "authors",
            "year",
            "venue",
            "abstract",
            "tldr",
            "arxiv_id",
            "doi",
            "s2_id",
            "alias",
            "role",
            "lineages",
            "sections",
            "references_status",
            "references_in_graph",
            "citations_in_graph",
            "source",
            "fetched_at",
        ):
            v = d.get(k)
            if isinstance(v, list):
                v = ", ".join(map(str, v))
            if isinstance(v, dict):
                v = ", ".join(f"{a} {b:.2f}" for a, b in sorted(v.items(), key=lambda kv: -kv[1]))
            typer.echo(f"{k:>20}: {'' if v is None else v}")


@app.command("expand")
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
) -> None:
    """Expand seeds into a citation graph; ends with 'nodes=N edges=M requests=R cache_hits=H'."""
    _, G = _build(
        seeds,
        lineages=lineage,
        depth=depth,
        direction=direction.value,
        max_nodes=max_nodes,
        offline=offline,
        quiet=quiet,
    )
    if G.graph.get("unresolved"):
        _err(f"unresolved seeds ({len(G.graph['unresolved'])}): {', '.join(G.graph['unresolved'])}")
    if out:
        from graph.present.export import write_export

        write_export(G, "json", out)
        _err(f"wrote {out}")
    typer.echo(
        f"nodes={G.number_of_nodes()} edges={G.number_of_edges()} "
        f"requests={G.graph.get('requests', 0)} cache_hits={G.graph.get('cache_hits', 0)}"
    )


def _results(results: list[Any], fmt: Fmt, cols: list[str], title: str) -> None:
    rows = [r.to_dict() for r in results]
    if fmt == Fmt.json:
        _dump(rows)
        return
    for i, r in enumerate(rows, 1):
        r["#"] = i
        r["score"] = f"{r['score']:.3f}" if isinstance(r.get("score"), float) else r.get("score")
    _table(rows, ["#", *cols], title=title)


@app.command("ancestors")
@handle_errors
def ancestors_cmd(
    lineage: LineageOpt = None,
    top: Annotated[int, typer.Option(min=1)] = 20,
    method: Annotated[str, typer.Option(help="ours or baseline (LCN Top Cited)")] = "ours",
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Missing ancestors: papers the seeds build on that the list lacks, ranked and explained."""
    from graph.analyse.analysis import missing_ancestors

    if method not in ("ours", "baseline"):
        raise LineageError(f"unknown method '{method}'", hint="use ours or baseline")
    _, G = _build(seeds, lineages=[lineage] if lineage else None, **ANALYSIS_GRAPH, offline=offline)
    res = missing_ancestors(G, lineage=lineage, top=top, method=method)
    _err(_completeness_line(G, lineage))
    _results(
        res, fmt, ["score", "title", "year", "explanation"], f"missing ancestors{' of ' + lineage if lineage else ''}"
    )


@app.command("frontier")
@handle_errors
def frontier_cmd(
    lineage: LineageOpt = None,
    since: Annotated[int | None, typer.Option(help="Only papers from this year on.")] = None,
    top: Annotated[int, typer.Option(min=1)] = 20,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """The frontier: later papers citing at least 2 seeds of a lineage, newest first."""
    from graph.analyse.analysis import frontier

    _, G = _build(seeds, lineages=[lineage] if lineage else None, direction="both", offline=offline)
    res = frontier(G, lineage=lineage, since=since, top=top)
    if G.graph.get("built_from") != "online":
        _err("frontier offline: from the citing papers in the snapshot (a sample of later work, not all of it)")
    _results(res, fmt, ["score", "title", "year", "explanation"], f"frontier{' of ' + lineage if lineage else ''}")


@app.command("check")
@handle_errors
def check_cmd(
    lineage: LineageOpt = None, fmt: FormatOpt = Fmt.table, offline: OfflineOpt = False, seeds: SeedsOpt = None
) -> None:
    """Chain check: is every declared arrow A -> B backed by citations (direct, path, none)?"""
    from graph.analyse.analysis import check_chain

    cat = _catalogue(seeds)
    names = [cat.get_lineage(lineage).name] if lineage else list(cat.lineages)
    _, G = _build(seeds, lineages=names, direction="references", offline=offline)
    key_of = G.graph["seed_keys"]
    out: list[dict[str, Any]] = []
    for name in names:
        arrows = [(key_of[a], key_of[b]) for a, b in cat.get_lineage(name).arrows() if a in key_of and b in key_of]
        for v in check_chain(G, arrows):
            d = v.to_dict()
            d["lineage"] = name
            d["from"] = G.nodes[d["from"]].get("alias") or d["from"]
            d["to"] = G.nodes[d["to"]].get("alias") or d["to"]
            d["via"] = [G.nodes[x].get("alias") or G.nodes[x].get("title") or x for x in d.get("via") or []]
            out.append(d)
    if fmt == Fmt.json:
        _dump(out)
    else:
        _table([{**d, "via": " -> ".join(d["via"])} for d in out], ["lineage", "from", "to", "verdict", "via", "note"])


@app.command("path")
@handle_errors
def path_cmd(
    paper_a: str, paper_b: str, fmt: FormatOpt = Fmt.table, offline: OfflineOpt = False, seeds: SeedsOpt = None
) -> None:
    """A citation path between two papers, in either direction."""
    from graph.analyse.analysis import citation_path
    from graph.analyse.select import find_node

    _, G = _build(seeds, offline=offline)
    a, b = find_node(G, paper_a), find_node(G, paper_b)
    path = citation_path(G, a, b)
    rows = [
        {
            "step": i,
            "paper_id": k,
            "alias": G.nodes[k].get("alias"),
            "title": G.nodes[k].get("title"),
            "year": G.nodes[k].get("year"),
        }
        for i, k in enumerate(path)
    ]
    if fmt == Fmt.json:
        _dump(rows)
    else:
        _table(
            rows,
            ["step", "alias", "title", "year", "paper_id"],
            title="citation path (each cites or is cited by the next)",
        )


@app.command("order")
@handle_errors
def order_cmd(
    lineage: Annotated[str, typer.Option("--lineage", "-l", help="A lineage name.")],
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Reading order for a lineage: ancestors first, then topological, ties by year."""
    from graph.analyse.analysis import reading_order

    _, G = _build(seeds, lineages=[lineage], direction="references", offline=offline)
    keys = reading_order(G, lineage)
    rows = [
        {
            "#": i + 1,
            "alias": G.nodes[k].get("alias"),
            "title": G.nodes[k].get("title"),
            "year": G.nodes[k].get("year"),
            "role": G.nodes[k].get("role"),
            "paper_id": k,
        }
        for i, k in enumerate(keys)
    ]
    if fmt == Fmt.json:
        _dump(rows)
    else:
        _table(rows, ["#", "alias", "title", "year", "role"], title=f"reading order: {lineage}")


@eval_app.command("ancestors")
@handle_errors
def eval_ancestors_cmd(
    lineage: LineageOpt = None,
    depth: Annotated[int, typer.Option(min=1, max=3, help="Expansion depth of the evaluation graph.")] = 2,
    fmt: FormatOpt = Fmt.table,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Leave-one-out: hide each seed cited by >= 2 others, rank; ours vs LCN 'Top Cited'."""
    from graph.analyse.analysis import evaluate_ancestors

    spec = {**ANALYSIS_GRAPH, "depth": depth}
    _, G = _build(seeds, lineages=[lineage] if lineage else None, **spec, offline=offline)
    res = evaluate_ancestors(G, lineage=lineage)
    out = {"cases": res["cases"], "ours": res["ours"], "baseline": res["baseline"]}
    if fmt == Fmt.json:
        _dump(out)
    else:
        rows = [{"method": m, **{k: f"{v:.3f}" for k, v in out[m].items()}} for m in ("ours", "baseline")]
        _table(
            rows,
            ["method", "recall@5", "recall@10", "mrr"],
            title=f"leave-one-out over {out['cases']} cases{' in ' + lineage if lineage else ''}",
        )


@app.command("export")
@handle_errors
def export_cmd(
    fmt: Annotated[ExportFmt, typer.Option("--format", "-f", help="html, graphml, gexf, json, bibtex, ris or csv")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The file to write.")],
    lineage: LineagesOpt = None,
    around: Annotated[str | None, typer.Option(help="Focus on this paper (alias / id).")] = None,
    radius: Annotated[int, typer.Option(min=0, max=5)] = 1,
    ancestors: Annotated[int | None, typer.Option(min=0, help="Only seeds + the top-K missing ancestors.")] = None,
    depth: Annotated[int, typer.Option(min=0, max=3)] = 1,
    direction: Annotated[Direction, typer.Option()] = Direction.both,
    offline: OfflineOpt = False,
    seeds: SeedsOpt = None,
) -> None:
    """Export exactly the subgraph you are looking at (same filters as the app)."""
    from graph.analyse.select import ViewSpec, view
    from graph.present.export import write_export

    _, G = _build(seeds, lineages=lineage, depth=depth, direction=direction.value, offline=offline)
    H = view(G, ViewSpec(lineages=tuple(lineage or ()), around=around, radius=radius, ancestors=ancestors))
    write_export(H, fmt.value, out)
    _err(f"wrote {out} ({fmt.value}): {H.number_of_nodes()} papers, {H.number_of_edges()} citations")


@snapshot_app.command("info")
@handle_errors
def snapshot_info_cmd(fmt: FormatOpt = Fmt.table, seeds: SeedsOpt = None) -> None:
    """Counts, sources, dates and completeness per lineage of the embedded snapshot."""
    from graph.build.refresh import snapshot_info
    from graph.store.snapshot import load_snapshot

    cat = _catalogue(seeds)
    info = snapshot_info(load_snapshot(), cat)
    if fmt == Fmt.json:
        _dump(info)
        return
    for k in ("papers", "edges", "built_at", "gathered"):
        if k in info:
            typer.echo(f"{k:>10}: {info[k]}")
    typer.echo("   sources: " + "; ".join(f"{s['name']} ({s['count']})" for s in info.get("sources", [])))
    _table(
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
    from graph.build.refresh import refresh_snapshot

    settings = _settings(False, seeds)
    cat = _catalogue(seeds)
    meta = refresh_snapshot(cat, settings=settings, out=out, progress=_Progress(quiet))
    _err(f"snapshot written: {meta['counts']}")


@cache_app.command("clear")
@handle_errors
def cache_clear_cmd() -> None:
    """Delete the cache file (works on a corrupt cache too)."""
    from graph.store.cache import clear_cache

    s = _settings()
    clear_cache(s.cache_path)
    _err(f"cleared {s.cache_path}")


@cache_app.command("info")
@handle_errors
def cache_info_cmd(fmt: FormatOpt = Fmt.table) -> None:
    """Where the cache is and what it holds."""
    from graph.store.cache import Cache

    s = _settings()
    with Cache(s.cache_path) as c:
        st = {"path": str(s.cache_path), **c.stats()}
    if fmt == Fmt.json:
        _dump(st)
    else:
        for k, v in st.items():
            typer.echo(f"{k:>10}: {v}")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
