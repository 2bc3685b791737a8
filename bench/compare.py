"""No speed regression: the key figures of the benches, this checkout beside an older commit, same run.

The older commit (``--old``, default 5e1c0be: the last commit before the restructured ``graph/``, the
engine and the scoped fetching) is checked out in a temporary ``git worktree`` (removed afterwards).
Every measurement runs in a fresh subprocess with ``PYTHONPATH=<tree>``, so each side imports its
own code (``graph.expand`` then, ``graph.assemble.expand`` now); old and new alternate, and the load
average is recorded around each measurement.

- **expansion from the snapshot**: ``load_snapshot`` (first call in the process) and
  ``build_graph(load_catalogue(), offline=True, ...)`` over the whole catalogue, for the view graph
  (depth 1, both directions) and the analysis graph (depth 2, both then references, hop limit 400),
  both sides reading the **same** snapshot (this checkout's ``seeds/snapshot``, so the same input) and
  an empty cache; medians of ``--runs`` after one warm-up build;
- **missing ancestors at 1M citations**: each side's own ``bench/analysis.py`` (its ``write_cache`` and
  ``--worker ... ours``) at ``--n`` papers / 10 ``--n`` citations: load, build, lineage tags, missing
  ancestors, frontier (CPU time, medians of ``--runs``);
- **HTML at 20k nodes**: ``render_html(synthetic_graph(20000))`` (the old one paused the cyclic GC for
  the whole process; the new one does not), medians of ``--runs`` after a warm-up;
- **app rerun**: each side's own ``bench/app.py`` ``reruns`` (Streamlit AppTest, year slider moved, 6
  ranges; caches on), skipped with ``--no-app``.

    python bench/compare.py                 # 5e1c0be vs now; ~10 min on 2 shared cores
    python bench/compare.py --quick         # 25k papers / 250k citations, 1 run, no app
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as C  # puts the repo on sys.path

__all__ = ["main"]

OLD_REV = "5e1c0be"

EXPAND = r'''
import json, os, statistics, sys, tempfile, time
from pathlib import Path
try:
    from graph.assemble.expand import build_graph
    from graph.catalogue.load import load_catalogue
    from graph.core.settings import Settings
    from graph.store.snapshot import load_snapshot
except ImportError:
    from graph.expand import build_graph
    from graph.seeds import load_catalogue
    from graph.settings import Settings
    from graph.snapshot import load_snapshot
snap_path, runs = sys.argv[1], int(sys.argv[2])
out = {}
c0, t0 = time.process_time(), time.perf_counter()
snap = load_snapshot(snap_path)
out["snapshot"] = {"s": time.perf_counter() - t0, "cpu": time.process_time() - c0, "papers": len(snap.papers)}
cat = load_catalogue()
settings = Settings(cache_dir=Path(tempfile.mkdtemp(prefix="bench-compare-cache-")), offline=True)
specs = {"view": dict(depth=1, direction="both"),
         "analysis": dict(depth=2, direction="both", later_direction="references", hop_limit=400)}
for name, kw in specs.items():
    G = build_graph(cat, offline=True, settings=settings, snapshot=snap, **kw)  # warm-up
    s, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        G = build_graph(cat, offline=True, settings=settings, snapshot=snap, **kw)
        s.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out[name] = {"s": statistics.median(s), "cpu": statistics.median(cpu), "nodes": G.number_of_nodes(),
                 "edges": G.number_of_edges()}
print(json.dumps(out))
'''

RENDER = r'''
import json, statistics, sys, time
from tests.graphs import synthetic_graph
try:
    from graph.present.render import render_html
except ImportError:
    from graph.render import render_html
n, runs = int(sys.argv[1]), int(sys.argv[2])
G = synthetic_graph(n)
render_html(G)  # warm-up: imports, the vis-network asset
s, cpu = [], []
for _ in range(runs):
    c0, t0 = time.process_time(), time.perf_counter()
    html = render_html(G)
    s.append(time.perf_counter() - t0)
    cpu.append(time.process_time() - c0)
print(json.dumps({"render": {"s": statistics.median(s), "cpu": statistics.median(cpu), "nodes": n,
                             "edges": G.number_of_edges(), "bytes": len(html)}}))
'''

WRITE_CACHE = r'''
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import analysis
print(json.dumps(analysis.write_cache(Path(sys.argv[2]), int(sys.argv[3]))))
'''

APP = r'''
import json, sys
sys.path.insert(0, sys.argv[1])
import app
ranges = [(2018, 2026), (2020, 2026), (2016, 2025), (2021, 2026), (2019, 2024), (2022, 2026)]
r = app.reruns(ranges)
import statistics
print(json.dumps({"app": {"first": r["first"], "cached": statistics.median(r["cached"]),
                          "naive": statistics.median(r["naive"])}}))
'''


def _run(tree: Path, args: list[str], timeout: float = 3600) -> tuple[dict[str, Any], list[float]]:
    """Run ``python ARGS`` with ``tree``'s code; the last stdout line is JSON. Returns it and the load."""
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as cache:
        env = C.tree_env(tree, LINEAGE_OFFLINE="1", LINEAGE_CACHE_DIR=cache, TMPDIR=cache)
        r = subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True, text=True,
                           timeout=timeout, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"{tree}: {args[0] if args[0] != '-c' else args[1][:200]} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1]), [before, os.getloadavg()[0]]


def _span(values: list[float] | None) -> str:
    if not values:
        return "—"
    lo, hi = min(values), max(values)
    return f"{lo:.1f}" if f"{lo:.1f}" == f"{hi:.1f}" else f"{lo:.1f}–{hi:.1f}"


def _medians(outs: list[dict[str, Any]]) -> dict[str, Any]:
    """Field-wise medians of the workers' answers (``{step: {field: number}}``)."""
    merged: dict[str, Any] = {}
    for step in outs[0]:
        d = outs[0][step]
        merged[step] = {f: C.median([o[step][f] for o in outs]) if isinstance(v, float) else v
                        for f, v in d.items()} if isinstance(d, dict) else d
    return merged


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", default=OLD_REV, help="the commit to compare with")
    ap.add_argument("--quick", action="store_true", help="25k papers, 1 run, no app")
    ap.add_argument("--n", type=int, default=None, help="papers of the analysis graph (default 100,000)")
    ap.add_argument("--runs", type=int, default=None, help="repetitions per step (default 3, quick 1)")
    ap.add_argument("--no-app", action="store_true", help="skip the app rerun")
    ap.add_argument("--only", nargs="*", default=None, help="expand, analysis, render, app")
    args = ap.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    n = args.n or (25_000 if args.quick else 100_000)
    runs = args.runs or (1 if args.quick else 3)
    todo = args.only or ["expand", "analysis", "render"] + ([] if args.no_app or args.quick else ["app"])
    snap = str(C.ROOT / "seeds" / "snapshot")
    res: dict[str, dict[str, Any]] = {"old": {}, "new": {}}
    loads: dict[str, dict[str, list[float]]] = {"old": {}, "new": {}}
    with C.worktree(args.old) as old:
        trees = {"old": old, "new": C.ROOT}
        for what in todo:
            reps = max(runs, 3) if what in ("expand", "app") else 1  # one load_snapshot / first run per process
            got: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
            for rep in range(reps):
                for side in ("old", "new") if rep % 2 == 0 else ("new", "old"):
                    tree = trees[side]
                    t0 = time.perf_counter()
                    if what == "expand":
                        out, load = _run(tree, ["-c", EXPAND, snap, str(max(runs, 3))])
                    elif what == "render":
                        out, load = _run(tree, ["-c", RENDER, "20000", str(max(runs, 5))])
                    elif what == "app":
                        out, load = _run(tree, ["-c", APP, str(tree / "bench")])
                    else:
                        folder = Path(tempfile.mkdtemp(prefix=f"bench-compare-{side}-"))
                        _run(tree, ["-c", WRITE_CACHE, str(tree / "bench"), str(folder), str(n)])
                        out, load = _run(tree, [str(tree / "bench" / "analysis.py"), "--worker", str(folder),
                                                "ours", str(runs)])
                        for f in folder.iterdir():
                            f.unlink()
                        folder.rmdir()
                    got[side].append(out)
                    loads[side].setdefault(what, []).extend(load)
                    print(f"{side} {what}: {time.perf_counter() - t0:.0f} s, load {load[0]:.1f}→{load[1]:.1f}: "
                          f"{json.dumps(out)[:300]}", flush=True)
            for side in ("old", "new"):
                res[side].update(_medians(got[side]))

    rows: list[list[str]] = []

    def row(label: str, what: str, key: str, field: str, unit: str = "s") -> None:
        o, w = res["old"].get(key), res["new"].get(key)
        if o is None or w is None:
            return
        a, b = o[field], w[field]
        rows.append([label, C.fmt_s(a), C.fmt_s(b), f"{b / a:.2f}" if a else "—",
                     f"{_span(loads['old'].get(what))} / {_span(loads['new'].get(what))}"])

    if "expand" in todo:
        p = res["new"]["snapshot"]["papers"]
        row(f"load_snapshot ({p:,} papers), CPU", "expand", "snapshot", "cpu")
        v = res["new"]["view"]
        row(f"expansion from the snapshot, view graph (depth 1, {v['nodes']:,} nodes), CPU", "expand", "view", "cpu")
        row("  same, wall", "expand", "view", "s")
        a = res["new"]["analysis"]
        row(f"expansion from the snapshot, analysis graph (depth 2, {a['nodes']:,} nodes), CPU", "expand",
            "analysis", "cpu")
        row("  same, wall", "expand", "analysis", "s")
    if "analysis" in todo:
        size = f"{n // 1000}k / {n * 10 / 1e6:g}M"
        for key, label in (("load", "load from cache"), ("build", "build DiGraph"), ("tags", "lineage tags"),
                           ("missing", "missing ancestors"), ("frontier", "frontier")):
            row(f"{label} at {size}, CPU", "analysis", key, "cpu")
        row(f"missing ancestors at {size}, wall", "analysis", "missing", "s")
    if "render" in todo:
        row("render_html at 20,000 nodes, wall", "render", "render", "s")
        row("render_html at 20,000 nodes, CPU", "render", "render", "cpu")
    if "app" in todo:
        row("app rerun after a year change, caches on (AppTest)", "app", "app", "cached")
        row("app rerun, caches cleared (naive)", "app", "app", "naive")
        row("app first run (AppTest, cold caches)", "app", "app", "first")

    print()
    print(C.header("compare.py", argv))
    print(f"{args.old} (old) vs this checkout (now), each in its own subprocess, alternating; medians of "
          f"{max(runs, 3)} (expansion, app: one process each), {max(runs, 5)} (render), {runs} (analysis) runs")
    print()
    print(C.table(["measure", args.old, "now", "now / old", "load average (old / now)"], rows))


if __name__ == "__main__":
    main()
