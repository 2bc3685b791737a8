"""Untrusted responses: odd shapes from the (fake) Semantic Scholar never crash an expansion; sizes are
capped (graph.core.models MAX_TITLE / MAX_ABSTRACT / MAX_AUTHORS) and values validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.assemble.expand import NODE_ATTRS, build_graph
from graph.catalogue.load import load_catalogue
from graph.core.models import MAX_ABSTRACT, MAX_AUTHORS, MAX_TITLE
from graph.present.export import FORMATS, export_graph
from graph.present.render import render_html
from graph.store.cache import Cache
from tests.fakes.s2_server import FakeS2, s2_paper_id
from tests.test_faults import empty_snapshot, fast_settings

SEED = {
    "paperId": s2_paper_id("seed"),
    "externalIds": {"ArXiv": "2305.18290"},
    "title": "Direct Preference Optimization",
    "year": 2023,
    "authors": [{"authorId": "1", "name": "Rafael Rafailov"}],
}

ODD: dict[str, dict[str, Any]] = {
    "missing-fields": {"paperId": s2_paper_id("a")},
    "wrong-types": {
        "paperId": s2_paper_id("b"),
        "title": 12345,
        "year": "two thousand",
        "authors": "Someone",
        "venue": ["x"],
        "externalIds": ["ArXiv", "1"],
        "citationCount": "many",
        "influentialCitationCount": {"n": 1},
        "publicationDate": 20230101,
        "tldr": "not an object",
        "publicationTypes": "Book",
        "url": 7,
    },
    "huge-strings": {
        "paperId": s2_paper_id("c"),
        "title": "T" * 1_000_000,
        "abstract": "A" * 1_000_000,
        "venue": "V" * 100_000,
        "tldr": {"text": "L" * 1_000_000},
        "authors": [{"name": "N" * 100_000}],
    },
    "unknown-fields": {
        "paperId": s2_paper_id("d"),
        "title": "Unknown fields",
        "somethingNew": {"deep": [1, 2, 3]},
        "embedding": {"vector": [0.1] * 1000},
    },
    "ten-thousand-authors": {
        "paperId": s2_paper_id("e"),
        "title": "A paper with 10k authors",
        "authors": [{"authorId": str(i), "name": f"Author {i}"} for i in range(10_000)],
    },
    "bad-ids": {
        "paperId": s2_paper_id("f"),
        "title": "Bad external ids",
        "externalIds": {"ArXiv": "not-an-id", "DOI": "nope", "CorpusId": "x"},
    },
    "null-authors-items": {
        "paperId": s2_paper_id("g"),
        "title": "Null items inside authors",
        "authors": [None, 1, "x", {"name": None}, {"name": "Real Author"}],
    },
}


def _serve(fake: FakeS2, odd: dict[str, dict[str, Any]]) -> None:
    fake.add_raw(SEED)
    for raw in odd.values():
        fake.add_raw(raw)
        fake.add_edge(SEED["paperId"], raw["paperId"])  # the seed cites it
        fake.add_edge(raw["paperId"], SEED["paperId"])  # and it cites the seed


def _catalogue(tmp_path: Path) -> Any:
    p = tmp_path / "s.yaml"
    p.write_text("papers:\n  - {alias: dpo, arxiv: '2305.18290'}\nlineages:\n  one: [[dpo]]\n", encoding="utf-8")
    return load_catalogue(p)


def _expand(fake: FakeS2, tmp_path: Path) -> nx.DiGraph:
    return build_graph(
        _catalogue(tmp_path),
        settings=fast_settings(fake.url, tmp_path / "c", max_retries=2),
        snapshot=empty_snapshot(),
        offline=False,
    )


def _check_contract(G: nx.DiGraph) -> None:
    for n, d in G.nodes(data=True):
        assert set(NODE_ATTRS) <= set(d), n
        assert d["title"] is None or (isinstance(d["title"], str) and len(d["title"]) <= MAX_TITLE)
        assert d["abstract"] is None or len(d["abstract"]) <= MAX_ABSTRACT
        assert d["tldr"] is None or len(d["tldr"]) <= MAX_ABSTRACT
        assert d["venue"] is None or len(d["venue"]) <= 500
        assert isinstance(d["authors"], list) and len(d["authors"]) <= MAX_AUTHORS
        assert all(isinstance(a, str) and len(a) <= 300 for a in d["authors"])
        assert d["year"] is None or isinstance(d["year"], int)
        for k in ("citation_count", "influential_citation_count"):
            assert d[k] is None or isinstance(d[k], int)


@pytest.mark.parametrize("shape", list(ODD))
def test_odd_shape_never_crashes(shape: str, fake_s2: FakeS2, tmp_path: Path) -> None:
    _serve(fake_s2, {shape: ODD[shape]})
    G = _expand(fake_s2, tmp_path)
    _check_contract(G)
    assert G.graph["seed_keys"]["dpo"] == "arxiv:2305.18290"
    assert G.out_degree("arxiv:2305.18290") == 1 and G.in_degree("arxiv:2305.18290") == 1


def test_all_odd_shapes_together_render_export_and_cache(fake_s2: FakeS2, tmp_path: Path) -> None:
    _serve(fake_s2, ODD)
    G = _expand(fake_s2, tmp_path)
    _check_contract(G)
    assert G.number_of_nodes() == 1 + len(ODD)
    by_title = {d["title"]: d for _, d in G.nodes(data=True)}
    assert len(by_title["A paper with 10k authors"]["authors"]) == MAX_AUTHORS
    assert by_title["Null items inside authors"]["authors"] == ["Real Author"]
    assert by_title["12345"]["year"] is None and by_title["12345"]["citation_count"] is None
    assert by_title["Bad external ids"]["arxiv_id"] is None and by_title["Bad external ids"]["doi"] is None
    html = render_html(G)
    assert len(html) < 5_000_000
    for fmt in FORMATS:
        export_graph(G, fmt)
    with Cache(tmp_path / "c" / "cache.sqlite3") as c:
        assert c.integrity_check() == "ok"
    # the warm cache gives the same graph
    fake_s2.counts.clear()
    H = _expand(fake_s2, tmp_path)
    assert fake_s2.counts["total"] == 0
    assert set(H.nodes) == set(G.nodes) and set(H.edges) == set(G.edges)


class _RawListing(FakeS2):
    """A fake whose listing pages hold odd items: null, numbers, items without the nested paper."""

    def handle_listing(self, paper_id: str, direction: str, query: dict[str, str], fields: Any) -> tuple[int, Any]:
        status, body = super().handle_listing(paper_id, direction, query, fields)
        if status == 200:
            nested = "citedPaper" if direction == "references" else "citingPaper"
            body["data"] = [None, 7, "x", {"isInfluential": "yes"}, {nested: None}, {nested: [1]}, *body["data"]]
            body["unknownTopLevel"] = {"x": 1}
        return status, body

    def handle_batch(self, body: Any, fields: Any) -> tuple[int, Any]:
        status, out = super().handle_batch(body, fields)
        if status == 200:
            out = [x if x is None else {**x, "authors": [None, {"name": "Ok"}], "extra": [None]} for x in out]
        return status, out


def test_null_and_junk_items_in_data_lists(tmp_path: Path) -> None:
    with _RawListing() as fake:
        _serve(fake, {"unknown-fields": ODD["unknown-fields"]})
        G = _expand(fake, tmp_path)
    _check_contract(G)
    assert G.number_of_nodes() == 2 and G.number_of_edges() == 2
    assert G.nodes["arxiv:2305.18290"]["authors"] == ["Ok"]


def test_listing_data_not_a_list_is_retried_then_a_clear_error(tmp_path: Path) -> None:
    from graph.core.errors import ApiError

    class _NoList(FakeS2):
        def handle_listing(self, *a: Any, **k: Any) -> tuple[int, Any]:
            return 200, {"data": {"not": "a list"}, "next": "soon"}

    with _NoList() as fake:
        _serve(fake, {})
        with pytest.raises(ApiError) as e:
            _expand(fake, tmp_path)
        assert "malformed page" in str(e.value)
        assert fake.counts["references"] == 3  # 1 + max_retries
