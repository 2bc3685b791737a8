"""Tests of graph.store.cache: a fresh temporary store per test (``tmp_path``)."""

from __future__ import annotations

import inspect
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.core.errors import CacheCorruptError
from graph.core.models import Citation, Paper
from graph.core.settings import Settings
from graph.store.cache import SCHEMA_VERSION, Cache, clear_cache, merge_papers

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    c = Cache(tmp_path / "sub" / "dir" / "cache.sqlite3")
    yield c  # type: ignore[misc]
    c.close()


def _paper(i: int | str, **kw: object) -> Paper:
    return Paper(paper_id=f"arxiv:{i}", title=f"Paper {i}", **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- strategies

_non_latin = st.text(alphabet=st.characters(min_codepoint=0x0370, max_codepoint=0x30FF), min_size=1, max_size=50)
_long = st.builds(lambda ch, extra: ch * 10_000 + extra, st.characters(), st.text(max_size=5))
_opt_text = st.one_of(st.none(), st.text(), _non_latin, _long)
_opt_int = st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))

papers_st = st.builds(
    Paper,
    paper_id=st.one_of(st.text(min_size=1), st.builds(lambda t: "title:" + t, _non_latin)),
    title=_opt_text,
    year=_opt_int,
    authors=st.lists(st.text(), max_size=5).map(tuple),
    venue=_opt_text,
    abstract=_opt_text,
    tldr=st.one_of(st.none(), st.text()),
    arxiv_id=st.one_of(st.none(), st.text()),
    doi=st.one_of(st.none(), st.text()),
    s2_id=st.one_of(st.none(), st.text()),
    corpus_id=_opt_int,
    url=st.one_of(st.none(), st.text()),
    publication_date=st.one_of(st.none(), st.text(max_size=20)),
    citation_count=_opt_int,
    reference_count=_opt_int,
    influential_citation_count=_opt_int,
    kind=st.sampled_from(["paper", "book", "blog", "course", "report"]),
    references_status=st.sampled_from([None, "complete", "partial", "none_found"]),
    source=st.one_of(st.none(), st.text()),
    fetched_at=st.one_of(st.none(), st.text()),
)

_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**53), max_value=2**53), st.text())
citations_st = st.builds(
    Citation,
    citing=st.text(min_size=1),
    cited=st.text(min_size=1),
    is_influential=st.one_of(st.none(), st.booleans()),
    source=st.one_of(st.none(), st.text()),
    fetched_at=st.one_of(st.none(), st.text()),
    extra=st.dictionaries(st.text(), _json_scalar, max_size=4),
)

_hyp = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---------------------------------------------------------------- round trips


@_hyp
@given(paper=papers_st)
def test_paper_round_trip(paper: Paper) -> None:
    with tempfile.TemporaryDirectory() as d, Cache(Path(d) / "c.sqlite3") as c:
        c.put_papers([paper])
        assert c.get_paper(paper.paper_id) == paper
        assert c.get_papers([paper.paper_id, "nope"]) == {paper.paper_id: paper}


@_hyp
@given(edge=citations_st, a=papers_st)
def test_citation_round_trip(edge: Citation, a: Paper) -> None:
    with tempfile.TemporaryDirectory() as d, Cache(Path(d) / "c.sqlite3") as c:
        other = Paper.from_dict({**a.to_dict(), "paper_id": edge.cited})
        c.put_listing(edge.citing, "references", [other], [edge])
        got = c.get_listing(edge.citing, "references")
        assert got is not None
        papers, edges = got
        assert [e.to_dict() for e in edges] == [edge.to_dict()]
        assert papers == [other]


def test_long_unicode_title(cache: Cache) -> None:
    title = "注意力机制" * 2_000 + " Внимание — это всё, что нужно 🚀"
    p = _paper(1, abstract="ελληνικά\x00\n\t", authors=("Łukasz Kaiser", "李飞飞"))
    p = Paper.from_dict({**p.to_dict(), "title": title})
    cache.put_papers([p])
    assert cache.get_paper(p.paper_id) == p


# ---------------------------------------------------------------- behaviour


def test_parent_dirs_created_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "c.sqlite3"
    with Cache(path) as c:
        c.put_papers([_paper(1)])
    assert path.exists()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_get_missing_paper_is_none(cache: Cache) -> None:
    assert cache.get_paper("arxiv:0000.00000") is None
    assert cache.get_papers([]) == {}


def test_listing_absent_vs_present_empty(cache: Cache) -> None:
    assert cache.get_listing("arxiv:1", "references") is None
    cache.put_listing("arxiv:1", "references", [], [])
    assert cache.get_listing("arxiv:1", "references") == ([], [])
    assert cache.get_listing("arxiv:1", "citations") is None


def test_listing_both_directions(cache: Cache) -> None:
    refs = [_paper(i) for i in range(2, 5)]
    cache.put_listing("arxiv:1", "references", refs, [Citation("arxiv:1", p.paper_id, source="t") for p in refs])
    citers = [_paper(i) for i in range(10, 12)]
    cache.put_listing("arxiv:1", "citations", citers, [Citation(p.paper_id, "arxiv:1") for p in citers])
    got = cache.get_listing("arxiv:1", "references")
    assert got is not None and [p.paper_id for p in got[0]] == ["arxiv:2", "arxiv:3", "arxiv:4"]
    assert {(e.citing, e.cited) for e in got[1]} == {("arxiv:1", f"arxiv:{i}") for i in range(2, 5)}
    got = cache.get_listing("arxiv:1", "citations")
    assert got is not None and {p.paper_id for p in got[0]} == {"arxiv:10", "arxiv:11"}
    s = cache.stats()
    assert (s["papers"], s["edges"], s["listings"]) == (5, 5, 2)


def test_listing_rejects_foreign_edges_and_bad_direction(cache: Cache) -> None:
    with pytest.raises(ValueError):
        cache.put_listing("arxiv:1", "references", [], [Citation("arxiv:9", "arxiv:2")])
    with pytest.raises(ValueError):
        cache.get_listing("arxiv:1", "sideways")
    assert cache.stats()["edges"] == 0


def test_aliases(cache: Cache) -> None:
    assert cache.lookup("ARXIV:2305.18290") is None
    cache.put_papers([_paper("2305.18290")], aliases={"ARXIV:2305.18290": "arxiv:2305.18290",
                                                      "DOI:10.1/x": "arxiv:2305.18290"})
    assert cache.lookup("ARXIV:2305.18290") == "arxiv:2305.18290"
    assert cache.lookup("DOI:10.1/x") == "arxiv:2305.18290"
    assert cache.stats()["aliases"] == 2


def test_missing(cache: Cache) -> None:
    assert not cache.is_missing("ARXIV:0000.00000")
    cache.put_missing(["ARXIV:0000.00000", "DOI:10.9/none", "ARXIV:0000.00000"])
    assert cache.is_missing("ARXIV:0000.00000")
    assert cache.is_missing("DOI:10.9/none")
    assert cache.stats()["missing"] == 2
    # resolving it later clears the mark
    cache.put_papers([_paper("0000.00000")], aliases={"ARXIV:0000.00000": "arxiv:0000.00000"})
    assert not cache.is_missing("ARXIV:0000.00000")


def test_upsert_never_overwrites_value_with_null(cache: Cache) -> None:
    old = _paper(1, abstract="the abstract", year=2017, citation_count=5, fetched_at="2025-01-01")
    new = _paper(1, year=2018, citation_count=None, venue="NeurIPS", fetched_at="2026-01-01")
    cache.put_papers([old])
    cache.put_papers([new])
    got = cache.get_paper("arxiv:1")
    assert got is not None
    assert (got.abstract, got.year, got.citation_count, got.venue, got.fetched_at) == (
        "the abstract", 2018, 5, "NeurIPS", "2026-01-01")


def test_upsert_older_record_does_not_win(cache: Cache) -> None:
    cache.put_papers([_paper(1, citation_count=50, fetched_at="2026-01-01")])
    cache.put_papers([_paper(1, citation_count=10, abstract="A", fetched_at="2020-01-01")])
    got = cache.get_paper("arxiv:1")
    assert got is not None and (got.citation_count, got.abstract, got.fetched_at) == (50, "A", "2026-01-01")


def test_merge_within_one_batch() -> None:
    a, b = _paper(1, abstract="x"), _paper(1, year=2020)
    assert merge_papers(a, b).abstract == "x" and merge_papers(a, b).year == 2020


def test_edge_merge_keeps_influential_flag(cache: Cache) -> None:
    cache.put_edges([Citation("arxiv:1", "arxiv:2", is_influential=True, extra={"match": "arxiv"})])
    cache.put_edges([Citation("arxiv:1", "arxiv:2", is_influential=None, source="s2")])
    (e,) = cache.get_edges("arxiv:1", "references")
    assert e.is_influential is True and e.source == "s2" and e.extra == {"match": "arxiv"}


def test_failed_batch_rolls_back(cache: Cache) -> None:
    with pytest.raises(TypeError):
        cache.put_papers([_paper(1), "not a paper"])  # type: ignore[list-item]
    assert cache.stats()["papers"] == 0


def test_stats_and_context_manager(tmp_path: Path) -> None:
    with Cache(tmp_path / "c.sqlite3") as c:
        assert c.stats() == {"papers": 0, "aliases": 0, "missing": 0, "edges": 0, "listings": 0,
                             "size_bytes": c.stats()["size_bytes"]}
        assert c.stats()["size_bytes"] > 0
        c.put_papers([_paper(1)])
        assert c.integrity_check() == "ok"
    with pytest.raises(Exception, match="closed"):
        c.get_paper("arxiv:1")


def test_reopen_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    with Cache(path) as c:
        c.put_papers([_paper(i) for i in range(100)])
    with Cache(path) as c:
        assert c.stats()["papers"] == 100


def test_clear(cache: Cache) -> None:
    cache.put_papers([_paper(1)])
    cache.clear()
    assert cache.stats()["papers"] == 0
    cache.put_papers([_paper(2)])
    assert cache.get_paper("arxiv:2") is not None


def test_threads_share_one_cache(cache: Cache) -> None:
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(30):
                cache.put_papers([_paper(f"{t}-{i}")])
                assert cache.get_paper(f"arxiv:{t}-{i}") is not None
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert cache.stats()["papers"] == 240


# ---------------------------------------------------------------- schema version


def test_newer_schema_version_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    Cache(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(CacheCorruptError, match="newer") as ei:
        Cache(path)
    assert str(path) in str(ei.value) and "lineage cache clear" in str(ei.value)


def test_unknown_older_schema_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE papers (junk)")
    conn.execute("PRAGMA user_version = -3")
    conn.commit()
    conn.close()
    with Cache(path) as c:
        c.put_papers([_paper(1)])
        assert c.stats()["papers"] == 1


# ---------------------------------------------------------------- corruption


def _assert_corrupt(path: Path) -> None:
    with pytest.raises(CacheCorruptError) as ei:
        c = Cache(path)
        try:  # damage deep inside the file may only show on a full read
            c.stats()
            c.get_papers(f"arxiv:{i}" for i in range(5000))
            assert c.integrity_check() == "ok"
            c.put_papers([_paper(i, abstract="y" * 500) for i in range(300)])
        finally:
            c.close()
    msg = str(ei.value)
    assert str(path) in msg
    assert "lineage cache clear" in msg
    assert ei.value.path == str(path)


def test_garbage_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_bytes(os.urandom(10_000))
    _assert_corrupt(path)
    assert clear_cache(path)
    assert not path.exists()
    with Cache(path) as c:
        assert c.stats()["papers"] == 0


def test_text_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    path.write_text("this is not a database, " * 1000)
    _assert_corrupt(path)


def _real_db(path: Path, n: int = 2000) -> None:
    with Cache(path) as c:
        for start in range(0, n, 500):
            c.put_papers([_paper(i, abstract="x" * 400) for i in range(start, start + 500)])
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_truncated_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    _real_db(path)
    size = path.stat().st_size
    with path.open("r+b") as fh:
        fh.truncate(size // 2)
    _assert_corrupt(path)


def test_truncated_odd_size_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    _real_db(path)
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2 + 123)
    _assert_corrupt(path)


def test_damaged_pages_are_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    _real_db(path)
    size = path.stat().st_size
    with path.open("r+b") as fh:  # header intact, inner pages overwritten
        fh.seek(size // 3)
        fh.write(os.urandom(size // 3))
    _assert_corrupt(path)


def test_clear_cache_removes_wal_and_shm(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    c = Cache(path)
    c.put_papers([_paper(1)])
    assert Path(f"{path}-wal").exists()
    c.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").write_bytes(b"junk")
    assert clear_cache(path)
    assert not any(Path(f"{path}{s}").exists() for s in ("", "-wal", "-shm"))
    assert not clear_cache(path)


# ---------------------------------------------------------------- secrets


def test_api_key_never_reaches_the_store(tmp_path: Path) -> None:
    secret = "sk-SECRET-do-not-store-4242"
    s = Settings(s2_api_key=secret, cache_dir=tmp_path)
    # The cache is built from a path only: no Settings or key parameter anywhere in its API.
    for name, fn in inspect.getmembers(Cache, inspect.isfunction):
        params = inspect.signature(fn).parameters
        assert not {"settings", "api_key", "key_header", "s2_api_key"} & set(params), name
    papers = [Paper.from_s2({"paperId": "a" * 40, "title": "Direct Preference Optimization",
                             "externalIds": {"ArXiv": "2305.18290"}}, fetched_at="2026-11-24")]
    with Cache(s.cache_path) as c:
        c.put_papers(papers, aliases={"ARXIV:2305.18290": papers[0].paper_id})
        c.put_listing(papers[0].paper_id, "references", [], [])
    blob = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.is_file())
    assert b"Direct Preference Optimization" in blob  # the data is there ...
    assert secret.encode() not in blob  # ... the key is not
    assert secret not in repr(s)


# ---------------------------------------------------------------- crash safety

_WRITER = textwrap.dedent("""
    import sys
    from graph.store.cache import Cache
    from graph.core.models import Citation, Paper
    path, per = sys.argv[1], int(sys.argv[2])
    with Cache(path) as c:
        i = 0
        while True:
            key = f"arxiv:L{i}"
            papers = [Paper(paper_id=f"arxiv:B{i}-{j}", title=f"b{i} p{j}", abstract="z" * 2000)
                      for j in range(per)]
            edges = [Citation(key, p.paper_id) for p in papers]
            c.put_listing(key, "references", papers, edges)
            print(i, flush=True)
            i += 1
""")


def test_sigkill_mid_write_leaves_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    per = 200
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(per)], stdout=subprocess.PIPE,
                            env=env, text=True)
    assert proc.stdout is not None
    last = -1
    deadline = time.monotonic() + 60
    while last < 15 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        last = int(line)
    time.sleep(0.013)  # land somewhere inside a later transaction
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert last >= 15, "the writer did not get going"

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    with Cache(path) as c:
        assert c.integrity_check() == "ok"
        s = c.stats()
        n_listings = s["listings"]
        assert n_listings >= last + 1  # nothing committed earlier was lost
        assert s["papers"] == s["edges"] == n_listings * per  # only whole batches
        for i in range(n_listings):
            got = c.get_listing(f"arxiv:L{i}", "references")
            assert got is not None and len(got[0]) == len(got[1]) == per
        assert c.get_listing(f"arxiv:L{n_listings}", "references") is None


# ---------------------------------------------------------------- two processes


def _write_batches(path: str, tag: str, n: int) -> None:
    with Cache(path) as c:
        for i in range(n):
            c.put_papers([Paper(paper_id=f"arxiv:{tag}{i}-{j}", title=f"{tag} {i} {j}") for j in range(5)],
                         aliases={f"Q:{tag}{i}": f"arxiv:{tag}{i}-0"})
            if i % 10 == 0:
                c.put_listing(f"arxiv:{tag}{i}-0", "references", [], [])


def test_two_processes_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "c.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_write_batches, args=(path, tag, 200)) for tag in ("A", "B")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Cache(path) as c:
        s = c.stats()
        assert (s["papers"], s["aliases"], s["listings"]) == (2 * 200 * 5, 400, 40)
        assert c.integrity_check() == "ok"
