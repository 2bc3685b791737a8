"""Crash and cache safety: SIGKILL mid-expansion, corrupt / truncated cache files, concurrent use.

The CLI runs in a real subprocess against the fake Semantic Scholar server (in this process). Its seeds
are a small YAML of the 7 preference-optimization seeds (``LINEAGE_SEEDS``), all of which the fake
server knows, so the CLI's fallback store (the embedded snapshot) is never consulted: the interrupted
and the uninterrupted runs read exactly the same data (apples to apples).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from graph.assemble.expand import build_graph
from graph.catalogue.load import load_catalogue
from graph.core.errors import CacheCorruptError
from graph.store.cache import Cache
from tests.fakes.s2_server import FakeS2
from tests.test_faults import LINEAGE, catalogue, empty_snapshot, fast_settings, load_pref, signature

ROOT = Path(__file__).resolve().parent.parent


def seeds_yaml(path: Path, lineages: dict[str, list[list[str]]] | None = None) -> Path:
    """The preference-optimization seeds (ids and titles as in the catalogue) as a small YAML."""
    cat = catalogue()
    lin = cat.get_lineage(LINEAGE)
    lines = ["papers:"]
    for a in lin.aliases:
        s = cat.seeds[a]
        lines.append(f"  - {{alias: {a}, arxiv: '{s.arxiv_id}', title: {json.dumps(s.title)}}}")
    lines.append("lineages:")
    for name, stages in (lineages or {LINEAGE: [list(st) for st in lin.stages]}).items():
        lines.append(f"  {name}: {json.dumps(stages)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli_env(fake: FakeS2, cache_dir: Path, seeds: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LINEAGE_", "S2_"))}
    env.update(
        S2_API_URL=fake.url,
        LINEAGE_CACHE_DIR=str(cache_dir),
        LINEAGE_RATE="1000",
        LINEAGE_SEEDS=str(seeds),
        LINEAGE_SNAPSHOT=str(ROOT / "tests" / "data" / "empty_snapshot"),  # every fact from the API
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "graph.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def graph_json(path: Path) -> tuple[dict[str, Any], set[tuple[str, str]]]:
    """Nodes (attributes without ``fetched_at``) and edges of a node-link JSON export."""
    d = json.loads(path.read_text(encoding="utf-8"))
    nodes = {n["id"]: {k: v for k, v in n.items() if k != "fetched_at"} for n in d["nodes"]}
    edges = {(e["from"], e["to"]) for e in d["edges"]}
    return nodes, edges


@pytest.fixture
def fake(fake_s2: FakeS2) -> FakeS2:
    load_pref(fake_s2)
    return fake_s2


def test_sigkill_mid_expansion_then_resume(fake: FakeS2, tmp_path: Path) -> None:
    seeds = seeds_yaml(tmp_path / "seeds.yaml")
    args = ("expand", "--lineage", LINEAGE, "--quiet")

    # the uninterrupted run (its own cache)
    ref = cli(*args, "--out", str(tmp_path / "ref.json"), env=cli_env(fake, tmp_path / "ref", seeds))
    out, err = ref.communicate(timeout=60)
    assert ref.returncode == 0, err
    full = fake.counts["total"]
    assert full == 16  # ping + batch + 7 references + 7 citations

    # the interrupted run: slow server, SIGKILL once a few listings are in
    fake.counts.clear()
    fake.latency_s = 0.12
    cache_dir = tmp_path / "cache"
    env = cli_env(fake, cache_dir, seeds)
    p = cli(*args, env=env)
    deadline = time.monotonic() + 30
    while fake.counts["references"] + fake.counts["citations"] < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=10)
    assert p.returncode == -signal.SIGKILL
    fake.latency_s = 0
    before = fake.counts["total"]
    assert 6 < before < full, "the kill must land mid-expansion"

    with Cache(cache_dir / "cache.sqlite3") as c:
        assert c.integrity_check() == "ok"
        saved = c.stats()["listings"]
        assert c.stats()["aliases"] >= 7  # the seeds' batch was committed
    assert 4 <= saved < 14

    # rerun: completes, fetches only what was not saved, same result as the uninterrupted run
    fake.counts.clear()
    r = cli(*args, "--out", str(tmp_path / "resumed.json"), env=env)
    out2, err2 = r.communicate(timeout=60)
    assert r.returncode == 0, err2
    assert fake.counts["batch"] == 0
    assert fake.counts["total"] == full - 1 - saved  # the ping, and the listings not yet saved
    assert out2.split()[:2] == out.split()[:2]  # nodes=N edges=M
    assert graph_json(tmp_path / "resumed.json") == graph_json(tmp_path / "ref.json")
    with Cache(cache_dir / "cache.sqlite3") as c:
        assert c.integrity_check() == "ok"
        assert c.stats()["listings"] == 14


def _valid_cache(fake: FakeS2, cache_dir: Path) -> Path:
    build_graph(catalogue(), lineages=[LINEAGE], settings=fast_settings(fake.url, cache_dir), snapshot=empty_snapshot())
    return cache_dir / "cache.sqlite3"


def _garbage(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database\n" * 300)


def _truncated(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2 // 4096 * 4096 + 100)


def _zeroed_pages(path: Path) -> None:
    """Header intact, but pages after the first overwritten with junk (damage SQLite finds on read)."""
    data = bytearray(path.read_bytes())
    for i in range(4096, len(data)):
        data[i] = (i * 7) & 0xFF
    path.write_bytes(bytes(data))


DAMAGE = {"garbage": _garbage, "truncated": _truncated, "junk-pages": _zeroed_pages}


def _checkpoint(path: Path) -> None:
    """Move everything from the -wal into the main file, so damage to the main file matters."""
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_corrupt_cache_is_one_clear_message(
    damage: str, fake: FakeS2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graph.cli import app

    cache_dir = tmp_path / "cache"
    path = cache_dir / "cache.sqlite3"
    if damage != "garbage":
        _valid_cache(fake, cache_dir)
        _checkpoint(path)
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink(missing_ok=True)
    DAMAGE[damage](path)

    # library
    with pytest.raises(CacheCorruptError) as e:
        build_graph(
            catalogue(), lineages=[LINEAGE], settings=fast_settings(fake.url, cache_dir), snapshot=empty_snapshot()
        )
    assert str(path) in str(e.value) and "lineage cache clear" in str(e.value)

    # CLI: expand (online), expand --offline, cache info
    seeds = seeds_yaml(tmp_path / "seeds.yaml")
    for k, v in cli_env(fake, cache_dir, seeds).items():
        if k.startswith(("LINEAGE_", "S2_")):
            monkeypatch.setenv(k, v)
    monkeypatch.delenv("LINEAGE_OFFLINE", raising=False)
    for args in (["expand", "--quiet"], ["expand", "--offline", "--quiet"], ["cache", "info"]):
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 1, (args, r.output)
        lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, (args, r.stderr)
        assert str(path) in lines[0] and "lineage cache clear" in lines[0]
        assert "Traceback" not in r.output
    # the advertised fix works
    r = CliRunner().invoke(app, ["cache", "clear"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["expand", "--quiet"])
    assert r.exit_code == 0, r.output


def test_two_processes_and_the_library_share_one_cache(fake: FakeS2, tmp_path: Path) -> None:
    """Two CLI expansions (two lineages) and an in-process build_graph (the app's way) at once."""
    seeds = seeds_yaml(
        tmp_path / "seeds.yaml",
        {
            LINEAGE: [["dpo"], ["ipo", "kto", "orpo"], ["grpo"], ["gspo", "dr-grpo"]],
            "early": [["dpo"], ["ipo", "kto"]],
            "late": [["orpo"], ["grpo"], ["gspo", "dr-grpo"]],
        },
    )
    cache_dir = tmp_path / "cache"
    env = cli_env(fake, cache_dir, seeds)
    fake.latency_s = 0.05
    procs = [cli("expand", "--lineage", name, "--quiet", env=env) for name in ("early", "late")]
    errors: list[BaseException] = []

    def in_process() -> None:
        try:
            cat = load_catalogue(seeds)
            build_graph(cat, settings=fast_settings(fake.url, cache_dir), snapshot=empty_snapshot())
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=in_process)
    t.start()
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    t.join(timeout=60)
    assert not errors, errors
    fake.latency_s = 0

    with Cache(cache_dir / "cache.sqlite3") as c:
        assert c.integrity_check() == "ok"
        assert c.stats()["listings"] == 14
    # nothing was lost: a warm run makes no request and gives the single-process graph
    fake.counts.clear()
    cat = load_catalogue(seeds)
    G = build_graph(cat, lineages=[LINEAGE], settings=fast_settings(fake.url, cache_dir), snapshot=empty_snapshot())
    assert fake.counts["total"] == 0
    H = build_graph(
        cat, lineages=[LINEAGE], settings=fast_settings(fake.url, tmp_path / "solo"), snapshot=empty_snapshot()
    )
    assert signature(G) == signature(H)
