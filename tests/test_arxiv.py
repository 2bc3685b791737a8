"""Tests of graph.sources.arxiv against a real HTTP fake of the arXiv query API."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import arxiv
import pytest

from graph.core.errors import ApiError, OfflineError
from graph.core.models import Paper
from graph.core.settings import Settings
from graph.sources.arxiv import CHUNK, ArxivSource
from tests.fakes.arxiv_server import FakeArxiv

DATA = Path(__file__).parent / "data" / "arxiv"

DPO = Paper(paper_id="arxiv:2305.18290", title="Direct Preference Optimization: Your Language Model is "
            "Secretly a Reward Model", year=2023, publication_date="2023-05-29",
            authors=("Rafael Rafailov", "Archit Sharma", "Eric Mitchell"), abstract="While large-scale ...",
            arxiv_id="2305.18290", venue="NeurIPS 2023", doi="10.48550/arxiv.2305.18290")
ATTENTION = Paper(paper_id="arxiv:1706.03762", title="Attention Is All You Need", year=2017,
                  publication_date="2017-06-12", authors=("Ashish Vaswani", "Noam Shazeer"),
                  abstract="The dominant sequence transduction models ...", arxiv_id="1706.03762")
OLD = Paper(paper_id="arxiv:hep-th/9901001", title="Ünïcödé & <markup> \"quoted\" title — 注意",
            year=1999, authors=("Ł. Kaiser",), arxiv_id="hep-th/9901001")


@pytest.fixture
def fake() -> Iterator[FakeArxiv]:
    with FakeArxiv.from_models([DPO, ATTENTION, OLD]) as f:
        yield f


def _settings(fake: FakeArxiv, **kw: object) -> Settings:
    base: dict[str, object] = {"arxiv_url": fake.url, "arxiv_delay_s": 0.0, "max_retries": 3, "timeout_s": 5.0}
    base.update(kw)
    return Settings(**base)  # type: ignore[arg-type]


def test_ids_resolve_with_fields(fake: FakeArxiv) -> None:
    src = ArxivSource(_settings(fake))
    got = src.get(["2305.18290", "arXiv:1706.03762v5", "hep-th/9901001"])
    assert set(got) == {"2305.18290", "arXiv:1706.03762v5", "hep-th/9901001"}
    p = got["2305.18290"]
    assert p.paper_id == "arxiv:2305.18290"
    assert p.title == DPO.title
    assert p.authors == DPO.authors
    assert (p.year, p.publication_date) == (2023, "2023-05-29")
    assert p.abstract == DPO.abstract
    assert p.arxiv_id == "2305.18290"
    assert p.doi == "10.48550/arxiv.2305.18290"
    assert p.venue == "NeurIPS 2023"
    assert p.url == "https://arxiv.org/abs/2305.18290"
    assert p.source == "arxiv"
    assert p.fetched_at is not None and p.fetched_at.startswith(str(time.gmtime().tm_year))
    a = got["arXiv:1706.03762v5"]
    assert a.paper_id == "arxiv:1706.03762" and a.doi is None and a.venue is None
    assert got["hep-th/9901001"].title == OLD.title
    assert src.requests == fake.requests == 1
    q = fake.log[0]
    assert q["id_list"] == "2305.18290,1706.03762,hep-th/9901001"
    assert q["max_results"] == str(CHUNK)


def test_query_url_follows_settings(fake: FakeArxiv) -> None:
    src = ArxivSource(_settings(fake))
    assert src.client.query_url_format.startswith(fake.url + "?")
    url = src.client._format_url(arxiv.Search(id_list=["1"]), 0, 100)
    assert urlsplit(url).netloc == urlsplit(fake.url).netloc
    assert parse_qs(urlsplit(url).query)["id_list"] == ["1"]


def test_missing_ids_absent(fake: FakeArxiv) -> None:
    got = ArxivSource(_settings(fake)).get(["2305.18290", "0000.00000", "2401.99999"])
    assert list(got) == ["2305.18290"]


def test_empty_and_malformed_ids_send_nothing(fake: FakeArxiv) -> None:
    src = ArxivSource(_settings(fake))
    assert src.get([]) == {}
    assert src.get(["abc", "not an id"]) == {}
    assert fake.requests == 0
    assert set(src.get(["abc", "2305.18290"])) == {"2305.18290"}
    assert "abc" not in fake.log[0]["id_list"]


def test_many_ids_take_ceil_n_over_100_requests() -> None:
    n = 250
    papers = [Paper(paper_id=f"arxiv:2401.{i:05d}", title=f"Paper {i}", arxiv_id=f"2401.{i:05d}", year=2024)
              for i in range(n)]
    with FakeArxiv.from_models(papers) as f:
        src = ArxivSource(_settings(f))
        ids = [p.arxiv_id for p in papers] + ["2401.99999"]  # one unknown too
        got = src.get([i for i in ids if i])
        assert len(got) == n
        assert got["2401.00249"].title == "Paper 249"
        assert f.requests == src.requests == math.ceil((n + 1) / 100) == 3
        assert all(int(q["max_results"]) == 100 for q in f.log)
        assert sorted(len(q["id_list"].split(",")) for q in f.log) == [51, 100, 100]


def test_duplicate_ids_queried_once(fake: FakeArxiv) -> None:
    got = ArxivSource(_settings(fake)).get(["2305.18290", "2305.18290v2", "arXiv:2305.18290"])
    assert set(got) == {"2305.18290", "2305.18290v2", "arXiv:2305.18290"}
    assert fake.log[0]["id_list"] == "2305.18290"


def test_500_then_success_is_retried(fake: FakeArxiv) -> None:
    fake.fail(2, status=500)
    src = ArxivSource(_settings(fake, max_retries=3))
    got = src.get(["1706.03762"])
    assert got["1706.03762"].title == "Attention Is All You Need"
    assert fake.requests == src.requests == 3


def test_500_forever_is_an_api_error_naming_the_url(fake: FakeArxiv) -> None:
    fake.fail(None, status=503)
    src = ArxivSource(_settings(fake, max_retries=2))
    with pytest.raises(ApiError) as ei:
        src.get(["1706.03762"])
    err = ei.value
    assert err.status == 503
    assert err.url is not None and err.url.startswith(fake.url)
    assert fake.url in str(err) and "503" in str(err)
    assert err.__cause__ is None and err.__suppress_context__
    assert fake.requests == 3


def test_slow_server_times_out_quickly(fake: FakeArxiv) -> None:
    fake.slow(5.0)
    src = ArxivSource(_settings(fake, timeout_s=0.3, max_retries=3))
    t0 = time.monotonic()
    with pytest.raises(ApiError) as ei:
        src.get(["1706.03762"])
    assert time.monotonic() - t0 < 2.0
    assert "0.3 s" in str(ei.value) and fake.url in str(ei.value)


def test_slow_but_within_timeout_is_fine(fake: FakeArxiv) -> None:
    fake.slow(0.2, count=1)
    got = ArxivSource(_settings(fake, timeout_s=3.0)).get(["1706.03762"])
    assert "1706.03762" in got


def test_html_instead_of_feed_is_retried_then_an_error(fake: FakeArxiv) -> None:
    fake.garbage(1)
    src = ArxivSource(_settings(fake, max_retries=2))
    assert "1706.03762" in src.get(["1706.03762"])
    fake.garbage(None)
    with pytest.raises(ApiError, match="not an Atom feed"):
        src.get(["1706.03762"])


def test_unreachable_is_offline_error() -> None:
    with FakeArxiv() as f:
        url = f.url
    src = ArxivSource(Settings(arxiv_url=url, arxiv_delay_s=0.0, max_retries=1, timeout_s=2.0))
    with pytest.raises(OfflineError) as ei:
        src.get(["1706.03762"])
    assert url in str(ei.value)
    assert "HTTPConnectionPool" not in str(ei.value)


def test_offline_setting_sends_nothing(fake: FakeArxiv) -> None:
    with pytest.raises(OfflineError):
        ArxivSource(_settings(fake, offline=True)).get(["1706.03762"])
    assert fake.requests == 0


def test_default_delay_is_polite() -> None:
    src = ArxivSource(Settings())
    assert src.client.delay_seconds == 3.0
    assert src.client.page_size == 100
    assert src.client.num_retries == Settings().max_retries


# ---------------------------------------------------------------- recorded responses


def _recording(name: str) -> dict[str, object]:
    (path,) = DATA.glob(f"id_{name}_s0_m100_*.json")
    return json.loads(path.read_text(encoding="utf-8"))


def _serve(fake: FakeArxiv, name: str, ids: list[str]) -> None:
    rec = _recording(name)
    fake.add_recording(ids, str(rec["body"]), status=int(rec["status_code"]))  # type: ignore[call-overload]


def test_recordings_are_copied_with_origin() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "lukasschwab/arxiv.py" in readme and "MIT" in readme
    assert len(list(DATA.glob("id_*.json"))) == 9


def test_recorded_single_entry_parses() -> None:
    with FakeArxiv() as f:
        _serve(f, "1605.08386", ["1605.08386"])
        got = ArxivSource(_settings(f)).get(["1605.08386"])
    p = got["1605.08386"]
    assert p.paper_id == "arxiv:1605.08386"
    assert p.title == "Heat-bath random walks with Markov bases"
    assert p.authors == ("Caprice Stanley", "Tobias Windisch")
    assert (p.year, p.publication_date) == (2016, "2016-05-26")
    assert p.abstract is not None and p.abstract.startswith("Graphs on lattice points are studied")
    assert p.doi is None and p.venue is None


def test_recorded_old_style_id_with_journal_ref() -> None:
    with FakeArxiv() as f:
        _serve(f, "astro-ph_0601001", ["astro-ph/0601001"])
        p = ArxivSource(_settings(f)).get(["astro-ph/0601001"])["astro-ph/0601001"]
    assert p.paper_id == "arxiv:astro-ph/0601001"
    assert p.venue == "ActaAstron.56:1-50,2006"
    assert p.authors[0] == "Andrew Gould" and len(p.authors) == 4
    assert p.year == 2006
    assert p.abstract is not None and "  " not in p.abstract and p.abstract.startswith("We derive")


def test_recorded_versioned_ids() -> None:
    with FakeArxiv() as f:
        _serve(f, "2104.12255v1", ["2104.12255"])
        _serve(f, "quant-ph_0201082v1", ["quant-ph/0201082"])
        src = ArxivSource(_settings(f))
        got = {**src.get(["2104.12255v1"]), **src.get(["quant-ph/0201082v1"])}
    assert got["2104.12255v1"].title == "0"
    assert got["2104.12255v1"].arxiv_id == "2104.12255"
    assert got["quant-ph/0201082v1"].authors == ("Stephen Blaha",)


def test_recorded_many_authors() -> None:
    with FakeArxiv() as f:
        _serve(f, "1707.08567", ["1707.08567"])
        p = ArxivSource(_settings(f)).get(["1707.08567"])["1707.08567"]
    assert len(p.authors) == 34
    assert p.title == "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"


def test_recorded_partial_and_empty() -> None:
    with FakeArxiv() as f:
        _serve(f, "0808.05394_1707.08567", ["0808.05394", "1707.08567"])
        _serve(f, "0000.0000", ["0000.0000"])
        src = ArxivSource(_settings(f))
        assert list(src.get(["0808.05394", "1707.08567"])) == ["1707.08567"]
        assert src.get(["0000.0000"]) == {}


def test_recorded_400_error_feed_is_api_error() -> None:
    with FakeArxiv() as f:
        _serve(f, "abc", ["1234.56789"])  # pretend arXiv rejected a well-formed id
        src = ArxivSource(_settings(f, max_retries=1))
        with pytest.raises(ApiError) as ei:
            src.get(["1234.56789"])
    assert ei.value.status == 400 and "HTTP 400" in str(ei.value)


def test_fake_answers_malformed_id_like_arxiv() -> None:
    import requests

    with FakeArxiv() as f:
        r = requests.get(f.url, params={"id_list": "abc"}, timeout=5)
    rec = _recording("abc")
    assert r.status_code == rec["status_code"] == 400
    assert "incorrect id format for abc" in r.text and "incorrect id format for abc" in str(rec["body"])
