"""Analysis at scale: build from cache, lineage tags, missing ancestors, frontier; ours vs plain networkx.

A synthetic citation graph (``N`` papers, ``10 N`` citations; numpy, fixed seed): paper ``i`` is
published after every ``j < i``; each citation goes from a uniformly drawn paper ``i`` to
``floor(i * u**2)`` (older, popular papers are cited more). 1 % of the papers are seeds, spread over
10 lineages of stages of two seeds; every seed's reference list is "complete".

The papers and edges are written into a ``graph.store.cache.Cache`` (not timed): the papers with
``put_papers``; the edges as rows of the cache's ``edges`` table, serialised by the cache's own
``_citation_json``, with one ``executemany`` (``put_edges`` merges edge by edge with a SELECT each
and needs minutes for a million edges). Then, in a fresh subprocess per (size, method), so that
``ru_maxrss`` is that run's peak:

- load: ``Cache.get_papers(all keys)`` + every edge row of the cache (one SQL query through the
  cache's connection: the Cache has no bulk edge read); same for both;
- build: ours ``graph.assemble.expand.graph_from_records(papers, edges)``; baseline
  ``G.add_node(key, **p.to_dict())`` and ``G.add_edge(u, v, **c.to_dict())``;
- lineage tags: ours ``graph.assemble.lineage.tag_lineages(G)``; baseline per seed
  ``nx.single_source_shortest_path_length`` on the undirected view, cutoff 2 (direct and 2-hop
  counts per lineage);
- missing ancestors: ours ``graph.analyse.analysis.missing_ancestors(G, top=20)``; baseline
  ``for c in G: sum(1 for s in seeds if G.has_edge(s, c))``, sorted;
- frontier: ours ``graph.analyse.analysis.frontier(G, top=20)``; baseline
  ``for p in G: sum(1 for s in seeds if G.has_edge(p, s))``, kept when ≥ 2, sorted.

Times are medians of ``--runs`` repetitions inside the process (the baseline runs once); wall
and CPU time (``time.process_time``: robust when other jobs share the cores) are both shown;
memory is the process' peak RSS after the step (cumulative: it includes the graph).

    python bench/analysis.py           # 25k/250k, 50k/500k, 100k/1M; ours x3; baseline up to 50k
    python bench/analysis.py --full    # the baseline at 100k/1M too (several minutes)
    python bench/analysis.py --quick   # 10k/100k and 25k/250k; baseline at 10k only
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as C  # puts the repo on sys.path

LINEAGES = 10
SEED_SHARE = 0.01
EDGES_PER_PAPER = 10


# ------------------------------------------------------------------------------------------ data
def make_records(n: int, seed: int = 0) -> tuple[list[Any], list[Any], dict[str, list[list[str]]]]:
    import numpy as np

    from graph.core.models import Citation, Paper

    rng = np.random.default_rng(seed)
    keys = [f"doi:10.9999/synth.{i}" for i in range(n)]
    years = (1990 + (np.arange(n) * 35) // n).tolist()
    m = n * EDGES_PER_PAPER
    citing = rng.integers(1, n, size=int(m * 1.15))
    cited = (citing * rng.random(citing.size) ** 2).astype(np.int64)
    pairs = np.unique(citing * n + cited)
    pairs = pairs[rng.permutation(pairs.size)[:m]]
    seeds_idx = sorted(rng.choice(n, size=max(LINEAGES * 2, int(n * SEED_SHARE)), replace=False).tolist())
    seed_set = set(seeds_idx)
    papers = [Paper(paper_id=keys[i], title=f"Synthetic paper {i} on topic {i % 97}", year=years[i],
                    doi=f"10.9999/synth.{i}", authors=(f"A. Author{i % 1000}",),
                    citation_count=None, references_status="complete" if i in seed_set else None,
                    source="synthetic", fetched_at="2026-11-01T00:00:00+00:00")
              for i in range(n)]
    edges = [Citation(keys[int(p // n)], keys[int(p % n)], is_influential=bool(p % 10 == 0), source="synthetic",
                      fetched_at="2026-11-01T00:00:00+00:00", extra={"match": "doi"}) for p in pairs.tolist()]
    lineages: dict[str, list[list[str]]] = {}
    for li in range(LINEAGES):
        mine = [keys[i] for i in seeds_idx[li::LINEAGES]]
        lineages[f"lineage-{li}"] = [mine[k:k + 2] for k in range(0, len(mine), 2)]
    return papers, edges, lineages


def write_cache(path: Path, n: int) -> dict[str, Any]:
    from graph.store.cache import Cache

    papers, edges, lineages = make_records(n)
    t0 = time.perf_counter()
    from graph.store.cache import _citation_json

    with Cache(path / "cache.sqlite3") as cache:
        cache.put_papers(papers)
        with cache._write() as conn:
            conn.executemany(
                "INSERT INTO edges (citing, cited, json, source, fetched_at) VALUES (?, ?, ?, ?, ?)",
                ((c.citing, c.cited, _citation_json(c), c.source, c.fetched_at) for c in edges))
    meta = {"n": n, "m": len(edges), "lineages": lineages, "write_s": time.perf_counter() - t0,
            "seeds": sorted({k for st in lineages.values() for stage in st for k in stage})}
    (path / "meta.json").write_text(json.dumps(meta))
    return meta


# ------------------------------------------------------------------------------------- baseline
def nx_build(papers: list[Any], edges: list[Any]) -> Any:
    import networkx as nx

    G = nx.DiGraph()
    for p in papers:
        G.add_node(p.paper_id, **p.to_dict())
    for e in edges:
        G.add_edge(e.citing, e.cited, **e.to_dict())
    return G


def nx_tags(G: Any, lineages: dict[str, list[list[str]]]) -> dict[str, dict[str, float]]:
    import networkx as nx

    U = G.to_undirected(as_view=True)
    direct: dict[str, dict[str, int]] = {}
    hop2: dict[str, dict[str, int]] = {}
    for name, stages in lineages.items():
        for stage in stages:
            for s in stage:
                for node, d in nx.single_source_shortest_path_length(U, s, cutoff=2).items():
                    if d == 1:
                        direct.setdefault(node, {}).setdefault(name, 0)
                        direct[node][name] += 1
                    elif d == 2:
                        hop2.setdefault(node, {}).setdefault(name, 0)
                        hop2[node][name] += 1
    out: dict[str, dict[str, float]] = {}
    for node in G:
        scores = {name: min(1.0, c / 4) for name, c in direct.get(node, {}).items()}
        for name, c in hop2.get(node, {}).items():
            scores.setdefault(name, min(1.0, 0.5 * c / max(1, U.degree(node))))
        out[node] = scores
    return out


def nx_missing(G: Any, seeds: list[str]) -> list[tuple[int, str]]:
    seed_set = set(seeds)
    rows = []
    for c in G:
        if c in seed_set:
            continue
        k = sum(1 for s in seeds if G.has_edge(s, c))
        if k:
            rows.append((-k, c))
    rows.sort()
    return rows[:20]


def nx_frontier(G: Any, seeds: list[str]) -> list[tuple[int, str]]:
    seed_set = set(seeds)
    rows = []
    for p in G:
        if p in seed_set:
            continue
        k = sum(1 for s in seeds if G.has_edge(p, s))
        if k >= 2:
            rows.append((-k, p))
    rows.sort()
    return rows[:20]


# ----------------------------------------------------------------------------------- the worker
def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(folder: Path, method: str, runs: int) -> dict[str, Any]:
    import gc

    from graph.core.models import Citation
    from graph.store.cache import Cache

    meta = json.loads((folder / "meta.json").read_text())
    n = meta["n"]
    keys = [f"doi:10.9999/synth.{i}" for i in range(n)]
    out: dict[str, Any] = {"rss0": _rss_mb()}

    def step(name: str, fn: Any, reps: int) -> Any:
        times, cpu, res = [], [], None
        for _ in range(reps):
            gc.collect()
            t0, c0 = time.perf_counter(), time.process_time()
            res = fn()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        out[name] = {"s": C.median(times), "cpu": C.median(cpu), "runs": reps, "rss_mb": _rss_mb()}
        return res

    def load() -> tuple[Any, Any]:
        with Cache(folder / "cache.sqlite3") as cache:
            papers = list(cache.get_papers(keys).values())
            with cache._read() as conn:
                rows = conn.execute("SELECT json FROM edges").fetchall()
        return papers, [Citation.from_dict(json.loads(r[0])) for r in rows]

    papers, edges = step("load", load, 1)
    lineages = meta["lineages"]
    seeds = meta["seeds"]
    if method == "ours":
        from graph.analyse.analysis import frontier, missing_ancestors
        from graph.assemble.expand import graph_from_records
        from graph.assemble.lineage import assign_roles, tag_lineages

        G = step("build", lambda: graph_from_records(papers, edges), runs)
        for s in seeds:
            G.nodes[s]["is_seed"] = True
        G.graph["lineages"] = lineages
        assign_roles(G)
        step("tags", lambda: tag_lineages(G), runs)
        step("missing", lambda: missing_ancestors(G, top=20), runs)
        step("frontier", lambda: frontier(G, top=20), runs)
    else:
        G = step("build", lambda: nx_build(papers, edges), 1)
        step("tags", lambda: nx_tags(G, lineages), 1)
        step("missing", lambda: nx_missing(G, seeds), 1)
        step("frontier", lambda: nx_frontier(G, seeds), 1)
    out["nodes"], out["edges"] = G.number_of_nodes(), G.number_of_edges()
    return out


def run_worker(folder: Path, method: str, runs: int) -> dict[str, Any]:
    r = subprocess.run([sys.executable, __file__, "--worker", str(folder), method, str(runs)],
                       capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise RuntimeError(f"worker {method} {folder} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]))))
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--full", action="store_true", help="run the baseline at every size (100k: minutes)")
    args = ap.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    sizes = [10_000, 25_000] if args.quick else [25_000, 50_000, 100_000]
    runs = args.runs or (1 if args.quick else 3)
    base_max = 10_000 if args.quick else (100_000 if args.full else 50_000)
    tmp = Path(tempfile.mkdtemp(prefix="bench-analysis-"))
    res: dict[int, dict[str, Any]] = {}
    for n in sizes:
        folder = tmp / str(n)
        folder.mkdir()
        meta = write_cache(folder, n)
        ours = run_worker(folder, "ours", runs)
        base = run_worker(folder, "baseline", 1) if n <= base_max else None
        res[n] = {"meta": meta, "ours": ours, "base": base}
        print(f"{n}: cache written in {meta['write_s']:.1f} s; ours CPU "
              + ", ".join(f"{k} {ours[k]['cpu']:.2f} s" for k in ("load", "build", "tags", "missing", "frontier"))
              + ("; baseline CPU " + ", ".join(f"{k} {base[k]['cpu']:.2f} s"
                                               for k in ("build", "tags", "missing", "frontier")) if base else ""),
              flush=True)
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()

    steps = [("load", "load from cache"), ("build", "build DiGraph"), ("tags", "lineage tags"),
             ("missing", "missing ancestors"), ("frontier", "frontier")]
    rows = []
    for n, r in res.items():
        m = r["meta"]["m"]
        for key, label in steps:
            o = r["ours"][key]
            b = r["base"][key] if r["base"] else None
            ratio = C.fmt_ratio(b["cpu"] / o["cpu"]) if b and key != "load" and o["cpu"] > 0 else "—"
            rows.append([f"{n // 1000}k / {m / 1e6:g}M", label, C.fmt_s(o["s"]), C.fmt_s(o["cpu"]),
                         f"{o['cpu'] / m * 1e6:.2f} µs", f"{o['rss_mb']:.0f} MB",
                         C.fmt_s(b["s"]) if b and key != "load" else "—",
                         C.fmt_s(b["cpu"]) if b and key != "load" else "—",
                         f"{b['rss_mb']:.0f} MB" if b else "—", ratio])
    print()
    print(C.header("analysis.py", argv))
    print(f"{LINEAGES} lineages, {SEED_SHARE:.0%} seeds, {EDGES_PER_PAPER} citations a paper; ours: median of "
          f"{runs} run(s) per step; baseline: 1 run; RSS = process peak after the step")
    print()
    print(C.table(["papers / citations", "step", "ours wall", "ours CPU", "ours CPU per edge", "ours peak RSS",
                   "baseline wall", "baseline CPU", "baseline peak RSS", "speed-up (CPU)"], rows))
    big = max(res)
    small = min(res)
    o_big, o_small = res[big]["ours"], res[small]["ours"]
    scale = res[big]["meta"]["m"] / res[small]["meta"]["m"]
    t_rows = [["missing ancestors ≤ 2 s", f"{C.fmt_s(o_big['missing']['s'])} wall, "
               f"{C.fmt_s(o_big['missing']['cpu'])} CPU at {big // 1000}k", C.met(o_big["missing"]["s"] <= 2.0)]]
    for key, label in steps[1:]:
        growth = o_big[key]["cpu"] / max(o_small[key]["cpu"], 1e-9)
        # linear: time per edge at the largest size within 1.5x of the smallest
        ok = growth <= scale * 1.5
        t_rows.append([f"{label}: linear in edges", f"×{growth:.1f} CPU time for ×{scale:.1f} edges", C.met(ok)])
    peak = max(o_big[k]["rss_mb"] for k, _ in steps)
    t_rows.append(["memory ≤ 2 GB", f"{peak:.0f} MB peak at {big // 1000}k", C.met(peak <= 2048)])
    print()
    print(C.table(["target", "measured", "status"], t_rows))


if __name__ == "__main__":
    main()
