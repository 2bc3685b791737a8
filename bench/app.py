"""App latency: cold start in Chromium, and rerun after a filter change (cached vs caches cleared).

1. **Cold start** (browser): ``streamlit run app.py --server.address 127.0.0.1 --server.port <free>
   --server.headless true`` with ``LINEAGE_OFFLINE=1`` and a fresh ``LINEAGE_CACHE_DIR``; headless
   Chromium opens the page as soon as ``/_stcore/health`` answers; "painted" = some frame of the page
   has ``window.__lineage.nodes > 0`` (our page sets it after vis-network's first draw). Two figures:
   from launching the process, and from the first navigation (server already up).
2. **Rerun after a filter change** (``streamlit.testing.v1.AppTest``, in-process, same environment):
   after a first run, the year slider is moved to a new range and ``at.run()`` is timed (the
   expanded graph is cached; ``view`` + ``render_html`` run for the new range). Naive comparison: the
   same changes with ``st.cache_data.clear()`` + ``st.cache_resource.clear()`` before each run, i.e.
   the graph is rebuilt from the snapshot, tagged, analysed, filtered and rendered on every rerun
   (what an app without caching does).

    python bench/app.py            # cold start x3, reruns: 6 year ranges each way
    python bench/app.py --quick    # cold start x1, 3 year ranges each way
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

import _browser
import _common as C  # puts the repo on sys.path

APP = C.ROOT / "app.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def painted_nodes(page: Any) -> int:
    best = 0
    for fr in page.frames:
        try:
            n = fr.evaluate("() => (window.__lineage && window.__lineage.nodes) || 0")
        except Exception:  # a frame navigating or detached
            continue
        best = max(best, int(n or 0))
    return best


def cold_start(b: Any, timeout_s: float = 120.0) -> dict[str, Any]:
    port = free_port()
    cache = tempfile.mkdtemp(prefix="bench-app-cache-")
    env = dict(os.environ, LINEAGE_OFFLINE="1", LINEAGE_CACHE_DIR=cache)
    cmd = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
           "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=C.ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/"
        while True:
            if proc.poll() is not None:
                raise RuntimeError("streamlit exited: " + (proc.stderr.read() or b"").decode()[-2000:])
            try:
                with urllib.request.urlopen(url + "_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.perf_counter() - t0 > timeout_s:
                raise RuntimeError("streamlit did not come up")
            time.sleep(0.05)
        t_up = time.perf_counter()
        ctx = b.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        t_nav = time.perf_counter()
        page.goto(url, wait_until="commit")
        nodes = 0
        while time.perf_counter() - t0 < timeout_s:
            nodes = painted_nodes(page)
            if nodes > 0:
                break
            time.sleep(0.03)
        t_paint = time.perf_counter()
        ctx.close()
        # a second session on the now warm server: every cache of ours is hot, so what remains is
        # Streamlit's own page load + session + script bookkeeping + the iframe (the floor for us)
        ctx = b.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        t_warm = time.perf_counter()
        page.goto(url, wait_until="commit")
        while time.perf_counter() - t_warm < timeout_s and painted_nodes(page) == 0:
            time.sleep(0.03)
        warm = time.perf_counter() - t_warm
        ctx.close()
        return {"from_launch": t_paint - t0, "from_nav": t_paint - t_nav, "server_up": t_up - t0, "nodes": nodes,
                "warm_nav": warm}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def reruns(ranges: list[tuple[int, int]]) -> dict[str, Any]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["LINEAGE_OFFLINE"] = "1"
    os.environ["LINEAGE_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench-app-cache-")
    at = AppTest.from_file(str(APP), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"app failed: {at.exception}")
    bounds = (at.sidebar.slider(key="years").min, at.sidebar.slider(key="years").max)
    cached, naive = [], []
    for lo, hi in ranges:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
        at.sidebar.slider(key="years").set_value((lo, hi))
        t0 = time.perf_counter()
        at.run()
        cached.append(time.perf_counter() - t0)
    for lo, hi in ranges:
        lo, hi = max(lo, bounds[0]), min(hi - 1, bounds[1])  # other ranges than above: no memo hits
        at.sidebar.slider(key="years").set_value((lo, hi))
        st.cache_data.clear()
        st.cache_resource.clear()
        t0 = time.perf_counter()
        at.run()
        naive.append(time.perf_counter() - t0)
    if at.exception:
        raise RuntimeError(f"app failed: {at.exception}")
    return {"first": first, "cached": cached, "naive": naive, "bounds": bounds}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    argv = sys.argv[1:] if argv is None else argv
    n_cold = 1 if args.quick else 3
    ranges = [(2018, 2026), (2020, 2026), (2016, 2025), (2021, 2026), (2019, 2024), (2022, 2026)]
    ranges = ranges[:3] if args.quick else ranges
    colds = []
    with _browser.browser() as b:
        for i in range(n_cold):
            colds.append(cold_start(b))
            print(f"cold start {i + 1}: {colds[-1]}", flush=True)
    rr = reruns(ranges)
    print(f"reruns: first {rr['first']:.2f} s, cached {rr['cached']}, naive {rr['naive']}", flush=True)

    launch = C.median([c["from_launch"] for c in colds])
    nav = C.median([c["from_nav"] for c in colds])
    up = C.median([c["server_up"] for c in colds])
    warm = C.median([c["warm_nav"] for c in colds])
    cached, naive = C.median(rr["cached"]), C.median(rr["naive"])
    print()
    print(C.header("app.py", argv))
    print(f"offline on the embedded snapshot, default view; cold start: medians of {n_cold}; reruns: medians of "
          f"{len(ranges)} year-range changes (AppTest, in-process)")
    print()
    print(C.table(["measure", "median", "runs", "notes"], [
        ["cold: launch → server healthy", C.fmt_s(up), n_cold, "python -m streamlit run …"],
        ["cold: launch → graph painted", C.fmt_s(launch), n_cold, f"{colds[0]['nodes']} nodes drawn"],
        ["cold: first navigation → graph painted", C.fmt_s(nav), n_cold, "server already up"],
        ["warm: second session, navigation → painted", C.fmt_s(warm), n_cold, "all our caches hot: Streamlit's floor"],
        ["floor for launch → painted", C.fmt_s(up + warm), n_cold, "server healthy + warm session"],
        ["AppTest first run (cold caches, imports done)", C.fmt_s(rr["first"]), 1, ""],
        ["rerun after year change, caches on", C.fmt_s(cached), len(ranges), ""],
        ["rerun after year change, caches cleared (naive)", C.fmt_s(naive), len(ranges),
         f"ratio {C.fmt_ratio(naive / cached)}"],
    ]))
    print()
    print(C.table(["target", "measured", "status"], [
        ["cold start ≤ 3 s (launch → painted)", C.fmt_s(launch), C.met(launch <= 3.0)],
        ["cold start ≤ 3 s (navigation → painted)", C.fmt_s(nav), C.met(nav <= 3.0)],
        ["rerun after a filter change ≤ 0.3 s", C.fmt_s(cached), C.met(cached <= 0.3)],
    ]))


if __name__ == "__main__":
    main()
