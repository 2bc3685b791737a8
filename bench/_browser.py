"""Headless Debian Chromium through Playwright, and an in-page probe timing "drawn and still".

``tests/browser.py`` is meant to hold the project's launcher; until it exists (or if its API differs)
this module launches ``/usr/bin/chromium`` itself with the flags a container needs.

The probe (an init script, so it runs before the page's own scripts and is not subject to the page's
Content-Security-Policy) samples every ``SAMPLE_MS`` from navigation start:

- **drawn**: the first sample at which the ``#mynetwork`` canvas has a non-transparent pixel;
- **still**: positions come from ``window.network.getPositions()``; the layout is still at sample
  ``t_k`` when every node's (x, y) at ``t_k`` equals the values at every sample up to ``t_k + STILL_MS``
  (i.e. nothing moved for ``STILL_MS`` = 200 ms). The reported time is ``t_k``, the first moment of that
  still window, not ``t_k + 200 ms``;
- **result** = ``max(drawn, still)`` in ms of ``performance.now()`` (0 = navigation start).

Pages whose physics never settle are reported as "> cap".
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run", "--mute-audio",
        "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows"]
SAMPLE_MS = 50
STILL_MS = 200

PROBE = """
(() => {
  const SAMPLE = @SAMPLE@, STILL = @STILL@;
  const B = window.__bench = {drawn: null, still: null, done: false, samples: 0, lastChange: null};
  let last = null, since = null;
  function canvasDrawn() {
    const c = document.querySelector('#mynetwork canvas');
    if (!c || !c.width || !c.height) return false;
    const ctx = c.getContext('2d');
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
    return false;
  }
  function sig(net) {
    const p = net.getPositions();
    const ks = Object.keys(p);
    const out = new Float64Array(ks.length * 2);
    for (let i = 0; i < ks.length; i++) { out[2 * i] = p[ks[i]].x; out[2 * i + 1] = p[ks[i]].y; }
    return out;
  }
  function same(a, b) {
    if (!a || !b || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) { if (a[i] !== b[i]) return false; }
    return true;
  }
  function tick() {
    const now = performance.now();
    const net = window.network;
    if (net && typeof net.getPositions === 'function') {
      B.samples++;
      if (B.drawn === null && canvasDrawn()) B.drawn = now;
      const s = sig(net);
      if (!same(s, last)) { last = s; since = now; B.lastChange = now; }
      else if (B.drawn !== null && now - since >= STILL) {
        B.still = since; B.done = true; return;
      }
    }
    setTimeout(tick, SAMPLE);
  }
  setTimeout(tick, 0);
})();
""".replace("@SAMPLE@", str(SAMPLE_MS)).replace("@STILL@", str(STILL_MS))


@contextlib.contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def time_until_still(b: Any, html_path: Path, cap_s: float, viewport: tuple[int, int] = (1280, 900)
                     ) -> dict[str, Any]:
    """Open ``html_path`` in a fresh context; ms from navigation start until drawn and still (or None)."""
    ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    try:
        ctx.route("http*://**/*", lambda route: route.abort())  # offline: no CDN for anyone
        ctx.add_init_script(PROBE)
        page = ctx.new_page()
        t0 = time.perf_counter()
        page.goto(html_path.as_uri(), wait_until="commit", timeout=int(cap_s * 1000))
        res: dict[str, Any] = {}
        while time.perf_counter() - t0 < cap_s:
            res = page.evaluate("() => Object.assign({}, window.__bench || {}, "
                                "{lineage: window.__lineage || null})")
            if res.get("done"):
                break
            time.sleep(0.05 if time.perf_counter() - t0 < 5 else 0.5)
        done = bool(res.get("done"))
        ms = max(res["drawn"], res["still"]) if done else None
        return {"ms": ms, "drawn_ms": res.get("drawn"), "still_ms": res.get("still"), "done": done,
                "lineage": res.get("lineage"), "samples": res.get("samples")}
    finally:
        ctx.close()
