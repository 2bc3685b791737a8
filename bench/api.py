"""API efficiency: what each online command fetches, and our batched expansion vs the per-paper strategy.

One fake Semantic Scholar server (``tests/fakes/s2_server.py``) serves every paper and edge of the
embedded snapshot plus five papers no snapshot holds (with their references and citing papers) and
one paper far from every seed. It answers 429 + ``Retry-After`` past ``--rate`` requests a second and
waits ``--latency`` before each answer; every request is counted at the server.

**Scoped commands** (issue 14). Each row is the real CLI, ``python -m graph.cli ...``, in a fresh
process (what a user runs: one network check per process, the embedded snapshot, the settings read
from the environment: ``S2_API_URL`` = the fake, ``LINEAGE_RATE`` = ``--rate``, a fresh
``LINEAGE_CACHE_DIR`` for "cold", the same one again for "warm"). The same commands run, in the same
run and against the same server, with the code of ``--old`` (default 5e1c0be, the last commit
before the engine and the scoped fetching) from a temporary ``git worktree`` with its own
``PYTHONPATH``; ``--no-old`` skips that.

- ``show dpo`` (a seed), ``show dpo --with-references``;
- ``show DOI:10.9999/outside.2026`` (a paper in no catalogue and no snapshot): target <= 2 cold, 0 warm;
- ``ancestors --lineage preference-optimization``: only that lineage's seeds' missing or stale lists;
- ``expand --seeds five.txt --depth 1 --direction both`` (five papers absent from the snapshot): target
  <= 1.1x the theoretical minimum 1 batch + 5 reference lists + 5 citation lists = 11.

**Whole-catalogue expansion** (as before). Both strategies expand every seed of the catalogue one hop
in both directions (references and citations) under the same client-side rate limit (``S2Source``
paces at ``--rate``).

- **ours**: ``Engine(catalogue, settings=Settings(s2_api_url=fake.url, rate_per_s=rate,
  cache_dir=<fresh tmp>), offline=False, snapshot=<tests/data/empty_snapshot>).graph(GraphSpec(depth=1,
  direction="both"))`` (every fact comes from the server), then the same on the warm cache.
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

    python bench/api.py            # rate 20/s, latency 20 ms, 3 runs of ours, 1 of per-paper, old code too
    python bench/api.py --quick    # whole catalogue: 3 lineages, 1 run each
    python bench/api.py --scoped-only --no-old
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import math
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _common as C  # puts the repo on sys.path

from graph.assemble.expand import select_seeds
from graph.catalogue.load import load_catalogue
from graph.core.errors import NotFoundError
from graph.core.ids import normalize_title
from graph.core.settings import Settings
from graph.explore import Engine
from graph.explore.records import GraphSpec
from graph.sources import s2 as s2mod
from graph.sources.s2 import S2Source
from graph.store.snapshot import load_snapshot
from graph.store.stores import forget_pings
from tests.fakes.future_papers import FIVE_MINIMUM, NEW, NEW_CITING, NEW_EDGES, NEW_REFS, OUTSIDE
from tests.fakes.s2_server import FakeS2

EMPTY_SNAPSHOT = C.ROOT / "tests" / "data" / "empty_snapshot"
QUICK_LINEAGES = ["preference-optimization", "user-sequence-modeling", "attention"]
LINEAGE = "preference-optimization"
OLD_REV = "5e1c0be"



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
    fake = FakeS2.from_models([*snap.papers.values(), *NEW, *NEW_REFS, *NEW_CITING, OUTSIDE],
                              [*snap.edges, *NEW_EDGES])
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
    """The whole catalogue (or ``lineages``), depth 1 both ways, through the engine, from the server only."""
    settings = Settings(s2_api_url=fake.url, rate_per_s=rate, cache_dir=cache_dir)
    empty = load_snapshot(EMPTY_SNAPSHOT)
    reset_counts(fake)
    forget_pings()  # each run is a new process as far as the network check goes
    with SleepMeter() as meter:
        t0 = time.perf_counter()
        engine = Engine(catalogue, settings=settings, offline=False, snapshot=empty)
        G = engine.graph(GraphSpec(lineages=tuple(lineages or ()), depth=1, direction="both"))
        wall = time.perf_counter() - t0
    meta = engine.meta(G)
    return {"wall": wall, "requests": fake.counts["total"], "client_requests": meta.requests,
            "throttled": _throttled(fake), "nodes": G.number_of_nodes(), "edges": G.number_of_edges(),
            "limiter_s": meter.limiter_s, "retry_s": meter.retry_s, "kinds": dict(fake.counts),
            "built_from": meta.built_from}


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


# ------------------------------------------------------------------------------ scoped commands
def scoped_commands(five: Path) -> list[dict[str, Any]]:
    """The CLI commands of issue 14 (``old``: whether the code before the engine has the command)."""
    return [
        {"name": "show dpo (a seed)", "args": ["show", "dpo", "--format", "json"], "old": True,
         "target": (1, 0)},
        {"name": "show dpo --with-references", "args": ["show", "dpo", "--format", "json", "--with-references"],
         "old": False, "target": (3, 0)},
        {"name": "show DOI:10.9999/outside.2026 (in no catalogue)",
         "args": ["show", "DOI:10.9999/outside.2026", "--format", "json"], "old": True, "target": (2, 0)},
        {"name": f"ancestors --lineage {LINEAGE}", "args": ["ancestors", "--lineage", LINEAGE, "--format", "json"],
         "old": True, "target": None},
        {"name": "expand --seeds five.txt --depth 1 --direction both (5 papers not in the snapshot)",
         "args": ["expand", "--seeds", str(five), "--depth", "1", "--direction", "both"], "old": True,
         "target": (math.floor(1.1 * FIVE_MINIMUM), 0)},
    ]


def fake_ids(fake: FakeS2, seeds: list[Any]) -> set[str]:
    """The server's paper ids of ``seeds`` (by id, else by exact title)."""
    out: set[str] = set()
    for s in seeds:
        pid = next((p for q in s.s2_query_ids() if not q.startswith("TITLE:") and (p := fake.resolve(q))), None)
        if pid is None and s.title:
            status, body = fake.handle_match({"query": s.title}, ["paperId"])
            pid = body["data"][0]["paperId"] if status == 200 else None
        if pid:
            out.add(pid)
    return out


LIST_PATH = re.compile(r"^/paper/(.+)/(references|citations)$")


def lists_outside(fake: FakeS2, log: list[tuple[str, str, dict[str, str]]], scope: set[str]) -> tuple[int, int]:
    """(lists fetched, of which outside ``scope``): reference/citation list requests (pages count once)."""
    from urllib.parse import unquote

    seen: set[tuple[str, str]] = set()
    for _, path, _ in log:
        m = LIST_PATH.match(path)
        if m:
            seen.add((fake.resolve(unquote(m.group(1))) or m.group(1), m.group(2)))
    return len(seen), sum(1 for pid, _ in seen if pid not in scope)


def run_cli(fake: FakeS2, tree: Path, args: list[str], cache_dir: Path, rate: float) -> dict[str, Any]:
    """``python -m graph.cli ARGS`` of ``tree`` in a fresh process against the fake; requests counted there."""
    env = C.tree_env(tree, S2_API_URL=fake.url, LINEAGE_CACHE_DIR=str(cache_dir), LINEAGE_RATE=f"{rate:g}",
                     ARXIV_API_URL="http://127.0.0.1:9/api/query", COLUMNS="200")
    reset_counts(fake)
    t0, c0 = time.perf_counter(), _child_cpu()
    r = subprocess.run([sys.executable, "-m", "graph.cli", *args], cwd=tree, env=env, capture_output=True,
                       text=True, timeout=3600, check=False)
    wall, cpu = time.perf_counter() - t0, _child_cpu() - c0
    with fake._lock:
        counts, log = dict(fake.counts), list(fake.log)
    plan = next((ln.strip() for ln in r.stderr.splitlines() if "will fetch" in ln or "nothing to fetch" in ln), "")
    return {"code": r.returncode, "requests": counts.get("total", 0), "kinds": counts, "wall": wall, "cpu": cpu,
            "log": log, "stderr": r.stderr, "plan": plan}


def _child_cpu() -> float:
    """User + system CPU seconds of the finished child processes (the CLI's own work, load-independent)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def startup(tree: Path) -> float:
    """CPU seconds of a fresh ``python -m graph.cli --help`` (the process start inside every row), median of 3."""
    times = []
    for _ in range(3):
        c0 = _child_cpu()
        subprocess.run([sys.executable, "-m", "graph.cli", "--help"], cwd=tree, env=C.tree_env(tree),
                       capture_output=True, check=False)
        times.append(_child_cpu() - c0)
    return C.median(times)


def run_scoped(fake: FakeS2, catalogue: Any, rate: float, tmp: Path, old: Path | None) -> dict[str, Any]:
    five = tmp / "five.txt"
    five.write_text("".join(f"arXiv:{p.arxiv_id}\n" for p in NEW), encoding="utf-8")
    cat = catalogue
    scopes = {
        "show dpo": fake_ids(fake, [cat.seeds["dpo"]]),
        "show DOI": {fake.resolve("DOI:10.9999/outside.2026") or ""},
        "ancestors": fake_ids(fake, [cat.seeds[a] for a in cat.get_lineage(LINEAGE).aliases]),
        "expand": {fake.resolve(f"ARXIV:{p.arxiv_id}") or "" for p in NEW},
    }
    out: dict[str, Any] = {"rows": [], "startup": {"new": startup(C.ROOT)}}
    if old is not None:
        out["startup"]["old"] = startup(old)
    for i, cmd in enumerate(scoped_commands(five)):
        scope = next(v for k, v in scopes.items() if cmd["name"].startswith(k))
        row: dict[str, Any] = {"cmd": cmd}
        for who, tree in (("new", C.ROOT), ("old", old)):
            if tree is None or (who == "old" and not cmd["old"]):
                continue
            cache = tmp / f"scoped-{who}-{i}"
            for phase in ("cold", "warm"):
                r = run_cli(fake, tree, cmd["args"], cache, rate)
                r["lists"], r["outside"] = lists_outside(fake, r["log"], scope)
                row[f"{who}_{phase}"] = r
                print(f"{who} {phase} {cmd['name']}: exit {r['code']}, {r['requests']} requests "
                      f"({', '.join(f'{k} {v}' for k, v in sorted(r['kinds'].items()) if k != 'total')}), "
                      f"{r['wall']:.1f} s, CPU {r['cpu']:.1f} s; {r['plan']}", flush=True)
                if r["code"] != 0:
                    print("  stderr: " + r["stderr"].strip().replace("\n", "\n  ")[-1500:], flush=True)
        out["rows"].append(row)
    return out


def scoped_tables(res: dict[str, Any], rate: float, old_rev: str | None) -> str:
    def cell(r: dict[str, Any] | None) -> str:
        if r is None:
            return "—"
        fail = "" if r["code"] == 0 else f" (exit {r['code']})"
        return f"{r['requests']} req, {C.fmt_s(r['wall'])} (CPU {C.fmt_s(r['cpu'])}){fail}"

    rows, targets = [], []
    for row in res["rows"]:
        cmd, cold, warm = row["cmd"], row["new_cold"], row["new_warm"]
        shown = " ".join(a if "/" not in a or a.startswith("DOI") else Path(a).name for a in cmd["args"])
        rows.append([f"`lineage {shown}`",
                     cell(cold), cell(warm), f"{cold['lists']} / {cold['outside']}",
                     cell(row.get("old_cold")) if old_rev else "not run",
                     cell(row.get("old_warm")) if old_rev else "not run",
                     f"{row['old_cold']['lists']} / {row['old_cold']['outside']}" if row.get("old_cold") else "—",
                     cold["plan"] or "—"])
        name = cmd["name"]
        if name.startswith("ancestors"):
            ok = cold["outside"] == 0 and cold["lists"] > 0 and warm["requests"] == 0 and cold["code"] == 0
            targets.append([f"`{name}` cold: only the lineage's seeds' missing or stale lists; warm 0",
                            f"{cold['lists']} lists, {cold['outside']} outside the lineage's seeds "
                            f"({cold['requests']} requests with the network check); warm {warm['requests']}",
                            C.met(ok)])
        elif name.startswith("expand"):
            ratio = cold["requests"] / FIVE_MINIMUM
            targets.append([f"5-paper list, depth 1 both, cold: ≤ 1.1× the minimum {FIVE_MINIMUM} "
                            "(1 batch + 5 + 5)",
                            f"{cold['requests']} requests = {ratio:.2f}× (with the network check; "
                            f"{(cold['requests'] - 1) / FIVE_MINIMUM:.2f}× without); warm {warm['requests']}",
                            C.met(ratio <= 1.1 and cold["code"] == 0)])
        else:
            cmax, wmax = cmd["target"]
            ok = cold["requests"] <= cmax and warm["requests"] <= wmax and cold["code"] == warm["code"] == 0
            targets.append([f"`{name}`: ≤ {cmax} cold, {wmax} warm",
                            f"{cold['requests']} cold, {warm['requests']} warm", C.met(ok)])
    st = res["startup"]
    head = (f"every row: a fresh `python -m graph.cli …` process at {rate:g} requests/s; wall and CPU (user + "
            f"system of the process) include its start (`--help` alone: CPU {C.fmt_s(st['new'])} now"
            + (f", {C.fmt_s(st['old'])} at {old_rev}" if "old" in st else "") + "); requests counted at the "
            "fake server, the network check included; lists = reference/citation lists fetched / of them outside "
            "the question's scope")
    return head + "\n\n" + C.table(
        ["command", "now, cold", "now, warm", "lists / outside scope", f"{old_rev or 'old'}, cold",
         f"{old_rev or 'old'}, warm", "old lists / outside", "plan printed beforehand (now)"], rows) + "\n\n" + \
        C.table(["target (issue 14)", "measured", "status"], targets)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 lineages, 1 run each")
    ap.add_argument("--rate", type=float, default=20.0, help="requests per second (server and client)")
    ap.add_argument("--latency", type=float, default=0.020, help="seconds of latency per request")
    ap.add_argument("--retry-after", type=float, default=1.0, help="Retry-After of a 429 (s)")
    ap.add_argument("--runs", type=int, default=None, help="runs of ours, cold and warm (default 3, quick 1)")
    ap.add_argument("--base-runs", type=int, default=1,
                    help="runs of the per-paper baseline (default 1: ~2,300 requests, rate-bound)")
    ap.add_argument("--old", default=OLD_REV, help="the commit whose CLI runs the scoped commands beside ours")
    ap.add_argument("--no-old", action="store_true", help="scoped commands: no run of the old code")
    ap.add_argument("--scoped-only", action="store_true", help="only the scoped commands")
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
        with contextlib.ExitStack() as stack:
            old = None if args.no_old else stack.enter_context(C.worktree(args.old))
            scoped = run_scoped(fake, catalogue, args.rate, tmp, old)
        if args.scoped_only:
            print()
            print(C.header("api.py", argv if argv is not None else _argv()))
            print(scoped_tables(scoped, args.rate, None if args.no_old else args.old))
            return
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
    print()
    print("Scoped commands (issue 14)")
    print(scoped_tables(scoped, args.rate, None if args.no_old else args.old))
    print()
    print("Whole-catalogue expansion")
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
