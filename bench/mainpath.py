"""Main path at scale: ours (two linear passes, ``graph.analyse.mainpath``) vs counting by enumerating paths.

A random citation DAG with ``N`` papers and ``10 N`` citations (numpy, fixed seed): paper ``i``
(``year`` 1950 + 75 i / N) cites ``floor(i * u**2)`` for uniform ``u`` (always an older paper; old,
popular papers are cited more), duplicates removed. Edge ``u → v``: u cites v.

- ours: ``main_path(G, weight=w)`` for ``w`` in spc, splc, spnp (``key_routes=1``), on sizes up to
  ``--edges`` (default 1,000,000 citations, 100,000 papers); wall and CPU (``time.process_time``)
  time, medians of ``--runs``; peak memory: the process' ``ru_maxrss`` after building the largest
  graph and after all runs, and ``tracemalloc``'s peak during one extra (untimed) ``main_path`` call
  on the largest graph (Python allocations of the call itself).
- baseline: SPC of every citation by brute force with networkx: for every source, every path to a
  sink with ``nx.all_simple_paths``, adding 1 to each citation on it. Same generator at 10 to 60
  papers (same density), each size capped at ``--cap`` seconds; after the first size that hits the
  cap the larger ones are skipped. Where it finishes, its counts are checked equal to ours. Its cost
  is proportional to the number of source-to-sink paths, shown beside it (exact, from our counts),
  which is how the 1M-citation row's estimate is made.

    python bench/mainpath.py            # ours at 125k/250k/500k/1M citations x3 weights; baseline cap 20 s
    python bench/mainpath.py --quick    # ours up to 100k citations; baseline cap 5 s
"""

from __future__ import annotations

import argparse
import gc
import itertools
import resource
import time
import tracemalloc
from typing import Any

import _common as C  # puts the repo on sys.path

DENSITY = 10  # citations per paper


def make_dag(n: int, m: int, seed: int = 0) -> Any:
    """The random citation DAG described in the module docstring (at most ``m`` citations)."""
    import networkx as nx
    import numpy as np

    rng = np.random.default_rng(seed)
    citing = rng.integers(1, n, size=int(m * 1.3) + 50)
    cited = np.floor(citing * rng.random(citing.size) ** 2).astype(np.int64)
    pairs = np.unique(citing * n + cited)
    rng.shuffle(pairs)
    pairs = pairs[:m].tolist()
    keys = [f"p{i}" for i in range(n)]
    G = nx.DiGraph()
    G.add_nodes_from((k, {"year": 1950 + i * 75 // n}) for i, k in enumerate(keys))
    G.add_edges_from((keys[p // n], keys[p % n]) for p in pairs)
    return G


def brute_spc(G: Any, cap: float) -> tuple[dict[tuple[str, str], int] | None, int, float]:
    """SPC by enumerating every source-to-sink path (networkx); None when ``cap`` seconds ran out."""
    import networkx as nx

    F = G.reverse(copy=True)  # flow: cited -> citing
    sources = [x for x in F if F.in_degree(x) == 0 and F.out_degree(x) > 0]
    sinks = [x for x in F if F.out_degree(x) == 0 and F.in_degree(x) > 0]
    counts = {(u, v): 0 for u, v in G.edges}
    paths = 0
    t0 = time.perf_counter()
    for s in sources:
        for p in nx.all_simple_paths(F, s, sinks):
            paths += 1
            for a, b in itertools.pairwise(p):
                counts[(b, a)] += 1
            if paths % 2048 == 0 and time.perf_counter() - t0 > cap:
                return None, paths, time.perf_counter() - t0
    return counts, paths, time.perf_counter() - t0


def total_paths(G: Any) -> int:
    """Exact number of source-to-sink paths (sum of SPC over the citations leaving sources)."""
    from graph.analyse.mainpath import search_path_counts

    spc = search_path_counts(G)
    return sum(w for (_, cited), w in spc.items() if G.out_degree(cited) == 0)


def time_ours(G: Any, weight: str, runs: int) -> tuple[float, float, int]:
    from graph.analyse.mainpath import main_path

    walls, cpus = [], []
    mp = None
    for _ in range(runs):
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        mp = main_path(G, weight=weight)  # type: ignore[arg-type]
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    assert mp is not None
    return C.median(walls), C.median(cpus), len(mp.nodes)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="ours up to 100k citations, baseline cap 5 s")
    ap.add_argument("--edges", type=int, default=None, help="largest size, in citations (default 1,000,000)")
    ap.add_argument("--runs", type=int, default=3, help="repetitions of ours per size and weight (median)")
    ap.add_argument("--cap", type=float, default=None, help="seconds allowed to the baseline per size")
    args = ap.parse_args(argv)
    top = args.edges or (100_000 if args.quick else 1_000_000)
    cap = args.cap if args.cap is not None else (5.0 if args.quick else 20.0)
    sizes = [top // 8, top // 4, top // 2, top]
    from graph.analyse.mainpath import WEIGHTS, main_path, search_path_counts

    # ------------------------------------------------------------------ baseline vs ours, small graphs
    small_rows: list[list[Any]] = []
    rate = float("nan")  # baseline paths per second, at the largest size it finished
    timed_out = False
    for n in (10, 15, 20, 25, 30, 40, 60):
        G = make_dag(n, DENSITY * n)
        paths = total_paths(G)
        wall, _, _ = time_ours(G, "spc", args.runs)
        if timed_out:
            small_rows.append([n, G.number_of_edges(), f"{paths:,}", C.fmt_s(wall), "skipped", "—", "—"])
            continue
        counts, enumerated, secs = brute_spc(G, cap)
        if counts is None:
            timed_out = True
            small_rows.append([n, G.number_of_edges(), f"{paths:,}", C.fmt_s(wall),
                               f"> {cap:.0f} s (cap; {enumerated:,} paths)", "—", "—"])
            continue
        agree = counts == search_path_counts(G)
        rate = enumerated / secs if secs > 0 else rate
        small_rows.append([n, G.number_of_edges(), f"{paths:,}", C.fmt_s(wall), C.fmt_s(secs),
                           C.fmt_ratio(secs / wall if wall else float("nan")), "yes" if agree else "NO"])
        del G

    # ------------------------------------------------------------------ ours at scale
    big_rows: list[list[Any]] = []
    G = None
    rss_graph = 0.0
    for m in sizes:
        G = None
        gc.collect()
        t0 = time.perf_counter()
        G = make_dag(m // DENSITY, m)
        build = time.perf_counter() - t0
        rss_graph = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for w in WEIGHTS:
            wall, cpu, length = time_ours(G, w, args.runs)
            big_rows.append([f"{G.number_of_nodes():,}", f"{G.number_of_edges():,}", w, C.fmt_s(wall), C.fmt_s(cpu),
                             f"{cpu / G.number_of_edges() * 1e6:.2f} µs", length, C.fmt_s(build)])
    assert G is not None
    paths_top = total_paths(G)
    rss_all = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    tracemalloc.start()
    main_path(G, weight="spnp")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(C.header("mainpath.py", argv if argv is not None else []))
    print()
    print(f"Baseline (networkx all_simple_paths, SPC of every citation) vs ours (main_path spc), {DENSITY} "
          f"citations per paper, cap {cap:.0f} s:")
    print()
    print(C.table(["papers", "citations", "source→sink paths", "ours", "baseline", "ratio", "same counts"],
                  small_rows))
    years = paths_top / rate / (365.25 * 86400) if rate == rate else float("nan")
    print()
    print(f"At {G.number_of_edges():,} citations the graph has {paths_top:.3e} source-to-sink paths "
          f"({paths_top.bit_length()} bits): at the baseline's measured {rate:,.0f} paths/s, enumerating "
          f"them would take ~{years:.1e} years.")
    print()
    print(f"Ours at scale (key_routes=1; median of {args.runs}; CPU = time.process_time):")
    print()
    print(C.table(["papers", "citations", "weight", "wall", "CPU", "CPU per citation", "path length",
                   "graph build"], big_rows))
    print()
    print(f"Peak memory: process ru_maxrss {rss_graph:,.0f} MB after building the largest graph (networkx "
          f"DiGraph), {rss_all:,.0f} MB after all runs; tracemalloc peak of one main_path(spnp) call on it: "
          f"{peak / 2**20:,.0f} MB.")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
