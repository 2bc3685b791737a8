"""graph.present.export: every format round-trips and nothing hostile leaks."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import bibtexparser
import networkx as nx
import pytest

from graph.core.errors import LineageError
from graph.present.export import (
    CSV_COLUMNS,
    FORMATS,
    bibtex_unescape,
    citation_keys,
    export_graph,
    flatten_for_xml,
    graph_from_json,
    write_export,
)
from tests.graphs import synthetic_graph, xss_graph


@pytest.fixture(scope="module", params=["synthetic", "xss"])
def G(request: pytest.FixtureRequest) -> nx.DiGraph:
    return synthetic_graph(400, seed=4) if request.param == "synthetic" else xss_graph()


def _edges(H: nx.DiGraph) -> set[tuple[str, str]]:
    return {(str(u), str(v)) for u, v in H.edges}


def test_json_roundtrip(G: nx.DiGraph) -> None:
    text = export_graph(G, "json")
    assert isinstance(text, str)
    H = nx.node_link_graph(json.loads(text), edges="edges", source="from", target="to")
    assert nx.utils.edges_equal(graph_from_json(text).edges, G.edges)
    assert H.is_directed()
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    assert {(u, v): d for u, v, d in H.edges(data=True)} == {(u, v): d for u, v, d in G.edges(data=True)}
    assert H.graph == G.graph


def test_graphml_roundtrip(G: nx.DiGraph) -> None:
    data = export_graph(G, "graphml")
    assert isinstance(data, bytes)
    H = nx.read_graphml(io.BytesIO(data))
    assert set(H) == {str(n) for n in G} and _edges(H) == _edges(G)
    for n, d in G.nodes(data=True):
        h = H.nodes[str(n)]
        assert h["title"] == d["title"]
        assert h["authors"] == "; ".join(d["authors"])
        if d["year"] is not None:
            assert h["year"] == d["year"]
        else:
            assert "year" not in h
        for name, score in d["lineages"].items():
            assert h[f"lineage:{name}"] == pytest.approx(score)
        assert h["is_seed"] is d["is_seed"]


def test_gexf_roundtrip(G: nx.DiGraph) -> None:
    data = export_graph(G, "gexf")
    assert isinstance(data, bytes)
    H = nx.read_gexf(io.BytesIO(data))
    assert set(H) == {str(n) for n in G} and _edges(H) == _edges(G)
    some = next(iter(G))
    assert H.nodes[str(some)]["title"] == G.nodes[some]["title"]
    assert "viz" in H.nodes[str(some)]


def test_flatten_handles_none_dicts_and_mixed_types() -> None:
    G = nx.DiGraph()
    G.add_node("a", x=1, y=None, z={"k": [1, 2]}, w="ok\x00\x07bad")
    G.add_node("b", x=2.5)
    G.add_node("c", x="three")
    G.graph.update(lineages={"l": [["a"]]}, none=None)
    H = flatten_for_xml(G)
    assert "y" not in H.nodes["a"] and H.nodes["a"]["w"] == "okbad"
    assert {type(H.nodes[n]["x"]) for n in H} == {str}
    assert json.loads(H.graph["lineages"]) == {"l": [["a"]]} and "none" not in H.graph
    nx.read_graphml(io.BytesIO(export_graph(G, "graphml")))


def test_bibtex_parses_back(G: nx.DiGraph) -> None:
    text = export_graph(G, "bibtex")
    assert isinstance(text, str)
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks
    assert len(lib.entries) == G.number_of_nodes()
    keys = citation_keys(G)
    by_key = {e.key: e for e in lib.entries}
    assert set(by_key) == set(keys.values())
    assert all(k.isascii() and re.fullmatch(r"[A-Za-z0-9_:\-.]+", k) for k in by_key)
    for node, d in G.nodes(data=True):
        entry = by_key[keys[node]]
        assert bibtex_unescape(entry.fields_dict["title"].value) == " ".join(d["title"].split())
        assert entry.entry_type in ("article", "book", "misc")
        fields = entry.fields_dict
        if "url" in fields:
            assert fields["url"].value.startswith("https://")
        if "eprint" in fields:
            assert fields["archiveprefix"].value == "arXiv"


def test_bibtex_fields() -> None:
    G = nx.DiGraph()
    G.add_node("arxiv:1706.03762", title="Attention Is All You Need", authors=["Ashish Vaswani", "Noam Shazeer"],
               year=2017, venue="NeurIPS", arxiv_id="1706.03762", doi="10.5555/3295222.3295349", kind="paper",
               alias="transformer", url=None)
    G.add_node("b", title="A Book", authors=["R. Sutton"], year=1998, venue="MIT Press", kind="book")
    lib = bibtexparser.parse_string(export_graph(G, "bibtex"))
    e = {x.key: x for x in lib.entries}
    t = e["transformer"]
    assert t.entry_type == "article"
    f = {k: v.value for k, v in t.fields_dict.items()}
    assert f["author"] == "Ashish Vaswani and Noam Shazeer" and f["year"] == "2017" and f["journal"] == "NeurIPS"
    assert f["eprint"] == "1706.03762" and f["archiveprefix"] == "arXiv" and f["doi"] == "10.5555/3295222.3295349"
    assert f["url"] == "https://arxiv.org/abs/1706.03762"
    assert e["sutton1998book"].entry_type == "book"


def _ris_records(text: str) -> list[list[str]]:
    records, cur = [], []
    for line in text.splitlines():
        if not line:
            continue
        assert re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), line
        cur.append(line)
        if line.startswith("ER  -"):
            records.append(cur)
            cur = []
    assert not cur
    return records


def test_ris_records(G: nx.DiGraph) -> None:
    text = export_graph(G, "ris")
    records = _ris_records(text)
    assert len(records) == G.number_of_nodes()
    assert all(r[0].startswith("TY  - ") and r[-1] == "ER  - " for r in records)
    titles = [next(line[6:] for line in r if line.startswith("TI  - ")) for r in records]
    assert titles == [" ".join(d["title"].split()) for _, d in G.nodes(data=True)]
    for r in records:
        for line in r:
            if line.startswith("UR  - "):
                assert line[6:].startswith("https://")


def test_csv_rows(G: nx.DiGraph) -> None:
    text = export_graph(G, "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == G.number_of_nodes()
    for row, (node, d) in zip(rows, G.nodes(data=True), strict=True):
        assert row["key"] == str(node) and row["title"] == d["title"]
        assert row["in_degree"] == str(G.in_degree(node)) and row["out_degree"] == str(G.out_degree(node))
        assert row["is_seed"] == str(d["is_seed"])


def test_html_export_is_offline_explorer(G: nx.DiGraph) -> None:
    page = export_graph(G, "html", title="Export <test>")
    assert isinstance(page, str)
    assert "<h1>Export &lt;test&gt;</h1>" in page
    assert 'id="search"' in page and 'id="details"' in page and 'id="legend"' in page
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<img" not in page.lower() and "innerHTML" not in page


def test_write_export(tmp_path: Path) -> None:
    G = synthetic_graph(50)
    for fmt, spec in FORMATS.items():
        path = write_export(G, fmt, tmp_path / f"out.{spec.extension}")
        out = export_graph(G, fmt)
        if fmt == "html":  # fresh CSP nonce per page
            assert len(path.read_bytes()) == len(out.encode())  # type: ignore[union-attr]
        else:
            assert path.read_bytes() == (out if isinstance(out, bytes) else out.encode())
        assert isinstance(out, bytes) is spec.binary


def test_unknown_format() -> None:
    with pytest.raises(LineageError, match="format"):
        export_graph(nx.DiGraph(), "docx")


def test_empty_graph_exports() -> None:
    for fmt in FORMATS:
        export_graph(nx.DiGraph(), fmt)


def test_csv_neutralises_spreadsheet_formulas() -> None:
    import csv as _csv
    import io as _io

    G = nx.DiGraph()
    G.add_node("title:x", title='=HYPERLINK("http://evil.example","click")', authors=["@SUM(A1)"], venue="+1")
    row = next(iter(_csv.DictReader(_io.StringIO(export_graph(G, "csv")))))
    assert row["title"].startswith("'=") and row["authors"].startswith("'@") and row["venue"] == "'+1"
