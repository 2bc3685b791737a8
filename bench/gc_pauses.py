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


def timed(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from graph.assemble.lineage import tag_lineages
    from graph.catalogue.load import load_catalogue
    from graph.explore import Engine
    from graph.store.snapshot import _load, _load_cached, default_snapshot_path

    folder = default_snapshot_path()
    eng = Engine(load_catalogue(), offline=True)
    G = eng.analysis_graph()  # the whole catalogue's analysis graph
    spec = G.graph["lineages"]
    members = G.graph.get("lineage_members")

    def load() -> Any:
        return _load(folder)

    def load_now() -> Any:  # what load_snapshot runs: the loader inside the safe, counted pause
        _load_cached.cache_clear()
        return _load_cached(str(folder), ())

    def tag() -> Any:
        H = G.copy()
        tag_lineages(H, spec, members=members)

    steps: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
        (f"load the snapshot ({len(load().papers):,} papers)", load_now, paused(load)),
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
        now = timed(fn, args.repeat)
        old = timed(old_fn, args.repeat)
        print(f"{name:<70} {now * 1000:>12.0f} ms {old * 1000:>13.0f} ms {now / old:>7.2f}")
    print(f"(median of {args.repeat} runs each; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
