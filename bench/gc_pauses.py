"""Does removing the process-wide ``gc.disable()`` pauses cost speed? (issue 11, item 5)

The library used to switch the cyclic garbage collector off around three hot loops: loading the
snapshot, tagging lineages and the main-path counts. ``gc.disable()`` is process-wide, so inside the
multi-threaded Streamlit server one session's pause changed every other session's memory behaviour.
Now each uses the one counted, thread-safe pause (``graph.core.gcpause.gc_paused``). This bench runs each step as the
library runs it now and, in the same run, the same step wrapped in the old naive pause.

    python bench/gc_pauses.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def paused(fn: Callable[[], Any]) -> Callable[[], Any]:
    """The old way: the cyclic GC off for the duration of ``fn``."""

    def run() -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn()
        finally:
            if enabled:
                gc.enable()

    return run


def timed_pair(now: Callable[[], Any], old: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Medians of the two variants, run alternately (now, old, old, now, ...) so warm-up and drift hit both."""
    times: dict[int, list[float]] = {0: [], 1: []}
    for i in range(repeat):
        for j in ((0, 1) if i % 2 == 0 else (1, 0)):
            gc.collect()
            t0 = time.perf_counter()
            (now if j == 0 else old)()
            times[j].append(time.perf_counter() - t0)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from graph.assemble.lineage import tag_lineages
    from graph.catalogue.load import load_catalogue
    from graph.core.gcpause import gc_paused
    from graph.explore import Engine
    from graph.store.snapshot import _load, default_snapshot_path

    folder = default_snapshot_path()
    eng = Engine(load_catalogue(), offline=True)
    G = eng.analysis_graph()  # the whole catalogue's analysis graph
    spec = G.graph["lineages"]
    members = G.graph.get("lineage_members")

    held: dict[str, Any] = {}

    def load_old() -> Any:  # the old loader: the naive pause around the same loading function
        held.pop("snap", None)
        enabled = gc.isenabled()
        gc.disable()
        try:
            held["snap"] = _load(folder)
        finally:
            if enabled:
                gc.enable()

    def load_now() -> Any:  # the body of snapshot._load_cached now: the loader inside the counted pause
        held.pop("snap", None)
        pause = gc_paused()
        pause.__enter__()
        try:
            held["snap"] = _load(folder)
        finally:
            pause.__exit__()

    def tag() -> Any:
        H = G.copy()
        tag_lineages(H, spec, members=members)

    steps: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (f"load the snapshot ({len(_load(folder).papers):,} papers)", load_now, load_old),
        (f"tag lineages ({G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, incl. copy)", tag,
         paused(tag)),
    ]
    try:
        from graph.analyse.mainpath import main_path

        def paths() -> Any:
            return [main_path(G, lineage=name) for name in spec]

        steps.append((f"main path of every lineage ({len(spec)})", paths, paused(paths)))
    except ImportError:  # pragma: no cover
        pass

    print(f"{'step':<70} {'now':>15} {'old (gc paused)':>16} {'ratio':>7}")
    for name, fn, old_fn in steps:
        now, old = timed_pair(fn, old_fn, args.repeat)
        print(f"{name:<70} {now * 1000:>12.0f} ms {old * 1000:>13.0f} ms {now / old:>7.2f}")
    print(f"(median of {args.repeat} runs each, the two variants alternating; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
