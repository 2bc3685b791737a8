"""API efficiency: our batched expansion vs the per-paper strategy, against a rate-limited fake S2.

The fake Semantic Scholar server (``tests/fakes/s2_server.py``) serves every paper and edge of the
embedded snapshot, answers 429 + ``Retry-After`` past ``--rate`` requests a second and waits
``--latency`` before each answer. Both strategies expand every seed of the catalogue one hop in
both directions (references and citations) and run under the same client-side rate limit
(``S2Source`` paces at ``--rate``).

- **ours**: ``build_graph(catalogue, depth=1, direction="both", offline=False, settings=Settings(
  s2_api_url=fake.url, rate_per_s=rate, cache_dir=<fresh tmp>), snapshot=<tests/data/empty_snapshot>)``
  (every fact comes from the server), then the same call again on the warm cache.
  (Title-only seeds are matched by the fake from an exact normalised-title index, not its difflib
  scan of every title, which costs seconds of server CPU per call; both strategies send them.)
- **per-paper** (litstudy / Local Citation Network's per-paper mode): for each seed ``GET /paper/{id}``
  (a title-only seed: ``/paper/search/match``), then its references and its citations (every page),
  then ``GET /paper/{id}`` for every distinct neighbour, one by one: LCN and litstudy fetch each
  reference's metadata individually, and without it a depth-1 "both" graph has no metadata for the
  neighbours. It uses the same ``S2Source`` (same pacing, same Retry-After handling).
- **theoretical minimum**: ``ceil(seeds with an id / 500)`` batch calls + one title match per
  title-only seed the server knows (there is no batch title endpoint) + the pages of every resolved
  seed's lists (``max(1, ceil(n / 1000))`` per list), computed from the server's data.

"Sleep beyond what is required": the floor of a run is ``(requests - 1) / rate`` (the rate limit)
plus the ``Retry-After`` waits it received; ``excess = wall - floor`` is time the run spent above the
floor (client CPU, SQLite, server work), and the table shows how much of the wall time was spent
sleeping in the limiter and in retries.

    python bench/api.py            # rate 20/s, latency 20 ms, 3 runs of ours, 1 of per-paper
    python bench/api.py --quick    # 3 lineages, 1 run each
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _common as C  # puts the repo on sys.path

from graph.build.expand import build_graph, select_seeds
from graph.catalogue.load import load_catalogue
from graph.core.errors import NotFoundError
from graph.core.ids import normalize_title
from graph.core.settings import Settings
from graph.sources import s2 as s2mod
from graph.sources.s2 import S2Source
from graph.store.snapshot import load_snapshot
from tests.fakes.s2_server import FakeS2

EMPTY_SNAPSHOT = C.ROOT / "tests" / "data" / "empty_snapshot"
QUICK_LINEAGES = ["preference-optimization", "user-sequence-modeling", "attention"]


class SleepMeter:
    """Sums the limiter's waits (``RateLimiter.reserve``) and the retry delays S2Source logs."""

    def __init__(self) -> None:
        self.limiter_s = 0.0
        self.retry_s = 0.0
        self._lock = threading.Lock()
        self._orig = s2mod.RateLimiter.reserve
        meter = self

        def reserve(lim: Any) -> float:
            wait = meter._orig(lim)
            with meter._lock:
                meter.limiter_s += max(0.0, wait)
            return wait

        class H(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if "retry %d/%d in %.2f s" in str(record.msg):
                    with meter._lock:
                        meter.retry_s += float(record.args[-1])  # type: ignore[index]

        self._reserve = reserve
        self._handler = H(level=logging.INFO)

    def __enter__(self) -> SleepMeter:
        s2mod.RateLimiter.reserve = self._reserve  # type: ignore[method-assign]
        log = logging.getLogger(s2mod.__name__)
        self._level = log.level
        log.setLevel(logging.INFO)
        log.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        s2mod.RateLimiter.reserve = self._orig  # type: ignore[method-assign]
        log = logging.getLogger(s2mod.__name__)
        log.removeHandler(self._handler)
        log.setLevel(self._level)


def make_fake(rate: float, latency: float, retry_after: float) -> FakeS2:
    snap = load_snapshot()
    fake = FakeS2.from_models(snap.papers.values(), snap.edges)
    # The fake's /paper/search/match scores every stored title with difflib (~12,800 here): seconds
    # of server CPU per call, more on a loaded machine. Both strategies send the same title matches,
    # so the bench answers them from an index of normalised titles (exact match) instead.
    index: dict[str, str] = {}
    for pid, rec in fake._papers.items():
        t = normalize_title(rec.raw.get("title"))
        if t:
            index.setdefault(t, pid)

    def handle_match(query: dict[str, str], fields: list[str] | None) -> tuple[int, Any]:
        pid = index.get(normalize_title(query.get("query", "")))
        if pid is None:
            return 404, {"error": "Title match not found"}
        rec = fake._papers[pid]
        return 200, {"data": [{**fake._select(rec.raw, fields, rec), "matchScore": 120.0}]}

    fake.handle_match = handle_match  # type: ignore[method-assign]
    fake.start()
    fake.rate_limit_per_second(rate, retry_after=retry_after)
    fake.latency_s = latency
    return fake


def reset_counts(fake: FakeS2) -> None:
    with fake._lock:
        fake.counts.clear()
        fake.log.clear()
        fake.api_keys.clear()
        fake._window.clear()


def theoretical_minimum(fake: FakeS2, seeds: list[Any]) -> dict[str, int]:
    """Batch calls + title matches + pages, from the server's own data (no request is made)."""
    with_id, titles, pages, resolved = 0, 0, 0, set()
    for s in seeds:
        qid = s.s2_query_id()
        pid = None
        if qid:
            with_id += 1
            pid = fake.resolve(qid)
        elif s.title:
            status, body = fake.handle_match({"query": s.title}, ["paperId"])
            if status == 200:
                titles += 1
                pid = body["data"][0]["paperId"]
        if pid is None or pid in resolved:
            continue
        resolved.add(pid)
        rec = fake._papers[pid]
        pages += max(1, math.ceil(len(rec.references) / 1000)) + max(1, math.ceil(len(rec.citations) / 1000))
    batches = math.ceil(with_id / 500)
    return {"batches": batches, "titles": titles, "pages": pages, "min": batches + titles + pages,
            "min_issue": batches + pages, "resolved": len(resolved)}


def run_ours(fake: FakeS2, catalogue: Any, lineages: list[str] | None, rate: float, cache_dir: Path,
             ) -> dict[str, Any]:
    settings = Settings(s2_api_url=fake.url, rate_per_s=rate, cache_dir=cache_dir)
    empty = load_snapshot(EMPTY_SNAPSHOT)
    reset_counts(fake)
    with SleepMeter() as meter:
        t0 = time.perf_counter()
        G = build_graph(catalogue, lineages=lineages, depth=1, direction="both", offline=False,
                        settings=settings, snapshot=empty)
        wall = time.perf_counter() - t0
    return {"wall": wall, "requests": fake.counts["total"], "client_requests": G.graph["requests"],
            "throttled": _throttled(fake), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "limiter_s": meter.limiter_s, "retry_s": meter.retry_s, "kinds": dict(fake.counts),
            "built_from": G.graph["built_from"]}


def _throttled(fake: FakeS2) -> int:
    # the fake logs every request; 429s are those the rate window refused: count from the client side
    return fake.__dict__.get("_bench_429", 0)


def run_per_paper(fake: FakeS2, catalogue: Any, lineages: list[str] | None, rate: float, cache_dir: Path,
                  ) -> dict[str, Any]:
    settings = Settings(s2_api_url=fake.url, rate_per_s=rate, cache_dir=cache_dir)
    reset_counts(fake)
    with SleepMeter() as meter:
        t0 = time.perf_counter()
        src = S2Source(settings)
        seen: dict[str, Any] = {}
        neighbours: dict[str, Any] = {}
        edges = 0
        for s in select_seeds(catalogue, lineages):
            qid = s.s2_query_id()
            try:
                paper = src.get_paper(qid) if qid else (src.match_title(s.title) if s.title else None)
            except NotFoundError:
                paper = None
            if paper is None or paper.key in seen:
                continue
            seen[paper.key] = paper
            for other, _ in [*src.references(paper), *src.citations(paper)]:
                edges += 1
                if other.s2_id:
                    neighbours.setdefault(other.key, other)
        for key, other in neighbours.items():
            if key in seen:
                continue
            with contextlib.suppress(NotFoundError):
                seen[key] = src.get_paper(other.s2_id)
        wall = time.perf_counter() - t0
    return {"wall": wall, "requests": fake.counts["total"], "client_requests": src.requests,
            "throttled": src.throttled, "nodes": len(seen), "edges": edges, "limiter_s": meter.limiter_s,
            "retry_s": meter.retry_s, "kinds": dict(fake.counts)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 lineages, 1 run each")
    ap.add_argument("--rate", type=float, default=20.0, help="requests per second (server and client)")
    ap.add_argument("--latency", type=float, default=0.020, help="seconds of latency per request")
    ap.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of a 429 (s)")
    ap.add_argument("--runs", type=int, default=None, help="runs of ours, cold and warm (default 3, quick 1)")
    ap.add_argument("--base-runs", type=int, default=1,
                    help="runs of the per-paper baseline (default 1: ~2,300 requests, rate-bound)")
    args = ap.parse_args(argv)
    runs = args.runs or (1 if args.quick else 3)
    lineages = QUICK_LINEAGES if args.quick else None
    catalogue = load_catalogue()
    seeds = select_seeds(catalogue, lineages)
    fake = make_fake(args.rate, args.latency, args.retry_after)
    tmp = Path(tempfile.mkdtemp(prefix="bench-api-"))
    # count 429s on the server side: wrap _admit
    orig_admit = fake._admit

    def admit(kind: str) -> Any:
        fault, lat = orig_admit(kind)
        if fault is not None and fault.kind == "429":
            fake.__dict__["_bench_429"] = fake.__dict__.get("_bench_429", 0) + 1
        return fault, lat

    fake._admit = admit  # type: ignore[method-assign]
    try:
        minimum = theoretical_minimum(fake, seeds)
        ours, warm, base = [], [], []
        for i in range(runs):
            cache_dir = tmp / f"ours-{i}"
            fake.__dict__["_bench_429"] = 0
            ours.append(run_ours(fake, catalogue, lineages, args.rate, cache_dir))
            fake.__dict__["_bench_429"] = 0
            warm.append(run_ours(fake, catalogue, lineages, args.rate, cache_dir))
            print(f"run {i + 1}/{runs}: ours {ours[-1]['requests']} req {ours[-1]['wall']:.1f} s; "
                  f"warm {warm[-1]['requests']} req {warm[-1]['wall']:.2f} s", flush=True)
        for i in range(args.base_runs):
            fake.__dict__["_bench_429"] = 0
            b = run_per_paper(fake, catalogue, lineages, args.rate, tmp / f"base-{i}")
            b["throttled"] = fake.__dict__["_bench_429"]
            base.append(b)
            print(f"per-paper run {i + 1}/{args.base_runs}: {b['requests']} req {b['wall']:.1f} s", flush=True)
    finally:
        fake.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def med(rs: list[dict[str, Any]], k: str) -> float:
        return C.median([r[k] for r in rs])

    def floor(rs: list[dict[str, Any]]) -> float:
        return C.median([max(0, r["requests"] - 1) / args.rate + r["retry_s"] for r in rs])

    rows = []
    for name, rs in (("ours (batched, cold cache)", ours), ("ours, warm cache", warm),
                     ("per-paper (litstudy / LCN)", base)):
        wall = med(rs, "wall")
        fl = floor(rs)
        rows.append([name, f"{med(rs, 'requests'):.0f}", f"{med(rs, 'throttled'):.0f}", C.fmt_s(wall),
                     C.fmt_s(fl), C.fmt_s(max(0.0, wall - fl)), C.fmt_s(med(rs, "limiter_s")),
                     C.fmt_s(med(rs, "retry_s")), f"{med(rs, 'nodes'):.0f}"])
    rows.append(["theoretical minimum", str(minimum["min"]), "0", C.fmt_s((minimum["min"] - 1) / args.rate),
                 "", "", "", "", ""])
    print()
    print(C.header("api.py", argv if argv is not None else _argv()))
    print(f"seeds: {len(seeds)} ({minimum['resolved']} known to the server); rate {args.rate:g}/s "
          f"(client and server), latency {args.latency * 1000:.0f} ms, Retry-After {args.retry_after:g} s; "
          f"ours: medians of {runs} run(s); per-paper: median of {args.base_runs}")
    print(f"minimum = {minimum['batches']} batch + {minimum['titles']} title matches + {minimum['pages']} pages "
          f"= {minimum['min']} (issue formula, batches + pages only: {minimum['min_issue']})")
    print()
    print(C.table(["strategy", "requests", "429s", "wall", "floor (rate + Retry-After)", "above floor",
                   "limiter sleep", "retry sleep", "nodes"], rows))
    r_ours, r_base, r_warm = med(ours, "requests"), med(base, "requests"), med(warm, "requests")
    kinds = ours[len(ours) // 2]["kinds"]
    print()
    print("ours by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items()) if k != "total"))
    print("per-paper by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(base[0]["kinds"].items())
                                             if k != "total"))
    print()
    print(C.table(["target", "measured", "status"], [
        ["≥ 20× fewer requests than per-paper", C.fmt_ratio(r_base / r_ours), C.met(r_base / r_ours >= 20)],
        ["≤ 1.2× the theoretical minimum", f"{r_ours / minimum['min']:.2f}× (issue formula "
         f"{r_ours / minimum['min_issue']:.2f}×)", C.met(r_ours / minimum["min"] <= 1.2)],
        ["0 requests on a warm cache", f"{r_warm:.0f}", C.met(r_warm == 0)],
        ["wall time vs per-paper", C.fmt_ratio(med(base, "wall") / med(ours, "wall")) + " faster", ""],
    ]))


def _argv() -> list[str]:
    import sys

    return sys.argv[1:]


if __name__ == "__main__":
    main()
