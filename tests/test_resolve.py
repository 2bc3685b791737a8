"""resolve_entries: every entry of a user's list resolved (snapshot, cache, then Semantic Scholar) or explained.

Fixtures: ``tests/data/seeds/user_list.{bib,txt}`` list papers that are really in the embedded snapshot
(plus an impossible arXiv id and an unknown title); online tests use the fake S2 server through the real
``semanticscholar`` client, with papers from the recorded cassettes in ``tests/data/s2/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.catalogue.load import load_catalogue
from graph.catalogue.resolve import EntryResolution, realias, resolve_entries, unresolved_warnings
from graph.core.models import Paper
from graph.core.settings import Settings
from graph.sources.s2 import S2Source
from graph.store.cache import Cache
from graph.store.snapshot import Snapshot, load_snapshot
from tests.conftest import DATA, S2_DATA
from tests.fakes.s2_server import FakeS2, paper_to_s2

SEEDS = DATA / "seeds"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    return load_snapshot()


@pytest.fixture(scope="module")
def empty() -> Snapshot:
    return load_snapshot(DATA / "empty_snapshot")


@pytest.fixture
def s2(s2_settings: Settings) -> S2Source:
    return S2Source(s2_settings.with_(max_retries=1))


def _by_alias(rs: list[EntryResolution]) -> dict[str, EntryResolution]:
    return {r.alias: r for r in rs}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# ------------------------------------------------------------------------------------------- offline
def test_bibtex_list_resolves_offline(snapshot: Snapshot) -> None:
    cat = load_catalogue(SEEDS / "user_list.bib", snapshot=snapshot)
    rs = resolve_entries(cat, snapshot=snapshot)
    assert [r.alias for r in rs] == list(cat.seeds)  # one per entry, in file order
    got = _by_alias(rs)
    expect = {  # alias -> (how it was matched, arXiv id): eprint, url-only, DOI-only (preprint record), title-only
        "ethayarajh2024": ("arxiv", "2402.01306"),
        "lambert2024tulu": ("arxiv", "2411.15124"),
        "scalable-diffusion-models": ("doi", "2212.09748"),
        "kopf2023openassistant": ("title", "2304.07327"),
    }
    for alias, (how, arxiv) in expect.items():
        r = got[alias]
        assert r.status == "resolved" and r.found_in == "snapshot" and r.reason is None
        assert (r.matched_by, r.arxiv_id, r.key) == (how, arxiv, f"arxiv:{arxiv}")
        assert r.title == snapshot.papers[r.key].title and r.year == snapshot.papers[r.key].year
    assert got["scalable-diffusion-models"].title == "Scalable Diffusion Models with Transformers"
    assert got["scalable-diffusion-models"].doi == "10.1109/iccv51070.2023.00387"  # the user's DOI is kept
    assert got["scalable-diffusion-models"].input == "@inproceedings{DBLP:conf/iccv/PeeblesX23}"
    ghost, nobody = got["ghost2025"], got["nobody2021"]
    assert ghost.status == nobody.status == "unresolved" and ghost.key is None and ghost.matched_by is None
    assert ghost.reason == "arXiv 2599.99999 cannot exist: there is no month 99"
    assert "Quantum Gradient Flows" in (nobody.reason or "") and "offline" in (nobody.reason or "")


def test_text_list_resolves_offline(snapshot: Snapshot) -> None:
    cat = load_catalogue(SEEDS / "user_list.txt", snapshot=snapshot)
    got = _by_alias(resolve_entries(cat, snapshot=snapshot))
    assert [a for a, r in got.items() if not r.resolved] == ["paper-9"]
    assert {a: (r.matched_by, r.arxiv_id) for a, r in got.items() if r.resolved} == {
        "dosovitskiy2020": ("arxiv", "2010.11929"),
        "rafailov2023": ("arxiv", "2305.18290"),
        "ethayarajh2024": ("arxiv", "2402.01306"),
        "scalable-diffusion-models": ("doi", "2212.09748"),
        "covington2016": ("doi", None),  # a KDD paper without an arXiv version: DOI and title only
        "caron2021": ("title", "2104.14294"),
        "hu2021": ("title", "2106.09685"),
    }
    assert all(r.title and r.year for r in got.values() if r.resolved)
    assert got["covington2016"].title == "Deep Neural Networks for YouTube Recommendations"
    assert got["rafailov2023"].input == "arXiv:2305.18290"
    assert got["caron2021"].input == '"Emerging Properties in Self-Supervised Vision Transformers"'
    assert unresolved_warnings(got.values()) == [
        "warning: 'paper-9' (arXiv:2599.99999) is unresolved: arXiv 2599.99999 cannot exist: there is no month 99; "
        "it is left out"]


def test_only_the_named_aliases(snapshot: Snapshot) -> None:
    cat = load_catalogue(SEEDS / "user_list.txt", snapshot=snapshot)
    rs = resolve_entries(cat, snapshot=snapshot, aliases=["hu2021", "paper-9"])
    assert [(r.alias, r.status) for r in rs] == [("hu2021", "resolved"), ("paper-9", "unresolved")]


def test_cache_answers_offline(tmp_path: Path, empty: Snapshot) -> None:
    cache = Cache(tmp_path / "c.sqlite")
    try:
        dpo = Paper("arxiv:2305.18290", title="Direct Preference Optimization", year=2023, arxiv_id="2305.18290")
        kto = Paper("arxiv:2402.01306", title="KTO: Model Alignment as Prospect Theoretic Optimization", year=2024,
                    arxiv_id="2402.01306")
        lora = Paper("arxiv:2106.09685", title="LoRA: Low-Rank Adaptation of Large Language Models", year=2021,
                     arxiv_id="2106.09685")
        cache.put_papers([dpo], aliases={"ARXIV:2305.18290": dpo.key})  # resolved by id in an earlier run
        cache.put_papers([kto])  # fetched as a neighbour: stored under its key only
        cache.put_papers([lora], aliases={"TITLE:lora low rank adaptation of large language models": lora.key})
        cache.put_missing(["ARXIV:2101.99999"])
        p = _write(tmp_path, "l.txt", "2305.18290\n2402.01306\nLoRA: Low-Rank Adaptation of Large Language Models\n"
                                      "2101.99999\n")
        cat = load_catalogue(p, snapshot=empty)
        got = resolve_entries(cat, snapshot=empty, cache=cache)
        assert [(r.status, r.found_in, r.matched_by, r.arxiv_id) for r in got] == [
            ("resolved", "cache", "arxiv", "2305.18290"), ("resolved", "cache", "arxiv", "2402.01306"),
            ("resolved", "cache", "title", "2106.09685"), ("unresolved", None, None, "2101.99999")]
        assert got[3].reason == "Semantic Scholar knows no paper arXiv:2101.99999 (cached answer)"
    finally:
        cache.close()


# -------------------------------------------------------------------------------------------- online
def _five(tiny: list[Paper]) -> list[Paper]:
    return [p for p in tiny if p.arxiv_id in {"2305.18290", "2402.01306", "2403.07691", "2310.12036", "2106.09685"}]


def test_online_asks_only_what_is_missing_in_one_batch(fake_s2: FakeS2, s2: S2Source, snapshot: Snapshot,
                                                       tmp_path: Path, tiny_dataset) -> None:
    fake_s2.add_models(tiny_dataset.papers)
    unknown = {"paperId": "c" * 40, "title": "A Paper Only Semantic Scholar Knows", "year": 2025,
               "externalIds": {"ArXiv": "2501.00001"}, "authors": [{"name": "Ada Lovelace"}]}
    fake_s2.add_raw(unknown)
    fake_s2.add_raw({"paperId": "d" * 40, "title": "Another Paper Only The API Has", "year": 2025,
                     "externalIds": None})
    p = _write(tmp_path, "mix.txt", "2305.18290\n2501.00001\n2501.99999\nAnother Paper Only The API Has\n")
    cache = Cache(tmp_path / "c.sqlite")
    try:
        cat = load_catalogue(p, snapshot=snapshot)
        got = resolve_entries(cat, snapshot=snapshot, cache=cache, source=s2)
        # DPO comes from the snapshot; the two unknown ids go in ONE batch; the title costs one match
        assert (fake_s2.counts["batch"], fake_s2.counts["match"], fake_s2.counts["total"]) == (1, 1, 2)
        batch = next(q for m, path, q in fake_s2.log if path == "/paper/batch")
        assert batch is not None
        assert [(r.status, r.found_in, r.matched_by) for r in got] == [
            ("resolved", "snapshot", "arxiv"), ("resolved", "semanticscholar", "arxiv"),
            ("unresolved", None, None), ("resolved", "semanticscholar", "title")]
        assert got[1].title == "A Paper Only Semantic Scholar Knows" and got[1].year == 2025
        assert got[1].alias == "paper-2"  # offline nothing knew it when the list was loaded
        assert got[2].reason == "Semantic Scholar knows no paper arXiv:2501.99999"
        assert got[3].key == "title:another paper only the api has"  # no externalIds: keyed by its title
        # a second run is answered by the snapshot and the cache: no request at all
        before = fake_s2.counts["total"]
        again = resolve_entries(cat, snapshot=snapshot, cache=cache, source=s2)
        assert fake_s2.counts["total"] == before
        assert [(r.status, r.key) for r in again] == [(r.status, r.key) for r in got]
        assert again[2].reason == "Semantic Scholar knows no paper arXiv:2501.99999 (cached answer)"
    finally:
        cache.close()


def test_five_paper_list_absent_from_the_snapshot_costs_one_request(fake_s2: FakeS2, s2: S2Source, empty: Snapshot,
                                                                     tmp_path: Path, tiny_dataset) -> None:
    five = _five(tiny_dataset.papers)
    assert len(five) == 5
    fake_s2.add_models(five)
    p = _write(tmp_path, "five.txt", "".join(f"arXiv:{x.arxiv_id}\n" for x in five))
    got = resolve_entries(load_catalogue(p, snapshot=empty), snapshot=empty, source=s2)
    assert fake_s2.counts["total"] == 1 and fake_s2.counts["batch"] == 1
    assert [r.title for r in got] == [x.title for x in five] and all(r.found_in == "semanticscholar" for r in got)


def test_doi_known_only_under_the_preprint_record(fake_s2: FakeS2, s2: S2Source, empty: Snapshot,
                                                   tmp_path: Path, snapshot: Snapshot) -> None:
    dit = snapshot.papers["arxiv:2212.09748"]
    raw = paper_to_s2(dit)
    raw["externalIds"] = {"ArXiv": "2212.09748"}  # the preprint record: no published DOI listed
    fake_s2.add_raw(raw)
    fake_s2.add_id("DOI:10.1109/ICCV51070.2023.00387", "ARXIV:2212.09748")
    p = _write(tmp_path, "dit.txt", "10.1109/ICCV51070.2023.00387\n")
    (r,) = resolve_entries(load_catalogue(p, snapshot=empty), snapshot=empty, source=s2)
    assert (r.status, r.matched_by, r.arxiv_id, r.doi, r.key) == (
        "resolved", "doi", "2212.09748", "10.1109/iccv51070.2023.00387", "arxiv:2212.09748")
    assert r.title == "Scalable Diffusion Models with Transformers"


def test_impossible_ids_and_known_missing_are_not_asked(fake_s2: FakeS2, s2: S2Source, empty: Snapshot,
                                                        tmp_path: Path) -> None:
    p = _write(tmp_path, "ghost.txt", "2599.99999\n")
    (r,) = resolve_entries(load_catalogue(p, snapshot=empty), snapshot=empty, source=s2)
    assert r.status == "unresolved" and "no month 99" in (r.reason or "")
    assert fake_s2.counts["total"] == 0


def test_unreachable_api_gives_the_reason(s2_settings: Settings, empty: Snapshot, tmp_path: Path) -> None:
    source = S2Source(s2_settings.with_(offline=True))
    p = _write(tmp_path, "one.txt", "2501.00001\n")
    (r,) = resolve_entries(load_catalogue(p, snapshot=empty), snapshot=empty, source=source)
    assert r.status == "unresolved" and (r.reason or "").startswith("Semantic Scholar could not be asked: offline")


def test_recorded_batch_with_a_null(fake_s2: FakeS2, s2: S2Source, empty: Snapshot, tmp_path: Path) -> None:
    """The real answers of ``test_get_papers_return_not_found.yaml``: three papers and a ``null``."""
    fake_s2.replay(S2_DATA / "test_get_papers_return_not_found.yaml")
    p = _write(tmp_path, "econ.txt", "CorpusId:211530585\nCorpusId:470667\n10.2139/ssrn.2250500\n"
                                     "0f40b1f08821e22e859c6050916cec3667778613\n")
    got = resolve_entries(load_catalogue(p, snapshot=empty), snapshot=empty, source=s2)
    assert fake_s2.counts["batch"] == 1 and fake_s2.counts["total"] == 1
    assert [(r.status, r.matched_by) for r in got] == [
        ("unresolved", None), ("resolved", "s2"), ("resolved", "doi"), ("resolved", "s2")]
    assert [r.title for r in got[1:]] == [
        "How Much Should We Trust Differences-in-Differences Estimates?",
        "The Miracle of Microfinance? Evidence from a Randomized Evaluation",
        "Improving Third-Party Audits and Regulatory Compliance in India"]
    assert got[0].reason == "Semantic Scholar knows no paper CorpusId:211530585"


def test_realias_names_entries_known_only_online(fake_s2: FakeS2, s2: S2Source, snapshot: Snapshot,
                                                 tmp_path: Path) -> None:
    fake_s2.add_raw({"paperId": "c" * 40, "title": "A Paper Only Semantic Scholar Knows", "year": 2025,
                     "externalIds": {"ArXiv": "2501.00001"}, "authors": [{"name": "Ada Lovelace"}]})
    fake_s2.add_raw({"paperId": "e" * 40, "title": "Sparse Widgets: Yet Another Method", "year": None,
                     "externalIds": {"ArXiv": "2501.00002"}})
    p = _write(tmp_path, "new.txt", "2305.18290\n2501.00001\n2501.00002\n2501.99999\n")
    cat = load_catalogue(p, snapshot=snapshot)
    assert list(cat.seeds) == ["rafailov2023", "paper-2", "paper-3", "paper-4"]
    cache = Cache(tmp_path / "c.sqlite")
    try:
        online = resolve_entries(cat, snapshot=snapshot, cache=cache, source=s2)
        renamed, mapping = realias(cat, online)
        assert mapping == {"paper-2": "lovelace2025", "paper-3": "sparse-widgets"}
        assert list(renamed.seeds) == ["rafailov2023", "lovelace2025", "sparse-widgets", "paper-4"]
        assert [st[0] for st in renamed.get_lineage("new").stages] == list(renamed.seeds)
        # later, offline: the cache answers, and the same file gets the same names
        offline = resolve_entries(cat, snapshot=snapshot, cache=cache)
        assert realias(cat, offline)[1] == mapping
    finally:
        cache.close()
