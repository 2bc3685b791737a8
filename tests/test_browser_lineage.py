"""The lineage view in real Chromium (1500 × 1000): labels never overlap, nothing is clipped, seeds labelled.

For every shipped lineage and for an uploaded BibTeX list, the graph is built offline (embedded snapshot),
the analysis layer gives the missing ancestors, the frontier and the chain verdicts (and the main path
when ``graph.analyse.mainpath`` exists), :func:`graph.present.lineage_view.build_lineage_view` picks the
view and the HTML export draws it. The page is opened in ONE headless Chromium for all lineages, and
``window.__lineage.network`` is read at the initial zoom:

- node positions: ``network.getPositions()``, mapped to the screen with ``network.canvasToDOM``;
- label boxes: vis-network's own label placement (``labelModule.size.top``) with the width of every
  line measured in the page by a canvas 2d context in the label's font (``measureText``) and one font
  size per line; node boxes: 1.2 × the node ``size`` (stars and triangles reach a little beyond it).

Asserted: 0 overlapping boxes (label/label, label/node, node/node), 0 boxes outside the canvas, every
seed of ``window.__lineage.seeds`` labelled at ≥ 9 px on screen, declared stages ordered left to right
where their years differ, every paper inside the band of its year (ticks are centred over the bands),
and no request left the page.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from graph.analyse.analysis import check_chain, frontier, missing_ancestors
from graph.assemble.expand import build_graph
from graph.catalogue.load import load_catalogue
from graph.present.export import export_graph
from graph.present.lineage_view import build_lineage_view
from tests.browser import block_network, launch_chromium, require_browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent
BIB = ROOT / "data" / "seeds" / "good_refs.bib"
VIEWPORT = {"width": 1500, "height": 1000}
LINEAGES = list(load_catalogue(None).lineages)

MEASURE = """
() => {
  const L = window.__lineage, net = L.network;
  const canvas = document.querySelector('#mynetwork canvas');
  const pos = net.getPositions();
  const scale = net.getScale();
  const ctx = document.createElement('canvas').getContext('2d');
  const dom = (x0, y0, x1, y1) => {
    const a = net.canvasToDOM({x: x0, y: y0}), b = net.canvasToDOM({x: x1, y: y1});
    return [a.x, a.y, b.x, b.y];
  };
  const items = [];
  for (const id of Object.keys(pos)) {
    const node = net.body.nodes[id], o = node.options, p = pos[id];
    const label = typeof o.label === 'string' ? o.label : '';
    const f = node.labelModule.fontOptions;
    const threshold = (o.scaling && o.scaling.label && o.scaling.label.drawThreshold) || 5;
    let lab = null;
    if (label && f.size * scale >= threshold) {
      ctx.font = f.size + 'px ' + f.face;
      const lines = label.split('\\n');
      const w = Math.max(...lines.map(t => ctx.measureText(t).width));
      const h = lines.length * f.size;
      const top = o.shape === 'text' ? p.y - h / 2 : node.labelModule.size.top;
      lab = dom(p.x - w / 2, top, p.x + w / 2, top + h);
    }
    const e = 1.2 * o.size;
    items.push({id, label, shape: o.shape, x: p.x, y: p.y, fontPx: f.size * scale, lab,
                node: o.shape === 'text' ? null : dom(p.x - e, p.y - e, p.x + e, p.y + e)});
  }
  return {W: canvas.clientWidth, H: canvas.clientHeight, scale, items, seeds: L.seeds, years: L.years,
          markers: L.markers, stable: L.stable};
}
"""


def _overlap(a: list[float] | None, b: list[float] | None, tol: float = 0.5) -> bool:
    return bool(a and b and a[0] < b[2] - tol and b[0] < a[2] - tol and a[1] < b[3] - tol and b[1] < a[3] - tol)


def _main_path(G: nx.DiGraph, name: str) -> tuple[list[str] | None, list[tuple[str, str]] | None]:
    """The main path when the analysis layer has it (it may land after this view); else (None, None)."""
    try:
        from graph.analyse.mainpath import main_path  # type: ignore[import-not-found]
    except ImportError:
        return None, None
    res: Any = main_path(G, lineage=name)
    nodes = getattr(res, "nodes", None)
    edges = getattr(res, "edges", None)
    if isinstance(res, dict):
        nodes, edges = res.get("nodes"), res.get("edges")
    elif nodes is None and isinstance(res, (list, tuple)):
        nodes = list(res)
    return (list(nodes) if nodes is not None else None,
            [tuple(e) for e in edges] if edges is not None else None)  # type: ignore[misc]


def build_view(name: str, catalogue_path: Path | None = None) -> tuple[nx.DiGraph, nx.DiGraph, list[list[str]]]:
    """(G, view, stages as node keys) for one lineage, offline, as the issue specifies."""
    cat = load_catalogue(catalogue_path)
    G = build_graph(cat, lineages=[name], depth=2, direction="both", later_direction="references", hop_limit=400,
                    offline=True)
    key_of = G.graph["seed_keys"]
    lin = cat.get_lineage(name)
    stages = [[key_of[a] for a in stage if a in key_of] for stage in lin.stages]
    arrows = [(key_of[a], key_of[b]) for a, b in lin.arrows() if a in key_of and b in key_of]
    verdicts = [v.to_dict() for v in check_chain(G, arrows)]
    mp_nodes, mp_edges = _main_path(G, name)
    H = build_lineage_view(
        G, stages=stages, verdicts=verdicts,
        ancestors=[r.paper_id for r in missing_ancestors(G, lineage=name, top=10)],
        frontier=[r.paper_id for r in frontier(G, lineage=name, top=10)],
        main_path=mp_nodes, main_path_edges=mp_edges,
        members=[key_of[a] for a in lin.members if a in key_of],
    )
    return G, H, stages


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    """One Chromium page for every lineage (1500 × 1000, every non-local request aborted and recorded)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = launch_chromium(pw, viewport=VIEWPORT)
        attempted = block_network(context)
        pg = context.new_page()
        pg.attempted = attempted  # type: ignore[attr-defined]
        try:
            yield pg
        finally:
            context.close()


def measure(page: Any, path: Path) -> dict[str, Any]:
    page.goto(path.as_uri())
    page.wait_for_function("window.__lineage && window.__lineage.stable === true", timeout=30_000)
    return page.evaluate(MEASURE)


def assert_readable(m: dict[str, Any], G: nx.DiGraph, stages: list[list[str]]) -> None:
    items = m["items"]
    assert items, "nothing drawn"
    bad = []
    for a, b in itertools.combinations(items, 2):
        for ka, kb in (("lab", "lab"), ("lab", "node"), ("node", "lab"), ("node", "node")):
            if _overlap(a[ka], b[kb]):
                bad.append(f"{a['label'] or a['id']!r} {ka} × {b['label'] or b['id']!r} {kb}")
    assert bad == [], f"{len(bad)} overlapping boxes: {bad[:6]}"
    outside = [(it["label"] or it["id"], k) for it in items for k in ("lab", "node")
               if it[k] and (it[k][0] < 0 or it[k][1] < 0 or it[k][2] > m["W"] or it[k][3] > m["H"])]
    assert outside == [], f"outside the canvas: {outside[:6]}"
    by_id = {it["id"]: it for it in items}
    # every seed shown and labelled, legibly
    shown = [k for s in stages for k in s]
    assert m["seeds"][: len(shown)] == shown
    for s in m["seeds"]:
        assert by_id[s]["label"] and by_id[s]["lab"] is not None and by_id[s]["fontPx"] >= 9, s
    # declared stages left to right where their years differ
    for (i, si), (j, sj) in itertools.combinations(enumerate(stages), 2):
        for a in si:
            for b in sj:
                ya, yb = G.nodes[a].get("year"), G.nodes[b].get("year")
                if ya is not None and yb is not None and ya != yb:
                    assert (by_id[a]["x"] < by_id[b]["x"]) == (ya < yb), (a, b, i, j)
    # an honest axis: equal years, equal widths; every dated paper inside its year's band
    bands = {int(y): (x0, x1) for x0, x1, y in m["years"] or []}
    if bands:
        widths = [x1 - x0 for x0, x1 in bands.values()]
        assert max(widths) - min(widths) <= 0.2
        for it in items:
            y = G.nodes[it["id"]].get("year") if it["id"] in G else None
            if y in bands:
                assert bands[y][0] <= it["x"] <= bands[y][1], (it["label"], y)


@pytest.mark.parametrize("name", LINEAGES)
def test_lineage_view_readable(page: Any, name: str, tmp_path: Path) -> None:
    G, H, stages = build_view(name)
    path = tmp_path / f"{name}.html"
    path.write_text(str(export_graph(H, "html", title=name, layout="lineage")), encoding="utf-8")
    m = measure(page, path)
    assert len(m["items"]) - len(m["markers"]) >= min(30, len(H) - 5)  # the view is not emptied to pass
    assert_readable(m, G, [[k for k in s if k in H] for s in stages])
    assert page.attempted == []


def test_uploaded_bibtex_view_readable(page: Any, tmp_path: Path) -> None:
    name = next(iter(load_catalogue(BIB).lineages))
    G, H, stages = build_view(name, BIB)
    assert len(H.graph["view_seeds"]) == 3
    path = tmp_path / "bibtex.html"
    path.write_text(str(export_graph(H, "html", title="good_refs.bib", layout="lineage")), encoding="utf-8")
    m = measure(page, path)
    assert_readable(m, G, [[k for k in s if k in H] for s in stages])
    assert page.attempted == []


def test_click_highlights_ancestors_and_descendants(page: Any, tmp_path: Path) -> None:
    _, H, _ = build_view("attention")
    path = tmp_path / "attention.html"
    path.write_text(str(export_graph(H, "html", title="attention", layout="lineage")), encoding="utf-8")
    measure(page, path)
    first = page.evaluate("window.__lineage.seeds[0]")
    assert page.locator("#details h2").inner_text() == H.nodes[first]["title"]  # opens on the first seed
    seed = page.evaluate("window.__lineage.seeds[1]")
    xy = page.evaluate("""(id) => { const net = window.__lineage.network; const p = net.getPositions([id])[id];
        const d = net.canvasToDOM(p); const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
        return [r.left + d.x, r.top + d.y]; }""", seed)
    page.mouse.click(*xy)
    faded = page.evaluate("""() => { const net = window.__lineage.network;
        return Object.values(net.body.nodes).filter(n => n.options.opacity !== undefined && n.options.opacity < 1)
          .map(n => n.id); }""")
    shown = set(page.evaluate("Object.keys(window.__lineage.network.getPositions())"))
    shown -= set(page.evaluate("window.__lineage.markers"))
    cites = nx.DiGraph()
    cites.add_nodes_from(shown)
    cites.add_edges_from((u, v) for u, v, d in H.subgraph(shown).edges(data=True) if d.get("citation"))
    related = nx.descendants(cites, seed) | nx.ancestors(cites, seed) | {seed}
    assert set(faded) == shown - related and faded
    assert page.locator("#details h2").inner_text() == H.nodes[seed]["title"]  # the click opened its details


def test_full_view_exposes_network_and_clips_nothing(page: Any, tmp_path: Path) -> None:
    G, _, stages = build_view("user-sequence-modeling")
    path = tmp_path / "full.html"
    path.write_text(str(export_graph(G, "html", title="user-sequence-modeling")), encoding="utf-8")
    m = measure(page, path)
    assert page.evaluate("window.__lineage.mode") == "graph"
    assert set(k for s in stages for k in s) <= set(m["seeds"])
    assert len(m["items"]) == G.number_of_nodes()
    outside = [(it["label"] or it["id"], k) for it in m["items"] for k in ("lab", "node")
               if it[k] and (it[k][0] < 0 or it[k][1] < 0 or it[k][2] > m["W"] or it[k][3] > m["H"])]
    assert outside == [], f"clipped at the edges: {outside[:6]}"
    labelled = [it for it in m["items"] if it["lab"]]
    assert labelled and all(it["fontPx"] >= 9 for it in labelled)
    assert page.attempted == []
