"""Rendering: our page (``render_html``) vs plain pyvis, in headless Chromium and in Python.

Graphs: ``tests/graphs.py`` ``synthetic_graph(n)`` (a citation DAG, ~2.4 edges a node).

1. **Until still** (browser): ms from navigation start until the canvas has pixels AND no node has
   moved for 200 ms (``bench/_browser.py`` defines it exactly; sampled every 50 ms). Each page is a
   file opened in a fresh context with every http(s) request aborted (both pages are offline).
   - ours: ``render_html(G)`` (time layout precomputed in Python, physics off);
   - baseline: ``net = Network(cdn_resources="in_line"); net.from_nx(G); net.generate_html()`` with
     pyvis' default physics (on a copy of ``G`` whose edge attribute ``source`` is renamed: pyvis'
     ``add_edge(source, to, **attrs)`` gets it twice and raises ``TypeError`` otherwise), waited for
     up to ``--cap`` seconds ("> cap" when never still).
   The baseline runs at 10,000 nodes only with ``--full``.
2. **HTML generation** (Python, no browser): ``render_html(G)`` vs ``from_nx`` + ``generate_html`` at
   2,000 and 20,000 nodes, and ``render_html(G)`` with the cyclic GC paused around it (what render.py
   did process-wide until issue 11; it no longer toggles the GC), same run.
3. **Lineage view** (browser, 1500 x 1000): the exported lineage view of preference-optimization
   (graph built offline as in tests/test_browser_lineage.py, ~40-50 papers) beside the time layout of
   the same papers, the time layout of the whole graph, and plain pyvis (``from_nx`` + default physics)
   of the same papers, in the same run. Target: drawn and still <= 0.8 s.

    python bench/render.py           # ours x5, baseline 500 x3, 2000 x1; HTML generation x3 (pyvis 20k x1)
    python bench/render.py --html-only  # only the HTML generation table
    python bench/render.py --quick   # ours x3, baseline 500 x1; HTML generation x1
    python bench/render.py --full    # also the baseline at 10,000 nodes
    python bench/render.py --lineage-only  # only the lineage view table
    python bench/render.py --html-only --pyvis-max 2000  # HTML generation, pyvis only at 2,000 nodes
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _browser
import _common as C  # puts the repo on sys.path

from graph.present.export import export_graph
from graph.present.render import render_html
from tests.graphs import synthetic_graph


def pyvis_graph(G: Any) -> Any:
    """``G`` with the edge attribute ``source`` renamed: pyvis' ``add_edge(source, to, **attrs)`` would
    receive it twice (``TypeError``), so plain ``from_nx`` fails on a contract graph."""
    H = G.copy()
    for _, _, d in H.edges(data=True):
        if "source" in d:
            d["provenance"] = d.pop("source")
    return H


def pyvis_html(G: Any) -> str:
    from pyvis.network import Network

    net = Network(cdn_resources="in_line")
    net.from_nx(G)
    return str(net.generate_html())


def render_gc_paused(G: Any) -> str:
    """``render_html`` as render.py ran it before issue 11: the cyclic GC disabled around the call."""
    was = gc.isenabled()
    gc.disable()
    try:
        return render_html(G)
    finally:
        if was:
            gc.enable()


def lineage_rows(b: Any, tmp: Path, runs: int, cap: float) -> tuple[list[list[str]], float | None]:
    """The lineage view of preference-optimization beside the time layout and plain pyvis (same run)."""
    from tests.test_browser_lineage import build_view

    G, H, _ = build_view("preference-optimization")
    pages = {
        "ours, lineage view (export)": (export_graph(H, "html", title="preference-optimization", layout="lineage"),
                                        len(H)),
        "ours, time layout, same papers": (export_graph(H, "html", title="preference-optimization"), len(H)),
        "ours, time layout, whole graph": (export_graph(G, "html", title="preference-optimization"), len(G)),
        "pyvis default, same papers": (pyvis_html(pyvis_graph(H)), len(H)),
    }
    rows = []
    lineage_ms: float | None = None
    for label, (page, n) in pages.items():
        path = tmp / (label.replace(" ", "-").replace(",", "") + ".html")
        path.write_text(str(page), encoding="utf-8")
        k = runs if not label.startswith("pyvis") else max(1, runs // 2)
        res = [_browser.time_until_still(b, path, cap, viewport=(1500, 1000)) for _ in range(k)]
        done = [r["ms"] for r in res if r["done"]]
        ms = C.median(done) if len(done) == len(res) else None
        if label.startswith("ours, lineage"):
            lineage_ms = ms
        drawn = (res[-1].get("lineage") or {}).get("nodes") or n  # the lineage view leaves out what finds no room
        rows.append([label, f"{drawn:,}", C.fmt_s(ms / 1000) if ms is not None else f"> {cap:.0f} s (cap)", str(k)])
        print(f"lineage bench: {label}: {ms} ms", flush=True)
    return rows, lineage_ms


def gen_times(G: Any, fn: Any, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn(G)
        out.append(time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true", help="also run the pyvis baseline at 10,000 nodes")
    ap.add_argument("--cap", type=float, default=150.0, help="seconds to wait for the baseline to be still")
    ap.add_argument("--html-only", action="store_true", help="only the HTML generation table")
    ap.add_argument("--lineage-only", action="store_true", help="only the lineage view table")
    ap.add_argument("--pyvis-max", type=int, default=20000,
                    help="generate pyvis HTML only up to this many nodes (its from_nx takes minutes at 20,000)")
    args = ap.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    sizes = [500, 2000, 10000]
    runs_ours = 3 if args.quick else 5
    base_runs = {500: 1, 2000: 0, 10000: 0} if args.quick else {500: 2, 2000: 1, 10000: 1 if args.full else 0}
    gen_runs = 1 if args.quick else 3
    # pyvis from_nx checks every earlier node and edge in Python lists: quadratic (minutes at 20,000)
    base_gen_runs = {2000: gen_runs, 20000: 1}

    tmp = Path(tempfile.mkdtemp(prefix="bench-render-"))
    graphs = {n: synthetic_graph(n) for n in ([2000] if args.html_only else sizes)}
    rows = []
    results: dict[int, dict[str, Any]] = {}
    lin_rows: list[list[str]] = []
    lineage_ms: float | None = None
    with _browser.browser() as b:
        if not args.html_only:
            lin_rows, lineage_ms = lineage_rows(b, tmp, 3 if args.quick else 5, min(args.cap, 60.0))
        if args.lineage_only:
            print()
            print(C.header("render.py", argv))
            print("Lineage view of preference-optimization: until drawn and still (ms from navigation start, "
                  "medians); Chromium headless, 1500x1000, software rendering")
            print()
            print(C.table(["page", "papers drawn", "until still", "runs"], lin_rows))
            print()
            print(C.table(["target", "measured", "status"], [
                ["lineage view still ≤ 0.8 s", C.fmt_s((lineage_ms or 1e9) / 1000),
                 C.met(lineage_ms is not None and lineage_ms <= 800)]]))
            return
        for n in [] if args.html_only else sizes:
            G = graphs[n]
            ours_path = tmp / f"ours-{n}.html"
            ours_path.write_text(render_html(G), encoding="utf-8")
            ours = [_browser.time_until_still(b, ours_path, 60.0) for _ in range(runs_ours)]
            ok = [r for r in ours if r["done"]]
            ours_ms = C.median([r["ms"] for r in ok]) if len(ok) == len(ours) else None
            lin = ours[-1]["lineage"] or {}
            base_ms: float | None = None
            base_txt = "not run (--full)" if n == 10000 else "not run (--quick)"
            if base_runs[n]:
                base_path = tmp / f"pyvis-{n}.html"
                base_path.write_text(pyvis_html(pyvis_graph(G)), encoding="utf-8")
                base = [_browser.time_until_still(b, base_path, args.cap) for _ in range(base_runs[n])]
                if all(r["done"] for r in base):
                    base_ms = C.median([r["ms"] for r in base])
                    base_txt = C.fmt_s(base_ms / 1000)
                else:
                    base_txt = f"> {args.cap:.0f} s (cap)"
                    base_ms = args.cap * 1000  # a lower bound for the ratio
            ratio = (C.fmt_ratio(base_ms / ours_ms) + (" (≥, capped)" if base_txt.startswith(">") else "")
                     if base_ms and ours_ms else "—")
            results[n] = {"ours_ms": ours_ms, "base_ms": base_ms, "capped": base_txt.startswith(">")}
            rows.append([f"{n:,}", f"{G.number_of_edges():,}",
                         C.fmt_s(ours_ms / 1000) if ours_ms is not None else "not still",
                         f"{runs_ours}", base_txt, f"{base_runs[n]}", ratio,
                         f"{lin.get('nodes')}/{lin.get('stable')}"])
            print(f"{n}: ours {ours_ms} ms, baseline {base_txt}", flush=True)

    gen_rows = []
    gen: dict[int, tuple[float, float]] = {}
    for n in (2000, 20000):
        G = graphs.get(n) or synthetic_graph(n)
        # interleaved, so that load on the machine hits both alike
        mine: list[float] = []
        paused: list[float] = []
        for _ in range(gen_runs):
            mine += gen_times(G, render_html, 1)
            paused += gen_times(G, render_gc_paused, 1)
        o, g = C.median(mine), C.median(paused)
        skip = n > args.pyvis_max
        p = math.nan if skip else C.median(gen_times(pyvis_graph(G), pyvis_html, base_gen_runs[n]))
        gen[n] = (o, p)
        gen_rows.append([f"{n:,}", f"{G.number_of_edges():,}", C.fmt_s(o), C.fmt_s(g),
                         "not run (--pyvis-max)" if skip else C.fmt_s(p), "—" if skip else C.fmt_ratio(p / o),
                         f"{gen_runs} / {0 if skip else base_gen_runs[n]}"])
        print(f"html {n}: ours {o:.3f} s, ours GC paused {g:.3f} s, pyvis {p:.3f} s", flush=True)

    print()
    print(C.header("render.py", argv))
    if rows:
        print("Until drawn and still (ms from navigation start, medians); Chromium headless, 1280x900, "
              "software rendering")
        print()
        print(C.table(["nodes", "edges", "ours", "runs", "pyvis default", "runs", "ratio",
                       "ours __lineage nodes/stable"], rows))
        print()
    print("HTML generation (Python; ours includes the time layout)")
    print()
    print(C.table(["nodes", "edges", "ours render_html", "ours, GC paused (old)", "pyvis from_nx + generate_html",
                   "ratio", "runs (ours / pyvis)"], gen_rows))
    if lin_rows:
        print()
        print("Lineage view of preference-optimization: until drawn and still (ms from navigation start, medians); "
              "Chromium headless, 1500x1000, software rendering")
        print()
        print(C.table(["page", "papers drawn", "until still", "runs"], lin_rows))
    print()
    if args.html_only:
        print(C.table(["target", "measured", "status"], [
            ["HTML for 20,000 nodes ≤ 0.5 s", C.fmt_s(gen[20000][0]), C.met(gen[20000][0] <= 0.5)]]))
        return
    r2 = results[2000]
    r10 = results[10000]
    t_rows = [
        ["2,000 nodes still ≤ 1.5 s", C.fmt_s((r2["ours_ms"] or 1e9) / 1000),
         C.met(r2["ours_ms"] is not None and r2["ours_ms"] <= 1500)],
        ["10,000 nodes still ≤ 5 s", C.fmt_s((r10["ours_ms"] or 1e9) / 1000),
         C.met(r10["ours_ms"] is not None and r10["ours_ms"] <= 5000)],
    ]
    if r2["base_ms"] and r2["ours_ms"]:
        x = r2["base_ms"] / r2["ours_ms"]
        t_rows.append(["≥ 100× faster than pyvis default at 2,000", C.fmt_ratio(x) + (" (≥)" if r2["capped"] else ""),
                       C.met(x >= 100)])
    else:
        t_rows.append(["≥ 100× faster than pyvis default at 2,000", "not measured (--quick)", "—"])
    t_rows.append(["HTML for 20,000 nodes ≤ 0.5 s", C.fmt_s(gen[20000][0]), C.met(gen[20000][0] <= 0.5)])
    t_rows.append(["lineage view still ≤ 0.8 s", C.fmt_s((lineage_ms or 1e9) / 1000),
                   C.met(lineage_ms is not None and lineage_ms <= 800)])
    print(C.table(["target", "measured", "status"], t_rows))


if __name__ == "__main__":
    main()
