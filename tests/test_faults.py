"""Faults: an online expansion through the fake Semantic Scholar server under injected faults.

The data set is the embedded snapshot's neighbourhood of the ``preference-optimization`` seeds (the 7
seeds, every paper they cite or are cited by, and those edges: ~260 papers, ~350 edges), served by the
fake server; the expansion uses an EMPTY snapshot so that every fact comes from the server.

Required outcome, checked for each fault mode: the expansion finishes with a graph identical (nodes,
edges and their key attributes) to the fault-free run, or, when the fault outlasts the retry budget,
stops with one clear :class:`graph.core.errors.ApiError`; a rerun then resumes and sends exactly the
requests whose results were not saved before the stop (counted at the server).

Time scaling: the issue's Retry-After of 1-3 s is scaled down 20x to 0.05-0.15 s; timeouts use a
client timeout of 0.3 s against a server that stalls 1 s; slow responses take 0.2 s.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from graph.assemble.expand import build_graph
from graph.catalogue.load import Catalogue, load_catalogue
from graph.core.errors import ApiError, RateLimitedError
from graph.core.models import Citation, Paper
from graph.core.settings import Settings
from graph.store.cache import Cache
from graph.store.snapshot import Snapshot, load_snapshot
from tests.fakes.s2_server import FakeS2

LINEAGE = "preference-optimization"
DATA = Path(__file__).parent / "data"
EMPTY_SNAPSHOT = DATA / "empty_snapshot"

NODE_KEYS = (
    "title",
    "authors",
    "year",
    "venue",
    "arxiv_id",
    "doi",
    "s2_id",
    "citation_count",
    "influential_citation_count",
    "kind",
    "references_status",
    "is_seed",
    "alias",
    "role",
    "lineages",
    "sections",
)
EDGE_KEYS = ("is_influential", "source", "match")


# ----------------------------------------------------------------------------- helpers (also used by the
# other reliability test files)


@functools.cache
def catalogue() -> Catalogue:
    return load_catalogue()


@functools.cache
def empty_snapshot() -> Snapshot:
    return load_snapshot(EMPTY_SNAPSHOT)


@functools.cache
def pref_dataset() -> tuple[tuple[Paper, ...], tuple[Citation, ...]]:
    """The embedded snapshot's neighbourhood of the preference-optimization seeds."""
    snap = load_snapshot()
    cat = catalogue()
    keys = set()
    for alias in cat.get_lineage(LINEAGE).aliases:
        s = cat.seeds[alias]
        k = snap.find(arxiv_id=s.arxiv_id, doi=s.doi, title=s.title)
        assert k is not None, alias
        keys.add(k)
    edges = [e for e in snap.edges if e.citing in keys or e.cited in keys]
    nodes = keys | {e.citing for e in edges} | {e.cited for e in edges}
    papers = [snap.papers[k] for k in sorted(nodes) if k in snap.papers]
    return tuple(papers), tuple(edges)


def fast_settings(url: str, cache_dir: Path, **kw: Any) -> Settings:
    base: dict[str, Any] = dict(
        s2_api_url=url,
        cache_dir=cache_dir,
        rate_per_s=1000,
        backoff_base_s=0.01,
        backoff_max_s=0.2,
        timeout_s=5,
        max_retries=8,
    )
    base.update(kw)
    return Settings(**base)


def expand(settings: Settings, **kw: Any) -> nx.DiGraph:
    return build_graph(
        catalogue(),
        lineages=[LINEAGE],
        depth=1,
        direction="both",
        settings=settings,
        snapshot=empty_snapshot(),
        offline=False,
        **kw,
    )


def signature(G: nx.DiGraph) -> tuple[dict[str, tuple[Any, ...]], dict[tuple[str, str], tuple[Any, ...]]]:
    """Nodes and edges with their key attributes (everything but ``fetched_at``), comparable with ``==``."""

    def norm(v: Any) -> Any:
        if isinstance(v, dict):
            return tuple(sorted(v.items()))
        if isinstance(v, list):
            return tuple(v)
        return v

    nodes = {n: tuple(norm(d.get(k)) for k in NODE_KEYS) for n, d in G.nodes(data=True)}
    edges = {(u, v): tuple(norm(d.get(k)) for k in EDGE_KEYS) for u, v, d in G.edges(data=True)}
    return nodes, edges


def load_pref(fake: FakeS2) -> None:
    papers, edges = pref_dataset()
    fake.add_models(papers, edges)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fault-free run: its graph signature and the requests it made, per kind."""
    with FakeS2() as fake:
        load_pref(fake)
        G = expand(fast_settings(fake.url, tmp_path_factory.mktemp("base")))
        counts = dict(fake.counts)
    assert G.graph["built_from"] == "online" and not G.graph["unresolved"] and not G.graph["notices"]
    assert G.number_of_nodes() > 200 and G.number_of_edges() > 300
    return {"sig": signature(G), "counts": counts, "graph": G}


@pytest.fixture
def fake(fake_s2: FakeS2) -> FakeS2:
    load_pref(fake_s2)
    return fake_s2


def test_baseline_shape(baseline: dict[str, Any]) -> None:
    # ping + 1 batch for the 7 seeds + one page of references and of citations per seed
    assert baseline["counts"]["total"] == 16
    assert baseline["counts"]["batch"] == 1
    assert baseline["counts"]["references"] == baseline["counts"]["citations"] == 7


# ----------------------------------------------------------------------------- transient faults: same graph

FAULTS: dict[str, Callable[[FakeS2], Any]] = {
    # the 429 storm: 50 % of requests, Retry-After 1-3 s (scaled 20x down: 0.05-0.15 s)
    "429-storm": lambda f: f.rate_limit(fraction=0.5, retry_after=(0.05, 0.15)),
    "5xx": lambda f: f.fail((500, 502, 503), fraction=0.4),
    "resets": lambda f: f.reset_connections(fraction=0.3),
    "truncated-json": lambda f: f.truncate(fraction=0.4),
    "timeouts": lambda f: f.timeout(1.0, fraction=0.3),
    "slow": lambda f: f.slow(0.2, fraction=0.5),
    "empty-200": lambda f: f.empty(fraction=0.3),
}


@pytest.mark.parametrize("mode", list(FAULTS))
def test_transient_faults_give_the_fault_free_graph(
    mode: str, fake: FakeS2, baseline: dict[str, Any], tmp_path: Path
) -> None:
    fault = FAULTS[mode](fake)
    settings = fast_settings(fake.url, tmp_path / "c", timeout_s=0.3 if mode == "timeouts" else 5, max_retries=12)
    G = expand(settings)
    assert fault.fired > 0, "the fault never fired"
    assert not G.graph["notices"], G.graph["notices"]
    assert G.graph["built_from"] == "online"
    assert signature(G) == baseline["sig"]
    # every attempt is counted on both sides; retries show up as extra requests
    assert G.graph["requests"] == fake.counts["total"]
    if mode != "slow":
        assert fake.counts["total"] > baseline["counts"]["total"]


def test_all_faults_at_once(fake: FakeS2, baseline: dict[str, Any], tmp_path: Path) -> None:
    fake.rate_limit(fraction=0.3, retry_after=(0.05, 0.15))
    fake.fail((500, 502, 503), fraction=0.2)
    fake.reset_connections(fraction=0.15)
    fake.truncate(fraction=0.15)
    fake.slow(0.05, fraction=0.3)
    G = expand(fast_settings(fake.url, tmp_path / "c", max_retries=15))
    assert signature(G) == baseline["sig"]


def test_retry_after_is_honoured(fake: FakeS2, tmp_path: Path) -> None:
    """Each 429 waits at least its Retry-After before the next attempt."""
    import time

    fake.rate_limit(first=3, retry_after=0.2, kinds={"batch", "references", "citations"})
    t0 = time.monotonic()
    G = expand(fast_settings(fake.url, tmp_path / "c", backoff_base_s=0.001, backoff_max_s=0.001))
    assert time.monotonic() - t0 >= 0.6
    assert G.graph["requests"] == 16 + 3


# ----------------------------------------------------------------------------- persistent faults: one clear error


@pytest.mark.parametrize("mode", ["503", "429", "truncate", "timeout"])
def test_persistent_fault_stops_with_one_api_error(mode: str, fake: FakeS2, tmp_path: Path) -> None:
    if mode == "503":
        fake.fail(503, kinds={"batch", "references", "citations"})
    elif mode == "429":
        fake.rate_limit(retry_after=0.01, kinds={"batch", "references", "citations"})
    elif mode == "truncate":
        fake.truncate()
    else:
        fake.inject("timeout", sleep_s=1.0, kinds={"batch", "references", "citations"})
    settings = fast_settings(fake.url, tmp_path / "c", max_retries=2, timeout_s=0.2)
    with pytest.raises(ApiError) as e:
        expand(settings)
    msg = str(e.value)
    assert "\n" not in msg and "Semantic Scholar" in msg and "3 attempts" in msg
    assert "/paper/batch" in msg
    if mode == "429":
        assert isinstance(e.value, RateLimitedError)
        assert "429" in msg
    # 1 ping + 3 attempts of the batch, nothing more
    assert fake.counts["total"] == 4


def test_huge_retry_after_stops_at_once(fake: FakeS2, tmp_path: Path) -> None:
    fake.rate_limit(retry_after=3600, kinds={"batch"})
    with pytest.raises(RateLimitedError) as e:
        expand(fast_settings(fake.url, tmp_path / "c"))
    assert "3600 s" in str(e.value)
    assert fake.counts["batch"] == 1


def _stop_after(fake: FakeS2, n_listings: int) -> Callable[[str, int, int], None]:
    """A progress callback that makes the server fail for good once ``n_listings`` listings are saved."""
    seen = {"n": 0}

    def progress(stage: str, done: int, total: int) -> None:
        if "hop" in stage:
            seen["n"] += 1
            if seen["n"] == n_listings:
                fake.fail(503)

    return progress


@pytest.mark.parametrize("saved", [0, 3, 9])
def test_resume_after_a_stop_sends_only_the_missing_requests(
    saved: int, fake: FakeS2, baseline: dict[str, Any], tmp_path: Path
) -> None:
    settings = fast_settings(fake.url, tmp_path / "c", max_retries=2)
    if saved == 0:
        fake.fail(503, kinds={"references", "citations"})
    with pytest.raises(ApiError):
        expand(settings, progress=_stop_after(fake, saved))
    with Cache(settings.cache_path) as c:
        stats = c.stats()
        assert c.integrity_check() == "ok"
    assert stats["listings"] == saved
    fake.clear_faults()
    fake.counts.clear()
    G = expand(settings)
    assert signature(G) == baseline["sig"]
    # the seeds' batch was saved before the stop, and `saved` listings: the rerun (same process: the
    # network check is not repeated) sends every listing that was not saved, and nothing else
    total = baseline["counts"]["total"]
    assert fake.counts["total"] == total - 2 - saved
    assert fake.counts["batch"] == 0
    assert G.graph["requests"] == fake.counts["total"]


def test_resume_when_the_first_batch_failed(fake: FakeS2, baseline: dict[str, Any], tmp_path: Path) -> None:
    settings = fast_settings(fake.url, tmp_path / "c", max_retries=1)
    fake.fail(502, kinds={"batch"})
    with pytest.raises(ApiError):
        expand(settings)
    fake.clear_faults()
    fake.counts.clear()
    G = expand(settings)
    assert signature(G) == baseline["sig"]
    assert fake.counts["total"] == baseline["counts"]["total"] - 1  # no second ping in one process


# ----------------------------------------------------------------------------- through the CLI


def test_cli_persistent_fault_is_one_line_exit_1(fake: FakeS2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graph.cli import app

    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(
        "papers:\n  - {alias: dpo, arxiv: '2305.18290'}\n  - {alias: kto, arxiv: '2402.01306'}\n"
        "lineages:\n  mine: [[dpo], [kto]]\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("S2_API_URL", fake.url)
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_RATE", "1000")
    monkeypatch.setenv("LINEAGE_RETRIES", "1")
    monkeypatch.setenv("LINEAGE_SEEDS", str(seeds))
    monkeypatch.setenv("LINEAGE_SNAPSHOT", str(EMPTY_SNAPSHOT))  # everything comes from the API
    monkeypatch.delenv("LINEAGE_OFFLINE", raising=False)
    monkeypatch.delenv("S2_API_KEY", raising=False)
    fake.fail(503, kinds={"references"})
    r = CliRunner().invoke(app, ["expand", "--quiet"])
    assert r.exit_code == 1, r.output
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: Semantic Scholar failed on GET ")
    assert "/references" in lines[0] and "HTTP 503" in lines[0] and "cache keeps what worked" in lines[0]
    assert "Traceback" not in r.output
    assert r.stdout == ""
    # rerun after the fault clears: completes, and only the missing requests are sent
    fake.clear_faults()
    fake.counts.clear()
    r = CliRunner().invoke(app, ["expand", "--quiet"])
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("nodes=")
    assert fake.counts["batch"] == 0
    assert fake.counts["references"] == 2 and fake.counts["citations"] == 2


@pytest.mark.parametrize("mode", ["reset", "timeout"])
def test_one_failed_ping_does_not_take_the_run_offline(
    mode: str, fake: FakeS2, baseline: dict[str, Any], tmp_path: Path
) -> None:
    """The reachability ping is the first request: a single reset / timeout there used to make the whole
    run fall back to the (here empty) snapshot with a notice, silently losing ~250 papers."""
    if mode == "reset":
        fake.reset_connections(count=1)
    else:
        fake.timeout(1.0, count=1)
    G = expand(fast_settings(fake.url, tmp_path / "c", timeout_s=0.3))
    assert not G.graph["notices"], G.graph["notices"]
    assert G.graph["built_from"] == "online"
    assert signature(G) == baseline["sig"]
    assert fake.counts["paper"] == 1  # one ping: a reset or a slow answer means someone is there


def test_an_unreachable_api_still_falls_back_quickly(tmp_path: Path) -> None:
    import time

    settings = fast_settings("http://127.0.0.1:9/graph/v1", tmp_path / "c")
    t0 = time.monotonic()
    G = expand(settings)
    assert time.monotonic() - t0 < 5
    assert len(G.graph["notices"]) == 1 and "unreachable" in G.graph["notices"][0]
