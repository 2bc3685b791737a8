"""The Streamlit app in real Chromium: what only a browser shows.

A real ``streamlit run app.py`` server (offline, fresh cache) is started once for the module; the
tests read ``window.__lineage`` inside the graph iframe (set by ``graph/render.py`` once vis-network
has drawn), compare it with the same view computed in-process, switch lineage through the URL, upload
a seeds file whose titles are script-injection attempts, and download the HTML export.

Set ``LINEAGE_SCREENSHOTS=1`` to (re)write ``docs/screenshot-app.png`` and ``docs/screenshot-export.png``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import browser_page, require_browser

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
DOCS = ROOT / "docs"
LINEAGE = "preference-optimization"
MAX_NODES = 4000  # app.MAX_NODES (app.py runs its page on import, so it is not imported here)
XSS_SEEDS = """\
papers:
  - {alias: dpo, arxiv: "2305.18290"}
  - {alias: trap-img, title: "<img src=x onerror=alert(1)>", year: 2024}
  - {alias: trap-href, title: "<a href=\\"javascript:alert(2)\\">href</a><script>alert(3)</script>", year: 2024}
lineages:
  traps: [[dpo], [trap-img, trap-href]]
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``streamlit run app.py`` on a free loopback port, offline, with a fresh cache; killed at the end."""
    require_browser()
    tmp = tmp_path_factory.mktemp("app-server")
    port = _free_port()
    env = {**os.environ, "LINEAGE_OFFLINE": "1", "LINEAGE_CACHE_DIR": str(tmp / "cache")}
    env.pop("LINEAGE_SEEDS", None)
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + (tmp / "server.log").read_text(errors="replace"))
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _lineage_in_frames(page: Any, timeout_s: float = 30) -> dict[str, Any]:
    """``window.__lineage`` of the graph iframe, once it has drawn (``stable``)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for frame in page.frames:
            try:
                info = frame.evaluate("() => window.__lineage || null")
            except Exception:  # a frame navigating or detached: look again
                continue
            if info and info.get("stable"):
                return dict(info)
        page.wait_for_timeout(200)
    raise AssertionError("no drawn graph iframe (window.__lineage.stable) within the timeout")


def _wait_idle(page: Any) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def _expected_nodes(lineage: str, cache_dir: Path) -> int:
    from graph.analyse.select import ViewSpec, view
    from graph.build.expand import build_graph
    from graph.catalogue.load import load_catalogue
    from graph.core.settings import Settings

    settings = Settings.from_env({"LINEAGE_OFFLINE": "1", "LINEAGE_CACHE_DIR": str(cache_dir)})
    G = build_graph(load_catalogue(), lineages=[lineage], depth=1, direction="both", max_nodes=MAX_NODES,
                    offline=True, settings=settings)
    return view(G, ViewSpec(lineages=(lineage,))).number_of_nodes()


def test_graph_iframe_draws_the_view_and_url_lineage_changes_it(server: str, tmp_path: Path) -> None:
    with browser_page(viewport={"width": 1500, "height": 1100}) as page:
        t0 = time.monotonic()
        page.goto(server + "/")
        info = _lineage_in_frames(page)
        first_draw_s = time.monotonic() - t0
        expected = _expected_nodes(LINEAGE, tmp_path / "cache")
        assert info["nodes"] == expected, (info, expected)
        assert info["edges"] > 0
        _wait_idle(page)
        print(f"\nfirst graph drawn {first_draw_s:.2f} s after opening the page; {info}")

        page.goto(server + "/?lineage=user-sequence-modeling")
        page.wait_for_timeout(300)
        other = _lineage_in_frames(page)
        assert other["nodes"] == _expected_nodes("user-sequence-modeling", tmp_path / "cache")
        assert other["nodes"] != info["nodes"]

        if os.environ.get("LINEAGE_SCREENSHOTS"):
            page.goto(server + f"/?lineage={LINEAGE}&focus=dpo&radius=1")
            page.wait_for_timeout(300)
            _lineage_in_frames(page)
            _wait_idle(page)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(DOCS / "screenshot-app.png"))


def test_html_export_downloads_a_working_explorer(server: str, tmp_path: Path) -> None:
    with browser_page(viewport={"width": 1500, "height": 1000}) as page:
        page.goto(server + f"/?lineage={LINEAGE}")
        info = _lineage_in_frames(page)
        _wait_idle(page)
        page.get_by_role("tab", name="Export").click()
        with page.expect_download(timeout=30_000) as dl:
            page.get_by_role("button", name="HTML", exact=True).click()
        target = tmp_path / "lineage-view.html"
        dl.value.save_as(str(target))
        text = target.read_text(encoding="utf-8")
        assert "window.__lineage" in text or "__lineage" in text
        exported = page.context.new_page()
        if True:
            exported.set_viewport_size({"width": 1400, "height": 900})
            requests: list[str] = []
            exported.on("request", lambda r: requests.append(r.url))
            exported.goto(target.as_uri())
            got = _lineage_in_frames(exported)
            assert got["nodes"] == info["nodes"]
            assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
            if os.environ.get("LINEAGE_SCREENSHOTS"):
                box = exported.get_by_placeholder("Search title, alias or id…")
                box.fill("Direct Preference Optimization")
                box.press("Enter")
                exported.wait_for_timeout(1200)
                exported.screenshot(path=str(DOCS / "screenshot-export.png"))


def test_uploaded_seed_titles_run_no_script(server: str, tmp_path: Path) -> None:
    seeds = tmp_path / "traps.yaml"
    seeds.write_text(XSS_SEEDS, encoding="utf-8")
    dialogs: list[str] = []
    with browser_page() as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.add_init_script("window.__xss = 0;")
        page.goto(server + "/")
        _lineage_in_frames(page)
        _wait_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(seeds))
        page.get_by_text("traps", exact=True).first.wait_for(timeout=30_000)
        _wait_idle(page)
        info = _lineage_in_frames(page)
        assert info["nodes"] >= 3
        # the titles are shown as text: in the details selectbox and the missing-ancestor/chain panels
        page.get_by_role("tab", name="Chain check & reading order").click()
        # shown as text (the reading order lists both trap titles)
        page.get_by_text("<img src=x onerror=alert(1)>", exact=False).first.wait_for(state="attached", timeout=30_000)
        page.get_by_text("href</a>", exact=False).first.wait_for(state="attached", timeout=30_000)
        page.wait_for_timeout(500)
        assert page.locator("img[src=x]").count() == 0
        for frame in page.frames:
            assert frame.evaluate("() => document.querySelectorAll('img[src=\"x\"], a[href^=javascript]').length") == 0
        assert dialogs == []
        assert page.evaluate("() => window.__xss") == 0
