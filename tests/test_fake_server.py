"""The fake Semantic Scholar server speaks the real API's paths and shapes (checked against recorded cassettes)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
import yaml

from graph.core.models import Paper
from tests.conftest import S2_DATA, Dataset
from tests.fakes.s2_server import FakeS2, s2_paper_id

HTTP = httpx.Client(timeout=5)  # one client: building one per request costs ~50 ms of SSL setup
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader reads the cassettes 10x faster


def _cassette(name: str) -> list[dict[str, Any]]:
    """(method, uri, request body, status, response JSON) of each interaction of a recorded cassette."""
    out = []
    for it in yaml.load((S2_DATA / name).read_text(encoding="utf-8"), Loader=_LOADER)["interactions"]:
        resp = it["response"]
        body = resp["body"]["string"] if "body" in resp else resp["content"]
        status = resp["status"]["code"] if "status" in resp else resp.get("status_code")
        out.append({"method": it["request"]["method"], "uri": it["request"]["uri"],
                    "body": it["request"].get("body") or "", "status": status, "json": json.loads(body)})
    return out


def _path(uri: str) -> str:
    return uri.split("api.semanticscholar.org", 1)[1]


def _root(fake: FakeS2) -> str:
    return fake.url[: -len("/graph/v1")]


@pytest.fixture
def loaded(fake_s2: FakeS2, tiny_dataset: Dataset) -> FakeS2:
    fake_s2.add_models(tiny_dataset.papers, tiny_dataset.edges)
    return fake_s2


# ------------------------------------------------------------------ replay of recorded cassettes
def test_batch_replays_recorded_answer(fake_s2: FakeS2) -> None:
    rec = _cassette("test_get_papers_return_not_found.yaml")[0]
    for paper in rec["json"]:
        if paper is not None:
            fake_s2.add_raw(paper)
    r = HTTP.post(_root(fake_s2) + _path(rec["uri"]), content=rec["body"],
                   headers={"content-type": "application/json"})
    assert r.status_code == 200
    assert r.json() == rec["json"]  # same papers, same fields, the same null for the unknown CorpusId


def test_paper_by_bare_doi_replays_recorded_answer(fake_s2: FakeS2) -> None:
    rec = _cassette("test_get_paper.yaml")[0]
    fake_s2.add_raw({**rec["json"], "externalIds": {"DOI": "10.1093/mind/LIX.236.433"}})
    r = HTTP.get(_root(fake_s2) + _path(rec["uri"]))
    assert r.status_code == 200 and r.json() == rec["json"]


def test_not_found_replays_recorded_body(fake_s2: FakeS2) -> None:
    rec = _cassette("test_not_found.yaml")[0]
    r = HTTP.get(_root(fake_s2) + _path(rec["uri"]).replace("t%2Ci%2Ct%2Cl%2Ce", "title"))
    assert (r.status_code, r.json()) == (404, rec["json"]) == (404, {"error": "Paper with id 0 not found"})


def test_bad_fields_replays_recorded_error(fake_s2: FakeS2) -> None:
    rec = _cassette("test_bad_query_parameters.yaml")[0]
    fake_s2.add_raw({"paperId": "2d5673caa9e6af3a7b82a43f19ee920992db07ad",
                     "externalIds": {"DOI": "10.1093/mind/lix.236.433"}})
    r = HTTP.get(_root(fake_s2) + _path(rec["uri"]))
    assert (r.status_code, r.json()) == (400, rec["json"])


def test_match_title_shape_as_recorded(fake_s2: FakeS2) -> None:
    rec = _cassette("test_search_paper_match_title.yaml")[0]
    paper = rec["json"]["data"][0]
    fake_s2.add_raw({k: v for k, v in paper.items() if k != "matchScore"})
    r = HTTP.get(_root(fake_s2) + _path(rec["uri"]))
    assert r.status_code == 200
    got = r.json()["data"][0]
    assert set(got) == set(paper) and got["paperId"] == paper["paperId"] and got["matchScore"] > 0
    r = HTTP.get(fake_s2.url + "/paper/search/match", params={"query": "zzz unrelated words"})
    assert (r.status_code, r.json()) == (404, {"error": "Title match not found"})


def test_listing_pages_like_recorded(fake_s2: FakeS2) -> None:
    recs = _cassette("test_get_paper_references.yaml")
    first, last = recs[0]["json"], recs[-1]["json"]
    assert "next" in first and "next" not in last  # the real API omits next on the last page
    pid = fake_s2.add_raw({"paperId": "a" * 40, "externalIds": {"DOI": "10.2139/ssrn.2250500"}})
    fake_s2.add_references(pid, 60)
    pages = [HTTP.get(_root(fake_s2) + _path(rec["uri"])).json() for rec in recs]
    assert [set(p) for p in pages] == [set(first), set(last)]
    assert [p["offset"] for p in pages] == [0, 50] and pages[0]["next"] == 50
    assert len(pages[0]["data"]) == 50 and len(pages[1]["data"]) == 10
    assert set(pages[0]["data"][0]) == {"citedPaper"} and set(pages[0]["data"][0]["citedPaper"]) == {"paperId", "title"}


# ---------------------------------------------------------------------------- ids, fields, data
@pytest.mark.parametrize("pid", [
    "ARXIV:2305.18290", "arxiv:2305.18290", "URL:https://arxiv.org/abs/2305.18290",
    "URL:https://arxiv.org/abs/2305.18290v2", "SHA",
])
def test_every_id_form_of_an_arxiv_paper(loaded: FakeS2, pid: str) -> None:
    if pid == "SHA":
        pid = s2_paper_id("arxiv:2305.18290")
    r = HTTP.get(f"{loaded.url}/paper/{pid}", params={"fields": "title,externalIds"})
    assert r.status_code == 200, r.text
    assert r.json()["title"].startswith("Direct Preference Optimization")
    assert r.json()["externalIds"]["ArXiv"] == "2305.18290"


def test_doi_corpusid_and_url_forms(loaded: FakeS2) -> None:
    doi = "10.18653/v1/2024.emnlp-main.626"  # ORPO: a DOI with slashes
    corpus = loaded.paper(f"DOI:{doi}")["corpusId"]
    sha = s2_paper_id("arxiv:2403.07691")
    for pid in (f"DOI:{doi}", doi, f"DOI:{doi.upper()}", f"CorpusId:{corpus}", f"URL:https://doi.org/{doi}",
                f"URL:https://www.semanticscholar.org/paper/{sha}"):
        r = HTTP.get(f"{loaded.url}/paper/{pid}", params={"fields": "title"})
        assert r.status_code == 200, pid
        assert r.json() == {"paperId": sha, "title": "ORPO: Monolithic Preference Optimization without Reference Model"}


def test_fields_are_honoured(loaded: FakeS2) -> None:
    base = f"{loaded.url}/paper/ARXIV:2402.01306"
    assert set(HTTP.get(base).json()) == {"paperId", "title"}
    got = HTTP.get(base, params={"fields": "year,authors,citationCount,referenceCount"}).json()
    assert set(got) == {"paperId", "year", "authors", "citationCount", "referenceCount"}
    assert got["year"] == 2024 and got["authors"][0]["name"] == "Kawin Ethayarajh"
    assert set(got["authors"][0]) == {"authorId", "name"}
    assert got["citationCount"] == 1 and got["referenceCount"] == 3  # ORPO cites KTO; KTO cites 3 in the set


def test_models_round_trip_through_s2_json(loaded: FakeS2, tiny_dataset: Dataset) -> None:
    fields = ("paperId,externalIds,corpusId,title,year,authors,venue,abstract,tldr,citationCount,referenceCount,"
              "influentialCitationCount,publicationDate,url,publicationTypes")
    for p in tiny_dataset.papers:
        got = Paper.from_s2(HTTP.get(f"{loaded.url}/paper/ARXIV:{p.arxiv_id}", params={"fields": fields}).json())
        assert (got.key, got.title, got.year, got.authors, got.doi, got.publication_date) == \
               (p.key, p.title, p.year, p.authors, p.doi, p.publication_date)


def test_batch_nulls_and_limit(loaded: FakeS2) -> None:
    r = HTTP.post(f"{loaded.url}/paper/batch", params={"fields": "title"},
                   json={"ids": ["ARXIV:2305.18290", "ARXIV:0000.00000", "DOI:10.18653/v1/N19-1423"]})
    data = r.json()
    assert data[1] is None and data[0]["title"].startswith("Direct") and data[2]["title"].startswith("BERT")
    r = HTTP.post(f"{loaded.url}/paper/batch", json={"ids": [f"CorpusId:{i}" for i in range(501)]})
    assert r.status_code == 400 and "500" in r.json()["error"]


def test_listing_edges_and_limits(loaded: FakeS2) -> None:
    r = HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290/citations",
                  params={"fields": "isInfluential,title,externalIds", "limit": 2})
    page = r.json()
    assert page["offset"] == 0 and page["next"] == 2 and len(page["data"]) == 2
    assert set(page["data"][0]) == {"isInfluential", "citingPaper"}
    citing = set()
    offset: int | None = 0
    while offset is not None:
        page = HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290/citations",
                         params={"fields": "externalIds", "limit": 2, "offset": offset}).json()
        citing |= {d["citingPaper"]["externalIds"]["ArXiv"] for d in page["data"]}
        offset = page.get("next")
    assert citing == {"2402.01306", "2403.07691", "2310.12036", "2402.03300"}
    refs = HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290/references", params={"fields": "externalIds"}).json()
    assert {d["citedPaper"]["externalIds"]["ArXiv"] for d in refs["data"]} == {"2203.02155", "2212.08073", "2302.13971"}
    r = HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290/references", params={"limit": 1001})
    assert r.status_code == 400 and "limit=1001" in r.json()["error"]


def test_raw_recorded_paper_is_served(fake_s2: FakeS2) -> None:
    raw = json.loads((S2_DATA / "Paper.json").read_text(encoding="utf-8"))
    fake_s2.add_raw(raw)
    doi = raw["externalIds"]["DOI"]
    got = HTTP.get(f"{fake_s2.url}/paper/DOI:{doi}", params={"fields": "title,tldr,journal"}).json()
    assert got == {"paperId": raw["paperId"], "title": raw["title"], "tldr": raw["tldr"], "journal": raw["journal"]}


# ----------------------------------------------------------------------------- faults, counting
def test_counts_and_api_keys(loaded: FakeS2) -> None:
    HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290", headers={"x-api-key": "k1"})
    HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290/references")
    HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290/citations")
    HTTP.post(f"{loaded.url}/paper/batch", json={"ids": []})
    HTTP.get(f"{loaded.url}/paper/search/match", params={"query": "LLaMA"})
    assert loaded.counts == {"total": 5, "paper": 1, "references": 1, "citations": 1, "batch": 1, "match": 1}
    assert loaded.api_keys == ["k1", None, None, None, None]


def test_rate_limit_first_k_and_fraction(loaded: FakeS2) -> None:
    loaded.rate_limit(first=2, retry_after=3)
    rs = [HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290") for _ in range(3)]
    assert [r.status_code for r in rs] == [429, 429, 200]
    assert rs[0].headers["Retry-After"] == "3"
    loaded.clear_faults()
    fault = loaded.rate_limit(fraction=0.5, retry_after=(1, 5))
    codes = [HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290").status_code for _ in range(40)]
    assert 5 < codes.count(429) < 35 and fault.fired == codes.count(429)


def test_rate_limit_per_second(loaded: FakeS2) -> None:
    loaded.rate_limit_per_second(3, retry_after=1)
    codes = [HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_5xx_reset_truncate_timeout_latency(loaded: FakeS2) -> None:
    url = f"{loaded.url}/paper/ARXIV:2305.18290"
    loaded.fail([500, 502], count=2)
    assert {HTTP.get(url).status_code for _ in range(2)} <= {500, 502}
    assert HTTP.get(url).status_code == 200
    loaded.reset_connections(count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        HTTP.get(url)
    loaded.truncate(count=1)
    r = HTTP.get(url)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    loaded.timeout(5, count=1)
    with pytest.raises(httpx.ReadTimeout):
        HTTP.get(url, timeout=0.2)
    loaded.latency_s = 0.1
    t0 = time.monotonic()
    assert HTTP.get(url).status_code == 200
    assert time.monotonic() - t0 >= 0.1
    loaded.empty(count=1)
    assert HTTP.get(url).json() == {}


def test_fault_restricted_to_kinds(loaded: FakeS2) -> None:
    loaded.fail(503, kinds={"batch"})
    assert HTTP.get(f"{loaded.url}/paper/ARXIV:2305.18290").status_code == 200
    assert HTTP.post(f"{loaded.url}/paper/batch", json={"ids": ["ARXIV:2305.18290"]}).status_code == 503


def test_reset_forgets_everything(fake_s2: FakeS2) -> None:
    fake_s2.add_raw({"paperId": "b" * 40, "title": "x"})
    fake_s2.rate_limit()
    HTTP.get(f"{fake_s2.url}/paper/{'b' * 40}")
    fake_s2.reset()
    assert fake_s2.counts == {} and fake_s2.api_keys == []
    assert HTTP.get(f"{fake_s2.url}/paper/{'b' * 40}").status_code == 404


# --------------------------------------------------------- replay mode and the real API's odd shapes
def _client(fake: FakeS2) -> Any:
    """The real ``semanticscholar`` client pointed at the fake (its basicConfig side effect undone)."""
    from graph.core.settings import Settings
    from graph.sources.s2 import _make_client

    return _make_client(Settings(s2_api_url=fake.url, timeout_s=5), _root(fake))


def test_replay_answers_the_real_clients_recorded_batch_verbatim(fake_s2: FakeS2) -> None:
    assert fake_s2.replay(S2_DATA / "test_get_papers_return_not_found.yaml") == 1
    rec = _cassette("test_get_papers_return_not_found.yaml")[0]
    ids = json.loads(rec["body"])["ids"]
    papers, not_found = _client(fake_s2).get_papers(ids, return_not_found=True)
    assert fake_s2.replayed == 1  # the very request the client's own test recorded
    assert not_found == ["CorpusId:211530585"]
    assert [p.paperId for p in papers] == [x["paperId"] for x in rec["json"] if x is not None]
    assert papers[1].externalIds["DOI"] == "10.2139/ssrn.2250500"


def test_replayed_papers_serve_other_requests(fake_s2: FakeS2) -> None:
    fake_s2.replay(S2_DATA / "test_get_papers.yaml")  # fields=authors only
    fake_s2.replay(S2_DATA / "test_get_papers_return_not_found.yaml")  # every field: merged in
    r = HTTP.get(fake_s2.url + "/paper/CorpusId:470667", params={"fields": "title,externalIds,authors"})
    assert r.status_code == 200 and fake_s2.replayed == 0
    got = r.json()
    assert got["title"] == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert got["externalIds"]["DOI"] == "10.2139/ssrn.288970" and got["authors"][0]["name"]


def test_replayed_listing_keeps_unlinked_references(fake_s2: FakeS2) -> None:
    """The recorded references of 10.2139/ssrn.2250500 hold items with ``"paperId": null`` (S2 could not link)."""
    fake_s2.replay(S2_DATA / "test_get_paper_references.yaml")
    results = _client(fake_s2).get_paper_references("10.2139/ssrn.2250500", fields=["title"], limit=50)
    items = list(results)
    recorded = [x for rec in _cassette("test_get_paper_references.yaml") for x in rec["json"]["data"]]
    assert fake_s2.replayed == 2 and len(items) == len(recorded)
    unlinked = [i for i in items if i.paper.paperId is None]
    assert unlinked and all(i.paper.title for i in unlinked)


def test_raw_listing_items_and_null_nested_papers(fake_s2: FakeS2) -> None:
    pid = fake_s2.add_raw({"paperId": "a" * 40, "title": "Seed", "externalIds": {"ArXiv": "2001.00001"}})
    fake_s2.add_references(pid, 2)
    fake_s2.add_listing_item(pid, "references", {"citedPaper": None})
    fake_s2.add_listing_item(pid, "references", {"citedPaper": {"paperId": None, "title": "Global Gender Gap"}})
    fake_s2.add_listing_item(pid, "citations", {"citingPaper": None, "isInfluential": False})
    refs = HTTP.get(fake_s2.url + "/paper/ARXIV:2001.00001/references", params={"fields": "title"}).json()
    assert [x["citedPaper"] for x in refs["data"][2:]] == [None, {"paperId": None, "title": "Global Gender Gap"}]
    page = HTTP.get(fake_s2.url + "/paper/ARXIV:2001.00001/references", params={"offset": 1, "limit": 2}).json()
    assert page["offset"] == 1 and page["next"] == 3 and page["data"][1] == {"citedPaper": None}
    cits = HTTP.get(fake_s2.url + f"/paper/{pid}/citations").json()
    assert cits["data"] == [{"citingPaper": None, "isInfluential": False}]


def test_extra_id_and_missing_external_ids(fake_s2: FakeS2) -> None:
    fake_s2.add_raw({"paperId": "b" * 40, "title": "Scalable Diffusion Models with Transformers",
                     "externalIds": {"ArXiv": "2212.09748"}})
    fake_s2.add_id("DOI:10.1109/ICCV51070.2023.00387", "ARXIV:2212.09748")
    fake_s2.add_raw({"paperId": "c" * 40, "title": "Computing Machinery and Intelligence"})
    r = HTTP.get(fake_s2.url + "/paper/DOI:10.1109/iccv51070.2023.00387", params={"fields": "externalIds"})
    assert r.json() == {"paperId": "b" * 40, "externalIds": {"ArXiv": "2212.09748"}}  # no DOI listed
    r = HTTP.get(fake_s2.url + "/paper/10.1109/ICCV51070.2023.00387", params={"fields": "title"})
    assert r.json()["paperId"] == "b" * 40
    r = HTTP.post(fake_s2.url + "/paper/batch", params={"fields": "title,externalIds"},
                  json={"ids": ["c" * 40, "DOI:10.1/none"]})
    assert r.json() == [{"paperId": "c" * 40, "title": "Computing Machinery and Intelligence",
                         "externalIds": None}, None]


def test_title_match_404_as_the_spec_describes(fake_s2: FakeS2) -> None:
    spec = json.loads((S2_DATA / "openapi_graph_excerpt.json").read_text(encoding="utf-8"))
    text = spec["paths"]["/paper/search/match"]["get"]["description"]
    assert 'Returns with a 404 error and a "Title match not found" message' in text
    assert "404" in spec["paths"]["/paper/search/match"]["get"]["responses"]
    r = HTTP.get(fake_s2.url + "/paper/search/match", params={"query": "totalGarbageNonsense"})
    assert (r.status_code, r.json()) == (404, {"error": "Title match not found"})
