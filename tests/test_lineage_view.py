"""graph.present.lineage_view + lineage_layout + render_html(layout="lineage"), without a browser.

The browser half (real label boxes measured in Chromium) is tests/test_browser_lineage.py.
"""

from __future__ import annotations

import itertools
import json
import random

import networkx as nx
import pytest

from graph.present.layout import NONE_MARKER, label_lines, lineage_layout, text_width
from graph.present.lineage_view import build_lineage_view, short_label
from graph.present.render import render_html
from graph.present.style import VERDICT_STYLES, VIEW_ROLES
from tests.graphs import load_xss_corpus, xss_graph


def chain_graph(seed: int = 0, n_other: int = 120) -> tuple[nx.DiGraph, list[list[str]]]:
    """A random citation DAG around a declared chain s0 -> {s1, s2} -> s3 (years 2015, 2018, 2018, 2022)."""
    rng = random.Random(seed)
    G = nx.DiGraph()
    stages = [["s0"], ["s1", "s2"], ["s3"]]
    years = {"s0": 2015, "s1": 2018, "s2": 2018, "s3": 2022}
    for k, y in years.items():
        G.add_node(k, year=y, is_seed=True, alias=f"alias-{k}", authors=[f"Ann Seed{k}"], title=f"Seed paper {k}")
    for i in range(n_other):
        k = f"p{i}"
        G.add_node(k, year=rng.choice([None, 1960, 1999, *range(2005, 2026)]), authors=[f"Bo Author{i}"],
                   title=f"A paper about things number {i} with a rather long title")
    nodes = list(G)
    for u in nodes:
        for v in rng.sample(nodes, 4):
            yu, yv = G.nodes[u].get("year") or 0, G.nodes[v].get("year") or 0
            if u != v and yu >= yv:
                G.add_edge(u, v)
    G.add_edges_from([("s1", "s0"), ("s3", "s1")])  # s0 -> s1 direct, s1 -> s3 direct
    G.add_edges_from([("s2", "p0"), ("p0", "s0")])  # s0 -> s2 through p0
    G.remove_edges_from([("s2", "s0"), ("s3", "s2")] + [("s3", x) for x in G.successors("s2")])
    G.nodes["p0"]["year"] = 2016
    return G, stages


def view(G: nx.DiGraph, stages: list[list[str]], **kw: object) -> nx.DiGraph:
    anc = [k for k in G if not k.startswith("s") and any(G.has_edge(s, k) for s in ("s0", "s1", "s2", "s3"))]
    fro = [k for k in G if not k.startswith("s") and sum(G.has_edge(k, s) for s in ("s0", "s1", "s2", "s3")) >= 2]
    return build_lineage_view(G, stages=stages, verdicts=None, ancestors=anc[:10], frontier=fro[:10],
                              main_path=kw.pop("main_path", None), main_path_edges=kw.pop("main_path_edges", None),
                              **kw)  # type: ignore[arg-type]


def test_roles_labels_and_verdicts() -> None:
    G, stages = chain_graph()
    H = view(G, stages)
    assert H.graph["view_seeds"] == ["s0", "s1", "s2", "s3"]
    assert {H.nodes[s]["view_role"] for s in H.graph["view_seeds"]} == {"seed"}
    assert set(nx.get_node_attributes(H, "view_role").values()) <= set(VIEW_ROLES)
    assert H.nodes["s0"]["label"] == "Seeds0 2015 · alias-s0"
    assert all(H.nodes[k]["local_citations"] == G.in_degree(k) for k in H)
    declared = {(a, b): d for a, b, d in H.edges(data=True) if d.get("declared")}
    assert declared[("s0", "s1")]["verdict"] == "direct"
    assert declared[("s0", "s2")]["verdict"] == "path" and declared[("s0", "s2")]["via"] == ["p0"]
    assert declared[("s2", "s3")]["verdict"] == "none"
    assert "p0" in H  # the paper a "path" verdict goes through is shown
    assert len(H) <= 50


def test_max_nodes_keeps_every_seed() -> None:
    G, stages = chain_graph()
    for cap in (2, 10, 30):
        H = view(G, stages, max_nodes=cap)
        assert set(H.graph["view_seeds"]) == {"s0", "s1", "s2", "s3"}
        assert len(H) == max(cap, 4) if cap <= 10 else 4 < len(H) <= cap


def test_edges_are_the_transitive_reduction_with_cycles_kept() -> None:
    G, stages = chain_graph(seed=3)
    G.add_edges_from([("p5", "p6"), ("p6", "p5"), ("s3", "p5"), ("s3", "p6")])  # preprints citing each other
    H = view(G, stages, max_nodes=200)
    cites = nx.DiGraph((u, v) for u, v, d in H.edges(data=True) if d.get("citation"))
    S = G.subgraph(H)
    # same reachability as the shown citations, and no edge implied by a longer path
    for u in H:
        assert (nx.descendants(cites, u) if u in cites else set()) == nx.descendants(S, u)
    C = nx.condensation(S)
    comp = C.graph["mapping"]
    reduced = set(nx.transitive_reduction(C).edges)
    assert all((comp[u], comp[v]) in reduced for u, v in cites.edges if comp[u] != comp[v])
    assert cites.has_edge("p5", "p6") and cites.has_edge("p6", "p5")
    assert H.graph["view_cycles"] >= 1
    full = view(G, stages, max_nodes=200, all_edges=True)
    assert sum(1 for *_, d in full.edges(data=True) if d.get("citation")) == S.number_of_edges()


def test_main_path_flags() -> None:
    G, stages = chain_graph()
    H = view(G, stages, main_path=["s3", "s1", "s0"])
    assert H.edges["s3", "s1"]["main_path"] and H.edges["s1", "s0"]["main_path"]
    assert H.nodes["s1"]["on_main_path"] and H.nodes["s1"]["view_role"] == "seed"
    H2 = view(G, stages, main_path=None, main_path_edges=[("s0", "s1")])  # given against the citation
    assert H2.edges["s1", "s0"]["main_path"]


def test_short_label_names() -> None:
    assert short_label({"authors": ["Vaswani, Ashish"], "year": 2017, "title": "Attention Is All You Need"}) == (
        "Vaswani 2017 · Attention Is All You Need")
    assert short_label({"authors": ["A. B. Smith"], "year": 2001.0, "title": "x" * 80}).endswith("…")


def test_layout_is_honest_deterministic_and_collision_free() -> None:
    G, stages = chain_graph(seed=1)
    H = view(G, stages, max_nodes=60)
    L = lineage_layout(H, stages, 1180, 800)
    assert lineage_layout(H, stages, 1180, 800) == L
    assert set(L.hidden).isdisjoint(H.graph["view_seeds"])
    assert set(L.pos) | set(L.hidden) == set(H)
    # every box inside the canvas, no two boxes overlapping
    for b in L.boxes.values():
        assert b[0] >= 0 and b[2] <= L.width and b[1] >= 0 and b[3] <= L.height
    for (_, a), (_, b) in itertools.combinations(L.boxes.items(), 2):
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])
    # equal years take equal widths; a paper sits inside its year's band
    widths = [x1 - x0 for x0, x1, _ in L.years]
    assert max(widths) - min(widths) <= 0.2  # positions are rounded to 0.1 px
    band = {y: (x0, x1) for x0, x1, y in L.years}
    for k, (x, _) in L.pos.items():
        y = H.nodes[k].get("year")
        if y in band:
            assert band[y][0] <= x <= band[y][1]
        else:  # old or undated: in the compressed zone, left of every year band
            assert L.zone is not None and L.zone[0] <= x <= L.zone[1] < min(band.values())[0]
    # declared stages left to right where their years differ
    assert L.pos["s0"][0] < L.pos["s1"][0] < L.pos["s3"][0]
    # labels measured with the font metrics: the box is at least as wide as the widest line
    for k, (x0, _, x1, _) in L.boxes.items():
        assert x1 - x0 >= max(text_width(t, L.font_size) for t in L.labels[k].split("\n"))


def test_label_lines_and_width() -> None:
    assert label_lines("A 2020 · b · c") == ["A 2020", "b · c"]
    assert text_width("W", 10) > text_width("i", 10) > 0


def test_render_lineage_page_data() -> None:
    G, stages = chain_graph()
    H = view(G, stages, main_path=["s3", "s1", "s0"])
    page = render_html(H, layout="lineage", explorer=True, title="chain")
    data = json.loads(page.split('id="lineage-data">', 1)[1].split("</script>", 1)[0])
    assert data["mode"] == "lineage" and data["seeds"][0] == "s0"
    assert len(data["labels"]) == len(data["id"])  # every paper labelled
    assert set(data["ekind"]) >= {"direct", "path", "main", "cite"}
    assert any(m[3] == NONE_MARKER for m in data["markers"]) or "none" in data["ekind"]
    assert data["options"]["physics"]["enabled"] is False
    legend = page.split('<div id="legend"', 1)[1].split("</div>", 1)[0]
    for v in ("direct", "path", "none"):
        assert VERDICT_STYLES[v]["legend"] in legend
    assert VIEW_ROLES["seed"]["legend"] in legend
    assert {s for s in data["shape"]} <= {r["shape"] for r in VIEW_ROLES.values()}


def test_render_lineage_escapes_everything() -> None:
    G = xss_graph()
    keys = list(G)[:6]
    H = build_lineage_view(G, stages=[[keys[0]], [keys[1]]], verdicts=None, ancestors=keys[2:4],
                           frontier=keys[4:6], main_path=None, main_path_edges=None)
    page = render_html(H, layout="lineage", explorer=True, title=G.nodes[keys[0]]["title"])
    lowered = page.lower()
    for needle in ("<img", "<svg", "<iframe", "<details", "<a href"):
        assert needle not in lowered
    raw = page.split('id="lineage-data">', 1)[1].split("</script>", 1)[0]
    assert not set(raw) & {"<", ">", "&"}
    data = json.loads(raw)
    assert set(data["title"]) <= set(load_xss_corpus()) | {None}


@pytest.mark.parametrize("bad", [{"stages": [["nope"]]}, {"stages": []}])
def test_degenerate_views_render(bad: dict) -> None:
    G, _ = chain_graph()
    H = build_lineage_view(G, stages=bad["stages"], verdicts=[], ancestors=[], frontier=[], main_path=None,
                           main_path_edges=None)
    assert len(H) == 0
    assert "lineage-data" in render_html(H, layout="lineage")
