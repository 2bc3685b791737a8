"""Shared helpers for the benches: medians, tables, machine description, repo on sys.path.

Every bench prints one table (markdown, so it can be pasted into ``docs/benchmarks.md``) and the
machine it ran on. Figures are medians over ``runs`` repetitions; ratios compare against a baseline
measured in the same run.
"""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` from a fresh clone: import graph and tests
    sys.path.insert(0, str(ROOT))


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def fmt_s(seconds: float | None) -> str:
    if seconds is None or seconds != seconds:
        return "—"
    if seconds < 0.01:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:.1f}×" if x < 100 else f"{x:.0f}×"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table."""
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(cells[0], widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for r in cells[1:]:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")
    return "\n".join(lines)


def machine() -> str:
    """nproc, memory, Python, CPU model (one line)."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        out = subprocess.run(["free", "-g"], capture_output=True, text=True, check=False).stdout.splitlines()
        mem = out[1].split()[1] + " GB"
    except (OSError, IndexError):
        pass
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"nproc={os.cpu_count()}, RAM {mem} (free -g total), Python {platform.python_version()}, "
            f"CPU {cpu}, {platform.system()} {platform.release()}, load average {load} at the end")


def header(name: str, argv: Sequence[str] | None = None) -> str:
    cmd = "python bench/" + name + (" " + " ".join(argv) if argv else "")
    return f"`{cmd}` — {machine()} — {time.strftime('%Y-%m-%d %H:%M')}"


def met(ok: bool) -> str:
    return "met" if ok else "MISSED"


@contextlib.contextmanager
def worktree(rev: str) -> Iterator[Path]:
    """A temporary ``git worktree`` of this repository at ``rev`` (removed afterwards), to run an older
    version's code in a subprocess with ``PYTHONPATH=<tree>`` (see :func:`tree_env`)."""
    import tempfile

    parent = Path(tempfile.mkdtemp(prefix="bench-tree-"))
    path = parent / rev
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev], check=True,
                   capture_output=True, text=True)
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False,
                       capture_output=True, text=True)
        shutil.rmtree(parent, ignore_errors=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], check=False, capture_output=True)


def tree_env(tree: Path, **extra: str | None) -> dict[str, str]:
    """The environment of a subprocess running ``tree``'s code: ``PYTHONPATH=tree`` (ahead of the editable
    install of this checkout), our ``LINEAGE_*`` / ``S2_*`` variables removed, then ``extra`` (None unsets)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("LINEAGE_", "S2_", "ARXIV_")) and k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tree)
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env
