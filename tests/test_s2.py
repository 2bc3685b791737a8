"""S2Source against the fake Semantic Scholar server, through the real ``semanticscholar`` client."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph.core.errors import ApiError, LineageError, NotFoundError, OfflineError, RateLimitedError
from graph.core.models import Paper
from graph.core.settings import Settings
from graph.sources.s2 import LISTING_CAP, S2Source
from tests.conftest import S2_DATA, Dataset
from tests.fakes.s2_server import FakeS2

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads the cassettes 10x faster

KEY = "sk-TEST-0123456789abcdef-secret"


@pytest.fixture
def loaded(fake_s2: FakeS2, tiny_dataset: Dataset) -> FakeS2:
    fake_s2.add_models(tiny_dataset.papers, tiny_dataset.edges)
    return fake_s2


@pytest.fixture
def s2(s2_settings: Settings) -> S2Source:
    return S2Source(s2_settings.with_(max_retries=3))


def _dpo(tiny: Dataset) -> Paper:
    return next(p for p in tiny.papers if p.arxiv_id == "2305.18290")


# ------------------------------------------------------------------------------------ batches
def test_batches_split_at_500(fake_s2: FakeS2, s2: S2Source) -> None:
    for i in range(1_200):
        fake_s2.add_raw({"paperId": f"{i:040x}", "title": f"paper {i}", "externalIds": {"CorpusId": i}})
    ids = [f"CorpusId:{i}" for i in range(1_200)] + ["CorpusId:99999999"]
    got = s2.get_papers(ids)
    assert fake_s2.counts["batch"] == 3 and fake_s2.counts["total"] == 3 and s2.requests == 3
    assert len(got) == 1_201 and got["CorpusId:99999999"] is None
    assert got["CorpusId:1199"] is not None and got["CorpusId:1199"].title == "paper 1199"
    assert got["CorpusId:7"].corpus_id == 7


def test_get_papers_maps_every_input_id(loaded: FakeS2, s2: S2Source) -> None:
    ids = ["ARXIV:2305.18290", "DOI:10.18653/v1/2024.emnlp-main.626", "ARXIV:2305.18290", "ARXIV:0000.00001"]
    got = s2.get_papers(ids)
    assert set(got) == set(ids) and got["ARXIV:0000.00001"] is None
    dpo = got["ARXIV:2305.18290"]
    assert dpo is not None and dpo.key == "arxiv:2305.18290" and dpo.authors[0] == "Rafael Rafailov"
    assert dpo.s2_id and dpo.source == "semanticscholar" and dpo.fetched_at
    orpo = got["DOI:10.18653/v1/2024.emnlp-main.626"]
    assert orpo is not None and orpo.key == "arxiv:2403.07691"
    assert loaded.counts["batch"] == 1  # duplicates asked once
    assert s2.get_papers([]) == {} and loaded.counts["total"] == 1


# ------------------------------------------------------------------------------- single papers
def test_get_paper_and_not_found(loaded: FakeS2, s2: S2Source) -> None:
    p = s2.get_paper("ARXIV:2402.01306")
    assert p.title == "KTO: Model Alignment as Prospect Theoretic Optimization" and p.year == 2024
    assert p.citation_count == 1 and p.reference_count == 3
    with pytest.raises(NotFoundError) as exc:
        s2.get_paper("ARXIV:1111.11111")
    assert exc.value.status == 404 and "/paper/ARXIV:1111.11111" in str(exc.value)
    assert loaded.counts["paper"] == 2  # a 404 is not retried


def test_malformed_fields_do_not_crash(fake_s2: FakeS2, s2: S2Source) -> None:
    fake_s2.add_raw({"paperId": "c" * 40, "title": "Odd", "publicationDate": "May 2023", "authors": "A. Person",
                     "year": "20x3", "tldr": "not an object", "externalIds": ["bad"], "citationCount": "many",
                     "journal": "J", "somethingNew": {"x": 1}})
    p = s2.get_paper("c" * 40)
    assert (p.title, p.year, p.authors, p.publication_date, p.tldr, p.citation_count) == ("Odd", None, (), None, None,
                                                                                         None)


# ------------------------------------------------------------------------------------ retries
def test_429_retry_after_is_honoured(loaded: FakeS2, s2: S2Source) -> None:
    loaded.rate_limit(first=1, retry_after=1)
    t0 = time.monotonic()
    p = s2.get_paper("ARXIV:2305.18290")
    assert time.monotonic() - t0 >= 1.0
    assert p.title and s2.throttled == 1 and s2.requests == 2 and loaded.counts["paper"] == 2


def test_429_past_the_budget_raises_rate_limited(loaded: FakeS2, s2: S2Source) -> None:
    loaded.rate_limit(retry_after=0)
    with pytest.raises(RateLimitedError) as exc:
        s2.get_papers(["ARXIV:2305.18290"])
    assert exc.value.status == 429 and "/graph/v1/paper/batch" in str(exc.value)
    assert loaded.counts["batch"] == 4 and s2.throttled == 4  # 1 + max_retries


def test_huge_retry_after_is_not_waited_for(loaded: FakeS2, s2: S2Source) -> None:
    loaded.rate_limit(retry_after=3600)
    t0 = time.monotonic()
    with pytest.raises(RateLimitedError, match="3600"):
        s2.get_paper("ARXIV:2305.18290")
    assert time.monotonic() - t0 < 1 and loaded.counts["total"] == 1


def test_rate_limit_per_second_is_survived(loaded: FakeS2, s2_settings: Settings) -> None:
    loaded.rate_limit_per_second(5, retry_after=1)
    s2 = S2Source(s2_settings)
    got = [s2.get_paper("ARXIV:2305.18290") for _ in range(7)]
    assert all(p.title for p in got) and s2.throttled >= 1 and s2.requests == 7 + s2.throttled


def test_503_never_yields_an_empty_paper(loaded: FakeS2, s2: S2Source) -> None:
    # the semanticscholar client turns a 503 into an empty Paper; ours retries
    loaded.fail(503, count=2)
    p = s2.get_paper("ARXIV:2305.18290")
    assert p.title and p.s2_id and loaded.counts["paper"] == 3
    loaded.fail(503)
    with pytest.raises(ApiError) as exc:
        s2.get_paper("ARXIV:2305.18290")
    assert exc.value.status == 503 and not isinstance(exc.value, RateLimitedError)
    assert "/graph/v1/paper/ARXIV:2305.18290" in str(exc.value) and "4 attempts" in str(exc.value)


def test_empty_200_is_retried(loaded: FakeS2, s2: S2Source, tiny_dataset: Dataset) -> None:
    loaded.empty(count=1)
    assert s2.get_paper("ARXIV:2305.18290").title
    loaded.empty(count=1)
    assert len(s2.references(_dpo(tiny_dataset))) == 3
    loaded.empty()
    with pytest.raises(ApiError, match="empty"):
        s2.get_paper("ARXIV:2305.18290")


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_everywhere(loaded: FakeS2, s2: S2Source, tiny_dataset: Dataset, status: int) -> None:
    dpo = _dpo(tiny_dataset)
    loaded.fail(status, count=1, kinds={"batch"})
    loaded.fail(status, count=1, kinds={"references"})
    loaded.fail(status, count=1, kinds={"citations"})
    loaded.fail(status, count=1, kinds={"match"})
    assert s2.get_papers(["ARXIV:2305.18290"])["ARXIV:2305.18290"] is not None
    assert len(s2.references(dpo)) == 3 and len(s2.citations(dpo)) == 4
    assert s2.match_title("Direct Preference Optimization: Your Language Model is Secretly a Reward Model")
    assert loaded.counts["total"] == 8 and s2.requests == 8


def test_connection_reset_is_retried(loaded: FakeS2, s2: S2Source) -> None:
    loaded.reset_connections(count=2)
    assert s2.get_paper("ARXIV:2305.18290").title and loaded.counts["paper"] == 3


def test_truncated_json_is_retried(loaded: FakeS2, s2: S2Source) -> None:
    loaded.truncate(count=1)
    assert s2.get_papers(["ARXIV:2305.18290"])["ARXIV:2305.18290"] is not None
    assert loaded.counts["batch"] == 2
    loaded.truncate()
    with pytest.raises(ApiError, match="truncated or invalid JSON"):
        s2.get_paper("ARXIV:2305.18290")


def test_timeout_is_retried(loaded: FakeS2, s2_settings: Settings) -> None:
    s2 = S2Source(s2_settings.with_(timeout_s=0.3))
    loaded.timeout(3, count=1)
    t0 = time.monotonic()
    assert s2.get_paper("ARXIV:2305.18290").title
    assert time.monotonic() - t0 < 2 and loaded.counts["paper"] == 2


def test_slow_but_successful_responses(loaded: FakeS2, s2: S2Source) -> None:
    loaded.slow(0.2, count=1)
    assert s2.get_paper("ARXIV:2305.18290").title and loaded.counts["paper"] == 1


# ----------------------------------------------------------------------------------- listings
def test_references_and_citations_of_real_papers(loaded: FakeS2, s2: S2Source, tiny_dataset: Dataset) -> None:
    dpo = _dpo(tiny_dataset)
    refs = s2.references(dpo)
    assert {p.arxiv_id for p, _ in refs} == {"2203.02155", "2212.08073", "2302.13971"}
    assert all(c.citing == dpo.key and c.cited == p.key and c.source == "semanticscholar" and c.fetched_at
               for p, c in refs)
    cits = s2.citations(dpo)
    assert {p.arxiv_id for p, _ in cits} == {"2402.01306", "2403.07691", "2310.12036", "2402.03300"}
    assert all(c.cited == dpo.key and c.citing == p.key and c.is_influential is False for p, c in cits)
    assert loaded.log[0][1] == f"/paper/{loaded.paper('ARXIV:2305.18290')['paperId']}/references" or \
        loaded.log[0][1] == "/paper/ARXIV:2305.18290/references"


def test_listing_uses_the_s2_id_then_arxiv_then_doi(loaded: FakeS2, s2: S2Source) -> None:
    s2.references(Paper(paper_id="arxiv:2305.18290", arxiv_id="2305.18290"))
    s2.references(Paper(paper_id="doi:10.18653/v1/n19-1423", doi="10.18653/v1/n19-1423"))
    sha = loaded.paper("ARXIV:2302.13971")["paperId"]
    s2.references(Paper(paper_id="arxiv:2302.13971", arxiv_id="2302.13971", s2_id=sha))
    assert [path for _, path, _ in loaded.log] == [
        "/paper/ARXIV:2305.18290/references", "/paper/DOI:10.18653/v1/n19-1423/references", f"/paper/{sha}/references"]
    with pytest.raises(LineageError):
        s2.references(Paper(paper_id="title:x", title="x"))


def test_pagination_over_1000_items(fake_s2: FakeS2, s2: S2Source) -> None:
    seed = Paper(paper_id="s2:" + "d" * 40, s2_id="d" * 40, title="Seed")
    fake_s2.add_raw({"paperId": "d" * 40, "title": "Seed"})
    fake_s2.add_citing("d" * 40, 2_345)
    fake_s2.add_references("d" * 40, 1_001)
    cits = s2.citations(seed)
    assert len(cits) == 2_345 and fake_s2.counts["citations"] == 3
    assert len({p.key for p, _ in cits}) == 2_345
    assert sum(1 for _, c in cits if c.is_influential) == len(range(0, 2_345, 7))
    refs = s2.references(seed)
    assert len(refs) == 1_001 and fake_s2.counts["references"] == 2
    assert [q["offset"] for _, path, q in fake_s2.log if path.endswith("/references")] == ["0", "1000"]
    assert all(q["limit"] == "1000" for _, path, q in fake_s2.log if path.endswith(("/references", "/citations")))


def test_listing_stops_at_the_cap_and_logs(fake_s2: FakeS2, s2: S2Source, caplog: pytest.LogCaptureFixture) -> None:
    fake_s2.add_raw({"paperId": "e" * 40, "title": "Famous"})
    fake_s2.add_citing("e" * 40, 10_050)
    with caplog.at_level(logging.INFO, logger="graph.sources.s2"):
        cits = s2.citations(Paper(paper_id="s2:" + "e" * 40, s2_id="e" * 40))
    assert len(cits) == LISTING_CAP and fake_s2.counts["citations"] == 10
    assert any("cap" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_listing_retry_does_not_restart_pagination(fake_s2: FakeS2, s2: S2Source) -> None:
    fake_s2.add_raw({"paperId": "f" * 40, "title": "Seed"})
    fake_s2.add_citing("f" * 40, 2_500)
    fake_s2.fail(503, count=1, kinds={"citations"})
    fake_s2.inject("5xx", count=None, fraction=None, statuses=(502,), kinds={"none"})  # a fault that never applies
    got = s2.citations(Paper(paper_id="s2:" + "f" * 40, s2_id="f" * 40))
    assert len(got) == 2_500 and fake_s2.counts["citations"] == 4  # 3 pages + 1 retry


# ---------------------------------------------------------------------------------- title match
def test_match_title(loaded: FakeS2, s2: S2Source) -> None:
    p = s2.match_title("KTO: Model Alignment as Prospect Theoretic Optimization")
    assert p is not None and p.key == "arxiv:2402.01306"
    p = s2.match_title("Constitutional AI & Harmlessness from AI Feedback?")  # & and ? reach the server intact
    assert p is not None and p.key == "arxiv:2212.08073"
    assert loaded.log[-1][2]["query"] == "Constitutional AI & Harmlessness from AI Feedback?"
    assert s2.match_title("An entirely different paper about kittens") is None
    assert s2.match_title("  ") is None


# ------------------------------------------------------------------------ rate limiter, threads
def test_client_side_rate_limit_spacing(loaded: FakeS2, s2_settings: Settings) -> None:
    s2 = S2Source(s2_settings.with_(rate_per_s=10))
    t0 = time.monotonic()
    for _ in range(5):
        s2.get_paper("ARXIV:2305.18290")
    assert time.monotonic() - t0 >= 0.4


def test_rate_limit_is_shared_by_threads(loaded: FakeS2, s2_settings: Settings) -> None:
    s2 = S2Source(s2_settings.with_(rate_per_s=20))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(3):
                s2.get_paper("ARXIV:2305.18290")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert time.monotonic() - t0 >= 11 / 20 - 0.01  # 12 requests, 50 ms apart
    assert s2.requests == 12 and loaded.counts["paper"] == 12


# -------------------------------------------------------------------------------- offline, ping
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_ping(loaded: FakeS2, s2: S2Source, tmp_path: Path) -> None:
    assert s2.ping() is True
    down = S2Source(Settings(s2_api_url=f"http://127.0.0.1:{_closed_port()}/graph/v1", cache_dir=tmp_path,
                             rate_per_s=1000))
    t0 = time.monotonic()
    assert down.ping() is False
    assert time.monotonic() - t0 < 1
    with pytest.raises(OfflineError):
        down.get_paper("ARXIV:2305.18290")
    assert down.requests == 2


def test_offline_setting_sends_nothing(loaded: FakeS2, s2_settings: Settings) -> None:
    s2 = S2Source(s2_settings.with_(offline=True))
    assert s2.ping() is False
    with pytest.raises(OfflineError):
        s2.get_papers(["ARXIV:2305.18290"])
    assert loaded.counts["total"] == 0


# ------------------------------------------------------------------------- logging side effects
def test_basicconfig_side_effect_is_undone(s2_settings: Settings) -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    for h in saved:
        root.removeHandler(h)
    try:
        root.setLevel(logging.ERROR)
        S2Source(s2_settings)
        assert root.handlers == [] and root.level == logging.ERROR
    finally:
        for h in saved:
            root.addHandler(h)
        root.setLevel(level)


def test_one_log_line_per_request(loaded: FakeS2, s2: S2Source, caplog: pytest.LogCaptureFixture) -> None:
    loaded.fail(503, count=1)
    with caplog.at_level(logging.INFO, logger="graph.sources.s2"):
        s2.get_paper("ARXIV:2305.18290")
    lines = [r.getMessage() for r in caplog.records if r.name == "graph.sources.s2" and " -> " in r.getMessage()]
    assert len(lines) == 2 and "503" in lines[0] and "200" in lines[1]


# ------------------------------------------------------------------------------------- secrets
def test_api_key_sent_as_header_and_never_logged(loaded: FakeS2, s2_settings: Settings, tiny_dataset: Dataset,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    s2 = S2Source(s2_settings.with_(s2_api_key=KEY, max_retries=1))
    dpo = _dpo(tiny_dataset)
    errors: list[Exception] = []
    with caplog.at_level(logging.DEBUG):
        s2.get_papers(["ARXIV:2305.18290"])
        s2.get_paper("ARXIV:2305.18290")
        s2.references(dpo)
        s2.citations(dpo)
        s2.match_title(dpo.title or "")
        s2.ping()
        for fault, call in ((lambda: None, lambda: s2.get_paper("ARXIV:0000.00000")),
                            (lambda: loaded.rate_limit(retry_after=0), lambda: s2.get_paper("ARXIV:2305.18290")),
                            (lambda: loaded.fail(503), lambda: s2.get_papers(["ARXIV:2305.18290"])),
                            (lambda: loaded.truncate(), lambda: s2.citations(dpo))):
            loaded.clear_faults()
            fault()
            with pytest.raises(ApiError) as exc:
                call()
            errors.append(exc.value)
    assert loaded.api_keys and all(k == KEY for k in loaded.api_keys)
    assert {"batch", "paper", "references", "citations", "match"} <= set(loaded.counts)
    assert caplog.records
    for r in caplog.records:
        assert KEY not in r.getMessage() and KEY not in str(r.args)
    for e in errors:
        assert KEY not in str(e) and KEY not in repr(e) and KEY not in str(e.url) and KEY not in str(e.hint)
    assert KEY not in repr(s2) and KEY not in repr(s2_settings.with_(s2_api_key=KEY))
    assert all(KEY not in q for _, _, query in loaded.log for q in query.values())


# -------------------------------------------------------------------- recorded real responses
def _recorded_papers() -> list[tuple[str, Any]]:
    """Every paper object in the recorded responses copied to tests/data/s2."""
    out: list[tuple[str, Any]] = []
    for name in ("Paper.json", "PaperWithNullValues.json"):
        d = json.loads((S2_DATA / name).read_text(encoding="utf-8"))
        out.append((name, d))
        out += [(f"{name}:{k}[{i}]", x) for k in ("citations", "references") for i, x in enumerate(d.get(k) or [])]
    out.append(("Reference.json", json.loads((S2_DATA / "Reference.json").read_text(encoding="utf-8"))["citedPaper"]))
    out.append(("Citation.json", json.loads((S2_DATA / "Citation.json").read_text(encoding="utf-8"))["citingPaper"]))
    for path in sorted(S2_DATA.glob("test_*.yaml")):
        for n, it in enumerate(yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)["interactions"]):
            resp = it["response"]
            body = json.loads(resp["body"]["string"] if "body" in resp else resp["content"])
            if "/graph/v1/paper/" not in it["request"]["uri"] or (isinstance(body, dict) and "error" in body):
                continue
            items = body if isinstance(body, list) else body.get("data", [body])
            for i, x in enumerate(items):
                if isinstance(x, dict):
                    x = x.get("citedPaper") or x.get("citingPaper") or x
                out.append((f"{path.name}#{n}[{i}]", x))
    return out


def test_every_recorded_paper_parses() -> None:
    papers = _recorded_papers()
    assert len(papers) > 2_000
    parsed = 0
    for where, d in papers:
        if d is None:  # a batch null
            continue
        p = Paper.from_s2(d, fetched_at="2024-12-08")
        assert p.key, where
        parsed += 1
    full = Paper.from_s2(json.loads((S2_DATA / "Paper.json").read_text(encoding="utf-8")))
    assert full.title == "Computing Machinery and Intelligence" and full.doi == "10.1093/mind/lix.236.433"
    assert full.tldr and full.authors == ("A. Turing",) and full.corpus_id == 14636783
    assert parsed > 2_000


def test_recorded_papers_survive_the_client(fake_s2: FakeS2, s2: S2Source) -> None:
    raw = json.loads((S2_DATA / "Paper.json").read_text(encoding="utf-8"))
    nulls = json.loads((S2_DATA / "PaperWithNullValues.json").read_text(encoding="utf-8"))
    nulls["paperId"] = "0" * 40  # both recordings are the same paper (Turing 1950)
    fake_s2.add_raw(raw)
    fake_s2.add_raw(nulls)
    got = s2.get_papers([raw["paperId"], nulls["paperId"]])
    assert got[raw["paperId"]] is not None and got[raw["paperId"]].title == raw["title"]
    assert got[nulls["paperId"]] is not None and got[nulls["paperId"]].key == f"s2:{nulls['paperId']}"
    assert s2.get_paper(f"DOI:{raw['externalIds']['DOI']}").title == raw["title"]


# ------------------------------------------------------------------------ real API shapes
def test_title_match_not_found_is_none_in_one_request(fake_s2: FakeS2, s2: S2Source) -> None:
    """The API answers 404 {"error": "Title match not found"} (OpenAPI spec, /paper/search/match)."""
    assert s2.match_title("totalGarbageNonsense") is None
    assert fake_s2.counts["match"] == 1 and s2.requests == 1  # a 404 is an answer, not retried


def test_listing_skips_null_items_and_keeps_unlinked_references(fake_s2: FakeS2, s2: S2Source) -> None:
    seed = {"paperId": "a" * 40, "title": "Seed", "externalIds": {"ArXiv": "2001.00001"}}
    pid = fake_s2.add_raw(seed)
    fake_s2.add_references(pid, 2)
    fake_s2.add_listing_item(pid, "references", {"citedPaper": None})
    # an unlinked reference, as recorded in test_get_paper_references.yaml
    unlinked = {"paperId": None, "title": "World Economic Forum. 2010. Global Gender Gap"}
    fake_s2.add_listing_item(pid, "references", {"citedPaper": unlinked})
    fake_s2.add_listing_item(pid, "citations", {"citingPaper": None, "isInfluential": True})
    fake_s2.add_citing(pid, 1)
    paper = Paper.from_s2(seed)
    refs = s2.references(paper)
    assert len(refs) == 3 and refs[-1][0].key == "title:world economic forum 2010 global gender gap"
    assert refs[-1][1].citing == paper.key and refs[-1][0].s2_id is None
    cits = s2.citations(paper)
    assert [p.title for p, _ in cits] == ["citing paper 0"]


def test_papers_without_external_ids(fake_s2: FakeS2, s2: S2Source) -> None:
    """Recorded papers whose answers carry no externalIds (test_get_paper.yaml, PaperWithNullValues.json)."""
    fake_s2.replay(S2_DATA / "test_get_paper.yaml")
    fake_s2.add_raw(json.loads((S2_DATA / "PaperWithNullValues.json").read_text(encoding="utf-8")) | {
        "paperId": "f" * 40})
    sha = "2d5673caa9e6af3a7b82a43f19ee920992db07ad"
    got = s2.get_papers([sha, "f" * 40])
    turing = got[sha]
    assert turing is not None and turing.title == "Computing Machinery and Intelligence"
    assert (turing.key, turing.s2_id, turing.arxiv_id, turing.doi) == (
        "title:computing machinery and intelligence", sha, None, None)
    assert got["f" * 40] is not None and got["f" * 40].key == "s2:" + "f" * 40 and got["f" * 40].authors == ()


def test_doi_answered_by_the_preprint_record_keeps_the_doi(fake_s2: FakeS2, s2: S2Source) -> None:
    fake_s2.add_raw({"paperId": "b" * 40, "title": "Scalable Diffusion Models with Transformers", "year": 2022,
                     "externalIds": {"ArXiv": "2212.09748"}})
    fake_s2.add_id("DOI:10.1109/ICCV51070.2023.00387", "ARXIV:2212.09748")
    got = s2.get_papers(["DOI:10.1109/ICCV51070.2023.00387", "ARXIV:2212.09748"])
    by_doi, by_arxiv = got["DOI:10.1109/ICCV51070.2023.00387"], got["ARXIV:2212.09748"]
    assert by_doi is not None and by_arxiv is not None
    assert (by_doi.key, by_doi.doi) == ("arxiv:2212.09748", "10.1109/iccv51070.2023.00387")
    assert by_arxiv.doi is None  # asked by arXiv id: nothing to add
    one = s2.get_paper("DOI:10.1109/ICCV51070.2023.00387")
    assert one.doi == "10.1109/iccv51070.2023.00387" and one.arxiv_id == "2212.09748"


def test_batch_null_entries_keep_their_position(fake_s2: FakeS2, s2: S2Source) -> None:
    """The recorded batch answer with a ``null`` (test_get_papers_return_not_found.yaml)."""
    fake_s2.replay(S2_DATA / "test_get_papers_return_not_found.yaml")
    ids = ["CorpusId:211530585", "CorpusId:470667", "DOI:10.2139/ssrn.2250500"]
    got = s2.get_papers(ids)
    assert got["CorpusId:211530585"] is None
    assert got["CorpusId:470667"] is not None and got["CorpusId:470667"].doi == "10.2139/ssrn.288970"
    assert got["DOI:10.2139/ssrn.2250500"] is not None and got["DOI:10.2139/ssrn.2250500"].corpus_id == 3142471
    assert fake_s2.counts["batch"] == 1
