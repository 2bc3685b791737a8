"""Rendered pages in real Chromium: drawn offline, searchable, clickable, and no injected script runs.

Pages are opened from ``file://`` with every non-local request aborted and recorded; a sentinel
``window.__xss`` (incremented by every corpus payload), ``page.on("dialog")`` (alert) and CSP violation
events must all stay silent, also after hovering (tooltip) and clicking (details panel) hostile nodes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pytest

from graph.present.export import write_export
from graph.present.render import render_html
from tests.browser import block_network, launch_chromium, require_browser
from tests.graphs import synthetic_graph, xss_graph

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

SENTINEL = """
window.__xss = 0;
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.sample || ""));
});
"""


class Session:
    """One browser context for the module; every test gets a fresh page and a fresh request log."""

    def __init__(self, context: BrowserContext, requests: list[str]) -> None:
        self.context = context
        self.requests = requests
        self.dialogs: list[str] = []

    def open(self, path: Path) -> Page:
        self.requests.clear()
        self.dialogs.clear()
        page = self.context.new_page()
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_function("window.__lineage && window.__lineage.stable === true", timeout=30_000)
        return page


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = launch_chromium(pw)
        try:
            requests = block_network(context)
            context.add_init_script(SENTINEL)
            yield Session(context, requests)
        finally:
            context.close()


def _canvas_ink(page: Page) -> int:
    """Number of non-transparent pixels on the vis canvas (0 = blank)."""
    return page.evaluate("""() => {
        const c = document.querySelector('#mynetwork canvas');
        if (!c) return -1;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
        return ink;
    }""")


def _node_point(page: Page, node_id: str, scale: float = 2.0) -> tuple[float, float]:
    """Centre the view on the node and return its position in page coordinates."""
    return tuple(page.evaluate("""([id, scale]) => {
        const net = window.network;
        net.focus(id, {scale: scale, animation: false});
        net.redraw();
        const p = net.canvasToDOM(net.getPosition(id));
        const r = document.getElementById('mynetwork').getBoundingClientRect();
        return [r.left + p.x, r.top + p.y];
    }""", [node_id, scale]))  # type: ignore[return-value]


def _assert_silent(session: Session, page: Page) -> None:
    assert page.evaluate("window.__xss") == 0
    assert session.dialogs == []
    assert page.evaluate("window.__csp") == []  # no injected markup even tried to run
    assert session.requests == []


@pytest.fixture(scope="module")
def medium() -> nx.DiGraph:
    return synthetic_graph(800, seed=5)


def test_export_html_offline_draws_every_node(session: Session, medium: nx.DiGraph, tmp_path: Path) -> None:
    page = session.open(write_export(medium, "html", tmp_path / "explorer.html", title="Offline"))
    state = page.evaluate("window.__lineage")
    assert state == {"nodes": medium.number_of_nodes(), "edges": medium.number_of_edges(), "stable": True}
    assert _canvas_ink(page) > 1000
    assert page.evaluate("window.network.getPositions().constructor === Object")
    assert page.locator("#legend").inner_text().count("\n") >= 2
    _assert_silent(session, page)
    page.close()


def test_render_html_offline_large(session: Session, tmp_path: Path) -> None:
    G = synthetic_graph(2500, seed=6)
    path = tmp_path / "render.html"
    path.write_text(render_html(G, color_by="year", layout="force"), encoding="utf-8")
    page = session.open(path)
    assert page.evaluate("window.__lineage.nodes") == 2500
    assert _canvas_ink(page) > 1000
    _assert_silent(session, page)
    page.close()


def test_search_and_click_show_details(session: Session, medium: nx.DiGraph, tmp_path: Path) -> None:
    page = session.open(write_export(medium, "html", tmp_path / "explorer.html"))
    seed = next(n for n, d in medium.nodes(data=True) if d["is_seed"])
    title = medium.nodes[seed]["title"]
    # search by alias: the match is selected, focused and shown
    page.fill("#search", medium.nodes[seed]["alias"])
    page.press("#search", "Enter")
    assert page.locator("#search-status").inner_text().endswith(("match", "matches"))
    assert seed in page.evaluate("window.network.getSelectedNodes()")
    assert page.locator("#details h2").inner_text() == title
    # click another node on the canvas: a seed that is not covered by a neighbour at that point
    page.fill("#search", "")
    page.press("#search", "Enter")
    for other in (n for n, d in medium.nodes(data=True) if d["is_seed"] and n != seed):
        x, y = _node_point(page, other, scale=3.0)
        if page.evaluate("([id, x, y]) => { const r = document.getElementById('mynetwork').getBoundingClientRect();"
                         " return window.network.getNodeAt({x: x - r.left, y: y - r.top}) === id; }", [other, x, y]):
            break
    else:
        raise AssertionError("every seed is covered by another node")
    page.mouse.click(x, y)
    assert page.locator("#details h2").inner_text() == medium.nodes[other]["title"]
    details = page.locator("#details").inner_text()
    assert str(medium.nodes[other]["year"]) in details and medium.nodes[other]["role"] in details
    hrefs = page.eval_on_selector_all("#details a", "els => els.map(a => a.href)")
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    _assert_silent(session, page)
    page.close()


@pytest.mark.parametrize("kind", ["render", "export"])
def test_xss_graph_runs_no_script(session: Session, tmp_path: Path, kind: str) -> None:
    G = xss_graph()
    path = tmp_path / f"xss-{kind}.html"
    if kind == "render":
        path.write_text(render_html(G, title=G.nodes["xss:0"]["title"], highlight={"xss:href": "focus"}),
                        encoding="utf-8")
    else:
        write_export(G, "html", path, title=G.nodes["xss:1"]["title"])
    page = session.open(path)
    assert page.evaluate("window.__lineage.nodes") == G.number_of_nodes()
    seen_tooltip = 0
    for node in G:
        x, y = _node_point(page, node, scale=2.5)
        page.mouse.move(x, y)
        tip = page.locator("div.vis-tooltip")
        try:
            tip.wait_for(state="visible", timeout=2000)
        except Exception:  # a tooltip that does not show is not a failure of escaping
            pass
        else:
            text = tip.inner_text()
            if node in text:
                seen_tooltip += 1
                # shown as text (innerText turns "\n" into <br>): no other element exists in the tooltip
                assert tip.evaluate("el => [...el.querySelectorAll('*')].every(c => c.tagName === 'BR')")
                assert G.nodes[node]["title"][:20].split("\u2028")[0].strip() in text.replace("\n", " ")
        if kind == "export":
            page.mouse.click(x, y)
            heading = page.locator("#details h2").inner_text()
            assert heading == " ".join(G.nodes[node]["title"].split()) or heading == G.nodes[node]["title"] \
                or heading.replace("\n", "") == G.nodes[node]["title"].replace("\u2028", "").replace("\u2029", "")
            hrefs: list[Any] = page.eval_on_selector_all("#details a", "els => els.map(a => a.href)")
            assert all(h.startswith("https://") for h in hrefs), hrefs
        page.mouse.move(1, 1)
    assert seen_tooltip >= G.number_of_nodes() // 2
    if kind == "export":  # search with a payload as the query
        page.fill("#search", "<img src=x onerror=window.__xss++>")
        page.press("#search", "Enter")
        page.wait_for_timeout(100)
    assert page.locator("img, iframe, svg, details, math").count() == 0
    _assert_silent(session, page)
    page.close()
