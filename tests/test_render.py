"""graph.present.render / graph.present.layout: escaping, offline page, legend, styles, options, speed."""

from __future__ import annotations

import itertools
import json
import re
from html.parser import HTMLParser

import networkx as nx
import pytest

from graph.core.errors import LineageError
from graph.present.layout import force_layout, text_width, time_axis_start, time_columns, time_layout
from graph.present.render import TOP_LABELS, paper_links, render_html, script_safe_json
from tests.graphs import load_xss_corpus, synthetic_graph, xss_graph

URL_TAGS = {"script", "link", "img", "iframe", "frame", "embed", "object", "source", "video", "audio", "base", "form"}


class _Tags(HTMLParser):
    """Collects start tags and the text of <script> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in_script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = dict(attrs)
            self.scripts.append((self._in_script, ""))

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def parse(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


def data_of(page: str) -> dict:
    (attrs, text), = [s for s in parse(page).scripts if s[0].get("id") == "lineage-data"]
    assert attrs.get("type") == "application/json"
    return json.loads(text)


@pytest.fixture(scope="module")
def small() -> nx.DiGraph:
    return synthetic_graph(300, seed=1)


@pytest.fixture(scope="module")
def xss_page() -> str:
    G = xss_graph()
    return render_html(G, title=G.nodes["xss:1"]["title"], highlight={"xss:2": "frontier", "xss:3": "missing-ancestor"})


def test_no_external_resources(small: nx.DiGraph) -> None:
    for explorer in (False, True):
        page = render_html(small, explorer=explorer)
        for tag, attrs in parse(page).tags:
            for name in ("src", "href", "data", "action", "srcset"):
                value = attrs.get(name) or ""
                assert "://" not in value and not value.startswith("//"), (tag, name, value)
            if tag in URL_TAGS and tag != "script":
                raise AssertionError(f"unexpected resource tag <{tag}>")
        assert "bootstrap" not in page.lower() and "cdn.jsdelivr" not in page and "cdnjs" not in page
        assert "Content-Security-Policy" in page and "default-src 'none'" in page
        # every script runs only with the page nonce (the data block is inert JSON)
        scripts = parse(page).scripts
        runnable = [a for a, _ in scripts if a.get("type") != "application/json"]
        assert runnable and all(a.get("nonce") for a in runnable)
        assert len({a.get("nonce") for a in runnable}) == 1


def test_xss_text_never_reaches_markup(xss_page: str) -> None:
    lowered = xss_page.lower()
    for needle in ("<img", "<svg", "<iframe", "<details", "<math", "<body onload", "<a href"):
        assert needle not in lowered, needle
    # only our own script tags: vis-network + page script, plus the JSON block
    assert [t for t, _ in parse(xss_page).tags if t == "script"] == ["script"] * 3
    # the page title is escaped
    assert "<title>&quot; onmouseover=&quot;" in xss_page or "<title>&lt;" in xss_page


def test_data_json_is_script_safe_and_lossless(xss_page: str) -> None:
    G = xss_graph()
    data = data_of(xss_page)
    raw = xss_page.split('id="lineage-data">', 1)[1].split("</script>", 1)[0]
    assert not set(raw) & {"<", ">", "&", "\u2028", "\u2029"}
    assert data["id"] == [str(n) for n in G]
    assert data["title"] == [G.nodes[n]["title"] for n in G]  # exact text, not HTML-escaped
    assert set(load_xss_corpus()) <= set(data["title"])
    assert len(data["from"]) == len(data["to"]) == G.number_of_edges()


def test_script_safe_json_roundtrip() -> None:
    value = {"a": "</script><!--<script>", "b": "\u2028\u2029&", "c": [1, 2.5, None, True]}
    text = script_safe_json(value)
    assert json.loads(text) == value
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text


def test_legend_escaped_and_complete(xss_page: str) -> None:
    legend = xss_page.split('<div id="legend"', 1)[1].split("</div>", 1)[0]
    assert "&lt;img src=x onerror=window.__xss++&gt;" in legend
    assert "normal" in legend and "no lineage" in legend
    assert "seed" in legend and "frontier" in legend and "missing ancestor" in legend


@pytest.mark.parametrize("color_by", ["lineage", "year", "role"])
def test_color_schemes(small: nx.DiGraph, color_by: str) -> None:
    page = render_html(small, color_by=color_by)  # type: ignore[arg-type]
    data = data_of(page)
    assert len(data["color"]) == small.number_of_nodes()
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in data["color"])
    assert len(set(data["color"])) >= 3
    assert f"Colour: {color_by}" in page


def test_sizes(small: nx.DiGraph) -> None:
    by_cites = data_of(render_html(small, size_by="citations"))["size"]
    by_degree = data_of(render_html(small, size_by="degree"))["size"]
    assert by_cites != by_degree
    assert all(8 <= s <= 40 for s in by_cites + by_degree)


def test_special_styles_are_distinct(small: nx.DiGraph) -> None:
    nodes = list(small)
    plain = [n for n in nodes if not small.nodes[n]["is_seed"]]
    seed = next(n for n in nodes if small.nodes[n]["is_seed"])
    hl = {plain[0]: "missing-ancestor", plain[1]: "frontier", plain[2]: "focus", "not-in-graph": "focus"}
    data = data_of(render_html(small, highlight=hl))
    styles = {data["id"][i]: kind for i, kind in data["styles"]}
    assert styles[seed] == "seed"
    assert styles[plain[0]] == "missing-ancestor" and styles[plain[1]] == "frontier" and styles[plain[2]] == "focus"
    labelled = {data["id"][i] for i, _ in data["labels"]}
    assert {seed, plain[0], plain[1], plain[2]} <= labelled
    js = render_html(small).split('<script nonce="')[-1]
    for shape in ('"star"', '"diamond"', '"triangle"', "borderDashes"):
        assert shape in js


def test_options_still_graph_with_arrows(small: nx.DiGraph) -> None:
    options = data_of(render_html(small))["options"]
    assert options["physics"]["enabled"] is False
    assert options["edges"]["arrows"]["to"]["enabled"] is True
    assert options["layout"]["improvedLayout"] is False


def test_window_hooks_present(small: nx.DiGraph) -> None:
    page = render_html(small)
    assert "window.__lineage" in page and "window.network" in page


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"color_by": "shoe"}, "color_by"), ({"size_by": "x"}, "size_by"), ({"layout": "x"}, "layout"),
    ({"height": "1px;}</style><script>"}, "height"), ({"highlight": {"a": "bogus"}}, "highlight"),
])
def test_bad_options_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(LineageError, match=match):
        render_html(nx.DiGraph([("a", "b")]), **kwargs)


def test_colliding_string_keys_raise() -> None:
    G = nx.DiGraph()
    G.add_nodes_from([1, "1"])
    with pytest.raises(LineageError):
        render_html(G)


def test_empty_and_bare_graphs() -> None:
    assert data_of(render_html(nx.DiGraph()))["id"] == []
    G = nx.DiGraph([(1, 2), (2, 3)])  # no attributes at all, int nodes
    for layout in ("time", "force"):
        data = data_of(render_html(G, layout=layout, color_by="year", size_by="degree"))  # type: ignore[arg-type]
        assert data["id"] == ["1", "2", "3"] and data["from"] == [0, 1]


def test_nan_values_do_not_break_json() -> None:
    G = nx.DiGraph()
    G.add_node("a", lineages={"x": float("nan")}, citation_count=float("inf"), year=float("nan"))
    json.loads(render_html(G).split('id="lineage-data">', 1)[1].split("</script>", 1)[0])


def test_paper_links_reject_hostile_values() -> None:
    G = xss_graph()
    for _, d in G.nodes(data=True):
        for _label, url in paper_links(d):
            assert url.startswith("https://") and not re.search(r"[\s\"'<>`]", url)
    assert paper_links({"url": "javascript:alert(1)", "arxiv_id": "javascript:alert(1)"}) == []
    assert paper_links({"doi": "10.1234/a<b"}) == [("DOI", "https://doi.org/10.1234/a%3Cb")]


def test_time_layout_bands_and_years() -> None:
    G = synthetic_graph(500, seed=2)
    pos = time_layout(G)
    assert len(pos) == 500 and len(set(pos.values())) == 500
    dated = [(G.nodes[n]["year"], pos[n][0]) for n in G if G.nodes[n]["year"]]
    dated.sort()
    # x is monotone in year up to the in-cell spread
    assert all(x2 > x1 - 200 for (_, x1), (_, x2) in itertools.pairwise(dated))
    undated = [pos[n][0] for n in G if G.nodes[n]["year"] is None]
    assert not undated or max(undated) < min(x for _, x in dated)


def test_force_layout_places_every_node_of_10k() -> None:
    G = synthetic_graph(10_000, seed=1)
    pos = force_layout(G)  # its speed is measured in bench/render.py
    assert len(pos) == 10_000




def test_time_axis_is_honest_with_a_break() -> None:
    G = synthetic_graph(2000, seed=4)
    G.add_node("old-1", year=1952)
    G.add_node("old-2", year=1961)
    nodes, xs, ys = time_columns(G)
    assert dict(zip(nodes, zip(xs, ys, strict=True), strict=True)) == time_layout(G)
    years = {n: G.nodes[n].get("year") for n in G}
    start = time_axis_start([y for y in years.values() if y is not None])
    centre: dict[int, list[float]] = {}
    for n, x in zip(nodes, xs, strict=True):
        if years[n] is not None:
            centre.setdefault(int(years[n]), []).append(x)
    mid = {y: (min(v) + max(v)) / 2 for y, v in centre.items()}
    linear = sorted(y for y in mid if y >= start)
    steps = [(mid[b] - mid[a]) / (b - a) for a, b in itertools.pairwise(linear)]
    assert max(steps) - min(steps) < 0.05 * max(steps)  # equal years, equal widths (empty years too)
    olds = sorted(y for y in mid if y < start)
    assert olds == [1952, 1961] or 1952 in olds
    assert max(mid[y] for y in olds) < min(mid[y] for y in linear)
    assert (mid[olds[-1]] - mid[olds[0]]) / (olds[-1] - olds[0]) < min(steps)  # compressed
    axis = data_of(render_html(G))
    assert axis["axis_break"] and str(olds[0]) in axis["axis_break"][1]


def test_full_view_labels_only_top_papers_without_overlaps() -> None:
    G = synthetic_graph(3000, seed=7)
    data = data_of(render_html(G))
    labelled = [i for i, _ in data["labels"]]
    seeds = sum(1 for _, d in G.nodes(data=True) if d.get("is_seed"))
    assert 0 < len(labelled) <= seeds + TOP_LABELS
    indeg = dict(G.in_degree)
    top = max(G, key=lambda n: (indeg[n], -list(G).index(n)))
    assert data["id"].index(top) in labelled  # the most cited paper is labelled
    size = data["label_px"]
    boxes = []
    for i, text in data["labels"]:
        half = text_width(text, size) / 2
        boxes.append((data["x"][i] - half, data["y"][i], data["x"][i] + half, data["y"][i] + 1.7 * size))
    for a, b in itertools.combinations(boxes, 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # the fitted region holds every node and the axis above them
    v = data["view"]
    assert v["x0"] < min(data["x"]) and max(data["x"]) < v["x1"] and v["y0"] < data["axis_y"] + 60
    assert data["seeds"] == [str(n) for n, d in G.nodes(data=True) if d.get("is_seed") or d.get("role") == "seed"]
